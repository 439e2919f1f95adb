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
