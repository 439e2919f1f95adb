//! One synapse group's learning engine: the per-step trace phase and the
//! per-epoch learning phase, over the learning HAL.
//!
//! [`step`] is the only entry point and fixes the order of work within a
//! step (Lava 0.10's order, `connection.py`):
//!
//! 1. the time step counter `ts` advances (the first step is `ts = 1`);
//! 2. each pre-synaptic spike: a second spike in the same epoch adds the x
//!    impulses at once, rounding any fraction up; `tx` := the within-epoch
//!    step (`1..=t_epoch`);
//! 3. the trace streams advance;
//! 4. each post-synaptic spike: a repeat adds the y impulses, rounded with
//!    the current y impulse draw; `ty` := the within-epoch step; for a
//!    three-factor group every post neuron's `y1..y3` then become what the
//!    neuron sends ([`PostFactors`]);
//! 5. the trace streams advance again;
//! 6. on `ts % t_epoch == 0`, the learning phase ([`learn_epoch`]).

use bitvec::slice::BitSlice;

use super::eval::{update, Operands};
use super::hal::{
    LearnMeter, LearnOp, PlasticSynapses, PostFactors, PostTrace, PreTrace, TraceMemory,
};
use super::rule::{Dependency, Rule, Target, Var};
use super::streams::{LearningRng, TraceDraws};
use super::trace::TraceParams;
use crate::models::loihi::SignMode;

/// Longest learning epoch: spike times are 6-bit registers.
pub const MAX_EPOCH: u8 = 63;

/// One synapse group's learning configuration (plain data from the host).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearningConfig<const P: usize, const F: usize> {
    /// The rule (`dw`, `dd`, `dt` products).
    pub rule: Rule<P, F>,
    /// Pre-synaptic traces `x1`, `x2`.
    pub x: [TraceParams; 2],
    /// Post-synaptic traces `y1`, `y2`, `y3`.
    pub y: [TraceParams; 3],
    /// Learning epoch in steps, `1..=MAX_EPOCH` (other values are clamped).
    pub t_epoch: u8,
    /// Sign mode of the group's weights (saturation and final clip).
    pub sign_mode: SignMode,
    /// Three-factor rule: post neurons send `y1..y3`; the epoch does not
    /// replace the y traces with their decayed history.
    pub three_factor: bool,
}

impl<const P: usize, const F: usize> LearningConfig<P, F> {
    /// The epoch length actually used (`t_epoch` clamped to `1..=MAX_EPOCH`).
    #[inline]
    pub fn epoch_len(&self) -> u8 {
        self.t_epoch.clamp(1, MAX_EPOCH)
    }
}

/// One synapse group's learning registers besides its trace memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearningState {
    /// The group's random streams.
    pub rng: LearningRng,
    /// Steps run so far (Lava's `time_step` of the last step).
    pub ts: u32,
}

impl LearningState {
    /// A group at time 0 with these streams.
    pub fn new(rng: LearningRng) -> Self {
        LearningState { rng, ts: 0 }
    }
}

/// Within-epoch step of time step `ts`: `1..=t_epoch`.
#[inline]
fn within_epoch(ts: u32, t_epoch: u8) -> u8 {
    match (ts % u32::from(t_epoch)) as u8 {
        0 => t_epoch,
        w => w,
    }
}

/// Run one time step of the group: `pre` and `post` hold this step's spikes
/// (bit `i` = neuron `i`; bits beyond the group's neuron counts are ignored).
/// Returns true if the step ended a learning epoch.
pub fn step<H, const P: usize, const F: usize>(
    hal: &mut H,
    cfg: &LearningConfig<P, F>,
    st: &mut LearningState,
    pre: &BitSlice,
    post: &BitSlice,
) -> bool
where
    H: TraceMemory + PostFactors + PlasticSynapses + LearnMeter,
{
    st.ts = st.ts.wrapping_add(1);
    let e = cfg.epoch_len();
    let now = within_epoch(st.ts, e);
    let (n_pre, n_post) = (hal.pre_count(), hal.post_count());
    let mut impulses = 0u32;
    for i in pre.iter_ones().map(|i| i as u32).take_while(|&i| i < n_pre) {
        let p = hal.pre(i);
        if p.t > 0 {
            for (x, par) in p.x.iter_mut().zip(&cfg.x) {
                *x = par.impulse.add(*x, 0);
            }
            impulses += 2;
        }
        p.t = now;
    }
    st.rng.advance_traces();
    let r = st.rng.y.impulse;
    for j in post
        .iter_ones()
        .map(|j| j as u32)
        .take_while(|&j| j < n_post)
    {
        let q = hal.post(j);
        if q.t > 0 {
            for (y, par) in q.y.iter_mut().zip(&cfg.y) {
                *y = par.impulse.add(*y, r);
            }
            impulses += 3;
        }
        q.t = now;
    }
    if cfg.three_factor {
        for j in 0..n_post {
            let y = hal.post_factors(j);
            hal.post(j).y = y;
        }
    }
    st.rng.advance_traces();
    hal.charge(LearnOp::TraceImpulse, impulses);
    if st.ts.is_multiple_of(u32::from(e)) {
        learn_epoch(hal, cfg, st);
        return true;
    }
    false
}

/// The traces one synapse's rule reads: a trace at the time its product's
/// dependency names (`tx` for `x0`, `ty` for `y0`, the epoch's end for `uk`).
struct EpochTraces<'a, const P: usize, const F: usize> {
    cfg: &'a LearningConfig<P, F>,
    pre: PreTrace,
    post: PostTrace,
    x: TraceDraws,
    y: TraceDraws,
}

impl<const P: usize, const F: usize> EpochTraces<'_, P, F> {
    fn value(&self, var: Var, dep: Dependency) -> i32 {
        let t = match dep {
            Dependency::X0 => self.pre.t,
            Dependency::Y0 => self.post.t,
            Dependency::U { .. } => self.cfg.epoch_len(),
        };
        let (c, pre, post) = (self.cfg, &self.pre, &self.post);
        match var {
            Var::X1 => c.x[0].at(pre.x[0], pre.t, t, self.x),
            Var::X2 => c.x[1].at(pre.x[1], pre.t, t, self.x),
            Var::Y1 => c.y[0].at(post.y[0], post.t, t, self.y),
            Var::Y2 => c.y[1].at(post.y[1], post.t, t, self.y),
            Var::Y3 => c.y[2].at(post.y[2], post.t, t, self.y),
            _ => 0,
        }
    }
}

/// The learning phase of an epoch.
///
/// 1. The synapse stream advances: one draw rounds every synapse's variables.
/// 2. Each synapse, row by row: read its word, compute each updated variable
///    from the variables and traces as they were before the epoch (the trace
///    history is recomputed per read: every history step of the epoch uses
///    the same draws), write the word back.
/// 3. Traces become their history's value at the epoch's end (only x for a
///    three-factor group, whose y traces come from the post neurons), and
///    the spike times are cleared.
///
/// Charges [`LearnOp::SynapseWrite`] per synapse, [`LearnOp::SynapseEval`]
/// per synapse and updated variable, [`LearnOp::ProductTerm`] per product
/// and synapse, [`LearnOp::TraceDecay`] per decay step of a trace with
/// `tau != 0` and [`LearnOp::TraceImpulse`] per impulse of the history.
pub fn learn_epoch<H, const P: usize, const F: usize>(
    hal: &mut H,
    cfg: &LearningConfig<P, F>,
    st: &mut LearningState,
) where
    H: TraceMemory + PlasticSynapses + LearnMeter,
{
    st.rng.advance_synapses();
    let e = cfg.epoch_len();
    if cfg.rule.products().is_empty() {
        return update_traces(hal, cfg, st, e);
    }
    let epoch = st.ts / u32::from(e);
    let (n_pre, n_post) = (hal.pre_count(), hal.post_count());
    let (mut writes, mut evals, mut terms) = (0u32, 0u32, 0u32);
    for i in 0..n_pre {
        let pre = *hal.pre(i);
        let row = hal.row(i);
        for a in row.start..row.start.saturating_add(row.len) {
            let syn = hal.read(a);
            if syn.post >= n_post {
                continue;
            }
            let traces = EpochTraces {
                cfg,
                pre,
                post: *hal.post(syn.post),
                x: st.rng.x,
                y: st.rng.y,
            };
            let ops = Operands {
                x0: pre.t > 0,
                y0: traces.post.t > 0,
                epoch,
                vars: syn.vars,
            };
            let mut read = |v: Var, d: Dependency| traces.value(v, d);
            let mut new = syn.vars;
            for target in Target::ALL.into_iter().filter(|&t| cfg.rule.updates(t)) {
                let products = cfg.rule.products();
                let k = st.rng.synapse;
                let (v, n) = update(products, target, cfg.sign_mode, &ops, k, &mut read);
                new.set(target, v);
                evals += 1;
                terms += n;
            }
            hal.write(a, new);
            writes += 1;
        }
    }
    hal.charge(LearnOp::SynapseWrite, writes);
    hal.charge(LearnOp::SynapseEval, evals);
    hal.charge(LearnOp::ProductTerm, terms);
    update_traces(hal, cfg, st, e);
}

/// Step 3 of [`learn_epoch`]: traces to the epoch's end, spike times cleared.
fn update_traces<H, const P: usize, const F: usize>(
    hal: &mut H,
    cfg: &LearningConfig<P, F>,
    st: &LearningState,
    e: u8,
) where
    H: TraceMemory + LearnMeter,
{
    let decaying = |ps: &[TraceParams]| ps.iter().filter(|p| !p.decay.is_wipe()).count() as u32;
    let (dx, dy) = (decaying(&cfg.x), decaying(&cfg.y));
    let (mut decays, mut impulses) = (0u32, 0u32);
    for i in 0..hal.pre_count() {
        let p = hal.pre(i);
        for (x, par) in p.x.iter_mut().zip(&cfg.x) {
            *x = par.at(*x, p.t, e, st.rng.x);
        }
        decays = decays.saturating_add(dx * u32::from(e));
        impulses += if p.t > 0 { 2 } else { 0 };
        p.t = 0;
    }
    for j in 0..hal.post_count() {
        let q = hal.post(j);
        if !cfg.three_factor {
            for (y, par) in q.y.iter_mut().zip(&cfg.y) {
                *y = par.at(*y, q.t, e, st.rng.y);
            }
        }
        decays = decays.saturating_add(dy * u32::from(e));
        impulses += if q.t > 0 { 3 } else { 0 };
        q.t = 0;
    }
    hal.charge(LearnOp::TraceDecay, decays);
    hal.charge(LearnOp::TraceImpulse, impulses);
}
