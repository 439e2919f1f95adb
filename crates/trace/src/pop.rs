//! The populations a replay drives: a native model, or the same model as a
//! neuron program ([`Backend::Program`]), behind one small trait so every
//! replay is written once.

use std::path::Path;

use neurochip_firmware::program::{Interpreted, ProgramState, PAYLOAD_FIELD, REFRACTORY_FIELD};
use neurochip_firmware::{NeuronModel, NeuronRng};
use neurochip_program::builtin::{Builtin, Values};
use neurochip_program::{Assembled, HOST_IMEM};

use crate::TraceError;

/// Which implementation of a neuron model a replay runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Backend {
    /// The native Rust models of the firmware.
    #[default]
    Native,
    /// The shipped neuron programs (`crates/program/programs/`), interpreted.
    Program,
}

/// One population, updated neuron by neuron.
pub(crate) trait Population {
    /// Fold one synaptic event into neuron `i`'s accumulator for its next update.
    fn fold(&mut self, i: usize, channel: u8, weight: i32);
    /// Update neuron `i` with what was folded since its last update; returns its spikes.
    fn update(&mut self, i: usize) -> u8;
    /// State field `name` of neuron `i` (`s_out` is the payload sent).
    fn field(&self, i: usize, name: &str) -> i64;
}

/// A population of model `M`, with the `state_field` index of every field name.
struct Pop<M: NeuronModel> {
    params: Vec<M::Params>,
    state: Vec<M::State>,
    acc: Vec<M::Acc>,
    names: Vec<(String, usize)>,
    rng: NeuronRng,
}

impl<M: NeuronModel> Population for Pop<M> {
    fn fold(&mut self, i: usize, channel: u8, weight: i32) {
        M::accumulate(&self.params[i], &mut self.acc[i], channel, weight);
    }

    fn update(&mut self, i: usize) -> u8 {
        let input = std::mem::take(&mut self.acc[i]);
        M::update(&self.params[i], &mut self.state[i], &input, &mut self.rng)
    }

    fn field(&self, i: usize, name: &str) -> i64 {
        let k = self
            .names
            .iter()
            .find(|(n, _)| n == name)
            .map_or(usize::MAX, |&(_, k)| k);
        M::state_field(&self.state[i], k)
    }
}

/// A native population with the given parameters and initial states.
pub(crate) fn native<'a, M: NeuronModel + 'a>(
    params: Vec<M::Params>,
    state: Vec<M::State>,
) -> Box<dyn Population + 'a> {
    let names = M::STATE_FIELDS
        .iter()
        .enumerate()
        .map(|(k, n)| (n.to_string(), k))
        .collect();
    Box::new(Pop::<M> {
        acc: vec![M::Acc::default(); params.len()],
        params,
        state,
        names,
        rng: NeuronRng::fixed(0),
    })
}

/// A shipped program, assembled for a replay (`file` names the trace in errors).
pub(crate) fn assemble(b: Builtin, file: &Path) -> Result<Assembled, TraceError> {
    b.assemble(b.name()).map_err(|e| TraceError::Program {
        path: file.to_path_buf(),
        reason: e.to_string(),
    })
}

/// A population running `asm` with one parameter set per neuron and initial
/// state registers given by name.
pub(crate) fn program<'a>(
    asm: &'a Assembled,
    values: &[Values],
    init: &[Vec<(&str, i64)>],
    file: &Path,
) -> Result<Box<dyn Population + 'a>, TraceError> {
    let err = |reason: String| TraceError::Program {
        path: file.to_path_buf(),
        reason,
    };
    let params = values
        .iter()
        .map(|v| {
            asm.neuron(v)
                .map_err(|e| err(format!("program `{}`: {e}", asm.name)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut state = vec![ProgramState::default(); params.len()];
    for (s, regs) in state.iter_mut().zip(init) {
        for &(name, v) in regs {
            let k = asm
                .state_index(name)
                .ok_or_else(|| err(format!("program `{}` has no state `{name}`", asm.name)))?;
            s.regs[k] = v;
        }
    }
    let mut names: Vec<(String, usize)> = asm
        .states
        .iter()
        .enumerate()
        .map(|(k, n)| (n.clone(), k))
        .collect();
    names.push(("refractory".into(), REFRACTORY_FIELD));
    names.push(("s_out".into(), PAYLOAD_FIELD));
    Ok(Box::new(Pop::<Interpreted<'a, HOST_IMEM>> {
        acc: vec![Default::default(); params.len()],
        params,
        state,
        names,
        rng: NeuronRng::fixed(0),
    }))
}
