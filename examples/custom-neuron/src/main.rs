//! Registers the adaptive-threshold LIF with neurochip, maps and runs a network of it on a
//! preset, and writes `report.json`, `spikes.csv`, `probes.csv` and `waveforms.vcd`.
//!
//! ```sh
//! cargo run --release -p custom-neuron -- [NETWORK.toml] [OUT_DIR] [STEPS] [ARCH]
//! ```
//! (defaults: this crate's `network.toml`, `target/custom-neuron`, 500 steps, preset
//! `default`; the architecture's cores are switched to `adaptive_lif`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use custom_neuron::AdaptiveLif;

fn main() -> anyhow::Result<()> {
    // One call: the model's facts go into the architecture's model table, its mapping and
    // its chip into the simulator's registry.
    let kind = neurochip_sim::register::<AdaptiveLif>()?;

    let mut args = std::env::args().skip(1);
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let net_path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| here.join("network.toml"));
    let out_dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/custom-neuron"));
    let steps: u32 = match args.next() {
        Some(s) => s.parse().context("STEPS must be a whole number")?,
        None => 500,
    };
    let preset = args.next().unwrap_or_else(|| "default".to_string());

    // A preset with its cores running the new model, as an override would say it.
    let arch_spec = format!("{preset}:core.model={}", kind.name());
    let arch = neurochip_arch::resolve(&arch_spec)?;
    let net = neurochip_net::load(&net_path)?;
    let cfg = neurochip_sim::RunConfig {
        steps,
        base_dir: net_path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        record_spikes: true,
        ..Default::default()
    };
    let label = net_path.display().to_string();
    let out = neurochip_sim::run(&arch, &arch_spec, &net, &label, &cfg, &mut |_| {})?;
    neurochip_sim::write_outputs(&out_dir, &out)
        .with_context(|| format!("writing {}", out_dir.display()))?;
    for p in &out.report.populations {
        println!("{}: {} spikes, {:.1} Hz", p.name, p.spikes, p.rate_hz);
    }
    println!("wrote {}", out_dir.display());
    Ok(())
}
