//! Helpers every built-in model's quantiser shares: the physical LIF fields, worst-case
//! rounding summaries, weight statistics under per-channel gains, the exact
//! current-to-voltage coupling.

use crate::model::{PopCtx, QuantError};
use crate::quant::ParamQuant;
use neurochip_net::schema::NeuronParams;

pub(crate) fn max_abs(xs: &[f64]) -> f64 {
    xs.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// The warning for a refractory period a model without one drops (`None` when there is none).
pub(crate) fn refractory_dropped(name: &str, t_ref_ms: f64, model: &str) -> Option<String> {
    (t_ref_ms > 0.0).then(|| {
        format!("population {name:?}: refractory period {t_ref_ms} ms not supported by {model}: dropped")
    })
}

/// Worst quantisation of a per-neuron value whose integer realises `int × unit_per_int`.
pub(crate) fn worst(name: &str, vals: &[f64], ints: &[i64], unit_per_int: f64) -> ParamQuant {
    worst_with(name, vals, ints, |i| ints[i] as f64 * unit_per_int)
}

/// Worst quantisation of a per-neuron value, summarised as one report line: the
/// neuron with the largest absolute error, its error relative to the largest
/// |value| of the population (a draw near 0 would make a plain relative error meaningless).
pub(crate) fn worst_with(
    name: &str,
    vals: &[f64],
    ints: &[i64],
    realised: impl Fn(usize) -> f64,
) -> ParamQuant {
    let scale = max_abs(vals);
    let mut best: Option<(f64, usize)> = None;
    for (i, &v) in vals.iter().enumerate() {
        let e = (realised(i) - v).abs();
        if best.is_none_or(|(b, _)| e > b) {
            best = Some((e, i));
        }
    }
    match best {
        None => ParamQuant::new(name, 0.0, 0, 0.0),
        Some((e, i)) => ParamQuant {
            name: name.to_string(),
            requested: vals[i],
            integer: ints[i],
            realised: realised(i),
            rel_error: if scale > 0.0 { e / scale } else { e },
        },
    }
}

/// Largest |weight × gain| over both channels.
pub(crate) fn max_gained(c: &PopCtx, gains: &[f64; 2]) -> f64 {
    (c.max_w[0] * gains[0]).max(c.max_w[1] * gains[1])
}

/// Distinct |weight × gain| over both channels, `None` when either channel has many.
pub(crate) fn distinct_gained(c: &PopCtx, gains: &[f64; 2]) -> Option<Vec<f64>> {
    let mut v = Vec::new();
    for ((&m, d), &g) in c.max_w.iter().zip(&c.distinct).zip(gains) {
        if m > 0.0 {
            v.extend((*d)?.iter().map(|w| w * g));
        }
    }
    Some(v)
}

/// Exact coupling of an exponential current (value at the start of a step) into
/// `v` over one step: τs·(e^(−dt/τs) − e^(−dt/τm))/(τs − τm); 1 without a leak or current decay.
pub(crate) fn coupling(dt: f64, tau_m: Option<f64>, tau_s: Option<f64>) -> f64 {
    match (tau_m, tau_s) {
        (Some(tm), Some(ts)) if tm > 0.0 && ts > 0.0 => {
            if (tm - ts).abs() < 1e-12 * tm {
                dt / tm * (-dt / tm).exp()
            } else {
                ts * ((-dt / ts).exp() - (-dt / tm).exp()) / (ts - tm)
            }
        }
        _ => 1.0,
    }
}

/// The physical LIF fields every model's quantiser starts from.
pub(crate) struct Phys {
    pub tau_m: Option<f64>,
    pub rest: f64,
    pub theta: f64,
    pub strict: bool,
    pub reset: f64,
    pub t_ref: f64,
    pub tau_e: Option<f64>,
    pub tau_i: Option<f64>,
    pub bias: f64,
    pub drops: bool,
}

/// Extract the physical LIF fields, or say why `model` cannot take these parameters.
pub(crate) fn phys(c: &PopCtx, model: &str) -> Result<Phys, QuantError> {
    match c.neuron {
        NeuronParams::Lif {
            tau_m_ms,
            v_rest_mv,
            v_thresh_mv,
            strict_threshold,
            v_reset_mv,
            t_ref_ms,
            tau_syn_e_ms,
            tau_syn_i_ms,
            bias_mv,
            refractory_drops_input,
            ..
        } => Ok(Phys {
            tau_m: *tau_m_ms,
            rest: *v_rest_mv,
            theta: *v_thresh_mv,
            strict: *strict_threshold,
            reset: *v_reset_mv,
            t_ref: *t_ref_ms,
            tau_e: tau_syn_e_ms.or(*tau_syn_i_ms),
            tau_i: tau_syn_i_ms.or(*tau_syn_e_ms),
            bias: *bias_mv,
            drops: *refractory_drops_input,
        }),
        other => Err(QuantError::other(format!(
            "{} parameters cannot be expressed by {model}: it maps physical lif parameters (mV, ms) only",
            other.kind_name()
        ))),
    }
}

/// Initial potentials relative to `v_rest`, and the largest magnitude the registers must hold
/// (threshold, reset, bias, every initial potential).
pub(crate) fn v_span(c: &PopCtx, p: &Phys, theta: f64, reset: f64) -> (Vec<f64>, f64) {
    let shifted: Vec<f64> = c.init.iter().map(|v| v - p.rest).collect();
    let vmax = theta
        .max(reset.abs())
        .max(p.bias.abs())
        .max(max_abs(&shifted));
    (shifted, vmax)
}

/// Worst quantisation of per-neuron initial potentials realised as `int × lsb + offset`.
pub(crate) fn worst_init(
    name: &str,
    vals: &[f64],
    ints: &[i64],
    lsb: f64,
    offset: f64,
) -> ParamQuant {
    worst_with(name, vals, ints, |i| ints[i] as f64 * lsb + offset)
}

/// SANA-FE's `sanafe_lif` fields: `(threshold, reset)` and the multiplicative leak as a
/// 12-bit decay `d = round(4096·(1 − leak))` (at most `max_d`), reported in `pq`.
pub(crate) fn sanafe_leak(
    c: &PopCtx,
    max_d: f64,
    pq: &mut Vec<ParamQuant>,
) -> Result<(f64, f64, u32), QuantError> {
    let NeuronParams::SanafeLif {
        leak,
        threshold,
        reset,
        ..
    } = c.neuron
    else {
        return Err(QuantError::other("not sanafe_lif parameters"));
    };
    let d = (4096.0 * (1.0 - leak)).round().clamp(0.0, max_d) as u32;
    pq.push(ParamQuant::new(
        "leak",
        *leak,
        d as i64,
        1.0 - d as f64 / 4096.0,
    ));
    Ok((*threshold, *reset, d))
}

/// Threshold and reset relative to `v_rest`, or why `model` (which needs a positive
/// threshold above rest) cannot take them.
pub(crate) fn above_rest(p: &Phys, model: &str) -> Result<(f64, f64), QuantError> {
    let theta = p.theta - p.rest;
    if theta <= 0.0 {
        return Err(QuantError::other(format!(
            "v_thresh_mv {} is not above v_rest_mv {}: {model} needs a positive threshold above rest",
            p.theta, p.rest
        )));
    }
    Ok((theta, p.reset - p.rest))
}
