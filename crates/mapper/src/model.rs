//! The seam between the mapper and a neuron model: what the mapper needs from a model
//! to turn a network population into that model's registers.
//!
//! # Contract
//!
//! [`MapModel::quantise`] is called once per *target* population, after the mapper has
//! collected the weights arriving at it ([`PopCtx::max_w`], [`PopCtx::distinct`]). It
//! returns one [`QuantisedPop`]: per neuron the model's `Params` and initial `State`, the
//! rule that turns a float weight into the integer of a synapse word ([`WeightQ`]), and a
//! report of every rounding. It must not panic on any input; anything the model cannot
//! express is a [`QuantError`] naming the field. It must be deterministic (per-neuron
//! randomness was drawn by the expansion: [`PopCtx::init`], [`PopCtx::params`]).
//!
//! A population names the model's parameters either as the network's physical kinds
//! (`lif`, `sanafe_lif`, `loihi_lif`: [`PopCtx::neuron`]) or as the model's own table
//! (`kind = "model"`, `model = NAME`: [`PopCtx::params`]); a model takes what it
//! understands and refuses the rest with a `QuantError`.
//!
//! Models with per-neuron weight tables (TrueNorth's four axon types) set
//! [`MapModel::WEIGHT_TABLE`]: the mapper then gathers each target neuron's distinct
//! integer weights (at most that many), writes them with [`MapModel::set_weight_table`],
//! and stores in each synapse word's channel field the index of its weight.

use std::collections::BTreeMap;

use neurochip_firmware::NeuronModel;
use neurochip_net::expand::Values;
use neurochip_net::schema::NeuronParams;

use crate::quant::{PopQuant, WeightQ};

/// What the mapper knows about one target population when it asks a model to quantise it.
#[derive(Clone, Copy, Debug)]
pub struct PopCtx<'a> {
    /// Population name.
    pub name: &'a str,
    /// Its neuron parameters as the network gives them.
    pub neuron: &'a NeuronParams,
    /// A model table's parameters (`kind = "model"`), per neuron; empty otherwise.
    pub params: &'a BTreeMap<String, Values>,
    /// Timestep (ms).
    pub dt: f64,
    /// Per neuron: `v_init` (lif), bias (sanafe_lif), zeros otherwise; its length is the
    /// population's size.
    pub init: &'a [f64],
    /// Per channel: largest |weight| arriving (synapses and stimuli).
    pub max_w: [f64; 2],
    /// Per channel: distinct |weights| when there are few (≤ 256).
    pub distinct: [Option<&'a [f64]>; 2],
    /// `core.synapse_memory.weight_bits`.
    pub weight_bits: u32,
    /// `core.state_bits`.
    pub state_bits: u32,
    /// Last population and nothing projects out of it (Xylo's readout).
    pub sink: bool,
}

impl PopCtx<'_> {
    /// Neurons in the population.
    pub fn size(&self) -> usize {
        self.init.len()
    }

    /// A model-table parameter, or an error naming it when the table lacks it.
    pub fn param(&self, name: &str) -> Result<&Values, QuantError> {
        self.params
            .get(name)
            .ok_or_else(|| QuantError::field(format!("params.{name}"), "missing"))
    }

    /// A model-table parameter, or `default` when the table lacks it.
    pub fn param_or(&self, name: &str, default: f64) -> Values {
        self.params
            .get(name)
            .cloned()
            .unwrap_or(Values::Constant(default))
    }

    /// An error unless every key of the model table is one of `known`.
    pub fn only_params(&self, known: &[&str]) -> Result<(), QuantError> {
        match self.params.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(QuantError::field(
                format!("params.{k}"),
                format!("unknown parameter (expected one of {})", known.join(", ")),
            )),
            None => Ok(()),
        }
    }
}

/// One population quantised for a model: what its cores hold and how its numbers were rounded.
#[derive(Clone, Debug)]
pub struct QuantisedPop<P, S> {
    /// How a network weight onto this population becomes a word's integer.
    pub wq: WeightQ,
    /// Weights must be integers already (integer-unit neuron kinds): non-integers and
    /// clipping are errors.
    pub integer_weights: bool,
    /// Every synapse goes to channel 0 (Xylo's readout has one current).
    pub one_current: bool,
    /// Per neuron: parameters.
    pub params: Vec<P>,
    /// Per neuron: initial state.
    pub init: Vec<S>,
    /// The scale and every parameter's rounding.
    pub report: PopQuant,
    /// What the model cannot do exactly as the network asks.
    pub warnings: Vec<String>,
}

/// Why a model cannot express a population: one line, naming the field when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantError {
    /// The parameter (`threshold`, `params.tau_m_ms`, …), when one is to blame.
    pub field: Option<String>,
    /// Why.
    pub reason: String,
}

impl QuantError {
    /// An error in parameter `field`.
    pub fn field(field: impl Into<String>, reason: impl Into<String>) -> Self {
        QuantError {
            field: Some(field.into()),
            reason: reason.into(),
        }
    }

    /// An error of the population as a whole (its message names any fields itself).
    pub fn other(reason: impl Into<String>) -> Self {
        QuantError {
            field: None,
            reason: reason.into(),
        }
    }
}

impl std::fmt::Display for QuantError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

impl std::error::Error for QuantError {}

/// What the mapper needs from a neuron model: the quantisation of a network population into
/// the model's `Params`, initial `State` and synapse-word weights. Every built-in model goes
/// through this trait; a model written elsewhere implements it to be mapped and run.
pub trait MapModel:
    NeuronModel<Params: Send + Sync, State: Send + Sync, Acc: Send + Sync> + 'static
{
    /// Per-neuron weight-table entries (TrueNorth: 4 axon types); 0 = weights live in the words.
    const WEIGHT_TABLE: usize = 0;

    /// Quantise one target population (see the module contract).
    fn quantise(pop: &PopCtx<'_>) -> Result<QuantisedPop<Self::Params, Self::State>, QuantError>;

    /// Write a neuron's distinct integer weights (at most [`MapModel::WEIGHT_TABLE`], in
    /// order of first use) into its parameters. Only called when `WEIGHT_TABLE > 0`.
    fn set_weight_table(_params: &mut Self::Params, _weights: &[i16]) {}
}
