//! A program as a [`NeuronModel`]: the seam the native models use, so an
//! interpreted neuron runs through the same runtime, HAL and engine.

use core::marker::PhantomData;

use crate::model::NeuronModel;
use crate::rng::NeuronRng;

use super::acc::{fold, ProgramAcc};
use super::exec::{run, Output};
use super::image::Program;
use super::isa::{MAX_PARAMS, MAX_STATE};
use super::meter::{InstrMeter, NullMeter};

/// Neurons running a program of up to `N` instructions that lives for `'p`
/// (instruction memory is shared by a population; each neuron holds a reference).
#[derive(Clone, Copy, Debug, Default)]
pub struct Interpreted<'p, const N: usize>(PhantomData<&'p ()>);

/// One neuron's program and parameter values.
#[derive(Clone, Copy, Debug)]
pub struct ProgramParams<'p, const N: usize> {
    /// The population's program.
    pub program: &'p Program<N>,
    /// Parameter register values, by parameter index (each within its declared width).
    pub values: [i64; MAX_PARAMS],
}

/// One neuron's registers that persist between steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgramState {
    /// State registers, by index (all compartments).
    pub regs: [i64; MAX_STATE],
    /// Refractory steps left (set by `refract`, counted down by the machine).
    pub refractory: u16,
    /// Payload sent in the last update (0 when it was silent).
    pub payload: i32,
}

/// Names of [`ProgramState`]'s fields as `state_field` reads them: the
/// state registers by index (a program's own names live with its symbols),
/// then the refractory counter and the payload latch.
const FIELDS: [&str; MAX_STATE + 2] = [
    "s0",
    "s1",
    "s2",
    "s3",
    "s4",
    "s5",
    "s6",
    "s7",
    "s8",
    "s9",
    "s10",
    "s11",
    "s12",
    "s13",
    "s14",
    "s15",
    "refractory",
    "payload",
];

/// Index of the refractory counter among the state fields.
pub const REFRACTORY_FIELD: usize = MAX_STATE;
/// Index of the payload latch among the state fields.
pub const PAYLOAD_FIELD: usize = MAX_STATE + 1;

impl<'p, const N: usize> Interpreted<'p, N> {
    /// One update with a meter: the engine's entry point, charging what ran.
    pub fn update_metered<M: InstrMeter>(
        params: &ProgramParams<'p, N>,
        state: &mut ProgramState,
        input: &ProgramAcc,
        rng: &mut NeuronRng,
        meter: &mut M,
    ) -> Output {
        run(params.program, &params.values, state, input, rng, meter)
    }
}

impl<'p, const N: usize> NeuronModel for Interpreted<'p, N> {
    type Params = ProgramParams<'p, N>;
    type State = ProgramState;
    type Acc = ProgramAcc;

    const NAME: &'static str = "program";
    const STATE_FIELDS: &'static [&'static str] = &FIELDS;
    const CHANNELS: u8 = super::isa::MAX_CHANS as u8;

    #[inline]
    fn accumulate(params: &Self::Params, acc: &mut ProgramAcc, channel: u8, weight: i32) {
        Self::accumulate_checked(params, acc, channel, weight);
    }

    /// Events on a channel the program does not declare are ignored.
    #[inline]
    fn accumulate_checked(
        params: &Self::Params,
        acc: &mut ProgramAcc,
        channel: u8,
        weight: i32,
    ) -> bool {
        let k = usize::from(channel);
        let (Some(chan), Some(cell)) = (params.program.chans.get(k), acc.cells.get_mut(k)) else {
            return false;
        };
        let np = usize::from(params.program.layout.n_param).min(MAX_PARAMS);
        fold(chan, &params.values[..np], cell, weight)
    }

    fn update(
        params: &Self::Params,
        state: &mut ProgramState,
        input: &ProgramAcc,
        rng: &mut NeuronRng,
    ) -> u8 {
        Self::update_metered(params, state, input, rng, &mut NullMeter).spikes
    }

    fn state_field(state: &ProgramState, i: usize) -> i64 {
        match i {
            REFRACTORY_FIELD => i64::from(state.refractory),
            PAYLOAD_FIELD => i64::from(state.payload),
            _ => state.regs.get(i).copied().unwrap_or(0),
        }
    }
}
