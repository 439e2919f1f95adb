//! One router's ports and its route computation.

use std::collections::VecDeque;

use super::link::{HopClass, DELTAS, E, LINK_PORTS, N, NE, S, SW, W};
use super::packet::Flit;
use crate::image::{Dest, McEntry};

/// Where a router input port's flits come from (credits go back there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Upstream {
    /// No link (mesh edge or unused hex port).
    None,
    /// Output `port` of router `router`.
    Link { router: u32, port: u8 },
    /// The packetiser of core `core` (local injection).
    Core,
}

/// Where a router output port's flits go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Downstream {
    /// No link here.
    None,
    /// Input `port` of router `router`.
    Link { router: u32, port: u8 },
    /// The input buffer of core `core`.
    Core(u32),
}

/// An input port: a FIFO of flits plus the wormhole state of the packet at its front.
#[derive(Debug)]
pub(crate) struct InPort {
    /// Flits in arrival order; change it only through [`InPort::push`] / [`InPort::pop`],
    /// which keep `front_ready` in step.
    pub buf: VecDeque<Flit>,
    /// `ready` of the front flit, `u64::MAX` when empty: most visits only need this, and it
    /// sits next to the port's other state instead of behind the buffer's pointer.
    pub front_ready: u64,
    pub cap: u32,
    /// Outputs held by the packet at the front (0 = not yet allocated).
    pub grant: u32,
    /// Outputs the front head flit asks for (valid when `req_valid`).
    pub req: u32,
    pub req_valid: bool,
    /// The front packet is being discarded flit by flit.
    pub dropping: bool,
    pub upstream: Upstream,
}

/// An output port: wormhole lock, round-robin pointer, credits for the downstream buffer.
#[derive(Debug)]
pub(crate) struct OutPort {
    pub down: Downstream,
    /// Input port holding this output until its tail passes.
    pub held: Option<u8>,
    /// Next input port to get priority.
    pub rr: u8,
    /// Free flit slots in the downstream buffer as this router knows it.
    pub credits: u32,
    /// Cycles at which credits in transit come back, ascending.
    pub returns: VecDeque<u64>,
    /// Cycles on the wire.
    pub latency: u32,
    /// Cycles a returned credit spends on the wire back.
    pub credit_latency: u32,
    pub class: HopClass,
    /// Flits accepted per cycle.
    pub width: u32,
    /// Cycles between two flits (off-chip serialisation; 0 or 1 = none).
    pub cycles_per_flit: u32,
    /// First cycle the serialiser can take another flit.
    pub next_free: u64,
    /// Flits taken in the current cycle.
    pub used: u32,
    /// Start of the current stall interval, if stalled.
    pub stall_since: Option<u64>,
}

impl InPort {
    /// An empty port.
    pub fn new(cap: u32, upstream: Upstream) -> Self {
        InPort {
            buf: VecDeque::new(),
            front_ready: u64::MAX,
            cap,
            grant: 0,
            req: 0,
            req_valid: false,
            dropping: false,
            upstream,
        }
    }

    /// Append a flit.
    #[inline]
    pub fn push(&mut self, f: Flit) {
        if self.buf.is_empty() {
            self.front_ready = f.ready;
        }
        self.buf.push_back(f);
    }

    /// Remove the front flit.
    #[inline]
    pub fn pop(&mut self) -> Option<Flit> {
        let f = self.buf.pop_front();
        self.front_ready = self.buf.front().map_or(u64::MAX, |n| n.ready);
        f
    }
}

impl OutPort {
    pub fn exists(&self) -> bool {
        self.down != Downstream::None
    }

    /// Take back every credit whose return time has come.
    #[inline]
    pub fn refresh(&mut self, t: u64) {
        while let Some(&c) = self.returns.front() {
            if c > t {
                break;
            }
            self.returns.pop_front();
            self.credits += 1;
        }
    }

    /// Room for one more flit this cycle (width and serialiser; credits are checked apart).
    #[inline]
    pub fn has_slot(&self, t: u64) -> bool {
        self.used < self.width && self.next_free <= t
    }
}

/// One router, at one tile.
#[derive(Debug)]
pub(crate) struct Router {
    pub ins: Vec<InPort>,
    pub outs: Vec<OutPort>,
    /// Flits in this router's input buffers, including those still on the wire towards them.
    pub flits: u64,
    pub x: i32,
    pub y: i32,
    pub table: Vec<McEntry>,
    /// Bit p set when output p leads somewhere.
    pub exists: u32,
    /// No input's front flit is ready before this cycle (a lower bound; FIFO ready times
    /// never decrease, so a push can only lower it to the pushed flit's time).
    pub min_ready: u64,
    /// Outputs with an open stall interval.
    pub stalled: u32,
    /// After a visit where nothing changed: the first cycle anything here can change by
    /// itself (a flit ready, a credit back, the serialiser free). Pushes, credit returns and
    /// a core buffer freeing a slot pull it earlier.
    pub sleep_until: u64,
    /// Bit i set when input i's buffer holds a flit (the only inputs a visit looks at).
    pub occ: u32,
    /// Inputs whose front head is routed and waiting for allocation (`req_valid`).
    pub reqv: u32,
    /// Inputs holding outputs (`grant != 0`).
    pub granted: u32,
    /// Inputs discarding their front packet (`dropping`).
    pub dropping: u32,
}

/// Why a packet was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// `overflow = "drop"` and the downstream buffer had no room for the head.
    Overflow,
    /// A multicast key from a local core matched no table entry.
    TableMissLocal,
    /// The route names a link that does not exist (mesh edge, default route off the edge).
    NoLink,
}

/// Static routing context shared by all routers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RouteCtx {
    pub width: i32,
    pub height: i32,
    pub torus: bool,
    pub hex: bool,
    pub cores_per_tile: u32,
}

impl RouteCtx {
    /// Signed shortest offset from `from` to `to` along an axis of length `len`.
    fn offset(&self, from: i32, to: i32, len: i32) -> i32 {
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

    /// Output link for a unicast packet at `(x, y)` heading to `(tx, ty)` (not equal).
    ///
    /// Square mesh: x first, then y. Hex: diagonally (NE or SW) while dx and dy have the
    /// same sign, then straight along x, then along y.
    pub fn xy_port(&self, x: i32, y: i32, tx: i32, ty: i32) -> usize {
        let dx = self.offset(x, tx, self.width);
        let dy = self.offset(y, ty, self.height);
        if self.hex {
            if dx > 0 && dy > 0 {
                return NE;
            }
            if dx < 0 && dy < 0 {
                return SW;
            }
        }
        if dx > 0 {
            E
        } else if dx < 0 {
            W
        } else if dy > 0 {
            N
        } else {
            S
        }
    }

    /// Neighbour tile of `(x, y)` through `port`, if the link exists.
    pub fn neighbour(&self, x: i32, y: i32, port: usize) -> Option<(i32, i32)> {
        if !self.hex && (port == NE || port == SW) {
            return None;
        }
        let (dx, dy) = DELTAS[port];
        let (mut nx, mut ny) = (x + dx, y + dy);
        if self.torus {
            nx = nx.rem_euclid(self.width);
            ny = ny.rem_euclid(self.height);
            if (nx, ny) == (x, y) {
                return None;
            }
        }
        if nx < 0 || ny < 0 || nx >= self.width || ny >= self.height {
            return None;
        }
        Some((nx, ny))
    }
}

impl Router {
    /// First cycle a visit can change anything: never while empty or asleep, and before a
    /// front flit is ready only to close an open stall interval.
    #[inline]
    pub fn due(&self) -> u64 {
        if self.flits == 0 {
            u64::MAX
        } else if self.stalled != 0 {
            self.sleep_until
        } else {
            self.sleep_until.max(self.min_ready)
        }
    }

    /// First cycle after `t` at which this router can change by itself.
    pub fn wake_after(&mut self, t: u64) -> u64 {
        let mut w = u64::MAX;
        let mut occ = self.occ;
        while occ != 0 {
            let i = occ.trailing_zeros() as usize;
            occ &= occ - 1;
            let r = self.ins[i].front_ready;
            if r > t {
                w = w.min(r);
            }
        }
        let mut ex = self.exists;
        while ex != 0 {
            let o = ex.trailing_zeros() as usize;
            ex &= ex - 1;
            let op = &mut self.outs[o];
            op.refresh(t);
            if let Some(&c) = op.returns.front() {
                w = w.min(c.max(t + 1));
            }
            if op.next_free > t {
                w = w.min(op.next_free);
            }
        }
        w
    }

    /// Output mask for the head flit of a packet that entered on `in_port`.
    pub fn route(
        &self,
        ctx: &RouteCtx,
        tile: u32,
        in_port: usize,
        dest: &Dest,
    ) -> Result<u32, DropReason> {
        let mask = match *dest {
            Dest::Unicast { core, .. } => {
                let dt = core / ctx.cores_per_tile;
                if dt == tile {
                    1u32 << (LINK_PORTS as u32 + core % ctx.cores_per_tile)
                } else {
                    let tx = (dt % ctx.width as u32) as i32;
                    let ty = (dt / ctx.width as u32) as i32;
                    1u32 << ctx.xy_port(self.x, self.y, tx, ty)
                }
            }
            Dest::Multicast { key } => match self.table.iter().find(|e| key & e.mask == e.key) {
                Some(e) => e.ports,
                None if in_port < LINK_PORTS => 1u32 << super::link::opposite(in_port),
                None => return Err(DropReason::TableMissLocal),
            },
        };
        if mask == 0 || mask & !self.exists != 0 {
            return Err(DropReason::NoLink);
        }
        Ok(mask)
    }
}
