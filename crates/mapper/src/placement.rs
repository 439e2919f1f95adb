//! Stage 1: placement. Which core holds each neuron (the algorithms are in
//! [`crate::place`]), and on failure a one-line diagnosis with the cores needed.

use neurochip_arch::schema::Architecture;
use neurochip_net::expand::Expanded;

use crate::board::{cores_per_chip, near_square};
use crate::error::thousands;
use crate::error::{Failed, MapError, Resource};
use crate::place::{self, Limits, PlaceError, Strategy};
use crate::types::{Placed, Target};

/// Places every neuron of `ex` on `arch` with `strategy`.
pub(crate) fn placement(
    arch: &Architecture,
    t: &Target,
    ex: &Expanded,
    strategy: Strategy,
) -> Result<Placed, Failed> {
    let n = ex.n as usize;
    // Host axons take a word and an axon on their target's core: one per distinct
    // (neuron, weight, channel).
    let mut host_keys: Vec<(u32, u64, u8)> = ex
        .host_spikes
        .iter()
        .map(|h| (h.neuron, h.weight.to_bits(), h.channel))
        .collect();
    host_keys.sort_unstable();
    host_keys.dedup();
    let mut host_demand = vec![0u32; n];
    for k in &host_keys {
        host_demand[k.0 as usize] += 1;
    }
    let limits = Limits {
        neurons: t.cap,
        words: Some(arch.core.synapse_memory.words as u64),
        axons_in: arch.core.axons_in as u64,
        axons_out: arch.core.axons_out as u64,
        multicast: t.multicast,
    };
    let (p, _fill) = place::place(
        strategy,
        &t.grid,
        ex.n,
        t.cap,
        t.total,
        &ex.row_start,
        &ex.targets,
        &limits,
        &host_demand,
    )
    .map_err(|e| place_error(arch, ex, &host_demand, &limits, t.total, e))?;
    Ok(Placed {
        core: p.core,
        local: p.local,
        sequential: p.sequential,
        host_keys,
    })
}

/// One-line diagnosis of a failed placement: which resource ran out, and for
/// the fill how many chips would hold the network and the override to get them.
fn place_error(
    arch: &Architecture,
    ex: &Expanded,
    host: &[u32],
    lim: &Limits,
    total: u32,
    e: PlaceError,
) -> Failed {
    match e {
        PlaceError::TooFew(t) => Failed {
            error: Box::new(MapError::Cores {
                needed: t.needed,
                per_core: t.per_core,
                has: total,
            }),
            cores_needed: Some(t.needed),
        },
        PlaceError::Single {
            core,
            neuron,
            resource,
            needed,
            has,
        } => {
            let pop = ex
                .pops
                .iter()
                .find(|p| neuron >= p.start && neuron < p.start + p.size)
                .map_or(String::new(), |p| p.name.clone());
            MapError::Capacity {
                resource,
                core,
                needed,
                has,
                hint: format!(
                    "neuron {neuron} of population {pop:?} alone needs more than a core has; raise {}",
                    resource.field()
                ),
            }
            .into()
        }
        PlaceError::Fill(st) => Failed {
            error: Box::new(fill_error(arch, ex, host, lim, total, &st)),
            cores_needed: Some(st.cores as u64),
        },
    }
}

/// The fill's shortage: the resource that closed most cores, the demand behind it, and
/// the near-square chip grid that would hold the fill.
fn fill_error(
    arch: &Architecture,
    ex: &Expanded,
    host: &[u32],
    lim: &Limits,
    total: u32,
    st: &place::FillStats,
) -> MapError {
    let r = (0..4).max_by_key(|&i| (st.closed_by[i], i)).unwrap_or(0);
    let resource = Resource::ALL[r];
    let n = ex.n as u64;
    let sources = (0..ex.n as usize)
        .filter(|&s| ex.row_start[s + 1] > ex.row_start[s])
        .count() as u64
        + host.iter().map(|&h| h as u64).sum::<u64>();
    let detail = match resource {
        Resource::SynapseMemory => format!(
            "{} synapses vs {} words per core",
            thousands(ex.targets.len() as u64),
            thousands(lim.words.unwrap_or(0))
        ),
        Resource::InputAxons => format!(
            "{} sources vs {} input axons per core",
            thousands(sources),
            thousands(lim.axons_in)
        ),
        Resource::OutputAxons => format!(
            "{} sources with fan-out vs {} output entries per core",
            thousands(sources),
            thousands(lim.axons_out)
        ),
        Resource::Neurons => format!(
            "{} neurons vs {} per core",
            thousands(n),
            thousands(lim.neurons as u64)
        ),
    };
    let chips = (st.cores as u64).div_ceil(cores_per_chip(arch)).max(1);
    let grid = near_square(chips);
    MapError::Fill {
        resource,
        needed: st.cores as u64,
        has: total,
        arch: arch.name.clone(),
        detail: format!(
            "{detail}; ~{} neurons/core",
            n.div_ceil(st.cores.max(1) as u64)
        ),
        chips,
        chips_x: grid.0,
        chips_y: grid.1,
    }
}
