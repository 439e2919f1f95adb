//! The one error type of the crate: every variant renders as one line that
//! names the file (or graph), the node or field, and the reason.

use std::path::PathBuf;

/// Everything that can go wrong importing, simulating or converting a NIR graph.
#[derive(Debug, thiserror::Error)]
pub enum NirError {
    /// The file could not be opened or read at all.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// File being read.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The HDF5 container is corrupt or truncated (the reader refused it).
    #[error("{}: not a readable NIR/HDF5 file ({what}): {reason}", path.display())]
    Corrupt {
        /// File being read.
        path: PathBuf,
        /// HDF5 object being read when it failed.
        what: String,
        /// Reader's reason.
        reason: String,
    },
    /// A node lacks a field NIR requires (and that has no default).
    #[error("{}: node `{node}`: missing field `{field}`", path.display())]
    MissingField {
        /// File being read.
        path: PathBuf,
        /// Node path inside the graph (`sub.lif1`).
        node: String,
        /// Field name.
        field: String,
    },
    /// A field is present but unusable (wrong type, negative size, ...).
    #[error("{}: node `{node}`: field `{field}`: {reason}", path.display())]
    BadField {
        /// File being read.
        path: PathBuf,
        /// Node path.
        node: String,
        /// Field name.
        field: String,
        /// What is wrong.
        reason: String,
    },
    /// A node type this importer does not know.
    #[error("{}: node `{node}`: unknown node type `{kind}`", path.display())]
    UnknownType {
        /// File being read.
        path: PathBuf,
        /// Node path.
        node: String,
        /// The type string found.
        kind: String,
    },
    /// An edge names a node that does not exist.
    #[error("graph `{graph}`: edge `{from}` -> `{to}`: no node `{missing}`")]
    MissingNode {
        /// Graph (file stem or nested graph path).
        graph: String,
        /// Edge source.
        from: String,
        /// Edge target.
        to: String,
        /// The name that resolves to nothing.
        missing: String,
    },
    /// Shapes along an edge or inside a node do not agree.
    #[error("node `{node}`: shape mismatch: {reason}")]
    Shape {
        /// Node path.
        node: String,
        /// What disagrees.
        reason: String,
    },
    /// Shapes disagree in a file being loaded.
    #[error("{}: node `{node}`: shape mismatch: {reason}", path.display())]
    FileShape {
        /// File being read.
        path: PathBuf,
        /// Node path.
        node: String,
        /// What disagrees.
        reason: String,
    },
    /// The graph is well-formed NIR but cannot be expressed on the chip (or simulated).
    #[error("node `{node}` ({kind}): unsupported: {reason}")]
    Unsupported {
        /// Node path.
        node: String,
        /// Node type.
        kind: String,
        /// Why.
        reason: String,
    },
    /// A row of an input-spike file is malformed or out of range.
    #[error("{}: line {line}: {reason}", path.display())]
    Input {
        /// Input file.
        path: PathBuf,
        /// 1-based line (0 for whole-file problems such as a bad .npy header).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// Input spikes that do not fit the graph (unknown node, index out of range).
    #[error("input spikes: node `{node}`: {reason}")]
    InputMismatch {
        /// Input node named by the spikes.
        node: String,
        /// What is wrong.
        reason: String,
    },
    /// Chip spikes handed to [`crate::readout`] that do not fit the conversion.
    #[error("chip spikes: population `{population}`: {reason}")]
    Readout {
        /// Population named by the spikes.
        population: String,
        /// What is wrong.
        reason: String,
    },
    /// Bad argument (dt ≤ 0, zero steps, ...).
    #[error("{what}: {reason}")]
    Argument {
        /// Argument name.
        what: String,
        /// What is wrong.
        reason: String,
    },
}
