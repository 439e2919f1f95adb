//! Per-operation energy and latency on every preset (issue 5, item 2).
//!
//! Each test builds a tiny image by hand that contains ONE event of the class under test
//! (plus the unavoidable neuron update of the neuron involved), runs `Chip::run_step` and
//! checks the counters and the energy of every class against the preset's table. Times are
//! measured as differences of step lengths so the barrier and fixed costs cancel.

use neurochip_arch::schema::Routing;
use neurochip_arch::{preset, Architecture};
use neurochip_hw::core::{Scripted, TrafficCore};
use neurochip_hw::counters::ClassCounts;
use neurochip_hw::energy::CLASSES;
use neurochip_hw::image::Dest;
use neurochip_hw::{Chip, EnergyReport, Engine, EngineOptions};
use neurochip_tests::per_op::{
    for_model, joules, port_between, Builder, ModelTest, OpNeuron, SplitMix, PRESETS,
};

/// Table figure (pJ) of energy class `name`.
fn table_pj(arch: &Architecture, name: &str) -> f64 {
    let e = &arch.energy;
    match name {
        "synaptic_op" => e.synaptic_op.pj,
        "neuron_update_active" => e.neuron_update_active.pj,
        "neuron_update_idle" => e.neuron_update_idle.pj,
        "spike_out" => e.spike_out.pj,
        "packet_inject" => e.packet_inject.pj,
        "hop_local" => e.hop_local.pj,
        "hop_ew" => e.hop_ew.pj,
        "hop_ns" => e.hop_ns.pj,
        "hop_offchip" => e.hop_offchip.pj,
        "word_read" => e.word_read.pj,
        "barrier" => e.barrier_per_tile.pj,
        other => panic!("no table figure for class {other}"),
    }
}

/// Counts per class of a [`ClassCounts`], by class name.
fn count_of(c: &ClassCounts, name: &str) -> u64 {
    match name {
        "synaptic_op" => c.synaptic_op,
        "neuron_update_active" => c.neuron_update_active,
        "neuron_update_idle" => c.neuron_update_idle,
        "spike_out" => c.spike_out,
        "packet_inject" => c.packet_inject,
        "hop_local" => c.hops.local,
        "hop_ew" => c.hops.ew,
        "hop_ns" => c.hops.ns,
        "hop_offchip" => c.hops.offchip,
        "word_read" => c.word_read,
        "barrier" => c.barrier_tiles,
        other => panic!("no count for class {other}"),
    }
}

/// Assert that one step's counts are exactly `want` (every other dynamic class 0, barrier one
/// per tile) and that each class's energy is exactly count × table figure × 1e-12.
fn assert_step(arch: &Architecture, chip: &Chip<impl OpNeuron>, want: &[(&str, u64)], what: &str) {
    let rec = chip.counters().steps.last().expect("one step ran");
    for name in CLASSES.iter().copied().filter(|n| *n != "static") {
        let expected = if name == "barrier" {
            u64::from(arch.total_tiles())
        } else {
            want.iter().find(|(n, _)| *n == name).map_or(0, |(_, k)| *k)
        };
        let got = count_of(&rec.classes, name);
        assert_eq!(got, expected, "{}: {what}: count of {name}", arch.name);
        let j = rec
            .energy_j
            .iter()
            .find(|(n, _)| *n == name)
            .expect("class in the step record")
            .1;
        assert_eq!(
            j,
            joules(expected, table_pj(arch, name)),
            "{}: {what}: energy of {name}",
            arch.name
        );
    }
}

fn new_chip<M: OpNeuron>(arch: &Architecture, b: Builder<M>) -> Chip<M> {
    Chip::new(arch, b.build()).unwrap_or_else(|e| panic!("{}: image rejected: {e}", arch.name))
}

fn each_preset(t: &impl ModelTest) {
    for name in PRESETS {
        let arch = preset(name).unwrap_or_else(|e| panic!("preset {name}: {e}"));
        for_model(&arch, t);
    }
}

/// Two cores on neighbouring tiles east–west and north–south of tile 0 (first core of each),
/// or `None` when the preset has a single tile in that direction.
fn neighbours(arch: &Architecture) -> (Option<u32>, Option<u32>) {
    let cpt = arch.topology.cores_per_tile;
    let east = (arch.grid_width() > 1).then(|| arch.tile_at(1, 0) * cpt);
    let north = (arch.grid_height() > 1).then(|| arch.tile_at(0, 1) * cpt);
    (east, north)
}

/// Hop class of a link between tiles `a` and `b` (adjacent).
fn hop_class(arch: &Architecture, a: u32, b: u32) -> &'static str {
    if arch.chip_of_tile(a) != arch.chip_of_tile(b) {
        return "hop_offchip";
    }
    match port_between(arch, a, b) {
        Some(0) | Some(3) => "hop_ew",
        Some(_) => "hop_ns",
        None => panic!("tiles {a} and {b} are not neighbours"),
    }
}

struct SynapticOp;
impl ModelTest for SynapticOp {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        let mut b = Builder::<M>::new(arch);
        let n = b.neuron(0, M::idle());
        let a = b.axon(0, &[n]);
        b.host_spike(0, 0, a);
        let mut chip = new_chip(arch, b);
        chip.run_step().expect("step runs");
        let c = &chip.counters().cores[0];
        assert_eq!(
            (c.spikes_in, c.words_read, c.synaptic_ops),
            (1, 1, 1),
            "{}",
            arch.name
        );
        assert_step(
            arch,
            &chip,
            &[
                ("synaptic_op", 1),
                ("word_read", 1),
                ("neuron_update_active", 1),
            ],
            "one host spike onto a one-word row",
        );
        assert_eq!(
            chip.energy().class("synaptic_op"),
            arch.energy.synaptic_op.pj * 1e-12
        );
    }
}

#[test]
fn one_synaptic_op_costs_the_table_figure() {
    each_preset(&SynapticOp);
}

struct Update {
    active: bool,
}
impl ModelTest for Update {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        let mut b = Builder::<M>::new(arch);
        b.neuron(0, if self.active { M::active() } else { M::idle() });
        let mut chip = new_chip(arch, b);
        chip.run_step().expect("step runs");
        let class = if self.active {
            "neuron_update_active"
        } else {
            "neuron_update_idle"
        };
        assert_step(arch, &chip, &[(class, 1)], class);
        assert!(
            chip.last_spikes().is_empty(),
            "{}: {class} neuron fired",
            arch.name
        );
    }
}

#[test]
fn one_idle_update_costs_the_idle_figure() {
    each_preset(&Update { active: false });
}

#[test]
fn one_active_update_costs_the_active_figure() {
    each_preset(&Update { active: true });
}

struct SpikeOut;
impl ModelTest for SpikeOut {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        let mut b = Builder::<M>::new(arch);
        let n = b.neuron(0, M::firing());
        let gid = b.gid(0, n);
        let mut chip = new_chip(arch, b);
        chip.run_step().expect("step runs");
        assert_eq!(chip.last_spikes(), &[(gid, 1)], "{}", arch.name);
        assert_step(
            arch,
            &chip,
            &[("spike_out", 1), ("neuron_update_active", 1)],
            "one spike, no fan-out",
        );
    }
}

#[test]
fn one_spike_costs_spike_out() {
    each_preset(&SpikeOut);
}

struct PacketInject;
impl ModelTest for PacketInject {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        // Destination on the same tile: the next core if the tile has one, else the source itself.
        let dst = if arch.topology.cores_per_tile > 1 {
            1
        } else {
            0
        };
        let mut b = Builder::<M>::new(arch);
        let n = b.neuron(0, M::firing());
        let a = b.axon(dst, &[]);
        b.connect(0, n, dst, a);
        let mut chip = new_chip(arch, b);
        chip.run_step().expect("step runs");
        assert_eq!(
            chip.counters().cores[0].packets_injected,
            1,
            "{}",
            arch.name
        );
        assert_eq!(
            chip.counters().cores[dst as usize].spikes_in,
            1,
            "{}: packet not delivered",
            arch.name
        );
        assert_step(
            arch,
            &chip,
            &[
                ("spike_out", 1),
                ("neuron_update_active", 1),
                ("packet_inject", 1),
                ("hop_local", 1),
            ],
            "one packet within the tile",
        );
    }
}

#[test]
fn one_packet_costs_packet_inject_and_one_local_delivery() {
    each_preset(&PacketInject);
}

struct Hops;
impl ModelTest for Hops {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        let (east, north) = neighbours(arch);
        let cpt = arch.topology.cores_per_tile;
        for dst in [east, north].into_iter().flatten() {
            let mut b = Builder::<M>::new(arch);
            let n = b.neuron(0, M::firing());
            let a = b.axon(dst, &[]);
            b.connect(0, n, dst, a);
            let mut chip = new_chip(arch, b);
            chip.run_step().expect("step runs");
            assert_eq!(
                chip.counters().cores[dst as usize].spikes_in,
                1,
                "{}: packet lost",
                arch.name
            );
            let class = hop_class(arch, 0, dst / cpt);
            assert_step(
                arch,
                &chip,
                &[
                    ("spike_out", 1),
                    ("neuron_update_active", 1),
                    ("packet_inject", 1),
                    (class, 1),
                ],
                &format!("one hop to core {dst}"),
            );
        }
    }
}

#[test]
fn one_hop_east_west_and_north_south_cost_their_figures() {
    each_preset(&Hops);
}

/// Latency of a packet in the engine's model (see `hw-model/src/noc/mod.rs`): injected at `t`,
/// it leaves its first router at `t + P`; each link adds `L + P` (L = that link's latency,
/// off-chip links use `offchip_latency_cycles`), and the head enters the destination core's
/// input buffer when it leaves the last router. So `latency = P + Σ_hops (L_hop + P)`.
fn expected_latency(arch: &Architecture, links: &[&str]) -> u64 {
    let p = u64::from(arch.router.pipeline_cycles).max(1);
    let l = |class: &str| {
        u64::from(match class {
            "hop_ew" => arch.link.latency_ew_cycles,
            "hop_ns" => arch.link.latency_ns_cycles,
            "hop_offchip" => arch.link.offchip_latency_cycles,
            other => panic!("no link class {other}"),
        })
    };
    p + links.iter().map(|c| (l(c) + p).max(1)).sum::<u64>()
}

/// Cycles from the packetiser taking a packet on core `src` to its head entering core `dst`.
fn measured_latency(arch: &Architecture, src: u32, dst: u32) -> u64 {
    let (dest, tables) = match arch.router.routing {
        Routing::Xy => (Dest::Unicast { core: dst, axon: 0 }, Vec::new()),
        Routing::Multicast => {
            let mut b = Builder::<neurochip_firmware::models::spinnaker::SpinnakerLif>::new(arch);
            b.neuron(
                src,
                neurochip_firmware::models::spinnaker::SpinnakerLif::firing(),
            );
            let a = b.axon(dst, &[]);
            b.connect(src, 0, dst, a);
            (b.dests_of(src, 0)[0], b.tables().to_vec())
        }
    };
    let cores = (0..arch.total_cores())
        .map(|c| {
            let script = if c == src {
                vec![Scripted {
                    step: 0,
                    at: 0,
                    dest,
                    tag: 1,
                }]
            } else {
                Vec::new()
            };
            TrafficCore::new(c, script)
        })
        .collect();
    let mut e = Engine::new(arch, cores, &tables, Vec::new(), EngineOptions::default())
        .expect("valid system");
    e.run_step().expect("step runs");
    let sent = e.core(src).sent_at[0];
    let got = &e.core(dst).received;
    assert_eq!(
        got.len(),
        1,
        "{}: packet to core {dst} not received",
        arch.name
    );
    got[0].1.head_cycle - sent
}

/// Step length of a firing neuron on core 0 sending one packet to core `dst` (firmware path).
fn send_step_cycles<M: OpNeuron>(arch: &Architecture, dst: u32) -> u64 {
    let mut b = Builder::<M>::new(arch);
    let n = b.neuron(0, M::firing());
    let a = b.axon(dst, &[]);
    b.connect(0, n, dst, a);
    step_cycles(arch, b)
}

struct ChipLatency;
impl ModelTest for ChipLatency {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        if arch.router.routing != Routing::Xy || arch.grid_width() < 3 {
            return;
        }
        let cpt = arch.topology.cores_per_tile;
        let one = send_step_cycles::<M>(arch, arch.tile_at(1, 0) * cpt);
        let two = send_step_cycles::<M>(arch, arch.tile_at(2, 0) * cpt);
        let per_hop =
            u64::from(arch.router.pipeline_cycles.max(1)) + u64::from(arch.link.latency_ew_cycles);
        assert_eq!(
            two - one,
            per_hop,
            "{}: one more E-W hop through Chip::run_step",
            arch.name
        );
    }
}

/// The same per-hop cost seen through whole firmware steps: a second E–W hop lengthens the
/// step by exactly `pipeline + latency_ew` cycles.
#[test]
fn an_extra_hop_lengthens_a_chip_step_by_one_hop_latency() {
    each_preset(&ChipLatency);
}

#[test]
fn packet_latency_follows_the_link_formula_on_every_preset() {
    for name in PRESETS {
        let arch = preset(name).unwrap();
        let cpt = arch.topology.cores_per_tile;
        let local_dst = if cpt > 1 { 1 } else { 0 };
        assert_eq!(
            measured_latency(&arch, 0, local_dst),
            expected_latency(&arch, &[]),
            "{name}: local"
        );
        let (east, north) = neighbours(&arch);
        for dst in [east, north].into_iter().flatten() {
            let class = hop_class(&arch, 0, dst / cpt);
            assert_eq!(
                measured_latency(&arch, 0, dst),
                expected_latency(&arch, &[class]),
                "{name}: to {dst}"
            );
        }
        if arch.router.routing == Routing::Xy && arch.grid_width() > 2 {
            let two = arch.tile_at(2, 0) * cpt;
            let want = expected_latency(&arch, &["hop_ew", "hop_ew"]);
            assert_eq!(
                measured_latency(&arch, 0, two),
                want,
                "{name}: two hops east"
            );
        }
    }
}

/// Nanoseconds of `cycles` at the preset's clock.
fn ns(arch: &Architecture, cycles: u64) -> f64 {
    arch.seconds(cycles) * 1e9
}

/// Loihi's Table 2 network times. The preset's 10 GHz virtual clock makes each a whole number
/// of cycles, so the only tolerance is float rounding of cycles / clock (1e-9 ns).
#[test]
fn loihi_hop_times_match_table_2() {
    let arch = preset("loihi").unwrap();
    let cpt = arch.topology.cores_per_tile;
    let local = measured_latency(&arch, 0, 1);
    let ew1 = measured_latency(&arch, 0, arch.tile_at(1, 0) * cpt);
    let ew2 = measured_latency(&arch, 0, arch.tile_at(2, 0) * cpt);
    let ns1 = measured_latency(&arch, 0, arch.tile_at(0, 1) * cpt);
    let ns2 = measured_latency(&arch, 0, arch.tile_at(0, 2) * cpt);
    let tol = 1e-9;
    assert!(
        (ns(&arch, local) - 2.1).abs() < tol,
        "within tile {} ns",
        ns(&arch, local)
    );
    // A tile hop's time is what one more hop adds (the first router is paid once).
    for (d, want) in [
        (ew1 - local, 4.1),
        (ew2 - ew1, 4.1),
        (ns1 - local, 6.5),
        (ns2 - ns1, 6.5),
    ] {
        assert!(
            (ns(&arch, d) - want).abs() < tol,
            "hop {} ns, Table 2 says {want}",
            ns(&arch, d)
        );
    }
}

/// Length (cycles, barrier included) of step 0 of `b`'s image.
fn step_cycles<M: OpNeuron>(arch: &Architecture, b: Builder<M>) -> u64 {
    new_chip(arch, b).run_step().expect("step runs").cycles
}

/// Measured cycles per operation, as differences of step lengths (fixed costs cancel).
#[derive(Debug, Default)]
struct OpCycles {
    spike_in: f64,
    synaptic_op: f64,
    idle: f64,
    active: f64,
    spike: f64,
}

fn op_cycles<M: OpNeuron>(arch: &Architecture) -> OpCycles {
    let (k1, k2) = (50u32, 100u32);
    // One host spike onto a row of k words: the input unit is the critical path.
    let syn = |k: u32| {
        let mut b = Builder::<M>::new(arch);
        let n = b.neuron(0, M::idle());
        let a = b.axon(0, &vec![n; k as usize]);
        b.host_spike(0, 0, a);
        step_cycles(arch, b)
    };
    let neurons = |k: u32, kind: fn() -> (M::Params, M::State)| {
        let mut b = Builder::<M>::new(arch);
        for _ in 0..k {
            b.neuron(0, kind());
        }
        step_cycles(arch, b)
    };
    let per = |a: u64, b: u64| (b - a) as f64 / f64::from(k2 - k1);
    let active = per(neurons(k1, M::active), neurons(k2, M::active));
    let (s1, s2) = (syn(k1), syn(k2));
    let sm = &arch.core.synapse_memory;
    let words = (u64::from(k1) * u64::from(arch.core.cycles.synapse_word))
        .div_ceil(u64::from(sm.words_per_cycle));
    let barrier = u64::from(arch.barrier.base_cycles)
        + (arch.barrier.per_tile_cycles * f64::from(arch.total_tiles())).ceil() as u64;
    OpCycles {
        spike_in: (s1 - barrier - words) as f64,
        synaptic_op: per(s1, s2),
        idle: per(neurons(k1, M::idle), neurons(k2, M::idle)),
        active,
        spike: per(neurons(k1, M::firing), neurons(k2, M::firing)) - active,
    }
}

struct OpTimes;
impl ModelTest for OpTimes {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        let m = op_cycles::<M>(arch);
        let k = &arch.core.cycles;
        let wpc = f64::from(arch.core.synapse_memory.words_per_cycle);
        assert_eq!(
            m.synaptic_op,
            f64::from(k.synapse_word) / wpc,
            "{}: synaptic op",
            arch.name
        );
        assert_eq!(
            m.idle,
            f64::from(k.neuron_update_idle),
            "{}: idle update",
            arch.name
        );
        assert_eq!(
            m.active,
            f64::from(k.neuron_update_active),
            "{}: active update",
            arch.name
        );
        assert_eq!(m.spike, f64::from(k.spike_out), "{}: spike out", arch.name);
    }
}

#[test]
fn time_per_op_is_the_configured_cycles_on_every_preset() {
    each_preset(&OpTimes);
}

#[test]
fn loihi_op_times_match_table_2() {
    let arch = preset("loihi").unwrap();
    let m = op_cycles::<neurochip_firmware::models::loihi::LoihiCubaLif>(&arch);
    let period_ns = 1e9 / arch.clock_hz;
    for (got, want, what) in [
        (m.synaptic_op, 3.5, "synaptic op"),
        (m.active, 8.4, "active update"),
        (m.idle, 5.3, "inactive update"),
    ] {
        assert!(
            (got * period_ns - want).abs() < 1e-9,
            "{what}: {} ns, Table 2 says {want}",
            got * period_ns
        );
    }
}

/// Cycles of one empty step: nothing but the barrier.
fn barrier_step(arch: &Architecture) -> (u64, u64) {
    let b = Builder::<neurochip_firmware::models::loihi::LoihiCubaLif>::new(arch);
    let mut chip = Chip::new(arch, b.build()).unwrap();
    let cycles = chip.run_step().unwrap().cycles;
    (cycles, chip.engine().barrier_cycles())
}

/// Davies et al. 2018: barrier synchronisation takes 113–465 ns for 1–32 tiles. The preset's
/// fit is `1016 + ceil(113.548 × tiles)` cycles; the ceil adds under one 0.1 ns cycle.
#[test]
fn loihi_barrier_spans_113_to_465_ns() {
    let one = neurochip_arch::resolve("loihi:topology.tiles_x=1,topology.tiles_y=1").unwrap();
    let full = preset("loihi").unwrap();
    assert_eq!(full.total_tiles(), 32);
    for (arch, want) in [(&one, 113.0), (&full, 465.0)] {
        let (cycles, formula) = barrier_step(arch);
        let tiles = f64::from(arch.total_tiles());
        let derived = u64::from(arch.barrier.base_cycles)
            + (arch.barrier.per_tile_cycles * tiles).ceil() as u64;
        assert_eq!(cycles, derived, "empty step = barrier only");
        assert_eq!(formula, derived);
        let t = ns(arch, cycles);
        assert!((113.0..=465.0).contains(&t), "{t} ns outside 113-465");
        assert!(
            (t - want).abs() <= 0.1 + 1e-9,
            "{} tiles: {t} ns, published {want}",
            arch.total_tiles()
        );
    }
}

#[test]
fn barrier_cycles_and_energy_follow_the_formula_on_every_preset() {
    for name in PRESETS {
        let arch = preset(name).unwrap();
        let (cycles, _) = barrier_step(&arch);
        let tiles = arch.total_tiles();
        let derived = u64::from(arch.barrier.base_cycles)
            + (arch.barrier.per_tile_cycles * f64::from(tiles)).ceil() as u64;
        assert_eq!(cycles, derived, "{name}");
        let b = Builder::<neurochip_firmware::models::loihi::LoihiCubaLif>::new(&arch);
        let mut chip = Chip::new(&arch, b.build()).unwrap();
        for _ in 0..3 {
            chip.run_step().unwrap();
        }
        let e = chip.energy();
        assert_eq!(
            e.class("barrier"),
            joules(3 * u64::from(tiles), arch.energy.barrier_per_tile.pj),
            "{name}"
        );
        assert_eq!(chip.elapsed_cycles(), 3 * derived, "{name}");
    }
}

struct Static;
impl ModelTest for Static {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        let mut b = Builder::<M>::new(arch);
        b.neuron(0, M::active());
        let n = b.neuron(0, M::idle());
        let a = b.axon(0, &[n, n]);
        b.host_spike(1, 0, a);
        let mut chip = new_chip(arch, b);
        let mut total = 0u64;
        for _ in 0..4 {
            total += chip.run_step().unwrap().cycles;
        }
        assert_eq!(chip.elapsed_cycles(), total, "{}", arch.name);
        let seconds = total as f64 / arch.clock_hz;
        let want = arch.energy.static_watts_per_chip.watts * f64::from(arch.chips()) * seconds;
        let e = chip.energy();
        close(e.static_j, want, &format!("{}: static", arch.name));
        assert_eq!(e.class("static"), e.static_j);
        // Per-step static energies add up to the run's.
        let steps: f64 = chip
            .counters()
            .steps
            .iter()
            .map(|s| s.energy_j.iter().find(|(n, _)| *n == "static").unwrap().1)
            .sum();
        close(steps, want, &format!("{}: static per step", arch.name));
    }
}

fn close(got: f64, want: f64, what: &str) {
    let scale = want.abs().max(got.abs());
    assert!(
        (got - want).abs() <= 1e-12 * scale,
        "{what}: {got} vs {want}"
    );
}

#[test]
fn static_energy_is_watts_times_chips_times_seconds() {
    each_preset(&Static);
}

/// A small random network on the first tiles, run for a few steps; every count is predicted
/// from the image and the spikes the chip reports, and the energy is recomputed from the
/// counters and the table.
struct RandomRun {
    seed: u64,
}
impl ModelTest for RandomRun {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        let mut rng = SplitMix(self.seed ^ arch.name.len() as u64);
        let cpt = arch.topology.cores_per_tile;
        // Cores: up to 3 of tile 0 plus the first core of each neighbouring tile.
        let (east, north) = neighbours(arch);
        let mut cores: Vec<u32> = (0..cpt.min(3)).collect();
        cores.extend([east, north].into_iter().flatten());
        let mut b = Builder::<M>::new(arch);
        // One neuron that surely fires and sends (to the last core's last axon, below).
        let mut neurons: Vec<(u32, u32)> = vec![(0, b.neuron(0, M::firing()))];
        for &c in &cores {
            for _ in 0..1 + rng.below(4) {
                let kind = match rng.below(3) {
                    0 => M::idle(),
                    1 => M::active(),
                    _ => M::firing(),
                };
                neurons.push((c, b.neuron(c, kind)));
            }
        }
        // Axons: per core 1–3 rows of 0–4 random local targets.
        let mut axons: Vec<(u32, u32)> = Vec::new();
        for &c in &cores {
            let here: Vec<u32> = neurons
                .iter()
                .filter(|(k, _)| *k == c)
                .map(|(_, l)| *l)
                .collect();
            for _ in 0..1 + rng.below(3) {
                let t: Vec<u32> = (0..rng.below(5))
                    .map(|_| here[rng.below(here.len() as u32) as usize])
                    .collect();
                axons.push((c, b.axon(c, &t)));
            }
        }
        let &(last_core, last_axon) = axons.last().expect("every core has an axon");
        b.connect(0, neurons[0].1, last_core, last_axon);
        // Connections: each neuron to 0–2 random axons; multicast routes only span tile 0 and
        // its neighbours, which holds since every core is on tile 0 or adjacent to it.
        for &(c, l) in &neurons {
            for _ in 0..rng.below(3) {
                let (dc, da) = axons[rng.below(axons.len() as u32) as usize];
                if arch.router.routing == Routing::Multicast
                    && c / cpt != 0
                    && dc / cpt != 0
                    && c / cpt != dc / cpt
                {
                    continue; // two neighbours of tile 0 need not be adjacent
                }
                b.connect(c, l, dc, da);
            }
        }
        let steps = 5u32;
        let mut host = Vec::new();
        for _ in 0..rng.below(6) {
            let (c, a) = axons[rng.below(axons.len() as u32) as usize];
            let s = rng.below(steps);
            b.host_spike(s, c, a);
            host.push((c, a));
        }
        // Independent prediction of the counts from the image.
        let gid_at: Vec<(u32, u32, u32)> =
            neurons.iter().map(|&(c, l)| (b.gid(c, l), c, l)).collect();
        let mut want = ClassCounts::default();
        for &(c, a) in &host {
            want.synaptic_op += u64::from(b.row_len(c, a));
        }
        let mut chip = Chip::new(arch, b.image()).unwrap();
        for _ in 0..steps {
            chip.run_step().unwrap();
            for &(gid, count) in chip.last_spikes() {
                assert_eq!(count, 1);
                let &(_, c, l) = gid_at.iter().find(|g| g.0 == gid).expect("known neuron");
                want.spike_out += 1;
                for d in b.dests_of(c, l) {
                    want.packet_inject += 1;
                    let (dc, da) = b.target_of(d);
                    want.synaptic_op += u64::from(b.row_len(dc, da));
                    let (st, dt) = (c / cpt, dc / cpt);
                    if st == dt {
                        want.hops.local += 1;
                    } else {
                        let (sx, sy) = arch.tile_xy(st);
                        let (dx, dy) = arch.tile_xy(dt);
                        if arch.router.routing == Routing::Multicast
                            || arch.chip_of_tile(st) != arch.chip_of_tile(dt)
                        {
                            want.hops.offchip += 1; // presets' multi-chip systems have one tile per chip
                        } else {
                            want.hops.ew += u64::from(sx.abs_diff(dx));
                            want.hops.ns += u64::from(sy.abs_diff(dy));
                        }
                    }
                }
            }
        }
        let n_neurons = neurons.len() as u64;
        let got = chip.counters().class_counts(arch.total_tiles());
        assert!(
            got.spike_out >= 1 && got.packet_inject >= 1,
            "{}: the run must carry traffic",
            arch.name
        );
        assert_eq!(got.spike_out, want.spike_out, "{}", arch.name);
        assert_eq!(got.packet_inject, want.packet_inject, "{}", arch.name);
        assert_eq!(got.synaptic_op, want.synaptic_op, "{}", arch.name);
        assert_eq!(
            got.word_read, want.synaptic_op,
            "{}: one word per synaptic op",
            arch.name
        );
        assert_eq!(got.hops, want.hops, "{}", arch.name);
        assert_eq!(
            got.neuron_update_active + got.neuron_update_idle,
            n_neurons * u64::from(steps),
            "{}",
            arch.name
        );
        assert_eq!(
            got.barrier_tiles,
            u64::from(steps * arch.total_tiles()),
            "{}",
            arch.name
        );
        assert_eq!(chip.counters().drops.total, 0, "{}", arch.name);
        // Energy: Σ count × table, recomputed from the per-core counters and the hop counters.
        let e: EnergyReport = chip.energy();
        let k = chip.counters();
        let sum = |f: fn(&neurochip_hw::counters::CoreCounters) -> u64| {
            k.cores.iter().map(f).sum::<u64>()
        };
        let counts = [
            ("synaptic_op", sum(|c| c.synaptic_ops)),
            ("neuron_update_active", sum(|c| c.neuron_updates_active)),
            ("neuron_update_idle", sum(|c| c.neuron_updates_idle)),
            ("spike_out", sum(|c| c.spikes_out)),
            ("packet_inject", sum(|c| c.packets_injected)),
            ("hop_local", k.hops.local),
            ("hop_ew", k.hops.ew),
            ("hop_ns", k.hops.ns),
            ("hop_offchip", k.hops.offchip),
            ("word_read", sum(|c| c.words_read)),
            ("barrier", k.barriers * u64::from(arch.total_tiles())),
        ];
        let mut dynamic = 0.0;
        for (name, n) in counts {
            let j = n as f64 * table_pj(arch, name) * 1e-12;
            close(e.class(name), j, &format!("{}: {name}", arch.name));
            dynamic += j;
        }
        close(e.dynamic_j, dynamic, &format!("{}: dynamic", arch.name));
        let stat = arch.energy.static_watts_per_chip.watts
            * f64::from(arch.chips())
            * arch.seconds(chip.elapsed_cycles());
        close(e.total_j, dynamic + stat, &format!("{}: total", arch.name));
        // The per-step records add up to the run.
        let per_step: f64 = k
            .steps
            .iter()
            .flat_map(|s| s.energy_j.iter().map(|(_, j)| *j))
            .sum();
        close(per_step, e.total_j, &format!("{}: per-step sum", arch.name));
    }
}

#[test]
fn random_run_energy_is_the_sum_of_counts_times_the_table() {
    for seed in [1u64, 2, 3] {
        each_preset(&RandomRun { seed });
    }
}

/// Per-hop and within-tile times (ns) as one more hop adds them: (local, E–W, N–S).
fn hop_times_ns(arch: &Architecture) -> (f64, f64, f64) {
    let cpt = arch.topology.cores_per_tile;
    let local = measured_latency(arch, 0, 1);
    let ew = measured_latency(arch, 0, arch.tile_at(1, 0) * cpt);
    let ns1 = measured_latency(arch, 0, arch.tile_at(0, 1) * cpt);
    (ns(arch, local), ns(arch, ew - local), ns(arch, ns1 - local))
}

/// SANA-FE's calibrated Loihi times (`arch/loihi.yaml`, model figures): synapse 4.7 ns,
/// neuron access 6.0 ns (+3.7 ns update), spike out 30 ns, axon in 20 ns, hops 4.1 / 6.5 ns.
#[test]
fn loihi_sanafe_times_match_the_sanafe_model() {
    let arch = preset("loihi-sanafe").unwrap();
    let m = op_cycles::<neurochip_firmware::models::loihi::LoihiCubaLif>(&arch);
    let period_ns = 1e9 / arch.clock_hz;
    let (_, ew, ns_hop) = hop_times_ns(&arch);
    for (got, want, what) in [
        (m.synaptic_op * period_ns, 4.7, "synapse"),
        (m.idle * period_ns, 6.0, "neuron access"),
        (m.active * period_ns, 9.7, "access + update"),
        (m.spike * period_ns, 30.0, "spike out"),
        (m.spike_in * period_ns, 20.0, "axon in"),
        (ew, 4.1, "E-W hop"),
        (ns_hop, 6.5, "N-S hop"),
    ] {
        assert!(
            (got - want).abs() < 1e-9,
            "{what}: {got} ns, SANA-FE says {want}"
        );
    }
}

/// SANA-FE's barrier table: 0.6 µs at 1 tile to 1.8 µs at 29 tiles (fit: base 5571 cycles +
/// ceil(428.57 × tiles)); the ceil adds under one 0.1 ns cycle.
#[test]
fn loihi_sanafe_barrier_spans_600_to_1800_ns() {
    for (tiles_x, want) in [(1u32, 600.0), (29, 1800.0)] {
        let arch = neurochip_arch::resolve(&format!(
            "loihi-sanafe:topology.tiles_x={tiles_x},topology.tiles_y=1"
        ))
        .unwrap();
        let (cycles, _) = barrier_step(&arch);
        let t = ns(&arch, cycles);
        assert!(
            (t - want).abs() <= 0.1 + 1e-9,
            "{tiles_x} tiles: {t} ns, SANA-FE {want}"
        );
    }
}

/// Which presets the hop tests cover: all but xylo (one tile, so no link exists); spinnaker's
/// chips hold one tile each, so its hops are off-chip links.
#[test]
fn hop_tests_cover_every_multi_tile_preset() {
    for name in PRESETS {
        let arch = preset(name).unwrap();
        let (e, n) = neighbours(&arch);
        assert_eq!(e.is_some() && n.is_some(), name != "xylo", "{name}");
        if let (Some(e), Some(n)) = (e, n) {
            let cpt = arch.topology.cores_per_tile;
            let want = if name == "spinnaker" {
                ["hop_offchip"; 2]
            } else {
                ["hop_ew", "hop_ns"]
            };
            assert_eq!(
                [hop_class(&arch, 0, e / cpt), hop_class(&arch, 0, n / cpt)],
                want,
                "{name}"
            );
        }
    }
}

/// The per-step check is not vacuous: a table figure off by 1 pJ, or an extra event, fails it.
#[test]
fn per_op_check_rejects_a_wrong_figure_or_count() {
    let arch = preset("loihi").unwrap();
    let mut b = Builder::<neurochip_firmware::models::loihi::LoihiCubaLif>::new(&arch);
    b.neuron(0, neurochip_firmware::models::loihi::LoihiCubaLif::idle());
    let mut chip = new_chip(&arch, b);
    chip.run_step().unwrap();
    assert_step(&arch, &chip, &[("neuron_update_idle", 1)], "baseline");
    let mut wrong = arch.clone();
    wrong.energy.neuron_update_idle.pj += 1.0;
    let bad_figure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_step(&wrong, &chip, &[("neuron_update_idle", 1)], "wrong figure")
    }));
    assert!(bad_figure.is_err(), "a wrong figure passed");
    let bad_count = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_step(
            &arch,
            &chip,
            &[("neuron_update_idle", 1), ("spike_out", 1)],
            "extra event",
        )
    }));
    assert!(bad_count.is_err(), "a missing event passed");
}

/// Joules of class `name` in the last step of `chip`, in pJ.
fn step_pj(chip: &Chip<impl OpNeuron>, name: &str) -> f64 {
    let rec = chip.counters().steps.last().expect("one step ran");
    rec.energy_j
        .iter()
        .find(|(n, _)| *n == name)
        .expect("class")
        .1
        * 1e12
}

/// Runs the isolated scenarios again and returns the rows of the docs table.
struct DocRows(std::cell::RefCell<Vec<String>>);
impl ModelTest for DocRows {
    fn run<M: OpNeuron>(&self, arch: &Architecture) {
        let mut rows = self.0.borrow_mut();
        let e = &arch.energy;
        let period = 1e9 / arch.clock_hz;
        let m = op_cycles::<M>(arch);
        let mut one = |class: &str, measured_pj: f64, time: String, test: &str| {
            let f = match class {
                "static" => None,
                c => Some(table_pj(arch, c)),
            };
            let src = match class {
                "synaptic_op" => &e.synaptic_op.source,
                "neuron_update_active" => &e.neuron_update_active.source,
                "neuron_update_idle" => &e.neuron_update_idle.source,
                "spike_out" => &e.spike_out.source,
                "packet_inject" => &e.packet_inject.source,
                "hop_local" => &e.hop_local.source,
                "hop_ew" => &e.hop_ew.source,
                "hop_ns" => &e.hop_ns.source,
                "hop_offchip" => &e.hop_offchip.source,
                "barrier" => &e.barrier_per_tile.source,
                _ => &e.static_watts_per_chip.source,
            };
            let fig = f.map_or(format!("{} W/chip", e.static_watts_per_chip.watts), |p| {
                format!("{p} pJ")
            });
            // Rounded for reading only: the tests compare the joules exactly.
            let r = (measured_pj * 1e6).round() / 1e6;
            let meas = if class == "static" {
                format!("{r} W/chip")
            } else {
                format!("{r} pJ")
            };
            rows.push(format!(
                "| {class} | {fig} — {src} | {meas} | {time} | `{test}` |"
            ));
        };
        let run1 = |b: Builder<M>| {
            let mut c = new_chip(arch, b);
            c.run_step().unwrap();
            c
        };
        let t = |cyc: f64| format!("{cyc} cycles = {:.1} ns", cyc * period);
        let mut b = Builder::<M>::new(arch);
        let n = b.neuron(0, M::idle());
        let a = b.axon(0, &[n]);
        b.host_spike(0, 0, a);
        let c = run1(b);
        one(
            "synaptic_op",
            step_pj(&c, "synaptic_op"),
            t(m.synaptic_op),
            "one_synaptic_op_costs_the_table_figure",
        );
        for (class, kind, cyc, test) in [
            (
                "neuron_update_idle",
                M::idle as fn() -> _,
                m.idle,
                "one_idle_update_costs_the_idle_figure",
            ),
            (
                "neuron_update_active",
                M::active,
                m.active,
                "one_active_update_costs_the_active_figure",
            ),
            ("spike_out", M::firing, m.spike, "one_spike_costs_spike_out"),
        ] {
            let mut b = Builder::<M>::new(arch);
            b.neuron(0, kind());
            let c = run1(b);
            one(class, step_pj(&c, class), t(cyc), test);
        }
        let cpt = arch.topology.cores_per_tile;
        let dst = if cpt > 1 { 1 } else { 0 };
        let mut b = Builder::<M>::new(arch);
        let n = b.neuron(0, M::firing());
        let a = b.axon(dst, &[]);
        b.connect(0, n, dst, a);
        let c = run1(b);
        let local = measured_latency(arch, 0, dst);
        let test = "one_packet_costs_packet_inject_and_one_local_delivery";
        one(
            "packet_inject",
            step_pj(&c, "packet_inject"),
            "—".into(),
            test,
        );
        one(
            "hop_local",
            step_pj(&c, "hop_local"),
            format!("{} (latency)", t(local as f64)),
            test,
        );
        let (east, north) = neighbours(arch);
        for (d, dir) in [(east, "east"), (north, "north")] {
            let Some(d) = d else { continue };
            let class = hop_class(arch, 0, d / cpt);
            let mut b = Builder::<M>::new(arch);
            let n = b.neuron(0, M::firing());
            let a = b.axon(d, &[]);
            b.connect(0, n, d, a);
            let c = run1(b);
            let lat = (measured_latency(arch, 0, d) - local) as f64;
            let time = format!("{} per hop ({dir})", t(lat));
            one(
                class,
                step_pj(&c, class),
                time,
                "one_hop_east_west_and_north_south_cost_their_figures",
            );
        }
        let (bar, _) = barrier_step(arch);
        let b = Builder::<M>::new(arch);
        let c = run1(b);
        let per_tile = step_pj(&c, "barrier") / f64::from(arch.total_tiles());
        let time = format!("{} (tiles: {})", t(bar as f64), arch.total_tiles());
        one(
            "barrier",
            per_tile,
            time,
            "barrier_cycles_and_energy_follow_the_formula_on_every_preset",
        );
        let watts =
            c.energy().static_j / arch.seconds(c.elapsed_cycles()) / f64::from(arch.chips());
        one(
            "static",
            watts,
            "—".into(),
            "static_energy_is_watts_times_chips_times_seconds",
        );
    }
}

/// Prints the tables of docs/validation.md "## Per-operation checks" from fresh measurements.
#[test]
#[ignore = "generator: cargo test -p neurochip-tests --test integration -- --ignored --nocapture per_op_doc_table"]
fn per_op_doc_table() {
    for name in PRESETS {
        let arch = preset(name).unwrap();
        let rows = DocRows(std::cell::RefCell::new(Vec::new()));
        for_model(&arch, &rows);
        println!("### {name}\n");
        println!(
            "| operation | table figure — source | measured (1 event) | time: cycles → ns | test |"
        );
        println!("|---|---|---|---|---|");
        for r in rows.0.into_inner() {
            println!("{r}");
        }
        println!();
    }
}
