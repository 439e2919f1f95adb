//! # neurochip-firmware
//!
//! The code every emulated core runs: `#![no_std]`, no allocator, fixed-point
//! only. It is the same crate a firmware developer tests on the host and the
//! cycle-level hardware model (`neurochip-hw`) executes on each core.
//!
//! - [`fixed`]: the integer operations real neuromorphic datapaths use
//!   (saturate, wrap, 12-bit multiplicative decay, shift decay with a minimum
//!   step, mantissa/exponent scaling, Q-format conversion).
//! - [`model`]: the [`NeuronModel`] trait, and [`models`]: its bit-exact
//!   implementations (Loihi CUBA LIF, Xylo IAF, SpiNNaker LIF, TrueNorth, and
//!   a configurable LIF).
//! - [`hal`]: one small trait per hardware resource a core touches (synapse
//!   memory, neuron memory, dendrite accumulators, spike in/out, work meter),
//!   each with a written contract, and [`fake`]: a counting fake on fixed
//!   arrays for tests and the no_std probe.
//! - [`runtime`]: the per-core program, generic over the HAL, split into
//!   units of work (one input spike's row, one neuron update) so the hardware
//!   model can charge each one its cycles and energy.
//! - [`queue`]: the per-core input inbox and spike-out queue, fixed capacity
//!   (`heapless`), overflow counted.
//! - [`rng`]: random streams keyed by (seed, core, neuron, step).
//! - [`learning`]: Loihi's learning engine (traces, epochs, sum-of-products
//!   rules, stochastic rounding with numpy's PCG64 streams), bit-exact with Lava.
//! - [`program`]: neuron programs — an instruction set this firmware
//!   interprets, metered per instruction class, runnable as a [`NeuronModel`].
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod fake;
pub mod fixed;
pub mod hal;
pub mod learning;
pub mod model;
pub mod models;
pub mod program;
pub mod queue;
pub mod rng;
pub mod runtime;

pub use model::{CoreMemory, ModelInfo, NeuronModel, StateBits};
pub use rng::NeuronRng;
