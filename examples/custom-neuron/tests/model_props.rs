//! The adaptive-threshold LIF against an independent wide-integer reference (i128, no
//! shared helpers), over every width, parameter and input.

use custom_neuron::{AdaptiveLif, AlifParamError, AlifParams, AlifState};
use neurochip_firmware::{NeuronModel, NeuronRng};
use proptest::prelude::*;

fn clamp(x: i128, bits: u32) -> i128 {
    let hi = (1i128 << (bits - 1)) - 1;
    x.clamp(-hi - 1, hi)
}

/// `x·(4096 − d)/4096`, truncated toward zero, in i128.
fn leak(x: i128, d: u16) -> i128 {
    x * (4096 - i128::from(d.min(4096))) / 4096
}

/// One step as the module doc states it.
fn reference(p: &AlifParams, s: AlifState, input: i32) -> (AlifState, u8) {
    let b = u32::from(p.bits);
    let v = clamp(leak(i128::from(s.v), p.v_decay) + i128::from(input), b);
    let a = leak(i128::from(s.a), p.a_decay);
    if v >= i128::from(p.theta) + a {
        let a = clamp(a + i128::from(p.beta), b);
        (
            AlifState {
                v: p.v_reset,
                a: a as i32,
            },
            1,
        )
    } else {
        (
            AlifState {
                v: v as i32,
                a: a as i32,
            },
            0,
        )
    }
}

fn params() -> impl Strategy<Value = AlifParams> {
    (
        16u8..=32,
        0u16..=4096,
        0u16..=4096,
        any::<i32>(),
        any::<i32>(),
        any::<i32>(),
    )
        .prop_filter_map("valid", |(bits, v_decay, a_decay, t, b, r)| {
            let m = (1i64 << (bits - 1)) - 1;
            let theta = (i64::from(t).rem_euclid(m) + 1) as i32;
            let beta = i64::from(b).rem_euclid(m + 1) as i32;
            let v_reset = (i64::from(r).rem_euclid(2 * m) - m) as i32;
            AlifParams {
                bits,
                v_decay,
                a_decay,
                theta,
                beta,
                v_reset,
            }
            .checked()
            .ok()
        })
}

fn in_width(x: i32, bits: u8) -> bool {
    let m = (1i64 << (bits - 1)) - 1;
    (-m - 1..=m).contains(&i64::from(x))
}

proptest! {
    #[test]
    fn update_equals_the_wide_reference(p in params(), v in any::<i32>(), a in any::<i32>(), input in any::<i32>(), steps in 1usize..20) {
        let b = u32::from(p.bits);
        let mut s = AlifState { v: clamp(i128::from(v), b) as i32, a: clamp(i128::from(a), b).max(0) as i32 };
        let mut r = s;
        for _ in 0..steps {
            let mut rng = NeuronRng::new(0, 0, 0, 0);
            let spikes = AdaptiveLif::update(&p, &mut s, &input, &mut rng);
            let (next, want) = reference(&p, r, input);
            r = next;
            prop_assert_eq!(s, r);
            prop_assert_eq!(spikes, want);
            prop_assert!(in_width(s.v, p.bits) && in_width(s.a, p.bits));
        }
    }

    #[test]
    fn accumulate_is_a_saturating_sum(ws in prop::collection::vec(any::<i32>(), 0..50), p in params()) {
        let mut acc = 0i32;
        for &w in &ws {
            AdaptiveLif::accumulate(&p, &mut acc, 0, w);
        }
        let exact: i128 = ws.iter().map(|&w| i128::from(w)).sum();
        // Saturating at every fold: equal to the exact sum whenever no prefix overflows.
        let mut prefix = 0i128;
        let ok = ws.iter().all(|&w| { prefix += i128::from(w); prefix.abs() < i128::from(i32::MAX) });
        if ok {
            prop_assert_eq!(i128::from(acc), exact);
        }
    }

    #[test]
    fn idle_means_nothing_changes(p in params()) {
        let mut s = AlifState::default();
        prop_assert!(AdaptiveLif::is_idle(&p, &s, &0));
        let spikes = AdaptiveLif::update(&p, &mut s, &0, &mut NeuronRng::new(1, 2, 3, 4));
        prop_assert_eq!((s, spikes), (AlifState::default(), 0));
    }
}

#[test]
fn adaptation_slows_a_driven_neuron() {
    let p = AlifParams {
        bits: 24,
        v_decay: 0,
        a_decay: 41,
        theta: 100,
        beta: 50,
        v_reset: 0,
    }
    .checked()
    .unwrap();
    let mut s = AlifState::default();
    let times: Vec<u32> = (0..400u32)
        .filter(|_| AdaptiveLif::update(&p, &mut s, &20, &mut NeuronRng::new(0, 0, 0, 0)) == 1)
        .collect();
    let isi: Vec<u32> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(isi.len() > 3, "{times:?}");
    // theta / input = 5 updates to the first spike; then the threshold is near 150.
    assert_eq!(times[0], 4, "{times:?}");
    assert_eq!(isi[0], 8, "{isi:?}");
    assert!(isi.last().unwrap() > &isi[0], "intervals grow: {isi:?}");
}

#[test]
fn bad_parameters_are_named() {
    let ok = AlifParams {
        bits: 24,
        v_decay: 0,
        a_decay: 0,
        theta: 10,
        beta: 1,
        v_reset: 0,
    };
    let e = AlifParams { bits: 12, ..ok }.checked().unwrap_err();
    assert_eq!((e, e.field()), (AlifParamError::Bits(12), "bits"));
    let e = AlifParams {
        a_decay: 5000,
        ..ok
    }
    .checked()
    .unwrap_err();
    assert_eq!(e.field(), "a_decay");
    let e = AlifParams { v_reset: 10, ..ok }.checked().unwrap_err();
    assert_eq!(e.field(), "v_reset");
    assert!(e.to_string().contains("below theta"), "{e}");
    let e = AlifParams { theta: 0, ..ok }.checked().unwrap_err();
    assert_eq!(e.field(), "theta");
}
