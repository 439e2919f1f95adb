//! The TrueNorth neuron (Cassidy et al., IJCNN 2013; Merolla et al., Science
//! 2014; see `reference/truenorth/README.md`).
//!
//! # Exact integer semantics of one tick
//!
//! `V` is a 20-bit signed register, saturated to `[-2^19, 2^19 - 1]` after
//! every addition. `sign(0) = 0`; `F(s, ρ) = (|s| >= ρ)` with `ρ` a fresh
//! 8-bit draw ([`NeuronRng::next_u8`]). The accumulator holds, per axon type
//! `G`, how many active axons with a set crossbar bit reached the neuron.
//!
//! 1. **integrate**, types `G = 0..4` in order, each of the `n[G]` events:
//!    `V += b[G] ? sign(s[G])·F(s[G], ρ) : s[G]` (one draw per event when
//!    stochastic; the deterministic case adds `n[G]·s[G]` at once, which is
//!    the same because all terms share a sign).
//! 2. **leak**: `Ω = ε ? sign(V) : 1`; `V += Ω·(c ? sign(λ)·F(λ, ρ) : λ)`
//!    (one draw if `c`).
//! 3. **threshold**: `η = ρ & M` (one draw if `M != 0`, else `η = 0`);
//!    if `V >= α + η`: spike and `V = R` (γ = 0), `V - (α + η)` (γ = 1) or
//!    `V` (γ = 2); else if `V < -(β·κ + (β + η)·(1 - κ))`:
//!    `V = -β` (κ = 1), else `-R`, `V + (β + η)` or `V` for γ = 0, 1, 2.
//!
//! Draws are taken in exactly that order from the neuron's keyed stream, so
//! a run is reproducible from the seed (TrueNorth promises the same
//! one-to-one equivalence between its simulator and the silicon).
//! Simplification: the hardware integrates axon by axon in axon order; the
//! accumulator only keeps per-type counts, so types are integrated in type
//! order. The result is identical unless `V` reaches a saturation bound
//! mid-integration.

use core::fmt;

use crate::fixed::sat;
use crate::model::{NeuronModel, StateBits};
use crate::rng::NeuronRng;

/// Width of the membrane register.
pub const V_BITS: u32 = 20;
const V_MIN: i64 = -(1 << (V_BITS - 1));
const V_MAX: i64 = (1 << (V_BITS - 1)) - 1;

/// The TrueNorth neuron.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrueNorth;

/// Per-neuron TrueNorth parameters (checked by [`TrueNorthParams::checked`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrueNorthParams {
    /// Weight `s[G]` per axon type, 9-bit signed (-256..=255).
    pub weights: [i16; 4],
    /// Stochastic-synapse flag `b[G]` per axon type.
    pub stochastic_syn: [bool; 4],
    /// Leak `λ`, 9-bit signed (-256..=255).
    pub leak: i16,
    /// Stochastic leak `c`.
    pub stochastic_leak: bool,
    /// Leak reversal `ε` (leak toward 0 instead of always in `λ`'s direction).
    pub leak_reversal: bool,
    /// Positive threshold `α` (0..=2^19 - 1).
    pub alpha: i32,
    /// Negative threshold magnitude `β` (0..=2^19 - 1).
    pub beta: i32,
    /// Threshold PRN mask `M`.
    pub mask: u8,
    /// Reset value `R` (in the 20-bit range).
    pub reset: i32,
    /// Reset mode `γ`: 0 = to `R`, 1 = linear (subtract threshold), 2 = none.
    pub gamma: u8,
    /// Negative-floor mode `κ`: 1 = saturate at `-β`, 0 = reset below `-(β + η)`.
    pub kappa: u8,
}

impl Default for TrueNorthParams {
    /// Deterministic neuron, zero weights, threshold 1, resets to 0, floor at 0.
    fn default() -> Self {
        TrueNorthParams {
            weights: [0; 4],
            stochastic_syn: [false; 4],
            leak: 0,
            stochastic_leak: false,
            leak_reversal: false,
            alpha: 1,
            beta: 0,
            mask: 0,
            reset: 0,
            gamma: 0,
            kappa: 1,
        }
    }
}

/// Why a TrueNorth parameter set was rejected; names the parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrueNorthParamError {
    /// `weights[G]` outside -256..=255.
    Weight(usize, i16),
    /// `leak` outside -256..=255.
    Leak(i16),
    /// `alpha` outside 0..=2^19 - 1.
    Alpha(i32),
    /// `beta` outside 0..=2^19 - 1.
    Beta(i32),
    /// `reset` outside the 20-bit signed range.
    Reset(i32),
    /// `gamma` not 0, 1 or 2.
    Gamma(u8),
    /// `kappa` not 0 or 1.
    Kappa(u8),
}

impl TrueNorthParamError {
    /// The parameter's name, for error paths.
    pub fn field(&self) -> &'static str {
        match self {
            TrueNorthParamError::Weight(..) => "weights",
            TrueNorthParamError::Leak(_) => "leak",
            TrueNorthParamError::Alpha(_) => "alpha",
            TrueNorthParamError::Beta(_) => "beta",
            TrueNorthParamError::Reset(_) => "reset",
            TrueNorthParamError::Gamma(_) => "gamma",
            TrueNorthParamError::Kappa(_) => "kappa",
        }
    }
}

impl fmt::Display for TrueNorthParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.field();
        match *self {
            TrueNorthParamError::Weight(g, w) => {
                write!(f, "truenorth {n}[{g}] = {w} is outside -256..=255")
            }
            TrueNorthParamError::Leak(x) => write!(f, "truenorth {n} = {x} is outside -256..=255"),
            TrueNorthParamError::Alpha(x) | TrueNorthParamError::Beta(x) => {
                write!(f, "truenorth {n} = {x} is outside 0..=524287")
            }
            TrueNorthParamError::Reset(x) => {
                write!(f, "truenorth {n} = {x} is outside -524288..=524287")
            }
            TrueNorthParamError::Gamma(x) => write!(f, "truenorth {n} = {x} is not 0, 1 or 2"),
            TrueNorthParamError::Kappa(x) => write!(f, "truenorth {n} = {x} is not 0 or 1"),
        }
    }
}

impl TrueNorthParams {
    /// Check every field against its hardware width.
    pub fn checked(self) -> Result<Self, TrueNorthParamError> {
        for (g, &w) in self.weights.iter().enumerate() {
            if !(-256..=255).contains(&w) {
                return Err(TrueNorthParamError::Weight(g, w));
            }
        }
        if !(-256..=255).contains(&self.leak) {
            return Err(TrueNorthParamError::Leak(self.leak));
        }
        if !(0..=V_MAX).contains(&i64::from(self.alpha)) {
            return Err(TrueNorthParamError::Alpha(self.alpha));
        }
        if !(0..=V_MAX).contains(&i64::from(self.beta)) {
            return Err(TrueNorthParamError::Beta(self.beta));
        }
        if !(V_MIN..=V_MAX).contains(&i64::from(self.reset)) {
            return Err(TrueNorthParamError::Reset(self.reset));
        }
        if self.gamma > 2 {
            return Err(TrueNorthParamError::Gamma(self.gamma));
        }
        if self.kappa > 1 {
            return Err(TrueNorthParamError::Kappa(self.kappa));
        }
        Ok(self)
    }
}

/// The TrueNorth neuron's one register.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrueNorthState {
    /// Membrane potential, 20-bit signed.
    pub v: i32,
}

#[inline]
fn f(s: i64, rho: u8) -> bool {
    s.abs() >= i64::from(rho)
}

#[inline]
fn sv(x: i64) -> i64 {
    sat(x, V_BITS)
}

impl NeuronModel for TrueNorth {
    type Params = TrueNorthParams;
    type State = TrueNorthState;
    /// Events per axon type this tick (saturating counts).
    type Acc = [u16; 4];

    const NAME: &'static str = "truenorth";
    const STATE_FIELDS: &'static [&'static str] = &["v"];
    const CHANNELS: u8 = 4;
    const STATE_BITS: StateBits = StateBits::exactly(V_BITS);

    /// A synapse word is a crossbar bit: any non-zero `weight` is one event
    /// on axon type `channel` (the weight itself is the neuron's `s[G]`).
    /// Channels above 3 are ignored.
    #[inline]
    fn accumulate(_p: &TrueNorthParams, acc: &mut [u16; 4], channel: u8, weight: i32) {
        if weight != 0 {
            if let Some(a) = acc.get_mut(usize::from(channel)) {
                *a = a.saturating_add(1);
            }
        }
    }

    fn update(
        p: &TrueNorthParams,
        st: &mut TrueNorthState,
        input: &[u16; 4],
        rng: &mut NeuronRng,
    ) -> u8 {
        let mut v = sv(i64::from(st.v));
        for ((&n, &w), &stochastic) in input.iter().zip(&p.weights).zip(&p.stochastic_syn) {
            if n == 0 {
                continue;
            }
            let s = i64::from(w);
            if stochastic {
                for _ in 0..n {
                    if f(s, rng.next_u8()) {
                        v = sv(v + s.signum());
                    }
                }
            } else {
                v = sv(v + i64::from(n) * s);
            }
        }
        // leak
        let omega = if p.leak_reversal { v.signum() } else { 1 };
        let lam = i64::from(p.leak);
        let leak = if p.stochastic_leak {
            if f(lam, rng.next_u8()) {
                lam.signum()
            } else {
                0
            }
        } else {
            lam
        };
        v = sv(v + omega * leak);
        // threshold, fire, reset
        let eta = if p.mask != 0 {
            i64::from(rng.next_u8() & p.mask)
        } else {
            0
        };
        let (alpha, beta, r) = (i64::from(p.alpha), i64::from(p.beta), i64::from(p.reset));
        let mut spike = 0;
        if v >= alpha + eta {
            spike = 1;
            v = match p.gamma {
                0 => r,
                1 => v - (alpha + eta),
                _ => v,
            };
        } else if p.kappa != 0 {
            if v < -beta {
                v = -beta;
            }
        } else if v < -(beta + eta) {
            v = match p.gamma {
                0 => -r,
                1 => v + (beta + eta),
                _ => v,
            };
        }
        st.v = sv(v) as i32;
        spike
    }

    fn state_field(st: &TrueNorthState, i: usize) -> i64 {
        match i {
            0 => i64::from(st.v),
            _ => 0,
        }
    }

    /// Idle: no events, no effective leak, and `-β <= V < α` (no threshold crossing for any `η`).
    #[inline]
    fn is_idle(p: &TrueNorthParams, st: &TrueNorthState, input: &[u16; 4]) -> bool {
        *input == [0; 4]
            && (p.leak == 0 || (p.leak_reversal && st.v == 0))
            && i64::from(st.v) < i64::from(p.alpha)
            && i64::from(st.v) >= -i64::from(p.beta)
    }
}
