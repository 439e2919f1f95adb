//! # neurochip-arch
//!
//! Architecture descriptions (TOML), validation and built-in presets.
pub mod geometry;
pub mod schema;

pub use schema::Architecture;
