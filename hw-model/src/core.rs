//! Cores: the seam between the engine (timing) and the core logic (what the work does).
//!
//! # The [`CoreModel`] contract
//!
//! The engine owns time; a core model owns state. Each call is one unit of work that happens
//! *now* (its functional effect is immediate) and returns how many cycles the unit is busy
//! for; the engine will not call that unit again before the cycles have passed.
//!
//! - A core has two units working in parallel: the **input unit** ([`CoreModel::accept`],
//!   [`CoreModel::host_spike`]: one input spike each) and the **neuron unit**
//!   ([`CoreModel::neuron_work`]: one neuron update each, or a wait, or done for the step).
//! - Packets a neuron-unit call pushes into `out` are handed to the packetiser when the call's
//!   cycles have passed; if the packetiser still holds earlier packets the neuron unit stalls.
//! - [`CoreModel::begin_step`] is called once per step before any other call of that step.
//! - Models count their own events into the [`CoreCounters`] they are given; the engine counts
//!   packets, stalls, buffer high-water and busy cycles.
//! - A model must never panic on any input the engine can send it (unknown axons and keys are
//!   counted, not fatal).

use neurochip_arch::schema::CoreCycles;
use neurochip_firmware::hal::{
    AxonTable, DendriteMemory, NeuronMemory, Op, Row, SpikeOut, SynapseMemory, WordLayout,
    WorkMeter,
};
use neurochip_firmware::{runtime, NeuronModel, NeuronRng};

use crate::counters::CoreCounters;
use crate::image::{AxonRow, CoreImage, Dest, PoissonDrive, SynapseWords};
use crate::noc::packet::{Delivered, Packet};

/// What a neuron-unit call did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NeuronWork {
    /// One unit of work, busy for this many cycles.
    Busy(u32),
    /// Nothing to do before this absolute cycle.
    WaitUntil(u64),
    /// Finished for this step.
    Done,
}

/// The logic of one core, driven by the engine one unit of work at a time.
pub trait CoreModel {
    /// Start step `step` at absolute cycle `now`.
    fn begin_step(&mut self, step: u32, now: u64);
    /// Input unit: a host spike for axon `axon` that must be integrated in step `integrate_step`.
    fn host_spike(&mut self, axon: u32, integrate_step: u32, c: &mut CoreCounters) -> u32;
    /// Input unit: one packet from the router, during step `step`, at cycle `now`.
    fn accept(&mut self, d: &Delivered, step: u32, now: u64, c: &mut CoreCounters) -> u32;
    /// Neuron unit: the next unit of work of step `step` at cycle `now`.
    fn neuron_work(
        &mut self,
        step: u32,
        now: u64,
        out: &mut Vec<Packet>,
        c: &mut CoreCounters,
    ) -> NeuronWork;
    /// True when the neuron unit's results do not depend on `now` or on the input unit within
    /// a step (the firmware reads slot `t` while inputs land in later slots), so the engine may
    /// run consecutive units that emit no packets in one host call. Default: false.
    fn run_ahead(&self) -> bool {
        false
    }
    /// Timing-free work of step `step`, called once after [`CoreModel::begin_step`] and the
    /// step's preloaded host spikes, before any unit call. Cores share nothing here, so the
    /// engine may run this on worker threads. Default: nothing.
    fn prepare_step(&mut self, _step: u32) {}
    /// Relative cost of [`CoreModel::prepare_step`], for spreading cores over threads.
    fn prepare_weight(&self) -> u64 {
        1
    }
}

/// The memories of one core, as the firmware runtime sees them through the HAL traits.
#[derive(Debug)]
struct CoreHal<M: NeuronModel> {
    params: Vec<M::Params>,
    state: Vec<M::State>,
    words: SynapseWords,
    axons: Vec<AxonRow>,
    /// `acc[slot * n + neuron]`.
    acc: Vec<M::Acc>,
    slots: u32,
    n: u32,
    meter: [u32; METER],
    sent: u8,
}

impl<M: NeuronModel> SynapseMemory for CoreHal<M> {
    #[inline]
    fn read_word(&mut self, addr: u32) -> u64 {
        self.words.get(addr as usize).unwrap_or(0)
    }
}

impl<M: NeuronModel> AxonTable for CoreHal<M> {
    #[inline]
    fn row(&mut self, axon: u32) -> Option<Row> {
        self.axons.get(axon as usize).map(|r| Row {
            start: r.start,
            len: r.len,
        })
    }
}

impl<M: NeuronModel> NeuronMemory<M> for CoreHal<M> {
    #[inline]
    fn neurons(&self) -> u32 {
        self.n
    }
    #[inline]
    fn params(&self, i: u32) -> &M::Params {
        &self.params[i as usize]
    }
    #[inline]
    fn state(&mut self, i: u32) -> &mut M::State {
        &mut self.state[i as usize]
    }
}

impl<M: NeuronModel> DendriteMemory<M> for CoreHal<M> {
    #[inline]
    fn slots(&self) -> u32 {
        self.slots
    }
    #[inline]
    fn acc(&mut self, slot: u32, neuron: u32) -> &mut M::Acc {
        &mut self.acc[slot as usize * self.n as usize + neuron as usize]
    }
}

impl<M: NeuronModel> SpikeOut for CoreHal<M> {
    #[inline]
    fn send(&mut self, _neuron: u32, count: u8) {
        self.sent = count;
    }
}

impl<M: NeuronModel> WorkMeter for CoreHal<M> {
    #[inline]
    fn charge(&mut self, op: Op, n: u32) {
        self.meter[op.index()] += n;
    }
}

/// A core running the firmware runtime over its own memories; every HAL access is metered and
/// turned into cycles with `arch.core.cycles`.
#[derive(Debug)]
pub struct FirmwareCore<M: NeuronModel> {
    id: u32,
    seed: u64,
    hal: CoreHal<M>,
    layout: WordLayout,
    global_ids: Vec<u32>,
    fanout: Vec<(u32, u32)>,
    dests: Vec<Dest>,
    key_axons: Vec<(u32, u32)>,
    /// Sorted by neuron (stable), consumed in order during a step.
    poisson: Vec<PoissonDrive>,
    next_neuron: u32,
    cycles: CoreCycles,
    words_per_cycle: u32,
    spikes: Vec<(u32, u8)>,
    /// Input axons whose rows hold words that do not fold (delay overflow, target out of
    /// range), sorted by axon, with what one spike on them charges. Every other row folds
    /// all its words, so its charge follows from its length and costs no memory per row.
    irregular: Vec<(u32, AxonStat)>,
    /// Inputs accepted but not yet folded into the dendrite ring, in arrival order, as
    /// (axon, count, step argument of `deliver_spike`). They land in slots the current step
    /// never reads, so folding them at the start of the next step is exact.
    deferred: Vec<(u32, u8, u32)>,
    /// This step's neuron updates, computed by `prepare_step` and handed out in order.
    plan: Vec<Planned>,
    /// Saturated folds not yet settled into the counters.
    saturated_pending: u32,
}

/// What one input spike on an axon charges; the firmware's `deliver_spike` meters the same
/// numbers (its counts depend only on the row, never on neuron state).
#[derive(Clone, Copy, Debug, Default)]
struct AxonStat {
    words: u32,
    folded: u32,
    overflow: u32,
    dropped: u32,
}

/// Slots of a metering array: one per firmware [`Op`].
const METER: usize = Op::ALL.len();

/// One neuron update computed ahead of its timing.
#[derive(Clone, Copy, Debug, Default)]
struct Planned {
    meter: [u32; METER],
    spikes: u8,
    poisson: u64,
}

/// Draw Poisson(`lambda`) from `rng`: Knuth's product method up to λ = 30, a rounded normal
/// approximation above (only determinism matters for the hardware model).
pub fn poisson(lambda: f64, rng: &mut NeuronRng) -> u32 {
    if lambda.is_nan() || lambda <= 0.0 {
        return 0;
    }
    if lambda <= 30.0 {
        let l = (-lambda).exp();
        let mut k = 0u32;
        let mut p = 1.0;
        loop {
            p *= rng.next_f64();
            if p <= l {
                return k;
            }
            k += 1;
        }
    }
    let u1 = rng.next_f64().max(f64::MIN_POSITIVE);
    let u2 = rng.next_f64();
    let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
    (lambda + lambda.sqrt() * z + 0.5)
        .floor()
        .clamp(0.0, f64::from(u32::MAX)) as u32
}

impl<M: NeuronModel> FirmwareCore<M> {
    /// Load core `id`'s image (already validated by [`crate::Chip::new`]).
    pub(crate) fn new(
        id: u32,
        seed: u64,
        img: CoreImage<M>,
        slots: u32,
        cycles: CoreCycles,
        words_per_cycle: u32,
    ) -> Self {
        let n = img.params.len() as u32;
        let mut poisson = img.poisson;
        poisson.sort_by_key(|p| p.neuron);
        let max_d = runtime::max_delay(slots);
        let irregular = img
            .axons
            .iter()
            .enumerate()
            .filter_map(|(a, r)| {
                let mut st = AxonStat {
                    words: r.len,
                    ..AxonStat::default()
                };
                for k in 0..r.len {
                    let addr = r.start.wrapping_add(k) as usize;
                    let syn = img.layout.decode(img.synapse_words.get(addr).unwrap_or(0));
                    if slots < 2 || u32::from(syn.delay) > max_d {
                        st.overflow += 1;
                    } else if syn.target >= n {
                        st.dropped += 1;
                    } else {
                        st.folded += 1;
                    }
                }
                (st.folded != st.words).then_some((a as u32, st))
            })
            .collect();
        FirmwareCore {
            id,
            seed,
            hal: CoreHal {
                params: img.params,
                state: img.init,
                words: img.synapse_words,
                axons: img.axons,
                acc: vec![M::Acc::default(); slots as usize * n as usize],
                slots,
                n,
                meter: [0; METER],
                sent: 0,
            },
            layout: img.layout,
            global_ids: img.global_ids,
            fanout: img.fanout,
            dests: img.dests,
            key_axons: img.key_axons,
            poisson,
            next_neuron: 0,
            cycles,
            words_per_cycle: words_per_cycle.max(1),
            spikes: Vec::new(),
            irregular,
            deferred: Vec::new(),
            plan: Vec::new(),
            saturated_pending: 0,
        }
    }

    /// Local neurons.
    pub fn neurons(&self) -> u32 {
        self.hal.n
    }

    /// State register `field` of local neuron `local` (0 when out of range).
    pub fn state_field(&self, local: u32, field: usize) -> i64 {
        self.hal
            .state
            .get(local as usize)
            .map_or(0, |s| M::state_field(s, field))
    }

    /// Spikes emitted in the current (last run) step as (global id, count), in update order.
    pub fn step_spikes(&self) -> &[(u32, u8)] {
        &self.spikes
    }

    /// Turn the metered ops of one unit of work into counters and cycles.
    fn settle(&self, m: &[u32; METER], c: &mut CoreCounters) -> u32 {
        let k = &self.cycles;
        c.spikes_in += u64::from(m[Op::SpikeIn.index()]);
        c.words_read += u64::from(m[Op::WordRead.index()]);
        c.synaptic_ops += u64::from(m[Op::SynapticOp.index()]);
        c.neuron_updates_active += u64::from(m[Op::NeuronActive.index()]);
        c.neuron_updates_idle += u64::from(m[Op::NeuronIdle.index()]);
        c.spikes_out += u64::from(m[Op::SpikeOut.index()]);
        c.dropped_input += u64::from(m[Op::DroppedInput.index()]);
        c.unmapped_axon += u64::from(m[Op::UnmappedAxon.index()]);
        c.delay_overflow += u64::from(m[Op::DelayOverflow.index()]);
        c.saturated += u64::from(m[Op::Saturated.index()]);
        let words = u64::from(m[Op::WordRead.index()]) * u64::from(k.synapse_word);
        let cyc = u64::from(m[Op::SpikeIn.index()]) * u64::from(k.spike_in)
            + words.div_ceil(u64::from(self.words_per_cycle))
            + u64::from(m[Op::NeuronActive.index()]) * u64::from(k.neuron_update_active)
            + u64::from(m[Op::NeuronIdle.index()]) * u64::from(k.neuron_update_idle)
            + u64::from(m[Op::SpikeOut.index()]) * u64::from(k.spike_out);
        cyc.min(u64::from(u32::MAX)) as u32
    }

    /// What one spike on `axon` charges (`None`: the axon is not mapped).
    #[inline]
    fn axon_stat(&self, axon: u32) -> Option<AxonStat> {
        let r = self.hal.axons.get(axon as usize)?;
        Some(
            match self.irregular.binary_search_by_key(&axon, |&(a, _)| a) {
                Ok(k) => self.irregular[k].1,
                Err(_) => AxonStat {
                    words: r.len,
                    folded: r.len,
                    overflow: 0,
                    dropped: 0,
                },
            },
        )
    }

    /// Charge one input spike on `axon` now; its accumulation is deferred (see `deferred`).
    fn deliver(&mut self, axon: u32, count: u8, step: u32, c: &mut CoreCounters) -> u32 {
        let mut m = [0u32; METER];
        m[Op::SpikeIn.index()] = 1;
        match self.axon_stat(axon) {
            None => m[Op::UnmappedAxon.index()] = 1,
            Some(st) => {
                m[Op::WordRead.index()] = st.words;
                m[Op::SynapticOp.index()] = st.folded.saturating_mul(u32::from(count));
                m[Op::DelayOverflow.index()] = st.overflow;
                m[Op::DroppedInput.index()] = st.dropped;
                self.deferred.push((axon, count, step));
            }
        }
        self.settle(&m, c)
    }

    /// Fold every deferred input into the dendrite ring, in arrival order.
    fn fold_deferred(&mut self) {
        // Rows are scattered over synapse memory: load the first word of the row two entries
        // ahead so its cache miss overlaps this entry's work (a plain read, no effect).
        const AHEAD: usize = 2;
        for k in 0..self.deferred.len() {
            if let Some(&(a, _, _)) = self.deferred.get(k + AHEAD) {
                if let Some(start) = self.hal.axons.get(a as usize).map(|r| r.start) {
                    std::hint::black_box(SynapseMemory::read_word(&mut self.hal, start));
                }
            }
            let (axon, count, step) = self.deferred[k];
            runtime::deliver_spike::<M, _>(&mut self.hal, &self.layout, axon, count, step);
        }
        self.deferred.clear();
        // Everything but saturation was charged on arrival (it depends only on the row);
        // saturation depends on the accumulator, so it is counted here and settled with
        // the step's first neuron update.
        self.saturated_pending += self.hal.meter[Op::Saturated.index()];
        self.hal.meter = [0; METER];
    }

    /// Run every neuron update of `step` (Poisson drives first), recording what each charges.
    fn plan_updates(&mut self, step: u32) {
        self.plan.clear();
        self.spikes.clear();
        let mut pp = 0usize;
        for i in 0..self.hal.n {
            let mut poisson_events = 0u64;
            // On-core Poisson drive into this step's slot, before the update reads it.
            while let Some(&p) = self.poisson.get(pp) {
                if p.neuron > i {
                    break;
                }
                pp += 1;
                if p.neuron < i {
                    continue;
                }
                let gid = self.global_ids[i as usize];
                let mut rng = NeuronRng::new(self.seed, 0xFFFF_FFFF, gid, step);
                let k = poisson(p.lambda, &mut rng);
                let slot = step % self.hal.slots.max(1);
                let params = self.hal.params[i as usize].clone();
                let acc = DendriteMemory::<M>::acc(&mut self.hal, slot, i);
                for _ in 0..k {
                    self.saturated_pending +=
                        u32::from(M::accumulate_checked(&params, acc, p.channel, p.weight));
                }
                poisson_events += u64::from(k);
            }
            let mut rng = NeuronRng::new(self.seed, self.id, i, step);
            let spikes = runtime::update_neuron::<M, _>(&mut self.hal, i, step, &mut rng);
            if spikes > 0 {
                self.spikes.push((self.global_ids[i as usize], spikes));
            }
            self.hal.sent = 0;
            let mut meter = std::mem::take(&mut self.hal.meter);
            meter[Op::Saturated.index()] += std::mem::take(&mut self.saturated_pending);
            self.plan.push(Planned {
                meter,
                spikes,
                poisson: poisson_events,
            });
        }
    }
}

impl<M: NeuronModel> CoreModel for FirmwareCore<M> {
    fn run_ahead(&self) -> bool {
        true
    }

    fn begin_step(&mut self, _step: u32, _now: u64) {
        self.next_neuron = 0;
    }

    fn prepare_step(&mut self, step: u32) {
        self.fold_deferred();
        self.plan_updates(step);
    }

    fn prepare_weight(&self) -> u64 {
        let words: u64 = self
            .deferred
            .iter()
            .map(|&(a, _, _)| u64::from(self.hal.axons.get(a as usize).map_or(0, |r| r.len)))
            .sum();
        u64::from(self.hal.n) * 4 + words + self.poisson.len() as u64 * 8
    }

    fn host_spike(&mut self, axon: u32, integrate_step: u32, c: &mut CoreCounters) -> u32 {
        // deliver_spike lands delay-0 events in slot (step + 1) % slots; pick the step before.
        let slots = self.hal.slots.max(1);
        let before = (integrate_step % slots + slots - 1) % slots;
        self.deliver(axon, 1, before, c)
    }

    fn accept(&mut self, d: &Delivered, step: u32, _now: u64, c: &mut CoreCounters) -> u32 {
        let axon = match d.pkt.dest {
            Dest::Unicast { axon, .. } => Some(axon),
            Dest::Multicast { key } => self
                .key_axons
                .binary_search_by_key(&key, |&(k, _)| k)
                .ok()
                .map(|i| self.key_axons[i].1),
        };
        match axon {
            Some(a) => self.deliver(a, d.pkt.count, step, c),
            None => {
                c.spikes_in += 1;
                c.unmapped_axon += 1;
                self.cycles.spike_in
            }
        }
    }

    fn neuron_work(
        &mut self,
        _step: u32,
        _now: u64,
        out: &mut Vec<Packet>,
        c: &mut CoreCounters,
    ) -> NeuronWork {
        let i = self.next_neuron;
        let Some(p) = self.plan.get(i as usize).copied() else {
            return NeuronWork::Done;
        };
        self.next_neuron += 1;
        c.poisson_events += p.poisson;
        if p.spikes > 0 {
            let (start, len) = self.fanout[i as usize];
            for d in &self.dests[start as usize..(start + len) as usize] {
                out.push(Packet {
                    dest: *d,
                    src_core: self.id,
                    count: p.spikes,
                    tag: i,
                });
            }
        }
        NeuronWork::Busy(self.settle(&p.meter, c))
    }
}

/// One packet a [`TrafficCore`] sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scripted {
    /// Step in which it is sent.
    pub step: u32,
    /// Cycles after the step's start at which the neuron unit hands it to the packetiser.
    pub at: u64,
    /// Where it goes.
    pub dest: Dest,
    /// Tag carried to the receiver.
    pub tag: u32,
}

/// A test fake: sends scripted packets at given cycles and records what it receives.
#[derive(Clone, Debug, Default)]
pub struct TrafficCore {
    id: u32,
    script: Vec<Scripted>,
    ptr: usize,
    step_start: u64,
    /// Input-unit cycles per received packet.
    pub accept_cycles: u32,
    /// Everything received, as (step, delivery).
    pub received: Vec<(u32, Delivered)>,
    /// Absolute cycle at which each scripted packet was handed to the packetiser, by script index.
    pub sent_at: Vec<u64>,
}

impl TrafficCore {
    /// Core `id` with a script (sorted here by step, then cycle).
    pub fn new(id: u32, mut script: Vec<Scripted>) -> Self {
        script.sort_by_key(|s| (s.step, s.at));
        TrafficCore {
            id,
            script,
            ..Default::default()
        }
    }

    /// The (sorted) script.
    pub fn script(&self) -> &[Scripted] {
        &self.script
    }
}

impl CoreModel for TrafficCore {
    fn begin_step(&mut self, step: u32, now: u64) {
        self.step_start = now;
        while self.script.get(self.ptr).is_some_and(|s| s.step < step) {
            self.ptr += 1;
        }
    }

    fn host_spike(&mut self, _axon: u32, _integrate_step: u32, c: &mut CoreCounters) -> u32 {
        c.spikes_in += 1;
        self.accept_cycles
    }

    fn accept(&mut self, d: &Delivered, step: u32, _now: u64, c: &mut CoreCounters) -> u32 {
        c.spikes_in += 1;
        self.received.push((step, *d));
        self.accept_cycles
    }

    fn neuron_work(
        &mut self,
        step: u32,
        now: u64,
        out: &mut Vec<Packet>,
        _c: &mut CoreCounters,
    ) -> NeuronWork {
        match self.script.get(self.ptr) {
            Some(s) if s.step == step => {
                let at = self.step_start + s.at;
                if at > now {
                    return NeuronWork::WaitUntil(at);
                }
                out.push(Packet {
                    dest: s.dest,
                    src_core: self.id,
                    count: 1,
                    tag: s.tag,
                });
                self.sent_at.push(now);
                self.ptr += 1;
                NeuronWork::Busy(0)
            }
            _ => NeuronWork::Done,
        }
    }
}
