//! Building blocks against independent references: word packing against the
//! firmware's encoder/decoder, Lava's weight rule against the firmware's, the
//! scale search against brute force, and routes against hop counts.

mod common;

use neurochip_arch::geometry::Grid;
use neurochip_firmware::hal::{Synapse, WordLayout};
use neurochip_firmware::models::loihi::{effective_weight, SignMode};
use neurochip_mapper::quant::{decay12, lava_effective, pick_scale, realised_tau, Sign};
use neurochip_mapper::word::{pack, unpack, Fields};
use proptest::prelude::*;

proptest! {
    #[test]
    fn pack_matches_firmware_encode_and_decode(
        wb in 1u8..=16, cb in 0u8..=2, db in 0u8..=6, tb in 1u8..=12,
        w in any::<i32>(), c in any::<u8>(), d in any::<u8>(), t in any::<u32>(),
    ) {
        let layout = WordLayout { weight_bits: wb, channel_bits: cb, delay_bits: db, target_bits: tb };
        // Reduce every field into its range (i128 reference for the signed weight).
        let half = 1i128 << (wb - 1);
        let w = ((w as i128).rem_euclid(2 * half) - half) as i32;
        let c = if cb == 0 { 0 } else { c % (1 << cb) };
        let d = if db == 0 { 0 } else { d % (1 << db) };
        let t = t % (1 << tb);
        let f = Fields { weight: w, channel: c, delay: d as u32, target: t };
        let word = pack(&layout, f);
        let fw = layout.encode(&Synapse { weight: w, channel: c, delay: d, target: t }).unwrap();
        prop_assert_eq!(word, fw);
        let s = layout.decode(word);
        prop_assert_eq!((s.weight, s.channel, s.delay, s.target), (w, c, d, t));
        prop_assert_eq!(unpack(&layout, word), f);
    }

    #[test]
    fn lava_rule_matches_firmware(w in -400i64..400, nwb in 1u32..=8, mode in 0u8..3) {
        let (s, m) = match mode {
            0 => (Sign::Exc, SignMode::Excitatory),
            1 => (Sign::Inh, SignMode::Inhibitory),
            _ => (Sign::Mixed, SignMode::Mixed),
        };
        prop_assert_eq!(lava_effective(w, s, nwb), effective_weight(w as i32, m, nwb) as i64);
    }

    #[test]
    fn pick_scale_is_the_best_integer_in_range(ws in proptest::collection::vec(1u32..2000, 1..5), hi in 10.0f64..2000.0) {
        let ws: Vec<f64> = ws.iter().map(|&w| w as f64 / 1000.0).collect();
        let s_max = hi / ws.iter().cloned().fold(0.0, f64::max);
        prop_assume!((2.0..1e5).contains(&s_max));
        let s = pick_scale(Some(&ws), s_max);
        let err = |s: f64| {
            let e = ws.iter().map(|&w| ((w * s).round() / s - w).abs() / w).fold(0.0, f64::max);
            if e < 1e-6 { 0.0 } else { e }
        };
        prop_assert!(s.fract() == 0.0 && s <= s_max && s >= (s_max / 2.0).ceil());
        let mut k = (s_max / 2.0).ceil();
        while k <= s_max.floor() {
            prop_assert!(err(s) <= err(k), "{} beats {}", k, s);
            if err(s) == err(k) { prop_assert!(s >= k, "ties keep the larger scale"); }
            k += 1.0;
        }
    }
}

#[test]
fn decay_constants_of_the_workloads() {
    assert_eq!(decay12(1.0, Some(20.0)), 200);
    assert_eq!(decay12(1.0, Some(5.0)), 742);
    assert_eq!(decay12(1.0, Some(10.0)), 390);
    assert_eq!(decay12(1.0, None), 0);
    let t = realised_tau(1.0, 200);
    assert!((t - 19.98).abs() < 0.01, "{t}");
    assert!(realised_tau(1.0, 0).is_infinite());
}

#[test]
fn w1_scale_is_250_at_eight_bits() {
    let s = pick_scale(Some(&[0.1, 0.5]), 127.499 / 0.5);
    assert_eq!(s, 250.0);
}

#[test]
fn walk_length_equals_hops_on_mesh_torus_and_hex() {
    use neurochip_arch::schema::MeshKind;
    for (kind, torus) in [
        (MeshKind::Mesh, false),
        (MeshKind::Mesh, true),
        (MeshKind::Hex, false),
        (MeshKind::Hex, true),
    ] {
        let mut a = common::small_arch();
        a.topology.tiles_x = 5;
        a.topology.tiles_y = 4;
        a.topology.kind = kind;
        a.topology.torus = torus;
        let g = Grid::new(&a);
        for s in 0..20 {
            for d in 0..20 {
                let mut steps = 0;
                let mut at = s;
                g.walk(s, d, |tile, port| {
                    assert_eq!(tile, at);
                    at = g.neighbour(tile, port);
                    steps += 1;
                });
                assert_eq!(at, d, "{kind:?} torus={torus} {s}→{d}");
                assert_eq!(steps, g.hops(s, d));
                // Ties on an even torus go the positive way, so a hex torus route can be
                // one hop longer one way than back; everywhere else hops are symmetric.
                if !(torus && kind == MeshKind::Hex) {
                    assert_eq!(g.hops(s, d), g.hops(d, s));
                }
            }
        }
        // Torus shortcut: opposite edges are one hop apart.
        if torus {
            assert_eq!(g.hops(0, 4), 1);
        } else {
            assert_eq!(g.hops(0, 4), 4);
        }
    }
}

#[test]
fn strategy_names_round_trip() {
    use neurochip_mapper::Strategy;
    for s in Strategy::ALL {
        assert_eq!(s.to_string().parse::<Strategy>(), Ok(s));
    }
    let e = "snake".parse::<Strategy>().unwrap_err();
    assert!(e.contains("sequential, block or greedy"), "{e}");
}
