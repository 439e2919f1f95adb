//! Spike packets and the flits they travel as.

use crate::image::{CoreId, Dest};

/// The header every flit of a packet carries (a real router reads it from the head flit only;
/// copying it keeps the buffers free of a side table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Packet {
    /// Where the packet goes (unicast core/axon or multicast key).
    pub dest: Dest,
    /// Core that injected it.
    pub src_core: CoreId,
    /// Spikes the packet stands for (multi-spike models send counts > 1).
    pub count: u8,
    /// Free tag for tracing (source local neuron, or a test's sequence number).
    pub tag: u32,
}

/// One flit in a router input buffer.
#[derive(Clone, Copy, Debug)]
pub struct Flit {
    /// Header of the packet this flit belongs to.
    pub pkt: Packet,
    /// First flit: the one that is routed.
    pub head: bool,
    /// Last flit: releases the outputs it held.
    pub tail: bool,
    /// First cycle the flit may leave this buffer (arrival + link latency + router pipeline).
    pub ready: u64,
}

/// A packet handed to a core by its router's local output port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// The packet.
    pub pkt: Packet,
    /// Cycle the head flit entered the core's input buffer.
    pub head_cycle: u64,
    /// Cycle the tail flit entered it (the packet is usable from then on).
    pub tail_cycle: u64,
}
