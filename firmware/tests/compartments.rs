//! Multi-compartment neurons and the program seam, on hand-built programs
//! (the assembler lives on the host; these tests use the firmware alone).

use neurochip_firmware::fake::FlatHal;
use neurochip_firmware::hal::{Op, Row, Synapse, WordLayout};
use neurochip_firmware::program::{
    Chan, ClassCounts, Compartment, Cond, Fold, Instr, InstrClass, Interpreted, Join, Layout,
    OpCode, Program, ProgramAcc, ProgramParams, ProgramState, Scale, Src, Test, Width, Write,
    MAX_PARAMS,
};
use neurochip_firmware::runtime::{deliver_spike, update_all};
use neurochip_firmware::{NeuronModel, NeuronRng};

type P = Program<64>;
type M<'p> = Interpreted<'p, 64>;

fn op(op: OpCode, dst: u8, a: Src, b: Src, write: Write) -> Instr {
    Instr::Op {
        op,
        dst,
        src: [a, b, Src::Imm(0)],
        write,
    }
}

fn unless(a: Src, cond: Cond, b: Src, target: u16) -> Instr {
    Instr::JumpUnless {
        test: Test { a, cond, b },
        target,
    }
}

fn emit1() -> Instr {
    Instr::Emit {
        count: Src::Imm(1),
        payload: Src::Imm(0),
    }
}

fn layout(n_state: u8, n_param: u8, n_temp: u8, widths: &[Width]) -> Layout {
    let mut l = Layout {
        n_state,
        n_param,
        n_temp,
        ..Layout::default()
    };
    l.widths[..widths.len()].copy_from_slice(widths);
    l
}

fn program(code: &[Instr], layout: Layout, chans: &[Chan], comps: &[Compartment]) -> P {
    let p = Program {
        code: heapless::Vec::from_slice(code).unwrap(),
        layout,
        chans: heapless::Vec::from_slice(chans).unwrap(),
        comps: heapless::Vec::from_slice(comps).unwrap(),
    };
    p.check().expect("hand-built program is well formed");
    p
}

fn params<'p>(program: &'p P, values: &[i64]) -> ProgramParams<'p, 64> {
    let mut v = [0i64; MAX_PARAMS];
    v[..values.len()].copy_from_slice(values);
    ProgramParams { program, values: v }
}

const WRAP16: Chan = Chan {
    fold: Fold::Wrap,
    width: Width::s(16),
    shift: Scale::None,
};

/// A dendrite (state 0 = v, 1 = plateau steps left) integrates channel 1;
/// crossing `dthr` (param 3) starts a plateau of `plen` (param 4) steps
/// during which it fires; the soma (state 2 = v) integrates channel 0 and
/// resets on `v >= sthr` (param 5), but its spike passes only through the
/// dendrite's `gate`. With `wr_back`, a somatic spike also resets the dendrite.
fn plateau_neuron(join: Join, wr_back: bool) -> P {
    let (v_d, plateau, v_s) = (Src::Reg(0), Src::Reg(1), Src::Reg(2));
    let (dthr, plen, sthr) = (Src::Reg(3), Src::Reg(4), Src::Reg(5));
    let mut code = vec![
        op(OpCode::Add, 0, v_d, Src::Chan(1), Write::Sat),
        unless(v_d, Cond::Ge, dthr, 4),
        op(OpCode::Mov, 1, plen, Src::Imm(0), Write::Exact),
        op(OpCode::Mov, 0, Src::Imm(0), Src::Imm(0), Write::Exact),
        unless(plateau, Cond::Gt, Src::Imm(0), 7),
        op(OpCode::Sub, 1, plateau, Src::Imm(1), Write::Wrap),
        emit1(),
        // soma, from 7
        op(OpCode::Add, 2, v_s, Src::Chan(0), Write::Sat),
        unless(v_s, Cond::Ge, sthr, 11),
        op(OpCode::Mov, 2, Src::Imm(0), Src::Imm(0), Write::Exact),
        emit1(),
    ];
    if wr_back {
        code.insert(
            10,
            Instr::Wr {
                dst: 0,
                src: Src::Imm(0),
            },
        );
        code[8] = unless(v_s, Cond::Ge, sthr, 12);
    }
    let end = code.len() as u16;
    let widths = [
        Width::s(16),
        Width::u(8),
        Width::s(16),
        Width::s(16),
        Width::u(8),
        Width::s(16),
    ];
    program(
        &code,
        layout(3, 3, 0, &widths),
        &[WRAP16, WRAP16],
        &[
            Compartment {
                start: 0,
                end: 7,
                parent: Some(1),
                join,
            },
            Compartment {
                start: 7,
                end,
                parent: None,
                join: Join::Add,
            },
        ],
    )
}

/// Run `steps` updates feeding (soma, dendrite) input per step; returns the spike steps.
fn spike_steps(p: &P, input: impl Fn(u32) -> (i32, i32), steps: u32) -> Vec<u32> {
    let pp = params(p, &[20, 3, 10]);
    let mut s = ProgramState::default();
    let mut out = vec![];
    for t in 0..steps {
        let mut acc = ProgramAcc::default();
        let (soma, dend) = input(t);
        M::accumulate(&pp, &mut acc, 0, soma);
        M::accumulate(&pp, &mut acc, 1, dend);
        if M::update(&pp, &mut s, &acc, &mut NeuronRng::fixed(0)) > 0 {
            out.push(t);
        }
    }
    out
}

#[test]
fn dendritic_plateau_gates_somatic_firing() {
    let p = plateau_neuron(Join::Gate, false);
    // The soma alone crosses its threshold every step, but nothing passes the gate.
    assert!(spike_steps(&p, |_| (10, 0), 12).is_empty());
    // The dendrite alone plateaus (5, 10, 15, 20 -> steps 3, 4, 5) but cannot make the soma fire.
    assert!(spike_steps(&p, |t| (0, if t < 4 { 5 } else { 0 }), 12).is_empty());
    // Together: somatic spikes exactly during the plateau.
    let both = spike_steps(&p, |t| (10, if t < 4 { 5 } else { 0 }), 12);
    assert_eq!(both, vec![3, 4, 5]);
    // Without the gate (an AND join the soma never reads) the soma fires every step.
    let ungated = plateau_neuron(Join::And, false);
    assert_eq!(
        spike_steps(&ungated, |t| (10, if t < 4 { 5 } else { 0 }), 6),
        (0..6).collect::<Vec<_>>()
    );
}

#[test]
fn write_to_another_compartment_lands_next_step() {
    // The soma writes the dendrite's v to 0 when it fires; the dendrite ran
    // earlier in this update, so it sees the write at the next step.
    let p = plateau_neuron(Join::Gate, true);
    let pp = params(&p, &[20, 3, 10]);
    let mut s = ProgramState::default();
    let mut acc = ProgramAcc::default();
    M::accumulate(&pp, &mut acc, 0, 10);
    M::accumulate(&pp, &mut acc, 1, 7);
    M::update(&pp, &mut s, &acc, &mut NeuronRng::fixed(0));
    // Gated: no spike passes, but the soma crossed and reset, and wrote the dendrite.
    assert_eq!((s.regs[0], s.regs[2]), (0, 0));
    let mut counts = ClassCounts::default();
    let mut acc = ProgramAcc::default();
    M::accumulate(&pp, &mut acc, 1, 7);
    M::update_metered(&pp, &mut s, &acc, &mut NeuronRng::fixed(0), &mut counts);
    assert_eq!(s.regs[0], 7);
    // dendrite: add, jump, jump (2 alu, 2 branch); soma: add, jump (1 alu, 1 branch); 1 join.
    assert_eq!(counts.get(InstrClass::Alu), 2);
    assert_eq!(counts.get(InstrClass::Branch), 3);
    assert_eq!(counts.get(InstrClass::Join), 1);
    assert_eq!(counts.total(), 6);
}

/// Three leaves emit param-selected conditions and output values; the root stores `jv`, `jc`.
fn join_tree(joins: [Join; 3]) -> P {
    let mut code = vec![];
    let mut comps = vec![];
    for (k, &join) in joins.iter().enumerate() {
        let start = code.len() as u16;
        code.push(Instr::Out {
            value: Src::Reg(2 + k as u8 + 3),
        });
        code.push(Instr::Emit {
            count: Src::Reg(2 + k as u8),
            payload: Src::Imm(0),
        });
        comps.push(Compartment {
            start,
            end: code.len() as u16,
            parent: Some(3),
            join,
        });
    }
    let start = code.len() as u16;
    code.push(op(
        OpCode::Mov,
        0,
        Src::JoinValue,
        Src::Imm(0),
        Write::Exact,
    ));
    code.push(op(OpCode::Mov, 1, Src::JoinCond, Src::Imm(0), Write::Exact));
    code.push(emit1());
    comps.push(Compartment {
        start,
        end: code.len() as u16,
        parent: None,
        join: Join::Add,
    });
    let w = [
        Width::s(64),
        Width::s(64),
        Width::u(1),
        Width::u(1),
        Width::u(1),
    ];
    let mut widths = w.to_vec();
    widths.extend([Width::s(32); 3]);
    program(&code, layout(2, 6, 0, &widths), &[], &comps)
}

/// (jv, jc, root spikes) for leaves that fire as `fire` and output `out`.
fn joined(joins: [Join; 3], fire: [i64; 3], out: [i64; 3]) -> (i64, i64, u8) {
    let p = join_tree(joins);
    let v: Vec<i64> = fire.iter().chain(&out).copied().collect();
    let pp = params(&p, &v);
    let mut s = ProgramState::default();
    let n = M::update(
        &pp,
        &mut s,
        &ProgramAcc::default(),
        &mut NeuronRng::fixed(0),
    );
    (s.regs[0], s.regs[1], n)
}

#[test]
fn join_operations_combine_children_in_order() {
    use Join::*;
    assert_eq!(joined([Add, Add, Add], [0; 3], [1, 2, 3]), (6, 0, 1));
    assert_eq!(joined([Min, Min, Min], [0; 3], [5, -2, 3]), (-2, 0, 1));
    assert_eq!(joined([Max, Max, Max], [0; 3], [5, -2, 3]), (5, 0, 1));
    assert_eq!(joined([Pass, Pass, Pass], [1, 0, 1], [1, 2, 4]), (5, 0, 1));
    assert_eq!(joined([And, And, And], [1, 1, 0], [0; 3]).1, 0);
    assert_eq!(joined([And, And, And], [1, 1, 1], [0; 3]).1, 1);
    assert_eq!(joined([Or, Or, Or], [0, 0, 1], [0; 3]).1, 1);
    assert_eq!(joined([Or, Or, Or], [0; 3], [0; 3]).1, 0);
    // Mixed: (true AND false) OR true, in child order.
    assert_eq!(joined([And, And, Or], [1, 0, 1], [0; 3]).1, 1);
    assert_eq!(joined([Or, Or, And], [1, 0, 0], [0; 3]).1, 0);
    // One gate that did not fire silences the root; all gates firing let it spike.
    assert_eq!(joined([Gate, Add, Gate], [1, 0, 0], [0; 3]).2, 0);
    assert_eq!(joined([Gate, Add, Gate], [1, 0, 1], [0; 3]).2, 1);
}

/// An integrate-and-fire program, threshold param 0, reset to 0, through the runtime and the fake HAL.
#[test]
fn program_runs_through_the_runtime_like_a_native_model() {
    let v = Src::Reg(0);
    let code = [
        op(OpCode::Add, 0, v, Src::Chan(0), Write::Sat),
        unless(v, Cond::Ge, Src::Reg(1), 4),
        op(OpCode::Mov, 0, Src::Imm(0), Src::Imm(0), Write::Exact),
        emit1(),
    ];
    let p = program(
        &code,
        layout(1, 1, 0, &[Width::s(16), Width::s(16)]),
        &[WRAP16],
        &[Compartment {
            start: 0,
            end: 4,
            parent: None,
            join: Join::Add,
        }],
    );
    let layout = WordLayout {
        weight_bits: 8,
        channel_bits: 1,
        delay_bits: 1,
        target_bits: 2,
    };
    let mut hal = FlatHal::<M<'_>, 2, 2, 1, 3>::uniform(&params(&p, &[10]));
    for (k, target) in [0u32, 1].into_iter().enumerate() {
        let syn = Synapse {
            weight: 4 + 2 * k as i32,
            channel: 0,
            delay: 0,
            target,
        };
        hal.words[k] = layout.encode(&syn).unwrap();
    }
    hal.axons[0] = Some(Row { start: 0, len: 2 });
    let mut raster = [vec![], vec![]];
    for step in 0..6 {
        update_all::<M<'_>, _>(&mut hal, 1, 0, step);
        for &(n, _) in &hal.outbox {
            raster[n as usize].push(step);
        }
        hal.clear_outbox();
        deliver_spike::<M<'_>, _>(&mut hal, &layout, 0, 1, step);
    }
    // Input 4 per step from step 1: 4, 8, 12 -> fires at 3; input 6: 6, 12 -> fires at 2, 4.
    assert_eq!(raster, [vec![3], vec![2, 4]]);
    assert_eq!(hal.count(Op::SynapticOp), 12);
}
