//! Turns the chip's counters into the report's plain figures.

use std::collections::BTreeMap;

use neurochip_arch::geometry::port::name as port_name;
use neurochip_firmware::NeuronModel;
use neurochip_hw::Chip;
use serde_json::json;

use crate::report::{HotCore, HotLink};

/// The hardware figures a report shows.
pub(crate) struct HwView {
    pub synaptic_ops: u64,
    pub external_events: u64,
    pub packets: u64,
    pub drops: u64,
    pub hops_by_class: BTreeMap<String, u64>,
    pub energy_by_component: BTreeMap<String, f64>,
    pub hottest_core: HotCore,
    pub hottest_link: Option<HotLink>,
    pub cores: Vec<serde_json::Value>,
    pub links: Vec<serde_json::Value>,
}

pub(crate) fn view<M: NeuronModel>(chip: &Chip<M>) -> HwView {
    let c = chip.counters();
    let e = chip.energy();
    let mut hops = BTreeMap::new();
    hops.insert("local".to_string(), c.hops.local);
    hops.insert("ew".to_string(), c.hops.ew);
    hops.insert("ns".to_string(), c.hops.ns);
    hops.insert("offchip".to_string(), c.hops.offchip);
    let mut comp = BTreeMap::new();
    comp.insert("cores".to_string(), e.cores_j);
    comp.insert("network".to_string(), e.routers_j);
    comp.insert("barrier".to_string(), e.barrier_j);
    comp.insert("static".to_string(), e.static_j);
    let mut hot = HotCore::default();
    let mut cores = Vec::new();
    let (mut syn, mut ext, mut packets) = (0u64, 0u64, 0u64);
    for (i, k) in c.cores.iter().enumerate() {
        syn += k.synaptic_ops;
        ext += k.poisson_events;
        packets += k.packets_injected;
        if k.busy_cycles > hot.busy_cycles || (i == 0 && hot.busy_cycles == 0) {
            hot = HotCore {
                core: i as u32,
                busy_cycles: k.busy_cycles,
                synaptic_ops: k.synaptic_ops,
            };
        }
        if k.neuron_updates_active + k.neuron_updates_idle + k.spikes_in == 0 {
            continue;
        }
        cores.push(json!({
            "core": i,
            "spikes_in": k.spikes_in,
            "synaptic_ops": k.synaptic_ops,
            "words_read": k.words_read,
            "neuron_updates_active": k.neuron_updates_active,
            "neuron_updates_idle": k.neuron_updates_idle,
            "spikes_out": k.spikes_out,
            "packets_injected": k.packets_injected,
            "poisson_events": k.poisson_events,
            "input_buffer_high_water": k.input_buffer_high_water,
            "stall_cycles": k.stall_cycles,
            "busy_cycles": k.busy_cycles,
            "unmapped_axon": k.unmapped_axon,
            "delay_overflow": k.delay_overflow,
            "dropped_input": k.dropped_input,
            "saturated": k.saturated,
        }));
    }
    let mut links = Vec::new();
    let mut hot_link: Option<HotLink> = None;
    for (r, rc) in c.routers.iter().enumerate() {
        for (p, pc) in rc.ports.iter().enumerate() {
            if pc.flits == 0 && pc.drops == 0 {
                continue;
            }
            let better = hot_link
                .as_ref()
                .is_none_or(|h| pc.busy_cycles > h.busy_cycles);
            if better {
                hot_link = Some(HotLink {
                    router: r as u32,
                    port: port_name(p),
                    flits: pc.flits,
                    busy_cycles: pc.busy_cycles,
                    stall_cycles: pc.stall_cycles,
                });
            }
            links.push(json!({
                "router": r,
                "port": port_name(p),
                "flits": pc.flits,
                "packets": pc.packets,
                "busy_cycles": pc.busy_cycles,
                "stall_cycles": pc.stall_cycles,
                "drops": pc.drops,
                "buffer_high_water": pc.buffer_high_water,
            }));
        }
    }
    HwView {
        synaptic_ops: syn,
        external_events: ext,
        packets,
        drops: c.drops.total,
        hops_by_class: hops,
        energy_by_component: comp,
        hottest_core: hot,
        hottest_link: hot_link,
        cores,
        links,
    }
}
