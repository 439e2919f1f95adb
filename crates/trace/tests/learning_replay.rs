//! Replays Lava's learning scenarios and checks that the replay detects
//! every kind of divergence: a recorded value, a float in its last bit, a
//! random draw, the decoded rule, an input spike.

use std::path::{Path, PathBuf};

use neurochip_trace::{check_file, check_value, detect, TraceError, TraceFormat};
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/learn_public.json")
}

fn load() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture()).unwrap()).unwrap()
}

fn len(v: &Value) -> u64 {
    v.as_array().unwrap().len() as u64
}

/// Values a passing scenario compares: the rule's decoded products, the
/// impulse split (fixed), initial weights, every random draw and initial
/// generator state (fixed), 12 recorded arrays per step, 3 operation counts (fixed).
fn expected_values(sc: &Value) -> u64 {
    let (pre, post, steps) = (
        sc["n_pre"].as_u64().unwrap(),
        sc["n_post"].as_u64().unwrap(),
        sc["num_steps"].as_u64().unwrap(),
    );
    let products: u64 = sc["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| 6 + 3 * len(&p["factors"]))
        .sum();
    let per_step = 3 * pre + 6 * post + 3 * pre * post;
    let mut n = 1 + products + pre * post + steps * per_step;
    if sc["model"] == "fixed" {
        let r = &sc["random"];
        let draws: u64 = ["x_decay", "x_impulse", "y_decay", "y_impulse", "conn_var"]
            .iter()
            .map(|k| len(&r[*k]))
            .sum();
        n += 10 + 20 + draws + 3;
    }
    n
}

#[test]
fn learning_fixture_passes_every_value() {
    let json = load();
    assert_eq!(detect(&json), Some(TraceFormat::LavaLearning));
    let res = check_file(&fixture()).unwrap();
    let scenarios = json["scenarios"].as_array().unwrap();
    assert_eq!(res.len(), 3);
    for (r, sc) in res.iter().zip(scenarios) {
        assert!(r.passed(), "{r}");
        assert_eq!(r.values_checked, expected_values(sc), "{}", r.name);
    }
    assert_eq!(res[0].to_string(), "PASS P1_stdp_pair_fixed (15069 values)");
}

#[test]
fn an_altered_weight_fails_at_its_step_and_synapse() {
    let mut json = load();
    let w = &mut json["scenarios"][0]["recorded"]["weights"][57][1][2];
    let orig = w.as_i64().unwrap();
    *w = Value::from(orig + 1);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    let m = res[0]
        .mismatch
        .as_ref()
        .expect("an altered weight must fail");
    assert_eq!(
        (m.step, m.neuron, m.state.as_str()),
        (57, 1, "weights[1][2]")
    );
    assert_eq!((m.expected, m.got, m.float), (orig + 1, orig, false));
    assert_eq!(
        res[0].to_string(),
        format!(
            "FAIL P1_stdp_pair_fixed: step 57, neuron 1, state weights[1][2]: expected {}, got {orig}",
            orig + 1
        )
    );
    assert!(
        res[1].passed() && res[2].passed(),
        "the others are untouched"
    );
}

#[test]
fn every_recorded_array_is_compared() {
    // One altered value per array, each in its own copy, must be the mismatch.
    let vectors = ["a_in", "s_post", "x1", "x2", "tx", "y1", "y2", "y3", "ty"];
    for name in vectors {
        let mut json = load();
        let v = &mut json["scenarios"][1]["recorded"][name][101][1];
        let orig = v.as_i64().unwrap();
        *v = Value::from(orig + 3);
        let res = check_value(&json, Path::new("mem.json")).unwrap();
        let m = res[1].mismatch.as_ref().expect(name);
        assert_eq!((m.step, m.neuron, m.state.as_str()), (101, 1, name));
    }
    for name in ["weights", "tag_1", "tag_2"] {
        let mut json = load();
        let v = &mut json["scenarios"][1]["recorded"][name][150][2][3];
        *v = Value::from(v.as_i64().unwrap() - 1);
        let res = check_value(&json, Path::new("mem.json")).unwrap();
        let m = res[1].mismatch.as_ref().expect(name);
        assert_eq!((m.step, m.state.clone()), (150, format!("{name}[2][3]")));
    }
}

#[test]
fn a_float_off_by_one_ulp_fails() {
    let mut json = load();
    let v = &mut json["scenarios"][2]["recorded"]["weights"][120][0][1];
    let orig = v.as_f64().unwrap();
    let bumped = f64::from_bits(orig.to_bits() + 1);
    *v = Value::from(bumped);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    let m = res[2].mismatch.as_ref().expect("one ulp must fail");
    assert_eq!(
        (m.step, m.neuron, m.state.as_str(), m.float),
        (120, 0, "weights[0][1]", true)
    );
    assert_eq!(f64::from_bits(m.got as u64), orig);
    assert!(
        res[2]
            .to_string()
            .ends_with(&format!("expected {bumped:?}, got {orig:?}")),
        "{}",
        res[2]
    );
}

#[test]
fn a_nan_trace_must_stay_nan() {
    let mut json = load();
    json["scenarios"][2]["recorded"]["x2"][10][0] = Value::from(0.0);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    let m = res[2].mismatch.as_ref().expect("x2 is NaN in Lava");
    assert_eq!((m.step, m.state.as_str()), (10, "x2"));
}

#[test]
fn an_altered_random_draw_or_decoded_product_fails() {
    let mut json = load();
    json["scenarios"][0]["random"]["conn_var"][7] = Value::from(0.5);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    let m = res[0].mismatch.as_ref().unwrap();
    assert_eq!(m.state, "random.conn_var[7]");

    let mut json = load();
    json["scenarios"][1]["products"][2]["mant"] = Value::from(3);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    let m = res[1].mismatch.as_ref().unwrap();
    assert_eq!(
        (m.state.as_str(), m.expected, m.got),
        ("products[2].mant", 3, 2)
    );
}

#[test]
fn an_added_input_spike_desynchronises_the_run() {
    let mut json = load();
    let sp = &mut json["scenarios"][0]["spikes_in"][2];
    let t = (60..200).find(|&t| sp[t] == 0).unwrap();
    sp[t] = Value::from(1);
    let res = check_value(&json, Path::new("mem.json")).unwrap();
    let m = res[0]
        .mismatch
        .as_ref()
        .expect("an extra spike changes the run");
    assert_eq!(
        m.step, t,
        "the pre trace changes in the spike's step: {m:?}"
    );
}

#[test]
fn a_bad_rule_is_a_field_error() {
    let mut json = load();
    json["scenarios"][0]["rule"]["dw"] = Value::from("x0*y1 + 2^9*y0*x1");
    let err = check_value(&json, Path::new("t.json")).unwrap_err();
    match &err {
        TraceError::Field { field, reason, .. } => {
            assert_eq!(field, "scenarios[0].rule.dw");
            assert_eq!(
                reason,
                "dw term 2 `2^9*y0*x1`: scaling exponent 9 is outside -7..=8"
            );
        }
        other => panic!("{other}"),
    }
    let mut json = load();
    json["scenarios"][1]["rule"]["t_epoch"] = Value::from(0);
    let err = check_value(&json, Path::new("t.json"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`scenarios[1].rule.t_epoch`") && err.contains("outside 1..=63"),
        "{err}"
    );
}
