//! TrueNorth (`truenorth`): linear-leak integer neuron with four axon types.

use super::common::{above_rest, phys, refractory_dropped, v_span, worst_init, Phys};
use crate::model::{MapModel, PopCtx, QuantError, QuantisedPop};
use crate::quant::{pick_scale, ParamQuant, PopQuant, WeightQ};
use crate::word::weight_range;
use neurochip_firmware::models::truenorth::{TrueNorth, TrueNorthParams, TrueNorthState, V_BITS};

/// TrueNorth: potentials shifted so `v_rest` is 0; α threshold, R reset
/// (γ = 0), κ = 0 with β at the register bound (no negative reset), and the
/// membrane leak as a linear leak toward 0 (ε = 1) whose rate equals the
/// exponential's at half the threshold. Exponential currents become
/// instantaneous jumps of the same charge (`w·τs/τm`). The weights themselves
/// are written per neuron later (its up to 4 distinct integers = axon types).
pub(crate) fn truenorth_pop(
    c: &PopCtx,
) -> Result<QuantisedPop<TrueNorthParams, TrueNorthState>, QuantError> {
    let p = phys(c, "truenorth")?;
    let dt = c.dt;
    let mut warnings = Vec::new();
    let mut pq = Vec::new();
    let (theta, reset) = above_rest(&p, "truenorth")?;
    let tm = p.tau_m.unwrap_or(dt);
    let gains: [f64; 2] = [p.tau_e, p.tau_i].map(|t| t.map_or(1.0, |ts| ts / tm));
    if p.tau_e.is_some() {
        warnings.push(format!(
            "population {:?}: exponential synaptic currents realised on truenorth as instantaneous jumps of equal charge (w·τs/τm)",
            c.name
        ));
    }
    warnings.extend(refractory_dropped(c.name, p.t_ref, "truenorth"));
    let (shifted, vmax) = v_span(c, &p, theta, reset);
    let vlim = ((1i64 << (V_BITS - 1)) - 1) as f64 / 4.0;
    let s_v = vlim / vmax;
    let max_w = (c.max_w[0] * gains[0]).max(c.max_w[1] * gains[1]);
    let s_w = if max_w > 0.0 {
        255.499 / max_w
    } else {
        f64::INFINITY
    };
    // Linear leak rate at V = θ/2 (mV per step).
    let leak_mv = p
        .tau_m
        .map_or(0.0, |t| 0.5 * theta * (1.0 - (-dt / t).exp()));
    let s_l = if p.bias != 0.0 {
        255.499 / p.bias.abs()
    } else if leak_mv > 0.0 {
        255.499 / leak_mv
    } else {
        f64::INFINITY
    };
    let s_max = s_v.min(s_w).min(s_l);
    let mut d = Vec::new();
    for ((&m, dk), &g) in c.max_w.iter().zip(&c.distinct).zip(&gains) {
        if m > 0.0 {
            match dk {
                Some(ws) => d.extend(ws.iter().map(|w| w * g)),
                None => {
                    d.clear();
                    break;
                }
            }
        }
    }
    let s = pick_scale((!d.is_empty()).then_some(d.as_slice()), s_max);
    if !(s > 0.0 && s.is_finite()) {
        return Err(QuantError::other(format!(
            "no usable scale (max weight {max_w}, max potential {vmax})"
        )));
    }
    let alpha = (theta * s).round() as i64 + i64::from(p.strict);
    let r = (reset * s).round() as i64;
    pq.push(ParamQuant::new(
        "alpha (threshold)",
        p.theta,
        alpha,
        alpha as f64 / s + p.rest,
    ));
    pq.push(ParamQuant::new("reset", p.reset, r, r as f64 / s + p.rest));
    let (leak, reversal) = leak(c, &p, s, theta, leak_mv, &mut pq, &mut warnings);
    let params = TrueNorthParams {
        weights: [0; 4],
        stochastic_syn: [false; 4],
        leak: leak.clamp(-256, 255) as i16,
        stochastic_leak: false,
        leak_reversal: reversal,
        alpha: alpha.clamp(0, (1 << (V_BITS - 1)) - 1) as i32,
        beta: (1 << (V_BITS - 1)) - 1,
        mask: 0,
        reset: r as i32,
        gamma: 0,
        kappa: 0,
    }
    .checked()
    .map_err(|e| QuantError::field(e.field(), e.to_string()))?;
    let ints: Vec<i64> = shifted.iter().map(|&v| (v * s).round() as i64).collect();
    pq.push(worst_init("v_init", c.init, &ints, 1.0 / s, p.rest));
    let init = ints
        .iter()
        .map(|&v| TrueNorthState { v: v as i32 })
        .collect();
    let (lo, hi) = weight_range(c.weight_bits.min(9));
    Ok(QuantisedPop {
        wq: WeightQ {
            mult: s,
            gain: gains,
            lo,
            hi,
            lava_nwb: None,
        },
        integer_weights: false,
        one_current: false,
        params: vec![params; c.init.len()],
        init,
        report: PopQuant::scaled(c.name, "lif", "mV", s, s, None, pq),
        warnings,
    })
}

/// TrueNorth's one leak λ (and ε): the bias when there is one, else the membrane leak made
/// linear, exact at V = θ/2 (`s` LSBs per mV, `leak_mv` the rate there).
fn leak(
    c: &PopCtx,
    p: &Phys,
    s: f64,
    theta: f64,
    leak_mv: f64,
    pq: &mut Vec<ParamQuant>,
    warnings: &mut Vec<String>,
) -> (i64, bool) {
    let dt = c.dt;
    if p.bias != 0.0 {
        if p.tau_m.is_some() {
            warnings.push(format!(
                "population {:?}: truenorth has one leak: bias {} mV/step kept, membrane leak dropped",
                c.name, p.bias
            ));
        }
        let l = (p.bias * s).round() as i64;
        pq.push(ParamQuant::new("leak (bias)", p.bias, l, l as f64 / s));
        (l, false)
    } else {
        let l = (leak_mv * s).round() as i64;
        let realised = if l == 0 || theta * s <= 0.0 {
            f64::INFINITY
        } else {
            let f = l as f64 / (0.5 * theta * s);
            if f >= 1.0 {
                0.0
            } else {
                -dt / (1.0 - f).ln()
            }
        };
        pq.push(ParamQuant::new(
            "tau_m (linear leak)",
            p.tau_m.unwrap_or(f64::INFINITY),
            -l,
            realised,
        ));
        if p.tau_m.is_some() {
            warnings.push(format!(
                "population {:?}: exponential leak realised on truenorth as a linear leak of {l} LSB/step toward rest (exact at V = θ/2)",
                c.name
            ));
        }
        (-l, true)
    }
}

impl MapModel for TrueNorth {
    const WEIGHT_TABLE: usize = 4;

    fn quantise(
        c: &PopCtx<'_>,
    ) -> Result<QuantisedPop<TrueNorthParams, TrueNorthState>, QuantError> {
        truenorth_pop(c)
    }

    fn set_weight_table(p: &mut TrueNorthParams, weights: &[i16]) {
        p.weights = [0; 4];
        for (w, &x) in p.weights.iter_mut().zip(weights) {
            *w = x;
        }
    }
}
