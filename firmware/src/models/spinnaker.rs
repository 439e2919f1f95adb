//! sPyNNaker's current-based LIF with exponential synapses, in s16.15
//! (`neuron_model_lif_impl.h`, `synapse_types_exponential_impl.h`; see
//! `reference/spinnaker/README.md`).
//!
//! # Exact integer semantics of one step
//!
//! Every register is an s16.15 `accum` held as its raw `i32` bits
//! (LSB = 2^-15), non-saturating (wrapping) like GCC's `accum` on the ARM968.
//! `mul(a, b) = (a·b) >> 15` ([`crate::fixed::mul_s1615`]) and
//! `decay(x, d) = (x·d) >> 32` with `d` an unsigned 0.32 fraction
//! ([`crate::fixed::mul_s1615_u032`]); both shift arithmetically (floor).
//! With `ring[k]` this step's 16-bit ring-buffer entry of synapse type `k`
//! (0 excitatory, 1 inhibitory):
//!
//! 1. **add**: `syn_k += decay(ring[k] << weight_shift[k], syn_init[k])`;
//! 2. **use**: `I = i_exc - i_inh + i_offset`; if `refractory <= 0`:
//!    `alpha = mul(I, r_membrane) + v_rest`, `v = alpha - mul(exp_tc, alpha - v)`
//!    (the exact solution for constant `I`); else `refractory -= 1`.
//!    Then if `v >= v_thresh`: `v = v_reset`, `refractory = t_refract`, spike;
//! 3. **decay**: `syn_k = decay(syn_k, syn_decay[k])`.
//!
//! Ring-buffer entries are unsigned 16-bit and saturate at `0xFFFF`
//! ([`ring_add`]); the sign of a weight comes from its synapse type.

use core::fmt;

use crate::fixed::{mul_s1615, mul_s1615_u032, s1615_from_f64, u032_from_f64, S1615};
use crate::model::{NeuronModel, StateBits};
use crate::rng::NeuronRng;

/// The sPyNNaker LIF (`IF_curr_exp`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpinnakerLif;

/// Per-neuron parameters as sPyNNaker writes them to SDRAM (s16.15 raw bits,
/// u0.32 decay fractions, integer steps).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpinnakerParams {
    /// Resting potential (mV, s16.15).
    pub v_rest: i32,
    /// Reset potential (mV, s16.15).
    pub v_reset: i32,
    /// Threshold (mV, s16.15).
    pub v_thresh: i32,
    /// Membrane resistance `tau_m / c_m` (MΩ, s16.15).
    pub r_membrane: i32,
    /// `exp(-dt / tau_m)` (s16.15).
    pub exp_tc: i32,
    /// Constant input current (nA, s16.15).
    pub i_offset: i32,
    /// Refractory steps, `ceil(t_ref / dt)`.
    pub t_refract: i32,
    /// `exp(-dt / tau_syn)` per synapse type (u0.32).
    pub syn_decay: [u32; 2],
    /// `(tau_syn / dt)·(1 - exp(-dt / tau_syn))` per synapse type (u0.32).
    pub syn_init: [u32; 2],
    /// Left shift of a 16-bit ring-buffer weight into s16.15, per synapse type (0..=15).
    pub weight_shift: [u8; 2],
}

/// Why a SpiNNaker parameter set was rejected; names the parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SpinnakerParamError {
    /// A value is NaN or infinite.
    NotFinite(&'static str, f64),
    /// A time constant, capacitance or `dt` is not strictly positive (or `t_ref` negative).
    NotPositive(&'static str, f64),
    /// A value does not fit s16.15 (|x| < 65536).
    OutOfRange(&'static str, f64),
    /// A weight shift above 15.
    WeightShift(usize, u8),
}

impl SpinnakerParamError {
    /// The parameter's name, for error paths.
    pub fn field(&self) -> &'static str {
        match *self {
            SpinnakerParamError::NotFinite(n, _)
            | SpinnakerParamError::NotPositive(n, _)
            | SpinnakerParamError::OutOfRange(n, _) => n,
            SpinnakerParamError::WeightShift(..) => "weight_shift",
        }
    }
}

impl fmt::Display for SpinnakerParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SpinnakerParamError::NotFinite(n, x) => {
                write!(f, "spinnaker_lif {n} = {x} is not a finite number")
            }
            SpinnakerParamError::NotPositive(n, x) => {
                write!(f, "spinnaker_lif {n} = {x} must be positive")
            }
            SpinnakerParamError::OutOfRange(n, x) => {
                write!(
                    f,
                    "spinnaker_lif {n} = {x} does not fit s16.15 (|x| < 65536)"
                )
            }
            SpinnakerParamError::WeightShift(k, s) => {
                write!(f, "spinnaker_lif weight_shift[{k}] = {s} is outside 0..=15")
            }
        }
    }
}

/// `e^x` for `x <= 0` to full f64 precision (`exp` is not in `core`):
/// `x = k·ln2 + r`, `|r| <= ln2/2`, Taylor series of `e^r`, then `· 2^k`.
fn exp_neg(x: f64) -> f64 {
    if x >= 0.0 {
        return 1.0;
    }
    if x < -700.0 {
        return 0.0;
    }
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let kf = x / core::f64::consts::LN_2;
    let k = (if kf < 0.0 { kf - 0.5 } else { kf + 0.5 }) as i64;
    let r = (x - k as f64 * LN2_HI) - k as f64 * LN2_LO;
    let (mut term, mut sum) = (1.0f64, 1.0f64);
    for n in 1..=24 {
        term *= r / n as f64;
        sum += term;
    }
    // k in -1010..=0 here: scale by halving (exact in binary floating point).
    for _ in 0..(-k) {
        sum *= 0.5;
    }
    sum
}

/// `ceil(q)` for `0 <= q < 2^31` (`ceil` is not in `core`).
fn ceil_pos(q: f64) -> i32 {
    let n = q as i64;
    let n = if (n as f64) < q { n + 1 } else { n };
    n.clamp(0, i64::from(i32::MAX)) as i32
}

impl SpinnakerParams {
    /// Convert physical parameters as sPyNNaker's host tools do (mV, nF,
    /// nA, ms); weight shifts start at 0 (see [`SpinnakerParams::with_weight_shift`]).
    #[allow(clippy::too_many_arguments)]
    pub fn from_physical(
        tau_m_ms: f64,
        c_m_nf: f64,
        v_rest: f64,
        v_reset: f64,
        v_thresh: f64,
        tau_syn_e: f64,
        tau_syn_i: f64,
        t_ref_ms: f64,
        i_offset: f64,
        dt_ms: f64,
    ) -> Result<Self, SpinnakerParamError> {
        let all = [
            ("tau_m_ms", tau_m_ms),
            ("c_m_nf", c_m_nf),
            ("v_rest", v_rest),
            ("v_reset", v_reset),
            ("v_thresh", v_thresh),
            ("tau_syn_e", tau_syn_e),
            ("tau_syn_i", tau_syn_i),
            ("t_ref_ms", t_ref_ms),
            ("i_offset", i_offset),
            ("dt_ms", dt_ms),
        ];
        for &(n, x) in &all {
            if !x.is_finite() {
                return Err(SpinnakerParamError::NotFinite(n, x));
            }
        }
        for &(n, x) in &[
            ("tau_m_ms", tau_m_ms),
            ("c_m_nf", c_m_nf),
            ("tau_syn_e", tau_syn_e),
            ("tau_syn_i", tau_syn_i),
            ("dt_ms", dt_ms),
        ] {
            if x <= 0.0 {
                return Err(SpinnakerParamError::NotPositive(n, x));
            }
        }
        if t_ref_ms < 0.0 {
            return Err(SpinnakerParamError::NotPositive("t_ref_ms", t_ref_ms));
        }
        let r = tau_m_ms / c_m_nf;
        let q = |n: &'static str, x: f64| {
            if x.abs() < 65536.0 {
                Ok(s1615_from_f64(x).to_bits())
            } else {
                Err(SpinnakerParamError::OutOfRange(n, x))
            }
        };
        let refr = t_ref_ms / dt_ms;
        if refr >= 2_147_483_647.0 {
            return Err(SpinnakerParamError::OutOfRange("t_ref_ms", t_ref_ms));
        }
        let syn = |tau: f64| {
            let d = exp_neg(-dt_ms / tau);
            (u032_from_f64(d), u032_from_f64((tau / dt_ms) * (1.0 - d)))
        };
        let (de, ie) = syn(tau_syn_e);
        let (di, ii) = syn(tau_syn_i);
        Ok(SpinnakerParams {
            v_rest: q("v_rest", v_rest)?,
            v_reset: q("v_reset", v_reset)?,
            v_thresh: q("v_thresh", v_thresh)?,
            r_membrane: q("r_membrane (tau_m_ms / c_m_nf)", r)?,
            exp_tc: q("exp_tc", exp_neg(-dt_ms / tau_m_ms))?,
            i_offset: q("i_offset", i_offset)?,
            t_refract: ceil_pos(refr),
            syn_decay: [de, di],
            syn_init: [ie, ii],
            weight_shift: [0, 0],
        })
    }

    /// Set the per-type weight shifts (ring-buffer LSB = 2^(shift - 15) nA).
    pub fn with_weight_shift(mut self, shift: [u8; 2]) -> Result<Self, SpinnakerParamError> {
        for (k, &s) in shift.iter().enumerate() {
            if s > 15 {
                return Err(SpinnakerParamError::WeightShift(k, s));
            }
        }
        self.weight_shift = shift;
        Ok(self)
    }
}

/// Add weight `w` into a 16-bit ring-buffer entry, saturating at `0xFFFF`;
/// returns true when it saturated (what sPyNNaker's saturation counter counts).
#[inline]
pub fn ring_add(acc: &mut u16, w: u16) -> bool {
    match acc.checked_add(w) {
        Some(s) => {
            *acc = s;
            false
        }
        None => {
            *acc = u16::MAX;
            true
        }
    }
}

/// SpiNNaker neuron registers (s16.15 raw bits; `refractory` in steps).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpinnakerState {
    /// Membrane potential.
    pub v: i32,
    /// Excitatory synaptic current (≥ 0).
    pub i_exc: i32,
    /// Inhibitory synaptic current (≥ 0, subtracted).
    pub i_inh: i32,
    /// Refractory timer.
    pub refractory: i32,
}

#[inline]
fn s(x: i32) -> S1615 {
    S1615::from_bits(x)
}

impl NeuronModel for SpinnakerLif {
    type Params = SpinnakerParams;
    type State = SpinnakerState;
    /// The two 16-bit ring-buffer entries (excitatory, inhibitory) of one step.
    type Acc = [u16; 2];

    const NAME: &'static str = "spinnaker_lif";
    const STATE_FIELDS: &'static [&'static str] = &["v", "i_exc", "i_inh", "refractory"];
    const CHANNELS: u8 = 2;
    const STATE_BITS: StateBits = StateBits::exactly(32);

    /// `weight` is the unsigned 16-bit ring-buffer weight: values above
    /// `0xFFFF` saturate, negative values are read as the raw 16-bit pattern
    /// (what a sign-extending decode of a 16-bit field returns). Channels
    /// other than 0 and 1 are ignored.
    #[inline]
    fn accumulate(_p: &SpinnakerParams, acc: &mut [u16; 2], channel: u8, weight: i32) {
        let w = if weight < 0 {
            weight as u16
        } else {
            weight.min(0xFFFF) as u16
        };
        if let Some(a) = acc.get_mut(usize::from(channel)) {
            ring_add(a, w);
        }
    }

    #[inline]
    fn accumulate_checked(
        _p: &SpinnakerParams,
        acc: &mut [u16; 2],
        channel: u8,
        weight: i32,
    ) -> bool {
        let w = if weight < 0 {
            weight as u16
        } else {
            weight.min(0xFFFF) as u16
        };
        match acc.get_mut(usize::from(channel)) {
            Some(a) => ring_add(a, w) || weight > 0xFFFF,
            None => false,
        }
    }

    #[inline]
    fn update(
        p: &SpinnakerParams,
        st: &mut SpinnakerState,
        input: &[u16; 2],
        _rng: &mut NeuronRng,
    ) -> u8 {
        let shift = |k: usize| u32::from(p.weight_shift[k].min(15));
        let add =
            |k: usize| mul_s1615_u032(s(i32::from(input[k]) << shift(k)), p.syn_init[k]).to_bits();
        st.i_exc = st.i_exc.wrapping_add(add(0));
        st.i_inh = st.i_inh.wrapping_add(add(1));
        let i = st.i_exc.wrapping_sub(st.i_inh).wrapping_add(p.i_offset);
        if st.refractory <= 0 {
            let alpha = mul_s1615(s(i), s(p.r_membrane))
                .to_bits()
                .wrapping_add(p.v_rest);
            st.v =
                alpha.wrapping_sub(mul_s1615(s(p.exp_tc), s(alpha.wrapping_sub(st.v))).to_bits());
        } else {
            st.refractory -= 1;
        }
        let spike = st.v >= p.v_thresh;
        if spike {
            st.v = p.v_reset;
            st.refractory = p.t_refract;
        }
        st.i_exc = mul_s1615_u032(s(st.i_exc), p.syn_decay[0]).to_bits();
        st.i_inh = mul_s1615_u032(s(st.i_inh), p.syn_decay[1]).to_bits();
        u8::from(spike)
    }

    fn state_field(st: &SpinnakerState, i: usize) -> i64 {
        match i {
            0 => i64::from(st.v),
            1 => i64::from(st.i_exc),
            2 => i64::from(st.i_inh),
            3 => i64::from(st.refractory),
            _ => 0,
        }
    }

    /// Idle at rest: no input, no current, no offset, not refractory, `v == v_rest < v_thresh`.
    #[inline]
    fn is_idle(p: &SpinnakerParams, st: &SpinnakerState, input: &[u16; 2]) -> bool {
        *input == [0, 0]
            && st.i_exc == 0
            && st.i_inh == 0
            && p.i_offset == 0
            && st.refractory <= 0
            && st.v == p.v_rest
            && st.v < p.v_thresh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_known_values() {
        let e = exp_neg(-1.0 / 20.0);
        assert!((e - 0.951_229_424_500_714).abs() < 1e-15);
        assert!((exp_neg(-5.0) - 0.006_737_946_999_085_467).abs() < 1e-17);
        assert_eq!(exp_neg(0.0), 1.0);
        assert_eq!(ceil_pos(2.0), 2);
        assert_eq!(ceil_pos(2.0000001), 3);
    }

    #[test]
    fn physical_conversion_and_errors() {
        let p =
            SpinnakerParams::from_physical(20.0, 1.0, -65.0, -70.0, -50.0, 5.0, 5.0, 2.0, 0.0, 1.0)
                .unwrap();
        assert_eq!(p.v_rest, -65 << 15);
        assert_eq!(p.r_membrane, 20 << 15);
        assert_eq!(p.t_refract, 2);
        assert_eq!(p.exp_tc, 31170); // round(0.951229 * 32768)
        let e = SpinnakerParams::from_physical(0.0, 1.0, 0.0, 0.0, 1.0, 5.0, 5.0, 2.0, 0.0, 1.0)
            .unwrap_err();
        assert_eq!(e.field(), "tau_m_ms");
        assert!(p.with_weight_shift([16, 0]).is_err());
    }

    #[test]
    fn ring_saturates_and_reports() {
        let mut a = 0xFFF0u16;
        assert!(!ring_add(&mut a, 0xF));
        assert_eq!(a, 0xFFFF);
        assert!(ring_add(&mut a, 1));
        assert_eq!(a, 0xFFFF);
    }
}
