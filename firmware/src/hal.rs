//! One trait per hardware resource a core touches (contracts filled in by the firmware work).

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
