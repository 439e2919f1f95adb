//! Whole-chip tests: firmware cores driving each other through the network.

mod common;

use common::arch;
use neurochip_arch::Architecture;
use neurochip_firmware::hal::{Synapse, WordLayout};
use neurochip_firmware::{NeuronModel, NeuronRng};
use neurochip_hw::core::poisson;
use neurochip_hw::image::{AxonRow, ChipImage, CoreImage, Dest, HostSpike, PoissonDrive};
use neurochip_hw::{Chip, EngineOptions, HwError};

/// Integrate-and-fire with a bias: v += input + bias; spike and reset to 0 at the threshold.
#[derive(Clone, Debug)]
struct Tiny;

#[derive(Clone, Debug)]
struct Tp {
    bias: i32,
    threshold: i32,
}

impl NeuronModel for Tiny {
    type Params = Tp;
    type State = i32;
    type Acc = i32;
    const NAME: &'static str = "tiny";
    const STATE_FIELDS: &'static [&'static str] = &["v"];
    const CHANNELS: u8 = 1;

    fn accumulate(_: &Tp, acc: &mut i32, _: u8, w: i32) {
        *acc = acc.saturating_add(w);
    }

    fn update(p: &Tp, v: &mut i32, input: &i32, _: &mut NeuronRng) -> u8 {
        *v = v.saturating_add(*input).saturating_add(p.bias);
        if *v >= p.threshold {
            *v = 0;
            1
        } else {
            0
        }
    }

    fn state_field(v: &i32, _: usize) -> i64 {
        i64::from(*v)
    }

    fn is_idle(p: &Tp, v: &i32, input: &i32) -> bool {
        *input == 0 && p.bias == 0 && *v == 0
    }
}

fn layout() -> WordLayout {
    WordLayout {
        weight_bits: 12,
        channel_bits: 0,
        delay_bits: 4,
        target_bits: 16,
    }
}

fn empty() -> CoreImage<Tiny> {
    CoreImage {
        params: vec![],
        init: vec![],
        global_ids: vec![],
        axons: vec![],
        key_axons: vec![],
        synapse_words: Default::default(),
        layout: layout(),
        fanout: vec![],
        dests: vec![],
        poisson: vec![],
    }
}

/// Core 0 (tile 0): neuron 100, bias 1, threshold 3 → spikes at steps 2, 5, 8, …
/// Core 1 (tile 1): neuron 200, bias 0, threshold 5, axon 0 → weight 10 with `delay`.
fn pair(delay: u8, host: Vec<HostSpike>) -> ChipImage<Tiny> {
    let a = CoreImage {
        params: vec![Tp {
            bias: 1,
            threshold: 3,
        }],
        init: vec![0],
        global_ids: vec![100],
        fanout: vec![(0, 1)],
        dests: vec![Dest::Unicast { core: 1, axon: 0 }],
        ..empty()
    };
    let word = layout()
        .encode(&Synapse {
            weight: 10,
            channel: 0,
            delay,
            target: 0,
        })
        .unwrap();
    let b = CoreImage {
        params: vec![Tp {
            bias: 0,
            threshold: 5,
        }],
        init: vec![0],
        global_ids: vec![200],
        axons: vec![AxonRow { start: 0, len: 1 }],
        synapse_words: vec![word].into(),
        fanout: vec![(0, 0)],
        ..empty()
    };
    ChipImage {
        cores: vec![a, b],
        router_tables: vec![],
        host_spikes: host,
        seed: 42,
    }
}

fn two_tiles() -> Architecture {
    arch(2, 1, 1)
}

fn run(chip: &mut Chip<Tiny>, steps: u32) -> Vec<Vec<(u32, u8)>> {
    (0..steps)
        .map(|_| {
            chip.run_step().unwrap();
            chip.last_spikes().to_vec()
        })
        .collect()
}

#[test]
fn spike_crosses_to_the_next_core_and_lands_one_step_later() {
    for delay in [0u8, 1, 3] {
        let mut chip = Chip::new(&two_tiles(), pair(delay, vec![])).unwrap();
        let spikes = run(&mut chip, 9);
        for (t, s) in spikes.iter().enumerate() {
            let t = t as u32;
            let a_fires = t % 3 == 2;
            // B integrates A's spike of step t − 1 − delay.
            let b_fires = t >= 3 + u32::from(delay) && (t - 1 - u32::from(delay)) % 3 == 2;
            let mut want = vec![];
            if a_fires {
                want.push((100, 1));
            }
            if b_fires {
                want.push((200, 1));
            }
            assert_eq!(s, &want, "delay {delay} step {t}");
        }
        assert_eq!(chip.step(), 9);
        // A fired at steps 2, 5 and 8; each spike is folded when it arrives, whatever its delay.
        assert_eq!(chip.counters().cores[1].synaptic_ops, 3);
    }
}

#[test]
fn step_cycles_follow_the_pipeline_costs() {
    let a = two_tiles();
    let mut chip = Chip::new(&a, pair(0, vec![])).unwrap();
    let k = &a.core.cycles;
    let barrier =
        u64::from(a.barrier.base_cycles) + (a.barrier.per_tile_cycles * 2.0).ceil() as u64;
    // Step 0: core 0 one active update, core 1 one idle update; no spikes.
    let s0 = chip.run_step().unwrap();
    assert_eq!(
        s0.cycles,
        u64::from(k.neuron_update_active.max(k.neuron_update_idle)) + barrier
    );
    chip.run_step().unwrap();
    // Step 2: A spikes; its packet crosses one E link; B's input unit reads one word.
    let s2 = chip.run_step().unwrap();
    let p = u64::from(a.router.pipeline_cycles);
    let handed = u64::from(k.neuron_update_active + k.spike_out);
    let head_at_core = handed + p + (p + u64::from(a.link.latency_ew_cycles));
    let tail_at_core = head_at_core + u64::from(a.router.packet_flits) - 1;
    let done = tail_at_core + u64::from(k.spike_in + k.synapse_word);
    assert_eq!(s2.cycles, done + barrier);
    assert_eq!(
        (s2.spikes, s2.packets, s2.hops, s2.synaptic_ops),
        (1, 1, 1, 1)
    );
    let s3 = chip.run_step().unwrap();
    assert_eq!(
        s3.synaptic_ops, 0,
        "synaptic ops are counted when the spike is delivered (step 2)"
    );
    assert_eq!(chip.counters().cores[1].synaptic_ops, 1);
    assert_eq!(
        chip.elapsed_cycles(),
        chip.counters().steps.iter().map(|s| s.cycles).sum::<u64>()
    );
}

#[test]
fn host_spikes_land_in_their_step() {
    let host = vec![
        HostSpike {
            step: 0,
            core: 1,
            axon: 0,
        },
        HostSpike {
            step: 4,
            core: 1,
            axon: 0,
        },
    ];
    let mut img = pair(0, host);
    img.cores[0].params[0].bias = 0; // silence A
    let mut chip = Chip::new(&two_tiles(), img).unwrap();
    let spikes = run(&mut chip, 6);
    let fired: Vec<usize> = spikes
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.is_empty())
        .map(|(t, _)| t)
        .collect();
    assert_eq!(fired, vec![0, 4]);
    assert_eq!(chip.counters().cores[1].spikes_in, 2);
    assert_eq!(chip.counters().cores[1].synaptic_ops, 2);
}

#[test]
fn poisson_drive_is_keyed_and_counted_apart() {
    let mut img = pair(0, vec![]);
    img.cores[0].params[0] = Tp {
        bias: 0,
        threshold: i32::MAX,
    };
    img.cores[0].poisson = vec![PoissonDrive {
        neuron: 0,
        lambda: 3.5,
        weight: 2,
        channel: 0,
    }];
    let mut chip = Chip::new(&two_tiles(), img).unwrap();
    let mut v = 0i64;
    let mut events = 0u64;
    for t in 0..20 {
        chip.run_step().unwrap();
        let k = poisson(3.5, &mut NeuronRng::new(42, 0xFFFF_FFFF, 100, t));
        events += u64::from(k);
        v += 2 * i64::from(k);
        assert_eq!(chip.state_field(0, 0, 0), v, "step {t}");
    }
    assert!(events > 20, "lambda 3.5 over 20 steps");
    let c = &chip.counters().cores[0];
    assert_eq!(c.poisson_events, events);
    assert_eq!(c.synaptic_ops, 0);
    // Large lambda uses the normal approximation and stays near the mean.
    let n: u32 = (0..200)
        .map(|t| poisson(100.0, &mut NeuronRng::new(1, 2, 3, t)))
        .sum();
    assert!((18_000..22_000).contains(&n), "{n}");
    assert_eq!(poisson(0.0, &mut NeuronRng::fixed(1)), 0);
}

#[test]
fn energy_is_counts_times_table() {
    let a = two_tiles();
    let mut img = pair(0, vec![]);
    img.cores[0].poisson = vec![PoissonDrive {
        neuron: 0,
        lambda: 1.0,
        weight: 1,
        channel: 0,
    }];
    let mut chip = Chip::new(&a, img).unwrap();
    for _ in 0..12 {
        chip.run_step().unwrap();
    }
    let c = chip.counters();
    let e = &a.energy;
    let sum = |f: fn(&neurochip_hw::counters::CoreCounters) -> u64| {
        c.cores.iter().map(f).sum::<u64>() as f64
    };
    let pj = sum(|k| k.synaptic_ops) * e.synaptic_op.pj
        + sum(|k| k.neuron_updates_active) * e.neuron_update_active.pj
        + sum(|k| k.neuron_updates_idle) * e.neuron_update_idle.pj
        + sum(|k| k.spikes_out) * e.spike_out.pj
        + sum(|k| k.packets_injected) * e.packet_inject.pj
        + sum(|k| k.words_read) * e.word_read.pj
        + c.hops.local as f64 * e.hop_local.pj
        + c.hops.ew as f64 * e.hop_ew.pj
        + c.hops.ns as f64 * e.hop_ns.pj
        + c.hops.offchip as f64 * e.hop_offchip.pj
        + 12.0 * 2.0 * e.barrier_per_tile.pj;
    let stat = e.static_watts_per_chip.watts * chip.elapsed_cycles() as f64 / a.clock_hz;
    let r = chip.energy();
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * y.abs().max(1e-30);
    assert!(
        close(r.dynamic_j, pj * 1e-12),
        "{} vs {}",
        r.dynamic_j,
        pj * 1e-12
    );
    assert!(close(r.static_j, stat));
    assert!(close(r.total_j, pj * 1e-12 + stat));
    assert!(close(r.cores_j + r.routers_j + r.barrier_j, r.dynamic_j));
    assert_eq!(r.by_class.len(), 12);
    assert!(close(
        r.class("hop_ew"),
        c.hops.ew as f64 * e.hop_ew.pj * 1e-12
    ));
    assert!(c.hops.ew > 0 && sum(|k| k.synaptic_ops) > 0.0);
    // Per-step records add up to the run.
    let per_step: f64 = c
        .steps
        .iter()
        .flat_map(|s| s.energy_j.iter())
        .map(|(_, j)| j)
        .sum();
    assert!(close(per_step, r.total_j));
}

#[test]
fn skipping_and_stepping_agree_on_a_chip() {
    let a = arch(3, 2, 2);
    let mk = || {
        let mut img = pair(
            1,
            vec![HostSpike {
                step: 3,
                core: 1,
                axon: 0,
            }],
        );
        img.cores[0].poisson = vec![PoissonDrive {
            neuron: 0,
            lambda: 2.0,
            weight: 1,
            channel: 0,
        }];
        img.cores[0].dests = vec![
            Dest::Unicast { core: 1, axon: 0 },
            Dest::Unicast { core: 11, axon: 0 },
        ];
        img.cores[0].fanout = vec![(0, 2)];
        img.cores.resize_with(12, empty);
        img.cores[11] = img.cores[1].clone();
        img
    };
    let mut fast = Chip::with_options(
        &a,
        mk(),
        EngineOptions {
            threads: 1,
            no_skip: false,
        },
    )
    .unwrap();
    let mut slow = Chip::with_options(
        &a,
        mk(),
        EngineOptions {
            threads: 1,
            no_skip: true,
        },
    )
    .unwrap();
    for _ in 0..15 {
        assert_eq!(fast.run_step().unwrap(), slow.run_step().unwrap());
        assert_eq!(fast.last_spikes(), slow.last_spikes());
    }
    assert_eq!(fast.counters(), slow.counters());
    assert_eq!(fast.elapsed_cycles(), slow.elapsed_cycles());
    assert!(fast.counters().cores[11].synaptic_ops > 0);
}

#[test]
fn bad_images_are_errors_naming_core_and_field() {
    let a = two_tiles();
    let check = |img: ChipImage<Tiny>, core: Option<u32>, field: &str| {
        let err = Chip::new(&a, img).unwrap_err();
        match &err {
            HwError::BadImage {
                core: c, field: f, ..
            } => {
                assert_eq!((*c, *f), (core, field), "{err}");
            }
            other => panic!("expected BadImage, got {other}"),
        }
        let msg = err.to_string();
        assert!(msg.contains(field) && !msg.contains('\n'), "{msg}");
        if let Some(c) = core {
            assert!(msg.contains(&format!("core {c}")), "{msg}");
        }
    };
    let mut i = pair(0, vec![]);
    i.cores[0].dests[0] = Dest::Unicast { core: 9, axon: 0 };
    check(i, Some(0), "dests");
    let mut i = pair(0, vec![]);
    i.cores[0].dests[0] = Dest::Unicast { core: 1, axon: 3 };
    check(i, Some(0), "dests");
    let mut i = pair(0, vec![]);
    i.cores[0].dests[0] = Dest::Multicast { key: 1 };
    check(i, Some(0), "dests");
    let mut i = pair(0, vec![]);
    i.cores[1].axons[0].len = 2;
    check(i, Some(1), "axons");
    let mut i = pair(0, vec![]);
    i.cores[1].global_ids.clear();
    check(i, Some(1), "global_ids");
    let mut i = pair(0, vec![]);
    i.cores[0].fanout[0] = (0, 5);
    check(i, Some(0), "fanout");
    let mut i = pair(0, vec![]);
    i.cores[1].params = vec![
        Tp {
            bias: 0,
            threshold: 1
        };
        65
    ];
    check(i, Some(1), "params");
    let mut i = pair(0, vec![]);
    i.cores[0].poisson = vec![PoissonDrive {
        neuron: 3,
        lambda: 1.0,
        weight: 1,
        channel: 0,
    }];
    check(i, Some(0), "poisson");
    let mut i = pair(0, vec![]);
    i.cores[0].poisson = vec![PoissonDrive {
        neuron: 0,
        lambda: f64::NAN,
        weight: 1,
        channel: 0,
    }];
    check(i, Some(0), "poisson");
    let mut i = pair(0, vec![]);
    i.host_spikes = vec![HostSpike {
        step: 0,
        core: 7,
        axon: 0,
    }];
    check(i, Some(7), "host_spikes.core");
    let mut i = pair(0, vec![]);
    i.cores.push(empty());
    i.cores.push(empty());
    check(i, None, "cores");
    let mut i = pair(0, vec![]);
    i.router_tables = vec![vec![]];
    check(i, None, "router_tables");
}

/// A random network of `tiles_x × tiles_y × cpt` cores of `n` neurons; each neuron fans out to
/// two random (core, axon) pairs, each axon row holds 16 random synapses, a third of the neurons
/// get Poisson drive.
fn random_system(
    tx: u32,
    ty: u32,
    cpt: u32,
    n: u32,
    seed: u64,
    threshold: i32,
) -> (Architecture, ChipImage<Tiny>) {
    let mut a = arch(tx, ty, cpt);
    a.core.neurons = n;
    a.core.axons_out = 2 * n;
    a.core.input_buffer = 16;
    let cores = a.total_cores();
    let mut rng = NeuronRng::fixed(seed);
    let mut below = |k: u32| (rng.next_u64() % u64::from(k)) as u32;
    let imgs = (0..cores)
        .map(|c| {
            let axons: Vec<AxonRow> = (0..64)
                .map(|i| AxonRow {
                    start: i * 16,
                    len: 16,
                })
                .collect();
            let synapse_words: Vec<u64> = (0..64 * 16)
                .map(|_| {
                    let s = Synapse {
                        weight: below(16) as i32 - 4,
                        channel: 0,
                        delay: below(3) as u8,
                        target: below(n),
                    };
                    layout().encode(&s).unwrap()
                })
                .collect();
            let dests = (0..2 * n)
                .map(|_| Dest::Unicast {
                    core: below(cores),
                    axon: below(64),
                })
                .collect();
            let poisson = (0..n)
                .filter(|i| i % 3 == 0)
                .map(|i| PoissonDrive {
                    neuron: i,
                    lambda: 0.7,
                    weight: 6,
                    channel: 0,
                })
                .collect();
            CoreImage {
                params: vec![Tp { bias: 0, threshold }; n as usize],
                init: vec![0; n as usize],
                global_ids: (0..n).map(|i| c * n + i).collect(),
                axons,
                key_axons: vec![],
                synapse_words: synapse_words.into(),
                layout: layout(),
                fanout: (0..n).map(|i| (2 * i, 2)).collect(),
                dests,
                poisson,
            }
        })
        .collect();
    (
        a,
        ChipImage {
            cores: imgs,
            router_tables: vec![],
            host_spikes: vec![],
            seed,
        },
    )
}

#[test]
fn random_system_is_deterministic_and_skip_invariant() {
    let (a, img) = random_system(3, 2, 2, 32, 7, 20);
    let mut x = Chip::new(&a, img.clone()).unwrap();
    let mut y = Chip::new(&a, img.clone()).unwrap();
    let mut z = Chip::with_options(
        &a,
        img,
        EngineOptions {
            threads: 1,
            no_skip: true,
        },
    )
    .unwrap();
    let mut spikes = 0;
    for _ in 0..10 {
        let s = x.run_step().unwrap();
        assert_eq!(s, y.run_step().unwrap());
        assert_eq!(s, z.run_step().unwrap());
        assert_eq!(x.last_spikes(), z.last_spikes());
        assert!(
            x.last_spikes().windows(2).all(|w| w[0].0 < w[1].0),
            "sorted by global id"
        );
        spikes += s.spikes;
    }
    assert!(
        spikes > 20,
        "the random system must be active ({spikes} spikes)"
    );
    assert_eq!(x.counters(), z.counters());
}

/// Host speed figure: `cargo test -p neurochip-hw --test engine -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_host_speed() {
    for threshold in [20, 200] {
        let (a, img) = random_system(4, 4, 4, 256, 3, threshold);
        let mut chip = Chip::new(&a, img).unwrap();
        let t = std::time::Instant::now();
        let steps = 50;
        let mut tot = neurochip_hw::StepStats::default();
        for _ in 0..steps {
            let s = chip.run_step().unwrap();
            tot.spikes += s.spikes;
            tot.synaptic_ops += s.synaptic_ops;
            tot.packets += s.packets;
            tot.cycles += s.cycles;
        }
        let el = t.elapsed().as_secs_f64();
        let updates = f64::from(steps) * f64::from(a.total_cores() * 256);
        println!(
        "{} cores x 256 neurons, {steps} steps in {el:.3}s: {:.1} steps/s, {:.2e} neuron updates/s, {:.2e} synops/s, spikes {}, packets {}, cycles {}",
        a.total_cores(),
        f64::from(steps) / el,
        updates / el,
        tot.synaptic_ops as f64 / el,
        tot.spikes,
        tot.packets,
        tot.cycles
    );
    }
}

#[test]
fn packets_leave_when_their_neuron_finishes_not_at_the_end_of_the_core() {
    let a = two_tiles();
    let mut img = pair(0, vec![]);
    // Core 0: five neurons, only neuron 2 fires (in step 0); the others are idle.
    let c0 = &mut img.cores[0];
    c0.params = (0..5)
        .map(|i| Tp {
            bias: i32::from(i == 2) * 5,
            threshold: 3,
        })
        .collect();
    c0.init = vec![0; 5];
    c0.global_ids = (10..15).collect();
    c0.fanout = vec![(0, 0), (0, 0), (0, 1), (0, 0), (0, 0)];
    let mut chip = Chip::new(&a, img).unwrap();
    let s = chip.run_step().unwrap();
    assert_eq!(chip.last_spikes(), &[(12, 1)]);
    let k = &a.core.cycles;
    let (idle, active) = (
        u64::from(k.neuron_update_idle),
        u64::from(k.neuron_update_active),
    );
    let handed = 2 * idle + active + u64::from(k.spike_out);
    let core0_done = handed + 2 * idle;
    let p = u64::from(a.router.pipeline_cycles);
    let tail =
        handed + p + p + u64::from(a.link.latency_ew_cycles) + u64::from(a.router.packet_flits) - 1;
    let core1_done = tail.max(idle) + u64::from(k.spike_in + k.synapse_word);
    let barrier = chip.engine().barrier_cycles();
    assert_eq!(s.cycles, core0_done.max(core1_done) + barrier);
    let c = &chip.counters().cores[0];
    assert_eq!((c.neuron_updates_idle, c.neuron_updates_active), (4, 1));
    assert_eq!(c.busy_cycles, core0_done);
}

/// Worker threads only run the cores' timing-free work between steps, so every thread count
/// (including more threads than cores) gives the same spikes, states, stats and counters.
#[test]
fn thread_count_never_changes_results() {
    let (a, mut img) = random_system(3, 2, 2, 48, 11, 16);
    img.host_spikes = (0..12)
        .map(|k| HostSpike {
            step: k % 6,
            core: k % a.total_cores(),
            axon: (7 * k) % 64,
        })
        .collect();
    let run = |threads: usize| {
        let mut chip = Chip::with_threads(
            &a,
            img.clone(),
            EngineOptions {
                threads,
                no_skip: false,
            },
        )
        .unwrap();
        let mut steps = Vec::new();
        for _ in 0..12 {
            let s = chip.run_step().unwrap();
            let states: Vec<i64> = (0..a.total_cores())
                .flat_map(|c| (0..48).map(move |i| (c, i)))
                .map(|(c, i)| chip.state_field(c, i, 0))
                .collect();
            steps.push((s, chip.last_spikes().to_vec(), states));
        }
        (steps, chip.counters().clone(), chip.elapsed_cycles())
    };
    let one = run(1);
    let spikes: u64 = one.0.iter().map(|(s, _, _)| s.spikes).sum();
    assert!(spikes > 20, "the system must be active ({spikes} spikes)");
    assert!(one
        .1
        .cores
        .iter()
        .any(|c| c.stall_cycles > 0 || c.spikes_in > 0));
    for threads in [2, 3, 64] {
        let other = run(threads);
        assert_eq!(one.0, other.0, "{threads} threads: per-step results differ");
        assert_eq!(one.1, other.1, "{threads} threads: counters differ");
        assert_eq!(one.2, other.2, "{threads} threads: elapsed cycles differ");
    }
}

/// Rows whose words do not all fold (a delay past the ring, a target past the core) are
/// charged word by word and counted; clean rows charge their length.
#[test]
fn irregular_rows_are_charged_and_counted() {
    let w = |delay: u8, target: u32| {
        layout()
            .encode(&Synapse {
                weight: 1,
                channel: 0,
                delay,
                target,
            })
            .unwrap()
    };
    let mut img = pair(0, vec![]);
    img.cores[0].params[0].bias = 0; // silence A
    let b = &mut img.cores[1];
    b.params[0].threshold = 100;
    // Row 0: one word that folds, one past the 8-slot ring, one for neuron 5 of a 1-neuron core.
    // Row 1: two words that fold.
    b.synapse_words = vec![w(0, 0), w(15, 0), w(0, 5), w(0, 0), w(1, 0)].into();
    b.axons = vec![AxonRow { start: 0, len: 3 }, AxonRow { start: 3, len: 2 }];
    img.host_spikes = [(1, 0), (1, 1), (2, 1)]
        .iter()
        .map(|&(step, axon)| HostSpike {
            step,
            core: 1,
            axon,
        })
        .collect();
    let mut chip = Chip::new(&two_tiles(), img).unwrap();
    run(&mut chip, 5);
    let c = &chip.counters().cores[1];
    assert_eq!(c.spikes_in, 3);
    assert_eq!(
        c.words_read,
        3 + 2 + 2,
        "every word of a mapped row is read"
    );
    assert_eq!(
        c.synaptic_ops,
        1 + 2 + 2,
        "only words that fold are synaptic ops"
    );
    assert_eq!((c.delay_overflow, c.dropped_input), (1, 1));
    assert_eq!(c.unmapped_axon, 0);
    // The folded weights arrived: 1 (row 0) + 2 + 2 (row 1, twice).
    assert_eq!(chip.state_field(1, 0, 0), 5);
}
