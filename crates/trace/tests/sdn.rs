//! The sigma-delta replay, and every replay on the program backend: the
//! fixtures pass value for value, and an altered value fails naming it.

use std::path::{Path, PathBuf};

use neurochip_trace::{
    check_file_with, check_value_with, detect, Backend, TraceError, TraceFormat,
};
use serde_json::Value;

const BACKENDS: [Backend; 2] = [Backend::Native, Backend::Program];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn load(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap()
}

/// Values one scenario compares: the effective parameters, then per step
/// 6 arrays per SigmaDelta neuron, 4 per Delta neuron, 3 per Sigma neuron.
fn expected_values(sc: &Value) -> u64 {
    let m = &sc["main_chain"];
    let d = &sc["delta_chain"];
    let (n_in, n1, n2) = (n(&m["n_in"]), n(&m["n1"]), n(&m["n2"]));
    let (k, j) = (n(&d["k"]), n(&d["j"]));
    let steps = m["x"].as_array().unwrap().len() as u64;
    let params = (1 + n1 * n_in) + (1 + n2 * n1) + (1 + n1) + (1 + n2) + (1 + j * k) + 1;
    params + steps * (6 * (n1 + n2) + 4 * k + 3 * j)
}

#[test]
fn sdn_fixture_passes_every_recorded_value_on_both_backends() {
    let json = load("sdn_public.json");
    assert_eq!(detect(&json), Some(TraceFormat::SigmaDelta));
    let scenarios = json["scenarios"].as_array().unwrap();
    for b in BACKENDS {
        let res = check_file_with(&fixture("sdn_public.json"), b).unwrap();
        assert_eq!(res.len(), 2);
        for (r, sc) in res.iter().zip(scenarios) {
            assert!(r.passed(), "{b:?}: {r}");
            assert_eq!(r.values_checked, expected_values(sc), "{b:?} {}", r.name);
        }
        assert_eq!(res[0].to_string(), "PASS P1_relu_basic (15066 values)");
    }
}

#[test]
fn program_backend_passes_the_lava_and_xylo_fixtures_with_the_same_counts() {
    for f in ["lava_lif_bitacc.json", "xylo_ref_trace.json"] {
        let native = check_file_with(&fixture(f), Backend::Native).unwrap();
        let program = check_file_with(&fixture(f), Backend::Program).unwrap();
        assert_eq!(native, program, "{f}");
        assert!(program.iter().all(|r| r.passed()), "{f}: {program:?}");
    }
}

#[test]
fn sdn_altered_values_fail_naming_them() {
    let cases = [
        ("main_chain", "sd2_residue", 50usize, 1usize),
        ("main_chain", "d1_a_out", 3, 4),
        ("main_chain", "sd1_s_out", 120, 0),
        ("delta_chain", "delta_error", 77, 2),
        ("delta_chain", "sigma_s_out", 199, 0),
    ];
    for b in BACKENDS {
        for (chain, key, step, neuron) in cases {
            let mut json = load("sdn_public.json");
            let cell = &mut json["scenarios"][1][chain][key][step][neuron];
            let orig = cell.as_i64().unwrap();
            *cell = Value::from(orig - 3);
            let res = check_value_with(&json, Path::new("sdn.json"), b).unwrap();
            assert!(res[0].passed(), "scenario 0 is untouched");
            let m = res[1].mismatch.as_ref().expect("altered trace must fail");
            assert_eq!(
                (m.step, m.neuron, m.state.as_str()),
                (step, neuron, key),
                "{b:?}"
            );
            assert_eq!((m.expected, m.got), (orig - 3, orig));
            assert_eq!(
                res[1].to_string(),
                format!(
                    "FAIL P2_unit_cumerr_exps: step {step}, neuron {neuron}, state {key}: expected {}, got {orig}",
                    orig - 3
                )
            );
        }
    }
}

#[test]
fn sdn_effective_parameters_are_checked_first() {
    let mut json = load("sdn_public.json");
    json["scenarios"][1]["effective"]["sd1_bias"][3] = Value::from(12801);
    let res = check_value_with(&json, Path::new("sdn.json"), Backend::Native).unwrap();
    let m = res[1].mismatch.as_ref().unwrap();
    assert_eq!(
        (m.step, m.neuron, m.state.as_str(), m.got),
        (0, 3, "sd1_bias", 12800)
    );

    let mut json = load("sdn_public.json");
    json["scenarios"][0]["effective"]["dense2_weights"][1][5] = Value::from(-1);
    let res = check_value_with(&json, Path::new("sdn.json"), Backend::Native).unwrap();
    let m = res[0].mismatch.as_ref().unwrap();
    assert_eq!((m.state.as_str(), m.got), ("dense2_weights[1][5]", -2));
}

#[test]
fn sdn_altered_parameters_desynchronise_the_replay() {
    for (key, value) in [
        ("act_mode", Value::from("RELU")),
        ("cum_error", Value::from(false)),
        ("state_exp", Value::from(3)),
    ] {
        let mut json = load("sdn_public.json");
        let p = &mut json["scenarios"][1]["main_chain"]["params"]["sd1"];
        p[key] = value;
        if key == "state_exp" {
            // keep the effective threshold and bias (spike_exp + state_exp) unchanged
            p["spike_exp"] = Value::from(3);
        }
        for b in BACKENDS {
            let res = check_value_with(&json, Path::new("sdn.json"), b).unwrap();
            assert!(!res[1].passed(), "{key} {b:?}");
        }
    }
}

#[test]
fn sdn_negative_exponent_is_a_field_error() {
    let mut json = load("sdn_public.json");
    json["scenarios"][0]["delta_chain"]["params"]["delta"]["spike_exp"] = Value::from(-1);
    let err = check_value_with(&json, Path::new("sdn.json"), Backend::Native).unwrap_err();
    match &err {
        TraceError::Field { field, reason, .. } => {
            assert_eq!(field, "scenarios[0].delta_chain.params.delta.vth");
            assert!(reason.contains("negative shift count"), "{reason}");
        }
        other => panic!("{other}"),
    }
}

#[test]
fn program_backend_names_the_same_mismatch() {
    let mut json = load("lava_lif_bitacc.json");
    let orig = json["scenarios"][0]["u"][30][6].as_i64().unwrap();
    json["scenarios"][0]["u"][30][6] = Value::from(orig + 1);
    let res = check_value_with(&json, Path::new("mem.json"), Backend::Program).unwrap();
    let m = res[0].mismatch.as_ref().unwrap();
    assert_eq!(
        (m.step, m.neuron, m.state.as_str(), m.got),
        (30, 6, "u", orig)
    );
}
