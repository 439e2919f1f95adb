//! # neurochip-hw
//!
//! The cycle-level chip.
pub mod image;
