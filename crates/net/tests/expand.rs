//! Expansion: exact counts, distinctness, determinism, keying and statistics.

use std::collections::BTreeMap;
use std::time::Instant;

use neurochip_net::{
    builtin, expand, initial_values, poisson_inputs, stimulus_spikes, Connect, Expanded, Init,
    Network, NeuronParams, Population, Projection, SynapseKind,
};
use proptest::prelude::*;

fn params(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn build(name: &str, kv: &[(&str, &str)]) -> Network {
    builtin(name, &params(kv)).expect("builtin builds")
}

/// Sources of every target, sorted (CSR transposed).
fn sources_by_target(ex: &Expanded) -> Vec<Vec<u32>> {
    let mut by = vec![Vec::new(); ex.n as usize];
    for s in 0..ex.n {
        for i in ex.row(s) {
            by[ex.targets[i] as usize].push(s);
        }
    }
    by
}

fn assert_rows_sorted(ex: &Expanded) {
    for s in 0..ex.n {
        let r = ex.row(s);
        let keys: Vec<(u32, u8)> = r.map(|i| (ex.targets[i], ex.delays[i])).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "row {s} not sorted");
    }
}

#[test]
fn brunel_small_counts_exact_in_degrees_distinct_sources() {
    let ex = expand(&build("brunel", &[("n", "1250")])).unwrap();
    assert_eq!(ex.n, 1250);
    assert_eq!(ex.synapses(), 156_250);
    assert_eq!(ex.pops[1].start, 1000);
    for (t, mut srcs) in sources_by_target(&ex).into_iter().enumerate() {
        let from_exc = srcs.iter().filter(|&&s| s < 1000).count();
        assert_eq!((from_exc, srcs.len() - from_exc), (100, 25), "target {t}");
        srcs.sort_unstable();
        srcs.dedup();
        assert_eq!(srcs.len(), 125, "duplicate source for target {t}");
    }
    // Inhibitory sources: channel 1 and weight -g J = -5 mV; excitatory +1 mV.
    for s in 0..ex.n {
        for i in ex.row(s) {
            let (w, c) = if s < 1000 { (1.0, 0) } else { (-5.0, 1) };
            assert_eq!((ex.weights[i], ex.channels[i], ex.delays[i]), (w, c, 2));
        }
    }
    assert_rows_sorted(&ex);
    let out: u64 = ex.out_degrees().iter().map(|&d| u64::from(d)).sum();
    assert_eq!(out, ex.synapses());
}

#[test]
fn brunel_full_expands_fast_with_exact_count() {
    let net = build("brunel", &[]);
    let t = Instant::now();
    let ex = expand(&net).unwrap();
    let secs = t.elapsed().as_secs_f64();
    eprintln!("W1 expansion: {} synapses in {secs:.2} s", ex.synapses());
    assert_eq!(ex.synapses(), 15_625_000);
    assert!(ex.in_degrees().iter().all(|&d| d == 1250));
    // Debug/test profile is slower than release; this only catches regressions
    // by an order of magnitude.
    assert!(secs < 30.0, "expansion took {secs} s");
}

#[test]
fn random_out_degree_exact_and_targets_distinct() {
    let ex = expand(&build(
        "random",
        &[("n", "2000"), ("k", "100"), ("seed", "5")],
    ))
    .unwrap();
    assert_eq!(ex.synapses(), 200_000);
    for s in 0..ex.n {
        let r = ex.row(s);
        assert_eq!(r.len(), 100);
        let t = &ex.targets[r];
        assert!(
            t.windows(2).all(|w| w[0] < w[1]),
            "row {s} has a repeated target"
        );
    }
    let w = &ex.weights;
    assert!(w.iter().all(|&x| (-6.0..6.0).contains(&x)));
    let mean = w.iter().map(|&x| f64::from(x)).sum::<f64>() / w.len() as f64;
    // s.d. of the mean: 12 / sqrt(12 * 200000) ~ 0.0077
    assert!(mean.abs() < 0.04, "mean weight {mean}");
    let bias = initial_values(&build("random", &[("n", "2000")]), 0);
    assert_eq!(bias.len(), 2000);
    assert!(bias.iter().all(|b| (1.0..8.0).contains(b)));
}

#[test]
fn same_seed_same_network_different_seed_differs() {
    for name in ["brunel", "cuba", "random"] {
        let small = match name {
            "brunel" => vec![("n", "500")],
            "cuba" => vec![("n", "500")],
            _ => vec![("n", "500"), ("k", "20")],
        };
        let mut a = small.clone();
        a.push(("seed", "11"));
        let mut b = small.clone();
        b.push(("seed", "12"));
        let ea = expand(&build(name, &a)).unwrap();
        assert_eq!(
            ea,
            expand(&build(name, &a)).unwrap(),
            "{name} not repeatable"
        );
        let eb = expand(&build(name, &b)).unwrap();
        assert_ne!(ea.targets, eb.targets, "{name}: seed has no effect");
        let va = initial_values(&build(name, &a), 0);
        assert_eq!(va, initial_values(&build(name, &a), 0));
        assert_ne!(va, initial_values(&build(name, &b), 0));
    }
}

#[test]
fn projections_are_keyed_independently() {
    // Changing projection 1 must not change projection 0's synapses.
    let mut net = build("cuba", &[("n", "400")]);
    let before = expand(&net).unwrap();
    net.projections[1].connect = Connect::FixedProbability {
        p: 0.3,
        autapses: true,
    };
    let after = expand(&net).unwrap();
    let exc_exc = |ex: &Expanded| -> Vec<(u32, u32)> {
        (0..320u32)
            .flat_map(|s| ex.row(s).map(move |i| (s, i)))
            .filter(|&(_, i)| ex.targets[i] < 320)
            .map(|(s, i)| (s, ex.targets[i]))
            .collect()
    };
    assert_eq!(exc_exc(&before), exc_exc(&after));
    assert_ne!(before.synapses(), after.synapses());
}

#[test]
fn fixed_probability_count_within_5_sigma() {
    let ex = expand(&build("cuba", &[("seed", "3")])).unwrap();
    let pairs = 4000.0f64 * 4000.0;
    let (mean, sd) = (pairs * 0.02, (pairs * 0.02 * 0.98).sqrt());
    let got = ex.synapses() as f64;
    assert!((got - mean).abs() < 5.0 * sd, "{got} vs {mean} ± {sd}");
    let din = ex.in_degrees();
    let avg_in = din.iter().map(|&d| f64::from(d)).sum::<f64>() / 4000.0;
    assert!((avg_in - 80.0).abs() < 1.0, "mean in-degree {avg_in}");
    // Channels follow the source population; weights are W3's.
    for s in [0u32, 3199, 3200, 3999] {
        for i in ex.row(s) {
            let expect = if s < 3200 { (1.62f32, 0) } else { (-9.0, 1) };
            assert_eq!((ex.weights[i], ex.channels[i]), expect);
        }
    }
    assert_rows_sorted(&ex);
}

fn one_pop(size: u32, connect: Connect) -> Network {
    Network {
        name: "t".into(),
        dt_ms: 1.0,
        seed: 9,
        populations: vec![Population {
            name: "a".into(),
            size,
            neuron: NeuronParams::SanafeLif {
                leak: 1.0,
                threshold: 1.0,
                reset: 0.0,
                bias: Init::Constant(0.0),
            },
        }],
        projections: vec![Projection {
            from: "a".into(),
            to: "a".into(),
            connect,
            weight: Init::Constant(1.0),
            delay: 1,
            synapse: SynapseKind::Exc,
        }],
        stimuli: vec![],
        probes: vec![],
    }
}

#[test]
fn probability_edge_cases_and_autapses() {
    let n = 50;
    let fp = |p, autapses| one_pop(n, Connect::FixedProbability { p, autapses });
    assert_eq!(expand(&fp(0.0, true)).unwrap().synapses(), 0);
    assert_eq!(expand(&fp(1.0, true)).unwrap().synapses(), 2500);
    let ex = expand(&fp(1.0, false)).unwrap();
    assert_eq!(ex.synapses(), 2450);
    assert!((0..n).all(|s| ex.row(s).all(|i| ex.targets[i] != s)));
    let all = expand(&one_pop(n, Connect::AllToAll { autapses: false })).unwrap();
    assert_eq!(all.synapses(), 2450);
}

#[test]
fn list_rows_sorted_by_target_then_delay_with_overrides() {
    let net = one_pop(
        4,
        Connect::List {
            pairs: vec![(0, 3), (0, 1), (0, 3), (2, 0)],
            weights: vec![1.0, 2.0, 3.0, 4.0],
            delays: vec![5, 1, 2, 7],
        },
    );
    let ex = expand(&net).unwrap();
    let r = ex.row(0);
    assert_eq!(&ex.targets[r.clone()], &[1, 3, 3]);
    assert_eq!(&ex.delays[r.clone()], &[1, 2, 5]);
    assert_eq!(&ex.weights[r], &[2.0, 3.0, 1.0]);
    assert_eq!(ex.row(1).len(), 0);
    assert_eq!((ex.targets[ex.row(2)][0], ex.delays[ex.row(2)][0]), (0, 7));
    assert_eq!(ex.pop_of(3), 0);
}

#[test]
fn synfire_structure_and_kick() {
    let net = build("synfire", &[("groups", "4"), ("size", "10")]);
    let ex = expand(&net).unwrap();
    assert_eq!(ex.synapses(), 3 * 100);
    assert_eq!(ex.pop_of(25), 2);
    assert!(
        ex.row(35).is_empty(),
        "last group must not project without loop"
    );
    assert!((ex.weights[0] - 2.0).abs() < 1e-6, "auto weight 20/size");
    let looped = expand(&build(
        "synfire",
        &[("groups", "4"), ("size", "10"), ("loop", "true")],
    ))
    .unwrap();
    assert_eq!(looped.synapses(), 4 * 100);
    assert_eq!(looped.targets[looped.row(35)][0], 0);
    let kick = stimulus_spikes(&net, std::path::Path::new(".")).unwrap();
    assert_eq!(kick.len(), 10);
    assert!(kick
        .iter()
        .enumerate()
        .all(|(i, &(st, g, w, c))| st == 0 && g == i as u32 && w == 20.0 && c == 0));
}

#[test]
fn stimulus_spikes_merge_file_and_array_sorted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.csv"), "step,neuron\n5,0\n1,3\n").unwrap();
    let mut net = build("brunel", &[("n", "100")]);
    net.stimuli = vec![
        neurochip_net::Stimulus::SpikeFile {
            target: "inh".into(),
            path: "s.csv".into(),
            weight: 2.0,
            synapse: SynapseKind::Inh,
        },
        neurochip_net::Stimulus::SpikeArray {
            target: "exc".into(),
            spikes: vec![(5, 7), (1, 79)],
            weight: 1.0,
            synapse: SynapseKind::Exc,
        },
    ];
    let v = stimulus_spikes(&net, dir.path()).unwrap();
    assert_eq!(
        v,
        vec![
            (1, 79, 1.0, 0),
            (1, 83, 2.0, 1),
            (5, 7, 1.0, 0),
            (5, 80, 2.0, 1)
        ]
    );
}

#[test]
fn brunel_drive_and_initial_state() {
    let net = build("brunel", &[]);
    let p = poisson_inputs(&net);
    assert_eq!(p.len(), 2);
    assert_eq!(
        (p[0].rate_hz, p[0].weight, p[0].targets.clone()),
        (20_000.0, 0.1, 0..10_000)
    );
    assert_eq!(p[1].targets, 10_000..12_500);
    let small = poisson_inputs(&build("brunel", &[("n", "1250")]));
    assert_eq!((small[0].rate_hz, small[0].weight), (2_000.0, 1.0));
    let v = initial_values(&net, 1);
    assert_eq!(v.len(), 2500);
    assert!(v.iter().all(|x| (0.0..20.0).contains(x)));
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    assert!((mean - 10.0).abs() < 0.6, "mean V0 {mean}");
    assert!(initial_values(&net, 2).is_empty());
}

#[test]
fn feedforward_hidden_and_output_are_driven_above_threshold() {
    let net = build("feedforward", &[]);
    let ex = expand(&net).unwrap();
    assert_eq!(ex.synapses(), 100 * 200 + 200 * 10);
    // Free-membrane steady state = sum of incoming weights * presyn rate * tau.
    let mut drive = vec![0.0f64; ex.n as usize];
    for s in 0..ex.n {
        for i in ex.row(s) {
            drive[ex.targets[i] as usize] += f64::from(ex.weights[i]);
        }
    }
    let hidden_rate_khz = 1.0 / (2.0 + 20.0 * 3f64.ln());
    assert!(drive[100..300].iter().all(|d| d * 0.02 * 20.0 > 20.0));
    assert!(drive[300..310]
        .iter()
        .all(|d| d * hidden_rate_khz * 20.0 > 20.0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn fixed_in_degree_exact_and_distinct(m in 1u32..300, frac in 0.0f64..=1.0, seed in any::<u64>()) {
        let k = (f64::from(m) * frac).floor() as u32;
        let mut net = one_pop(m, Connect::FixedInDegree { k });
        net.seed = seed;
        let ex = expand(&net).unwrap();
        prop_assert_eq!(ex.synapses(), u64::from(m) * u64::from(k));
        for mut srcs in sources_by_target(&ex) {
            prop_assert_eq!(srcs.len(), k as usize);
            srcs.sort_unstable();
            srcs.dedup();
            prop_assert_eq!(srcs.len(), k as usize);
        }
    }

    #[test]
    fn fixed_out_degree_exact_and_distinct(m in 1u32..300, frac in 0.0f64..=1.0, seed in any::<u64>()) {
        let k = (f64::from(m) * frac).floor() as u32;
        let mut net = one_pop(m, Connect::FixedOutDegree { k });
        net.seed = seed;
        let ex = expand(&net).unwrap();
        for s in 0..m {
            let t = &ex.targets[ex.row(s)];
            prop_assert_eq!(t.len(), k as usize);
            prop_assert!(t.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
