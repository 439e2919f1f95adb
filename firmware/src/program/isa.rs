//! The instruction set: register widths, operands, instructions and their
//! cost classes. Plain data only; [`super::exec`] gives them meaning.

/// Registers of one neuron program: state, parameters and temporaries together.
pub const MAX_REGS: usize = 32;
/// State registers (kept from step to step) of one neuron, over all its compartments.
pub const MAX_STATE: usize = 16;
/// Parameter registers (per neuron, read-only while it runs).
pub const MAX_PARAMS: usize = 16;
/// Accumulator channels (synapse types) a program can declare.
pub const MAX_CHANS: usize = 4;
/// Compartments of one neuron.
pub const MAX_COMPARTMENTS: usize = 4;
/// Nesting depth of `loop` blocks (one hidden counter each).
pub const MAX_LOOP_DEPTH: usize = 4;
/// Largest iteration bound of one `loop` block.
pub const MAX_LOOP_BOUND: u16 = 1024;
/// Most instructions one neuron update executes; the assembler rejects
/// programs whose worst case is larger, and the interpreter stops there.
pub const MAX_EXECUTED: u32 = 1 << 16;

/// A register's declared width: `signed` 1..=64 bits or unsigned 1..=63 bits,
/// so every value fits an `i64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Width {
    /// Number of bits.
    pub bits: u8,
    /// Two's complement (`sN`) or unsigned (`uN`).
    pub signed: bool,
}

impl Width {
    /// `sN`.
    pub const fn s(bits: u8) -> Width {
        Width { bits, signed: true }
    }

    /// `uN`.
    pub const fn u(bits: u8) -> Width {
        Width {
            bits,
            signed: false,
        }
    }

    /// True for `s1..=s64` and `u1..=u63`.
    pub const fn is_valid(&self) -> bool {
        self.bits >= 1 && (self.bits <= 63 || (self.bits == 64 && self.signed))
    }

    /// Bits clamped to the valid range, so an invalid width cannot make arithmetic panic.
    const fn clamped_bits(&self) -> u32 {
        let hi: u32 = if self.signed { 64 } else { 63 };
        if self.bits < 1 {
            1
        } else if self.bits as u32 > hi {
            hi
        } else {
            self.bits as u32
        }
    }

    /// Smallest value the register holds.
    pub const fn min(&self) -> i64 {
        if self.signed {
            crate::fixed::min_of(self.clamped_bits())
        } else {
            0
        }
    }

    /// Largest value the register holds.
    pub const fn max(&self) -> i64 {
        if self.signed {
            crate::fixed::max_of(self.clamped_bits())
        } else {
            ((1u64 << self.clamped_bits()) - 1) as i64
        }
    }

    /// True when `x` is a value of this width.
    pub fn fits(&self, x: i128) -> bool {
        i128::from(self.min()) <= x && x <= i128::from(self.max())
    }

    /// `x` modulo `2^bits`, into this width's range (a register that silently overflows).
    pub fn wrap(&self, x: i128) -> i64 {
        let b = self.clamped_bits();
        if self.signed {
            let s = 128 - b;
            ((x << s) >> s) as i64
        } else {
            (x & ((1i128 << b) - 1)) as i64
        }
    }

    /// `x` clamped to this width's range (a saturating register write).
    pub fn sat(&self, x: i128) -> i64 {
        x.clamp(i128::from(self.min()), i128::from(self.max())) as i64
    }
}

/// Where an operand comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// Register `i` of the flat register file (see [`super::Layout`]).
    Reg(u8),
    /// A constant from the instruction word.
    Imm(i32),
    /// The value of accumulator channel `k` this step (its folded sum).
    Chan(u8),
    /// 1 when the neuron was refractory at the start of this step, else 0.
    Refr,
    /// The value joined from this compartment's children (0 when none).
    JoinValue,
    /// The spike condition joined from this compartment's children (0 when none).
    JoinCond,
}

/// How a computed value is written into a register that may be narrower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Write {
    /// No suffix: the assembler proved the value always fits (the write still
    /// wraps at run time, so a hand-built program cannot break a width).
    Exact,
    /// `.w`: keep the low bits (two's complement wrap).
    Wrap,
    /// `.s`: clamp to the register's range.
    Sat,
}

/// The computing operations. All compute exactly (in 128 bits) before the write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpCode {
    /// `a`.
    Mov,
    /// `-a`.
    Neg,
    /// `|a|`.
    Abs,
    /// Bitwise not of `a`.
    Not,
    /// `a + b`.
    Add,
    /// `a - b`.
    Sub,
    /// `a * b`.
    Mul,
    /// `floor(a * b / 2^c)` (`c` clamped to 0..=126): a fixed-point multiply.
    MulShr,
    /// `min(a, b)`.
    Min,
    /// `max(a, b)`.
    Max,
    /// `max(b, min(a, c))`: clamp `a` to `[b, c]`.
    Clamp,
    /// Bitwise and.
    And,
    /// Bitwise or.
    Or,
    /// Bitwise xor.
    Xor,
    /// `a * 2^b` (`b` clamped to 0..=64).
    Shl,
    /// `floor(a / 2^b)`, arithmetic (`b` clamped to 0..=127).
    Shr,
    /// Shift by a signed amount: `b >= 0` is [`OpCode::Shl`], `b < 0` is [`OpCode::Shr`] by `-b`
    /// (Loihi's mantissa/exponent scaling).
    Ash,
    /// [`crate::fixed::decay12`]`(a, b)`: `trunc(a * (4096 - b) / 4096)`, `b` clamped to 0..=4096.
    Decay12,
    /// [`crate::fixed::shift_decay`]`(a, b)`: Xylo's decrement `a >> b`, at least `sign(a)`.
    ShiftDecay,
    /// `a cond b` as 0/1.
    Cmp(Cond),
    /// `a != 0 ? b : c`.
    Sel,
    /// Channel `a` (a [`super::Fold::Onto`] channel) applied to the value `b`:
    /// this step's events, each a saturating add onto the register, in arrival order.
    Fold,
}

impl OpCode {
    /// Operands the operation reads (the rest of `src` is ignored).
    pub const fn arity(self) -> usize {
        match self {
            OpCode::Mov | OpCode::Neg | OpCode::Abs | OpCode::Not => 1,
            OpCode::MulShr | OpCode::Clamp | OpCode::Sel => 3,
            _ => 2,
        }
    }

    /// The cost class of the operation.
    pub const fn class(self) -> InstrClass {
        match self {
            OpCode::Mul | OpCode::MulShr | OpCode::Decay12 => InstrClass::Mul,
            _ => InstrClass::Alu,
        }
    }
}

/// A comparison of a branch test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl Cond {
    /// Whether `a cond b` holds.
    pub fn holds(self, a: i64, b: i64) -> bool {
        match self {
            Cond::Lt => a < b,
            Cond::Le => a <= b,
            Cond::Gt => a > b,
            Cond::Ge => a >= b,
            Cond::Eq => a == b,
            Cond::Ne => a != b,
        }
    }
}

/// `a cond b`, the test of a conditional branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Test {
    /// Left operand.
    pub a: Src,
    /// Comparison.
    pub cond: Cond,
    /// Right operand.
    pub b: Src,
}

/// One instruction. Jump targets are instruction indices and always point
/// forward; the only backward edge is [`Instr::Next`], bounded by its [`Instr::Loop`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instr {
    /// `dst = op(src...)`, written with `write`.
    Op {
        /// Operation.
        op: OpCode,
        /// Destination register.
        dst: u8,
        /// Operands (only the first [`OpCode::arity`] are read).
        src: [Src; 3],
        /// Write mode into `dst`'s width.
        write: Write,
    },
    /// `dst = ` the next `bits` (1..=32) random bits of the neuron's keyed stream, unsigned.
    Rand {
        /// Destination register.
        dst: u8,
        /// Bits drawn.
        bits: u8,
    },
    /// Emit `count` spikes (clamped to 0..=255; 0 = none) carrying `payload`
    /// (wrapped to 32 bits). In a child compartment it raises the spike
    /// condition its parent joins. A later `Emit` in the same step replaces it.
    Emit {
        /// Spike count.
        count: Src,
        /// Graded payload.
        payload: Src,
    },
    /// Enter refractoriness for `steps` steps (clamped to 0..=65535).
    Refract {
        /// Steps.
        steps: Src,
    },
    /// Set this compartment's output value (what value joins combine).
    Out {
        /// Value.
        value: Src,
    },
    /// Write a state register of another compartment (wrapping to its width).
    Wr {
        /// Register written.
        dst: u8,
        /// Value.
        src: Src,
    },
    /// Jump to `target` unless `test` holds (an `if` block's entry).
    JumpUnless {
        /// Test.
        test: Test,
        /// Forward target.
        target: u16,
    },
    /// Jump to `target` if `test` holds (a `break if`).
    JumpIf {
        /// Test.
        test: Test,
        /// Forward target.
        target: u16,
    },
    /// Jump to `target` (an `else` skip, a plain `break`).
    Jump {
        /// Forward target.
        target: u16,
    },
    /// Start of a loop of at most `bound` iterations; `end` is the index after its [`Instr::Next`].
    Loop {
        /// Iteration bound (0..=[`MAX_LOOP_BOUND`]; 0 skips the body).
        bound: u16,
        /// Index after the matching `Next`.
        end: u16,
        /// Nesting depth (selects the hidden counter).
        depth: u8,
    },
    /// End of a loop body: count one iteration and go back to `start + 1` while under the bound.
    Next {
        /// Index of the matching `Loop`.
        start: u16,
        /// Nesting depth.
        depth: u8,
    },
}

impl Instr {
    /// The cost class the meter charges for this instruction.
    pub const fn class(&self) -> InstrClass {
        match self {
            Instr::Op { op, .. } => op.class(),
            Instr::Rand { .. } => InstrClass::Rand,
            Instr::Emit { .. } => InstrClass::Spike,
            Instr::Refract { .. } | Instr::Out { .. } | Instr::Wr { .. } => InstrClass::Effect,
            Instr::JumpUnless { .. }
            | Instr::JumpIf { .. }
            | Instr::Jump { .. }
            | Instr::Loop { .. }
            | Instr::Next { .. } => InstrClass::Branch,
        }
    }
}

/// What an executed instruction costs, by datapath (the unit an architecture prices).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstrClass {
    /// Adder, logic, shifter, comparator, select, channel fold.
    Alu,
    /// Multiplier: `mul`, `mulsh`, `decay12`.
    Mul,
    /// Control: conditional and unconditional jumps, loop start and end.
    Branch,
    /// One draw of the random number generator.
    Rand,
    /// `emit`: a spike handed to the spike output (payload included).
    Spike,
    /// `refract`, `out`, `wr`: writes to the machine's special registers.
    Effect,
    /// One join of a child compartment into its parent (done by the machine).
    Join,
}

impl InstrClass {
    /// Every class, in declaration order (index = [`InstrClass::index`]).
    pub const ALL: [InstrClass; 7] = [
        InstrClass::Alu,
        InstrClass::Mul,
        InstrClass::Branch,
        InstrClass::Rand,
        InstrClass::Spike,
        InstrClass::Effect,
        InstrClass::Join,
    ];

    /// Dense index for per-class arrays.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Short name for reports and architecture fields.
    pub const fn name(self) -> &'static str {
        match self {
            InstrClass::Alu => "alu",
            InstrClass::Mul => "mul",
            InstrClass::Branch => "branch",
            InstrClass::Rand => "rand",
            InstrClass::Spike => "spike",
            InstrClass::Effect => "effect",
            InstrClass::Join => "join",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_wrap_and_saturate() {
        assert_eq!(Width::s(16).wrap(32768), -32768);
        assert_eq!(Width::s(16).sat(40000), 32767);
        assert_eq!(Width::u(4).wrap(-1), 15);
        assert_eq!(Width::u(4).sat(-1), 0);
        assert_eq!(Width::s(64).wrap(i128::from(i64::MAX) + 1), i64::MIN);
        assert_eq!(Width::u(63).max(), i64::MAX);
        assert_eq!(Width::s(32).wrap(1i128 << 31), i32::MIN as i64);
        assert!(!Width::u(64).is_valid() && !Width::s(0).is_valid() && Width::s(64).is_valid());
        for (i, c) in InstrClass::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
    }
}
