//! neurochip-learning: the host side of Loihi's learning engine.
//!
//! The firmware ([`neurochip_firmware::learning`]) runs a rule as plain
//! integer data; this crate produces that data and checks it:
//!
//! - [`parse`]: Lava's rule syntax (`"2^-2*x1*y0 - 2^-2*y1*x0"`) compiled into
//!   the firmware's [`Rule`](neurochip_firmware::learning::Rule), with one-line
//!   errors naming the update, the term and the reason;
//! - [`config`]: Lava's float parameters (impulses, taus, `t_epoch`) compiled
//!   into a [`LearningConfig`](neurochip_firmware::learning::LearningConfig);
//! - [`float`]: the float reference mode, Lava's floating-point learning model;
//! - [`oracle`]: the firmware engine's slow, obvious twin (float64 where Lava
//!   uses floats, wide integers elsewhere, dense matrices) for differential tests.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod float;
pub mod oracle;
pub mod parse;

pub use config::{compile, ConfigError, LearningSpec, TraceSpec};
pub use parse::{parse_rule, RuleSyntaxError};
