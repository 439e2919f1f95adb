//! Fixed-point evaluation of a rule for one synapse, exactly as Lava's
//! `LearningRuleApplierBitApprox` and `PyLearningDenseModelBitApproximate`
//! compute it.
//!
//! For a synaptic variable `v` (weight or tag, 9-bit signed):
//!
//! 1. the accumulator starts at `v << 7` (16-bit accumulator, 9-bit variable);
//! 2. each product of the variable's update, in rule order: the dependency
//!    (0 or 1) times every factor, each factor's `value + konst` clipped to
//!    its signed width, times the mantissa, in 32-bit two's complement (the
//!    reference's numpy `int32`, which wraps); then an arithmetic right shift
//!    by [`Product::width_shift`], a left shift by `s_exp`, a clip to
//!    `[-32769, 32767]`, and a saturating add into the accumulator;
//! 3. sign saturation: an excitatory weight is at least 0, an inhibitory one
//!    at most 0, the delay tag at least 0;
//! 4. stochastic rounding of `acc / 128`: `floor + (r < frac)`, one draw `r`
//!    for every synapse and variable of the epoch;
//! 5. the final clip: weight `[-256, 255]` (mixed), `[0, 255]` (excitatory),
//!    `[-255, 0]` (inhibitory); delay tag `[0, 255]`; tag `[-257, 255]`.

use super::rule::{Dependency, Factor, Product, Target, Var};
use crate::models::loihi::SignMode;

/// Upper saturation of the 16-bit accumulator (`2^15 - 1`).
pub const ACC_MAX: i64 = 32767;
/// Lower saturation of the accumulator (`-2^15 - 1`, as Lava writes it).
pub const ACC_MIN: i64 = -32769;
/// Fractional bits of the accumulator (16-bit accumulator, 9-bit variables).
pub const ACC_FRAC_BITS: u32 = 7;

/// The three learnable variables of one synapse.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SynVars {
    /// Weight.
    pub w: i32,
    /// Delay tag (Lava's `tag_2`).
    pub d: i32,
    /// Tag (Lava's `tag_1`).
    pub t: i32,
}

impl SynVars {
    /// The variable a target updates.
    #[inline]
    pub fn get(&self, t: Target) -> i32 {
        match t {
            Target::Weight => self.w,
            Target::Delay => self.d,
            Target::Tag => self.t,
        }
    }

    /// Set the variable a target updates.
    #[inline]
    pub fn set(&mut self, t: Target, v: i32) {
        match t {
            Target::Weight => self.w = v,
            Target::Delay => self.d = v,
            Target::Tag => self.t = v,
        }
    }
}

/// What one synapse's products read besides traces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operands {
    /// The pre neuron spiked in the epoch.
    pub x0: bool,
    /// The post neuron spiked in the epoch.
    pub y0: bool,
    /// The epoch's index `e = ts / t_epoch` (for `uk`).
    pub epoch: u32,
    /// The synapse's variables before the epoch (every update reads these).
    pub vars: SynVars,
}

impl Operands {
    /// The value of a dependency for this synapse.
    #[inline]
    pub fn dependency(&self, d: Dependency) -> i32 {
        match d {
            Dependency::X0 => i32::from(self.x0),
            Dependency::Y0 => i32::from(self.y0),
            Dependency::U { k } => {
                let m = 1u64 << k.min(63);
                i32::from(u64::from(self.epoch) % m == 0)
            }
        }
    }
}

/// A factor's value: `C` is its constant; `sgn` the sign of `raw + konst`;
/// otherwise `raw + konst`; then clipped to `[-2^w, 2^w - 1]`.
#[inline]
pub fn factor_value(f: &Factor, raw: i32) -> i32 {
    let v = match f.var {
        Var::C => i64::from(f.konst),
        _ if f.sgn => (i64::from(raw) + i64::from(f.konst)).signum(),
        _ => i64::from(raw) + i64::from(f.konst),
    };
    let w = f.var.width();
    v.clamp(-(1i64 << w), (1i64 << w) - 1) as i32
}

/// One product's contribution in accumulator units, given its dependency
/// value and the raw value of each factor's variable (in factor order).
pub fn product_term<const F: usize>(
    p: &Product<F>,
    dep: i32,
    raw: impl Iterator<Item = i32>,
) -> i64 {
    let mut cur = dep;
    for (f, r) in p.factors.iter().zip(raw) {
        cur = cur.wrapping_mul(factor_value(f, r));
    }
    cur = cur.wrapping_mul(i32::from(p.mant));
    // numpy's shift of an int32 by 32 or more gives the sign (0 or -1).
    let shift = p.width_shift();
    let cur = if shift >= 32 { cur >> 31 } else { cur >> shift };
    // |cur| <= 2^14 here (the product of the widths' extremes times 2^3 has
    // S + 3 bits and the shift drops S - 11 of them), so `<< s_exp` (<= 15)
    // cannot overflow.
    i64::from(cur << p.s_exp).clamp(ACC_MIN, ACC_MAX)
}

/// The raw value of a factor's variable: a trace (read through `trace`, at
/// the dependency's time), a synaptic variable, or a dependency bit.
#[inline]
fn raw_value(
    var: Var,
    dep: Dependency,
    ops: &Operands,
    trace: &mut impl FnMut(Var, Dependency) -> i32,
) -> i32 {
    match var {
        Var::X0 => i32::from(ops.x0),
        Var::Y0 => i32::from(ops.y0),
        Var::W => ops.vars.w,
        Var::D => ops.vars.d,
        Var::T => ops.vars.t,
        Var::C => 0,
        Var::X1 | Var::X2 | Var::Y1 | Var::Y2 | Var::Y3 => trace(var, dep),
    }
}

/// The saturated accumulator of `target` after every product of its update;
/// `trace(var, dep)` gives a trace's value at the time `dep` reads it.
/// Returns the accumulator and the number of products evaluated.
pub fn accumulate<const F: usize>(
    products: &[Product<F>],
    target: Target,
    ops: &Operands,
    trace: &mut impl FnMut(Var, Dependency) -> i32,
) -> (i64, u32) {
    let mut acc = i64::from(ops.vars.get(target)) << ACC_FRAC_BITS;
    let mut n = 0;
    for p in products.iter().filter(|p| p.target == target) {
        let dep = ops.dependency(p.dep);
        let raw = p
            .factors
            .iter()
            .map(|f| raw_value(f.var, p.dep, ops, trace));
        let term = product_term(p, dep, raw);
        acc = (acc + term).clamp(ACC_MIN, ACC_MAX);
        n += 1;
    }
    (acc, n)
}

/// Sign saturation of the accumulator (before rounding).
#[inline]
pub fn saturate_sign(acc: i64, target: Target, mode: SignMode) -> i64 {
    match (target, mode) {
        (Target::Weight, SignMode::Excitatory) | (Target::Delay, _) => acc.max(0),
        (Target::Weight, SignMode::Inhibitory) => acc.min(0),
        _ => acc,
    }
}

/// Stochastic rounding of `acc / 128` with the synapse draw `k` (`k · 2^-53`):
/// `floor(acc / 128) + (k · 2^-53 < (acc mod 128) / 128)`.
#[inline]
pub fn round_stochastic(acc: i64, k: u64) -> i64 {
    let floor = acc >> ACC_FRAC_BITS;
    let frac = (acc & ((1 << ACC_FRAC_BITS) - 1)) as u64;
    // k / 2^53 < frac / 2^7  <=>  k < frac · 2^46.
    floor + i64::from(k < frac << (53 - ACC_FRAC_BITS))
}

/// The final clip of a variable's new value.
#[inline]
pub fn clip_final(v: i64, target: Target, mode: SignMode) -> i32 {
    let (lo, hi) = match (target, mode) {
        (Target::Weight, SignMode::Mixed) => (-256, 255),
        (Target::Weight, SignMode::Excitatory) => (0, 255),
        (Target::Weight, SignMode::Inhibitory) => (-255, 0),
        (Target::Delay, _) => (0, 255),
        (Target::Tag, _) => (-257, 255),
    };
    v.clamp(lo, hi) as i32
}

/// The new value of `target` for one synapse: accumulate, saturate the sign,
/// round with the synapse draw `k`, clip. Returns it and the products evaluated.
pub fn update<const F: usize>(
    products: &[Product<F>],
    target: Target,
    mode: SignMode,
    ops: &Operands,
    k: u64,
    trace: &mut impl FnMut(Var, Dependency) -> i32,
) -> (i32, u32) {
    let (acc, n) = accumulate(products, target, ops, trace);
    let acc = saturate_sign(acc, target, mode);
    (clip_final(round_stochastic(acc, k), target, mode), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_floor_plus_a_draw_below_the_fraction() {
        assert_eq!(round_stochastic(256, 0), 2);
        assert_eq!(round_stochastic(-1, 0), 0); // floor -1, frac 127/128, 0 < it
        assert_eq!(round_stochastic(-1, (1 << 53) - 1), -1);
        let half = 1u64 << 52;
        assert_eq!(round_stochastic(64, half - 1), 1);
        assert_eq!(round_stochastic(64, half), 0);
    }

    #[test]
    fn the_lowest_tag_survives_only_without_an_update() {
        // tag -257 << 7 = -32896 lies below the accumulator's lower rail: a
        // product (even a zero one) clips it to -32769, which rounds to -256
        // unless the draw is above 127/128.
        let ops = Operands {
            x0: false,
            y0: false,
            epoch: 1,
            vars: SynVars {
                w: 0,
                d: 0,
                t: -257,
            },
        };
        let p: Product<2> = Product::new(Target::Tag, Dependency::X0, 1, 0, &[]).unwrap();
        let mut no_trace = |_: Var, _: Dependency| 0;
        let (acc, n) = accumulate(&[p], Target::Tag, &ops, &mut no_trace);
        assert_eq!((acc, n), (ACC_MIN, 1));
        assert_eq!(round_stochastic(acc, 0), -256);
        let (acc, n) = accumulate::<2>(&[], Target::Tag, &ops, &mut no_trace);
        assert_eq!((acc, n), (-32896, 0));
        assert_eq!(
            clip_final(round_stochastic(acc, 0), Target::Tag, SignMode::Mixed),
            -257
        );
    }
}
