//! Small hand-checkable networks and architectures shared by the mapper tests.
#![allow(dead_code)]

use neurochip_arch::schema::{Architecture, Routing};
use neurochip_mapper::{map, MapError, MapOptions, Mapping, Strategy};
use neurochip_net::expand::expand;
use neurochip_net::schema::*;

/// The default preset shrunk to 2×2 tiles × 2 cores of 4 neurons each (8 cores, 32 neurons).
pub fn small_arch() -> Architecture {
    let mut a = neurochip_arch::preset("default").expect("default preset");
    a.topology.tiles_x = 2;
    a.topology.tiles_y = 2;
    a.topology.cores_per_tile = 2;
    a.core.neurons = 4;
    a
}

/// The same with multicast routing.
pub fn small_mc_arch() -> Architecture {
    let mut a = small_arch();
    a.router.routing = Routing::Multicast;
    a.router.table_entries = 64;
    a
}

/// W1-style delta LIF (τm 20 ms, θ 20, reset 10, t_ref 2).
pub fn brunel_neuron() -> NeuronParams {
    NeuronParams::Lif {
        tau_m_ms: Some(20.0),
        v_rest_mv: 0.0,
        v_thresh_mv: 20.0,
        strict_threshold: false,
        v_reset_mv: 10.0,
        t_ref_ms: 2.0,
        tau_syn_e_ms: None,
        tau_syn_i_ms: None,
        bias_mv: 0.0,
        v_init: Init::Constant(5.0),
        refractory_drops_input: true,
    }
}

pub fn pop(name: &str, size: u32) -> Population {
    Population {
        name: name.into(),
        size,
        neuron: brunel_neuron(),
    }
}

pub fn proj(
    from: &str,
    to: &str,
    connect: Connect,
    w: f64,
    delay: u32,
    syn: SynapseKind,
) -> Projection {
    Projection {
        from: from.into(),
        to: to.into(),
        connect,
        weight: Init::Constant(w),
        delay,
        synapse: syn,
    }
}

/// Two populations of 4: e → i all-to-all (+0.1, delay 1), i → e all-to-all (−0.5, delay 2),
/// e → e one-to-one (+0.1, delay 1).
pub fn two_pops() -> Network {
    Network {
        name: "two".into(),
        dt_ms: 1.0,
        seed: 7,
        populations: vec![pop("e", 4), pop("i", 4)],
        projections: vec![
            proj(
                "e",
                "i",
                Connect::AllToAll { autapses: true },
                0.1,
                1,
                SynapseKind::Exc,
            ),
            proj(
                "i",
                "e",
                Connect::AllToAll { autapses: true },
                -0.5,
                2,
                SynapseKind::Inh,
            ),
            proj("e", "e", Connect::OneToOne, 0.1, 1, SynapseKind::Exc),
        ],
        stimuli: vec![],
        probes: vec![],
    }
}

/// A chain of `n` neurons: i → i+1 (and i+1 → i), locally connected.
pub fn chain(n: u32) -> Network {
    let mut pairs = Vec::new();
    for i in 0..n - 1 {
        pairs.push((i, i + 1));
        pairs.push((i + 1, i));
    }
    Network {
        name: "chain".into(),
        dt_ms: 1.0,
        seed: 1,
        populations: vec![pop("p", n)],
        projections: vec![proj(
            "p",
            "p",
            Connect::List {
                pairs,
                weights: vec![],
                delays: vec![],
            },
            0.5,
            1,
            SynapseKind::Exc,
        )],
        stimuli: vec![],
        probes: vec![],
    }
}

pub fn opts(strategy: Strategy) -> MapOptions {
    MapOptions { strategy, seed: 3 }
}

pub fn run(arch: &Architecture, net: &Network, s: Strategy) -> Result<Mapping, MapError> {
    let ex = expand(net).expect("expand");
    map(arch, &ex, &opts(s))
}
