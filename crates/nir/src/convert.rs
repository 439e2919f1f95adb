//! NIR graph → chip network.
//!
//! Spiking nodes (Input relays, LIF, IF, CubaLIF, Threshold) become
//! populations of the network format's `lif` neuron; every chain of linear
//! nodes between them (Affine, Linear, Scale, Conv, Pool, Flatten, Delay,
//! nested-graph pass-throughs) is composed into one explicit synapse list.
//! Non-spiking nodes (LI, CubaLI, I, linear maps feeding an Output) run on
//! the host from the chip's spikes ([`readout`]). Each chip layer adds one
//! step of latency, reported per node in the [`OutputMap`].

use std::collections::{BTreeMap, BTreeSet};

use neurochip_net::schema::{
    Connect, Init, Network, NeuronParams, Population, Probe, Projection, Stimulus, SynapseKind,
};

use crate::error::NirError;
use crate::flat::{numel, Flat, Op};
use crate::graph::{NirGraph, Node};
use crate::io::{InputSpikes, OutputRow};
use crate::ops;
use crate::sim;

/// Knobs of the conversion whose right value depends on the chip's timing model.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvertOptions {
    /// Steps from a stimulus event of step t to its relay's spike. 0 for
    /// neurochip's mapper and hw-model: a `HostSpike` of step t is integrated
    /// in step t, so the relay fires in step t; use 1 for a target that
    /// delivers host events one step later.
    pub stimulus_latency: u32,
    /// Set when the target applies the membrane leak to the input of the same
    /// step (v ← v_rest + f·(v + in − v_rest)); weights are then divided by f
    /// so the result still equals forward Euler. The network format's own
    /// convention (a delta weight raises v by w in its arrival step) is `false`.
    pub input_decays: bool,
    /// Put constant inputs (biases) into the neuron's `bias_mv` (cheap, native
    /// on every chip) instead of a bias relay neuron that spikes every step.
    /// The relay is exact; `bias_mv` also acts during the first `latency`
    /// chip steps (before reference step 0), is applied undelayed after a
    /// Delay, and enters a CubaLIF at its steady-state value.
    pub neuron_bias: bool,
    /// The network format's exponential-synapse weight is a current amplitude
    /// that the mapper multiplies by the one-step coupling
    /// κ = τs(e^(−dt/τs) − e^(−dt/τm))/(τs − τm) (see `crates/mapper`); divide
    /// CubaLIF weights by κ so the chip's effective weight is the Euler gain.
    /// Turn off for a target that adds the current to v unscaled.
    pub psc_coupling: bool,
    /// Network name (default: the graph's name).
    pub name: Option<String>,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            stimulus_latency: 0,
            input_decays: false,
            neuron_bias: false,
            psc_coupling: true,
            name: None,
        }
    }
}

/// Where one chip node's elements live.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LayerMap {
    /// NIR type of the node.
    pub kind: String,
    /// Node shape.
    pub shape: Vec<usize>,
    /// Chip steps between the reference step and the chip step of the same spike.
    pub latency: u32,
    /// Element k (C-order) → (population, neuron index within it).
    pub elements: Vec<(String, u32)>,
}

/// How an Output node's values are obtained.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum OutputSource {
    /// Directly the spikes of a chip layer (shift back by `latency`).
    Chip {
        /// Flattened name of the chip node.
        layer: String,
        /// Latency to subtract.
        latency: u32,
        /// Element k → (population, neuron).
        elements: Vec<(String, u32)>,
    },
    /// Computed on the host by [`readout`] from the chip's spikes.
    Host {
        /// Why it is not a chip layer.
        reason: String,
    },
}

/// Which populations and neurons are which NIR elements.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct OutputMap {
    /// Every node mapped onto the chip, by flattened name.
    pub layers: BTreeMap<String, LayerMap>,
    /// Every Output node, by name.
    pub outputs: BTreeMap<String, OutputSource>,
}

/// Per-population summary of the conversion.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PopulationReport {
    /// Population name.
    pub name: String,
    /// NIR node it comes from.
    pub node: String,
    /// Neurons.
    pub size: u32,
    /// Per-step membrane decay factor used (1 = no leak).
    pub decay: f64,
    /// Equivalent exponential time constant (ms) so that e^(−dt/τ) = decay.
    pub tau_m_ms: Option<f64>,
    /// Factor applied to NIR weights (dt·R/τ, ...).
    pub gain: f64,
    /// Threshold (NIR voltage units = network mV).
    pub v_thresh: f64,
    /// Largest |weight| of incoming synapses (network units).
    pub max_abs_weight: f64,
    /// Smallest non-zero |weight| of incoming synapses.
    pub min_abs_weight: f64,
    /// Incoming synapses.
    pub synapses_in: usize,
    /// Latency of the layer (steps).
    pub latency: u32,
}

/// What the conversion did and where it approximates.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct ConversionReport {
    /// One entry per population.
    pub populations: Vec<PopulationReport>,
    /// Total synapses.
    pub synapses: usize,
    /// Largest synaptic delay used (steps).
    pub max_delay: u32,
    /// Nodes evaluated on the host.
    pub host_nodes: Vec<String>,
    /// Edges that close a cycle.
    pub delayed_edges: Vec<(String, String)>,
    /// Approximations and choices worth reading, one line each.
    pub notes: Vec<String>,
}

/// The converted network plus everything needed to read its results back.
#[derive(Clone, Debug)]
pub struct Converted {
    /// The network, ready for validation/mapping.
    pub network: Network,
    /// Chip location and latency of every node.
    pub outputs: OutputMap,
    /// Conversion report.
    pub report: ConversionReport,
    /// Reference steps requested.
    pub steps: usize,
    /// Steps the chip must run so the last reference step reaches every layer (steps + max latency).
    pub chip_steps: usize,
    plan: HostPlan,
}

#[derive(Clone, Debug)]
struct HostPlan {
    flat: Flat,
    inputs: BTreeMap<String, Vec<Vec<f64>>>,
    dt: f64,
    /// flat index → layer name, for chip nodes
    chip_nodes: Vec<usize>,
}

type Row = Vec<(usize, f64)>;
/// (source neuron, target neuron, delay) → summed weight, per population pair.
type SynMap = BTreeMap<(u32, u32, u32), f64>;
/// Virtual source of the constant inputs (biases): a relay that spikes every step.
const BIAS: usize = usize::MAX;
/// Name prefix of the bias relay populations (`nir_bias<k>` fires from chip step k).
pub const BIAS_POPULATION: &str = "nir_bias";
/// (chip source node, reference delay steps, cycle-closing edges crossed)
type Key = (usize, u32, u32);

/// A node's input as a sum of (source, delay) terms; row j is what source element j adds.
#[derive(Clone, Debug, Default)]
struct Contrib {
    terms: BTreeMap<Key, Vec<Row>>,
}

fn is_chip(op: &Op) -> bool {
    matches!(
        op,
        Op::Nir(
            Node::Input { .. }
                | Node::LIF { .. }
                | Node::IF { .. }
                | Node::CubaLIF { .. }
                | Node::Threshold { .. }
        )
    )
}

fn unsupported(f: &Flat, i: usize, reason: impl Into<String>) -> NirError {
    NirError::Unsupported {
        node: f.names[i].clone(),
        kind: f.kind(i).to_string(),
        reason: reason.into(),
    }
}

/// Convert with default [`ConvertOptions`]. `dt_s` is the step in the graph's
/// time unit (seconds for published files); the network's `dt_ms` is `dt_s·1000`.
pub fn to_network(
    g: &NirGraph,
    inputs: &InputSpikes,
    dt_s: f64,
    steps: usize,
) -> Result<Converted, NirError> {
    to_network_with(g, inputs, dt_s, steps, &ConvertOptions::default())
}

struct Builder<'a> {
    f: &'a Flat,
    memo: BTreeMap<usize, Contrib>,
    visiting: BTreeSet<usize>,
    dt: f64,
    for_node: usize,
}

impl Builder<'_> {
    /// Sum of the incoming edges of node `i`, as contributions in `i`'s input space.
    fn incoming(&mut self, i: usize) -> Result<Contrib, NirError> {
        let f = self.f;
        let len = f.in_len[i];
        let mut acc: BTreeMap<Key, Vec<Vec<f64>>> = BTreeMap::new();
        for &(s, delayed) in &f.inputs[i] {
            let c = self.contrib(s)?;
            for (&(src, d, cyc), rows) in &c.terms {
                let key = (src, d, cyc + delayed as u32);
                let e = acc
                    .entry(key)
                    .or_insert_with(|| vec![vec![0.0; len]; rows.len()]);
                for (j, r) in rows.iter().enumerate() {
                    for &(k, w) in r {
                        e[j][k] += w;
                    }
                }
            }
        }
        Ok(Contrib {
            terms: acc
                .into_iter()
                .map(|(k, rows)| (k, rows.into_iter().map(sparsify).collect()))
                .collect(),
        })
    }

    fn contrib(&mut self, i: usize) -> Result<Contrib, NirError> {
        let f = self.f;
        if is_chip(&f.ops[i]) {
            let n = numel(&f.shape[i]);
            let mut terms = BTreeMap::new();
            terms.insert((i, 0, 0), (0..n).map(|j| vec![(j, 1.0)]).collect());
            return Ok(Contrib { terms });
        }
        if let Some(c) = self.memo.get(&i) {
            return Ok(c.clone());
        }
        let is_delay = matches!(f.ops[i], Op::Nir(Node::Delay { .. }));
        if !ops::is_linear(&f.ops[i]) && !is_delay {
            return Err(unsupported(
                f,
                i,
                format!(
                    "a non-spiking node runs on the host after the chip, but its output feeds the chip node `{}`",
                    f.names[self.for_node]
                ),
            ));
        }
        if !self.visiting.insert(i) {
            return Err(unsupported(
                f,
                i,
                "a cycle of linear nodes with no spiking node in it (algebraic loop)",
            ));
        }
        let inc = self.incoming(i)?;
        self.visiting.remove(&i);
        let out_len = numel(&f.shape[i]);
        let mut c = Contrib::default();
        if is_delay {
            let Op::Nir(Node::Delay { delay }) = &f.ops[i] else {
                return Err(unsupported(f, i, "internal: not a Delay node"));
            };
            let steps: Vec<u32> = (0..out_len)
                .map(|k| {
                    let d = (delay.at(k) / self.dt).round();
                    if (0.0..=255.0).contains(&d) {
                        Ok(d as u32)
                    } else {
                        Err(unsupported(
                            f,
                            i,
                            format!(
                                "delay {} s is {d} steps; the chip allows 0..=255 extra steps",
                                delay.at(k)
                            ),
                        ))
                    }
                })
                .collect::<Result<_, _>>()?;
            for ((src, d, cyc), rows) in inc.terms {
                for (j, r) in rows.iter().enumerate() {
                    for &(k, w) in r {
                        let e = c
                            .terms
                            .entry((src, d + steps[k], cyc))
                            .or_insert_with(|| vec![Vec::new(); rows.len()]);
                        e[j].push((k, w));
                    }
                }
            }
        } else {
            for (key, rows) in inc.terms {
                let mut out = Vec::with_capacity(rows.len());
                let mut x = vec![0.0; f.in_len[i]];
                for r in &rows {
                    x.iter_mut().for_each(|v| *v = 0.0);
                    for &(k, w) in r {
                        x[k] += w;
                    }
                    out.push(sparsify(ops::apply(f, i, &x)));
                }
                c.terms.insert(key, out);
            }
            if let Some(own) = ops::bias(f, i) {
                let row = c
                    .terms
                    .entry((BIAS, 0, 0))
                    .or_insert_with(|| vec![Vec::new()]);
                let mut dense = vec![0.0; out_len];
                for &(k, w) in &row[0] {
                    dense[k] += w;
                }
                for (a, x) in dense.iter_mut().zip(own) {
                    *a += x;
                }
                row[0] = sparsify(dense);
            }
        }
        self.memo.insert(i, c.clone());
        Ok(c)
    }
}

fn name_of(f: &Flat, s: usize) -> &str {
    if s == BIAS {
        BIAS_POPULATION
    } else {
        &f.names[s]
    }
}

fn sparsify(v: Vec<f64>) -> Row {
    v.into_iter()
        .enumerate()
        .filter(|(_, w)| *w != 0.0)
        .collect()
}

/// Per-element chip parameters of one chip node.
struct ElemParams {
    params: NeuronParams,
    gain: f64,
    decay: f64,
}

fn bits(x: f64) -> u64 {
    x.to_bits()
}

fn params_key(p: &NeuronParams) -> Vec<u64> {
    match p {
        NeuronParams::Lif {
            tau_m_ms,
            v_rest_mv,
            v_thresh_mv,
            v_reset_mv,
            tau_syn_e_ms,
            bias_mv,
            ..
        } => vec![
            tau_m_ms.map(bits).unwrap_or(u64::MAX),
            bits(*v_rest_mv),
            bits(*v_thresh_mv),
            bits(*v_reset_mv),
            tau_syn_e_ms.map(bits).unwrap_or(u64::MAX),
            bits(*bias_mv),
        ],
        _ => Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn lif(
    tau_m_ms: Option<f64>,
    v_rest: f64,
    thr: f64,
    reset: f64,
    tau_syn_ms: Option<f64>,
    bias: f64,
) -> NeuronParams {
    NeuronParams::Lif {
        tau_m_ms,
        v_rest_mv: v_rest,
        v_thresh_mv: thr,
        strict_threshold: true,
        v_reset_mv: reset,
        t_ref_ms: 0.0,
        tau_syn_e_ms: tau_syn_ms,
        tau_syn_i_ms: tau_syn_ms,
        bias_mv: bias,
        v_init: Init::Constant(0.0),
        refractory_drops_input: false,
    }
}

/// The mapper's one-step coupling of an exponential current into v (same formula as `crates/mapper`).
pub fn psc_coupling(dt_ms: f64, tau_m_ms: f64, tau_s_ms: f64) -> f64 {
    if (tau_m_ms - tau_s_ms).abs() < 1e-12 * tau_m_ms {
        dt_ms / tau_m_ms * (-dt_ms / tau_m_ms).exp()
    } else {
        tau_s_ms * ((-dt_ms / tau_s_ms).exp() - (-dt_ms / tau_m_ms).exp()) / (tau_s_ms - tau_m_ms)
    }
}

/// Euler factor a = dt/τ → (decay 1 − a, equivalent τ in ms).
fn euler(f: &Flat, i: usize, field: &str, dt: f64, tau: f64) -> Result<(f64, f64, f64), NirError> {
    let a = dt / tau;
    if !(a > 0.0 && a < 1.0) {
        return Err(unsupported(
            f,
            i,
            format!("{field} = {tau} is not longer than dt = {dt}: the Euler factor 1 − dt/τ = {} has no exponential equivalent", 1.0 - a),
        ));
    }
    let decay = 1.0 - a;
    Ok((a, decay, -dt * 1000.0 / decay.ln()))
}

fn elem_params(
    f: &Flat,
    i: usize,
    k: usize,
    dt: f64,
    bias_in: f64,
    opts: &ConvertOptions,
    notes: &mut BTreeSet<String>,
) -> Result<ElemParams, NirError> {
    let check = |thr: f64, reset: f64| {
        if thr > reset {
            Ok(())
        } else {
            Err(unsupported(
                f,
                i,
                format!("element {k}: v_threshold {thr} is not above v_reset {reset}"),
            ))
        }
    };
    let Op::Nir(node) = &f.ops[i] else {
        return Err(unsupported(f, i, "not a chip node"));
    };
    let dt_ms = dt * 1000.0;
    Ok(match node {
        Node::Input { .. } => ElemParams {
            params: lif(None, 0.0, 0.5, 0.0, None, 0.0),
            gain: 1.0,
            decay: 1.0,
        },
        Node::LIF {
            tau,
            r,
            v_leak,
            v_threshold,
            v_reset,
        } => {
            let (a, decay, tau_eq) = euler(f, i, "tau", dt, tau.at(k))?;
            check(v_threshold.at(k), v_reset.at(k))?;
            let g = a * r.at(k);
            ElemParams {
                params: lif(
                    Some(tau_eq),
                    v_leak.at(k),
                    v_threshold.at(k),
                    v_reset.at(k),
                    None,
                    g * bias_in,
                ),
                gain: if opts.input_decays { g / decay } else { g },
                decay,
            }
        }
        Node::IF {
            r,
            v_threshold,
            v_reset,
        } => {
            check(v_threshold.at(k), v_reset.at(k))?;
            let g = dt * r.at(k);
            ElemParams {
                params: lif(
                    None,
                    0.0,
                    v_threshold.at(k),
                    v_reset.at(k),
                    None,
                    g * bias_in,
                ),
                gain: g,
                decay: 1.0,
            }
        }
        Node::CubaLIF {
            tau_syn,
            tau_mem,
            r,
            v_leak,
            v_threshold,
            v_reset,
            w_in,
        } => {
            let (am, decay, tau_m) = euler(f, i, "tau_mem", dt, tau_mem.at(k))?;
            let (as_, _, tau_s) = euler(f, i, "tau_syn", dt, tau_syn.at(k))?;
            check(v_threshold.at(k), v_reset.at(k))?;
            let kappa = if opts.psc_coupling {
                psc_coupling(dt_ms, tau_m, tau_s)
            } else {
                1.0
            };
            let g = am * r.at(k) * as_ * w_in.at(k) / kappa;
            if bias_in != 0.0 && opts.neuron_bias {
                notes.insert(format!(
                    "{}: a bias into a CubaLIF is applied to v at its steady-state value a_m·R·w_in·b (the reference filters it through the synaptic current: the first ~τ_syn steps differ)",
                    f.names[i]
                ));
            }
            ElemParams {
                params: lif(
                    Some(tau_m),
                    v_leak.at(k),
                    v_threshold.at(k),
                    v_reset.at(k),
                    Some(tau_s),
                    am * r.at(k) * w_in.at(k) * bias_in,
                ),
                gain: if opts.input_decays { g / decay } else { g },
                decay,
            }
        }
        Node::Threshold { threshold } => {
            let thr = threshold.at(k);
            let reset = if thr > 0.0 { 0.0 } else { thr - 1.0 };
            notes.insert(format!(
                "{}: Threshold is memoryless; it becomes a neuron with τ_m = dt/40 (decay e^-40 ≈ 0) so v equals this step's input",
                f.names[i]
            ));
            ElemParams {
                params: lif(Some(dt_ms / 40.0), 0.0, thr, reset, None, bias_in),
                gain: 1.0,
                decay: (-40.0f64).exp(),
            }
        }
        other => {
            return Err(unsupported(
                f,
                i,
                format!("{} is not a chip node", other.kind()),
            ))
        }
    })
}

/// Convert `g` to a chip network driven by `inputs` for `steps` reference steps.
pub fn to_network_with(
    g: &NirGraph,
    inputs: &InputSpikes,
    dt_s: f64,
    steps: usize,
    opts: &ConvertOptions,
) -> Result<Converted, NirError> {
    sim::check_dt(dt_s)?;
    let f = Flat::build(g)?;
    let dense = sim::dense_inputs(&f, inputs, steps)?;
    let mut notes: BTreeSet<String> = BTreeSet::new();
    let chip_nodes: Vec<usize> = f
        .order
        .iter()
        .copied()
        .filter(|&i| is_chip(&f.ops[i]))
        .collect();
    let mut b = Builder {
        f: &f,
        memo: BTreeMap::new(),
        visiting: BTreeSet::new(),
        dt: dt_s,
        for_node: 0,
    };

    // Populations and latencies, in evaluation order.
    let mut latency: BTreeMap<usize, u32> = BTreeMap::new();
    let mut layers: BTreeMap<String, LayerMap> = BTreeMap::new();
    let mut elem_of: BTreeMap<usize, Vec<(usize, u32)>> = BTreeMap::new(); // node → k → (pop idx, local)
    let mut gains: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    let mut incoming: BTreeMap<usize, Contrib> = BTreeMap::new();
    let mut populations: Vec<Population> = Vec::new();
    let mut pop_reports: Vec<PopulationReport> = Vec::new();
    for &i in &chip_nodes {
        b.for_node = i;
        let inc = if matches!(f.ops[i], Op::Nir(Node::Input { .. })) {
            Contrib::default()
        } else {
            b.incoming(i)?
        };
        let mut bias_vec = vec![0.0; numel(&f.shape[i])];
        if opts.neuron_bias {
            for (&(s, d, cyc), rows) in &inc.terms {
                if s != BIAS {
                    continue;
                }
                if d + cyc > 0 {
                    notes.insert(format!(
                        "{}: a bias that passes through a Delay or a cycle is applied from step 0 (neuron_bias)",
                        f.names[i]
                    ));
                }
                for &(k, w) in &rows[0] {
                    bias_vec[k] += w;
                }
            }
        }
        let lat = if matches!(f.ops[i], Op::Nir(Node::Input { .. })) {
            opts.stimulus_latency
        } else {
            inc.terms
                .keys()
                .filter(|(s, _, cyc)| *cyc == 0 && *s != BIAS)
                .filter_map(|(s, _, _)| latency.get(s).map(|l| l + 1))
                .max()
                .unwrap_or(opts.stimulus_latency + 1)
        };
        latency.insert(i, lat);
        let n = numel(&f.shape[i]);
        let mut groups: Vec<(Vec<u64>, Vec<usize>, ElemParams)> = Vec::new();
        let mut g_vec = vec![0.0; n];
        for k in 0..n {
            let bias_in = bias_vec[k];
            let ep = elem_params(&f, i, k, dt_s, bias_in, opts, &mut notes)?;
            g_vec[k] = ep.gain;
            let key = params_key(&ep.params);
            match groups.iter_mut().find(|(gk, _, _)| *gk == key) {
                Some((_, members, _)) => members.push(k),
                None => groups.push((key, vec![k], ep)),
            }
        }
        let single = groups.len() == 1;
        let mut elements = vec![(0usize, 0u32); n];
        for (gi, (_, members, ep)) in groups.into_iter().enumerate() {
            let name = if single {
                f.names[i].clone()
            } else {
                format!("{}#{gi}", f.names[i])
            };
            let p = populations.len();
            for (local, &k) in members.iter().enumerate() {
                elements[k] = (p, local as u32);
            }
            let (thr, tau) = match &ep.params {
                NeuronParams::Lif {
                    v_thresh_mv,
                    tau_m_ms,
                    ..
                } => (*v_thresh_mv, *tau_m_ms),
                _ => (0.0, None),
            };
            pop_reports.push(PopulationReport {
                name: name.clone(),
                node: f.names[i].clone(),
                size: members.len() as u32,
                decay: ep.decay,
                tau_m_ms: tau,
                gain: ep.gain,
                v_thresh: thr,
                max_abs_weight: 0.0,
                min_abs_weight: f64::INFINITY,
                synapses_in: 0,
                latency: lat,
            });
            populations.push(Population {
                name,
                size: members.len() as u32,
                neuron: ep.params,
            });
        }
        if !single {
            notes.insert(format!(
                "{}: elements with different parameters are split into populations {}#0..",
                f.names[i], f.names[i]
            ));
        }
        layers.insert(
            f.names[i].clone(),
            LayerMap {
                kind: f.kind(i).to_string(),
                shape: f.shape[i].clone(),
                latency: lat,
                elements: elements
                    .iter()
                    .map(|&(p, l)| (populations[p].name.clone(), l))
                    .collect(),
            },
        );
        elem_of.insert(i, elements);
        gains.insert(i, g_vec);
        incoming.insert(i, inc);
    }

    // Bias relays, when some node has a constant input and biases are not
    // native: one per lead k = latency − 1 of the nodes it feeds, firing at
    // chip step t + k for reference step t, so its synapses need delay 1
    // (chips such as Loihi have no longer delays).
    let mut bias_pops: BTreeMap<u32, usize> = BTreeMap::new();
    if !opts.neuron_bias {
        for &i in &chip_nodes {
            if incoming[&i].terms.keys().any(|(s, _, _)| *s == BIAS) {
                let k = latency[&i].saturating_sub(1).max(opts.stimulus_latency);
                bias_pops.entry(k).or_insert(0);
            }
        }
    }
    let needs_bias = !bias_pops.is_empty();
    for (&k, slot) in bias_pops.iter_mut() {
        let name = format!("{BIAS_POPULATION}{k}");
        *slot = populations.len();
        populations.push(Population {
            name: name.clone(),
            size: 1,
            neuron: lif(None, 0.0, 0.5, 0.0, None, 0.0),
        });
        pop_reports.push(PopulationReport {
            name,
            node: String::new(),
            size: 1,
            decay: 1.0,
            tau_m_ms: None,
            gain: 1.0,
            v_thresh: 0.5,
            max_abs_weight: 0.0,
            min_abs_weight: 0.0,
            synapses_in: 0,
            latency: k,
        });
    }
    if needs_bias {
        notes.insert(format!(
            "biases (Affine/Conv) are synapses from `{BIAS_POPULATION}<k>`, relays that spike every step from chip step k (exact; set neuron_bias for native biases)"
        ));
    }

    // Synapses.
    let mut syn: BTreeMap<(usize, usize), SynMap> = BTreeMap::new();
    for &i in &chip_nodes {
        let lat_t = latency[&i] as i64;
        for (&(s, d, cyc), rows) in &incoming[&i].terms {
            if s == BIAS && !needs_bias {
                continue;
            }
            let (lat_s, src_elems) = if s == BIAS {
                let k = (lat_t as u32).saturating_sub(1).max(opts.stimulus_latency);
                (k as i64, vec![(bias_pops[&k], 0u32)])
            } else {
                (latency[&s] as i64, elem_of[&s].clone())
            };
            let mut delay = lat_t - lat_s + d as i64 + cyc as i64;
            if delay < 1 {
                notes.insert(format!(
                    "{} -> {}: a recurrent edge into an earlier layer arrives {} step(s) later than in the reference (chip delays are ≥ 1)",
                    name_of(&f, s),
                    f.names[i],
                    1 - delay
                ));
                delay = 1;
            }
            if delay > 255 {
                return Err(unsupported(
                    &f,
                    i,
                    format!(
                        "input from `{}` needs a {delay}-step delay; the network format allows 255",
                        name_of(&f, s)
                    ),
                ));
            }
            for (j, r) in rows.iter().enumerate() {
                let (ps, ls) = src_elems[j];
                for &(k, w) in r {
                    let (pt, lt) = elem_of[&i][k];
                    let wc = w * gains[&i][k];
                    if wc != 0.0 {
                        *syn.entry((ps, pt))
                            .or_default()
                            .entry((ls, lt, delay as u32))
                            .or_insert(0.0) += wc;
                    }
                }
            }
        }
    }
    let mut projections = Vec::new();
    let mut total = 0usize;
    let mut max_delay = 0u32;
    for ((ps, pt), m) in syn {
        for (kind, positive) in [(SynapseKind::Exc, true), (SynapseKind::Inh, false)] {
            let sel: Vec<(&(u32, u32, u32), &f64)> = m
                .iter()
                .filter(|(_, &w)| w != 0.0 && (w > 0.0) == positive)
                .collect();
            if sel.is_empty() {
                continue;
            }
            let rep = &mut pop_reports[pt];
            for (&(_, _, d), &w) in &sel {
                rep.max_abs_weight = rep.max_abs_weight.max(w.abs());
                rep.min_abs_weight = rep.min_abs_weight.min(w.abs());
                max_delay = max_delay.max(d);
            }
            rep.synapses_in += sel.len();
            total += sel.len();
            projections.push(Projection {
                from: populations[ps].name.clone(),
                to: populations[pt].name.clone(),
                connect: Connect::List {
                    pairs: sel.iter().map(|(&(a, b, _), _)| (a, b)).collect(),
                    weights: sel.iter().map(|(_, &w)| w).collect(),
                    delays: sel.iter().map(|(&(_, _, d), _)| d).collect(),
                },
                weight: Init::Constant(0.0),
                delay: 1,
                synapse: kind,
            });
        }
    }
    for r in pop_reports.iter_mut() {
        if r.synapses_in == 0 {
            r.min_abs_weight = 0.0;
        }
    }

    // Stimuli: one SpikeArray per Input relay population.
    let mut stimuli = Vec::new();
    for &i in &chip_nodes {
        if !matches!(f.ops[i], Op::Nir(Node::Input { .. })) {
            continue;
        }
        let mut per_pop: BTreeMap<usize, Vec<(u32, u32)>> = BTreeMap::new();
        if let Some(tr) = dense.get(&f.names[i]) {
            for (t, vals) in tr.iter().enumerate() {
                for (k, &v) in vals.iter().enumerate() {
                    if v == 0.0 {
                        continue;
                    }
                    if v != 1.0 {
                        return Err(unsupported(
                            &f,
                            i,
                            format!("input value {v} at step {t}, index {k}: the chip takes spikes (0 or 1)"),
                        ));
                    }
                    let (p, l) = elem_of[&i][k];
                    per_pop.entry(p).or_default().push((t as u32, l));
                }
            }
        }
        for (p, spikes) in per_pop {
            stimuli.push(Stimulus::SpikeArray {
                target: populations[p].name.clone(),
                spikes,
                weight: 1.0,
                synapse: SynapseKind::Exc,
            });
        }
    }
    for &k in bias_pops.keys() {
        let first = k - opts.stimulus_latency;
        stimuli.push(Stimulus::SpikeArray {
            target: format!("{BIAS_POPULATION}{k}"),
            spikes: (0..steps as u32).map(|t| (t + first, 0)).collect(),
            weight: 1.0,
            synapse: SynapseKind::Exc,
        });
    }

    // Outputs.
    let mut outputs = BTreeMap::new();
    for o in f.output_nodes() {
        let mut cur = o;
        let mut src = None;
        let mut hops = 0;
        while let [(s, false)] = f.inputs[cur].as_slice() {
            if is_chip(&f.ops[*s]) {
                src = Some(*s);
                break;
            }
            hops += 1;
            if hops > f.names.len()
                || !matches!(f.ops[*s], Op::Identity | Op::Nir(Node::Flatten { .. }))
            {
                break;
            }
            cur = *s;
        }
        let entry = match src {
            Some(s) => {
                let l = &layers[&f.names[s]];
                OutputSource::Chip {
                    layer: f.names[s].clone(),
                    latency: l.latency,
                    elements: l.elements.clone(),
                }
            }
            None => OutputSource::Host {
                reason: "not a spiking layer: integrated on the host from the chip's spikes".into(),
            },
        };
        outputs.insert(f.names[o].clone(), entry);
    }
    let host_nodes: Vec<String> = (0..f.names.len())
        .filter(|&i| {
            !is_chip(&f.ops[i])
                && !matches!(f.ops[i], Op::Nir(Node::Output { .. }))
                && !b.memo.contains_key(&i)
        })
        .map(|i| f.names[i].clone())
        .collect();
    for h in &host_nodes {
        notes.insert(format!(
            "{h}: evaluated on the host (readout) from the chip's spikes"
        ));
    }

    let probes = populations
        .iter()
        .map(|p| Probe {
            population: p.name.clone(),
            neurons: None,
            states: Vec::new(),
        })
        .collect();
    let max_lat = latency.values().copied().max().unwrap_or(0) as usize;
    let network = Network {
        name: opts.name.clone().unwrap_or_else(|| g.name.clone()),
        dt_ms: dt_s * 1000.0,
        seed: 0,
        populations,
        projections,
        stimuli,
        probes,
    };
    Ok(Converted {
        network,
        outputs: OutputMap { layers, outputs },
        report: ConversionReport {
            populations: pop_reports,
            synapses: total,
            max_delay,
            host_nodes,
            delayed_edges: f.delayed_edges(),
            notes: notes.into_iter().collect(),
        },
        steps,
        chip_steps: steps + max_lat,
        plan: HostPlan {
            flat: f.clone(),
            inputs: dense,
            dt: dt_s,
            chip_nodes,
        },
    })
}

/// Turn the chip's spikes — (population, chip step, neuron within the
/// population) — into the Output nodes' rows in reference steps: chip layers
/// are shifted back by their latency, host nodes are integrated from them.
pub fn readout(
    conv: &Converted,
    spikes: &[(String, u32, u32)],
) -> Result<Vec<OutputRow>, NirError> {
    let plan = &conv.plan;
    let f = &plan.flat;
    let sizes: BTreeMap<&str, u32> = conv
        .network
        .populations
        .iter()
        .map(|p| (p.name.as_str(), p.size))
        .collect();
    let mut set: BTreeSet<(&str, u32, u32)> = BTreeSet::new();
    for (p, t, n) in spikes {
        let size = sizes.get(p.as_str()).ok_or_else(|| NirError::Readout {
            population: p.clone(),
            reason: "not a population of this conversion".into(),
        })?;
        if n >= size {
            return Err(NirError::Readout {
                population: p.clone(),
                reason: format!("neuron {n} out of range (size {size})"),
            });
        }
        set.insert((p.as_str(), *t, *n));
    }
    let mut overrides = BTreeMap::new();
    for &i in &plan.chip_nodes {
        let l = &conv.outputs.layers[&f.names[i]];
        let tr: Vec<Vec<f64>> = (0..conv.steps)
            .map(|t| {
                let ct = (t as u32).saturating_add(l.latency);
                l.elements
                    .iter()
                    .map(|(p, n)| {
                        if set.contains(&(p.as_str(), ct, *n)) {
                            1.0
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect();
        overrides.insert(i, tr);
    }
    let traces = sim::simulate(f, &plan.inputs, conv.steps, plan.dt, &overrides)?;
    Ok(sim::run_from(f, plan.dt, conv.steps, traces).output_rows())
}

/// How two sets of output rows agree.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct Comparison {
    /// (step, node, index) present in both with |difference| ≤ tolerance.
    pub matched: usize,
    /// Present in both but differing by more than the tolerance.
    pub differ: usize,
    /// Only in the reference.
    pub only_reference: usize,
    /// Only in the chip rows.
    pub only_chip: usize,
    /// Largest |difference| over all rows (missing = 0).
    pub max_abs_diff: f64,
}

/// Compare chip rows against reference rows (missing rows are value 0).
pub fn compare(reference: &[OutputRow], chip: &[OutputRow], tolerance: f64) -> Comparison {
    let key = |r: &OutputRow| (r.step, r.node.clone(), r.index);
    let a: BTreeMap<_, f64> = reference.iter().map(|r| (key(r), r.value)).collect();
    let b: BTreeMap<_, f64> = chip.iter().map(|r| (key(r), r.value)).collect();
    let mut c = Comparison::default();
    for (k, &va) in &a {
        match b.get(k) {
            Some(&vb) => {
                let d = (va - vb).abs();
                c.max_abs_diff = c.max_abs_diff.max(d);
                if d <= tolerance {
                    c.matched += 1;
                } else {
                    c.differ += 1;
                }
            }
            None => {
                c.only_reference += 1;
                c.max_abs_diff = c.max_abs_diff.max(va.abs());
            }
        }
    }
    for (k, &vb) in &b {
        if !a.contains_key(k) {
            c.only_chip += 1;
            c.max_abs_diff = c.max_abs_diff.max(vb.abs());
        }
    }
    c
}
