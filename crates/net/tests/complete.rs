//! `expand_in` makes the expansion complete: what a mapper needs, read and drawn once.

use neurochip_net::{
    builtin, expand, expand_in, initial_values, parse, poisson_inputs, stimulus_spikes, Format,
    HostInput, NeuronParams, Values,
};
use std::collections::BTreeMap;

fn build(name: &str, args: &[(&str, &str)]) -> neurochip_net::Network {
    let p: BTreeMap<String, String> = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    builtin(name, &p).unwrap()
}

#[test]
fn expansion_holds_stimuli_drives_initial_values_and_projections() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.csv"), "step,neuron\n5,0\n1,3\n").unwrap();
    let mut net = build("brunel", &[("n", "100")]);
    net.stimuli.push(neurochip_net::Stimulus::SpikeFile {
        target: "inh".into(),
        path: "s.csv".into(),
        weight: 2.0,
        synapse: neurochip_net::SynapseKind::Inh,
    });
    let ex = expand_in(&net, dir.path()).unwrap();
    let want: Vec<HostInput> = stimulus_spikes(&net, dir.path())
        .unwrap()
        .into_iter()
        .map(|(step, neuron, weight, channel)| HostInput {
            step,
            neuron,
            weight,
            channel,
        })
        .collect();
    assert_eq!(ex.host_spikes, want);
    assert_eq!(ex.host_spikes.len(), 2);
    assert_eq!(ex.poisson, poisson_inputs(&net));
    assert_eq!(ex.dt_ms, net.dt_ms);
    for (k, p) in net.populations.iter().enumerate() {
        assert_eq!(ex.neurons[k].neuron, p.neuron);
        assert_eq!(ex.neurons[k].init, initial_values(&net, k));
        assert!(ex.neurons[k].params.is_empty());
    }
    assert_eq!(ex.projections.len(), net.projections.len());
    for (e, pr) in ex.projections.iter().zip(&net.projections) {
        assert_eq!(ex.pops[e.from].name, pr.from);
        assert_eq!(ex.pops[e.to].name, pr.to);
    }
    // Synapses are those of the plain expansion; a missing file is an error here, once.
    let plain = expand(&build("brunel", &[("n", "100")])).unwrap();
    assert_eq!((ex.row_start, ex.targets), (plain.row_start, plain.targets));
    assert!(
        expand(&net).is_err(),
        "s.csv is not in the current directory"
    );
}

const MODEL_NET: &str = r#"
name = "m"
seed = 4

[[populations]]
name = "a"
size = 50
[populations.neuron]
kind = "model"
model = "adaptive_lif"
[populations.neuron.params]
tau_m_ms = 20
theta = { dist = "uniform", low = 1.0, high = 2.0 }
jump = { dist = "normal", mean = 3.0, std = 0.5 }
"#;

#[test]
fn a_model_table_is_parsed_and_its_draws_are_keyed_by_name() {
    let net = parse(MODEL_NET, "m.toml", Format::Toml).unwrap();
    let NeuronParams::Model { model, params } = &net.populations[0].neuron else {
        panic!("a model table")
    };
    assert_eq!(model, "adaptive_lif");
    assert_eq!(params.len(), 3);
    assert_eq!(net.populations[0].neuron.kind_name(), "adaptive_lif");
    let ex = expand(&net).unwrap();
    let p = &ex.neurons[0].params;
    assert_eq!(p["tau_m_ms"], Values::Constant(20.0));
    let Values::PerNeuron(theta) = &p["theta"] else {
        panic!("drawn per neuron")
    };
    assert_eq!(theta.len(), 50);
    assert!(theta.iter().all(|t| (1.0..2.0).contains(t)));
    assert!(theta.windows(2).any(|w| w[0] != w[1]));
    // Removing one parameter does not change another's draws.
    let fewer = MODEL_NET.replace("jump = { dist = \"normal\", mean = 3.0, std = 0.5 }\n", "");
    let ex2 = expand(&parse(&fewer, "m.toml", Format::Toml).unwrap()).unwrap();
    assert_eq!(ex2.neurons[0].params["theta"], p["theta"]);
    assert_eq!(ex.neurons[0].init, vec![0.0; 50]);
}

#[test]
fn model_table_errors_name_the_field() {
    let e = parse(
        &MODEL_NET.replace("high = 2.0", "high = 0.5"),
        "m.toml",
        Format::Toml,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("m.toml: populations[0].neuron.params.theta.low: uniform needs low < high"),
        "{e}"
    );
    let e = parse(
        &MODEL_NET.replace("\"adaptive_lif\"", "\"Adaptive LIF\""),
        "m.toml",
        Format::Toml,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("m.toml: populations[0].neuron.model: "),
        "{e}"
    );
    let e = parse(
        &MODEL_NET.replace("model = \"adaptive_lif\"", "modle = \"x\""),
        "m.toml",
        Format::Toml,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("unknown field `modle`"), "{e}");
}
