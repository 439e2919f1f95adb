//! The `report.json` contract (docs/report-format.md): the top-level fields scripts rely on,
//! the energy identities, and a golden snapshot of a small deterministic run.
//!
//! Regenerate the golden file after an intended change with
//! `UPDATE_GOLDEN=1 cargo test -p neurochip-tests --test integration report_contract`.

use std::path::PathBuf;

use serde_json::Value;

use crate::determinism::comparable;
use crate::whole_run::run_spec;

/// The golden run: W2 topology, 50 steps, default chip.
const GOLDEN_NET: &str = "builtin:brunel:n=1250";
const GOLDEN_STEPS: u32 = 50;

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/brunel_small_50.json")
}

fn small_report() -> Value {
    let out = run_spec("default", GOLDEN_NET, GOLDEN_STEPS, false);
    serde_json::to_value(&out.report).expect("report serialises")
}

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    v.get(name)
        .unwrap_or_else(|| panic!("report.json lacks top-level field {name:?}"))
}

fn num(v: &Value, name: &str) -> f64 {
    field(v, name)
        .as_f64()
        .unwrap_or_else(|| panic!("report.json field {name:?} is not a number: {}", v[name]))
}

#[test]
fn top_level_fields_scripts_rely_on() {
    let v = small_report();
    for name in [
        "steps",
        "neurons",
        "synapses",
        "spikes",
        "synaptic_events",
        "packets",
        "hops",
        "energy_per_spike_joules",
        "energy_per_synaptic_event_joules",
        "wall_seconds",
    ] {
        num(&v, name);
    }
    assert_eq!(num(&v, "steps"), f64::from(GOLDEN_STEPS));
    assert_eq!(num(&v, "neurons"), 1250.0);
    assert_eq!(num(&v, "synapses"), 156_250.0, "W2 has 1250 × 125 synapses");
    for name in ["cycles_per_step", "seconds_per_step"] {
        let mm = field(&v, name);
        let mean = mm["mean"].as_f64().expect("mean is a number");
        let max = mm["max"].as_f64().expect("max is a number");
        assert!(
            mean > 0.0 && mean <= max,
            "{name}: 0 < mean {mean} <= max {max}"
        );
    }
    let pops = field(&v, "populations")
        .as_array()
        .expect("populations is an array");
    assert_eq!(pops.len(), 2);
    let mut spikes = 0.0;
    for p in pops {
        for k in ["name", "size", "spikes", "rate_hz"] {
            assert!(p.get(k).is_some(), "population lacks {k}: {p}");
        }
        let (s, size) = (p["spikes"].as_f64().unwrap(), p["size"].as_f64().unwrap());
        let rate = p["rate_hz"].as_f64().unwrap();
        let want = s / size / (f64::from(GOLDEN_STEPS) * 1e-3);
        assert!(
            (rate - want).abs() <= 1e-9 * want.max(1.0),
            "rate_hz {rate} vs {want}"
        );
        spikes += s;
    }
    assert_eq!(
        spikes,
        num(&v, "spikes"),
        "population spikes sum to the total"
    );
}

#[test]
fn energy_total_is_sum_of_classes_and_per_spike_is_ratio() {
    let v = small_report();
    let e = field(&v, "energy_joules")
        .as_object()
        .expect("energy_joules is an object");
    let total = e["total"].as_f64().expect("energy_joules.total");
    assert!(e.len() >= 3, "total plus one entry per class: {e:?}");
    let sum: f64 = e
        .iter()
        .filter(|(k, _)| k.as_str() != "total")
        .map(|(_, j)| j.as_f64().expect("class energy is a number"))
        .sum();
    assert!(total > 0.0);
    assert!(
        (sum - total).abs() <= 1e-9 * total,
        "Σ classes {sum:e} J != total {total:e} J"
    );
    let spikes = num(&v, "spikes");
    assert!(spikes > 0.0);
    let per_spike = num(&v, "energy_per_spike_joules");
    assert!(
        (per_spike - total / spikes).abs() <= 1e-12 * per_spike,
        "energy_per_spike {per_spike:e} != total / spikes {:e}",
        total / spikes
    );
    let syn = e
        .get("synaptic_op")
        .and_then(Value::as_f64)
        .expect("energy class synaptic_op");
    let events = num(&v, "synaptic_events");
    let per_event = num(&v, "energy_per_synaptic_event_joules");
    assert!(
        (per_event - syn / events).abs() <= 1e-12 * per_event,
        "energy_per_synaptic_event {per_event:e} != synaptic_op / events"
    );
    let dynamic = num(&v, "energy_dynamic_joules");
    let stat = num(&v, "energy_static_joules");
    assert!(
        (dynamic + stat - total).abs() <= 1e-9 * total,
        "dynamic + static != total"
    );
}

/// First differing line of two texts, for a readable failure.
fn first_diff(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}: golden {x:?} vs now {y:?}", i + 1);
        }
    }
    format!(
        "lengths differ: golden {} lines, now {} lines",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn golden_snapshot_of_small_run() {
    let out = run_spec("default", GOLDEN_NET, GOLDEN_STEPS, false);
    // Text comparison: f64 formatting is exact, so no parse-rounding can hide a change.
    let now = serde_json::to_string_pretty(&comparable(&out)).expect("serialises") + "\n";
    let path = golden_path();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden dir")).expect("create golden dir");
        std::fs::write(&path, &now).expect("write golden file");
        return;
    }
    let golden = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create it with UPDATE_GOLDEN=1 cargo test -p neurochip-tests --test integration report_contract",
            path.display()
        )
    });
    assert!(
        golden == now,
        "{} differs from this run ({}); if the change is intended, regenerate with UPDATE_GOLDEN=1",
        path.display(),
        first_diff(&golden, &now)
    );
}
