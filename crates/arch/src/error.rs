//! Errors of loading, parsing, validating and overriding an architecture.
//!
//! Every variant is a user error (a bad file, preset name or override), and
//! every `Display` is one line of the form `<origin>: <field>: <reason>` so a
//! CLI can print it as is and a user can find the offending key at once.

use std::path::PathBuf;

/// Why an architecture could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum ArchError {
    /// The file could not be read.
    #[error("{}: file: cannot read: {source}", path.display())]
    Io {
        /// File that was being read.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// TOML syntax error, unknown field, missing field or wrong type.
    #[error("{origin}: {field}: {reason}")]
    Parse {
        /// File name or `preset:NAME`.
        origin: String,
        /// Dotted key path (`core.synapse_memory.weight_bits`), or `line N` when the
        /// syntax is broken before any key could be named.
        field: String,
        /// What is wrong, including the line number when known.
        reason: String,
    },
    /// The description parsed but breaks a range or cross-field rule.
    #[error("{origin}: {field}: {reason}")]
    Invalid {
        /// File name or `preset:NAME` (plus overrides).
        origin: String,
        /// Dotted key path of the offending field.
        field: String,
        /// The value, the rule it breaks and, where useful, what would be valid.
        reason: String,
    },
    /// `preset(name)` with a name that is not built in.
    #[error("preset:{name}: name: unknown preset (known: {})", known.join(", "))]
    UnknownPreset {
        /// The requested name.
        name: String,
        /// Every built-in preset name, in listing order.
        known: Vec<String>,
    },
    /// A `NAME:field=value` override that cannot be applied.
    #[error("{origin}: {field}: bad override: {reason}")]
    BadOverride {
        /// The spec being resolved.
        origin: String,
        /// The override's dotted path as written.
        field: String,
        /// Why it was refused.
        reason: String,
    },
}

impl ArchError {
    /// All architecture errors come from user input (never from a bug), so a CLI
    /// should print them without a backtrace and exit with a usage error code.
    pub fn is_user_error(&self) -> bool {
        true
    }

    /// The dotted field the error is about, for tests and tools that highlight it.
    pub fn field(&self) -> &str {
        match self {
            ArchError::Io { .. } => "file",
            ArchError::Parse { field, .. }
            | ArchError::Invalid { field, .. }
            | ArchError::BadOverride { field, .. } => field,
            ArchError::UnknownPreset { .. } => "name",
        }
    }
}

/// Shorthand used by the validation rules.
pub(crate) fn invalid(origin: &str, field: &str, reason: impl Into<String>) -> ArchError {
    ArchError::Invalid {
        origin: origin.to_string(),
        field: field.to_string(),
        reason: reason.into(),
    }
}
