//! Synapse word packing: fields from the least significant bit are weight
//! (two's complement), channel, delay, target — the same order as
//! `neurochip_firmware::hal::WordLayout`.
//!
//! Packing is done with shifts and masks on a `u64` rather than through a
//! bit-vector because W1 needs 15.6 M words packed in a few seconds; the
//! tests check it against the firmware's own decoder.

use neurochip_firmware::hal::WordLayout;

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

/// Total bits of a word of `layout`.
pub fn word_bits(layout: &WordLayout) -> u32 {
    layout.weight_bits as u32
        + layout.channel_bits as u32
        + layout.delay_bits as u32
        + layout.target_bits as u32
}

fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

#[inline]
fn shl(v: u64, s: u32) -> u64 {
    v.checked_shl(s).unwrap_or(0)
}

#[inline]
fn shr(v: u64, s: u32) -> u64 {
    v.checked_shr(s).unwrap_or(0)
}

/// Range `(min, max)` of the signed weight field.
pub fn weight_range(weight_bits: u32) -> (i64, i64) {
    if weight_bits == 0 {
        return (0, 0);
    }
    let half = 1i64 << (weight_bits.min(63) - 1);
    (-half, half - 1)
}

/// Packs `f` (the caller has checked every field fits) into a word.
#[inline]
pub fn pack(layout: &WordLayout, f: Fields) -> u64 {
    let wb = layout.weight_bits as u32;
    let cb = layout.channel_bits as u32;
    let db = layout.delay_bits as u32;
    let mut w = (f.weight as i64 as u64) & mask(wb);
    let mut shift = wb;
    w |= shl((f.channel as u64) & mask(cb), shift);
    shift += cb;
    w |= shl((f.delay as u64) & mask(db), shift);
    shift += db;
    w |= shl(f.target as u64 & mask(layout.target_bits as u32), shift);
    w
}

/// Unpacks a word (inverse of [`pack`]), sign-extending the weight.
pub fn unpack(layout: &WordLayout, word: u64) -> Fields {
    let wb = layout.weight_bits as u32;
    let cb = layout.channel_bits as u32;
    let db = layout.delay_bits as u32;
    let raw = word & mask(wb);
    let weight = if wb == 0 {
        0
    } else {
        let sh = 64 - wb;
        (((raw << sh) as i64) >> sh) as i32
    };
    let mut shift = wb;
    let channel = (shr(word, shift) & mask(cb)) as u8;
    shift += cb;
    let delay = (shr(word, shift) & mask(db)) as u32;
    shift += db;
    let target = (shr(word, shift) & mask(layout.target_bits as u32)) as u32;
    Fields {
        weight,
        channel,
        delay,
        target,
    }
}
