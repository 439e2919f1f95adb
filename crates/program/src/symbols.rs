//! The first pass: declarations, compartments and name look-up.

use neurochip_firmware::program::{
    Fold, Join, Layout, Width, MAX_CHANS, MAX_COMPARTMENTS, MAX_PARAMS, MAX_REGS, MAX_STATE,
};

use crate::error::{fail, ErrorKind, LineError};
use crate::parse::{DeclKind, Line, Operand, Stmt};

/// Names the machine reserves for its special registers.
const RESERVED: [&str; 3] = ["refr", "jv", "jc"];

/// Name of the compartment of a program that declares none.
pub(crate) const IMPLICIT_COMP: &str = "soma";

/// One declared register.
#[derive(Clone, Debug)]
pub(crate) struct RegSym {
    pub name: String,
    pub kind: DeclKind,
    pub width: Width,
    /// Owning compartment (state and temporaries; `None` for parameters).
    pub comp: Option<usize>,
    pub line: usize,
}

/// One declared channel.
#[derive(Clone, Debug)]
pub(crate) struct ChanSym {
    pub name: String,
    pub fold: Fold,
    pub width: Width,
    pub shift: Option<Operand>,
    pub line: usize,
}

/// One compartment and its statements.
#[derive(Clone, Debug)]
pub(crate) struct CompSym {
    pub name: String,
    pub parent: Option<(String, Join)>,
    pub line: usize,
    pub body: Vec<Line>,
}

/// What a name means inside a compartment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// Register by flat index.
    Reg(u8),
    /// Channel by number.
    Chan(u8),
    Refr,
    JoinValue,
    JoinCond,
}

/// Every declaration of a program, registers in flat-file order
/// (state, then parameters, then temporaries).
#[derive(Clone, Debug, Default)]
pub(crate) struct Symbols {
    pub name: Option<String>,
    pub regs: Vec<RegSym>,
    pub chans: Vec<ChanSym>,
    pub comps: Vec<CompSym>,
}

impl Symbols {
    /// Collect declarations and split the statements by compartment.
    pub fn collect(lines: Vec<Line>) -> Result<Symbols, LineError> {
        let mut s = Symbols::default();
        let mut regs = Vec::new();
        let mut explicit = false;
        for l in lines {
            let line = l.line;
            match l.stmt {
                Stmt::Program(n) => {
                    if s.name.is_some() {
                        return fail(line, ErrorKind::Duplicate, "a second `program` name");
                    }
                    s.name = Some(n);
                }
                Stmt::Chan {
                    name,
                    fold,
                    width,
                    shift,
                } => {
                    if !width.signed {
                        return fail(line, ErrorKind::Syntax, "a channel's width is signed (sN)");
                    }
                    s.chans.push(ChanSym {
                        name,
                        fold,
                        width,
                        shift,
                        line,
                    });
                }
                Stmt::Comp { name, parent } => {
                    if !explicit && !s.comps.is_empty() {
                        return fail(
                            line,
                            ErrorKind::Structure,
                            "`comp` after code that belongs to no compartment: start every compartment with `comp`",
                        );
                    }
                    explicit = true;
                    s.comps.push(CompSym {
                        name,
                        parent,
                        line,
                        body: Vec::new(),
                    });
                }
                Stmt::Decl { kind, name, width } => {
                    let comp = match kind {
                        DeclKind::Param => None,
                        _ => Some(s.current(line)),
                    };
                    regs.push(RegSym {
                        name,
                        kind,
                        width,
                        comp,
                        line,
                    });
                }
                stmt => {
                    let c = s.current(line);
                    s.comps[c].body.push(Line { line, stmt });
                }
            }
        }
        if s.comps.is_empty() {
            s.current(0);
        }
        // Flat order: state, parameters, temporaries (stable within each kind).
        for kind in [DeclKind::State, DeclKind::Param, DeclKind::Temp] {
            s.regs
                .extend(regs.iter().filter(|r| r.kind == kind).cloned());
        }
        s.check_names()?;
        s.check_capacity()?;
        s.check_tree()?;
        Ok(s)
    }

    /// The compartment statements go to, opening the implicit one if needed.
    fn current(&mut self, line: usize) -> usize {
        if self.comps.is_empty() {
            self.comps.push(CompSym {
                name: IMPLICIT_COMP.to_string(),
                parent: None,
                line,
                body: Vec::new(),
            });
        }
        self.comps.len() - 1
    }

    fn check_names(&self) -> Result<(), LineError> {
        let globals: Vec<(&str, usize)> = self
            .regs
            .iter()
            .filter(|r| r.comp.is_none())
            .map(|r| (r.name.as_str(), r.line))
            .chain(self.chans.iter().map(|c| (c.name.as_str(), c.line)))
            .collect();
        let mut all: Vec<(&str, Option<usize>, usize)> = globals
            .iter()
            .map(|&(n, l)| (n, None, l))
            .chain(
                self.regs
                    .iter()
                    .filter(|r| r.comp.is_some())
                    .map(|r| (r.name.as_str(), r.comp, r.line)),
            )
            .collect();
        all.sort_by_key(|&(_, _, l)| l);
        for (i, &(name, comp, line)) in all.iter().enumerate() {
            if RESERVED.contains(&name) {
                return fail(
                    line,
                    ErrorKind::Duplicate,
                    format!("`{name}` is a special register of the machine"),
                );
            }
            let clash = all[..i]
                .iter()
                .any(|&(n, c, _)| n == name && (c.is_none() || comp.is_none() || c == comp));
            if clash {
                return fail(
                    line,
                    ErrorKind::Duplicate,
                    format!("`{name}` is declared twice"),
                );
            }
        }
        for (i, c) in self.comps.iter().enumerate() {
            if self.comps[..i].iter().any(|o| o.name == c.name) {
                return fail(
                    c.line,
                    ErrorKind::Duplicate,
                    format!("compartment `{}` is declared twice", c.name),
                );
            }
        }
        Ok(())
    }

    fn check_capacity(&self) -> Result<(), LineError> {
        let over = |kind: Option<DeclKind>, max: usize, what: &str| -> Result<(), LineError> {
            let mut n = 0;
            for r in &self.regs {
                if kind.is_none_or(|k| r.kind == k) {
                    n += 1;
                    if n > max {
                        return fail(
                            r.line,
                            ErrorKind::TooLong,
                            format!("more than {max} {what} (the machine's register file)"),
                        );
                    }
                }
            }
            Ok(())
        };
        over(Some(DeclKind::State), MAX_STATE, "state registers")?;
        over(Some(DeclKind::Param), MAX_PARAMS, "parameters")?;
        // Registers are in flat order, so the first over the total limit is the one named.
        over(None, MAX_REGS, "registers in all")?;
        if let Some(c) = self.chans.get(MAX_CHANS) {
            return fail(
                c.line,
                ErrorKind::TooLong,
                format!("more than {MAX_CHANS} channels"),
            );
        }
        if let Some(c) = self.comps.get(MAX_COMPARTMENTS) {
            return fail(
                c.line,
                ErrorKind::TooLong,
                format!("more than {MAX_COMPARTMENTS} compartments"),
            );
        }
        Ok(())
    }

    fn check_tree(&self) -> Result<(), LineError> {
        let n = self.comps.len();
        for (i, c) in self.comps.iter().enumerate() {
            match (&c.parent, i + 1 == n) {
                (None, true) => {}
                (Some(_), true) => {
                    return fail(
                        c.line,
                        ErrorKind::Structure,
                        format!("the last compartment `{}` is the root (the soma) and joins nothing", c.name),
                    )
                }
                (None, false) => {
                    return fail(
                        c.line,
                        ErrorKind::Structure,
                        format!("compartment `{}` has no parent (`comp {} to PARENT JOIN`); only the last one is the root", c.name, c.name),
                    )
                }
                (Some((p, _)), false) => match self.comps.iter().position(|o| &o.name == p) {
                    Some(j) if j > i => {}
                    Some(_) => {
                        return fail(
                            c.line,
                            ErrorKind::Structure,
                            format!("compartment `{}` joins `{p}`, which must come after it (children run first)", c.name),
                        )
                    }
                    None => {
                        return fail(
                            c.line,
                            ErrorKind::Structure,
                            format!("unknown compartment `{p}`"),
                        )
                    }
                },
            }
        }
        Ok(())
    }

    /// Index of compartment `name`.
    pub fn comp_index(&self, name: &str) -> Option<usize> {
        self.comps.iter().position(|c| c.name == name)
    }

    /// Count of registers of one kind.
    pub fn count(&self, kind: DeclKind) -> usize {
        self.regs.iter().filter(|r| r.kind == kind).count()
    }

    /// The firmware register layout.
    pub fn layout(&self) -> Layout {
        let mut l = Layout {
            n_state: self.count(DeclKind::State) as u8,
            n_param: self.count(DeclKind::Param) as u8,
            n_temp: self.count(DeclKind::Temp) as u8,
            ..Layout::default()
        };
        for (i, r) in self.regs.iter().enumerate() {
            l.widths[i] = r.width;
        }
        l
    }

    /// What `name` means inside compartment `comp`.
    pub fn lookup(&self, comp: usize, name: &str, line: usize) -> Result<Resolved, LineError> {
        let visible = |r: &RegSym| r.name == name && (r.comp.is_none() || r.comp == Some(comp));
        if let Some(i) = self.regs.iter().position(visible) {
            return Ok(Resolved::Reg(i as u8));
        }
        if let Some(k) = self.chans.iter().position(|c| c.name == name) {
            return Ok(Resolved::Chan(k as u8));
        }
        match name {
            "refr" => return Ok(Resolved::Refr),
            "jv" => return Ok(Resolved::JoinValue),
            "jc" => return Ok(Resolved::JoinCond),
            _ => {}
        }
        match self.regs.iter().find(|r| r.name == name) {
            Some(r) => fail(
                line,
                ErrorKind::Scope,
                format!(
                    "`{name}` belongs to compartment `{}`; a compartment reads only its own registers (its children reach it through joins)",
                    self.comps[r.comp.unwrap_or(0)].name
                ),
            ),
            None => fail(
                line,
                ErrorKind::UnknownRegister,
                format!("unknown register `{name}`"),
            ),
        }
    }
}
