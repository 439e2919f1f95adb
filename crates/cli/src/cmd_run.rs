//! `neurochip run` and `neurochip map`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::StrategyArg;

/// The embedded default: what `neurochip run` does with no arguments.
pub const DEFAULT_ARCH: &str = "default";
/// The embedded default network.
pub const DEFAULT_NET: &str = "builtin:brunel";
/// Steps when `--steps` is not given (1 s of biological time at dt = 1 ms).
pub const DEFAULT_STEPS: u32 = 1000;

/// Options shared by `run` and `map`.
#[derive(Args, Clone)]
pub struct MapArgs {
    /// Architecture: a preset name, a TOML file, or `NAME:field.path=value,...`.
    #[arg(long, default_value = DEFAULT_ARCH)]
    pub arch: String,
    /// Network: a TOML/JSON file, a `.nir` file, or `builtin:NAME[:k=v,...]`.
    #[arg(long, default_value = DEFAULT_NET)]
    pub net: String,
    /// Placement strategy.
    #[arg(long, value_enum, default_value = "sequential")]
    pub strategy: StrategyArg,
    /// Override the network's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Write `mapping.json` (and, for `run`, `report.json`, `spikes.csv`, probes) into this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `run`.
#[derive(Args, Clone)]
pub struct RunArgs {
    #[command(flatten)]
    pub map: MapArgs,
    /// Timesteps to simulate (default 1000; for a `.nir` network, the input's length).
    #[arg(long)]
    pub steps: Option<u32>,
    /// Host worker threads (results are identical for every value).
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Input spike trains for a `.nir` network (CSV `step,node,index,value` or `.npy`).
    #[arg(long)]
    pub input: Option<PathBuf>,
    /// Timestep for a `.nir` network, e.g. `1ms` or `0.5ms`.
    #[arg(long, default_value = "1ms")]
    pub dt: String,
    /// Run a `.nir` network in f64 with NIR's reference convention instead of on the chip.
    #[arg(long)]
    pub float_reference: bool,
}

pub(crate) fn strategy(s: StrategyArg) -> neurochip_mapper::Strategy {
    match s {
        StrategyArg::Sequential => neurochip_mapper::Strategy::Sequential,
        StrategyArg::Block => neurochip_mapper::Strategy::Block,
        StrategyArg::Greedy => neurochip_mapper::Strategy::Greedy,
    }
}

fn base_dir(spec: &str) -> PathBuf {
    let p = Path::new(spec);
    match p.parent() {
        Some(d) if !spec.starts_with("builtin:") && !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn is_nir(spec: &str) -> bool {
    spec.to_ascii_lowercase().ends_with(".nir")
}

/// A progress bar that appears only once a run has lasted a second.
pub(crate) struct Progress {
    bar: ProgressBar,
    start: Instant,
    shown: bool,
    quiet: bool,
}

impl Progress {
    pub(crate) fn new(total: u64, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} steps  {per_sec}  eta {eta}",
            )
            .expect("static template"),
        );
        Progress {
            bar,
            start: Instant::now(),
            shown: false,
            quiet,
        }
    }

    pub(crate) fn set(&mut self, done: u64) {
        if !self.quiet && !self.shown && self.start.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        self.bar.set_position(done);
    }

    pub(crate) fn finish(&self) {
        if self.shown {
            self.bar.finish_and_clear();
        }
    }
}

/// `neurochip run`.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    if is_nir(&args.map.net) {
        return crate::cmd_nir::run_nir(&args);
    }
    let arch = neurochip_arch::resolve(&args.map.arch)?;
    let mut net = neurochip_net::resolve(&args.map.net)?;
    if let Some(seed) = args.map.seed {
        net.seed = seed;
    }
    let steps = args.steps.unwrap_or(DEFAULT_STEPS);
    let cfg = neurochip_sim::RunConfig {
        steps,
        threads: args.threads,
        strategy: strategy(args.map.strategy),
        base_dir: base_dir(&args.map.net),
        record_spikes: args.map.out.is_some(),
    };
    let mut progress = Progress::new(u64::from(steps), args.map.quiet);
    let out = neurochip_sim::run(&arch, &args.map.arch, &net, &args.map.net, &cfg, &mut |d| {
        progress.set(u64::from(d))
    })?;
    progress.finish();
    if !args.map.quiet {
        print!("{}", neurochip_sim::summary(&out.report));
    }
    if let Some(dir) = &args.map.out {
        neurochip_sim::write_outputs(dir, &out)
            .with_context(|| format!("writing results into {}", dir.display()))?;
        if !args.map.quiet {
            println!("wrote {}", dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `neurochip map`.
pub fn map(args: MapArgs) -> anyhow::Result<ExitCode> {
    let arch = neurochip_arch::resolve(&args.arch)?;
    let mut net = neurochip_net::resolve(&args.net)?;
    if let Some(seed) = args.seed {
        net.seed = seed;
    }
    let report =
        neurochip_sim::map_only(&arch, &net, strategy(args.strategy), &base_dir(&args.net))?;
    let json = serde_json::to_string_pretty(&report)?;
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("mapping.json"), &json)?;
    }
    if !args.quiet {
        print!("{}", neurochip_sim::map_summary(&report));
    }
    Ok(ExitCode::SUCCESS)
}
