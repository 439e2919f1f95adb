//! neurochip-probe: the firmware running with no std, no allocator and no
//! Rust runtime, linked against the system C library only for `write` and
//! `abort`. If the firmware (or one of its dependencies) ever pulls in std,
//! this binary stops building ("duplicate lang item `panic_impl`").
//!
//! The network is a 3-neuron LIF chain on one core, run for 20 steps; the
//! raster is compared against values computed by hand below. Exit code 0
//! means the raster is right, 1 that it is wrong.
//!
//! # The chain, by hand (`decay12(x, 410) = trunc(x·3686/4096)`)
//!
//! - n0: IF, bias 3, threshold 10, reset 0: v = 3, 6, 9, 12 → spikes at
//!   steps 3, 7, 11, 15, 19.
//! - n0 → n1, weight 6, delay 0: a spike of step t is integrated at t + 1.
//!   n1 leaks with `v_decay = 410` (×0.9), threshold 10, reset 0:
//!   step 4: 6; 5: 5; 6: 4; 7: 3; 8: 2 + 6 = 8; 9: 7; 10: 6; 11: 5;
//!   12: 4 + 6 = 10 → spike at 12 (without the leak it would fire at 8).
//!   Then 0 until step 16: 6, 17: 5, 18: 4, 19: 3 — no other spike.
//! - n1 → n2, weight 5, delay 2 (integrated at t + 3), threshold 5:
//!   spike at 12 → n2 fires at 15.
//!
//! Expected: n0 {3, 7, 11, 15, 19}, n1 {12}, n2 {15}; 6 synaptic events
//! (n0's spike at 19 lands in step 20, which is not run), 6 word reads.
//!
//! # One plastic synapse, by hand
//!
//! Pair STDP `dw = y0·x1 - x0·y1` (scale 1), epochs of 2 steps, impulses 16,
//! no decay (factor 1, so no rounding draw matters), weight 10.
//! - Epoch 1: pre at 1, post at 2. `y0·x1` reads x1 at ty = 2: 16; `x0·y1`
//!   reads y1 at tx = 1: 0. w = 26; x1 = y1 = 16 after the epoch.
//! - Epoch 2: post at 3, pre at 4. x1 at ty = 1: 16; y1 at tx = 2:
//!   16 + 16 = 32. w = 26 + 16 - 32 = 10.
//!
//! Expected: w = 26 after step 2, 10 after step 4; 2 synapse writes. The
//! learning streams are numpy's PCG64 in 128-bit integers: the first draw of
//! `default_rng(1234)` must be the one numpy makes.
#![no_std]
#![no_main]

use bitvec::slice::BitSlice;
use neurochip_firmware::fake::FlatHal;
use neurochip_firmware::hal::{Op, Row, Synapse, WordLayout};
use neurochip_firmware::learning::fake::DenseHal;
use neurochip_firmware::learning::hal::{PostTrace, PreTrace};
use neurochip_firmware::learning::pcg64::Pcg64;
use neurochip_firmware::learning::{
    step, Decay, Dependency, Factor, Impulse, LearnOp, LearningConfig, LearningRng, LearningState,
    Product, Rule, SynVars, Target, TraceParams, Var,
};
use neurochip_firmware::models::lif::{Lif, LifParams};
use neurochip_firmware::models::loihi::SignMode;
use neurochip_firmware::queue::{InputQueue, InputSpike};
use neurochip_firmware::runtime::{deliver_queued, update_all};

#[link(name = "c")]
extern "C" {
    fn write(fd: i32, buf: *const u8, n: usize) -> isize;
    fn abort() -> !;
}

fn print(s: &str) {
    // SAFETY: `s` is a valid buffer of `s.len()` bytes for the whole call.
    unsafe {
        write(1, s.as_ptr(), s.len());
    }
}

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    print("neurochip-probe: panic\n");
    // SAFETY: abort never returns and has no preconditions.
    unsafe { abort() }
}

/// The precompiled `core` carries unwind tables that name this symbol even
/// under `panic = "abort"`; nothing ever unwinds here, so it is never called.
/// (Defining it is the stable-Rust way to link a no_std binary against libc.)
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}

const STEPS: u32 = 20;
const LAYOUT: WordLayout = WordLayout {
    weight_bits: 8,
    channel_bits: 1,
    delay_bits: 2,
    target_bits: 2,
};

fn bits(steps: &[u32]) -> u32 {
    steps.iter().fold(0, |m, &s| m | 1 << s)
}

/// Runs the chain; returns (raster as one step bit-mask per neuron, synaptic ops, word reads).
fn run() -> Option<([u32; 3], u64, u64)> {
    let base = LifParams {
        state_bits: 16,
        threshold: 10,
        ..LifParams::default()
    };
    let p0 = LifParams { bias: 3, ..base }.checked().ok()?;
    let p1 = LifParams {
        v_decay: 410,
        ..base
    }
    .checked()
    .ok()?;
    let p2 = LifParams {
        threshold: 5,
        ..base
    }
    .checked()
    .ok()?;
    // 3 neurons, 2 words, 2 axons, 4 delay slots (max delay 2).
    let mut hal: FlatHal<Lif, 3, 2, 2, 4> = FlatHal::new([p0, p1, p2]);
    let syn = |weight, delay, target| Synapse {
        weight,
        channel: 0,
        delay,
        target,
    };
    hal.words[0] = LAYOUT.encode(&syn(6, 0, 1)).ok()?;
    hal.words[1] = LAYOUT.encode(&syn(5, 2, 2)).ok()?;
    hal.axons[0] = Some(Row { start: 0, len: 1 });
    hal.axons[1] = Some(Row { start: 1, len: 1 });

    let mut raster = [0u32; 3];
    // The core's input inbox: fixed capacity, as the firmware build sizes it.
    let mut inbox: InputQueue<4> = InputQueue::new();
    for step in 0..STEPS {
        hal.clear_outbox();
        update_all::<Lif, _>(&mut hal, 0, 0, step);
        for &(n, count) in hal.outbox.iter() {
            raster[n as usize] |= 1 << step;
            // Neuron n's axon on this core is n; neuron 2's spikes leave the core.
            if n < 2 {
                inbox.push(InputSpike {
                    axon: n,
                    count,
                    step,
                });
            }
        }
        deliver_queued::<Lif, _, 4>(&mut hal, &LAYOUT, &mut inbox);
    }
    Some((raster, hal.count(Op::SynapticOp), hal.count(Op::WordRead)))
}

/// Runs the plastic synapse; returns the weight after steps 2 and 4 and the writes.
fn learn() -> Option<(i32, i32, u64)> {
    let term = |target, dep, mant, var| {
        let f = Factor {
            var,
            konst: 0,
            sgn: false,
        };
        Product::<2>::new(target, dep, mant, 0, &[f]).ok()
    };
    let mut rule: Rule<2, 2> = Rule::new();
    rule.push(term(Target::Weight, Dependency::Y0, 1, Var::X1)?)
        .ok()?;
    rule.push(term(Target::Weight, Dependency::X0, -1, Var::Y1)?)
        .ok()?;
    let steady = TraceParams {
        impulse: Impulse { int: 16, frac: 0 },
        decay: Decay::from_f64(1.0).ok()?,
    };
    let cfg = LearningConfig {
        rule,
        x: [steady; 2],
        y: [steady; 3],
        t_epoch: 2,
        sign_mode: SignMode::Mixed,
        three_factor: false,
    };
    let (mut pre, mut post) = ([PreTrace::default()], [PostTrace::default()]);
    let mut syn = [SynVars { w: 10, d: 0, t: 0 }];
    let mut st = LearningState::new(LearningRng::lava(1234));
    let (mut w2, mut writes) = (0, 0);
    for ts in 1..=4u32 {
        let p = [usize::from(ts == 1 || ts == 4)];
        let q = [usize::from(ts == 2 || ts == 3)];
        let mut hal = DenseHal::new(&mut pre, &mut post, &mut syn, &[]);
        step(
            &mut hal,
            &cfg,
            &mut st,
            BitSlice::from_slice(&p),
            BitSlice::from_slice(&q),
        );
        writes += hal.count(LearnOp::SynapseWrite);
        if ts == 2 {
            w2 = syn[0].w;
        }
    }
    Some((w2, syn[0].w, writes))
}

/// The first `random()` of numpy's `default_rng(1234)`, times 2^53.
const NUMPY_1234_FIRST_DRAW: u64 = 8_797_329_410_709_207;

#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    if learn() != Some((26, 10, 2)) {
        print("neurochip-probe: WRONG learned weights\n");
        return 1;
    }
    if Pcg64::new(1234).random_53() != NUMPY_1234_FIRST_DRAW {
        print("neurochip-probe: WRONG PCG64 stream\n");
        return 1;
    }
    let want = [bits(&[3, 7, 11, 15, 19]), bits(&[12]), bits(&[15])];
    match run() {
        Some((raster, 6, 6)) if raster == want => {
            print(
                "neurochip-probe: ok (3-neuron LIF chain, 20 steps, raster as computed by hand; plastic synapse and PCG64 stream as computed by hand)\n",
            );
            0
        }
        Some(_) => {
            print("neurochip-probe: WRONG raster or event counts\n");
            1
        }
        None => {
            print("neurochip-probe: parameters or synapse words rejected\n");
            1
        }
    }
}
