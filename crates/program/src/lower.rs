//! The second pass: statements to instructions, structured control flow to
//! forward jumps and bounded loops, with the width check and the worst-case
//! instruction count of one update.

use neurochip_firmware::program::{
    Compartment, Cond, Fold, Instr, OpCode, Src, Test, Width, Write, MAX_LOOP_BOUND, MAX_LOOP_DEPTH,
};

use crate::error::{fail, ErrorKind, LineError};
use crate::parse::{DeclKind, Line, Operand, Stmt, TestAst};
use crate::range::{self, Range};
use crate::symbols::{Resolved, Symbols};

/// The code of every compartment.
pub(crate) struct Lowered {
    pub code: Vec<Instr>,
    /// Source line of each instruction.
    pub lines: Vec<usize>,
    pub comps: Vec<Compartment>,
    /// Most instructions (joins included) one update can execute.
    pub worst_case: u64,
}

/// An open block.
enum Frame {
    If {
        at: usize,
        line: usize,
        else_entry: Vec<Range>,
        cost: u64,
    },
    Else {
        jump_at: usize,
        then_ranges: Vec<Range>,
        then_cost: u64,
        cost: u64,
    },
    Loop {
        at: usize,
        line: usize,
        depth: u8,
        bound: u64,
        breaks: Vec<usize>,
        cost: u64,
    },
}

impl Frame {
    fn cost(&mut self) -> &mut u64 {
        match self {
            Frame::If { cost, .. } | Frame::Else { cost, .. } | Frame::Loop { cost, .. } => cost,
        }
    }
}

/// Lowers one compartment at a time into a shared code vector.
struct Lowerer<'a> {
    sym: &'a Symbols,
    comp: usize,
    code: Vec<Instr>,
    lines: Vec<usize>,
    /// What every register may hold at this point of the code.
    ranges: Vec<Range>,
    frames: Vec<Frame>,
    cost: u64,
}

/// An operand resolved to a source and its range.
type Operand2 = (Src, Range);

/// Lower every compartment of `sym`.
pub(crate) fn lower(sym: &Symbols) -> Result<Lowered, LineError> {
    let mut l = Lowerer {
        sym,
        comp: 0,
        code: Vec::new(),
        lines: Vec::new(),
        ranges: Vec::new(),
        frames: Vec::new(),
        cost: 0,
    };
    let mut comps = Vec::new();
    let mut worst = 0u64;
    for (i, c) in sym.comps.iter().enumerate() {
        let start = l.code.len();
        l.begin(i);
        for line in &c.body {
            l.statement(line)?;
        }
        if let Some(f) = l.frames.last() {
            let (what, line) = match f {
                Frame::If { line, .. } => ("`if`", *line),
                Frame::Else { .. } => ("`else`", c.line),
                Frame::Loop { line, .. } => ("`loop`", *line),
            };
            return fail(line, ErrorKind::Structure, format!("{what} without `end`"));
        }
        worst = worst.saturating_add(l.cost);
        let parent = c.parent.as_ref();
        comps.push(Compartment {
            start: start as u16,
            end: l.code.len().min(usize::from(u16::MAX)) as u16,
            parent: parent.and_then(|(p, _)| sym.comp_index(p)).map(|p| p as u8),
            join: parent.map_or(neurochip_firmware::program::Join::Add, |&(_, j)| j),
        });
    }
    let joins = sym.comps.len().saturating_sub(1) as u64;
    Ok(Lowered {
        code: l.code,
        lines: l.lines,
        comps,
        worst_case: worst.saturating_add(joins),
    })
}

/// The mnemonics that compute, with their operation.
fn opcode(m: &str) -> Option<OpCode> {
    use OpCode::*;
    Some(match m {
        "mov" => Mov,
        "neg" => Neg,
        "abs" => Abs,
        "not" => Not,
        "add" => Add,
        "sub" => Sub,
        "mul" => Mul,
        "mulsh" => MulShr,
        "min" => Min,
        "max" => Max,
        "clamp" => Clamp,
        "and" => And,
        "or" => Or,
        "xor" => Xor,
        "shl" => Shl,
        "shr" => Shr,
        "ash" => Ash,
        "decay12" => Decay12,
        "sdec" => ShiftDecay,
        "lt" => Cmp(Cond::Lt),
        "le" => Cmp(Cond::Le),
        "gt" => Cmp(Cond::Gt),
        "ge" => Cmp(Cond::Ge),
        "eq" => Cmp(Cond::Eq),
        "ne" => Cmp(Cond::Ne),
        "sel" => Sel,
        "fold" => Fold,
        _ => return None,
    })
}

fn width_name(w: Width) -> String {
    format!("{}{}", if w.signed { 's' } else { 'u' }, w.bits)
}

impl Lowerer<'_> {
    /// Start compartment `comp`: state and parameters may hold anything their width allows, temporaries are 0.
    fn begin(&mut self, comp: usize) {
        self.comp = comp;
        self.cost = 0;
        self.ranges = self
            .sym
            .regs
            .iter()
            .map(|r| match r.kind {
                DeclKind::Temp => Range::point(0),
                _ => Range::of(r.width),
            })
            .collect();
    }

    fn emit(&mut self, ins: Instr, line: usize) -> usize {
        self.code.push(ins);
        self.lines.push(line);
        let c = match self.frames.last_mut() {
            Some(f) => f.cost(),
            None => &mut self.cost,
        };
        *c = c.saturating_add(1);
        self.code.len() - 1
    }

    /// Point the jump at `at` to the current end of the code.
    fn patch(&mut self, at: usize) {
        let here = self.code.len() as u16;
        match &mut self.code[at] {
            Instr::JumpUnless { target, .. }
            | Instr::JumpIf { target, .. }
            | Instr::Jump { target } => *target = here,
            Instr::Loop { end, .. } => *end = here,
            _ => {}
        }
    }

    /// Add a finished block's cost to the enclosing block.
    fn charge(&mut self, n: u64) {
        let c = match self.frames.last_mut() {
            Some(f) => f.cost(),
            None => &mut self.cost,
        };
        *c = c.saturating_add(n);
    }

    fn statement(&mut self, l: &Line) -> Result<(), LineError> {
        let line = l.line;
        match &l.stmt {
            Stmt::If(t) => self.open_if(t, line),
            Stmt::Else => self.open_else(line),
            Stmt::End => self.close(line),
            Stmt::Loop(bound) => self.open_loop(bound.as_ref(), line),
            Stmt::Break(t) => self.brk(t.as_ref(), line),
            Stmt::Instr {
                mnemonic,
                write,
                operands,
            } => self.instr(mnemonic, *write, operands, line),
            // Declarations were taken by the first pass.
            _ => Ok(()),
        }
    }

    fn open_if(&mut self, t: &TestAst, line: usize) -> Result<(), LineError> {
        let test = self.test(t, line)?;
        let at = self.emit(Instr::JumpUnless { test, target: 0 }, line);
        let else_entry = self.narrowed(&test, false);
        self.ranges = self.narrowed(&test, true);
        self.frames.push(Frame::If {
            at,
            line,
            else_entry,
            cost: 0,
        });
        Ok(())
    }

    fn open_else(&mut self, line: usize) -> Result<(), LineError> {
        if !matches!(self.frames.last(), Some(Frame::If { .. })) {
            return fail(line, ErrorKind::Structure, "`else` without `if`");
        }
        // The jump over the else-branch ends the then-branch (and costs there).
        let jump_at = self.emit(Instr::Jump { target: 0 }, line);
        let Some(Frame::If {
            at,
            else_entry,
            cost,
            ..
        }) = self.frames.pop()
        else {
            return fail(line, ErrorKind::Structure, "`else` without `if`");
        };
        self.patch(at);
        let then_ranges = std::mem::replace(&mut self.ranges, else_entry);
        self.frames.push(Frame::Else {
            jump_at,
            then_ranges,
            then_cost: cost,
            cost: 0,
        });
        Ok(())
    }

    fn close(&mut self, line: usize) -> Result<(), LineError> {
        // A loop's `Next` runs every iteration: emit it inside the body.
        if let Some(&Frame::Loop { at, depth, .. }) = self.frames.last() {
            self.emit(
                Instr::Next {
                    start: at as u16,
                    depth,
                },
                line,
            );
        }
        match self.frames.pop() {
            None => fail(line, ErrorKind::Structure, "`end` without `if` or `loop`"),
            Some(Frame::If {
                at,
                else_entry,
                cost,
                ..
            }) => {
                self.patch(at);
                self.ranges = hull_all(&self.ranges, &else_entry);
                self.charge(cost);
                Ok(())
            }
            Some(Frame::Else {
                jump_at,
                then_ranges,
                then_cost,
                cost,
            }) => {
                self.patch(jump_at);
                self.ranges = hull_all(&self.ranges, &then_ranges);
                self.charge(then_cost.max(cost));
                Ok(())
            }
            Some(Frame::Loop {
                at,
                bound,
                breaks,
                cost,
                ..
            }) => {
                self.patch(at);
                for b in breaks {
                    self.patch(b);
                }
                self.widen();
                self.charge(bound.saturating_mul(cost));
                Ok(())
            }
        }
    }

    fn open_loop(&mut self, bound: Option<&Operand>, line: usize) -> Result<(), LineError> {
        let n = match bound {
            None => {
                return fail(
                    line,
                    ErrorKind::UnboundedLoop,
                    format!("a loop without bound: write `loop N` with a constant N (1..={MAX_LOOP_BOUND})"),
                )
            }
            Some(Operand::Int(n)) => *n,
            Some(other) => {
                return fail(
                    line,
                    ErrorKind::UnboundedLoop,
                    format!("a loop without bound: `{other}` is not a constant; write `loop N` and leave early with `break if`"),
                )
            }
        };
        if !(1..=i128::from(MAX_LOOP_BOUND)).contains(&n) {
            return fail(
                line,
                ErrorKind::Syntax,
                format!("loop bound {n} is outside 1..={MAX_LOOP_BOUND}"),
            );
        }
        let depth = self
            .frames
            .iter()
            .filter(|f| matches!(f, Frame::Loop { .. }))
            .count();
        if depth >= MAX_LOOP_DEPTH {
            return fail(
                line,
                ErrorKind::TooLong,
                format!("loops nest at most {MAX_LOOP_DEPTH} deep"),
            );
        }
        let depth = depth as u8;
        let at = self.emit(
            Instr::Loop {
                bound: n as u16,
                end: 0,
                depth,
            },
            line,
        );
        self.widen();
        self.frames.push(Frame::Loop {
            at,
            line,
            depth,
            bound: n as u64,
            breaks: Vec::new(),
            cost: 0,
        });
        Ok(())
    }

    fn brk(&mut self, t: Option<&TestAst>, line: usize) -> Result<(), LineError> {
        if !self.frames.iter().any(|f| matches!(f, Frame::Loop { .. })) {
            return fail(line, ErrorKind::Structure, "`break` outside a loop");
        }
        let at = match t {
            Some(t) => {
                let test = self.test(t, line)?;
                let at = self.emit(Instr::JumpIf { test, target: 0 }, line);
                self.ranges = self.narrowed(&test, false);
                at
            }
            None => self.emit(Instr::Jump { target: 0 }, line),
        };
        let innermost = self
            .frames
            .iter_mut()
            .rev()
            .find(|f| matches!(f, Frame::Loop { .. }));
        if let Some(Frame::Loop { breaks, .. }) = innermost {
            breaks.push(at);
        }
        Ok(())
    }

    /// Forget what the code before a loop head proved about writable registers.
    fn widen(&mut self) {
        for (r, s) in self.ranges.iter_mut().zip(&self.sym.regs) {
            if s.kind != DeclKind::Param {
                *r = Range::of(s.width);
            }
        }
    }

    /// The ranges after `test` held (or failed).
    fn narrowed(&self, t: &Test, holds: bool) -> Vec<Range> {
        let mut r = self.ranges.clone();
        let (ra, rb) = (self.range_of(t.a), self.range_of(t.b));
        if let Src::Reg(i) = t.a {
            r[usize::from(i)] = ra.narrow(t.cond, &rb, holds);
        }
        if let Src::Reg(i) = t.b {
            r[usize::from(i)] = rb.narrow(range::swap(t.cond), &ra, holds);
        }
        r
    }

    fn range_of(&self, s: Src) -> Range {
        match s {
            Src::Reg(i) => self.ranges[usize::from(i)],
            Src::Imm(k) => Range::point(i128::from(k)),
            Src::Chan(k) => Range::of(self.sym.chans[usize::from(k)].width),
            Src::Refr | Src::JoinCond => Range::new(0, 1),
            Src::JoinValue => Range::of(Width::s(64)),
        }
    }

    fn test(&self, t: &TestAst, line: usize) -> Result<Test, LineError> {
        Ok(Test {
            a: self.src(&t.a, line)?.0,
            cond: t.cond,
            b: self.src(&t.b, line)?.0,
        })
    }

    /// A source operand (an onto channel is only readable through `fold`).
    fn src(&self, o: &Operand, line: usize) -> Result<Operand2, LineError> {
        let s = match o {
            Operand::Int(v) => {
                let Ok(k) = i32::try_from(*v) else {
                    return fail(
                        line,
                        ErrorKind::WidthOverflow,
                        format!("immediate {v} does not fit the instruction's 32-bit immediate field (use a parameter)"),
                    );
                };
                Src::Imm(k)
            }
            Operand::Name(n) => match self.sym.lookup(self.comp, n, line)? {
                Resolved::Reg(r) => Src::Reg(r),
                Resolved::Chan(k) => {
                    if self.sym.chans[usize::from(k)].fold == Fold::Onto {
                        return fail(
                            line,
                            ErrorKind::Scope,
                            format!("`{n}` is an onto channel: read it with `fold DST, {n}, REGISTER`"),
                        );
                    }
                    Src::Chan(k)
                }
                Resolved::Refr => Src::Refr,
                Resolved::JoinValue => Src::JoinValue,
                Resolved::JoinCond => Src::JoinCond,
            },
            Operand::Qualified(c, r) => {
                return fail(
                    line,
                    ErrorKind::Scope,
                    format!("`{c}.{r}` is another compartment's register: only `wr {c}.{r}, VALUE` may name it"),
                )
            }
        };
        Ok((s, self.range_of(s)))
    }

    /// A destination: a state register or temporary of this compartment.
    fn dst(&self, o: &Operand, line: usize) -> Result<u8, LineError> {
        let name = match o {
            Operand::Name(n) => n,
            Operand::Int(_) => {
                return fail(
                    line,
                    ErrorKind::Syntax,
                    "the destination must be a register",
                )
            }
            Operand::Qualified(c, r) => {
                return fail(
                    line,
                    ErrorKind::Scope,
                    format!("write another compartment's register with `wr {c}.{r}, VALUE`"),
                )
            }
        };
        let what = match self.sym.lookup(self.comp, name, line)? {
            Resolved::Reg(r) if self.sym.regs[usize::from(r)].kind != DeclKind::Param => {
                return Ok(r)
            }
            Resolved::Reg(_) => "a parameter",
            Resolved::Chan(_) => "an accumulator channel",
            _ => "a special register of the machine",
        };
        fail(
            line,
            ErrorKind::ReadOnly,
            format!("`{name}` is {what}: read-only"),
        )
    }

    /// Record a write of `r` into `dst` with `mode`, checking exact writes.
    fn write(
        &mut self,
        m: &str,
        dst: u8,
        r: Range,
        mode: Write,
        line: usize,
    ) -> Result<(), LineError> {
        let reg = &self.sym.regs[usize::from(dst)];
        let w = reg.width;
        let after = match mode {
            Write::Exact if !r.within(w) => {
                return fail(
                    line,
                    ErrorKind::WidthOverflow,
                    format!(
                        "width overflow: `{m}` can give {}..={}, which does not fit `{}` ({}); write `{m}.w` to wrap or `{m}.s` to saturate",
                        r.lo, r.hi, reg.name, width_name(w)
                    ),
                )
            }
            Write::Exact => r,
            Write::Wrap if r.within(w) => r,
            Write::Wrap => Range::of(w),
            Write::Sat => {
                let (lo, hi) = (i128::from(w.min()), i128::from(w.max()));
                Range::new(r.lo.clamp(lo, hi), r.hi.clamp(lo, hi))
            }
        };
        self.ranges[usize::from(dst)] = after;
        Ok(())
    }

    fn count(m: &str, ops: &[Operand], want: &[usize], line: usize) -> Result<(), LineError> {
        if want.contains(&ops.len()) {
            return Ok(());
        }
        let n: Vec<String> = want.iter().map(|x| x.to_string()).collect();
        fail(
            line,
            ErrorKind::Syntax,
            format!(
                "`{m}` takes {} operands, found {}",
                n.join(" or "),
                ops.len()
            ),
        )
    }

    fn instr(
        &mut self,
        m: &str,
        write: Option<Write>,
        ops: &[Operand],
        line: usize,
    ) -> Result<(), LineError> {
        if let Some(op) = opcode(m) {
            return self.compute(m, op, write.unwrap_or(Write::Exact), ops, line);
        }
        let known = ["rand", "emit", "refract", "out", "wr"];
        if !known.contains(&m) {
            return fail(
                line,
                ErrorKind::UnknownInstruction,
                format!("unknown instruction `{m}`"),
            );
        }
        if write.is_some() {
            return fail(
                line,
                ErrorKind::Syntax,
                format!("`{m}` takes no .w/.s suffix (it computes nothing)"),
            );
        }
        let ins = match m {
            "rand" => self.rand(ops, line)?,
            "emit" => {
                Self::count(m, ops, &[1, 2], line)?;
                let payload = match ops.get(1) {
                    Some(p) => self.src(p, line)?.0,
                    None => Src::Imm(0),
                };
                Instr::Emit {
                    count: self.src(&ops[0], line)?.0,
                    payload,
                }
            }
            "refract" | "out" => {
                Self::count(m, ops, &[1], line)?;
                let s = self.src(&ops[0], line)?.0;
                if m == "out" {
                    Instr::Out { value: s }
                } else {
                    Instr::Refract { steps: s }
                }
            }
            _ => self.wr(ops, line)?,
        };
        self.emit(ins, line);
        Ok(())
    }

    fn compute(
        &mut self,
        m: &str,
        op: OpCode,
        mode: Write,
        ops: &[Operand],
        line: usize,
    ) -> Result<(), LineError> {
        Self::count(m, ops, &[1 + op.arity()], line)?;
        let dst = self.dst(&ops[0], line)?;
        let mut src = [Src::Imm(0); 3];
        let mut rs = [Range::point(0); 3];
        for (k, o) in ops[1..].iter().enumerate() {
            let (s, r) = if op == OpCode::Fold && k == 0 {
                self.onto_chan(o, line)?
            } else {
                self.src(o, line)?
            };
            src[k] = s;
            rs[k] = r;
        }
        let r = if op == OpCode::Fold {
            rs[0].hull(&rs[1])
        } else {
            range::result(op, &rs)
        };
        self.write(m, dst, r, mode, line)?;
        self.emit(
            Instr::Op {
                op,
                dst,
                src,
                write: mode,
            },
            line,
        );
        Ok(())
    }

    /// The channel operand of `fold`: it must be an onto channel.
    fn onto_chan(&self, o: &Operand, line: usize) -> Result<Operand2, LineError> {
        if let Operand::Name(n) = o {
            if let Resolved::Chan(k) = self.sym.lookup(self.comp, n, line)? {
                let c = &self.sym.chans[usize::from(k)];
                if c.fold == Fold::Onto {
                    return Ok((Src::Chan(k), Range::of(c.width)));
                }
            }
        }
        fail(
            line,
            ErrorKind::Syntax,
            format!("`fold` applies an onto channel; `{o}` is not one"),
        )
    }

    fn rand(&mut self, ops: &[Operand], line: usize) -> Result<Instr, LineError> {
        Self::count("rand", ops, &[2], line)?;
        let dst = self.dst(&ops[0], line)?;
        let bits = match ops[1] {
            Operand::Int(b) if (1..=32).contains(&b) => b as u8,
            _ => {
                return fail(
                    line,
                    ErrorKind::Syntax,
                    "`rand DST, BITS` draws 1..=32 bits (a constant)",
                )
            }
        };
        let r = Range::new(0, (1i128 << bits) - 1);
        self.write("rand", dst, r, Write::Exact, line)?;
        Ok(Instr::Rand { dst, bits })
    }

    fn wr(&mut self, ops: &[Operand], line: usize) -> Result<Instr, LineError> {
        Self::count("wr", ops, &[2], line)?;
        let Operand::Qualified(c, r) = &ops[0] else {
            return fail(
                line,
                ErrorKind::Syntax,
                "`wr COMP.REG, VALUE` writes another compartment's state register",
            );
        };
        let target = self.sym.comp_index(c);
        let idx = self.sym.regs.iter().position(|x| {
            x.name == *r && x.kind == DeclKind::State && x.comp.is_some() && x.comp == target
        });
        let Some(idx) = idx else {
            return fail(
                line,
                ErrorKind::UnknownRegister,
                format!("unknown state register `{c}.{r}`"),
            );
        };
        if target == Some(self.comp) {
            return fail(
                line,
                ErrorKind::Scope,
                format!("`{c}` is this compartment: write `{r}` with `mov`"),
            );
        }
        let (s, range) = self.src(&ops[1], line)?;
        let w = self.sym.regs[idx].width;
        if !range.within(w) {
            return fail(
                line,
                ErrorKind::WidthOverflow,
                format!(
                    "width overflow: the value can be {}..={}, which does not fit `{c}.{r}` ({})",
                    range.lo,
                    range.hi,
                    width_name(w)
                ),
            );
        }
        Ok(Instr::Wr {
            dst: idx as u8,
            src: s,
        })
    }
}

/// Register by register, the hull of two range sets.
fn hull_all(a: &[Range], b: &[Range]) -> Vec<Range> {
    a.iter().zip(b).map(|(x, y)| x.hull(y)).collect()
}
