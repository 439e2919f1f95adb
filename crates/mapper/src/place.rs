//! Placement: which core and local slot each neuron gets.
//!
//! Neurons per core and cores in the system are checked here so that every
//! later stage can index without bounds worries; the sequential fill also
//! respects synapse words, input axons and fan-out entries per core.

use crate::error::Resource;
use neurochip_arch::geometry::Grid;
use serde::Serialize;
use std::collections::BTreeMap;

/// How neurons are assigned to cores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Fill cores in id order, each until one of its capacities would be exceeded:
    /// fewest cores, most local traffic per core.
    #[default]
    Sequential,
    /// Spread evenly over all cores, neuron i on core ⌊i·C/N⌋ (SANA-FE's W4 mapping).
    Block,
    /// Core-sized blocks laid along a snake order of the tiles, then improved by
    /// greedy block swaps that reduce Σ synapses × hops.
    Greedy,
}

impl Strategy {
    /// All strategies, in CLI listing order.
    pub const ALL: [Strategy; 3] = [Strategy::Sequential, Strategy::Block, Strategy::Greedy];

    /// CLI spelling (`sequential`, `block`, `greedy`), also used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Sequential => "sequential",
            Strategy::Block => "block",
            Strategy::Greedy => "greedy",
        }
    }

    /// Parses the CLI spelling.
    pub fn parse(s: &str) -> Option<Strategy> {
        Strategy::ALL.into_iter().find(|x| x.name() == s)
    }
}

impl std::fmt::Display for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Strategy {
    type Err = String;

    /// Error text lists the valid names so a CLI can print it as is.
    fn from_str(s: &str) -> Result<Self, String> {
        Strategy::parse(s).ok_or_else(|| {
            format!("unknown placement strategy {s:?} (expected sequential, block or greedy)")
        })
    }
}

/// Result of placement: core of every neuron and its local index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// Core per global neuron id.
    pub core: Vec<u32>,
    /// Local index per global neuron id.
    pub local: Vec<u32>,
    /// Core per neuron under the capacity-aware sequential fill (the baseline
    /// the report compares hops against; empty when Block's spread was used and the fill failed).
    pub sequential: Vec<u32>,
}

/// Why placement failed: more cores needed than the system has.
#[derive(Clone, Copy, Debug)]
pub struct TooFew {
    /// Cores the network needs at `per_core` neurons per core.
    pub needed: u64,
    /// Neurons per core used for the count.
    pub per_core: u32,
}

/// Per-core capacities the sequential fill respects (the final check in the
/// mapper stays authoritative; this only decides where a core is closed).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Neurons per core.
    pub neurons: u32,
    /// Synapse words per core (`None`: a crossbar, whose memory is sized for any axons × neurons).
    pub words: Option<u64>,
    /// Input axons (distinct sources) per core.
    pub axons_in: u64,
    /// Fan-out entries per core.
    pub axons_out: u64,
    /// Multicast: one fan-out entry per neuron with targets; unicast: one per destination core.
    pub multicast: bool,
}

/// What the capacity-aware fill found (also when it needs more cores than exist).
#[derive(Clone, Debug)]
pub struct FillStats {
    /// Cores the fill used (may exceed the system's cores).
    pub cores: u32,
    /// How many cores were closed by each resource, indexed by [`Resource::index`].
    pub closed_by: [u32; 4],
}

/// Why placement failed.
#[derive(Clone, Debug)]
pub enum PlaceError {
    /// More cores needed by neuron count alone.
    TooFew(TooFew),
    /// The capacity-aware fill needs more cores than the system has.
    Fill(FillStats),
    /// One neuron alone exceeds a per-core resource.
    Single {
        /// The (empty) core it was tried on.
        core: u32,
        /// Global neuron id.
        neuron: u32,
        /// The resource.
        resource: Resource,
        /// What the neuron needs.
        needed: u64,
        /// What a core has.
        has: u64,
    },
}

/// Per-neuron extra demand from host input (one word and one axon per host axon).
pub type HostDemand<'a> = &'a [u32];

/// Places `n` neurons, at most `cap` per core, on `total` cores.
///
/// Sequential and Greedy start from a capacity-aware fill in id order that
/// closes a core as soon as the next neuron would exceed `lim`; Block keeps
/// SANA-FE's ⌊i·C/N⌋ spread.
#[allow(clippy::too_many_arguments)]
pub fn place(
    strategy: Strategy,
    grid: &Grid,
    n: u32,
    cap: u32,
    total: u32,
    row_start: &[u64],
    targets: &[u32],
    lim: &Limits,
    host: HostDemand,
) -> Result<(Placement, FillStats), PlaceError> {
    let cap = cap.max(1);
    let needed = (n as u64).div_ceil(cap as u64);
    if needed > total as u64 {
        return Err(PlaceError::TooFew(TooFew {
            needed,
            per_core: cap,
        }));
    }
    let lim = Limits {
        neurons: cap.min(lim.neurons).max(1),
        ..*lim
    };
    let filled = fill(n, row_start, targets, &lim, host);
    let (seq, stats) = match (strategy, filled) {
        // Block ignores the fill; the final capacity check judges its spread.
        (Strategy::Block, Err(_)) => (
            Vec::new(),
            FillStats {
                cores: 0,
                closed_by: [0; 4],
            },
        ),
        (_, Err(e)) => return Err(e),
        (_, Ok(f)) => f,
    };
    if strategy != Strategy::Block && stats.cores > total {
        return Err(PlaceError::Fill(stats));
    }
    let mut core = vec![0u32; n as usize];
    let mut local = vec![0u32; n as usize];
    match strategy {
        Strategy::Sequential => core.copy_from_slice(&seq),
        Strategy::Block => {
            for i in 0..n {
                core[i as usize] = ((i as u128 * total as u128) / n as u128) as u32;
            }
        }
        Strategy::Greedy => {
            let pos = greedy_positions(
                grid,
                n,
                &seq,
                total,
                stats.cores as usize,
                row_start,
                targets,
            );
            for i in 0..n as usize {
                core[i] = pos[seq[i] as usize];
            }
        }
    }
    // Cores hold contiguous id ranges in every strategy, so local = rank within the core.
    let (mut prev, mut k) = (u32::MAX, 0u32);
    for i in 0..n as usize {
        if core[i] != prev {
            prev = core[i];
            k = 0;
        }
        local[i] = k;
        k += 1;
    }
    Ok((
        Placement {
            core,
            local,
            sequential: seq,
        },
        stats,
    ))
}

/// Capacity-aware fill in id order: core of every neuron and the statistics.
///
/// Incremental per core: neurons, words (one per in-synapse plus host words),
/// distinct sources (an epoch stamp per source) and fan-out entries. Unicast
/// fan-out counts, for the neuron being added, the distinct cores among its
/// already-placed targets plus an estimate of the cores its not-yet-placed
/// targets will span; the estimate is a heuristic, the mapper's final check
/// is the hard one.
pub fn fill(
    n: u32,
    row_start: &[u64],
    targets: &[u32],
    lim: &Limits,
    host: HostDemand,
) -> Result<(Vec<u32>, FillStats), PlaceError> {
    let n = n as usize;
    // Transpose (sources of every target), counting sort.
    let mut in_start = vec![0u32; n + 1];
    for &t in targets {
        in_start[t as usize + 1] += 1;
    }
    for i in 0..n {
        in_start[i + 1] += in_start[i];
    }
    let mut fillp = in_start.clone();
    let mut in_src = vec![0u32; targets.len()];
    for s in 0..n {
        for &t in &targets[row_start[s] as usize..row_start[s + 1] as usize] {
            in_src[fillp[t as usize] as usize] = s as u32;
            fillp[t as usize] += 1;
        }
    }
    drop(fillp);
    let mut core = vec![u32::MAX; n];
    // stamp[s] = 1 + core that already has an axon for source s.
    let mut stamp = vec![0u32; n];
    // seen[s] = probe epoch that already counted s (duplicates in one in-list).
    let mut seen = vec![0u32; n];
    let mut epoch = 0u32;
    let mut core_seen: Vec<u32> = Vec::new();
    let mut closed_by = [0u32; 4];
    let (mut c, mut nn, mut words, mut axons, mut out) = (0u32, 0u64, 0u64, 0u64, 0u64);
    for t in 0..n {
        let srcs = &in_src[in_start[t] as usize..in_start[t + 1] as usize];
        let h = host.get(t).copied().unwrap_or(0) as u64;
        let w_add = srcs.len() as u64 + h;
        let demand =
            |c: u32, mark: u32, seen: &mut [u32], core_seen: &mut Vec<u32>| -> (u64, u64) {
                let (mut a, mut o) = (h, 0u64);
                for &s in srcs {
                    let su = s as usize;
                    if stamp[su] != c + 1 && seen[su] != mark {
                        seen[su] = mark;
                        a += 1;
                    }
                }
                let outs = &targets[row_start[t] as usize..row_start[t + 1] as usize];
                if lim.multicast {
                    o += !outs.is_empty() as u64;
                } else {
                    if core_seen.len() < c as usize + 1 {
                        core_seen.resize(c as usize + 1, 0);
                    }
                    // Placed targets: their distinct cores. Unplaced ones (this neuron
                    // included): the cores their id span will fill, from each target's
                    // share of a core (neurons or words, whichever binds).
                    let (mut lo, mut hi, mut cnt, mut share) = (u32::MAX, 0u32, 0u64, 0f64);
                    for &u in outs {
                        let cu = core[u as usize];
                        if cu != u32::MAX {
                            if core_seen[cu as usize] != mark {
                                core_seen[cu as usize] = mark;
                                o += 1;
                            }
                        } else {
                            lo = lo.min(u);
                            hi = hi.max(u);
                            cnt += 1;
                            let uw = (in_start[u as usize + 1] - in_start[u as usize]) as u64
                                + host.get(u as usize).copied().unwrap_or(0) as u64;
                            let f = lim.words.map_or(0.0, |w| uw as f64 / w.max(1) as f64);
                            share += f.max(1.0 / lim.neurons.max(1) as f64);
                        }
                    }
                    if cnt > 0 {
                        let span = (hi - lo + 1) as f64 * share / cnt as f64;
                        o += cnt.min(span.ceil() as u64 + 1);
                    }
                }
                (a, o)
            };
        // A fresh mark per probe, so the two probes of one neuron do not share marks.
        epoch += 1;
        let (mut a_add, mut o_add) = demand(c, epoch, &mut seen, &mut core_seen);
        let over = |nn: u64, words: u64, axons: u64, out: u64, a: u64, o: u64| -> Option<usize> {
            if nn + 1 > lim.neurons as u64 {
                Some(0)
            } else if lim.words.is_some_and(|w| words + w_add > w) {
                Some(1)
            } else if axons + a > lim.axons_in {
                Some(2)
            } else if out + o > lim.axons_out {
                Some(3)
            } else {
                None
            }
        };
        if let Some(r) = over(nn, words, axons, out, a_add, o_add) {
            if nn > 0 {
                closed_by[r] += 1;
                c += 1;
                (nn, words, axons, out) = (0, 0, 0, 0);
                epoch += 1;
                (a_add, o_add) = demand(c, epoch, &mut seen, &mut core_seen);
            }
            if let Some(r) = over(0, 0, 0, 0, a_add, o_add) {
                let (needed, has) = match r {
                    1 => (w_add, lim.words.unwrap_or(0)),
                    2 => (a_add, lim.axons_in),
                    3 => (o_add, lim.axons_out),
                    _ => (1, lim.neurons as u64),
                };
                return Err(PlaceError::Single {
                    core: c,
                    neuron: t as u32,
                    resource: Resource::ALL[r],
                    needed,
                    has,
                });
            }
        }
        // Commit.
        for &s in srcs {
            stamp[s as usize] = c + 1;
        }
        core[t] = c;
        nn += 1;
        words += w_add;
        axons += a_add;
        out += o_add;
    }
    let cores = if n == 0 { 0 } else { c + 1 };
    Ok((core, FillStats { cores, closed_by }))
}

/// Cores in snake (boustrophedon) order of the tiles, so consecutive cores are neighbours.
pub fn snake_order(grid: &Grid) -> Vec<u32> {
    let mut v = Vec::with_capacity((grid.w * grid.h) as usize * grid.cpt as usize);
    for y in 0..grid.h {
        for i in 0..grid.w {
            let x = if y % 2 == 0 { i } else { grid.w - 1 - i };
            let tile = (y * grid.w + x) as u32;
            for k in 0..grid.cpt {
                v.push(tile * grid.cpt + k);
            }
        }
    }
    v
}

/// Σ w × hops of a block layout.
fn layout_cost(grid: &Grid, adj: &[Vec<(usize, u64)>], pos: &[u32]) -> u64 {
    let mut c = 0;
    for (a, row) in adj.iter().enumerate() {
        for &(b, w) in row {
            if a < b {
                c += w * grid.core_hops(pos[a], pos[b]);
            }
        }
    }
    c
}

fn greedy_positions(
    grid: &Grid,
    n: u32,
    block_of: &[u32],
    total: u32,
    blocks: usize,
    row_start: &[u64],
    targets: &[u32],
) -> Vec<u32> {
    // Undirected block adjacency (synapse counts) from the CSR: a dense matrix
    // when small (W1: 49 blocks), a sorted map per block otherwise.
    let adj: Vec<Vec<(usize, u64)>> = if blocks <= 2048 {
        let mut m = vec![0u64; blocks * blocks];
        for s in 0..n as usize {
            let a = block_of[s] as usize;
            let (lo, hi) = (row_start[s] as usize, row_start[s + 1] as usize);
            for &t in &targets[lo..hi] {
                m[a * blocks + block_of[t as usize] as usize] += 1;
            }
        }
        (0..blocks)
            .map(|a| {
                (0..blocks)
                    .filter(|&b| b != a)
                    .map(|b| (b, m[a * blocks + b] + m[b * blocks + a]))
                    .filter(|&(_, w)| w > 0)
                    .collect()
            })
            .collect()
    } else {
        let mut acc: Vec<BTreeMap<usize, u64>> = vec![BTreeMap::new(); blocks];
        for s in 0..n as usize {
            let a = block_of[s] as usize;
            let (lo, hi) = (row_start[s] as usize, row_start[s + 1] as usize);
            for &t in &targets[lo..hi] {
                let b = block_of[t as usize] as usize;
                if a != b {
                    *acc[a].entry(b).or_insert(0) += 1;
                    *acc[b].entry(a).or_insert(0) += 1;
                }
            }
        }
        acc.into_iter().map(|m| m.into_iter().collect()).collect()
    };
    let sequential: Vec<u32> = (0..blocks as u32).collect();
    let snake: Vec<u32> = snake_order(grid).into_iter().take(blocks).collect();
    let mut pos = if layout_cost(grid, &adj, &snake) <= layout_cost(grid, &adj, &sequential) {
        snake
    } else {
        sequential
    };
    let mut occupant: Vec<Option<usize>> = vec![None; total as usize];
    for (b, &c) in pos.iter().enumerate() {
        occupant[c as usize] = Some(b);
    }
    // Cost change of moving `a` to `q` (and the occupant `b` of `q` to `a`'s core).
    let delta = |pos: &[u32], a: usize, q: u32, b: Option<usize>| -> i64 {
        let p = pos[a];
        let mut d = 0i64;
        for &(x, w) in &adj[a] {
            if Some(x) != b {
                d += w as i64
                    * (grid.core_hops(q, pos[x]) as i64 - grid.core_hops(p, pos[x]) as i64);
            }
        }
        if let Some(b) = b {
            for &(x, w) in &adj[b] {
                if x != a {
                    d += w as i64
                        * (grid.core_hops(p, pos[x]) as i64 - grid.core_hops(q, pos[x]) as i64);
                }
            }
        }
        d
    };
    // Bounded work so that large systems still map in seconds.
    let mut budget: i64 = 30_000_000;
    for _pass in 0..8 {
        let mut improved = false;
        for a in 0..blocks {
            if adj[a].is_empty() {
                continue;
            }
            let mut best = (0i64, u32::MAX);
            for q in 0..total {
                if q == pos[a] {
                    continue;
                }
                let b = occupant[q as usize];
                budget -= (adj[a].len() + b.map_or(0, |b| adj[b].len())) as i64 + 1;
                let d = delta(&pos, a, q, b);
                if d < best.0 {
                    best = (d, q);
                }
            }
            if best.1 != u32::MAX {
                let q = best.1;
                let p = pos[a];
                let b = occupant[q as usize];
                pos[a] = q;
                occupant[q as usize] = Some(a);
                occupant[p as usize] = b;
                if let Some(b) = b {
                    pos[b] = p;
                }
                improved = true;
            }
            if budget < 0 {
                return pos;
            }
        }
        if !improved {
            break;
        }
    }
    pos
}
