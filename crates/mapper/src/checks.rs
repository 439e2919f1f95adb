//! Stage 4: checks. Projection groups (the unit of weight reporting) with their
//! sign mode, every synapse's delay and channel against the word's fields (once per
//! synapse, before any allocation), and the channel each synapse will store —
//! including per-neuron weight tables (TrueNorth's axon types).

use std::collections::BTreeMap;

use neurochip_arch::schema::Architecture;
use neurochip_net::expand::Expanded;
use neurochip_net::schema::NeuronParams;

use crate::error::MapError;
use crate::model::MapModel;
use crate::quant::Sign;
use crate::types::{Channels, Group, Groups, Quantised, Target};

/// The projection groups of `ex`: one per (source, target, channel) named by the network's
/// projections, plus any the synapses reveal, each with its weights' sign mode.
pub(crate) fn groups(t: &Target, ex: &Expanded) -> Groups {
    let npop = ex.pops.len();
    let mut group_of: BTreeMap<(usize, usize, u8), usize> = BTreeMap::new();
    let mut groups: Vec<Group> = Vec::new();
    for (pi, pr) in ex.projections.iter().enumerate() {
        let g = *group_of
            .entry((pr.from, pr.to, pr.channel))
            .or_insert_with(|| {
                groups.push(Group::new(pr.from, pr.to, pr.channel));
                groups.len() - 1
            });
        groups[g].projections.push(pi);
    }
    let mut table = vec![u32::MAX; npop * npop * 2];
    for (&(f, to, ch), &g) in &group_of {
        table[(f * npop + to) * 2 + (ch & 1) as usize] = g as u32;
    }
    let mut exc = vec![true; groups.len()];
    let mut inh = vec![true; groups.len()];
    for s in 0..ex.n as usize {
        let f = t.pop_of[s] as usize;
        for i in ex.row_start[s] as usize..ex.row_start[s + 1] as usize {
            let to = t.pop_of[ex.targets[i] as usize] as usize;
            let ch = ex.channels[i];
            let slot = (f * npop + to) * 2 + (ch & 1) as usize;
            if table[slot] == u32::MAX {
                groups.push(Group::new(f, to, ch));
                exc.push(true);
                inh.push(true);
                table[slot] = (groups.len() - 1) as u32;
            }
            let g = table[slot] as usize;
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
    Groups {
        groups,
        table,
        npop,
    }
}

/// True when a population treats both channels alike (delta synapses or equal
/// time constants), so a 0-bit channel field loses nothing.
fn channels_equivalent(neuron: &NeuronParams) -> bool {
    match neuron {
        NeuronParams::Lif {
            tau_syn_e_ms,
            tau_syn_i_ms,
            ..
        } => tau_syn_e_ms.or(*tau_syn_i_ms) == tau_syn_i_ms.or(*tau_syn_e_ms),
        _ => true,
    }
}

/// Every synapse's delay fits the field and the ring, and its channel fits the field
/// (or the target treats both alike); else the error names the projection.
pub(crate) fn check_synapses(
    arch: &Architecture,
    t: &Target,
    ex: &Expanded,
    g: &Groups,
    channels: u8,
) -> Result<(), MapError> {
    let sm = &arch.core.synapse_memory;
    let one_channel = channels <= 1;
    let chan_max = field_max(sm.channel_bits);
    let dmax_field = field_max(sm.delay_bits);
    let slots = arch.core.delay_slots;
    let equivalent: Vec<bool> = ex
        .neurons
        .iter()
        .map(|p| channels_equivalent(&p.neuron))
        .collect();
    let name = |k: usize| ex.pops[k].name.clone();
    for s in 0..ex.n as usize {
        for i in ex.row_start[s] as usize..ex.row_start[s + 1] as usize {
            let d = ex.delays[i] as u32;
            let ch = ex.channels[i];
            let tp = t.pop_of[ex.targets[i] as usize] as usize;
            let bad_delay = d == 0 || d - 1 > dmax_field || d >= slots;
            let bad_chan = !one_channel && ch as u32 > chan_max && !equivalent[tp];
            if !(bad_delay || bad_chan) {
                continue;
            }
            let f = t.pop_of[s] as usize;
            let gr = &g.groups[g.of(f, tp, ch)];
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
                    projection: gr.label(),
                    from: name(f),
                    to: name(tp),
                    reason,
                });
            }
            return Err(MapError::Channel {
                channel: ch,
                projection: gr.label(),
                from: name(f),
                to: name(tp),
                reason: format!(
                    "does not fit a {}-bit channel field and the target's channels differ",
                    sm.channel_bits
                ),
            });
        }
    }
    Ok(())
}

/// Largest value of a field of `bits` bits (capped at 255: the fields are u8).
fn field_max(bits: u32) -> u32 {
    if bits >= 8 {
        255
    } else {
        (1u32 << bits) - 1
    }
}

/// The channel rule of every synapse; for a model with weight tables, each target
/// neuron's distinct non-zero integer weights (synapses, host input, Poisson), refusing
/// a neuron with more than the table holds.
pub(crate) fn channels<M: MapModel>(
    arch: &Architecture,
    t: &Target,
    ex: &Expanded,
    g: &Groups,
    q: &Quantised<M::Params, M::State>,
) -> Result<Channels, MapError> {
    let mut c = Channels {
        one_channel: M::CHANNELS <= 1,
        chan_max: field_max(arch.core.synapse_memory.channel_bits),
        equivalent: ex
            .neurons
            .iter()
            .map(|p| channels_equivalent(&p.neuron))
            .collect(),
        one_current: q.pops.iter().map(|p| p.one_current).collect(),
        tables: Vec::new(),
        used: Vec::new(),
        stride: M::WEIGHT_TABLE,
    };
    if c.stride > 0 {
        weight_tables::<M>(&mut c, t, ex, g, q)?;
    }
    Ok(c)
}

/// Fills `c.tables`: per target neuron its distinct non-zero integer weights, in order of
/// first arrival (synapses by source, then host spikes, then Poisson drives).
fn weight_tables<M: MapModel>(
    c: &mut Channels,
    t: &Target,
    ex: &Expanded,
    g: &Groups,
    q: &Quantised<M::Params, M::State>,
) -> Result<(), MapError> {
    let n = ex.n as usize;
    let stride = c.stride;
    c.tables = vec![0; n * stride];
    c.used = vec![0; n];
    let mut over: Option<u32> = None;
    let mut add = |tg: usize, q: i64| {
        let q = q as i16;
        let k = c.used[tg] as usize;
        let tab = &mut c.tables[tg * stride..tg * stride + stride];
        if q == 0 || tab[..k].contains(&q) {
            return;
        }
        if k < stride {
            tab[k] = q;
            c.used[tg] += 1;
        } else if over.is_none() {
            over = Some(tg as u32);
        }
    };
    for s in 0..n {
        let fpop = t.pop_of[s] as usize;
        for i in ex.row_start[s] as usize..ex.row_start[s + 1] as usize {
            let tg = ex.targets[i] as usize;
            let tpop = t.pop_of[tg] as usize;
            let ch = ex.channels[i];
            let sign = g.groups[g.of(fpop, tpop, ch)].sign;
            let (w, _) = q.pops[tpop].wq.quantise(ex.weights[i] as f64, sign, ch);
            add(tg, w);
        }
    }
    for h in &ex.host_spikes {
        let sign = if h.weight < 0.0 { Sign::Inh } else { Sign::Exc };
        let tpop = t.pop_of[h.neuron as usize] as usize;
        let (w, _) = q.pops[tpop].wq.quantise(h.weight, sign, h.channel);
        add(h.neuron as usize, w);
    }
    for p in &ex.poisson {
        for gid in p.targets.clone() {
            let sign = if p.weight < 0.0 { Sign::Inh } else { Sign::Exc };
            let tpop = t.pop_of[gid as usize] as usize;
            let (w, _) = q.pops[tpop].wq.quantise(p.weight, sign, p.channel);
            add(gid as usize, w);
        }
    }
    match over {
        None => Ok(()),
        Some(tg) => Err(too_many_weights::<M>(t, ex, g, q, tg)),
    }
}

/// The error for neuron `tg`, which receives more distinct weights than a table holds
/// (counting them all for the message: one neuron, one more pass).
fn too_many_weights<M: MapModel>(
    t: &Target,
    ex: &Expanded,
    g: &Groups,
    q: &Quantised<M::Params, M::State>,
    tg: u32,
) -> MapError {
    let tpop = t.pop_of[tg as usize] as usize;
    let mut all = std::collections::BTreeSet::new();
    for (s, &fp) in t.pop_of.iter().enumerate() {
        let fpop = fp as usize;
        for i in ex.row_start[s] as usize..ex.row_start[s + 1] as usize {
            if ex.targets[i] == tg {
                let ch = ex.channels[i];
                let sign = g.groups[g.of(fpop, tpop, ch)].sign;
                let (w, _) = q.pops[tpop].wq.quantise(ex.weights[i] as f64, sign, ch);
                if w != 0 {
                    all.insert(w);
                }
            }
        }
    }
    MapError::Population {
        population: ex.pops[tpop].name.clone(),
        kind: ex.neurons[tpop].neuron.kind_name().to_string(),
        model: M::NAME.to_string(),
        reason: format!(
            "neuron {} receives {} distinct integer weights (at least), {} has {} axon types per core (group weights into at most {} values)",
            tg - ex.pops[tpop].start,
            all.len().max(M::WEIGHT_TABLE + 1),
            M::NAME,
            M::WEIGHT_TABLE,
            M::WEIGHT_TABLE
        ),
    }
}
