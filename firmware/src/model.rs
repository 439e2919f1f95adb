//! The one trait every neuron model implements.
//!
//! # Contract
//!
//! A model is a pure function of its parameters, its state, the synaptic
//! input folded for this timestep and a keyed random stream. The runtime
//! calls, for every neuron and every timestep, in this order:
//!
//! 1. [`NeuronModel::accumulate`] once per synaptic event that targets the
//!    neuron for a given future step, in the (deterministic) order the events
//!    arrive. It folds the event into a per-(neuron, step) accumulator
//!    [`NeuronModel::Acc`] without touching the neuron state, so delayed
//!    events can be held in delay slots.
//! 2. [`NeuronModel::update`] exactly once per timestep with the accumulator
//!    of that step (the default accumulator when nothing arrived). It advances
//!    the state one step and returns how many spikes the neuron emits
//!    (0 = none; >1 only for multi-spike models such as Xylo).
//!
//! Both functions must never panic for any parameter built by the model's
//! own constructor and any state reachable from `State::default()`, and must
//! keep every state field inside its declared width.
//!
//! Models are generic-free associated functions (no `&self`): per-neuron
//! parameters live in [`NeuronModel::Params`], so a core can hold a
//! heterogeneous population of one model without any shared mutable state.

use crate::rng::NeuronRng;

/// Register widths a model implements bit-exactly, checked against the
/// architecture's `core.state_bits` (the bit-accurate models exist only at
/// their chip's width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateBits {
    /// Narrowest supported width.
    pub min: u32,
    /// Widest supported width.
    pub max: u32,
}

impl StateBits {
    /// Exactly `bits` wide.
    pub const fn exactly(bits: u32) -> Self {
        StateBits {
            min: bits,
            max: bits,
        }
    }

    /// Any width an architecture may declare: the model's registers have their own
    /// widths and do not follow `core.state_bits`.
    pub const ANY: StateBits = StateBits { min: 1, max: 64 };

    /// True when `bits` is supported.
    pub const fn contains(&self, bits: u32) -> bool {
        bits >= self.min && bits <= self.max
    }
}

/// A per-core memory a model needs besides neuron state, dendrites and synapse
/// words (learning traces, program memory), declared beside the model so that every
/// table learns of it through [`ModelInfo`]. (No architecture capacity exists for such
/// memories yet, so nothing checks them today.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreMemory {
    /// Name, as an architecture's capacity table and reports spell it.
    pub name: &'static str,
    /// Bits per neuron placed on the core.
    pub bits_per_neuron: u32,
    /// Bits per synapse (word) stored on the core.
    pub bits_per_synapse: u32,
    /// Bits per core regardless of what is placed (e.g. a program).
    pub bits_per_core: u32,
}

/// Everything outside the firmware needs to know about a model, stated once beside its
/// code: the architecture validates `core.model`, `core.state_bits` and
/// `core.synapse_memory.channel_bits` against it, and probes name its state fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelInfo {
    /// [`NeuronModel::NAME`].
    pub name: &'static str,
    /// [`NeuronModel::CHANNELS`].
    pub channels: u8,
    /// [`NeuronModel::STATE_BITS`].
    pub state_bits: StateBits,
    /// [`NeuronModel::STATE_FIELDS`].
    pub state_fields: &'static [&'static str],
    /// [`NeuronModel::MEMORIES`].
    pub memories: &'static [CoreMemory],
}

/// A neuron model that a core's firmware can run.
pub trait NeuronModel {
    /// Per-neuron parameters, already in the model's integer units.
    type Params: Clone + core::fmt::Debug;
    /// Per-neuron state registers.
    type State: Copy + Default + PartialEq + core::fmt::Debug;
    /// What the synaptic events of one timestep fold into before the neuron
    /// reads them (a sum, per-channel sums, a composed saturating add, …).
    type Acc: Copy + Default + PartialEq + core::fmt::Debug;

    /// Short machine name used in architecture files (`lif`, `loihi_cuba_lif`, …).
    const NAME: &'static str;
    /// Names of the state registers, in the order [`NeuronModel::state_field`] reads them.
    const STATE_FIELDS: &'static [&'static str];
    /// Number of synaptic input channels (synapse types) the model accepts.
    const CHANNELS: u8;
    /// Widths of `core.state_bits` the model implements (default: any, for a model whose
    /// registers have their own fixed widths).
    const STATE_BITS: StateBits = StateBits::ANY;
    /// Extra per-core memories the model needs (default: none).
    const MEMORIES: &'static [CoreMemory] = &[];
    /// The model's facts in one value (not meant to be overridden).
    const INFO: ModelInfo = ModelInfo {
        name: Self::NAME,
        channels: Self::CHANNELS,
        state_bits: Self::STATE_BITS,
        state_fields: Self::STATE_FIELDS,
        memories: Self::MEMORIES,
    };

    /// Fold one synaptic event (`weight` in the model's weight units, on
    /// `channel` < `CHANNELS`) into the accumulator of its target step.
    fn accumulate(params: &Self::Params, acc: &mut Self::Acc, channel: u8, weight: i32);

    /// Fold like [`NeuronModel::accumulate`] and say whether the fold saturated (the
    /// accumulator could not hold the whole event), so the chip can count the loss
    /// instead of hiding it. Models whose accumulators cannot saturate keep the default.
    #[inline]
    fn accumulate_checked(
        params: &Self::Params,
        acc: &mut Self::Acc,
        channel: u8,
        weight: i32,
    ) -> bool {
        Self::accumulate(params, acc, channel, weight);
        false
    }

    /// Advance one timestep with this step's folded input; returns the spike count.
    fn update(
        params: &Self::Params,
        state: &mut Self::State,
        input: &Self::Acc,
        rng: &mut NeuronRng,
    ) -> u8;

    /// Read state register `i` (index into [`NeuronModel::STATE_FIELDS`]) for probes and traces.
    fn state_field(state: &Self::State, i: usize) -> i64;

    /// True when an update with this input would leave the state unchanged and
    /// emit nothing, so the hardware may charge an *idle* rather than an
    /// *active* neuron update. Conservative default: never idle.
    fn is_idle(_params: &Self::Params, _state: &Self::State, _input: &Self::Acc) -> bool {
        false
    }
}
