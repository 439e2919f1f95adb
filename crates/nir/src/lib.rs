//! neurochip-nir: import NIR graphs (the Neuromorphic Intermediate
//! Representation written by snnTorch, Norse, Rockpool, Sinabs, ...) so a
//! network trained elsewhere runs on the emulated chip.
//!
//! Three steps: [`load`] reads a `.nir` file (pure-Rust HDF5, no system
//! library), [`float_reference`] simulates it in float64 by the documented
//! convention (what the chip is compared against), and [`to_network`] turns
//! it into a [`neurochip_net::schema::Network`] plus an [`OutputMap`] that
//! says where each Output element lives on the chip and how many steps of
//! latency the chip adds. [`readout`] turns the chip's spikes back into
//! Output rows. See `docs/nir.md` for every convention and choice.

#![warn(missing_docs)]

mod convert;
mod error;
mod flat;
mod graph;
mod io;
mod ops;
mod sim;

pub use convert::{
    compare, psc_coupling, readout, to_network, to_network_with, Comparison, ConversionReport,
    ConvertOptions, Converted, LayerMap, OutputMap, OutputSource, PopulationReport,
    BIAS_POPULATION,
};
pub use error::NirError;
pub use graph::{load, load_bytes, Array, NirGraph, Node, Padding};
pub use io::{read_input, write_outputs_csv, InputSpikes, OutputRow};
pub use sim::{float_reference, FloatRun, NodeTrace};
