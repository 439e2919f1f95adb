//! Source lines to statements: one statement per line, no semantics yet.

use neurochip_firmware::program::{Cond, Fold, Join, Width, Write};

use crate::error::{fail, ErrorKind, LineError};
use crate::lex::{strip_comment, tokens, Tok};

/// An operand as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Operand {
    /// An integer literal.
    Int(i128),
    /// A register, channel or special name.
    Name(String),
    /// `comp.reg`.
    Qualified(String, String),
}

impl std::fmt::Display for Operand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Operand::Int(v) => write!(f, "{v}"),
            Operand::Name(n) => write!(f, "{n}"),
            Operand::Qualified(c, r) => write!(f, "{c}.{r}"),
        }
    }
}

/// `a [op b]` (without `op b`: `a != 0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TestAst {
    pub a: Operand,
    pub cond: Cond,
    pub b: Operand,
}

/// What a register declaration declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeclKind {
    Param,
    State,
    Temp,
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Stmt {
    Program(String),
    Decl {
        kind: DeclKind,
        name: String,
        width: Width,
    },
    Chan {
        name: String,
        fold: Fold,
        width: Width,
        shift: Option<Operand>,
    },
    Comp {
        name: String,
        parent: Option<(String, Join)>,
    },
    If(TestAst),
    Else,
    End,
    Loop(Option<Operand>),
    Break(Option<TestAst>),
    Instr {
        mnemonic: String,
        write: Option<Write>,
        operands: Vec<Operand>,
    },
}

/// A statement with its 1-based source line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub line: usize,
    pub stmt: Stmt,
}

/// Parse a whole source text.
pub(crate) fn parse(text: &str) -> Result<Vec<Line>, LineError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let toks = tokens(strip_comment(raw), line)?;
        if toks.is_empty() {
            continue;
        }
        out.push(Line {
            line,
            stmt: statement(&toks, line)?,
        });
    }
    Ok(out)
}

/// Reads tokens left to right with line-numbered errors.
struct Cursor<'a> {
    toks: &'a [Tok],
    at: usize,
    line: usize,
}

impl Cursor<'_> {
    fn next(&mut self) -> Option<&Tok> {
        let t = self.toks.get(self.at);
        self.at += 1;
        t
    }

    fn word(&mut self, what: &str) -> Result<String, LineError> {
        match self.next() {
            Some(Tok::Word(w)) => Ok(w.clone()),
            _ => fail(self.line, ErrorKind::Syntax, format!("expected {what}")),
        }
    }

    fn done(&self) -> Result<(), LineError> {
        if self.at < self.toks.len() {
            return fail(
                self.line,
                ErrorKind::Syntax,
                "unexpected text at the end of the line",
            );
        }
        Ok(())
    }

    fn at_end(&self) -> bool {
        self.at >= self.toks.len()
    }

    fn operand(&mut self) -> Result<Operand, LineError> {
        let line = self.line;
        match self.next() {
            Some(Tok::Int(v)) => Ok(Operand::Int(*v)),
            Some(Tok::Word(w)) => name_operand(w, line),
            _ => fail(line, ErrorKind::Syntax, "expected an operand"),
        }
    }

    fn test(&mut self) -> Result<TestAst, LineError> {
        let a = self.operand()?;
        if self.at_end() {
            return Ok(TestAst {
                a,
                cond: Cond::Ne,
                b: Operand::Int(0),
            });
        }
        let cond = match self.next() {
            Some(Tok::Cmp(c)) => *c,
            _ => {
                return fail(
                    self.line,
                    ErrorKind::Syntax,
                    "expected a comparison (<, <=, >, >=, ==, !=)",
                )
            }
        };
        let b = self.operand()?;
        self.done()?;
        Ok(TestAst { a, cond, b })
    }
}

fn name_operand(w: &str, line: usize) -> Result<Operand, LineError> {
    let parts: Vec<&str> = w.split('.').collect();
    match parts.as_slice() {
        [n] => Ok(Operand::Name(n.to_string())),
        [c, r] if !c.is_empty() && !r.is_empty() => {
            Ok(Operand::Qualified(c.to_string(), r.to_string()))
        }
        _ => fail(
            line,
            ErrorKind::Syntax,
            format!("`{w}` is not a register name"),
        ),
    }
}

/// `sN` or `uN`, checked against the machine's 64-bit registers.
fn width(w: &str, line: usize) -> Result<Width, LineError> {
    let (signed, digits) = match w.split_at_checked(1) {
        Some(("s", d)) => (true, d),
        Some(("u", d)) => (false, d),
        _ => {
            return fail(
                line,
                ErrorKind::Syntax,
                format!("`{w}` is not a width (sN or uN)"),
            )
        }
    };
    let bits: u32 = digits.parse().map_err(|_| {
        LineError::new(
            line,
            ErrorKind::Syntax,
            format!("`{w}` is not a width (sN or uN)"),
        )
    })?;
    let wd = Width {
        bits: bits.min(255) as u8,
        signed,
    };
    if bits == 0 || !wd.is_valid() {
        return fail(
            line,
            ErrorKind::WidthOverflow,
            format!("width `{w}`: registers hold s1..=s64 or u1..=u63"),
        );
    }
    Ok(wd)
}

fn fold(w: &str, line: usize) -> Result<Fold, LineError> {
    match w {
        "wrap" => Ok(Fold::Wrap),
        "sat" => Ok(Fold::Sat),
        "onto" => Ok(Fold::Onto),
        _ => fail(
            line,
            ErrorKind::Syntax,
            format!("`{w}` is not a fold mode (wrap, sat, onto)"),
        ),
    }
}

fn join(w: &str, line: usize) -> Result<Join, LineError> {
    Ok(match w {
        "add" => Join::Add,
        "min" => Join::Min,
        "max" => Join::Max,
        "and" => Join::And,
        "or" => Join::Or,
        "gate" => Join::Gate,
        "pass" => Join::Pass,
        _ => {
            return fail(
                line,
                ErrorKind::Syntax,
                format!("`{w}` is not a join (add, min, max, and, or, gate, pass)"),
            )
        }
    })
}

fn decl(c: &mut Cursor, kind: DeclKind) -> Result<Stmt, LineError> {
    let name = c.word("a register name")?;
    let w = c.word("a width (sN or uN)")?;
    c.done()?;
    Ok(Stmt::Decl {
        kind,
        name,
        width: width(&w, c.line)?,
    })
}

fn chan(c: &mut Cursor) -> Result<Stmt, LineError> {
    let name = c.word("a channel name")?;
    let f = fold(&c.word("a fold mode (wrap, sat, onto)")?, c.line)?;
    let w = width(&c.word("a width (sN)")?, c.line)?;
    let shift = if c.at_end() {
        None
    } else {
        if c.word("`shl`")? != "shl" {
            return fail(c.line, ErrorKind::Syntax, "expected `shl` after the width");
        }
        Some(c.operand()?)
    };
    c.done()?;
    Ok(Stmt::Chan {
        name,
        fold: f,
        width: w,
        shift,
    })
}

fn comp(c: &mut Cursor) -> Result<Stmt, LineError> {
    let name = c.word("a compartment name")?;
    let parent = if c.at_end() {
        None
    } else {
        if c.word("`to`")? != "to" {
            return fail(c.line, ErrorKind::Syntax, "expected `to PARENT JOIN`");
        }
        let p = c.word("the parent compartment")?;
        let j = join(&c.word("a join operation")?, c.line)?;
        Some((p, j))
    };
    c.done()?;
    Ok(Stmt::Comp { name, parent })
}

fn instr(c: &mut Cursor, head: &str) -> Result<Stmt, LineError> {
    let (mnemonic, write) = match head.split_once('.') {
        None => (head.to_string(), None),
        Some((m, "w")) => (m.to_string(), Some(Write::Wrap)),
        Some((m, "s")) => (m.to_string(), Some(Write::Sat)),
        Some((_, s)) => {
            return fail(
                c.line,
                ErrorKind::Syntax,
                format!("`.{s}` is not a write mode (.w wraps, .s saturates)"),
            )
        }
    };
    let mut operands = Vec::new();
    while !c.at_end() {
        if !operands.is_empty() && c.next() != Some(&Tok::Comma) {
            return fail(
                c.line,
                ErrorKind::Syntax,
                "operands are separated by commas",
            );
        }
        operands.push(c.operand()?);
    }
    Ok(Stmt::Instr {
        mnemonic,
        write,
        operands,
    })
}

fn statement(toks: &[Tok], line: usize) -> Result<Stmt, LineError> {
    let mut c = Cursor { toks, at: 0, line };
    let head = c.word("a directive or an instruction")?;
    let simple = |s: Stmt, c: &Cursor| c.done().map(|()| s);
    match head.as_str() {
        "program" => {
            let n = c.word("a program name")?;
            simple(Stmt::Program(n), &c)
        }
        "param" => decl(&mut c, DeclKind::Param),
        "state" => decl(&mut c, DeclKind::State),
        "temp" => decl(&mut c, DeclKind::Temp),
        "chan" => chan(&mut c),
        "comp" => comp(&mut c),
        "if" => Ok(Stmt::If(c.test()?)),
        "else" => simple(Stmt::Else, &c),
        "end" => simple(Stmt::End, &c),
        "loop" => {
            let bound = if c.at_end() { None } else { Some(c.operand()?) };
            simple(Stmt::Loop(bound), &c)
        }
        "break" => {
            if c.at_end() {
                return Ok(Stmt::Break(None));
            }
            if c.word("`if`")? != "if" {
                return fail(
                    line,
                    ErrorKind::Syntax,
                    "expected `break` or `break if TEST`",
                );
            }
            Ok(Stmt::Break(Some(c.test()?)))
        }
        _ => instr(&mut c, &head),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_parse() {
        let p = parse("param du u12 ; decay\n\n  add.s t, a, -3\nif v >= thr\nbreak if n\ncomp dend to soma gate\nchan a onto s16 shl ws").unwrap();
        assert_eq!(p.len(), 6);
        assert_eq!(p[1].line, 3);
        assert!(
            matches!(&p[1].stmt, Stmt::Instr { mnemonic, write: Some(Write::Sat), operands } if mnemonic == "add" && operands.len() == 3)
        );
        assert!(matches!(&p[3].stmt, Stmt::Break(Some(t)) if t.cond == Cond::Ne));
        assert!(
            matches!(&p[4].stmt, Stmt::Comp { parent: Some((p, Join::Gate)), .. } if p == "soma")
        );
        assert!(parse("state v s65").is_err());
        assert!(parse("add x y").is_err());
        assert!(parse("add.q x, y").is_err());
    }
}
