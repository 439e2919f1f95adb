//! Expansion of a declarative [`Network`] into explicit synapses (CSR by source).
//!
//! Determinism is structural: every random draw of projection `p` comes from
//! `NeuronRng::new(net.seed, p, neuron, 0)`, where `neuron` is the index (within
//! its population) of the neuron that owns the draw — the target for
//! `fixed_in_degree`, the source for every other rule, the pair index for
//! `list`. Nothing depends on threads or on the other projections, so
//! editing one projection never changes another's synapses.
//!
//! The build is two passes over the same keyed streams: pass 1 only counts
//! synapses per source, pass 2 writes them straight into their CSR slot. That
//! keeps peak memory at the final 10 bytes per synapse (u32 target, f32
//! weight, u8 delay, u8 channel) instead of an intermediate edge list.
//!
//! [`Expanded`] is everything a mapper needs, complete: besides the synapses it
//! holds each population's neuron parameters and per-neuron draws, the
//! projections' ends, the host spikes (spike files read once, here) and the
//! Poisson drives, so mapping does no I/O and never looks back at the
//! [`Network`].

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use neurochip_firmware::NeuronRng;

use crate::schema::{Connect, Distribution, Init, Network, NeuronParams, Stimulus, SynapseKind};
use crate::NetError;

/// Stream index offset for per-neuron initial values, so they never collide
/// with a projection's stream (projections use indices 0..1000 in practice).
pub const INIT_STREAM_BASE: u32 = 1000;

/// Where one population sits in the global neuron id space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PopRange {
    /// Population name.
    pub name: String,
    /// First global id.
    pub start: u32,
    /// Number of neurons.
    pub size: u32,
}

impl PopRange {
    /// Global ids of this population, for iterating without arithmetic slips.
    pub fn ids(&self) -> Range<u32> {
        self.start..self.start + self.size
    }
}

/// All synapses of a network in compressed-sparse-row form keyed by SOURCE
/// global id, the layout a spike-driven chip walks (one row per fired neuron).
#[derive(Clone, Debug, PartialEq)]
pub struct Expanded {
    /// Total neurons (global ids are 0..n).
    pub n: u32,
    /// Populations in declaration order (contiguous ids).
    pub pops: Vec<PopRange>,
    /// Row `s` is `row_start[s]..row_start[s + 1]`; length n + 1.
    pub row_start: Vec<u64>,
    /// Target global id per synapse; within a row sorted by (target, delay).
    pub targets: Vec<u32>,
    /// Weight per synapse in the target model's units.
    pub weights: Vec<f32>,
    /// Delay per synapse in steps (1..=255).
    pub delays: Vec<u8>,
    /// Synaptic channel per synapse: 0 = excitatory, 1 = inhibitory.
    pub channels: Vec<u8>,
    /// Timestep (ms) the physical parameters are discretised with.
    pub dt_ms: f64,
    /// Per population (as `pops`): neuron parameters and per-neuron values.
    pub neurons: Vec<PopNeurons>,
    /// Per network projection: the populations it joins and its channel.
    pub projections: Vec<ProjectionEnds>,
    /// Explicit input spikes (spike arrays and files), sorted by (step, neuron), stable in
    /// stimulus order.
    pub host_spikes: Vec<HostInput>,
    /// Poisson stimuli, in stimulus order.
    pub poisson: Vec<PoissonInput>,
}

/// One population's neuron parameters with every per-neuron value drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct PopNeurons {
    /// The parameters as the network gives them.
    pub neuron: NeuronParams,
    /// Per neuron: `v_init` (`lif`), `bias` (`sanafe_lif`), zeros otherwise
    /// (see [`initial_values`]).
    pub init: Vec<f64>,
    /// A model table's parameters (`kind = "model"`), each drawn per neuron when given as a
    /// distribution (see [`model_param_values`]); empty for the other kinds.
    pub params: BTreeMap<String, Values>,
}

/// A per-neuron value of a population: one constant, or one draw per neuron.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// The same for every neuron.
    Constant(f64),
    /// Neuron `i`'s value at index `i`.
    PerNeuron(Vec<f64>),
}

impl Values {
    /// Neuron `i`'s value (the last drawn one past the end, 0 for an empty draw).
    pub fn at(&self, i: usize) -> f64 {
        match self {
            Values::Constant(c) => *c,
            Values::PerNeuron(v) => v.get(i).or(v.last()).copied().unwrap_or(0.0),
        }
    }

    /// Largest |value|.
    pub fn max_abs(&self) -> f64 {
        match self {
            Values::Constant(c) => c.abs(),
            Values::PerNeuron(v) => v.iter().fold(0.0, |m, x| m.max(x.abs())),
        }
    }
}

/// The two ends and the channel of one projection, as population indices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProjectionEnds {
    /// Source population index.
    pub from: usize,
    /// Target population index.
    pub to: usize,
    /// Synaptic channel (0 exc, 1 inh).
    pub channel: u8,
}

/// One explicit input spike, resolved to a global id.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HostInput {
    /// Step at which it is integrated.
    pub step: u32,
    /// Target global id.
    pub neuron: u32,
    /// Weight (target units).
    pub weight: f64,
    /// Channel (0 exc, 1 inh).
    pub channel: u8,
}

impl Expanded {
    /// Number of synapses.
    pub fn synapses(&self) -> u64 {
        self.targets.len() as u64
    }

    /// Index range of source `src`'s synapses in the per-synapse arrays.
    ///
    /// Panics if `src >= n` (an id outside the network is a caller bug).
    pub fn row(&self, src: u32) -> Range<usize> {
        let s = src as usize;
        self.row_start[s] as usize..self.row_start[s + 1] as usize
    }

    /// Index into `pops` of the population holding global id `gid`
    /// (the last population for ids past the end).
    pub fn pop_of(&self, gid: u32) -> usize {
        self.pops
            .partition_point(|p| p.start <= gid)
            .saturating_sub(1)
    }

    /// In-degree of every neuron, for fan-in-limited mappers and for tests.
    pub fn in_degrees(&self) -> Vec<u32> {
        let mut d = vec![0u32; self.n as usize];
        for &t in &self.targets {
            d[t as usize] += 1;
        }
        d
    }

    /// Out-degree of every neuron.
    pub fn out_degrees(&self) -> Vec<u32> {
        self.row_start
            .windows(2)
            .map(|w| (w[1] - w[0]) as u32)
            .collect()
    }
}

/// Populations' global id ranges without expanding synapses.
pub fn pop_ranges(net: &Network) -> Vec<PopRange> {
    let mut start = 0u32;
    net.populations
        .iter()
        .map(|p| {
            let r = PopRange {
                name: p.name.clone(),
                start,
                size: p.size,
            };
            start = start.saturating_add(p.size);
            r
        })
        .collect()
}

/// Channel number of a synapse kind (0 exc, 1 inh).
pub fn channel_of(kind: SynapseKind) -> u8 {
    match kind {
        SynapseKind::Exc => 0,
        SynapseKind::Inh => 1,
    }
}

/// Uniform integer in 0..n (n > 0) by 64-bit multiply-shift (bias < n / 2^64).
#[inline]
fn below(rng: &mut NeuronRng, n: u32) -> u32 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u32
}

/// Draws from an [`Init`]; keeps Box–Muller's second normal for the next call.
pub struct Sampler<'a> {
    init: &'a Init,
    spare: Option<f64>,
}

impl<'a> Sampler<'a> {
    /// A sampler over `init`; make one per keyed stream so spares never leak
    /// between neurons.
    pub fn new(init: &'a Init) -> Self {
        Sampler { init, spare: None }
    }

    /// Next value; constants consume no random numbers.
    #[inline]
    pub fn sample(&mut self, rng: &mut NeuronRng) -> f64 {
        match self.init {
            Init::Constant(c) => *c,
            Init::Dist(Distribution::Uniform { low, high }) => low + (high - low) * rng.next_f64(),
            Init::Dist(Distribution::Normal { mean, std }) => {
                if let Some(z) = self.spare.take() {
                    return mean + std * z;
                }
                let u1 = 1.0 - rng.next_f64(); // (0, 1]: ln is finite
                let u2 = rng.next_f64();
                let r = (-2.0 * u1.ln()).sqrt();
                let (s, c) = (std::f64::consts::TAU * u2).sin_cos();
                self.spare = Some(r * s);
                mean + std * r * c
            }
        }
    }
}

/// Scratch for drawing k distinct indices (bitset cleared after each use).
#[derive(Default)]
struct Choose {
    bits: Vec<u64>,
    out: Vec<u32>,
}

impl Choose {
    /// k distinct values of 0..m in ascending order (Robert Floyd's algorithm:
    /// exactly k draws, no rejection loop).
    fn draw(&mut self, rng: &mut NeuronRng, m: u32, k: u32) -> &[u32] {
        self.out.clear();
        if k >= m {
            self.out.extend(0..m);
            return &self.out;
        }
        let words = m.div_ceil(64) as usize;
        if self.bits.len() < words {
            self.bits.resize(words, 0);
        }
        for j in (m - k)..m {
            let t = below(rng, j + 1);
            let (w, b) = ((t / 64) as usize, 1u64 << (t % 64));
            let pick = if self.bits[w] & b != 0 { j } else { t };
            self.bits[(pick / 64) as usize] |= 1u64 << (pick % 64);
            self.out.push(pick);
        }
        if words <= 4 * k as usize {
            // Dense: a scan of the bitset sorts and clears in O(m / 64).
            self.out.clear();
            for (wi, word) in self.bits[..words].iter_mut().enumerate() {
                let mut x = *word;
                while x != 0 {
                    self.out.push(wi as u32 * 64 + x.trailing_zeros());
                    x &= x - 1;
                }
                *word = 0;
            }
        } else {
            self.out.sort_unstable();
            for &v in &self.out {
                self.bits[(v / 64) as usize] = 0;
            }
        }
        &self.out
    }
}

/// Emit every synapse of projection `pi` as (source gid, target gid, weight,
/// delay, channel) in a fixed order that depends only on the keyed streams.
fn generate<F: FnMut(u32, u32, f32, u8)>(
    net: &Network,
    ranges: &[PopRange],
    pi: usize,
    choose: &mut Choose,
    emit: &mut F,
) {
    let pr = &net.projections[pi];
    let find = |name: &str| ranges.iter().find(|r| r.name == name).cloned();
    let (Some(sr), Some(tr)) = (find(&pr.from), find(&pr.to)) else {
        return; // unreachable after check(); never panic on bad input
    };
    let (s0, m_src, t0, m_dst) = (sr.start, sr.size, tr.start, tr.size);
    let same = pr.from == pr.to;
    let seed = net.seed;
    let key = pi as u32;
    let d = pr.delay as u8;
    let stream = |neuron: u32| NeuronRng::new(seed, key, neuron, 0);
    match &pr.connect {
        Connect::AllToAll { autapses } => {
            for i in 0..m_src {
                let mut rng = stream(i);
                let mut w = Sampler::new(&pr.weight);
                for j in 0..m_dst {
                    if same && !autapses && i == j {
                        continue;
                    }
                    emit(s0 + i, t0 + j, w.sample(&mut rng) as f32, d);
                }
            }
        }
        Connect::OneToOne => {
            for i in 0..m_src.min(m_dst) {
                let mut rng = stream(i);
                let mut w = Sampler::new(&pr.weight);
                emit(s0 + i, t0 + i, w.sample(&mut rng) as f32, d);
            }
        }
        Connect::FixedProbability { p, autapses } => {
            let p = *p;
            if p <= 0.0 {
                return;
            }
            let ln_q = (-p).ln_1p(); // ln(1 - p); -inf when p == 1
            for i in 0..m_src {
                let mut rng = stream(i);
                let mut w = Sampler::new(&pr.weight);
                let mut j: i64 = -1;
                loop {
                    let skip = if p >= 1.0 {
                        0.0
                    } else {
                        ((1.0 - rng.next_f64()).ln() / ln_q).floor()
                    };
                    if skip >= f64::from(m_dst) {
                        break;
                    }
                    j += skip as i64 + 1;
                    if j >= i64::from(m_dst) {
                        break;
                    }
                    let jj = j as u32;
                    if same && !autapses && i == jj {
                        continue;
                    }
                    emit(s0 + i, t0 + jj, w.sample(&mut rng) as f32, d);
                }
            }
        }
        Connect::FixedInDegree { k } => {
            for t in 0..m_dst {
                let mut rng = stream(t);
                let mut w = Sampler::new(&pr.weight);
                let chosen = choose.draw(&mut rng, m_src, *k);
                for &s in chosen {
                    emit(s0 + s, t0 + t, w.sample(&mut rng) as f32, d);
                }
            }
        }
        Connect::FixedOutDegree { k } => {
            for s in 0..m_src {
                let mut rng = stream(s);
                let mut w = Sampler::new(&pr.weight);
                let chosen = choose.draw(&mut rng, m_dst, *k);
                for &t in chosen {
                    emit(s0 + s, t0 + t, w.sample(&mut rng) as f32, d);
                }
            }
        }
        Connect::List {
            pairs,
            weights,
            delays,
        } => {
            for (j, &(s, t)) in pairs.iter().enumerate() {
                if s >= m_src || t >= m_dst {
                    continue; // rejected by check()
                }
                let wv = match weights.get(j) {
                    Some(&w) => w,
                    None => {
                        let mut rng = stream(j as u32);
                        Sampler::new(&pr.weight).sample(&mut rng)
                    }
                };
                let dv = delays.get(j).map_or(d, |&x| x as u8);
                emit(s0 + s, t0 + t, wv as f32, dv);
            }
        }
    }
}

/// Expand a network whose spike files (if any) are relative to the current directory.
///
/// See [`expand_in`].
pub fn expand(net: &Network) -> Result<Expanded, NetError> {
    expand_in(net, Path::new("."))
}

/// Expand all projections into CSR by source global id and resolve everything else a
/// mapper needs; relative spike-file paths are joined to `base_dir` and read here, once.
///
/// Errors when the network breaks a rule that expansion relies on (the same
/// checks as [`Network::validate`] except spike-file existence) or a spike file
/// cannot be read.
pub fn expand_in(net: &Network, base_dir: &Path) -> Result<Expanded, NetError> {
    let mut ex = expand_synapses(net)?;
    ex.host_spikes = stimulus_spikes(net, base_dir)?
        .into_iter()
        .map(|(step, neuron, weight, channel)| HostInput {
            step,
            neuron,
            weight,
            channel,
        })
        .collect();
    ex.poisson = poisson_inputs(net);
    ex.neurons = (0..net.populations.len())
        .map(|k| PopNeurons {
            neuron: net.populations[k].neuron.clone(),
            init: initial_values(net, k),
            params: model_param_values(net, k),
        })
        .collect();
    let index = |name: &str| ex.pops.iter().position(|p| p.name == name);
    ex.projections = net
        .projections
        .iter()
        .filter_map(|pr| {
            Some(ProjectionEnds {
                from: index(&pr.from)?,
                to: index(&pr.to)?,
                channel: channel_of(pr.synapse),
            })
        })
        .collect();
    Ok(ex)
}

/// The synapses (CSR by source) of `net`, with the other parts of [`Expanded`] empty.
fn expand_synapses(net: &Network) -> Result<Expanded, NetError> {
    net.check_structure(&net.name)?;
    let pops = pop_ranges(net);
    let n = pops.last().map_or(0, |p| p.start + p.size);
    let mut choose = Choose::default();

    // Pass 1: count synapses per source.
    let mut counts = vec![0u32; n as usize];
    let mut overflow = false;
    for pi in 0..net.projections.len() {
        generate(net, &pops, pi, &mut choose, &mut |s, _, _, _| {
            let c = &mut counts[s as usize];
            match c.checked_add(1) {
                Some(v) => *c = v,
                None => overflow = true,
            }
        });
    }
    if overflow {
        return Err(NetError::invalid(
            &net.name,
            "projections",
            "a neuron has more than 2^32 - 1 outgoing synapses",
        ));
    }
    let mut row_start = Vec::with_capacity(n as usize + 1);
    let mut acc = 0u64;
    row_start.push(0);
    for &c in &counts {
        acc += u64::from(c);
        row_start.push(acc);
    }
    drop(counts);
    let total = acc as usize;

    // Pass 2: the same streams, written into place.
    let mut targets = vec![0u32; total];
    let mut weights = vec![0f32; total];
    let mut delays = vec![0u8; total];
    let mut channels = vec![0u8; total];
    let mut cursor: Vec<u64> = row_start[..n as usize].to_vec();
    for pi in 0..net.projections.len() {
        let ch = channel_of(net.projections[pi].synapse);
        generate(net, &pops, pi, &mut choose, &mut |s, t, w, d| {
            let c = &mut cursor[s as usize];
            let at = *c as usize;
            *c += 1;
            targets[at] = t;
            weights[at] = w;
            delays[at] = d;
            channels[at] = ch;
        });
    }
    drop(cursor);

    let mut ex = Expanded {
        n,
        pops,
        row_start,
        targets,
        weights,
        delays,
        channels,
        dt_ms: net.dt_ms,
        neurons: Vec::new(),
        projections: Vec::new(),
        host_spikes: Vec::new(),
        poisson: Vec::new(),
    };
    sort_rows(&mut ex);
    Ok(ex)
}

/// Order each row by (target, delay); stable so equal keys keep projection order.
fn sort_rows(ex: &mut Expanded) {
    let mut perm: Vec<u32> = Vec::new();
    let mut tmp_t: Vec<u32> = Vec::new();
    let mut tmp_w: Vec<f32> = Vec::new();
    let mut tmp_d: Vec<u8> = Vec::new();
    let mut tmp_c: Vec<u8> = Vec::new();
    for s in 0..ex.n {
        let r = ex.row(s);
        let key = |i: usize| (ex.targets[i], ex.delays[i]);
        if (r.start + 1..r.end).all(|i| key(i - 1) <= key(i)) {
            continue;
        }
        perm.clear();
        perm.extend(0..(r.len() as u32));
        perm.sort_by_key(|&i| key(r.start + i as usize));
        tmp_t.clear();
        tmp_w.clear();
        tmp_d.clear();
        tmp_c.clear();
        for &i in &perm {
            let i = r.start + i as usize;
            tmp_t.push(ex.targets[i]);
            tmp_w.push(ex.weights[i]);
            tmp_d.push(ex.delays[i]);
            tmp_c.push(ex.channels[i]);
        }
        ex.targets[r.clone()].copy_from_slice(&tmp_t);
        ex.weights[r.clone()].copy_from_slice(&tmp_w);
        ex.delays[r.clone()].copy_from_slice(&tmp_d);
        ex.channels[r].copy_from_slice(&tmp_c);
    }
}

/// Per-neuron initial value of population `pop_index`: `v_init` for `lif`,
/// `bias` for `sanafe_lif`, zeros for `loihi_lif` (its integers are fixed).
/// Drawn from `NeuronRng::new(seed, 1000 + pop_index, neuron, 0)` so the
/// mapper and any reference model agree. Empty for an out-of-range index.
pub fn initial_values(net: &Network, pop_index: usize) -> Vec<f64> {
    let Some(p) = net.populations.get(pop_index) else {
        return Vec::new();
    };
    let init = match &p.neuron {
        NeuronParams::Lif { v_init, .. } => v_init.clone(),
        NeuronParams::SanafeLif { bias, .. } => bias.clone(),
        NeuronParams::LoihiLif { .. } | NeuronParams::Model { .. } => Init::Constant(0.0),
    };
    let stream = INIT_STREAM_BASE.wrapping_add(pop_index as u32);
    (0..p.size)
        .map(|i| {
            let mut rng = NeuronRng::new(net.seed, stream, i, 0);
            Sampler::new(&init).sample(&mut rng)
        })
        .collect()
}

/// The parameters of a model table (`kind = "model"`) of population `pop_index`, each
/// distribution drawn per neuron from `NeuronRng::new(seed, 1000 + pop_index, neuron, k)`
/// with `k` a hash of the parameter's name (never 0, the stream of [`initial_values`]), so
/// adding or renaming one parameter leaves the others' draws alone. Empty for other kinds.
pub fn model_param_values(net: &Network, pop_index: usize) -> BTreeMap<String, Values> {
    let Some(p) = net.populations.get(pop_index) else {
        return BTreeMap::new();
    };
    let NeuronParams::Model { params, .. } = &p.neuron else {
        return BTreeMap::new();
    };
    let stream = INIT_STREAM_BASE.wrapping_add(pop_index as u32);
    params
        .iter()
        .map(|(name, init)| {
            let v = match init {
                Init::Constant(c) => Values::Constant(*c),
                Init::Dist(_) => {
                    let key = name_key(name);
                    Values::PerNeuron(
                        (0..p.size)
                            .map(|i| {
                                let mut rng = NeuronRng::new(net.seed, stream, i, key);
                                Sampler::new(init).sample(&mut rng)
                            })
                            .collect(),
                    )
                }
            };
            (name.clone(), v)
        })
        .collect()
}

/// FNV-1a of a parameter name, never 0.
fn name_key(name: &str) -> u32 {
    let h = name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    h.max(1)
}

/// One Poisson input, resolved to global ids (the chip draws the events).
#[derive(Clone, Debug, PartialEq)]
pub struct PoissonInput {
    /// Index of the stimulus in `net.stimuli` (use it to key the event draws).
    pub stimulus: usize,
    /// Target global ids.
    pub targets: Range<u32>,
    /// Rate per neuron (Hz).
    pub rate_hz: f64,
    /// Weight per event.
    pub weight: f64,
    /// Channel (0 exc, 1 inh).
    pub channel: u8,
}

/// The network's Poisson stimuli with targets as global id ranges.
pub fn poisson_inputs(net: &Network) -> Vec<PoissonInput> {
    let ranges = pop_ranges(net);
    net.stimuli
        .iter()
        .enumerate()
        .filter_map(|(i, s)| match s {
            Stimulus::Poisson {
                target,
                rate_hz,
                weight,
                synapse,
            } => ranges
                .iter()
                .find(|r| &r.name == target)
                .map(|r| PoissonInput {
                    stimulus: i,
                    targets: r.ids(),
                    rate_hz: *rate_hz,
                    weight: *weight,
                    channel: channel_of(*synapse),
                }),
            _ => None,
        })
        .collect()
}

/// Explicit input spikes of `spike_file` / `spike_array` stimuli as
/// (step, global id, weight, channel), sorted by (step, global id) and stable
/// in stimulus order. Relative spike-file paths are joined to `base_dir`.
pub fn stimulus_spikes(
    net: &Network,
    base_dir: &Path,
) -> Result<Vec<(u32, u32, f64, u8)>, NetError> {
    let ranges = pop_ranges(net);
    let mut out = Vec::new();
    for (i, s) in net.stimuli.iter().enumerate() {
        let (target, spikes, weight, synapse) = match s {
            Stimulus::Poisson { .. } => continue,
            Stimulus::SpikeArray {
                target,
                spikes,
                weight,
                synapse,
            } => (target, spikes.clone(), *weight, *synapse),
            Stimulus::SpikeFile {
                target,
                path,
                weight,
                synapse,
            } => (
                target,
                crate::read_spike_csv(&base_dir.join(path))?,
                *weight,
                *synapse,
            ),
        };
        let Some(r) = ranges.iter().find(|r| &r.name == target) else {
            return Err(NetError::invalid(
                &net.name,
                format!("stimuli[{i}].target"),
                format!("no population named {target:?}"),
            ));
        };
        let ch = channel_of(synapse);
        for (j, (step, nid)) in spikes.into_iter().enumerate() {
            if nid >= r.size {
                return Err(NetError::invalid(
                    &net.name,
                    format!("stimuli[{i}] spike {j}"),
                    format!(
                        "neuron {nid} out of range (population {target:?} has {})",
                        r.size
                    ),
                ));
            }
            out.push((step, r.start + nid, weight, ch));
        }
    }
    out.sort_by_key(|&(step, gid, _, _)| (step, gid));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floyd_draws_distinct_sorted_in_both_modes() {
        let mut c = Choose::default();
        for (m, k) in [(10_000u32, 1000u32), (100_000, 3), (50, 50), (7, 0)] {
            let mut rng = NeuronRng::new(3, 0, m, 0);
            let v = c.draw(&mut rng, m, k).to_vec();
            assert_eq!(v.len(), k as usize);
            assert!(v.windows(2).all(|w| w[0] < w[1]), "not strictly ascending");
            assert!(v.iter().all(|&x| x < m));
            assert!(c.bits.iter().all(|&w| w == 0), "bitset not cleared");
        }
    }

    #[test]
    fn normal_sampler_moments() {
        let init = Init::Dist(Distribution::Normal {
            mean: 2.0,
            std: 3.0,
        });
        let mut s = Sampler::new(&init);
        let mut rng = NeuronRng::new(1, 2, 3, 0);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 2.0).abs() < 0.1, "mean {mean}");
        assert!((var.sqrt() - 3.0).abs() < 0.1, "std {}", var.sqrt());
    }
}
