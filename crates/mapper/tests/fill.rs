//! Capacity-aware sequential fill: cores close on whichever resource runs out
//! first, and a network that needs more cores than exist gets a one-line
//! diagnosis with the chip count and the override that provides it.

mod common;

use std::collections::BTreeMap;

use common::*;
use neurochip_mapper::{map, MapOptions, Strategy};
use neurochip_net::expand::expand;
use neurochip_net::schema::*;

fn brunel(n: &str) -> Network {
    let mut p = BTreeMap::new();
    p.insert("n".to_string(), n.to_string());
    neurochip_net::builtin("brunel", &p).unwrap()
}

fn loihi() -> neurochip_arch::schema::Architecture {
    neurochip_arch::preset("loihi").unwrap()
}

#[test]
fn brunel_1250_maps_on_loihi_within_every_capacity() {
    let arch = loihi();
    let net = brunel("1250");
    let ex = expand(&net).unwrap();
    for s in [Strategy::Sequential, Strategy::Greedy] {
        let m = map(
            &arch,
            &ex,
            &MapOptions {
                strategy: s,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{s}: {e}"));
        // 125 in-synapses per neuron: 32,768 words hold 262 neurons, so 5 cores.
        assert_eq!(m.report.cores_used, 5, "{s}");
        for c in &m.report.cores {
            assert!(c.synapse_words <= 32_768, "{c:?}");
            assert!(c.axons_in <= 4096 && c.axons_out <= 4096, "{c:?}");
            assert!(c.neurons <= 1024, "{c:?}");
        }
        // Local indices are dense on every core.
        let mut per_core: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for &(c, l) in &m.placement {
            per_core.entry(c).or_default().push(l);
        }
        for (c, ls) in per_core {
            assert!(
                ls.iter().enumerate().all(|(i, &l)| i as u32 == l),
                "core {c}"
            );
        }
    }
}

#[test]
fn w1_on_loihi_says_which_resource_and_how_many_chips() {
    let arch = loihi();
    let net = brunel("12500");
    let ex = expand(&net).unwrap();
    let e = map(&arch, &ex, &MapOptions::default())
        .expect_err("W1 does not fit one Loihi")
        .to_string();
    assert!(!e.contains('\n'), "{e}");
    eprintln!("{e}");
    assert!(e.starts_with("mapping: input axons run out:"), "{e}");
    assert!(
        e.contains("12,500 sources vs 4,096 input axons per core"),
        "{e}"
    );
    assert!(e.contains("--arch loihi:topology.chips_x="), "{e}");
    // The suggested override really holds the fill.
    let chips = |k: &str| -> u32 {
        let i = e.find(k).unwrap() + k.len();
        e[i..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse()
            .unwrap()
    };
    let (x, y) = (chips("chips_x="), chips("chips_y="));
    assert!(x * y >= 2, "{e}");
    let needed: u32 = {
        let k = "needs ";
        let i = e.find(k).unwrap() + k.len();
        e[i..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .filter(|c| *c != ',')
            .collect::<String>()
            .parse()
            .unwrap()
    };
    assert!(x * y * 128 >= needed, "{e}");
    assert!(
        (x - 1) * y * 128 < needed || x * (y - 1) * 128 < needed,
        "not oversized: {e}"
    );
}

#[test]
fn every_resource_closes_cores() {
    // two_pops: e (4) gets 4 synapses from i and one from itself; i (4) gets 4 from e.
    let net = two_pops();
    let check = |a: &neurochip_arch::schema::Architecture, want: u32| {
        let m = run(a, &net, Strategy::Sequential).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.report.cores_used, want);
        for c in &m.report.cores {
            assert!(c.synapse_words <= a.core.synapse_memory.words as u64);
            assert!(c.axons_in <= a.core.axons_in && c.axons_out <= a.core.axons_out);
        }
    };
    check(&small_arch(), 2);
    let mut a = small_arch();
    a.core.synapse_memory.words = 10; // 2 neurons per core
    check(&a, 4);
    let mut a = small_arch();
    a.core.axons_in = 5; // one e per core (i0..i3 + itself), then all of i on one core
    check(&a, 5);
    // Unicast fan-out: an e neuron targets its own core and the i cores, an i neuron the e cores;
    // 6 entries hold two e (3 each, estimated from the unplaced i span) or three i (2 each).
    let mut a = small_arch();
    a.core.axons_out = 6;
    check(&a, 4);
    let mut a = small_arch();
    a.core.synapse_memory.words = 5; // 1 neuron per core
    check(&a, 8);
    // Greedy starts from the same fill.
    let m = run(&a, &net, Strategy::Greedy).unwrap();
    assert_eq!(m.report.cores_used, 8);
}

#[test]
fn host_axons_count_on_their_core() {
    // 4 neurons, each receiving host spikes of 2 distinct weights: 2 axons and words each.
    let mut net = two_pops();
    net.projections.clear();
    net.stimuli = vec![
        Stimulus::SpikeArray {
            target: "e".into(),
            spikes: vec![(0, 0), (0, 1), (0, 2), (0, 3)],
            weight: 1.0,
            synapse: SynapseKind::Exc,
        },
        Stimulus::SpikeArray {
            target: "e".into(),
            spikes: vec![(1, 0), (1, 1), (1, 2), (1, 3)],
            weight: 2.0,
            synapse: SynapseKind::Exc,
        },
    ];
    let mut a = small_arch();
    a.core.axons_in = 4;
    let m = run(&a, &net, Strategy::Sequential).unwrap_or_else(|e| panic!("{e}"));
    for c in &m.report.cores {
        assert!(c.axons_in <= 4, "{c:?}");
    }
    // e0, e1 on core 0; e2, e3 on core 1; the 4 i neurons on core 2.
    assert_eq!(m.placement[1].0, 0);
    assert_eq!(m.placement[2].0, 1);
    assert_eq!(m.placement[4].0, 1);
    assert_eq!(m.placement[6].0, 2);
}

#[test]
fn fill_runs_out_of_cores_with_chip_hint() {
    let mut a = small_arch();
    a.core.synapse_memory.words = 4;
    let mut net = two_pops();
    net.populations = vec![pop("e", 5), pop("i", 4)];
    net.projections[0].connect = Connect::AllToAll { autapses: true };
    // Every neuron gets 5 in-synapses: more than 4 words.
    let e = run(&a, &net, Strategy::Sequential)
        .expect_err("error")
        .to_string();
    assert!(
        e.starts_with(
            "mapping: synapse memory: core 0 needs 5 words, has 4; neuron 0 of population \"e\""
        ),
        "{e}"
    );
    a.core.synapse_memory.words = 5;
    let e = run(&a, &net, Strategy::Sequential)
        .expect_err("error")
        .to_string();
    // 9 neurons at 1 per core on 8 cores.
    assert!(e.starts_with("mapping: synapse memory run out: the network needs 9 cores filled in order, default has 8"), "{e}");
    assert!(
        e.contains("that is 2 chips: --arch default:topology.chips_x=2,topology.chips_y=1"),
        "{e}"
    );
}
