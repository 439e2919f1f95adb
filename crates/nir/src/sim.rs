//! The float64 reference simulation (the README convention): forward Euler
//! with step dt, spike = 1.0, states start at 0, no refractory period, strict
//! `>` thresholds, reset to `v_reset`, CubaLIF's voltage uses the current
//! updated in the same step, zero latency along feed-forward edges, a
//! cycle-closing edge delivers the previous step's value, `Delay` is
//! `round(delay/dt)` steps.

use std::collections::BTreeMap;

use crate::error::NirError;
use crate::flat::{numel, Flat, Op};
use crate::graph::{NirGraph, Node};
use crate::io::{InputSpikes, OutputRow};
use crate::ops;

/// What one node did over the run.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeTrace {
    /// NIR type (`Identity` for a nested graph's Input/Output).
    pub kind: String,
    /// Output shape.
    pub shape: Vec<usize>,
    /// Output per step (`output[t][i]`, C-order flat i); spikes are 1.0.
    pub output: Vec<Vec<f64>>,
    /// Membrane voltage per step after threshold and reset (stateful nodes only).
    pub v: Option<Vec<Vec<f64>>>,
    /// Synaptic current per step (CubaLI/CubaLIF only).
    pub i: Option<Vec<Vec<f64>>>,
}

/// A whole reference run.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatRun {
    /// Step used.
    pub dt: f64,
    /// Steps simulated.
    pub steps: usize,
    /// Evaluation order (flattened names).
    pub order: Vec<String>,
    /// Edges that close a cycle (deliver the previous step's value).
    pub delayed_edges: Vec<(String, String)>,
    /// Every node by flattened name (`sub.lif` inside nested graph `sub`).
    pub nodes: BTreeMap<String, NodeTrace>,
}

impl FloatRun {
    /// The Output nodes' values as rows (zeros omitted), sorted by (step, node, index).
    pub fn output_rows(&self) -> Vec<OutputRow> {
        let mut rows = Vec::new();
        for (name, tr) in &self.nodes {
            if tr.kind != "Output" {
                continue;
            }
            for (t, vals) in tr.output.iter().enumerate() {
                for (k, &v) in vals.iter().enumerate() {
                    if v != 0.0 {
                        rows.push(OutputRow {
                            step: t,
                            node: name.clone(),
                            index: k,
                            value: v,
                        });
                    }
                }
            }
        }
        rows.sort_by(|a, b| (a.step, &a.node, a.index).cmp(&(b.step, &b.node, b.index)));
        rows
    }
}

pub(crate) fn check_dt(dt: f64) -> Result<(), NirError> {
    if dt.is_finite() && dt > 0.0 {
        Ok(())
    } else {
        Err(NirError::Argument {
            what: "dt".into(),
            reason: format!("must be a positive number of the graph's time unit, got {dt}"),
        })
    }
}

/// Simulate `g` for `steps` steps of `dt` (in the graph's time unit, seconds
/// for published files) driven by `inputs`.
pub fn float_reference(
    g: &NirGraph,
    inputs: &InputSpikes,
    steps: usize,
    dt: f64,
) -> Result<FloatRun, NirError> {
    check_dt(dt)?;
    let f = Flat::build(g)?;
    let dense = dense_inputs(&f, inputs, steps)?;
    let traces = simulate(&f, &dense, steps, dt, &BTreeMap::new())?;
    Ok(run_from(&f, dt, steps, traces))
}

pub(crate) fn run_from(f: &Flat, dt: f64, steps: usize, traces: Vec<NodeTrace>) -> FloatRun {
    FloatRun {
        dt,
        steps,
        order: f.order.iter().map(|&i| f.names[i].clone()).collect(),
        delayed_edges: f.delayed_edges(),
        nodes: f.names.iter().cloned().zip(traces).collect(),
    }
}

pub(crate) fn dense_inputs(
    f: &Flat,
    inputs: &InputSpikes,
    steps: usize,
) -> Result<BTreeMap<String, Vec<Vec<f64>>>, NirError> {
    let ins: Vec<(String, usize)> = f
        .inputs_nodes()
        .into_iter()
        .map(|i| (f.names[i].clone(), numel(&f.shape[i])))
        .collect();
    inputs.dense(&ins, steps)
}

fn delay_steps(f: &Flat, i: usize, dt: f64) -> Result<Vec<usize>, NirError> {
    let Op::Nir(Node::Delay { delay }) = &f.ops[i] else {
        return Ok(Vec::new());
    };
    let n = numel(&f.shape[i]);
    (0..n)
        .map(|k| {
            let d = (delay.at(k) / dt).round();
            if d.is_finite() && (0.0..=1e7).contains(&d) {
                Ok(d as usize)
            } else {
                Err(NirError::Unsupported {
                    node: f.names[i].clone(),
                    kind: "Delay".into(),
                    reason: format!("delay {} is negative or too large for dt {dt}", delay.at(k)),
                })
            }
        })
        .collect()
}

/// Run the flat graph; nodes in `overrides` output the given values instead of computing.
pub(crate) fn simulate(
    f: &Flat,
    inputs: &BTreeMap<String, Vec<Vec<f64>>>,
    steps: usize,
    dt: f64,
    overrides: &BTreeMap<usize, Vec<Vec<f64>>>,
) -> Result<Vec<NodeTrace>, NirError> {
    let n = f.names.len();
    let lens: Vec<usize> = f.shape.iter().map(|s| numel(s)).collect();
    let mut cur: Vec<Vec<f64>> = lens.iter().map(|&l| vec![0.0; l]).collect();
    let mut prev = cur.clone();
    let mut v: Vec<Vec<f64>> = lens.iter().map(|&l| vec![0.0; l]).collect();
    let mut cur_i: Vec<Vec<f64>> = v.clone();
    let mut hist: Vec<Vec<Vec<f64>>> = vec![Vec::new(); n];
    let delays: Vec<Vec<usize>> = (0..n)
        .map(|i| delay_steps(f, i, dt))
        .collect::<Result<_, _>>()?;
    let biases: Vec<Option<Vec<f64>>> = (0..n).map(|i| ops::bias(f, i)).collect();
    let mut traces: Vec<NodeTrace> = (0..n)
        .map(|i| {
            let stateful = matches!(
                f.ops[i],
                Op::Nir(
                    Node::I { .. }
                        | Node::IF { .. }
                        | Node::LI { .. }
                        | Node::LIF { .. }
                        | Node::CubaLI { .. }
                        | Node::CubaLIF { .. }
                )
            );
            let cuba = matches!(
                f.ops[i],
                Op::Nir(Node::CubaLI { .. } | Node::CubaLIF { .. })
            );
            NodeTrace {
                kind: f.kind(i).to_string(),
                shape: f.shape[i].clone(),
                output: Vec::with_capacity(steps),
                v: stateful.then(|| Vec::with_capacity(steps)),
                i: cuba.then(|| Vec::with_capacity(steps)),
            }
        })
        .collect();
    for t in 0..steps {
        for &i in &f.order {
            let name = &f.names[i];
            if let Some(ov) = overrides.get(&i) {
                cur[i] = ov.get(t).cloned().unwrap_or_else(|| vec![0.0; lens[i]]);
                traces[i].output.push(cur[i].clone());
                continue;
            }
            let mut x = vec![0.0; f.in_len[i]];
            if let Op::Nir(Node::Input { .. }) = f.ops[i] {
                if let Some(tr) = inputs.get(name) {
                    x.copy_from_slice(&tr[t]);
                }
            }
            for &(s, delayed) in &f.inputs[i] {
                let src = if delayed { &prev[s] } else { &cur[s] };
                for (a, b) in x.iter_mut().zip(src) {
                    *a += b;
                }
            }
            let y: Vec<f64> = match &f.ops[i] {
                op if ops::is_linear(op) => {
                    let mut y = ops::apply(f, i, &x);
                    if let Some(b) = &biases[i] {
                        for (a, c) in y.iter_mut().zip(b) {
                            *a += c;
                        }
                    }
                    y
                }
                Op::Nir(Node::Input { .. }) | Op::Nir(Node::Output { .. }) => x,
                Op::Nir(Node::Delay { .. }) => {
                    hist[i].push(x);
                    (0..lens[i])
                        .map(|k| {
                            let d = delays[i][k];
                            if t >= d {
                                hist[i][t - d][k]
                            } else {
                                0.0
                            }
                        })
                        .collect()
                }
                Op::Nir(Node::Threshold { threshold }) => x
                    .iter()
                    .enumerate()
                    .map(|(k, &a)| if a > threshold.at(k) { 1.0 } else { 0.0 })
                    .collect(),
                Op::Nir(Node::I { r }) => {
                    for k in 0..lens[i] {
                        v[i][k] += dt * r.at(k) * x[k];
                    }
                    v[i].clone()
                }
                Op::Nir(Node::IF {
                    r,
                    v_threshold,
                    v_reset,
                }) => {
                    let mut y = vec![0.0; lens[i]];
                    for k in 0..lens[i] {
                        v[i][k] += dt * r.at(k) * x[k];
                        if v[i][k] > v_threshold.at(k) {
                            y[k] = 1.0;
                            v[i][k] = v_reset.at(k);
                        }
                    }
                    y
                }
                Op::Nir(Node::LI { tau, r, v_leak }) => {
                    for k in 0..lens[i] {
                        let a = dt / tau.at(k);
                        v[i][k] += a * (v_leak.at(k) - v[i][k] + r.at(k) * x[k]);
                    }
                    v[i].clone()
                }
                Op::Nir(Node::LIF {
                    tau,
                    r,
                    v_leak,
                    v_threshold,
                    v_reset,
                }) => {
                    let mut y = vec![0.0; lens[i]];
                    for k in 0..lens[i] {
                        let a = dt / tau.at(k);
                        v[i][k] += a * (v_leak.at(k) - v[i][k] + r.at(k) * x[k]);
                        if v[i][k] > v_threshold.at(k) {
                            y[k] = 1.0;
                            v[i][k] = v_reset.at(k);
                        }
                    }
                    y
                }
                Op::Nir(Node::CubaLI {
                    tau_syn,
                    tau_mem,
                    r,
                    v_leak,
                    w_in,
                }) => {
                    for k in 0..lens[i] {
                        let cur_k = &mut cur_i[i][k];
                        *cur_k += dt / tau_syn.at(k) * (-*cur_k + w_in.at(k) * x[k]);
                        let a = dt / tau_mem.at(k);
                        v[i][k] += a * (v_leak.at(k) - v[i][k] + r.at(k) * *cur_k);
                    }
                    v[i].clone()
                }
                Op::Nir(Node::CubaLIF {
                    tau_syn,
                    tau_mem,
                    r,
                    v_leak,
                    v_threshold,
                    v_reset,
                    w_in,
                }) => {
                    let mut y = vec![0.0; lens[i]];
                    for k in 0..lens[i] {
                        let cur_k = &mut cur_i[i][k];
                        *cur_k += dt / tau_syn.at(k) * (-*cur_k + w_in.at(k) * x[k]);
                        let a = dt / tau_mem.at(k);
                        v[i][k] += a * (v_leak.at(k) - v[i][k] + r.at(k) * *cur_k);
                        if v[i][k] > v_threshold.at(k) {
                            y[k] = 1.0;
                            v[i][k] = v_reset.at(k);
                        }
                    }
                    y
                }
                Op::Nir(other) => {
                    return Err(NirError::Unsupported {
                        node: name.clone(),
                        kind: other.kind().into(),
                        reason: "cannot be simulated".into(),
                    })
                }
                Op::Identity => x,
            };
            cur[i] = y;
            traces[i].output.push(cur[i].clone());
            if let Some(vt) = traces[i].v.as_mut() {
                vt.push(v[i].clone());
            }
            if let Some(it) = traces[i].i.as_mut() {
                it.push(cur_i[i].clone());
            }
        }
        std::mem::swap(&mut prev, &mut cur);
        // `cur` is rebuilt node by node next step; delayed edges read `prev`.
        cur.clone_from(&prev);
    }
    Ok(traces)
}
