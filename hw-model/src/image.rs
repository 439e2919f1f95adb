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

/// A core's synapse memory: 32-bit cells when the words fit (the usual case), else 64-bit.
///
/// Storing a 32-bit word in 32 bits halves the memory of the largest structure
/// of a mapped network (one word per synapse), which is what keeps a run under
/// 16 bytes per synapse at its peak.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SynapseWords {
    /// Words of at most 32 bits.
    Narrow(Vec<u32>),
    /// Words of 33 to 64 bits.
    Wide(Vec<u64>),
}

impl Default for SynapseWords {
    fn default() -> Self {
        SynapseWords::Narrow(Vec::new())
    }
}

impl SynapseWords {
    /// Empty memory for words of `word_bits` bits.
    pub fn for_bits(word_bits: u32) -> Self {
        if word_bits <= 32 {
            SynapseWords::Narrow(Vec::new())
        } else {
            SynapseWords::Wide(Vec::new())
        }
    }

    /// Empty memory for `n` words of `word_bits` bits, allocated once.
    pub fn with_capacity(word_bits: u32, n: usize) -> Self {
        if word_bits <= 32 {
            SynapseWords::Narrow(Vec::with_capacity(n))
        } else {
            SynapseWords::Wide(Vec::with_capacity(n))
        }
    }

    /// Append a word; a word wider than 32 bits turns narrow storage wide (never truncates).
    pub fn push(&mut self, w: u64) {
        match self {
            SynapseWords::Narrow(v) => {
                if w >> 32 == 0 {
                    v.push(w as u32);
                } else {
                    let mut wide: Vec<u64> = v.iter().map(|&x| u64::from(x)).collect();
                    wide.push(w);
                    *self = SynapseWords::Wide(wide);
                }
            }
            SynapseWords::Wide(v) => v.push(w),
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        match self {
            SynapseWords::Narrow(v) => v.len(),
            SynapseWords::Wide(v) => v.len(),
        }
    }

    /// True when the memory holds no word.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Word `i`, if present.
    #[inline]
    pub fn get(&self, i: usize) -> Option<u64> {
        match self {
            SynapseWords::Narrow(v) => v.get(i).map(|&x| u64::from(x)),
            SynapseWords::Wide(v) => v.get(i).copied(),
        }
    }

    /// Every word, in address order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.len()).map(move |i| self.get(i).unwrap_or(0))
    }

    /// Words `range` as a vector (for tests and tools).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Vec<u64> {
        range.filter_map(|i| self.get(i)).collect()
    }
}

impl From<Vec<u64>> for SynapseWords {
    fn from(w: Vec<u64>) -> Self {
        if w.iter().all(|&x| x >> 32 == 0) {
            SynapseWords::Narrow(w.into_iter().map(|x| x as u32).collect())
        } else {
            SynapseWords::Wide(w)
        }
    }
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
    /// Synapse memory words (each `layout.word_bits()` wide).
    pub synapse_words: SynapseWords,
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
