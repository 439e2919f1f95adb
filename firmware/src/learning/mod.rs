//! Loihi's learning engine, bit-exact with Lava 0.10's fixed-point
//! (`PyLearningDenseModelBitApproximate`) learning.
//!
//! A *synapse group* (one plastic projection's synapses on one core) has
//! pre-synaptic traces `x1, x2` and post-synaptic traces `y1, y2, y3`, each a
//! 7-bit register with an impulse and a stochastic decay ([`trace`]), a
//! learning epoch of `t_epoch` steps, and a rule ([`rule`]) whose products
//! update each synapse's weight `w`, delay tag `d` and tag `t` in a 16-bit
//! saturating accumulator with stochastic rounding ([`eval`]). Its random
//! numbers are numpy's PCG64 streams ([`pcg64`], [`streams`]): seeded as Lava
//! seeds them, a run reproduces Lava's bit for bit; keyed by run seed and
//! group, a run is the same on any number of threads.
//!
//! The host compiles everything into plain data ([`LearningConfig`]: the rule
//! as products, impulses as integer + fraction, decays as exact dyadic
//! factors); the firmware runs integers only.
//!
//! # Driving a group (the API the engine wires)
//!
//! A core with plastic synapses keeps, per group, a [`LearningConfig`], a
//! [`LearningState`] (streams and step counter) and the group's memories
//! behind the learning HAL ([`hal`]): [`TraceMemory`] (trace registers,
//! `tx`/`ty`), [`PostFactors`] (what three-factor post neurons send),
//! [`PlasticSynapses`] (the learnable fields of each synapse word, read and
//! written back) and [`LearnMeter`]. Once per time step, after the step's
//! spikes are known, it calls
//!
//! ```text
//! engine::step(&mut hal, &cfg, &mut state, pre_spikes, post_spikes) -> bool
//! ```
//!
//! with the step's pre- and post-synaptic spikes as bit sets. `step` fixes
//! the order of work inside the step (see [`engine`]); on epoch boundaries it
//! also runs the learning phase. Every unit of work is charged to the
//! [`LearnMeter`] as a [`LearnOp`]: trace decays and impulses, synapse
//! variable evaluations, product terms and synapse read-modify-writes, so the
//! hardware model can turn them into cycles and energy.
//!
//! [`fake::DenseHal`] implements the HAL over slices (an all-to-all group like
//! Lava's `LearningDense`); the trace replay and the no_std probe use it.
//!
//! Not modelled: graded pre-synaptic spikes (Lava's `GradedSpikeCfg` other
//! than `USE_REGULAR_IMPULSE`); the learned delay tag does not delay spikes
//! (it does not in Lava either).

pub mod engine;
pub mod eval;
pub mod fake;
pub mod hal;
pub mod pcg64;
pub mod rule;
pub mod streams;
pub mod trace;

pub use engine::{step, LearningConfig, LearningState, MAX_EPOCH};
pub use eval::SynVars;
pub use hal::{LearnMeter, LearnOp, PlasticSynapses, PostFactors, TraceMemory};
pub use rule::{Dependency, Factor, Product, Rule, RuleError, Target, Var};
pub use streams::LearningRng;
pub use trace::{Decay, Impulse, TraceParams};
