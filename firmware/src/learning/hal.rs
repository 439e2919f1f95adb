//! The hardware resources the learning engine touches, one trait each, with
//! written contracts (the same style as [`crate::hal`]).
//!
//! A core with plastic synapses implements these beside the inference HAL:
//! trace memory (per-neuron trace registers of the synapse group), the
//! third-factor inputs of its post neurons, the plastic synapse memory (the
//! learnable fields of every synapse, read and written back word by word),
//! and a meter for learning work. Shared rules:
//! - The engine only asks for `pre < pre_count()`, `post < post_count()` and
//!   addresses inside rows [`PlasticSynapses::row`] returned.
//! - Resource methods never charge the meter; the engine charges exactly one
//!   [`LearnOp`] per unit of work.

use super::eval::SynVars;
use crate::hal::Row;

/// The trace registers of one pre-synaptic neuron.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PreTrace {
    /// `x1`, `x2`.
    pub x: [i32; 2],
    /// Within-epoch step of the last spike (`tx`, 0 = none this epoch; 6 bits).
    pub t: u8,
}

/// The trace registers of one post-synaptic neuron.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PostTrace {
    /// `y1`, `y2`, `y3`.
    pub y: [i32; 3],
    /// Within-epoch step of the last spike (`ty`, 0 = none this epoch; 6 bits).
    pub t: u8,
}

/// Trace memory of one synapse group.
///
/// Contract: `pre(i)` only for `i < pre_count()`, `post(j)` only for
/// `j < post_count()`; the returned registers persist between calls.
pub trait TraceMemory {
    /// Pre-synaptic neurons of the group.
    fn pre_count(&self) -> u32;
    /// Post-synaptic neurons of the group.
    fn post_count(&self) -> u32;
    /// The traces of pre neuron `i`.
    fn pre(&mut self, i: u32) -> &mut PreTrace;
    /// The traces of post neuron `j`.
    fn post(&mut self, j: u32) -> &mut PostTrace;
}

/// What three-factor post neurons send each step (Lava's `s_out_y1..y3`).
///
/// Contract: called once per post neuron per step, after the neuron's
/// update, only for a group whose configuration says `three_factor`.
pub trait PostFactors {
    /// `y1, y2, y3` as post neuron `j` sends them this step.
    fn post_factors(&mut self, j: u32) -> [i32; 3];
}

/// One plastic synapse as [`PlasticSynapses::read`] returns it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlasticSynapse {
    /// Local post-neuron index (`< TraceMemory::post_count()`).
    pub post: u32,
    /// Its learnable variables.
    pub vars: SynVars,
}

/// The learnable fields of the group's synapse memory.
///
/// Contract: `row(i)` is the run of synapse addresses of pre neuron `i`
/// (possibly empty); `read` and `write` take addresses inside such a row. A
/// read followed by a write of the same address is one read-modify-write of
/// the synapse word. An out-of-range address reads a default synapse and
/// ignores the write, never panics.
pub trait PlasticSynapses {
    /// The synapses of pre neuron `i`.
    fn row(&mut self, pre: u32) -> Row;
    /// Read the synapse at `addr`.
    fn read(&mut self, addr: u32) -> PlasticSynapse;
    /// Write back the synapse's learnable variables.
    fn write(&mut self, addr: u32, vars: SynVars);
}

/// A unit of learning work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LearnOp {
    /// One stochastic decay step of one trace register (traces with `tau = 0`
    /// are wiped, not decayed, and not charged).
    TraceDecay,
    /// One impulse added to one trace register.
    TraceImpulse,
    /// One synaptic variable updated for one synapse (accumulate, round, clip).
    SynapseEval,
    /// One product term evaluated for one synapse.
    ProductTerm,
    /// One synapse word read, modified and written back.
    SynapseWrite,
}

impl LearnOp {
    /// Every op, in declaration order (index = [`LearnOp::index`]).
    pub const ALL: [LearnOp; 5] = [
        LearnOp::TraceDecay,
        LearnOp::TraceImpulse,
        LearnOp::SynapseEval,
        LearnOp::ProductTerm,
        LearnOp::SynapseWrite,
    ];

    /// Dense index for per-op counter arrays.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Lower-case name for reports.
    pub const fn name(self) -> &'static str {
        match self {
            LearnOp::TraceDecay => "trace_decay",
            LearnOp::TraceImpulse => "trace_impulse",
            LearnOp::SynapseEval => "synapse_eval",
            LearnOp::ProductTerm => "product_term",
            LearnOp::SynapseWrite => "synapse_write",
        }
    }
}

/// Where the engine reports learning work.
///
/// Contract: `charge(op, n)` records `n` occurrences of `op` (n may be 0).
pub trait LearnMeter {
    /// Record `n` units of `op`.
    fn charge(&mut self, op: LearnOp, n: u32);
}
