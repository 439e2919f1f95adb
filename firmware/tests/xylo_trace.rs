//! Xylo IAF invariants: the folded accumulator against event-by-event
//! saturating adds as xylosim does them, register widths, spike caps,
//! idleness and determinism. (The replay of the recorded xylosim trace lives
//! in crates/trace/tests.)

use neurochip_firmware::models::xylo::*;
use neurochip_firmware::{NeuronModel, NeuronRng};
use proptest::prelude::*;

fn params(n_syn: u8) -> impl Strategy<Value = XyloParams> {
    (
        0u8..=15,
        0u8..=15,
        0u8..=15,
        1i16..=i16::MAX,
        any::<i16>(),
        1u8..=31,
        0i8..=7,
    )
        .prop_map(move |(dm, d0, d1, thr, bias, cap, sh)| {
            XyloParams::new(dm, [d0, d1], n_syn, thr, bias, cap, sh).unwrap()
        })
}

fn state() -> impl Strategy<Value = XyloState> {
    (any::<i16>(), any::<i16>(), any::<i16>()).prop_map(|(a, b, v)| XyloState {
        isyn: [a, b],
        vmem: v,
    })
}

/// xylosim's operations written out from the README, in i32.
fn sat_add16(x: i32, y: i32) -> i32 {
    let m = if y >= 0 { 32767 } else { -32768 };
    if (m - x).abs() > y.abs() {
        x + y
    } else {
        m
    }
}
fn decay(x: i32, dash: u8) -> i32 {
    let d = x >> dash;
    if d == 0 && x != 0 {
        x.signum()
    } else {
        d
    }
}
fn to_i16(x: i64) -> i32 {
    x as i16 as i32
}

/// One xylosim step for one neuron: events (channel, raw weight) in order, then phase C.
fn reference(p: &XyloParams, s: &XyloState, events: &[(u8, i32)]) -> (XyloState, u8) {
    let mut isyn = [i32::from(s.isyn[0]), i32::from(s.isyn[1])];
    for &(ch, w) in events {
        if ch < p.n_syn {
            let w16 = to_i16(i64::from(w) << p.weight_shift);
            isyn[usize::from(ch)] = sat_add16(isyn[usize::from(ch)], w16);
        }
    }
    let mut sum = 0;
    for (x, &dash) in isyn.iter_mut().zip(&p.dash_syn).take(usize::from(p.n_syn)) {
        *x -= decay(*x, dash);
        sum += *x;
    }
    let v = i32::from(s.vmem);
    let dv = to_i16(i64::from(sat_add16(-decay(v, p.dash_mem), sum)));
    let dv = sat_add16(dv, i32::from(p.bias));
    let mut v = sat_add16(v, dv);
    let mut n = 0;
    while v >= i32::from(p.threshold) && n < p.max_spikes {
        n += 1;
        v -= i32::from(p.threshold);
    }
    (
        XyloState {
            isyn: [isyn[0] as i16, isyn[1] as i16],
            vmem: v as i16,
        },
        n,
    )
}

fn events() -> impl Strategy<Value = Vec<(u8, i32)>> {
    proptest::collection::vec((0u8..2, -128i32..=127), 0..80)
}

proptest! {
    #[test]
    fn folded_step_equals_event_by_event(n_syn in 1u8..=2, seed in any::<u64>(), s0 in state(), evs in events()) {
        let p = {
            // derive params from the seed so n_syn can vary with the strategy
            let mut r = NeuronRng::fixed(seed);
            let thr = (r.next_u32() % 32767 + 1) as i16;
            XyloParams::new((r.next_u32() % 16) as u8, [(r.next_u32() % 16) as u8, (r.next_u32() % 16) as u8],
                n_syn, thr, r.next_u32() as i16, (r.next_u32() % 31 + 1) as u8, (r.next_u32() % 8) as i8).unwrap()
        };
        let mut acc = XyloAcc::default();
        for &(ch, w) in &evs { XyloIaf::accumulate(&p, &mut acc, ch, w); }
        let mut s = s0;
        let n = XyloIaf::update(&p, &mut s, &acc, &mut NeuronRng::fixed(0));
        let (rs, rn) = reference(&p, &s0, &evs);
        prop_assert_eq!((s, n), (rs, rn));
    }

    #[test]
    fn multi_step_runs_match_reference(p in params(2), steps in proptest::collection::vec(events(), 1..15)) {
        let mut s = XyloState::default();
        let mut r = XyloState::default();
        for evs in &steps {
            let mut acc = XyloAcc::default();
            for &(ch, w) in evs { XyloIaf::accumulate(&p, &mut acc, ch, w); }
            let n = XyloIaf::update(&p, &mut s, &acc, &mut NeuronRng::fixed(0));
            let (r2, rn) = reference(&p, &r, evs);
            r = r2;
            prop_assert_eq!((s, n), (r, rn));
            prop_assert!(n <= p.max_spikes);
            if n < p.max_spikes { prop_assert!(s.vmem < p.threshold); }
        }
    }

    #[test]
    fn any_state_and_weight_never_panics(p in params(2), s0 in state(), ws in proptest::collection::vec((0u8..=255, any::<i32>()), 0..30)) {
        let mut acc = XyloAcc::default();
        for &(ch, w) in &ws { XyloIaf::accumulate(&p, &mut acc, ch, w); }
        let mut s = s0;
        let n = XyloIaf::update(&p, &mut s, &acc, &mut NeuronRng::fixed(0));
        prop_assert!(n <= p.max_spikes);
        let mut s2 = s0;
        prop_assert_eq!(XyloIaf::update(&p, &mut s2, &acc, &mut NeuronRng::fixed(9)), n, "deterministic");
        prop_assert_eq!(s2, s);
    }

    #[test]
    fn idle_means_no_change(p in params(2), zero_bias in any::<bool>(), evs in prop_oneof![Just(vec![]), events()]) {
        let p = if zero_bias { XyloParams { bias: 0, ..p } } else { p };
        let mut acc = XyloAcc::default();
        for &(ch, w) in &evs { XyloIaf::accumulate(&p, &mut acc, ch, w); }
        let s0 = XyloState::default();
        if XyloIaf::is_idle(&p, &s0, &acc) {
            let mut s = s0;
            prop_assert_eq!(XyloIaf::update(&p, &mut s, &acc, &mut NeuronRng::fixed(0)), 0);
            prop_assert_eq!(s, s0);
        }
    }

    #[test]
    fn shifted_weight_wraps_to_16_bits(w in any::<i8>(), sh in 0u8..=15) {
        let wide = i64::from(w) << sh;
        let r = ((wide + 32768).rem_euclid(65536) - 32768) as i16;
        prop_assert_eq!(shifted_weight(w, sh), r);
    }
}

#[test]
fn pre_shifted_weights_with_zero_shift_equal_raw_weights_with_shift() {
    let raw = XyloParams::new(3, [2, 4], 2, 300, 1, 31, 3).unwrap();
    let pre = XyloParams {
        weight_shift: 0,
        ..raw
    };
    let (mut a, mut b) = (XyloAcc::default(), XyloAcc::default());
    for w in [100i8, -128, 127, 5] {
        XyloIaf::accumulate(&raw, &mut a, 1, i32::from(w));
        XyloIaf::accumulate(&pre, &mut b, 1, i32::from(shifted_weight(w, 3)));
    }
    assert_eq!(a, b);
}

#[test]
fn saturation_happens_before_decay() {
    // 3 x 127 << 7 = 48768 saturates at 32767, then decays by 32767 >> 1.
    let p = XyloParams::new(15, [1, 1], 1, i16::MAX, 0, 1, 7).unwrap();
    let mut acc = XyloAcc::default();
    for _ in 0..3 {
        XyloIaf::accumulate(&p, &mut acc, 0, 127);
    }
    let mut s = XyloState::default();
    XyloIaf::update(&p, &mut s, &acc, &mut NeuronRng::fixed(0));
    assert_eq!(s.isyn[0], 32767 - (32767 >> 1));
}

#[test]
fn constructor_rejects_out_of_range_naming_the_field() {
    assert_eq!(
        XyloParams::new(16, [0, 0], 2, 1, 0, 31, 0)
            .unwrap_err()
            .field(),
        "dash_mem"
    );
    let e = XyloParams::new(0, [0, 16], 2, 1, 0, 31, 0).unwrap_err();
    assert_eq!(
        (e.field(), e.to_string().as_str()),
        ("dash_syn", "dash_syn[1] = 16 is outside 0..=15")
    );
    assert_eq!(
        XyloParams::new(0, [0, 0], 3, 1, 0, 31, 0)
            .unwrap_err()
            .field(),
        "n_syn"
    );
    assert_eq!(
        XyloParams::new(0, [0, 0], 2, 0, 0, 31, 0)
            .unwrap_err()
            .field(),
        "threshold"
    );
    assert_eq!(
        XyloParams::new(0, [0, 0], 2, 1, 0, 32, 0)
            .unwrap_err()
            .field(),
        "max_spikes"
    );
    assert_eq!(
        XyloParams::new(0, [0, 0], 2, 1, 0, 31, -1)
            .unwrap_err()
            .field(),
        "weight_shift"
    );
}
