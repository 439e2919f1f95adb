//! # neurochip-arch
//!
//! Architecture descriptions (TOML), validation and built-in presets.
//!
//! Entry points: [`parse`] (text), [`load`] (file), [`preset`] (built in) and
//! [`resolve()`], which is what a command line takes: a preset name or a `.toml`
//! path, optionally followed by `:field.path=value,...` overrides for parameter
//! sweeps. Every path ends in [`Architecture::validate`], so a returned
//! architecture is always one the emulator can build.
#![warn(missing_docs)]

pub mod error;
pub mod geometry;
pub mod model;
pub mod presets;
pub mod resolve;
pub mod schema;
pub mod validate;

use std::path::Path;

pub use error::ArchError;
pub use presets::{preset, preset_names, preset_source};
pub use resolve::resolve;
pub use schema::Architecture;

/// Parses and validates an architecture from TOML text; `origin` (a file name
/// or `preset:NAME`) starts every error message.
pub fn parse(src: &str, origin: &str) -> Result<Architecture, ArchError> {
    let arch = deserialize_str(src, origin)?;
    arch.validate(origin)?;
    Ok(arch)
}

/// Reads, parses and validates an architecture file.
pub fn load(path: &Path) -> Result<Architecture, ArchError> {
    let src = std::fs::read_to_string(path).map_err(|source| ArchError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&src, &path.display().to_string())
}

/// Serialises an architecture back to TOML (every field, defaults included),
/// so `arch show` of an overridden spec prints a file that `load` accepts and
/// that reproduces the same architecture exactly.
pub fn to_toml(arch: &Architecture) -> Result<String, ArchError> {
    toml::to_string(arch).map_err(|e| ArchError::Invalid {
        origin: arch.name.clone(),
        field: "(top level)".into(),
        reason: format!("cannot serialise to TOML: {e}"),
    })
}

/// Deserialises without validating, keeping spans so errors carry line numbers.
pub(crate) fn deserialize_str(src: &str, origin: &str) -> Result<Architecture, ArchError> {
    let de = toml::Deserializer::new(src);
    serde_path_to_error::deserialize(de).map_err(|e| parse_error(origin, Some(src), e))
}

/// Deserialises a (possibly overridden) TOML tree without validating.
pub(crate) fn deserialize_value(
    value: toml::Value,
    origin: &str,
) -> Result<Architecture, ArchError> {
    serde_path_to_error::deserialize(value).map_err(|e| parse_error(origin, None, e))
}

/// Turns a serde/toml error into one line naming the dotted key and, when the
/// source text is known, the line.
pub(crate) fn parse_error(
    origin: &str,
    src: Option<&str>,
    e: serde_path_to_error::Error<toml::de::Error>,
) -> ArchError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    let message = inner.message().trim().replace('\n', " ");
    let mut field = if path == "." || path.is_empty() {
        String::new()
    } else {
        path
    };
    // serde names a missing or unknown key only in the message; put it in the path.
    for prefix in ["missing field `", "unknown field `"] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some(name) = rest.split('`').next() {
                let already = field == name || field.ends_with(&format!(".{name}"));
                if !already {
                    field = if field.is_empty() {
                        name.to_string()
                    } else {
                        format!("{field}.{name}")
                    };
                }
            }
        }
    }
    let line = match (src, inner.span()) {
        (Some(src), Some(span)) => {
            let at = span.start.min(src.len());
            Some(src[..at].bytes().filter(|&b| b == b'\n').count() + 1)
        }
        _ => None,
    };
    let reason = match line {
        Some(l) if !field.is_empty() => format!("{message} (line {l})"),
        _ => message,
    };
    if field.is_empty() {
        field = match line {
            Some(l) => format!("line {l}"),
            None => "(top level)".to_string(),
        };
    }
    ArchError::Parse {
        origin: origin.to_string(),
        field,
        reason,
    }
}
