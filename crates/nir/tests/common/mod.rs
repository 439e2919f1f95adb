//! Shared helpers: load a reference JSON and turn it into input spikes.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use neurochip_nir::InputSpikes;
use serde_json::Value;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub fn reference(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(name)).expect("reference json");
    serde_json::from_str(&text).expect("valid json")
}

pub fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|row| {
            row.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("num"))
                .collect()
        })
        .collect()
}

/// Input spikes of every `kind == "input"` node of a reference.
pub fn inputs_of(r: &Value) -> InputSpikes {
    let mut sp = InputSpikes::default();
    for (name, n) in r["nodes"].as_object().expect("nodes") {
        if n["kind"] == "input" {
            for (t, row) in matrix(&n["data"]).iter().enumerate() {
                for (k, &v) in row.iter().enumerate() {
                    if v != 0.0 {
                        sp.push(name, t, k, v);
                    }
                }
            }
        }
    }
    sp.steps = r["n_steps"].as_u64().expect("n_steps") as usize;
    sp
}

use neurochip_net::schema::{Connect, Network, NeuronParams, Stimulus};

/// A float "ideal chip" with the network format's semantics as docs/nir.md
/// states them: a spike of step t with delay d is integrated at step t + d; a
/// stimulus event of step t at step t + 1; per step, delta synapses
/// `v = v_rest + (v − v_rest)·e^(−dt/τm) + in + bias`, exponential synapses
/// `i += κ·in; v = v_rest + (v − v_rest)·e^(−dt/τm) + i + bias; i ·= e^(−dt/τs)`
/// with the mapper's coupling κ ([`neurochip_nir::psc_coupling`]);
/// spike when v > thr (strict) or ≥, then v = reset. Returns (population, step, neuron).
pub fn ideal_chip(net: &Network, steps: usize) -> Vec<(String, u32, u32)> {
    let dt = net.dt_ms;
    let mut offs = std::collections::BTreeMap::new();
    let mut base = Vec::new();
    let mut n = 0usize;
    for p in &net.populations {
        offs.insert(p.name.clone(), n);
        for k in 0..p.size {
            base.push((p.name.clone(), k, p.neuron.clone()));
        }
        n += p.size as usize;
    }
    let mut out_syn: Vec<Vec<(usize, f64, usize)>> = vec![Vec::new(); n];
    for pr in &net.projections {
        let (a, b) = (offs[&pr.from], offs[&pr.to]);
        let Connect::List {
            pairs,
            weights,
            delays,
        } = &pr.connect
        else {
            panic!("list only")
        };
        for (q, &(s, t)) in pairs.iter().enumerate() {
            out_syn[a + s as usize].push((b + t as usize, weights[q], delays[q] as usize));
        }
    }
    let horizon = steps + 300;
    let mut acc = vec![vec![0.0f64; n]; horizon];
    for st in &net.stimuli {
        let Stimulus::SpikeArray {
            target,
            spikes,
            weight,
            ..
        } = st
        else {
            panic!("spike arrays only")
        };
        for &(t, k) in spikes {
            acc[t as usize][offs[target] + k as usize] += weight;
        }
    }
    let mut v = vec![0.0f64; n];
    let mut cur = vec![0.0f64; n];
    let mut spikes = Vec::new();
    for t in 0..steps {
        for g in 0..n {
            let NeuronParams::Lif {
                tau_m_ms,
                v_rest_mv,
                v_thresh_mv,
                strict_threshold,
                v_reset_mv,
                tau_syn_e_ms,
                bias_mv,
                ..
            } = &base[g].2
            else {
                panic!("lif only")
            };
            let f = tau_m_ms.map(|tm| (-dt / tm).exp()).unwrap_or(1.0);
            let input = acc[t][g];
            let drive = match tau_syn_e_ms {
                Some(ts) => {
                    cur[g] +=
                        input * neurochip_nir::psc_coupling(dt, tau_m_ms.expect("tau_m"), *ts);
                    let d = cur[g];
                    cur[g] *= (-dt / ts).exp();
                    d
                }
                None => input,
            };
            v[g] = v_rest_mv + (v[g] - v_rest_mv) * f + drive + bias_mv;
            let fire = if *strict_threshold {
                v[g] > *v_thresh_mv
            } else {
                v[g] >= *v_thresh_mv
            };
            if fire {
                v[g] = *v_reset_mv;
                spikes.push((base[g].0.clone(), t as u32, base[g].1));
                for &(tg, w, d) in &out_syn[g] {
                    acc[t + d][tg] += w;
                }
            }
        }
    }
    spikes
}
