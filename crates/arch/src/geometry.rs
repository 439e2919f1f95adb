//! Where things are: tiles, cores and chips of a system.
//!
//! Tiles are numbered row-major over the whole system grid (all chips side by
//! side), so a tile's id does not depend on chip boundaries; a core's id is
//! `tile × cores_per_tile + slot`. A link between two tiles on different chips
//! is an off-chip link.

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
