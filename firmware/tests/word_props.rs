//! `WordLayout::pack` (the unchecked fast path) and `encode` (the checking one) are the
//! same word for every synapse `encode` accepts, and `decode` inverts both.

use neurochip_firmware::hal::{Synapse, WordLayout};
use proptest::prelude::*;

fn layouts() -> impl Strategy<Value = WordLayout> {
    (1u8..=32, 0u8..=8, 0u8..=8, 0u8..=32)
        .prop_filter("fits 64 bits", |(w, c, d, t)| {
            u32::from(*w) + u32::from(*c) + u32::from(*d) + u32::from(*t) <= 64
        })
        .prop_map(
            |(weight_bits, channel_bits, delay_bits, target_bits)| WordLayout {
                weight_bits,
                channel_bits,
                delay_bits,
                target_bits,
            },
        )
}

proptest! {
    #[test]
    fn pack_equals_encode_and_decodes_back(
        l in layouts(),
        w in any::<i32>(),
        c in any::<u8>(),
        d in any::<u8>(),
        t in any::<u32>(),
    ) {
        // Bring each field into its range the way a mapper would have checked it.
        let wb = u32::from(l.weight_bits);
        let half = 1i64 << (wb - 1);
        let weight = (i64::from(w).rem_euclid(2 * half) - half) as i32;
        let m = |bits: u8| if bits >= 32 { u32::MAX } else { (1u32 << bits) - 1 };
        let s = Synapse {
            weight,
            channel: (u32::from(c) & m(l.channel_bits)) as u8,
            delay: (u32::from(d) & m(l.delay_bits)) as u8,
            target: t & m(l.target_bits),
        };
        let word = l.encode(&s).expect("in range");
        prop_assert_eq!(l.pack(&s), word);
        prop_assert_eq!(l.decode(word), s);
        prop_assert!(l.word_bits() == 64 || word >> l.word_bits() == 0);
    }
}
