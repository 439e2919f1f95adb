//! Placement: which core and local slot each neuron gets.
//!
//! Capacity is checked here (neurons per core, cores in the system) so that
//! every later stage can index without bounds worries.

use crate::route::Grid;
use serde::Serialize;
use std::collections::BTreeMap;

/// How neurons are assigned to cores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Fill cores in id order, each to capacity: fewest cores, most local traffic per core.
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
}

/// Why placement failed: more cores needed than the system has.
#[derive(Clone, Copy, Debug)]
pub struct TooFew {
    /// Cores the network needs at `per_core` neurons per core.
    pub needed: u64,
    /// Neurons per core used for the count.
    pub per_core: u32,
}

/// Places `n` neurons, at most `cap` per core, on `total` cores.
pub fn place(
    strategy: Strategy,
    grid: &Grid,
    n: u32,
    cap: u32,
    total: u32,
    row_start: &[u64],
    targets: &[u32],
) -> Result<Placement, TooFew> {
    let cap = cap.max(1);
    let needed = (n as u64).div_ceil(cap as u64);
    if needed > total as u64 {
        return Err(TooFew {
            needed,
            per_core: cap,
        });
    }
    let mut core = vec![0u32; n as usize];
    let mut local = vec![0u32; n as usize];
    match strategy {
        Strategy::Sequential => {
            for i in 0..n {
                core[i as usize] = i / cap;
                local[i as usize] = i % cap;
            }
        }
        Strategy::Block => {
            let (mut prev, mut k) = (u32::MAX, 0u32);
            for i in 0..n {
                let c = ((i as u128 * total as u128) / n as u128) as u32;
                if c != prev {
                    prev = c;
                    k = 0;
                }
                core[i as usize] = c;
                local[i as usize] = k;
                k += 1;
            }
        }
        Strategy::Greedy => {
            let blocks = needed as usize;
            let pos = greedy_positions(grid, n, cap, total, blocks, row_start, targets);
            for i in 0..n {
                core[i as usize] = pos[(i / cap) as usize];
                local[i as usize] = i % cap;
            }
        }
    }
    Ok(Placement { core, local })
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
    cap: u32,
    total: u32,
    blocks: usize,
    row_start: &[u64],
    targets: &[u32],
) -> Vec<u32> {
    // Undirected block adjacency (synapse counts) from the CSR: a dense matrix
    // when small (W1: 49 blocks), a sorted map per block otherwise.
    let cap = cap as usize;
    let adj: Vec<Vec<(usize, u64)>> = if blocks <= 2048 {
        let mut m = vec![0u64; blocks * blocks];
        for s in 0..n as usize {
            let a = s / cap;
            let (lo, hi) = (row_start[s] as usize, row_start[s + 1] as usize);
            for &t in &targets[lo..hi] {
                m[a * blocks + t as usize / cap] += 1;
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
            let a = s / cap;
            let (lo, hi) = (row_start[s] as usize, row_start[s + 1] as usize);
            for &t in &targets[lo..hi] {
                let b = t as usize / cap;
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
