//! Neuron models, each bit-exact with the reference it names.
//!
//! - [`lif`]: configurable integer LIF/IF (the standard workloads W1–W4).
//! - [`loihi`]: Loihi CUBA LIF, bit-exact with Lava's bit-accurate model.
//! - [`sigma_delta`]: Lava's graded-spike SigmaDelta, Delta and Sigma neurons.
//! - [`spinnaker`]: sPyNNaker's s16.15 current-based LIF.
//! - [`truenorth`]: the TrueNorth neuron (stochastic synapses, leak, six reset modes).
//! - [`xylo`]: SynSense Xylo IAF.
pub mod lif;
pub mod loihi;
pub mod sigma_delta;
pub mod spinnaker;
pub mod truenorth;
pub mod xylo;

/// The built-in models, listed once: calls the macro `$m` with `Variant => Type` for each,
/// so every table that names them (the architecture's model table, the mapper's image enum
/// and both dispatches) is generated from this list. A model outside this crate is not
/// added here: it registers itself at run time (see `docs/firmware.md`).
#[macro_export]
macro_rules! builtin_models {
    ($m:ident) => {
        $m! {
            Lif => $crate::models::lif::Lif,
            LoihiCubaLif => $crate::models::loihi::LoihiCubaLif,
            XyloIaf => $crate::models::xylo::XyloIaf,
            SpinnakerLif => $crate::models::spinnaker::SpinnakerLif,
            Truenorth => $crate::models::truenorth::TrueNorth,
        }
    };
}

macro_rules! infos {
    ($($v:ident => $t:ty),* $(,)?) => {
        /// The facts of every built-in model, in [`builtin_models!`](crate::builtin_models) order.
        pub const BUILTIN: &[crate::model::ModelInfo] =
            &[$(<$t as crate::model::NeuronModel>::INFO),*];
    };
}
builtin_models!(infos);
