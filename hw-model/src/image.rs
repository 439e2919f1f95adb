//! What the mapper writes and the chip loads: per-core memory images,
//! routing tables and the stimulus schedule.
//!
//! A [`ChipImage`] is generic over the neuron model because every core of an
//! architecture runs the same firmware model; the binary dispatches on
//! `neurochip_arch::schema::ModelKind` once, at the top.

use neurochip_firmware::hal::WordLayout;
use neurochip_firmware::NeuronModel;

/// Index of a core in the whole system: `tile × cores_per_tile + slot`, where tiles are numbered
/// row-major over the whole system grid (see `neurochip_arch::Architecture::tile_xy`).
pub type CoreId = u32;

/// Where a neuron's spike must go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dest {
    /// One packet to input axon `axon` of core `core` (XY routing).
    Unicast {
        /// Destination core.
        core: CoreId,
        /// Input axon on that core.
        axon: u32,
    },
    /// One packet with routing key `key`; the routers' tables decide where copies go,
    /// and each receiving core maps the key to its axon through `CoreImage::key_axons`.
    Multicast {
        /// Routing key.
        key: u32,
    },
}

/// One row of a core's input axon table: a run of synapse words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AxonRow {
    /// First word in synapse memory.
    pub start: u32,
    /// Number of words.
    pub len: u32,
}

/// An on-core Poisson generator (a Loihi-style noise/stimulus unit): adds
/// `Poisson(lambda)` events of `weight` to one neuron every step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoissonDrive {
    /// Local neuron index.
    pub neuron: u32,
    /// Mean events per step.
    pub lambda: f64,
    /// Weight per event, in the model's weight units.
    pub weight: i32,
    /// Synaptic channel.
    pub channel: u8,
}

/// A spike injected from the host (an off-chip source) straight into a core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HostSpike {
    /// Step at which the event is integrated.
    pub step: u32,
    /// Destination core.
    pub core: CoreId,
    /// Input axon on that core.
    pub axon: u32,
}

/// The memory image of one core.
#[derive(Clone, Debug)]
pub struct CoreImage<M: NeuronModel> {
    /// Per local neuron: parameters.
    pub params: Vec<M::Params>,
    /// Per local neuron: initial state.
    pub init: Vec<M::State>,
    /// Per local neuron: global network neuron id (for recording).
    pub global_ids: Vec<u32>,
    /// Input axon table.
    pub axons: Vec<AxonRow>,
    /// Multicast key → input axon, sorted by key (empty under XY routing).
    pub key_axons: Vec<(u32, u32)>,
    /// Synapse memory words (each `layout.word_bits()` wide, stored in a u64).
    pub synapse_words: Vec<u64>,
    /// How a synapse word is laid out.
    pub layout: WordLayout,
    /// Per local neuron: range into `dests` (start, len).
    pub fanout: Vec<(u32, u32)>,
    /// Spike destinations, indexed by `fanout`.
    pub dests: Vec<Dest>,
    /// On-core Poisson drive.
    pub poisson: Vec<PoissonDrive>,
}

/// One multicast routing-table entry of a router.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct McEntry {
    /// Key to match after masking.
    pub key: u32,
    /// Mask applied to the packet key.
    pub mask: u32,
    /// Output ports as SpiNNaker's route word: bits 0–5 the links E, NE, N, W, SW, S (a square
    /// mesh uses E, N, W, S only), bit 6 + k the k-th core of the router's tile.
    pub ports: u32,
}

/// Everything a chip (or multi-chip system) needs to run a mapped network.
#[derive(Clone, Debug)]
pub struct ChipImage<M: NeuronModel> {
    /// Per core (index = `CoreId`); unused cores have no neurons.
    pub cores: Vec<CoreImage<M>>,
    /// Per router (index = global tile id): multicast table, first match wins.
    pub router_tables: Vec<Vec<McEntry>>,
    /// Host-injected spikes, sorted by step.
    pub host_spikes: Vec<HostSpike>,
    /// Master seed for all keyed random streams.
    pub seed: u64,
}
