//! `neurochip bench`: the standard workloads, each in its own process so that
//! peak memory is measured per workload.

use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;

/// Options of `bench`.
#[derive(Args, Clone)]
pub struct BenchArgs {
    /// Run only these workloads (names from the table: w1, w3, w4-10k, w4-100k).
    #[arg(long)]
    pub only: Vec<String>,
    /// Steps per workload (default: each workload's own).
    #[arg(long)]
    pub steps: Option<u32>,
    /// Host threads.
    #[arg(long, default_value_t = 1)]
    pub threads: usize,
    /// Internal: run one workload in this process and print one JSON line.
    #[arg(long, hide = true)]
    pub one: Option<String>,
}

/// One benchmark workload.
struct Workload {
    key: &'static str,
    what: &'static str,
    arch: &'static str,
    net: &'static str,
    steps: u32,
    strategy: neurochip_mapper::Strategy,
}

const WORKLOADS: &[Workload] = &[
    Workload {
        key: "w1",
        what: "W1 Brunel N=12,500, dt=1 ms",
        arch: "default",
        net: "builtin:brunel",
        steps: 1000,
        strategy: neurochip_mapper::Strategy::Sequential,
    },
    Workload {
        key: "w3",
        what: "W3 CUBA N=4,000",
        arch: "default",
        net: "builtin:cuba",
        steps: 1000,
        strategy: neurochip_mapper::Strategy::Sequential,
    },
    Workload {
        key: "w4-10k",
        what: "W4 random N=10,000 (loihi-sanafe, block)",
        arch: "loihi-sanafe",
        net: "builtin:random:n=10000",
        steps: 1000,
        strategy: neurochip_mapper::Strategy::Block,
    },
    Workload {
        key: "w4-100k",
        what: "W4 random N=100,000 (loihi-sanafe, block)",
        arch: "loihi-sanafe",
        net: "builtin:random:n=100000",
        steps: 100,
        strategy: neurochip_mapper::Strategy::Block,
    },
];

/// Peak resident memory of this process, bytes (Linux `VmHWM`).
fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn run_one(w: &Workload, steps: u32, threads: usize) -> anyhow::Result<serde_json::Value> {
    let arch = neurochip_arch::resolve(w.arch)?;
    let net = neurochip_net::resolve(w.net)?;
    let cfg = neurochip_sim::RunConfig {
        steps,
        threads,
        strategy: w.strategy,
        base_dir: ".".into(),
        record_spikes: false,
    };
    let t = Instant::now();
    let out = neurochip_sim::run(&arch, w.arch, &net, w.net, &cfg, &mut |_| {})?;
    let total = t.elapsed().as_secs_f64();
    let r = &out.report;
    let sim = (total - r.build_seconds).max(1e-9);
    let peak = peak_rss_bytes();
    Ok(serde_json::json!({
        "key": w.key,
        "what": w.what,
        "steps": r.steps,
        "neurons": r.neurons,
        "synapses": r.synapses,
        "spikes": r.spikes,
        "synaptic_events": r.synaptic_events,
        "external_events": r.external_events,
        "packets": r.packets,
        "build_seconds": r.build_seconds,
        "sim_seconds": sim,
        "events_per_second": r.synaptic_events as f64 / sim,
        "steps_per_second": f64::from(r.steps) / sim,
        "peak_rss_bytes": peak,
        "bytes_per_synapse": if r.synapses > 0 { peak as f64 / r.synapses as f64 } else { 0.0 },
        "cycles_per_step_mean": r.cycles_per_step.mean,
        "threads": threads,
    }))
}

/// `neurochip bench`.
pub fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    if let Some(key) = &args.one {
        let Some(w) = WORKLOADS.iter().find(|w| w.key == key) else {
            bail!("bench: no workload {key:?}");
        };
        let v = run_one(w, args.steps.unwrap_or(w.steps), args.threads)?;
        println!("{v}");
        return Ok(ExitCode::SUCCESS);
    }
    for k in &args.only {
        if !WORKLOADS.iter().any(|w| w.key == k) {
            let known: Vec<_> = WORKLOADS.iter().map(|w| w.key).collect();
            bail!(
                "bench: --only {k:?}: no such workload (have: {})",
                known.join(", ")
            );
        }
    }
    let exe = std::env::current_exe().context("locating the neurochip binary")?;
    println!(
        "{:<36} {:>7} {:>12} {:>10} {:>11} {:>9} {:>9} {:>8}",
        "workload", "steps", "syn. events", "sim s", "M events/s", "steps/s", "peak MB", "B/syn"
    );
    for w in WORKLOADS
        .iter()
        .filter(|w| args.only.is_empty() || args.only.iter().any(|k| k == w.key))
    {
        let mut cmd = Command::new(&exe);
        cmd.args([
            "bench",
            "--one",
            w.key,
            "--threads",
            &args.threads.to_string(),
        ]);
        if let Some(s) = args.steps {
            cmd.args(["--steps", &s.to_string()]);
        }
        let out = cmd
            .output()
            .with_context(|| format!("running workload {}", w.key))?;
        if !out.status.success() {
            bail!(
                "bench {}: {}",
                w.key,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .with_context(|| format!("bench {}: unreadable result", w.key))?;
        let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
        println!(
            "{:<36} {:>7} {:>12} {:>10.2} {:>11.2} {:>9.1} {:>9.0} {:>8.1}",
            w.what,
            f("steps"),
            f("synaptic_events"),
            f("sim_seconds"),
            f("events_per_second") / 1e6,
            f("steps_per_second"),
            f("peak_rss_bytes") / 1e6,
            f("bytes_per_synapse"),
        );
        eprintln!("{v}");
    }
    Ok(ExitCode::SUCCESS)
}
