//! Bad programs get one-line errors naming the file, the population, the
//! line and the reason: one test per class of mistake.

use neurochip_program::{assemble, ErrorKind, Limits, ProgramError, Source};

const HEAD: &str = "param thr s16\nchan a sat s16\nstate v s16\ntemp t s32\n";

/// Assemble `body` after the common declarations (so body line 1 is line 5).
fn err_with(body: &str, limits: Limits) -> ProgramError {
    let text = format!("{HEAD}{body}");
    let src = Source {
        file: "bad.nasm",
        population: "exc",
        text: &text,
    };
    assemble(&src, &limits).expect_err("the program must be rejected")
}

fn err(body: &str) -> ProgramError {
    err_with(body, Limits::default())
}

/// Assemble `text` as it is (for compartments, which own their registers).
fn err_raw(text: &str) -> ProgramError {
    let src = Source {
        file: "bad.nasm",
        population: "exc",
        text,
    };
    assemble(&src, &Limits::default()).expect_err("the program must be rejected")
}

/// Check class, line and that the message is one line with file and population.
fn expect(e: &ProgramError, kind: ErrorKind, line: usize, needle: &str) {
    let msg = e.to_string();
    assert_eq!(e.kind, kind, "{msg}");
    assert_eq!(e.line, line, "{msg}");
    assert!(msg.contains(needle), "`{msg}` should mention `{needle}`");
    assert!(!msg.contains('\n'), "one line: {msg}");
    let prefix = if line > 0 {
        format!("bad.nasm: population `exc`: line {line}: ")
    } else {
        "bad.nasm: population `exc`: ".to_string()
    };
    assert!(msg.starts_with(&prefix), "{msg}");
}

#[test]
fn syntax() {
    expect(&err("add v v, 1"), ErrorKind::Syntax, 5, "commas");
    expect(
        &err("add v, v"),
        ErrorKind::Syntax,
        5,
        "takes 3 operands, found 2",
    );
    expect(
        &err("mov v, $"),
        ErrorKind::Syntax,
        5,
        "unexpected character",
    );
    expect(
        &err("add.x v, v, 1"),
        ErrorKind::Syntax,
        5,
        "not a write mode",
    );
    expect(&err("emit.s 1"), ErrorKind::Syntax, 5, "no .w/.s suffix");
    expect(&err("chan b onto u8"), ErrorKind::Syntax, 5, "signed");
}

#[test]
fn unknown_instruction() {
    expect(
        &err("\nfrob v, v"),
        ErrorKind::UnknownInstruction,
        6,
        "unknown instruction `frob`",
    );
}

#[test]
fn unknown_register() {
    expect(
        &err("add.s v, vv, 1"),
        ErrorKind::UnknownRegister,
        5,
        "unknown register `vv`",
    );
    expect(
        &err("chan b wrap s8 shl nope"),
        ErrorKind::UnknownRegister,
        5,
        "not a parameter",
    );
}

#[test]
fn duplicate() {
    expect(
        &err("state v s8"),
        ErrorKind::Duplicate,
        5,
        "`v` is declared twice",
    );
    expect(
        &err("param refr u1"),
        ErrorKind::Duplicate,
        5,
        "special register",
    );
    expect(
        &err("temp a s8"),
        ErrorKind::Duplicate,
        5,
        "`a` is declared twice",
    );
}

#[test]
fn read_only() {
    expect(
        &err("mov thr, 1"),
        ErrorKind::ReadOnly,
        5,
        "`thr` is a parameter",
    );
    expect(
        &err("mov a, 1"),
        ErrorKind::ReadOnly,
        5,
        "accumulator channel",
    );
    expect(
        &err("mov refr, 0"),
        ErrorKind::ReadOnly,
        5,
        "special register",
    );
}

#[test]
fn scope() {
    let two = "comp dend to soma gate\nstate dv s16\ncomp soma\nstate sv s16\n";
    let e = err_raw(&format!("{two}mov sv, dv"));
    expect(&e, ErrorKind::Scope, 5, "belongs to compartment `dend`");
    let e = err_raw(&format!("{two}mov sv, dend.dv"));
    expect(&e, ErrorKind::Scope, 5, "only `wr dend.dv");
    let e = err_raw(&format!("{two}wr soma.sv, 0"));
    expect(&e, ErrorKind::Scope, 5, "is this compartment");
    let e = err(two);
    expect(&e, ErrorKind::Structure, 5, "belongs to no compartment");
    let onto = "chan x onto s16\nadd t, x, 1";
    expect(&err(onto), ErrorKind::Scope, 6, "onto channel");
}

#[test]
fn width_overflow() {
    // s16 + s16 needs 17 bits.
    let e = err("add v, v, a");
    expect(
        &e,
        ErrorKind::WidthOverflow,
        5,
        "-65536..=65534, which does not fit `v` (s16)",
    );
    assert!(e.reason.contains("add.w") && e.reason.contains("add.s"));
    expect(
        &err("mov v, 40000"),
        ErrorKind::WidthOverflow,
        5,
        "does not fit `v`",
    );
    expect(
        &err("mov t, 5000000000"),
        ErrorKind::WidthOverflow,
        5,
        "32-bit immediate",
    );
    expect(&err("state w s65"), ErrorKind::WidthOverflow, 5, "s1..=s64");
    expect(&err("state w u64"), ErrorKind::WidthOverflow, 5, "u1..=u63");
    expect(
        &err("chan b wrap s8 shl 64"),
        ErrorKind::WidthOverflow,
        5,
        "outside 0..=63",
    );
    // The range analysis follows the code: after the clamp, the move fits.
    let ok = format!("{HEAD}add t, v, a\nclamp t, t, -32768, 32767\nmov v, t\n");
    let src = Source {
        file: "ok.nasm",
        population: "exc",
        text: &ok,
    };
    assert!(assemble(&src, &Limits::default()).is_ok());
}

#[test]
fn parameter_values_are_checked_against_their_widths() {
    let src = Source {
        file: "p.nasm",
        population: "exc",
        text: HEAD,
    };
    let asm = assemble(&src, &Limits::default()).unwrap();
    let e = asm.neuron(&[("thr", 40000)]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "parameter `thr`: 40000 does not fit its width s16"
    );
    assert_eq!(asm.neuron(&[]).unwrap_err().reason, "missing");
    assert!(asm
        .neuron(&[("thr", 1), ("x", 2)])
        .unwrap_err()
        .reason
        .contains("no such parameter"));
}

#[test]
fn unbounded_loop() {
    expect(
        &err("loop\nend"),
        ErrorKind::UnboundedLoop,
        5,
        "a loop without bound",
    );
    expect(
        &err("loop v\nend"),
        ErrorKind::UnboundedLoop,
        5,
        "`v` is not a constant",
    );
    expect(
        &err("loop 5000\nend"),
        ErrorKind::Syntax,
        5,
        "outside 1..=1024",
    );
}

#[test]
fn structure() {
    expect(&err("else"), ErrorKind::Structure, 5, "`else` without `if`");
    expect(&err("end"), ErrorKind::Structure, 5, "`end` without");
    expect(
        &err("if v > 0\nmov v, 0"),
        ErrorKind::Structure,
        5,
        "`if` without `end`",
    );
    expect(
        &err("break"),
        ErrorKind::Structure,
        5,
        "`break` outside a loop",
    );
    let cycle = "comp a to b add\ncomp b to a add\n";
    expect(&err_raw(cycle), ErrorKind::Structure, 2, "the root");
    let backwards = "comp soma\ncomp dend\n";
    expect(
        &err_raw(backwards),
        ErrorKind::Structure,
        1,
        "has no parent",
    );
    let child_first = "comp a to b add\ncomp c to a add\ncomp b\n";
    expect(
        &err_raw(child_first),
        ErrorKind::Structure,
        2,
        "must come after it",
    );
}

#[test]
fn too_long() {
    let body = "mov v, 1\nmov v, 2\nmov v, 3\nmov v, 4\nmov v, 5\n";
    let e = err_with(body, Limits { max_instrs: 4 });
    expect(
        &e,
        ErrorKind::TooLong,
        9,
        "needs 5 instructions; the instruction memory holds 4",
    );
    let many: String = (0..17).map(|i| format!("state r{i} s8\n")).collect();
    expect(
        &err(&many),
        ErrorKind::TooLong,
        20,
        "more than 16 state registers",
    );
    let slow = "loop 1000\nloop 1000\nmov v, 0\nend\nend";
    expect(
        &err(slow),
        ErrorKind::TooLong,
        0,
        "more than the machine's 65536",
    );
    let deep = "loop 2\nloop 2\nloop 2\nloop 2\nloop 2\n";
    expect(&err(deep), ErrorKind::TooLong, 9, "nest at most 4 deep");
}
