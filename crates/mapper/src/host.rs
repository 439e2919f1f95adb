//! Stage 6: host inputs. Each distinct (neuron, weight, channel) of the explicit input
//! spikes gets its own one-word axon row after the recurrent rows of its core; Poisson
//! stimuli become on-core drives.

use neurochip_hw::image::{AxonRow, HostSpike, PoissonDrive};
use neurochip_net::expand::Expanded;

use crate::error::MapError;
use crate::model::MapModel;
use crate::quant::{rel_err, Sign};
use crate::types::{Channels, HostInputs, Placed, Quantised, Rows, Target};
use crate::word::{self, Fields};

/// Host axons (appended to `r`), the host spike schedule and the Poisson drives; the
/// warnings of drives whose weight is realised with more than 1 % error go to `warnings`.
pub(crate) fn host_inputs<M: MapModel>(
    t: &Target,
    ex: &Expanded,
    p: &Placed,
    q: &Quantised<M::Params, M::State>,
    ch: &Channels,
    r: &mut Rows,
    warnings: &mut Vec<String>,
) -> Result<HostInputs, MapError> {
    let axons = host_axons::<M>(t, ex, p, q, ch, r)?;
    let mut spikes: Vec<HostSpike> = ex
        .host_spikes
        .iter()
        .map(|h| {
            let key = (h.neuron, h.weight.to_bits(), h.channel);
            let k = p
                .host_keys
                .binary_search(&key)
                .expect("every key was collected");
            HostSpike {
                step: h.step,
                core: p.core[h.neuron as usize],
                axon: axons[k],
            }
        })
        .collect();
    spikes.sort_by_key(|h| (h.step, h.core, h.axon));
    let drives = poisson_drives::<M>(t, ex, p, q, ch)?;
    poisson_warnings::<M>(t, ex, q, warnings);
    Ok(HostInputs {
        spikes,
        words: p.host_keys.len() as u64,
        drives,
    })
}

/// One axon of one word per host key, in key order; returns each key's axon.
fn host_axons<M: MapModel>(
    t: &Target,
    ex: &Expanded,
    p: &Placed,
    q: &Quantised<M::Params, M::State>,
    ch: &Channels,
    r: &mut Rows,
) -> Result<Vec<u32>, MapError> {
    let mut axons = Vec::with_capacity(p.host_keys.len());
    for &(gid, wbits, channel) in &p.host_keys {
        let c = p.core[gid as usize] as usize;
        let tpop = t.pop_of[gid as usize] as usize;
        let pq = &q.pops[tpop];
        let w = f64::from_bits(wbits);
        let sign = if w < 0.0 { Sign::Inh } else { Sign::Exc };
        let (qw, clipped) = pq.wq.quantise(w, sign, channel);
        if clipped || (pq.integer_weights && w.fract() != 0.0) {
            return Err(MapError::Weight {
                weight: w,
                projection: "stimulus".into(),
                from: "host".into(),
                to: ex.pops[tpop].name.clone(),
                reason: format!("{} weights ({}..={})", M::NAME, pq.wq.lo, pq.wq.hi),
            });
        }
        axons.push(r.rows[c].len() as u32);
        r.rows[c].push(AxonRow {
            start: r.words[c].len() as u32,
            len: 1,
        });
        r.words[c].push(word::pack(
            &t.layout,
            Fields {
                weight: qw as i32,
                channel: ch.field(gid as usize, qw, channel, tpop),
                delay: 0,
                target: p.local[gid as usize],
            },
        ));
    }
    Ok(axons)
}

/// One on-core Poisson generator per (stimulus, target neuron).
fn poisson_drives<M: MapModel>(
    t: &Target,
    ex: &Expanded,
    p: &Placed,
    q: &Quantised<M::Params, M::State>,
    ch: &Channels,
) -> Result<Vec<Vec<PoissonDrive>>, MapError> {
    let mut drives: Vec<Vec<PoissonDrive>> = vec![Vec::new(); t.total as usize];
    for s in &ex.poisson {
        for gid in s.targets.clone() {
            let tpop = t.pop_of[gid as usize] as usize;
            let pq = &q.pops[tpop];
            let sign = if s.weight < 0.0 { Sign::Inh } else { Sign::Exc };
            let (qw, clipped) = pq.wq.quantise(s.weight, sign, s.channel);
            if clipped || (pq.integer_weights && s.weight.fract() != 0.0) {
                return Err(MapError::Weight {
                    weight: s.weight,
                    projection: format!("stimulus {}", s.stimulus),
                    from: "poisson".into(),
                    to: ex.pops[tpop].name.clone(),
                    reason: format!("{} weights ({}..={})", M::NAME, pq.wq.lo, pq.wq.hi),
                });
            }
            drives[p.core[gid as usize] as usize].push(PoissonDrive {
                neuron: p.local[gid as usize],
                lambda: s.rate_hz * ex.dt_ms / 1000.0,
                weight: qw as i32,
                channel: ch.field(gid as usize, qw, s.channel, tpop),
            });
        }
    }
    Ok(drives)
}

/// A warning per Poisson stimulus whose weight is realised with more than 1 % error.
fn poisson_warnings<M: MapModel>(
    t: &Target,
    ex: &Expanded,
    q: &Quantised<M::Params, M::State>,
    warnings: &mut Vec<String>,
) {
    for (k, s) in ex.poisson.iter().enumerate() {
        if let Some(first) = s.targets.clone().next() {
            let pq = &q.pops[t.pop_of[first as usize] as usize];
            let sign = if s.weight < 0.0 { Sign::Inh } else { Sign::Exc };
            let (qw, _) = pq.wq.quantise(s.weight, sign, s.channel);
            let realised = pq.wq.realised(qw, s.channel);
            if rel_err(s.weight, realised) > 0.01 {
                warnings.push(format!(
                    "poisson stimulus {k}: weight {} realised as {realised} ({:.2}% error)",
                    s.weight,
                    100.0 * rel_err(s.weight, realised)
                ));
            }
        }
    }
}
