//! The one error type of the crate.
//!
//! Every variant renders as ONE line that starts with where the problem is
//! (file or built-in spec), then the field path, then the reason, so a user
//! can fix a network without reading a backtrace.

/// Why a network could not be loaded, validated or expanded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NetError {
    /// A semantically invalid value (the document parsed fine).
    #[error("{origin}: {field}: {reason}")]
    Invalid {
        /// File path or built-in spec the network came from.
        origin: String,
        /// Field path such as `populations[1].size`.
        field: String,
        /// What is wrong, in words.
        reason: String,
    },
    /// TOML / JSON syntax or shape error reported by the deserialiser.
    #[error("{origin}: {location}: {reason}")]
    Syntax {
        /// File path (or `<string>`).
        origin: String,
        /// Human location: enclosing table (when known) and `line L, column C`.
        location: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// Deserialiser message.
        reason: String,
    },
    /// A file could not be read.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// OS error text.
        reason: String,
    },
    /// The file extension names no format this crate reads.
    #[error("{origin}: unsupported network format {ext:?} (expected .toml or .json)")]
    UnsupportedFormat {
        /// The file.
        origin: String,
        /// Its extension (empty when none).
        ext: String,
    },
    /// A bad row in a spike CSV file.
    #[error("{path}: line {line}: {reason}")]
    Csv {
        /// The CSV file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the row.
        reason: String,
    },
    /// `builtin:NAME` with a NAME that does not exist.
    #[error("builtin:{name}: unknown built-in network (have: {have})")]
    UnknownBuiltin {
        /// The requested name.
        name: String,
        /// Comma-separated list of known names.
        have: String,
    },
    /// A built-in parameter that is unknown or has a bad value.
    #[error("builtin:{builtin}: params.{param}: {reason}")]
    BuiltinParam {
        /// Built-in name.
        builtin: String,
        /// Parameter name.
        param: String,
        /// What is wrong.
        reason: String,
    },
}

impl NetError {
    /// Shorthand for [`NetError::Invalid`].
    pub fn invalid(origin: &str, field: impl Into<String>, reason: impl Into<String>) -> Self {
        NetError::Invalid {
            origin: origin.to_string(),
            field: field.into(),
            reason: one_line(&reason.into()),
        }
    }
}

/// Collapse any multi-line message so Display stays one line.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
