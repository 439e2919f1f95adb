//! Tile geometry for the mapper: hop distances and the dimension-order
//! route a packet takes, so multicast tables can be built by walking the
//! same path the routers will follow.
//!
//! Directions (SpiNNaker's numbering, used as `McEntry::ports` bits 0–5):
//! E = x+1, NE = (x+1, y+1), N = y+1, W = x−1, SW = (x−1, y−1), S = y−1.
//! A square mesh uses E, N, W, S only. Routes go x first, then y; on a hex
//! mesh the diagonal is taken first while both offsets have the same sign.
//! On a torus each dimension goes the shorter way round (ties: positive),
//! the same choice as `neurochip_hw`'s router.

use neurochip_arch::schema::{Architecture, MeshKind};

/// Port bit of the east link.
pub const PORT_E: u32 = 1 << 0;
/// Port bit of the north-east link (hex only).
pub const PORT_NE: u32 = 1 << 1;
/// Port bit of the north link.
pub const PORT_N: u32 = 1 << 2;
/// Port bit of the west link.
pub const PORT_W: u32 = 1 << 3;
/// Port bit of the south-west link (hex only).
pub const PORT_SW: u32 = 1 << 4;
/// Port bit of the south link.
pub const PORT_S: u32 = 1 << 5;

/// Port bit delivering to core slot `k` of the router's tile.
pub fn port_core(k: u32) -> u32 {
    1 << (6 + k)
}

/// Geometry cached from an architecture (avoids re-deriving the grid per synapse).
#[derive(Clone, Copy, Debug)]
pub struct Grid {
    /// Tiles along x.
    pub w: i64,
    /// Tiles along y.
    pub h: i64,
    /// Hex mesh.
    pub hex: bool,
    /// Torus wrap.
    pub torus: bool,
    /// Cores per tile.
    pub cpt: u32,
}

impl Grid {
    /// Geometry of `arch`.
    pub fn new(arch: &Architecture) -> Self {
        Grid {
            w: arch.grid_width() as i64,
            h: arch.grid_height() as i64,
            hex: arch.topology.kind == MeshKind::Hex,
            torus: arch.topology.torus,
            cpt: arch.topology.cores_per_tile.max(1),
        }
    }

    fn xy(&self, tile: u32) -> (i64, i64) {
        (tile as i64 % self.w, tile as i64 / self.w)
    }

    fn tile(&self, x: i64, y: i64) -> u32 {
        (y * self.w + x) as u32
    }

    /// Offset (dx, dy) the route covers from `a` to `b`. On a torus each
    /// dimension independently goes the shorter way (ties: positive), exactly
    /// as the hardware model's unicast routing does.
    fn offset(&self, a: u32, b: u32) -> (i64, i64) {
        let (ax, ay) = self.xy(a);
        let (bx, by) = self.xy(b);
        if !self.torus {
            return (bx - ax, by - ay);
        }
        let short = |d: i64, n: i64| {
            let d = d.rem_euclid(n);
            if 2 * d > n {
                d - n
            } else {
                d
            }
        };
        (short(bx - ax, self.w), short(by - ay, self.h))
    }

    fn len_of(&self, dx: i64, dy: i64) -> i64 {
        if self.hex && dx.signum() == dy.signum() {
            dx.abs().max(dy.abs())
        } else {
            dx.abs() + dy.abs()
        }
    }

    /// Router-to-router hops between tiles `a` and `b`.
    pub fn hops(&self, a: u32, b: u32) -> u64 {
        let (dx, dy) = self.offset(a, b);
        self.len_of(dx, dy) as u64
    }

    /// Hops between the tiles of cores `a` and `b`.
    pub fn core_hops(&self, a: u32, b: u32) -> u64 {
        self.hops(a / self.cpt, b / self.cpt)
    }

    /// Calls `f(tile, out_port)` for every router the route from `a` to `b`
    /// leaves through a link (the last tile `b` is not visited).
    pub fn walk(&self, a: u32, b: u32, mut f: impl FnMut(u32, u32)) {
        let (mut dx, mut dy) = self.offset(a, b);
        let (mut x, mut y) = self.xy(a);
        let step = |x: &mut i64, y: &mut i64, sx: i64, sy: i64| {
            *x = (*x + sx).rem_euclid(self.w);
            *y = (*y + sy).rem_euclid(self.h);
        };
        if self.hex {
            while dx != 0 && dx.signum() == dy.signum() {
                let t = self.tile(x, y);
                let s = dx.signum();
                f(t, if s > 0 { PORT_NE } else { PORT_SW });
                step(&mut x, &mut y, s, s);
                dx -= s;
                dy -= s;
            }
        }
        while dx != 0 {
            let t = self.tile(x, y);
            let s = dx.signum();
            f(t, if s > 0 { PORT_E } else { PORT_W });
            step(&mut x, &mut y, s, 0);
            dx -= s;
        }
        while dy != 0 {
            let t = self.tile(x, y);
            let s = dy.signum();
            f(t, if s > 0 { PORT_N } else { PORT_S });
            step(&mut x, &mut y, 0, s);
            dy -= s;
        }
    }

    /// Tile reached from `tile` through `port` (a link bit), for walking tables.
    pub fn neighbour(&self, tile: u32, port: u32) -> u32 {
        let (x, y) = self.xy(tile);
        let (sx, sy) = match port {
            PORT_E => (1, 0),
            PORT_NE => (1, 1),
            PORT_N => (0, 1),
            PORT_W => (-1, 0),
            PORT_SW => (-1, -1),
            _ => (0, -1),
        };
        self.tile((x + sx).rem_euclid(self.w), (y + sy).rem_euclid(self.h))
    }
}
