//! Per-model quantisation of one target population: from the network's
//! physical parameters to the register integers of the firmware model.

use crate::quant::{
    decay12, loihi_bias, max_scale, pick_scale, realised_tau, ParamQuant, PopQuant, WeightQ,
};
use crate::word::weight_range;
use neurochip_firmware::models::lif::{LifParams, LifState};
use neurochip_firmware::models::loihi::{LoihiParams, LoihiState};
use neurochip_net::schema::NeuronParams;

/// What the caller knows about one target population.
pub(crate) struct PopCtx<'a> {
    pub name: &'a str,
    pub neuron: &'a NeuronParams,
    pub dt: f64,
    /// Per neuron: `v_init` (lif), bias (sanafe_lif), zeros (loihi_lif).
    pub init: &'a [f64],
    /// Per channel: largest |weight| arriving (synapses and stimuli).
    pub max_w: [f64; 2],
    /// Per channel: distinct |weights| when there are few.
    pub distinct: [Option<&'a [f64]>; 2],
    pub weight_bits: u32,
    pub state_bits: u32,
    /// Last population and nothing projects out of it (Xylo's readout).
    pub sink: bool,
}

/// A population quantised for one model.
pub(crate) struct PopQ<P, S> {
    pub wq: WeightQ,
    /// Weights must be integers already (integer-unit neuron kinds): non-integers and clipping are errors.
    pub integer_weights: bool,
    /// Every synapse goes to channel 0 (Xylo's readout has one current).
    pub one_current: bool,
    pub params: Vec<P>,
    pub init: Vec<S>,
    pub report: PopQuant,
    pub warnings: Vec<String>,
}

/// Kind name of a neuron parameter set, as written in network files.
pub(crate) fn kind_name(n: &NeuronParams) -> &'static str {
    match n {
        NeuronParams::Lif { .. } => "lif",
        NeuronParams::LoihiLif { .. } => "loihi_lif",
        NeuronParams::SanafeLif { .. } => "sanafe_lif",
    }
}

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
fn worst(name: &str, vals: &[f64], ints: &[i64], unit_per_int: f64) -> ParamQuant {
    worst_with(name, vals, ints, |i| ints[i] as f64 * unit_per_int)
}

/// Worst quantisation of a per-neuron value, summarised as one report line: the
/// neuron with the largest absolute error, its error relative to the largest
/// |value| of the population (a draw near 0 would make a plain relative error meaningless).
fn worst_with(
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

/// Loihi CUBA LIF: one 24-bit current `u`, voltage `v`, resets to 0, strict threshold.
pub(crate) fn loihi_pop(c: &PopCtx) -> Result<PopQ<LoihiParams, LoihiState>, String> {
    let nwb = c.weight_bits.saturating_sub(1).clamp(1, 8);
    let (_, field_hi) = weight_range(c.weight_bits);
    let (field_lo, _) = weight_range(c.weight_bits);
    let mut warnings = Vec::new();
    let mut params_q = Vec::new();
    let n = c.init.len();
    // 24-bit registers with two bits of headroom.
    let lim_v = (1u64 << 21) as f64;
    let bad = |field: &str, e: String| format!("{field}: {e}");
    match c.neuron {
        NeuronParams::LoihiLif {
            du,
            dv,
            vth,
            bias_mant,
            bias_exp,
            weight_exp,
        } => {
            let p = LoihiParams::new(
                (*du).min(u16::MAX as u32) as u16,
                (*dv).min(u16::MAX as u32) as u16,
                *vth as i64,
                *bias_mant,
                *bias_exp,
                *weight_exp,
            )
            .map_err(|e| bad(e.field(), e.to_string()))?;
            let wq = WeightQ {
                mult: 1.0,
                gain: [1.0, 1.0],
                lo: field_lo.max(-256),
                hi: field_hi.min(255),
                lava_nwb: Some(nwb),
            };
            params_q.push(ParamQuant::new(
                "vth",
                *vth as f64,
                *vth as i64,
                *vth as f64,
            ));
            let report = PopQuant::scaled(
                c.name,
                "loihi_lif",
                "units",
                1.0,
                1.0,
                Some(*weight_exp),
                params_q,
            );
            Ok(PopQ {
                wq,
                integer_weights: true,
                one_current: false,
                params: vec![p; n],
                init: vec![LoihiState::default(); n],
                report,
                warnings,
            })
        }
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
            ..
        } => {
            let dv = decay12(c.dt, *tau_m_ms).min(4095);
            let dv_frac = dv as f64 / 4096.0;
            params_q.push(ParamQuant::new(
                "tau_m",
                tau_m_ms.unwrap_or(f64::INFINITY),
                dv as i64,
                realised_tau(c.dt, dv),
            ));
            // Exponential synapses: one current u decaying by du + 1.
            let (du, gain) = match (tau_syn_e_ms, tau_syn_i_ms) {
                (None, None) => (4095u32, 1.0),
                (e, i) => {
                    let (te, ti) = (e.or(*i), i.or(*e));
                    if te != ti {
                        return Err(format!(
                            "tau_syn_e_ms = {} and tau_syn_i_ms = {} differ, but loihi_cuba_lif has a single synaptic current",
                            te.unwrap_or(0.0),
                            ti.unwrap_or(0.0)
                        ));
                    }
                    let d = decay12(c.dt, te).clamp(1, 4096) - 1;
                    params_q.push(ParamQuant::new(
                        "tau_syn",
                        te.unwrap_or(0.0),
                        d as i64,
                        realised_tau(c.dt, d + 1),
                    ));
                    // The current is in mV; fold the exact propagator's coupling into the weight.
                    (d, coupling(c.dt, *tau_m_ms, te))
                }
            };
            warnings.extend(refractory_dropped(c.name, *t_ref_ms, "loihi_cuba_lif"));
            // Shift so the reset is 0; the leak toward v_rest becomes a bias.
            let theta = v_thresh_mv - v_reset_mv;
            if theta < 0.0 {
                return Err(format!(
                    "v_thresh_mv {v_thresh_mv} is below v_reset_mv {v_reset_mv}: loihi_cuba_lif resets to 0 with a non-negative threshold"
                ));
            }
            let bias_shift = bias_mv + (v_rest_mv - v_reset_mv) * dv_frac;
            let vmax = theta.abs().max((v_rest_mv - v_reset_mv).abs()).max(
                c.init
                    .iter()
                    .fold(0.0f64, |m, v| m.max((v - v_reset_mv).abs())),
            );
            let (wq, s, e) = loihi_scale(c, gain, vmax, lim_v, nwb, field_lo, field_hi);
            let strict = *strict_threshold;
            let t_int = theta * s - if strict { 0.0 } else { 1.0 };
            let vth = (t_int / 64.0).round().max(0.0) as i64;
            let realised = (vth * 64 + if strict { 0 } else { 1 }) as f64 / s + v_reset_mv;
            params_q.push(ParamQuant::new("v_thresh", *v_thresh_mv, vth, realised));
            if !strict {
                warnings.push(format!(
                    "population {:?}: threshold v >= θ realised as Loihi's strict v > θ − 1 LSB",
                    c.name
                ));
            }
            let (bm, be) = loihi_bias(bias_shift * s);
            params_q.push(ParamQuant::new(
                "bias",
                bias_shift,
                bm as i64,
                (bm as f64) * (1u64 << be) as f64 / s,
            ));
            let p = LoihiParams::new(du as u16, dv as u16, vth, bm, be, e)
                .map_err(|er| bad(er.field(), er.to_string()))?;
            let ints: Vec<i64> = c
                .init
                .iter()
                .map(|v| ((v - v_reset_mv) * s).round() as i64)
                .collect();
            let shifted: Vec<f64> = c.init.iter().map(|v| v - v_reset_mv).collect();
            params_q.push(worst(
                "v_init (shifted by -v_reset)",
                &shifted,
                &ints,
                1.0 / s,
            ));
            let init = ints
                .iter()
                .map(|&v| LoihiState { u: 0, v: v as i32 })
                .collect();
            Ok(PopQ {
                report: PopQuant::scaled(c.name, "lif", "mV", s, wq.mult, Some(e), params_q),
                wq,
                integer_weights: false,
                one_current: false,
                params: vec![p; n],
                init,
                warnings,
            })
        }
        NeuronParams::SanafeLif {
            leak,
            threshold,
            reset,
            ..
        } => {
            let dv = (4096.0 * (1.0 - leak)).round().clamp(0.0, 4095.0) as u32;
            params_q.push(ParamQuant::new(
                "leak",
                *leak,
                dv as i64,
                1.0 - dv as f64 / 4096.0,
            ));
            let theta = threshold - reset;
            if theta < 0.0 {
                return Err(format!(
                    "threshold {threshold} is below reset {reset}: loihi_cuba_lif resets to 0 with a non-negative threshold"
                ));
            }
            let vmax = theta.abs().max(reset.abs()).max(max_abs(c.init));
            let (wq, s, e) = loihi_scale(c, 1.0, vmax, lim_v, nwb, field_lo, field_hi);
            let vth = (theta * s / 64.0).round() as i64;
            params_q.push(ParamQuant::new(
                "threshold",
                *threshold,
                vth,
                vth as f64 * 64.0 / s + reset,
            ));
            let shift = -reset * (dv as f64 / 4096.0);
            let mut params = Vec::with_capacity(n);
            let mut ints = Vec::with_capacity(n);
            let mut realised_b = Vec::with_capacity(n);
            for &b in c.init {
                let (bm, be) = loihi_bias((b + shift) * s);
                params.push(
                    LoihiParams::new(0xFFF, dv as u16, vth, bm, be, e)
                        .map_err(|er| bad(er.field(), er.to_string()))?,
                );
                ints.push(bm as i64);
                realised_b.push(bm as f64 * (1u64 << be) as f64 / s - shift);
            }
            params_q.push(worst_with("bias", c.init, &ints, |i| realised_b[i]));
            Ok(PopQ {
                report: PopQuant::scaled(
                    c.name,
                    "sanafe_lif",
                    "units",
                    s,
                    wq.mult,
                    Some(e),
                    params_q,
                ),
                wq,
                integer_weights: false,
                one_current: false,
                params,
                init: vec![LoihiState::default(); n],
                warnings,
            })
        }
    }
}

/// Largest |weight × gain| over both channels.
fn max_gained(c: &PopCtx, gains: &[f64; 2]) -> f64 {
    (c.max_w[0] * gains[0]).max(c.max_w[1] * gains[1])
}

/// Distinct |weight × gain| over both channels, `None` when either channel has many.
fn distinct_gained(c: &PopCtx, gains: &[f64; 2]) -> Option<Vec<f64>> {
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

/// Chooses the Loihi weight mantissa scale `k` (mantissa per unit of weight × gain)
/// and exponent `e` so that `s = k·2^(6+e)` potential LSBs per unit keep
/// `vmax·s ≤ lim_v`.
fn loihi_scale(
    c: &PopCtx,
    gain: f64,
    vmax: f64,
    lim_v: f64,
    nwb: u32,
    field_lo: i64,
    field_hi: i64,
) -> (WeightQ, f64, i32) {
    let mant_max = (field_hi.min(255)) as f64;
    let gains = [gain, gain];
    let max_w = max_gained(c, &gains);
    let s_max_v = if vmax > 0.0 { lim_v / vmax } else { lim_v };
    let k_max = if max_w > 0.0 {
        max_scale(mant_max, max_w)
    } else {
        s_max_v / 64.0
    };
    let scaled = distinct_gained(c, &gains);
    let mut k = pick_scale(scaled.as_deref(), k_max);
    let mut e = ((s_max_v / k).log2().floor() as i32 - 6).clamp(-8, 7);
    if k * 2f64.powi(6 + e) > s_max_v {
        e = -8;
        k = s_max_v / 2f64.powi(-2);
    }
    let s = k * 2f64.powi(6 + e);
    (
        WeightQ {
            mult: k,
            gain: gains,
            lo: field_lo.max(-256),
            hi: field_hi.min(255),
            lava_nwb: Some(nwb),
        },
        s,
        e,
    )
}

/// Configurable integer LIF: one scale (LSBs per mV or unit) for potentials and weights.
pub(crate) fn lif_pop(c: &PopCtx) -> Result<PopQ<LifParams, LifState>, String> {
    if !(8..=32).contains(&c.state_bits) {
        return Err(format!(
            "core.state_bits = {} is outside 8..=32 supported by lif",
            c.state_bits
        ));
    }
    let (field_lo, field_hi) = weight_range(c.weight_bits);
    let lim = ((1u64 << (c.state_bits - 1)) - 1) as f64 / 4.0;
    let n = c.init.len();
    let mut pq = Vec::new();
    let mut warnings = Vec::new();
    // Common shape: (kind, unit, v_decay, rest, theta, strict, reset, refr, drops, bias, syn_decay, current, gains)
    let (kind, unit, v_decay, rest, theta, strict, reset, refr, drops, bias, syn, current, gains) =
        match c.neuron {
            NeuronParams::LoihiLif { .. } => {
                return Err(
                    "loihi_lif parameters are Loihi register integers; map them on an architecture whose core.model is loihi_cuba_lif"
                        .to_string(),
                )
            }
            NeuronParams::Lif { .. } => {
                let p = crate::models_ext::phys(c, "lif")?;
                let d = decay12(c.dt, p.tau_m);
                pq.push(ParamQuant::new(
                    "tau_m",
                    p.tau_m.unwrap_or(f64::INFINITY),
                    d as i64,
                    realised_tau(c.dt, d),
                ));
                let current = p.tau_e.is_some();
                let te = p.tau_e;
                let ti = p.tau_i;
                let syn = if current {
                    let s = [decay12(c.dt, te), decay12(c.dt, ti)];
                    pq.push(ParamQuant::new(
                        "tau_syn_e",
                        te.unwrap_or(0.0),
                        s[0] as i64,
                        realised_tau(c.dt, s[0]),
                    ));
                    pq.push(ParamQuant::new(
                        "tau_syn_i",
                        ti.unwrap_or(0.0),
                        s[1] as i64,
                        realised_tau(c.dt, s[1]),
                    ));
                    s
                } else {
                    [4096, 4096]
                };
                let gains = if current {
                    [coupling(c.dt, p.tau_m, te), coupling(c.dt, p.tau_m, ti)]
                } else {
                    [1.0, 1.0]
                };
                let refr = (p.t_ref / c.dt).round().max(0.0);
                pq.push(ParamQuant::new("t_ref", p.t_ref, refr as i64, refr * c.dt));
                (
                    "lif",
                    "mV",
                    d,
                    p.rest,
                    p.theta,
                    p.strict,
                    p.reset,
                    refr.min(u16::MAX as f64) as u16,
                    p.drops,
                    p.bias,
                    syn,
                    current,
                    gains,
                )
            }
            NeuronParams::SanafeLif {
                leak,
                threshold,
                reset,
                ..
            } => {
                let d = (4096.0 * (1.0 - leak)).round().clamp(0.0, 4096.0) as u32;
                pq.push(ParamQuant::new(
                    "leak",
                    *leak,
                    d as i64,
                    1.0 - d as f64 / 4096.0,
                ));
                (
                    "sanafe_lif",
                    "units",
                    d,
                    0.0,
                    *threshold,
                    true,
                    *reset,
                    0,
                    false,
                    0.0,
                    [4096, 4096],
                    false,
                    [1.0, 1.0],
                )
            }
        };
    let sanafe = kind == "sanafe_lif";
    let vmax = theta
        .abs()
        .max(rest.abs())
        .max(reset.abs())
        .max(bias.abs())
        .max(max_abs(c.init));
    let s_v = if vmax > 0.0 { lim / vmax } else { lim };
    let max_w = max_gained(c, &gains);
    let s_w = if max_w > 0.0 {
        max_scale(field_hi as f64, max_w)
    } else {
        f64::INFINITY
    };
    let s_max = s_v.min(s_w);
    let distinct = distinct_gained(c, &gains);
    let s = pick_scale(distinct.as_deref(), s_max);
    if !(s > 0.0 && s.is_finite()) {
        return Err(format!(
            "no usable scale (max weight {max_w}, max potential {vmax})"
        ));
    }
    let q = |x: f64| (x * s).round() as i64;
    let mut param = |name: &str, x: f64| -> i32 {
        let i = q(x);
        pq.push(ParamQuant::new(name, x, i, i as f64 / s));
        i as i32
    };
    let threshold = param("threshold", theta);
    let v_reset = param("v_reset", reset);
    let v_rest = param("v_rest", rest);
    let bias_c = if sanafe { 0 } else { param("bias", bias) };
    if sanafe && (theta * s).fract() != 0.0 {
        warnings.push(format!(
            "population {:?}: threshold {theta} is not a multiple of the LSB {}",
            c.name,
            1.0 / s
        ));
    }
    let ints: Vec<i64> = c.init.iter().map(|&x| q(x)).collect();
    pq.push(worst(
        if sanafe { "bias" } else { "v_init" },
        c.init,
        &ints,
        1.0 / s,
    ));
    let base = LifParams {
        state_bits: c.state_bits as u8,
        v_decay: v_decay as u16,
        v_rest,
        threshold,
        strict_threshold: strict,
        v_reset,
        refractory_steps: refr,
        refractory_drops_input: drops,
        bias: bias_c,
        syn_decay: [syn[0] as u16, syn[1] as u16],
        current_mode: current,
    };
    let mut params = Vec::with_capacity(n);
    let mut init = Vec::with_capacity(n);
    for &i in &ints {
        let mut p = base;
        let mut st = LifState::default();
        if sanafe {
            p.bias = i.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        } else {
            st.v = i.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        }
        params.push(p.checked().map_err(|e| format!("{}: {e}", e.field()))?);
        init.push(st);
    }
    if n == 0 {
        base.checked().map_err(|e| format!("{}: {e}", e.field()))?;
    }
    Ok(PopQ {
        wq: WeightQ {
            mult: s,
            gain: gains,
            lo: field_lo,
            hi: field_hi,
            lava_nwb: None,
        },
        integer_weights: false,
        one_current: false,
        params,
        init,
        report: PopQuant::scaled(c.name, kind, unit, s, s, None, pq),
        warnings,
    })
}
