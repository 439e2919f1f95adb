//! # neurochip-sim
//!
//! One function from a network and an architecture to a report: expand the
//! network, map it, load the chip image, run the cycle-level chip step by
//! step, and gather spikes, counters and energy into a [`Report`].
//!
//! The `neurochip` binary, the benchmarks and the integration tests all go
//! through [`run`], so what a test checks is what a user runs.

mod hwview;
pub mod report;
pub mod waveform;

use std::path::{Path, PathBuf};
use std::time::Instant;

use neurochip_arch::Architecture;
use neurochip_firmware::NeuronModel;
use neurochip_hw::image::ChipImage;
use neurochip_hw::{Chip, EngineOptions};
use neurochip_mapper::{AnyImage, MapError, MapOptions, Mapping, Strategy};
use neurochip_net::expand::Expanded;
use neurochip_net::schema::Network;

pub use report::{map_summary, summary, write_outputs, ChipsReport, Grid, MappingReport, Report};

/// Re-mappings on a larger grid before giving up: the first retry uses the
/// grid the failed fill asks for, later ones cover a fill that needs a little
/// more once cores span chips.
const MAX_GROWTHS: usize = 4;

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
    /// The network does not fit even the largest system the board allows.
    #[error("{network} on {arch}: {error} (board limit {} x {} chips, the network needs at least {need}: raise topology.max_chips_x/max_chips_y)", .limit.x, .limit.y)]
    Board {
        /// Network spec or file.
        network: String,
        /// Architecture spec or file.
        arch: String,
        /// The mapping error on the architecture as given.
        error: Box<neurochip_mapper::MapError>,
        /// `max_chips_x` × `max_chips_y`.
        limit: Grid,
        /// Chips the last fill asked for.
        need: u64,
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
    let expanded = neurochip_net::expand::expand(net)?;
    let opts = MapOptions {
        strategy,
        seed: net.seed,
        base_dir: base_dir.to_path_buf(),
    };
    let grown = map_growing(arch, &arch.name, net, &net.name, &expanded, &opts)?;
    Ok(MappingReport {
        map: grown.mapping.report,
        chips: grown.chips,
    })
}

/// Run `net` on `arch` for `cfg.steps` steps; `progress` is called with the steps done.
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
    let expanded = neurochip_net::expand::expand(net)?;
    let opts = MapOptions {
        strategy: cfg.strategy,
        seed: net.seed,
        base_dir: cfg.base_dir.clone(),
    };
    let Grown {
        arch,
        mapping,
        chips,
    } = map_growing(arch, arch_label, net, net_label, &expanded, &opts)?;
    // From here the chip image holds the synapses: free the expansion's per-synapse arrays
    // (10 B per synapse) before the run instead of carrying them to the end.
    let shape = NetShape::of(expanded);
    let build_seconds = wall.elapsed().as_secs_f64();
    let ctx = Ctx {
        arch: &arch,
        arch_label,
        net,
        net_label,
        cfg,
        shape: &shape,
        placement: &mapping.placement,
    };
    let mut out = match mapping.image {
        AnyImage::Lif(img) => run_chip(&ctx, img, progress)?,
        AnyImage::LoihiCubaLif(img) => run_chip(&ctx, img, progress)?,
        AnyImage::XyloIaf(img) => run_chip(&ctx, img, progress)?,
        AnyImage::SpinnakerLif(img) => run_chip(&ctx, img, progress)?,
        AnyImage::Truenorth(img) => run_chip(&ctx, img, progress)?,
    };
    out.report.mapping = Some(MappingReport {
        map: mapping.report,
        chips,
    });
    out.report.build_seconds = build_seconds;
    out.report.wall_seconds = wall.elapsed().as_secs_f64();
    out.arch = arch;
    Ok(out)
}

/// A mapping and the system it was made for.
struct Grown {
    arch: Architecture,
    mapping: Mapping,
    chips: ChipsReport,
}

/// Maps `net` onto `arch`; when it does not fit and the architecture sits on a
/// board (`topology.max_chips_x/y`), maps it again on a larger chip grid, as
/// NxSDK allocates the chips of a Loihi board a network needs. Each retry only
/// grows, and the grid never leaves the board.
fn map_growing(
    arch: &Architecture,
    arch_label: &str,
    net: &Network,
    net_label: &str,
    expanded: &Expanded,
    opts: &MapOptions,
) -> Result<Grown, SimError> {
    let t = &arch.topology;
    let start = Grid {
        x: t.chips_x,
        y: t.chips_y,
    };
    let limit = match (t.max_chips_x, t.max_chips_y) {
        (None, None) => None,
        (mx, my) => Some(Grid {
            x: mx.unwrap_or(t.chips_x),
            y: my.unwrap_or(t.chips_y),
        }),
    };
    let map_err = |error: MapError| SimError::Map {
        network: net_label.to_string(),
        arch: arch_label.to_string(),
        error: Box::new(error),
    };
    let first = match neurochip_mapper::map(arch, net, expanded, opts) {
        Ok(mapping) => {
            return Ok(Grown {
                arch: arch.clone(),
                mapping,
                chips: ChipsReport {
                    x: start.x,
                    y: start.y,
                    grown_from: None,
                    board_limit: limit,
                },
            })
        }
        Err(e) => e,
    };
    let Some(limit) = limit else {
        return Err(map_err(first));
    };
    let board_full = |error: MapError, need: u64| SimError::Board {
        network: net_label.to_string(),
        arch: arch_label.to_string(),
        error: Box::new(error),
        limit,
        need,
    };
    let mut need = 0;
    let mut grown = arch.clone();
    let mut last: Option<MapError> = None;
    for _ in 0..MAX_GROWTHS {
        let err = last.as_ref().unwrap_or(&first);
        let Some((n, hint)) = chips_needed(err, &grown) else {
            // Not a shortage of cores (a grown system's own error, say): more chips would not help.
            return Err(map_err(last.unwrap_or(first)));
        };
        let at_least = Grid {
            x: grown.topology.chips_x,
            y: grown.topology.chips_y,
        };
        need = n;
        let Some(grid) = pick_grid(need, hint, at_least, limit) else {
            return Err(board_full(first, need));
        };
        grown.topology.chips_x = grid.x;
        grown.topology.chips_y = grid.y;
        // The grid is within the validated board; this catches a core count
        // that no longer fits a core id.
        if grown.validate(arch_label).is_err() {
            return Err(board_full(first, need));
        }
        match neurochip_mapper::map(&grown, net, expanded, opts) {
            Ok(mapping) => {
                return Ok(Grown {
                    arch: grown,
                    mapping,
                    chips: ChipsReport {
                        x: grid.x,
                        y: grid.y,
                        grown_from: Some(start),
                        board_limit: Some(limit),
                    },
                })
            }
            Err(e) => last = Some(e),
        }
    }
    Err(board_full(first, need))
}

/// The grid to grow to: the mapper's near-square `hint` when it holds `need`
/// chips and lies between `at_least` and `limit`; otherwise the smallest-area
/// such grid, ties to the squarer one, then to the wider one. `None` when no
/// grid on the board holds `need` chips.
fn pick_grid(need: u64, hint: Option<Grid>, at_least: Grid, limit: Grid) -> Option<Grid> {
    let fits = |g: Grid| {
        g.x >= at_least.x
            && g.y >= at_least.y
            && g.x <= limit.x
            && g.y <= limit.y
            && u64::from(g.x) * u64::from(g.y) >= need
    };
    let hint = hint.unwrap_or_else(|| {
        let x = ((need as f64).sqrt().ceil() as u64).max(1);
        let y = need.div_ceil(x);
        Grid {
            x: u32::try_from(x).unwrap_or(u32::MAX),
            y: u32::try_from(y).unwrap_or(u32::MAX),
        }
    });
    if fits(hint) {
        return Some(hint);
    }
    // For each width the shortest height that holds `need` is the only candidate;
    // widths beyond `need` only add area.
    let widest = u64::from(limit.x).min(need.max(u64::from(at_least.x)));
    (u64::from(at_least.x)..=widest)
        .filter_map(|x| {
            let y = need.div_ceil(x).max(u64::from(at_least.y));
            let g = Grid {
                x: u32::try_from(x).ok()?,
                y: u32::try_from(y).ok()?,
            };
            fits(g).then_some(g)
        })
        .min_by_key(|g| (u64::from(g.x) * u64::from(g.y), g.x.abs_diff(g.y), g.y))
}

/// Chips a core-shortage error asks for, at least one more than `arch` has
/// (so that each retry grows); `None` for errors more chips cannot fix.
fn chips_needed(e: &MapError, arch: &Architecture) -> Option<(u64, Option<Grid>)> {
    let t = &arch.topology;
    let per_chip =
        (u64::from(t.tiles_x) * u64::from(t.tiles_y) * u64::from(t.cores_per_tile)).max(1);
    let has = u64::from(t.chips_x) * u64::from(t.chips_y);
    let (chips, hint) = match e {
        MapError::Fill {
            chips,
            chips_x,
            chips_y,
            ..
        } => {
            let hint = match (u32::try_from(*chips_x), u32::try_from(*chips_y)) {
                (Ok(x), Ok(y)) => Some(Grid { x, y }),
                _ => None,
            };
            (*chips, hint)
        }
        MapError::Cores { needed, .. } => (needed.div_ceil(per_chip), None),
        _ => return None,
    };
    Some((chips.max(has + 1), hint))
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

#[cfg(test)]
mod tests {
    use super::{pick_grid, Grid};

    fn g(x: u32, y: u32) -> Grid {
        Grid { x, y }
    }

    #[test]
    fn the_hint_wins_when_it_fits() {
        // 33 chips: the mapper's near-square 6 x 6, although 5 x 7 has less area.
        assert_eq!(
            pick_grid(33, Some(g(6, 6)), g(1, 1), g(8, 8)),
            Some(g(6, 6))
        );
        // Without a hint the same near-square rule is used.
        assert_eq!(pick_grid(33, None, g(1, 1), g(8, 8)), Some(g(6, 6)));
        assert_eq!(pick_grid(2, None, g(1, 1), g(4, 4)), Some(g(2, 1)));
    }

    #[test]
    fn otherwise_the_smallest_area_then_the_squarer_grid() {
        // 6 x 6 is off a 9 x 4 board; 9 x 4 = 36 is the only grid of >= 33 chips.
        assert_eq!(
            pick_grid(33, Some(g(6, 6)), g(1, 1), g(9, 4)),
            Some(g(9, 4))
        );
        // 12 chips on a 12 x 3 board: 4 x 3 (area 12, squarer than 6 x 2 and 12 x 1).
        assert_eq!(
            pick_grid(12, Some(g(4, 4)), g(1, 1), g(12, 3)),
            Some(g(4, 3))
        );
        // 10 chips on a 10 x 10 board with the hint excluded by a minimum of 5 along y:
        // 2 x 5 (area 10).
        assert_eq!(
            pick_grid(10, Some(g(4, 3)), g(1, 5), g(10, 10)),
            Some(g(2, 5))
        );
        // Equal area and squareness: the wider grid (as the mapper's hint).
        assert_eq!(pick_grid(6, Some(g(9, 9)), g(1, 1), g(3, 3)), Some(g(3, 2)));
    }

    #[test]
    fn every_pick_holds_the_chips_and_stays_on_the_board() {
        for need in 1..=70u64 {
            for (lx, ly) in [(8, 8), (3, 9), (16, 1), (1, 1)] {
                let got = pick_grid(need, None, g(1, 1), g(lx, ly));
                let exists = u64::from(lx) * u64::from(ly) >= need;
                assert_eq!(got.is_some(), exists, "need {need} on {lx} x {ly}");
                if let Some(p) = got {
                    let area = u64::from(p.x) * u64::from(p.y);
                    assert!(area >= need && p.x <= lx && p.y <= ly, "{p:?}");
                    // No row of chips is wasted.
                    assert!(area < need + u64::from(p.x), "need {need}: {p:?}");
                    let near_square = pick_grid(need, None, g(1, 1), g(u32::MAX, u32::MAX));
                    if near_square != got {
                        // Off the board: nothing on it has less area.
                        for x in 1..=lx {
                            for y in 1..=ly {
                                let a = u64::from(x) * u64::from(y);
                                assert!(a < need || a >= area, "{x} x {y} beats {p:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}
