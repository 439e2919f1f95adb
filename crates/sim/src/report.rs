//! The run report: `report.json`, the terminal summary and the output files.
//!
//! The top-level fields listed in `docs/report-format.md` are a contract:
//! scripts rely on them, and a golden test pins their names.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use neurochip_arch::Architecture;
use neurochip_firmware::NeuronModel;
use neurochip_hw::Chip;
use neurochip_mapper::{ChipsReport, MapReport};
use neurochip_net::schema::Network;
use serde::Serialize;

use crate::RunOutput;

/// Version of the report schema; bumped when a field changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// Mean and maximum of a per-step figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MeanMax {
    /// Mean over steps.
    pub mean: f64,
    /// Maximum over steps.
    pub max: f64,
}

/// One population's activity.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PopulationReport {
    /// Name.
    pub name: String,
    /// Neurons.
    pub size: u32,
    /// Spikes over the run.
    pub spikes: u64,
    /// Mean rate per neuron, Hz of simulated time.
    pub rate_hz: f64,
}

/// The busiest core.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HotCore {
    /// Core id.
    pub core: u32,
    /// Cycles its pipeline units were busy.
    pub busy_cycles: u64,
    /// Synaptic operations it performed.
    pub synaptic_ops: u64,
}

/// The busiest link.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HotLink {
    /// Router (tile) id.
    pub router: u32,
    /// Output port name (E, NE, N, W, SW, S, or core:k).
    pub port: String,
    /// Flits carried.
    pub flits: u64,
    /// Cycles the link was busy.
    pub busy_cycles: u64,
    /// Cycles a flit waited for it.
    pub stall_cycles: u64,
}

/// The mapper's report plus the system it was mapped onto (`mapping` in
/// `report.json`, and `mapping.json` of `neurochip map`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MappingReport {
    /// What the mapper did (its fields appear at this level of the JSON).
    #[serde(flatten)]
    pub map: MapReport,
    /// Chips of the system used.
    pub chips: ChipsReport,
}

/// Everything a run reports; serialised as `report.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Schema version.
    pub schema_version: u32,
    /// Architecture spec as given.
    pub arch: String,
    /// Network spec as given.
    pub network: String,
    /// Simulated timesteps.
    pub steps: u32,
    /// Timestep in ms.
    pub dt_ms: f64,
    /// Neurons mapped.
    pub neurons: u64,
    /// Synapses mapped.
    pub synapses: u64,
    /// Spikes emitted (a multi-spike counts its multiplicity).
    pub spikes: u64,
    /// Synaptic events: synapse words applied to a neuron (external Poisson drive excluded).
    pub synaptic_events: u64,
    /// External drive events (on-core Poisson generators and host spikes).
    pub external_events: u64,
    /// Packets injected into the network.
    pub packets: u64,
    /// Router-to-router link traversals (plus local deliveries, see `hops_by_class`).
    pub hops: u64,
    /// Hops by class: local, ew, ns, offchip.
    pub hops_by_class: BTreeMap<String, u64>,
    /// Packets dropped (only with `router.overflow = "drop"`).
    pub drops: u64,
    /// Energy in joules: `total`, then one entry per class.
    pub energy_joules: BTreeMap<String, f64>,
    /// Dynamic energy (everything but static).
    pub energy_dynamic_joules: f64,
    /// Static energy (static power × simulated time).
    pub energy_static_joules: f64,
    /// Energy by component: cores, network, barrier, static.
    pub energy_by_component_joules: BTreeMap<String, f64>,
    /// Total energy / spikes (includes static energy; see docs/energy-model.md).
    pub energy_per_spike_joules: f64,
    /// Dynamic energy / spikes.
    pub energy_per_spike_dynamic_joules: f64,
    /// Synaptic-operation energy / synaptic events.
    pub energy_per_synaptic_event_joules: f64,
    /// Network hop energy / hops.
    pub energy_per_hop_joules: f64,
    /// Cycles per timestep, barrier included.
    pub cycles_per_step: MeanMax,
    /// Seconds per timestep at the clock.
    pub seconds_per_step: MeanMax,
    /// Simulated chip time, seconds.
    pub chip_seconds: f64,
    /// Per population.
    pub populations: Vec<PopulationReport>,
    /// Busiest core.
    pub hottest_core: HotCore,
    /// Busiest link.
    pub hottest_link: Option<HotLink>,
    /// Per-core counters.
    pub cores: Vec<serde_json::Value>,
    /// Per-link counters (links that carried traffic).
    pub links: Vec<serde_json::Value>,
    /// The mapping report, with the chips of the system used.
    pub mapping: Option<MappingReport>,
    /// Seconds spent building the network and mapping it.
    pub build_seconds: f64,
    /// Wall-clock seconds of the whole run.
    pub wall_seconds: f64,
    /// Sections added by front ends (e.g. `nir`: conversion report and output comparison).
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

fn mean_max(v: &[u64]) -> MeanMax {
    if v.is_empty() {
        return MeanMax::default();
    }
    let sum: u64 = v.iter().sum();
    MeanMax {
        mean: sum as f64 / v.len() as f64,
        max: *v.iter().max().unwrap_or(&0) as f64,
    }
}

fn ratio(a: f64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a / b as f64
    }
}

/// Assemble the report of a finished run.
#[allow(clippy::too_many_arguments)]
pub(crate) fn build<M: NeuronModel>(
    arch: &Architecture,
    arch_label: &str,
    net: &Network,
    net_label: &str,
    shape: &crate::NetShape,
    chip: &Chip<M>,
    step_cycles: &[u64],
    pop_spikes: &[u64],
) -> Report {
    let steps = step_cycles.len() as u32;
    let sim_seconds = f64::from(steps) * net.dt_ms / 1000.0;
    let populations: Vec<PopulationReport> = shape
        .pops
        .iter()
        .zip(pop_spikes)
        .map(|(p, &s)| PopulationReport {
            name: p.name.clone(),
            size: p.size,
            spikes: s,
            rate_hz: if sim_seconds > 0.0 {
                s as f64 / f64::from(p.size) / sim_seconds
            } else {
                0.0
            },
        })
        .collect();
    let spikes: u64 = pop_spikes.iter().sum();
    let hw = crate::hwview::view(chip);
    let energy = chip.energy();
    let mut energy_joules = BTreeMap::new();
    energy_joules.insert("total".to_string(), energy.total_j);
    for (class, j) in &energy.by_class {
        energy_joules.insert((*class).to_string(), *j);
    }
    let class = |name: &str| energy_joules.get(name).copied().unwrap_or(0.0);
    let hop_j = class("hop_local") + class("hop_ew") + class("hop_ns") + class("hop_offchip");
    let cycles = mean_max(step_cycles);
    let sps = MeanMax {
        mean: cycles.mean / arch.clock_hz,
        max: cycles.max / arch.clock_hz,
    };
    Report {
        schema_version: SCHEMA_VERSION,
        arch: arch_label.to_string(),
        network: net_label.to_string(),
        steps,
        dt_ms: net.dt_ms,
        neurons: u64::from(shape.n),
        synapses: shape.synapses,
        spikes,
        synaptic_events: hw.synaptic_ops,
        external_events: hw.external_events,
        packets: hw.packets,
        hops: hw.hops_by_class.values().sum(),
        hops_by_class: hw.hops_by_class.clone(),
        drops: hw.drops,
        energy_dynamic_joules: energy.dynamic_j,
        energy_static_joules: energy.static_j,
        energy_by_component_joules: hw.energy_by_component.clone(),
        energy_per_spike_joules: ratio(energy.total_j, spikes),
        energy_per_spike_dynamic_joules: ratio(energy.dynamic_j, spikes),
        energy_per_synaptic_event_joules: ratio(class("synaptic_op"), hw.synaptic_ops),
        energy_per_hop_joules: ratio(hop_j, hw.hops_by_class.values().sum()),
        energy_joules,
        cycles_per_step: cycles,
        seconds_per_step: sps,
        chip_seconds: arch.seconds(step_cycles.iter().sum()),
        populations,
        hottest_core: hw.hottest_core.clone(),
        hottest_link: hw.hottest_link.clone(),
        cores: hw.cores,
        links: hw.links,
        mapping: None,
        build_seconds: 0.0,
        wall_seconds: 0.0,
        extra: BTreeMap::new(),
    }
}

fn eng(x: f64, unit: &str) -> String {
    let a = x.abs();
    let (v, p) = if a == 0.0 {
        (0.0, "")
    } else if a >= 1.0 {
        (x, "")
    } else if a >= 1e-3 {
        (x * 1e3, "m")
    } else if a >= 1e-6 {
        (x * 1e6, "µ")
    } else if a >= 1e-9 {
        (x * 1e9, "n")
    } else {
        (x * 1e12, "p")
    };
    format!("{v:.3} {p}{unit}")
}

/// The terminal summary of a run.
pub fn summary(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "neurochip run: {} on {}", r.network, r.arch);
    if let Some(line) = r.mapping.as_ref().and_then(|m| m.chips.grown_line()) {
        let _ = writeln!(s, "  {line}");
    }
    let _ = writeln!(
        s,
        "  neurons {}  synapses {}  steps {} (dt {} ms)",
        r.neurons, r.synapses, r.steps, r.dt_ms
    );
    let _ = writeln!(
        s,
        "  spikes {}  synaptic events {}  packets {}  hops {}  drops {}",
        r.spikes, r.synaptic_events, r.packets, r.hops, r.drops
    );
    for p in &r.populations {
        let _ = writeln!(
            s,
            "  population {:<12} {:>8} neurons {:>10} spikes {:>9.3} Hz",
            p.name, p.size, p.spikes, p.rate_hz
        );
    }
    let _ = writeln!(
        s,
        "  cycles/step mean {:.1} max {:.0}   time/step mean {} max {}",
        r.cycles_per_step.mean,
        r.cycles_per_step.max,
        eng(r.seconds_per_step.mean, "s"),
        eng(r.seconds_per_step.max, "s")
    );
    let _ = writeln!(
        s,
        "  energy total {} (dynamic {}, static {})",
        eng(r.energy_joules.get("total").copied().unwrap_or(0.0), "J"),
        eng(r.energy_dynamic_joules, "J"),
        eng(r.energy_static_joules, "J")
    );
    let _ = writeln!(
        s,
        "  energy per spike {} (dynamic {})  per synaptic event {}  per hop {}",
        eng(r.energy_per_spike_joules, "J"),
        eng(r.energy_per_spike_dynamic_joules, "J"),
        eng(r.energy_per_synaptic_event_joules, "J"),
        eng(r.energy_per_hop_joules, "J")
    );
    let _ = writeln!(
        s,
        "  hottest core {} ({} busy cycles, {} synaptic ops)",
        r.hottest_core.core, r.hottest_core.busy_cycles, r.hottest_core.synaptic_ops
    );
    match &r.hottest_link {
        Some(l) => {
            let _ = writeln!(
                s,
                "  hottest link router {} port {} ({} flits, {} busy cycles, {} stall cycles)",
                l.router, l.port, l.flits, l.busy_cycles, l.stall_cycles
            );
        }
        None => {
            let _ = writeln!(s, "  hottest link: none (no traffic)");
        }
    }
    let _ = writeln!(
        s,
        "  wall {:.2} s (build {:.2} s)",
        r.wall_seconds, r.build_seconds
    );
    s
}

/// The terminal summary of a mapping (the mapper's own, which names every
/// quantisation error), with the system line when the mapper grew the system.
pub fn map_summary(m: &MappingReport) -> String {
    match m.chips.grown_line() {
        Some(line) => format!("neurochip map:\n{line}\n{}", m.map.summary()),
        None => format!("neurochip map:\n{}", m.map.summary()),
    }
}

/// Write `report.json`, `spikes.csv`, and with probes `probes.csv` and `waveforms.vcd`, into `dir`.
pub fn write_outputs(dir: &Path, out: &RunOutput) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_string_pretty(&out.report).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("report.json"), json)?;
    let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("spikes.csv"))?);
    writeln!(f, "step,neuron,population,count")?;
    for &(step, gid, count) in &out.spikes {
        let pop = out
            .populations
            .iter()
            .find(|(_, start, size)| gid >= *start && gid < start + size)
            .map(|(n, _, _)| n.as_str())
            .unwrap_or("?");
        writeln!(f, "{step},{gid},{pop},{count}")?;
    }
    f.flush()?;
    if !out.probes.is_empty() {
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("probes.csv"))?);
        writeln!(f, "step,neuron,population,state,value")?;
        for p in &out.probes {
            for (step, v) in p.values.iter().enumerate() {
                writeln!(f, "{step},{},{},{},{v}", p.neuron, p.population, p.state)?;
            }
        }
        f.flush()?;
    }
    if !out.probes.is_empty() || !out.spike_probes.is_empty() {
        let vcd = std::io::BufWriter::new(std::fs::File::create(dir.join("waveforms.vcd"))?);
        crate::waveform::write_vcd(vcd, out)?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests_support {
    use super::*;

    /// A report with every figure zero, for tests of the writers.
    pub(crate) fn empty_report() -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            arch: "test".into(),
            network: "test".into(),
            steps: 0,
            dt_ms: 1.0,
            neurons: 0,
            synapses: 0,
            spikes: 0,
            synaptic_events: 0,
            external_events: 0,
            packets: 0,
            hops: 0,
            hops_by_class: BTreeMap::new(),
            drops: 0,
            energy_joules: BTreeMap::new(),
            energy_dynamic_joules: 0.0,
            energy_static_joules: 0.0,
            energy_by_component_joules: BTreeMap::new(),
            energy_per_spike_joules: 0.0,
            energy_per_spike_dynamic_joules: 0.0,
            energy_per_synaptic_event_joules: 0.0,
            energy_per_hop_joules: 0.0,
            cycles_per_step: MeanMax::default(),
            seconds_per_step: MeanMax::default(),
            chip_seconds: 0.0,
            populations: Vec::new(),
            hottest_core: HotCore::default(),
            hottest_link: None,
            cores: Vec::new(),
            links: Vec::new(),
            mapping: None,
            build_seconds: 0.0,
            wall_seconds: 0.0,
            extra: BTreeMap::new(),
        }
    }
}
