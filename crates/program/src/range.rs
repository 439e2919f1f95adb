//! Value ranges: the interval arithmetic behind the width check.
//!
//! The assembler tracks, along the code, an interval that holds every value
//! a register can have (declared width at compartment entry for state
//! registers and parameters, 0 for temporaries; widened to the declared
//! width at a loop head; joined at the end of an `if`; narrowed by a
//! branch's test). A write without `.w`/`.s` must provably fit; these are
//! the result intervals of every operation on operand intervals.

use neurochip_firmware::program::{Cond, OpCode, Width};

/// Values beyond this magnitude are "unbounded" (no 64-bit register holds them).
const CAP: i128 = 1 << 120;

/// A closed interval `[lo, hi]` with `lo <= hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Range {
    pub lo: i128,
    pub hi: i128,
}

impl Range {
    pub fn new(a: i128, b: i128) -> Range {
        Range {
            lo: a.min(b).clamp(-CAP, CAP),
            hi: a.max(b).clamp(-CAP, CAP),
        }
    }

    pub fn point(v: i128) -> Range {
        Range::new(v, v)
    }

    pub fn of(w: Width) -> Range {
        Range::new(i128::from(w.min()), i128::from(w.max()))
    }

    pub fn within(&self, w: Width) -> bool {
        w.fits(self.lo) && w.fits(self.hi)
    }

    pub fn hull(&self, o: &Range) -> Range {
        Range::new(self.lo.min(o.lo), self.hi.max(o.hi))
    }

    /// The smallest interval holding every `f(x, y)` for corner pairs (exact for
    /// operations monotone in each argument).
    fn corners(a: &Range, b: &Range, f: impl Fn(i128, i128) -> i128) -> Range {
        let v = [f(a.lo, b.lo), f(a.lo, b.hi), f(a.hi, b.lo), f(a.hi, b.hi)];
        Range::new(*v.iter().min().unwrap(), *v.iter().max().unwrap())
    }

    /// What remains of `self` when `self cond other` holds (or fails, `holds = false`).
    pub fn narrow(&self, cond: Cond, other: &Range, holds: bool) -> Range {
        let cond = if holds { cond } else { negate(cond) };
        let (lo, hi) = match cond {
            Cond::Lt => (self.lo, self.hi.min(other.hi - 1)),
            Cond::Le => (self.lo, self.hi.min(other.hi)),
            Cond::Gt => (self.lo.max(other.lo + 1), self.hi),
            Cond::Ge => (self.lo.max(other.lo), self.hi),
            Cond::Eq => (self.lo.max(other.lo), self.hi.min(other.hi)),
            Cond::Ne => (self.lo, self.hi),
        };
        // An empty result is dead code; keep a valid interval there.
        if lo <= hi {
            Range::new(lo, hi)
        } else {
            *self
        }
    }
}

/// The comparison that holds exactly when `c` fails.
pub(crate) fn negate(c: Cond) -> Cond {
    match c {
        Cond::Lt => Cond::Ge,
        Cond::Le => Cond::Gt,
        Cond::Gt => Cond::Le,
        Cond::Ge => Cond::Lt,
        Cond::Eq => Cond::Ne,
        Cond::Ne => Cond::Eq,
    }
}

/// The same comparison with its operands swapped (`a < b` is `b > a`).
pub(crate) fn swap(c: Cond) -> Cond {
    match c {
        Cond::Lt => Cond::Gt,
        Cond::Le => Cond::Ge,
        Cond::Gt => Cond::Lt,
        Cond::Ge => Cond::Le,
        c => c,
    }
}

/// Bits of a signed register holding every value of `r`.
fn signed_bits(r: &Range) -> u32 {
    let need = |v: i128| {
        if v >= 0 {
            129 - v.leading_zeros()
        } else {
            129 - (!v).leading_zeros()
        }
    };
    need(r.lo).max(need(r.hi)).max(1)
}

fn bitwise(op: OpCode, a: &Range, b: &Range) -> Range {
    if a.lo >= 0 && b.lo >= 0 {
        let top = |r: &Range| (1i128 << (128 - r.hi.leading_zeros())) - 1;
        return match op {
            OpCode::And => Range::new(0, a.hi.min(b.hi)),
            _ => Range::new(0, top(a).max(top(b))),
        };
    }
    let bits = signed_bits(a).max(signed_bits(b)).min(120);
    Range::new(-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
}

fn shifted(op: OpCode, a: &Range, k: &Range) -> Range {
    let left = |lo: i128, hi: i128| {
        let (lo, hi) = (lo.clamp(0, 64), hi.clamp(0, 64));
        Range::corners(a, &Range::new(lo, hi), |x, s| x << s)
    };
    let right = |lo: i128, hi: i128| {
        let (lo, hi) = (lo.clamp(0, 127), hi.clamp(0, 127));
        Range::corners(a, &Range::new(lo, hi), |x, s| x >> s)
    };
    match op {
        OpCode::Shl => left(k.lo, k.hi),
        OpCode::Shr => right(k.lo, k.hi),
        _ => {
            // Ash: non-negative amounts shift left, negative ones right.
            let mut r: Option<Range> = None;
            if k.hi >= 0 {
                r = Some(left(k.lo.max(0), k.hi));
            }
            if k.lo < 0 {
                let rr = right(-k.hi.min(-1), -k.lo);
                r = Some(r.map_or(rr, |x| x.hull(&rr)));
            }
            r.unwrap_or(*a)
        }
    }
}

/// The interval of `op` over operand intervals `s` (`s[0]` is `a`, …).
/// `Fold` is handled by the caller (it needs the channel).
pub(crate) fn result(op: OpCode, s: &[Range; 3]) -> Range {
    let [a, b, c] = s;
    match op {
        OpCode::Mov | OpCode::Fold => *a,
        OpCode::Neg => Range::new(-a.hi, -a.lo),
        OpCode::Abs => {
            if a.lo >= 0 {
                *a
            } else if a.hi <= 0 {
                Range::new(-a.hi, -a.lo)
            } else {
                Range::new(0, (-a.lo).max(a.hi))
            }
        }
        OpCode::Not => Range::new(-a.hi - 1, -a.lo - 1),
        OpCode::Add => Range::new(a.lo + b.lo, a.hi + b.hi),
        OpCode::Sub => Range::new(a.lo - b.hi, a.hi - b.lo),
        OpCode::Mul => Range::corners(a, b, |x, y| x * y),
        OpCode::MulShr => {
            let p = Range::corners(a, b, |x, y| x * y);
            shifted(OpCode::Shr, &p, c)
        }
        OpCode::Min => Range::new(a.lo.min(b.lo), a.hi.min(b.hi)),
        OpCode::Max => Range::new(a.lo.max(b.lo), a.hi.max(b.hi)),
        OpCode::Clamp => {
            // max(b, min(a, c))
            let m = Range::new(a.lo.min(c.lo), a.hi.min(c.hi));
            Range::new(m.lo.max(b.lo), m.hi.max(b.hi))
        }
        OpCode::And | OpCode::Or | OpCode::Xor => bitwise(op, a, b),
        OpCode::Shl | OpCode::Shr | OpCode::Ash => shifted(op, a, b),
        OpCode::Decay12 => {
            let k = Range::new(b.lo.clamp(0, 4096), b.hi.clamp(0, 4096));
            Range::corners(a, &k, |x, d| x * (4096 - d) / 4096)
        }
        OpCode::ShiftDecay => Range::new(a.lo.min(0), a.hi.max(0)),
        OpCode::Cmp(_) => Range::new(0, 1),
        OpCode::Sel => b.hull(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_of_operations() {
        let s16 = Range::of(Width::s(16));
        let z = Range::point(0);
        assert_eq!(
            result(OpCode::Add, &[s16, s16, z]),
            Range::new(-65536, 65534)
        );
        assert_eq!(result(OpCode::Neg, &[s16, z, z]), Range::new(-32767, 32768));
        assert!(result(OpCode::Abs, &[s16, z, z]).within(Width::u(16)));
        let k = Range::new(-3, 2);
        assert_eq!(
            result(OpCode::Ash, &[Range::point(-8), k, z]),
            Range::new(-32, -1)
        );
        let clamp = result(OpCode::Clamp, &[Range::of(Width::s(64)), s16, s16]);
        assert!(clamp.within(Width::s(16)));
        let u8r = Range::of(Width::u(8));
        assert_eq!(u8r.narrow(Cond::Ge, &u8r, false), Range::new(0, 254));
        assert_eq!(
            bitwise(OpCode::Or, &Range::new(0, 5), &Range::new(0, 1)),
            Range::new(0, 7)
        );
        let big = result(OpCode::Shl, &[Range::of(Width::s(64)), Range::point(64), z]);
        assert!(!big.within(Width::s(64)));
    }
}
