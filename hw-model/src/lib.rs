//! # neurochip-hw
//!
//! The cycle-level chip: cores running the firmware runtime, spike routers, links, counters
//! and energy. See `docs/architecture.md` for the pipeline, the per-cycle order and the
//! timestep semantics.
//!
//! - [`chip`]: [`Chip`] (firmware cores) and the generic [`chip::Engine`] with its cycle loop.
//! - [`core`]: the [`core::CoreModel`] seam, [`core::FirmwareCore`] and the
//!   [`core::TrafficCore`] test fake.
//! - [`noc`]: routers, links, wormhole flow control.
//! - [`counters`], [`energy`], [`error`].
#![warn(missing_docs)]

pub mod chip;
pub mod core;
pub mod counters;
mod due;
pub mod energy;
pub mod error;
pub mod image;
pub mod noc;

pub use chip::{Chip, Engine, EngineOptions, StepStats};
pub use counters::Counters;
pub use energy::EnergyReport;
pub use error::HwError;
