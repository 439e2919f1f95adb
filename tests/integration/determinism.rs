//! Determinism of whole runs: the same inputs give the same spikes and counters, whatever the
//! host thread count; only the seed changes the outcome.

use neurochip_sim::{run, RunConfig, RunOutput};

/// A small but recurrent, Poisson-driven run (W2 topology, 100 steps).
const NET: &str = "builtin:brunel:n=1250";

fn run_with(seed: Option<u64>, threads: usize) -> RunOutput {
    let arch = neurochip_arch::resolve("default").expect("default preset");
    let mut net = neurochip_net::resolve(NET).expect("network resolves");
    if let Some(s) = seed {
        net.seed = s;
    }
    let cfg = RunConfig {
        steps: 100,
        threads,
        record_spikes: true,
        ..RunConfig::default()
    };
    run(&arch, "default", &net, NET, &cfg, &mut |_| {}).expect("run succeeds")
}

/// The report as JSON without the host-timing fields (the only ones allowed to differ).
pub(crate) fn comparable(out: &RunOutput) -> serde_json::Value {
    let mut v = serde_json::to_value(&out.report).expect("report serialises");
    let obj = v.as_object_mut().expect("report is an object");
    obj.remove("wall_seconds");
    obj.remove("build_seconds");
    v
}

#[test]
fn same_run_twice_is_identical() {
    let a = run_with(None, 1);
    let b = run_with(None, 1);
    assert!(!a.spikes.is_empty(), "the run produces spikes");
    assert_eq!(
        a.spikes, b.spikes,
        "spike trains differ between identical runs"
    );
    assert_eq!(
        comparable(&a),
        comparable(&b),
        "counters differ between identical runs"
    );
}

#[test]
fn one_and_two_threads_are_identical() {
    let a = run_with(None, 1);
    let b = run_with(None, 2);
    assert_eq!(
        a.spikes, b.spikes,
        "spike trains depend on the thread count"
    );
    assert_eq!(
        comparable(&a),
        comparable(&b),
        "counters depend on the thread count"
    );
}

#[test]
fn different_seeds_differ() {
    let a = run_with(Some(1), 1);
    let b = run_with(Some(2), 1);
    assert!(!a.spikes.is_empty() && !b.spikes.is_empty());
    assert_ne!(a.spikes, b.spikes, "seed 1 and seed 2 give the same spikes");
}
