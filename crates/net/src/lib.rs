//! # neurochip-net
//!
//! Network descriptions, built-in workloads and their expansion into synapses.
pub mod schema;
