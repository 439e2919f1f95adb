//! End-to-end mapper tests on networks small enough to check by hand.

mod common;

use common::*;
use neurochip_arch::schema::ModelKind;
use neurochip_firmware::NeuronModel;
use neurochip_hw::image::{ChipImage, Dest};
use neurochip_mapper::{AnyImage, MapError, Strategy};
use neurochip_net::expand::expand;
use neurochip_net::schema::*;
use std::collections::{BTreeMap, BTreeSet};

fn lif_image(m: &neurochip_mapper::Mapping) -> &ChipImage<neurochip_firmware::models::lif::Lif> {
    match &m.image {
        AnyImage::Lif(i) => i,
        _ => panic!("expected a lif image"),
    }
}

/// Every (source gid, target gid, weight int, channel, delay) the image encodes, via unicast dests.
fn decoded_synapses<M: NeuronModel>(img: &ChipImage<M>) -> Vec<(u32, u32, i32, u8, u32)> {
    let mut out = Vec::new();
    for core in &img.cores {
        for (l, &(start, len)) in core.fanout.iter().enumerate() {
            let src = core.global_ids[l];
            for d in &core.dests[start as usize..(start + len) as usize] {
                let Dest::Unicast { core: c, axon } = *d else {
                    panic!("unicast expected")
                };
                let dc = &img.cores[c as usize];
                let row = dc.axons[axon as usize];
                for w in dc
                    .synapse_words
                    .slice(row.start as usize..(row.start + row.len) as usize)
                {
                    let s = dc.layout.decode(w);
                    out.push((
                        src,
                        dc.global_ids[s.target as usize],
                        s.weight,
                        s.channel,
                        s.delay as u32 + 1,
                    ));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn placement_per_strategy() {
    let arch = small_arch();
    let net = two_pops();
    let seq = run(&arch, &net, Strategy::Sequential).unwrap();
    let want: Vec<(u32, u32)> = (0..8).map(|i| (i / 4, i % 4)).collect();
    assert_eq!(seq.placement, want);
    let block = run(&arch, &net, Strategy::Block).unwrap();
    let want: Vec<(u32, u32)> = (0..8).map(|i| (i, 0)).collect();
    assert_eq!(block.placement, want);
    assert_eq!(block.report.cores_used, 8);
    let greedy = run(&arch, &net, Strategy::Greedy).unwrap();
    let cores: BTreeSet<u32> = greedy.placement.iter().map(|p| p.0).collect();
    assert_eq!(cores.len(), 2);
    // Both blocks on one tile: no hops at all.
    assert_eq!(greedy.report.synapse_hops, 0);
    assert!(greedy.report.synapse_hops <= seq.report.synapse_hops);
}

#[test]
fn block_placement_is_sanafe_formula() {
    let mut arch = small_arch();
    arch.core.neurons = 8;
    let mut net = two_pops();
    net.populations = vec![pop("e", 13), pop("i", 7)];
    let m = run(&arch, &net, Strategy::Block).unwrap();
    for (i, &(c, _)) in m.placement.iter().enumerate() {
        assert_eq!(c as usize, i * 8 / 20, "neuron {i}");
    }
    // Local indices count up within each core.
    for w in m.placement.windows(2) {
        if w[0].0 == w[1].0 {
            assert_eq!(w[1].1, w[0].1 + 1);
        } else {
            assert_eq!(w[1].1, 0);
        }
    }
}

#[test]
fn words_axons_and_dests_per_core_exact() {
    let m = run(&small_arch(), &two_pops(), Strategy::Sequential).unwrap();
    let img = lif_image(&m);
    // Core 0 holds e: i→e (16) + e→e (4) words from 8 sources; core 1 holds i: e→i (16) from 4.
    assert_eq!(img.cores[0].synapse_words.len(), 20);
    assert_eq!(img.cores[0].axons.len(), 8);
    assert_eq!(img.cores[1].synapse_words.len(), 16);
    assert_eq!(img.cores[1].axons.len(), 4);
    // Each e neuron reaches cores 0 and 1, each i neuron core 0 only.
    assert_eq!(img.cores[0].dests.len(), 8);
    assert_eq!(img.cores[1].dests.len(), 4);
    assert!(img.cores[2..].iter().all(|c| c.synapse_words.is_empty()));
    assert_eq!(m.report.totals.synapse_words, 36);
    assert_eq!(m.report.cores_used, 2);
    let c0 = &m.report.cores[0];
    assert_eq!(
        (c0.neurons, c0.synapse_words, c0.axons_in, c0.axons_out),
        (4, 20, 8, 8)
    );
    // Rows are contiguous and cover the memory exactly.
    let mut next = 0;
    for r in &img.cores[0].axons {
        assert_eq!(r.start, next);
        next += r.len;
    }
    assert_eq!(next, 20);
}

#[test]
fn decoding_every_word_reproduces_the_expanded_synapses() {
    let net = two_pops();
    let ex = expand(&net).unwrap();
    for s in [Strategy::Sequential, Strategy::Block, Strategy::Greedy] {
        let m = run(&small_arch(), &net, s).unwrap();
        let scale = m.report.populations[0].scale;
        assert_eq!(scale, 250.0, "W1 weights 0.1 / -0.5 at 8 bits");
        let mut want = Vec::new();
        for src in 0..ex.n {
            for i in ex.row(src) {
                let tp = ex.pop_of(ex.targets[i]);
                let sc = m.report.populations[tp].scale;
                want.push((
                    src,
                    ex.targets[i],
                    (ex.weights[i] as f64 * sc).round() as i32,
                    ex.channels[i],
                    ex.delays[i] as u32,
                ));
            }
        }
        want.sort();
        assert_eq!(decoded_synapses(lif_image(&m)), want, "{s:?}");
        assert!(m
            .report
            .projections
            .iter()
            .all(|p| p.max_rel_error < 1e-6 && p.clipped == 0));
    }
}

#[test]
fn lif_quantisation_of_w1_parameters() {
    let m = run(&small_arch(), &two_pops(), Strategy::Sequential).unwrap();
    let p = lif_image(&m).cores[0].params[0];
    assert_eq!(p.v_decay, 200);
    assert_eq!(p.threshold, 5000);
    assert_eq!(p.v_reset, 2500);
    assert_eq!(p.refractory_steps, 2);
    assert!(p.refractory_drops_input && !p.strict_threshold && !p.current_mode);
    assert_eq!(lif_image(&m).cores[0].init[0].v, 1250);
    let q = &m.report.populations[0];
    let tau = q.params.iter().find(|x| x.name == "tau_m").unwrap();
    let realised = -1.0 / (1.0 - 200.0 / 4096.0f64).ln();
    assert!((tau.realised - realised).abs() < 1e-12);
    assert!(tau.rel_error > 0.0 && tau.rel_error < 0.01);
}

#[test]
fn sanafe_lif_on_lif_cores() {
    let mut net = two_pops();
    net.populations = vec![Population {
        name: "r".into(),
        size: 8,
        neuron: NeuronParams::SanafeLif {
            leak: 0.99,
            threshold: 64.0,
            reset: 0.0,
            bias: Init::Dist(Distribution::Uniform {
                low: 1.0,
                high: 8.0,
            }),
        },
    }];
    net.projections = vec![proj(
        "r",
        "r",
        Connect::FixedOutDegree { k: 3 },
        0.0,
        1,
        SynapseKind::Exc,
    )];
    net.projections[0].weight = Init::Dist(Distribution::Uniform {
        low: -6.0,
        high: 6.0,
    });
    let m = run(&small_arch(), &net, Strategy::Block).unwrap();
    let img = lif_image(&m);
    let s = m.report.populations[0].scale;
    let biases = neurochip_net::expand::initial_values(&net, 0);
    for (gid, &(c, l)) in m.placement.iter().enumerate() {
        let p = img.cores[c as usize].params[l as usize];
        assert_eq!(p.v_decay, 41);
        assert!(p.strict_threshold);
        assert_eq!(p.bias as i64, (biases[gid] * s).round() as i64);
        assert_eq!(p.threshold as i64, (64.0 * s).round() as i64);
    }
    // Few distinct weights: the integer scale in [s_max/2, s_max] with the smallest worst error.
    let ex = expand(&net).unwrap();
    let ws: Vec<f64> = ex.weights.iter().map(|&w| (w as f64).abs()).collect();
    let s_max = 127.499 / ws.iter().cloned().fold(0.0, f64::max);
    let err = |s: f64| {
        ws.iter()
            .map(|&w| ((w * s).round() / s - w).abs() / w)
            .fold(0.0, f64::max)
    };
    assert!(s >= (s_max / 2.0).ceil() && s <= s_max.floor() && s.fract() == 0.0);
    let mut k = (s_max / 2.0).ceil();
    while k <= s_max.floor() {
        assert!(err(s) <= err(k), "scale {s} worse than {k}");
        k += 1.0;
    }
}

fn err_of(r: Result<neurochip_mapper::Mapping, MapError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => {
            let s = e.to_string();
            assert!(!s.contains('\n'), "one line: {s}");
            s
        }
    }
}

#[test]
fn capacity_errors_name_resource_core_and_numbers() {
    let net = two_pops();
    // Cores.
    let mut big = two_pops();
    big.populations = vec![pop("e", 30), pop("i", 10)];
    big.projections.clear();
    let e = err_of(run(&small_arch(), &big, Strategy::Sequential));
    assert!(e.starts_with("mapping: network needs 10 cores at 4 neurons/core, chip has 8 (raise topology.tiles_x/tiles_y"), "{e}");
    // Per-core memories: Block keeps its spread (one neuron per core here), so
    // the final check reports the first core that overflows.
    let mut a = small_arch();
    a.core.synapse_memory.words = 3;
    let e = err_of(run(&a, &net, Strategy::Block));
    assert!(
        e.starts_with("mapping: synapse memory: core 0 needs 5 words, has 3; at ~1 neurons/core"),
        "{e}"
    );
    // Sequential alone on the same limit: one neuron (5 in-synapses) cannot fit any core.
    let e = err_of(run(&a, &net, Strategy::Sequential));
    assert!(
        e.starts_with(
            "mapping: synapse memory: core 0 needs 5 words, has 3; neuron 0 of population \"e\""
        ),
        "{e}"
    );
    // Input axons.
    let mut a = small_arch();
    a.core.axons_in = 3;
    let e = err_of(run(&a, &net, Strategy::Block));
    assert!(
        e.starts_with("mapping: input axons: core 0 needs 5 axons, has 3;"),
        "{e}"
    );
    // Output axons.
    let mut a = small_arch();
    a.core.axons_out = 3;
    let e = err_of(run(&a, &net, Strategy::Block));
    assert!(
        e.starts_with("mapping: output axons: core 0 needs 5 entries, has 3;"),
        "{e}"
    );
    // Router tables.
    let mut a = small_mc_arch();
    a.router.table_entries = 1;
    let e = err_of(run(&a, &net, Strategy::Block));
    assert!(
        e.starts_with("mapping: routing table: router of tile 0 needs "),
        "{e}"
    );
    assert!(e.contains("entries, has 1;"), "{e}");
    // Delay.
    let mut n2 = two_pops();
    n2.projections[0].delay = 20;
    let e = err_of(run(&small_arch(), &n2, Strategy::Sequential));
    assert_eq!(e, "mapping: delay 20 of projection 0 (e→i) needs 21 delay slots, core.delay_slots is 17 (max delay 16)");
    let mut a = small_arch();
    a.core.delay_slots = 64;
    let e = err_of(run(&a, &n2, Strategy::Sequential));
    assert!(
        e.starts_with("mapping: delay 20 of projection 0 (e→i) does not fit a 4-bit delay field"),
        "{e}"
    );
    // A neuron kind the model cannot express.
    let mut a = small_arch();
    a.core.model = ModelKind::XyloIaf;
    let mut net = net;
    net.populations[0].neuron = NeuronParams::SanafeLif {
        leak: 0.9,
        threshold: 4.0,
        reset: 0.0,
        bias: Init::Constant(0.0),
    };
    let e = err_of(run(&a, &net, Strategy::Sequential));
    assert!(
        e.contains("sanafe_lif parameters cannot be expressed by xylo_iaf"),
        "{e}"
    );
    assert!(
        e.starts_with("mapping: population \"e\" (sanafe_lif) on xylo_iaf:"),
        "{e}"
    );
}

fn loihi_small() -> neurochip_arch::schema::Architecture {
    let mut a = neurochip_arch::preset("loihi").unwrap();
    a.topology.tiles_x = 2;
    a.topology.tiles_y = 2;
    a.topology.cores_per_tile = 2;
    a.core.neurons = 4;
    a
}

#[test]
fn integer_weight_out_of_range_is_an_error() {
    let mut net = two_pops();
    for p in &mut net.populations {
        p.neuron = NeuronParams::LoihiLif {
            du: 4095,
            dv: 0,
            vth: 10,
            bias_mant: 0,
            bias_exp: 0,
            weight_exp: 0,
        };
    }
    net.projections = vec![proj(
        "e",
        "i",
        Connect::OneToOne,
        300.0,
        1,
        SynapseKind::Exc,
    )];
    let e = err_of(run(&loihi_small(), &net, Strategy::Sequential));
    assert!(e.starts_with("mapping: weight 300 of projection 0 (e→i) is out of range for loihi_cuba_lif integer weights (0..=255"), "{e}");
    net.projections[0].weight = Init::Constant(100.0);
    let m = run(&loihi_small(), &net, Strategy::Sequential).unwrap();
    let AnyImage::LoihiCubaLif(img) = &m.image else {
        panic!()
    };
    assert_eq!(
        img.cores[1]
            .layout
            .decode(img.cores[1].synapse_words.get(0).unwrap())
            .weight,
        100
    );
}

#[test]
fn loihi_quantisation_of_brunel() {
    let mut net = two_pops();
    for p in &mut net.projections {
        p.delay = 1;
    }
    let m = run(&loihi_small(), &net, Strategy::Sequential).unwrap();
    let AnyImage::LoihiCubaLif(img) = &m.image else {
        panic!()
    };
    // e receives 0.1 and -0.5: mantissa 510/mV → 51 and -255 exact.
    let e = &m.report.populations[0];
    assert_eq!(e.weight_scale, 510.0);
    let ws: BTreeSet<i32> = img.cores[0]
        .synapse_words
        .iter()
        .map(|w| img.cores[0].layout.decode(w).weight)
        .collect();
    assert_eq!(ws, BTreeSet::from([-255, 51]));
    let p = img.cores[0].params[0];
    assert_eq!(p.du, 4095);
    assert_eq!(p.dv, 200);
    // Threshold shifted by −reset: 10 mV at s = 510·2^(6+e) LSB/mV.
    let s = e.scale;
    assert_eq!(s, 510.0 * 2f64.powi(6 + p.weight_exp));
    assert_eq!(p.eff_vth, ((10.0 * s - 1.0) / 64.0).round() as i64 * 64);
    // Initial v = 5 mV shifted to −5 mV.
    assert_eq!(img.cores[0].init[0].v, (-5.0 * s).round() as i32);
    assert!(m
        .report
        .warnings
        .iter()
        .any(|w| w.contains("refractory period") && w.contains("loihi_cuba_lif")));
    // Delay 2 does not exist on a Loihi without axonal delay (Lava's Dense: delay_slots = 2).
    let mut a = loihi_small();
    a.core.delay_slots = 2;
    let e = err_of(run(&a, &two_pops(), Strategy::Sequential));
    assert!(
        e.starts_with("mapping: delay 2 of projection 1 (i→e) needs 3 delay slots"),
        "{e}"
    );
}

#[test]
fn loihi_rejects_differing_synaptic_taus() {
    let mut net = two_pops();
    for p in &mut net.projections {
        p.delay = 1;
    }
    if let NeuronParams::Lif {
        tau_syn_e_ms,
        tau_syn_i_ms,
        ..
    } = &mut net.populations[0].neuron
    {
        *tau_syn_e_ms = Some(5.0);
        *tau_syn_i_ms = Some(10.0);
    }
    let e = err_of(run(&loihi_small(), &net, Strategy::Sequential));
    assert!(e.starts_with("mapping: population \"e\" (lif) on loihi_cuba_lif: tau_syn_e_ms = 5 and tau_syn_i_ms = 10 differ"), "{e}");
}

#[test]
fn greedy_reduces_hops_on_a_chain() {
    let arch = small_arch();
    let net = chain(32);
    let seq = run(&arch, &net, Strategy::Sequential).unwrap();
    let greedy = run(&arch, &net, Strategy::Greedy).unwrap();
    let block = run(&arch, &net, Strategy::Block).unwrap();
    assert!(
        greedy.report.synapse_hops < seq.report.synapse_hops,
        "{} vs {}",
        greedy.report.synapse_hops,
        seq.report.synapse_hops
    );
    assert!(greedy.report.synapse_hops <= block.report.synapse_hops);
    assert_eq!(
        greedy.report.synapse_hops_sequential,
        seq.report.synapse_hops
    );
    // Every block boundary of the chain is one hop apart (snake order): 3 tile boundaries × 2 synapses.
    assert_eq!(greedy.report.synapse_hops, 6);
}

/// Follows a key through the router tables from `tile`; returns the delivered (core) set.
fn deliver(
    arch: &neurochip_arch::schema::Architecture,
    tables: &[Vec<neurochip_hw::image::McEntry>],
    tile: u32,
    key: u32,
    out: &mut BTreeSet<u32>,
    depth: u32,
) {
    assert!(depth < 64, "routing loop for key {key:#x}");
    let e = tables[tile as usize]
        .iter()
        .find(|e| key & e.mask == e.key)
        .unwrap_or_else(|| panic!("key {key:#x} has no entry at tile {tile}"));
    let cpt = arch.topology.cores_per_tile;
    let (x, y) = arch.tile_xy(tile);
    for bit in 0..32 {
        if e.ports & (1 << bit) == 0 {
            continue;
        }
        if bit >= 6 {
            assert!(out.insert(tile * cpt + (bit - 6)));
            continue;
        }
        let hex = arch.topology.kind == neurochip_arch::schema::MeshKind::Hex;
        let (dx, dy) = match bit {
            0 => (1, 0),
            1 if hex => (1, 1),
            2 => (0, 1),
            3 => (-1, 0),
            4 if hex => (-1, -1),
            5 => (0, -1),
            _ => panic!("diagonal port on a square mesh"),
        };
        let (w, h) = (arch.grid_width() as i64, arch.grid_height() as i64);
        let (nx, ny) = (x as i64 + dx, y as i64 + dy);
        if !arch.topology.torus {
            assert!(
                (0..w).contains(&nx) && (0..h).contains(&ny),
                "route leaves the mesh"
            );
        }
        let (nx, ny) = (nx.rem_euclid(w) as u32, ny.rem_euclid(h) as u32);
        deliver(arch, tables, arch.tile_at(nx, ny), key, out, depth + 1);
    }
}

#[test]
fn multicast_tables_deliver_each_key_exactly_to_its_destinations() {
    let mut hex = small_mc_arch();
    hex.topology.tiles_x = 3;
    hex.topology.tiles_y = 3;
    hex.topology.kind = neurochip_arch::schema::MeshKind::Hex;
    hex.topology.torus = true;
    let net = two_pops();
    let ex = expand(&net).unwrap();
    for (arch, s) in [
        (small_mc_arch(), Strategy::Block),
        (small_mc_arch(), Strategy::Sequential),
        (hex.clone(), Strategy::Block),
    ] {
        let m = run(&arch, &net, s).unwrap();
        let img = lif_image(&m);
        let mut decoded = Vec::new();
        for (c, core) in img.cores.iter().enumerate() {
            for (l, &(start, len)) in core.fanout.iter().enumerate() {
                let src = core.global_ids[l];
                let want: BTreeSet<u32> = ex.targets[ex.row(src)]
                    .iter()
                    .map(|&t| m.placement[t as usize].0)
                    .collect();
                if want.is_empty() {
                    assert_eq!(len, 0);
                    continue;
                }
                assert_eq!(len, 1, "one keyed packet per neuron");
                let Dest::Multicast { key } = core.dests[start as usize] else {
                    panic!()
                };
                let mut got = BTreeSet::new();
                deliver(
                    &arch,
                    &img.router_tables,
                    c as u32 / arch.topology.cores_per_tile,
                    key,
                    &mut got,
                    0,
                );
                assert_eq!(got, want, "key {key:#x} ({s:?})");
                for dc in got {
                    let d = &img.cores[dc as usize];
                    let i = d
                        .key_axons
                        .binary_search_by_key(&key, |ka| ka.0)
                        .expect("key_axons entry");
                    let row = d.axons[d.key_axons[i].1 as usize];
                    for w in d
                        .synapse_words
                        .slice(row.start as usize..(row.start + row.len) as usize)
                    {
                        let syn = d.layout.decode(w);
                        decoded.push((
                            src,
                            d.global_ids[syn.target as usize],
                            syn.delay as u32 + 1,
                        ));
                    }
                }
            }
        }
        decoded.sort();
        let mut want: Vec<(u32, u32, u32)> = (0..ex.n)
            .flat_map(|s| ex.row(s).map(move |i| (s, i)))
            .map(|(s, i)| (s, ex.targets[i], ex.delays[i] as u32))
            .collect();
        want.sort();
        assert_eq!(decoded, want);
    }
    // Merging: under sequential placement all 4 e neurons share their route → one entry per router.
    let m = run(&small_mc_arch(), &net, Strategy::Sequential).unwrap();
    for r in &m.report.routers {
        assert!(r.entries <= r.unmerged);
    }
    assert!(m.report.routers.iter().any(|r| r.entries < r.unmerged));
}

#[test]
fn host_spikes_get_a_dedicated_axon_and_poisson_drives() {
    let mut net = two_pops();
    net.stimuli = vec![
        Stimulus::SpikeArray {
            target: "e".into(),
            spikes: vec![(5, 2), (3, 2), (4, 1)],
            weight: 0.1,
            synapse: SynapseKind::Exc,
        },
        Stimulus::Poisson {
            target: "i".into(),
            rate_hz: 20_000.0,
            weight: 0.1,
            synapse: SynapseKind::Exc,
        },
    ];
    net.dt_ms = 0.1;
    let m = run(&small_arch(), &net, Strategy::Sequential).unwrap();
    let img = lif_image(&m);
    let hs: Vec<(u32, u32)> = img.host_spikes.iter().map(|h| (h.step, h.core)).collect();
    assert_eq!(hs, vec![(3, 0), (4, 0), (5, 0)]);
    // 8 recurrent axons on core 0 plus 2 host axons (neurons 1 and 2).
    assert_eq!(img.cores[0].axons.len(), 10);
    let a = img.host_spikes[0].axon;
    assert_eq!(img.host_spikes[2].axon, a);
    assert_ne!(img.host_spikes[1].axon, a);
    let row = img.cores[0].axons[a as usize];
    assert_eq!(row.len, 1);
    let s = img.cores[0]
        .layout
        .decode(img.cores[0].synapse_words.get(row.start as usize).unwrap());
    assert_eq!((s.weight, s.target, s.delay, s.channel), (25, 2, 0, 0));
    let pd = &img.cores[1].poisson;
    assert_eq!(pd.len(), 4);
    // Population i only receives +0.1 (e→i and the drive): 127 / 0.1 → 1270 LSB/mV, 0.1 → 127.
    assert_eq!(m.report.populations[1].scale, 1270.0);
    assert!(pd
        .iter()
        .all(|p| (p.lambda - 2.0).abs() < 1e-12 && p.weight == 127));
    assert_eq!(m.report.totals.host_spikes, 3);
}

#[test]
fn mapping_is_deterministic() {
    let net = chain(30);
    for s in [Strategy::Sequential, Strategy::Block, Strategy::Greedy] {
        let a = run(&small_mc_arch(), &net, s).unwrap();
        let b = run(&small_mc_arch(), &net, s).unwrap();
        assert_eq!(a.placement, b.placement);
        let (ia, ib) = (lif_image(&a), lif_image(&b));
        for (x, y) in ia.cores.iter().zip(&ib.cores) {
            assert_eq!(x.synapse_words, y.synapse_words);
            assert_eq!(x.dests, y.dests);
            assert_eq!(x.key_axons, y.key_axons);
        }
        assert_eq!(ia.router_tables, ib.router_tables);
        assert_eq!(
            serde_json::to_string(&a.report).unwrap(),
            serde_json::to_string(&b.report).unwrap()
        );
    }
}

#[test]
fn report_serialises_with_quantisation_entries() {
    let m = run(&small_arch(), &two_pops(), Strategy::Sequential).unwrap();
    let v: serde_json::Value = serde_json::to_value(&m.report).unwrap();
    assert_eq!(v["strategy"], "sequential");
    assert_eq!(v["populations"][0]["scale"], 250.0);
    let projs: BTreeMap<String, u64> = m
        .report
        .projections
        .iter()
        .map(|p| (format!("{}→{}", p.from, p.to), p.count))
        .collect();
    assert_eq!(projs["e→i"], 16);
    assert_eq!(projs["i→e"], 16);
    assert_eq!(projs["e→e"], 4);
    let text = m.report.summary();
    assert!(
        text.starts_with("mapped 8 neurons, 36 synapses on 2 of 8 cores (sequential placement)"),
        "{text}"
    );
    assert!(text.contains("population \"e\": LSB 0.004000 mV"), "{text}");
}

/// Full-size workloads; run with `cargo test -p neurochip-mapper --release -- --ignored --nocapture`.
#[test]
#[ignore]
fn workloads_map_with_figures() {
    use std::collections::BTreeMap;
    for (wl, arch_name) in [
        ("brunel", "default"),
        ("random", "loihi"),
        ("random", "loihi-sanafe:axons_in=8192"),
        ("random", "default"),
        ("cuba", "default"),
        ("brunel", "default:multicast"),
    ] {
        let net = neurochip_net::builtin(wl, &BTreeMap::new()).unwrap();
        let (preset, tweak) = arch_name.split_once(':').unwrap_or((arch_name, ""));
        let mut arch = neurochip_arch::preset(preset).unwrap();
        if tweak.starts_with("axons_in") {
            arch.core.axons_in = 8192;
        }
        if tweak == "multicast" {
            arch.router.routing = neurochip_arch::schema::Routing::Multicast;
            arch.router.table_entries = 1024;
        }
        let t0 = std::time::Instant::now();
        let ex = expand(&net).unwrap();
        let t1 = std::time::Instant::now();
        for s in [Strategy::Sequential, Strategy::Block, Strategy::Greedy] {
            let t2 = std::time::Instant::now();
            match neurochip_mapper::map(&arch, &ex, &opts(s)) {
                Ok(m) => {
                    let r = &m.report;
                    println!(
                        "{wl} on {arch_name} {s:?}: expand {:.2}s map {:.2}s, {} synapses, {} cores, hops {} (sequential {}), peak words {:.1}%, axons_in {:.1}%, axons_out {:.1}%, scales {:?}, warnings {:?}",
                        (t1 - t0).as_secs_f64(),
                        t2.elapsed().as_secs_f64(),
                        r.totals.synapses,
                        r.cores_used,
                        r.synapse_hops,
                        r.synapse_hops_sequential,
                        r.utilisation.words_peak_pct,
                        r.utilisation.axons_in_peak_pct,
                        r.utilisation.axons_out_peak_pct,
                        r.populations.iter().map(|p| (p.scale, p.weight_scale, p.weight_exp)).collect::<Vec<_>>(),
                        r.warnings
                    );
                    if !r.routers.is_empty() {
                        println!(
                            "   router entries: max {} (unmerged max {}), total {}",
                            r.routers.iter().map(|x| x.entries).max().unwrap(),
                            r.routers.iter().map(|x| x.unmerged).max().unwrap(),
                            r.totals.router_entries
                        );
                    }
                    for q in &r.populations {
                        for p in &q.params {
                            println!(
                                "   {} {}: {} → {} ({}), err {:.2e}",
                                q.population,
                                p.name,
                                p.requested,
                                p.integer,
                                p.realised,
                                p.rel_error
                            );
                        }
                    }
                    for p in &r.projections {
                        println!(
                            "   {}→{} ch{}: n {} clipped {} max err {:.2e} mean {:.2e}",
                            p.from,
                            p.to,
                            p.channel,
                            p.count,
                            p.clipped,
                            p.max_rel_error,
                            p.mean_rel_error
                        );
                    }
                }
                Err(e) => println!("{wl} on {arch_name} {s:?}: {e}"),
            }
        }
    }
}

fn cuba_like(tau_e: f64, tau_i: f64) -> Network {
    let mut net = two_pops();
    for p in &mut net.populations {
        p.neuron = NeuronParams::Lif {
            tau_m_ms: Some(20.0),
            v_rest_mv: -49.0,
            v_thresh_mv: -50.0,
            strict_threshold: false,
            v_reset_mv: -60.0,
            t_ref_ms: 5.0,
            tau_syn_e_ms: Some(tau_e),
            tau_syn_i_ms: Some(tau_i),
            bias_mv: 0.0,
            v_init: Init::Constant(-55.0),
            refractory_drops_input: false,
        };
    }
    for p in &mut net.projections {
        p.delay = 1;
        p.weight = Init::Constant(if p.synapse == SynapseKind::Inh {
            -9.0
        } else {
            1.62
        });
    }
    net
}

#[test]
fn exponential_synapses_fold_the_coupling_into_the_weight() {
    let net = cuba_like(5.0, 10.0);
    let m = run(&small_arch(), &net, Strategy::Sequential).unwrap();
    let img = lif_image(&m);
    let p = img.cores[0].params[0];
    assert!(p.current_mode);
    assert_eq!(p.syn_decay, [742, 390]);
    let s = m.report.populations[0].scale;
    let c = |ts: f64| ts * ((-1.0 / ts).exp() - (-1.0f64 / 20.0).exp()) / (ts - 20.0);
    let ws: BTreeMap<u8, BTreeSet<i32>> =
        img.cores[0]
            .synapse_words
            .iter()
            .fold(BTreeMap::new(), |mut m, w| {
                let d = img.cores[0].layout.decode(w);
                m.entry(d.channel).or_default().insert(d.weight);
                m
            });
    assert_eq!(
        ws[&0],
        BTreeSet::from([(1.62f32 as f64 * c(5.0) * s).round() as i32])
    );
    assert_eq!(
        ws[&1],
        BTreeSet::from([(-9.0 * c(10.0) * s).round() as i32])
    );
    assert_eq!(p.v_rest, (-49.0 * s).round() as i32);
    // Loihi has one current: equal taus map (du from τs), differing ones are an error (tested above).
    let m = run(&loihi_small(), &cuba_like(5.0, 5.0), Strategy::Sequential).unwrap();
    let AnyImage::LoihiCubaLif(img) = &m.image else {
        panic!()
    };
    assert_eq!(img.cores[0].params[0].du, 741);
}

#[test]
fn sanafe_lif_on_loihi_cores() {
    let mut net = two_pops();
    net.populations = vec![Population {
        name: "r".into(),
        size: 8,
        neuron: NeuronParams::SanafeLif {
            leak: 0.99,
            threshold: 64.0,
            reset: 0.0,
            bias: Init::Dist(Distribution::Uniform {
                low: 1.0,
                high: 8.0,
            }),
        },
    }];
    net.projections = vec![proj(
        "r",
        "r",
        Connect::AllToAll { autapses: true },
        3.0,
        1,
        SynapseKind::Exc,
    )];
    let m = run(&loihi_small(), &net, Strategy::Block).unwrap();
    let AnyImage::LoihiCubaLif(img) = &m.image else {
        panic!()
    };
    let q = &m.report.populations[0];
    // One weight 3.0: mantissa 255 (exact at k = 85), s = 85·2^(6+e) with 64·s ≤ 2^21.
    assert_eq!(q.weight_scale, 85.0);
    let e = q.weight_exp.unwrap();
    assert_eq!(q.scale, 85.0 * 2f64.powi(6 + e));
    assert!(64.0 * q.scale <= (1u64 << 21) as f64 && 128.0 * q.scale > (1u64 << 21) as f64);
    let biases = neurochip_net::expand::initial_values(&net, 0);
    for (gid, &(c, l)) in m.placement.iter().enumerate() {
        let p = img.cores[c as usize].params[l as usize];
        assert_eq!((p.du, p.dv), (4095, 41));
        assert_eq!(p.eff_vth, (64.0 * q.scale / 64.0).round() as i64 * 64);
        let b = p.effective_bias() as f64 / q.scale;
        assert!(
            (b - biases[gid]).abs() < 2f64.powi(p.bias_exp) / q.scale,
            "bias {b} vs {}",
            biases[gid]
        );
    }
    let w = img.cores[0]
        .layout
        .decode(img.cores[0].synapse_words.get(0).unwrap())
        .weight;
    assert_eq!(w, 255);
}
