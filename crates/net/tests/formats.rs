//! TOML and JSON describe the same networks; the documented examples parse.

use std::collections::BTreeMap;
use std::path::Path;

use neurochip_net::{
    builtin, builtins, expand, load, parse, reference_rate_hz, resolve, Format, Network,
};

fn doc() -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/network-format.md");
    std::fs::read_to_string(p).expect("docs/network-format.md exists")
}

/// The fenced block following the marker line `<!-- example: NAME -->`.
fn block(doc: &str, name: &str) -> String {
    let marker = format!("<!-- example: {name} -->");
    let after = doc
        .split(&marker)
        .nth(1)
        .unwrap_or_else(|| panic!("no {marker}"));
    let body = after.split("```").nth(1).expect("fenced block");
    body.split_once('\n').expect("info string").1.to_string()
}

#[test]
fn doc_toml_and_json_examples_are_the_same_network() {
    let d = doc();
    let t = parse(&block(&d, "toml"), "example.toml", Format::Toml).unwrap();
    let j = parse(&block(&d, "json"), "example.json", Format::Json).unwrap();
    assert_eq!(t, j);
    let ex = expand(&t).unwrap();
    assert!(ex.synapses() > 0);
}

#[test]
fn builtins_roundtrip_through_toml_and_json_files() {
    let dir = tempfile::tempdir().unwrap();
    for b in builtins() {
        let mut p = BTreeMap::new();
        // Keep the generated files small.
        for (k, v) in [
            ("n", "300"),
            ("groups", "3"),
            ("size", "5"),
            ("hidden", "20"),
        ] {
            if b.params.iter().any(|q| q.name == k) {
                p.insert(k.to_string(), v.to_string());
            }
        }
        let net = builtin(b.name, &p).unwrap();
        let tp = dir.path().join(format!("{}.toml", b.name));
        let jp = dir.path().join(format!("{}.json", b.name));
        std::fs::write(&tp, toml::to_string(&net).unwrap()).unwrap();
        std::fs::write(&jp, serde_json::to_string_pretty(&net).unwrap()).unwrap();
        let from_toml = load(&tp).unwrap();
        let from_json = load(&jp).unwrap();
        assert_eq!(from_toml, net, "{} via TOML", b.name);
        assert_eq!(from_json, net, "{} via JSON", b.name);
        assert_eq!(resolve(tp.to_str().unwrap()).unwrap(), net);
    }
}

#[test]
fn builtin_listing_is_complete_and_defaults_build() {
    let names: Vec<&str> = builtins().iter().map(|b| b.name).collect();
    for want in ["brunel", "cuba", "random", "synfire", "feedforward"] {
        assert!(names.contains(&want), "missing {want}");
    }
    for b in builtins() {
        assert!(!b.description.is_empty());
        let net: Network = builtin(b.name, &BTreeMap::new()).unwrap();
        net.validate("x").unwrap();
        assert_eq!(net.dt_ms, 1.0);
        // Every documented default is accepted when given explicitly.
        let all: BTreeMap<String, String> = b
            .params
            .iter()
            .map(|p| (p.name.to_string(), p.default.to_string()))
            .collect();
        assert_eq!(builtin(b.name, &all).unwrap(), net, "{}", b.name);
    }
}

#[test]
fn resolve_spec_params_and_brunel_small_alias() {
    let a = resolve("builtin:brunel:n=1250, delay=1").unwrap();
    let b = resolve("builtin:brunel_small:delay=1").unwrap();
    assert_eq!(a.populations, b.populations);
    assert_eq!(a.projections, b.projections);
    assert_eq!(a.projections[0].delay, 1);
    assert_eq!(a.populations[0].size, 1000);
    assert_eq!(resolve("builtin:cuba").unwrap().populations[1].size, 800);
}

#[test]
fn reference_rates_follow_workloads_table() {
    let p = |kv: &[(&str, &str)]| -> BTreeMap<String, String> {
        kv.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        reference_rate_hz("brunel", &p(&[])),
        Some((36.31, 36.20, 36.40))
    );
    assert_eq!(
        reference_rate_hz("brunel", &p(&[("delay", "1")])),
        Some((36.44, 36.32, 36.57))
    );
    assert_eq!(
        reference_rate_hz("brunel", &p(&[("n", "1250")])),
        Some((47.11, 46.71, 47.35))
    );
    assert_eq!(
        reference_rate_hz("brunel_small", &p(&[("delay", "1")])),
        Some((49.80, 47.31, 51.69))
    );
    assert_eq!(
        reference_rate_hz("cuba", &p(&[("seed", "4")])),
        Some((5.97, 5.61, 6.03))
    );
    assert_eq!(reference_rate_hz("brunel", &p(&[("g", "4")])), None);
    assert_eq!(reference_rate_hz("random", &p(&[])), None);
    assert_eq!(reference_rate_hz("nope", &p(&[])), None);
}
