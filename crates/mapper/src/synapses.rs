//! Stage 5: synapse rows and capacity. Two passes over the CSR: the first counts what
//! every core needs (words, input axons, fan-out entries, host axons included) and checks
//! it against the architecture before anything is allocated; the second fills pre-sized
//! synapse memories with one axon row per (source, core), in increasing source id.

use neurochip_arch::schema::Architecture;
use neurochip_hw::image::{AxonRow, SynapseWords};
use neurochip_net::expand::Expanded;

use crate::error::{MapError, Resource};
use crate::model::MapModel;
use crate::quant::rel_err;
use crate::types::{Channels, Counts, Groups, Placed, Quantised, Rows, Target};
use crate::word::{self, Fields};

/// Pass 1: what every core needs.
pub(crate) fn count(t: &Target, ex: &Expanded, p: &Placed) -> Counts {
    let tc = t.total as usize;
    let mut c = Counts {
        neurons: vec![0; tc],
        words: vec![0; tc],
        axons: vec![0; tc],
        dests: vec![0; tc],
        mc_dests: vec![0; tc],
        hops: 0,
        hops_seq: 0,
    };
    for &k in &p.core {
        c.neurons[k as usize] += 1;
    }
    let mut last = vec![u32::MAX; tc];
    let seq: &[u32] = &p.sequential;
    for s in 0..ex.n as usize {
        let sc = p.core[s];
        if ex.row_start[s + 1] > ex.row_start[s] {
            c.mc_dests[sc as usize] += 1;
        }
        for &tg in &ex.targets[ex.row_start[s] as usize..ex.row_start[s + 1] as usize] {
            let k = p.core[tg as usize];
            c.words[k as usize] += 1;
            c.hops += t.grid.core_hops(sc, k);
            if !seq.is_empty() {
                c.hops_seq += t.grid.core_hops(seq[s], seq[tg as usize]);
            }
            // A row's targets are sorted and cores hold increasing id ranges.
            if last[k as usize] != s as u32 {
                last[k as usize] = s as u32;
                c.axons[k as usize] += 1;
                c.dests[sc as usize] += 1;
            }
        }
    }
    // Host input: one dedicated axon (one word) per (neuron, weight, channel).
    for &(gid, _, _) in &p.host_keys {
        let k = p.core[gid as usize] as usize;
        c.words[k] += 1;
        c.axons[k] += 1;
    }
    c
}

/// Per-core capacity checks with a one-line diagnosis of what would fit.
pub(crate) fn check_capacity(
    arch: &Architecture,
    t: &Target,
    ex: &Expanded,
    p: &Placed,
    c: &Counts,
) -> Result<(), MapError> {
    let first_pop = |k: usize| -> usize {
        p.core
            .iter()
            .position(|&x| x as usize == k)
            .map(|g| t.pop_of[g] as usize)
            .unwrap_or(0)
    };
    let over = |k: usize, resource: Resource, need: u64, has: u64| -> MapError {
        let nn = c.neurons[k].max(1) as u64;
        let fit = (nn * has / need.max(1)).max(1);
        let pop = &ex.pops[first_pop(k)];
        let now = (pop.size as u64).div_ceil(t.cap as u64);
        let then = (pop.size as u64).div_ceil(fit);
        MapError::Capacity {
            resource,
            core: k as u32,
            needed: need,
            has,
            hint: format!(
                "at ~{fit} neurons/core the {} would fit (population {:?} needs {} more cores at {fit} neurons/core; raise {} or spread the network with --strategy block)",
                resource.items(),
                pop.name,
                then.saturating_sub(now),
                resource.field()
            ),
        }
    };
    let words = arch.core.synapse_memory.words as u64;
    let axons_in = arch.core.axons_in as u64;
    let axons_out = arch.core.axons_out as u64;
    // Multicast: one keyed entry per neuron with fan-out; unicast: one per destination core.
    let out = if t.multicast { &c.mc_dests } else { &c.dests };
    for (k, ((&w, &a), &o)) in c.words.iter().zip(&c.axons).zip(out).enumerate() {
        if w > words {
            return Err(over(k, Resource::SynapseMemory, w, words));
        }
        if a > axons_in {
            return Err(over(k, Resource::InputAxons, a, axons_in));
        }
        if o > axons_out {
            return Err(over(k, Resource::OutputAxons, o, axons_out));
        }
    }
    Ok(())
}

/// Pass 2: every core's synapse words and axon rows, and each source's destinations;
/// each weight is quantised here and accounted to its projection group.
pub(crate) fn rows<M: MapModel>(
    t: &Target,
    ex: &Expanded,
    p: &Placed,
    c: &Counts,
    q: &Quantised<M::Params, M::State>,
    g: &mut Groups,
    ch: &Channels,
) -> Result<Rows, MapError> {
    let n = ex.n as usize;
    let tc = t.total as usize;
    let mut r = Rows {
        words: c
            .words
            .iter()
            .map(|&w| SynapseWords::with_capacity(t.word_bits, w as usize))
            .collect(),
        rows: c
            .axons
            .iter()
            .map(|&a| Vec::with_capacity(a as usize))
            .collect(),
        dest_start: Vec::with_capacity(n + 1),
        dests: Vec::new(),
    };
    let mut seen = vec![u32::MAX; tc];
    let mut cores: Vec<u32> = Vec::new();
    for s in 0..n {
        r.dest_start.push(r.dests.len() as u32);
        let range = ex.row_start[s] as usize..ex.row_start[s + 1] as usize;
        cores.clear();
        for &tg in &ex.targets[range.clone()] {
            let k = p.core[tg as usize];
            if seen[k as usize] != s as u32 {
                seen[k as usize] = s as u32;
                cores.push(k);
            }
        }
        cores.sort_unstable();
        for &k in &cores {
            let ku = k as usize;
            r.dests.push((k, r.rows[ku].len() as u32));
            r.rows[ku].push(AxonRow {
                start: r.words[ku].len() as u32,
                len: 0,
            });
        }
        for i in range {
            row_word::<M>(t, ex, p, q, g, ch, &mut r, s, i)?;
        }
    }
    r.dest_start.push(r.dests.len() as u32);
    Ok(r)
}

/// Quantises synapse `i` (of source `s`), accounts it and appends its word to its row.
#[allow(clippy::too_many_arguments)]
#[inline]
fn row_word<M: MapModel>(
    t: &Target,
    ex: &Expanded,
    p: &Placed,
    q: &Quantised<M::Params, M::State>,
    g: &mut Groups,
    ch: &Channels,
    r: &mut Rows,
    s: usize,
    i: usize,
) -> Result<(), MapError> {
    let tg = ex.targets[i] as usize;
    let k = p.core[tg] as usize;
    let tpop = t.pop_of[tg] as usize;
    let fpop = t.pop_of[s] as usize;
    let channel = ex.channels[i];
    let gi = g.of(fpop, tpop, channel);
    let pq = &q.pops[tpop];
    let w = ex.weights[i] as f64;
    let (qw, clipped) = pq.wq.quantise(w, g.groups[gi].sign, channel);
    if pq.integer_weights && (clipped || w.fract() != 0.0) {
        let gr = &g.groups[gi];
        let (lo, hi) = pq.wq.range(gr.sign);
        return Err(MapError::Weight {
            weight: w,
            projection: gr.label(),
            from: ex.pops[gr.from].name.clone(),
            to: ex.pops[gr.to].name.clone(),
            reason: format!(
                "{} integer weights ({lo}..={hi} in Lava's {:?} sign mode; integers only)",
                M::NAME,
                gr.sign
            ),
        });
    }
    let gr = &mut g.groups[gi];
    gr.count += 1;
    gr.clipped += clipped as u64;
    let e = rel_err(w, pq.wq.realised(qw, channel));
    gr.sum_err += e;
    if e > gr.max_err {
        gr.max_err = e;
    }
    let word = word::pack(
        &t.layout,
        Fields {
            weight: qw as i32,
            channel: ch.field(tg, qw, channel, tpop),
            delay: ex.delays[i] as u32 - 1,
            target: p.local[tg],
        },
    );
    r.words[k].push(word);
    r.rows[k].last_mut().expect("row opened above").len += 1;
    Ok(())
}
