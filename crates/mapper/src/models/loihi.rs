//! Loihi CUBA LIF (`loihi_cuba_lif`): Lava's integer fields taken as they are, or the
//! physical kinds scaled into a 24-bit voltage with a weight exponent.

use super::common::{
    coupling, distinct_gained, max_abs, max_gained, phys, refractory_dropped, sanafe_leak, worst,
    worst_with,
};
use crate::model::{MapModel, PopCtx, QuantError, QuantisedPop};
use crate::quant::{
    decay12, loihi_bias, max_scale, pick_scale, realised_tau, ParamQuant, PopQuant, WeightQ,
};
use crate::word::weight_range;
use neurochip_firmware::models::loihi::{LoihiCubaLif, LoihiParams, LoihiState};
use neurochip_net::schema::NeuronParams;

/// What every Loihi quantisation starts from: the mantissa field and the register headroom.
#[derive(Clone, Copy)]
struct Setup {
    nwb: u32,
    field_lo: i64,
    field_hi: i64,
    n: usize,
    /// 24-bit registers with two bits of headroom.
    lim_v: f64,
}

impl Setup {
    fn of(c: &PopCtx) -> Self {
        let (field_lo, field_hi) = weight_range(c.weight_bits);
        Setup {
            nwb: c.weight_bits.saturating_sub(1).clamp(1, 8),
            field_lo,
            field_hi,
            n: c.init.len(),
            lim_v: (1u64 << 21) as f64,
        }
    }
}

fn bad(field: &str, e: String) -> QuantError {
    QuantError::field(field, e)
}

type Quantised = Result<QuantisedPop<LoihiParams, LoihiState>, QuantError>;

/// Loihi CUBA LIF: one 24-bit current `u`, voltage `v`, resets to 0, strict threshold.
pub(crate) fn loihi_pop(c: &PopCtx) -> Quantised {
    match c.neuron {
        NeuronParams::LoihiLif { .. } => native(c),
        NeuronParams::Lif { .. } => from_lif(c),
        NeuronParams::SanafeLif { .. } => from_sanafe(c),
        NeuronParams::Model { model, .. } => Err(QuantError::other(format!(
            "{model} parameters cannot be expressed by loihi_cuba_lif: it maps the network's lif, sanafe_lif and loihi_lif kinds"
        ))),
    }
}

/// Lava's own integer fields, taken as they are.
fn native(c: &PopCtx) -> Quantised {
    let Setup {
        nwb,
        field_lo,
        field_hi,
        n,
        ..
    } = Setup::of(c);
    let warnings = Vec::new();
    let mut params_q = Vec::new();
    let NeuronParams::LoihiLif {
        du,
        dv,
        vth,
        bias_mant,
        bias_exp,
        weight_exp,
    } = c.neuron
    else {
        return Err(QuantError::other("not loihi_lif parameters"));
    };
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
    Ok(QuantisedPop {
        wq,
        integer_weights: true,
        one_current: false,
        params: vec![p; n],
        init: vec![LoihiState::default(); n],
        report,
        warnings,
    })
}

/// Physical LIF: shifted so the reset is 0, the leak toward rest becomes a bias.
fn from_lif(c: &PopCtx) -> Quantised {
    let setup = Setup::of(c);
    let n = setup.n;
    let mut warnings = Vec::new();
    let mut params_q = Vec::new();
    let ph = phys(c, "loihi_cuba_lif")?;
    let (tau_m_ms, v_rest_mv, v_thresh_mv, v_reset_mv, bias_mv) =
        (ph.tau_m, ph.rest, ph.theta, ph.reset, ph.bias);
    let dv = decay12(c.dt, tau_m_ms).min(4095);
    let dv_frac = dv as f64 / 4096.0;
    params_q.push(ParamQuant::new(
        "tau_m",
        tau_m_ms.unwrap_or(f64::INFINITY),
        dv as i64,
        realised_tau(c.dt, dv),
    ));
    // Exponential synapses: one current u decaying by du + 1.
    let (du, gain) = match (ph.tau_e, ph.tau_i) {
        (None, None) => (4095u32, 1.0),
        (te, ti) => {
            if te != ti {
                return Err(QuantError::other(format!(
                        "tau_syn_e_ms = {} and tau_syn_i_ms = {} differ, but loihi_cuba_lif has a single synaptic current",
                        te.unwrap_or(0.0),
                        ti.unwrap_or(0.0)
                    )));
            }
            let d = decay12(c.dt, te).clamp(1, 4096) - 1;
            params_q.push(ParamQuant::new(
                "tau_syn",
                te.unwrap_or(0.0),
                d as i64,
                realised_tau(c.dt, d + 1),
            ));
            // The current is in mV; fold the exact propagator's coupling into the weight.
            (d, coupling(c.dt, tau_m_ms, te))
        }
    };
    warnings.extend(refractory_dropped(c.name, ph.t_ref, "loihi_cuba_lif"));
    // Shift so the reset is 0; the leak toward v_rest becomes a bias.
    let theta = v_thresh_mv - v_reset_mv;
    if theta < 0.0 {
        return Err(QuantError::other(format!(
                "v_thresh_mv {v_thresh_mv} is below v_reset_mv {v_reset_mv}: loihi_cuba_lif resets to 0 with a non-negative threshold"
            )));
    }
    let bias_shift = bias_mv + (v_rest_mv - v_reset_mv) * dv_frac;
    let vmax = theta.abs().max((v_rest_mv - v_reset_mv).abs()).max(
        c.init
            .iter()
            .fold(0.0f64, |m, v| m.max((v - v_reset_mv).abs())),
    );
    let (wq, s, e) = loihi_scale(c, &setup, gain, vmax);
    let strict = ph.strict;
    let t_int = theta * s - if strict { 0.0 } else { 1.0 };
    let vth = (t_int / 64.0).round().max(0.0) as i64;
    let realised = (vth * 64 + if strict { 0 } else { 1 }) as f64 / s + v_reset_mv;
    params_q.push(ParamQuant::new("v_thresh", v_thresh_mv, vth, realised));
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
    Ok(QuantisedPop {
        report: PopQuant::scaled(c.name, "lif", "mV", s, wq.mult, Some(e), params_q),
        wq,
        integer_weights: false,
        one_current: false,
        params: vec![p; n],
        init,
        warnings,
    })
}

/// SANA-FE's `loihi_lif`: multiplicative leak, reset shifted to 0, per-neuron bias.
fn from_sanafe(c: &PopCtx) -> Quantised {
    let setup = Setup::of(c);
    let n = setup.n;
    let warnings = Vec::new();
    let mut params_q = Vec::new();
    let (threshold, reset, dv) = sanafe_leak(c, 4095.0, &mut params_q)?;
    let theta = threshold - reset;
    if theta < 0.0 {
        return Err(QuantError::other(format!(
                "threshold {threshold} is below reset {reset}: loihi_cuba_lif resets to 0 with a non-negative threshold"
            )));
    }
    let vmax = theta.abs().max(reset.abs()).max(max_abs(c.init));
    let (wq, s, e) = loihi_scale(c, &setup, 1.0, vmax);
    let vth = (theta * s / 64.0).round() as i64;
    params_q.push(ParamQuant::new(
        "threshold",
        threshold,
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
    Ok(QuantisedPop {
        report: PopQuant::scaled(c.name, "sanafe_lif", "units", s, wq.mult, Some(e), params_q),
        wq,
        integer_weights: false,
        one_current: false,
        params,
        init: vec![LoihiState::default(); n],
        warnings,
    })
}

/// Chooses the Loihi weight mantissa scale `k` (mantissa per unit of weight × gain)
/// and exponent `e` so that `s = k·2^(6+e)` potential LSBs per unit keep
/// `vmax·s ≤ lim_v`.
fn loihi_scale(c: &PopCtx, su: &Setup, gain: f64, vmax: f64) -> (WeightQ, f64, i32) {
    let Setup {
        nwb,
        field_lo,
        field_hi,
        lim_v,
        ..
    } = *su;
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

impl MapModel for LoihiCubaLif {
    fn quantise(c: &PopCtx<'_>) -> Result<QuantisedPop<LoihiParams, LoihiState>, QuantError> {
        loihi_pop(c)
    }
}
