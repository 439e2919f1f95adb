//! The five random streams of one synapse group, and when they advance.
//!
//! Lava's learning engine keeps four trace streams (decay and impulse
//! rounding, for the pre and for the post side) and one stream for the
//! stochastic rounding of synaptic variables. Each stream draws one value when
//! it is built (draw 0); the trace streams then draw one value per
//! [`LearningRng::advance_traces`] (twice per time step), the synapse stream
//! one per [`LearningRng::advance_synapses`] (once per learning epoch). Every
//! consumer reads the *current* draw, so one draw is shared by every neuron,
//! trace and synapse of the group.
//!
//! Seeding:
//! - [`LearningRng::lava`]: Lava's own seeding, for runs that must reproduce
//!   Lava bit for bit: trace streams `default_rng(s)`, `default_rng(s + 1)`,
//!   `default_rng(s + 2)`, `default_rng(s + 3)`, synapse stream
//!   `default_rng(2)` whatever `s` is.
//! - [`LearningRng::keyed`]: each group's streams are a function of the run's
//!   seed and the group's index only (numpy `default_rng(seed + group·2^64 +
//!   stream·2^96)`), so a run gives the same draws on any number of threads.

use super::pcg64::Pcg64;

/// Lava's seed for the synapse-variable stream (`ConnVarRandom()`'s default).
const LAVA_SYNAPSE_SEED: u128 = 2;

/// The current draws of one side's two trace streams.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceDraws {
    /// Decay rounding: the integer `k` of the uniform `k · 2^-53`.
    pub decay: u64,
    /// Impulse rounding: uniform in `0..128`, compared with the impulse's
    /// fraction in 1/256 units.
    pub impulse: u8,
}

/// The random streams of one synapse group, each with its current draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearningRng {
    streams: [Pcg64; 5],
    /// Pre-synaptic (x) trace draws.
    pub x: TraceDraws,
    /// Post-synaptic (y) trace draws.
    pub y: TraceDraws,
    /// Synaptic-variable rounding: the integer `k` of the uniform `k · 2^-53`.
    pub synapse: u64,
}

impl LearningRng {
    /// Lava's streams for `LoihiLearningRule(rng_seed = seed)`.
    pub fn lava(seed: u64) -> Self {
        let s = u128::from(seed);
        Self::from_streams([
            Pcg64::new(s),
            Pcg64::new(s + 1),
            Pcg64::new(s + 2),
            Pcg64::new(s + 3),
            Pcg64::new(LAVA_SYNAPSE_SEED),
        ])
    }

    /// The streams of synapse group `group` in a run seeded with `seed`.
    pub fn keyed(seed: u64, group: u32) -> Self {
        let key =
            |stream: u32| Pcg64::from_entropy(&[seed as u32, (seed >> 32) as u32, group, stream]);
        Self::from_streams([key(0), key(1), key(2), key(3), key(4)])
    }

    /// Streams in the order x decay, x impulse, y decay, y impulse, synapse;
    /// each makes its construction draw.
    fn from_streams(mut streams: [Pcg64; 5]) -> Self {
        let x = TraceDraws {
            decay: streams[0].random_53(),
            impulse: streams[1].integers_0_128(),
        };
        let y = TraceDraws {
            decay: streams[2].random_53(),
            impulse: streams[3].integers_0_128(),
        };
        let synapse = streams[4].random_53();
        LearningRng {
            streams,
            x,
            y,
            synapse,
        }
    }

    /// One draw on each of the four trace streams.
    pub fn advance_traces(&mut self) {
        let [xd, xi, yd, yi, _] = &mut self.streams;
        self.x = TraceDraws {
            decay: xd.random_53(),
            impulse: xi.integers_0_128(),
        };
        self.y = TraceDraws {
            decay: yd.random_53(),
            impulse: yi.integers_0_128(),
        };
    }

    /// One draw on the synapse stream.
    pub fn advance_synapses(&mut self) {
        self.synapse = self.streams[4].random_53();
    }
}
