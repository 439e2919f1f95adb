//! The network on chip: one router per tile, links between neighbours, wormhole flow control.
//!
//! # Model
//!
//! - Every router has 6 link ports (E NE N W SW S = 0..5; a square mesh leaves NE and SW
//!   unconnected) and one local port per core of its tile (port 6 + k), each with an input
//!   FIFO of `router.buffer_flits` flits.
//! - A packet is `router.packet_flits` flits. The head flit is routed; it then holds every
//!   output it was granted until the tail passes (wormhole). Body flits follow.
//! - A flit that leaves an output at cycle `t` may leave the next router at
//!   `max(t + link latency + pipeline_cycles, t + 1)`; a flit injected by a core at `t` may
//!   leave its first router at `max(t + pipeline_cycles, t + 1)`.
//! - Allocation is all-or-nothing: a head is granted only when every output it needs is free
//!   (multicast = synchronous replication: a flit moves only when all its outputs take it in
//!   the same cycle). Among heads asking for a free output, a rotating pointer per output
//!   picks the first input at or after it, then moves past the winner.
//! - Each output takes at most `link.width_flits` flits per cycle (off-chip: one flit every
//!   `offchip_cycles_per_flit` cycles). When a tail passes, another packet may use the rest of
//!   that cycle's width.
//! - Link outputs hold credits for the downstream buffer; a credit comes back
//!   `max(link latency, 1)` cycles after the flit leaves that buffer (never in the same cycle,
//!   so the tile processing order cannot matter). Local injection checks the local input
//!   buffer's occupancy directly. A local output delivers into the core's input buffer; a head
//!   needs a free packet slot there (`core.input_buffer`), otherwise the router waits.
//! - `overflow = "drop"`: a granted head whose link output has no credit is dropped on that
//!   output (counted and located) instead of waiting; body flits of a packet that did get
//!   through still wait for credits.

pub mod link;
pub mod packet;
pub mod router;

use std::collections::VecDeque;

use neurochip_arch::schema::{MeshKind, Overflow, Routing};
use neurochip_arch::Architecture;

use crate::counters::{Counters, DropRecord, PortCounters, RouterCounters};
use crate::due::DueSet;
use crate::error::HwError;
use crate::image::McEntry;
use link::{HopClass, LINK_PORTS};
use packet::{Delivered, Flit, Packet};
use router::{Downstream, DropReason, InPort, OutPort, RouteCtx, Router, Upstream};

/// Iterate over the set bits of a port mask.
#[inline]
fn bits(mut m: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if m == 0 {
            None
        } else {
            let b = m.trailing_zeros() as usize;
            m &= m - 1;
            Some(b)
        }
    })
}

/// A core's input buffer, filled by its router's local output port.
#[derive(Debug)]
pub(crate) struct Inbox {
    pub q: VecDeque<Delivered>,
    pub cap: usize,
    /// The last entry's tail has not arrived yet.
    pub open: bool,
}

impl Inbox {
    /// Take the oldest complete packet.
    pub fn pop(&mut self) -> Option<Delivered> {
        if self.q.is_empty() || (self.open && self.q.len() == 1) {
            return None;
        }
        self.q.pop_front()
    }

    /// A complete packet is waiting.
    #[inline]
    pub fn ready(&self) -> bool {
        self.q.len() > 1 || (self.q.len() == 1 && !self.open)
    }
}

/// Remove input `i`'s front flit (ready by `t`, already checked): its slot's credit starts
/// back upstream at `t`, or the local packetiser that may be waiting for the slot is woken.
#[inline]
fn take_front(
    router: &mut Router,
    i: usize,
    t: u64,
    tile: u32,
    cores_per_tile: u32,
    pending_credit: &mut Vec<(u32, u8, u64)>,
    woken: &mut Vec<u32>,
) {
    let ip = &mut router.ins[i];
    ip.pop();
    if ip.buf.is_empty() {
        router.occ &= !(1 << i);
    }
    match ip.upstream {
        Upstream::Link {
            router: ur,
            port: up,
        } => pending_credit.push((ur, up, t)),
        Upstream::Core => woken.push(tile * cores_per_tile + (i - LINK_PORTS) as u32),
        Upstream::None => {}
    }
    router.flits -= 1;
}

/// All routers, links and core input buffers of the system.
#[derive(Debug)]
pub struct Network {
    routers: Vec<Router>,
    pub(crate) inbox: Vec<Inbox>,
    /// Cores the network touched since the engine last looked (a head or tail reached their
    /// input buffer, or a flit left their injection buffer): they must be visited.
    pub(crate) woken: Vec<u32>,
    ctx: RouteCtx,
    pipeline: u64,
    packet_flits: u32,
    drop_mode: bool,
    in_flight: u64,
    pending_push: Vec<(u32, u8, Flit)>,
    pending_credit: Vec<(u32, u8, u64)>,
    /// Per router: the first cycle a visit can do anything (see [`Router::due`]), with block
    /// bounds so a cycle scans only routers that can act.
    due: DueSet,
}

impl Network {
    /// Build the routers of `arch` with their multicast tables (empty = no tables).
    pub fn new(arch: &Architecture, tables: &[Vec<McEntry>]) -> Result<Self, HwError> {
        let tiles = arch.total_tiles();
        let cpt = arch.topology.cores_per_tile;
        if cpt == 0 || cpt > 26 {
            return Err(HwError::BadArch {
                field: "topology.cores_per_tile",
                reason: format!("{cpt} is outside 1..=26 (route words have 6 + 26 port bits)"),
            });
        }
        let r = &arch.router;
        if r.buffer_flits == 0 || r.packet_flits == 0 || arch.link.width_flits == 0 {
            return Err(HwError::BadArch {
                field: "router.buffer_flits/packet_flits, link.width_flits",
                reason: "must all be at least 1".into(),
            });
        }
        if !tables.is_empty() && tables.len() != tiles as usize {
            return Err(HwError::BadImage {
                core: None,
                field: "router_tables",
                reason: format!("{} tables for {tiles} routers", tables.len()),
            });
        }
        let ctx = RouteCtx {
            width: arch.grid_width() as i32,
            height: arch.grid_height() as i32,
            torus: arch.topology.torus,
            hex: arch.topology.kind == MeshKind::Hex,
            cores_per_tile: cpt,
        };
        let nports = LINK_PORTS + cpt as usize;
        let mut routers = Vec::with_capacity(tiles as usize);
        for tile in 0..tiles {
            let (x, y) = arch.tile_xy(tile);
            let (x, y) = (x as i32, y as i32);
            let mut ins = Vec::with_capacity(nports);
            let mut outs = Vec::with_capacity(nports);
            for p in 0..nports {
                let (up, down, latency, class, width, cpf) = if p < LINK_PORTS {
                    match ctx.neighbour(x, y, p) {
                        Some((nx, ny)) => {
                            let nt = arch.tile_at(nx as u32, ny as u32);
                            let back = link::opposite(p) as u8;
                            let l = Upstream::Link {
                                router: nt,
                                port: back,
                            };
                            let d = Downstream::Link {
                                router: nt,
                                port: back,
                            };
                            if arch.chip_of_tile(nt) != arch.chip_of_tile(tile) {
                                let l_off = arch.link.offchip_latency_cycles;
                                (
                                    l,
                                    d,
                                    l_off,
                                    HopClass::Offchip,
                                    1,
                                    arch.link.offchip_cycles_per_flit,
                                )
                            } else if p == link::E || p == link::W {
                                (
                                    l,
                                    d,
                                    arch.link.latency_ew_cycles,
                                    HopClass::Ew,
                                    arch.link.width_flits,
                                    1,
                                )
                            } else {
                                (
                                    l,
                                    d,
                                    arch.link.latency_ns_cycles,
                                    HopClass::Ns,
                                    arch.link.width_flits,
                                    1,
                                )
                            }
                        }
                        None => (Upstream::None, Downstream::None, 0, HopClass::Ew, 1, 1),
                    }
                } else {
                    let core = tile * cpt + (p - LINK_PORTS) as u32;
                    (
                        Upstream::Core,
                        Downstream::Core(core),
                        0,
                        HopClass::Local,
                        arch.link.width_flits,
                        1,
                    )
                };
                ins.push(InPort::new(r.buffer_flits, up));
                outs.push(OutPort {
                    down,
                    held: None,
                    rr: 0,
                    credits: r.buffer_flits,
                    returns: VecDeque::new(),
                    latency,
                    credit_latency: latency.max(1),
                    class,
                    width,
                    cycles_per_flit: cpf,
                    next_free: 0,
                    used: 0,
                    stall_since: None,
                });
            }
            let table = tables.get(tile as usize).cloned().unwrap_or_default();
            if arch.router.routing == Routing::Multicast
                && table.len() > arch.router.table_entries as usize
            {
                return Err(HwError::BadRouterTable {
                    router: tile,
                    reason: format!(
                        "{} entries, router.table_entries is {}",
                        table.len(),
                        arch.router.table_entries
                    ),
                });
            }
            for (n, e) in table.iter().enumerate() {
                if e.ports >> nports != 0 {
                    return Err(HwError::BadRouterTable {
                        router: tile,
                        reason: format!(
                            "entry {n} names port bits {:#x} beyond the {nports} ports",
                            e.ports
                        ),
                    });
                }
                if let Some(p) = bits(e.ports).find(|&p| outs[p].down == Downstream::None) {
                    return Err(HwError::BadRouterTable {
                        router: tile,
                        reason: format!(
                            "entry {n} routes to link port {p}, which has no neighbour"
                        ),
                    });
                }
                if e.key & !e.mask != 0 {
                    return Err(HwError::BadRouterTable {
                        router: tile,
                        reason: format!(
                            "entry {n} key {:#x} has bits outside mask {:#x}; it can never match",
                            e.key, e.mask
                        ),
                    });
                }
            }
            let exists = outs
                .iter()
                .enumerate()
                .filter(|(_, o)| o.exists())
                .fold(0u32, |m, (p, _)| m | 1 << p);
            routers.push(Router {
                ins,
                outs,
                flits: 0,
                x,
                y,
                table,
                exists,
                min_ready: u64::MAX,
                stalled: 0,
                sleep_until: 0,
                occ: 0,
                reqv: 0,
                granted: 0,
                dropping: 0,
            });
        }
        let inbox = (0..arch.total_cores())
            .map(|_| Inbox {
                q: VecDeque::new(),
                cap: arch.core.input_buffer.max(1) as usize,
                open: false,
            })
            .collect();
        Ok(Network {
            due: DueSet::new(routers.len()),
            routers,
            inbox,
            woken: Vec::new(),
            ctx,
            pipeline: u64::from(r.pipeline_cycles),
            packet_flits: r.packet_flits,
            drop_mode: r.overflow == Overflow::Drop,
            in_flight: 0,
            pending_push: Vec::new(),
            pending_credit: Vec::new(),
        })
    }

    /// Fresh counters shaped like this network.
    pub(crate) fn router_counters(&self) -> Vec<RouterCounters> {
        self.routers
            .iter()
            .map(|r| RouterCounters {
                ports: vec![PortCounters::default(); r.ins.len()],
            })
            .collect()
    }

    /// Flits per packet.
    pub fn packet_flits(&self) -> u32 {
        self.packet_flits
    }

    /// Flits inside routers or on links.
    pub fn in_flight(&self) -> u64 {
        self.in_flight
    }

    /// True when no flit is in the network and no core buffer holds a packet.
    pub fn is_empty(&self) -> bool {
        self.in_flight == 0
    }

    /// Take core `core`'s oldest complete packet; its router may use the freed slot next cycle.
    #[inline]
    pub(crate) fn pop_delivered(&mut self, core: u32) -> Option<Delivered> {
        let d = self.inbox[core as usize].pop()?;
        let r = (core / self.ctx.cores_per_tile) as usize;
        self.routers[r].sleep_until = 0;
        self.due.set(r, self.routers[r].due());
        Some(d)
    }

    /// Can core `core`'s packetiser put a flit into its router this cycle?
    #[inline]
    pub(crate) fn can_inject(&self, core: u32) -> bool {
        let cpt = self.ctx.cores_per_tile;
        let ip = &self.routers[(core / cpt) as usize].ins[LINK_PORTS + (core % cpt) as usize];
        (ip.buf.len() as u32) < ip.cap
    }

    /// Put flit `n` of `pkt` into core `core`'s local router input at cycle `t`.
    pub(crate) fn inject(
        &mut self,
        core: u32,
        pkt: Packet,
        n: u32,
        t: u64,
        counters: &mut Counters,
    ) {
        let cpt = self.ctx.cores_per_tile;
        let tile = (core / cpt) as usize;
        let port = LINK_PORTS + (core % cpt) as usize;
        let flit = Flit {
            pkt,
            head: n == 0,
            tail: n + 1 == self.packet_flits,
            ready: (t + self.pipeline).max(t + 1),
        };
        let r = &mut self.routers[tile];
        r.ins[port].push(flit);
        r.occ |= 1 << port;
        r.flits += 1;
        r.min_ready = r.min_ready.min(flit.ready);
        r.sleep_until = r.sleep_until.min(flit.ready);
        self.due.set(tile, r.due());
        self.in_flight += 1;
        let hw = &mut counters.routers[tile].ports[port].buffer_high_water;
        *hw = (*hw).max(r.ins[port].buf.len() as u32);
    }

    /// No router is due before this cycle (exact after a cycle in which none moved).
    #[inline]
    pub(crate) fn min_due(&self) -> u64 {
        self.due.min()
    }

    /// Switch allocation and traversal of every router, in tile order, for cycle `t`.
    /// Returns whether any flit moved or was dropped.
    pub(crate) fn process(&mut self, t: u64, step: u32, counters: &mut Counters) -> bool {
        let mut progress = false;
        let mut due = std::mem::replace(&mut self.due, DueSet::new(0));
        // Nothing can move before a front flit is ready; only an open stall interval (which
        // closes now) needs the visit; a router asleep has nothing to do.
        due.scan(t, |due, r| {
            let moved = self.process_router(r, t, step, counters);
            progress |= moved;
            let rt = &mut self.routers[r];
            rt.sleep_until = if moved { 0 } else { rt.wake_after(t) };
            due.set(r, rt.due());
            for (dr, dp, f) in self.pending_push.drain(..) {
                let d = &mut self.routers[dr as usize];
                let ip = &mut d.ins[dp as usize];
                ip.push(f);
                let len = ip.buf.len() as u32;
                d.occ |= 1 << dp;
                d.flits += 1;
                d.min_ready = d.min_ready.min(f.ready);
                d.sleep_until = d.sleep_until.min(f.ready);
                due.set(dr as usize, d.due());
                let hw = &mut counters.routers[dr as usize].ports[dp as usize].buffer_high_water;
                *hw = (*hw).max(len);
            }
            // Credits freed at `t` travel back for the upstream link's credit latency.
            for (ur, up, c) in self.pending_credit.drain(..) {
                let u = &mut self.routers[ur as usize];
                let op = &mut u.outs[up as usize];
                let back = c + u64::from(op.credit_latency);
                op.returns.push_back(back);
                u.sleep_until = u.sleep_until.min(back);
                due.set(ur as usize, u.due());
            }
        });
        self.due = due;
        progress
    }

    fn process_router(&mut self, r: usize, t: u64, step: u32, counters: &mut Counters) -> bool {
        let Network {
            routers,
            inbox,
            woken,
            ctx,
            pipeline,
            drop_mode,
            in_flight,
            pending_push,
            pending_credit,
            ..
        } = self;
        let router = &mut routers[r];
        let nin = router.ins.len();
        let tile = r as u32;
        // Credits due by now are taken back lazily, where they are read (same counts).
        // Outputs that took a flit this visit (their `used` is reset on the way out).
        let mut used_mask = 0u32;
        let rc = &mut counters.routers[r];
        let hops = &mut counters.hops;
        let drops = &mut counters.drops;
        let core_counters = &mut counters.cores;
        let mut progress = false;
        loop {
            let mut changed = false;
            // Another round is needed only when an output was freed or a new head surfaced.
            let mut freed = false;
            // Route computation for every ready, unallocated head.
            for i in bits(router.occ & !(router.granted | router.dropping | router.reqv)) {
                let ip = &router.ins[i];
                if ip.grant != 0 || ip.dropping || ip.req_valid || ip.front_ready > t {
                    continue;
                }
                let Some(f) = ip.buf.front() else { continue };
                if !f.head {
                    continue;
                }
                let pkt = f.pkt;
                match router.route(ctx, tile, i, &pkt.dest) {
                    Ok(m) => {
                        router.ins[i].req = m;
                        router.ins[i].req_valid = true;
                        router.reqv |= 1 << i;
                    }
                    Err(reason) => {
                        let port = match reason {
                            DropReason::TableMissLocal => i,
                            _ => match pkt.dest {
                                crate::image::Dest::Multicast { .. } if i < LINK_PORTS => {
                                    link::opposite(i)
                                }
                                _ => i,
                            },
                        };
                        rc.ports[port].drops += 1;
                        drops.push(DropRecord {
                            step,
                            cycle: t,
                            router: tile,
                            port: port as u32,
                            reason,
                            pkt,
                        });
                        router.ins[i].dropping = true;
                        router.dropping |= 1 << i;
                        changed = true;
                    }
                }
            }
            // Switch allocation: all-or-nothing, round-robin per output, requested outputs only.
            // askers[o]: inputs whose head wants output o (ports <= 32, checked at build).
            let mut askers = [0u32; 32];
            let mut requested = 0u32;
            for i in bits(router.reqv) {
                let ip = &router.ins[i];
                if ip.req_valid {
                    requested |= ip.req;
                    for o in bits(ip.req) {
                        askers[o] |= 1 << i;
                    }
                }
            }
            for o in bits(requested) {
                if !router.outs[o].exists() || router.outs[o].held.is_some() {
                    continue;
                }
                // Rotating priority: inputs at or after the pointer first, then the rest.
                let start = u32::from(router.outs[o].rr);
                let hi = askers[o] & (u32::MAX << start);
                let lo = askers[o] & !(u32::MAX << start);
                for i in bits(hi).chain(bits(lo)) {
                    let ip = &router.ins[i];
                    if !ip.req_valid {
                        continue;
                    }
                    let req = ip.req;
                    if bits(req).any(|o2| router.outs[o2].held.is_some()) {
                        continue;
                    }
                    let mut m = req;
                    if *drop_mode {
                        for o2 in bits(req) {
                            let op = &mut router.outs[o2];
                            op.refresh(t);
                            if matches!(op.down, Downstream::Link { .. }) && op.credits == 0 {
                                m &= !(1 << o2);
                                rc.ports[o2].drops += 1;
                                // A requesting input always has its head at the front.
                                let Some(pkt) = router.ins[i].buf.front().map(|f| f.pkt) else {
                                    continue;
                                };
                                drops.push(DropRecord {
                                    step,
                                    cycle: t,
                                    router: tile,
                                    port: o2 as u32,
                                    reason: DropReason::Overflow,
                                    pkt,
                                });
                            }
                        }
                    }
                    changed = true;
                    router.reqv &= !(1 << i);
                    let ip = &mut router.ins[i];
                    ip.req_valid = false;
                    if m == 0 {
                        ip.dropping = true;
                        router.dropping |= 1 << i;
                        freed = true;
                        continue;
                    }
                    ip.grant = m;
                    router.granted |= 1 << i;
                    for o2 in bits(m) {
                        router.outs[o2].held = Some(i as u8);
                        router.outs[o2].rr = ((i + 1) % nin) as u8;
                    }
                    break;
                }
            }
            // Traversal (inputs emptied here stay in the snapshot and find nothing).
            for i in bits(router.occ & (router.granted | router.dropping)) {
                if router.ins[i].dropping {
                    while let Some(&f) = router.ins[i].buf.front() {
                        if f.ready > t {
                            break;
                        }
                        take_front(
                            router,
                            i,
                            t,
                            tile,
                            ctx.cores_per_tile,
                            pending_credit,
                            woken,
                        );
                        *in_flight -= 1;
                        changed = true;
                        if f.tail {
                            router.ins[i].dropping = false;
                            router.dropping &= !(1 << i);
                            freed = true;
                            break;
                        }
                    }
                    continue;
                }
                let g = router.ins[i].grant;
                if g == 0 {
                    continue;
                }
                while let Some(&f) = router.ins[i].buf.front() {
                    if f.ready > t {
                        break;
                    }
                    let ok = bits(g).all(|o| {
                        let op = &mut router.outs[o];
                        op.has_slot(t)
                            && match op.down {
                                Downstream::Link { .. } => {
                                    op.refresh(t);
                                    op.credits > 0
                                }
                                Downstream::Core(c) => {
                                    !f.head || inbox[c as usize].q.len() < inbox[c as usize].cap
                                }
                                Downstream::None => false,
                            }
                    });
                    if !ok {
                        break;
                    }
                    take_front(
                        router,
                        i,
                        t,
                        tile,
                        ctx.cores_per_tile,
                        pending_credit,
                        woken,
                    );
                    *in_flight -= 1;
                    for o in bits(g) {
                        let op = &mut router.outs[o];
                        op.used += 1;
                        used_mask |= 1 << o;
                        if op.cycles_per_flit > 1 {
                            op.next_free = t + u64::from(op.cycles_per_flit);
                        }
                        let pc = &mut rc.ports[o];
                        pc.flits += 1;
                        if f.head {
                            pc.packets += 1;
                        }
                        match op.down {
                            Downstream::Link {
                                router: dr,
                                port: dp,
                            } => {
                                op.credits -= 1;
                                let ready = (t + u64::from(op.latency) + *pipeline).max(t + 1);
                                pending_push.push((dr, dp, Flit { ready, ..f }));
                                *in_flight += 1;
                                if f.head {
                                    hops.add(op.class);
                                }
                            }
                            Downstream::Core(c) => {
                                let ib = &mut inbox[c as usize];
                                if f.head {
                                    ib.q.push_back(Delivered {
                                        pkt: f.pkt,
                                        head_cycle: t,
                                        tail_cycle: t,
                                    });
                                    ib.open = true;
                                    woken.push(c);
                                    let hw = &mut core_counters[c as usize].input_buffer_high_water;
                                    *hw = (*hw).max(ib.q.len() as u32);
                                    if f.pkt.src_core / ctx.cores_per_tile == tile {
                                        hops.add(HopClass::Local);
                                    }
                                }
                                if f.tail {
                                    if let Some(d) = ib.q.back_mut() {
                                        d.tail_cycle = t;
                                    }
                                    ib.open = false;
                                    if !f.head {
                                        woken.push(c);
                                    }
                                }
                            }
                            Downstream::None => {}
                        }
                    }
                    changed = true;
                    if f.tail {
                        for o in bits(g) {
                            router.outs[o].held = None;
                        }
                        router.ins[i].grant = 0;
                        router.granted &= !(1 << i);
                        freed = true;
                        break;
                    }
                }
            }
            progress |= changed;
            if !freed {
                break;
            }
        }
        // Busy and stall accounting (interval based, so event skipping gives the same totals).
        let mut wanted = 0u32;
        let mut min_ready = u64::MAX;
        // A requesting head was ready when it was routed: its front is ready, so the router
        // stays due (any bound <= t does) and it wants its outputs.
        for i in bits(router.reqv) {
            wanted |= router.ins[i].req;
            min_ready = t;
        }
        for i in bits(router.occ & !router.reqv) {
            let ip = &router.ins[i];
            let ready = ip.front_ready;
            min_ready = min_ready.min(ready);
            if ready > t {
                continue;
            }
            if ip.grant != 0 {
                wanted |= ip.grant;
            }
        }
        let mut stalled_mask = 0u32;
        // Only outputs that moved, are wanted or sit in a stall can change their counters.
        for o in bits(used_mask | wanted | router.stalled) {
            let op = &mut router.outs[o];
            let pc = &mut rc.ports[o];
            if op.used > 0 {
                pc.busy_cycles += 1;
            }
            let stalled = op.used == 0 && wanted & (1 << o) != 0;
            match (stalled, op.stall_since) {
                (true, None) => op.stall_since = Some(t),
                (false, Some(s)) => {
                    pc.stall_cycles += t - s;
                    op.stall_since = None;
                }
                _ => {}
            }
            if op.stall_since.is_some() {
                stalled_mask |= 1 << o;
            }
            op.used = 0;
        }
        router.min_ready = min_ready;
        router.stalled = stalled_mask;
        progress
    }
}
