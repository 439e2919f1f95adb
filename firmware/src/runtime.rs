//! The per-core program, generic over the HAL, split into units of work.
//!
//! Each public function is one unit the hardware model can schedule and
//! charge (mooneye-gb style: one call = one unit):
//!
//! - [`deliver_spike`]: one input spike walks its axon row and folds every
//!   synapse into the dendrite ring;
//! - [`update_neuron`]: one neuron consumes this step's accumulator and
//!   advances one step;
//! - [`update_all`]: the update phase of a whole core (probe and tests).
//!
//! # Step semantics
//!
//! A spike emitted in the update of step `t` is delivered with `step = t`
//! and integrated in the update of step `t + 1 + delay`: it is folded into
//! slot `(t + 1 + delay) % slots`, and the update of step `u` consumes
//! slot `u % slots`. Delays must satisfy `delay <= slots - 2`
//! ([`max_delay`]): with `delay = slots - 1` the event would land in slot
//! `t % slots`, which a core still updating step `t` (spikes of other cores
//! can arrive mid-update) has not consumed yet for every neuron. Larger
//! delays are charged as [`Op::DelayOverflow`] and skipped, never clamped.

use crate::hal::{
    AxonTable, DendriteMemory, NeuronMemory, Op, SpikeOut, SynapseMemory, WordLayout, WorkMeter,
};
use crate::queue::InputQueue;
use crate::{NeuronModel, NeuronRng};

/// Largest synapse delay a ring of `slots` slots delivers on time (`slots - 2`, 0 when `slots < 2`).
#[inline]
pub const fn max_delay(slots: u32) -> u32 {
    slots.saturating_sub(2)
}

/// Deliver one input spike of step `step` (multiplicity `count`, normally 1)
/// to input axon `axon`; returns the number of synapse words read.
///
/// Charges: [`Op::SpikeIn`] once; [`Op::UnmappedAxon`] once if the axon has
/// no row (nothing else happens); [`Op::WordRead`] per word;
/// [`Op::SynapticOp`] `count` times per synapse folded; [`Op::DelayOverflow`]
/// per synapse whose delay exceeds [`max_delay`]; [`Op::DroppedInput`] per
/// synapse whose target is not a neuron of this core. Each folded synapse
/// calls `M::accumulate` `count` times, so a model's own saturation (e.g.
/// SpiNNaker's 16-bit ring entries) applies per event.
#[inline]
pub fn deliver_spike<M, H>(hal: &mut H, layout: &WordLayout, axon: u32, count: u8, step: u32) -> u32
where
    M: NeuronModel,
    H: SynapseMemory + AxonTable + NeuronMemory<M> + DendriteMemory<M> + WorkMeter,
{
    hal.charge(Op::SpikeIn, 1);
    let Some(row) = hal.row(axon) else {
        hal.charge(Op::UnmappedAxon, 1);
        return 0;
    };
    let slots = DendriteMemory::<M>::slots(hal);
    let neurons = NeuronMemory::<M>::neurons(hal);
    let max_d = max_delay(slots);
    // slot of a delay-0 event; `step % slots` first so the sum cannot overflow.
    let base = if slots == 0 {
        0
    } else {
        (step % slots + 1) % slots
    };
    let (mut folded, mut overflow, mut dropped, mut saturated) = (0u32, 0u32, 0u32, 0u32);
    for k in 0..row.len {
        let word = hal.read_word(row.start.wrapping_add(k));
        let syn = layout.decode(word);
        let d = u32::from(syn.delay);
        if slots < 2 || d > max_d {
            overflow += 1;
            continue;
        }
        if syn.target >= neurons {
            dropped += 1;
            continue;
        }
        // base < slots and d <= slots - 2, so this cannot overflow.
        let mut slot = base + d;
        if slot >= slots {
            slot -= slots;
        }
        // Cloning the parameters is free after inlining when the model's
        // `accumulate` does not read them (it is dead code then).
        let params = NeuronMemory::<M>::params(hal, syn.target).clone();
        let acc = DendriteMemory::<M>::acc(hal, slot, syn.target);
        for _ in 0..count {
            saturated += u32::from(M::accumulate_checked(&params, acc, syn.channel, syn.weight));
        }
        folded += 1;
    }
    hal.charge(Op::WordRead, row.len);
    hal.charge(Op::SynapticOp, folded.saturating_mul(u32::from(count)));
    if overflow > 0 {
        hal.charge(Op::DelayOverflow, overflow);
    }
    if dropped > 0 {
        hal.charge(Op::DroppedInput, dropped);
    }
    if saturated > 0 {
        hal.charge(Op::Saturated, saturated);
    }
    row.len
}

/// Fold every spike of `inbox` into the dendrite ring, oldest first (each through
/// [`deliver_spike`]), and charge the spikes the full inbox refused as
/// [`Op::DroppedInput`]; returns the words read.
pub fn deliver_queued<M, H, const N: usize>(
    hal: &mut H,
    layout: &WordLayout,
    inbox: &mut InputQueue<N>,
) -> u32
where
    M: NeuronModel,
    H: SynapseMemory + AxonTable + NeuronMemory<M> + DendriteMemory<M> + WorkMeter,
{
    let mut words = 0u32;
    while let Some(s) = inbox.pop() {
        words = words.saturating_add(deliver_spike::<M, H>(hal, layout, s.axon, s.count, s.step));
    }
    let lost = inbox.take_overflowed();
    if lost > 0 {
        hal.charge(Op::DroppedInput, lost);
    }
    words
}

/// Update neuron `i` for step `step`; returns the spikes it emitted.
///
/// Takes the accumulator of slot `step % slots` (resetting it to the
/// default), charges [`Op::NeuronIdle`] if `M::is_idle` holds for this input
/// and [`Op::NeuronActive`] otherwise, runs `M::update` (always, so an
/// imprecise `is_idle` can only mis-charge, never change behaviour) and, if
/// it spiked, calls [`SpikeOut::send`] and charges [`Op::SpikeOut`] once.
#[inline]
pub fn update_neuron<M, H>(hal: &mut H, i: u32, step: u32, rng: &mut NeuronRng) -> u8
where
    M: NeuronModel,
    H: NeuronMemory<M> + DendriteMemory<M> + SpikeOut + WorkMeter,
{
    let slots = DendriteMemory::<M>::slots(hal);
    let input = if slots == 0 {
        M::Acc::default()
    } else {
        core::mem::take(DendriteMemory::<M>::acc(hal, step % slots, i))
    };
    let mut st = *NeuronMemory::<M>::state(hal, i);
    let p = NeuronMemory::<M>::params(hal, i);
    let idle = M::is_idle(p, &st, &input);
    let spikes = M::update(p, &mut st, &input, rng);
    *NeuronMemory::<M>::state(hal, i) = st;
    hal.charge(
        if idle {
            Op::NeuronIdle
        } else {
            Op::NeuronActive
        },
        1,
    );
    if spikes > 0 {
        hal.send(i, spikes);
        hal.charge(Op::SpikeOut, 1);
    }
    spikes
}

/// Update every neuron of core `core` for step `step`, neuron `i` with the
/// stream `NeuronRng::new(seed, core, i, step)`; returns the total spikes.
pub fn update_all<M, H>(hal: &mut H, seed: u64, core: u32, step: u32) -> u32
where
    M: NeuronModel,
    H: NeuronMemory<M> + DendriteMemory<M> + SpikeOut + WorkMeter,
{
    let mut total = 0u32;
    for i in 0..NeuronMemory::<M>::neurons(hal) {
        let mut rng = NeuronRng::new(seed, core, i, step);
        total = total.saturating_add(u32::from(update_neuron::<M, H>(hal, i, step, &mut rng)));
    }
    total
}
