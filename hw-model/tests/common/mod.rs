//! Architectures built in code for the hardware-model tests (no presets).
#![allow(dead_code)]

use neurochip_arch::schema::*;
use neurochip_hw::core::{Scripted, TrafficCore};
use neurochip_hw::image::Dest;
use neurochip_hw::{Engine, EngineOptions};

fn fig(pj: f64) -> EnergyFigure {
    EnergyFigure {
        pj,
        source: "test".into(),
        confidence: Confidence::Assumed,
    }
}

/// A `tx` × `ty` single-chip square mesh with `cpt` cores per tile and distinct energies.
pub fn arch(tx: u32, ty: u32, cpt: u32) -> Architecture {
    Architecture {
        name: "test".into(),
        description: String::new(),
        clock_hz: 100e6,
        topology: Topology {
            chips_x: 1,
            chips_y: 1,
            tiles_x: tx,
            tiles_y: ty,
            cores_per_tile: cpt,
            kind: MeshKind::Mesh,
            torus: false,
            max_chips_x: None,
            max_chips_y: None,
        },
        core: Core {
            model: ModelKind::Lif,
            neurons: 64,
            state_bits: 24,
            synapse_memory: SynapseMemory {
                words: 1024,
                word_bits: 32,
                weight_bits: 12,
                delay_bits: 4,
                channel_bits: 0,
                target_bits: 16,
                words_per_cycle: 1,
            },
            axons_in: 64,
            axons_out: 64,
            input_buffer: 64,
            delay_slots: 8,
            cycles: CoreCycles {
                spike_in: 2,
                synapse_word: 1,
                neuron_update_active: 3,
                neuron_update_idle: 1,
                spike_out: 2,
            },
            crossbar: false,
        },
        router: Router {
            routing: Routing::Xy,
            table_entries: 16,
            buffer_flits: 8,
            flit_bits: 32,
            packet_flits: 3,
            pipeline_cycles: 2,
            arbitration: Arbitration::RoundRobin,
            overflow: Overflow::Backpressure,
        },
        link: Links {
            latency_ew_cycles: 1,
            latency_ns_cycles: 2,
            width_flits: 1,
            offchip_latency_cycles: 20,
            offchip_cycles_per_flit: 4,
        },
        barrier: Barrier {
            base_cycles: 10,
            per_tile_cycles: 0.5,
        },
        energy: EnergyTable {
            synaptic_op: fig(1.0),
            neuron_update_active: fig(2.0),
            neuron_update_idle: fig(0.5),
            spike_out: fig(3.0),
            packet_inject: fig(4.0),
            hop_local: fig(5.0),
            hop_ew: fig(6.0),
            hop_ns: fig(7.0),
            hop_offchip: fig(50.0),
            word_read: fig(0.25),
            barrier_per_tile: fig(11.0),
            static_watts_per_chip: StaticPower {
                watts: 0.01,
                source: "test".into(),
                confidence: Confidence::Assumed,
            },
        },
    }
}

/// Unicast to core `core`, axon 0.
pub fn to(core: u32) -> Dest {
    Dest::Unicast { core, axon: 0 }
}

/// One scripted send.
pub fn send(step: u32, at: u64, dest: Dest, tag: u32) -> Scripted {
    Scripted {
        step,
        at,
        dest,
        tag,
    }
}

/// An engine of traffic cores; `scripts[c]` is core c's script (missing = silent).
pub fn traffic(
    a: &Architecture,
    mut scripts: Vec<(u32, Vec<Scripted>)>,
    no_skip: bool,
) -> Engine<TrafficCore> {
    traffic_with_tables(a, &mut scripts, &[], no_skip)
}

/// As [`traffic`] with multicast tables.
pub fn traffic_with_tables(
    a: &Architecture,
    scripts: &mut Vec<(u32, Vec<Scripted>)>,
    tables: &[Vec<neurochip_hw::image::McEntry>],
    no_skip: bool,
) -> Engine<TrafficCore> {
    let cores = (0..a.total_cores())
        .map(|c| {
            let s = scripts
                .iter()
                .position(|(k, _)| *k == c)
                .map(|i| scripts.remove(i).1)
                .unwrap_or_default();
            TrafficCore::new(c, s)
        })
        .collect();
    Engine::new(
        a,
        cores,
        tables,
        Vec::new(),
        EngineOptions {
            threads: 1,
            no_skip,
        },
    )
    .expect("valid test system")
}
