//! Synapse word packing: fields from the least significant bit are weight
//! (two's complement), channel, delay, target — the same order as
//! `neurochip_firmware::hal::WordLayout`.
//!
//! The packing itself is the firmware's ([`WordLayout::pack`] and
//! [`WordLayout::decode`]), so there is one definition of a word; this module
//! names the fields as the mapper fills them.

use neurochip_firmware::hal::{Synapse, WordLayout};

/// One unpacked synapse as it sits in a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fields {
    /// Signed weight in the model's weight units.
    pub weight: i32,
    /// Synaptic channel.
    pub channel: u8,
    /// Delay field (network delay − 1).
    pub delay: u32,
    /// Target local neuron index.
    pub target: u32,
}

/// Range `(min, max)` of the signed weight field.
pub fn weight_range(weight_bits: u32) -> (i64, i64) {
    if weight_bits == 0 {
        return (0, 0);
    }
    let half = 1i64 << (weight_bits.min(63) - 1);
    (-half, half - 1)
}

/// Packs `f` (the caller has checked every field fits) into a word, through the
/// firmware's own [`WordLayout::pack`].
#[inline]
pub fn pack(layout: &WordLayout, f: Fields) -> u64 {
    layout.pack(&Synapse {
        weight: f.weight,
        channel: f.channel,
        delay: f.delay as u8,
        target: f.target,
    })
}

/// Unpacks a word (inverse of [`pack`]) with the firmware's [`WordLayout::decode`].
pub fn unpack(layout: &WordLayout, word: u64) -> Fields {
    let s = layout.decode(word);
    Fields {
        weight: s.weight,
        channel: s.channel,
        delay: u32::from(s.delay),
        target: s.target,
    }
}
