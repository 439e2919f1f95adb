//! Event counters: what the energy model multiplies and what reports show.
//!
//! Every counter is an exact event count (no sampling), so two runs of the same image give
//! equal counters whatever the host thread count or event-skipping setting.

use crate::noc::link::HopCounts;
use crate::noc::packet::Packet;
use crate::noc::router::DropReason;

/// Per-core counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoreCounters {
    /// Spikes taken from the input buffer (plus host spikes).
    pub spikes_in: u64,
    /// Synapse words applied to a neuron accumulator.
    pub synaptic_ops: u64,
    /// Synapse-memory words read.
    pub words_read: u64,
    /// Neuron updates charged as active.
    pub neuron_updates_active: u64,
    /// Neuron updates charged as idle.
    pub neuron_updates_idle: u64,
    /// Spikes emitted (a multi-spike neuron counts each spike).
    pub spikes_out: u64,
    /// Packets the packetiser put into the router.
    pub packets_injected: u64,
    /// Events added by on-core Poisson generators (not synaptic ops).
    pub poisson_events: u64,
    /// Most packets ever waiting in the core input buffer.
    pub input_buffer_high_water: u32,
    /// Cycles the neuron unit or packetiser waited for the network.
    pub stall_cycles: u64,
    /// Incoming spikes whose axon (or multicast key) the core does not know.
    pub unmapped_axon: u64,
    /// Synapse delays beyond the delay slots (clamped).
    pub delay_overflow: u64,
    /// Input spikes the firmware refused.
    pub dropped_input: u64,
    /// Synaptic events the accumulator could not hold in full (applied saturated).
    pub saturated: u64,
    /// Cycles the input or neuron unit was doing work (the two overlap, each counts).
    pub busy_cycles: u64,
}

/// Per-port router counters; index = port (0–5 links E NE N W SW S, 6 + k local core k).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortCounters {
    /// Flits that left through this output.
    pub flits: u64,
    /// Packets (head flits) that left through this output.
    pub packets: u64,
    /// Cycles in which this output moved at least one flit.
    pub busy_cycles: u64,
    /// Cycles in which a flit wanted this output and none moved (credits, serialiser, or the
    /// core buffer full; includes heads waiting for the wormhole lock).
    pub stall_cycles: u64,
    /// Packets dropped at this port.
    pub drops: u64,
    /// Most flits ever held by this port's input buffer (including flits on the wire to it).
    pub buffer_high_water: u32,
}

/// Counters of one router.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouterCounters {
    /// Per port.
    pub ports: Vec<PortCounters>,
}

/// One lost packet, located.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DropRecord {
    /// Timestep.
    pub step: u32,
    /// Absolute cycle.
    pub cycle: u64,
    /// Router (tile id).
    pub router: u32,
    /// Port: the blocked output for `Overflow`/`NoLink`, the input for `TableMissLocal`.
    pub port: u32,
    /// Why.
    pub reason: DropReason,
    /// The packet.
    pub pkt: Packet,
}

/// Dropped packets: totals and the first [`DropLog::CAPACITY`] records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DropLog {
    /// All drops (a multicast copy dropped on one output counts once).
    pub total: u64,
    /// The first drops, in order.
    pub first: Vec<DropRecord>,
}

impl DropLog {
    /// Records kept in full.
    pub const CAPACITY: usize = 100;

    pub(crate) fn push(&mut self, r: DropRecord) {
        self.total += 1;
        if self.first.len() < Self::CAPACITY {
            self.first.push(r);
        }
    }
}

/// Event counts per energy class (the order of [`crate::energy::CLASSES`] minus `static`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClassCounts {
    /// Synaptic ops.
    pub synaptic_op: u64,
    /// Active neuron updates.
    pub neuron_update_active: u64,
    /// Idle neuron updates.
    pub neuron_update_idle: u64,
    /// Spikes out.
    pub spike_out: u64,
    /// Packets injected.
    pub packet_inject: u64,
    /// Hops per class.
    pub hops: HopCounts,
    /// Synapse words read.
    pub word_read: u64,
    /// Barriers × tiles.
    pub barrier_tiles: u64,
}

/// One timestep's totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepRecord {
    /// Timestep.
    pub step: u32,
    /// Cycles including the barrier.
    pub cycles: u64,
    /// Spikes emitted.
    pub spikes: u64,
    /// Synaptic ops.
    pub synaptic_ops: u64,
    /// Packets injected.
    pub packets: u64,
    /// Hops (all classes).
    pub hops: u64,
    /// Drops.
    pub drops: u64,
    /// Event counts per energy class in this step.
    pub classes: ClassCounts,
    /// Energy of this step per class (joules, same names as [`crate::energy::CLASSES`]).
    pub energy_j: Vec<(&'static str, f64)>,
}

/// Everything counted so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counters {
    /// Per core.
    pub cores: Vec<CoreCounters>,
    /// Per router (tile).
    pub routers: Vec<RouterCounters>,
    /// Packet hops per class.
    pub hops: HopCounts,
    /// Dropped packets.
    pub drops: DropLog,
    /// Barriers run (one per step).
    pub barriers: u64,
    /// Per timestep.
    pub steps: Vec<StepRecord>,
}

impl Counters {
    /// Totals over the whole run, per energy class.
    pub fn class_counts(&self, tiles: u32) -> ClassCounts {
        let mut c = ClassCounts {
            hops: self.hops,
            barrier_tiles: self.barriers * u64::from(tiles),
            ..Default::default()
        };
        for k in &self.cores {
            c.synaptic_op += k.synaptic_ops;
            c.neuron_update_active += k.neuron_updates_active;
            c.neuron_update_idle += k.neuron_updates_idle;
            c.spike_out += k.spikes_out;
            c.packet_inject += k.packets_injected;
            c.word_read += k.words_read;
        }
        c
    }
}
