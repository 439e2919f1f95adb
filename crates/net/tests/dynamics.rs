//! A tiny float reference simulation (delta-synapse LIF only) to check that the
//! demo built-ins actually do what their descriptions promise.

use std::collections::BTreeMap;

use neurochip_firmware::NeuronRng;
use neurochip_net::{
    builtin, expand, initial_values, poisson_inputs, stimulus_spikes, Network, NeuronParams,
};

/// Spike counts per neuron over `steps` (exact exponential decay, dt = 1 ms).
fn simulate(net: &Network, steps: u32) -> Vec<u32> {
    let ex = expand(net).unwrap();
    let n = ex.n as usize;
    let mut params = Vec::with_capacity(n);
    let mut v = Vec::with_capacity(n);
    for (k, p) in net.populations.iter().enumerate() {
        let NeuronParams::Lif {
            tau_m_ms,
            v_rest_mv,
            v_thresh_mv,
            v_reset_mv,
            t_ref_ms,
            ..
        } = &p.neuron
        else {
            panic!("delta LIF only");
        };
        let decay = tau_m_ms.map_or(1.0, |t| (-net.dt_ms / t).exp());
        let tref = (t_ref_ms / net.dt_ms).round() as u32;
        for _ in 0..p.size {
            params.push((decay, *v_rest_mv, *v_thresh_mv, *v_reset_mv, tref));
        }
        v.extend(initial_values(net, k));
    }
    let spikes_in = stimulus_spikes(net, std::path::Path::new(".")).unwrap();
    let poisson = poisson_inputs(net);
    let mut ring = vec![vec![0.0f64; n]; 256];
    let mut refr = vec![0u32; n];
    let mut count = vec![0u32; n];
    for t in 0..steps {
        let slot = (t % 256) as usize;
        let mut input = std::mem::replace(&mut ring[slot], vec![0.0; n]);
        for &(st, g, w, _) in &spikes_in {
            if st == t {
                input[g as usize] += w;
            }
        }
        for p in &poisson {
            let lambda = p.rate_hz * net.dt_ms / 1000.0;
            for g in p.targets.clone() {
                // Knuth's Poisson sampler; lambda is small here.
                let mut rng = NeuronRng::new(99, 5000 + p.stimulus as u32, g, t);
                let (l, mut k, mut prod) = ((-lambda).exp(), 0u32, rng.next_f64());
                while prod > l {
                    k += 1;
                    prod *= rng.next_f64();
                }
                input[g as usize] += f64::from(k) * p.weight;
            }
        }
        for i in 0..n {
            let (decay, rest, thr, reset, tref) = params[i];
            if refr[i] > 0 {
                refr[i] -= 1;
                v[i] = reset;
                continue;
            }
            v[i] = rest + (v[i] - rest) * decay + input[i];
            if v[i] >= thr {
                v[i] = reset;
                refr[i] = tref;
                count[i] += 1;
                for s in ex.row(i as u32) {
                    let at = ((t + u32::from(ex.delays[s])) % 256) as usize;
                    ring[at][ex.targets[s] as usize] += f64::from(ex.weights[s]);
                }
            }
        }
    }
    count
}

#[test]
fn feedforward_layers_fire_at_moderate_rates() {
    let net = builtin("feedforward", &BTreeMap::new()).unwrap();
    let c = simulate(&net, 1000);
    let rate = |r: std::ops::Range<usize>| {
        let len = r.len() as f64;
        c[r].iter().map(|&x| f64::from(x)).sum::<f64>() / len
    };
    let (input, hidden, output) = (rate(0..100), rate(100..300), rate(300..310));
    eprintln!("feedforward rates Hz: input {input:.1}, hidden {hidden:.1}, output {output:.1}");
    assert!((15.0..25.0).contains(&input), "input {input}");
    assert!((10.0..150.0).contains(&hidden), "hidden {hidden}");
    assert!((10.0..150.0).contains(&output), "output {output}");
    assert!(
        c[100..310].iter().all(|&x| x > 0),
        "a silent hidden/output neuron"
    );
}

#[test]
fn synfire_wave_reaches_last_group_and_loops() {
    let mut p = BTreeMap::new();
    p.insert("groups".to_string(), "5".to_string());
    p.insert("size".to_string(), "20".to_string());
    let open = simulate(&builtin("synfire", &p).unwrap(), 40);
    assert!(
        open.iter().all(|&x| x == 1),
        "open chain: every neuron fires once: {open:?}"
    );
    p.insert("loop".to_string(), "true".to_string());
    let looped = simulate(&builtin("synfire", &p).unwrap(), 40);
    // Period = 5 groups x 1 step; 40 steps give ~8 laps.
    assert!(looped.iter().all(|&x| x >= 7), "looped chain: {looped:?}");
}
