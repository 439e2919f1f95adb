//! The firmware learning engine (row-major over the learning HAL, integer
//! decay, histories recomputed per read) against its slow twin
//! ([`neurochip_learning::oracle`]: dense matrices, float64 decay and
//! rounding as numpy computes them, full histories), over random rules,
//! epochs, sign modes, impulses, decays, three-factor inputs, spike trains
//! and seeds: every register equal after every step.

// Index loops: the two sides lay their arrays out differently.
#![allow(clippy::needless_range_loop)]

use bitvec::slice::BitSlice;
use neurochip_firmware::learning::fake::DenseHal;
use neurochip_firmware::learning::hal::{PostTrace, PreTrace};
use neurochip_firmware::learning::{
    step, Decay, Dependency, Factor, Impulse, LearnOp, LearningConfig, LearningRng, LearningState,
    Product, Rule, SynVars, Target, TraceParams, Var,
};
use neurochip_firmware::models::loihi::SignMode;
use neurochip_learning::oracle::OracleGroup;
use proptest::prelude::*;

const P: usize = 8;
const F: usize = 4;

fn var() -> impl Strategy<Value = Var> {
    prop_oneof![
        1 => Just(Var::X0),
        1 => Just(Var::Y0),
        3 => Just(Var::X1),
        2 => Just(Var::X2),
        3 => Just(Var::Y1),
        2 => Just(Var::Y2),
        2 => Just(Var::Y3),
        2 => Just(Var::W),
        1 => Just(Var::D),
        2 => Just(Var::T),
        1 => Just(Var::C),
    ]
}

fn factor() -> impl Strategy<Value = Factor> {
    (
        var(),
        prop_oneof![3 => Just(0i32), 1 => -40i32..40],
        any::<bool>(),
    )
        .prop_map(|(var, konst, sgn)| Factor {
            var,
            konst,
            sgn: sgn && var.is_synaptic(),
        })
}

fn product(k: u8) -> impl Strategy<Value = Product<F>> {
    let target =
        prop_oneof![3 => Just(Target::Weight), 1 => Just(Target::Delay), 2 => Just(Target::Tag)];
    let dep = prop_oneof![
        Just(Dependency::X0),
        Just(Dependency::Y0),
        Just(Dependency::U { k })
    ];
    (
        target,
        dep,
        -8i64..=7,
        -7i64..=8,
        prop::collection::vec(factor(), 0..=F),
    )
        .prop_map(|(t, d, m, e, f)| Product::new(t, d, m, e, &f).unwrap())
}

fn rule() -> impl Strategy<Value = Rule<P, F>> {
    (0u8..=2)
        .prop_flat_map(|k| prop::collection::vec(product(k), 1..=6))
        .prop_map(|ps| {
            let mut r = Rule::new();
            for p in ps {
                r.push(p).unwrap();
            }
            r
        })
}

fn trace() -> impl Strategy<Value = TraceParams> {
    let decay = prop_oneof![
        1 => Just(Decay::WIPE),
        4 => (0.3f64..200.0).prop_map(|tau| Decay::from_f64((-1.0 / tau).exp()).unwrap()),
        1 => Just(Decay::from_f64((-1.0f64 / 65535.0).exp()).unwrap()),
    ];
    let frac = prop_oneof![2 => Just(0u16), 1 => 0u16..=256];
    (0u16..40, frac, decay).prop_map(|(int, frac, decay)| TraceParams {
        impulse: Impulse { int, frac },
        decay,
    })
}

fn mode() -> impl Strategy<Value = SignMode> {
    prop_oneof![
        Just(SignMode::Mixed),
        Just(SignMode::Excitatory),
        Just(SignMode::Inhibitory)
    ]
}

fn config() -> impl Strategy<Value = LearningConfig<P, F>> {
    (
        rule(),
        prop::array::uniform2(trace()),
        prop::array::uniform3(trace()),
        1u8..=6,
        mode(),
        any::<bool>(),
    )
        .prop_map(
            |(rule, x, y, t_epoch, sign_mode, three_factor)| LearningConfig {
                rule,
                x,
                y,
                t_epoch,
                sign_mode,
                three_factor,
            },
        )
}

/// A run: sizes, initial weights `[post][pre]`, per-step pre/post spikes and
/// three-factor inputs, and the seed.
#[derive(Debug, Clone)]
struct Run {
    n_pre: usize,
    n_post: usize,
    w0: Vec<i64>,
    pre: Vec<Vec<bool>>,
    post: Vec<Vec<bool>>,
    factors: Vec<Vec<[i32; 3]>>,
    seed: u64,
    keyed: bool,
}

fn run() -> impl Strategy<Value = Run> {
    (1usize..=5, 1usize..=4, 1usize..=40).prop_flat_map(|(n_pre, n_post, steps)| {
        let spikes = |n: usize| {
            prop::collection::vec(prop::collection::vec(prop::bool::weighted(0.35), n), steps)
        };
        (
            prop::collection::vec(-256i64..=255, n_pre * n_post),
            spikes(n_pre),
            spikes(n_post),
            prop::collection::vec(
                prop::collection::vec(prop::array::uniform3(-60i32..150), n_post),
                steps,
            ),
            any::<u64>(),
            any::<bool>(),
        )
            .prop_map(move |(w0, pre, post, factors, seed, keyed)| Run {
                n_pre,
                n_post,
                w0,
                pre,
                post,
                factors,
                seed,
                keyed,
            })
    })
}

fn bits(flags: &[bool]) -> Vec<usize> {
    let mut w = vec![0usize; flags.len().div_ceil(64).max(1)];
    for (i, &f) in flags.iter().enumerate() {
        w[i / 64] |= usize::from(f) << (i % 64);
    }
    w
}

/// Clip initial weights into the mode's range (as Lava's Dense would hold them).
fn initial(w: i64, mode: SignMode) -> i64 {
    match mode {
        SignMode::Mixed => w,
        SignMode::Excitatory => w.clamp(0, 255),
        SignMode::Inhibitory => w.clamp(-255, 0),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn engine_equals_its_dense_twin(cfg in config(), r in run()) {
        let rng = if r.keyed { LearningRng::keyed(r.seed, 3) } else { LearningRng::lava(r.seed >> 1) };
        let w0: Vec<i64> = r.w0.iter().map(|&w| initial(w, cfg.sign_mode)).collect();
        let mut oracle = OracleGroup::new(r.n_pre, r.n_post, w0.clone(), rng.clone());
        let mut state = LearningState::new(rng);
        let (mut pre, mut post) = (vec![PreTrace::default(); r.n_pre], vec![PostTrace::default(); r.n_post]);
        // Firmware synapses are pre-major, the twin's [post][pre].
        let mut syn: Vec<SynVars> = (0..r.n_pre * r.n_post)
            .map(|a| SynVars { w: w0[(a % r.n_post) * r.n_pre + a / r.n_post] as i32, d: 0, t: 0 })
            .collect();
        let mut evals = 0u64;
        for t in 0..r.pre.len() {
            let (pb, qb) = (bits(&r.pre[t]), bits(&r.post[t]));
            let mut hal = DenseHal::new(&mut pre, &mut post, &mut syn, &r.factors[t]);
            step(&mut hal, &cfg, &mut state, BitSlice::from_slice(&pb), BitSlice::from_slice(&qb));
            evals += hal.count(LearnOp::SynapseEval);
            oracle.step(&cfg, &r.pre[t], &r.post[t], &r.factors[t]);
            for i in 0..r.n_pre {
                prop_assert_eq!(pre[i].x.map(i64::from), oracle.x[i], "step {} x of pre {}", t, i);
                prop_assert_eq!(i64::from(pre[i].t), oracle.tx[i]);
            }
            for j in 0..r.n_post {
                prop_assert_eq!(post[j].y.map(i64::from), oracle.y[j], "step {} y of post {}", t, j);
                prop_assert_eq!(i64::from(post[j].t), oracle.ty[j]);
                for i in 0..r.n_pre {
                    let s = syn[i * r.n_post + j];
                    let o = j * r.n_pre + i;
                    prop_assert_eq!(
                        [i64::from(s.w), i64::from(s.d), i64::from(s.t)],
                        [oracle.w[o], oracle.d[o], oracle.t[o]],
                        "step {} synapse post {} pre {}", t, j, i
                    );
                }
            }
        }
        let epochs = (r.pre.len() / usize::from(cfg.t_epoch)) as u64;
        let targets = Target::ALL.iter().filter(|&&t| cfg.rule.updates(t)).count() as u64;
        prop_assert_eq!(evals, epochs * targets * (r.n_pre * r.n_post) as u64);
    }
}
