//! # neurochip-arch
//!
//! Architecture descriptions (TOML), validation and built-in presets.
pub mod schema;
