//! The stages in order (docs/mapping.md): the only module that knows them all.
//! Each stage takes the expansion, the architecture and the named outputs of the stages
//! before it; none calls another.

use neurochip_arch::schema::Architecture;
use neurochip_hw::image::ChipImage;
use neurochip_net::expand::Expanded;

use crate::board::{board_limit, chips_for, pick_grid, ChipGrid, ChipsReport};
use crate::checks::{channels, check_synapses, groups};
use crate::error::{Failed, MapError};
use crate::fanout::fanout;
use crate::host::host_inputs;
use crate::images::{core_images, map_report};
use crate::model::MapModel;
use crate::placement::placement;
use crate::quantise::quantise;
use crate::synapses::{check_capacity, count, rows};
use crate::target::target;
use crate::types::{MapOptions, Mapped, OnBoard};
use crate::weights::weight_stats;

/// Re-mappings on a larger grid before giving up: the first retry uses the grid the
/// failed placement's core count asks for, later ones cover a fill that needs a little
/// more once cores span chips.
const MAX_GROWTHS: usize = 4;

/// One attempt on `arch` as it is.
pub(crate) fn map_once<M: MapModel>(
    arch: &Architecture,
    ex: &Expanded,
    opts: &MapOptions,
) -> Result<Mapped<M>, Failed> {
    let t = target(arch, ex)?;
    let p = placement(arch, &t, ex, opts.strategy)?;
    let stats = weight_stats(&t, ex)?;
    let mut q = quantise::<M>(arch, ex, &stats)?;
    let mut warnings = std::mem::take(&mut q.warnings);
    let mut g = groups(&t, ex);
    check_synapses(arch, &t, ex, &g, M::CHANNELS)?;
    let ch = channels::<M>(arch, &t, ex, &g, &q)?;
    let c = count(&t, ex, &p);
    check_capacity(arch, &t, ex, &p, &c)?;
    let mut r = rows::<M>(&t, ex, &p, &c, &q, &mut g, &ch)?;
    let mut host = host_inputs::<M>(&t, ex, &p, &q, &ch, &mut r, &mut warnings)?;
    let mut f = fanout(arch, &t, &p, &r, &mut warnings)?;
    let cores = core_images::<M>(&t, &p, &c, &q, &ch, r, &mut host, &mut f);
    let populations = q.pops.into_iter().map(|p| p.report).collect();
    let report = map_report(
        arch,
        ex,
        opts.strategy,
        &cores,
        &c,
        populations,
        warnings,
        &g,
        &host,
        &f,
    );
    Ok(Mapped {
        image: ChipImage {
            cores,
            router_tables: f.router_tables,
            host_spikes: host.spikes,
            seed: opts.seed,
        },
        placement: p.core.iter().zip(&p.local).map(|(&c, &l)| (c, l)).collect(),
        report,
    })
}

/// Maps onto `arch`, and when the placement runs out of cores and `arch` sits on a board,
/// again on larger chip grids of the board (see [`crate::board`]). Each retry only grows.
pub(crate) fn map_growing<M: MapModel>(
    arch: &Architecture,
    ex: &Expanded,
    opts: &MapOptions,
) -> Result<OnBoard<M>, MapError> {
    let limit = board_limit(arch);
    let start = ChipGrid {
        x: arch.topology.chips_x,
        y: arch.topology.chips_y,
    };
    let first = match map_once::<M>(arch, ex, opts) {
        Ok(mapped) => {
            return Ok(OnBoard {
                arch: arch.clone(),
                mapped,
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
        return Err(*first.error);
    };
    let board_full = |first: Failed, need: u64| MapError::Board {
        error: first.error,
        limit_x: limit.x,
        limit_y: limit.y,
        need,
    };
    let mut need = 0;
    let mut grown = arch.clone();
    let mut last: Option<Failed> = None;
    for _ in 0..MAX_GROWTHS {
        let err = last.as_ref().unwrap_or(&first);
        let Some(cores) = err.cores_needed else {
            // Not a shortage of cores (a grown system's own error, say): more chips would not help.
            return Err(*last.unwrap_or(first).error);
        };
        let at_least = ChipGrid {
            x: grown.topology.chips_x,
            y: grown.topology.chips_y,
        };
        need = chips_for(cores, &grown);
        let Some(grid) = pick_grid(need, at_least, limit) else {
            return Err(board_full(first, need));
        };
        grown.topology.chips_x = grid.x;
        grown.topology.chips_y = grid.y;
        // The grid is within the validated board; this catches a core count
        // that no longer fits a core id.
        if grown.validate(&arch.name).is_err() {
            return Err(board_full(first, need));
        }
        match map_once::<M>(&grown, ex, opts) {
            Ok(mapped) => {
                return Ok(OnBoard {
                    arch: grown,
                    mapped,
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
