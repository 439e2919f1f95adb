//! Fixed-point operations of real neuromorphic datapaths.
//!
//! Every function here is total: out-of-range widths or shift amounts are
//! clamped to the nearest meaningful value instead of panicking, because the
//! firmware runs inside the hardware model and must never abort a simulation
//! on a bad parameter. Each doc comment states the exact rounding, since
//! bit-exactness with a chip's reference model is the whole point.

/// S16.15 fixed point (ISO TR 18037 `accum` on ARM: 1 sign, 16 integer and
/// 15 fractional bits in 32 bits), the arithmetic of sPyNNaker's neuron models.
pub type S1615 = fixed::types::I17F15;

#[inline]
const fn clamp_width(bits: u32) -> u32 {
    if bits < 1 {
        1
    } else if bits > 64 {
        64
    } else {
        bits
    }
}

/// Smallest value of a signed `bits`-wide register (`-2^(bits-1)`), so a
/// datapath width from an architecture file can bound its state.
/// `bits` is meant to be 1..=63; it is clamped to 1..=64.
pub const fn min_of(bits: u32) -> i64 {
    let b = clamp_width(bits);
    if b == 64 {
        i64::MIN
    } else {
        -(1i64 << (b - 1))
    }
}

/// Largest value of a signed `bits`-wide register (`2^(bits-1) - 1`).
/// `bits` is meant to be 1..=63; it is clamped to 1..=64.
pub const fn max_of(bits: u32) -> i64 {
    let b = clamp_width(bits);
    if b == 64 {
        i64::MAX
    } else {
        (1i64 << (b - 1)) - 1
    }
}

/// Clamp `x` to the signed `bits`-wide range (saturating register write).
#[inline]
pub fn sat(x: i64, bits: u32) -> i64 {
    x.clamp(min_of(bits), max_of(bits))
}

/// Saturating add in a signed `bits`-wide datapath: the exact sum, clamped.
/// (The i64 sum saturates first, which never changes the clamped result.)
#[inline]
pub fn sat_add(x: i64, y: i64, bits: u32) -> i64 {
    sat(x.saturating_add(y), bits)
}

/// Saturating subtract in a signed `bits`-wide datapath: the exact difference, clamped.
#[inline]
pub fn sat_sub(x: i64, y: i64, bits: u32) -> i64 {
    sat(x.saturating_sub(y), bits)
}

/// Clamp `x` to the unsigned `bits`-wide range `[0, 2^bits - 1]`
/// (e.g. SpiNNaker's 16-bit ring-buffer entries). `bits` is clamped to 0..=63.
#[inline]
pub fn sat_u(x: i64, bits: u32) -> i64 {
    let b = if bits > 63 { 63 } else { bits };
    let hi = if b == 63 { i64::MAX } else { (1i64 << b) - 1 };
    x.clamp(0, hi)
}

/// Two's-complement wrap of `x` to `bits` bits (what a register that silently
/// overflows holds). `bits` is clamped to 1..=64; 64 is the identity.
#[inline]
pub fn wrap(x: i64, bits: u32) -> i64 {
    let b = clamp_width(bits);
    let s = 64 - b;
    (x << s) >> s
}

/// Loihi's 12-bit multiplicative decay: `trunc_toward_zero(x * (4096 - d) / 4096)`.
///
/// `d` is clamped to 0..=4096 (4096 decays to 0 in one step). The product is
/// formed in 128 bits, so no input overflows; the result never exceeds `|x|`.
#[inline]
pub fn decay12(x: i64, d: u32) -> i64 {
    let d = if d > 4096 { 4096 } else { d };
    let p = i128::from(x) * i128::from(4096 - d);
    // Rust's integer division truncates toward zero, as Lava's sign*(|p|>>12) does.
    (p / 4096) as i64
}

/// Xylo's shift decay, returning the DECREMENT: `x >> shift` (arithmetic,
/// i.e. floor), except that a zero result for non-zero `x` becomes `sign(x)`,
/// so a small value still moves at least one step toward zero.
///
/// `x - shift_decay(x, s)` never overshoots zero: the decrement has the sign
/// of `x` and magnitude at most `|x|`. `shift` is clamped to 63.
#[inline]
pub fn shift_decay(x: i64, shift: u32) -> i64 {
    let s = if shift > 63 { 63 } else { shift };
    let d = x >> s;
    if d == 0 && x != 0 {
        x.signum()
    } else {
        d
    }
}

/// Mantissa/exponent scaling (Loihi bias and weight exponents):
/// `exp >= 0`: `mant << exp`, saturating to the i64 range instead of losing
/// bits; `exp < 0`: `mant >> -exp`, arithmetic (floor), so `-1 >> k == -1`.
#[inline]
pub fn scale_exp(mant: i64, exp: i32) -> i64 {
    if exp >= 0 {
        let e = exp as u32;
        if mant == 0 {
            0
        } else if e >= 64 {
            if mant > 0 {
                i64::MAX
            } else {
                i64::MIN
            }
        } else {
            let v = i128::from(mant) << e;
            v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
        }
    } else {
        let e = exp.unsigned_abs();
        mant >> if e > 63 { 63 } else { e }
    }
}

/// Xylo's saturating 16-bit add, exactly as xylosim writes it:
/// `m = y >= 0 ? 32767 : -32768; |m - x| > |y| ? x + y : m`.
///
/// It only saturates on the side of `y`'s sign. For `x` in i16 range and any
/// `y` with `|y| < 2^30`, this equals `clamp(x + y, -32768, 32767)`: for
/// `y >= 0`, `|m - x| = 32767 - x >= 0` and `32767 - x > y` iff `x + y < 32767`
/// (and when `x + y == 32767` both give 32767); the lower bound cannot be
/// crossed since `x + y >= x >= -32768`. The case `y < 0` is symmetric. For
/// `x` outside i16 (Xylo's `-decay(-32768)` = 32768) the result may leave the
/// i16 range, which is why xylosim wraps it with `to_i16` afterwards.
/// Computed in i64; the final `x + y` wraps to 32 bits only if `|x|, |y| >= 2^30`.
#[inline]
pub fn xylo_sat_add16(x: i32, y: i32) -> i32 {
    let (x, y) = (i64::from(x), i64::from(y));
    let m: i64 = if y >= 0 { 32767 } else { -32768 };
    if (m - x).abs() > y.abs() {
        (x + y) as i32
    } else {
        m as i32
    }
}

/// A run of saturating adds `x -> clamp(x + y_k, rail_lo, rail_hi)` folded
/// into ONE function `x -> clamp(x + add, lo, hi)`.
///
/// Why: a chip like Xylo applies every synaptic event of a step to the
/// current register with a saturating add; the emulator folds events into a
/// per-(neuron, step) accumulator before the neuron runs, and this fold keeps
/// the result bit-exact (saturation is order dependent, so events must still
/// be folded in arrival order).
///
/// Proof. Write `c(z, a, b) = min(max(z, a), b)` with `a <= b`. Lemma: for
/// `a <= b`, `c(c(z, a, b), l, h) = c(z, c(a, l, h), c(b, l, h))` (clamping is
/// monotone: if `z <= a` both sides give `c(a, l, h)`, because then
/// `z <= a` implies `z <= c(a,l,h)` unless `a > h`, where both bounds are `h`;
/// `z >= b` is symmetric; for `a < z < b` both give `c(z, l, h)` since
/// `c(a,l,h) <= c(z,l,h) <= c(b,l,h)`). Invariant: the folded function is
/// `g(x) = c(x + add, lo, hi)` with `rail_lo <= lo <= hi <= rail_hi`, equal to
/// the sequential application for every `x` in the rails. Start: the
/// identity `c(x + 0, rail_lo, rail_hi)`. Step: `c(g(x) + y, l, h) =
/// c(c(x + add + y, lo + y, hi + y), l, h) = c(x + add', lo', hi')` by the
/// lemma, with `add' = add + y`, `lo' = c(lo + y, l, h)`, `hi' = c(hi + y, l, h)`.
///
/// Overflow: `lo = g(rail_lo)` and `hi = g(rail_hi)`, so while `lo < hi`,
/// `add` lies in `[hi - rail_hi, lo - rail_lo]` and cannot grow without
/// bound; once `lo == hi` the function is constant and `add` is reset to 0.
/// All sums saturate in i64 before clamping, which never changes a clamped
/// result, so the fold is exact whenever `rail_hi - rail_lo` fits in i64.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClampAdd {
    /// Total offset added before the final clamp.
    pub add: i64,
    /// Lower bound of the folded clamp (the image of `rail_lo`).
    pub lo: i64,
    /// Upper bound of the folded clamp (the image of `rail_hi`).
    pub hi: i64,
    /// Lower saturation limit of the register every single add clamps to.
    pub rail_lo: i64,
    /// Upper saturation limit of the register every single add clamps to.
    pub rail_hi: i64,
}

impl ClampAdd {
    /// No adds yet, for a register saturating to `[lo, hi]` (swapped if reversed).
    pub const fn identity(lo: i64, hi: i64) -> Self {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        ClampAdd {
            add: 0,
            lo,
            hi,
            rail_lo: lo,
            rail_hi: hi,
        }
    }

    /// Compose one more saturating add of `y` after the ones already folded.
    #[inline]
    pub fn then_add(&mut self, y: i64) {
        let (l, h) = (self.rail_lo, self.rail_hi);
        self.lo = self.lo.saturating_add(y).clamp(l, h);
        self.hi = self.hi.saturating_add(y).clamp(l, h);
        self.add = if self.lo == self.hi {
            0
        } else {
            self.add.saturating_add(y)
        };
    }

    /// Apply the folded adds to a register value `x` (meant to be within the rails).
    #[inline]
    pub fn apply(&self, x: i64) -> i64 {
        x.saturating_add(self.add).clamp(self.lo, self.hi)
    }

    /// True when no add has changed anything (the function is the identity on the rails).
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.add == 0 && self.lo == self.rail_lo && self.hi == self.rail_hi
    }
}

/// Round `y` half away from zero to an integer, saturating to i64; NaN -> 0.
/// Written with integer casts only, because `f64::round` is not in `core`.
fn round_half_away(y: f64) -> i64 {
    if y.is_nan() {
        return 0;
    }
    // 2^62: beyond it every f64 is an integer and the cast saturates anyway.
    const BIG: f64 = 4_611_686_018_427_387_904.0;
    if y >= BIG || y <= -BIG {
        return y as i64; // `as` saturates (and maps ±inf to the i64 limits)
    }
    let t = y as i64; // truncates toward zero
    let frac = y - t as f64; // exact for |y| < 2^62
    if frac >= 0.5 {
        t + 1
    } else if frac <= -0.5 {
        t - 1
    } else {
        t
    }
}

/// `x * 2^frac_bits` exactly (repeated doubling; `powi` is not in `core`).
fn scale_pow2(x: f64, frac_bits: u32) -> f64 {
    let mut y = x;
    let mut k = 0;
    while k < frac_bits && k < 1100 {
        y *= 2.0;
        k += 1;
    }
    y
}

/// Real value to a signed Q-format integer with `frac_bits` fractional bits in
/// a `bits`-wide register: round to nearest, ties away from zero, then
/// saturate to the signed `bits` range; NaN maps to 0.
pub fn to_q(x: f64, frac_bits: u32, bits: u32) -> i64 {
    sat(round_half_away(scale_pow2(x, frac_bits)), bits)
}

/// Real value to S16.15: round to nearest, ties away from zero, saturating to
/// the S16.15 range (what the host-side tools do when writing parameters).
pub fn s1615_from_f64(x: f64) -> S1615 {
    S1615::from_bits(to_q(x, 15, 32) as i32)
}

/// Real value to an unsigned 0.32 fraction (sPyNNaker's decay factors):
/// round to nearest, ties away from zero, saturating to `[0, 2^32 - 1]`
/// (so 1.0 becomes `u32::MAX`).
pub fn u032_from_f64(x: f64) -> u32 {
    round_half_away(scale_pow2(x, 32)).clamp(0, i64::from(u32::MAX)) as u32
}

/// sPyNNaker's `decay_s1615`: `(x.to_bits() as i64 * d as i64) >> 32`, an
/// arithmetic shift, i.e. truncation toward minus infinity. Never overflows
/// because `d / 2^32 < 1`.
#[inline]
pub fn mul_s1615_u032(x: S1615, d: u32) -> S1615 {
    S1615::from_bits(((i64::from(x.to_bits()) * i64::from(d)) >> 32) as i32)
}

/// S16.15 product as GCC's `accum * accum` computes it for sPyNNaker: the
/// 64-bit product shifted right by 15 (arithmetic, truncating toward minus
/// infinity; GCC does not round fixed-point multiplies), then wrapped to 32
/// bits like a non-saturating `accum` (overflow is undefined in TR 18037).
#[inline]
pub fn mul_s1615(a: S1615, b: S1615) -> S1615 {
    S1615::from_bits(((i64::from(a.to_bits()) * i64::from(b.to_bits())) >> 15) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_edges() {
        assert_eq!(min_of(16), -32768);
        assert_eq!(max_of(16), 32767);
        assert_eq!(max_of(64), i64::MAX);
        assert_eq!(wrap(32768, 16), -32768);
        assert_eq!(sat_u(-5, 16), 0);
        assert_eq!(sat_u(70000, 16), 65535);
        assert_eq!(shift_decay(3, 4), 1);
        assert_eq!(shift_decay(-3, 4), -1);
        assert_eq!(shift_decay(0, 4), 0);
        assert_eq!(scale_exp(-1, -3), -1);
        assert_eq!(scale_exp(5, 70), i64::MAX);
        assert_eq!(decay12(-4095, 1), -4094);
        assert_eq!(decay12(-4097, 1), -4095); // truncation; floor would give -4096
    }

    #[test]
    fn conversions_round_half_away() {
        assert_eq!(to_q(0.5, 0, 16), 1);
        assert_eq!(to_q(-0.5, 0, 16), -1);
        assert_eq!(to_q(-0.49, 0, 16), 0);
        assert_eq!(to_q(1e30, 4, 16), 32767);
        assert_eq!(to_q(f64::NAN, 4, 16), 0);
        assert_eq!(s1615_from_f64(1.0).to_bits(), 1 << 15);
        assert_eq!(s1615_from_f64(-70000.0).to_bits(), i32::MIN);
        assert_eq!(u032_from_f64(1.0), u32::MAX);
        assert_eq!(u032_from_f64(0.5), 1 << 31);
        assert_eq!(u032_from_f64(-0.1), 0);
    }
}
