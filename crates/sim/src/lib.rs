//! # neurochip-sim
//!
//! One function from a network and an architecture to a report: expand the
//! network, map it, load the chip image, run the cycle-level chip step by
//! step, and gather spikes, counters and energy into a [`Report`].
//!
//! The `neurochip` binary, the benchmarks and the integration tests all go
//! through [`run`], so what a test checks is what a user runs.

mod hwview;
mod registry;
pub mod report;
pub mod waveform;

use std::path::{Path, PathBuf};
use std::time::Instant;

use neurochip_arch::Architecture;
use neurochip_firmware::NeuronModel;
use neurochip_hw::image::ChipImage;
use neurochip_hw::{Chip, EngineOptions};
use neurochip_mapper::{map_on_board, MapError, MapModel, MapOptions, OnBoard, Strategy};
use neurochip_net::expand::Expanded;
use neurochip_net::schema::Network;

pub use neurochip_mapper::{ChipGrid as Grid, ChipsReport};
pub use registry::{register, runnable};
pub use report::{map_summary, summary, write_outputs, MappingReport, Report};

/// Why a run could not happen. Every variant is a user-facing, one-line error.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The network description is invalid.
    #[error(transparent)]
    Net(#[from] neurochip_net::NetError),
    /// The network does not fit the chip, or a value cannot be quantised.
    #[error("{network} on {arch}: {error}")]
    Map {
        /// Network spec or file.
        network: String,
        /// Architecture spec or file.
        arch: String,
        /// What does not fit (in the message, not chained, so it prints once).
        error: Box<neurochip_mapper::MapError>,
    },
    /// The chip rejected the image or failed while running (deadlock).
    #[error(transparent)]
    Hw(#[from] neurochip_hw::HwError),
    /// A probe names a state the model does not have.
    #[error("{network}: probes: population {population:?}: model {model} has no state {state:?} (has: {have})")]
    BadProbe {
        /// Network spec or file.
        network: String,
        /// Population.
        population: String,
        /// Model name.
        model: &'static str,
        /// Requested state.
        state: String,
        /// The states the model has.
        have: String,
    },
}

/// How to run.
#[derive(Clone, Debug)]
pub struct RunConfig {
    /// Timesteps.
    pub steps: u32,
    /// Host threads (results identical for any value).
    pub threads: usize,
    /// Placement strategy.
    pub strategy: Strategy,
    /// Directory relative paths in the network resolve against.
    pub base_dir: PathBuf,
    /// Keep every spike (for `spikes.csv`); counts are always kept.
    pub record_spikes: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            steps: 1000,
            threads: 1,
            strategy: Strategy::Sequential,
            base_dir: PathBuf::from("."),
            record_spikes: false,
        }
    }
}

/// One recorded state trace.
#[derive(Clone, Debug)]
pub struct ProbeTrace {
    /// Population name.
    pub population: String,
    /// Global neuron id.
    pub neuron: u32,
    /// State register name.
    pub state: String,
    /// One value per step (after the step's update).
    pub values: Vec<i64>,
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// The report (also `report.json`).
    pub report: Report,
    /// Every spike as (step, global neuron id, count), when recorded.
    pub spikes: Vec<(u32, u32, u8)>,
    /// Population name per global id range, for `spikes.csv`.
    pub populations: Vec<(String, u32, u32)>,
    /// Probe traces.
    pub probes: Vec<ProbeTrace>,
    /// The architecture the run used: the given one, or its grown copy when the
    /// network needed more chips of the board (see [`ChipsReport`]).
    pub arch: Architecture,
    /// Every probed neuron as (population, global id), sorted: their spikes go in the waveforms
    /// even when the probe records no state.
    pub spike_probes: Vec<(String, u32)>,
}

/// Map only: the mapping report for `neurochip map`.
pub fn map_only(
    arch: &Architecture,
    net: &Network,
    strategy: Strategy,
    base_dir: &Path,
) -> Result<MappingReport, SimError> {
    net.validate("network")?;
    let expanded = neurochip_net::expand::expand_in(net, base_dir)?;
    let entry = entry_for(arch, &arch.name, &net.name)?;
    (entry.map)(MapJob {
        arch,
        arch_label: &arch.name,
        net_label: &net.name,
        expanded: &expanded,
        opts: MapOptions {
            strategy,
            seed: net.seed,
        },
    })
}

/// Run `net` on `arch` for `cfg.steps` steps; `progress` is called with the steps done.
///
/// The architecture's `core.model` may be any runnable model: a built-in one or one
/// added with [`register`].
pub fn run(
    arch: &Architecture,
    arch_label: &str,
    net: &Network,
    net_label: &str,
    cfg: &RunConfig,
    progress: &mut dyn FnMut(u32),
) -> Result<RunOutput, SimError> {
    let wall = Instant::now();
    net.validate(net_label)?;
    let expanded = neurochip_net::expand::expand_in(net, &cfg.base_dir)?;
    let entry = entry_for(arch, arch_label, net_label)?;
    (entry.run)(Job {
        arch,
        arch_label,
        net,
        net_label,
        cfg,
        expanded,
        progress,
        wall,
    })
}

/// The registry entry of the architecture's model, or the mapper's one-line refusal.
fn entry_for(
    arch: &Architecture,
    arch_label: &str,
    net_label: &str,
) -> Result<registry::Entry, SimError> {
    registry::lookup(arch.core.model).ok_or_else(|| SimError::Map {
        network: net_label.to_string(),
        arch: arch_label.to_string(),
        error: Box::new(MapError::UnsupportedModel {
            model: arch.core.model.name().to_string(),
        }),
    })
}

/// A run, before the model's type is known.
pub(crate) struct Job<'a> {
    arch: &'a Architecture,
    arch_label: &'a str,
    net: &'a Network,
    net_label: &'a str,
    cfg: &'a RunConfig,
    expanded: Expanded,
    progress: &'a mut dyn FnMut(u32),
    wall: Instant,
}

/// A mapping only, before the model's type is known.
pub(crate) struct MapJob<'a> {
    arch: &'a Architecture,
    arch_label: &'a str,
    net_label: &'a str,
    expanded: &'a Expanded,
    opts: MapOptions,
}

fn map_error(network: &str, arch: &str, error: MapError) -> SimError {
    SimError::Map {
        network: network.to_string(),
        arch: arch.to_string(),
        error: Box::new(error),
    }
}

/// [`registry::MapFn`] for model `M`.
pub(crate) fn map_model_report<M: MapModel>(job: MapJob<'_>) -> Result<MappingReport, SimError> {
    let grown = map_on_board::<M>(job.arch, job.expanded, &job.opts)
        .map_err(|e| map_error(job.net_label, job.arch_label, e))?;
    Ok(MappingReport {
        map: grown.mapped.report,
        chips: grown.chips,
    })
}

/// [`registry::RunFn`] for model `M`: map (growing onto the board if needed), free the
/// expansion, run the chip.
pub(crate) fn run_model<M: MapModel>(job: Job<'_>) -> Result<RunOutput, SimError> {
    let opts = MapOptions {
        strategy: job.cfg.strategy,
        seed: job.net.seed,
    };
    let OnBoard {
        arch,
        mapped,
        chips,
    } = map_on_board::<M>(job.arch, &job.expanded, &opts)
        .map_err(|e| map_error(job.net_label, job.arch_label, e))?;
    // From here the chip image holds the synapses: free the expansion's per-synapse arrays
    // (10 B per synapse) before the run instead of carrying them to the end.
    let shape = NetShape::of(job.expanded);
    let build_seconds = job.wall.elapsed().as_secs_f64();
    let ctx = Ctx {
        arch: &arch,
        arch_label: job.arch_label,
        net: job.net,
        net_label: job.net_label,
        cfg: job.cfg,
        shape: &shape,
        placement: &mapped.placement,
    };
    let mut out = run_chip(&ctx, mapped.image, job.progress)?;
    out.report.mapping = Some(MappingReport {
        map: mapped.report,
        chips,
    });
    out.report.build_seconds = build_seconds;
    out.report.wall_seconds = job.wall.elapsed().as_secs_f64();
    out.arch = arch;
    Ok(out)
}

struct Ctx<'a> {
    arch: &'a Architecture,
    arch_label: &'a str,
    net: &'a Network,
    net_label: &'a str,
    cfg: &'a RunConfig,
    shape: &'a NetShape,
    placement: &'a [(u32, u32)],
}

/// What a run needs of the expanded network once it is mapped: sizes and population ranges.
#[derive(Debug)]
pub(crate) struct NetShape {
    /// Neurons.
    pub n: u32,
    /// Populations in declaration order (contiguous ids).
    pub pops: Vec<neurochip_net::expand::PopRange>,
    /// Synapses.
    pub synapses: u64,
}

impl NetShape {
    /// Keep the shape of `ex` and drop its synapses.
    fn of(ex: Expanded) -> Self {
        NetShape {
            n: ex.n,
            synapses: ex.synapses(),
            pops: ex.pops,
        }
    }

    /// Population index of global id `gid` (as [`Expanded::pop_of`]).
    pub fn pop_of(&self, gid: u32) -> usize {
        self.pops
            .partition_point(|p| p.start <= gid)
            .saturating_sub(1)
    }
}

/// Probes resolved to (population, gid, core, local, field index, field name).
type ResolvedProbe = (String, u32, u32, u32, usize, String);

fn resolve_probes<M: NeuronModel>(ctx: &Ctx<'_>) -> Result<Vec<ResolvedProbe>, SimError> {
    let mut v = Vec::new();
    for p in &ctx.net.probes {
        let Some(pop) = ctx.shape.pops.iter().find(|r| r.name == p.population) else {
            continue; // validate() already rejected unknown populations
        };
        let ids: Vec<u32> = match &p.neurons {
            Some(list) => list.clone(),
            None => (0..pop.size).collect(),
        };
        for s in &p.states {
            let Some(field) = M::STATE_FIELDS.iter().position(|f| f == s) else {
                return Err(SimError::BadProbe {
                    network: ctx.net_label.to_string(),
                    population: p.population.clone(),
                    model: M::NAME,
                    state: s.clone(),
                    have: M::STATE_FIELDS.join(", "),
                });
            };
            for &i in &ids {
                let gid = pop.start + i;
                let (core, local) = ctx.placement[gid as usize];
                v.push((p.population.clone(), gid, core, local, field, s.clone()));
            }
        }
    }
    Ok(v)
}

fn run_chip<M: NeuronModel>(
    ctx: &Ctx<'_>,
    image: ChipImage<M>,
    progress: &mut dyn FnMut(u32),
) -> Result<RunOutput, SimError>
where
    neurochip_hw::core::FirmwareCore<M>: Send,
{
    let probes = resolve_probes::<M>(ctx)?;
    let options = EngineOptions {
        threads: ctx.cfg.threads.max(1),
        ..EngineOptions::default()
    };
    let mut chip = Chip::with_threads(ctx.arch, image, options)?;
    let mut pop_spikes = vec![0u64; ctx.shape.pops.len()];
    let mut spikes = Vec::new();
    let mut traces: Vec<ProbeTrace> = probes
        .iter()
        .map(|(pop, gid, _, _, _, s)| ProbeTrace {
            population: pop.clone(),
            neuron: *gid,
            state: s.clone(),
            values: Vec::with_capacity(ctx.cfg.steps as usize),
        })
        .collect();
    let mut step_cycles = Vec::with_capacity(ctx.cfg.steps as usize);
    for step in 0..ctx.cfg.steps {
        let stats = chip.run_step()?;
        step_cycles.push(stats.cycles);
        for &(gid, count) in chip.last_spikes() {
            pop_spikes[ctx.shape.pop_of(gid)] += u64::from(count);
            if ctx.cfg.record_spikes {
                spikes.push((step, gid, count));
            }
        }
        for (t, (_, _, core, local, field, _)) in traces.iter_mut().zip(&probes) {
            t.values.push(chip.state_field(*core, *local, *field));
        }
        progress(step + 1);
    }
    let report = report::build(
        ctx.arch,
        ctx.arch_label,
        ctx.net,
        ctx.net_label,
        ctx.shape,
        &chip,
        &step_cycles,
        &pop_spikes,
    );
    Ok(RunOutput {
        report,
        spikes,
        populations: ctx
            .shape
            .pops
            .iter()
            .map(|p| (p.name.clone(), p.start, p.size))
            .collect(),
        probes: traces,
        spike_probes: probed_neurons(ctx),
        arch: ctx.arch.clone(),
    })
}

fn probed_neurons(ctx: &Ctx<'_>) -> Vec<(String, u32)> {
    let mut v: Vec<(String, u32)> = Vec::new();
    for p in &ctx.net.probes {
        let Some(pop) = ctx.shape.pops.iter().find(|r| r.name == p.population) else {
            continue;
        };
        match &p.neurons {
            Some(list) => v.extend(list.iter().map(|&i| (p.population.clone(), pop.start + i))),
            None => v.extend((0..pop.size).map(|i| (p.population.clone(), pop.start + i))),
        }
    }
    v.sort_by_key(|(_, gid)| *gid);
    v.dedup_by_key(|(_, gid)| *gid);
    v
}
