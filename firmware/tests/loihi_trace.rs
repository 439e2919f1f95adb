//! Loihi CUBA LIF invariants: an independent i128 transcription of the Lava
//! README semantics, register widths, idleness and determinism. (The replay
//! of the recorded Lava trace lives in crates/trace/tests.)

use neurochip_firmware::models::loihi::*;
use neurochip_firmware::{NeuronModel, NeuronRng};
use proptest::prelude::*;

const H: i128 = 1 << 23;

fn params() -> impl Strategy<Value = LoihiParams> {
    (
        0u16..=4095,
        0u16..=4095,
        0i64..=131_071,
        -4096i32..=4095,
        -24i32..=24,
        -24i32..=24,
    )
        .prop_map(|(du, dv, vth, bm, be, we)| LoihiParams::new(du, dv, vth, bm, be, we).unwrap())
}

fn state() -> impl Strategy<Value = LoihiState> {
    (-(1i32 << 23) + 1..=(1 << 23), -(1i32 << 23) + 1..(1 << 23))
        .prop_map(|(u, v)| LoihiState { u, v })
}

/// The README, literally, in i128 (one conditional wrap of u).
fn reference(p: &LoihiParams, s: (i128, i128), acc: i128) -> (i128, i128, u8) {
    let sh = |m: i128, e: i32| if e >= 0 { m << e } else { m >> -e };
    let a_in = sh(acc, p.weight_exp);
    let pu = s.0 * (4096 - (i128::from(p.du) + 1));
    let mut u = pu.signum() * (pu.abs() >> 12) + (a_in << 6);
    if u > H {
        u -= 2 * H
    } else if u <= -H {
        u += 2 * H
    }
    let pv = s.1 * (4096 - i128::from(p.dv));
    let bias = sh(i128::from(p.bias_mant), p.bias_exp);
    let v = (pv.signum() * (pv.abs() >> 12) + u + bias).clamp(-(H - 1), H - 1);
    if v > i128::from(p.eff_vth) {
        (u, 0, 1)
    } else {
        (u, v, 0)
    }
}

proptest! {
    #[test]
    fn update_matches_readme_transcription(p in params(), s0 in state(), accs in proptest::collection::vec(-(1i64 << 17)..(1 << 17), 1..30)) {
        let mut s = s0;
        let mut r = (i128::from(s0.u), i128::from(s0.v));
        let mut rng = NeuronRng::fixed(1);
        for &acc in &accs {
            // Keep |a_in << 6| <= 2^23 so one conditional wrap suffices (Lava's own range).
            let a = if p.weight_exp > 0 { acc / (1i64 << p.weight_exp) } else { acc };
            let spk = LoihiCubaLif::update(&p, &mut s, &a, &mut rng);
            let (u, v, rs) = reference(&p, r, i128::from(a));
            prop_assert_eq!((i128::from(s.u), i128::from(s.v), spk), (u, v, rs));
            r = (u, v);
        }
    }

    #[test]
    fn states_stay_in_width_for_any_input(p in params(), s0 in state(), accs in proptest::collection::vec(any::<i64>(), 1..20)) {
        let mut s = s0;
        let mut rng = NeuronRng::fixed(2);
        for acc in accs {
            let spk = LoihiCubaLif::update(&p, &mut s, &acc, &mut rng);
            prop_assert!(i128::from(s.u) > -H && i128::from(s.u) <= H, "u = {}", s.u);
            prop_assert!(i128::from(s.v).abs() < H, "v = {}", s.v);
            prop_assert!(spk <= 1);
            if spk == 1 { prop_assert_eq!(s.v, 0); } else { prop_assert!(i64::from(s.v) <= p.eff_vth); }
        }
    }

    #[test]
    fn accumulate_sums_and_is_deterministic(p in params(), ws in proptest::collection::vec(-256i32..=255, 0..50)) {
        let mut acc = 0i64;
        for &w in &ws { LoihiCubaLif::accumulate(&p, &mut acc, 0, w); }
        prop_assert_eq!(acc, ws.iter().map(|&w| i64::from(w)).sum::<i64>());
        let run = || {
            let mut s = LoihiState::default();
            (0..20).map(|_| LoihiCubaLif::update(&p, &mut s, &acc, &mut NeuronRng::fixed(0))).collect::<Vec<_>>()
        };
        prop_assert_eq!(run(), run());
    }

    #[test]
    fn idle_means_no_change(
        p in params(),
        zero_bias in any::<bool>(),
        s in prop_oneof![state(), Just(LoihiState::default())],
        acc in prop_oneof![Just(0i64), -100i64..100],
    ) {
        let p = if zero_bias { LoihiParams { bias_mant: 0, ..p } } else { p };
        if LoihiCubaLif::is_idle(&p, &s, &acc) {
            let mut s2 = s;
            let spk = LoihiCubaLif::update(&p, &mut s2, &acc, &mut NeuronRng::fixed(0));
            prop_assert_eq!((s2, spk), (s, 0));
        }
    }

    #[test]
    fn effective_weights_follow_mode(w in proptest::collection::vec(-300i32..300, 1..40), nwb in 1u32..=8) {
        let mut out = vec![0; w.len()];
        let mode = dense_effective_weights(&w, nwb, &mut out);
        let expect_mode = if w.iter().all(|&x| x >= 0) { SignMode::Excitatory }
            else if w.iter().all(|&x| x <= 0) { SignMode::Inhibitory } else { SignMode::Mixed };
        prop_assert_eq!(mode, expect_mode);
        let n = 8 - nwb + u32::from(mode == SignMode::Mixed);
        for (&x, &e) in w.iter().zip(&out) {
            prop_assert_eq!(e & ((1 << n) - 1), 0, "low bits kept: {} -> {}", x, e);
            let (lo, hi) = match mode { SignMode::Mixed => (-256, 255), SignMode::Excitatory => (0, 255), SignMode::Inhibitory => (-255, 0) };
            let c = x.clamp(lo, hi);
            // dropping bits moves toward -inf (exc/mixed) or toward zero (inh), by < 2^n
            prop_assert!((c - e).abs() < (1 << n));
            if mode == SignMode::Inhibitory { prop_assert!(e >= c); } else { prop_assert!(e <= c); }
        }
    }
}

#[test]
fn readme_examples_of_weight_bits() {
    assert_eq!(effective_weight(255, SignMode::Mixed, 8), 254);
    assert_eq!(effective_weight(-1, SignMode::Mixed, 8), -2);
    assert_eq!(effective_weight(255, SignMode::Excitatory, 8), 255);
    assert_eq!(effective_weight(-7, SignMode::Inhibitory, 6), -4);
}

#[test]
fn constructor_rejects_out_of_range_naming_the_field() {
    let e = LoihiParams::new(4096, 0, 0, 0, 0, 0).unwrap_err();
    assert_eq!(e.field(), "du");
    assert_eq!(e.to_string(), "du = 4096 is outside 0..=4095");
    assert_eq!(
        LoihiParams::new(0, 0, 131_072, 0, 0, 0)
            .unwrap_err()
            .field(),
        "vth"
    );
    assert_eq!(
        LoihiParams::new(0, 0, 0, -4097, 0, 0).unwrap_err().field(),
        "bias_mant"
    );
    assert_eq!(
        LoihiParams::new(0, 0, 0, 0, 25, 0).unwrap_err().field(),
        "bias_exp"
    );
    assert_eq!(
        LoihiParams::new(0, 0, 0, 0, 0, -25).unwrap_err().field(),
        "weight_exp"
    );
    assert_eq!(LoihiParams::new(0, 0, 100, 0, 0, 0).unwrap().eff_vth, 6400);
}

#[test]
fn du_zero_still_decays_and_u_can_reach_plus_2_pow_23() {
    let p = LoihiParams::new(0, 0, 131_071, 0, 0, 0).unwrap();
    let mut s = LoihiState { u: 4096, v: 0 };
    LoihiCubaLif::update(&p, &mut s, &0, &mut NeuronRng::fixed(0));
    assert_eq!(s.u, 4095);
    // u' = 2^23 exactly is kept, 2^23 + 64 wraps to a negative value.
    let mut s = LoihiState::default();
    LoihiCubaLif::update(&p, &mut s, &(1 << 17), &mut NeuronRng::fixed(0));
    assert_eq!(s.u, 1 << 23);
    let mut s = LoihiState::default();
    LoihiCubaLif::update(&p, &mut s, &((1 << 17) + 1), &mut NeuronRng::fixed(0));
    assert_eq!(s.u, (1 << 23) + 64 - (1 << 24));
}
