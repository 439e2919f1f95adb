//! What the mapper needs from [`AdaptiveLif`]: turning a population's own parameter table
//! (`kind = "model"`, `model = "adaptive_lif"`) into [`AlifParams`] and synapse weights.
//!
//! | parameter | unit | default | register |
//! |---|---|---|---|
//! | `tau_m_ms` | ms | no leak | `v_decay = round(4096·(1 − e^(−dt/τ)))` |
//! | `tau_a_ms` | ms | no decay | `a_decay`, the same rule |
//! | `theta_mv` | mV | required | `theta = round(θ·s)` |
//! | `beta_mv` | mV | 0 | `beta = round(β·s)` |
//! | `v_reset_mv` | mV | 0 | `v_reset = round(v_reset·s)` |
//! | `v_init_mv` | mV | 0 | initial `v` |
//!
//! Any value may be a per-neuron draw. One scale `s` (LSBs per mV) serves potentials and
//! weights: the largest with every weight inside the word's weight field and every
//! potential (θ + 4β, the reset, each initial value) within a quarter of the register
//! range, refined for few distinct weights as the built-in models do.

use std::format;
use std::string::ToString;
use std::vec::Vec;

use neurochip_mapper::quant::{
    decay12, max_scale, pick_scale, realised_tau, ParamQuant, PopQuant, WeightQ,
};
use neurochip_mapper::word::weight_range;
use neurochip_mapper::{MapModel, PopCtx, QuantError, QuantisedPop};
use neurochip_net::expand::Values;

use neurochip_firmware::NeuronModel;

use crate::{AdaptiveLif, AlifParams, AlifState};

/// The table's parameter names.
const PARAMS: [&str; 6] = [
    "tau_m_ms",
    "tau_a_ms",
    "theta_mv",
    "beta_mv",
    "v_reset_mv",
    "v_init_mv",
];

impl MapModel for AdaptiveLif {
    fn quantise(c: &PopCtx<'_>) -> Result<QuantisedPop<AlifParams, AlifState>, QuantError> {
        if !matches!(c.neuron, neurochip_net::NeuronParams::Model { .. }) {
            return Err(QuantError::other(format!(
                "{} parameters cannot be expressed by adaptive_lif: give the population kind = \"model\", model = \"adaptive_lif\" and its params table",
                c.neuron.kind_name()
            )));
        }
        c.only_params(&PARAMS)?;
        let n = c.size();
        let tau = |name: &str| -> Result<Option<f64>, QuantError> {
            match c.params.get(name) {
                None => Ok(None),
                Some(Values::Constant(t)) if *t > 0.0 => Ok(Some(*t)),
                Some(_) => Err(QuantError::field(
                    format!("params.{name}"),
                    "must be one constant > 0 (a time constant is per population)",
                )),
            }
        };
        let (tau_m, tau_a) = (tau("tau_m_ms")?, tau("tau_a_ms")?);
        let theta = c.param("theta_mv")?.clone();
        let beta = c.param_or("beta_mv", 0.0);
        let reset = c.param_or("v_reset_mv", 0.0);
        let init = c.param_or("v_init_mv", 0.0);
        for i in 0..n {
            if theta.at(i) <= reset.at(i) {
                return Err(QuantError::field(
                    "params.theta_mv",
                    format!(
                        "neuron {i}: threshold {} must be above v_reset_mv {}",
                        theta.at(i),
                        reset.at(i)
                    ),
                ));
            }
            if beta.at(i) < 0.0 {
                return Err(QuantError::field(
                    "params.beta_mv",
                    format!("neuron {i}: {} must be >= 0", beta.at(i)),
                ));
            }
        }
        let s = scale(c, &theta, &beta, &reset, &init)?;
        let q = |x: f64| (x * s).round() as i64;
        let (v_decay, a_decay) = (decay12(c.dt, tau_m), decay12(c.dt, tau_a));
        let mut report = Vec::new();
        report.push(ParamQuant::new(
            "tau_m",
            tau_m.unwrap_or(f64::INFINITY),
            v_decay as i64,
            realised_tau(c.dt, v_decay),
        ));
        report.push(ParamQuant::new(
            "tau_a",
            tau_a.unwrap_or(f64::INFINITY),
            a_decay as i64,
            realised_tau(c.dt, a_decay),
        ));
        for (name, v) in [("theta", &theta), ("beta", &beta), ("v_reset", &reset)] {
            // The first neuron's value stands for the population in the report.
            let x = v.at(0);
            report.push(ParamQuant::new(name, x, q(x), q(x) as f64 / s));
        }
        let mut params = Vec::with_capacity(n);
        let mut states = Vec::with_capacity(n);
        for i in 0..n {
            let p = AlifParams {
                bits: c.state_bits as u8,
                v_decay: v_decay as u16,
                a_decay: a_decay as u16,
                theta: q(theta.at(i)) as i32,
                beta: q(beta.at(i)) as i32,
                v_reset: q(reset.at(i)) as i32,
            }
            .checked()
            .map_err(|e| QuantError::field(e.field(), e.to_string()))?;
            params.push(p);
            states.push(AlifState {
                v: q(init.at(i)) as i32,
                a: 0,
            });
        }
        let (lo, hi) = weight_range(c.weight_bits);
        Ok(QuantisedPop {
            wq: WeightQ {
                mult: s,
                gain: [1.0, 1.0],
                lo,
                hi,
                lava_nwb: None,
            },
            integer_weights: false,
            one_current: false,
            params,
            init: states,
            report: PopQuant::scaled(c.name, "adaptive_lif", "mV", s, s, None, report),
            warnings: Vec::new(),
        })
    }
}

/// LSBs per mV: weights inside the field, potentials within a quarter of the register.
fn scale(
    c: &PopCtx<'_>,
    theta: &Values,
    beta: &Values,
    reset: &Values,
    init: &Values,
) -> Result<f64, QuantError> {
    let bits = <AdaptiveLif as NeuronModel>::STATE_BITS;
    if !bits.contains(c.state_bits) {
        return Err(QuantError::other(format!(
            "core.state_bits = {} is outside {}..={} supported by adaptive_lif",
            c.state_bits, bits.min, bits.max
        )));
    }
    let lim = ((1u64 << (c.state_bits - 1)) - 1) as f64 / 4.0;
    let vmax = (theta.max_abs() + 4.0 * beta.max_abs())
        .max(reset.max_abs())
        .max(init.max_abs());
    let s_v = if vmax > 0.0 { lim / vmax } else { lim };
    let (_, hi) = weight_range(c.weight_bits);
    let max_w = c.max_w[0].max(c.max_w[1]);
    let s_w = if max_w > 0.0 {
        max_scale(hi as f64, max_w)
    } else {
        f64::INFINITY
    };
    // Few distinct weights (on every channel used): pick the scale that hits them exactly.
    let mut distinct: Option<Vec<f64>> = Some(Vec::new());
    for (m, d) in c.max_w.iter().zip(&c.distinct) {
        if *m > 0.0 {
            distinct = match (distinct, d) {
                (Some(mut v), Some(ws)) => {
                    v.extend_from_slice(ws);
                    Some(v)
                }
                _ => None,
            };
        }
    }
    let s = pick_scale(distinct.as_deref(), s_v.min(s_w));
    if !(s > 0.0 && s.is_finite()) {
        return Err(QuantError::other(format!(
            "no usable scale (max weight {max_w}, max potential {vmax})"
        )));
    }
    Ok(s)
}
