//! The step's accumulator channels: what the dendrite folds synaptic
//! increments into before the neuron program runs.

use crate::fixed::ClampAdd;

use super::image::{Chan, Fold, Scale};
use super::isa::MAX_CHANS;

/// One channel's folded events of one step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cell {
    /// Nothing arrived.
    #[default]
    Empty,
    /// A wrapping or saturating sum.
    Sum(i64),
    /// The saturating adds of an [`Fold::Onto`] channel: the first event
    /// (which may start from a value outside the rails) and the composition
    /// of the others ([`ClampAdd`] is exact for values within the rails,
    /// which every value is after the first add).
    Onto {
        /// The first increment.
        first: i64,
        /// The later increments, composed.
        rest: ClampAdd,
    },
}

impl Cell {
    /// The channel read as a value: the sum (0 when empty; an `Onto`
    /// channel reads as its events applied to 0).
    pub fn value(&self) -> i64 {
        match self {
            Cell::Empty => 0,
            Cell::Sum(s) => *s,
            Cell::Onto { .. } => self.apply(0),
        }
    }

    /// The channel applied to register value `x`: `x` unchanged when empty,
    /// `x + sum` for a sum, the folded saturating adds for `Onto`.
    pub fn apply(&self, x: i64) -> i64 {
        match self {
            Cell::Empty => x,
            Cell::Sum(s) => x.saturating_add(*s),
            Cell::Onto { first, rest } => {
                // i64 saturation cannot change a result clamped to narrower rails.
                let once = x.saturating_add(*first).clamp(rest.rail_lo, rest.rail_hi);
                rest.apply(once)
            }
        }
    }
}

/// The accumulators of one neuron for one step, one [`Cell`] per channel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgramAcc {
    /// By channel number.
    pub cells: [Cell; MAX_CHANS],
}

/// The increment one synaptic event adds: `wrap(weight << shift, width)`,
/// `shift` clamped to 0..=63 (a parameter shift reads `params[k]`).
pub fn increment(chan: &Chan, params: &[i64], weight: i32) -> i64 {
    let shift = match chan.shift {
        Scale::None => 0,
        Scale::Imm(k) => i64::from(k),
        Scale::Param(k) => params.get(usize::from(k)).copied().unwrap_or(0),
    }
    .clamp(0, 63);
    chan.width.wrap(i128::from(weight) << shift)
}

/// Fold one event into `cell`; returns true when a saturating sum clipped it.
pub fn fold(chan: &Chan, params: &[i64], cell: &mut Cell, weight: i32) -> bool {
    let inc = increment(chan, params, weight);
    let w = chan.width;
    match chan.fold {
        Fold::Wrap => {
            let s = i128::from(cell.value()) + i128::from(inc);
            *cell = Cell::Sum(w.wrap(s));
            false
        }
        Fold::Sat => {
            let s = i128::from(cell.value()) + i128::from(inc);
            *cell = Cell::Sum(w.sat(s));
            !w.fits(s)
        }
        Fold::Onto => {
            match cell {
                Cell::Onto { rest, .. } => rest.then_add(inc),
                _ => {
                    *cell = Cell::Onto {
                        first: inc,
                        rest: ClampAdd::identity(w.min(), w.max()),
                    }
                }
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::isa::Width;

    #[test]
    fn folds_wrap_saturate_and_compose() {
        let params = [3i64];
        let wrap8 = Chan {
            fold: Fold::Wrap,
            width: Width::s(8),
            shift: Scale::None,
        };
        let mut c = Cell::Empty;
        fold(&wrap8, &params, &mut c, 100);
        fold(&wrap8, &params, &mut c, 100);
        assert_eq!(c.value(), -56);
        let sat8 = Chan {
            fold: Fold::Sat,
            ..wrap8
        };
        let mut c = Cell::Empty;
        assert!(!fold(&sat8, &params, &mut c, 100));
        assert!(fold(&sat8, &params, &mut c, 100));
        assert_eq!(c.value(), 127);
        // Onto, shifted by params[0] = 3: +2·8 saturates a register at 120 to 127, then -10·8.
        let onto = Chan {
            fold: Fold::Onto,
            width: Width::s(8),
            shift: Scale::Param(0),
        };
        let mut c = Cell::Empty;
        fold(&onto, &params, &mut c, 2);
        fold(&onto, &params, &mut c, -10);
        assert_eq!(c.apply(120), 127 - 80);
        assert_eq!(c.apply(-20), -20 + 16 - 80);
        assert_eq!(c.apply(-100), -128); // -84, then -80 saturates
        assert_eq!(Cell::Empty.apply(5), 5);
        // From outside the rails, the first add clamps once: -1000 + 16 -> -128, then -80.
        assert_eq!(c.apply(-1000), -128);
        assert_eq!(c.apply(1000), 127 - 80);
    }
}
