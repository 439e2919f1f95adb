//! # neurochip-net
//!
//! Network descriptions, built-in workloads and their expansion into synapses.
//!
//! The flow is `resolve`/`load`/`parse` → [`Network`] (validated) →
//! [`expand()`] → [`Expanded`] (CSR by source), plus [`initial_values`] and
//! [`stimulus_spikes`] so downstream crates never re-derive random draws.
#![warn(missing_docs)]

pub mod builtins;
pub mod csv;
pub mod error;
pub mod expand;
pub mod load;
pub mod schema;
pub mod validate;

pub use builtins::{builtin, builtins, reference_rate_hz, BuiltinInfo, ParamInfo};
pub use csv::{parse_spike_csv, read_spike_csv};
pub use error::NetError;
pub use expand::{
    expand, expand_in, initial_values, model_param_values, poisson_inputs, pop_ranges,
    stimulus_spikes, Expanded, HostInput, PoissonInput, PopNeurons, PopRange, ProjectionEnds,
    Values,
};
pub use load::{load, parse, resolve, Format};
pub use schema::*;
