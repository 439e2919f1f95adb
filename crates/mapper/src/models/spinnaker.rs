//! SpiNNaker (`spinnaker_lif`): sPyNNaker's s16.15 current-based LIF.

use super::common::{phys, worst_init, Phys};
use crate::model::{MapModel, PopCtx, QuantError, QuantisedPop};
use crate::quant::{ParamQuant, PopQuant, WeightQ};
use neurochip_firmware::fixed::s1615_from_f64;
use neurochip_firmware::models::spinnaker::{SpinnakerLif, SpinnakerParams, SpinnakerState};

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
pub(crate) fn spinnaker_pop(
    c: &PopCtx,
) -> Result<QuantisedPop<SpinnakerParams, SpinnakerState>, QuantError> {
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
    .map_err(|e| QuantError::field(e.field(), e.to_string()))?;
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
        .map_err(|e| QuantError::field(e.field(), e.to_string()))?;
    registers_report(&p, &params, dt, em_r, delta, i_offset, &mut pq);
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
    Ok(QuantisedPop {
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

/// The report lines of the registers `params` realise (`em_r` the realised `e^(−dt/τm)`).
fn registers_report(
    p: &Phys,
    params: &SpinnakerParams,
    dt: f64,
    em_r: f64,
    delta: bool,
    i_offset: f64,
    pq: &mut Vec<ParamQuant>,
) {
    let v = |x: i32| x as f64 / 32768.0;
    for (name, requested, int) in [
        ("v_thresh", p.theta, params.v_thresh),
        ("v_reset", p.reset, params.v_reset),
        ("v_rest", p.rest, params.v_rest),
    ] {
        pq.push(ParamQuant::new(name, requested, int as i64, v(int)));
    }
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
        params.weight_shift[0] as i64,
        0.0,
    ));
    pq.push(ParamQuant::new(
        "weight_shift_i",
        0.0,
        params.weight_shift[1] as i64,
        0.0,
    ));
}

impl MapModel for SpinnakerLif {
    fn quantise(
        c: &PopCtx<'_>,
    ) -> Result<QuantisedPop<SpinnakerParams, SpinnakerState>, QuantError> {
        spinnaker_pop(c)
    }
}
