//! `cargo bench -p neurochip-hw`: host speed of the cycle-level engine on two synthetic chips
//! built in code (no mapper), shaped like the workloads that stress it:
//!
//! - **W4-like**: `loihi-sanafe` (128 cores, long links, 16-flit buffers), 10,000 neurons spread
//!   evenly, each spike sent to 70 random cores (one-flit unicast packets, 1–2 synapses each):
//!   a congested NoC.
//! - **W1-like**: `default` (64 cores), 2,500 neurons on 10 cores with Poisson(20) drive and
//!   250 synapses per neuron: core work (synapse words, Poisson draws, updates).
//!
//! Each is run with 1 and 2 host threads; the two runs must agree exactly.

use std::time::Instant;

use neurochip_arch::Architecture;
use neurochip_firmware::hal::{Synapse, WordLayout};
use neurochip_firmware::{NeuronModel, NeuronRng};
use neurochip_hw::image::{AxonRow, ChipImage, CoreImage, Dest, PoissonDrive};
use neurochip_hw::{Chip, EngineOptions};

/// Integrate-and-fire with a bias (saturating), reset to 0 at the threshold.
#[derive(Clone, Debug)]
struct If;

#[derive(Clone, Debug)]
struct P {
    bias: i32,
    threshold: i32,
}

impl NeuronModel for If {
    type Params = P;
    type State = i32;
    type Acc = i32;
    const NAME: &'static str = "bench_if";
    const STATE_FIELDS: &'static [&'static str] = &["v"];
    const CHANNELS: u8 = 1;
    fn accumulate(_: &P, acc: &mut i32, _: u8, w: i32) {
        *acc = acc.saturating_add(w);
    }
    fn update(p: &P, v: &mut i32, input: &i32, _: &mut NeuronRng) -> u8 {
        *v = v.saturating_add(*input).saturating_add(p.bias).max(0);
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
    fn is_idle(p: &P, v: &i32, input: &i32) -> bool {
        *input == 0 && p.bias == 0 && *v == 0
    }
}

struct Shape {
    cores: u32,
    neurons: u32,
    dests_per_neuron: u32,
    synapses_per_row: (u32, u32),
    delay_max: u32,
    bias: i32,
    threshold: i32,
    weight: (i32, i32),
    lambda: f64,
    poisson_weight: i32,
}

fn build(arch: &Architecture, s: &Shape, seed: u64) -> ChipImage<If> {
    let sm = &arch.core.synapse_memory;
    let layout = WordLayout {
        weight_bits: sm.weight_bits.min(32) as u8,
        channel_bits: sm.channel_bits.min(8) as u8,
        delay_bits: sm.delay_bits.min(8) as u8,
        target_bits: sm.target_bits.min(32) as u8,
    };
    let mut rng = NeuronRng::fixed(seed);
    let mut below = |k: u32| (rng.next_u64() % u64::from(k.max(1))) as u32;
    let per_core = s.neurons.div_ceil(s.cores);
    // Axons of each core: one per (source neuron, target core) pair, assigned as dests appear.
    let mut axons: Vec<Vec<AxonRow>> = vec![Vec::new(); s.cores as usize];
    let mut words: Vec<Vec<u64>> = vec![Vec::new(); s.cores as usize];
    let mut imgs: Vec<CoreImage<If>> = Vec::new();
    let mut dests_of: Vec<Vec<Dest>> = Vec::new();
    for c in 0..s.cores {
        let n = per_core.min(s.neurons.saturating_sub(c * per_core));
        let mut dests = Vec::new();
        for _ in 0..n {
            for _ in 0..s.dests_per_neuron {
                let tc = below(s.cores);
                let tn = per_core.min(s.neurons.saturating_sub(tc * per_core)).max(1);
                let len =
                    s.synapses_per_row.0 + below(s.synapses_per_row.1 - s.synapses_per_row.0 + 1);
                let start = words[tc as usize].len() as u32;
                for _ in 0..len {
                    let syn = Synapse {
                        weight: s.weight.0 + below((s.weight.1 - s.weight.0 + 1) as u32) as i32,
                        channel: 0,
                        delay: below(s.delay_max + 1) as u8,
                        target: below(tn),
                    };
                    words[tc as usize].push(layout.encode(&syn).expect("bench synapse fits"));
                }
                axons[tc as usize].push(AxonRow { start, len });
                dests.push(Dest::Unicast {
                    core: tc,
                    axon: axons[tc as usize].len() as u32 - 1,
                });
            }
        }
        dests_of.push(dests);
        let params = (0..n)
            .map(|_| P {
                bias: s.bias,
                threshold: s.threshold + below(s.threshold as u32 / 2 + 1) as i32,
            })
            .collect();
        imgs.push(CoreImage {
            params,
            init: (0..n).map(|_| below(s.threshold as u32) as i32).collect(),
            global_ids: (0..n).map(|i| c * per_core + i).collect(),
            axons: Vec::new(),
            key_axons: vec![],
            synapse_words: Default::default(),
            layout,
            fanout: (0..n)
                .map(|i| (i * s.dests_per_neuron, s.dests_per_neuron))
                .collect(),
            dests: Vec::new(),
            poisson: if s.lambda > 0.0 {
                (0..n)
                    .map(|i| PoissonDrive {
                        neuron: i,
                        lambda: s.lambda,
                        weight: s.poisson_weight,
                        channel: 0,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        });
    }
    for (c, img) in imgs.iter_mut().enumerate() {
        img.axons = std::mem::take(&mut axons[c]);
        img.synapse_words = std::mem::take(&mut words[c]).into();
        img.dests = std::mem::take(&mut dests_of[c]);
    }
    ChipImage {
        cores: imgs,
        router_tables: vec![],
        host_spikes: vec![],
        seed,
    }
}

fn run(name: &str, arch: &Architecture, img: &ChipImage<If>, steps: u32) {
    let mut results = Vec::new();
    for threads in [1, 2] {
        let t0 = Instant::now();
        let mut chip = Chip::with_threads(
            arch,
            img.clone(),
            EngineOptions {
                threads,
                no_skip: false,
            },
        )
        .expect("bench image loads");
        let load = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let (mut spikes, mut events, mut packets, mut hops, mut cycles) = (0, 0, 0, 0, 0);
        for _ in 0..steps {
            let s = chip.run_step().expect("bench step runs");
            spikes += s.spikes;
            events += s.synaptic_ops;
            packets += s.packets;
            hops += s.hops;
            cycles += s.cycles;
        }
        let el = t1.elapsed().as_secs_f64();
        println!(
            "{name:8} threads={threads} steps={steps} load={load:.2}s run={el:.3}s \
             {:.2} M syn-events/s {:.2} M cycles/s | spikes={spikes} events={events} \
             packets={packets} hops={hops} cycles={cycles}",
            events as f64 / el / 1e6,
            cycles as f64 / el / 1e6,
        );
        results.push((chip.counters().clone(), spikes));
    }
    assert!(
        results.windows(2).all(|w| w[0] == w[1]),
        "{name}: thread counts disagree"
    );
}

fn main() {
    let steps = std::env::var("BENCH_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let w4 = neurochip_arch::preset("loihi-sanafe").expect("preset exists");
    let img = build(
        &w4,
        &Shape {
            cores: w4.total_cores(),
            neurons: 10_000,
            dests_per_neuron: 70,
            synapses_per_row: (1, 2),
            delay_max: 0,
            bias: 2,
            threshold: 40,
            weight: (-3, 3),
            lambda: 0.0,
            poisson_weight: 0,
        },
        4,
    );
    run("W4-like", &w4, &img, steps);
    let w1 = neurochip_arch::preset("default").expect("preset exists");
    let img = build(
        &w1,
        &Shape {
            cores: 10,
            neurons: 2_500,
            dests_per_neuron: 10,
            synapses_per_row: (20, 30),
            delay_max: 1,
            bias: 0,
            threshold: 100,
            weight: (-6, 3),
            lambda: 20.0,
            poisson_weight: 1,
        },
        1,
    );
    run("W1-like", &w1, &img, steps);
}
