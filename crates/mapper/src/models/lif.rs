//! The configurable integer LIF (`lif`): one scale for potentials and weights.

use super::common::{coupling, distinct_gained, max_abs, max_gained, phys, sanafe_leak, worst};
use crate::model::{MapModel, PopCtx, QuantError, QuantisedPop};
use crate::quant::{decay12, max_scale, pick_scale, realised_tau, ParamQuant, PopQuant, WeightQ};
use crate::word::weight_range;
use neurochip_firmware::models::lif::{Lif, LifParams, LifState};
use neurochip_firmware::{NeuronModel, StateBits};
use neurochip_net::schema::NeuronParams;

/// What the `lif` registers take from a population, whatever its kind.
struct Shape {
    kind: &'static str,
    unit: &'static str,
    v_decay: u32,
    rest: f64,
    theta: f64,
    strict: bool,
    reset: f64,
    refr: u16,
    drops: bool,
    bias: f64,
    syn: [u32; 2],
    current: bool,
    gains: [f64; 2],
}

/// The physical `lif` kind.
fn lif_shape(c: &PopCtx, pq: &mut Vec<ParamQuant>) -> Result<Shape, QuantError> {
    let p = phys(c, "lif")?;
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
    Ok(Shape {
        kind: "lif",
        unit: "mV",
        v_decay: d,
        rest: p.rest,
        theta: p.theta,
        strict: p.strict,
        reset: p.reset,
        refr: refr.min(u16::MAX as f64) as u16,
        drops: p.drops,
        bias: p.bias,
        syn,
        current,
        gains,
    })
}

/// SANA-FE's `loihi_lif` kind: multiplicative leak, strict threshold, rest 0, per-neuron bias.
fn sanafe_shape(c: &PopCtx, pq: &mut Vec<ParamQuant>) -> Result<Shape, QuantError> {
    let (threshold, reset, d) = sanafe_leak(c, 4096.0, pq)?;
    Ok(Shape {
        kind: "sanafe_lif",
        unit: "units",
        v_decay: d,
        rest: 0.0,
        theta: threshold,
        strict: true,
        reset,
        refr: 0,
        drops: false,
        bias: 0.0,
        syn: [4096, 4096],
        current: false,
        gains: [1.0, 1.0],
    })
}

/// Configurable integer LIF: one scale (LSBs per mV or unit) for potentials and weights.
pub(crate) fn lif_pop(c: &PopCtx) -> Result<QuantisedPop<LifParams, LifState>, QuantError> {
    let StateBits { min, max } = Lif::STATE_BITS;
    if !Lif::STATE_BITS.contains(c.state_bits) {
        return Err(QuantError::other(format!(
            "core.state_bits = {} is outside {min}..={max} supported by lif",
            c.state_bits
        )));
    }
    let (field_lo, field_hi) = weight_range(c.weight_bits);
    let lim = ((1u64 << (c.state_bits - 1)) - 1) as f64 / 4.0;
    let n = c.init.len();
    let mut pq = Vec::new();
    let mut warnings = Vec::new();
    let Shape {
        kind,
        unit,
        v_decay,
        rest,
        theta,
        strict,
        reset,
        refr,
        drops,
        bias,
        syn,
        current,
        gains,
    } = match c.neuron {
        NeuronParams::LoihiLif { .. } => {
            return Err(QuantError::other(
                "loihi_lif parameters are Loihi register integers; map them on an architecture whose core.model is loihi_cuba_lif",
            ))
        }
        NeuronParams::Lif { .. } => lif_shape(c, &mut pq)?,
        NeuronParams::SanafeLif { .. } => sanafe_shape(c, &mut pq)?,
        NeuronParams::Model { model, .. } => {
            return Err(QuantError::other(format!(
                "{model} parameters cannot be expressed by lif: it maps the network's lif and sanafe_lif kinds"
            )))
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
        return Err(QuantError::other(format!(
            "no usable scale (max weight {max_w}, max potential {vmax})"
        )));
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
        params.push(
            p.checked()
                .map_err(|e| QuantError::field(e.field(), e.to_string()))?,
        );
        init.push(st);
    }
    if n == 0 {
        base.checked()
            .map_err(|e| QuantError::field(e.field(), e.to_string()))?;
    }
    Ok(QuantisedPop {
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

impl MapModel for Lif {
    fn quantise(c: &PopCtx<'_>) -> Result<QuantisedPop<LifParams, LifState>, QuantError> {
        lif_pop(c)
    }
}
