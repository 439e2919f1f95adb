//! SynSense Xylo core v2 integer-and-fire neuron, bit-exact with xylosim
//! 0.1.3's `XyloLayer` (see `reference/xylo/README.md`).
//!
//! Weights: on Xylo the weight shift belongs to a matrix (input, recurrent,
//! readout), not to a neuron, and a hidden neuron receives from two matrices.
//! So [`XyloIaf::accumulate`] computes `to_i16(weight << params.weight_shift)`
//! of whatever integer it is given: a mapper with one shift per population
//! passes raw int8 weights and sets `weight_shift`; one with several matrices
//! per target stores [`shifted_weight`] per synapse and sets `weight_shift = 0`
//! (the identity on i16 weights). The trace replay does the latter.
//!
//! Order within a step: the step's saturating adds onto `Isyn` (folded in
//! [`XyloAcc`]) happen BEFORE that step's decay, as xylosim runs phases A and
//! B before C. Multi-spike inputs: an event with count `n` is `n` calls of
//! `accumulate`; capping `n` (at [`MAX_INPUT_SPIKES`] or [`MAX_HIDDEN_SPIKES`])
//! is the caller's job.

use core::fmt;

use crate::fixed::{shift_decay, wrap, xylo_sat_add16, ClampAdd};
use crate::model::{NeuronModel, StateBits};
use crate::rng::NeuronRng;

/// Most spikes one input channel delivers per step.
pub const MAX_INPUT_SPIKES: u8 = 15;
/// Most spikes a hidden neuron emits per step.
pub const MAX_HIDDEN_SPIKES: u8 = 31;
/// Most spikes a readout neuron emits per step.
pub const MAX_OUT_SPIKES: u8 = 1;

/// The Xylo IAF neuron (hidden or readout; readout = one current, cap 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XyloIaf;

/// Per-neuron Xylo parameters (checked by [`XyloParams::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XyloParams {
    /// Membrane decay shift, 0..=15.
    pub dash_mem: u8,
    /// Synaptic current decay shifts, 0..=15 each.
    pub dash_syn: [u8; 2],
    /// Number of synaptic currents in use, 1 or 2.
    pub n_syn: u8,
    /// Spike threshold, > 0 (subtracted per spike).
    pub threshold: i16,
    /// Constant added to dV every step.
    pub bias: i16,
    /// Spike cap per step, 1..=31 (31 hidden, 1 readout).
    pub max_spikes: u8,
    /// Left shift applied to every weight given to `accumulate`, 0..=15.
    pub weight_shift: i8,
}

/// Why a Xylo parameter set was rejected; names the parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XyloParamError {
    /// `dash_mem` above 15.
    DashMem(u8),
    /// `dash_syn[k]` above 15 (index, value).
    DashSyn(usize, u8),
    /// `n_syn` not 1 or 2.
    NSyn(u8),
    /// `threshold` not positive.
    Threshold(i16),
    /// `max_spikes` outside 1..=31.
    MaxSpikes(u8),
    /// `weight_shift` outside 0..=15.
    WeightShift(i8),
}

impl XyloParamError {
    /// The parameter's name, for error paths.
    pub fn field(&self) -> &'static str {
        match self {
            XyloParamError::DashMem(_) => "dash_mem",
            XyloParamError::DashSyn(..) => "dash_syn",
            XyloParamError::NSyn(_) => "n_syn",
            XyloParamError::Threshold(_) => "threshold",
            XyloParamError::MaxSpikes(_) => "max_spikes",
            XyloParamError::WeightShift(_) => "weight_shift",
        }
    }
}

impl fmt::Display for XyloParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            XyloParamError::DashMem(x) => write!(f, "dash_mem = {x} is outside 0..=15"),
            XyloParamError::DashSyn(k, x) => write!(f, "dash_syn[{k}] = {x} is outside 0..=15"),
            XyloParamError::NSyn(x) => write!(f, "n_syn = {x} must be 1 or 2"),
            XyloParamError::Threshold(x) => write!(f, "threshold = {x} must be positive"),
            XyloParamError::MaxSpikes(x) => write!(f, "max_spikes = {x} is outside 1..=31"),
            XyloParamError::WeightShift(x) => write!(f, "weight_shift = {x} is outside 0..=15"),
        }
    }
}

impl XyloParams {
    /// Build and check parameters.
    pub fn new(
        dash_mem: u8,
        dash_syn: [u8; 2],
        n_syn: u8,
        threshold: i16,
        bias: i16,
        max_spikes: u8,
        weight_shift: i8,
    ) -> Result<Self, XyloParamError> {
        if dash_mem > 15 {
            return Err(XyloParamError::DashMem(dash_mem));
        }
        for (k, &d) in dash_syn.iter().enumerate() {
            if d > 15 {
                return Err(XyloParamError::DashSyn(k, d));
            }
        }
        if !(1..=2).contains(&n_syn) {
            return Err(XyloParamError::NSyn(n_syn));
        }
        if threshold <= 0 {
            return Err(XyloParamError::Threshold(threshold));
        }
        if !(1..=MAX_HIDDEN_SPIKES).contains(&max_spikes) {
            return Err(XyloParamError::MaxSpikes(max_spikes));
        }
        if !(0..=15).contains(&weight_shift) {
            return Err(XyloParamError::WeightShift(weight_shift));
        }
        Ok(XyloParams {
            dash_mem,
            dash_syn,
            n_syn,
            threshold,
            bias,
            max_spikes,
            weight_shift,
        })
    }
}

/// `to_i16(w << shift)`: the 16-bit synaptic increment of an int8 weight in
/// a matrix with weight shift `shift` (shift computed wide, then wrapped).
pub fn shifted_weight(w: i8, shift: u8) -> i16 {
    let s = u32::from(shift.min(31));
    wrap(i64::from(w) << s, 16) as i16
}

/// Xylo state registers, all int16.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XyloState {
    /// Synaptic currents `Isyn`, `Isyn2`.
    pub isyn: [i16; 2],
    /// Membrane potential.
    pub vmem: i16,
}

/// One step's synaptic events per current, folded as composed saturating
/// adds onto the i16 register (exact, see [`ClampAdd`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XyloAcc {
    /// Folded adds for `Isyn` and `Isyn2`.
    pub syn: [ClampAdd; 2],
}

impl Default for XyloAcc {
    fn default() -> Self {
        let id = ClampAdd::identity(i64::from(i16::MIN), i64::from(i16::MAX));
        XyloAcc { syn: [id, id] }
    }
}

impl NeuronModel for XyloIaf {
    type Params = XyloParams;
    type State = XyloState;
    type Acc = XyloAcc;

    const NAME: &'static str = "xylo_iaf";
    const STATE_FIELDS: &'static [&'static str] = &["isyn", "isyn2", "vmem"];
    const CHANNELS: u8 = 2;
    const STATE_BITS: StateBits = StateBits::exactly(16);

    /// Events on a channel the neuron does not use (`>= n_syn`) are dropped.
    #[inline]
    fn accumulate(params: &XyloParams, acc: &mut XyloAcc, channel: u8, weight: i32) {
        if channel >= params.n_syn.min(2) {
            return;
        }
        let s = params.weight_shift.clamp(0, 31) as u32;
        let w = wrap(i64::from(weight) << s, 16);
        // sat_add16 with an i16 register and an i16 increment is clamp(x + y).
        acc.syn[usize::from(channel)].then_add(w);
    }

    fn update(
        params: &XyloParams,
        state: &mut XyloState,
        input: &XyloAcc,
        _rng: &mut NeuronRng,
    ) -> u8 {
        let n_syn = usize::from(params.n_syn.clamp(1, 2));
        let mut sum: i32 = 0;
        for k in 0..n_syn {
            let x = input.syn[k].apply(i64::from(state.isyn[k]));
            let x = x - shift_decay(x, u32::from(params.dash_syn[k]));
            state.isyn[k] = x as i16;
            sum += x as i32;
        }
        let vm = i32::from(state.vmem);
        let dmem = shift_decay(i64::from(vm), u32::from(params.dash_mem)) as i32;
        let dv = wrap(i64::from(xylo_sat_add16(-dmem, sum)), 16) as i32;
        let dv = xylo_sat_add16(dv, i32::from(params.bias));
        let mut v = xylo_sat_add16(vm, dv) as i16;
        let mut n = 0u8;
        while v >= params.threshold && n < params.max_spikes {
            n += 1;
            v = v.wrapping_sub(params.threshold);
        }
        state.vmem = v;
        n
    }

    fn state_field(state: &XyloState, i: usize) -> i64 {
        match i {
            0 => i64::from(state.isyn[0]),
            1 => i64::from(state.isyn[1]),
            2 => i64::from(state.vmem),
            _ => 0,
        }
    }

    fn is_idle(params: &XyloParams, state: &XyloState, input: &XyloAcc) -> bool {
        state.isyn == [0, 0]
            && state.vmem == 0
            && params.bias == 0
            && params.threshold > 0
            && input.syn.iter().all(|c| c.apply(0) == 0)
    }
}
