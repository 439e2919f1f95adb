//! `neurochip`: run, map, inspect and benchmark spiking networks on emulated
//! neuromorphic chips. See the README and `docs/` for the user guide.

mod bench;
mod cmd_nir;
mod cmd_run;
mod sweep;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit code for bad input (malformed file, impossible mapping).
const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for a check that ran and failed (trace mismatch).
const EXIT_CHECK_FAILED: u8 = 1;

#[derive(Parser)]
#[command(
    name = "neurochip",
    version,
    about = "Cycle-level emulator of digital neuromorphic chips"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Map a network onto a chip, run it cycle by cycle and report (no arguments: the embedded default).
    Run(cmd_run::RunArgs),
    /// Map a network onto a chip and print the mapping report only.
    Map(cmd_run::MapArgs),
    /// Architecture presets and files.
    Arch {
        #[command(subcommand)]
        command: ArchCommand,
    },
    /// Network files and built-in workloads.
    Net {
        #[command(subcommand)]
        command: NetCommand,
    },
    /// Replay reference traces (Lava LIF/Dense, learning and sigma-delta scenarios, Xylo layer traces) through the firmware models.
    TraceCheck {
        /// Run the models as the shipped neuron programs instead of natively.
        #[arg(long)]
        as_program: bool,
        /// Trace files (JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run the standard benchmark workloads and print a table.
    Bench(bench::BenchArgs),
    /// Run one network over a grid of architecture overrides and print a row per design point.
    Sweep(sweep::SweepArgs),
}

#[derive(Subcommand)]
enum ArchCommand {
    /// List the built-in presets.
    List,
    /// Print a preset's (or a file's) full TOML.
    Show {
        /// Preset name, file, or `NAME:field=value,...`.
        spec: String,
    },
    /// Validate an architecture file or spec.
    Validate {
        /// Preset name, file, or `NAME:field=value,...`.
        spec: String,
    },
}

#[derive(Subcommand)]
enum NetCommand {
    /// List the built-in workloads with their parameters and defaults.
    List,
    /// Validate a network file or built-in spec and print its size.
    Validate {
        /// File (.toml/.json) or `builtin:NAME[:k=v,...]`.
        spec: String,
    },
}

/// Placement strategy names on the command line.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StrategyArg {
    /// Fill cores in order.
    Sequential,
    /// Spread neurons evenly over all cores.
    Block,
    /// Reduce synapse hops.
    Greedy,
}

/// Die quietly on a closed pipe (`neurochip net list | head`) like other Unix tools,
/// instead of panicking inside `println!`.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first in main, before any thread exists; SIG_DFL is a valid disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// The error and its causes on one line, leaving out a cause the message already quotes.
fn one_line(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if msg.is_empty() {
            msg = text;
        } else if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
    }
    msg
}

fn dispatch(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Run(args) => cmd_run::run(args),
        Command::Map(args) => cmd_run::map(args),
        Command::Arch { command } => arch(command),
        Command::Net { command } => net(command),
        Command::TraceCheck { as_program, files } => trace_check(&files, as_program),
        Command::Bench(args) => bench::bench(args),
        Command::Sweep(args) => sweep::sweep(args),
    }
}

fn arch(cmd: ArchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ArchCommand::List => {
            println!(
                "{:<14} {:>6} {:>8} {:>16}  description",
                "preset", "cores", "neurons", "model"
            );
            for name in neurochip_arch::preset_names() {
                let a = neurochip_arch::preset(name)?;
                println!(
                    "{:<14} {:>6} {:>8} {:>16}  {}",
                    name,
                    a.total_cores(),
                    u64::from(a.total_cores()) * u64::from(a.core.neurons),
                    a.core.model.name(),
                    a.description
                );
            }
        }
        ArchCommand::Show { spec } => {
            // A bare preset name prints the embedded file, comments and sources included.
            match neurochip_arch::preset_source(&spec) {
                Some(src) => print!("{src}"),
                None => {
                    let a = neurochip_arch::resolve(&spec)?;
                    print!("{}", neurochip_arch::to_toml(&a)?);
                }
            }
        }
        ArchCommand::Validate { spec } => {
            let a = neurochip_arch::resolve(&spec)?;
            println!(
                "{spec}: ok ({}: {} chips, {} tiles, {} cores, {} neurons)",
                a.name,
                a.chips(),
                a.total_tiles(),
                a.total_cores(),
                u64::from(a.total_cores()) * u64::from(a.core.neurons)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn net(cmd: NetCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        NetCommand::List => {
            for b in neurochip_net::builtins() {
                println!("builtin:{}  {}", b.name, b.description);
                for p in b.params {
                    println!("    {:<10} = {:<8} {}", p.name, p.default, p.description);
                }
            }
        }
        NetCommand::Validate { spec } => {
            let n = neurochip_net::resolve(&spec)?;
            let e = neurochip_net::expand::expand(&n)?;
            println!(
                "{spec}: ok ({} populations, {} neurons, {} synapses)",
                n.populations.len(),
                e.n,
                e.synapses()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn trace_check(files: &[PathBuf], as_program: bool) -> anyhow::Result<ExitCode> {
    let backend = if as_program {
        neurochip_trace::Backend::Program
    } else {
        neurochip_trace::Backend::Native
    };
    let mut failed = false;
    for f in files {
        let results = neurochip_trace::check_file_with(f, backend)?;
        for r in &results {
            println!("{}: {r}", f.display());
            failed |= r.mismatch.is_some();
        }
    }
    Ok(if failed {
        ExitCode::from(EXIT_CHECK_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}
