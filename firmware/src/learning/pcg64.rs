//! numpy's `default_rng(seed)`: a PCG64 generator (XSL-RR 128/64) seeded
//! through `SeedSequence`, in plain integer arithmetic.
//!
//! Lava's learning engine draws its stochastic-rounding numbers from these
//! streams, so a Lava-compatible run needs them bit for bit: the draws of
//! [`Pcg64::random_53`] and [`Pcg64::integers_0_128`] are exactly numpy's
//! `Generator.random()` (as the integer `k` of `k · 2^-53`) and
//! `Generator.integers(0, 128)`.
//!
//! - `random()` is `(next_u64 >> 11) · 2^-53`;
//! - `integers(0, 128)` is `next_u32 >> 25` (Lemire's bounded draw, which for a
//!   range of 2^7 never rejects);
//! - `next_u32` hands out the low half of a fresh 64-bit output first and keeps
//!   the high half for the next call.

/// PCG64's 128-bit LCG multiplier.
const MULT: u128 = 0x2360_ED05_1FC6_5DA4_4385_DF64_9FCC_F645;

// SeedSequence's hash constants (numpy/random/bit_generator.pyx).
const INIT_A: u32 = 0x43B0_D7E5;
const MULT_A: u32 = 0x931E_8875;
const INIT_B: u32 = 0x8B51_F9DD;
const MULT_B: u32 = 0x58F3_8DED;
const MIX_MULT_L: u32 = 0xCA01_F9DD;
const MIX_MULT_R: u32 = 0x4973_F715;
const XSHIFT: u32 = 16;
const POOL: usize = 4;

/// SeedSequence's entropy pool after mixing in `entropy` (32-bit words, least
/// significant first), then `out.len()` words of generated state.
fn seed_sequence(entropy: &[u32], out: &mut [u32]) {
    let mut hash_const = INIT_A;
    let mut hashmix = |value: u32| {
        let mut v = value ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_A);
        v = v.wrapping_mul(hash_const);
        v ^ (v >> XSHIFT)
    };
    let mix = |x: u32, y: u32| {
        let r = MIX_MULT_L
            .wrapping_mul(x)
            .wrapping_sub(MIX_MULT_R.wrapping_mul(y));
        r ^ (r >> XSHIFT)
    };
    let mut pool = [0u32; POOL];
    for (i, p) in pool.iter_mut().enumerate() {
        *p = hashmix(entropy.get(i).copied().unwrap_or(0));
    }
    for src in 0..POOL {
        for dst in 0..POOL {
            if src != dst {
                let h = hashmix(pool[src]);
                pool[dst] = mix(pool[dst], h);
            }
        }
    }
    for &word in entropy.iter().skip(POOL) {
        for p in pool.iter_mut() {
            let h = hashmix(word);
            *p = mix(*p, h);
        }
    }
    let mut hc = INIT_B;
    for (i, o) in out.iter_mut().enumerate() {
        let mut v = pool[i % POOL] ^ hc;
        hc = hc.wrapping_mul(MULT_B);
        v = v.wrapping_mul(hc);
        *o = v ^ (v >> XSHIFT);
    }
}

/// One numpy `default_rng` stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pcg64 {
    state: u128,
    inc: u128,
    /// The high half of the last 64-bit output, when `next_u32` still owes it.
    pending_u32: Option<u32>,
}

impl Pcg64 {
    /// `numpy.random.default_rng(seed)` for a non-negative integer seed (its
    /// entropy is the seed's 32-bit words, least significant first).
    pub fn new(seed: u128) -> Self {
        let mut words = [0u32; 4];
        let mut n = 0;
        let mut s = seed;
        loop {
            words[n] = s as u32;
            n += 1;
            s >>= 32;
            if s == 0 {
                break;
            }
        }
        Self::from_entropy(&words[..n])
    }

    /// `numpy.random.default_rng(SeedSequence(entropy))` for entropy words
    /// (least significant first).
    pub fn from_entropy(entropy: &[u32]) -> Self {
        let mut w = [0u32; 8];
        seed_sequence(entropy, &mut w);
        // generate_state(4, uint64): little-endian pairs of 32-bit words.
        let v: [u128; 4] =
            core::array::from_fn(|i| u128::from(w[2 * i]) | u128::from(w[2 * i + 1]) << 32);
        let init_state = v[0] << 64 | v[1];
        let init_seq = v[2] << 64 | v[3];
        let mut g = Pcg64 {
            state: 0,
            inc: init_seq << 1 | 1,
            pending_u32: None,
        };
        g.step();
        g.state = g.state.wrapping_add(init_state);
        g.step();
        g
    }

    /// The generator's `(state, inc)`, as numpy's `bit_generator.state` shows them.
    pub fn state(&self) -> (u128, u128) {
        (self.state, self.inc)
    }

    #[inline]
    fn step(&mut self) {
        self.state = self.state.wrapping_mul(MULT).wrapping_add(self.inc);
    }

    /// The next 64-bit output (XSL-RR of the advanced state).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.step();
        let hi = (self.state >> 64) as u64;
        let lo = self.state as u64;
        (hi ^ lo).rotate_right((hi >> 58) as u32)
    }

    /// numpy's buffered 32-bit output.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if let Some(h) = self.pending_u32.take() {
            return h;
        }
        let n = self.next_u64();
        self.pending_u32 = Some((n >> 32) as u32);
        n as u32
    }

    /// `Generator.random()` as the integer `k < 2^53` of the float `k · 2^-53`.
    #[inline]
    pub fn random_53(&mut self) -> u64 {
        self.next_u64() >> 11
    }

    /// `Generator.integers(0, 128)`.
    #[inline]
    pub fn integers_0_128(&mut self) -> u8 {
        (self.next_u32() >> 25) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_match_the_recorded_lava_states() {
        // learn_public.json, P1: random.pcg64_initial_state.x_decay (seed 1234).
        let g = Pcg64::new(1234);
        assert_eq!(
            g.state(),
            (
                29_299_324_949_094_424_543_410_418_505_067_287_561,
                107_381_791_681_050_441_119_675_421_997_145_146_149
            )
        );
    }

    #[test]
    fn u32_halves_come_low_first() {
        let mut a = Pcg64::new(7);
        let mut b = Pcg64::new(7);
        let n = a.next_u64();
        assert_eq!(b.next_u32(), n as u32);
        assert_eq!(b.next_u32(), (n >> 32) as u32);
        assert_eq!(b.next_u64(), a.next_u64());
    }
}
