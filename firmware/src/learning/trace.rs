//! Synaptic traces: impulses, stochastic decay and the within-epoch history.
//!
//! A trace register holds a 7-bit value (0..=127 after any impulse; a
//! post-synaptic value received from a three-factor neuron may be anything).
//! Lava's bit-approximate engine computes a decay step in float64,
//! `p = exp(-1/tau) · h`, and rounds it stochastically:
//! `floor(p) + (r < p mod 1)` with `r` uniform in [0, 1). [`Decay::step`]
//! computes the same number in integers: the factor is an exact dyadic
//! `mant · 2^-shift`, the float64 product is the exact product rounded to 53
//! significant bits (round half to even), and `p mod 1` is what numpy's
//! remainder returns (for negative `p` the sum `1 + fmod(p, 1)` is rounded
//! once more, as in float64). No float operation runs in the firmware.

use super::streams::TraceDraws;

/// Largest trace value after an impulse (`2^7 - 1`).
pub const TRACE_MAX: i32 = 127;

/// A trace impulse split as Lava splits it: `int = floor(impulse)`,
/// `frac = round((impulse - int) · 256)` (0..=256).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Impulse {
    /// Integer part.
    pub int: u16,
    /// Fractional part in 1/256 units (256 when the fraction rounds up to 1).
    pub frac: u16,
}

impl Impulse {
    /// Add the impulse to `h` and clip to `0..=127`; the fraction rounds up
    /// when the impulse draw `r` (0..128) is below it, so a fraction of 1/2 or
    /// more always rounds up (Lava's comparison of a 7-bit draw with an
    /// 8-bit fraction).
    #[inline]
    pub fn add(self, h: i32, r: u8) -> i32 {
        let up = i64::from(u16::from(r) < self.frac);
        (i64::from(h) + i64::from(self.int) + up).clamp(0, i64::from(TRACE_MAX)) as i32
    }
}

/// Why a decay factor cannot be represented.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DecayError {
    /// Not a number in `[2^-64, 1]` (or exactly 0).
    OutOfRange(f64),
}

impl core::fmt::Display for DecayError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DecayError::OutOfRange(d) => write!(
                f,
                "decay factor {d} is outside [2^-64, 1] (tau must be 0 or at least 0.023)"
            ),
        }
    }
}

/// A decay factor `mant · 2^-shift` (the exact value of a float64), or the
/// wipe of a `tau = 0` trace (`mant == 0`: the history holds 0 except for impulses).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Decay {
    /// 53-bit mantissa (0 = `tau = 0`).
    pub mant: u64,
    /// Binary exponent, negated: the factor is `mant · 2^-shift`, `shift <= 116`.
    pub shift: u32,
}

/// Round `x` to 53 significant bits, half to even (float64's rounding).
#[inline]
fn round53(x: u128) -> u128 {
    let bits = 128 - x.leading_zeros();
    if bits <= 53 {
        return x;
    }
    let drop = bits - 53;
    let mut q = x >> drop;
    let rem = x & ((1u128 << drop) - 1);
    let half = 1u128 << (drop - 1);
    if rem > half || (rem == half && q & 1 == 1) {
        q += 1;
    }
    q << drop
}

/// `k · 2^-53 < f · 2^-s` for `k < 2^53`, `f < 2^s`, `s <= 116`.
#[inline]
fn draw_below(k: u64, f: u128, s: u32) -> bool {
    if s >= 53 {
        (u128::from(k) << (s - 53)) < f
    } else {
        u128::from(k) < f << (53 - s)
    }
}

impl Decay {
    /// The trace of a `tau = 0` row (wiped at every history step).
    pub const WIPE: Decay = Decay { mant: 0, shift: 0 };

    /// The exact value of a float64 decay factor (Lava's `exp(-1/tau)`, or 0).
    pub fn from_f64(d: f64) -> Result<Decay, DecayError> {
        if d == 0.0 {
            return Ok(Decay::WIPE);
        }
        let bits = d.to_bits();
        let biased = ((bits >> 52) & 0x7ff) as i32;
        // Normal, positive, at most 1, at least 2^-64.
        if bits >> 63 != 0 || biased == 0 || biased == 0x7ff || d > 1.0 || biased < 1023 - 64 {
            return Err(DecayError::OutOfRange(d));
        }
        let mant = (bits & ((1u64 << 52) - 1)) | 1u64 << 52;
        // d = mant · 2^(biased - 1075); biased <= 1023 so the shift is >= 52.
        Ok(Decay {
            mant,
            shift: (1075 - biased) as u32,
        })
    }

    /// True for a `tau = 0` trace.
    #[inline]
    pub fn is_wipe(self) -> bool {
        self.mant == 0
    }

    /// One stochastic decay step of `h` with the decay draw `k` (`k · 2^-53`).
    pub fn step(self, h: i32, k: u64) -> i32 {
        if self.mant == 0 || h == 0 {
            return 0;
        }
        let s = self.shift;
        let mag = round53(u128::from(h.unsigned_abs()) * u128::from(self.mant));
        let p = if h < 0 { -(mag as i128) } else { mag as i128 };
        let floor = p >> s;
        let mut frac = (p - (floor << s)) as u128;
        if h < 0 && frac != 0 {
            // numpy: fmod(p, 1) is exact and negative; adding 1 rounds once.
            frac = round53(frac);
        }
        let up = i128::from(draw_below(k, frac, s));
        // |p| < 2^84 / 2^52: the result fits an i32 whenever h does.
        (floor + up) as i32
    }
}

/// How one trace evolves over a learning epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceParams {
    /// Added at a spike.
    pub impulse: Impulse,
    /// Applied at every history step.
    pub decay: Decay,
}

impl TraceParams {
    /// The trace's value at within-epoch step `t` of the history: start from
    /// `h0`, and for `s = 1..=t` decay once, then add the impulse if `s` is the
    /// neuron's last spike time `t_spike` (0 = no spike this epoch). Every step
    /// of the epoch uses the same draws.
    pub fn at(&self, h0: i32, t_spike: u8, t: u8, draws: TraceDraws) -> i32 {
        let mut h = h0;
        for s in 1..=t {
            h = self.decay.step(h, draws.decay);
            if s == t_spike {
                h = self.impulse.add(h, draws.impulse);
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_and_more_always_round_up() {
        let half = Impulse { int: 3, frac: 128 };
        assert!((0..128).all(|r| half.add(10, r) == 14));
        let quarter = Impulse { int: 3, frac: 64 };
        assert_eq!((0..128).filter(|&r| quarter.add(10, r) == 14).count(), 64);
        assert_eq!(Impulse { int: 200, frac: 0 }.add(0, 0), TRACE_MAX);
    }

    #[test]
    fn decay_of_exact_halves() {
        let half = Decay::from_f64(0.5).unwrap();
        assert_eq!((half.mant, half.shift), (1 << 52, 53));
        // 7 · 0.5 = 3.5: rounds up iff the draw is below 1/2.
        assert_eq!(half.step(7, (1 << 52) - 1), 4);
        assert_eq!(half.step(7, 1 << 52), 3);
        // -7 · 0.5 = -3.5: floor -4, fraction 1/2.
        assert_eq!(half.step(-7, 0), -3);
        assert_eq!(half.step(-7, 1 << 52), -4);
        assert_eq!(Decay::WIPE.step(100, 0), 0);
        assert!(Decay::from_f64(1.5).is_err());
        assert!(Decay::from_f64(-0.5).is_err());
        assert!(Decay::from_f64(f64::NAN).is_err());
        assert!(Decay::from_f64(1e-30).is_err());
    }
}
