//! The per-core queues of the firmware runtime, with fixed capacities (no allocator).
//!
//! A core buffers the input spikes that arrive during a step ([`InputQueue`], folded into
//! the dendrite ring with [`crate::runtime::deliver_queued`]) and the spikes its neurons
//! emit until the packetiser takes them ([`SpikeQueue`]). Both are `heapless` containers
//! whose capacity is a const generic the firmware build takes from the architecture it
//! runs on (`core.input_buffer`, `core.neurons`), as a real core's SRAM is sized.
//!
//! # Contract
//!
//! A push into a full queue is refused and **counted** ([`InputQueue::overflowed`],
//! [`SpikeQueue::overflowed`]); nothing is lost silently. The runtime charges each refused
//! input spike as [`Op::DroppedInput`](crate::hal::Op::DroppedInput). Draining keeps
//! arrival order, which the step semantics depend on.

use heapless::{Deque, Vec};

/// One input spike waiting to be folded: axon, multiplicity, and the step argument of
/// [`crate::runtime::deliver_spike`] (the step it was emitted in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputSpike {
    /// Input axon.
    pub axon: u32,
    /// Spikes carried (normally 1).
    pub count: u8,
    /// Step it was emitted in.
    pub step: u32,
}

/// The input spike inbox of a core: at most `N` spikes between two drains.
#[derive(Clone, Debug, Default)]
pub struct InputQueue<const N: usize> {
    q: Deque<InputSpike, N>,
    overflowed: u32,
}

impl<const N: usize> InputQueue<N> {
    /// An empty inbox.
    pub const fn new() -> Self {
        InputQueue {
            q: Deque::new(),
            overflowed: 0,
        }
    }

    /// Queue `s`; false (and counted) when the inbox is full.
    pub fn push(&mut self, s: InputSpike) -> bool {
        let ok = self.q.push_back(s).is_ok();
        self.overflowed += u32::from(!ok);
        ok
    }

    /// The oldest spike, if any.
    pub fn pop(&mut self) -> Option<InputSpike> {
        self.q.pop_front()
    }

    /// Spikes waiting.
    pub fn len(&self) -> usize {
        self.q.len()
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    /// Capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Spikes refused because the inbox was full, since the last [`InputQueue::take_overflowed`].
    pub fn overflowed(&self) -> u32 {
        self.overflowed
    }

    /// Returns and clears the overflow count (for charging it once).
    pub fn take_overflowed(&mut self) -> u32 {
        core::mem::take(&mut self.overflowed)
    }
}

/// The spikes a core's neurons emitted and the packetiser has not taken yet, as
/// (local neuron, count): at most `N` (a core's neuron count: one spike per neuron per step).
#[derive(Clone, Debug, Default)]
pub struct SpikeQueue<const N: usize> {
    q: Vec<(u32, u8), N>,
    overflowed: u32,
}

impl<const N: usize> SpikeQueue<N> {
    /// An empty queue.
    pub const fn new() -> Self {
        SpikeQueue {
            q: Vec::new(),
            overflowed: 0,
        }
    }

    /// Queue a spike of `neuron`; false (and counted) when the queue is full.
    pub fn push(&mut self, neuron: u32, count: u8) -> bool {
        let ok = self.q.push((neuron, count)).is_ok();
        self.overflowed += u32::from(!ok);
        ok
    }

    /// The queued spikes, oldest first.
    pub fn as_slice(&self) -> &[(u32, u8)] {
        &self.q
    }

    /// The queued spikes, oldest first.
    pub fn iter(&self) -> core::slice::Iter<'_, (u32, u8)> {
        self.q.iter()
    }

    /// Spikes queued.
    pub fn len(&self) -> usize {
        self.q.len()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.q.is_empty()
    }

    /// Hand every queued spike over (the packetiser took them).
    pub fn clear(&mut self) {
        self.q.clear();
    }

    /// Spikes refused because the queue was full.
    pub fn overflowed(&self) -> u32 {
        self.overflowed
    }
}

impl<'a, const N: usize> IntoIterator for &'a SpikeQueue<N> {
    type Item = &'a (u32, u8);
    type IntoIter = core::slice::Iter<'a, (u32, u8)>;

    fn into_iter(self) -> Self::IntoIter {
        self.q.iter()
    }
}
