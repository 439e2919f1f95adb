//! The example end to end: registered from outside, mapped by the library's mapper and run
//! on a preset's chip, with errors that name the file, population and field.
#![cfg(feature = "host")]

use std::path::Path;

use custom_neuron::AdaptiveLif;
use neurochip_sim::{run, RunConfig};

fn net_file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("network.toml")
}

fn run_on(
    preset: &str,
    net: &neurochip_net::Network,
    steps: u32,
    threads: usize,
) -> neurochip_sim::RunOutput {
    neurochip_sim::register::<AdaptiveLif>().unwrap();
    let spec = format!("{preset}:core.model=adaptive_lif");
    let arch = neurochip_arch::resolve(&spec).unwrap();
    let cfg = RunConfig {
        steps,
        threads,
        record_spikes: true,
        ..Default::default()
    };
    run(&arch, &spec, net, "network.toml", &cfg, &mut |_| {}).unwrap()
}

#[test]
fn adaptation_lowers_the_rate_on_the_chip() {
    let net = neurochip_net::load(&net_file()).unwrap();
    let out = run_on("default", &net, 300, 1);
    let rate = |name: &str| {
        out.report
            .populations
            .iter()
            .find(|p| p.name == name)
            .unwrap()
            .rate_hz
    };
    assert!(rate("plain") > 5.0, "driven: {}", rate("plain"));
    assert!(
        rate("alif") < 0.8 * rate("plain"),
        "{} vs {}",
        rate("alif"),
        rate("plain")
    );
    let m = out.report.mapping.as_ref().unwrap();
    assert_eq!(m.map.populations[0].kind, "adaptive_lif");
    // The probes read the model's own state fields.
    let states: Vec<&str> = out.probes.iter().map(|p| p.state.as_str()).collect();
    assert_eq!(states, ["v", "v", "a", "a"]);
    assert!(out
        .probes
        .iter()
        .any(|p| p.state == "a" && p.values.iter().any(|&x| x > 0)));
    // Results do not depend on the host's thread count.
    let two = run_on("default", &net, 300, 2);
    assert_eq!(out.spikes, two.spikes);
}

#[test]
fn it_runs_on_another_preset_with_a_24_bit_register() {
    let net = neurochip_net::load(&net_file()).unwrap();
    let out = run_on("loihi", &net, 100, 1);
    assert!(out.report.spikes > 0);
}

#[test]
fn a_bad_table_is_one_line_naming_file_population_and_field() {
    neurochip_sim::register::<AdaptiveLif>().unwrap();
    let src = std::fs::read_to_string(net_file()).unwrap();
    let arch = neurochip_arch::resolve("default:core.model=adaptive_lif").unwrap();
    for (from, to, field) in [
        ("tau_a_ms = 200.0", "tau_aa_ms = 200.0", "params.tau_aa_ms"),
        ("beta_mv = 2.0", "beta_mv = -2.0", "params.beta_mv"),
        ("tau_a_ms = 200.0", "tau_a_ms = -1.0", "params.tau_a_ms"),
    ] {
        let bad = src.replacen(from, to, 1);
        let net = neurochip_net::parse(&bad, "bad.toml", neurochip_net::Format::Toml).unwrap();
        let cfg = RunConfig {
            steps: 1,
            ..Default::default()
        };
        let e = run(&arch, "default", &net, "bad.toml", &cfg, &mut |_| {})
            .unwrap_err()
            .to_string();
        assert!(!e.contains('\n'), "{e}");
        assert!(
            e.starts_with("bad.toml on default: mapping: population \"alif\""),
            "{e}"
        );
        assert!(e.contains(field), "{field}: {e}");
    }
    // A physical lif population cannot run on these cores, and says so.
    let lif =
        neurochip_net::builtin("brunel", &[("n".to_string(), "100".to_string())].into()).unwrap();
    let cfg = RunConfig {
        steps: 1,
        ..Default::default()
    };
    let e = run(&arch, "default", &lif, "brunel", &cfg, &mut |_| {})
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot be expressed by adaptive_lif"), "{e}");
}
