//! The engine: one function fixes the order of work inside a cycle, and the clock jumps over
//! cycles in which nothing can happen.
//!
//! # Order of work in a cycle (`Engine::cycle`)
//!
//! 1. Routers, in tile order: credit returns due, route computation, switch allocation and
//!    traversal (a flit arriving over a link is simply *ready* from its arrival + pipeline
//!    cycle, so link arrivals need no separate phase); local outputs deliver into the core
//!    input buffers in the same pass.
//! 2. Core input units, in core order: pop complete packets (host spikes first) and deliver
//!    them through the firmware.
//! 3. Core neuron units, in core order: hand finished work's packets to the packetiser, start
//!    the next neuron; then the packetiser injects at most one flit into its router.
//!
//! # Event skipping
//!
//! After a cycle in which anything progressed, the next cycle is run; otherwise the clock
//! jumps to the earliest future time something can change by itself (a flit becoming ready, a
//! credit returning, a unit finishing, a scripted send). Every counter that spans cycles
//! (stalls) is kept as intervals, so skipping gives bit-identical results to
//! [`EngineOptions::no_skip`].

use std::collections::VecDeque;

use neurochip_arch::schema::Routing;
use neurochip_arch::Architecture;
use neurochip_firmware::hal::WordLayout;
use neurochip_firmware::NeuronModel;

use crate::core::{CoreModel, FirmwareCore, NeuronWork};
use crate::counters::{ClassCounts, CoreCounters, Counters, StepRecord};
use crate::due::DueSet;
use crate::energy::EnergyReport;
use crate::error::HwError;
use crate::image::{ChipImage, CoreImage, Dest, HostSpike, McEntry};
use crate::noc::packet::Packet;
use crate::noc::Network;

/// Cycles without progress, with flits in the network, after which the engine reports a
/// deadlock (a state from which no future event exists is reported at once).
pub const DEADLOCK_CYCLES: u64 = 1_000_000;

/// Host-side knobs that never change results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineOptions {
    /// Host threads for the cores' timing-free work between steps (used once
    /// [`Engine::enable_threads`] / [`Chip::with_threads`] allow it; the cycle loop itself is
    /// single-threaded); results are identical for every value.
    pub threads: usize,
    /// Step every cycle instead of jumping over idle ones (for checking event skipping).
    pub no_skip: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            threads: 1,
            no_skip: false,
        }
    }
}

/// Totals of one timestep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StepStats {
    /// The step that ran.
    pub step: u32,
    /// Cycles it took, barrier included.
    pub cycles: u64,
    /// Spikes emitted.
    pub spikes: u64,
    /// Synaptic ops.
    pub synaptic_ops: u64,
    /// Packets injected.
    pub packets: u64,
    /// Packet hops (links plus same-tile deliveries).
    pub hops: u64,
    /// Packets (or multicast copies) dropped.
    pub drops: u64,
}

/// Engine-side state of one core around its [`CoreModel`].
#[derive(Debug)]
struct Slot<C> {
    model: C,
    in_busy_until: u64,
    host_q: VecDeque<(u32, u32)>,
    nu_busy_until: u64,
    nu_pending: Vec<Packet>,
    nu_wait: Option<u64>,
    nu_done: bool,
    pk_queue: VecDeque<Packet>,
    pk_flit: u32,
    stall_since: Option<u64>,
}

impl<C> Slot<C> {
    fn quiet(&self, t: u64) -> bool {
        self.nu_done
            && self.nu_pending.is_empty()
            && self.pk_queue.is_empty()
            && self.host_q.is_empty()
            && self.in_busy_until <= t
            && self.nu_busy_until <= t
    }
}

/// The cycle-level system: cores of type `C` around the network.
#[derive(Debug)]
pub struct Engine<C: CoreModel> {
    arch: Architecture,
    net: Network,
    cores: Vec<Slot<C>>,
    counters: Counters,
    step: u32,
    elapsed: u64,
    options: EngineOptions,
    host: Vec<HostSpike>,
    host_ptr: usize,
    barrier_cycles: u64,
    /// Per core: the earliest cycle a visit can change anything (a lower bound; visiting
    /// earlier is harmless, later would be wrong), with block bounds so a cycle scans only
    /// cores that can act.
    due: DueSet,
    /// Cores visited in the current cycle, ascending.
    visit: Vec<u32>,
    /// Cores below this index are known finished for the step (reset when a packet reaches
    /// one), so the end-of-step check does not rescan every core every cycle.
    fin_ptr: usize,
    /// A failed step leaves the system mid-step; every later call reports the same error.
    failed: Option<HwError>,
    /// Set by [`Engine::enable_threads`]: runs `prepare_step` over worker threads.
    parallel: Option<PrepareFn<C>>,
}

/// Runs every core's `prepare_step` for one step over a number of threads.
type PrepareFn<C> = fn(&mut [Slot<C>], u32, usize);

impl<C: CoreModel> Engine<C> {
    /// Build the system; `cores.len()` must equal the architecture's core count.
    pub fn new(
        arch: &Architecture,
        cores: Vec<C>,
        tables: &[Vec<McEntry>],
        mut host: Vec<HostSpike>,
        options: EngineOptions,
    ) -> Result<Self, HwError> {
        if cores.len() != arch.total_cores() as usize {
            return Err(HwError::BadImage {
                core: None,
                field: "cores",
                reason: format!(
                    "{} cores given, the architecture has {}",
                    cores.len(),
                    arch.total_cores()
                ),
            });
        }
        let net = Network::new(arch, tables)?;
        host.sort_by_key(|h| h.step);
        if let Some(h) = host.iter().find(|h| h.core >= arch.total_cores()) {
            return Err(HwError::BadImage {
                core: Some(h.core),
                field: "host_spikes.core",
                reason: format!(
                    "core {} does not exist ({} cores)",
                    h.core,
                    arch.total_cores()
                ),
            });
        }
        let counters = Counters {
            cores: vec![CoreCounters::default(); cores.len()],
            routers: net.router_counters(),
            ..Default::default()
        };
        let barrier_cycles = u64::from(arch.barrier.base_cycles)
            + (arch.barrier.per_tile_cycles.max(0.0) * f64::from(arch.total_tiles())).ceil() as u64;
        let n_cores = cores.len();
        let cores = cores
            .into_iter()
            .map(|model| Slot {
                model,
                in_busy_until: 0,
                host_q: VecDeque::new(),
                nu_busy_until: 0,
                nu_pending: Vec::new(),
                nu_wait: None,
                nu_done: true,
                pk_queue: VecDeque::new(),
                pk_flit: 0,
                stall_since: None,
            })
            .collect();
        Ok(Engine {
            arch: arch.clone(),
            net,
            cores,
            counters,
            step: 0,
            elapsed: 0,
            options,
            host,
            host_ptr: 0,
            barrier_cycles,
            due: DueSet::new(n_cores),
            visit: Vec::with_capacity(n_cores),
            fin_ptr: 0,
            failed: None,
            parallel: None,
        })
    }

    /// The next step to run (= steps run so far).
    pub fn step(&self) -> u32 {
        self.step
    }

    /// Cycles simulated so far, barriers included.
    pub fn elapsed_cycles(&self) -> u64 {
        self.elapsed
    }

    /// All counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Core `c`'s model.
    pub fn core(&self, c: u32) -> &C {
        &self.cores[c as usize].model
    }

    /// The architecture.
    pub fn arch(&self) -> &Architecture {
        &self.arch
    }

    /// Cycles one barrier costs.
    pub fn barrier_cycles(&self) -> u64 {
        self.barrier_cycles
    }

    /// Energy of everything run so far.
    pub fn energy(&self) -> EnergyReport {
        EnergyReport::from_counts(
            &self.arch,
            &self.counters.class_counts(self.arch.total_tiles()),
            self.elapsed,
        )
    }

    /// One cycle at `t`, in the documented order. Returns whether anything progressed.
    ///
    /// Only cores whose `due` cycle has come are visited: a skipped core would have found
    /// nothing to do (no input, unit busy, packetiser blocked), so results are unchanged.
    fn cycle(&mut self, t: u64, step: u32) -> bool {
        let mut progress = self.net.process(t, step, &mut self.counters);
        // Cores the network touched this cycle (a packet arrived, their injection buffer
        // freed a slot) are visited now: the core phases follow the router phase.
        if !self.net.woken.is_empty() {
            for c in self.net.woken.drain(..) {
                let c = c as usize;
                self.due.lower(c, t);
                self.fin_ptr = self.fin_ptr.min(c);
            }
        }
        let mut visit = std::mem::take(&mut self.visit);
        visit.clear();
        // A visited core is re-armed after its visit below; until then it is not due.
        self.due.scan(t, |due, c| {
            visit.push(c as u32);
            due.set(c, u64::MAX);
        });
        // Core input units.
        for &c in &visit {
            let c = c as usize;
            let s = &mut self.cores[c];
            let cc = &mut self.counters.cores[c];
            while s.in_busy_until <= t {
                let cost = if let Some((axon, at)) = s.host_q.pop_front() {
                    s.model.host_spike(axon, at, cc)
                } else if let Some(d) = self.net.pop_delivered(c as u32) {
                    s.model.accept(&d, step, t, cc)
                } else {
                    break;
                };
                progress = true;
                cc.busy_cycles += u64::from(cost);
                s.in_busy_until = t + u64::from(cost);
                if cost > 0 {
                    break;
                }
            }
        }
        // Core neuron units and packetisers.
        let flits = self.net.packet_flits();
        for &c in &visit {
            let c = c as usize;
            let s = &mut self.cores[c];
            let cc = &mut self.counters.cores[c];
            let mut blocked = false;
            loop {
                if t < s.nu_busy_until {
                    break;
                }
                if !s.nu_pending.is_empty() {
                    if s.pk_queue.is_empty() {
                        s.pk_queue.extend(s.nu_pending.drain(..));
                        progress = true;
                    } else {
                        blocked = true;
                        break;
                    }
                }
                if s.nu_done {
                    break;
                }
                if let Some(w) = s.nu_wait {
                    if t < w {
                        break;
                    }
                    s.nu_wait = None;
                }
                match s.model.neuron_work(step, t, &mut s.nu_pending, cc) {
                    NeuronWork::Busy(cost) => {
                        progress = true;
                        let mut total = u64::from(cost);
                        // Packet-free units touch nothing outside the core: run them back to
                        // back; the unit ends at the same cycle as if stepped one by one.
                        if s.model.run_ahead() {
                            while s.nu_pending.is_empty() {
                                match s.model.neuron_work(step, t + total, &mut s.nu_pending, cc) {
                                    NeuronWork::Busy(c) => total += u64::from(c),
                                    NeuronWork::Done => {
                                        s.nu_done = true;
                                        break;
                                    }
                                    NeuronWork::WaitUntil(w) => {
                                        s.nu_wait = Some(w.max(t + total));
                                        break;
                                    }
                                }
                            }
                        }
                        cc.busy_cycles += total;
                        s.nu_busy_until = t + total;
                    }
                    NeuronWork::WaitUntil(w) => {
                        // A wait in the past would spin: retry next cycle at the earliest.
                        s.nu_wait = Some(w.max(t + 1));
                        break;
                    }
                    NeuronWork::Done => {
                        progress = true;
                        s.nu_done = true;
                    }
                }
            }
            if let Some(&p) = s.pk_queue.front() {
                if self.net.can_inject(c as u32) {
                    self.net
                        .inject(c as u32, p, s.pk_flit, t, &mut self.counters);
                    let cc = &mut self.counters.cores[c];
                    if s.pk_flit == 0 {
                        cc.packets_injected += 1;
                    }
                    s.pk_flit += 1;
                    if s.pk_flit == flits {
                        s.pk_flit = 0;
                        s.pk_queue.pop_front();
                    }
                    progress = true;
                } else {
                    blocked = true;
                }
            }
            let cc = &mut self.counters.cores[c];
            match (blocked, s.stall_since) {
                (true, None) => s.stall_since = Some(t),
                (false, Some(b)) => {
                    cc.stall_cycles += t - b;
                    s.stall_since = None;
                }
                _ => {}
            }
            let d = Self::due_after(
                s,
                t,
                self.net.inbox[c].ready(),
                // A packetiser with work is visited next cycle unless it already sits in an
                // open stall waiting for its router (which wakes it when a slot frees).
                !s.pk_queue.is_empty()
                    && (s.stall_since.is_none() || self.net.can_inject(c as u32)),
            );
            self.due.set(c, d);
        }
        self.visit = visit;
        progress
    }

    /// The next cycle a visit to core slot `s` (just visited at `t`) can change anything,
    /// other than through the network (which wakes it via `Network::woken`).
    #[inline]
    fn due_after(s: &Slot<C>, t: u64, inbox_ready: bool, inject_next: bool) -> u64 {
        let mut d = u64::MAX;
        if inject_next {
            return t + 1;
        }
        if !s.host_q.is_empty() || inbox_ready {
            d = d.min(s.in_busy_until.max(t + 1));
        }
        // Units finishing change `quiet` (the end of the step) even when nothing follows.
        if s.in_busy_until > t {
            d = d.min(s.in_busy_until);
        }
        if s.nu_busy_until > t {
            d = d.min(s.nu_busy_until);
        }
        // Finished work's packets move to the packetiser once it is empty (it is now, or the
        // `inject_next` case above covers it).
        if !s.nu_pending.is_empty() {
            d = d.min(s.nu_busy_until.max(t + 1));
        } else if !s.nu_done {
            d = d.min(s.nu_busy_until.max(s.nu_wait.unwrap_or(0)).max(t + 1));
        }
        d
    }

    /// Earliest future cycle at which a component can change by itself: the first cycle a
    /// router or a core is due (after a cycle without progress both bounds are exact and
    /// later than `t`; a stale, earlier bound only costs an idle cycle).
    fn next_event(&self, t: u64) -> Option<u64> {
        let n = self.net.min_due().min(self.due.min());
        (n != u64::MAX).then(|| n.max(t + 1))
    }

    /// True when the step is over: the network is empty and every core is finished.
    fn finished(&mut self, t: u64) -> bool {
        if !self.net.is_empty() {
            return false;
        }
        while let Some(s) = self.cores.get(self.fin_ptr) {
            if !(s.quiet(t) && s.stall_since.is_none() && self.net.inbox[self.fin_ptr].q.is_empty())
            {
                return false;
            }
            self.fin_ptr += 1;
        }
        true
    }

    /// Run [`CoreModel::prepare_step`] on up to `options.threads` host threads from now on
    /// (without this call it runs on the calling thread). Only `Send` cores can move to
    /// worker threads, hence the separate, bounded call; results never change.
    pub fn enable_threads(&mut self)
    where
        C: Send,
    {
        self.parallel = Some(prepare_parallel::<C>);
    }

    /// Every core's timing-free work of the step ([`CoreModel::prepare_step`]).
    fn prepare_all(&mut self, step: u32) {
        let threads = self.options.threads.clamp(1, self.cores.len().max(1));
        match self.parallel {
            Some(par) if threads > 1 => par(&mut self.cores, step, threads),
            _ => {
                for s in &mut self.cores {
                    s.model.prepare_step(step);
                }
            }
        }
    }

    /// Run one timestep to its barrier.
    pub fn run_step(&mut self) -> Result<StepStats, HwError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let step = self.step;
        let t0 = self.elapsed;
        let tiles = self.arch.total_tiles();
        let before = self.counters.class_counts(tiles);
        let drops_before = self.counters.drops.total;
        self.due.fill(t0);
        self.fin_ptr = 0;
        for s in self.cores.iter_mut() {
            s.model.begin_step(step, t0);
            s.nu_done = false;
            s.nu_wait = None;
            s.in_busy_until = s.in_busy_until.max(t0);
            s.nu_busy_until = s.nu_busy_until.max(t0);
        }
        // Host spikes integrated in this step that could not arrive a step earlier (step 0):
        // preloaded before any neuron reads its slot; their work still occupies the input unit.
        while let Some(h) = self.host.get(self.host_ptr).copied() {
            if h.step > step {
                break;
            }
            self.host_ptr += 1;
            if h.step < step {
                continue;
            }
            let s = &mut self.cores[h.core as usize];
            let cc = &mut self.counters.cores[h.core as usize];
            let cost = s.model.host_spike(h.axon, h.step, cc);
            cc.busy_cycles += u64::from(cost);
            s.in_busy_until += u64::from(cost);
        }
        // Host spikes of step + 1 enter the input units at the start of this step.
        let mut k = self.host_ptr;
        while let Some(h) = self.host.get(k).copied() {
            if h.step > step + 1 {
                break;
            }
            self.cores[h.core as usize]
                .host_q
                .push_back((h.axon, h.step));
            k += 1;
        }
        self.host_ptr = k;
        self.prepare_all(step);

        let mut t = t0;
        let mut last_progress = t0;
        loop {
            if self.cycle(t, step) {
                last_progress = t;
            }
            if self.finished(t) {
                break;
            }
            let next = if self.options.no_skip || last_progress == t {
                Some(t + 1)
            } else {
                self.next_event(t)
            };
            match next {
                // A long wait with an empty network is just a slow unit, not a deadlock.
                Some(n) if n - last_progress <= DEADLOCK_CYCLES || self.net.is_empty() => t = n,
                _ => {
                    let e = self.deadlock(step, t, last_progress);
                    self.failed = Some(e.clone());
                    return Err(e);
                }
            }
        }
        let cycles = t - t0 + self.barrier_cycles;
        self.elapsed = t + self.barrier_cycles;
        self.counters.barriers += 1;
        self.step += 1;

        let after = self.counters.class_counts(tiles);
        let d = ClassCounts {
            synaptic_op: after.synaptic_op - before.synaptic_op,
            neuron_update_active: after.neuron_update_active - before.neuron_update_active,
            neuron_update_idle: after.neuron_update_idle - before.neuron_update_idle,
            spike_out: after.spike_out - before.spike_out,
            packet_inject: after.packet_inject - before.packet_inject,
            hops: after.hops.minus(&before.hops),
            word_read: after.word_read - before.word_read,
            barrier_tiles: after.barrier_tiles - before.barrier_tiles,
        };
        let energy = EnergyReport::from_counts(&self.arch, &d, cycles);
        let stats = StepStats {
            step,
            cycles,
            spikes: d.spike_out,
            synaptic_ops: d.synaptic_op,
            packets: d.packet_inject,
            hops: d.hops.total(),
            drops: self.counters.drops.total - drops_before,
        };
        self.counters.steps.push(StepRecord {
            step,
            cycles,
            spikes: stats.spikes,
            synaptic_ops: stats.synaptic_ops,
            packets: stats.packets,
            hops: stats.hops,
            drops: stats.drops,
            classes: d,
            energy_j: energy.by_class,
        });
        Ok(stats)
    }

    fn deadlock(&self, step: u32, t: u64, last_progress: u64) -> HwError {
        let busy: Vec<String> = self
            .cores
            .iter()
            .enumerate()
            .filter(|(c, s)| !s.quiet(t) || !self.net.inbox[*c].q.is_empty())
            .take(8)
            .map(|(c, _)| format!("core {c}"))
            .collect();
        HwError::Deadlock {
            step,
            cycle: t,
            idle_cycles: t - last_progress,
            in_flight: self.net.in_flight(),
            detail: if busy.is_empty() {
                "only the network holds work".into()
            } else {
                format!("unfinished: {}", busy.join(", "))
            },
        }
    }
}

/// [`CoreModel::prepare_step`] of every core on `threads` scoped threads. Cores share nothing
/// there, so the result does not depend on the thread count or on which thread ran which core.
fn prepare_parallel<C: CoreModel + Send>(cores: &mut [Slot<C>], step: u32, threads: usize) {
    // Longest-first greedy spread over threads (by the models' own cost estimate).
    let mut order: Vec<(u64, &mut C)> = cores
        .iter_mut()
        .map(|s| (s.model.prepare_weight(), &mut s.model))
        .collect();
    order.sort_by_key(|(w, _)| std::cmp::Reverse(*w));
    let mut parts: Vec<(u64, Vec<&mut C>)> = (0..threads).map(|_| (0, Vec::new())).collect();
    for (w, m) in order {
        let k = (0..threads).min_by_key(|&k| (parts[k].0, k)).unwrap_or(0);
        parts[k].0 += w.max(1);
        parts[k].1.push(m);
    }
    std::thread::scope(|sc| {
        let mut parts = parts.into_iter();
        let mine = parts.next();
        for (_, part) in parts {
            sc.spawn(move || {
                for m in part {
                    m.prepare_step(step);
                }
            });
        }
        for m in mine.into_iter().flat_map(|(_, p)| p) {
            m.prepare_step(step);
        }
    });
}

/// A chip (or multi-chip system) running the firmware model `M` on every core.
#[derive(Debug)]
pub struct Chip<M: NeuronModel> {
    engine: Engine<FirmwareCore<M>>,
    last_spikes: Vec<(u32, u8)>,
}

fn bad(core: u32, field: &'static str, reason: String) -> HwError {
    HwError::BadImage {
        core: Some(core),
        field,
        reason,
    }
}

/// Check one core image against the architecture (its own fields only).
fn validate_core<M: NeuronModel>(
    arch: &Architecture,
    c: u32,
    img: &CoreImage<M>,
) -> Result<(), HwError> {
    let k = &arch.core;
    let n = img.params.len();
    if n > k.neurons as usize {
        return Err(bad(
            c,
            "params",
            format!("{n} neurons, the core holds {}", k.neurons),
        ));
    }
    for (field, len) in [
        ("init", img.init.len()),
        ("global_ids", img.global_ids.len()),
        ("fanout", img.fanout.len()),
    ] {
        if len != n {
            return Err(bad(c, field, format!("{len} entries for {n} neurons")));
        }
    }
    if img.axons.len() > k.axons_in as usize {
        return Err(bad(
            c,
            "axons",
            format!(
                "{} input axons, the core has {}",
                img.axons.len(),
                k.axons_in
            ),
        ));
    }
    let words = img.synapse_words.len();
    if words > k.synapse_memory.words as usize {
        return Err(bad(
            c,
            "synapse_words",
            format!(
                "{words} words, synapse memory holds {}",
                k.synapse_memory.words
            ),
        ));
    }
    if img.layout.word_bits() > k.synapse_memory.word_bits.min(64) {
        return Err(bad(
            c,
            "layout",
            format!(
                "{}-bit words, the memory is {} bits wide",
                img.layout.word_bits(),
                k.synapse_memory.word_bits
            ),
        ));
    }
    for (a, r) in img.axons.iter().enumerate() {
        if u64::from(r.start) + u64::from(r.len) > words as u64 {
            return Err(bad(
                c,
                "axons",
                format!("axon {a} row {}+{} runs past {words} words", r.start, r.len),
            ));
        }
    }
    if img.dests.len() > k.axons_out as usize {
        return Err(bad(
            c,
            "dests",
            format!(
                "{} fan-out entries, the core has {} output axons",
                img.dests.len(),
                k.axons_out
            ),
        ));
    }
    for (i, &(s, l)) in img.fanout.iter().enumerate() {
        if u64::from(s) + u64::from(l) > img.dests.len() as u64 {
            return Err(bad(
                c,
                "fanout",
                format!(
                    "neuron {i} range {s}+{l} runs past {} dests",
                    img.dests.len()
                ),
            ));
        }
    }
    if img.key_axons.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(bad(
            c,
            "key_axons",
            "keys are not strictly ascending".into(),
        ));
    }
    if let Some(&(key, a)) = img
        .key_axons
        .iter()
        .find(|&&(_, a)| a as usize >= img.axons.len())
    {
        return Err(bad(
            c,
            "key_axons",
            format!(
                "key {key:#x} maps to axon {a}, the core has {}",
                img.axons.len()
            ),
        ));
    }
    for p in &img.poisson {
        if p.neuron as usize >= n {
            return Err(bad(
                c,
                "poisson",
                format!("drive targets neuron {} of {n}", p.neuron),
            ));
        }
        if !(p.lambda.is_finite() && p.lambda >= 0.0) {
            return Err(bad(
                c,
                "poisson",
                format!(
                    "neuron {}: lambda {} is not a finite rate >= 0",
                    p.neuron, p.lambda
                ),
            ));
        }
        if p.channel >= M::CHANNELS {
            return Err(bad(
                c,
                "poisson",
                format!(
                    "neuron {}: channel {} >= {}",
                    p.neuron,
                    p.channel,
                    M::CHANNELS
                ),
            ));
        }
    }
    Ok(())
}

impl<M: NeuronModel> Chip<M> {
    /// Load `image` onto `arch` after checking it fits (counts, ids, tables).
    pub fn new(arch: &Architecture, image: ChipImage<M>) -> Result<Self, HwError> {
        Self::with_options(arch, image, EngineOptions::default())
    }

    /// As [`Chip::new`] with host-side options.
    pub fn with_options(
        arch: &Architecture,
        image: ChipImage<M>,
        options: EngineOptions,
    ) -> Result<Self, HwError> {
        let total = arch.total_cores();
        if image.cores.len() > total as usize {
            return Err(HwError::BadImage {
                core: None,
                field: "cores",
                reason: format!(
                    "{} core images, the architecture has {total} cores",
                    image.cores.len()
                ),
            });
        }
        if arch.core.delay_slots < 2 {
            return Err(HwError::BadArch {
                field: "core.delay_slots",
                reason: format!(
                    "{} slots; the firmware needs at least 2 (delay 0 lands one step ahead)",
                    arch.core.delay_slots
                ),
            });
        }
        for (c, img) in image.cores.iter().enumerate() {
            validate_core(arch, c as u32, img)?;
        }
        let axons_of = |core: u32| image.cores.get(core as usize).map_or(0, |i| i.axons.len());
        for (c, img) in image.cores.iter().enumerate() {
            for (j, d) in img.dests.iter().enumerate() {
                match *d {
                    Dest::Unicast { core, axon } => {
                        if core >= total {
                            return Err(bad(
                                c as u32,
                                "dests",
                                format!("entry {j} targets core {core} of {total}"),
                            ));
                        }
                        if axon as usize >= axons_of(core) {
                            return Err(bad(
                                c as u32,
                                "dests",
                                format!(
                                    "entry {j} targets axon {axon} of core {core}, which has {}",
                                    axons_of(core)
                                ),
                            ));
                        }
                    }
                    Dest::Multicast { key } => {
                        if arch.router.routing != Routing::Multicast {
                            return Err(bad(
                                c as u32,
                                "dests",
                                format!("entry {j} is multicast key {key:#x} but routing is xy"),
                            ));
                        }
                    }
                }
            }
        }
        for h in &image.host_spikes {
            if h.core < total && h.axon as usize >= axons_of(h.core) {
                return Err(bad(
                    h.core,
                    "host_spikes",
                    format!(
                        "step {} targets axon {} of {}",
                        h.step,
                        h.axon,
                        axons_of(h.core)
                    ),
                ));
            }
        }
        let sm = &arch.core.synapse_memory;
        let default_layout = WordLayout {
            weight_bits: sm.weight_bits.min(32) as u8,
            channel_bits: sm.channel_bits.min(8) as u8,
            delay_bits: sm.delay_bits.min(8) as u8,
            target_bits: sm.target_bits.min(32) as u8,
        };
        let seed = image.seed;
        let mut imgs = image.cores.into_iter();
        let cores = (0..total)
            .map(|c| {
                let img = imgs.next().unwrap_or_else(|| CoreImage {
                    params: Vec::new(),
                    init: Vec::new(),
                    global_ids: Vec::new(),
                    axons: Vec::new(),
                    key_axons: Vec::new(),
                    synapse_words: crate::image::SynapseWords::default(),
                    layout: default_layout,
                    fanout: Vec::new(),
                    dests: Vec::new(),
                    poisson: Vec::new(),
                });
                FirmwareCore::new(
                    c,
                    seed,
                    img,
                    arch.core.delay_slots,
                    arch.core.cycles.clone(),
                    sm.words_per_cycle,
                )
            })
            .collect();
        let engine = Engine::new(
            arch,
            cores,
            &image.router_tables,
            image.host_spikes,
            options,
        )?;
        Ok(Chip {
            engine,
            last_spikes: Vec::new(),
        })
    }

    /// Run one timestep (all cores, the network drained, the barrier).
    pub fn run_step(&mut self) -> Result<StepStats, HwError> {
        let stats = self.engine.run_step()?;
        self.last_spikes.clear();
        for c in 0..self.engine.arch().total_cores() {
            self.last_spikes
                .extend_from_slice(self.engine.core(c).step_spikes());
        }
        self.last_spikes.sort_unstable();
        Ok(stats)
    }

    /// The next step to run.
    pub fn step(&self) -> u32 {
        self.engine.step()
    }

    /// Spikes of the last step as (global neuron id, count), sorted by id.
    pub fn last_spikes(&self) -> &[(u32, u8)] {
        &self.last_spikes
    }

    /// State register `field` of neuron `local` of core `core` (0 if either does not exist).
    pub fn state_field(&self, core: u32, local: u32, field: usize) -> i64 {
        if core >= self.engine.arch().total_cores() {
            return 0;
        }
        self.engine.core(core).state_field(local, field)
    }

    /// All counters.
    pub fn counters(&self) -> &Counters {
        self.engine.counters()
    }

    /// Energy so far.
    pub fn energy(&self) -> EnergyReport {
        self.engine.energy()
    }

    /// Cycles so far.
    pub fn elapsed_cycles(&self) -> u64 {
        self.engine.elapsed_cycles()
    }

    /// The engine (for per-core inspection).
    pub fn engine(&self) -> &Engine<FirmwareCore<M>> {
        &self.engine
    }
}

impl<M: NeuronModel> Chip<M>
where
    FirmwareCore<M>: Send,
{
    /// As [`Chip::with_options`], and runs the cores' timing-free work on `options.threads`
    /// host threads (plain [`Chip::with_options`] keeps it on the calling thread, for models
    /// whose data is not `Send`). Results are identical either way.
    pub fn with_threads(
        arch: &Architecture,
        image: ChipImage<M>,
        options: EngineOptions,
    ) -> Result<Self, HwError> {
        let mut chip = Self::with_options(arch, image, options)?;
        chip.engine.enable_threads();
        Ok(chip)
    }
}
