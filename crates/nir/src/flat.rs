//! The graph flattened for evaluation: nested graphs inlined (their
//! Input/Output nodes become pass-throughs named `sub.input`), an evaluation
//! order, the cycle-closing ("delayed") edges and every node's shape.
//!
//! The order is a depth-first walk from the top-level Input nodes (sorted by
//! name) following each node's out-edges in file order; an edge to a node
//! still on the walk's stack closes a cycle and delivers the previous step's
//! value. The order is the reverse post-order of that walk (a topological
//! order of the remaining DAG). `scripts/make_fixtures.py` implements the same
//! walk so its reference traces agree.

use crate::error::NirError;
use crate::graph::{NirGraph, Node, Padding};

/// A node after flattening.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // one per node, built once
pub(crate) enum Op {
    /// A NIR node (never `Graph`).
    Nir(Node),
    /// A nested graph's Input or Output: y = x.
    Identity,
}

#[derive(Clone, Debug)]
pub(crate) struct Flat {
    pub names: Vec<String>,
    pub ops: Vec<Op>,
    /// Incoming (source, delayed) edges per node, in file order.
    pub inputs: Vec<Vec<(usize, bool)>>,
    /// Outgoing targets per node, in file order.
    pub outputs: Vec<Vec<usize>>,
    pub order: Vec<usize>,
    /// Output shape of each node.
    pub shape: Vec<Vec<usize>>,
    /// Number of input elements each node expects.
    pub in_len: Vec<usize>,
}

pub(crate) fn numel(s: &[usize]) -> usize {
    s.iter().product()
}

impl Flat {
    pub fn kind(&self, i: usize) -> &'static str {
        match &self.ops[i] {
            Op::Nir(n) => n.kind(),
            Op::Identity => "Identity",
        }
    }

    /// Top-level Input nodes, by name.
    pub fn inputs_nodes(&self) -> Vec<usize> {
        (0..self.names.len())
            .filter(|&i| matches!(self.ops[i], Op::Nir(Node::Input { .. })))
            .collect()
    }

    pub fn output_nodes(&self) -> Vec<usize> {
        (0..self.names.len())
            .filter(|&i| matches!(self.ops[i], Op::Nir(Node::Output { .. })))
            .collect()
    }

    pub fn build(g: &NirGraph) -> Result<Flat, NirError> {
        let mut f = Flat {
            names: Vec::new(),
            ops: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            order: Vec::new(),
            shape: Vec::new(),
            in_len: Vec::new(),
        };
        let mut edges = Vec::new();
        add_graph(&mut f, g, "", true, &mut edges)?;
        let n = f.names.len();
        f.inputs = vec![Vec::new(); n];
        f.outputs = vec![Vec::new(); n];
        for &(a, b) in &edges {
            f.outputs[a].push(b);
            f.inputs[b].push((a, false));
        }
        f.walk();
        f.infer_shapes()?;
        Ok(f)
    }

    fn walk(&mut self) {
        let n = self.names.len();
        // 0 = new, 1 = on stack, 2 = done
        let mut state = vec![0u8; n];
        let mut post = Vec::with_capacity(n);
        let mut delayed: Vec<(usize, usize)> = Vec::new();
        let mut roots = self.inputs_nodes();
        roots.extend(0..n);
        for r in roots {
            if state[r] != 0 {
                continue;
            }
            // iterative DFS: (node, next out-edge index)
            let mut stack = vec![(r, 0usize)];
            state[r] = 1;
            while let Some(&mut (v, ref mut k)) = stack.last_mut() {
                if *k < self.outputs[v].len() {
                    let w = self.outputs[v][*k];
                    *k += 1;
                    match state[w] {
                        0 => {
                            state[w] = 1;
                            stack.push((w, 0));
                        }
                        1 => delayed.push((v, w)),
                        _ => {}
                    }
                } else {
                    state[v] = 2;
                    post.push(v);
                    stack.pop();
                }
            }
        }
        post.reverse();
        self.order = post;
        for (v, w) in delayed {
            for e in self.inputs[w].iter_mut() {
                if e.0 == v {
                    e.1 = true;
                }
            }
        }
    }

    /// Names of the cycle-closing edges, for reports.
    pub fn delayed_edges(&self) -> Vec<(String, String)> {
        let mut v = Vec::new();
        for (t, ins) in self.inputs.iter().enumerate() {
            for &(s, d) in ins {
                if d {
                    v.push((self.names[s].clone(), self.names[t].clone()));
                }
            }
        }
        v
    }

    fn infer_shapes(&mut self) -> Result<(), NirError> {
        let n = self.names.len();
        let mut shape: Vec<Option<Vec<usize>>> = vec![None; n];
        let mut in_len = vec![0usize; n];
        // Two passes so shapes reaching a node only along a cycle-closing edge are known.
        for _pass in 0..2 {
            for &i in &self.order.clone() {
                let incoming: Vec<Vec<usize>> = self.inputs[i]
                    .iter()
                    .filter_map(|&(s, _)| shape[s].clone())
                    .collect();
                let in_shape = incoming.first().cloned();
                let (ilen, out) = node_shape(&self.names[i], &self.ops[i], in_shape.as_deref())?;
                if let Some(o) = out {
                    shape[i] = Some(o);
                }
                if let Some(l) = ilen {
                    in_len[i] = l;
                }
            }
        }
        for i in 0..n {
            let s = shape[i].clone().ok_or_else(|| NirError::Shape {
                node: self.names[i].clone(),
                reason: "cannot infer the shape: no parameter fixes it and no input reaches it"
                    .into(),
            })?;
            if in_len[i] == 0 {
                in_len[i] = numel(&s);
            }
            shape[i] = Some(s);
        }
        self.shape = shape.into_iter().map(|s| s.unwrap_or_default()).collect();
        for (i, &want) in in_len.iter().enumerate() {
            if matches!(self.ops[i], Op::Nir(Node::Input { .. })) {
                if let Some(&(s, _)) = self.inputs[i].first() {
                    return Err(NirError::Shape {
                        node: self.names[i].clone(),
                        reason: format!(
                            "an Input node cannot have incoming edges (from `{}`)",
                            self.names[s]
                        ),
                    });
                }
                continue;
            }
            for &(s, _) in &self.inputs[i] {
                let got = numel(&self.shape[s]);
                if got != want {
                    return Err(NirError::Shape {
                        node: self.names[i].clone(),
                        reason: format!(
                            "input from `{}` has {got} elements (shape {:?}), expected {want}",
                            self.names[s], self.shape[s]
                        ),
                    });
                }
            }
        }
        self.in_len = in_len;
        Ok(())
    }
}

fn add_graph(
    f: &mut Flat,
    g: &NirGraph,
    prefix: &str,
    top: bool,
    edges: &mut Vec<(usize, usize)>,
) -> Result<(Vec<usize>, Vec<usize>), NirError> {
    // Returns (entry nodes, exit nodes) of this graph.
    let mut local: std::collections::BTreeMap<&str, (Vec<usize>, Vec<usize>)> = Default::default();
    let mut entries = Vec::new();
    let mut exits = Vec::new();
    for (name, node) in &g.nodes {
        let full = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match node {
            Node::Graph(sub) => {
                let io = add_graph(f, sub, &full, false, edges)?;
                local.insert(name.as_str(), io);
            }
            _ => {
                let idx = f.names.len();
                f.names.push(full);
                let op = match node {
                    Node::Input { .. } | Node::Output { .. } if !top => Op::Identity,
                    other => Op::Nir(other.clone()),
                };
                f.ops.push(op);
                if matches!(node, Node::Input { .. }) {
                    entries.push(idx);
                }
                if matches!(node, Node::Output { .. }) {
                    exits.push(idx);
                }
                local.insert(name.as_str(), (vec![idx], vec![idx]));
            }
        }
    }
    let gname = if prefix.is_empty() {
        g.name.clone()
    } else {
        prefix.to_string()
    };
    let resolve = |name: &str, as_source: bool| -> Option<usize> {
        if let Some((ins, outs)) = local.get(name) {
            let v = if as_source { outs } else { ins };
            return if v.len() == 1 { Some(v[0]) } else { None };
        }
        // `sub.node` addresses a node inside a nested graph directly.
        let full = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        f.names.iter().position(|n| *n == full)
    };
    let mut new_edges = Vec::new();
    for (a, b) in &g.edges {
        let ia = resolve(a, true);
        let ib = resolve(b, false);
        match (ia, ib) {
            (Some(x), Some(y)) => new_edges.push((x, y)),
            (None, _) => {
                return Err(NirError::MissingNode {
                    graph: gname,
                    from: a.clone(),
                    to: b.clone(),
                    missing: a.clone(),
                })
            }
            (_, None) => {
                return Err(NirError::MissingNode {
                    graph: gname,
                    from: a.clone(),
                    to: b.clone(),
                    missing: b.clone(),
                })
            }
        }
    }
    edges.extend(new_edges);
    Ok((entries, exits))
}

/// Conv output length along one dim (PyTorch), or an error message.
fn conv_len(
    n: usize,
    k: usize,
    stride: usize,
    pad_total: usize,
    dil: usize,
) -> Result<usize, String> {
    if stride == 0 || dil == 0 || k == 0 {
        return Err("kernel, stride and dilation must be ≥ 1".into());
    }
    let span = dil * (k - 1) + 1;
    if n + pad_total < span {
        return Err(format!(
            "input length {n} (+{pad_total} padding) is shorter than the kernel span {span}"
        ));
    }
    Ok((n + pad_total - span) / stride + 1)
}

/// (left, right) padding per spatial dim.
pub(crate) fn pads(p: &Padding, k: &[usize], dil: &[usize]) -> Vec<(usize, usize)> {
    match p {
        Padding::Valid => vec![(0, 0); k.len()],
        Padding::Explicit(v) => v.iter().map(|&x| (x, x)).collect(),
        Padding::Same => k
            .iter()
            .zip(dil)
            .map(|(&k, &d)| {
                let t = d * (k.saturating_sub(1));
                (t / 2, t - t / 2)
            })
            .collect(),
    }
}

fn param_shape(arrs: &[&crate::graph::Array]) -> Option<Vec<usize>> {
    arrs.iter()
        .find(|a| a.len() > 1)
        .map(|a| a.shape.clone())
        .or_else(|| {
            arrs.iter()
                .find(|a| !a.shape.is_empty())
                .map(|a| a.shape.clone())
        })
}

/// (expected input elements, output shape) of a node given its input shape.
fn node_shape(
    name: &str,
    op: &Op,
    input: Option<&[usize]>,
) -> Result<(Option<usize>, Option<Vec<usize>>), NirError> {
    let err = |reason: String| NirError::Shape {
        node: name.to_string(),
        reason,
    };
    let node = match op {
        Op::Identity => return Ok((None, input.map(|s| s.to_vec()))),
        Op::Nir(n) => n,
    };
    let same =
        |arrs: &[&crate::graph::Array]| -> Result<(Option<usize>, Option<Vec<usize>>), NirError> {
            let p = param_shape(arrs);
            let len = p.as_ref().map(|s| numel(s));
            for a in arrs {
                if a.len() > 1 && Some(a.len()) != len {
                    return Err(err(format!(
                        "parameters disagree in size ({} vs {:?} elements)",
                        a.len(),
                        len
                    )));
                }
            }
            match (p, input) {
                (Some(p), _) if numel(&p) > 1 => Ok((Some(numel(&p)), Some(p))),
                (_, Some(i)) => Ok((Some(numel(i)), Some(i.to_vec()))),
                (Some(p), None) => Ok((Some(numel(&p)), Some(p))),
                (None, None) => Ok((None, None)),
            }
        };
    match node {
        Node::Input { shape } => Ok((Some(numel(shape)), Some(shape.clone()))),
        Node::Output { shape } => Ok((Some(numel(shape)), Some(shape.clone()))),
        Node::Affine { weight, bias } => {
            if weight.shape.len() != 2 {
                return Err(err(format!(
                    "weight must be 2-D (out, in), is {:?}",
                    weight.shape
                )));
            }
            if bias.len() != 1 && bias.len() != weight.shape[0] {
                return Err(err(format!(
                    "bias has {} elements, weight has {} rows",
                    bias.len(),
                    weight.shape[0]
                )));
            }
            Ok((Some(weight.shape[1]), Some(vec![weight.shape[0]])))
        }
        Node::Linear { weight } => {
            if weight.shape.len() != 2 {
                return Err(err(format!(
                    "weight must be 2-D (out, in), is {:?}",
                    weight.shape
                )));
            }
            Ok((Some(weight.shape[1]), Some(vec![weight.shape[0]])))
        }
        Node::Scale { scale } => same(&[scale]),
        Node::Delay { delay } => same(&[delay]),
        Node::Threshold { threshold } => same(&[threshold]),
        Node::I { r } => same(&[r]),
        Node::IF {
            r,
            v_threshold,
            v_reset,
        } => same(&[r, v_threshold, v_reset]),
        Node::LI { tau, r, v_leak } => same(&[tau, r, v_leak]),
        Node::LIF {
            tau,
            r,
            v_leak,
            v_threshold,
            v_reset,
        } => same(&[tau, r, v_leak, v_threshold, v_reset]),
        Node::CubaLI {
            tau_syn,
            tau_mem,
            r,
            v_leak,
            w_in,
        } => same(&[tau_syn, tau_mem, r, v_leak, w_in]),
        Node::CubaLIF {
            tau_syn,
            tau_mem,
            r,
            v_leak,
            v_threshold,
            v_reset,
            w_in,
        } => same(&[tau_syn, tau_mem, r, v_leak, v_threshold, v_reset, w_in]),
        Node::Conv1d {
            weight,
            bias,
            stride,
            padding,
            dilation,
            groups,
            input_shape,
        } => {
            if weight.shape.len() != 3 {
                return Err(err(format!(
                    "Conv1d weight must be (C_out, C_in/groups, K), is {:?}",
                    weight.shape
                )));
            }
            let (co, cig, k) = (weight.shape[0], weight.shape[1], weight.shape[2]);
            if *groups == 0 || co % groups != 0 {
                return Err(err(format!("groups {groups} must divide C_out {co}")));
            }
            if bias.len() != 1 && bias.len() != co {
                return Err(err(format!(
                    "bias has {} elements, C_out is {co}",
                    bias.len()
                )));
            }
            let ci = cig * groups;
            let n = match (input_shape, input) {
                (Some(n), _) => *n,
                (None, Some(i)) if i.len() == 2 => i[1],
                (None, Some(i)) if !i.is_empty() && numel(i).is_multiple_of(ci) => numel(i) / ci,
                (None, Some(i)) => {
                    return Err(err(format!("input shape {i:?} is not (C_in={ci}, N)")))
                }
                (None, None) => return Ok((None, None)),
            };
            if matches!(padding, Padding::Same) && *stride != 1 {
                return Err(err("padding \"same\" needs stride 1".into()));
            }
            let p = pads(padding, &[k], &[*dilation]);
            let o = conv_len(n, k, *stride, p[0].0 + p[0].1, *dilation).map_err(err)?;
            Ok((Some(ci * n), Some(vec![co, o])))
        }
        Node::Conv2d {
            weight,
            bias,
            stride,
            padding,
            dilation,
            groups,
            input_shape,
        } => {
            if weight.shape.len() != 4 {
                return Err(err(format!(
                    "Conv2d weight must be (C_out, C_in/groups, KH, KW), is {:?}",
                    weight.shape
                )));
            }
            let (co, cig, kh, kw) = (
                weight.shape[0],
                weight.shape[1],
                weight.shape[2],
                weight.shape[3],
            );
            if *groups == 0 || co % groups != 0 {
                return Err(err(format!("groups {groups} must divide C_out {co}")));
            }
            if bias.len() != 1 && bias.len() != co {
                return Err(err(format!(
                    "bias has {} elements, C_out is {co}",
                    bias.len()
                )));
            }
            let ci = cig * groups;
            let (h, w) = match (input_shape, input) {
                (Some([h, w]), _) => (*h, *w),
                (None, Some(i)) if i.len() == 3 => (i[1], i[2]),
                (None, Some(i)) => {
                    return Err(err(format!(
                        "input shape {i:?} is not (C_in={ci}, H, W) and no input_shape is given"
                    )))
                }
                (None, None) => return Ok((None, None)),
            };
            if matches!(padding, Padding::Same) && *stride != [1, 1] {
                return Err(err("padding \"same\" needs stride 1".into()));
            }
            let p = pads(padding, &[kh, kw], dilation);
            let oh = conv_len(h, kh, stride[0], p[0].0 + p[0].1, dilation[0]).map_err(err)?;
            let ow = conv_len(w, kw, stride[1], p[1].0 + p[1].1, dilation[1]).map_err(err)?;
            Ok((Some(ci * h * w), Some(vec![co, oh, ow])))
        }
        Node::SumPool2d {
            kernel_size,
            stride,
            padding,
        }
        | Node::AvgPool2d {
            kernel_size,
            stride,
            padding,
        } => {
            let Some(i) = input else {
                return Ok((None, None));
            };
            if i.len() != 3 {
                return Err(err(format!("pooling needs a (C, H, W) input, got {i:?}")));
            }
            let oh = conv_len(i[1], kernel_size[0], stride[0], 2 * padding[0], 1).map_err(err)?;
            let ow = conv_len(i[2], kernel_size[1], stride[1], 2 * padding[1], 1).map_err(err)?;
            Ok((Some(numel(i)), Some(vec![i[0], oh, ow])))
        }
        Node::Flatten {
            start_dim,
            end_dim,
            input_type,
        } => {
            let Some(i) = input_type.as_deref().or(input) else {
                return Ok((None, None));
            };
            if let (Some(t), Some(x)) = (input_type, input) {
                if numel(t) != numel(x) {
                    return Err(err(format!("input_type {t:?} but the input is {x:?}")));
                }
            }
            let nd = i.len() as i64;
            let s = if *start_dim < 0 {
                start_dim + nd
            } else {
                *start_dim
            };
            let e = if *end_dim < 0 { end_dim + nd } else { *end_dim };
            let out = if nd == 0 || s >= nd || s < 0 || e < s || e >= nd {
                // Out-of-range dims (files written with a batch dim in mind): flatten all.
                vec![numel(i)]
            } else {
                let (s, e) = (s as usize, e as usize);
                let mut o = i[..s].to_vec();
                o.push(numel(&i[s..=e]));
                o.extend_from_slice(&i[e + 1..]);
                o
            };
            Ok((Some(numel(i)), Some(out)))
        }
        Node::Graph(_) => Err(err("nested graph left after flattening".into())),
    }
}
