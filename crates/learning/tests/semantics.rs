//! Learning semantics the public Lava scenarios do not reach, pinned by
//! hand-computed cases on the firmware engine: longer epochs with repeat
//! spikes, trace reads at the dependency's time, `uk` decimation, sign
//! modes, accumulator saturation order, `tau = 0` wipes and the float model.

use bitvec::slice::BitSlice;
use neurochip_firmware::learning::fake::DenseHal;
use neurochip_firmware::learning::hal::{PostTrace, PreTrace};
use neurochip_firmware::learning::{
    step, Decay, Impulse, LearnOp, LearningConfig, LearningRng, LearningState, SynVars, TraceParams,
};
use neurochip_firmware::models::loihi::SignMode;
use neurochip_learning::float::{FloatConfig, FloatGroup, FloatTrace};
use neurochip_learning::parse_rule;

type Cfg = LearningConfig<8, 4>;

/// Impulse 16, no decay (factor 1: no rounding happens), for every trace.
fn steady() -> TraceParams {
    TraceParams {
        impulse: Impulse { int: 16, frac: 0 },
        decay: Decay::from_f64(1.0).unwrap(),
    }
}

fn cfg(dw: &str, t_epoch: u8, sign_mode: SignMode) -> Cfg {
    LearningConfig {
        rule: parse_rule(Some(dw), None, None).unwrap(),
        x: [steady(); 2],
        y: [steady(); 3],
        t_epoch,
        sign_mode,
        three_factor: false,
    }
}

/// One pre and one post neuron; spikes given as the (1-based, absolute)
/// steps they occur at.
struct One {
    pre: [PreTrace; 1],
    post: [PostTrace; 1],
    syn: [SynVars; 1],
    state: LearningState,
    work: [u64; LearnOp::ALL.len()],
}

impl One {
    fn new(w: i32) -> Self {
        One {
            pre: [PreTrace::default()],
            post: [PostTrace::default()],
            syn: [SynVars { w, d: 0, t: 0 }],
            state: LearningState::new(LearningRng::lava(7)),
            work: [0; LearnOp::ALL.len()],
        }
    }

    fn run(&mut self, cfg: &Cfg, steps: u32, pre: &[u32], post: &[u32]) {
        for _ in 0..steps {
            let ts = self.state.ts + 1;
            let (p, q) = (
                [usize::from(pre.contains(&ts))],
                [usize::from(post.contains(&ts))],
            );
            let mut hal = DenseHal::new(&mut self.pre, &mut self.post, &mut self.syn, &[]);
            step(
                &mut hal,
                cfg,
                &mut self.state,
                BitSlice::from_slice(&p),
                BitSlice::from_slice(&q),
            );
            for (w, c) in self.work.iter_mut().zip(hal.charged) {
                *w += c;
            }
        }
    }
}

#[test]
fn a_long_epoch_keeps_the_last_spike_and_reads_x_at_the_post_spike() {
    // Epoch of 4: pre spikes at 1 and 4, post at 3. The repeat at 4 adds 16 at
    // once (x1 = 16 before the history); the history starts at 16, stays 16
    // (no decay) and gains the impulse only at the last spike time, 4. So
    // `y0 * x1` reads x1 at ty = 3: 16; the weight grows by 16.
    let c = cfg("y0*x1", 4, SignMode::Mixed);
    let mut g = One::new(10);
    g.run(&c, 3, &[1], &[3]);
    assert_eq!(
        (g.pre[0].x[0], g.pre[0].t, g.post[0].t),
        (0, 1, 3),
        "mid-epoch: only spike times move"
    );
    g.run(&c, 1, &[4], &[]);
    assert_eq!(g.syn[0].w, 26);
    assert_eq!((g.pre[0].x[0], g.pre[0].t), (32, 0));
    assert_eq!(g.post[0].y[0], 16);
    // A post spike before the only pre spike of the epoch reads x1 = 0.
    let mut g = One::new(10);
    g.run(&c, 4, &[4], &[2]);
    assert_eq!(g.syn[0].w, 10);
    // Work: one epoch, one synapse, one update; 4 decay steps of 5 traces.
    assert_eq!(g.work[LearnOp::SynapseEval.index()], 1);
    assert_eq!(g.work[LearnOp::SynapseWrite.index()], 1);
    assert_eq!(g.work[LearnOp::TraceDecay.index()], 4 * 5);
    assert_eq!(g.work[LearnOp::TraceImpulse.index()], 2 + 3);
}

#[test]
fn x0_terms_read_y_at_the_pre_spike_time() {
    // Epoch 3: post at 1, pre at 2: `x0 * y1` reads y1 at tx = 2, which is 16.
    let c = cfg("2^-2*x0*y1", 3, SignMode::Mixed);
    let mut g = One::new(0);
    g.run(&c, 3, &[2], &[1]);
    assert_eq!(g.syn[0].w, 4);
}

#[test]
fn uk_fires_on_epochs_that_are_multiples_of_2_to_the_k() {
    for (k, steps, grown) in [(0, 6, 6), (1, 6, 3), (2, 6, 1), (2, 8, 2), (3, 7, 0)] {
        let c = cfg(&format!("u{k}"), 1, SignMode::Mixed);
        let mut g = One::new(0);
        g.run(&c, steps, &[], &[]);
        assert_eq!(g.syn[0].w, grown, "u{k} over {steps} epochs");
    }
    // With t_epoch 2 the epoch index is ts / 2: u1 fires at ts 4 and 8.
    let c = cfg("u1", 2, SignMode::Mixed);
    let mut g = One::new(0);
    g.run(&c, 8, &[], &[]);
    assert_eq!(g.syn[0].w, 2);
}

#[test]
fn sign_modes_bound_the_weight() {
    // `-2^8 * x0` adds -256 (in weight units); twice reaches the lower rail.
    let down = cfg("-2^8*x0 - 2^8*x0", 1, SignMode::Mixed);
    let mut g = One::new(100);
    g.run(&down, 1, &[1], &[]);
    assert_eq!(
        g.syn[0].w, -256,
        "mixed: the rail rounds to -257, clipped to -256"
    );
    let down = cfg("-2^8*x0", 1, SignMode::Excitatory);
    let mut g = One::new(100);
    g.run(&down, 1, &[1], &[]);
    assert_eq!(g.syn[0].w, 0, "excitatory weights stop at 0");
    let up = cfg("2^8*x0", 1, SignMode::Inhibitory);
    let mut g = One::new(-100);
    g.run(&up, 1, &[1], &[]);
    assert_eq!(g.syn[0].w, 0, "inhibitory weights stop at 0");
    let down = cfg("-2^8*x0 - 2^8*x0", 1, SignMode::Inhibitory);
    let mut g = One::new(-100);
    g.run(&down, 1, &[1], &[]);
    assert_eq!(g.syn[0].w, -255, "inhibitory weights stop at -255");
}

#[test]
fn the_accumulator_saturates_after_every_product() {
    // 7·2^8 saturates at 32767; -2^7 is -16384 in accumulator units.
    // Saturating twice, then subtracting: 16383 -> 127 or 128.
    // Subtracting first: -16384 + 32767 + 32767 -> 32767 -> 255 (or 256, clipped).
    let first = cfg("7*2^8*x0 + 7*2^8*x0 - 2^7*x0", 1, SignMode::Mixed);
    let mut g = One::new(0);
    g.run(&first, 1, &[1], &[]);
    assert!(matches!(g.syn[0].w, 127 | 128), "{}", g.syn[0].w);
    let last = cfg("-2^7*x0 + 7*2^8*x0 + 7*2^8*x0", 1, SignMode::Mixed);
    let mut g = One::new(0);
    g.run(&last, 1, &[1], &[]);
    assert_eq!(g.syn[0].w, 255);
}

#[test]
fn tau_zero_traces_are_wiped_each_epoch() {
    let mut c = cfg("y0*x1", 2, SignMode::Mixed);
    c.x[0].decay = Decay::WIPE;
    let mut g = One::new(0);
    // Pre at 1, post at 2: x1's history is 16 at t = 1 and wiped at t = 2.
    g.run(&c, 2, &[1], &[2]);
    assert_eq!(g.syn[0].w, 0);
    assert_eq!(g.pre[0].x[0], 0);
    // Pre at 4 (the epoch's last step): x1 ends the epoch at its impulse.
    g.run(&c, 2, &[4], &[4]);
    assert_eq!((g.syn[0].w, g.pre[0].x[0]), (16, 16));
    assert_eq!(
        g.work[LearnOp::TraceDecay.index()],
        2 * 2 * 4,
        "the wiped trace is not charged"
    );
}

#[test]
fn the_float_model_adds_whole_impulses_and_decays_exactly() {
    let rule = parse_rule::<8, 4>(Some("y0*x1 - 2^-1*x0*y1"), None, None).unwrap();
    let tr = FloatTrace {
        impulse: 2.5,
        decay: 0.5,
    };
    let c = FloatConfig {
        rule,
        x: [tr, FloatTrace::default()],
        y: [tr, FloatTrace::default(), FloatTrace::default()],
        t_epoch: 2,
        sign_mode: SignMode::Mixed,
        three_factor: false,
    };
    let mut g = FloatGroup::new(1, 1, vec![10.0]);
    // Step 1: pre and post spike; step 2: pre again (adds 2.5 at once).
    assert!(!g.step(&c, &[true], &[true], &[]));
    assert!(g.step(&c, &[true], &[false], &[]));
    // x history: h0 = 2.5 (the repeat), h1 = 1.25, h2 = 0.625 + 2.5 (last spike at 2).
    // y history: h0 = 0, h1 = 0 + 2.5 (spike at 1), h2 = 1.25.
    // dw = x1 at ty = 1 (1.25) - 0.5 · y1 at tx = 2 (1.25) = 0.625.
    assert_eq!(g.w[0], 10.625);
    assert_eq!((g.x[0][0], g.y[0][0]), (3.125, 1.25));
    assert!(
        g.x[0][1].is_nan(),
        "a tau = 0 trace is NaN after an epoch, as in Lava"
    );
}
