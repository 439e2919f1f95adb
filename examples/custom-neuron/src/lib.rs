//! # An adaptive-threshold LIF, brought to neurochip from outside
//!
//! The model (this file) is `#![no_std]` integer code against the firmware's
//! [`NeuronModel`] trait: what a core would run. With the `host` feature (on by default)
//! [`mapping`] adds what the mapper needs (quantising a population's parameter table), and
//! `src/main.rs` registers the model and runs a network on a preset — without a line of
//! neurochip itself naming this model.
//!
//! # Exact semantics (one step, all integers, `b = bits` clamped to 16..=32)
//!
//! With `decay12(x, d) = trunc_toward_zero(x·(4096 − d)/4096)` and `sat` the clamp to the
//! signed `b`-bit range:
//!
//! 1. `v' = sat(decay12(v, v_decay) + input)` — leak toward 0, then the step's input
//!    (the accumulator: the saturating i32 sum of the step's weights);
//! 2. `a' = decay12(a, a_decay)` — the threshold adaptation relaxes;
//! 3. if `v' >= theta + a'`: spike, `v = v_reset`, `a = sat(a' + beta)`; else `v = v'`,
//!    `a = a'`.
//!
//! Every firing raises the threshold by `beta`, which decays back with `a_decay`: a
//! driven neuron fires fast, then slower (spike-frequency adaptation).
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "host")]
extern crate std;

#[cfg(feature = "host")]
pub mod mapping;

use core::fmt;

use neurochip_firmware::fixed::{decay12, max_of, min_of, sat};
use neurochip_firmware::{NeuronModel, NeuronRng, StateBits};

/// The model (a unit type: per-neuron data lives in [`AlifParams`] and [`AlifState`]).
#[derive(Clone, Copy, Debug)]
pub struct AdaptiveLif;

/// Per-neuron parameters, in the model's integer units (LSBs of the potential).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlifParams {
    /// Register width, 16..=32 (`core.state_bits`).
    pub bits: u8,
    /// 12-bit leak of `v` toward 0 (0 = none, 4096 = reset each step).
    pub v_decay: u16,
    /// 12-bit decay of the adaptation `a`.
    pub a_decay: u16,
    /// Base threshold, > 0.
    pub theta: i32,
    /// Threshold increase per spike, >= 0.
    pub beta: i32,
    /// Potential after a spike, below `theta`.
    pub v_reset: i32,
}

/// Per-neuron state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AlifState {
    /// Membrane potential.
    pub v: i32,
    /// Threshold adaptation (added to `theta`).
    pub a: i32,
}

/// Why a parameter set was refused; names the parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlifParamError {
    /// `bits` outside 16..=32.
    Bits(u8),
    /// A decay above 4096 (`v_decay`, `a_decay`).
    Decay(&'static str, u16),
    /// A value outside the register width or its own rule (`theta`, `beta`, `v_reset`).
    Value(&'static str, i32),
}

impl AlifParamError {
    /// The parameter's name.
    pub fn field(&self) -> &'static str {
        match self {
            AlifParamError::Bits(_) => "bits",
            AlifParamError::Decay(f, _) | AlifParamError::Value(f, _) => f,
        }
    }
}

impl fmt::Display for AlifParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AlifParamError::Bits(b) => write!(f, "{b} is outside 16..=32"),
            AlifParamError::Decay(_, d) => write!(f, "{d} is outside 0..=4096"),
            AlifParamError::Value(name, x) => match name {
                "theta" => write!(f, "{x} must be > 0 and fit the register"),
                "beta" => write!(f, "{x} must be >= 0 and fit the register"),
                _ => write!(f, "{x} must fit the register and be below theta"),
            },
        }
    }
}

impl AlifParams {
    /// Check every field; only checked parameters keep the state in its width.
    pub fn checked(self) -> Result<Self, AlifParamError> {
        if !AdaptiveLif::STATE_BITS.contains(u32::from(self.bits)) {
            return Err(AlifParamError::Bits(self.bits));
        }
        for (name, d) in [("v_decay", self.v_decay), ("a_decay", self.a_decay)] {
            if d > 4096 {
                return Err(AlifParamError::Decay(name, d));
            }
        }
        let b = u32::from(self.bits);
        let fits = |x: i32| (min_of(b)..=max_of(b)).contains(&i64::from(x));
        if self.theta <= 0 || !fits(self.theta) {
            return Err(AlifParamError::Value("theta", self.theta));
        }
        if self.beta < 0 || !fits(self.beta) {
            return Err(AlifParamError::Value("beta", self.beta));
        }
        if !fits(self.v_reset) || self.v_reset >= self.theta {
            return Err(AlifParamError::Value("v_reset", self.v_reset));
        }
        Ok(self)
    }

    /// The width used: `bits` clamped to 16..=32, so unchecked parameters cannot panic.
    #[inline]
    pub fn width(&self) -> u32 {
        u32::from(self.bits).clamp(AdaptiveLif::STATE_BITS.min, AdaptiveLif::STATE_BITS.max)
    }
}

impl NeuronModel for AdaptiveLif {
    type Params = AlifParams;
    type State = AlifState;
    type Acc = i32;

    const NAME: &'static str = "adaptive_lif";
    const STATE_FIELDS: &'static [&'static str] = &["v", "a"];
    const CHANNELS: u8 = 1;
    const STATE_BITS: StateBits = StateBits { min: 16, max: 32 };

    #[inline]
    fn accumulate(_p: &AlifParams, acc: &mut i32, _channel: u8, weight: i32) {
        *acc = acc.saturating_add(weight);
    }

    #[inline]
    fn update(p: &AlifParams, s: &mut AlifState, input: &i32, _rng: &mut NeuronRng) -> u8 {
        let b = p.width();
        let v = sat(
            decay12(i64::from(s.v), u32::from(p.v_decay)) + i64::from(*input),
            b,
        );
        let a = decay12(i64::from(s.a), u32::from(p.a_decay));
        if v >= i64::from(p.theta) + a {
            s.v = sat(i64::from(p.v_reset), b) as i32;
            s.a = sat(a + i64::from(p.beta), b) as i32;
            1
        } else {
            s.v = v as i32;
            s.a = a as i32;
            0
        }
    }

    fn state_field(s: &AlifState, i: usize) -> i64 {
        match i {
            0 => i64::from(s.v),
            1 => i64::from(s.a),
            _ => 0,
        }
    }

    #[inline]
    fn is_idle(p: &AlifParams, s: &AlifState, input: &i32) -> bool {
        // decay12(0) = 0 and theta > 0: nothing changes and nothing fires.
        *input == 0 && s.v == 0 && s.a == 0 && p.theta > 0
    }
}
