//! The shipped reference: ffwd_lif.nir must be reproduced spike for spike.

mod common;

use common::*;
use neurochip_nir::*;

#[test]
fn loads_ffwd_lif() {
    let g = load(&fixture("ffwd_lif.nir")).expect("load");
    assert_eq!(g.version, "1.0.8");
    assert_eq!(g.nodes.len(), 6);
    assert_eq!(g.edges.len(), 5);
    match &g.nodes["fc1"] {
        Node::Affine { weight, bias } => {
            assert_eq!(weight.shape, vec![16, 12]);
            assert_eq!(bias.shape, vec![16]);
        }
        other => panic!("fc1 is {other:?}"),
    }
    match &g.nodes["lif2"] {
        Node::LIF { tau, .. } => {
            let ms: Vec<i64> = tau
                .data
                .iter()
                .map(|t| (t * 1000.0).round() as i64)
                .collect();
            assert_eq!(ms, vec![5, 10, 20, 40]);
        }
        other => panic!("lif2 is {other:?}"),
    }
}

#[test]
fn float_reference_matches_ref_json() {
    let g = load(&fixture("ffwd_lif.nir")).expect("load");
    let r = reference("ffwd_lif.ref.json");
    let inputs = inputs_of(&r);
    let dt = r["dt"].as_f64().unwrap();
    let steps = r["n_steps"].as_u64().unwrap() as usize;
    let run = float_reference(&g, &inputs, steps, dt).expect("run");
    let order: Vec<String> = r["exec_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    assert_eq!(run.order, order);
    let mut spikes = 0;
    for (name, n) in r["nodes"].as_object().unwrap() {
        let tr = &run.nodes[name];
        let want = matrix(&n["data"]);
        assert_eq!(tr.output.len(), want.len(), "{name}");
        for (t, (a, b)) in tr.output.iter().zip(&want).enumerate() {
            assert_eq!(a, b, "{name} output at step {t}");
            spikes += a.iter().filter(|&&x| x == 1.0).count();
        }
        if let Some(v) = n.get("v") {
            let want_v = matrix(v);
            let got_v = tr.v.as_ref().expect("voltage trace");
            for (t, (a, b)) in got_v.iter().zip(&want_v).enumerate() {
                for (k, (x, y)) in a.iter().zip(b).enumerate() {
                    assert!(
                        (x - y).abs() <= 1e-9,
                        "{name} v[{t}][{k}] = {x}, reference {y}"
                    );
                }
            }
        }
        if let Some(c) = n.get("spike_count") {
            let got: f64 = tr.output.iter().flatten().sum();
            assert_eq!(got as u64, c.as_u64().unwrap(), "{name} spike count");
        }
    }
    assert!(spikes > 200, "the reference has real activity ({spikes})");
}
