//! From Lava's learning parameters (float impulses and taus, rule strings) to
//! the firmware's plain-data [`LearningConfig`].

use neurochip_firmware::learning::{Decay, Impulse, LearningConfig, TraceParams, MAX_EPOCH};
use neurochip_firmware::models::loihi::SignMode;

use crate::parse::{parse_rule, RuleSyntaxError};

/// A parameter that cannot be compiled: names the field and the reason.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ConfigError {
    /// A numeric parameter out of range.
    #[error("{field}: {reason}")]
    Field {
        /// Lava's name of the parameter (`x1_impulse`, `y2_tau`, `t_epoch`).
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A rule string that does not parse.
    #[error(transparent)]
    Rule(#[from] RuleSyntaxError),
}

fn field_err(field: &str, reason: String) -> ConfigError {
    ConfigError::Field {
        field: field.to_string(),
        reason,
    }
}

/// One trace as Lava's learning rule takes it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TraceSpec {
    /// Added at each spike (>= 0; the fraction is rounded stochastically).
    pub impulse: f64,
    /// Decay time constant in steps (0 = wiped every epoch).
    pub tau: f64,
}

/// Lava's learning rule and the learning Dense's sign mode, before compilation.
#[derive(Clone, Debug, PartialEq)]
pub struct LearningSpec<'a> {
    /// The weight update, if the weight learns.
    pub dw: Option<&'a str>,
    /// The delay-tag update.
    pub dd: Option<&'a str>,
    /// The tag update.
    pub dt: Option<&'a str>,
    /// `x1`, `x2`.
    pub x: [TraceSpec; 2],
    /// `y1`, `y2`, `y3`.
    pub y: [TraceSpec; 3],
    /// Learning epoch in steps.
    pub t_epoch: u32,
    /// Sign mode of the weights.
    pub sign_mode: SignMode,
    /// Three-factor rule (the post neurons send `y1..y3`).
    pub three_factor: bool,
}

/// Trace names in [`LearningSpec`] order, for error messages.
const TRACE_NAMES: [&str; 5] = ["x1", "x2", "y1", "y2", "y3"];

/// Split an impulse as Lava does: `int = floor`, `frac = round_half_even((imp - int) · 256)`.
pub fn impulse(field: &str, imp: f64) -> Result<Impulse, ConfigError> {
    if !imp.is_finite() || imp < 0.0 {
        return Err(field_err(
            field,
            format!("{imp} is not a finite number >= 0"),
        ));
    }
    let int = imp.floor();
    if int > f64::from(u16::MAX) {
        return Err(field_err(field, format!("{imp} is above {}", u16::MAX)));
    }
    Ok(Impulse {
        int: int as u16,
        frac: ((imp - int) * 256.0).round_ties_even() as u16,
    })
}

/// Lava's decay factor `exp(-1/tau)` (0 for `tau = 0`), with Rust's `exp`:
/// it can differ from numpy's SIMD `exp` in the last bit for some taus.
pub fn decay_factor(tau: f64) -> f64 {
    if tau == 0.0 {
        0.0
    } else {
        (-1.0 / tau).exp()
    }
}

/// A trace's firmware parameters from its impulse and exact decay factor.
pub fn trace_params(name: &str, imp: f64, factor: f64) -> Result<TraceParams, ConfigError> {
    let decay =
        Decay::from_f64(factor).map_err(|e| field_err(&format!("{name}_tau"), e.to_string()))?;
    Ok(TraceParams {
        impulse: impulse(&format!("{name}_impulse"), imp)?,
        decay,
    })
}

/// Check a learning epoch: `1..=MAX_EPOCH` (spike times are 6-bit registers).
pub fn epoch(t_epoch: u32) -> Result<u8, ConfigError> {
    match u8::try_from(t_epoch) {
        Ok(e) if (1..=MAX_EPOCH).contains(&e) => Ok(e),
        _ => Err(field_err(
            "t_epoch",
            format!("{t_epoch} is outside 1..={MAX_EPOCH} (6-bit spike times)"),
        )),
    }
}

/// Compile a spec into firmware data with at most `P` products of `F` factors.
pub fn compile<const P: usize, const F: usize>(
    spec: &LearningSpec,
) -> Result<LearningConfig<P, F>, ConfigError> {
    let mut params = [TraceParams::default(); 5];
    for (k, (p, t)) in params
        .iter_mut()
        .zip(spec.x.iter().chain(&spec.y))
        .enumerate()
    {
        let name = TRACE_NAMES[k];
        if !t.tau.is_finite() || t.tau < 0.0 {
            return Err(field_err(
                &format!("{name}_tau"),
                format!("{} is not a finite number >= 0", t.tau),
            ));
        }
        *p = trace_params(name, t.impulse, decay_factor(t.tau))?;
    }
    Ok(LearningConfig {
        rule: parse_rule(spec.dw, spec.dd, spec.dt)?,
        x: [params[0], params[1]],
        y: [params[2], params[3], params[4]],
        t_epoch: epoch(spec.t_epoch)?,
        sign_mode: spec.sign_mode,
        three_factor: spec.three_factor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impulses_split_like_lava() {
        assert_eq!(
            impulse("x1_impulse", 16.0).unwrap(),
            Impulse { int: 16, frac: 0 }
        );
        assert_eq!(
            impulse("x1_impulse", 2.25).unwrap(),
            Impulse { int: 2, frac: 64 }
        );
        // 0.5/256 rounds half to even: 0.001953125 · 256 = 0.5 -> 0.
        assert_eq!(impulse("x1_impulse", 0.001953125).unwrap().frac, 0);
        assert_eq!(
            impulse("x1_impulse", 0.999).unwrap(),
            Impulse { int: 0, frac: 256 }
        );
        let e = impulse("y2_impulse", -1.0).unwrap_err();
        assert_eq!(e.to_string(), "y2_impulse: -1 is not a finite number >= 0");
    }

    #[test]
    fn spec_errors_name_the_field() {
        let spec = LearningSpec {
            dw: Some("x0*y1"),
            dd: None,
            dt: None,
            x: [
                TraceSpec {
                    impulse: 16.0,
                    tau: 10.0,
                },
                TraceSpec::default(),
            ],
            y: [
                TraceSpec {
                    impulse: 16.0,
                    tau: -2.0,
                },
                TraceSpec::default(),
                TraceSpec::default(),
            ],
            t_epoch: 1,
            sign_mode: SignMode::Mixed,
            three_factor: false,
        };
        let e = compile::<8, 4>(&spec).unwrap_err();
        assert_eq!(e.to_string(), "y1_tau: -2 is not a finite number >= 0");
        let spec = LearningSpec {
            y: [TraceSpec {
                impulse: 16.0,
                tau: 8.0,
            }; 3],
            t_epoch: 64,
            ..spec
        };
        let e = compile::<8, 4>(&spec).unwrap_err();
        assert!(
            e.to_string().starts_with("t_epoch: 64 is outside 1..=63"),
            "{e}"
        );
        let spec = LearningSpec {
            t_epoch: 2,
            dw: Some("x0*q"),
            ..spec
        };
        let e = compile::<8, 4>(&spec).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("dw term 1 `x0*q`: unknown variable `q`"),
            "{e}"
        );
        let spec = LearningSpec {
            dw: Some("x0*y1"),
            ..spec
        };
        let cfg = compile::<8, 4>(&spec).unwrap();
        assert_eq!(cfg.t_epoch, 2);
        assert!(cfg.x[1].decay.is_wipe());
    }
}
