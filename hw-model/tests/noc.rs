//! Network tests on traffic-core systems built in code.

mod common;

use common::{arch, send, to, traffic, traffic_with_tables};
use neurochip_arch::schema::{Overflow, Routing};
use neurochip_hw::core::TrafficCore;
use neurochip_hw::counters::DropLog;
use neurochip_hw::image::{Dest, McEntry};
use neurochip_hw::noc::router::DropReason;
use neurochip_hw::{Engine, EngineOptions, HwError};

fn received(e: &Engine<TrafficCore>, c: u32) -> Vec<(u32, neurochip_hw::noc::packet::Delivered)> {
    e.core(c).received.clone()
}

#[test]
fn corner_to_corner_latency_matches_formula() {
    for (ew, ns, p, f) in [
        (1u64, 2u64, 2u64, 3u64),
        (3, 1, 1, 1),
        (0, 0, 3, 4),
        (0, 0, 0, 2),
        (2, 0, 0, 1),
    ] {
        let mut a = arch(4, 4, 1);
        a.link.latency_ew_cycles = ew as u32;
        a.link.latency_ns_cycles = ns as u32;
        a.router.pipeline_cycles = p as u32;
        a.router.packet_flits = f as u32;
        let mut e = traffic(&a, vec![(0, vec![send(0, 5, to(15), 7)])], false);
        e.run_step().unwrap();
        let sent = e.core(0).sent_at[0];
        let r = received(&e, 15);
        assert_eq!(r.len(), 1);
        let d = r[0].1;
        assert_eq!(d.pkt.tag, 7);
        // Source router: max(P, 1); then 3 hops east and 3 north, each max(P + L, 1).
        let head = sent + p.max(1) + 3 * (p + ew).max(1) + 3 * (p + ns).max(1);
        assert_eq!(d.head_cycle, head, "head, ew={ew} ns={ns} p={p}");
        assert_eq!(d.tail_cycle, head + f - 1, "tail");
        let c = e.counters();
        assert_eq!((c.hops.ew, c.hops.ns, c.hops.local), (3, 3, 0));
        assert_eq!(c.cores[0].packets_injected, 1);
        // Nobody else got anything.
        assert!((0..15).all(|k| e.core(k).received.is_empty()));
    }
}

#[test]
fn local_delivery_and_local_hop() {
    let a = arch(2, 1, 2);
    let mut e = traffic(&a, vec![(0, vec![send(0, 0, to(1), 1)])], false);
    e.run_step().unwrap();
    let d = received(&e, 1)[0].1;
    let p = u64::from(a.router.pipeline_cycles);
    assert_eq!(d.head_cycle, e.core(0).sent_at[0] + p);
    assert_eq!(e.counters().hops.local, 1);
    assert_eq!(e.counters().hops.ew, 0);
}

#[test]
fn sources_into_one_sink_serialise() {
    // Sink at the centre of a 3×3 mesh; up to four neighbours send at the same cycle.
    let neighbours = [5u32, 7, 3, 1];
    for n in 1..=4usize {
        for f in [1u32, 3] {
            let mut a = arch(3, 3, 1);
            a.link.latency_ns_cycles = 1;
            a.router.packet_flits = f;
            let scripts = neighbours[..n]
                .iter()
                .map(|&s| (s, vec![send(0, 3, to(4), s)]))
                .collect();
            let mut e = traffic(&a, scripts, false);
            e.run_step().unwrap();
            let r = received(&e, 4);
            assert_eq!(r.len(), n);
            let first = r.iter().map(|x| x.1.head_cycle).min().unwrap();
            let last = r.iter().map(|x| x.1.tail_cycle).max().unwrap();
            let width = u64::from(a.link.width_flits);
            assert_eq!(
                last,
                first + (n as u64 * u64::from(f) - 1) / width,
                "n={n} f={f}"
            );
            // The first packet is the uncontended one: it comes exactly after one hop.
            let sent = e.core(neighbours[0]).sent_at[0];
            assert_eq!(first, sent + 2 * u64::from(a.router.pipeline_cycles) + 1);
        }
    }
}

/// Every core of a 3×3 mesh sends `k` packets to core `sink` as fast as it can.
fn heavy(
    a: &neurochip_arch::Architecture,
    k: u32,
    sink: u32,
    no_skip: bool,
) -> Engine<TrafficCore> {
    let scripts = (0..a.total_cores())
        .filter(|&c| c != sink)
        .map(|c| {
            (
                c,
                (0..k).map(|i| send(0, 0, to(sink), c * 1000 + i)).collect(),
            )
        })
        .collect();
    let mut e = traffic(a, scripts, no_skip);
    e.run_step().unwrap();
    e
}

#[test]
fn backpressure_with_depth_one_loses_nothing() {
    let mut a = arch(3, 3, 1);
    a.router.buffer_flits = 1;
    a.core.input_buffer = 1;
    let mut e = heavy(&a, 5, 4, false);
    let mut tags: Vec<u32> = received(&e, 4).iter().map(|x| x.1.pkt.tag).collect();
    tags.sort_unstable();
    let mut want: Vec<u32> = (0..9)
        .filter(|&c| c != 4)
        .flat_map(|c| (0..5).map(move |i| c * 1000 + i))
        .collect();
    want.sort_unstable();
    assert_eq!(tags, want);
    let c = e.counters();
    assert_eq!(c.drops.total, 0);
    assert!(
        c.cores.iter().any(|k| k.stall_cycles > 0),
        "depth 1 must stall someone"
    );
    assert!(c
        .routers
        .iter()
        .flat_map(|r| &r.ports)
        .all(|p| p.buffer_high_water <= 1));
    assert_eq!(c.cores[4].input_buffer_high_water, 1);
    // A second step with nothing to send costs only the barrier.
    let s = e.run_step().unwrap();
    assert_eq!(s.cycles, e.barrier_cycles());
}

#[test]
fn drop_mode_counts_and_locates_every_drop() {
    let mut a = arch(3, 3, 1);
    a.router.buffer_flits = 1;
    a.core.input_buffer = 1;
    a.router.overflow = Overflow::Drop;
    let e = heavy(&a, 6, 4, false);
    let c = e.counters();
    let sent: u64 = c.cores.iter().map(|k| k.packets_injected).sum();
    let delivered = received(&e, 4).len() as u64;
    assert_eq!(sent, 8 * 6);
    assert!(
        c.drops.total > 0,
        "heavy load into depth-1 buffers must drop"
    );
    assert_eq!(delivered + c.drops.total, sent);
    let per_port: u64 = c
        .routers
        .iter()
        .flat_map(|r| &r.ports)
        .map(|p| p.drops)
        .sum();
    assert_eq!(per_port, c.drops.total);
    assert_eq!(
        c.drops.first.len() as u64,
        c.drops.total.min(DropLog::CAPACITY as u64)
    );
    for d in &c.drops.first {
        assert_eq!(d.reason, DropReason::Overflow);
        assert!(d.port < 6, "overflow drops happen on links");
        assert_eq!(d.step, 0);
        assert!(c.routers[d.router as usize].ports[d.port as usize].drops > 0);
    }
    assert!(c.drops.first.windows(2).all(|w| w[0].cycle <= w[1].cycle));
}

#[test]
fn multicast_tables_and_default_route() {
    let mut a = arch(3, 3, 2);
    a.router.routing = Routing::Multicast;
    let key = 0x10;
    let mut tables = vec![Vec::new(); 9];
    let e = |ports: u32| McEntry {
        key,
        mask: 0xff,
        ports,
    };
    tables[0] = vec![e(1 << 0)]; // E
    tables[1] = vec![
        McEntry {
            key: 0x20,
            mask: 0xf0,
            ports: 1 << 6,
        },
        e((1 << 6) | 1),
    ]; // first match wins? 0x10&0xf0 != 0x20
    tables[2] = vec![e((1 << 2) | (1 << 7))]; // N and core slot 1
                                              // tile 5 has no entry: default route S input → N output, to tile 8.
    tables[8] = vec![e(1 << 6)];
    let mut scripts = vec![
        (0, vec![send(0, 0, Dest::Multicast { key }, 1)]),
        (1, vec![send(0, 0, Dest::Multicast { key: 0x99 }, 2)]),
    ];
    let mut eng = traffic_with_tables(&a, &mut scripts, &tables, false);
    eng.run_step().unwrap();
    let got: Vec<u32> = (0..18)
        .filter(|&c| !eng.core(c).received.is_empty())
        .collect();
    assert_eq!(got, vec![2, 5, 16]);
    for c in [2, 5, 16] {
        assert_eq!(eng.core(c).received.len(), 1);
        assert_eq!(eng.core(c).received[0].1.pkt.tag, 1);
    }
    let c = eng.counters();
    assert_eq!(c.drops.total, 1);
    let d = c.drops.first[0];
    assert_eq!(
        (d.router, d.port, d.reason),
        (0, 7, DropReason::TableMissLocal)
    );
    // Hops: 0→1 E, 1→2 E, 2→5 N, 5→8 N.
    assert_eq!((c.hops.ew, c.hops.ns), (2, 2));
    assert_eq!(
        c.routers[5].ports[2].packets, 1,
        "default route leaves tile 5 northwards"
    );
}

#[test]
fn bad_tables_are_errors() {
    let mut a = arch(2, 2, 1);
    a.router.routing = Routing::Multicast;
    a.router.table_entries = 1;
    let mk = |tables: Vec<Vec<McEntry>>| {
        let cores = (0..4).map(|c| TrafficCore::new(c, vec![])).collect();
        Engine::new(&a, cores, &tables, vec![], EngineOptions::default()).map(|_| ())
    };
    let ok = McEntry {
        key: 1,
        mask: 1,
        ports: 1,
    };
    let err = mk(vec![vec![ok, ok], vec![], vec![], vec![]]).unwrap_err();
    assert!(
        matches!(err, HwError::BadRouterTable { router: 0, .. }),
        "{err}"
    );
    // West link of tile 0 does not exist.
    let err = mk(vec![
        vec![McEntry {
            ports: 1 << 3,
            ..ok
        }],
        vec![],
        vec![],
        vec![],
    ])
    .unwrap_err();
    assert!(
        err.to_string().contains("router 0") && err.to_string().contains("port 3"),
        "{err}"
    );
    // NE is not a square-mesh port.
    let err = mk(vec![
        vec![],
        vec![],
        vec![McEntry {
            ports: 1 << 1,
            ..ok
        }],
        vec![],
    ])
    .unwrap_err();
    assert!(
        matches!(err, HwError::BadRouterTable { router: 2, .. }),
        "{err}"
    );
    assert!(mk(vec![vec![]; 3]).is_err());
    assert!(mk(vec![vec![ok], vec![], vec![], vec![]]).is_ok());
}

#[test]
fn torus_ring_deadlock_is_an_error() {
    let mut a = arch(4, 1, 1);
    a.topology.torus = true;
    a.router.buffer_flits = 1;
    a.router.packet_flits = 6;
    a.core.input_buffer = 1;
    for no_skip in [false, true] {
        let scripts = (0..4)
            .map(|c| (c, vec![send(0, 0, to((c + 2) % 4), c)]))
            .collect();
        let mut e = traffic(&a, scripts, no_skip);
        let err = e.run_step().unwrap_err();
        match &err {
            HwError::Deadlock {
                step: 0, in_flight, ..
            } => assert!(*in_flight > 0),
            other => panic!("expected a deadlock, got {other}"),
        }
        assert!(err.to_string().starts_with("deadlock in step 0"));
        assert_eq!(
            e.run_step().unwrap_err(),
            err,
            "a failed system stays failed"
        );
        assert_eq!(e.step(), 0);
    }
}

#[test]
fn offchip_links_serialise_and_cost_more() {
    let mut a = arch(1, 1, 1);
    a.topology.chips_x = 2;
    let mut e = traffic(&a, vec![(0, vec![send(0, 0, to(1), 0)])], false);
    e.run_step().unwrap();
    let d = received(&e, 1)[0].1;
    let p = u64::from(a.router.pipeline_cycles);
    let sent = e.core(0).sent_at[0];
    let head = sent + 2 * p + u64::from(a.link.offchip_latency_cycles);
    assert_eq!(d.head_cycle, head);
    // One flit every offchip_cycles_per_flit on the serial link.
    let f = u64::from(a.router.packet_flits);
    assert_eq!(
        d.tail_cycle,
        head + (f - 1) * u64::from(a.link.offchip_cycles_per_flit)
    );
    assert_eq!(e.counters().hops.offchip, 1);
}

#[test]
fn hex_routes_diagonally_first() {
    let mut a = arch(4, 4, 1);
    a.topology.kind = neurochip_arch::schema::MeshKind::Hex;
    // (0,0) → (3,1): one NE, then two E.
    let mut e = traffic(&a, vec![(0, vec![send(0, 0, to(7), 0)])], false);
    e.run_step().unwrap();
    assert_eq!(received(&e, 7).len(), 1);
    let c = e.counters();
    assert_eq!(c.routers[0].ports[1].packets, 1, "NE first");
    assert_eq!(c.routers[5].ports[0].packets, 1);
    assert_eq!(c.routers[6].ports[0].packets, 1);
    assert_eq!((c.hops.ew, c.hops.ns), (2, 1));
}

#[test]
fn event_skipping_matches_stepping_every_cycle() {
    for overflow in [Overflow::Backpressure, Overflow::Drop] {
        let mut a = arch(3, 3, 1);
        a.router.buffer_flits = 2;
        a.core.input_buffer = 2;
        a.router.overflow = overflow;
        let scripts = |spread: u64| {
            (0..9u32)
                .filter(|&c| c != 4)
                .map(|c| {
                    (
                        c,
                        (0..4)
                            .map(|i| {
                                send(
                                    0,
                                    u64::from(c) * spread + u64::from(i) * 37,
                                    to(4),
                                    c * 10 + i,
                                )
                            })
                            .collect(),
                    )
                })
                .collect::<Vec<_>>()
        };
        for spread in [0u64, 50] {
            let mut fast = traffic(&a, scripts(spread), false);
            let mut slow = traffic(&a, scripts(spread), true);
            for _ in 0..2 {
                assert_eq!(fast.run_step().unwrap(), slow.run_step().unwrap());
            }
            assert_eq!(fast.counters(), slow.counters());
            assert_eq!(fast.elapsed_cycles(), slow.elapsed_cycles());
            for c in 0..9 {
                assert_eq!(fast.core(c).received, slow.core(c).received);
            }
            assert!(fast
                .counters()
                .routers
                .iter()
                .flat_map(|r| &r.ports)
                .any(|p| p.stall_cycles > 0));
        }
    }
}

#[test]
fn torus_takes_the_short_way_round() {
    let mut a = arch(5, 1, 1);
    a.topology.torus = true;
    let mut e = traffic(
        &a,
        vec![
            (0, vec![send(0, 0, to(4), 0)]),
            (1, vec![send(0, 0, to(3), 1)]),
        ],
        false,
    );
    e.run_step().unwrap();
    assert_eq!(received(&e, 4).len(), 1);
    assert_eq!(received(&e, 3).len(), 1);
    let c = e.counters();
    assert_eq!(
        c.routers[0].ports[3].packets, 1,
        "0 → 4 wraps west in one hop"
    );
    assert_eq!(c.routers[1].ports[0].packets, 1, "1 → 3 goes east");
    assert_eq!(c.hops.ew, 3);
}

#[test]
fn a_long_quiet_wait_is_not_a_deadlock() {
    let a = arch(2, 1, 1);
    let far = 3 * neurochip_hw::chip::DEADLOCK_CYCLES;
    let mut e = traffic(&a, vec![(0, vec![send(0, far, to(1), 9)])], false);
    let s = e.run_step().unwrap();
    assert_eq!(received(&e, 1).len(), 1);
    assert!(s.cycles > far);
}
