//! # neurochip-program
//!
//! The host side of neuron programs: a small assembly syntax, checked at
//! load, compiled into the firmware's [`neurochip_firmware::program::Program`]
//! — the instruction set the `no_std` firmware interprets.
//!
//! ```
//! use neurochip_firmware::program::{ClassCounts, Interpreted, ProgramAcc, ProgramState};
//! use neurochip_firmware::{NeuronModel, NeuronRng};
//! use neurochip_program::{assemble, Limits, Source, HOST_IMEM};
//!
//! let text = "
//!     param thr s16
//!     chan  a   sat s16
//!     state v   s16
//!     add.s v, v, a          ; integrate, saturating
//!     if v >= thr
//!         mov  v, 0
//!         emit 1
//!     end
//! ";
//! let src = Source { file: "if.nasm", population: "exc", text };
//! let asm = assemble(&src, &Limits { max_instrs: 256 }).unwrap();
//! assert_eq!(asm.states, ["v"]);
//! let neuron = asm.neuron(&[("thr", 10)]).unwrap();
//!
//! type M<'p> = Interpreted<'p, HOST_IMEM>;
//! let mut acc = ProgramAcc::default();
//! M::accumulate(&neuron, &mut acc, 0, 12); // channel 0, weight 12
//! let mut state = ProgramState::default();
//! let mut meter = ClassCounts::default();
//! let out = M::update_metered(&neuron, &mut state, &acc, &mut NeuronRng::fixed(0), &mut meter);
//! assert_eq!((out.spikes, state.regs[asm.state_index("v").unwrap()]), (1, 0));
//! assert_eq!(meter.total(), 4); // add, the `if` (a branch), mov, emit
//! ```
//!
//! - [`assemble`]: text to an [`Assembled`] program, or a [`ProgramError`]
//!   naming the file, the population, the line and the reason;
//! - [`Assembled::neuron`]: one neuron's parameter values, checked against
//!   the declared widths;
//! - [`builtin`]: the shipped programs (`programs/*.nasm`) that twin the
//!   native models (`lif`, `loihi_cuba_lif`, `xylo_iaf`) and Lava's
//!   sigma-delta neurons, with the parameter conversions from the native
//!   models' parameters.
//!
//! The syntax is a line format (one statement per line, `;` or `#`
//! comments), so it is parsed by a small hand-written tokenizer; the
//! reference is `docs/neuron-programs.md`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod assembled;
pub mod builtin;
mod error;
mod lex;
mod lower;
mod parse;
mod range;
mod symbols;

pub use assembled::{Assembled, HostProgram, HOST_IMEM};
pub use error::{ErrorKind, ParamError, ProgramError};

use neurochip_firmware::program::MAX_EXECUTED;

/// A program's text and where it comes from (for error messages).
#[derive(Clone, Copy, Debug)]
pub struct Source<'a> {
    /// File name as the user wrote it.
    pub file: &'a str,
    /// The population the program is loaded for.
    pub population: &'a str,
    /// The program text.
    pub text: &'a str,
}

/// Capacities the program is checked against (an architecture's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Instruction memory, in instructions (at most [`HOST_IMEM`]).
    pub max_instrs: usize,
}

impl Default for Limits {
    /// The host's whole instruction memory.
    fn default() -> Self {
        Limits {
            max_instrs: HOST_IMEM,
        }
    }
}

/// Parse, check and compile a program.
pub fn assemble(src: &Source, limits: &Limits) -> Result<Assembled, ProgramError> {
    let attach = |e: error::LineError| ProgramError {
        file: src.file.to_string(),
        population: src.population.to_string(),
        line: e.line,
        kind: e.kind,
        reason: e.reason,
    };
    let lines = parse::parse(src.text).map_err(attach)?;
    let sym = symbols::Symbols::collect(lines).map_err(attach)?;
    let low = lower::lower(&sym).map_err(attach)?;
    let max = limits.max_instrs.min(HOST_IMEM);
    if low.code.len() > max {
        return Err(attach(error::LineError::new(
            low.lines[max],
            ErrorKind::TooLong,
            format!(
                "the program needs {} instructions; the instruction memory holds {max} (this line is instruction {})",
                low.code.len(),
                max + 1
            ),
        )));
    }
    if low.worst_case > u64::from(MAX_EXECUTED) {
        return Err(attach(error::LineError::new(
            0,
            ErrorKind::TooLong,
            format!(
                "one update can execute {} instructions, more than the machine's {MAX_EXECUTED}",
                low.worst_case
            ),
        )));
    }
    let name = sym
        .name
        .clone()
        .unwrap_or_else(|| src.population.to_string());
    let asm = assembled::Assembled::build(&sym, low, name).map_err(attach)?;
    asm.program.check().map_err(|f| {
        attach(error::LineError::new(
            0,
            ErrorKind::Structure,
            format!("internal: the compiled program fails the firmware check: {f}"),
        ))
    })?;
    Ok(asm)
}
