//! The network description a user writes (TOML or JSON) or a built-in
//! generator produces.
//!
//! A [`Network`] is declarative: projections name a connection rule and a
//! seed, and [`crate::expand()`] turns it into explicit synapses. Every struct
//! denies unknown fields.

use serde::{Deserialize, Serialize};

/// A whole spiking network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Name used in reports.
    pub name: String,
    /// Timestep in milliseconds (physical parameters are discretised with it).
    #[serde(default = "default_dt")]
    pub dt_ms: f64,
    /// Master seed; every random draw is keyed by it and by population/neuron.
    #[serde(default)]
    pub seed: u64,
    /// Neuron populations, in id order (ids are contiguous, first population first).
    pub populations: Vec<Population>,
    /// Synaptic projections.
    #[serde(default)]
    pub projections: Vec<Projection>,
    /// External inputs.
    #[serde(default)]
    pub stimuli: Vec<Stimulus>,
    /// What to record.
    #[serde(default)]
    pub probes: Vec<Probe>,
}

fn default_dt() -> f64 {
    1.0
}

/// A population of identical-model neurons.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Unique name.
    pub name: String,
    /// Number of neurons (> 0).
    pub size: u32,
    /// Neuron parameters.
    pub neuron: NeuronParams,
}

/// Neuron parameters, in physical units (mV, ms) or directly in a model's integers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NeuronParams {
    /// Leaky integrate-and-fire with delta (`tau_syn_ms` absent) or exponential current synapses.
    Lif {
        /// Membrane time constant (ms); `None` or absent = no leak (IF).
        #[serde(default)]
        tau_m_ms: Option<f64>,
        /// Resting / leak reversal potential (mV).
        #[serde(default)]
        v_rest_mv: f64,
        /// Threshold (mV); spike when v >= threshold (or v > threshold with `strict_threshold`).
        v_thresh_mv: f64,
        /// Spike only when v is strictly above the threshold (NIR, Loihi convention).
        #[serde(default)]
        strict_threshold: bool,
        /// Reset potential (mV).
        v_reset_mv: f64,
        /// Refractory period (ms).
        #[serde(default)]
        t_ref_ms: f64,
        /// Excitatory / inhibitory synaptic current time constants (ms); absent = delta synapses.
        #[serde(default)]
        tau_syn_e_ms: Option<f64>,
        /// Inhibitory synaptic time constant (ms).
        #[serde(default)]
        tau_syn_i_ms: Option<f64>,
        /// Constant input added every step (mV per step).
        #[serde(default)]
        bias_mv: f64,
        /// Initial potential: a constant or a uniform draw per neuron.
        #[serde(default)]
        v_init: Init,
        /// Inputs arriving while refractory are discarded (NEST iaf_psc_delta default).
        #[serde(default = "yes")]
        refractory_drops_input: bool,
    },
    /// Loihi compartment in its own integer fields (Lava `LIF` bit-accurate).
    LoihiLif {
        /// Current decay, 0..=4095.
        du: u32,
        /// Voltage decay, 0..=4095.
        dv: u32,
        /// Threshold mantissa (scaled by 2^6 on chip).
        vth: u32,
        /// Bias mantissa (signed 13-bit).
        #[serde(default)]
        bias_mant: i32,
        /// Bias exponent.
        #[serde(default)]
        bias_exp: i32,
        /// Exponent applied to the summed weights.
        #[serde(default)]
        weight_exp: i32,
    },
    /// SANA-FE's `loihi_lif` (W4): v ← v·leak + bias + input; spike when v > threshold; reset to 0.
    SanafeLif {
        /// Multiplicative leak per step (0.99 in W4).
        leak: f64,
        /// Threshold (spike when v > threshold).
        threshold: f64,
        /// Reset value.
        #[serde(default)]
        reset: f64,
        /// Bias per step: a constant or a uniform draw per neuron.
        bias: Init,
    },
    /// A chip model's own parameters: `model` names any registered model (built in, such
    /// as `truenorth`, or registered by the program that runs the network) and `params` is
    /// that model's table, each value a constant or a per-neuron draw. The model's mapper
    /// reads the table; a population may then only run on cores of that model.
    Model {
        /// Registered model name (as in an architecture's `core.model`).
        model: String,
        /// The model's parameters by name, in the model's own units.
        #[serde(default)]
        params: std::collections::BTreeMap<String, Init>,
    },
}

impl NeuronParams {
    /// Kind name as written in network files (`lif`, …); for a model table, the model's name.
    pub fn kind_name(&self) -> &str {
        match self {
            NeuronParams::Lif { .. } => "lif",
            NeuronParams::LoihiLif { .. } => "loihi_lif",
            NeuronParams::SanafeLif { .. } => "sanafe_lif",
            NeuronParams::Model { model, .. } => model,
        }
    }
}

fn yes() -> bool {
    true
}

/// A per-neuron value: constant or drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Init {
    /// The same value for every neuron.
    Constant(f64),
    /// Drawn per neuron.
    Dist(Distribution),
}

impl Default for Init {
    fn default() -> Self {
        Init::Constant(0.0)
    }
}

/// A random distribution (draws keyed by seed, projection and neuron).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// Uniform in [low, high).
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound (exclusive).
        high: f64,
    },
    /// Normal with mean and standard deviation.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (≥ 0).
        std: f64,
    },
}

/// A set of synapses from one population to another.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Projection {
    /// Source population name.
    pub from: String,
    /// Target population name.
    pub to: String,
    /// Connection rule.
    pub connect: Connect,
    /// Weight (in the target's units: mV for `lif`, integer weight for integer models).
    pub weight: Init,
    /// Delay in timesteps (≥ 1: a spike of step t arrives at step t + delay).
    #[serde(default = "one_u32")]
    pub delay: u32,
    /// Synapse type: `exc` or `inh` (chooses the target's synaptic channel).
    #[serde(default)]
    pub synapse: SynapseKind,
}

fn one_u32() -> u32 {
    1
}

/// Which synaptic channel a projection drives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SynapseKind {
    /// Excitatory channel (0).
    #[default]
    Exc,
    /// Inhibitory channel (1).
    Inh,
}

/// Connection rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Connect {
    /// Every source to every target.
    AllToAll {
        /// Allow i → i when from == to.
        #[serde(default = "yes")]
        autapses: bool,
    },
    /// Source i to target i (equal sizes).
    OneToOne,
    /// Each ordered pair independently with probability p.
    FixedProbability {
        /// Probability in [0, 1].
        p: f64,
        /// Allow i → i when from == to.
        #[serde(default = "yes")]
        autapses: bool,
    },
    /// Each target draws exactly k distinct sources.
    FixedInDegree {
        /// In-degree.
        k: u32,
    },
    /// Each source draws exactly k distinct targets.
    FixedOutDegree {
        /// Out-degree.
        k: u32,
    },
    /// Explicit (source index, target index) pairs within the two populations.
    List {
        /// Pairs.
        pairs: Vec<(u32, u32)>,
        /// Per-pair weights; when non-empty it must match `pairs` in length and overrides `weight`.
        #[serde(default)]
        weights: Vec<f64>,
        /// Per-pair delays in steps; when non-empty it must match `pairs` and overrides `delay`.
        #[serde(default)]
        delays: Vec<u32>,
    },
}

/// External input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Stimulus {
    /// Independent Poisson train per neuron of the target population.
    Poisson {
        /// Target population.
        target: String,
        /// Rate per neuron in Hz.
        rate_hz: f64,
        /// Weight per event (target units).
        weight: f64,
        /// Synaptic channel.
        #[serde(default)]
        synapse: SynapseKind,
    },
    /// Spikes read from a CSV file with columns `step,neuron` (neuron index within `target`).
    SpikeFile {
        /// Target population.
        target: String,
        /// Path, relative to the network file.
        path: String,
        /// Weight per event.
        weight: f64,
        /// Synaptic channel.
        #[serde(default)]
        synapse: SynapseKind,
    },
    /// Explicit spike times (step, neuron index within `target`).
    SpikeArray {
        /// Target population.
        target: String,
        /// (step, neuron) pairs.
        spikes: Vec<(u32, u32)>,
        /// Weight per event.
        weight: f64,
        /// Synaptic channel.
        #[serde(default)]
        synapse: SynapseKind,
    },
}

/// A recording request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// Population to record.
    pub population: String,
    /// Neuron indices within the population (absent = all).
    #[serde(default)]
    pub neurons: Option<Vec<u32>>,
    /// State registers to record (e.g. `v`, `u`); spikes are always recorded.
    #[serde(default)]
    pub states: Vec<String>,
}
