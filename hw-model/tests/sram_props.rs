//! The synapse SRAM's fast read path equals `bitvec`'s own load, for words of any width
//! packed back to back, and a word wider than the memory widens it instead of losing bits.

use neurochip_hw::image::SynapseWords;
use proptest::prelude::*;

proptest! {
    #[test]
    fn fast_reads_equal_bitvec_loads(bits in 1u32..=64, raw in prop::collection::vec(any::<u64>(), 0..200)) {
        let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
        let words: Vec<u64> = raw.iter().map(|w| w & mask).collect();
        let mut m = SynapseWords::with_capacity(bits, words.len());
        for &w in &words {
            m.push(w);
        }
        prop_assert_eq!(m.len(), words.len());
        prop_assert_eq!(m.word_bits(), bits);
        prop_assert_eq!(m.bits(), words.len() as u64 * u64::from(bits));
        for (i, &w) in words.iter().enumerate() {
            prop_assert_eq!(m.get(i), Some(w));
            prop_assert_eq!(m.get_via_bitvec(i), Some(w));
        }
        prop_assert_eq!(m.get(words.len()), None);
        prop_assert_eq!(m.iter().collect::<Vec<_>>(), words);
    }

    #[test]
    fn a_wider_word_widens_the_memory(small in prop::collection::vec(0u64..(1 << 13), 1..50), big in any::<u64>()) {
        let mut m = SynapseWords::with_capacity(13, small.len() + 1);
        for &w in &small {
            m.push(w);
        }
        m.push(big);
        let mut all = small.clone();
        all.push(big);
        prop_assert_eq!(m.iter().collect::<Vec<_>>(), all.clone());
        prop_assert_eq!(SynapseWords::from(all.clone()).iter().collect::<Vec<_>>(), all);
    }
}

#[test]
fn words_of_21_bits_pack_back_to_back() {
    let mut m = SynapseWords::with_capacity(21, 3);
    for w in [0x1F_FFFF, 0, 0x15_5555] {
        m.push(w);
    }
    // Three 21-bit words take 63 bits, not three 32-bit cells.
    assert_eq!(m.bits(), 63);
    assert_eq!(m.slice(0..3), vec![0x1F_FFFF, 0, 0x15_5555]);
}
