//! Quantisation for the fixed-function chips whose neurons differ from the
//! network's LIF: SpiNNaker (s16.15 current-based LIF), Xylo (shift-decay
//! integrate-and-fire) and TrueNorth (linear-leak integer neuron with four
//! axon types). Each maps only physical `lif` parameters; every deviation
//! from the network's dynamics is either a reported rounding error or a
//! warning that names the population.

use crate::models::{kind_name, max_abs, refractory_dropped, PopCtx, PopQ};
use crate::quant::{pick_scale, ParamQuant, PopQuant, WeightQ};
use crate::word::weight_range;
use neurochip_firmware::fixed::s1615_from_f64;
use neurochip_firmware::models::spinnaker::{SpinnakerParams, SpinnakerState};
use neurochip_firmware::models::truenorth::{TrueNorthParams, TrueNorthState, V_BITS};
use neurochip_firmware::models::xylo::{XyloParams, XyloState, MAX_HIDDEN_SPIKES, MAX_OUT_SPIKES};
use neurochip_net::schema::NeuronParams;

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
pub(crate) fn phys(c: &PopCtx, model: &str) -> Result<Phys, String> {
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
        other => Err(format!(
            "{} parameters cannot be expressed by {model}: it maps physical lif parameters (mV, ms) only",
            kind_name(other)
        )),
    }
}

/// Initial potentials relative to `v_rest`, and the largest magnitude the registers must hold
/// (threshold, reset, bias, every initial potential).
fn v_span(c: &PopCtx, p: &Phys, theta: f64, reset: f64) -> (Vec<f64>, f64) {
    let shifted: Vec<f64> = c.init.iter().map(|v| v - p.rest).collect();
    let vmax = theta
        .max(reset.abs())
        .max(p.bias.abs())
        .max(max_abs(&shifted));
    (shifted, vmax)
}

/// Worst quantisation of per-neuron initial potentials.
fn worst_init(name: &str, vals: &[f64], ints: &[i64], lsb: f64, offset: f64) -> ParamQuant {
    let mut best: Option<(f64, usize)> = None;
    for (i, &v) in vals.iter().enumerate() {
        let e = (ints[i] as f64 * lsb + offset - v).abs();
        if best.is_none_or(|(b, _)| e > b) {
            best = Some((e, i));
        }
    }
    let scale = max_abs(vals);
    match best {
        None => ParamQuant::new(name, 0.0, 0, 0.0),
        Some((e, i)) => ParamQuant {
            name: name.to_string(),
            requested: vals[i],
            integer: ints[i],
            realised: ints[i] as f64 * lsb + offset,
            rel_error: if scale > 0.0 { e / scale } else { e },
        },
    }
}

/// SpiNNaker `IF_curr_exp` with c_m = 1 nF.
///
/// Unit convention: a network weight `w` (mV) is the jump of the synaptic
/// drive `I·R` (as in the `lif` model), so the current jumps by `w / R` nA with
/// `R = τm / c_m`. Delta synapses (no `tau_syn`) become exponential currents
/// with `tau_syn = dt`, scaled so the total voltage displacement
/// `(1 − e^(−dt/τm)) / (1 − e^(−dt/τs)) · I·R` equals `w`. The 16-bit unsigned
/// ring weight takes its sign from the synapse type (0 excitatory, 1
/// inhibitory) and each type gets the smallest weight shift that holds its
/// largest weight.
pub(crate) fn spinnaker_pop(c: &PopCtx) -> Result<PopQ<SpinnakerParams, SpinnakerState>, String> {
    let p = phys(c, "spinnaker_lif")?;
    let dt = c.dt;
    let mut warnings = Vec::new();
    let mut pq = Vec::new();
    let (tau_m, c_m) = match p.tau_m {
        Some(t) => (t, 1.0),
        None => {
            warnings.push(format!(
                "population {:?}: no membrane leak realised as tau_m = 10 s (c_m = 500 nF) on spinnaker_lif",
                c.name
            ));
            (10_000.0, 500.0)
        }
    };
    let delta = p.tau_e.is_none();
    let (te, ti) = (p.tau_e.unwrap_or(dt), p.tau_i.unwrap_or(dt));
    if delta {
        warnings.push(format!(
            "population {:?}: delta synapses approximated on spinnaker_lif by exponential currents with tau_syn = dt = {dt} ms, scaled to the same total voltage jump",
            c.name
        ));
    }
    let r = tau_m / c_m;
    let em = (-dt / tau_m).exp();
    let i_offset = p.bias / (r * (1.0 - em));
    let base = SpinnakerParams::from_physical(
        tau_m, c_m, p.rest, p.reset, p.theta, te, ti, p.t_ref, i_offset, dt,
    )
    .map_err(|e| format!("{}: {e}", e.field()))?;
    // Realised factors from the integers.
    let em_r = base.exp_tc as f64 / 32768.0;
    let r_r = base.r_membrane as f64 / 32768.0;
    let mut gains = [0f64; 2];
    let mut shifts = [0u8; 2];
    for k in 0..2 {
        let init = base.syn_init[k] as f64 / 4_294_967_296.0;
        let decay = base.syn_decay[k] as f64 / 4_294_967_296.0;
        let factor = if delta {
            (1.0 - decay) / (1.0 - em_r)
        } else {
            1.0
        };
        // Ring units per mV at shift 0.
        let per_mv = 32768.0 * factor / (r_r * init);
        let need = c.max_w[k] * per_mv;
        let sh = if need > 65535.0 {
            (need / 65535.0).log2().ceil().clamp(0.0, 15.0) as u8
        } else {
            0
        };
        shifts[k] = sh;
        let g = per_mv / f64::from(1u32 << sh);
        gains[k] = if k == 1 { -g } else { g };
    }
    let params = base
        .with_weight_shift(shifts)
        .map_err(|e| format!("{}: {e}", e.field()))?;
    let v = |x: i32| x as f64 / 32768.0;
    pq.push(ParamQuant::new(
        "v_thresh",
        p.theta,
        params.v_thresh as i64,
        v(params.v_thresh),
    ));
    pq.push(ParamQuant::new(
        "v_reset",
        p.reset,
        params.v_reset as i64,
        v(params.v_reset),
    ));
    pq.push(ParamQuant::new(
        "v_rest",
        p.rest,
        params.v_rest as i64,
        v(params.v_rest),
    ));
    pq.push(ParamQuant::new(
        "tau_m",
        p.tau_m.unwrap_or(f64::INFINITY),
        params.exp_tc as i64,
        -dt / em_r.ln(),
    ));
    for (k, (name, tau)) in [("tau_syn_e", p.tau_e), ("tau_syn_i", p.tau_i)]
        .into_iter()
        .enumerate()
        .filter(|_| !delta)
    {
        let d = params.syn_decay[k] as f64 / 4_294_967_296.0;
        pq.push(ParamQuant::new(
            name,
            tau.unwrap_or(0.0),
            params.syn_decay[k] as i64,
            -dt / d.ln(),
        ));
    }
    pq.push(ParamQuant::new(
        "t_ref",
        p.t_ref,
        params.t_refract as i64,
        params.t_refract as f64 * dt,
    ));
    pq.push(ParamQuant::new(
        "i_offset (nA)",
        i_offset,
        params.i_offset as i64,
        v(params.i_offset),
    ));
    pq.push(ParamQuant::new(
        "weight_shift_e",
        0.0,
        shifts[0] as i64,
        0.0,
    ));
    pq.push(ParamQuant::new(
        "weight_shift_i",
        0.0,
        shifts[1] as i64,
        0.0,
    ));
    if p.strict {
        warnings.push(format!(
            "population {:?}: strict threshold v > θ realised as spinnaker_lif's v >= θ",
            c.name
        ));
    }
    if p.drops && p.t_ref > 0.0 && !delta {
        warnings.push(format!(
            "population {:?}: spinnaker_lif keeps integrating synaptic currents while refractory (input is not dropped)",
            c.name
        ));
    }
    let ints: Vec<i64> = c
        .init
        .iter()
        .map(|&x| s1615_from_f64(x.clamp(-65535.0, 65535.0)).to_bits() as i64)
        .collect();
    pq.push(worst_init("v_init", c.init, &ints, 1.0 / 32768.0, 0.0));
    let init = ints
        .iter()
        .map(|&v| SpinnakerState {
            v: v as i32,
            ..SpinnakerState::default()
        })
        .collect();
    Ok(PopQ {
        wq: WeightQ {
            mult: 1.0,
            gain: gains,
            lo: 0,
            hi: 65535,
            lava_nwb: None,
        },
        integer_weights: false,
        one_current: false,
        params: vec![params; c.init.len()],
        init,
        report: PopQuant::scaled(c.name, "lif", "mV", 32768.0, gains[0], None, pq),
        warnings,
    })
}

/// Xylo core v2 has 8 readout neurons (XyloAudio 2 datasheet; xylosim's `size_out`).
pub(crate) const XYLO_READOUT_NEURONS: usize = 8;

/// Xylo IAF: potentials shifted so `v_rest` is 0, `dash = round(log2(τ/dt))`,
/// int8 weights with one weight shift per target population.
///
/// A weight `w` (mV) becomes a jump of `Isyn` whose total charge into `Vmem`
/// equals the `lif` model's: `w·τs/τm` for exponential currents, `w` for delta
/// synapses (realised as `dash_syn = 1`, so half arrives in the spike's step
/// and the rest over the next steps). The readout is the last population when
/// nothing projects out of it: one current (`n_syn = 1`, every synapse on
/// channel 0) and one spike per step; other populations may emit up to 31.
pub(crate) fn xylo_pop(c: &PopCtx) -> Result<PopQ<XyloParams, XyloState>, String> {
    let p = phys(c, "xylo_iaf")?;
    let dt = c.dt;
    let mut warnings = Vec::new();
    let mut pq = Vec::new();
    let dash = |tau: f64| (tau / dt).log2().round().clamp(0.0, 15.0) as u8;
    let tau_of = |d: u8| -dt / (1.0 - 0.5f64.powi(d as i32)).ln();
    let dash_mem = match p.tau_m {
        Some(t) => dash(t),
        None => {
            warnings.push(format!(
                "population {:?}: no membrane leak realised as dash_mem = 15 (Xylo always leaks at least 1 LSB per step)",
                c.name
            ));
            15
        }
    };
    let mut tq = ParamQuant::new(
        "tau_m (dash_mem)",
        p.tau_m.unwrap_or(f64::INFINITY),
        dash_mem as i64,
        if dash_mem == 0 { 0.0 } else { tau_of(dash_mem) },
    );
    if !tq.rel_error.is_finite() {
        // No leak requested, a slow one realised: not exact, and NaN would not serialise.
        tq.rel_error = 1.0;
    }
    pq.push(tq);
    let delta = p.tau_e.is_none();
    let ds = match (p.tau_e, p.tau_i) {
        (Some(e), Some(i)) => [dash(e).max(1), dash(i).max(1)],
        _ => [1, 1],
    };
    for (k, (name, tau)) in [
        ("tau_syn_e (dash_syn)", p.tau_e),
        ("tau_syn_i (dash_syn)", p.tau_i),
    ]
    .into_iter()
    .enumerate()
    .filter(|_| !delta)
    {
        pq.push(ParamQuant::new(
            name,
            tau.unwrap_or(0.0),
            ds[k] as i64,
            tau_of(ds[k]),
        ));
    }
    if delta {
        warnings.push(format!(
            "population {:?}: delta synapses realised on xylo_iaf as a current with dash_syn = 1 (same total charge, half of it in the spike's step)",
            c.name
        ));
    }
    let tm = p.tau_m.unwrap_or(dt);
    let gains: [f64; 2] = [0, 1].map(|k| {
        let tail = f64::from((1u32 << ds[k]) - 1);
        match [p.tau_e, p.tau_i][k] {
            Some(ts) if !delta => ts / (tm * tail),
            _ => 1.0 / tail,
        }
    });
    let readout = c.sink;
    if readout && c.init.len() > XYLO_READOUT_NEURONS {
        return Err(format!(
            "readout population (last, no outgoing projections) has {} neurons, xylo_iaf has {XYLO_READOUT_NEURONS} readout neurons; use at most {XYLO_READOUT_NEURONS} outputs (e.g. builtin:feedforward:outputs={XYLO_READOUT_NEURONS})",
            c.init.len()
        ));
    }
    let uses_inh = c.max_w[1] > 0.0;
    if readout && uses_inh && p.tau_e != p.tau_i {
        return Err(format!(
            "readout population (last, no outgoing projections) has one synaptic current on xylo_iaf, but tau_syn_e_ms {:?} and tau_syn_i_ms {:?} differ",
            p.tau_e, p.tau_i
        ));
    }
    let n_syn = if !readout && uses_inh { 2 } else { 1 };
    let theta = p.theta - p.rest;
    let reset = p.reset - p.rest;
    if theta <= 0.0 {
        return Err(format!(
            "v_thresh_mv {} is not above v_rest_mv {}: xylo_iaf needs a positive threshold above rest",
            p.theta, p.rest
        ));
    }
    if reset != 0.0 {
        warnings.push(format!(
            "population {:?}: reset to v_reset = {} mV realised as Xylo's subtractive reset (v -= threshold)",
            c.name, p.reset
        ));
    }
    warnings.extend(refractory_dropped(c.name, p.t_ref, "xylo_iaf"));
    let (shifted, vmax) = v_span(c, &p, theta, reset);
    // i16 registers with two bits of headroom.
    let s = (8191.0 / vmax).floor().max(1.0);
    let wmax = (c.max_w[0] * gains[0]).max(c.max_w[1] * gains[1]) * s;
    let ws = if wmax > 127.499 {
        (wmax / 127.499).log2().ceil().clamp(0.0, 15.0) as i8
    } else {
        0
    };
    let mult = s / f64::from(1u32 << ws);
    let thr = (theta * s).round().clamp(1.0, 32767.0) as i16;
    let bias = (p.bias * s).round().clamp(-32768.0, 32767.0) as i16;
    pq.push(ParamQuant::new(
        "threshold",
        p.theta,
        thr as i64,
        thr as f64 / s + p.rest,
    ));
    pq.push(ParamQuant::new(
        "bias",
        p.bias,
        bias as i64,
        bias as f64 / s,
    ));
    pq.push(ParamQuant::new(
        "weight_shift",
        ws as f64,
        ws as i64,
        ws as f64,
    ));
    let max_spikes = if readout {
        MAX_OUT_SPIKES
    } else {
        MAX_HIDDEN_SPIKES
    };
    let params = XyloParams::new(dash_mem, ds, n_syn, thr, bias, max_spikes, ws)
        .map_err(|e| format!("{}: {e}", e.field()))?;
    if !readout {
        warnings.push(format!(
            "population {:?}: xylo_iaf may emit up to {MAX_HIDDEN_SPIKES} spikes per step (counted as one spike event each)",
            c.name
        ));
    }
    let ints: Vec<i64> = shifted
        .iter()
        .map(|&v| (v * s).round().clamp(-32768.0, 32767.0) as i64)
        .collect();
    pq.push(worst_init("v_init", c.init, &ints, 1.0 / s, p.rest));
    let init = ints
        .iter()
        .map(|&v| XyloState {
            vmem: v as i16,
            ..XyloState::default()
        })
        .collect();
    let (lo, hi) = weight_range(c.weight_bits.min(8));
    Ok(PopQ {
        wq: WeightQ {
            mult,
            gain: gains,
            lo,
            hi,
            lava_nwb: None,
        },
        integer_weights: false,
        one_current: n_syn == 1,
        params: vec![params; c.init.len()],
        init,
        report: PopQuant::scaled(c.name, "lif", "mV", s, mult, None, pq),
        warnings,
    })
}

/// TrueNorth: potentials shifted so `v_rest` is 0; α threshold, R reset
/// (γ = 0), κ = 0 with β at the register bound (no negative reset), and the
/// membrane leak as a linear leak toward 0 (ε = 1) whose rate equals the
/// exponential's at half the threshold. Exponential currents become
/// instantaneous jumps of the same charge (`w·τs/τm`). The weights themselves
/// are written per neuron later (its up to 4 distinct integers = axon types).
pub(crate) fn truenorth_pop(c: &PopCtx) -> Result<PopQ<TrueNorthParams, TrueNorthState>, String> {
    let p = phys(c, "truenorth")?;
    let dt = c.dt;
    let mut warnings = Vec::new();
    let mut pq = Vec::new();
    let theta = p.theta - p.rest;
    let reset = p.reset - p.rest;
    if theta <= 0.0 {
        return Err(format!(
            "v_thresh_mv {} is not above v_rest_mv {}: truenorth needs a positive threshold above rest",
            p.theta, p.rest
        ));
    }
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
        return Err(format!(
            "no usable scale (max weight {max_w}, max potential {vmax})"
        ));
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
    let (leak, reversal) = if p.bias != 0.0 {
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
    };
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
    .map_err(|e| format!("{}: {e}", e.field()))?;
    let ints: Vec<i64> = shifted.iter().map(|&v| (v * s).round() as i64).collect();
    pq.push(worst_init("v_init", c.init, &ints, 1.0 / s, p.rest));
    let init = ints
        .iter()
        .map(|&v| TrueNorthState { v: v as i32 })
        .collect();
    let (lo, hi) = weight_range(c.weight_bits.min(9));
    Ok(PopQ {
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

/// Writes a neuron's axon-type weight table into its parameters.
pub(crate) fn truenorth_types(p: &mut TrueNorthParams, tab: &[i16; 4]) {
    p.weights = *tab;
}
