//! Property tests: random meshes and traffic never lose, duplicate or time-skew packets.

mod common;

use common::{arch, send, to, traffic};
use neurochip_arch::schema::{MeshKind, Overflow};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    tx: u32,
    ty: u32,
    cpt: u32,
    hex: bool,
    buffer: u32,
    flits: u32,
    pipeline: u32,
    ew: u32,
    ns: u32,
    width: u32,
    inbox: u32,
    chips_x: u32,
    drop: bool,
    /// (source, destination, cycle offset) before reduction modulo the core count.
    sends: Vec<(u32, u32, u64)>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            1u32..=3,
            1u32..=3,
            1u32..=2,
            any::<bool>(),
            1u32..=3,
            1u32..=3,
            0u32..=2,
        ),
        (
            0u32..=3,
            0u32..=3,
            1u32..=2,
            1u32..=3,
            1u32..=2,
            any::<bool>(),
        ),
        prop::collection::vec((0u32..64, 0u32..64, 0u64..40), 1..40),
    )
        .prop_map(
            |(
                (tx, ty, cpt, hex, buffer, flits, pipeline),
                (ew, ns, width, inbox, chips_x, drop),
                sends,
            )| Case {
                tx,
                ty,
                cpt,
                hex,
                buffer,
                flits,
                pipeline,
                ew,
                ns,
                width,
                inbox,
                chips_x,
                drop,
                sends,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    #[test]
    fn random_traffic_is_conserved_and_skip_invariant(c in case()) {
        let mut a = arch(c.tx, c.ty, c.cpt);
        a.topology.chips_x = c.chips_x;
        if c.hex {
            a.topology.kind = MeshKind::Hex;
        }
        a.router.buffer_flits = c.buffer;
        a.router.packet_flits = c.flits;
        a.router.pipeline_cycles = c.pipeline;
        a.link.latency_ew_cycles = c.ew;
        a.link.latency_ns_cycles = c.ns;
        a.link.width_flits = c.width;
        a.link.offchip_latency_cycles = 5;
        a.link.offchip_cycles_per_flit = 2;
        a.core.input_buffer = c.inbox;
        if c.drop {
            a.router.overflow = Overflow::Drop;
        }
        let n = a.total_cores();
        let mut scripts: Vec<(u32, Vec<_>)> = Vec::new();
        for (k, &(s, d, at)) in c.sends.iter().enumerate() {
            let (s, d) = (s % n, d % n);
            match scripts.iter_mut().find(|(c, _)| *c == s) {
                Some((_, v)) => v.push(send(0, at, to(d), k as u32)),
                None => scripts.push((s, vec![send(0, at, to(d), k as u32)])),
            }
        }
        let mut fast = traffic(&a, scripts.clone(), false);
        let mut slow = traffic(&a, scripts, true);
        let sf = fast.run_step().unwrap();
        let ss = slow.run_step().unwrap();
        prop_assert_eq!(sf, ss);
        prop_assert_eq!(fast.counters(), slow.counters());
        let mut got: Vec<(u32, u32)> = Vec::new();
        for core in 0..n {
            prop_assert_eq!(&fast.core(core).received, &slow.core(core).received);
            for (_, d) in &fast.core(core).received {
                got.push((d.pkt.tag, core));
                prop_assert!(d.tail_cycle >= d.head_cycle + u64::from(c.flits - 1) / u64::from(c.width));
            }
        }
        got.sort_unstable();
        let drops = fast.counters().drops.total as usize;
        prop_assert_eq!(got.len() + drops, c.sends.len());
        if !c.drop {
            prop_assert_eq!(drops, 0);
            let want: Vec<(u32, u32)> = {
                let mut w: Vec<(u32, u32)> = c.sends.iter().enumerate().map(|(k, &(_, d, _))| (k as u32, d % n)).collect();
                w.sort_unstable();
                w
            };
            prop_assert_eq!(got, want);
        } else {
            // Every delivered packet reached its own destination, at most once.
            let mut tags: Vec<u32> = got.iter().map(|g| g.0).collect();
            tags.dedup();
            prop_assert_eq!(tags.len(), got.len());
            for (tag, core) in got {
                prop_assert_eq!(c.sends[tag as usize].1 % n, core);
            }
        }
        prop_assert!(fast.counters().routers.iter().flat_map(|r| &r.ports).all(|p| p.buffer_high_water <= c.buffer));
    }
}
