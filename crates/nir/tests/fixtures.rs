//! Every fixture written by scripts/make_fixtures.py: the float reference
//! reproduces the numpy traces, and the converted network, run on an ideal
//! float chip with the network format's semantics, reproduces the reference
//! outputs once the reported latency is removed.

mod common;

use common::*;
use neurochip_nir::*;

const WITH_REF: &[&str] = &[
    "ffwd_lif",
    "conv2d_pool",
    "conv1d_cuba",
    "recurrent",
    "delay_threshold",
    "nested",
    "old_v02",
];

fn check_reference(name: &str) {
    let g = load(&fixture(&format!("{name}.nir"))).unwrap_or_else(|e| panic!("{name}: {e}"));
    let r = reference(&format!("{name}.ref.json"));
    let dt = r["dt"].as_f64().unwrap();
    let steps = r["n_steps"].as_u64().unwrap() as usize;
    let run = float_reference(&g, &inputs_of(&r), steps, dt).unwrap();
    let order: Vec<&str> = r["exec_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(run.order, order, "{name}: evaluation order");
    let delayed: Vec<(String, String)> = r["delayed_edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e[0].as_str().unwrap().to_string(),
                e[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut got_delayed = run.delayed_edges.clone();
    got_delayed.sort();
    assert_eq!(got_delayed, delayed, "{name}: cycle-closing edges");
    for (node, n) in r["nodes"].as_object().unwrap() {
        let tr = &run.nodes[node];
        assert_eq!(tr.kind, n["type"].as_str().unwrap(), "{name}/{node}");
        let spiking = n["kind"] == "spikes";
        if let Some(data) = n.get("data") {
            for (t, (a, b)) in tr.output.iter().zip(&matrix(data)).enumerate() {
                assert_eq!(a.len(), b.len(), "{name}/{node}");
                for (k, (x, y)) in a.iter().zip(b).enumerate() {
                    if spiking {
                        assert_eq!(x, y, "{name}/{node} spike [{t}][{k}]");
                    } else {
                        assert!(
                            (x - y).abs() <= 1e-9 * (1.0 + y.abs()),
                            "{name}/{node} out[{t}][{k}] = {x} vs {y}"
                        );
                    }
                }
            }
        }
        if let Some(v) = n.get("v") {
            let got = tr.v.as_ref().expect("v trace");
            for (t, (a, b)) in got.iter().zip(&matrix(v)).enumerate() {
                for (k, (x, y)) in a.iter().zip(b).enumerate() {
                    assert!(
                        (x - y).abs() <= 1e-9 * (1.0 + y.abs()),
                        "{name}/{node} v[{t}][{k}] = {x} vs {y}"
                    );
                }
            }
        }
    }
}

#[test]
fn float_reference_matches_numpy_for_every_fixture() {
    for name in WITH_REF {
        check_reference(name);
    }
}

/// Converted network on the ideal chip, read back, equals the float reference's outputs.
fn check_chip(name: &str, tolerance: f64) -> Comparison {
    let g = load(&fixture(&format!("{name}.nir"))).unwrap();
    let r = reference(&format!("{name}.ref.json"));
    let dt = r["dt"].as_f64().unwrap();
    let steps = r["n_steps"].as_u64().unwrap() as usize;
    let inputs = inputs_of(&r);
    let run = float_reference(&g, &inputs, steps, dt).unwrap();
    let conv = to_network(&g, &inputs, dt, steps).unwrap_or_else(|e| panic!("{name}: {e}"));
    let chip = ideal_chip(&conv.network, conv.chip_steps);
    let rows = readout(&conv, &chip).unwrap();
    let want = run.output_rows();
    assert!(!want.is_empty(), "{name}: the reference produces output");
    compare(&want, &rows, tolerance)
}

#[test]
fn ideal_chip_reproduces_reference_outputs() {
    for name in WITH_REF {
        let c = check_chip(name, 1e-6);
        assert_eq!(
            (c.differ, c.only_reference, c.only_chip),
            (0, 0, 0),
            "{name}: {c:?}"
        );
        assert!(c.matched > 0, "{name}: {c:?}");
    }
}

/// Every converted fixture is a valid network that neurochip-net can expand,
/// with as many synapses as the conversion reports.
#[test]
fn converted_networks_validate_and_expand() {
    for name in WITH_REF {
        let g = load(&fixture(&format!("{name}.nir"))).unwrap();
        let r = reference(&format!("{name}.ref.json"));
        let steps = r["n_steps"].as_u64().unwrap() as usize;
        let conv = to_network(&g, &inputs_of(&r), r["dt"].as_f64().unwrap(), steps).unwrap();
        conv.network
            .validate(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let ex = neurochip_net::expand(&conv.network).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ex.targets.len(), conv.report.synapses, "{name}");
    }
}
