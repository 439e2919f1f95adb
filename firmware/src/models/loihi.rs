//! Loihi current-based LIF, bit-exact with Lava 0.10's `PyLifModelBitAcc`
//! and `PyDenseModelBitAcc` (see `reference/loihi/README.md`).
//!
//! The one-step delay of Lava's Dense process is NOT inside the model: the
//! caller passes, at step `t`, the accumulator of the spikes of step `t - 1`
//! (on chip that is the network's natural one-step latency).

use core::fmt;

use crate::fixed::{decay12, scale_exp};
use crate::model::{NeuronModel, StateBits};
use crate::rng::NeuronRng;

/// `2^23`: the 24-bit state registers' half range.
const HALF: i64 = 1 << 23;

/// The Loihi CUBA LIF compartment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoihiCubaLif;

/// Per-neuron Loihi parameters in register units (checked by [`LoihiParams::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoihiParams {
    /// Current decay, 0..=4095 (the datapath decays by `du + 1`).
    pub du: u16,
    /// Voltage decay, 0..=4095 (0 = no leak).
    pub dv: u16,
    /// Threshold already scaled to the voltage register: `vth << 6`.
    pub eff_vth: i64,
    /// Bias mantissa, 13-bit signed.
    pub bias_mant: i32,
    /// Bias exponent (negative = right shift).
    pub bias_exp: i32,
    /// Exponent applied to the SUM of a step's effective weights.
    pub weight_exp: i32,
}

/// Why a Loihi parameter set was rejected; names the parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoihiParamError {
    /// `du` outside 0..=4095.
    Du(u16),
    /// `dv` outside 0..=4095.
    Dv(u16),
    /// `vth` outside 0..=131071.
    Vth(i64),
    /// `bias_mant` outside the 13-bit signed range -4096..=4095.
    BiasMant(i32),
    /// `bias_exp` outside -24..=24.
    BiasExp(i32),
    /// `weight_exp` outside -24..=24.
    WeightExp(i32),
}

impl LoihiParamError {
    /// The parameter's name as in Lava and in trace files, for error paths.
    pub fn field(&self) -> &'static str {
        match self {
            LoihiParamError::Du(_) => "du",
            LoihiParamError::Dv(_) => "dv",
            LoihiParamError::Vth(_) => "vth",
            LoihiParamError::BiasMant(_) => "bias_mant",
            LoihiParamError::BiasExp(_) => "bias_exp",
            LoihiParamError::WeightExp(_) => "weight_exp",
        }
    }
}

impl fmt::Display for LoihiParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.field();
        match *self {
            LoihiParamError::Du(x) | LoihiParamError::Dv(x) => {
                write!(f, "{name} = {x} is outside 0..=4095")
            }
            LoihiParamError::Vth(x) => write!(f, "{name} = {x} is outside 0..=131071"),
            LoihiParamError::BiasMant(x) => write!(f, "{name} = {x} is outside -4096..=4095"),
            LoihiParamError::BiasExp(x) | LoihiParamError::WeightExp(x) => {
                write!(f, "{name} = {x} is outside -24..=24")
            }
        }
    }
}

impl LoihiParams {
    /// Build and check parameters; `vth` is the unscaled Lava threshold.
    pub fn new(
        du: u16,
        dv: u16,
        vth: i64,
        bias_mant: i32,
        bias_exp: i32,
        weight_exp: i32,
    ) -> Result<Self, LoihiParamError> {
        if du > 4095 {
            return Err(LoihiParamError::Du(du));
        }
        if dv > 4095 {
            return Err(LoihiParamError::Dv(dv));
        }
        if !(0..=131_071).contains(&vth) {
            return Err(LoihiParamError::Vth(vth));
        }
        if !(-4096..=4095).contains(&bias_mant) {
            return Err(LoihiParamError::BiasMant(bias_mant));
        }
        if !(-24..=24).contains(&bias_exp) {
            return Err(LoihiParamError::BiasExp(bias_exp));
        }
        if !(-24..=24).contains(&weight_exp) {
            return Err(LoihiParamError::WeightExp(weight_exp));
        }
        Ok(LoihiParams {
            du,
            dv,
            eff_vth: vth << 6,
            bias_mant,
            bias_exp,
            weight_exp,
        })
    }

    /// `bias_mant` scaled by `bias_exp`, recomputed every step as Lava does.
    pub fn effective_bias(&self) -> i64 {
        scale_exp(i64::from(self.bias_mant), self.bias_exp)
    }

    /// The activation `a_in` the neuron sees for an accumulated weight sum:
    /// the exponent scales the SUM (arithmetic shift for negative exponents).
    pub fn activation(&self, acc: i64) -> i64 {
        scale_exp(acc, self.weight_exp)
    }
}

/// The two 24-bit registers of a compartment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoihiState {
    /// Synaptic current, in (-2^23, 2^23].
    pub u: i32,
    /// Membrane voltage, in [-(2^23 - 1), 2^23 - 1].
    pub v: i32,
}

/// Lava's current wrap: one conditional `±2^24` bringing `u'` into
/// `(-2^23, 2^23]`. Done modulo `2^24` so even an input Lava never produces
/// stays in range; identical to the single conditional wrap wherever that
/// suffices. (Wrapping i64 subtraction keeps the residue since 2^24 | 2^64.)
fn wrap_u(x: i64) -> i64 {
    let lo = -HALF + 1;
    x.wrapping_sub(lo).rem_euclid(1 << 24) + lo
}

impl NeuronModel for LoihiCubaLif {
    type Params = LoihiParams;
    type State = LoihiState;
    /// Sum of the effective weights of one step, unsaturated.
    type Acc = i64;

    const NAME: &'static str = "loihi_cuba_lif";
    const STATE_FIELDS: &'static [&'static str] = &["u", "v"];
    const CHANNELS: u8 = 1;
    const STATE_BITS: StateBits = StateBits::exactly(24);

    #[inline]
    fn accumulate(_params: &LoihiParams, acc: &mut i64, _channel: u8, weight: i32) {
        *acc = acc.wrapping_add(i64::from(weight));
    }

    fn update(
        params: &LoihiParams,
        state: &mut LoihiState,
        input: &i64,
        _rng: &mut NeuronRng,
    ) -> u8 {
        let a_in = params.activation(*input);
        let u = decay12(i64::from(state.u), u32::from(params.du) + 1)
            .saturating_add(scale_exp(a_in, 6));
        let u = wrap_u(u);
        let v = decay12(i64::from(state.v), u32::from(params.dv))
            .saturating_add(u)
            .saturating_add(params.effective_bias())
            .clamp(-(HALF - 1), HALF - 1);
        state.u = u as i32;
        if v > params.eff_vth {
            state.v = 0;
            1
        } else {
            state.v = v as i32;
            0
        }
    }

    fn state_field(state: &LoihiState, i: usize) -> i64 {
        match i {
            0 => i64::from(state.u),
            1 => i64::from(state.v),
            _ => 0,
        }
    }

    fn is_idle(params: &LoihiParams, state: &LoihiState, input: &i64) -> bool {
        *input == 0 && state.u == 0 && state.v == 0 && params.effective_bias() == 0
    }
}

/// How Lava's Dense process classified a weight matrix; it decides the clip
/// range and whether one extra low bit is dropped (the sign bit of a mixed matrix).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignMode {
    /// Both signs present.
    Mixed,
    /// All weights >= 0 (also an all-zero matrix).
    Excitatory,
    /// All weights <= 0, at least one negative.
    Inhibitory,
}

/// One weight after Lava's Dense pre-processing: clip to the mode's 8-bit
/// range, then drop `8 - num_weight_bits (+1 if mixed)` low bits (floor for
/// excitatory/mixed, toward zero for inhibitory). `num_weight_bits` is
/// clamped to 1..=8.
pub fn effective_weight(w: i32, mode: SignMode, num_weight_bits: u32) -> i32 {
    let nwb = num_weight_bits.clamp(1, 8);
    let n = 8 - nwb + u32::from(mode == SignMode::Mixed);
    match mode {
        SignMode::Mixed => (w.clamp(-256, 255) >> n) << n,
        SignMode::Excitatory => (w.clamp(0, 255) >> n) << n,
        SignMode::Inhibitory => -(((-w.clamp(-255, 0)) >> n) << n),
    }
}

/// Lava's Dense pre-processing of a whole matrix: detect the sign mode over
/// all of `w`, then write [`effective_weight`] of each entry to `out`
/// (only the first `min(w.len(), out.len())` entries are written).
pub fn dense_effective_weights(w: &[i32], num_weight_bits: u32, out: &mut [i32]) -> SignMode {
    let mode = if w.iter().all(|&x| x >= 0) {
        SignMode::Excitatory
    } else if w.iter().all(|&x| x <= 0) {
        SignMode::Inhibitory
    } else {
        SignMode::Mixed
    };
    for (o, &x) in out.iter_mut().zip(w) {
        *o = effective_weight(x, mode, num_weight_bits);
    }
    mode
}
