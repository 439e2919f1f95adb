//! What the mapper tells the user: resource use per core, routing, hops and
//! every quantisation error, serialisable to JSON for `neurochip map --json`.

use crate::place::Strategy;
use crate::quant::{PopQuant, ProjQuant};
use serde::Serialize;

/// Resource use of one core that holds neurons or input axons.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoreReport {
    /// Core id.
    pub core: u32,
    /// Tile of the core.
    pub tile: u32,
    /// Neurons placed.
    pub neurons: u32,
    /// Synapse-memory words used.
    pub synapse_words: u64,
    /// Input axons used (recurrent sources plus host inputs).
    pub axons_in: u32,
    /// Fan-out entries (`dests`) used.
    pub axons_out: u32,
    /// Multicast key → axon entries.
    pub key_axons: u32,
    /// On-core Poisson generators.
    pub poisson: u32,
}

/// Entries of one router's multicast table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouterReport {
    /// Tile (router) id.
    pub tile: u32,
    /// Table entries after key/mask merging.
    pub entries: u32,
    /// Entries before merging (one per key routed through this tile).
    pub unmerged: u32,
}

/// Sums over the whole system.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Totals {
    /// Neurons placed.
    pub neurons: u64,
    /// Recurrent synapses.
    pub synapses: u64,
    /// Synapse words (recurrent plus host-input rows).
    pub synapse_words: u64,
    /// Input axons.
    pub axons_in: u64,
    /// Fan-out entries.
    pub axons_out: u64,
    /// Multicast table entries over all routers.
    pub router_entries: u64,
    /// Host-injected spikes.
    pub host_spikes: u64,
    /// On-core Poisson generators.
    pub poisson_drives: u64,
}

/// Peak and mean use of each per-core capacity, in percent.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Utilisation {
    /// Neurons: busiest core.
    pub neurons_peak_pct: f64,
    /// Neurons: mean over used cores.
    pub neurons_mean_pct: f64,
    /// Synapse words: busiest core.
    pub words_peak_pct: f64,
    /// Synapse words: mean over used cores.
    pub words_mean_pct: f64,
    /// Input axons: busiest core.
    pub axons_in_peak_pct: f64,
    /// Fan-out entries: busiest core.
    pub axons_out_peak_pct: f64,
    /// Router table entries: busiest router (0 under XY routing).
    pub table_entries_peak_pct: f64,
}

/// The mapper's account of what it did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MapReport {
    /// Placement strategy used.
    pub strategy: Strategy,
    /// Cores holding at least one neuron.
    pub cores_used: u32,
    /// Cores in the system.
    pub cores_total: u32,
    /// Per core with neurons or axons, by core id.
    pub cores: Vec<CoreReport>,
    /// Per router with a non-empty table (multicast only).
    pub routers: Vec<RouterReport>,
    /// Sums.
    pub totals: Totals,
    /// Capacity use.
    pub utilisation: Utilisation,
    /// Σ over recurrent synapses of tile hops between source and target core, for the chosen strategy.
    pub synapse_hops: u64,
    /// The same sum had the sequential strategy been used (for comparison).
    pub synapse_hops_sequential: u64,
    /// Per target population: scale and parameter errors.
    pub populations: Vec<PopQuant>,
    /// Per projection group: weight errors.
    pub projections: Vec<ProjQuant>,
    /// Things the chip cannot do exactly as the network asks.
    pub warnings: Vec<String>,
}

pub use crate::error::thousands;

impl MapReport {
    /// A short human summary (a few lines) for the terminal; the JSON has everything.
    pub fn summary(&self) -> String {
        use std::fmt::Write;
        let t = &self.totals;
        let u = &self.utilisation;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "mapped {} neurons, {} synapses on {} of {} cores ({} placement); {} synapse-hops ({} sequential)",
            thousands(t.neurons),
            thousands(t.synapses),
            self.cores_used,
            self.cores_total,
            self.strategy.name(),
            thousands(self.synapse_hops),
            thousands(self.synapse_hops_sequential)
        );
        let _ = writeln!(
            s,
            "peak use: neurons {:.1}%, synapse words {:.1}%, input axons {:.1}%, output axons {:.1}%, router table {:.1}%",
            u.neurons_peak_pct,
            u.words_peak_pct,
            u.axons_in_peak_pct,
            u.axons_out_peak_pct,
            u.table_entries_peak_pct
        );
        for p in &self.populations {
            let worst = p
                .params
                .iter()
                .max_by(|a, b| a.rel_error.total_cmp(&b.rel_error));
            let _ = write!(
                s,
                "population {:?}: LSB {:.6} {}",
                p.population, p.lsb, p.unit
            );
            if let Some(e) = p.weight_exp {
                let _ = write!(s, ", weight_exp {e}");
            }
            if let Some(w) = worst {
                let _ = write!(
                    s,
                    ", worst parameter {} {:.3}%",
                    w.name,
                    100.0 * w.rel_error
                );
            }
            s.push('\n');
        }
        for p in &self.projections {
            let _ = writeln!(
                s,
                "weights {}→{} (channel {}): {} synapses, max error {:.3}%, mean {:.3}%, {} clipped",
                p.from,
                p.to,
                p.channel,
                thousands(p.count),
                100.0 * p.max_rel_error,
                100.0 * p.mean_rel_error,
                p.clipped
            );
        }
        for w in &self.warnings {
            let _ = writeln!(s, "warning: {w}");
        }
        s
    }
}
