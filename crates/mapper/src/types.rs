//! What each mapping stage hands to the next. Stages depend only on these types (and
//! on the expansion and the architecture), never on one another, so the pipeline in
//! `pipeline.rs` is the only place that knows their order.

use std::collections::BTreeSet;

use neurochip_arch::geometry::Grid;
use neurochip_arch::schema::Architecture;
use neurochip_firmware::hal::WordLayout;
use neurochip_firmware::NeuronModel;
use neurochip_hw::image::{AxonRow, ChipImage, HostSpike, McEntry, PoissonDrive, SynapseWords};

use crate::board::ChipsReport;
use crate::model::QuantisedPop;
use crate::place::Strategy;
use crate::quant::Sign;
use crate::report::MapReport;

/// How to map.
#[derive(Clone, Debug, Default)]
pub struct MapOptions {
    /// Placement strategy.
    pub strategy: Strategy,
    /// Master seed written to the image (keys every on-chip random stream).
    pub seed: u64,
}

/// The result of mapping onto cores of model `M`.
#[derive(Clone, Debug)]
pub struct Mapped<M: NeuronModel> {
    /// What the chip loads.
    pub image: ChipImage<M>,
    /// Per global neuron id: (core, local index).
    pub placement: Vec<(u32, u32)>,
    /// What was used and what was rounded.
    pub report: MapReport,
}

/// A mapping and the system it was made for (grown onto more chips of a board when the
/// network needed them).
#[derive(Clone, Debug)]
pub struct OnBoard<M: NeuronModel> {
    /// The architecture mapped onto: the one given, or its grown copy.
    pub arch: Architecture,
    /// The mapping.
    pub mapped: Mapped<M>,
    /// Chips used, and what they grew from.
    pub chips: ChipsReport,
}

/// Stage 0 (inputs checked): the architecture as the later stages use it.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    /// The synapse word layout.
    pub layout: WordLayout,
    /// Width of a synapse-memory word (`core.synapse_memory.word_bits`).
    pub word_bits: u32,
    /// Neurons per core: `min(core.neurons, 2^target_bits)`, at least 1.
    pub cap: u32,
    /// Cores in the system.
    pub total: u32,
    /// Multicast routing (else XY unicast).
    pub multicast: bool,
    /// The tile grid.
    pub grid: Grid,
    /// Tiles (routers) in the system.
    pub tiles: usize,
    /// Population index of every neuron.
    pub pop_of: Vec<u32>,
}

/// Stage 1 (placement): where every neuron lives, and the host axons' demand.
#[derive(Clone, Debug)]
pub(crate) struct Placed {
    /// Core per neuron.
    pub core: Vec<u32>,
    /// Local index per neuron.
    pub local: Vec<u32>,
    /// Core per neuron under the sequential fill (empty when not computed).
    pub sequential: Vec<u32>,
    /// Distinct host-input axons as (neuron, weight bits, channel), sorted: one axon and one
    /// word each on the neuron's core.
    pub host_keys: Vec<(u32, u64, u8)>,
}

/// Stage 2 (weights): per target population and channel, the weights arriving.
#[derive(Clone, Debug)]
pub(crate) struct WeightStats {
    /// Largest |weight| per (population, channel).
    pub max_w: Vec<[f64; 2]>,
    /// Distinct |weights| (as f64 bits) per (population, channel); `None` once there are many.
    pub distinct: Vec<[Option<BTreeSet<u64>>; 2]>,
}

/// Stage 3 (quantisation): every population in the model's integers.
pub(crate) struct Quantised<P, S> {
    /// Per population.
    pub pops: Vec<QuantisedPop<P, S>>,
    /// Warnings so far, in order.
    pub warnings: Vec<String>,
}

/// Per-(source pop, target pop, channel) group of synapses: the unit of weight reporting.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub from: usize,
    pub to: usize,
    pub channel: u8,
    pub projections: Vec<usize>,
    pub sign: Sign,
    pub count: u64,
    pub clipped: u64,
    pub max_err: f64,
    pub sum_err: f64,
}

impl Group {
    pub fn new(from: usize, to: usize, channel: u8) -> Self {
        Group {
            from,
            to,
            channel,
            projections: Vec::new(),
            sign: Sign::Exc,
            count: 0,
            clipped: 0,
            max_err: 0.0,
            sum_err: 0.0,
        }
    }

    /// The projections it covers, as messages name them (`0`, `0+2`, `(expanded)`).
    pub fn label(&self) -> String {
        match self.projections.as_slice() {
            [] => "(expanded)".to_string(),
            [p] => p.to_string(),
            ps => ps
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join("+"),
        }
    }
}

/// Stage 4 (checks): the projection groups and how channels are stored.
#[derive(Clone, Debug)]
pub(crate) struct Groups {
    pub groups: Vec<Group>,
    /// Group index per `[from][to][channel & 1]`, `npop × npop × 2`.
    pub table: Vec<u32>,
    pub npop: usize,
}

impl Groups {
    /// Index of the group of a synapse from population `f` to `t` on `ch`.
    #[inline]
    pub fn of(&self, f: usize, t: usize, ch: u8) -> usize {
        self.table[(f * self.npop + t) * 2 + (ch & 1) as usize] as usize
    }
}

/// Stage 4 (checks): the channel field every synapse onto a population gets.
#[derive(Clone, Debug)]
pub(crate) struct Channels {
    /// The model has one channel (all words store 0).
    pub one_channel: bool,
    /// Largest channel the field holds.
    pub chan_max: u32,
    /// Per population: both channels act alike, so an unstorable channel may store 0.
    pub equivalent: Vec<bool>,
    /// Per population: every synapse to channel 0 (the model's choice).
    pub one_current: Vec<bool>,
    /// Per-neuron weight tables (TrueNorth axon types): `stride` entries per neuron and
    /// how many are used; empty when the model keeps weights in the words.
    pub tables: Vec<i16>,
    pub used: Vec<u8>,
    pub stride: usize,
}

impl Channels {
    /// The channel field of a synapse of integer weight `q` on `ch` onto neuron `t` of
    /// population `tpop`.
    #[inline]
    pub fn field(&self, t: usize, q: i64, ch: u8, tpop: usize) -> u8 {
        if self.stride == 0 {
            if self.one_channel
                || self.one_current[tpop]
                || (ch as u32 > self.chan_max) && self.equivalent[tpop]
            {
                0
            } else {
                ch
            }
        } else {
            let tab = &self.tables[t * self.stride..t * self.stride + self.used[t] as usize];
            tab.iter().position(|&x| x as i64 == q).unwrap_or(0) as u8
        }
    }

    /// Neuron `t`'s weight table (empty without tables).
    pub fn table(&self, t: usize) -> &[i16] {
        if self.stride == 0 {
            &[]
        } else {
            &self.tables[t * self.stride..t * self.stride + self.used[t] as usize]
        }
    }
}

/// Stage 5a (synapse capacity): what each core needs, counted before anything is allocated.
#[derive(Clone, Debug)]
pub(crate) struct Counts {
    pub neurons: Vec<u32>,
    pub words: Vec<u64>,
    pub axons: Vec<u64>,
    /// Unicast fan-out entries per source core.
    pub dests: Vec<u64>,
    /// Multicast fan-out entries (neurons with targets) per source core.
    pub mc_dests: Vec<u64>,
    /// Σ synapses × hops under the chosen placement, and under the sequential fill.
    pub hops: u64,
    pub hops_seq: u64,
}

/// Stage 5b (synapse rows): every core's synapse memory and axon table, and where each
/// source's spikes go.
#[derive(Debug)]
pub(crate) struct Rows {
    pub words: Vec<SynapseWords>,
    pub rows: Vec<Vec<AxonRow>>,
    /// Per source neuron: `dests[start[s]..start[s + 1]]` = (core, axon).
    pub dest_start: Vec<u32>,
    pub dests: Vec<(u32, u32)>,
}

/// Stage 6 (host inputs): spikes injected by the host and on-core Poisson drives.
#[derive(Clone, Debug)]
pub(crate) struct HostInputs {
    pub spikes: Vec<HostSpike>,
    pub words: u64,
    pub drives: Vec<Vec<PoissonDrive>>,
}

/// Stage 7 (fan-out and routing): multicast keys, their axons and the router tables.
#[derive(Clone, Debug)]
pub(crate) struct Fanout {
    pub key_axons: Vec<Vec<(u32, u32)>>,
    pub router_tables: Vec<Vec<McEntry>>,
    pub unmerged: Vec<u32>,
    /// Bits of a key holding the local neuron index (`key = core << bits | local`).
    pub local_bits: u32,
}

impl Fanout {
    /// Multicast key of local neuron `l` of core `c`.
    #[inline]
    pub fn key(&self, c: u32, l: u32) -> u32 {
        (c << self.local_bits) | l
    }
}
