//! A counting fake of every HAL resource, on fixed-size arrays (no allocator),
//! so the runtime and the models can be tested on the host and in the
//! `probe/` no_std binary exactly as the chip will drive them.

use crate::hal::{
    AxonTable, DendriteMemory, NeuronMemory, Op, Row, SpikeOut, SynapseMemory, WorkMeter,
};
use crate::queue::SpikeQueue;
use crate::NeuronModel;

/// Accesses per resource (independent of what the runtime charged, so a test
/// can check the runtime's charges against what it really touched).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accesses {
    /// `read_word` calls.
    pub word_reads: u64,
    /// `read_word` calls outside the `W` words (answered with 0).
    pub bad_word_reads: u64,
    /// `row` look-ups.
    pub row_lookups: u64,
    /// `state` calls.
    pub state_accesses: u64,
    /// `acc` calls.
    pub acc_accesses: u64,
    /// `send` calls.
    pub sends: u64,
    /// `send` calls lost because the outbox was full.
    pub outbox_overflow: u64,
}

/// `N` neurons, `W` synapse words, `A` input axons and `S` delay slots, all
/// in arrays; sent spikes go to a bounded outbox.
#[derive(Clone, Debug)]
pub struct FlatHal<M: NeuronModel, const N: usize, const W: usize, const A: usize, const S: usize> {
    /// Per-neuron parameters.
    pub params: [M::Params; N],
    /// Per-neuron state.
    pub state: [M::State; N],
    /// Synapse memory.
    pub words: [u64; W],
    /// Axon table (`None` = unmapped).
    pub axons: [Option<Row>; A],
    /// Dendrite ring: `acc[slot][neuron]`.
    pub acc: [[M::Acc; N]; S],
    /// Spikes sent since the last [`FlatHal::clear_outbox`], as (neuron, count).
    pub outbox: SpikeQueue<N>,
    /// What the runtime charged, indexed by [`Op::index`].
    pub charged: [u64; Op::ALL.len()],
    /// What was actually touched.
    pub accesses: Accesses,
    /// `params` calls (a `Cell` because `params` takes `&self`).
    pub param_reads: core::cell::Cell<u64>,
}

impl<M: NeuronModel, const N: usize, const W: usize, const A: usize, const S: usize>
    FlatHal<M, N, W, A, S>
{
    /// All neurons with the same parameters and default state, empty memories.
    pub fn uniform(params: &M::Params) -> Self {
        Self::new(core::array::from_fn(|_| params.clone()))
    }

    /// Given per-neuron parameters, default state, empty memories.
    pub fn new(params: [M::Params; N]) -> Self {
        FlatHal {
            params,
            state: [M::State::default(); N],
            words: [0; W],
            axons: [None; A],
            acc: [[M::Acc::default(); N]; S],
            outbox: SpikeQueue::new(),
            charged: [0; Op::ALL.len()],
            accesses: Accesses::default(),
            param_reads: core::cell::Cell::new(0),
        }
    }

    /// Total charged for `op`.
    pub fn count(&self, op: Op) -> u64 {
        self.charged[op.index()]
    }

    /// Forget the sent spikes (call once per step).
    pub fn clear_outbox(&mut self) {
        self.outbox.clear();
    }
}

impl<M: NeuronModel, const N: usize, const W: usize, const A: usize, const S: usize> SynapseMemory
    for FlatHal<M, N, W, A, S>
{
    #[inline]
    fn read_word(&mut self, addr: u32) -> u64 {
        self.accesses.word_reads += 1;
        match self.words.get(addr as usize) {
            Some(&w) => w,
            None => {
                self.accesses.bad_word_reads += 1;
                0
            }
        }
    }
}

impl<M: NeuronModel, const N: usize, const W: usize, const A: usize, const S: usize> AxonTable
    for FlatHal<M, N, W, A, S>
{
    #[inline]
    fn row(&mut self, axon: u32) -> Option<Row> {
        self.accesses.row_lookups += 1;
        self.axons.get(axon as usize).copied().flatten()
    }
}

impl<M: NeuronModel, const N: usize, const W: usize, const A: usize, const S: usize> NeuronMemory<M>
    for FlatHal<M, N, W, A, S>
{
    #[inline]
    fn neurons(&self) -> u32 {
        N as u32
    }
    #[inline]
    fn params(&self, i: u32) -> &M::Params {
        self.param_reads.set(self.param_reads.get() + 1);
        &self.params[i as usize]
    }
    #[inline]
    fn state(&mut self, i: u32) -> &mut M::State {
        self.accesses.state_accesses += 1;
        &mut self.state[i as usize]
    }
}

impl<M: NeuronModel, const N: usize, const W: usize, const A: usize, const S: usize>
    DendriteMemory<M> for FlatHal<M, N, W, A, S>
{
    #[inline]
    fn slots(&self) -> u32 {
        S as u32
    }
    #[inline]
    fn acc(&mut self, slot: u32, neuron: u32) -> &mut M::Acc {
        self.accesses.acc_accesses += 1;
        &mut self.acc[slot as usize][neuron as usize]
    }
}

impl<M: NeuronModel, const N: usize, const W: usize, const A: usize, const S: usize> SpikeOut
    for FlatHal<M, N, W, A, S>
{
    fn send(&mut self, neuron: u32, count: u8) {
        self.accesses.sends += 1;
        if !self.outbox.push(neuron, count) {
            self.accesses.outbox_overflow += 1;
        }
    }
}

impl<M: NeuronModel, const N: usize, const W: usize, const A: usize, const S: usize> WorkMeter
    for FlatHal<M, N, W, A, S>
{
    #[inline]
    fn charge(&mut self, op: Op, n: u32) {
        self.charged[op.index()] += u64::from(n);
    }
}
