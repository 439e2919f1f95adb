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
