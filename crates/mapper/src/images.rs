//! Stage 8: images and report. Every core's memory image from the stages before, and the
//! [`MapReport`] that accounts for each resource and rounding.

use neurochip_arch::schema::Architecture;
use neurochip_hw::image::{CoreImage, Dest, SynapseWords};
use neurochip_net::expand::Expanded;

use crate::model::MapModel;
use crate::place::Strategy;
use crate::quant::{PopQuant, ProjQuant};
use crate::report::{CoreReport, MapReport, RouterReport, Totals, Utilisation};
use crate::types::{Channels, Counts, Fanout, Groups, HostInputs, Placed, Quantised, Rows, Target};

/// The memory image of every core (consumes the stages' per-core vectors).
#[allow(clippy::too_many_arguments)]
pub(crate) fn core_images<M: MapModel>(
    t: &Target,
    p: &Placed,
    c: &Counts,
    q: &Quantised<M::Params, M::State>,
    ch: &Channels,
    mut r: Rows,
    host: &mut HostInputs,
    f: &mut Fanout,
) -> Vec<CoreImage<M>> {
    let mut per_pop = vec![0usize; q.pops.len()];
    let mut cores: Vec<CoreImage<M>> = (0..t.total as usize)
        .map(|k| {
            let nn = c.neurons[k] as usize;
            CoreImage {
                params: Vec::with_capacity(nn),
                init: Vec::with_capacity(nn),
                global_ids: Vec::with_capacity(nn),
                axons: Vec::new(),
                key_axons: Vec::new(),
                synapse_words: SynapseWords::default(),
                layout: t.layout,
                fanout: Vec::with_capacity(nn),
                dests: Vec::new(),
                poisson: Vec::new(),
            }
        })
        .collect();
    // Local indices increase with gid on every core, so pushing in gid order fills slots in order.
    for gid in 0..p.core.len() {
        let k = p.core[gid] as usize;
        debug_assert_eq!(cores[k].global_ids.len() as u32, p.local[gid]);
        let pop = t.pop_of[gid] as usize;
        let j = per_pop[pop];
        per_pop[pop] += 1;
        let img = &mut cores[k];
        let mut prm = q.pops[pop].params[j].clone();
        if M::WEIGHT_TABLE > 0 {
            M::set_weight_table(&mut prm, ch.table(gid));
        }
        img.params.push(prm);
        img.init.push(q.pops[pop].init[j]);
        img.global_ids.push(gid as u32);
        let ds = &r.dests[r.dest_start[gid] as usize..r.dest_start[gid + 1] as usize];
        let start = img.dests.len() as u32;
        if t.multicast {
            if !ds.is_empty() {
                img.dests.push(Dest::Multicast {
                    key: f.key(k as u32, p.local[gid]),
                });
            }
        } else {
            img.dests
                .extend(ds.iter().map(|&(core, axon)| Dest::Unicast { core, axon }));
        }
        img.fanout.push((start, img.dests.len() as u32 - start));
    }
    for (k, img) in cores.iter_mut().enumerate() {
        img.axons = std::mem::take(&mut r.rows[k]);
        img.synapse_words = std::mem::take(&mut r.words[k]);
        img.key_axons = std::mem::take(&mut f.key_axons[k]);
        img.poisson = std::mem::take(&mut host.drives[k]);
    }
    cores
}

/// What the stages did, per core, per router and in total.
#[allow(clippy::too_many_arguments)]
pub(crate) fn map_report<M: MapModel>(
    arch: &Architecture,
    ex: &Expanded,
    strategy: Strategy,
    cores: &[CoreImage<M>],
    c: &Counts,
    populations: Vec<PopQuant>,
    mut warnings: Vec<String>,
    g: &Groups,
    host: &HostInputs,
    f: &Fanout,
) -> MapReport {
    let cpt = arch.topology.cores_per_tile.max(1);
    let core_reports: Vec<CoreReport> = cores
        .iter()
        .enumerate()
        .filter(|(_, img)| !img.global_ids.is_empty() || !img.axons.is_empty())
        .map(|(k, img)| CoreReport {
            core: k as u32,
            tile: k as u32 / cpt,
            neurons: img.global_ids.len() as u32,
            synapse_words: img.synapse_words.len() as u64,
            axons_in: img.axons.len() as u32,
            axons_out: img.dests.len() as u32,
            key_axons: img.key_axons.len() as u32,
            poisson: img.poisson.len() as u32,
        })
        .collect();
    let routers: Vec<RouterReport> = f
        .router_tables
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_empty())
        .map(|(t, e)| RouterReport {
            tile: t as u32,
            entries: e.len() as u32,
            unmerged: f.unmerged[t],
        })
        .collect();
    let totals = Totals {
        neurons: ex.n as u64,
        synapses: ex.targets.len() as u64,
        synapse_words: ex.targets.len() as u64 + host.words,
        axons_in: cores.iter().map(|c| c.axons.len() as u64).sum(),
        axons_out: cores.iter().map(|c| c.dests.len() as u64).sum(),
        router_entries: f.router_tables.iter().map(|t| t.len() as u64).sum(),
        host_spikes: host.spikes.len() as u64,
        poisson_drives: cores.iter().map(|c| c.poisson.len() as u64).sum(),
    };
    let utilisation = utilisation(arch, &core_reports, &routers);
    let projections = projections(ex, g, &mut warnings);
    MapReport {
        strategy,
        cores_used: cores.iter().filter(|c| !c.global_ids.is_empty()).count() as u32,
        cores_total: arch.total_cores(),
        cores: core_reports,
        routers,
        totals,
        utilisation,
        synapse_hops: c.hops,
        synapse_hops_sequential: c.hops_seq,
        populations,
        projections,
        warnings,
    }
}

/// Peak and mean use of every per-core capacity.
fn utilisation(arch: &Architecture, cores: &[CoreReport], routers: &[RouterReport]) -> Utilisation {
    let sm = &arch.core.synapse_memory;
    let pct = |x: f64, capv: f64| if capv > 0.0 { 100.0 * x / capv } else { 0.0 };
    let used: Vec<&CoreReport> = cores.iter().filter(|c| c.neurons > 0).collect();
    let mean = |f: &dyn Fn(&CoreReport) -> f64| {
        if used.is_empty() {
            0.0
        } else {
            used.iter().map(|c| f(c)).sum::<f64>() / used.len() as f64
        }
    };
    let peak = |f: &dyn Fn(&CoreReport) -> f64| cores.iter().map(f).fold(0.0, f64::max);
    Utilisation {
        neurons_peak_pct: pct(peak(&|c| c.neurons as f64), arch.core.neurons as f64),
        neurons_mean_pct: pct(mean(&|c| c.neurons as f64), arch.core.neurons as f64),
        words_peak_pct: pct(peak(&|c| c.synapse_words as f64), sm.words as f64),
        words_mean_pct: pct(mean(&|c| c.synapse_words as f64), sm.words as f64),
        axons_in_peak_pct: pct(peak(&|c| c.axons_in as f64), arch.core.axons_in as f64),
        axons_out_peak_pct: pct(peak(&|c| c.axons_out as f64), arch.core.axons_out as f64),
        table_entries_peak_pct: pct(
            routers.iter().map(|r| r.entries as f64).fold(0.0, f64::max),
            arch.router.table_entries as f64,
        ),
    }
}

/// The weight report per projection group; groups that lose much to rounding or clip
/// get a warning.
fn projections(ex: &Expanded, g: &Groups, warnings: &mut Vec<String>) -> Vec<ProjQuant> {
    let name = |k: usize| ex.pops[k].name.clone();
    for gr in &g.groups {
        let mean = gr.sum_err / gr.count.max(1) as f64;
        if gr.count > 0 && (mean > 0.05 || gr.clipped > 0) {
            warnings.push(format!(
                "projection {} ({}→{}): weights lose {:.1}% on average to rounding, {} clipped",
                gr.label(),
                name(gr.from),
                name(gr.to),
                100.0 * mean,
                gr.clipped
            ));
        }
    }
    g.groups
        .iter()
        .filter(|gr| gr.count > 0 || !gr.projections.is_empty())
        .map(|gr| ProjQuant {
            projections: gr.projections.clone(),
            from: name(gr.from),
            to: name(gr.to),
            channel: gr.channel,
            count: gr.count,
            clipped: gr.clipped,
            max_rel_error: gr.max_err,
            mean_rel_error: if gr.count > 0 {
                gr.sum_err / gr.count as f64
            } else {
                0.0
            },
        })
        .collect()
}
