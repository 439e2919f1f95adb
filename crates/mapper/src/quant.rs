//! Quantisation: physical parameters (mV, ms, float weights) to the
//! integers a model's registers hold, with every rounding error reported.
//!
//! One scale per *target* population: all weights arriving at a neuron are
//! summed in the same integer units as its potential, so they must share
//! that population's LSB.

use crate::word::weight_range;
use serde::Serialize;

/// One quantised parameter: what was asked, what the register holds, what that means.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParamQuant {
    /// Parameter name (`threshold`, `tau_m`, …).
    pub name: String,
    /// Requested value in physical units.
    pub requested: f64,
    /// Integer written to the register.
    pub integer: i64,
    /// Value the integer realises, in the requested units.
    pub realised: f64,
    /// |realised − requested| / |requested| (0 when requested is 0 and realised exactly).
    pub rel_error: f64,
}

impl ParamQuant {
    /// One parameter's line: `rel_error` follows from `requested` and `realised`.
    pub fn new(name: &str, requested: f64, integer: i64, realised: f64) -> Self {
        let rel_error = rel_err(requested, realised);
        ParamQuant {
            name: name.to_string(),
            requested,
            integer,
            realised,
            rel_error,
        }
    }
}

/// Relative error, absolute when the reference is 0; infinite values compare equal.
pub(crate) fn rel_err(requested: f64, realised: f64) -> f64 {
    if requested == realised {
        0.0
    } else if requested == 0.0 {
        realised.abs()
    } else {
        ((realised - requested) / requested).abs()
    }
}

/// How one target population's numbers were scaled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PopQuant {
    /// Population name.
    pub population: String,
    /// Network neuron kind (`lif`, `sanafe_lif`, `loihi_lif`).
    pub kind: String,
    /// Unit of the network values (`mV` or `units`).
    pub unit: String,
    /// Integer potential LSBs per unit (1 / LSB).
    pub scale: f64,
    /// LSB of the potential, in `unit`.
    pub lsb: f64,
    /// Weight integers per unit (for Loihi the mantissa step; differs from `scale` by 2^(6+weight_exp)).
    pub weight_scale: f64,
    /// Loihi weight exponent (absent for other models).
    pub weight_exp: Option<i32>,
    /// Every quantised parameter (per-neuron draws are summarised by their worst error).
    pub params: Vec<ParamQuant>,
}

impl PopQuant {
    /// The report of a population quantised at `scale` integers per `unit` (so the LSB is
    /// `1 / scale`); every model's quantiser builds its report through this one constructor.
    pub fn scaled(
        population: &str,
        kind: &str,
        unit: &str,
        scale: f64,
        weight_scale: f64,
        weight_exp: Option<i32>,
        params: Vec<ParamQuant>,
    ) -> Self {
        PopQuant {
            population: population.to_string(),
            kind: kind.into(),
            unit: unit.into(),
            scale,
            lsb: 1.0 / scale,
            weight_scale,
            weight_exp,
            params,
        }
    }
}

/// Weight quantisation of one projection (or several with the same source, target and channel).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProjQuant {
    /// Indices of the network projections this entry covers.
    pub projections: Vec<usize>,
    /// Source population.
    pub from: String,
    /// Target population.
    pub to: String,
    /// Synaptic channel.
    pub channel: u8,
    /// Synapses.
    pub count: u64,
    /// Weights clipped to the field range.
    pub clipped: u64,
    /// Largest relative weight error.
    pub max_rel_error: f64,
    /// Mean relative weight error.
    pub mean_rel_error: f64,
}

/// Lava's sign mode of a weight matrix (decides clipping and dropped bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// All weights ≥ 0.
    Exc,
    /// All weights ≤ 0.
    Inh,
    /// Both signs.
    Mixed,
}

impl Sign {
    /// Lava's 8-bit clip range for this mode.
    pub fn range(self) -> (i64, i64) {
        match self {
            Sign::Exc => (0, 255),
            Sign::Inh => (-255, 0),
            Sign::Mixed => (-256, 255),
        }
    }
}

/// Lava's Dense pre-processing of one 8-bit weight (see `shared/reference/loihi`).
pub fn lava_effective(w: i64, sign: Sign, nwb: u32) -> i64 {
    let nwb = nwb.clamp(1, 8);
    match sign {
        Sign::Exc => {
            let n = 8 - nwb;
            (w.clamp(0, 255) >> n) << n
        }
        Sign::Inh => {
            let n = 8 - nwb;
            -(((-w.clamp(-255, 0)) >> n) << n)
        }
        Sign::Mixed => {
            let n = 9 - nwb;
            (w.clamp(-256, 255) >> n) << n
        }
    }
}

/// How to turn a float weight into the integer of a word, for one target population.
#[derive(Clone, Copy, Debug)]
pub struct WeightQ {
    /// Integers per (gained) weight unit.
    pub mult: f64,
    /// Per channel: factor from a network weight to its effect on the potential
    /// (1 for delta synapses; the exact current-to-voltage coupling for exponential ones).
    pub gain: [f64; 2],
    /// Field minimum.
    pub lo: i64,
    /// Field maximum.
    pub hi: i64,
    /// Loihi: number of weight bits for Lava's pre-processing (None: plain rounding).
    pub lava_nwb: Option<u32>,
}

impl WeightQ {
    /// Quantises `w`; returns the integer and whether it was clipped.
    pub fn quantise(&self, w: f64, sign: Sign, channel: u8) -> (i64, bool) {
        let x = w * self.gain[(channel & 1) as usize] * self.mult;
        match self.lava_nwb {
            None => {
                let r = x.round();
                if r < self.lo as f64 {
                    (self.lo, true)
                } else if r > self.hi as f64 {
                    (self.hi, true)
                } else {
                    (r as i64, false)
                }
            }
            Some(nwb) => {
                let n = match sign {
                    Sign::Mixed => 9 - nwb.clamp(1, 8),
                    _ => 8 - nwb.clamp(1, 8),
                };
                let step = (1i64 << n) as f64;
                let r = (x / step).round() * step;
                let (lo, hi) = self.range(sign);
                let (lo, hi) = (lo as f64, hi as f64);
                // Rounding up to the next step at the very top is not clipping.
                let clipped = x < lo - step / 2.0 || x > hi + step / 2.0;
                let q = lava_effective(r.clamp(lo, hi) as i64, sign, nwb);
                (q, clipped)
            }
        }
    }

    /// Integer range a weight of `sign` can take (field ∩ Lava's mode range).
    pub fn range(&self, sign: Sign) -> (i64, i64) {
        match self.lava_nwb {
            None => (self.lo, self.hi),
            Some(_) => {
                let (a, b) = sign.range();
                (a.max(self.lo), b.min(self.hi))
            }
        }
    }

    /// Weight value an integer realises.
    pub fn realised(&self, q: i64, channel: u8) -> f64 {
        q as f64 / (self.mult * self.gain[(channel & 1) as usize])
    }
}

/// Relative error below which an f32 weight counts as exactly represented.
pub const F32_EXACT: f64 = 1e-6;

/// Largest scale `s` whose rounded weights stay inside a field whose maximum is `hi`:
/// round(max|w|·s) ≤ hi, i.e. max|w|·s < hi + ½ (a hair under, for f32 weights).
pub fn max_scale(hi: f64, max_w: f64) -> f64 {
    (hi + 0.499) / max_w
}

/// Largest usable integer scale, chosen so that few distinct weights land exactly.
///
/// `distinct` are the distinct |weights| (≤ 256 of them, else `None`: a continuous
/// distribution, where only resolution matters). Searches integers in
/// [s_max/2, s_max] for the smallest worst relative error; ties keep the larger scale.
pub fn pick_scale(distinct: Option<&[f64]>, s_max: f64) -> f64 {
    if !s_max.is_finite() || s_max <= 0.0 {
        return s_max;
    }
    if s_max < 2.0 {
        return if s_max >= 1.0 { s_max.floor() } else { s_max };
    }
    let top = s_max.floor();
    let Some(ws) = distinct.filter(|d| !d.is_empty()) else {
        return top;
    };
    let lo = (s_max / 2.0).ceil().max(1.0);
    let mut best = (f64::INFINITY, top);
    let mut s = top;
    let mut tries = 0;
    while s >= lo && tries < 20_000 {
        let err = ws
            .iter()
            .map(|&w| rel_err(w, (w * s).round() / s))
            .fold(0.0, f64::max);
        // Network weights are f32: below its precision a weight is exact.
        let err = if err < F32_EXACT { 0.0 } else { err };
        if err < best.0 {
            best = (err, s);
            if err == 0.0 {
                break;
            }
        }
        s -= 1.0;
        tries += 1;
    }
    best.1
}

/// 12-bit decay constant for time constant `tau` at step `dt`: round(4096·(1 − e^(−dt/τ))).
pub fn decay12(dt: f64, tau: Option<f64>) -> u32 {
    match tau {
        None => 0,
        Some(t) if t <= 0.0 => 4096,
        Some(t) => (4096.0 * (1.0 - (-dt / t).exp()))
            .round()
            .clamp(0.0, 4096.0) as u32,
    }
}

/// Time constant a 12-bit decay realises: −dt / ln(1 − d/4096).
pub fn realised_tau(dt: f64, d: u32) -> f64 {
    if d == 0 {
        f64::INFINITY
    } else if d >= 4096 {
        0.0
    } else {
        -dt / (1.0 - d as f64 / 4096.0).ln()
    }
}

/// The weight range of a `weight_bits` field as f64 bounds.
pub fn field_bounds(weight_bits: u32) -> (i64, i64) {
    weight_range(weight_bits)
}

/// Mantissa/exponent of a Loihi bias: 13-bit signed mantissa, smallest non-negative exponent.
pub fn loihi_bias(b: f64) -> (i32, i32) {
    let mut exp = 0;
    let mut m = b.round();
    while m.abs() > 4095.0 && exp < 24 {
        exp += 1;
        m = (b / (1u64 << exp) as f64).round();
    }
    (m.clamp(-4096.0, 4095.0) as i32, exp)
}
