//! `neurochip run --net model.nir`: NIR graphs on the chip or in the float reference.

use std::process::ExitCode;

use crate::cmd_run::RunArgs;

/// Run a `.nir` network.
pub fn run_nir(args: &RunArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("{}: NIR import is being wired in", args.map.net)
}
