//! Replays the reference traces and checks that the replay really detects
//! divergence (a replay that always passes would be worthless).

use std::path::{Path, PathBuf};

use neurochip_trace::{check_file, check_value, detect, TraceError, TraceFormat};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn load(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

/// Write `text` to a unique temp file and return its path.
fn temp_file(tag: &str, text: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("neurochip-trace-{}-{tag}.json", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

fn len(v: &Value) -> u64 {
    v.as_array().unwrap().len() as u64
}

#[test]
fn lava_fixture_passes_every_value() {
    let json = load("lava_lif_bitacc.json");
    assert_eq!(detect(&json), Some(TraceFormat::LavaLif));
    let res = check_file(&fixture("lava_lif_bitacc.json")).unwrap();
    assert_eq!(res.len(), 2);
    for (r, sc) in res.iter().zip(json["scenarios"].as_array().unwrap()) {
        assert!(r.passed(), "{r}");
        let steps = len(&sc["a_in"]);
        let n = len(&sc["params"]["bias_mant"]);
        let m = len(&sc["weights_given"][0]);
        // a_in, u, v, s per step and neuron + weights + biases + threshold.
        assert_eq!(r.values_checked, steps * n * 4 + n * m + n + 1);
        assert_eq!(
            r.to_string(),
            format!("PASS {} ({} values)", r.name, r.values_checked)
        );
    }
    assert_eq!(res[0].to_string(), "PASS A_typical (6441 values)");
}

#[test]
fn xylo_fixture_passes_every_value() {
    let json = load("xylo_ref_trace.json");
    assert_eq!(detect(&json), Some(TraceFormat::XyloLayer));
    let res = check_file(&fixture("xylo_ref_trace.json")).unwrap();
    assert_eq!(res.len(), 1);
    assert!(res[0].passed(), "{}", res[0]);
    let t = json["T"].as_u64().unwrap();
    let (h, o) = (
        json["Nhid"].as_u64().unwrap(),
        json["Nout"].as_u64().unwrap(),
    );
    assert_eq!(res[0].values_checked, t * (4 * h + 3 * o));
}

#[test]
fn lava_altered_voltage_fails_at_that_step_and_neuron() {
    let mut json = load("lava_lif_bitacc.json");
    let orig = json["scenarios"][0]["v"][17][3].as_i64().unwrap();
    json["scenarios"][0]["v"][17][3] = Value::from(orig + 1);
    let p = temp_file("lava-v", &json.to_string());
    let res = check_file(&p).unwrap();
    std::fs::remove_file(&p).ok();
    let m = res[0].mismatch.as_ref().expect("altered trace must fail");
    assert_eq!((m.step, m.neuron, m.state.as_str()), (17, 3, "v"));
    assert_eq!((m.expected, m.got), (orig + 1, orig));
    assert_eq!(
        res[0].to_string(),
        format!(
            "FAIL A_typical: step 17, neuron 3, state v: expected {}, got {orig}",
            orig + 1
        )
    );
    // Values before the mismatch were counted: params (41) + 17 full steps + 3 neurons + a_in,u of neuron 3.
    assert_eq!(res[0].values_checked, 41 + 17 * 32 + 3 * 4 + 2);
    assert!(res[1].passed(), "the other scenario is untouched");
}

#[test]
fn lava_altered_effective_weight_is_reported_as_weight() {
    let mut json = load("lava_lif_bitacc.json");
    let orig = json["scenarios"][1]["weights_effective"][2][1]
        .as_i64()
        .unwrap();
    json["scenarios"][1]["weights_effective"][2][1] = Value::from(orig + 8);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    assert!(res[0].passed());
    let m = res[1].mismatch.as_ref().unwrap();
    assert_eq!((m.step, m.neuron, m.state.as_str()), (0, 2, "weight[2][1]"));
    assert_eq!(m.got, orig);
}

#[test]
fn lava_altered_input_spike_changes_replay() {
    // Changing an input (not a recorded state) must desynchronise the replay one step later.
    let mut json = load("lava_lif_bitacc.json");
    let sp = &mut json["scenarios"][0]["spikes_in"][0];
    let t = (0..200).find(|&t| sp[t] == 0 && t > 50).unwrap();
    sp[t] = Value::from(1);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    let m = res[0].mismatch.as_ref().unwrap();
    assert_eq!(m.step, t + 1, "Dense delays the input by one step: {m:?}");
    assert_eq!(m.state, "a_in");
}

#[test]
fn xylo_altered_states_fail_naming_them() {
    for (state, step, neuron) in [
        ("Vmem", 40usize, 2usize),
        ("Isyn2", 63, 1),
        ("Spikes_out", 7, 0),
    ] {
        let mut json = load("xylo_ref_trace.json");
        let orig = json["trace"][state][step][neuron].as_i64().unwrap();
        json["trace"][state][step][neuron] = Value::from(orig + 1);
        let p = temp_file(&format!("xylo-{state}"), &json.to_string());
        let res = check_file(&p).unwrap();
        std::fs::remove_file(&p).ok();
        let m = res[0].mismatch.as_ref().expect("altered trace must fail");
        assert_eq!((m.step, m.neuron, m.state.as_str()), (step, neuron, state));
        assert_eq!((m.expected, m.got), (orig + 1, orig));
    }
}

#[test]
fn xylo_altered_weight_shift_fails() {
    let mut json = load("xylo_ref_trace.json");
    json["params"]["weight_shift_in"] = Value::from(1);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    assert!(!res[0].passed());
}

#[test]
fn malformed_json_names_line() {
    let p = temp_file("bad", "{\n  \"scenarios\": [\n    1,,\n]}");
    let err = check_file(&p).unwrap_err();
    std::fs::remove_file(&p).ok();
    match &err {
        TraceError::Json { line, .. } => assert_eq!(*line, 3),
        other => panic!("expected a JSON error, got {other}"),
    }
    assert!(err.to_string().contains(":3:"), "{err}");
}

#[test]
fn missing_field_is_named() {
    let mut json = load("lava_lif_bitacc.json");
    json["scenarios"][1]["params"]
        .as_object_mut()
        .unwrap()
        .remove("du");
    let err = check_value(&json, Path::new("t.json")).unwrap_err();
    match &err {
        TraceError::Field { field, reason, .. } => {
            assert_eq!(field, "scenarios[1].params.du");
            assert_eq!(reason, "missing");
        }
        other => panic!("{other}"),
    }
    assert_eq!(
        err.to_string(),
        "t.json: field `scenarios[1].params.du`: missing"
    );
}

#[test]
fn ill_typed_and_out_of_range_fields_are_named() {
    let mut json = load("lava_lif_bitacc.json");
    json["scenarios"][0]["params"]["dv"] = Value::from("fast");
    let err = check_value(&json, Path::new("t.json"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`scenarios[0].params.dv`") && err.contains("string"),
        "{err}"
    );

    let mut json = load("lava_lif_bitacc.json");
    json["scenarios"][0]["params"]["bias_mant"][5] = Value::from(5000);
    let err = check_value(&json, Path::new("t.json"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`scenarios[0].params.bias_mant[5]`"), "{err}");

    let mut json = load("xylo_ref_trace.json");
    json["trace"]["Vmem"][3].as_array_mut().unwrap().pop();
    let err = check_value(&json, Path::new("x.json"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`trace.Vmem[3]`") && err.contains("expected 4 elements"),
        "{err}"
    );

    let mut json = load("xylo_ref_trace.json");
    json["params"]["threshold_out"][1] = Value::from(0);
    let err = check_value(&json, Path::new("x.json"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("`params.threshold_out[1]`"), "{err}");
}

#[test]
fn unknown_format_and_missing_file_are_errors() {
    let err = check_value(&serde_json::json!({"hello": 1}), Path::new("u.json")).unwrap_err();
    assert!(matches!(err, TraceError::UnknownFormat { .. }), "{err}");
    let err = check_file(Path::new("/nonexistent/neurochip/trace.json")).unwrap_err();
    assert!(matches!(err, TraceError::Io { .. }));
    assert!(err
        .to_string()
        .contains("/nonexistent/neurochip/trace.json"));
}

#[test]
fn xylo_input_cap_of_15_is_exercised() {
    // The fixture has an input count of 20; without the cap the replay must diverge.
    let mut json = load("xylo_ref_trace.json");
    json["constants"]["MAX_NUM_INP_SPIKES"] = Value::from(31);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    assert!(!res[0].passed());
}
