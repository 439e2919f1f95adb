//! # neurochip-mapper
//!
//! Turns an expanded network into a [`ChipImage`] for one architecture:
//! placement (which core holds each neuron), synapse memory (one input axon
//! per distinct source neuron per core, its row of packed words), fan-out
//! (unicast destinations or multicast keys plus router tables), host input
//! and quantisation of every parameter and weight to the model's integers —
//! with a [`MapReport`] that accounts for each resource and rounding error.
//!
//! Every capacity violation is a [`MapError`] that names the resource, the
//! core, what was needed, what exists and what would fit.
#![warn(missing_docs)]

mod models;
mod models_ext;
pub mod place;
pub mod quant;
pub mod report;
pub mod word;

use std::collections::BTreeMap;
use std::path::PathBuf;

use neurochip_arch::geometry::{port, Grid};
use neurochip_arch::schema::{Architecture, ModelKind, Routing};
use neurochip_firmware::hal::WordLayout;
use neurochip_firmware::models::lif::Lif;
use neurochip_firmware::models::loihi::LoihiCubaLif;
use neurochip_firmware::models::spinnaker::SpinnakerLif;
use neurochip_firmware::models::truenorth::TrueNorth;
use neurochip_firmware::models::xylo::XyloIaf;
use neurochip_firmware::NeuronModel;
use neurochip_hw::image::{
    AxonRow, ChipImage, CoreImage, Dest, HostSpike, McEntry, PoissonDrive, SynapseWords,
};
use neurochip_net::expand::{poisson_inputs, stimulus_spikes, Expanded};
use neurochip_net::schema::Network;
use neurochip_net::NetError;

pub use place::{Placement, Strategy};
pub use quant::{ParamQuant, PopQuant, ProjQuant};
pub use report::{CoreReport, MapReport, RouterReport, Totals, Utilisation};

use models::{kind_name, PopCtx, PopQ};
use quant::{rel_err, Sign};
use report::thousands;
use word::Fields;

/// How to map.
#[derive(Clone, Debug, Default)]
pub struct MapOptions {
    /// Placement strategy.
    pub strategy: Strategy,
    /// Master seed written to the image (keys every on-chip random stream).
    pub seed: u64,
    /// Directory that relative spike-file paths are resolved against (the network file's).
    pub base_dir: PathBuf,
}

/// A chip image for whichever model the architecture's cores run.
#[derive(Clone, Debug)]
pub enum AnyImage {
    /// `lif` cores.
    Lif(ChipImage<Lif>),
    /// `loihi_cuba_lif` cores.
    LoihiCubaLif(ChipImage<LoihiCubaLif>),
    /// `xylo_iaf` cores.
    XyloIaf(ChipImage<XyloIaf>),
    /// `spinnaker_lif` cores.
    SpinnakerLif(ChipImage<SpinnakerLif>),
    /// `truenorth` cores.
    Truenorth(ChipImage<TrueNorth>),
}

/// The result of mapping.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// What the chip loads.
    pub image: AnyImage,
    /// Per global neuron id: (core, local index).
    pub placement: Vec<(u32, u32)>,
    /// What was used and what was rounded.
    pub report: MapReport,
}

/// Why a network does not fit or cannot be expressed; every message is one line.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// The architecture's neuron model has no mapper (every current `ModelKind` has one; kept for new models).
    #[error("mapping: core.model {model} is not supported by the mapper (supported: lif, loihi_cuba_lif, xylo_iaf, spinnaker_lif, truenorth)")]
    UnsupportedModel {
        /// Model name.
        model: String,
    },
    /// A population's parameters cannot be expressed by the model.
    #[error("mapping: population {population:?} ({kind}) on {model}: {reason}")]
    Population {
        /// Population name.
        population: String,
        /// Network neuron kind.
        kind: String,
        /// Core model.
        model: String,
        /// Why.
        reason: String,
    },
    /// More cores needed than the system has.
    #[error("mapping: network needs {needed} cores at {per_core} neurons/core, chip has {has} (raise topology.tiles_x/tiles_y or use --arch NAME:topology.chips_x=N)")]
    Cores {
        /// Cores needed.
        needed: u64,
        /// Neurons per core.
        per_core: u32,
        /// Cores in the system.
        has: u32,
    },
    /// The capacity-aware fill needs more cores than the system has.
    #[error("mapping: {resource} run out: the network needs {} cores filled in order, {arch} has {} ({detail}); that is {chips} chips: --arch {arch}:topology.chips_x={chips_x},topology.chips_y={chips_y}", thousands(*.needed), thousands(*.has as u64))]
    Fill {
        /// Resource that closed most cores.
        resource: &'static str,
        /// Cores the fill used.
        needed: u64,
        /// Cores in the system.
        has: u32,
        /// Architecture name.
        arch: String,
        /// Network demand against the per-core capacity.
        detail: String,
        /// Chips that would hold the fill.
        chips: u64,
        /// Suggested `topology.chips_x`.
        chips_x: u64,
        /// Suggested `topology.chips_y`.
        chips_y: u64,
    },
    /// A per-core memory or table is too small.
    #[error("mapping: {resource}: core {core} needs {} {unit}, has {}; {hint}", thousands(*.needed), thousands(*.has))]
    Capacity {
        /// Resource (`synapse memory`, `input axons`, `output axons`).
        resource: &'static str,
        /// Core.
        core: u32,
        /// Needed.
        needed: u64,
        /// Capacity.
        has: u64,
        /// Unit (`words`, `axons`, `entries`).
        unit: &'static str,
        /// What would fit.
        hint: String,
    },
    /// A router's multicast table is too small.
    #[error("mapping: routing table: router of tile {tile} needs {} entries, has {}; {hint}", thousands(*.needed), thousands(*.has))]
    Table {
        /// Tile.
        tile: u32,
        /// Entries needed after merging.
        needed: u64,
        /// Capacity (`router.table_entries`).
        has: u64,
        /// What would help.
        hint: String,
    },
    /// A synaptic delay the hardware cannot hold.
    #[error("mapping: delay {delay} of projection {projection} ({from}→{to}) {reason}")]
    Delay {
        /// Delay in steps.
        delay: u32,
        /// Projection index.
        projection: String,
        /// Source population.
        from: String,
        /// Target population.
        to: String,
        /// Why.
        reason: String,
    },
    /// A weight that does not fit.
    #[error("mapping: weight {weight} of projection {projection} ({from}→{to}) is out of range for {reason}")]
    Weight {
        /// Weight as given.
        weight: f64,
        /// Projection index (or `stimulus N`).
        projection: String,
        /// Source population.
        from: String,
        /// Target population.
        to: String,
        /// Range and model.
        reason: String,
    },
    /// A synaptic channel the word cannot hold.
    #[error("mapping: channel {channel} of projection {projection} ({from}→{to}) {reason}")]
    Channel {
        /// Channel.
        channel: u8,
        /// Projection index.
        projection: String,
        /// Source population.
        from: String,
        /// Target population.
        to: String,
        /// Why.
        reason: String,
    },
    /// The word layout of the architecture is unusable.
    #[error("mapping: core.synapse_memory: {0}")]
    Layout(String),
    /// Multicast keys do not fit 32 bits.
    #[error("mapping: multicast keys: {0}")]
    Keys(String),
    /// The expanded network is not internally consistent.
    #[error("mapping: expanded network is inconsistent: {0}")]
    Inconsistent(String),
    /// Reading stimuli failed.
    #[error("mapping: stimuli: {0}")]
    Stimulus(#[from] NetError),
}

/// Maps `expanded` (the expansion of `net`) onto `arch`.
pub fn map(
    arch: &Architecture,
    net: &Network,
    expanded: &Expanded,
    opts: &MapOptions,
) -> Result<Mapping, MapError> {
    macro_rules! arm {
        ($m:ty, $q:expr, $types:expr, $v:ident) => {{
            let (img, placement, report) = build::<$m>(arch, net, expanded, opts, $q, $types)?;
            Ok(Mapping {
                image: AnyImage::$v(img),
                placement,
                report,
            })
        }};
    }
    match arch.core.model {
        ModelKind::Lif => arm!(Lif, models::lif_pop, None, Lif),
        ModelKind::LoihiCubaLif => arm!(LoihiCubaLif, models::loihi_pop, None, LoihiCubaLif),
        ModelKind::XyloIaf => arm!(XyloIaf, models_ext::xylo_pop, None, XyloIaf),
        ModelKind::SpinnakerLif => {
            arm!(SpinnakerLif, models_ext::spinnaker_pop, None, SpinnakerLif)
        }
        ModelKind::Truenorth => arm!(
            TrueNorth,
            models_ext::truenorth_pop,
            Some(models_ext::truenorth_types),
            Truenorth
        ),
        other => Err(MapError::UnsupportedModel {
            model: other.name().to_string(),
        }),
    }
}

/// Per-(source pop, target pop, channel) group of synapses: the unit of weight reporting.
struct Group {
    from: usize,
    to: usize,
    channel: u8,
    projections: Vec<usize>,
    sign: Sign,
    count: u64,
    clipped: u64,
    max_err: f64,
    sum_err: f64,
}

fn validate_expanded(e: &Expanded) -> Result<(), MapError> {
    let n = e.n as usize;
    let bad = |m: String| Err(MapError::Inconsistent(m));
    if e.row_start.len() != n + 1 {
        return bad(format!(
            "row_start has {} entries for {} neurons",
            e.row_start.len(),
            n
        ));
    }
    let m = e.targets.len();
    if e.weights.len() != m || e.delays.len() != m || e.channels.len() != m {
        return bad("per-synapse arrays differ in length".into());
    }
    if e.row_start[0] != 0
        || e.row_start[n] as usize != m
        || e.row_start.windows(2).any(|w| w[0] > w[1])
    {
        return bad("row_start is not a monotone 0..synapses index".into());
    }
    if let Some(t) = e.targets.iter().find(|&&t| t >= e.n) {
        return bad(format!("target {t} is not a neuron id (n = {n})"));
    }
    let mut next = 0u32;
    for p in &e.pops {
        if p.start != next {
            return bad(format!(
                "population {:?} starts at {} instead of {}",
                p.name, p.start, next
            ));
        }
        next += p.size;
    }
    if next != e.n {
        return bad(format!("populations cover {next} neurons of {n}"));
    }
    Ok(())
}

/// TrueNorth: writes a neuron's (up to 4) distinct integer weights into its
/// parameters; the synapse word's channel then selects one of them.
type AxonTypes<P> = fn(&mut P, &[i16; 4]);

type Built<M> = (ChipImage<M>, Vec<(u32, u32)>, MapReport);

fn build<M: NeuronModel>(
    arch: &Architecture,
    net: &Network,
    ex: &Expanded,
    opts: &MapOptions,
    quantise: impl Fn(&PopCtx) -> Result<PopQ<M::Params, M::State>, String>,
    axon_types: Option<AxonTypes<M::Params>>,
) -> Result<Built<M>, MapError> {
    validate_expanded(ex)?;
    if net.populations.len() != ex.pops.len() {
        return Err(MapError::Inconsistent(format!(
            "network has {} populations, expansion {}",
            net.populations.len(),
            ex.pops.len()
        )));
    }
    let model = M::NAME;
    let sm = &arch.core.synapse_memory;
    for (name, v) in [
        ("weight_bits", sm.weight_bits),
        ("channel_bits", sm.channel_bits),
        ("delay_bits", sm.delay_bits),
        ("target_bits", sm.target_bits),
    ] {
        if v > 32 {
            return Err(MapError::Layout(format!(
                "{name} = {v} is wider than 32 bits"
            )));
        }
    }
    for (name, v) in [
        ("channel_bits", sm.channel_bits),
        ("delay_bits", sm.delay_bits),
    ] {
        if v > 8 {
            return Err(MapError::Layout(format!(
                "{name} = {v} is wider than the 8 bits a synapse word's field may have"
            )));
        }
    }
    let layout = WordLayout {
        weight_bits: sm.weight_bits as u8,
        channel_bits: sm.channel_bits as u8,
        delay_bits: sm.delay_bits as u8,
        target_bits: sm.target_bits as u8,
    };
    if layout.word_bits() > sm.word_bits || sm.word_bits > 64 {
        return Err(MapError::Layout(format!(
            "fields need {} bits, word_bits is {}",
            layout.word_bits(),
            sm.word_bits
        )));
    }
    let n = ex.n as usize;
    let grid = Grid::new(arch);
    let total = arch.total_cores();
    let target_cap = if sm.target_bits >= 32 {
        u32::MAX
    } else {
        1u32 << sm.target_bits
    };
    let cap = arch.core.neurons.min(target_cap).max(1);
    let pop_of: Vec<u32> = {
        let mut v = vec![0u32; n];
        for (k, p) in ex.pops.iter().enumerate() {
            v[p.start as usize..(p.start + p.size) as usize].fill(k as u32);
        }
        v
    };
    let pop_name = |k: usize| ex.pops[k].name.clone();

    // Stimuli (host spikes and Poisson drives) also constrain the weight scale,
    // and host axons take words and axons on their target's core.
    let spikes = stimulus_spikes(net, &opts.base_dir)?;
    let poisson = poisson_inputs(net);
    let mut host_demand = vec![0u32; n];
    {
        let mut keys: Vec<(u32, u64, u8)> = spikes
            .iter()
            .filter(|s| (s.1 as usize) < n)
            .map(|&(_, gid, w, ch)| (gid, w.to_bits(), ch))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        for k in keys {
            host_demand[k.0 as usize] += 1;
        }
    }
    let multicast = arch.router.routing == Routing::Multicast;

    // 1. Placement.
    let limits = place::Limits {
        neurons: cap,
        words: Some(sm.words as u64),
        axons_in: arch.core.axons_in as u64,
        axons_out: arch.core.axons_out as u64,
        multicast,
    };
    let (placement, _fill) = place::place(
        opts.strategy,
        &grid,
        ex.n,
        cap,
        total,
        &ex.row_start,
        &ex.targets,
        &limits,
        &host_demand,
    )
    .map_err(|e| place_error(arch, ex, &host_demand, &limits, total, e))?;
    let pcore = &placement.core;
    let plocal = &placement.local;

    // 2. Weight statistics per (target population, channel).
    let npop = ex.pops.len();
    const MANY: usize = 256;
    let mut max_w = vec![[0f64; 2]; npop];
    let mut distinct: Vec<[Option<std::collections::BTreeSet<u64>>; 2]> = (0..npop)
        .map(|_| [Some(Default::default()), Some(Default::default())])
        .collect();
    let mut note = |p: usize, ch: u8, w: f64| {
        let c = (ch & 1) as usize;
        let a = w.abs();
        if a > max_w[p][c] {
            max_w[p][c] = a;
        }
        if let Some(set) = &mut distinct[p][c] {
            if a > 0.0 {
                set.insert(a.to_bits());
                if set.len() > MANY {
                    distinct[p][c] = None;
                }
            }
        }
    };
    for (i, &t) in ex.targets.iter().enumerate() {
        let w = ex.weights[i] as f64;
        if !w.is_finite() {
            return Err(MapError::Inconsistent(format!(
                "synapse {i} has weight {w}"
            )));
        }
        note(pop_of[t as usize] as usize, ex.channels[i], w);
    }
    for &(_, gid, w, ch) in &spikes {
        note(pop_of[gid as usize] as usize, ch, w);
    }
    for p in &poisson {
        if p.targets.start < p.targets.end {
            note(
                pop_of[p.targets.start as usize] as usize,
                p.channel,
                p.weight,
            );
        }
    }

    // 3. Quantisation per target population.
    let mut pops_q: Vec<PopQ<M::Params, M::State>> = Vec::with_capacity(npop);
    let mut warnings = Vec::new();
    for k in 0..npop {
        let init = neurochip_net::expand::initial_values(net, k);
        let d: [Option<Vec<f64>>; 2] = [0, 1].map(|c| {
            distinct[k][c]
                .as_ref()
                .map(|s| s.iter().map(|&b| f64::from_bits(b)).collect())
        });
        let ctx = PopCtx {
            name: &ex.pops[k].name,
            neuron: &net.populations[k].neuron,
            dt: net.dt_ms,
            init: &init,
            max_w: max_w[k],
            distinct: [d[0].as_deref(), d[1].as_deref()],
            weight_bits: sm.weight_bits,
            state_bits: arch.core.state_bits,
            sink: k + 1 == npop && {
                let p = &ex.pops[k];
                ex.row_start[p.start as usize] == ex.row_start[(p.start + p.size) as usize]
            },
        };
        let q = quantise(&ctx).map_err(|reason| MapError::Population {
            population: ex.pops[k].name.clone(),
            kind: kind_name(&net.populations[k].neuron).to_string(),
            model: model.to_string(),
            reason,
        })?;
        warnings.extend(q.warnings.iter().cloned());
        pops_q.push(q);
    }
    let one_channel = M::CHANNELS <= 1;
    let chan_max = if sm.channel_bits >= 8 {
        255u32
    } else {
        (1u32 << sm.channel_bits) - 1
    };

    // 4. Projection groups (source pop, target pop, channel).
    let mut group_of: BTreeMap<(usize, usize, u8), usize> = BTreeMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for (pi, pr) in net.projections.iter().enumerate() {
        let f = ex.pops.iter().position(|p| p.name == pr.from);
        let t = ex.pops.iter().position(|p| p.name == pr.to);
        if let (Some(f), Some(t)) = (f, t) {
            let ch = neurochip_net::expand::channel_of(pr.synapse);
            let g = *group_of.entry((f, t, ch)).or_insert_with(|| {
                groups.push(new_group(f, t, ch));
                groups.len() - 1
            });
            groups[g].projections.push(pi);
        }
    }
    // Group lookup table [from][to][ch] for the per-synapse passes.
    let mut gtab = vec![u32::MAX; npop * npop * 2];
    for (&(f, t, ch), &g) in &group_of {
        gtab[(f * npop + t) * 2 + (ch & 1) as usize] = g as u32;
    }
    let mut exc = vec![true; groups.len()];
    let mut inh = vec![true; groups.len()];
    let group_index = |gtab: &mut Vec<u32>,
                       groups: &mut Vec<Group>,
                       exc: &mut Vec<bool>,
                       inh: &mut Vec<bool>,
                       f: usize,
                       t: usize,
                       ch: u8|
     -> usize {
        let slot = (f * npop + t) * 2 + (ch & 1) as usize;
        if gtab[slot] == u32::MAX {
            groups.push(new_group(f, t, ch));
            exc.push(true);
            inh.push(true);
            gtab[slot] = (groups.len() - 1) as u32;
        }
        gtab[slot] as usize
    };
    for s in 0..n {
        let f = pop_of[s] as usize;
        for i in ex.row_start[s] as usize..ex.row_start[s + 1] as usize {
            let t = pop_of[ex.targets[i] as usize] as usize;
            let g = group_index(
                &mut gtab,
                &mut groups,
                &mut exc,
                &mut inh,
                f,
                t,
                ex.channels[i],
            );
            let w = ex.weights[i];
            if w < 0.0 {
                exc[g] = false;
            }
            if w > 0.0 {
                inh[g] = false;
            }
        }
    }
    for (g, gr) in groups.iter_mut().enumerate() {
        gr.sign = if exc[g] {
            Sign::Exc
        } else if inh[g] {
            Sign::Inh
        } else {
            Sign::Mixed
        };
    }
    let proj_label = |g: &Group| -> String {
        match g.projections.as_slice() {
            [] => "(expanded)".to_string(),
            [p] => p.to_string(),
            ps => ps
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("+"),
        }
    };

    // Check delays and channels once per synapse (cheap) before any allocation.
    let slots = arch.core.delay_slots;
    let dmax_field = if sm.delay_bits >= 8 {
        255u32
    } else {
        (1u32 << sm.delay_bits) - 1
    };
    for s in 0..n {
        for i in ex.row_start[s] as usize..ex.row_start[s + 1] as usize {
            let d = ex.delays[i] as u32;
            let ch = ex.channels[i];
            let bad_delay = d == 0 || d - 1 > dmax_field || d >= slots;
            let bad_chan = !one_channel
                && ch as u32 > chan_max
                && !channels_equivalent(net, pop_of[ex.targets[i] as usize] as usize);
            if bad_delay || bad_chan {
                let f = pop_of[s] as usize;
                let t = pop_of[ex.targets[i] as usize] as usize;
                let g = &groups[gtab[(f * npop + t) * 2 + (ch & 1) as usize] as usize];
                if bad_delay {
                    let reason = if d == 0 {
                        "is below 1 step (delays are ≥ 1 by convention)".to_string()
                    } else if d >= slots {
                        format!(
                            "needs {} delay slots, core.delay_slots is {} (max delay {})",
                            d + 1,
                            slots,
                            slots.saturating_sub(1)
                        )
                    } else {
                        format!(
                            "does not fit a {}-bit delay field (stores delay − 1, max delay {})",
                            sm.delay_bits,
                            dmax_field + 1
                        )
                    };
                    return Err(MapError::Delay {
                        delay: d,
                        projection: proj_label(g),
                        from: pop_name(f),
                        to: pop_name(t),
                        reason,
                    });
                }
                return Err(MapError::Channel {
                    channel: ch,
                    projection: proj_label(g),
                    from: pop_name(f),
                    to: pop_name(t),
                    reason: format!(
                        "does not fit a {}-bit channel field and the target's channels differ",
                        sm.channel_bits
                    ),
                });
            }
        }
    }
    let chan_field = |t_pop: usize, ch: u8| -> u8 {
        if one_channel
            || pops_q[t_pop].one_current
            || (ch as u32 > chan_max) && channels_equivalent(net, t_pop)
        {
            0
        } else {
            ch
        }
    };

    // 4b. TrueNorth axon types: per target neuron the distinct non-zero integer weights.
    let mut types: Vec<([i16; 4], u8)> = Vec::new();
    if axon_types.is_some() {
        types = vec![([0; 4], 0); n];
        let mut over: Option<u32> = None;
        let mut add = |t: usize, q: i64, over: &mut Option<u32>| {
            let (tab, k) = &mut types[t];
            let q = q as i16;
            if q == 0 || tab[..*k as usize].contains(&q) {
                return;
            }
            if *k < 4 {
                tab[*k as usize] = q;
                *k += 1;
            } else if over.is_none() {
                *over = Some(t as u32);
            }
        };
        for s in 0..n {
            let fpop = pop_of[s] as usize;
            for i in ex.row_start[s] as usize..ex.row_start[s + 1] as usize {
                let t = ex.targets[i] as usize;
                let tpop = pop_of[t] as usize;
                let ch = ex.channels[i];
                let g = gtab[(fpop * npop + tpop) * 2 + (ch & 1) as usize] as usize;
                let (q, _) = pops_q[tpop]
                    .wq
                    .quantise(ex.weights[i] as f64, groups[g].sign, ch);
                add(t, q, &mut over);
            }
        }
        for &(_, gid, w, ch) in &spikes {
            let sign = if w < 0.0 { Sign::Inh } else { Sign::Exc };
            let (q, _) = pops_q[pop_of[gid as usize] as usize]
                .wq
                .quantise(w, sign, ch);
            add(gid as usize, q, &mut over);
        }
        for p in &poisson {
            for gid in p.targets.clone() {
                let sign = if p.weight < 0.0 { Sign::Inh } else { Sign::Exc };
                let (q, _) = pops_q[pop_of[gid as usize] as usize]
                    .wq
                    .quantise(p.weight, sign, p.channel);
                add(gid as usize, q, &mut over);
            }
        }
        if let Some(t) = over {
            // Count them all for the message (one neuron, one more pass).
            let tpop = pop_of[t as usize] as usize;
            let mut all = std::collections::BTreeSet::new();
            for (s, &fp) in pop_of.iter().enumerate() {
                let fpop = fp as usize;
                for i in ex.row_start[s] as usize..ex.row_start[s + 1] as usize {
                    if ex.targets[i] == t {
                        let ch = ex.channels[i];
                        let g = gtab[(fpop * npop + tpop) * 2 + (ch & 1) as usize] as usize;
                        let (q, _) =
                            pops_q[tpop]
                                .wq
                                .quantise(ex.weights[i] as f64, groups[g].sign, ch);
                        if q != 0 {
                            all.insert(q);
                        }
                    }
                }
            }
            return Err(MapError::Population {
                population: pop_name(tpop),
                kind: kind_name(&net.populations[tpop].neuron).to_string(),
                model: model.to_string(),
                reason: format!(
                    "neuron {} receives {} distinct integer weights (at least), truenorth has 4 axon types per core (group weights into at most 4 values)",
                    t - ex.pops[tpop].start,
                    all.len().max(5)
                ),
            });
        }
    }
    let type_of = |t: usize, q: i64, ch: u8, tpop: usize| -> u8 {
        if types.is_empty() {
            chan_field(tpop, ch)
        } else {
            let (tab, k) = &types[t];
            tab[..*k as usize]
                .iter()
                .position(|&x| x as i64 == q)
                .unwrap_or(0) as u8
        }
    };

    // 5. Pass 1: count words, axons and destinations per core.
    let tc = total as usize;
    let mut words = vec![0u64; tc];
    let mut axons = vec![0u64; tc];
    let mut dests = vec![0u64; tc];
    let mut mc_dests = vec![0u64; tc];
    let mut neurons = vec![0u32; tc];
    for &c in pcore {
        neurons[c as usize] += 1;
    }
    let mut last = vec![u32::MAX; tc];
    let mut hops: u64 = 0;
    let seq: &[u32] = &placement.sequential;
    let mut hops_seq: u64 = 0;
    for s in 0..n {
        let sc = pcore[s];
        if ex.row_start[s + 1] > ex.row_start[s] {
            mc_dests[sc as usize] += 1;
        }
        for &t in &ex.targets[ex.row_start[s] as usize..ex.row_start[s + 1] as usize] {
            let c = pcore[t as usize];
            words[c as usize] += 1;
            hops += grid.core_hops(sc, c);
            if !seq.is_empty() {
                hops_seq += grid.core_hops(seq[s], seq[t as usize]);
            }
            if last[c as usize] != s as u32 {
                last[c as usize] = s as u32;
                axons[c as usize] += 1;
                dests[sc as usize] += 1;
            }
        }
    }
    // Host input: one dedicated axon (one word) per (neuron, weight, channel).
    let mut host_axon_key: BTreeMap<(u32, u64, u8), u32> = BTreeMap::new();
    for &(_, gid, w, ch) in &spikes {
        let key = (gid, w.to_bits(), ch);
        if let std::collections::btree_map::Entry::Vacant(e) = host_axon_key.entry(key) {
            e.insert(u32::MAX);
            let c = pcore[gid as usize] as usize;
            words[c] += 1;
            axons[c] += 1;
        }
    }
    let out_entries = if multicast { &mc_dests } else { &dests };
    check_capacity(
        arch,
        ex,
        &pop_of,
        pcore,
        &neurons,
        &words,
        &axons,
        out_entries,
        cap,
    )?;

    // 6. Pass 2: synapse memory, axon rows, destinations.
    let mut syn_words: Vec<SynapseWords> = words
        .iter()
        .map(|&w| SynapseWords::with_capacity(layout.word_bits(), w as usize))
        .collect();
    let mut rows: Vec<Vec<AxonRow>> = axons
        .iter()
        .map(|&a| Vec::with_capacity(a as usize))
        .collect();
    let mut axon_src: Vec<Vec<u32>> = axons
        .iter()
        .map(|&a| Vec::with_capacity(a as usize))
        .collect();
    // Per source neuron: destination (core, axon) list, CSR.
    let mut src_dest_start = Vec::with_capacity(n + 1);
    let mut src_dests: Vec<(u32, u32)> = Vec::new();
    let mut seen = vec![u32::MAX; tc];
    let mut row_start_of = vec![0u32; tc];
    let mut tmp: Vec<u32> = Vec::new();
    for s in 0..n {
        src_dest_start.push(src_dests.len() as u32);
        let range = ex.row_start[s] as usize..ex.row_start[s + 1] as usize;
        tmp.clear();
        for &t in &ex.targets[range.clone()] {
            let c = pcore[t as usize];
            if seen[c as usize] != s as u32 {
                seen[c as usize] = s as u32;
                tmp.push(c);
            }
        }
        tmp.sort_unstable();
        for &c in &tmp {
            let cu = c as usize;
            row_start_of[cu] = syn_words[cu].len() as u32;
            src_dests.push((c, rows[cu].len() as u32));
            axon_src[cu].push(s as u32);
            rows[cu].push(AxonRow {
                start: row_start_of[cu],
                len: 0,
            });
        }
        let fpop = pop_of[s] as usize;
        for i in range {
            let t = ex.targets[i] as usize;
            let c = pcore[t] as usize;
            let tpop = pop_of[t] as usize;
            let ch = ex.channels[i];
            let g = gtab[(fpop * npop + tpop) * 2 + (ch & 1) as usize] as usize;
            let pq = &pops_q[tpop];
            let w = ex.weights[i] as f64;
            let (q, clipped) = pq.wq.quantise(w, groups[g].sign, ch);
            if pq.integer_weights && (clipped || w.fract() != 0.0) {
                let gr = &groups[g];
                return Err(MapError::Weight {
                    weight: w,
                    projection: proj_label(gr),
                    from: pop_name(gr.from),
                    to: pop_name(gr.to),
                    reason: {
                        let (lo, hi) = pq.wq.range(gr.sign);
                        format!(
                            "{model} integer weights ({lo}..={hi} in Lava's {:?} sign mode; integers only)",
                            gr.sign
                        )
                    },
                });
            }
            let gr = &mut groups[g];
            gr.count += 1;
            gr.clipped += clipped as u64;
            let e = rel_err(w, pq.wq.realised(q, ch));
            gr.sum_err += e;
            if e > gr.max_err {
                gr.max_err = e;
            }
            let word = word::pack(
                &layout,
                Fields {
                    weight: q as i32,
                    channel: type_of(t, q, ch, tpop),
                    delay: ex.delays[i] as u32 - 1,
                    target: plocal[t],
                },
            );
            syn_words[c].push(word);
            rows[c].last_mut().expect("row opened above").len += 1;
        }
    }
    src_dest_start.push(src_dests.len() as u32);

    // Host axons.
    let mut host_spikes = Vec::with_capacity(spikes.len());
    let mut host_words = 0u64;
    for (&(gid, wbits, ch), axon) in host_axon_key.iter_mut() {
        let c = pcore[gid as usize] as usize;
        let tpop = pop_of[gid as usize] as usize;
        let pq = &pops_q[tpop];
        let w = f64::from_bits(wbits);
        let sign = if w < 0.0 { Sign::Inh } else { Sign::Exc };
        let (q, clipped) = pq.wq.quantise(w, sign, ch);
        if clipped || (pq.integer_weights && w.fract() != 0.0) {
            return Err(MapError::Weight {
                weight: w,
                projection: "stimulus".into(),
                from: "host".into(),
                to: pop_name(tpop),
                reason: format!("{model} weights ({}..={})", pq.wq.lo, pq.wq.hi),
            });
        }
        *axon = rows[c].len() as u32;
        rows[c].push(AxonRow {
            start: syn_words[c].len() as u32,
            len: 1,
        });
        axon_src[c].push(u32::MAX);
        syn_words[c].push(word::pack(
            &layout,
            Fields {
                weight: q as i32,
                channel: type_of(gid as usize, q, ch, tpop),
                delay: 0,
                target: plocal[gid as usize],
            },
        ));
        host_words += 1;
    }
    for &(step, gid, w, ch) in &spikes {
        let c = pcore[gid as usize];
        host_spikes.push(HostSpike {
            step,
            core: c,
            axon: host_axon_key[&(gid, w.to_bits(), ch)],
        });
    }
    host_spikes.sort_by_key(|h| (h.step, h.core, h.axon));

    // Poisson drives.
    let mut drives: Vec<Vec<PoissonDrive>> = vec![Vec::new(); tc];
    for p in &poisson {
        for gid in p.targets.clone() {
            let tpop = pop_of[gid as usize] as usize;
            let pq = &pops_q[tpop];
            let sign = if p.weight < 0.0 { Sign::Inh } else { Sign::Exc };
            let (q, clipped) = pq.wq.quantise(p.weight, sign, p.channel);
            if clipped || (pq.integer_weights && p.weight.fract() != 0.0) {
                return Err(MapError::Weight {
                    weight: p.weight,
                    projection: format!("stimulus {}", p.stimulus),
                    from: "poisson".into(),
                    to: pop_name(tpop),
                    reason: format!("{model} weights ({}..={})", pq.wq.lo, pq.wq.hi),
                });
            }
            drives[pcore[gid as usize] as usize].push(PoissonDrive {
                neuron: plocal[gid as usize],
                lambda: p.rate_hz * net.dt_ms / 1000.0,
                weight: q as i32,
                channel: type_of(gid as usize, q, p.channel, tpop),
            });
        }
    }
    for (k, p) in poisson.iter().enumerate() {
        if let Some(first) = p.targets.clone().next() {
            let pq = &pops_q[pop_of[first as usize] as usize];
            let sign = if p.weight < 0.0 { Sign::Inh } else { Sign::Exc };
            let (q, _) = pq.wq.quantise(p.weight, sign, p.channel);
            let r = pq.wq.realised(q, p.channel);
            if rel_err(p.weight, r) > 0.01 {
                warnings.push(format!(
                    "poisson stimulus {k}: weight {} realised as {r} ({:.2}% error)",
                    p.weight,
                    100.0 * rel_err(p.weight, r)
                ));
            }
        }
    }

    // 7. Fan-out: unicast destinations or multicast keys and tables.
    let cpt = arch.topology.cores_per_tile.max(1);
    let tiles = arch.total_tiles() as usize;
    let mut key_axons: Vec<Vec<(u32, u32)>> = vec![Vec::new(); tc];
    let mut router_tables: Vec<Vec<McEntry>> = vec![Vec::new(); tiles];
    let mut unmerged = vec![0u32; tiles];
    let local_bits = 32 - (cap.max(2) - 1).leading_zeros();
    let key_of = |c: u32, l: u32| -> u32 { (c << local_bits) | l };
    if multicast {
        if local_bits >= 32 || (total as u64) << local_bits > 1u64 << 32 {
            return Err(MapError::Keys(format!(
                "{total} cores × 2^{local_bits} local ids exceed 32-bit keys"
            )));
        }
        let mut per_router: Vec<Vec<(u32, u32)>> = vec![Vec::new(); tiles];
        let mut ports = vec![0u32; tiles];
        let mut touched: Vec<u32> = Vec::new();
        for s in 0..n {
            let ds = &src_dests[src_dest_start[s] as usize..src_dest_start[s + 1] as usize];
            if ds.is_empty() {
                continue;
            }
            let key = key_of(pcore[s], plocal[s]);
            let st = pcore[s] / cpt;
            for &(c, axon) in ds {
                key_axons[c as usize].push((key, axon));
                let dt = c / cpt;
                grid.walk(st, dt, |tile, p| {
                    if ports[tile as usize] == 0 {
                        touched.push(tile);
                    }
                    ports[tile as usize] |= port::bit(p);
                });
                if ports[dt as usize] == 0 {
                    touched.push(dt);
                }
                ports[dt as usize] |= port::core_bit(c % cpt);
            }
            for &t in &touched {
                per_router[t as usize].push((key, ports[t as usize]));
                ports[t as usize] = 0;
            }
            touched.clear();
        }
        for (t, mut entries) in per_router.into_iter().enumerate() {
            entries.sort_unstable();
            unmerged[t] = entries.len() as u32;
            let merge_all = |entries: &[(u32, u32)]| {
                let mut out = Vec::new();
                let mut i = 0;
                while i < entries.len() {
                    let core = entries[i].0 >> local_bits;
                    let j = i + entries[i..].partition_point(|e| e.0 >> local_bits == core);
                    merge(&entries[i..j], core << local_bits, local_bits, &mut out);
                    i = j;
                }
                out
            };
            let mut out = merge_all(&entries);
            if out.len() as u64 > arch.router.table_entries as u64 {
                // Fallback: every key of one source core is delivered to the union of the
                // block's local cores (link ports stay exact, so no packet strays onto a
                // default route); a core drops a key it has no axon for, as SpiNNaker's
                // master population table does (counted as unmapped_axon).
                let exact = out.len();
                let mut wide = entries.clone();
                let mut i = 0;
                while i < wide.len() {
                    let core = wide[i].0 >> local_bits;
                    let j = i + wide[i..].partition_point(|e| e.0 >> local_bits == core);
                    let u = wide[i..j]
                        .iter()
                        .fold(0u32, |a, e| a | (e.1 & !port::LINK_BITS));
                    for e in &mut wide[i..j] {
                        e.1 = (e.1 & port::LINK_BITS) | u;
                    }
                    i = j;
                }
                out = merge_all(&wide);
                if out.len() as u64 <= arch.router.table_entries as u64 {
                    warnings.push(format!(
                        "routing table of tile {t}: exact routes need {} entries (has {}); merged per source core to {} entries with the union of local cores (cores drop keys they have no axon for)",
                        thousands(exact as u64),
                        thousands(arch.router.table_entries as u64),
                        out.len()
                    ));
                }
            }
            if out.len() as u64 > arch.router.table_entries as u64 {
                return Err(MapError::Table {
                    tile: t as u32,
                    needed: out.len() as u64,
                    has: arch.router.table_entries as u64,
                    hint: format!(
                        "{} keys route through it; fill cores in order (--strategy sequential) so keys of one core merge, or raise router.table_entries",
                        thousands(entries.len() as u64)
                    ),
                });
            }
            router_tables[t] = out;
        }
        for ka in &mut key_axons {
            ka.sort_unstable();
        }
    }

    // 8. Images.
    let mut per_pop_iter: Vec<usize> = vec![0; npop];
    let mut cores: Vec<CoreImage<M>> = (0..tc)
        .map(|c| CoreImage {
            params: Vec::with_capacity(neurons[c] as usize),
            init: Vec::with_capacity(neurons[c] as usize),
            global_ids: Vec::with_capacity(neurons[c] as usize),
            axons: Vec::new(),
            key_axons: Vec::new(),
            synapse_words: SynapseWords::default(),
            layout,
            fanout: Vec::with_capacity(neurons[c] as usize),
            dests: Vec::new(),
            poisson: Vec::new(),
        })
        .collect();
    // Local indices increase with gid on every core, so pushing in gid order fills slots in order.
    for gid in 0..n {
        let c = pcore[gid] as usize;
        debug_assert_eq!(cores[c].global_ids.len() as u32, plocal[gid]);
        let k = pop_of[gid] as usize;
        let j = per_pop_iter[k];
        per_pop_iter[k] += 1;
        let img = &mut cores[c];
        let mut prm = pops_q[k].params[j].clone();
        if let (Some(f), Some((tab, _))) = (axon_types, types.get(gid)) {
            f(&mut prm, tab);
        }
        img.params.push(prm);
        img.init.push(pops_q[k].init[j]);
        img.global_ids.push(gid as u32);
        let ds = &src_dests[src_dest_start[gid] as usize..src_dest_start[gid + 1] as usize];
        let start = img.dests.len() as u32;
        if multicast {
            if !ds.is_empty() {
                img.dests.push(Dest::Multicast {
                    key: key_of(c as u32, plocal[gid]),
                });
            }
        } else {
            img.dests
                .extend(ds.iter().map(|&(core, axon)| Dest::Unicast { core, axon }));
        }
        img.fanout.push((start, img.dests.len() as u32 - start));
    }
    let mut core_reports = Vec::new();
    for (c, img) in cores.iter_mut().enumerate() {
        img.axons = std::mem::take(&mut rows[c]);
        img.synapse_words = std::mem::take(&mut syn_words[c]);
        img.key_axons = std::mem::take(&mut key_axons[c]);
        img.poisson = std::mem::take(&mut drives[c]);
        if !img.global_ids.is_empty() || !img.axons.is_empty() {
            core_reports.push(CoreReport {
                core: c as u32,
                tile: c as u32 / cpt,
                neurons: img.global_ids.len() as u32,
                synapse_words: img.synapse_words.len() as u64,
                axons_in: img.axons.len() as u32,
                axons_out: img.dests.len() as u32,
                key_axons: img.key_axons.len() as u32,
                poisson: img.poisson.len() as u32,
            });
        }
    }
    let routers: Vec<RouterReport> = router_tables
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(t, e)| RouterReport {
            tile: t as u32,
            entries: e.len() as u32,
            unmerged: unmerged[t],
        })
        .collect();

    let cores_used = cores.iter().filter(|c| !c.global_ids.is_empty()).count() as u32;
    let totals = Totals {
        neurons: n as u64,
        synapses: ex.targets.len() as u64,
        synapse_words: ex.targets.len() as u64 + host_words,
        axons_in: cores.iter().map(|c| c.axons.len() as u64).sum(),
        axons_out: cores.iter().map(|c| c.dests.len() as u64).sum(),
        router_entries: router_tables.iter().map(|t| t.len() as u64).sum(),
        host_spikes: host_spikes.len() as u64,
        poisson_drives: cores.iter().map(|c| c.poisson.len() as u64).sum(),
    };
    let pct = |x: f64, capv: f64| if capv > 0.0 { 100.0 * x / capv } else { 0.0 };
    let used: Vec<&CoreReport> = core_reports.iter().filter(|c| c.neurons > 0).collect();
    let mean = |f: &dyn Fn(&CoreReport) -> f64| {
        if used.is_empty() {
            0.0
        } else {
            used.iter().map(|c| f(c)).sum::<f64>() / used.len() as f64
        }
    };
    let peak = |f: &dyn Fn(&CoreReport) -> f64| core_reports.iter().map(f).fold(0.0, f64::max);
    let utilisation = Utilisation {
        neurons_peak_pct: pct(peak(&|c| c.neurons as f64), arch.core.neurons as f64),
        neurons_mean_pct: pct(mean(&|c| c.neurons as f64), arch.core.neurons as f64),
        words_peak_pct: pct(peak(&|c| c.synapse_words as f64), sm.words as f64),
        words_mean_pct: pct(mean(&|c| c.synapse_words as f64), sm.words as f64),
        axons_in_peak_pct: pct(peak(&|c| c.axons_in as f64), arch.core.axons_in as f64),
        axons_out_peak_pct: pct(peak(&|c| c.axons_out as f64), arch.core.axons_out as f64),
        table_entries_peak_pct: pct(
            routers.iter().map(|r| r.entries as f64).fold(0.0, f64::max),
            arch.router.table_entries as f64,
        ),
    };
    for g in &groups {
        let mean = g.sum_err / g.count.max(1) as f64;
        if g.count > 0 && (mean > 0.05 || g.clipped > 0) {
            warnings.push(format!(
                "projection {} ({}→{}): weights lose {:.1}% on average to rounding, {} clipped",
                proj_label(g),
                pop_name(g.from),
                pop_name(g.to),
                100.0 * mean,
                g.clipped
            ));
        }
    }
    let projections = groups
        .iter()
        .filter(|g| g.count > 0 || !g.projections.is_empty())
        .map(|g| ProjQuant {
            projections: g.projections.clone(),
            from: pop_name(g.from),
            to: pop_name(g.to),
            channel: g.channel,
            count: g.count,
            clipped: g.clipped,
            max_rel_error: g.max_err,
            mean_rel_error: if g.count > 0 {
                g.sum_err / g.count as f64
            } else {
                0.0
            },
        })
        .collect();
    let report = MapReport {
        strategy: opts.strategy,
        cores_used,
        cores_total: total,
        cores: core_reports,
        routers,
        totals,
        utilisation,
        synapse_hops: hops,
        synapse_hops_sequential: hops_seq,
        populations: pops_q.iter().map(|p| p.report.clone()).collect(),
        projections,
        warnings,
    };
    let placement_out = pcore.iter().zip(plocal).map(|(&c, &l)| (c, l)).collect();
    Ok((
        ChipImage {
            cores,
            router_tables,
            host_spikes,
            seed: opts.seed,
        },
        placement_out,
        report,
    ))
}

/// One-line diagnosis of a failed placement: which resource ran out, and for
/// the fill how many chips would hold the network and the override to get them.
fn place_error(
    arch: &Architecture,
    ex: &Expanded,
    host: &[u32],
    lim: &place::Limits,
    total: u32,
    e: place::PlaceError,
) -> MapError {
    match e {
        place::PlaceError::TooFew(t) => MapError::Cores {
            needed: t.needed,
            per_core: t.per_core,
            has: total,
        },
        place::PlaceError::Single {
            core,
            neuron,
            resource,
            needed,
            has,
        } => {
            let (res, unit, field) = match resource {
                1 => ("synapse memory", "words", "core.synapse_memory.words"),
                2 => ("input axons", "axons", "core.axons_in"),
                3 => ("output axons", "entries", "core.axons_out"),
                _ => ("neurons", "neurons", "core.neurons"),
            };
            let pop = ex
                .pops
                .iter()
                .find(|p| neuron >= p.start && neuron < p.start + p.size)
                .map_or(String::new(), |p| p.name.clone());
            MapError::Capacity {
                resource: res,
                core,
                needed,
                has,
                unit,
                hint: format!(
                    "neuron {neuron} of population {pop:?} alone needs more than a core has; raise {field}"
                ),
            }
        }
        place::PlaceError::Fill(st) => {
            let r = (0..4).max_by_key(|&i| (st.closed_by[i], i)).unwrap_or(0);
            let n = ex.n as u64;
            let sources = (0..ex.n as usize)
                .filter(|&s| ex.row_start[s + 1] > ex.row_start[s])
                .count() as u64
                + host.iter().map(|&h| h as u64).sum::<u64>();
            let detail = match r {
                1 => format!(
                    "{} synapses vs {} words per core",
                    thousands(ex.targets.len() as u64),
                    thousands(lim.words.unwrap_or(0))
                ),
                2 => format!(
                    "{} sources vs {} input axons per core",
                    thousands(sources),
                    thousands(lim.axons_in)
                ),
                3 => format!(
                    "{} sources with fan-out vs {} output entries per core",
                    thousands(sources),
                    thousands(lim.axons_out)
                ),
                _ => format!(
                    "{} neurons vs {} per core",
                    thousands(n),
                    thousands(lim.neurons as u64)
                ),
            };
            let per_chip = (arch.topology.tiles_x as u64
                * arch.topology.tiles_y as u64
                * arch.topology.cores_per_tile as u64)
                .max(1);
            let chips = (st.cores as u64).div_ceil(per_chip).max(1);
            let cx = ((chips as f64).sqrt().ceil() as u64).max(1);
            let cy = chips.div_ceil(cx);
            MapError::Fill {
                resource: place::RESOURCES[r],
                needed: st.cores as u64,
                has: total,
                arch: arch.name.clone(),
                detail: format!(
                    "{detail}; ~{} neurons/core",
                    n.div_ceil(st.cores.max(1) as u64)
                ),
                chips,
                chips_x: cx,
                chips_y: cy,
            }
        }
    }
}

fn new_group(from: usize, to: usize, channel: u8) -> Group {
    Group {
        from,
        to,
        channel,
        projections: Vec::new(),
        sign: Sign::Exc,
        count: 0,
        clipped: 0,
        max_err: 0.0,
        sum_err: 0.0,
    }
}

/// True when a population treats both channels alike (delta synapses or equal
/// time constants), so a 0-bit channel field loses nothing.
fn channels_equivalent(net: &Network, pop: usize) -> bool {
    use neurochip_net::schema::NeuronParams;
    match &net.populations[pop].neuron {
        NeuronParams::Lif {
            tau_syn_e_ms,
            tau_syn_i_ms,
            ..
        } => tau_syn_e_ms.or(*tau_syn_i_ms) == tau_syn_i_ms.or(*tau_syn_e_ms),
        _ => true,
    }
}

/// Emits key/mask entries for `entries` (sorted, all inside the aligned block
/// `base .. base + 2^bits`): one entry when every key routed here shares its
/// ports (keys not routed through this router are don't-cares), else halves.
fn merge(entries: &[(u32, u32)], base: u32, bits: u32, out: &mut Vec<McEntry>) {
    if entries.is_empty() {
        return;
    }
    let p = entries[0].1;
    if entries.iter().all(|e| e.1 == p) {
        let mask = if bits >= 32 { 0 } else { !((1u32 << bits) - 1) };
        out.push(McEntry {
            key: base & mask,
            mask,
            ports: p,
        });
        return;
    }
    // Differing ports imply ≥ 2 keys, so bits ≥ 1 here.
    let half = base + (1u32 << (bits - 1));
    let k = entries.partition_point(|e| e.0 < half);
    merge(&entries[..k], base, bits - 1, out);
    merge(&entries[k..], half, bits - 1, out);
}

/// Per-core capacity checks with a one-line diagnosis of what would fit.
#[allow(clippy::too_many_arguments)]
fn check_capacity(
    arch: &Architecture,
    ex: &Expanded,
    pop_of: &[u32],
    pcore: &[u32],
    neurons: &[u32],
    words: &[u64],
    axons: &[u64],
    dests: &[u64],
    cap: u32,
) -> Result<(), MapError> {
    let first_pop = |c: usize| -> usize {
        pcore
            .iter()
            .position(|&x| x as usize == c)
            .map(|g| pop_of[g] as usize)
            .unwrap_or(0)
    };
    let hint = |c: usize, need: u64, has: u64, what: &str, field: &str| -> String {
        let nn = neurons[c].max(1) as u64;
        let fit = (nn * has / need.max(1)).max(1);
        let p = &ex.pops[first_pop(c)];
        let now = (p.size as u64).div_ceil(cap as u64);
        let then = (p.size as u64).div_ceil(fit);
        format!(
            "at ~{fit} neurons/core the {what} would fit (population {:?} needs {} more cores at {fit} neurons/core; raise {field} or spread the network with --strategy block)",
            p.name,
            then.saturating_sub(now)
        )
    };
    let sm = &arch.core.synapse_memory;
    for c in 0..words.len() {
        if words[c] > sm.words as u64 {
            return Err(MapError::Capacity {
                resource: "synapse memory",
                core: c as u32,
                needed: words[c],
                has: sm.words as u64,
                unit: "words",
                hint: hint(
                    c,
                    words[c],
                    sm.words as u64,
                    "synapse words",
                    "core.synapse_memory.words",
                ),
            });
        }
        if axons[c] > arch.core.axons_in as u64 {
            return Err(MapError::Capacity {
                resource: "input axons",
                core: c as u32,
                needed: axons[c],
                has: arch.core.axons_in as u64,
                unit: "axons",
                hint: hint(
                    c,
                    axons[c],
                    arch.core.axons_in as u64,
                    "input axons",
                    "core.axons_in",
                ),
            });
        }
        // Multicast: one keyed entry per neuron with fan-out; unicast: one per destination core.
        let out = dests[c];
        if out > arch.core.axons_out as u64 {
            return Err(MapError::Capacity {
                resource: "output axons",
                core: c as u32,
                needed: out,
                has: arch.core.axons_out as u64,
                unit: "entries",
                hint: hint(
                    c,
                    out,
                    arch.core.axons_out as u64,
                    "fan-out entries",
                    "core.axons_out",
                ),
            });
        }
    }
    Ok(())
}
