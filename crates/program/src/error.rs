//! Errors: one line naming the file, the population, the line and the reason.

use std::fmt;

/// The class of a mistake (one test per class in `tests/errors.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A line that does not parse (bad token, wrong operand count, bad width).
    Syntax,
    /// A mnemonic the instruction set does not have.
    UnknownInstruction,
    /// A name that no declaration introduces.
    UnknownRegister,
    /// A name declared twice, or a reserved name declared.
    Duplicate,
    /// A write to a parameter, a channel or a special register.
    ReadOnly,
    /// A register of another compartment used where only one's own is allowed.
    Scope,
    /// A value that may not fit where it goes (an exact write, an immediate, a width).
    WidthOverflow,
    /// A loop whose bound is missing or not a constant.
    UnboundedLoop,
    /// `if`/`else`/`loop`/`end`/`break` or compartments out of structure.
    Structure,
    /// More than a capacity allows: instruction memory, registers, channels,
    /// compartments, or instructions executed per update.
    TooLong,
}

/// A program rejected at load.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ProgramError {
    /// The file the program came from (as the caller names it).
    pub file: String,
    /// The population it was loaded for.
    pub population: String,
    /// 1-based source line (0 = the program as a whole).
    pub line: usize,
    /// The class of the mistake.
    pub kind: ErrorKind,
    /// What is wrong, in one line.
    pub reason: String,
}

impl fmt::Display for ProgramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: population `{}`: ", self.file, self.population)?;
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        write!(f, "{}", self.reason)
    }
}

/// A mistake found at a line, before the file and population are attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LineError {
    pub line: usize,
    pub kind: ErrorKind,
    pub reason: String,
}

impl LineError {
    pub fn new(line: usize, kind: ErrorKind, reason: impl Into<String>) -> Self {
        LineError {
            line,
            kind,
            reason: reason.into(),
        }
    }
}

/// Shorthand for a failed result at `line`.
pub(crate) fn fail<T>(
    line: usize,
    kind: ErrorKind,
    reason: impl Into<String>,
) -> Result<T, LineError> {
    Err(LineError::new(line, kind, reason))
}

/// A parameter value rejected when a neuron's values are built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("parameter `{param}`: {reason}")]
pub struct ParamError {
    /// The parameter's name.
    pub param: String,
    /// What is wrong with it.
    pub reason: String,
}
