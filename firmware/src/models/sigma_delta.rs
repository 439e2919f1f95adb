//! Lava 0.10's fixed-point graded-spike neurons — `SigmaDelta`, `Delta` and
//! `Sigma` (`PySigmaDeltaModelFixed`, `PyDeltaModelFixed`,
//! `PySigmaModelFixed`) — and the graded `Dense` connection in front of them
//! (`PyDenseModelBitAcc`), bit-exact (see `reference/loihi/sigma_delta/`).
//!
//! # Exact semantics (all int32, wrapping; nothing saturates)
//!
//! Dense, per step, for a receiving neuron: the events are folded as
//! [`graded_weight`]`(w, payload)` (graded, `num_message_bits > 0`) or `w`
//! for every non-zero payload (binary) into an `i64` wrapping sum `acc`;
//! [`dense_output`] then gives the neuron's `a_in`:
//! graded `wrap32(wrap32(acc) ash weight_exp)`, binary `wrap32(acc ash weight_exp)`
//! (`ash`: left shift for a positive exponent, arithmetic right shift for a
//! negative one). The weight pre-processing is [`super::loihi::dense_effective_weights`].
//! Lava's Dense sends last step's sum; here, as for the LIF, that one-step
//! delay is the network's (the caller passes the events of step `t - 1`).
//!
//! The delta encoder shared by `SigmaDelta` and `Delta` (`abs32` maps
//! `i32::MIN` to itself, so such a value never reaches `|x| >= vth`):
//!
//! ```text
//! delta   = wrap32(new - act + residue)
//! cum_error: error = wrap32(error + delta); s = abs32(error) >= vth ? delta : 0;
//!            error = abs32(s) > 0 ? 0 : error
//! else:      s = abs32(delta) >= vth ? delta : 0
//! residue = wrap32(delta - s); act = new; send(s >> state_exp)   # arithmetic
//! ```
//!
//! - SigmaDelta: `sigma = wrap32(sigma + a_in)`, `x = wrap32(sigma + bias)`,
//!   `new = relu ? max(x, 0) : x`.
//! - Delta: `new = wrap32(a_in << (spike_exp + state_exp))` (`a_in` is its input;
//!   Lava feeds it straight from a source, so it has no Dense exponent).
//! - Sigma: `sigma = wrap32(sigma + a_in)`, `send(sigma)`.
//!
//! `vth` and `bias` are Lava's effective values, already scaled by
//! `2^(spike_exp + state_exp)` on the host. A neuron spikes (count 1) when
//! its sent value is non-zero; the value is its payload (`s_out`).

use core::fmt;

use crate::model::NeuronModel;
use crate::rng::NeuronRng;

/// The Dense connection feeding a neuron: how its step sum becomes `a_in`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DenseInput {
    /// Exponent applied to the step's sum (Lava's `weight_exp`).
    pub weight_exp: i8,
    /// `num_message_bits > 0`: events are `weight * payload`, the sum is int32.
    pub graded: bool,
}

/// `x ash k` exactly, then wrapped to 32 bits (numpy's int32 shifts: a left
/// shift by 32 or more gives 0, a right shift gives 0 or -1).
fn ash_wrap32(x: i64, k: i32) -> i32 {
    let x = i128::from(x);
    let v = if k >= 0 {
        x << k.min(64)
    } else {
        x >> k.unsigned_abs().min(127)
    };
    v as i32
}

/// A Dense step sum (`i64`, wrapping) as the neuron's `a_in`.
pub fn dense_output(acc: i64, input: &DenseInput) -> i32 {
    let acc = if input.graded {
        i64::from(acc as i32)
    } else {
        acc
    };
    ash_wrap32(acc, i32::from(input.weight_exp))
}

/// The synaptic operation of a graded Dense: the int32 product of the
/// weight and the payload (numpy's int32 dot wraps; so does this).
pub fn graded_weight(w: i32, payload: i32) -> i32 {
    w.wrapping_mul(payload)
}

/// Fold one event into a Dense step sum (wrapping; the int32 wrap comes in [`dense_output`]).
#[inline]
fn fold(acc: &mut i64, weight: i32) {
    *acc = acc.wrapping_add(i64::from(weight));
}

/// `abs` on int32 as numpy computes it: `abs32(i32::MIN) == i32::MIN`.
fn abs32(x: i32) -> i32 {
    x.wrapping_abs()
}

/// The delta encoder's registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Encoder {
    /// Last activation sent through the encoder.
    pub act: i32,
    /// What was not sent.
    pub residue: i32,
    /// Cumulative error (only with `cum_error`).
    pub error: i32,
}

impl Encoder {
    /// Encode the new activation; returns `s` before the `state_exp` shift.
    pub fn encode(&mut self, new: i32, vth: i32, cum_error: bool) -> i32 {
        let delta = new.wrapping_sub(self.act).wrapping_add(self.residue);
        let s = if cum_error {
            self.error = self.error.wrapping_add(delta);
            let s = if abs32(self.error) >= vth { delta } else { 0 };
            if abs32(s) > 0 {
                self.error = 0;
            }
            s
        } else if abs32(delta) >= vth {
            delta
        } else {
            0
        };
        self.residue = delta.wrapping_sub(s);
        self.act = new;
        s
    }
}

/// Why a sigma-delta parameter set was rejected; names the parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SdParamError {
    /// `state_exp` outside 0..=31.
    StateExp(u8),
    /// `spike_exp + state_exp` outside 0..=31 (Lava raises on a negative shift).
    Exp(i32),
}

impl SdParamError {
    /// The parameter's name.
    pub fn field(&self) -> &'static str {
        match self {
            SdParamError::StateExp(_) => "state_exp",
            SdParamError::Exp(_) => "spike_exp",
        }
    }
}

impl fmt::Display for SdParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SdParamError::StateExp(x) => write!(f, "state_exp = {x} is outside 0..=31"),
            SdParamError::Exp(x) => {
                write!(f, "spike_exp + state_exp = {x} is outside 0..=31")
            }
        }
    }
}

fn check_exps(spike_exp: i32, state_exp: u8) -> Result<(), SdParamError> {
    if state_exp > 31 {
        return Err(SdParamError::StateExp(state_exp));
    }
    let e = spike_exp + i32::from(state_exp);
    if !(0..=31).contains(&e) {
        return Err(SdParamError::Exp(e));
    }
    Ok(())
}

/// Lava's `SigmaDelta` neuron.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigmaDelta;

/// Per-neuron `SigmaDelta` parameters (effective values, checked by [`SigmaDeltaParams::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SigmaDeltaParams {
    /// Effective threshold `trunc(vth · 2^(spike_exp + state_exp))`.
    pub vth: i32,
    /// Effective bias, scaled the same way.
    pub bias: i32,
    /// `act_mode = RELU` (else UNIT).
    pub relu: bool,
    /// Cumulative error mode.
    pub cum_error: bool,
    /// Right shift of the sent value, 0..=31.
    pub state_exp: u8,
    /// The Dense in front.
    pub input: DenseInput,
}

impl SigmaDeltaParams {
    /// Build and check (`spike_exp` only decides whether the shift is legal; the
    /// effective `vth` and `bias` already include it).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        vth: i32,
        bias: i32,
        relu: bool,
        cum_error: bool,
        spike_exp: i32,
        state_exp: u8,
        input: DenseInput,
    ) -> Result<Self, SdParamError> {
        check_exps(spike_exp, state_exp)?;
        Ok(SigmaDeltaParams {
            vth,
            bias,
            relu,
            cum_error,
            state_exp,
            input,
        })
    }
}

/// `SigmaDelta` registers, with the input and output port values of the last step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigmaDeltaState {
    /// The Dense output received (`a_in`).
    pub a_in: i32,
    /// Integrated input.
    pub sigma: i32,
    /// Encoder registers (`act`, `residue`, `error`).
    pub enc: Encoder,
    /// Value sent (`s >> state_exp`; 0 when silent).
    pub s_out: i32,
}

/// `s >> state_exp` and the spike count it means.
fn send(s: i32, state_exp: u8) -> (i32, u8) {
    (s >> state_exp.min(31), u8::from(s != 0))
}

impl NeuronModel for SigmaDelta {
    type Params = SigmaDeltaParams;
    type State = SigmaDeltaState;
    /// The Dense step sum (wrapping).
    type Acc = i64;

    const NAME: &'static str = "sigma_delta";
    const STATE_FIELDS: &'static [&'static str] =
        &["a_in", "sigma", "act", "residue", "error", "s_out"];
    const CHANNELS: u8 = 1;

    #[inline]
    fn accumulate(_p: &SigmaDeltaParams, acc: &mut i64, _channel: u8, weight: i32) {
        fold(acc, weight);
    }

    fn update(p: &SigmaDeltaParams, s: &mut SigmaDeltaState, acc: &i64, _: &mut NeuronRng) -> u8 {
        s.a_in = dense_output(*acc, &p.input);
        s.sigma = s.sigma.wrapping_add(s.a_in);
        let x = s.sigma.wrapping_add(p.bias);
        let new = if p.relu { x.max(0) } else { x };
        let (out, n) = send(s.enc.encode(new, p.vth, p.cum_error), p.state_exp);
        s.s_out = out;
        n
    }

    fn state_field(s: &SigmaDeltaState, i: usize) -> i64 {
        let v = [
            s.a_in,
            s.sigma,
            s.enc.act,
            s.enc.residue,
            s.enc.error,
            s.s_out,
        ];
        v.get(i).map_or(0, |&x| i64::from(x))
    }
}

/// Lava's `Delta` neuron (a delta encoder of its input).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delta;

/// Per-neuron `Delta` parameters (checked by [`DeltaParams::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeltaParams {
    /// Effective threshold.
    pub vth: i32,
    /// Cumulative error mode.
    pub cum_error: bool,
    /// Left shift of the input, `spike_exp + state_exp` (0..=31).
    pub exp: u8,
    /// Right shift of the sent value.
    pub state_exp: u8,
}

impl DeltaParams {
    /// Build and check.
    pub fn new(
        vth: i32,
        cum_error: bool,
        spike_exp: i32,
        state_exp: u8,
    ) -> Result<Self, SdParamError> {
        check_exps(spike_exp, state_exp)?;
        Ok(DeltaParams {
            vth,
            cum_error,
            exp: (spike_exp + i32::from(state_exp)) as u8,
            state_exp,
        })
    }
}

/// `Delta` registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeltaState {
    /// Encoder registers; `act` is the scaled input.
    pub enc: Encoder,
    /// Value sent.
    pub s_out: i32,
}

impl NeuronModel for Delta {
    type Params = DeltaParams;
    type State = DeltaState;
    /// The step's input sum (wrapping).
    type Acc = i64;

    const NAME: &'static str = "delta";
    const STATE_FIELDS: &'static [&'static str] = &["act", "residue", "error", "s_out"];
    const CHANNELS: u8 = 1;

    #[inline]
    fn accumulate(_p: &DeltaParams, acc: &mut i64, _channel: u8, weight: i32) {
        fold(acc, weight);
    }

    fn update(p: &DeltaParams, s: &mut DeltaState, acc: &i64, _: &mut NeuronRng) -> u8 {
        let new = ash_wrap32(i64::from(*acc as i32), i32::from(p.exp));
        let (out, n) = send(s.enc.encode(new, p.vth, p.cum_error), p.state_exp);
        s.s_out = out;
        n
    }

    fn state_field(s: &DeltaState, i: usize) -> i64 {
        let v = [s.enc.act, s.enc.residue, s.enc.error, s.s_out];
        v.get(i).map_or(0, |&x| i64::from(x))
    }
}

/// Lava's `Sigma` neuron (an integrator that sends its sum every step).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sigma;

/// `Sigma` registers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigmaState {
    /// The Dense output received.
    pub a_in: i32,
    /// Integrated input (also the value sent).
    pub sigma: i32,
}

impl NeuronModel for Sigma {
    /// Only the Dense in front.
    type Params = DenseInput;
    type State = SigmaState;
    type Acc = i64;

    const NAME: &'static str = "sigma";
    const STATE_FIELDS: &'static [&'static str] = &["a_in", "sigma", "s_out"];
    const CHANNELS: u8 = 1;

    #[inline]
    fn accumulate(_p: &DenseInput, acc: &mut i64, _channel: u8, weight: i32) {
        fold(acc, weight);
    }

    fn update(p: &DenseInput, s: &mut SigmaState, acc: &i64, _: &mut NeuronRng) -> u8 {
        s.a_in = dense_output(*acc, p);
        s.sigma = s.sigma.wrapping_add(s.a_in);
        u8::from(s.sigma != 0)
    }

    fn state_field(s: &SigmaState, i: usize) -> i64 {
        let v = [s.a_in, s.sigma, s.sigma];
        v.get(i).map_or(0, |&x| i64::from(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoder_thresholds_with_ge_and_keeps_residue() {
        let mut e = Encoder::default();
        assert_eq!(e.encode(39, 40, false), 0);
        assert_eq!(e.residue, 39);
        // 39 + 1 = 40 >= 40 fires the whole delta; the residue is cleared.
        assert_eq!(e.encode(40, 40, false), 40);
        assert_eq!((e.act, e.residue), (40, 0));
        // abs32(i32::MIN) is negative: never reaches the threshold.
        let mut e = Encoder::default();
        assert_eq!(e.encode(i32::MIN, 1, false), 0);
        assert_eq!(e.residue, i32::MIN);
    }

    #[test]
    fn dense_output_wraps_before_a_graded_shift() {
        let g = DenseInput {
            weight_exp: -1,
            graded: true,
        };
        let b = DenseInput { graded: false, ..g };
        let acc = (1i64 << 32) + 6;
        assert_eq!(dense_output(acc, &g), 3);
        assert_eq!(dense_output(acc, &b), ((acc >> 1) as i32));
        assert_eq!(ash_wrap32(5, 40), 0);
        assert_eq!(ash_wrap32(-5, -40), -1);
        assert_eq!(graded_weight(i32::MAX, 2), -2);
    }

    #[test]
    fn negative_total_exponent_is_rejected() {
        let e = DeltaParams::new(1, false, -3, 2).unwrap_err();
        assert_eq!((e, e.field()), (SdParamError::Exp(-1), "spike_exp"));
    }
}
