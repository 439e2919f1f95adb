//! The shipped programs (`programs/*.nasm`): the native models written as
//! neuron programs, and the conversions from a native model's parameters
//! to the program's parameter values (what a mapper writes into parameter
//! memory). `tests/equivalence.rs` holds each pair together.

use neurochip_firmware::fixed::{max_of, min_of};
use neurochip_firmware::models::lif::LifParams;
use neurochip_firmware::models::loihi::LoihiParams;
use neurochip_firmware::models::sigma_delta::{DeltaParams, DenseInput, SigmaDeltaParams};
use neurochip_firmware::models::xylo::XyloParams;

use crate::{assemble, Assembled, Limits, ProgramError, Source};

/// A shipped program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// `models::lif::Lif`.
    Lif,
    /// `models::loihi::LoihiCubaLif`.
    LoihiCubaLif,
    /// `models::xylo::XyloIaf`.
    XyloIaf,
    /// `models::sigma_delta::SigmaDelta`.
    SigmaDelta,
    /// `models::sigma_delta::Delta`.
    Delta,
    /// `models::sigma_delta::Sigma`.
    Sigma,
}

impl Builtin {
    /// Every shipped program.
    pub const ALL: [Builtin; 6] = [
        Builtin::Lif,
        Builtin::LoihiCubaLif,
        Builtin::XyloIaf,
        Builtin::SigmaDelta,
        Builtin::Delta,
        Builtin::Sigma,
    ];

    /// The program's name (its native model's `NAME`).
    pub const fn name(self) -> &'static str {
        match self {
            Builtin::Lif => "lif",
            Builtin::LoihiCubaLif => "loihi_cuba_lif",
            Builtin::XyloIaf => "xylo_iaf",
            Builtin::SigmaDelta => "sigma_delta",
            Builtin::Delta => "delta",
            Builtin::Sigma => "sigma",
        }
    }

    /// The file the program ships as, relative to this crate.
    pub const fn file(self) -> &'static str {
        match self {
            Builtin::Lif => "programs/lif.nasm",
            Builtin::LoihiCubaLif => "programs/loihi_cuba_lif.nasm",
            Builtin::XyloIaf => "programs/xylo_iaf.nasm",
            Builtin::SigmaDelta => "programs/sigma_delta.nasm",
            Builtin::Delta => "programs/delta.nasm",
            Builtin::Sigma => "programs/sigma.nasm",
        }
    }

    /// The program text.
    pub const fn source(self) -> &'static str {
        match self {
            Builtin::Lif => include_str!("../programs/lif.nasm"),
            Builtin::LoihiCubaLif => include_str!("../programs/loihi_cuba_lif.nasm"),
            Builtin::XyloIaf => include_str!("../programs/xylo_iaf.nasm"),
            Builtin::SigmaDelta => include_str!("../programs/sigma_delta.nasm"),
            Builtin::Delta => include_str!("../programs/delta.nasm"),
            Builtin::Sigma => include_str!("../programs/sigma.nasm"),
        }
    }

    /// Assemble the program for `population`.
    pub fn assemble(self, population: &str) -> Result<Assembled, ProgramError> {
        let src = Source {
            file: self.file(),
            population,
            text: self.source(),
        };
        assemble(&src, &Limits::default())
    }
}

/// Parameter values as `(name, value)` pairs for [`Assembled::neuron`].
pub type Values = Vec<(&'static str, i64)>;

/// [`Builtin::Lif`]'s values for native parameters (the state range from
/// `state_bits`, clamped to 8..=32 as the native model does).
pub fn lif_values(p: &LifParams) -> Values {
    let b = u32::from(p.state_bits).clamp(8, 32);
    vec![
        ("v_decay", i64::from(p.v_decay)),
        ("v_rest", i64::from(p.v_rest)),
        ("threshold", i64::from(p.threshold)),
        ("strict", i64::from(p.strict_threshold)),
        ("v_reset", i64::from(p.v_reset)),
        ("refr_steps", i64::from(p.refractory_steps)),
        ("drops", i64::from(p.refractory_drops_input)),
        ("bias", i64::from(p.bias)),
        ("syn_decay0", i64::from(p.syn_decay[0])),
        ("syn_decay1", i64::from(p.syn_decay[1])),
        ("current", i64::from(p.current_mode)),
        ("lo", min_of(b)),
        ("hi", max_of(b)),
    ]
}

/// [`Builtin::LoihiCubaLif`]'s values for native parameters.
pub fn loihi_values(p: &LoihiParams) -> Values {
    vec![
        ("du", i64::from(p.du)),
        ("dv", i64::from(p.dv)),
        ("eff_vth", p.eff_vth),
        ("bias_mant", i64::from(p.bias_mant)),
        ("bias_exp", i64::from(p.bias_exp)),
        ("weight_exp", i64::from(p.weight_exp)),
    ]
}

/// [`Builtin::XyloIaf`]'s values for native parameters.
pub fn xylo_values(p: &XyloParams) -> Values {
    vec![
        ("dash_mem", i64::from(p.dash_mem)),
        ("dash_syn", i64::from(p.dash_syn[0])),
        ("dash_syn2", i64::from(p.dash_syn[1])),
        ("n_syn", i64::from(p.n_syn)),
        ("threshold", i64::from(p.threshold)),
        ("bias", i64::from(p.bias)),
        ("max_spikes", i64::from(p.max_spikes)),
        ("weight_shift", i64::from(p.weight_shift)),
    ]
}

fn dense_values(d: &DenseInput) -> Values {
    vec![
        ("weight_exp", i64::from(d.weight_exp)),
        ("graded", i64::from(d.graded)),
    ]
}

/// [`Builtin::SigmaDelta`]'s values for native parameters.
pub fn sigma_delta_values(p: &SigmaDeltaParams) -> Values {
    let mut v = vec![
        ("vth", i64::from(p.vth)),
        ("bias", i64::from(p.bias)),
        ("relu", i64::from(p.relu)),
        ("cum_error", i64::from(p.cum_error)),
        ("state_exp", i64::from(p.state_exp)),
    ];
    v.extend(dense_values(&p.input));
    v
}

/// [`Builtin::Delta`]'s values for native parameters.
pub fn delta_values(p: &DeltaParams) -> Values {
    vec![
        ("vth", i64::from(p.vth)),
        ("cum_error", i64::from(p.cum_error)),
        ("exp", i64::from(p.exp)),
        ("state_exp", i64::from(p.state_exp)),
    ]
}

/// [`Builtin::Sigma`]'s values for native parameters.
pub fn sigma_values(p: &DenseInput) -> Values {
    dense_values(p)
}
