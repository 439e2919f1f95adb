//! A compiled neuron program as plain data (what instruction memory holds),
//! and [`Program::check`], the load-time check the interpreter's totality
//! does not depend on but a loader wants for a clear error.

use core::fmt;

use super::isa::{
    Instr, OpCode, Src, Width, MAX_CHANS, MAX_COMPARTMENTS, MAX_LOOP_BOUND, MAX_LOOP_DEPTH,
    MAX_PARAMS, MAX_REGS, MAX_STATE,
};

/// The flat register file: state registers `[0, n_state)`, parameters
/// `[n_state, n_state + n_param)`, temporaries after them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// State registers (kept from step to step).
    pub n_state: u8,
    /// Parameter registers (per neuron, read-only).
    pub n_param: u8,
    /// Temporaries (zero at the start of every update).
    pub n_temp: u8,
    /// Declared width of every register, by index.
    pub widths: [Width; MAX_REGS],
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            n_state: 0,
            n_param: 0,
            n_temp: 0,
            widths: [Width::s(64); MAX_REGS],
        }
    }
}

impl Layout {
    /// All registers in use.
    pub const fn len(&self) -> usize {
        self.n_state as usize + self.n_param as usize + self.n_temp as usize
    }

    /// True when no register is declared.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when register `r` may be written by the program (state or temporary).
    pub const fn writable(&self, r: u8) -> bool {
        let r = r as usize;
        r < self.n_state as usize || (r >= self.param_end() && r < self.len())
    }

    /// Index of the first register after the parameters.
    pub const fn param_end(&self) -> usize {
        self.n_state as usize + self.n_param as usize
    }
}

/// How an accumulator channel folds the synaptic increments of one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fold {
    /// Wrapping sum at the channel width (Loihi, Lava's int32 Dense).
    Wrap,
    /// Saturating sum at the channel width.
    Sat,
    /// Each increment is a saturating add onto the register the program
    /// applies the channel to (`fold`), in arrival order (Xylo's `Isyn`).
    Onto,
}

/// The left shift applied to every increment before it is folded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// No shift.
    None,
    /// A constant shift.
    Imm(u8),
    /// The value of parameter `k` (index among the parameters), clamped to 0..=63.
    Param(u8),
}

/// One accumulator channel: the synapse type a synapse word's channel field selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chan {
    /// Fold mode.
    pub fold: Fold,
    /// Width of the increment and of the folded value (signed).
    pub width: Width,
    /// Increment = `wrap(weight << shift, width)`.
    pub shift: Scale,
}

/// How a child compartment's outputs combine into its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// `jv += out` (saturating at 64 bits).
    Add,
    /// `jv = min(jv, out)` (the first value child sets `jv`).
    Min,
    /// `jv = max(jv, out)`.
    Max,
    /// `jc = jc && fired` (the first condition child sets `jc`).
    And,
    /// `jc = jc || fired`.
    Or,
    /// The parent's spikes pass only if this child fired this step.
    Gate,
    /// `jv += out` only if this child fired this step.
    Pass,
}

/// One compartment: a contiguous range of the code and its place in the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compartment {
    /// First instruction.
    pub start: u16,
    /// One past the last instruction.
    pub end: u16,
    /// Parent compartment (always later in the list); `None` for the root (the soma).
    pub parent: Option<u8>,
    /// How this compartment joins its parent (ignored for the root).
    pub join: Join,
}

/// A compiled program for an instruction memory of `N` words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program<const N: usize> {
    /// The instructions, compartment after compartment.
    pub code: heapless::Vec<Instr, N>,
    /// The register file.
    pub layout: Layout,
    /// Accumulator channels, by channel number.
    pub chans: heapless::Vec<Chan, MAX_CHANS>,
    /// Compartments in execution order: children before parents, the root last.
    pub comps: heapless::Vec<Compartment, MAX_COMPARTMENTS>,
}

impl<const N: usize> Default for Program<N> {
    fn default() -> Self {
        Program {
            code: heapless::Vec::new(),
            layout: Layout::default(),
            chans: heapless::Vec::new(),
            comps: heapless::Vec::new(),
        }
    }
}

/// Why a program failed [`Program::check`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The register file exceeds [`MAX_STATE`], [`MAX_PARAMS`] or [`MAX_REGS`], or a width is invalid.
    Registers,
    /// No compartment, or compartments that do not tile the code in order with the root last.
    Compartments,
    /// A channel's shift names a parameter that does not exist.
    ChannelShift(u8),
    /// Instruction `pc` reads a register or channel that does not exist.
    Operand(u16),
    /// Instruction `pc` writes a parameter or a register that does not exist.
    Destination(u16),
    /// Instruction `pc` jumps backward, outside its compartment, or breaks a loop's structure.
    Control(u16),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Registers => write!(
                f,
                "register file: at most {MAX_STATE} state, {MAX_PARAMS} parameter and {MAX_REGS} registers in all, widths s1..=s64 or u1..=u63"
            ),
            Fault::Compartments => write!(
                f,
                "compartments must tile the code in order, children before parents, the root last"
            ),
            Fault::ChannelShift(k) => write!(f, "channel {k}: shift names a missing parameter"),
            Fault::Operand(pc) => write!(f, "instruction {pc}: operand out of range"),
            Fault::Destination(pc) => write!(f, "instruction {pc}: destination is not writable"),
            Fault::Control(pc) => write!(f, "instruction {pc}: jump or loop out of structure"),
        }
    }
}

impl<const N: usize> Program<N> {
    /// Check everything the interpreter would otherwise silently tolerate.
    pub fn check(&self) -> Result<(), Fault> {
        self.check_registers()?;
        self.check_compartments()?;
        for (k, ch) in self.chans.iter().enumerate() {
            let bad_shift = matches!(ch.shift, Scale::Param(p) if p >= self.layout.n_param);
            if bad_shift {
                return Err(Fault::ChannelShift(k as u8));
            }
            if !ch.width.is_valid() || !ch.width.signed {
                return Err(Fault::Registers);
            }
        }
        for c in &self.comps {
            for pc in c.start..c.end {
                self.check_instr(pc, c)?;
            }
        }
        Ok(())
    }

    fn check_registers(&self) -> Result<(), Fault> {
        let l = &self.layout;
        let ok = usize::from(l.n_state) <= MAX_STATE
            && usize::from(l.n_param) <= MAX_PARAMS
            && l.len() <= MAX_REGS
            && l.widths[..l.len()].iter().all(Width::is_valid);
        if ok {
            Ok(())
        } else {
            Err(Fault::Registers)
        }
    }

    fn check_compartments(&self) -> Result<(), Fault> {
        let n = self.comps.len();
        let mut next = 0u16;
        for (i, c) in self.comps.iter().enumerate() {
            let root = i + 1 == n;
            let parent_ok = match c.parent {
                None => root,
                Some(p) => !root && usize::from(p) > i && usize::from(p) < n,
            };
            if c.start != next || c.end < c.start || !parent_ok {
                return Err(Fault::Compartments);
            }
            next = c.end;
        }
        if n == 0 || usize::from(next) != self.code.len() {
            return Err(Fault::Compartments);
        }
        Ok(())
    }

    fn src_ok(&self, s: Src) -> bool {
        match s {
            Src::Reg(r) => usize::from(r) < self.layout.len(),
            Src::Chan(k) => usize::from(k) < self.chans.len(),
            Src::Imm(_) | Src::Refr | Src::JoinValue | Src::JoinCond => true,
        }
    }

    fn check_instr(&self, pc: u16, c: &Compartment) -> Result<(), Fault> {
        let forward = |t: u16| t > pc && t <= c.end;
        let operand = |ok: bool| if ok { Ok(()) } else { Err(Fault::Operand(pc)) };
        let control = |ok: bool| if ok { Ok(()) } else { Err(Fault::Control(pc)) };
        match self.code[usize::from(pc)] {
            Instr::Op { op, dst, src, .. } => {
                if !self.layout.writable(dst) {
                    return Err(Fault::Destination(pc));
                }
                let fold_ok = op != OpCode::Fold
                    || matches!(src[0], Src::Chan(k) if self.chans.get(usize::from(k)).is_some_and(|ch| ch.fold == Fold::Onto));
                operand(fold_ok && src[..op.arity()].iter().all(|&s| self.src_ok(s)))
            }
            Instr::Rand { dst, bits } => {
                if !self.layout.writable(dst) {
                    return Err(Fault::Destination(pc));
                }
                operand((1..=32).contains(&bits))
            }
            Instr::Emit { count, payload } => operand(self.src_ok(count) && self.src_ok(payload)),
            Instr::Refract { steps: s } | Instr::Out { value: s } => operand(self.src_ok(s)),
            Instr::Wr { dst, src } => {
                if dst >= self.layout.n_state {
                    return Err(Fault::Destination(pc));
                }
                operand(self.src_ok(src))
            }
            Instr::JumpUnless { test, target } | Instr::JumpIf { test, target } => {
                operand(self.src_ok(test.a) && self.src_ok(test.b))?;
                control(forward(target))
            }
            Instr::Jump { target } => control(forward(target)),
            Instr::Loop { bound, end, depth } => {
                let next_ok = end >= 2
                    && end <= c.end
                    && end - 1 > pc
                    && self.code[usize::from(end - 1)] == Instr::Next { start: pc, depth };
                control(next_ok && bound <= MAX_LOOP_BOUND && usize::from(depth) < MAX_LOOP_DEPTH)
            }
            Instr::Next { start, depth } => {
                let loop_ok = start < pc
                    && start >= c.start
                    && matches!(self.code[usize::from(start)], Instr::Loop { end, depth: d, .. } if end == pc + 1 && d == depth);
                control(loop_ok)
            }
        }
    }
}
