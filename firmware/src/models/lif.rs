//! A configurable integer LIF / IF neuron: the model the standard workloads
//! (Brunel, CUBA, SANA-FE's random network) are mapped onto.
//!
//! Units are the user's: the mapper picks one LSB (e.g. 0.01 mV) and
//! expresses voltages, weights and the bias in it.
//!
//! # Exact integer semantics of one step
//!
//! All arithmetic is exact in `i64`; "sat" clamps to the signed
//! `state_bits`-wide range `[-2^(b-1), 2^(b-1) - 1]`; `decay12(x, d)` is
//! [`crate::fixed::decay12`], `trunc_toward_zero(x * (4096 - d) / 4096)`.
//! With `acc = [a_exc, a_inh]` this step's channel sums and
//! `refr = refractory > 0` at the start of the step:
//!
//! 1. **refractory check**: `refr` is latched.
//! 2. **input**: unless `refr && refractory_drops_input`,
//!    `i_exc = sat(i_exc + a_exc)`, `i_inh = sat(i_inh + a_inh)`
//!    (otherwise this step's input is discarded).
//! 3. if `refr`: `refractory -= 1`; `v` is held (steps 4–6 are skipped).
//! 4. **leak** of the previous potential:
//!    `v = v_rest + decay12(v - v_rest, v_decay)` (`v_decay = 0`: no leak, IF).
//! 5. **input and bias**: `v = sat(v + i_exc + i_inh + bias)`.
//! 6. **threshold / reset**: if `v >= threshold` (`v > threshold` with
//!    `strict_threshold`): `v = v_reset`, `refractory = refractory_steps`,
//!    emit 1 spike.
//! 7. **synaptic currents**: with `current_mode`,
//!    `i_k = decay12(i_k, syn_decay[k])` (they keep integrating and decaying
//!    while refractory); without it (delta synapses) `i_k = 0` after a
//!    non-refractory step, so the input acts once on `v`; input kept while
//!    refractory (`refractory_drops_input = false`) is released at the first
//!    non-refractory step.
//!
//! The leak acts on the *previous* potential and the input is added
//! unleaked (step 4 before 5). That is NEST's `iaf_psc_delta` order
//! (`V = P22·V + J`), SANA-FE's `loihi_lif` (`v ← v·0.99 + bias + input`)
//! and the exact propagator of a current-based LIF driven by an
//! exponential current (`v' = v_rest + P22·(v - v_rest) + c·i`, the mapper
//! folds the coupling `c` into the weight), so no 1/P weight rescaling is
//! needed for any of the workloads.
//!
//! # Workloads (1 step = 1 ms)
//! - W1/W2 Brunel: delta synapses, `v_decay = round(4096·(1 - e^(-1/20))) = 200`,
//!   threshold 20 mV, reset 10 mV, `refractory_steps = 2`, drops input.
//! - W3 CUBA: `current_mode`, `syn_decay = [round(4096·(1 - e^(-1/5))), round(4096·(1 - e^(-1/10)))]`,
//!   `v_rest = -49 mV`, threshold −50 mV, reset −60 mV, 5 refractory steps, keeps input.
//! - W4 SANA-FE: `v_decay = round(4096·0.01) = 41`, `strict_threshold`, threshold 64,
//!   reset 0, `v_rest = 0`, per-neuron bias.

use core::fmt;

use crate::fixed::{decay12, max_of, min_of, sat};
use crate::model::{NeuronModel, StateBits};
use crate::rng::NeuronRng;

/// The configurable LIF model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lif;

/// Per-neuron LIF parameters, all integers in the user's LSB (checked by [`LifParams::checked`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LifParams {
    /// Width of `v`, `i_exc`, `i_inh` (8..=32); they saturate to it.
    pub state_bits: u8,
    /// 12-bit multiplicative leak toward `v_rest` (0..=4096; 0 = IF).
    pub v_decay: u16,
    /// Resting (leak reversal) potential.
    pub v_rest: i32,
    /// Firing threshold.
    pub threshold: i32,
    /// Fire on `v > threshold` instead of `v >= threshold` (NIR, Loihi, SANA-FE).
    pub strict_threshold: bool,
    /// Potential after a spike.
    pub v_reset: i32,
    /// Steps during which `v` is held after a spike.
    pub refractory_steps: u16,
    /// Discard input arriving while refractory (NEST `iaf_psc_delta`, W1/W2).
    pub refractory_drops_input: bool,
    /// Constant input added to `v` every non-refractory step.
    pub bias: i32,
    /// 12-bit decay of `i_exc` and `i_inh` per step (0..=4096), used with `current_mode`.
    pub syn_decay: [u16; 2],
    /// `false`: delta synapses (input jumps `v` once); `true`: exponential currents.
    pub current_mode: bool,
}

impl Default for LifParams {
    /// A 16-bit IF neuron with threshold 1, no refractoriness (a safe starting point for builders).
    fn default() -> Self {
        LifParams {
            state_bits: 16,
            v_decay: 0,
            v_rest: 0,
            threshold: 1,
            strict_threshold: false,
            v_reset: 0,
            refractory_steps: 0,
            refractory_drops_input: false,
            bias: 0,
            syn_decay: [4096, 4096],
            current_mode: false,
        }
    }
}

/// Why a LIF parameter set was rejected; names the parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifParamError {
    /// `state_bits` outside 8..=32.
    StateBits(u8),
    /// `v_decay` above 4096.
    VDecay(u16),
    /// `syn_decay[k]` above 4096.
    SynDecay(usize, u16),
    /// `v_rest` outside the state range.
    VRest(i32),
    /// `threshold` outside the state range.
    Threshold(i32),
    /// `v_reset` outside the state range.
    VReset(i32),
    /// `bias` outside the state range.
    Bias(i32),
}

impl LifParamError {
    /// The parameter's name, for error paths.
    pub fn field(&self) -> &'static str {
        match self {
            LifParamError::StateBits(_) => "state_bits",
            LifParamError::VDecay(_) => "v_decay",
            LifParamError::SynDecay(..) => "syn_decay",
            LifParamError::VRest(_) => "v_rest",
            LifParamError::Threshold(_) => "threshold",
            LifParamError::VReset(_) => "v_reset",
            LifParamError::Bias(_) => "bias",
        }
    }
}

impl fmt::Display for LifParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.field();
        match *self {
            LifParamError::StateBits(b) => {
                let StateBits { min, max } = Lif::STATE_BITS;
                write!(f, "lif {name} = {b} is outside {min}..={max}")
            }
            LifParamError::VDecay(d) => write!(f, "lif {name} = {d} is outside 0..=4096"),
            LifParamError::SynDecay(k, d) => {
                write!(f, "lif {name}[{k}] = {d} is outside 0..=4096")
            }
            LifParamError::VRest(x)
            | LifParamError::Threshold(x)
            | LifParamError::VReset(x)
            | LifParamError::Bias(x) => {
                write!(f, "lif {name} = {x} does not fit the signed state width")
            }
        }
    }
}

impl LifParams {
    /// Check every field; the model keeps its state in width only for checked parameters.
    pub fn checked(self) -> Result<Self, LifParamError> {
        if !Lif::STATE_BITS.contains(u32::from(self.state_bits)) {
            return Err(LifParamError::StateBits(self.state_bits));
        }
        if self.v_decay > 4096 {
            return Err(LifParamError::VDecay(self.v_decay));
        }
        for (k, &d) in self.syn_decay.iter().enumerate() {
            if d > 4096 {
                return Err(LifParamError::SynDecay(k, d));
            }
        }
        let b = u32::from(self.state_bits);
        let fits = |x: i32| (min_of(b)..=max_of(b)).contains(&i64::from(x));
        if !fits(self.v_rest) {
            return Err(LifParamError::VRest(self.v_rest));
        }
        if !fits(self.threshold) {
            return Err(LifParamError::Threshold(self.threshold));
        }
        if !fits(self.v_reset) {
            return Err(LifParamError::VReset(self.v_reset));
        }
        if !fits(self.bias) {
            return Err(LifParamError::Bias(self.bias));
        }
        Ok(self)
    }

    /// Effective width: `state_bits` clamped to 8..=32 so unchecked parameters cannot panic.
    #[inline]
    fn bits(&self) -> u32 {
        u32::from(self.state_bits).clamp(Lif::STATE_BITS.min, Lif::STATE_BITS.max)
    }

    /// Whether potential `v` fires.
    #[inline]
    pub fn fires(&self, v: i32) -> bool {
        if self.strict_threshold {
            v > self.threshold
        } else {
            v >= self.threshold
        }
    }
}

/// LIF state registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LifState {
    /// Membrane potential.
    pub v: i32,
    /// Excitatory synaptic current (or input held while refractory, delta mode).
    pub i_exc: i32,
    /// Inhibitory synaptic current (same).
    pub i_inh: i32,
    /// Refractory steps left.
    pub refractory: u16,
}

impl NeuronModel for Lif {
    type Params = LifParams;
    type State = LifState;
    /// Per-channel weight sums of one step (0 excitatory, 1 inhibitory),
    /// saturating at the i32 range; the state width is applied in `update`.
    type Acc = [i32; 2];

    const NAME: &'static str = "lif";
    const STATE_FIELDS: &'static [&'static str] = &["v", "i_exc", "i_inh", "refractory"];
    const CHANNELS: u8 = 2;
    const STATE_BITS: StateBits = StateBits { min: 8, max: 32 };

    /// Channels other than 0 and 1 are ignored (a 1-bit channel field cannot produce them).
    #[inline]
    fn accumulate(_params: &LifParams, acc: &mut [i32; 2], channel: u8, weight: i32) {
        if let Some(a) = acc.get_mut(usize::from(channel)) {
            *a = a.saturating_add(weight);
        }
    }

    #[inline]
    fn update(p: &LifParams, s: &mut LifState, input: &[i32; 2], _rng: &mut NeuronRng) -> u8 {
        let b = p.bits();
        let refr = s.refractory > 0;
        let mut i_exc = i64::from(s.i_exc);
        let mut i_inh = i64::from(s.i_inh);
        if !(refr && p.refractory_drops_input) {
            i_exc = sat(i_exc + i64::from(input[0]), b);
            i_inh = sat(i_inh + i64::from(input[1]), b);
        }
        let mut spikes = 0;
        if refr {
            s.refractory -= 1;
        } else {
            let rest = i64::from(p.v_rest);
            let v = rest + decay12(i64::from(s.v) - rest, u32::from(p.v_decay));
            let v = sat(v + i_exc + i_inh + i64::from(p.bias), b) as i32;
            if p.fires(v) {
                s.v = sat(i64::from(p.v_reset), b) as i32;
                s.refractory = p.refractory_steps;
                spikes = 1;
            } else {
                s.v = v;
            }
        }
        if p.current_mode {
            i_exc = decay12(i_exc, u32::from(p.syn_decay[0]));
            i_inh = decay12(i_inh, u32::from(p.syn_decay[1]));
        } else if !refr {
            i_exc = 0;
            i_inh = 0;
        }
        s.i_exc = i_exc as i32;
        s.i_inh = i_inh as i32;
        spikes
    }

    fn state_field(s: &LifState, i: usize) -> i64 {
        match i {
            0 => i64::from(s.v),
            1 => i64::from(s.i_exc),
            2 => i64::from(s.i_inh),
            3 => i64::from(s.refractory),
            _ => 0,
        }
    }

    /// Idle when nothing arrives, nothing is pending, no bias, `v` sits at
    /// rest (or does not leak) below threshold and the neuron is not refractory.
    #[inline]
    fn is_idle(p: &LifParams, s: &LifState, input: &[i32; 2]) -> bool {
        *input == [0, 0]
            && s.refractory == 0
            && s.i_exc == 0
            && s.i_inh == 0
            && p.bias == 0
            && (s.v == p.v_rest || p.v_decay == 0)
            && !p.fires(s.v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(p: &LifParams, s: &mut LifState, a: [i32; 2]) -> u8 {
        Lif::update(p, s, &a, &mut NeuronRng::fixed(0))
    }

    #[test]
    fn brunel_refractory_drops_input_for_two_steps() {
        let p = LifParams {
            state_bits: 16,
            v_decay: 200,
            threshold: 2000,
            v_reset: 1000,
            refractory_steps: 2,
            refractory_drops_input: true,
            ..LifParams::default()
        }
        .checked()
        .unwrap();
        let mut s = LifState {
            v: 1990,
            ..LifState::default()
        };
        // 1990 leaks to trunc(1990*3896/4096) = 1892; +200 = 2092 >= 2000.
        assert_eq!(step(&p, &mut s, [200, 0]), 1);
        assert_eq!((s.v, s.refractory), (1000, 2));
        assert_eq!(step(&p, &mut s, [5000, 0]), 0);
        assert_eq!(step(&p, &mut s, [5000, 0]), 0);
        assert_eq!((s.v, s.refractory), (1000, 0));
        // First integrating step: trunc(1000*3896/4096) = 951, +10.
        assert_eq!(step(&p, &mut s, [10, 0]), 0);
        assert_eq!(s.v, 961);
    }

    #[test]
    fn current_mode_order_is_add_use_decay() {
        let p = LifParams {
            state_bits: 24,
            threshold: 1_000_000,
            current_mode: true,
            syn_decay: [2048, 1024],
            ..LifParams::default()
        };
        let mut s = LifState::default();
        step(&p, &mut s, [1000, -400]);
        // v feels the current of this step in full; the currents decay afterwards.
        assert_eq!((s.v, s.i_exc, s.i_inh), (600, 500, -300));
        step(&p, &mut s, [0, 0]);
        assert_eq!((s.v, s.i_exc, s.i_inh), (800, 250, -225));
    }

    #[test]
    fn checked_names_the_field() {
        let e = LifParams {
            v_decay: 5000,
            ..LifParams::default()
        }
        .checked()
        .unwrap_err();
        assert_eq!(e.field(), "v_decay");
        let e = LifParams {
            threshold: 40000,
            ..LifParams::default()
        }
        .checked()
        .unwrap_err();
        assert_eq!(e, LifParamError::Threshold(40000));
    }
}
