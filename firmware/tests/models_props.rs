//! Properties of the LIF, SpiNNaker and TrueNorth models: widths, totality,
//! determinism, idle soundness, decay, and hand-checked cases.

use neurochip_firmware::fixed::{max_of, min_of};
use neurochip_firmware::models::lif::{Lif, LifParams, LifState};
use neurochip_firmware::models::spinnaker::{SpinnakerLif, SpinnakerParams, SpinnakerState};
use neurochip_firmware::models::truenorth::{TrueNorth, TrueNorthParams, TrueNorthState};
use neurochip_firmware::{NeuronModel, NeuronRng};
use proptest::prelude::*;

// ---------------------------------------------------------------- LIF

fn lif_params() -> impl Strategy<Value = LifParams> {
    (8u8..=32)
        .prop_flat_map(|b| {
            let r = min_of(u32::from(b)) as i32..=max_of(u32::from(b)) as i32;
            (
                Just(b),
                0u16..=4096,
                r.clone(),
                r.clone(),
                any::<bool>(),
                r.clone(),
                0u16..6,
                any::<bool>(),
                r,
                [0u16..=4096, 0u16..=4096],
                any::<bool>(),
            )
        })
        .prop_map(
            |(b, vd, rest, thr, strict, reset, refr, drops, bias, sd, cm)| {
                LifParams {
                    state_bits: b,
                    v_decay: vd,
                    v_rest: rest,
                    threshold: thr,
                    strict_threshold: strict,
                    v_reset: reset,
                    refractory_steps: refr,
                    refractory_drops_input: drops,
                    bias,
                    syn_decay: sd,
                    current_mode: cm,
                }
                .checked()
                .unwrap()
            },
        )
}

fn lif_case() -> impl Strategy<Value = (LifParams, LifState, [i32; 2])> {
    lif_params().prop_flat_map(|p| {
        let b = u32::from(p.state_bits);
        let r = min_of(b) as i32..=max_of(b) as i32;
        let state = (r.clone(), r.clone(), r, 0u16..8).prop_map(|(v, e, i, refr)| LifState {
            v,
            i_exc: e,
            i_inh: i,
            refractory: refr,
        });
        (Just(p), state, any::<[i32; 2]>())
    })
}

/// The documented LIF semantics, written independently in i128.
fn lif_reference(p: &LifParams, s: &LifState, a: [i32; 2]) -> (LifState, u8) {
    let b = u32::from(p.state_bits);
    let (lo, hi) = (-(1i128 << (b - 1)), (1i128 << (b - 1)) - 1);
    let sat = |x: i128| x.clamp(lo, hi);
    let dec = |x: i128, d: u16| {
        let q = x * (4096 - i128::from(d));
        // truncation toward zero
        if q < 0 {
            -((-q) / 4096)
        } else {
            q / 4096
        }
    };
    let refr = s.refractory > 0;
    let (mut e, mut i) = (i128::from(s.i_exc), i128::from(s.i_inh));
    if !(refr && p.refractory_drops_input) {
        e = sat(e + i128::from(a[0]));
        i = sat(i + i128::from(a[1]));
    }
    let mut out = *s;
    let mut spikes = 0;
    if refr {
        out.refractory -= 1;
    } else {
        let rest = i128::from(p.v_rest);
        let v = sat(rest + dec(i128::from(s.v) - rest, p.v_decay) + e + i + i128::from(p.bias));
        let thr = i128::from(p.threshold);
        if (p.strict_threshold && v > thr) || (!p.strict_threshold && v >= thr) {
            out.v = p.v_reset;
            out.refractory = p.refractory_steps;
            spikes = 1;
        } else {
            out.v = v as i32;
        }
    }
    if p.current_mode {
        e = dec(e, p.syn_decay[0]);
        i = dec(i, p.syn_decay[1]);
    } else if !refr {
        e = 0;
        i = 0;
    }
    out.i_exc = e as i32;
    out.i_inh = i as i32;
    (out, spikes)
}

fn lif_step(p: &LifParams, s: &mut LifState, a: [i32; 2]) -> u8 {
    Lif::update(p, s, &a, &mut NeuronRng::fixed(7))
}

proptest! {
    #[test]
    fn lif_matches_i128_reference_and_stays_in_width((p, s0, a) in lif_case()) {
        let mut s = s0;
        let spikes = lif_step(&p, &mut s, a);
        let (want, want_spikes) = lif_reference(&p, &s0, a);
        prop_assert_eq!(s, want);
        prop_assert_eq!(spikes, want_spikes);
        let b = u32::from(p.state_bits);
        for x in [s.v, s.i_exc, s.i_inh] {
            prop_assert!((min_of(b)..=max_of(b)).contains(&i64::from(x)));
        }
        // Same inputs, same outputs.
        let mut again = s0;
        prop_assert_eq!(lif_step(&p, &mut again, a), spikes);
        prop_assert_eq!(again, s);
    }

    #[test]
    fn lif_idle_means_nothing_changes((p, s0, a) in lif_case()) {
        if Lif::is_idle(&p, &s0, &a) {
            let mut s = s0;
            prop_assert_eq!(lif_step(&p, &mut s, a), 0);
            prop_assert_eq!(s, s0);
        }
    }

    #[test]
    fn lif_idle_is_detected_at_rest(p in lif_params()) {
        let s = LifState { v: p.v_rest, ..LifState::default() };
        let p = LifParams { bias: 0, ..p };
        prop_assert_eq!(Lif::is_idle(&p, &s, &[0, 0]), !p.fires(p.v_rest));
    }

    #[test]
    fn lif_decays_toward_rest((p, s0, _a) in lif_case()) {
        let p = LifParams { bias: 0, ..p };
        let s0 = LifState { i_exc: 0, i_inh: 0, refractory: 0, ..s0 };
        let mut s = s0;
        if lif_step(&p, &mut s, [0, 0]) == 0 {
            let before = (i64::from(s0.v) - i64::from(p.v_rest)).abs();
            let after = (i64::from(s.v) - i64::from(p.v_rest)).abs();
            prop_assert!(after <= before);
            if p.v_decay > 0 && before > 0 {
                prop_assert!(after < before, "a leaky neuron must move toward rest");
            }
            // and never overshoots
            let side = |v: i32| (i64::from(v) - i64::from(p.v_rest)).signum();
            prop_assert!(side(s.v) * side(s0.v) >= 0);
        }
    }
}

#[test]
fn lif_w4_sanafe_strict_threshold_and_bias() {
    // v <- v*(1 - 41/4096) + bias + input; spike when v > 64; reset 0.
    let p = LifParams {
        state_bits: 16,
        v_decay: 41,
        threshold: 64,
        strict_threshold: true,
        bias: 8,
        ..LifParams::default()
    }
    .checked()
    .unwrap();
    let mut s = LifState {
        v: 56,
        ..LifState::default()
    };
    // 56*4055/4096 = 55.44 -> 55; +8 = 63: no spike.
    assert_eq!(lif_step(&p, &mut s, [0, 0]), 0);
    assert_eq!(s.v, 63);
    // 63*4055/4096 = 62.37 -> 62; +8 = 70 > 64: spike, reset 0.
    assert_eq!(lif_step(&p, &mut s, [0, 0]), 1);
    assert_eq!(s.v, 0);
    // Exactly at threshold does not fire when strict.
    let mut s = LifState {
        v: 0,
        ..LifState::default()
    };
    assert_eq!(lif_step(&p, &mut s, [56, 0]), 0);
    assert_eq!(s.v, 64);
}

// ---------------------------------------------------------------- SpiNNaker

fn spinnaker_params() -> impl Strategy<Value = SpinnakerParams> {
    (
        1.0f64..100.0,
        0.1f64..2.0,
        -80.0f64..-50.0,
        0.5f64..30.0,
        0.5f64..30.0,
        0.0f64..5.0,
        -2.0f64..2.0,
        prop_oneof![Just(0.1f64), Just(1.0), 0.05f64..1.0],
        [0u8..=15, 0u8..=15],
    )
        .prop_map(|(tm, cm, rest, te, ti, tr, ioff, dt, sh)| {
            SpinnakerParams::from_physical(
                tm,
                cm,
                rest,
                rest - 5.0,
                rest + 15.0,
                te,
                ti,
                tr,
                ioff,
                dt,
            )
            .unwrap()
            .with_weight_shift(sh)
            .unwrap()
        })
}

fn any_spinnaker_params() -> impl Strategy<Value = SpinnakerParams> {
    (
        any::<[i32; 7]>(),
        any::<[u32; 2]>(),
        any::<[u32; 2]>(),
        any::<[u8; 2]>(),
    )
        .prop_map(|(x, d, i, sh)| SpinnakerParams {
            v_rest: x[0],
            v_reset: x[1],
            v_thresh: x[2],
            r_membrane: x[3],
            exp_tc: x[4],
            i_offset: x[5],
            t_refract: x[6],
            syn_decay: d,
            syn_init: i,
            weight_shift: sh,
        })
}

fn spin_step(p: &SpinnakerParams, s: &mut SpinnakerState, a: [u16; 2]) -> u8 {
    SpinnakerLif::update(p, s, &a, &mut NeuronRng::fixed(3))
}

proptest! {
    #[test]
    fn spinnaker_total_and_deterministic(
        p in any_spinnaker_params(),
        v in any::<[i32; 4]>(),
        a in any::<[u16; 2]>(),
    ) {
        let s0 = SpinnakerState { v: v[0], i_exc: v[1], i_inh: v[2], refractory: v[3] };
        let (mut s1, mut s2) = (s0, s0);
        let k = spin_step(&p, &mut s1, a);
        prop_assert_eq!(spin_step(&p, &mut s2, a), k);
        prop_assert_eq!(s1, s2);
        prop_assert!(k <= 1);
        if k == 1 {
            prop_assert_eq!(s1.v, p.v_reset);
            prop_assert_eq!(s1.refractory, p.t_refract);
        }
        if SpinnakerLif::is_idle(&p, &s0, &a) {
            prop_assert_eq!(k, 0);
            prop_assert_eq!(s1, s0);
        }
    }

    /// Synaptic currents decay by exp(-dt/tau_syn) within 2^-15 relative per step.
    #[test]
    fn spinnaker_synaptic_decay_matches_exp(
        x in (1i32 << 15)..(1i32 << 30),
        steps in 1u32..8,
        taus in (0.5f64..30.0, 0.05f64..1.0),
    ) {
        let (tau, dt) = taus;
        let q = SpinnakerParams::from_physical(20.0, 1.0, -65.0, -70.0, 60000.0, tau, tau, 0.0, 0.0, dt).unwrap();
        let mut s = SpinnakerState { v: q.v_rest, i_exc: x, i_inh: x, refractory: 1_000_000 };
        for _ in 0..steps {
            spin_step(&q, &mut s, [0, 0]);
        }
        let want = f64::from(x) * (-f64::from(steps) * dt / tau).exp();
        let tol = f64::from(x) * f64::from(steps) * 2f64.powi(-15) + f64::from(steps);
        prop_assert!((f64::from(s.i_exc) - want).abs() <= tol, "got {} want {}", s.i_exc, want);
        prop_assert_eq!(s.i_exc, s.i_inh);
    }

    /// With no input the membrane relaxes toward v_rest by exp(-dt/tau_m).
    #[test]
    fn spinnaker_membrane_decay_matches_exp(
        tm in 1.0f64..100.0,
        dt in 0.05f64..1.0,
        dv in -(30i32 << 15)..(30i32 << 15),
    ) {
        let p = SpinnakerParams::from_physical(tm, 1.0, -65.0, -70.0, 60000.0, 5.0, 5.0, 0.0, 0.0, dt).unwrap();
        let mut s = SpinnakerState { v: p.v_rest + dv, ..SpinnakerState::default() };
        spin_step(&p, &mut s, [0, 0]);
        let want = f64::from(dv) * (-dt / tm).exp();
        let got = f64::from(s.v - p.v_rest);
        prop_assert!((got - want).abs() <= f64::from(dv).abs() * 2f64.powi(-15) + 1.0, "got {got} want {want}");
    }

    #[test]
    fn spinnaker_physical_params_are_checked(p in spinnaker_params()) {
        prop_assert!(p.exp_tc > 0 && p.exp_tc <= 1 << 15);
        prop_assert!(p.r_membrane > 0);
        prop_assert!(p.t_refract >= 0);
        prop_assert!(p.syn_init[0] > 0 && p.syn_decay[0] > 0);
    }
}

#[test]
fn spinnaker_one_step_by_hand() {
    let p = SpinnakerParams::from_physical(20.0, 1.0, -65.0, -70.0, -50.0, 5.0, 5.0, 2.0, 0.0, 1.0)
        .unwrap();
    let mut s = SpinnakerState {
        v: p.v_rest,
        ..SpinnakerState::default()
    };
    assert_eq!(spin_step(&p, &mut s, [1000, 0]), 0);
    // add: 1000 * 5(1 - e^-0.2) = 906.35 -> 906 (floor).
    // use: alpha = 906 * 20 + v_rest = 18120 - 2129920; exp_tc = 31170;
    //      v = alpha - floor(31170 * 18120 / 32768) = -2111800 - 17236.
    assert_eq!(s.v, -2_129_036);
    // decay: floor(906 * e^-0.2) = floor(741.77) = 741.
    assert_eq!(s.i_exc, 741);
    // Threshold crossing: reset, refractory 2 steps with v held.
    let mut s = SpinnakerState {
        v: p.v_thresh - 1,
        i_exc: 10 << 15,
        ..SpinnakerState::default()
    };
    assert_eq!(spin_step(&p, &mut s, [0, 0]), 1);
    assert_eq!((s.v, s.refractory), (p.v_reset, 2));
    assert_eq!(spin_step(&p, &mut s, [0, 0]), 0);
    assert_eq!((s.v, s.refractory), (p.v_reset, 1));
}

// ---------------------------------------------------------------- TrueNorth

fn tn_params() -> impl Strategy<Value = TrueNorthParams> {
    (
        [-256i16..=255, -256i16..=255, -256i16..=255, -256i16..=255],
        any::<[bool; 4]>(),
        -256i16..=255,
        any::<(bool, bool)>(),
        0i32..(1 << 19),
        0i32..(1 << 19),
        any::<u8>(),
        -(1i32 << 19)..(1 << 19),
        0u8..=2,
        0u8..=1,
    )
        .prop_map(
            |(w, b, l, (c, e), alpha, beta, mask, reset, gamma, kappa)| {
                TrueNorthParams {
                    weights: w,
                    stochastic_syn: b,
                    leak: l,
                    stochastic_leak: c,
                    leak_reversal: e,
                    alpha,
                    beta,
                    mask,
                    reset,
                    gamma,
                    kappa,
                }
                .checked()
                .unwrap()
            },
        )
}

proptest! {
    #[test]
    fn truenorth_stays_in_20_bits_and_is_deterministic(
        p in tn_params(),
        v in -(1i32 << 19)..(1 << 19),
        a in [0u16..500, 0u16..500, 0u16..500, 0u16..500],
        seed in any::<u64>(),
    ) {
        let s0 = TrueNorthState { v };
        let (mut s1, mut s2) = (s0, s0);
        let k1 = TrueNorth::update(&p, &mut s1, &a, &mut NeuronRng::fixed(seed));
        let k2 = TrueNorth::update(&p, &mut s2, &a, &mut NeuronRng::fixed(seed));
        prop_assert_eq!((k1, s1), (k2, s2));
        prop_assert!((-(1 << 19)..(1 << 19)).contains(&s1.v));
        if TrueNorth::is_idle(&p, &s0, &a) {
            prop_assert_eq!((k1, s1), (0, s0));
        }
    }

    #[test]
    fn truenorth_full_counts_do_not_panic(p in tn_params(), v in -(1i32 << 19)..(1 << 19)) {
        let p = TrueNorthParams { stochastic_syn: [false; 4], ..p };
        let mut s = TrueNorthState { v };
        TrueNorth::update(&p, &mut s, &[u16::MAX; 4], &mut NeuronRng::fixed(1));
        prop_assert!((-(1 << 19)..(1 << 19)).contains(&s.v));
    }
}

fn tn(gamma: u8, kappa: u8) -> TrueNorthParams {
    TrueNorthParams {
        weights: [4, -3, 0, 0],
        alpha: 10,
        beta: 5,
        reset: 3,
        gamma,
        kappa,
        ..TrueNorthParams::default()
    }
    .checked()
    .unwrap()
}

fn tn_step(p: &TrueNorthParams, v: i32, a: [u16; 4]) -> (u8, i32) {
    let mut s = TrueNorthState { v };
    let k = TrueNorth::update(p, &mut s, &a, &mut NeuronRng::fixed(11));
    (k, s.v)
}

#[test]
fn truenorth_six_reset_modes_by_hand() {
    // Positive side: 3 events of type 0 (s = 4) bring V from 0 to 12 >= alpha = 10.
    for kappa in 0..=1 {
        assert_eq!(
            tn_step(&tn(0, kappa), 0, [3, 0, 0, 0]),
            (1, 3),
            "gamma 0: V = R"
        );
        assert_eq!(
            tn_step(&tn(1, kappa), 0, [3, 0, 0, 0]),
            (1, 2),
            "gamma 1: V - alpha"
        );
        assert_eq!(
            tn_step(&tn(2, kappa), 0, [3, 0, 0, 0]),
            (1, 12),
            "gamma 2: unchanged"
        );
    }
    // Negative side: 3 events of type 1 (s = -3) give V = -9 < -beta = -5.
    for gamma in 0..=2 {
        assert_eq!(
            tn_step(&tn(gamma, 1), 0, [0, 3, 0, 0]),
            (0, -5),
            "kappa 1: floor at -beta"
        );
    }
    assert_eq!(
        tn_step(&tn(0, 0), 0, [0, 3, 0, 0]),
        (0, -3),
        "kappa 0, gamma 0: V = -R"
    );
    assert_eq!(
        tn_step(&tn(1, 0), 0, [0, 3, 0, 0]),
        (0, -4),
        "kappa 0, gamma 1: V + beta"
    );
    assert_eq!(
        tn_step(&tn(2, 0), 0, [0, 3, 0, 0]),
        (0, -9),
        "kappa 0, gamma 2: unchanged"
    );
    // Between the thresholds nothing happens.
    assert_eq!(tn_step(&tn(0, 0), 0, [2, 1, 0, 0]), (0, 5));
}

#[test]
fn truenorth_leak_reversal_and_threshold_mask() {
    let p = TrueNorthParams {
        leak: -2,
        leak_reversal: true,
        alpha: 100,
        beta: 100,
        ..tn(0, 0)
    };
    assert_eq!(
        tn_step(&p, 5, [0; 4]).1,
        3,
        "epsilon: leak toward 0 from above"
    );
    assert_eq!(tn_step(&p, -5, [0; 4]).1, -3, "and from below");
    assert_eq!(tn_step(&p, 0, [0; 4]).1, 0);
    let p = TrueNorthParams {
        leak: -2,
        leak_reversal: false,
        alpha: 100,
        beta: 100,
        ..tn(0, 0)
    };
    assert_eq!(tn_step(&p, -5, [0; 4]).1, -7, "no reversal: always lambda");
    // Threshold PRN: eta = rho & M with rho the first draw (no other stochastic element).
    let p = TrueNorthParams {
        mask: 0x0F,
        ..tn(0, 1)
    };
    let eta = i32::from(NeuronRng::fixed(11).next_u8() & 0x0F);
    assert_eq!(tn_step(&p, 10 + eta - 1, [0; 4]).0, 0);
    assert_eq!(tn_step(&p, 10 + eta, [0; 4]).0, 1);
}

#[test]
fn truenorth_stochastic_synapse_rate() {
    // F(s, rho) = |s| >= rho: P = (|s| + 1) / 256 per event.
    let p = TrueNorthParams {
        weights: [64, 0, 0, 0],
        stochastic_syn: [true, false, false, false],
        alpha: (1 << 19) - 1,
        ..TrueNorthParams::default()
    }
    .checked()
    .unwrap();
    let mut total = 0;
    for seed in 0..20 {
        let mut s = TrueNorthState { v: 0 };
        TrueNorth::update(&p, &mut s, &[1000, 0, 0, 0], &mut NeuronRng::fixed(seed));
        total += s.v;
    }
    // 20,000 events, expected 5078, s.d. about 62.
    assert!((4800..5350).contains(&total), "{total}");
}
