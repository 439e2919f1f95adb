//! A counting fake of the learning HAL over caller-owned slices (no
//! allocator): an all-to-all synapse group like Lava's `LearningDense`, for
//! tests, the trace replay and the `probe/` no_std binary.

use super::eval::SynVars;
use super::hal::{
    LearnMeter, LearnOp, PlasticSynapse, PlasticSynapses, PostFactors, PostTrace, PreTrace,
    TraceMemory,
};
use crate::hal::Row;

/// A dense group: synapse `(post j, pre i)` lives at address `i · posts + j`,
/// so pre neuron `i`'s row is `posts` consecutive words.
#[derive(Debug)]
pub struct DenseHal<'a> {
    /// Pre-synaptic trace registers.
    pub pre: &'a mut [PreTrace],
    /// Post-synaptic trace registers.
    pub post: &'a mut [PostTrace],
    /// Synaptic variables, pre-major (`pre.len() · post.len()` of them).
    pub syn: &'a mut [SynVars],
    /// What the post neurons send this step (three-factor rules); missing
    /// entries read as zeros.
    pub factors: &'a [[i32; 3]],
    /// What the engine charged, indexed by [`LearnOp::index`].
    pub charged: [u64; LearnOp::ALL.len()],
    /// Synapse reads actually made.
    pub reads: u64,
    /// Synapse writes actually made.
    pub writes: u64,
}

impl<'a> DenseHal<'a> {
    /// A group over these registers; `syn` should hold `pre.len() · post.len()`
    /// synapses (the rows stop where it ends).
    pub fn new(
        pre: &'a mut [PreTrace],
        post: &'a mut [PostTrace],
        syn: &'a mut [SynVars],
        factors: &'a [[i32; 3]],
    ) -> Self {
        DenseHal {
            pre,
            post,
            syn,
            factors,
            charged: [0; LearnOp::ALL.len()],
            reads: 0,
            writes: 0,
        }
    }

    /// Total charged for `op`.
    pub fn count(&self, op: LearnOp) -> u64 {
        self.charged[op.index()]
    }
}

impl TraceMemory for DenseHal<'_> {
    fn pre_count(&self) -> u32 {
        self.pre.len() as u32
    }
    fn post_count(&self) -> u32 {
        self.post.len() as u32
    }
    fn pre(&mut self, i: u32) -> &mut PreTrace {
        &mut self.pre[i as usize]
    }
    fn post(&mut self, j: u32) -> &mut PostTrace {
        &mut self.post[j as usize]
    }
}

impl PostFactors for DenseHal<'_> {
    fn post_factors(&mut self, j: u32) -> [i32; 3] {
        self.factors.get(j as usize).copied().unwrap_or([0; 3])
    }
}

impl PlasticSynapses for DenseHal<'_> {
    fn row(&mut self, pre: u32) -> Row {
        let posts = self.post.len() as u32;
        let start = pre.saturating_mul(posts);
        let end = (start.saturating_add(posts) as usize).min(self.syn.len()) as u32;
        Row {
            start,
            len: end.saturating_sub(start),
        }
    }
    fn read(&mut self, addr: u32) -> PlasticSynapse {
        self.reads += 1;
        let posts = self.post.len().max(1) as u32;
        PlasticSynapse {
            post: addr % posts,
            vars: self.syn.get(addr as usize).copied().unwrap_or_default(),
        }
    }
    fn write(&mut self, addr: u32, vars: SynVars) {
        if let Some(s) = self.syn.get_mut(addr as usize) {
            self.writes += 1;
            *s = vars;
        }
    }
}

impl LearnMeter for DenseHal<'_> {
    fn charge(&mut self, op: LearnOp, n: u32) {
        self.charged[op.index()] += u64::from(n);
    }
}
