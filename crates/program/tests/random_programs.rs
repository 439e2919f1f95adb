//! Random programs against an independent wide-integer evaluator: the
//! assembler's lowering, the firmware interpreter and the meter must agree
//! with a direct walk of the program tree, on every register, spike,
//! payload and executed-instruction count, step after step.

mod common;

use common::eval::{self, EvalState};
use common::gen::{self, GenProgram, Kind, Rng};
use neurochip_firmware::program::{ClassCounts, Interpreted, ProgramAcc, ProgramState};
use neurochip_firmware::{NeuronModel, NeuronRng};
use neurochip_program::{assemble, Assembled, ErrorKind, Limits, Source, HOST_IMEM};
use proptest::prelude::*;

type Prog<'p> = Interpreted<'p, HOST_IMEM>;

/// Assemble, turning every exact write the width check refuses into a wrapping one.
fn assemble_gen(p: &mut GenProgram) -> (Assembled, usize) {
    let mut refused = 0;
    loop {
        let (text, ids) = p.text();
        let src = Source {
            file: "random.nasm",
            population: "random",
            text: &text,
        };
        match assemble(&src, &Limits::default()) {
            Ok(a) => return (a, refused),
            Err(e) if e.kind == ErrorKind::WidthOverflow && ids[e.line - 1] != 0 => {
                assert!(p.make_wrapping(ids[e.line - 1]));
                refused += 1;
            }
            Err(e) => panic!("generated program rejected: {e}\n{text}"),
        }
    }
}

/// Run one random program for a few steps on both sides.
fn check(seed: u64, steps: &[Vec<(u8, i32)>]) -> Result<(), TestCaseError> {
    let mut rng = Rng(seed);
    let mut p = gen::program(&mut rng);
    let (asm, _) = assemble_gen(&mut p);
    let params: Vec<i128> = p
        .regs
        .iter()
        .filter(|r| r.kind == Kind::Param)
        .map(|r| rng.value(r.min(), r.max()))
        .collect();
    let given: Vec<(&str, i64)> = asm
        .params
        .iter()
        .zip(&params)
        .map(|((n, _), &v)| (n.as_str(), v as i64))
        .collect();
    let neuron = asm.neuron(&given).unwrap();
    let several = p.comps.len() > 1;
    let state_of: Vec<(usize, usize)> = p
        .regs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == Kind::State)
        .map(|(i, r)| {
            let name = if several {
                format!("{}.{}", p.comps[r.comp].name, r.name)
            } else {
                r.name.clone()
            };
            (i, asm.state_index(&name).unwrap())
        })
        .collect();
    let mut es = EvalState {
        regs: vec![0; p.regs.len()],
        refractory: 0,
    };
    let mut ps = ProgramState::default();
    let (text, _) = p.text();
    for (t, events) in steps.iter().enumerate() {
        let key = seed ^ (t as u64) << 40;
        let mut acc = ProgramAcc::default();
        for &(ch, w) in events {
            Prog::accumulate(&neuron, &mut acc, ch % 3, w);
        }
        let events: Vec<(u8, i32)> = events.iter().map(|&(c, w)| (c % 3, w)).collect();
        let want = eval::step(&p, &params, &mut es, &events, NeuronRng::fixed(key))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let mut meter = ClassCounts::default();
        let out = Prog::update_metered(
            &neuron,
            &mut ps,
            &acc,
            &mut NeuronRng::fixed(key),
            &mut meter,
        );
        prop_assert_eq!(
            i128::from(out.spikes),
            want.spikes,
            "step {} spikes\n{}",
            t,
            text
        );
        prop_assert_eq!(
            i128::from(out.payload),
            want.payload,
            "step {} payload\n{}",
            t,
            text
        );
        prop_assert_eq!(
            meter.total(),
            want.executed,
            "step {} executed\n{}",
            t,
            text
        );
        prop_assert_eq!(
            i128::from(ps.refractory),
            es.refractory,
            "step {} refractory\n{}",
            t,
            text
        );
        for &(gi, si) in &state_of {
            prop_assert_eq!(
                i128::from(ps.regs[si]),
                es.regs[gi],
                "step {} register {}\n{}",
                t,
                p.regs[gi].name,
                text
            );
        }
    }
    Ok(())
}

fn events() -> impl Strategy<Value = Vec<Vec<(u8, i32)>>> {
    let w = prop_oneof![3 => -200i32..=200, 1 => any::<i32>()];
    prop::collection::vec(prop::collection::vec((0u8..3, w), 0..5), 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn random_programs_match_the_wide_integer_evaluator(seed in any::<u64>(), steps in events()) {
        check(seed, &steps)?;
    }
}

/// The generator exercises what it should: exact writes the width check
/// accepts, and some it refuses (so the check is not vacuous).
#[test]
fn generator_covers_exact_and_refused_writes() {
    let (mut accepted_exact, mut refused) = (0, 0);
    for seed in 0..200 {
        let mut p = gen::program(&mut Rng(seed));
        let (_, r) = assemble_gen(&mut p);
        refused += r;
        let (text, _) = p.text();
        accepted_exact += text
            .lines()
            .filter(|l| {
                let m = l.split_whitespace().next().unwrap_or("");
                gen::OPS.iter().any(|(op, _)| *op == m)
            })
            .count();
    }
    assert!(
        accepted_exact > 200,
        "exact writes accepted: {accepted_exact}"
    );
    assert!(refused > 50, "exact writes refused: {refused}");
}
