//! Neuron programs: a small instruction set the firmware interprets, so a
//! neuron model can be data (microcode, as on Loihi 2) instead of Rust.
//!
//! A [`Program`] is plain data with a const-generic instruction memory of
//! `N` words: the [`Instr`]uctions, a register [`Layout`] with a declared
//! [`Width`] per register, the accumulator [`Chan`]nels and the
//! [`Compartment`] tree. The host assembler (`neurochip-program`) writes it
//! from text; [`Program::check`] is the load-time check.
//!
//! # Registers
//!
//! - **state** (`sN`/`uN`, kept from step to step, per compartment),
//!   **parameters** (per neuron, read-only), **temporaries** (0 at the start
//!   of every update);
//! - **channels**: this step's accumulators, folded by the dendrite as the
//!   synaptic events arrive ([`Fold::Wrap`], [`Fold::Sat`], or
//!   [`Fold::Onto`] — saturating adds onto a register, in arrival order). A
//!   graded spike's payload reaches a channel already multiplied by the
//!   synaptic weight (the synaptic operation does that, as Lava's graded
//!   Dense does);
//! - **specials**: `refr` (refractory at step start), `jv`/`jc` (what the
//!   children of a compartment joined).
//!
//! # Operations and effects
//!
//! Every [`OpCode`] computes exactly in 128 bits and writes with a
//! [`Write`] mode: exact (proved to fit by the assembler), `.w` (wrap) or
//! `.s` (saturate) — the add/sub of a wrapping or a saturating datapath.
//! Effects: [`Instr::Emit`] (spikes with an optional payload),
//! [`Instr::Refract`], [`Instr::Out`] (a compartment's output value) and
//! [`Instr::Wr`] (write another compartment's register). Control flow is
//! forward jumps and bounded loops only, so every update terminates within
//! [`MAX_EXECUTED`] instructions.
//!
//! # Metering
//!
//! [`run`] calls an [`InstrMeter`] once per executed instruction with its
//! [`InstrClass`]; [`ProgramCost`] prices a [`ClassCounts`] in cycles and
//! energy per class (the architecture fills it).
//!
//! # As a model
//!
//! [`Interpreted`] implements [`crate::NeuronModel`] with
//! [`ProgramParams`] (a reference to the population's program + the
//! neuron's parameter values), [`ProgramState`] and [`ProgramAcc`], so a
//! program runs through the same runtime as the native models.
//! [`Interpreted::update_metered`] is the same update with a meter.
//!
//! The exact semantics of one update are in [`exec`].
pub mod acc;
pub mod exec;
pub mod image;
pub mod isa;
pub mod meter;
pub mod model;

pub use acc::{Cell, ProgramAcc};
pub use exec::{run, Output};
pub use image::{Chan, Compartment, Fault, Fold, Join, Layout, Program, Scale};
pub use isa::{
    Cond, Instr, InstrClass, OpCode, Src, Test, Width, Write, MAX_CHANS, MAX_COMPARTMENTS,
    MAX_EXECUTED, MAX_LOOP_BOUND, MAX_LOOP_DEPTH, MAX_PARAMS, MAX_REGS, MAX_STATE,
};
pub use meter::{ClassCounts, InstrMeter, NullMeter, ProgramCost, CLASSES};
pub use model::{Interpreted, ProgramParams, ProgramState, PAYLOAD_FIELD, REFRACTORY_FIELD};
