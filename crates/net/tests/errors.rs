//! Bad inputs: every error is one line naming origin, field path and reason.

use std::collections::BTreeMap;

use neurochip_net::{
    builtin, load, parse, parse_spike_csv, resolve, Connect, Distribution, Format, Init, NetError,
    Network, Stimulus,
};

const BASE: &str = r#"
name = "t"
seed = 7

[[populations]]
name = "exc"
size = 80
neuron = { kind = "lif", tau_m_ms = 20.0, v_thresh_mv = 20.0, v_reset_mv = 10.0 }

[[populations]]
name = "inh"
size = 20
neuron = { kind = "lif", tau_m_ms = 20.0, v_thresh_mv = 20.0, v_reset_mv = 10.0 }

[[projections]]
from = "exc"
to = "inh"
connect = { rule = "fixed_in_degree", k = 10 }
weight = 0.5
"#;

fn base() -> Network {
    parse(BASE, "net.toml", Format::Toml).expect("base network is valid")
}

/// Validate and return the error text, asserting it is a single line.
fn verr(net: &Network) -> String {
    let e = net.validate("net.toml").expect_err("should be rejected");
    let s = e.to_string();
    assert!(!s.contains('\n'), "multi-line error: {s}");
    s
}

fn perr(src: &str) -> String {
    let e = parse(src, "net.toml", Format::Toml).expect_err("should be rejected");
    let s = e.to_string();
    assert!(!s.contains('\n'), "multi-line error: {s}");
    s
}

#[test]
fn unknown_field_names_table_and_position() {
    let src = BASE.replace("size = 20", "size = 20\nszie = 3");
    let s = perr(&src);
    assert!(
        s.starts_with("net.toml: populations[1] (line 13, column 1): unknown field `szie`"),
        "{s}"
    );
}

#[test]
fn negative_size_is_a_type_error_with_position() {
    let s = perr(&BASE.replace("size = 20", "size = -3"));
    assert!(
        s.starts_with("net.toml: populations[1] (line 12, column 8): "),
        "{s}"
    );
    assert!(s.contains("-3"), "{s}");
}

#[test]
fn size_zero() {
    let mut n = base();
    n.populations[1].size = 0;
    assert_eq!(verr(&n), "net.toml: populations[1].size: must be > 0");
}

#[test]
fn missing_population_lists_names() {
    let mut n = base();
    n.projections[0].from = "exx".into();
    assert_eq!(
        verr(&n),
        "net.toml: projections[0].from: no population named \"exx\" (have: exc, inh)"
    );
}

#[test]
fn duplicate_population_name() {
    let mut n = base();
    n.populations[1].name = "exc".into();
    assert_eq!(
        verr(&n),
        "net.toml: populations[1].name: duplicate population name \"exc\" (also populations[0])"
    );
}

#[test]
fn probability_out_of_range() {
    let mut n = base();
    n.projections[0].connect = Connect::FixedProbability {
        p: 1.5,
        autapses: true,
    };
    assert_eq!(
        verr(&n),
        "net.toml: projections[0].connect.p: must be in [0, 1], got 1.5"
    );
}

#[test]
fn in_degree_larger_than_source() {
    let mut n = base();
    n.projections[0].connect = Connect::FixedInDegree { k: 81 };
    assert_eq!(
        verr(&n),
        "net.toml: projections[0].connect.k: in-degree 81 exceeds source population \"exc\" size 80 (sources are drawn without replacement)"
    );
}

#[test]
fn out_degree_larger_than_target() {
    let mut n = base();
    n.projections[0].connect = Connect::FixedOutDegree { k: 21 };
    assert!(verr(&n).starts_with(
        "net.toml: projections[0].connect.k: out-degree 21 exceeds target population \"inh\" size 20"
    ));
}

#[test]
fn unknown_distribution_is_explained() {
    let s = perr(&BASE.replace(
        "weight = 0.5",
        "weight = { dist = \"gauss\", mean = 0.0, std = 1.0 }",
    ));
    assert!(s.starts_with("net.toml: projections[0] (line "), "{s}");
    assert!(s.contains("expected a number, {dist = \"uniform\""), "{s}");
}

#[test]
fn uniform_low_not_below_high() {
    let mut n = base();
    n.projections[0].weight = Init::Dist(Distribution::Uniform {
        low: 2.0,
        high: 2.0,
    });
    assert_eq!(
        verr(&n),
        "net.toml: projections[0].weight.low: uniform needs low < high, got low = 2, high = 2"
    );
}

#[test]
fn normal_negative_std() {
    let mut n = base();
    n.projections[0].weight = Init::Dist(Distribution::Normal {
        mean: 0.0,
        std: -1.0,
    });
    assert_eq!(
        verr(&n),
        "net.toml: projections[0].weight.std: must be >= 0, got -1"
    );
}

#[test]
fn nan_weight_from_toml() {
    let s = perr(&BASE.replace("weight = 0.5", "weight = nan"));
    assert_eq!(
        s,
        "net.toml: projections[0].weight: must be a finite number, got NaN"
    );
}

#[test]
fn delay_zero_and_too_large() {
    let mut n = base();
    n.projections[0].delay = 0;
    assert_eq!(
        verr(&n),
        "net.toml: projections[0].delay: delay must be in 1..=255 steps, got 0"
    );
    n.projections[0].delay = 256;
    assert!(verr(&n).ends_with("got 256"));
}

#[test]
fn list_lengths_must_match() {
    let mut n = base();
    n.projections[0].connect = Connect::List {
        pairs: vec![(0, 0), (1, 1), (2, 2)],
        weights: vec![1.0, 2.0],
        delays: vec![],
    };
    assert_eq!(
        verr(&n),
        "net.toml: projections[0].connect.weights: has 2 entries but pairs has 3 (must match or be empty)"
    );
    n.projections[0].connect = Connect::List {
        pairs: vec![(0, 0)],
        weights: vec![],
        delays: vec![1, 2],
    };
    assert!(verr(&n).starts_with("net.toml: projections[0].connect.delays: has 2 entries"));
}

#[test]
fn list_pair_out_of_range() {
    let mut n = base();
    n.projections[0].connect = Connect::List {
        pairs: vec![(0, 0), (3, 20)],
        weights: vec![],
        delays: vec![],
    };
    assert_eq!(
        verr(&n),
        "net.toml: projections[0].connect.pairs[1]: target index 20 out of range (population \"inh\" has 20)"
    );
}

#[test]
fn threshold_not_above_reset() {
    let s = perr(&BASE.replace(
        "v_thresh_mv = 20.0, v_reset_mv = 10.0 }\n\n[[populations]]",
        "v_thresh_mv = 5.0, v_reset_mv = 10.0 }\n\n[[populations]]",
    ));
    assert_eq!(
        s,
        "net.toml: populations[0].neuron.v_thresh_mv: threshold must be > reset, got 5 <= 10"
    );
}

#[test]
fn tau_and_dt_must_be_positive() {
    let s = perr(&BASE.replace(
        "tau_m_ms = 20.0, v_thresh_mv = 20.0, v_reset_mv = 10.0 }\n\n[[projections]]",
        "tau_m_ms = 0.0, v_thresh_mv = 20.0, v_reset_mv = 10.0 }\n\n[[projections]]",
    ));
    assert_eq!(
        s,
        "net.toml: populations[1].neuron.tau_m_ms: must be > 0, got 0"
    );
    let mut n = base();
    n.dt_ms = 0.0;
    assert_eq!(verr(&n), "net.toml: dt_ms: must be > 0, got 0");
}

#[test]
fn negative_poisson_rate() {
    let mut n = base();
    n.stimuli.push(Stimulus::Poisson {
        target: "exc".into(),
        rate_hz: -1.0,
        weight: 1.0,
        synapse: Default::default(),
    });
    assert_eq!(
        verr(&n),
        "net.toml: stimuli[0].rate_hz: must be >= 0, got -1"
    );
}

#[test]
fn spike_array_neuron_out_of_range() {
    let mut n = base();
    n.stimuli.push(Stimulus::SpikeArray {
        target: "inh".into(),
        spikes: vec![(0, 1), (4, 20)],
        weight: 1.0,
        synapse: Default::default(),
    });
    assert_eq!(
        verr(&n),
        "net.toml: stimuli[0].spikes[1]: neuron 20 out of range (population \"inh\" has 20)"
    );
}

#[test]
fn one_to_one_needs_equal_sizes() {
    let mut n = base();
    n.projections[0].connect = Connect::OneToOne;
    assert_eq!(
        verr(&n),
        "net.toml: projections[0].connect.rule: one_to_one needs equal sizes, got 80 -> 20"
    );
}

#[test]
fn probe_of_missing_population() {
    let src = format!("{BASE}\n[[probes]]\npopulation = \"out\"\n");
    assert_eq!(
        perr(&src),
        "net.toml: probes[0].population: no population named \"out\" (have: exc, inh)"
    );
}

#[test]
fn bad_csv_row_direct_and_through_spike_file() {
    let e = parse_spike_csv("step,neuron\n1,2\n3\n", "in.csv").unwrap_err();
    assert_eq!(
        e.to_string(),
        "in.csv: line 3: expected 2 columns (step,neuron), found 1"
    );
    let e = parse_spike_csv("t,n\n1,2\n", "in.csv").unwrap_err();
    assert_eq!(
        e.to_string(),
        "in.csv: line 1: expected header \"step,neuron\", found \"t,n\""
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.csv"), "step,neuron\n0,1\n-1,2\n").unwrap();
    let net_path = dir.path().join("net.toml");
    let src = format!(
        "{BASE}\n[[stimuli]]\nkind = \"spike_file\"\ntarget = \"exc\"\npath = \"in.csv\"\nweight = 1.0\n"
    );
    std::fs::write(&net_path, src).unwrap();
    let s = load(&net_path).unwrap_err().to_string();
    let csv = dir.path().join("in.csv");
    assert_eq!(
        s,
        format!(
            "{}: stimuli[0].path: {}: line 3: step \"-1\" is not a non-negative integer below 2^32",
            net_path.display(),
            csv.display()
        )
    );
}

#[test]
fn missing_spike_file() {
    let dir = tempfile::tempdir().unwrap();
    let net_path = dir.path().join("net.toml");
    let src = format!(
        "{BASE}\n[[stimuli]]\nkind = \"spike_file\"\ntarget = \"exc\"\npath = \"nope.csv\"\nweight = 1.0\n"
    );
    std::fs::write(&net_path, src).unwrap();
    let s = load(&net_path).unwrap_err().to_string();
    assert!(s.ends_with("nope.csv does not exist"), "{s}");
    assert!(s.contains(": stimuli[0].path: spike file "), "{s}");
}

#[test]
fn unknown_builtin_and_params() {
    let e = resolve("builtin:brunell").unwrap_err();
    assert_eq!(
        e.to_string(),
        "builtin:brunell: unknown built-in network (have: brunel, brunel_small, cuba, random, synfire, feedforward)"
    );
    let e = resolve("builtin:brunel:n=1250,gg=4").unwrap_err();
    assert_eq!(
        e.to_string(),
        "builtin:brunel: params.gg: unknown parameter (have: n, g, eta, delay, seed)"
    );
    let e = resolve("builtin:cuba:p=2").unwrap_err();
    assert_eq!(
        e.to_string(),
        "builtin:cuba: params.p: must be in [0, 1], got 2"
    );
    let e = resolve("builtin:random:n=abc").unwrap_err();
    assert_eq!(
        e.to_string(),
        "builtin:random: params.n: \"abc\" is not a non-negative integer"
    );
    let e = resolve("builtin:random:n=10,k=11").unwrap_err();
    assert_eq!(
        e.to_string(),
        "builtin:random: params.k: must be in 0..=10, got 11"
    );
    let e = resolve("builtin:synfire:loop").unwrap_err();
    assert_eq!(
        e.to_string(),
        "builtin:synfire: params.loop: expected key=value"
    );
    let mut p = BTreeMap::new();
    p.insert("loop".to_string(), "maybe".to_string());
    assert!(matches!(
        builtin("synfire", &p),
        Err(NetError::BuiltinParam { ref param, .. }) if param == "loop"
    ));
}

#[test]
fn unsupported_extension_and_missing_file() {
    let e = load(std::path::Path::new("model.nir")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "model.nir: unsupported network format \"nir\" (expected .toml or .json)"
    );
    assert!(matches!(e, NetError::UnsupportedFormat { .. }));
    let e = load(std::path::Path::new("/nonexistent/dir/net.toml")).unwrap_err();
    assert!(e.to_string().starts_with("/nonexistent/dir/net.toml: "));
    assert!(matches!(e, NetError::Io { .. }));
}

#[test]
fn json_syntax_error_has_line_and_column() {
    let src = "{\n  \"name\": \"x\",\n  \"populations\": [ { \"name\": \"a\", \"size\": } ]\n}";
    let e = parse(src, "net.json", Format::Json).unwrap_err();
    let NetError::Syntax { line, column, .. } = &e else {
        panic!("expected a syntax error, got {e:?}");
    };
    assert_eq!((*line, *column), (3, 43));
    assert!(
        e.to_string()
            .starts_with("net.json: line 3, column 43: expected value"),
        "{e}"
    );
}

#[test]
fn toml_syntax_error_has_line_and_column() {
    let e = parse("name = \"x\"\npopulations = [\n", "net.toml", Format::Toml).unwrap_err();
    let NetError::Syntax { line, .. } = &e else {
        panic!("expected a syntax error, got {e:?}");
    };
    assert!(*line >= 2, "{e}");
    assert!(!e.to_string().contains('\n'));
}

#[test]
fn loihi_fields_out_of_range() {
    let mut n = base();
    n.populations[0].neuron = neurochip_net::NeuronParams::LoihiLif {
        du: 4096,
        dv: 0,
        vth: 10,
        bias_mant: 0,
        bias_exp: 0,
        weight_exp: 0,
    };
    assert_eq!(
        verr(&n),
        "net.toml: populations[0].neuron.du: must be in 0..=4095 (12-bit decay), got 4096"
    );
    n.populations[0].neuron = neurochip_net::NeuronParams::LoihiLif {
        du: 0,
        dv: 0,
        vth: 10,
        bias_mant: -4097,
        bias_exp: 0,
        weight_exp: 0,
    };
    assert!(
        verr(&n).starts_with("net.toml: populations[0].neuron.bias_mant: must be in -4096..=4095")
    );
}
