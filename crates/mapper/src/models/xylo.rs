//! Xylo (`xylo_iaf`): shift-decay integrate-and-fire with int8 weights.

use super::common::{above_rest, phys, refractory_dropped, v_span, worst_init, Phys};
use crate::model::{MapModel, PopCtx, QuantError, QuantisedPop};
use crate::quant::{ParamQuant, PopQuant, WeightQ};
use crate::word::weight_range;
use neurochip_firmware::models::xylo::{
    XyloIaf, XyloParams, XyloState, MAX_HIDDEN_SPIKES, MAX_OUT_SPIKES,
};

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
pub(crate) fn xylo_pop(c: &PopCtx) -> Result<QuantisedPop<XyloParams, XyloState>, QuantError> {
    let p = phys(c, "xylo_iaf")?;
    let dt = c.dt;
    let mut warnings = Vec::new();
    let mut pq = Vec::new();
    let (dash_mem, ds, delta) = dashes(c, &p, &mut pq, &mut warnings);
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
        return Err(QuantError::other(format!(
            "readout population (last, no outgoing projections) has {} neurons, xylo_iaf has {XYLO_READOUT_NEURONS} readout neurons; use at most {XYLO_READOUT_NEURONS} outputs (e.g. builtin:feedforward:outputs={XYLO_READOUT_NEURONS})",
            c.init.len()
        )));
    }
    let uses_inh = c.max_w[1] > 0.0;
    if readout && uses_inh && p.tau_e != p.tau_i {
        return Err(QuantError::other(format!(
            "readout population (last, no outgoing projections) has one synaptic current on xylo_iaf, but tau_syn_e_ms {:?} and tau_syn_i_ms {:?} differ",
            p.tau_e, p.tau_i
        )));
    }
    let n_syn = if !readout && uses_inh { 2 } else { 1 };
    let (theta, reset) = above_rest(&p, "xylo_iaf")?;
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
        .map_err(|e| QuantError::field(e.field(), e.to_string()))?;
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
    Ok(QuantisedPop {
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

/// Xylo's power-of-two time constants: `dash_mem`, `dash_syn` per channel, and whether the
/// synapses are delta (realised as `dash_syn = 1`); their rounding goes to `pq`.
fn dashes(
    c: &PopCtx,
    p: &Phys,
    pq: &mut Vec<ParamQuant>,
    warnings: &mut Vec<String>,
) -> (u8, [u8; 2], bool) {
    let dt = c.dt;
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
    (dash_mem, ds, delta)
}

impl MapModel for XyloIaf {
    fn quantise(c: &PopCtx<'_>) -> Result<QuantisedPop<XyloParams, XyloState>, QuantError> {
        xylo_pop(c)
    }
}
