//! One trait per hardware resource a core touches, each with a written
//! contract (embedded-hal style).
//!
//! The runtime ([`crate::runtime`]) is generic over these traits, so the same
//! per-core program runs on the cycle-level chip (`neurochip-hw`, which
//! implements them on its core struct and turns every [`WorkMeter::charge`]
//! into cycles and energy) and on the counting fake ([`crate::fake::FlatHal`])
//! used by tests and the `probe/` no_std binary.
//!
//! Shared rules for every implementation:
//! - The runtime only asks for indices it has checked: neuron indices are
//!   `< NeuronMemory::neurons()`, slots are `< DendriteMemory::slots()`.
//!   Addresses come from rows the [`AxonTable`] returned.
//! - Resource methods never charge the [`WorkMeter`] themselves: the runtime
//!   charges exactly one [`Op`] per unit of work, so nothing is counted twice.

use crate::NeuronModel;
use core::fmt;

/// Layout of one synapse word, fields from the least significant bit:
/// weight (two's complement), channel, delay, target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WordLayout {
    /// Signed weight field width.
    pub weight_bits: u8,
    /// Channel (synapse type) field width.
    pub channel_bits: u8,
    /// Delay field width.
    pub delay_bits: u8,
    /// Target neuron index field width.
    pub target_bits: u8,
}

/// One decoded synapse word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Synapse {
    /// Weight in the model's weight units (sign-extended from the field).
    pub weight: i32,
    /// Synaptic channel (synapse type / axon type).
    pub channel: u8,
    /// Extra delay in steps: the event is integrated `1 + delay` steps after the spike.
    pub delay: u8,
    /// Local target neuron index.
    pub target: u32,
}

/// Why a synapse could not be packed into a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// The layout's fields add up to more than 64 bits, or a field is wider
    /// than the [`Synapse`] value it holds (weight/target > 32, channel/delay > 8).
    Layout {
        /// Sum of the field widths.
        bits: u32,
    },
    /// Weight outside the signed range of `weight_bits`.
    Weight {
        /// Offending weight.
        value: i32,
        /// Field width.
        bits: u8,
    },
    /// Channel does not fit `channel_bits`.
    Channel {
        /// Offending channel.
        value: u8,
        /// Field width.
        bits: u8,
    },
    /// Delay does not fit `delay_bits`.
    Delay {
        /// Offending delay.
        value: u8,
        /// Field width.
        bits: u8,
    },
    /// Target does not fit `target_bits`.
    Target {
        /// Offending target.
        value: u32,
        /// Field width.
        bits: u8,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EncodeError::Layout { bits } => write!(
                f,
                "synapse word layout: fields total {bits} bits (max 64; weight/target <= 32, channel/delay <= 8)"
            ),
            EncodeError::Weight { value, bits } => {
                write!(f, "synapse weight {value} does not fit a signed {bits}-bit field")
            }
            EncodeError::Channel { value, bits } => {
                write!(f, "synapse channel {value} does not fit a {bits}-bit field")
            }
            EncodeError::Delay { value, bits } => {
                write!(f, "synapse delay {value} does not fit a {bits}-bit field")
            }
            EncodeError::Target { value, bits } => {
                write!(f, "synapse target {value} does not fit a {bits}-bit field")
            }
        }
    }
}

/// `x >> n` that is 0 for `n >= 64` instead of overflowing.
#[inline(always)]
const fn shr(x: u64, n: u32) -> u64 {
    if n >= 64 {
        0
    } else {
        x >> n
    }
}

/// Low-`n`-bit mask (all ones for `n >= 64`): the bits of an `n`-bit field.
#[inline(always)]
pub const fn mask(n: u32) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

impl WordLayout {
    /// Width of one word; the mapper checks it against the architecture's `word_bits`.
    pub const fn word_bits(&self) -> u32 {
        self.weight_bits as u32
            + self.channel_bits as u32
            + self.delay_bits as u32
            + self.target_bits as u32
    }

    /// Pack a synapse; every field out of its range is an error (never truncated).
    pub fn encode(&self, s: &Synapse) -> Result<u64, EncodeError> {
        let (wb, cb, db, tb) = (
            u32::from(self.weight_bits),
            u32::from(self.channel_bits),
            u32::from(self.delay_bits),
            u32::from(self.target_bits),
        );
        let bits = self.word_bits();
        if bits > 64 || wb > 32 || tb > 32 || cb > 8 || db > 8 {
            return Err(EncodeError::Layout { bits });
        }
        let w = i64::from(s.weight);
        let (lo, hi) = if wb == 0 {
            (0, 0)
        } else {
            (-(1i64 << (wb - 1)), (1i64 << (wb - 1)) - 1)
        };
        if w < lo || w > hi {
            return Err(EncodeError::Weight {
                value: s.weight,
                bits: self.weight_bits,
            });
        }
        if u64::from(s.channel) > mask(cb) {
            return Err(EncodeError::Channel {
                value: s.channel,
                bits: self.channel_bits,
            });
        }
        if u64::from(s.delay) > mask(db) {
            return Err(EncodeError::Delay {
                value: s.delay,
                bits: self.delay_bits,
            });
        }
        if u64::from(s.target) > mask(tb) {
            return Err(EncodeError::Target {
                value: s.target,
                bits: self.target_bits,
            });
        }
        let word = (w as u64 & mask(wb))
            | u64::from(s.channel) << wb
            | u64::from(s.delay) << (wb + cb)
            | u64::from(s.target) << (wb + cb + db);
        Ok(word)
    }

    /// Pack a synapse whose fields the caller has already checked, each masked to its
    /// width (never an error, never a panic): the fast path of a tool packing millions of
    /// words. [`WordLayout::encode`] is its checking twin; both give the same word for
    /// every synapse `encode` accepts.
    #[inline]
    pub fn pack(&self, s: &Synapse) -> u64 {
        let (wb, cb, db, tb) = (
            u32::from(self.weight_bits),
            u32::from(self.channel_bits),
            u32::from(self.delay_bits),
            u32::from(self.target_bits),
        );
        let shl = |v: u64, n: u32| v.checked_shl(n).unwrap_or(0);
        (s.weight as i64 as u64 & mask(wb))
            | shl(u64::from(s.channel) & mask(cb), wb)
            | shl(u64::from(s.delay) & mask(db), wb + cb)
            | shl(u64::from(s.target) & mask(tb), wb + cb + db)
    }

    /// Unpack a word. Total for every input (bits above `word_bits` are
    /// ignored), so a corrupted word can never make the runtime panic.
    #[inline]
    pub fn decode(&self, word: u64) -> Synapse {
        let wb = u32::from(self.weight_bits);
        let cb = u32::from(self.channel_bits);
        let db = u32::from(self.delay_bits);
        let tb = u32::from(self.target_bits);
        let raw_w = word & mask(wb);
        // Sign-extend: shift the field to the top of a u64 and back arithmetically.
        let weight = if wb == 0 {
            0
        } else if wb >= 64 {
            raw_w as i64
        } else {
            ((raw_w << (64 - wb)) as i64) >> (64 - wb)
        } as i32;
        let channel = (shr(word, wb) & mask(cb)) as u8;
        let delay = (shr(word, wb + cb) & mask(db)) as u8;
        let target = (shr(word, wb + cb + db) & mask(tb)) as u32;
        Synapse {
            weight,
            channel,
            delay,
            target,
        }
    }
}

/// Synapse memory: the words of all axon rows.
///
/// Contract: one call is one word read from memory. `addr` lies inside a row
/// returned by [`AxonTable::row`]; an out-of-range address returns an
/// arbitrary word (a fake returns 0) and must not panic. The runtime charges
/// [`Op::WordRead`] per call.
pub trait SynapseMemory {
    /// Read the word at `addr`.
    fn read_word(&mut self, addr: u32) -> u64;
}

/// A run of synapse words in [`SynapseMemory`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Row {
    /// First word address.
    pub start: u32,
    /// Number of words.
    pub len: u32,
}

/// Input axon table: axon → row of synapse words.
///
/// Contract: `None` means the axon is not mapped on this core (including
/// `axon` beyond the table); the runtime counts that as
/// [`Op::UnmappedAxon`] and drops the spike. Never panics.
pub trait AxonTable {
    /// The row of `axon`, if mapped.
    fn row(&mut self, axon: u32) -> Option<Row>;
}

/// Neuron memory: per-neuron parameters and state registers.
///
/// Contract: `params` and `state` are only called with `i < neurons()`.
pub trait NeuronMemory<M: NeuronModel> {
    /// Number of neurons on this core.
    fn neurons(&self) -> u32;
    /// Parameters of neuron `i`.
    fn params(&self, i: u32) -> &M::Params;
    /// State registers of neuron `i`.
    fn state(&mut self, i: u32) -> &mut M::State;
}

/// Dendritic accumulators: a ring of `slots` future steps per neuron.
///
/// Contract: the accumulator of step `t` lives in slot `t % slots()`;
/// `acc` is only called with `slot < slots()` and a neuron index below
/// [`NeuronMemory::neurons`]. The runtime resets a slot to
/// `M::Acc::default()` when it consumes it.
pub trait DendriteMemory<M: NeuronModel> {
    /// Number of delay slots (max delay + 2, see [`crate::runtime::max_delay`]).
    fn slots(&self) -> u32;
    /// Accumulator of `neuron` in `slot`.
    fn acc(&mut self, slot: u32, neuron: u32) -> &mut M::Acc;
}

/// Spike output: hands a spike to the core's packetiser.
///
/// Contract: called at most once per neuron per step, with `count >= 1`
/// (spikes emitted this step; >1 only for multi-spike models). The
/// implementation looks up the neuron's fan-out; it must not call back into
/// the runtime.
pub trait SpikeOut {
    /// Emit `count` spikes of local neuron `neuron`.
    fn send(&mut self, neuron: u32, count: u8);
}

/// A unit of work the runtime reports to the hardware model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// One input spike (packet) accepted by the core.
    SpikeIn,
    /// One synapse word read.
    WordRead,
    /// One synaptic event folded into an accumulator.
    SynapticOp,
    /// One neuron update that changed state or emitted a spike.
    NeuronActive,
    /// One neuron update the model declared idle (see [`NeuronModel::is_idle`]).
    NeuronIdle,
    /// One spike packet handed to [`SpikeOut`].
    SpikeOut,
    /// An input dropped (buffer overflow in the hardware model, or a synapse
    /// word whose target is not a neuron of this core).
    DroppedInput,
    /// A spike to an axon the [`AxonTable`] does not map.
    UnmappedAxon,
    /// A synapse whose delay does not fit the dendrite ring (skipped).
    DelayOverflow,
    /// A synaptic event the accumulator could not hold in full (e.g. SpiNNaker's
    /// 16-bit ring buffer at 0xFFFF): the event is applied saturated and counted.
    Saturated,
}

impl Op {
    /// Every op, in declaration order (index = [`Op::index`]).
    pub const ALL: [Op; 10] = [
        Op::SpikeIn,
        Op::WordRead,
        Op::SynapticOp,
        Op::NeuronActive,
        Op::NeuronIdle,
        Op::SpikeOut,
        Op::DroppedInput,
        Op::UnmappedAxon,
        Op::DelayOverflow,
        Op::Saturated,
    ];

    /// Dense index for per-op counter arrays.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Lower-case name for reports.
    pub const fn name(self) -> &'static str {
        match self {
            Op::SpikeIn => "spike_in",
            Op::WordRead => "word_read",
            Op::SynapticOp => "synaptic_op",
            Op::NeuronActive => "neuron_active",
            Op::NeuronIdle => "neuron_idle",
            Op::SpikeOut => "spike_out",
            Op::DroppedInput => "dropped_input",
            Op::UnmappedAxon => "unmapped_axon",
            Op::DelayOverflow => "delay_overflow",
            Op::Saturated => "saturated",
        }
    }
}

/// Work meter: where the runtime reports every unit of work.
///
/// Contract: `charge(op, n)` records `n` occurrences of `op` (n may be 0).
/// Error ops ([`Op::UnmappedAxon`], [`Op::DelayOverflow`],
/// [`Op::DroppedInput`]) must be counted, never ignored: they are how a
/// mis-mapped network becomes visible.
pub trait WorkMeter {
    /// Record `n` units of `op`.
    fn charge(&mut self, op: Op, n: u32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_round_trip_and_ranges() {
        let l = WordLayout {
            weight_bits: 8,
            channel_bits: 1,
            delay_bits: 4,
            target_bits: 10,
        };
        assert_eq!(l.word_bits(), 23);
        for &w in &[-128, -1, 0, 1, 127] {
            let s = Synapse {
                weight: w,
                channel: 1,
                delay: 15,
                target: 1023,
            };
            let word = l.encode(&s).unwrap();
            assert!(word < 1 << 23);
            assert_eq!(l.decode(word), s);
        }
        let bad = |s: Synapse| l.encode(&s).unwrap_err();
        let ok = Synapse::default();
        assert!(matches!(
            bad(Synapse { weight: 128, ..ok }),
            EncodeError::Weight { .. }
        ));
        assert!(matches!(
            bad(Synapse { weight: -129, ..ok }),
            EncodeError::Weight { .. }
        ));
        assert!(matches!(
            bad(Synapse { channel: 2, ..ok }),
            EncodeError::Channel { .. }
        ));
        assert!(matches!(
            bad(Synapse { delay: 16, ..ok }),
            EncodeError::Delay { .. }
        ));
        assert!(matches!(
            bad(Synapse { target: 1024, ..ok }),
            EncodeError::Target { .. }
        ));
    }

    #[test]
    fn full_width_layouts() {
        let l = WordLayout {
            weight_bits: 32,
            channel_bits: 0,
            delay_bits: 0,
            target_bits: 32,
        };
        let s = Synapse {
            weight: i32::MIN,
            channel: 0,
            delay: 0,
            target: u32::MAX,
        };
        assert_eq!(l.decode(l.encode(&s).unwrap()), s);
        let wide = WordLayout {
            weight_bits: 32,
            channel_bits: 8,
            delay_bits: 8,
            target_bits: 32,
        };
        assert!(matches!(
            wide.encode(&s),
            Err(EncodeError::Layout { bits: 80 })
        ));
        // Decoding never panics, whatever the layout.
        let _ = wide.decode(u64::MAX);
    }
}
