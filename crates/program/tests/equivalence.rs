//! Proof by equivalence: every shipped program against its native model, on
//! random (checked) parameters and random inputs, register by register and
//! spike by spike, every step.

use neurochip_firmware::models::lif::{Lif, LifParams};
use neurochip_firmware::models::loihi::{LoihiCubaLif, LoihiParams};
use neurochip_firmware::models::sigma_delta::{
    graded_weight, Delta, DeltaParams, DenseInput, Sigma, SigmaDelta, SigmaDeltaParams,
};
use neurochip_firmware::models::xylo::{XyloIaf, XyloParams};
use neurochip_firmware::program::{Interpreted, PAYLOAD_FIELD, REFRACTORY_FIELD};
use neurochip_firmware::{NeuronModel, NeuronRng};
use neurochip_program::builtin::{self, Builtin, Values};
use neurochip_program::{Assembled, HOST_IMEM};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

type Prog<'p> = Interpreted<'p, HOST_IMEM>;

/// One step's synaptic events: (channel, weight).
type Steps = Vec<Vec<(u8, i32)>>;

/// The program's `state_field` index of a native state field.
fn program_field(asm: &Assembled, name: &str) -> usize {
    match name {
        "refractory" => REFRACTORY_FIELD,
        "s_out" => PAYLOAD_FIELD,
        _ => asm
            .state_index(name)
            .unwrap_or_else(|| panic!("program `{}` has no state `{name}`", asm.name)),
    }
}

/// Run native model `N` and the program side by side; fail at the first difference.
fn lockstep<N: NeuronModel>(
    native: &N::Params,
    b: Builtin,
    values: &Values,
    steps: &Steps,
) -> Result<(), TestCaseError> {
    let asm = b.assemble("equivalence").unwrap();
    let prog = asm.neuron(values).unwrap();
    let fields: Vec<usize> = N::STATE_FIELDS
        .iter()
        .map(|f| program_field(&asm, f))
        .collect();
    let (mut sn, mut sp) = (N::State::default(), Default::default());
    for (t, events) in steps.iter().enumerate() {
        let (mut an, mut ap) = (N::Acc::default(), Default::default());
        for &(ch, w) in events {
            N::accumulate(native, &mut an, ch, w);
            Prog::accumulate(&prog, &mut ap, ch, w);
        }
        let kn = N::update(native, &mut sn, &an, &mut NeuronRng::fixed(t as u64));
        let kp = Prog::update(&prog, &mut sp, &ap, &mut NeuronRng::fixed(t as u64));
        prop_assert_eq!(kn, kp, "{} step {}: spikes", b.name(), t);
        for (i, name) in N::STATE_FIELDS.iter().enumerate() {
            let (x, y) = (N::state_field(&sn, i), Prog::state_field(&sp, fields[i]));
            prop_assert_eq!(x, y, "{} step {}: state {}", b.name(), t, name);
        }
    }
    Ok(())
}

/// Up to `n` events per step on `channels` channels, weights mostly in `small`, sometimes any i32.
fn steps(channels: u8, small: i32, n: usize) -> impl Strategy<Value = Steps> {
    let w = prop_oneof![4 => -small..=small, 1 => any::<i32>()];
    prop::collection::vec(prop::collection::vec((0..channels, w), 0..n), 1..60)
}

/// A value of a signed `bits`-wide register.
fn in_bits(bits: u8) -> impl Strategy<Value = i32> {
    let m = 1i64 << (bits - 1);
    (-m..m).prop_map(|x| x as i32)
}

fn lif_params() -> impl Strategy<Value = LifParams> {
    (8u8..=32).prop_flat_map(|b| {
        (
            (Just(b), 0u16..=4096, in_bits(b), in_bits(b), any::<bool>()),
            (in_bits(b), 0u16..6, any::<bool>(), in_bits(b)),
            (0u16..=4096, 0u16..=4096, any::<bool>()),
        )
            .prop_map(
                |((b, vd, vr, th, st), (reset, refr, drops, bias), (s0, s1, cur))| {
                    LifParams {
                        state_bits: b,
                        v_decay: vd,
                        v_rest: vr,
                        threshold: th,
                        strict_threshold: st,
                        v_reset: reset,
                        refractory_steps: refr,
                        refractory_drops_input: drops,
                        bias: bias >> (b / 2),
                        syn_decay: [s0, s1],
                        current_mode: cur,
                    }
                    .checked()
                    .unwrap()
                },
            )
    })
}

fn loihi_params() -> impl Strategy<Value = LoihiParams> {
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

fn xylo_params() -> impl Strategy<Value = XyloParams> {
    (
        (0u8..=15, 0u8..=15, 0u8..=15, 1u8..=2),
        (1i16..=i16::MAX, any::<i16>(), 1u8..=31, 0i8..=15),
    )
        .prop_map(|((dm, d0, d1, n), (th, bias, max, ws))| {
            XyloParams::new(dm, [d0, d1], n, th, bias, max, ws).unwrap()
        })
}

fn dense_input() -> impl Strategy<Value = DenseInput> {
    (-12i8..=12, any::<bool>()).prop_map(|(weight_exp, graded)| DenseInput { weight_exp, graded })
}

fn exps() -> impl Strategy<Value = (i32, u8)> {
    (0u8..=31).prop_flat_map(|ste| (-(i32::from(ste))..=(31 - i32::from(ste)), Just(ste)))
}

/// Graded events: weight * payload, with payloads over the whole int32 range sometimes.
fn graded_steps() -> impl Strategy<Value = Steps> {
    let payload = prop_oneof![3 => -300i32..=300, 1 => any::<i32>()];
    let ev = (-256i32..=255, payload).prop_map(|(w, p)| (0u8, graded_weight(w, p)));
    prop::collection::vec(prop::collection::vec(ev, 0..6), 1..60)
}

fn threshold() -> impl Strategy<Value = i32> {
    prop_oneof![3 => 0i32..=500, 1 => any::<i32>()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn lif_program_equals_native(p in lif_params(), s in steps(2, 3000, 5)) {
        lockstep::<Lif>(&p, Builtin::Lif, &builtin::lif_values(&p), &s)?;
    }

    #[test]
    fn loihi_program_equals_native(p in loihi_params(), s in steps(1, 300, 6)) {
        lockstep::<LoihiCubaLif>(&p, Builtin::LoihiCubaLif, &builtin::loihi_values(&p), &s)?;
    }

    #[test]
    fn xylo_program_equals_native(p in xylo_params(), s in steps(2, 128, 8)) {
        lockstep::<XyloIaf>(&p, Builtin::XyloIaf, &builtin::xylo_values(&p), &s)?;
    }

    #[test]
    fn sigma_delta_program_equals_native(
        (vth, bias, relu, cum) in (threshold(), any::<i32>(), any::<bool>(), any::<bool>()),
        (se, ste) in exps(),
        input in dense_input(),
        s in graded_steps(),
    ) {
        let bias = if relu { bias >> 8 } else { bias };
        let p = SigmaDeltaParams::new(vth, bias, relu, cum, se, ste, input).unwrap();
        lockstep::<SigmaDelta>(&p, Builtin::SigmaDelta, &builtin::sigma_delta_values(&p), &s)?;
    }

    #[test]
    fn delta_program_equals_native(
        vth in threshold(), cum in any::<bool>(), (se, ste) in exps(), s in graded_steps(),
    ) {
        let p = DeltaParams::new(vth, cum, se, ste).unwrap();
        lockstep::<Delta>(&p, Builtin::Delta, &builtin::delta_values(&p), &s)?;
    }

    #[test]
    fn sigma_program_equals_native(input in dense_input(), s in graded_steps()) {
        lockstep::<Sigma>(&input, Builtin::Sigma, &builtin::sigma_values(&input), &s)?;
    }
}

/// The Xylo edge the generic program pays 8 instructions for: `Vmem = -32768`
/// with `dash_mem = 0` makes `-decay(Vmem) = 32768`, outside i16, where
/// xylosim's `sat_add16(32768, 0)` is 32768 (then wrapped), not a clamp.
/// Two saturated currents drive Vmem to -32768, then cancel to exactly 0.
#[test]
fn xylo_minimum_voltage_edge_matches() {
    let p = XyloParams::new(0, [15, 15], 2, 100, 1, 31, 0).unwrap();
    let down = vec![(0u8, -32768), (1, -32768)];
    let cancel = vec![(0u8, 32767), (1, 32767)];
    let s: Steps = vec![down.clone(), down, cancel, vec![], vec![]];
    let mut probe = neurochip_firmware::models::xylo::XyloState::default();
    let mut vmem = vec![];
    for ev in &s {
        let mut acc = Default::default();
        for &(ch, w) in ev {
            XyloIaf::accumulate(&p, &mut acc, ch, w);
        }
        XyloIaf::update(&p, &mut probe, &acc, &mut NeuronRng::fixed(0));
        vmem.push((probe.vmem, probe.isyn));
    }
    // Step 1 reaches -32768; at step 2 the currents are 0 and xylosim keeps -32768
    // (a clamp there would give -1).
    assert_eq!(vmem[1].0, i16::MIN);
    assert_eq!(vmem[2], (i16::MIN, [0, 0]));
    lockstep::<XyloIaf>(&p, Builtin::XyloIaf, &builtin::xylo_values(&p), &s).unwrap();
}

/// int32 wrap-around and `abs32(i32::MIN) < 0`: inputs at the int32 edges.
#[test]
fn sigma_delta_int32_edges_match() {
    let edges: Steps = [i32::MIN, i32::MAX, i32::MAX, -1, i32::MIN, 0, 1]
        .iter()
        .map(|&x| vec![(0u8, x)])
        .collect();
    for cum in [false, true] {
        let d = DeltaParams::new(5, cum, 0, 0).unwrap();
        lockstep::<Delta>(&d, Builtin::Delta, &builtin::delta_values(&d), &edges).unwrap();
        let input = DenseInput {
            weight_exp: 0,
            graded: true,
        };
        for relu in [false, true] {
            let p = SigmaDeltaParams::new(5, 0, relu, cum, 0, 0, input).unwrap();
            let v = builtin::sigma_delta_values(&p);
            lockstep::<SigmaDelta>(&p, Builtin::SigmaDelta, &v, &edges).unwrap();
        }
    }
    // The native model itself: an input of i32::MIN is never sent (|MIN| wraps negative).
    let d = DeltaParams::new(5, false, 0, 0).unwrap();
    let mut s = neurochip_firmware::models::sigma_delta::DeltaState::default();
    assert_eq!(
        Delta::update(&d, &mut s, &i64::from(i32::MIN), &mut NeuronRng::fixed(0)),
        0
    );
    assert_eq!(s.enc.residue, i32::MIN);
}
