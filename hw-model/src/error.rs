//! Errors of the hardware model. Each renders as one line naming the core, router or field.

use thiserror::Error;

/// Why the chip refused an image or stopped.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum HwError {
    /// The image does not fit the architecture (counts, ids, table sizes).
    #[error("bad chip image: {}field {field}: {reason}", core.map(|c| format!("core {c}: ")).unwrap_or_default())]
    BadImage {
        /// Offending core (None for image-wide fields).
        core: Option<u32>,
        /// Field of `CoreImage`/`ChipImage`.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A multicast routing table is invalid.
    #[error("bad routing table: router {router}: {reason}")]
    BadRouterTable {
        /// Router (tile id).
        router: u32,
        /// What is wrong.
        reason: String,
    },
    /// The architecture has values the hardware model cannot run.
    #[error("bad architecture: field {field}: {reason}")]
    BadArch {
        /// Architecture field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Nothing moved for too long while work was pending: the network (or a core) is stuck.
    #[error("deadlock in step {step} at cycle {cycle}: no progress for {idle_cycles} cycles with {in_flight} flits in flight; {detail}")]
    Deadlock {
        /// Timestep.
        step: u32,
        /// Absolute cycle of detection.
        cycle: u64,
        /// Cycles without progress.
        idle_cycles: u64,
        /// Flits still in the network.
        in_flight: u64,
        /// Which components still had work.
        detail: String,
    },
}
