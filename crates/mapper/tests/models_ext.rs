//! Mapping onto spinnaker_lif, xylo_iaf and truenorth: map a builtin or a
//! small network, decode the words the image holds and run the chip briefly.

mod common;

use std::collections::BTreeMap;

use common::*;
use neurochip_arch::schema::Architecture;
use neurochip_firmware::NeuronModel;
use neurochip_hw::image::ChipImage;
use neurochip_mapper::word::unpack;
use neurochip_mapper::{map, AnyImage, MapOptions, Mapping, Strategy};
use neurochip_net::expand::expand;
use neurochip_net::schema::*;

fn builtin(name: &str, kv: &[(&str, &str)]) -> Network {
    let p: BTreeMap<String, String> = kv
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    neurochip_net::builtin(name, &p).expect("builtin")
}

fn preset(name: &str) -> Architecture {
    neurochip_arch::preset(name).expect("preset")
}

fn map_net(arch: &Architecture, net: &Network) -> Mapping {
    let ex = expand(net).expect("expand");
    let opts = MapOptions {
        strategy: Strategy::Sequential,
        seed: 3,
    };
    map(arch, &ex, &opts).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `steps` and returns (step, gid, count) of every spike.
fn run_chip<M: NeuronModel>(
    arch: &Architecture,
    img: ChipImage<M>,
    steps: u32,
) -> Vec<(u32, u32, u8)>
where
    M::Params: Send,
    M::State: Send,
    M::Acc: Send,
{
    let mut chip = neurochip_hw::Chip::new(arch, img).expect("chip");
    let mut out = Vec::new();
    for _ in 0..steps {
        let t = chip.step();
        chip.run_step().expect("step");
        for &(gid, n) in chip.last_spikes() {
            if n > 0 {
                out.push((t, gid, n));
            }
        }
    }
    out
}

/// Every synapse of the expansion appears as one word (weight, delay, target) in its target's core.
fn words_match<M: NeuronModel>(m: &Mapping, img: &ChipImage<M>, net: &Network) -> u64 {
    let ex = expand(net).unwrap();
    let mut words = 0u64;
    for c in &img.cores {
        for w in c.synapse_words.iter() {
            let f = unpack(&c.layout, w);
            assert!((f.target as usize) < c.global_ids.len(), "target in range");
            words += 1;
        }
    }
    let host: u64 = m.report.totals.synapse_words - ex.targets.len() as u64;
    assert_eq!(words, ex.targets.len() as u64 + host);
    words
}

#[test]
fn spinnaker_maps_and_runs_cuba() {
    let arch = preset("spinnaker");
    let net = builtin("cuba", &[]);
    let m = map_net(&arch, &net);
    assert_eq!(m.report.cores_used, 16, "4000 neurons at 256 per core");
    let AnyImage::SpinnakerLif(img) = m.image.clone() else {
        panic!("spinnaker image expected")
    };
    words_match(&m, &img, &net);
    // Excitatory words hold a positive ring weight on channel 0, inhibitory on channel 1.
    let ex = expand(&net).unwrap();
    let (gid, local) = (0usize, m.placement[0]);
    let core = &img.cores[local.0 as usize];
    let p = core.params[local.1 as usize];
    assert_eq!(core.global_ids[local.1 as usize], gid as u32);
    assert!(p.weight_shift.iter().all(|&s| s <= 15));
    let mut seen = [false; 2];
    for c in &img.cores {
        for w in c.synapse_words.iter() {
            let f = unpack(&c.layout, w);
            let ring = f.weight as u16;
            assert!(ring > 0, "weights are non-zero");
            seen[f.channel as usize] = true;
        }
    }
    assert_eq!(seen, [true, true]);
    // Weight errors are small: 16-bit ring weights of two distinct values.
    for pq in &m.report.projections {
        assert!(pq.max_rel_error < 1e-3, "{pq:?}");
        assert_eq!(pq.clipped, 0);
    }
    assert!(ex.targets.len() > 300_000);
    // A spinnaker image runs and cuba (v(0) up to threshold, v_rest above threshold) spikes.
    let spikes = run_chip(&arch, img, 20);
    assert!(spikes.len() > 100, "{} spikes", spikes.len());
}

#[test]
fn spinnaker_delta_synapses_fire_a_chain() {
    let arch = preset("spinnaker");
    let mut net = chain(20);
    net.projections[0].weight = Init::Constant(30.0);
    net.stimuli = vec![Stimulus::SpikeArray {
        target: "p".into(),
        spikes: vec![(0, 0)],
        weight: 30.0,
        synapse: SynapseKind::Exc,
    }];
    let m = map_net(&arch, &net);
    assert!(m
        .report
        .warnings
        .iter()
        .any(|w| w.contains("delta synapses approximated")));
    let AnyImage::SpinnakerLif(img) = m.image else {
        panic!()
    };
    let spikes = run_chip(&arch, img, 30);
    // The kick fires neuron 0 and the wave reaches the far end of the chain.
    assert!(spikes.iter().any(|s| s.1 == 0), "{spikes:?}");
    assert!(spikes.iter().any(|s| s.1 == 19), "{spikes:?}");
}

#[test]
fn xylo_maps_feedforward_and_a_chain_spikes() {
    let arch = preset("xylo");
    let net = builtin("feedforward", &[("outputs", "8")]);
    let m = map_net(&arch, &net);
    let AnyImage::XyloIaf(img) = m.image.clone() else {
        panic!("xylo image expected")
    };
    words_match(&m, &img, &net);
    // Readout = last population: one current, one spike per step; hidden up to 31.
    let out_gid = 300usize;
    let (c, l) = m.placement[out_gid];
    let p = img.cores[c as usize].params[l as usize];
    assert_eq!((p.n_syn, p.max_spikes), (1, 1));
    let (c, l) = m.placement[100];
    let p = img.cores[c as usize].params[l as usize];
    assert_eq!(p.max_spikes, 31);
    assert!(p.weight_shift >= 0 && p.weight_shift <= 15);
    // int8 weights.
    for c in &img.cores {
        for w in c.synapse_words.iter() {
            let f = unpack(&c.layout, w);
            assert!((-128..=127).contains(&f.weight));
        }
    }
    run_chip(&arch, img, 5);

    let mut net = chain(20);
    net.projections[0].weight = Init::Constant(60.0);
    net.stimuli = vec![Stimulus::SpikeArray {
        target: "p".into(),
        spikes: vec![(0, 0)],
        weight: 60.0,
        synapse: SynapseKind::Exc,
    }];
    let m = map_net(&arch, &net);
    let AnyImage::XyloIaf(img) = m.image else {
        panic!()
    };
    let spikes = run_chip(&arch, img, 40);
    assert!(spikes.iter().any(|s| s.1 == 0), "{spikes:?}");
    assert!(spikes.iter().any(|s| s.1 == 19), "{spikes:?}");
}

#[test]
fn truenorth_maps_and_runs_synfire() {
    let arch = preset("truenorth");
    let net = builtin("synfire", &[]);
    let m = map_net(&arch, &net);
    let AnyImage::Truenorth(img) = m.image.clone() else {
        panic!("truenorth image expected")
    };
    words_match(&m, &img, &net);
    for c in &m.report.cores {
        assert!(c.axons_in <= 256 && c.neurons <= 256, "{c:?}");
    }
    // Every word's channel selects a non-zero axon-type weight of its target.
    for c in &img.cores {
        for w in c.synapse_words.iter() {
            let f = unpack(&c.layout, w);
            let p = c.params[f.target as usize];
            assert_eq!(p.weights[f.channel as usize] as i32, f.weight);
            assert_ne!(f.weight, 0);
        }
    }
    for pq in &m.report.projections {
        assert!(pq.max_rel_error < 1e-6, "{pq:?}");
    }
    let spikes = run_chip(&arch, img, 15);
    // The wave passes group by group: group g fires at step g.
    for g in 0..10u32 {
        let n = spikes.iter().filter(|s| s.1 / 100 == g && s.0 == g).count();
        assert_eq!(n, 100, "group {g}: {spikes:?}");
    }
}

#[test]
fn truenorth_refuses_more_than_four_weights() {
    let arch = preset("truenorth");
    let mut net = two_pops();
    net.populations = vec![pop("e", 16), pop("i", 16)];
    net.projections[0].weight = Init::Dist(Distribution::Uniform {
        low: 0.1,
        high: 5.0,
    });
    let ex = expand(&net).unwrap();
    let e = map(&arch, &ex, &MapOptions::default())
        .expect_err("error")
        .to_string();
    assert!(!e.contains('\n'));
    assert!(
        e.starts_with("mapping: population \"i\" (lif) on truenorth: neuron "),
        "{e}"
    );
    assert!(e.contains("distinct integer weights"), "{e}");
}

/// Prints the quantisation figures quoted in docs/mapping.md (run with --ignored --nocapture).
#[test]
#[ignore]
fn figures() {
    for (arch, net) in [
        ("spinnaker", builtin("cuba", &[])),
        ("spinnaker", builtin("brunel", &[("n", "1250")])),
        ("xylo", builtin("feedforward", &[("outputs", "8")])),
        ("truenorth", builtin("synfire", &[])),
        ("truenorth", builtin("brunel", &[("n", "1250")])),
    ] {
        let a = preset(arch);
        let ex = expand(&net).unwrap();
        let t = std::time::Instant::now();
        match map(&a, &ex, &MapOptions::default()) {
            Ok(m) => {
                let r = &m.report;
                println!(
                    "{} on {arch}: map {:.2}s, {} cores, routers {:?}",
                    net.name,
                    t.elapsed().as_secs_f64(),
                    r.cores_used,
                    r.routers.iter().map(|x| x.entries).max()
                );
                for p in &r.populations {
                    for q in &p.params {
                        println!(
                            "   {} {}: {} -> {} ({}), err {:.2e}",
                            p.population, q.name, q.requested, q.integer, q.realised, q.rel_error
                        );
                    }
                }
                for g in &r.projections {
                    println!(
                        "   {}->{} ch{}: n {} clipped {} max err {:.2e} mean {:.2e}",
                        g.from,
                        g.to,
                        g.channel,
                        g.count,
                        g.clipped,
                        g.max_rel_error,
                        g.mean_rel_error
                    );
                }
                for w in &r.warnings {
                    println!("   warning: {w}");
                }
                let spikes = match m.image {
                    AnyImage::XyloIaf(img) => run_chip(&a, img, 200),
                    AnyImage::SpinnakerLif(img) => run_chip(&a, img, 200),
                    AnyImage::Truenorth(img) => run_chip(&a, img, 200),
                    _ => Vec::new(),
                };
                for p in &ex.pops {
                    let k = spikes
                        .iter()
                        .filter(|s| s.1 >= p.start && s.1 < p.start + p.size)
                        .map(|s| s.2 as u64)
                        .sum::<u64>();
                    println!(
                        "   {}: {:.1} Hz over 200 steps",
                        p.name,
                        k as f64 / p.size as f64 / (0.2 * net.dt_ms)
                    );
                }
            }
            Err(e) => println!("{} on {arch}: {e}", net.name),
        }
    }
}

#[test]
fn xylo_readout_larger_than_eight_is_an_error() {
    let arch = preset("xylo");
    let net = builtin("feedforward", &[("outputs", "10")]);
    let ex = expand(&net).expect("expand");
    let opts = MapOptions {
        strategy: Strategy::Sequential,
        seed: 3,
    };
    let Err(e) = map(&arch, &ex, &opts) else {
        panic!("10 readout neurons on xylo must fail")
    };
    let e = e.to_string();
    assert!(
        e.starts_with("mapping: population \"output\"")
            && e.contains("has 10 neurons, xylo_iaf has 8 readout neurons")
            && !e.contains('\n'),
        "{e}"
    );
}
