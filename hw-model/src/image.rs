//! What the mapper writes and the chip loads: per-core memory images,
//! routing tables and the stimulus schedule.
//!
//! A [`ChipImage`] is generic over the neuron model because every core of an
//! architecture runs the same firmware model; the binary dispatches on
//! `neurochip_arch::schema::ModelKind` once, at the top.

use bitvec::field::BitField;
use bitvec::order::Lsb0;
use bitvec::vec::BitVec;
use neurochip_firmware::hal::{mask, WordLayout};
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

/// A core's synapse memory as the chip's SRAM holds it: words of `word_bits` bits (any
/// width from 1 to 64, e.g. 13 or 21) packed back to back in a bit-addressed array
/// (`bitvec`), so word `i` occupies bits `i·word_bits .. (i + 1)·word_bits` and a row of
/// words starting at word `a` starts at bit offset `a·word_bits`. Capacity is counted in
/// bits ([`SynapseWords::bits`]) as the chip's is.
///
/// Writes go through `bitvec`; [`SynapseWords::get`] is the read path of the input unit's
/// hot loop (at most two 64-bit loads and a shift), held to `bitvec`'s own `load_le` by a
/// property test.
#[derive(Clone, Debug, Default)]
pub struct SynapseWords {
    word_bits: u32,
    len: usize,
    /// Whole 64-bit elements, zero past the last word (their length only grows).
    bits: BitVec<u64, Lsb0>,
}

/// Bits needed to hold `w` (at least 1).
fn bits_of(w: u64) -> u32 {
    (64 - w.leading_zeros()).max(1)
}

/// `bits` rounded up to whole 64-bit elements.
fn whole(bits: usize) -> usize {
    bits.div_ceil(64) * 64
}

impl SynapseWords {
    /// Empty memory for words of `word_bits` bits (clamped to 1..=64).
    pub fn for_bits(word_bits: u32) -> Self {
        Self::with_capacity(word_bits, 0)
    }

    /// Empty memory for `n` words of `word_bits` bits, allocated once.
    pub fn with_capacity(word_bits: u32, n: usize) -> Self {
        let word_bits = word_bits.clamp(1, 64);
        SynapseWords {
            word_bits,
            len: 0,
            bits: BitVec::repeat(false, whole(n * word_bits as usize)),
        }
    }

    /// Width of one word, in bits.
    pub fn word_bits(&self) -> u32 {
        self.word_bits
    }

    /// Bits the words occupy.
    pub fn bits(&self) -> u64 {
        self.len as u64 * u64::from(self.word_bits)
    }

    /// Append a word at bit offset `len · word_bits`. A word wider than the memory's words
    /// widens every word (never truncates); a mapper sizes the memory so that this does
    /// not happen.
    #[inline]
    pub fn push(&mut self, w: u64) {
        if w & !mask(self.word_bits) != 0 || self.word_bits == 0 {
            self.widen(bits_of(w).max(self.word_bits));
        }
        let n = self.word_bits as usize;
        let at = self.len * n;
        if at + n > self.bits.len() {
            let grown = whole((at + n).max(2 * self.bits.len()));
            self.bits.resize(grown, false);
        }
        let raw = self.bits.as_raw_mut_slice();
        let (k, sh) = (at / 64, (at % 64) as u32);
        raw[k] |= w << sh;
        if sh as usize + n > 64 {
            raw[k + 1] |= w >> (64 - sh);
        }
        self.len += 1;
    }

    /// Re-pack every word at `word_bits` bits.
    fn widen(&mut self, word_bits: u32) {
        let words: Vec<u64> = self.iter().collect();
        *self = SynapseWords::with_capacity(word_bits, words.len());
        for w in words {
            self.push(w);
        }
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the memory holds no word.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Word `i`, if present: the `word_bits` bits at bit offset `i·word_bits`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<u64> {
        if i >= self.len {
            return None;
        }
        let raw = self.bits.as_raw_slice();
        let o = i * self.word_bits as usize;
        let (k, sh) = (o / 64, (o % 64) as u32);
        let mut v = raw[k] >> sh;
        if sh + self.word_bits > 64 {
            v |= raw[k + 1] << (64 - sh);
        }
        Some(v & mask(self.word_bits))
    }

    /// Word `i` read through `bitvec`'s bit-range load (the slow, obvious twin of
    /// [`SynapseWords::get`] and of the writes of [`SynapseWords::push`]).
    pub fn get_via_bitvec(&self, i: usize) -> Option<u64> {
        let n = self.word_bits as usize;
        (i < self.len).then(|| self.bits[i * n..(i + 1) * n].load_le::<u64>())
    }

    /// Every word, in address order.
    pub fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        (0..self.len).map(move |i| self.get(i).unwrap_or(0))
    }

    /// Words `range` as a vector (for tests and tools).
    pub fn slice(&self, range: std::ops::Range<usize>) -> Vec<u64> {
        range.filter_map(|i| self.get(i)).collect()
    }
}

impl PartialEq for SynapseWords {
    /// Same width and the same words (spare capacity aside).
    fn eq(&self, o: &Self) -> bool {
        self.word_bits == o.word_bits && self.len == o.len && self.iter().eq(o.iter())
    }
}

impl Eq for SynapseWords {}

impl From<Vec<u64>> for SynapseWords {
    /// Words as wide as the widest of them.
    fn from(w: Vec<u64>) -> Self {
        let bits = w.iter().map(|&x| bits_of(x)).max().unwrap_or(1);
        let mut m = SynapseWords::with_capacity(bits, w.len());
        for x in w {
            m.push(x);
        }
        m
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
