//! Link directions, their geometry and the per-direction energy/latency class.

/// Number of link ports of a router (hex uses all six, a square mesh uses E, N, W, S).
pub const LINK_PORTS: usize = 6;
/// East.
pub const E: usize = 0;
/// North-east (hex only).
pub const NE: usize = 1;
/// North.
pub const N: usize = 2;
/// West.
pub const W: usize = 3;
/// South-west (hex only).
pub const SW: usize = 4;
/// South.
pub const S: usize = 5;

/// Grid step `(dx, dy)` of each link port, indexed by port.
pub const DELTAS: [(i32, i32); LINK_PORTS] = [(1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1)];

/// The port on the far side of link `port` (a packet leaving on E enters its neighbour on W).
pub const fn opposite(port: usize) -> usize {
    (port + 3) % LINK_PORTS
}

/// Which energy/latency class a traversal belongs to; counters and the energy table use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum HopClass {
    /// Router to a core of the same tile the packet was injected in.
    Local,
    /// East–west on-chip link.
    Ew,
    /// North–south or diagonal on-chip link.
    Ns,
    /// A link between two chips.
    Offchip,
}

/// Packet hops per class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HopCounts {
    /// Deliveries to a core on the source's own tile.
    pub local: u64,
    /// East–west link traversals.
    pub ew: u64,
    /// North–south / diagonal link traversals.
    pub ns: u64,
    /// Off-chip link traversals.
    pub offchip: u64,
}

impl HopCounts {
    /// All hops.
    pub fn total(&self) -> u64 {
        self.local + self.ew + self.ns + self.offchip
    }

    pub(crate) fn add(&mut self, class: HopClass) {
        match class {
            HopClass::Local => self.local += 1,
            HopClass::Ew => self.ew += 1,
            HopClass::Ns => self.ns += 1,
            HopClass::Offchip => self.offchip += 1,
        }
    }

    pub(crate) fn minus(&self, o: &HopCounts) -> HopCounts {
        HopCounts {
            local: self.local - o.local,
            ew: self.ew - o.ew,
            ns: self.ns - o.ns,
            offchip: self.offchip - o.offchip,
        }
    }
}
