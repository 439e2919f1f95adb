//! Where things are: tiles, cores and chips of a system.
//!
//! Tiles are numbered row-major over the whole system grid (all chips side by
//! side), so a tile's id does not depend on chip boundaries; a core's id is
//! `tile × cores_per_tile + slot`. A link between two tiles on different chips
//! is an off-chip link.
//!
//! The routing topology (ports, tile ↔ xy, torus offsets, the route walk) is [`Grid`]
//! and [`port`]: one definition for the routers, the mapper and the report.

use crate::schema::Architecture;

impl Architecture {
    /// Tiles along x over the whole system.
    pub fn grid_width(&self) -> u32 {
        self.topology.chips_x * self.topology.tiles_x
    }

    /// Tiles along y over the whole system.
    pub fn grid_height(&self) -> u32 {
        self.topology.chips_y * self.topology.tiles_y
    }

    /// Number of chips.
    pub fn chips(&self) -> u32 {
        self.topology.chips_x * self.topology.chips_y
    }

    /// Number of tiles (routers) in the system.
    pub fn total_tiles(&self) -> u32 {
        self.grid_width() * self.grid_height()
    }

    /// Number of cores in the system.
    pub fn total_cores(&self) -> u32 {
        self.total_tiles() * self.topology.cores_per_tile
    }

    /// Tile holding `core`.
    pub fn tile_of_core(&self, core: u32) -> u32 {
        core / self.topology.cores_per_tile
    }

    /// Grid coordinates `(x, y)` of `tile`.
    pub fn tile_xy(&self, tile: u32) -> (u32, u32) {
        (tile % self.grid_width(), tile / self.grid_width())
    }

    /// Tile at grid coordinates `(x, y)`.
    pub fn tile_at(&self, x: u32, y: u32) -> u32 {
        y * self.grid_width() + x
    }

    /// Chip holding `tile` (chips numbered row-major too).
    pub fn chip_of_tile(&self, tile: u32) -> u32 {
        let (x, y) = self.tile_xy(tile);
        (y / self.topology.tiles_y) * self.topology.chips_x + x / self.topology.tiles_x
    }

    /// Seconds taken by `cycles` at the clock.
    pub fn seconds(&self, cycles: u64) -> f64 {
        cycles as f64 / self.clock_hz
    }
}

/// Link ports of a router, SpiNNaker's numbering: the index of a port is its bit in a
/// multicast route word (`McEntry::ports`), and bit `LINK_PORTS + k` delivers to core
/// slot `k` of the router's tile. A square mesh uses E, N, W, S only.
pub mod port {
    /// Number of link ports (hex uses all six).
    pub const LINK_PORTS: usize = 6;
    /// East (x + 1).
    pub const E: usize = 0;
    /// North-east (x + 1, y + 1), hex only.
    pub const NE: usize = 1;
    /// North (y + 1).
    pub const N: usize = 2;
    /// West (x − 1).
    pub const W: usize = 3;
    /// South-west (x − 1, y − 1), hex only.
    pub const SW: usize = 4;
    /// South (y − 1).
    pub const S: usize = 5;
    /// Grid step `(dx, dy)` of each link port, indexed by port.
    pub const DELTAS: [(i32, i32); LINK_PORTS] =
        [(1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1)];
    /// Short names, indexed by port (reports).
    pub const NAMES: [&str; LINK_PORTS] = ["E", "NE", "N", "W", "SW", "S"];

    /// The port on the far side of link `port` (leaving on E enters the neighbour on W).
    pub const fn opposite(port: usize) -> usize {
        (port + 3) % LINK_PORTS
    }

    /// Route-word bits of all link ports (the rest deliver to cores).
    pub const LINK_BITS: u32 = (1 << LINK_PORTS) - 1;

    /// Route-word bit of link port `port`.
    pub const fn bit(port: usize) -> u32 {
        1 << port
    }

    /// Route-word bit delivering to core slot `slot` of the router's tile.
    pub const fn core_bit(slot: u32) -> u32 {
        1 << (LINK_PORTS as u32 + slot)
    }

    /// Report name of route-word bit index `p`: a link (`E` … `S`) or `core:k`.
    pub fn name(p: usize) -> String {
        NAMES
            .get(p)
            .map_or_else(|| format!("core:{}", p - LINK_PORTS), |s| (*s).to_string())
    }
}

/// The tile grid of a system as routing sees it: tile ↔ (x, y), torus offsets and the
/// dimension-order route. Routers, the mapper (multicast tables, hop counts) and the
/// report all take their geometry from here, so a route the mapper walks is the route
/// the routers take.
///
/// A route goes x first, then y; on a hex mesh the NE/SW diagonal is taken first while
/// both offsets have the same sign. On a torus each dimension goes the shorter way round
/// (ties: positive), so the offset seen from any tile of a route only shrinks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    /// Tiles along x.
    pub w: i64,
    /// Tiles along y.
    pub h: i64,
    /// Hex mesh (six links).
    pub hex: bool,
    /// Wrap-around links.
    pub torus: bool,
    /// Cores per tile.
    pub cpt: u32,
}

impl Grid {
    /// The grid of `arch`.
    pub fn new(arch: &Architecture) -> Self {
        Grid {
            w: i64::from(arch.grid_width()),
            h: i64::from(arch.grid_height()),
            hex: arch.topology.kind == crate::schema::MeshKind::Hex,
            torus: arch.topology.torus,
            cpt: arch.topology.cores_per_tile.max(1),
        }
    }

    /// Coordinates of `tile`.
    #[inline]
    pub fn xy(&self, tile: u32) -> (i64, i64) {
        (i64::from(tile) % self.w, i64::from(tile) / self.w)
    }

    /// Tile at `(x, y)` (inside the grid).
    #[inline]
    pub fn tile(&self, x: i64, y: i64) -> u32 {
        (y * self.w + x) as u32
    }

    /// Signed offset along an axis of length `len` from `from` to `to`: plain on a mesh,
    /// the shorter way round on a torus (ties positive).
    #[inline]
    pub fn axis_offset(&self, from: i64, to: i64, len: i64) -> i64 {
        let d = to - from;
        if !self.torus {
            return d;
        }
        let d = d.rem_euclid(len);
        if 2 * d > len {
            d - len
        } else {
            d
        }
    }

    /// Offset `(dx, dy)` the route from tile `a` to tile `b` covers.
    #[inline]
    pub fn offset(&self, a: u32, b: u32) -> (i64, i64) {
        let (ax, ay) = self.xy(a);
        let (bx, by) = self.xy(b);
        (
            self.axis_offset(ax, bx, self.w),
            self.axis_offset(ay, by, self.h),
        )
    }

    /// Router-to-router hops between tiles `a` and `b`.
    #[inline]
    pub fn hops(&self, a: u32, b: u32) -> u64 {
        let (dx, dy) = self.offset(a, b);
        let len = if self.hex && dx.signum() == dy.signum() {
            dx.abs().max(dy.abs())
        } else {
            dx.abs() + dy.abs()
        };
        len as u64
    }

    /// Hops between the tiles of cores `a` and `b`.
    #[inline]
    pub fn core_hops(&self, a: u32, b: u32) -> u64 {
        self.hops(a / self.cpt, b / self.cpt)
    }

    /// The link port a packet at offset `(dx, dy)` from its destination tile leaves
    /// through (`None` when it has arrived): the per-hop routing decision.
    #[inline]
    pub fn port_for(&self, dx: i64, dy: i64) -> Option<usize> {
        if self.hex {
            if dx > 0 && dy > 0 {
                return Some(port::NE);
            }
            if dx < 0 && dy < 0 {
                return Some(port::SW);
            }
        }
        Some(if dx > 0 {
            port::E
        } else if dx < 0 {
            port::W
        } else if dy > 0 {
            port::N
        } else if dy < 0 {
            port::S
        } else {
            return None;
        })
    }

    /// The link port a packet on tile `at` heading for tile `to` leaves through.
    #[inline]
    pub fn next_port(&self, at: u32, to: u32) -> Option<usize> {
        let (dx, dy) = self.offset(at, to);
        self.port_for(dx, dy)
    }

    /// The tile on the far side of link `p` of `tile`, wrapping on a torus; `None` where
    /// no link exists (a mesh edge, a diagonal of a square mesh, a 1-tile torus ring).
    pub fn link(&self, tile: u32, p: usize) -> Option<u32> {
        if !self.hex && (p == port::NE || p == port::SW) {
            return None;
        }
        let (x, y) = self.xy(tile);
        let (dx, dy) = port::DELTAS[p];
        let (mut nx, mut ny) = (x + i64::from(dx), y + i64::from(dy));
        if self.torus {
            nx = nx.rem_euclid(self.w);
            ny = ny.rem_euclid(self.h);
            if (nx, ny) == (x, y) {
                return None;
            }
        }
        if nx < 0 || ny < 0 || nx >= self.w || ny >= self.h {
            return None;
        }
        Some(self.tile(nx, ny))
    }

    /// The tile reached from `tile` through link `p`, wrapping at every edge (for walking
    /// routes and tables, where the link is known to exist).
    pub fn neighbour(&self, tile: u32, p: usize) -> u32 {
        let (x, y) = self.xy(tile);
        let (dx, dy) = port::DELTAS[p];
        self.tile(
            (x + i64::from(dx)).rem_euclid(self.w),
            (y + i64::from(dy)).rem_euclid(self.h),
        )
    }

    /// Calls `f(tile, port)` for every router the route from tile `a` to tile `b` leaves
    /// through a link, in order (`b` itself is not visited). Each hop is the decision
    /// [`Grid::port_for`] makes, on the offset that remains.
    pub fn walk(&self, a: u32, b: u32, mut f: impl FnMut(u32, usize)) {
        let (mut dx, mut dy) = self.offset(a, b);
        let (mut x, mut y) = self.xy(a);
        while let Some(p) = self.port_for(dx, dy) {
            f(self.tile(x, y), p);
            let (sx, sy) = port::DELTAS[p];
            x = (x + i64::from(sx)).rem_euclid(self.w);
            y = (y + i64::from(sy)).rem_euclid(self.h);
            dx -= i64::from(sx);
            dy -= i64::from(sy);
        }
    }
}
