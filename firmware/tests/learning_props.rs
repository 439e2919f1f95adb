//! The learning engine's arithmetic against independent references: numpy's
//! random streams (vectors from the pure-integer `pcg_ref.py`), the float64
//! arithmetic Lava decays traces with, and a wide-integer (i128) evaluation
//! of rules.

use neurochip_firmware::learning::eval::{
    accumulate, clip_final, round_stochastic, saturate_sign, Operands, SynVars,
};
use neurochip_firmware::learning::pcg64::Pcg64;
use neurochip_firmware::learning::{
    Decay, Dependency, Factor, Impulse, LearningRng, Product, Target, Var,
};
use neurochip_firmware::models::loihi::SignMode;
use proptest::prelude::*;
use serde_json::Value;

const TWO53: f64 = 9_007_199_254_740_992.0;

#[test]
fn pcg64_matches_the_reference_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pcg64_vectors.json"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let big = |x: &Value| x.as_str().unwrap().parse::<u128>().unwrap();
    let streams = v["streams"].as_array().unwrap();
    assert!(streams.len() >= 16);
    for s in streams {
        let seed = big(&s["seed"]);
        let g = Pcg64::new(seed);
        assert_eq!(g.state(), (big(&s["state"]), big(&s["inc"])), "seed {seed}");
        let mut g = Pcg64::new(seed);
        for x in s["next_u64"].as_array().unwrap() {
            assert_eq!(u128::from(g.next_u64()), big(x), "seed {seed}");
        }
        let mut g = Pcg64::new(seed);
        for x in s["random_53"].as_array().unwrap() {
            assert_eq!(g.random_53(), x.as_u64().unwrap(), "seed {seed}");
        }
        let mut g = Pcg64::new(seed);
        for x in s["integers_0_128"].as_array().unwrap() {
            assert_eq!(
                u64::from(g.integers_0_128()),
                x.as_u64().unwrap(),
                "seed {seed}"
            );
        }
    }
}

#[test]
fn lava_streams_are_seeded_s_to_s_plus_3_and_2() {
    let mut r = LearningRng::lava(1234);
    let mut xd = Pcg64::new(1234);
    let mut yi = Pcg64::new(1237);
    let mut c = Pcg64::new(2);
    assert_eq!(r.x.decay, xd.random_53());
    assert_eq!(r.y.impulse, yi.integers_0_128());
    assert_eq!(r.synapse, c.random_53());
    r.advance_traces();
    r.advance_synapses();
    assert_eq!(r.x.decay, xd.random_53());
    assert_eq!(r.y.impulse, yi.integers_0_128());
    assert_eq!(r.synapse, c.random_53());
}

proptest! {
    #[test]
    fn keyed_streams_are_numpy_integer_seeds(seed in any::<u64>(), group in any::<u32>()) {
        let mut r = LearningRng::keyed(seed, group);
        let key = |s: u128| u128::from(seed) | u128::from(group) << 64 | s << 96;
        let mut xd = Pcg64::new(key(0));
        let mut yi = Pcg64::new(key(3));
        let mut c = Pcg64::new(key(4));
        prop_assert_eq!(r.x.decay, xd.random_53());
        prop_assert_eq!(r.y.impulse, yi.integers_0_128());
        prop_assert_eq!(r.synapse, c.random_53());
        r.advance_traces();
        prop_assert_eq!(r.x.decay, xd.random_53());
        prop_assert_eq!(r.y.impulse, yi.integers_0_128());
        // Another group's streams differ.
        let other = LearningRng::keyed(seed, group.wrapping_add(1));
        prop_assert_ne!(other.synapse, LearningRng::keyed(seed, group).synapse);
    }
}

/// numpy: `p = h * d; floor(p) + (r < p % 1)`, in float64.
fn decay_reference(h: i32, d: f64, k: u64) -> i64 {
    let p = f64::from(h) * d;
    p.floor() as i64 + i64::from((k as f64) / TWO53 < p.rem_euclid(1.0))
}

fn decay_factor() -> impl Strategy<Value = f64> {
    prop_oneof![
        (0.03f64..100_000.0).prop_map(|tau| (-1.0 / tau).exp()),
        (1u64..(1 << 52)).prop_map(|m| f64::from_bits((1022u64 << 52) | m)),
        (0u64..(1 << 52), 960u64..=1022).prop_map(|(m, e)| f64::from_bits((e << 52) | m)),
        Just(1.0),
        Just(0.5),
    ]
}

fn trace_value() -> impl Strategy<Value = i32> {
    prop_oneof![
        -300i32..300,
        any::<i32>(),
        Just(i32::MIN),
        Just(i32::MAX),
        Just(127)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn decay_step_equals_float64(h in trace_value(), d in decay_factor(), k in 0u64..(1 << 53)) {
        let dec = Decay::from_f64(d).unwrap();
        prop_assert_eq!(i64::from(dec.step(h, k)), decay_reference(h, d, k));
    }

    /// Draws next to the fraction decide the rounding: hit them on purpose.
    #[test]
    fn decay_step_equals_float64_at_the_fraction(h in trace_value(), d in decay_factor(), dk in -2i64..=2) {
        let p = f64::from(h) * d;
        let frac = p.rem_euclid(1.0);
        let k = ((frac * TWO53) as i64 + dk).clamp(0, (1 << 53) - 1) as u64;
        let dec = Decay::from_f64(d).unwrap();
        prop_assert_eq!(i64::from(dec.step(h, k)), decay_reference(h, d, k));
    }

    #[test]
    fn impulse_equals_wide_reference(h in -1000i32..1000, int in 0u16..300, frac in 0u16..=256, r in 0u8..128) {
        let want = (i128::from(h) + i128::from(int) + i128::from(u16::from(r) < frac)).clamp(0, 127);
        prop_assert_eq!(i128::from(Impulse { int, frac }.add(h, r)), want);
    }
}

#[test]
fn negative_traces_round_their_fraction_like_numpy() {
    // -1 · (1 - 2^-53 · 3) = -0.999…: fmod is -0.999…, plus 1 is 3 · 2^-53,
    // but for fractions below 1/2 the sum 1 + fmod rounds to 53 bits.
    for d in [0.9999847410945216, 0.75, 0.3, 1.0 - 3.0 / TWO53, 0.1234567] {
        let dec = Decay::from_f64(d).unwrap();
        for h in [-1, -2, -5, -127, -1000, -(1 << 30)] {
            let frac = (f64::from(h) * d).rem_euclid(1.0);
            for k in [
                0,
                1,
                (frac * TWO53) as u64,
                (frac * TWO53) as u64 + 1,
                (1 << 53) - 1,
            ] {
                assert_eq!(
                    i64::from(dec.step(h, k)),
                    decay_reference(h, d, k),
                    "h {h} d {d} k {k}"
                );
            }
        }
    }
}

fn var() -> impl Strategy<Value = Var> {
    prop_oneof![
        Just(Var::X0),
        Just(Var::Y0),
        Just(Var::X1),
        Just(Var::X2),
        Just(Var::Y1),
        Just(Var::Y2),
        Just(Var::Y3),
        Just(Var::W),
        Just(Var::D),
        Just(Var::T),
        Just(Var::C),
    ]
}

fn factor() -> impl Strategy<Value = Factor> {
    (
        var(),
        prop_oneof![Just(0i32), -300i32..300, any::<i32>()],
        any::<bool>(),
    )
        .prop_map(|(var, konst, sgn)| Factor {
            var,
            konst,
            sgn: sgn && var.is_synaptic(),
        })
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![Just(Target::Weight), Just(Target::Delay), Just(Target::Tag)]
}

fn dependency() -> impl Strategy<Value = Dependency> {
    prop_oneof![
        Just(Dependency::X0),
        Just(Dependency::Y0),
        (0u8..=3).prop_map(|k| Dependency::U { k }),
    ]
}

fn product() -> impl Strategy<Value = Product<6>> {
    (
        target(),
        dependency(),
        -8i64..=7,
        -7i64..=8,
        prop::collection::vec(factor(), 0..=6),
    )
        .prop_map(|(t, d, m, e, f)| Product::new(t, d, m, e, &f).unwrap())
}

/// Raw trace values, as a function of (trace, dependency): an arbitrary table.
fn trace_table() -> impl Strategy<Value = [[i32; 3]; 5]> {
    prop::array::uniform5(prop::array::uniform3(prop_oneof![
        0i32..=127,
        -200i32..400,
        any::<i32>()
    ]))
}

fn trace_index(v: Var) -> usize {
    match v {
        Var::X1 => 0,
        Var::X2 => 1,
        Var::Y1 => 2,
        Var::Y2 => 3,
        _ => 4,
    }
}

fn dep_index(d: Dependency) -> usize {
    match d {
        Dependency::X0 => 0,
        Dependency::Y0 => 1,
        Dependency::U { .. } => 2,
    }
}

/// The i128 reference: exact products reduced mod 2^32 after each
/// multiplication (numpy int32), floor shifts, clips, saturating sum.
fn reference_acc(
    products: &[Product<6>],
    target: Target,
    ops: &Operands,
    table: &[[i32; 3]; 5],
) -> i128 {
    let vars = ops.vars;
    let mut acc = i128::from(vars.get(target)) * 128;
    for p in products.iter().filter(|p| p.target == target) {
        let dep = match p.dep {
            Dependency::X0 => i128::from(ops.x0),
            Dependency::Y0 => i128::from(ops.y0),
            Dependency::U { k } => i128::from(ops.epoch.is_multiple_of(1 << k)),
        };
        let mut cur = dep;
        let mut widths = 0i128;
        for f in &p.factors {
            let raw = match f.var {
                Var::X0 => i128::from(ops.x0),
                Var::Y0 => i128::from(ops.y0),
                Var::W => i128::from(vars.w),
                Var::D => i128::from(vars.d),
                Var::T => i128::from(vars.t),
                Var::C => 0,
                v => i128::from(table[trace_index(v)][dep_index(p.dep)]),
            };
            let w = i128::from(f.var.width());
            widths += w;
            let v = match f.var {
                Var::C => i128::from(f.konst),
                _ if f.sgn => (raw + i128::from(f.konst)).signum(),
                _ => raw + i128::from(f.konst),
            };
            let v = v.clamp(-(1 << w), (1 << w) - 1);
            cur = i128::from((cur * v) as i32);
        }
        cur = i128::from((cur * i128::from(p.mant)) as i32);
        let shift = (widths + 4 - 15).max(0);
        let cur = cur.div_euclid(1i128 << shift.min(100)) * (1i128 << p.s_exp);
        acc = (acc + cur.clamp(-32769, 32767)).clamp(-32769, 32767);
    }
    acc
}

fn mode() -> impl Strategy<Value = SignMode> {
    prop_oneof![
        Just(SignMode::Mixed),
        Just(SignMode::Excitatory),
        Just(SignMode::Inhibitory)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn rule_accumulator_equals_wide_reference(
        products in prop::collection::vec(product(), 0..8),
        table in trace_table(),
        x0 in any::<bool>(),
        y0 in any::<bool>(),
        epoch in 0u32..64,
        w in -256i32..=255,
        d in 0i32..=255,
        t in -257i32..=255,
        target in target(),
    ) {
        let ops = Operands { x0, y0, epoch, vars: SynVars { w, d, t } };
        let mut read = |v: Var, dep: Dependency| table[trace_index(v)][dep_index(dep)];
        let (acc, n) = accumulate(&products, target, &ops, &mut read);
        prop_assert_eq!(i128::from(acc), reference_acc(&products, target, &ops, &table));
        prop_assert_eq!(n as usize, products.iter().filter(|p| p.target == target).count());
    }

    #[test]
    fn rounding_and_clips_equal_float64(acc in -32769i64..=32767, k in 0u64..(1 << 53), target in target(), mode in mode()) {
        let a = saturate_sign(acc, target, mode);
        let q = a as f64 / 128.0;
        let want = q.floor() as i64 + i64::from((k as f64) / TWO53 < q.rem_euclid(1.0));
        prop_assert_eq!(round_stochastic(a, k), want);
        let v = clip_final(want, target, mode);
        let (lo, hi): (i64, i64) = match (target, mode) {
            (Target::Weight, SignMode::Mixed) => (-256, 255),
            (Target::Weight, SignMode::Excitatory) => (0, 255),
            (Target::Weight, SignMode::Inhibitory) => (-255, 0),
            (Target::Delay, _) => (0, 255),
            (Target::Tag, _) => (-257, 255),
        };
        prop_assert!((lo..=hi).contains(&i64::from(v)));
        prop_assert_eq!(i64::from(v), want.clamp(lo, hi));
    }
}
