//! Why a network does not fit or cannot be expressed: one line per error, naming
//! the resource, the core, what was needed, what exists and what would fit.

/// A per-core resource a network can exhaust.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    /// Neurons per core (`core.neurons`, and `2^target_bits`).
    Neurons,
    /// Synapse memory (`core.synapse_memory`), checked in bits.
    SynapseMemory,
    /// Input axons (`core.axons_in`).
    InputAxons,
    /// Fan-out entries (`core.axons_out`).
    OutputAxons,
}

impl Resource {
    /// Every resource, in the order the placement fill tests them.
    pub const ALL: [Resource; 4] = [
        Resource::Neurons,
        Resource::SynapseMemory,
        Resource::InputAxons,
        Resource::OutputAxons,
    ];

    /// Name in messages (`synapse memory`, …).
    pub fn name(self) -> &'static str {
        match self {
            Resource::Neurons => "neurons",
            Resource::SynapseMemory => "synapse memory",
            Resource::InputAxons => "input axons",
            Resource::OutputAxons => "output axons",
        }
    }

    /// Unit its amounts are counted in.
    pub fn unit(self) -> &'static str {
        match self {
            Resource::Neurons => "neurons",
            Resource::SynapseMemory => "words",
            Resource::InputAxons => "axons",
            Resource::OutputAxons => "entries",
        }
    }

    /// What of the resource a core holds, in a "what would fit" hint.
    pub fn items(self) -> &'static str {
        match self {
            Resource::Neurons => "neurons",
            Resource::SynapseMemory => "synapse words",
            Resource::InputAxons => "input axons",
            Resource::OutputAxons => "fan-out entries",
        }
    }

    /// The architecture field that sets it.
    pub fn field(self) -> &'static str {
        match self {
            Resource::Neurons => "core.neurons",
            Resource::SynapseMemory => "core.synapse_memory.words",
            Resource::InputAxons => "core.axons_in",
            Resource::OutputAxons => "core.axons_out",
        }
    }

    /// Index in [`Resource::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a network does not fit or cannot be expressed; every message is one line.
#[derive(Debug, thiserror::Error)]
pub enum MapError {
    /// The architecture's neuron model has no mapper here (a model registered outside the
    /// built-in list is mapped through `map_model::<M>` or the simulator's registry).
    #[error("mapping: core.model {model} is not supported by the mapper (supported: lif, loihi_cuba_lif, xylo_iaf, spinnaker_lif, truenorth)")]
    UnsupportedModel {
        /// Model name.
        model: String,
    },
    /// A population's parameters cannot be expressed by the model.
    #[error("mapping: population {population:?} ({kind}) on {model}: {reason}")]
    Population {
        /// Population name.
        population: String,
        /// Network neuron kind.
        kind: String,
        /// Core model.
        model: String,
        /// Why.
        reason: String,
    },
    /// More cores needed than the system has.
    #[error("mapping: network needs {needed} cores at {per_core} neurons/core, chip has {has} (raise topology.tiles_x/tiles_y or use --arch NAME:topology.chips_x=N)")]
    Cores {
        /// Cores needed.
        needed: u64,
        /// Neurons per core.
        per_core: u32,
        /// Cores in the system.
        has: u32,
    },
    /// The capacity-aware fill needs more cores than the system has.
    #[error("mapping: {resource} run out: the network needs {} cores filled in order, {arch} has {} ({detail}); that is {chips} chips: --arch {arch}:topology.chips_x={chips_x},topology.chips_y={chips_y}", thousands(*.needed), thousands(*.has as u64))]
    Fill {
        /// Resource that closed most cores.
        resource: Resource,
        /// Cores the fill used.
        needed: u64,
        /// Cores in the system.
        has: u32,
        /// Architecture name.
        arch: String,
        /// Network demand against the per-core capacity.
        detail: String,
        /// Chips that would hold the fill.
        chips: u64,
        /// Suggested `topology.chips_x`.
        chips_x: u64,
        /// Suggested `topology.chips_y`.
        chips_y: u64,
    },
    /// A per-core memory or table is too small.
    #[error("mapping: {resource}: core {core} needs {} {}, has {}; {hint}", thousands(*.needed), .resource.unit(), thousands(*.has))]
    Capacity {
        /// The exhausted resource.
        resource: Resource,
        /// Core.
        core: u32,
        /// Needed, in the resource's unit.
        needed: u64,
        /// Capacity, in the resource's unit.
        has: u64,
        /// What would fit.
        hint: String,
    },
    /// A router's multicast table is too small.
    #[error("mapping: routing table: router of tile {tile} needs {} entries, has {}; {hint}", thousands(*.needed), thousands(*.has))]
    Table {
        /// Tile.
        tile: u32,
        /// Entries needed after merging.
        needed: u64,
        /// Capacity (`router.table_entries`).
        has: u64,
        /// What would help.
        hint: String,
    },
    /// A synaptic delay the hardware cannot hold.
    #[error("mapping: delay {delay} of projection {projection} ({from}→{to}) {reason}")]
    Delay {
        /// Delay in steps.
        delay: u32,
        /// Projection index.
        projection: String,
        /// Source population.
        from: String,
        /// Target population.
        to: String,
        /// Why.
        reason: String,
    },
    /// A weight that does not fit.
    #[error("mapping: weight {weight} of projection {projection} ({from}→{to}) is out of range for {reason}")]
    Weight {
        /// Weight as given.
        weight: f64,
        /// Projection index (or `stimulus N`).
        projection: String,
        /// Source population.
        from: String,
        /// Target population.
        to: String,
        /// Range and model.
        reason: String,
    },
    /// A synaptic channel the word cannot hold.
    #[error("mapping: channel {channel} of projection {projection} ({from}→{to}) {reason}")]
    Channel {
        /// Channel.
        channel: u8,
        /// Projection index.
        projection: String,
        /// Source population.
        from: String,
        /// Target population.
        to: String,
        /// Why.
        reason: String,
    },
    /// The word layout of the architecture is unusable.
    #[error("mapping: core.synapse_memory: {0}")]
    Layout(String),
    /// Multicast keys do not fit 32 bits.
    #[error("mapping: multicast keys: {0}")]
    Keys(String),
    /// The expanded network is not internally consistent.
    #[error("mapping: expanded network is inconsistent: {0}")]
    Inconsistent(String),
    /// The network does not fit even the largest system the board allows.
    #[error("{error} (board limit {limit_x} x {limit_y} chips, the network needs at least {need}: raise topology.max_chips_x/max_chips_y)")]
    Board {
        /// The mapping error on the architecture as given.
        error: Box<MapError>,
        /// `topology.max_chips_x`.
        limit_x: u32,
        /// `topology.max_chips_y`.
        limit_y: u32,
        /// Chips the last attempt asked for.
        need: u64,
    },
}

/// A failed attempt, with the cores it would have needed when the failure is a shortage of
/// cores (what growing onto a board sizes the next system from; counted, not parsed).
#[derive(Debug)]
pub(crate) struct Failed {
    pub error: Box<MapError>,
    /// Cores the placement needed, when it ran out of cores.
    pub cores_needed: Option<u64>,
}

impl From<MapError> for Failed {
    fn from(error: MapError) -> Self {
        Failed {
            error: Box::new(error),
            cores_needed: None,
        }
    }
}

/// `12345678` → `12,345,678` (error messages and reports).
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
