//! An assembled program: the firmware image plus the symbols a host tool
//! needs to fill parameters and name state registers.

use neurochip_firmware::program::{Chan, Instr, Program, ProgramParams, Scale, Width, MAX_PARAMS};

use crate::error::{ErrorKind, LineError, ParamError};
use crate::lower::Lowered;
use crate::parse::{DeclKind, Operand};
use crate::symbols::Symbols;

/// Instruction memory the host tools can hold (a chip's own limit is passed to [`crate::assemble`]).
pub const HOST_IMEM: usize = 4096;

/// The firmware program type the host builds.
pub type HostProgram = Program<HOST_IMEM>;

/// A checked, assembled neuron program.
#[derive(Clone, Debug)]
pub struct Assembled {
    /// `program NAME`, or the population's name when the source gives none.
    pub name: String,
    /// The firmware image.
    pub program: Box<HostProgram>,
    /// State register names by index (`comp.reg` when the program has several compartments).
    pub states: Vec<String>,
    /// Parameter names and widths by parameter index.
    pub params: Vec<(String, Width)>,
    /// Channel names by channel number.
    pub chans: Vec<String>,
    /// Compartment names in execution order (the root last).
    pub comps: Vec<String>,
    /// Source line of each instruction.
    pub lines: Vec<usize>,
    /// Most instructions (joins included) one update can execute.
    pub worst_case: u64,
}

impl Assembled {
    /// Build the image from the two passes.
    pub(crate) fn build(sym: &Symbols, low: Lowered, name: String) -> Result<Self, LineError> {
        let layout = sym.layout();
        let mut program = Box::new(HostProgram {
            layout,
            ..HostProgram::default()
        });
        let too_long = |n: usize| {
            LineError::new(
                0,
                ErrorKind::TooLong,
                format!("the program needs {n} instructions; the host holds at most {HOST_IMEM}"),
            )
        };
        for &ins in &low.code {
            program
                .code
                .push(ins)
                .map_err(|_: Instr| too_long(low.code.len()))?;
        }
        for c in &sym.chans {
            let chan = Chan {
                fold: c.fold,
                width: c.width,
                shift: shift(sym, c.shift.as_ref(), c.line)?,
            };
            program.chans.push(chan).map_err(|_| too_long(0))?;
        }
        for &c in &low.comps {
            program.comps.push(c).map_err(|_| too_long(0))?;
        }
        let several = sym.comps.len() > 1;
        let qualified = |r: &crate::symbols::RegSym| match (several, r.comp) {
            (true, Some(c)) => format!("{}.{}", sym.comps[c].name, r.name),
            _ => r.name.clone(),
        };
        let of = |k: DeclKind| sym.regs.iter().filter(move |r| r.kind == k);
        Ok(Assembled {
            name,
            program,
            states: of(DeclKind::State).map(qualified).collect(),
            params: of(DeclKind::Param)
                .map(|r| (r.name.clone(), r.width))
                .collect(),
            chans: sym.chans.iter().map(|c| c.name.clone()).collect(),
            comps: sym.comps.iter().map(|c| c.name.clone()).collect(),
            lines: low.lines,
            worst_case: low.worst_case,
        })
    }

    /// Index of state register `name` (also the `state_field` index of [`neurochip_firmware::program::Interpreted`]).
    pub fn state_index(&self, name: &str) -> Option<usize> {
        self.states.iter().position(|s| s == name)
    }

    /// Index of channel `name`.
    pub fn chan_index(&self, name: &str) -> Option<u8> {
        self.chans.iter().position(|s| s == name).map(|i| i as u8)
    }

    /// Parameter register values from `(name, value)` pairs: every parameter
    /// must be given once, and each value must fit its declared width.
    pub fn param_values(&self, given: &[(&str, i64)]) -> Result<[i64; MAX_PARAMS], ParamError> {
        let err = |p: &str, r: String| ParamError {
            param: p.to_string(),
            reason: r,
        };
        let mut values = [0i64; MAX_PARAMS];
        let mut seen = vec![false; self.params.len()];
        for &(name, v) in given {
            let Some(i) = self.params.iter().position(|(n, _)| n == name) else {
                return Err(err(
                    name,
                    format!("program `{}` has no such parameter", self.name),
                ));
            };
            let w = self.params[i].1;
            if !w.fits(i128::from(v)) {
                return Err(err(
                    name,
                    format!(
                        "{v} does not fit its width {}{}",
                        if w.signed { 's' } else { 'u' },
                        w.bits
                    ),
                ));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(err(name, "given twice".into()));
            }
            values[i] = v;
        }
        if let Some(i) = seen.iter().position(|s| !s) {
            return Err(err(&self.params[i].0, "missing".into()));
        }
        Ok(values)
    }

    /// A neuron's [`ProgramParams`] (see [`Assembled::param_values`]).
    pub fn neuron(
        &self,
        given: &[(&str, i64)],
    ) -> Result<ProgramParams<'_, HOST_IMEM>, ParamError> {
        Ok(ProgramParams {
            program: &self.program,
            values: self.param_values(given)?,
        })
    }
}

/// A channel's `shl` operand: a constant 0..=63 or a parameter.
fn shift(sym: &Symbols, o: Option<&Operand>, line: usize) -> Result<Scale, LineError> {
    match o {
        None => Ok(Scale::None),
        Some(Operand::Int(k)) if (0..=63).contains(k) => Ok(Scale::Imm(*k as u8)),
        Some(Operand::Int(k)) => Err(LineError::new(
            line,
            ErrorKind::WidthOverflow,
            format!("channel shift {k} is outside 0..=63"),
        )),
        Some(Operand::Name(n)) => {
            let params = sym.regs.iter().filter(|r| r.kind == DeclKind::Param);
            match params.clone().position(|r| &r.name == n) {
                Some(i) => Ok(Scale::Param(i as u8)),
                None => Err(LineError::new(
                    line,
                    ErrorKind::UnknownRegister,
                    format!("channel shift `{n}` is not a parameter"),
                )),
            }
        }
        Some(other) => Err(LineError::new(
            line,
            ErrorKind::Syntax,
            format!("channel shift `{other}` is not a constant or a parameter"),
        )),
    }
}
