//! Every shipped program assembles, passes the firmware check and stays small.

use neurochip_program::builtin::Builtin;

#[test]
fn shipped_programs_assemble() {
    for b in Builtin::ALL {
        let asm = b.assemble("pop").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(asm.name, b.name());
        asm.program.check().unwrap();
        println!(
            "{:<16} {:>3} instructions, worst case {:>4} per update, {} state, {} params",
            b.name(),
            asm.program.code.len(),
            asm.worst_case,
            asm.states.len(),
            asm.params.len()
        );
    }
}

/// The two-compartment example of docs/neuron-programs.md, from its text.
#[test]
fn plateau_gate_example_gates_somatic_spikes() {
    use neurochip_firmware::program::{
        ClassCounts, InstrClass, Interpreted, ProgramAcc, ProgramState,
    };
    use neurochip_firmware::{NeuronModel, NeuronRng};
    use neurochip_program::{assemble, Limits, Source, HOST_IMEM};
    type Prog<'p> = Interpreted<'p, HOST_IMEM>;

    let src = Source {
        file: "programs/examples/plateau_gate.nasm",
        population: "pyramidal",
        text: include_str!("../programs/examples/plateau_gate.nasm"),
    };
    let asm = assemble(&src, &Limits::default()).unwrap();
    assert_eq!(asm.comps, ["dend", "soma"]);
    assert_eq!(asm.states, ["dend.v", "dend.plateau", "soma.v"]);
    let neuron = asm
        .neuron(&[("dthr", 20), ("plen", 3), ("sthr", 10)])
        .unwrap();
    let run = |dend: bool| {
        let mut s = ProgramState::default();
        let mut spikes = vec![];
        let mut joins = 0;
        for t in 0..12 {
            let mut acc = ProgramAcc::default();
            Prog::accumulate(&neuron, &mut acc, 0, 10);
            if dend && t < 4 {
                Prog::accumulate(&neuron, &mut acc, 1, 5);
            }
            let mut m = ClassCounts::default();
            let out = Prog::update_metered(&neuron, &mut s, &acc, &mut NeuronRng::fixed(0), &mut m);
            joins += m.get(InstrClass::Join);
            if out.spikes > 0 {
                spikes.push(t);
            }
        }
        (spikes, joins)
    };
    // The soma crosses its threshold every step; only the plateau (steps 3-5) lets spikes out.
    assert_eq!(run(true), (vec![3, 4, 5], 12));
    assert_eq!(run(false).0, Vec::<u32>::new());
}
