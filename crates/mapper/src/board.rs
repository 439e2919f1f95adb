//! Chips of a board: the one rule that sizes a system from the cores a network needs.
//!
//! When the architecture sits on a board (`topology.max_chips_x/y`) and a placement runs
//! out of cores, the mapper maps again on the grid `pick_grid` gives for the chips those
//! cores fill (`⌈cores / cores per chip⌉`, at least one more than the system has): the
//! near-square grid when it lies on the board and is at least the current grid along each
//! axis, otherwise the smallest-area such grid, ties to the squarer, then the wider one.

use neurochip_arch::schema::Architecture;
use serde::Serialize;

/// A grid of chips, `x` × `y`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ChipGrid {
    /// Chips along x.
    pub x: u32,
    /// Chips along y.
    pub y: u32,
}

/// The system a mapping used: a board may give a network more chips than the
/// architecture starts with, so the chip count is a result, not an input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChipsReport {
    /// Chips along x of the system mapped.
    pub x: u32,
    /// Chips along y of the system mapped.
    pub y: u32,
    /// The architecture's own `chips_x` × `chips_y` when the network needed more chips; else `None`.
    pub grown_from: Option<ChipGrid>,
    /// `max_chips_x` × `max_chips_y` of the board, when the architecture has one; else `None`.
    pub board_limit: Option<ChipGrid>,
}

impl ChipsReport {
    /// The summary line of a grown system (`None` when the system was not grown).
    pub fn grown_line(&self) -> Option<String> {
        let from = self.grown_from?;
        let limit = match self.board_limit {
            Some(b) => format!("; board limit {} x {}", b.x, b.y),
            None => String::new(),
        };
        Some(format!(
            "system: {} x {} chips (grown from {} x {} to fit{limit})",
            self.x, self.y, from.x, from.y
        ))
    }
}

/// Cores on one chip of `arch`.
pub(crate) fn cores_per_chip(arch: &Architecture) -> u64 {
    let t = &arch.topology;
    (u64::from(t.tiles_x) * u64::from(t.tiles_y) * u64::from(t.cores_per_tile)).max(1)
}

/// The board `arch` sits on, if any.
pub(crate) fn board_limit(arch: &Architecture) -> Option<ChipGrid> {
    let t = &arch.topology;
    match (t.max_chips_x, t.max_chips_y) {
        (None, None) => None,
        (mx, my) => Some(ChipGrid {
            x: mx.unwrap_or(t.chips_x),
            y: my.unwrap_or(t.chips_y),
        }),
    }
}

/// Chips a system needs for `cores` cores, at least one more than `arch` has (so that
/// each retry grows).
pub(crate) fn chips_for(cores: u64, arch: &Architecture) -> u64 {
    let has = u64::from(arch.topology.chips_x) * u64::from(arch.topology.chips_y);
    cores.div_ceil(cores_per_chip(arch)).max(1).max(has + 1)
}

/// The near-square grid for `chips`: `x = ⌈√chips⌉`, `y = ⌈chips / x⌉`.
pub(crate) fn near_square(chips: u64) -> (u64, u64) {
    let x = ((chips as f64).sqrt().ceil() as u64).max(1);
    (x, chips.div_ceil(x))
}

/// The grid to grow to for `need` chips, between `at_least` and `limit` (see the module
/// doc); `None` when no grid on the board holds them.
pub(crate) fn pick_grid(need: u64, at_least: ChipGrid, limit: ChipGrid) -> Option<ChipGrid> {
    let fits = |g: ChipGrid| {
        g.x >= at_least.x
            && g.y >= at_least.y
            && g.x <= limit.x
            && g.y <= limit.y
            && u64::from(g.x) * u64::from(g.y) >= need
    };
    let (x, y) = near_square(need);
    let square = ChipGrid {
        x: u32::try_from(x).unwrap_or(u32::MAX),
        y: u32::try_from(y).unwrap_or(u32::MAX),
    };
    if fits(square) {
        return Some(square);
    }
    // For each width the shortest height that holds `need` is the only candidate;
    // widths beyond `need` only add area.
    let widest = u64::from(limit.x).min(need.max(u64::from(at_least.x)));
    (u64::from(at_least.x)..=widest)
        .filter_map(|x| {
            let y = need.div_ceil(x).max(u64::from(at_least.y));
            let g = ChipGrid {
                x: u32::try_from(x).ok()?,
                y: u32::try_from(y).ok()?,
            };
            fits(g).then_some(g)
        })
        .min_by_key(|g| (u64::from(g.x) * u64::from(g.y), g.x.abs_diff(g.y), g.y))
}

#[cfg(test)]
mod tests {
    use super::{pick_grid, ChipGrid};

    fn g(x: u32, y: u32) -> ChipGrid {
        ChipGrid { x, y }
    }

    #[test]
    fn the_near_square_grid_wins_when_it_fits() {
        // 33 chips: near-square 6 x 6, although 5 x 7 has less area.
        assert_eq!(pick_grid(33, g(1, 1), g(8, 8)), Some(g(6, 6)));
        assert_eq!(pick_grid(2, g(1, 1), g(4, 4)), Some(g(2, 1)));
    }

    #[test]
    fn otherwise_the_smallest_area_then_the_squarer_grid() {
        // 6 x 6 is off a 9 x 4 board; 9 x 4 = 36 is the only grid of >= 33 chips.
        assert_eq!(pick_grid(33, g(1, 1), g(9, 4)), Some(g(9, 4)));
        // 12 chips on a 12 x 3 board: 4 x 3 (area 12, squarer than 6 x 2 and 12 x 1).
        assert_eq!(pick_grid(12, g(1, 1), g(12, 3)), Some(g(4, 3)));
        // 10 chips on a 10 x 10 board with a minimum of 5 along y: 2 x 5 (area 10).
        assert_eq!(pick_grid(10, g(1, 5), g(10, 10)), Some(g(2, 5)));
        // Equal area and squareness: the wider grid.
        assert_eq!(pick_grid(6, g(1, 1), g(3, 3)), Some(g(3, 2)));
    }

    #[test]
    fn every_pick_holds_the_chips_and_stays_on_the_board() {
        for need in 1..=70u64 {
            for (lx, ly) in [(8, 8), (3, 9), (16, 1), (1, 1)] {
                let got = pick_grid(need, g(1, 1), g(lx, ly));
                let exists = u64::from(lx) * u64::from(ly) >= need;
                assert_eq!(got.is_some(), exists, "need {need} on {lx} x {ly}");
                if let Some(p) = got {
                    let area = u64::from(p.x) * u64::from(p.y);
                    assert!(area >= need && p.x <= lx && p.y <= ly, "{p:?}");
                    // No row of chips is wasted.
                    assert!(area < need + u64::from(p.x), "need {need}: {p:?}");
                    let near_square = pick_grid(need, g(1, 1), g(u32::MAX, u32::MAX));
                    if near_square != got {
                        // Off the board: nothing on it has less area.
                        for x in 1..=lx {
                            for y in 1..=ly {
                                let a = u64::from(x) * u64::from(y);
                                assert!(a < need || a >= area, "{x} x {y} beats {p:?}");
                            }
                        }
                    }
                }
            }
        }
    }
}
