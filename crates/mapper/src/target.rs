//! Stage 0: the inputs. The expansion must be internally consistent and the
//! architecture's word layout usable before any stage indexes with them.

use neurochip_arch::geometry::Grid;
use neurochip_arch::schema::{Architecture, Routing};
use neurochip_firmware::hal::WordLayout;
use neurochip_net::expand::Expanded;

use crate::error::MapError;
use crate::types::Target;

/// Checks `ex` and the layout of `arch`, and derives what the stages share.
pub(crate) fn target(arch: &Architecture, ex: &Expanded) -> Result<Target, MapError> {
    validate_expanded(ex)?;
    let layout = layout(arch)?;
    let sm = &arch.core.synapse_memory;
    let target_cap = if sm.target_bits >= 32 {
        u32::MAX
    } else {
        1u32 << sm.target_bits
    };
    let mut pop_of = vec![0u32; ex.n as usize];
    for (k, p) in ex.pops.iter().enumerate() {
        pop_of[p.start as usize..(p.start + p.size) as usize].fill(k as u32);
    }
    Ok(Target {
        layout,
        word_bits: sm.word_bits,
        cap: arch.core.neurons.min(target_cap).max(1),
        total: arch.total_cores(),
        multicast: arch.router.routing == Routing::Multicast,
        grid: Grid::new(arch),
        tiles: arch.total_tiles() as usize,
        pop_of,
    })
}

/// The synapse word layout of `arch`'s synapse memory, if every field fits a word.
fn layout(arch: &Architecture) -> Result<WordLayout, MapError> {
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
    Ok(layout)
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
    if e.neurons.len() != e.pops.len() {
        return bad(format!(
            "{} populations have neuron parameters, the expansion has {}",
            e.neurons.len(),
            e.pops.len()
        ));
    }
    if let Some((k, p)) = e
        .neurons
        .iter()
        .enumerate()
        .find(|(k, p)| p.init.len() != e.pops[*k].size as usize)
    {
        return bad(format!(
            "population {:?} has {} initial values for {} neurons",
            e.pops[k].name,
            p.init.len(),
            e.pops[k].size
        ));
    }
    if let Some(h) = e.host_spikes.iter().find(|h| h.neuron >= e.n) {
        return bad(format!("host spike targets neuron {} (n = {n})", h.neuron));
    }
    if let Some(p) = e.poisson.iter().find(|p| p.targets.end > e.n) {
        return bad(format!(
            "poisson stimulus {} targets ids past {n}",
            p.stimulus
        ));
    }
    Ok(())
}
