//! The architecture description: what a hardware architect writes in TOML.
//!
//! Every struct denies unknown fields so that a typo is an error, not a
//! silently ignored knob. Units are in the field names (`_cycles`, `_hz`,
//! `_pj`, `_bits`, `_flits`). Validation of ranges and cross-field rules is in
//! [`crate::validate`].

use serde::{Deserialize, Serialize};

pub use crate::model::ModelKind;

/// A whole system: one or more identical chips joined by off-chip links.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Architecture {
    /// Short name (`loihi`, `default`, …).
    pub name: String,
    /// One-line description shown by `neurochip arch list`.
    #[serde(default)]
    pub description: String,
    /// Core clock in hertz; cycles become seconds through it.
    pub clock_hz: f64,
    /// How chips, tiles and cores are arranged.
    pub topology: Topology,
    /// Every core of the system is of this kind.
    pub core: Core,
    /// Every tile has one router of this kind.
    pub router: Router,
    /// On-chip and off-chip links.
    pub link: Links,
    /// End-of-timestep synchronisation.
    pub barrier: Barrier,
    /// Energy per operation class, each with its source.
    pub energy: EnergyTable,
}

/// Mesh shape of the system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// Chips along x (each chip is a `tiles_x` × `tiles_y` mesh).
    #[serde(default = "one")]
    pub chips_x: u32,
    /// Chips along y.
    #[serde(default = "one")]
    pub chips_y: u32,
    /// Tiles per chip along x.
    pub tiles_x: u32,
    /// Tiles per chip along y.
    pub tiles_y: u32,
    /// Cores sharing one router.
    pub cores_per_tile: u32,
    /// `mesh` (4 neighbours, N/E/S/W) or `hex` (SpiNNaker's 6 links, E NE N W SW S).
    #[serde(default)]
    pub kind: MeshKind,
    /// Wrap-around links at the system edges (SpiNNaker's torus).
    #[serde(default)]
    pub torus: bool,
    /// Chips along x of the board the system sits on: a network that does not
    /// fit `chips_x` × `chips_y` is mapped again on more chips, up to this
    /// limit, as NxSDK allocates the chips of a Loihi board a network needs.
    /// `None` (the default) fixes the system at `chips_x` × `chips_y`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chips_x: Option<u32>,
    /// Chips along y of the board (see `max_chips_x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chips_y: Option<u32>,
}

fn one() -> u32 {
    1
}

/// Neighbour pattern of the routers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeshKind {
    /// 2-D mesh with north, east, south and west links.
    #[default]
    Mesh,
    /// Triangular mesh with six links (E, NE, N, W, SW, S), as SpiNNaker.
    Hex,
}

/// A neuromorphic core: neuron memory, synapse memory, axon tables, pipeline costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Core {
    /// Neuron model run by the firmware.
    pub model: ModelKind,
    /// Neurons (compartments) per core.
    pub neurons: u32,
    /// Width of the membrane-potential register, in bits.
    pub state_bits: u32,
    /// Synapse memory.
    pub synapse_memory: SynapseMemory,
    /// Input axons per core (distinct sources whose spikes it can receive).
    pub axons_in: u32,
    /// Output axons per core (fan-out entries: distinct destinations of its neurons' spikes).
    pub axons_out: u32,
    /// Input spike buffer depth, in spikes.
    pub input_buffer: u32,
    /// Delay slots of the dendritic accumulators (max delay + 1), in timesteps.
    pub delay_slots: u32,
    /// Cycles per pipeline operation.
    pub cycles: CoreCycles,
    /// Binary crossbar (TrueNorth): synapse words hold one bit per neuron.
    #[serde(default)]
    pub crossbar: bool,
}

/// Synapse memory geometry and word layout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynapseMemory {
    /// Words of synapse memory per core.
    pub words: u32,
    /// Bits per word (≤ 64).
    pub word_bits: u32,
    /// Signed weight field width.
    pub weight_bits: u32,
    /// Delay field width (0 = no programmable delay).
    pub delay_bits: u32,
    /// Synapse-type (channel) field width.
    #[serde(default)]
    pub channel_bits: u32,
    /// Target neuron index field width.
    pub target_bits: u32,
    /// Words the pipeline reads per cycle (ports × banks).
    #[serde(default = "one")]
    pub words_per_cycle: u32,
}

/// Pipeline operation costs, in core cycles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoreCycles {
    /// Taking one spike from the input buffer and looking up its axon row.
    pub spike_in: u32,
    /// Processing one synapse word (read + accumulate).
    pub synapse_word: u32,
    /// Updating one neuron that had input or non-rest state.
    pub neuron_update_active: u32,
    /// Updating one idle neuron.
    pub neuron_update_idle: u32,
    /// Generating one output spike and handing it to the packetiser.
    pub spike_out: u32,
}

/// A spike router.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Router {
    /// `xy` dimension-order unicast or `multicast` key/mask tables.
    pub routing: Routing,
    /// Multicast table entries (ignored for `xy`).
    #[serde(default)]
    pub table_entries: u32,
    /// Input buffer depth per port, in flits.
    pub buffer_flits: u32,
    /// Bits per flit.
    pub flit_bits: u32,
    /// Flits per spike packet.
    pub packet_flits: u32,
    /// Cycles from a head flit's arrival to its departure on a free output (route + switch).
    pub pipeline_cycles: u32,
    /// Switch arbitration between input ports.
    #[serde(default)]
    pub arbitration: Arbitration,
    /// What a full buffer does: back-pressure (lossless) or drop (counted, located).
    #[serde(default)]
    pub overflow: Overflow,
}

/// Routing scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Routing {
    /// Dimension-order (x then y) unicast, one packet per destination core.
    Xy,
    /// SpiNNaker-style key/mask multicast with default routing.
    Multicast,
}

/// Switch arbitration policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arbitration {
    /// Rotating priority over input ports.
    #[default]
    RoundRobin,
}

/// Behaviour when a downstream buffer is full.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Overflow {
    /// Credit-based flow control: the sender waits (lossless).
    #[default]
    Backpressure,
    /// The packet is dropped; each drop is counted and located.
    Drop,
}

/// Link parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Links {
    /// Cycles a flit spends on an east–west on-chip link.
    pub latency_ew_cycles: u32,
    /// Cycles a flit spends on a north–south (or diagonal) on-chip link.
    pub latency_ns_cycles: u32,
    /// Flits an on-chip link carries per cycle.
    #[serde(default = "one")]
    pub width_flits: u32,
    /// Cycles a flit spends on an off-chip link.
    pub offchip_latency_cycles: u32,
    /// Cycles between flits on an off-chip link (serialisation).
    #[serde(default = "one")]
    pub offchip_cycles_per_flit: u32,
}

/// Timestep barrier cost: `base_cycles + per_tile_cycles × tiles`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Barrier {
    /// Fixed part of the barrier, in cycles.
    pub base_cycles: u32,
    /// Part that grows with the number of tiles, in cycles per tile.
    pub per_tile_cycles: f64,
}

/// One energy figure with where it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyFigure {
    /// Energy in picojoules per operation.
    pub pj: f64,
    /// Citation (paper, table, model file) for the figure.
    pub source: String,
    /// `paper`, `model` (a software model's calibration) or `check` (secondary, unverified).
    pub confidence: Confidence,
}

/// How much a figure can be trusted (see `shared/reference/energy.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Read in the primary source.
    Paper,
    /// A public software model's calibration.
    Model,
    /// Recalled or secondary; verify before relying on it.
    Check,
    /// Chosen for a hypothetical chip; no source claims it.
    Assumed,
}

/// Energy per operation class (pJ) and static power.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyTable {
    /// One synaptic operation (one synapse word applied to a neuron).
    pub synaptic_op: EnergyFigure,
    /// One neuron update with input or non-rest state.
    pub neuron_update_active: EnergyFigure,
    /// One idle neuron update.
    pub neuron_update_idle: EnergyFigure,
    /// Generating one spike (soma output).
    pub spike_out: EnergyFigure,
    /// Injecting one packet into the network (message out).
    pub packet_inject: EnergyFigure,
    /// A packet delivered to a core within the same tile.
    pub hop_local: EnergyFigure,
    /// One tile hop east–west.
    pub hop_ew: EnergyFigure,
    /// One tile hop north–south (or diagonal on a hex mesh).
    pub hop_ns: EnergyFigure,
    /// One off-chip link traversal.
    pub hop_offchip: EnergyFigure,
    /// One synapse-memory word read.
    pub word_read: EnergyFigure,
    /// One barrier, per tile.
    pub barrier_per_tile: EnergyFigure,
    /// Static power per chip, in watts (`pj` holds watts × 1e12 would be odd, so this is W).
    pub static_watts_per_chip: StaticPower,
}

/// Static (leakage and clock) power of one chip.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticPower {
    /// Watts per chip.
    pub watts: f64,
    /// Citation.
    pub source: String,
    /// Confidence.
    pub confidence: Confidence,
}
