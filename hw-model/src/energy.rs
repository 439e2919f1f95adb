//! Energy: event counts × the architecture's per-event figures, plus static power.
//!
//! `dynamic = Σ count(class) × pJ(class)`, `static = watts × chips × simulated seconds`.
//! Everything is derived from [`crate::counters`], so energy never depends on host timing.

use neurochip_arch::Architecture;

use crate::counters::ClassCounts;

/// Energy class names, in report order.
pub const CLASSES: [&str; 12] = [
    "synaptic_op",
    "neuron_update_active",
    "neuron_update_idle",
    "spike_out",
    "packet_inject",
    "hop_local",
    "hop_ew",
    "hop_ns",
    "hop_offchip",
    "word_read",
    "barrier",
    "static",
];

/// Energy of a run (or one step), by class and by component.
#[derive(Clone, Debug, PartialEq)]
pub struct EnergyReport {
    /// Joules per class, names as [`CLASSES`].
    pub by_class: Vec<(&'static str, f64)>,
    /// All classes but `static`.
    pub dynamic_j: f64,
    /// Static power × chips × time.
    pub static_j: f64,
    /// `dynamic_j + static_j`.
    pub total_j: f64,
    /// Synaptic ops, neuron updates, spike generation and word reads.
    pub cores_j: f64,
    /// Packet injection and hops.
    pub routers_j: f64,
    /// Barriers.
    pub barrier_j: f64,
}

impl EnergyReport {
    /// Energy of `counts` over `cycles` simulated cycles on `arch`.
    pub fn from_counts(arch: &Architecture, counts: &ClassCounts, cycles: u64) -> Self {
        let e = &arch.energy;
        let pj = |n: u64, f: f64| n as f64 * f * 1e-12;
        let per = [
            pj(counts.synaptic_op, e.synaptic_op.pj),
            pj(counts.neuron_update_active, e.neuron_update_active.pj),
            pj(counts.neuron_update_idle, e.neuron_update_idle.pj),
            pj(counts.spike_out, e.spike_out.pj),
            pj(counts.packet_inject, e.packet_inject.pj),
            pj(counts.hops.local, e.hop_local.pj),
            pj(counts.hops.ew, e.hop_ew.pj),
            pj(counts.hops.ns, e.hop_ns.pj),
            pj(counts.hops.offchip, e.hop_offchip.pj),
            pj(counts.word_read, e.word_read.pj),
            pj(counts.barrier_tiles, e.barrier_per_tile.pj),
        ];
        let static_j =
            e.static_watts_per_chip.watts * f64::from(arch.chips()) * arch.seconds(cycles);
        let dynamic_j: f64 = per.iter().sum();
        let by_class = CLASSES
            .iter()
            .copied()
            .zip(per.iter().copied().chain([static_j]))
            .collect();
        EnergyReport {
            by_class,
            dynamic_j,
            static_j,
            total_j: dynamic_j + static_j,
            cores_j: per[0] + per[1] + per[2] + per[3] + per[9],
            routers_j: per[4..9].iter().sum(),
            barrier_j: per[10],
        }
    }

    /// Joules of class `name` (0 for an unknown name).
    pub fn class(&self, name: &str) -> f64 {
        self.by_class
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0.0, |(_, j)| *j)
    }
}
