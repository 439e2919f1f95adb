//! The interpreter: one neuron update of a [`Program`].
//!
//! # One update, in this order
//!
//! 1. **Refractory latch**: `refr = refractory > 0`; if so, `refractory -= 1`.
//! 2. **Register file**: state registers from the neuron's state, parameters
//!    from its parameter values, temporaries 0.
//! 3. **Compartments in order** (children before parents): each runs its code
//!    with the join inputs its children left (`jv`, `jc`); afterwards its
//!    spike condition is cleared if a `gate` child did not fire, and it joins
//!    its parent with its join operation (one [`InstrClass::Join`] each).
//! 4. **Write-back**: state registers back to the state; the root's emit
//!    becomes the neuron's spikes and payload (payload 0 when silent).
//!
//! Every operation computes exactly in 128 bits and writes through its
//! [`Write`] mode, so no operation overflows and none panics; indices out of
//! range read 0 and write nowhere; at most [`MAX_EXECUTED`] instructions run.

use crate::fixed::{decay12, shift_decay};
use crate::rng::NeuronRng;

use super::acc::ProgramAcc;
use super::image::{Compartment, Join, Layout, Program};
use super::isa::{
    Instr, InstrClass, OpCode, Src, Test, Write, MAX_COMPARTMENTS, MAX_EXECUTED, MAX_LOOP_DEPTH,
    MAX_PARAMS, MAX_REGS,
};
use super::meter::InstrMeter;
use super::model::ProgramState;

/// What a neuron emitted in one update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Spike count (0 = silent).
    pub spikes: u8,
    /// Graded payload of the spikes (0 when silent).
    pub payload: i32,
}

/// The join inputs one compartment receives from its children.
#[derive(Clone, Copy, Debug)]
struct JoinIn {
    value: i64,
    has_value: bool,
    cond: bool,
    has_cond: bool,
    gate: bool,
}

impl Default for JoinIn {
    fn default() -> Self {
        JoinIn {
            value: 0,
            has_value: false,
            cond: false,
            has_cond: false,
            gate: true,
        }
    }
}

/// What one compartment produced.
#[derive(Clone, Copy, Debug, Default)]
struct CompOut {
    emit: Output,
    value: i64,
}

/// The machine state of one update.
struct Machine<'a, const N: usize> {
    prog: &'a Program<N>,
    params: &'a [i64; MAX_PARAMS],
    file: [i64; MAX_REGS],
    acc: &'a ProgramAcc,
    refr: bool,
    refractory: u16,
    fuel: u32,
}

/// Run one update of `prog` for one neuron; `meter` sees every executed instruction.
pub fn run<const N: usize, M: InstrMeter>(
    prog: &Program<N>,
    params: &[i64; MAX_PARAMS],
    state: &mut ProgramState,
    acc: &ProgramAcc,
    rng: &mut NeuronRng,
    meter: &mut M,
) -> Output {
    let refr = state.refractory > 0;
    let mut m = Machine {
        prog,
        params,
        file: [0; MAX_REGS],
        acc,
        refr,
        refractory: state.refractory.saturating_sub(u16::from(refr)),
        fuel: MAX_EXECUTED,
    };
    m.load(state);
    let mut joins = [JoinIn::default(); MAX_COMPARTMENTS];
    let mut root = Output::default();
    for (i, c) in prog.comps.iter().enumerate() {
        let jin = joins.get(i).copied().unwrap_or_default();
        let mut out = m.compartment(c, &jin, rng, meter);
        if !jin.gate {
            out.emit = Output::default();
        }
        match c.parent.and_then(|p| joins.get_mut(usize::from(p))) {
            Some(parent) => {
                meter.count(InstrClass::Join);
                join(parent, c.join, &out);
            }
            None => root = out.emit,
        }
    }
    let ns = usize::from(prog.layout.n_state).min(state.regs.len());
    state.regs[..ns].copy_from_slice(&m.file[..ns]);
    state.refractory = m.refractory;
    if root.spikes == 0 {
        root.payload = 0;
    }
    state.payload = root.payload;
    root
}

/// Combine one child's outputs into its parent's join inputs.
fn join(parent: &mut JoinIn, op: Join, child: &CompOut) {
    let fired = child.emit.spikes > 0;
    let v = child.value;
    match op {
        Join::Add => {
            parent.value = parent.value.saturating_add(v);
            parent.has_value = true;
        }
        Join::Pass => {
            if fired {
                parent.value = parent.value.saturating_add(v);
                parent.has_value = true;
            }
        }
        Join::Min | Join::Max => {
            parent.value = match (parent.has_value, op) {
                (false, _) => v,
                (true, Join::Min) => parent.value.min(v),
                (true, _) => parent.value.max(v),
            };
            parent.has_value = true;
        }
        Join::And | Join::Or => {
            parent.cond = match (parent.has_cond, op) {
                (false, _) => fired,
                (true, Join::And) => parent.cond && fired,
                (true, _) => parent.cond || fired,
            };
            parent.has_cond = true;
        }
        Join::Gate => parent.gate &= fired,
    }
}

impl<const N: usize> Machine<'_, N> {
    fn layout(&self) -> &Layout {
        &self.prog.layout
    }

    fn load(&mut self, state: &ProgramState) {
        let l = *self.layout();
        let ns = usize::from(l.n_state).min(state.regs.len());
        self.file[..ns].copy_from_slice(&state.regs[..ns]);
        let np = usize::from(l.n_param).min(MAX_PARAMS);
        let end = (ns + np).min(MAX_REGS);
        self.file[ns..end].copy_from_slice(&self.params[..end - ns]);
    }

    fn read(&self, s: Src, jin: &JoinIn) -> i64 {
        match s {
            Src::Reg(r) => self.file.get(usize::from(r)).copied().unwrap_or(0),
            Src::Imm(k) => i64::from(k),
            Src::Chan(k) => self.acc.cells.get(usize::from(k)).map_or(0, |c| c.value()),
            Src::Refr => i64::from(self.refr),
            Src::JoinValue => jin.value,
            Src::JoinCond => i64::from(jin.cond),
        }
    }

    fn test(&self, t: &Test, jin: &JoinIn) -> bool {
        t.cond.holds(self.read(t.a, jin), self.read(t.b, jin))
    }

    fn write(&mut self, dst: u8, v: i128, mode: Write) {
        if !self.layout().writable(dst) {
            return;
        }
        let w = self.layout().widths[usize::from(dst)];
        self.file[usize::from(dst)] = match mode {
            Write::Exact | Write::Wrap => w.wrap(v),
            Write::Sat => w.sat(v),
        };
    }

    /// Run one compartment's code range.
    fn compartment<M: InstrMeter>(
        &mut self,
        c: &Compartment,
        jin: &JoinIn,
        rng: &mut NeuronRng,
        meter: &mut M,
    ) -> CompOut {
        let mut out = CompOut::default();
        let mut counters = [0u16; MAX_LOOP_DEPTH];
        let end = usize::from(c.end).min(self.prog.code.len());
        let mut pc = usize::from(c.start);
        while pc < end && self.fuel > 0 {
            self.fuel -= 1;
            let ins = self.prog.code[pc];
            meter.count(ins.class());
            pc = match self.step(&ins, jin, &mut out, &mut counters, rng) {
                Some(target) => target,
                None => pc + 1,
            };
        }
        out
    }

    /// Execute one instruction; returns the jump target if it jumps.
    fn step(
        &mut self,
        ins: &Instr,
        jin: &JoinIn,
        out: &mut CompOut,
        counters: &mut [u16; MAX_LOOP_DEPTH],
        rng: &mut NeuronRng,
    ) -> Option<usize> {
        match *ins {
            Instr::Op {
                op,
                dst,
                src,
                write,
            } => {
                let v = self.compute(op, &src, jin);
                self.write(dst, v, write);
            }
            Instr::Rand { dst, bits } => {
                let b = u32::from(bits.clamp(1, 32));
                let draw = rng.next_u32() >> (32 - b);
                self.write(dst, i128::from(draw), Write::Wrap);
            }
            Instr::Emit { count, payload } => {
                out.emit = Output {
                    spikes: self.read(count, jin).clamp(0, 255) as u8,
                    payload: self.read(payload, jin) as i32,
                };
            }
            Instr::Refract { steps } => {
                self.refractory = self.read(steps, jin).clamp(0, i64::from(u16::MAX)) as u16;
            }
            Instr::Out { value } => out.value = self.read(value, jin),
            Instr::Wr { dst, src } => {
                if dst < self.layout().n_state {
                    let v = self.read(src, jin);
                    self.write(dst, i128::from(v), Write::Wrap);
                }
            }
            Instr::JumpUnless { test, target } => {
                if !self.test(&test, jin) {
                    return Some(usize::from(target));
                }
            }
            Instr::JumpIf { test, target } => {
                if self.test(&test, jin) {
                    return Some(usize::from(target));
                }
            }
            Instr::Jump { target } => return Some(usize::from(target)),
            Instr::Loop { bound, end, depth } => {
                if let Some(k) = counters.get_mut(usize::from(depth)) {
                    *k = 0;
                }
                if bound == 0 {
                    return Some(usize::from(end));
                }
            }
            Instr::Next { start, depth } => {
                let bound = match self.prog.code.get(usize::from(start)) {
                    Some(Instr::Loop { bound, .. }) => *bound,
                    _ => 0,
                };
                let k = counters.get_mut(usize::from(depth))?;
                *k = k.saturating_add(1);
                if *k < bound {
                    return Some(usize::from(start) + 1);
                }
            }
        }
        None
    }

    /// The exact result of a computing operation.
    fn compute(&self, op: OpCode, src: &[Src; 3], jin: &JoinIn) -> i128 {
        if op == OpCode::Fold {
            let x = self.read(src[1], jin);
            return match src[0] {
                Src::Chan(k) => {
                    i128::from(self.acc.cells.get(usize::from(k)).map_or(x, |c| c.apply(x)))
                }
                _ => i128::from(x),
            };
        }
        let a = i128::from(self.read(src[0], jin));
        let b = i128::from(self.read(src[1], jin));
        let c = i128::from(self.read(src[2], jin));
        alu(op, a, b, c)
    }
}

/// `a * 2^k` for `k` clamped to 0..=64 (exact for 64-bit `a`).
fn shl(a: i128, k: i128) -> i128 {
    a << k.clamp(0, 64)
}

/// `floor(a / 2^k)` for `k` clamped to 0..=127.
fn shr(a: i128, k: i128) -> i128 {
    a >> k.clamp(0, 127)
}

/// The arithmetic of every operation but `Fold`, on 64-bit operands widened to 128 bits.
fn alu(op: OpCode, a: i128, b: i128, c: i128) -> i128 {
    let (a64, b64) = (a as i64, b as i64);
    match op {
        OpCode::Mov | OpCode::Fold => a,
        OpCode::Neg => -a,
        OpCode::Abs => a.abs(),
        OpCode::Not => i128::from(!a64),
        OpCode::Add => a + b,
        OpCode::Sub => a - b,
        OpCode::Mul => a * b,
        OpCode::MulShr => (a * b) >> c.clamp(0, 126),
        OpCode::Min => a.min(b),
        OpCode::Max => a.max(b),
        OpCode::Clamp => b.max(a.min(c)),
        OpCode::And => i128::from(a64 & b64),
        OpCode::Or => i128::from(a64 | b64),
        OpCode::Xor => i128::from(a64 ^ b64),
        OpCode::Shl => shl(a, b),
        OpCode::Shr => shr(a, b),
        OpCode::Ash => {
            if b >= 0 {
                shl(a, b)
            } else {
                shr(a, -b)
            }
        }
        OpCode::Decay12 => i128::from(decay12(a64, b.clamp(0, 4096) as u32)),
        OpCode::ShiftDecay => i128::from(shift_decay(a64, b.clamp(0, 63) as u32)),
        OpCode::Cmp(cond) => i128::from(cond.holds(a64, b64)),
        OpCode::Sel => {
            if a != 0 {
                b
            } else {
                c
            }
        }
    }
}
