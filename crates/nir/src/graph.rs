//! The NIR graph in memory and its HDF5 reader.
//!
//! The reader is pure Rust (`hdf5-pure`) so that `cargo build` needs no
//! system HDF5. It accepts nir 1.0.x (gzip-chunked float32 parameters) and the
//! older uncompressed 0.1/0.2 files, and applies NIR's defaults for fields
//! older writers omit.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hdf5_pure::{DType, Group};

use crate::error::NirError;

/// A small dense array (C order) so the crate needs no ndarray.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    /// Dimensions; empty for a scalar.
    pub shape: Vec<usize>,
    /// Elements in C order (`shape.iter().product()` of them, 1 for a scalar).
    pub data: Vec<f64>,
}

impl Array {
    /// A 1-D array.
    pub fn vector(data: Vec<f64>) -> Self {
        Array {
            shape: vec![data.len()],
            data,
        }
    }

    /// A scalar (shape `[]`): broadcasts over any node size.
    pub fn scalar(x: f64) -> Self {
        Array {
            shape: Vec::new(),
            data: vec![x],
        }
    }

    /// Element `i`, broadcasting a one-element array (NIR writers store
    /// per-population constants either way).
    pub fn at(&self, i: usize) -> f64 {
        if self.data.len() == 1 {
            self.data[0]
        } else {
            self.data.get(i).copied().unwrap_or(0.0)
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True when the array holds no element.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// Convolution padding as NIR stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Padding {
    /// Output as long as the input (PyTorch `"same"`: total pad dilation·(k−1), left half rounded down).
    Same,
    /// No padding.
    Valid,
    /// Explicit symmetric padding per spatial dimension.
    Explicit(Vec<usize>),
}

/// One NIR node (continuous-time semantics; see the crate docs for the discretisation).
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)] // field names are NIR's own
pub enum Node {
    /// Graph input; its elements are driven by input spikes.
    Input { shape: Vec<usize> },
    /// Graph output.
    Output { shape: Vec<usize> },
    /// y = W x + b, W is (out, in).
    Affine { weight: Array, bias: Array },
    /// y = W x.
    Linear { weight: Array },
    /// y = s ⊙ x.
    Scale { scale: Array },
    /// PyTorch Conv1d on (C_in, N); weight (C_out, C_in/groups, K).
    Conv1d {
        weight: Array,
        bias: Array,
        stride: usize,
        padding: Padding,
        dilation: usize,
        groups: usize,
        input_shape: Option<usize>,
    },
    /// PyTorch Conv2d on (C_in, H, W); weight (C_out, C_in/groups, KH, KW).
    Conv2d {
        weight: Array,
        bias: Array,
        stride: [usize; 2],
        padding: Padding,
        dilation: [usize; 2],
        groups: usize,
        input_shape: Option<[usize; 2]>,
    },
    /// Sum over windows of (C, H, W).
    SumPool2d {
        kernel_size: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    },
    /// Mean over windows (padding counts, as PyTorch's default `count_include_pad`).
    AvgPool2d {
        kernel_size: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    },
    /// Reshape only: dims index the node's input shape (NIR shapes have no batch dim).
    Flatten {
        start_dim: i64,
        end_dim: i64,
        input_type: Option<Vec<usize>>,
    },
    /// y(t) = x(t − delay), per element.
    Delay { delay: Array },
    /// `z = [x > θ]`.
    Threshold { threshold: Array },
    /// dv/dt = R·I.
    I { r: Array },
    /// dv/dt = R·I, spike and reset when v > θ.
    IF {
        r: Array,
        v_threshold: Array,
        v_reset: Array,
    },
    /// τ dv/dt = (v_leak − v) + R·I.
    LI { tau: Array, r: Array, v_leak: Array },
    /// LI with threshold and reset.
    LIF {
        tau: Array,
        r: Array,
        v_leak: Array,
        v_threshold: Array,
        v_reset: Array,
    },
    /// Current-based LI: τ_syn dI/dt = −I + w_in·S, τ_mem dv/dt = (v_leak − v) + R·I.
    CubaLI {
        tau_syn: Array,
        tau_mem: Array,
        r: Array,
        v_leak: Array,
        w_in: Array,
    },
    /// CubaLI with threshold and reset.
    CubaLIF {
        tau_syn: Array,
        tau_mem: Array,
        r: Array,
        v_leak: Array,
        v_threshold: Array,
        v_reset: Array,
        w_in: Array,
    },
    /// A nested graph; edges reach it through its Input/Output nodes.
    Graph(NirGraph),
}

impl Node {
    /// NIR's type name, as stored in the file.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Input { .. } => "Input",
            Node::Output { .. } => "Output",
            Node::Affine { .. } => "Affine",
            Node::Linear { .. } => "Linear",
            Node::Scale { .. } => "Scale",
            Node::Conv1d { .. } => "Conv1d",
            Node::Conv2d { .. } => "Conv2d",
            Node::SumPool2d { .. } => "SumPool2d",
            Node::AvgPool2d { .. } => "AvgPool2d",
            Node::Flatten { .. } => "Flatten",
            Node::Delay { .. } => "Delay",
            Node::Threshold { .. } => "Threshold",
            Node::I { .. } => "I",
            Node::IF { .. } => "IF",
            Node::LI { .. } => "LI",
            Node::LIF { .. } => "LIF",
            Node::CubaLI { .. } => "CubaLI",
            Node::CubaLIF { .. } => "CubaLIF",
            Node::Graph(_) => "NIRGraph",
        }
    }
}

/// A NIR graph: named nodes and directed edges between them.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct NirGraph {
    /// Nodes by name (sorted, so every walk over them is deterministic).
    pub nodes: BTreeMap<String, Node>,
    /// (source, target) edges in file order.
    pub edges: Vec<(String, String)>,
    /// NIR version string of the file (`"1.0.8"`, `"0.2.0"`; empty when built in memory).
    pub version: String,
    /// Name used in error messages (the file stem, or the nested graph's path).
    pub name: String,
}

/// Read a `.nir` file. Shapes are checked (PyTorch conventions) before returning.
pub fn load(path: &Path) -> Result<NirGraph, NirError> {
    let bytes = std::fs::read(path).map_err(|source| NirError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    load_bytes(path, bytes)
}

/// Read a `.nir` file already in memory; `path` is used for messages only.
pub fn load_bytes(path: &Path, bytes: Vec<u8>) -> Result<NirGraph, NirError> {
    // No catch_unwind: the truncation/corruption fuzz test found hdf5-pure
    // returning errors, never panicking.
    load_inner(path, bytes)
}

fn load_inner(path: &Path, bytes: Vec<u8>) -> Result<NirGraph, NirError> {
    let r = Reader { path };
    let file = hdf5_pure::File::from_bytes(bytes).map_err(|e| r.corrupt("superblock", e))?;
    let version = match file.dataset("version") {
        Ok(ds) => ds
            .read_string()
            .map_err(|e| r.corrupt("/version", e))?
            .into_iter()
            .next()
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    let top = file.group("node").map_err(|e| r.corrupt("/node", e))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "graph".into());
    let kind = r.string(&top, "", "type")?;
    if kind != "NIRGraph" {
        return Err(NirError::BadField {
            path: path.to_path_buf(),
            node: "/node".into(),
            field: "type".into(),
            reason: format!("top node must be a NIRGraph, found `{kind}`"),
        });
    }
    let mut g = r.graph(&top, "", 0)?;
    g.version = version;
    g.name = stem;
    crate::flat::Flat::build(&g)
        .map(|_| ())
        .map_err(|e| match e {
            NirError::Shape { node, reason } => NirError::FileShape {
                path: path.to_path_buf(),
                node,
                reason,
            },
            other => other,
        })?;
    Ok(g)
}

struct Reader<'a> {
    path: &'a Path,
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

impl Reader<'_> {
    fn p(&self) -> PathBuf {
        self.path.to_path_buf()
    }

    fn corrupt(&self, what: &str, e: hdf5_pure::Error) -> NirError {
        NirError::Corrupt {
            path: self.p(),
            what: what.to_string(),
            reason: e.to_string(),
        }
    }

    fn bad(&self, node: &str, field: &str, reason: impl Into<String>) -> NirError {
        NirError::BadField {
            path: self.p(),
            node: node.to_string(),
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    fn has(&self, g: &Group, field: &str) -> bool {
        g.datasets()
            .map(|d| d.iter().any(|x| x == field))
            .unwrap_or(false)
    }

    fn string(&self, g: &Group, node: &str, field: &str) -> Result<String, NirError> {
        let ds = g.dataset(field).map_err(|_| NirError::MissingField {
            path: self.p(),
            node: node.to_string(),
            field: field.to_string(),
        })?;
        let v = ds
            .read_string()
            .map_err(|e| self.bad(node, field, format!("not a string: {e}")))?;
        v.into_iter()
            .next()
            .ok_or_else(|| self.bad(node, field, "empty string dataset"))
    }

    fn array(&self, g: &Group, node: &str, field: &str) -> Result<Array, NirError> {
        let ds = g.dataset(field).map_err(|_| NirError::MissingField {
            path: self.p(),
            node: node.to_string(),
            field: field.to_string(),
        })?;
        let shape: Vec<usize> = ds
            .shape()
            .map_err(|e| self.bad(node, field, e.to_string()))?
            .into_iter()
            .map(|d| usize::try_from(d).unwrap_or(usize::MAX))
            .collect();
        let n = shape
            .iter()
            .try_fold(1usize, |a, &d| a.checked_mul(d))
            .filter(|&n| n <= 1 << 28)
            .ok_or_else(|| self.bad(node, field, format!("implausible shape {shape:?}")))?;
        let dt = ds
            .dtype()
            .map_err(|e| self.bad(node, field, e.to_string()))?;
        let data: Vec<f64> = match dt {
            DType::F32 => ds
                .read_f32()
                .map(|v| v.into_iter().map(f64::from).collect()),
            DType::F64 => ds.read_f64(),
            DType::I8 | DType::I16 | DType::I32 | DType::I64 => ds
                .read_i64()
                .map(|v| v.into_iter().map(|x| x as f64).collect()),
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => ds
                .read_u64()
                .map(|v| v.into_iter().map(|x| x as f64).collect()),
            other => {
                return Err(self.bad(node, field, format!("expected numbers, found {other}")));
            }
        }
        .map_err(|e| self.bad(node, field, e.to_string()))?;
        if data.len() != n {
            return Err(self.bad(
                node,
                field,
                format!("shape {shape:?} but {} elements", data.len()),
            ));
        }
        if let Some(x) = data.iter().find(|x| !x.is_finite()) {
            return Err(self.bad(node, field, format!("non-finite value {x}")));
        }
        Ok(Array { shape, data })
    }

    fn opt_array(&self, g: &Group, node: &str, field: &str) -> Result<Option<Array>, NirError> {
        if self.has(g, field) {
            self.array(g, node, field).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Non-negative integers (a shape, a stride); a scalar yields one element.
    fn ints(&self, g: &Group, node: &str, field: &str) -> Result<Vec<usize>, NirError> {
        let a = self.array(g, node, field)?;
        a.data
            .iter()
            .map(|&x| {
                if x >= 0.0 && x.fract() == 0.0 && x < 1e9 {
                    Ok(x as usize)
                } else {
                    Err(self.bad(
                        node,
                        field,
                        format!("expected a non-negative integer, found {x}"),
                    ))
                }
            })
            .collect()
    }

    fn int(&self, g: &Group, node: &str, field: &str) -> Result<usize, NirError> {
        let v = self.ints(g, node, field)?;
        match v.as_slice() {
            [x] => Ok(*x),
            [x, rest @ ..] if rest.iter().all(|y| y == x) => Ok(*x),
            _ => Err(self.bad(node, field, format!("expected one integer, found {v:?}"))),
        }
    }

    fn pair(&self, g: &Group, node: &str, field: &str) -> Result<[usize; 2], NirError> {
        let v = self.ints(g, node, field)?;
        match v.as_slice() {
            [x] => Ok([*x, *x]),
            [x, y] => Ok([*x, *y]),
            _ => Err(self.bad(
                node,
                field,
                format!("expected 1 or 2 integers, found {v:?}"),
            )),
        }
    }

    fn signed(&self, g: &Group, node: &str, field: &str, default: i64) -> Result<i64, NirError> {
        if !self.has(g, field) {
            return Ok(default);
        }
        let a = self.array(g, node, field)?;
        match a.data.as_slice() {
            [x] if x.fract() == 0.0 && x.abs() < 1e9 => Ok(*x as i64),
            _ => Err(self.bad(node, field, "expected one integer")),
        }
    }

    fn padding(&self, g: &Group, node: &str, dims: usize) -> Result<Padding, NirError> {
        if !self.has(g, "padding") {
            return Ok(Padding::Valid);
        }
        let ds = g.dataset("padding").map_err(|e| self.corrupt(node, e))?;
        let is_str = matches!(
            ds.dtype(),
            Ok(DType::String) | Ok(DType::VariableLengthString)
        );
        if is_str {
            let s = self.string(g, node, "padding")?;
            return match s.as_str() {
                "same" => Ok(Padding::Same),
                "valid" => Ok(Padding::Valid),
                other => Err(self.bad(
                    node,
                    "padding",
                    format!("must be an integer, \"same\" or \"valid\", found \"{other}\""),
                )),
            };
        }
        let v = self.ints(g, node, "padding")?;
        match (v.len(), dims) {
            (1, d) => Ok(Padding::Explicit(vec![v[0]; d])),
            (n, d) if n == d => Ok(Padding::Explicit(v)),
            _ => Err(self.bad(
                node,
                "padding",
                format!("expected {dims} values, found {v:?}"),
            )),
        }
    }

    fn graph(&self, g: &Group, prefix: &str, depth: usize) -> Result<NirGraph, NirError> {
        let gname = if prefix.is_empty() { "/node" } else { prefix };
        if depth > 32 {
            return Err(self.bad(gname, "nodes", "graphs nested deeper than 32 levels"));
        }
        let nodes_g = g.group("nodes").map_err(|_| NirError::MissingField {
            path: self.p(),
            node: gname.to_string(),
            field: "nodes".into(),
        })?;
        let mut nodes = BTreeMap::new();
        let names = nodes_g.groups().map_err(|e| self.corrupt(gname, e))?;
        for name in names {
            let full = join(prefix, &name);
            let ng = nodes_g.group(&name).map_err(|e| self.corrupt(&full, e))?;
            let node = self.node(&ng, &full, depth)?;
            nodes.insert(name, node);
        }
        let edges = if self.has(g, "edges") {
            let ds = g.dataset("edges").map_err(|e| self.corrupt(gname, e))?;
            let flat = ds
                .read_string()
                .map_err(|e| self.bad(gname, "edges", format!("not strings: {e}")))?;
            if flat.len() % 2 != 0 {
                return Err(self.bad(gname, "edges", "odd number of edge endpoints"));
            }
            flat.chunks(2)
                .map(|c| (c[0].clone(), c[1].clone()))
                .collect()
        } else {
            Vec::new()
        };
        Ok(NirGraph {
            nodes,
            edges,
            version: String::new(),
            name: gname.to_string(),
        })
    }

    fn node(&self, g: &Group, name: &str, depth: usize) -> Result<Node, NirError> {
        let kind = self.string(g, name, "type")?;
        let arr = |f: &str| self.array(g, name, f);
        let zeros_like = |a: &Array| Array {
            shape: a.shape.clone(),
            data: vec![0.0; a.data.len()],
        };
        let ones_like = |a: &Array| Array {
            shape: a.shape.clone(),
            data: vec![1.0; a.data.len()],
        };
        let node = match kind.as_str() {
            "Input" | "Output" => {
                let shape = if self.has(g, "shape") {
                    self.ints(g, name, "shape")?
                } else if self.has(g, "input_type") {
                    self.ints(g, name, "input_type")?
                } else if self.has(g, "output_type") {
                    self.ints(g, name, "output_type")?
                } else {
                    return Err(NirError::MissingField {
                        path: self.p(),
                        node: name.to_string(),
                        field: "shape".into(),
                    });
                };
                if kind == "Input" {
                    Node::Input { shape }
                } else {
                    Node::Output { shape }
                }
            }
            "Affine" => {
                let weight = arr("weight")?;
                let bias = match self.opt_array(g, name, "bias")? {
                    Some(b) => b,
                    None => Array::vector(vec![0.0; weight.shape.first().copied().unwrap_or(0)]),
                };
                Node::Affine { weight, bias }
            }
            "Linear" => Node::Linear {
                weight: arr("weight")?,
            },
            "Scale" => Node::Scale {
                scale: arr("scale")?,
            },
            "Conv1d" => {
                let weight = arr("weight")?;
                let bias = self
                    .opt_array(g, name, "bias")?
                    .unwrap_or_else(|| Array::scalar(0.0));
                let input_shape = if self.has(g, "input_shape") {
                    Some(self.int(g, name, "input_shape")?)
                } else {
                    None
                };
                Node::Conv1d {
                    weight,
                    bias,
                    stride: self.opt_int(g, name, "stride", 1)?,
                    padding: self.padding(g, name, 1)?,
                    dilation: self.opt_int(g, name, "dilation", 1)?,
                    groups: self.opt_int(g, name, "groups", 1)?,
                    input_shape,
                }
            }
            "Conv2d" => {
                let weight = arr("weight")?;
                let bias = self
                    .opt_array(g, name, "bias")?
                    .unwrap_or_else(|| Array::scalar(0.0));
                let input_shape = if self.has(g, "input_shape") {
                    Some(self.pair(g, name, "input_shape")?)
                } else {
                    None
                };
                Node::Conv2d {
                    weight,
                    bias,
                    stride: self.opt_pair(g, name, "stride")?,
                    padding: self.padding(g, name, 2)?,
                    dilation: self.opt_pair(g, name, "dilation")?,
                    groups: self.opt_int(g, name, "groups", 1)?,
                    input_shape,
                }
            }
            "SumPool2d" | "AvgPool2d" => {
                let kernel_size = self.pair(g, name, "kernel_size")?;
                let stride = if self.has(g, "stride") {
                    self.pair(g, name, "stride")?
                } else {
                    kernel_size
                };
                let padding = if self.has(g, "padding") {
                    self.pair(g, name, "padding")?
                } else {
                    [0, 0]
                };
                if kind == "SumPool2d" {
                    Node::SumPool2d {
                        kernel_size,
                        stride,
                        padding,
                    }
                } else {
                    Node::AvgPool2d {
                        kernel_size,
                        stride,
                        padding,
                    }
                }
            }
            "Flatten" => Node::Flatten {
                start_dim: self.signed(g, name, "start_dim", 1)?,
                end_dim: self.signed(g, name, "end_dim", -1)?,
                input_type: if self.has(g, "input_type") {
                    Some(self.ints(g, name, "input_type")?)
                } else {
                    None
                },
            },
            "Delay" => Node::Delay {
                delay: arr("delay")?,
            },
            "Threshold" => Node::Threshold {
                threshold: arr("threshold")?,
            },
            "I" => Node::I { r: arr("r")? },
            "IF" => {
                let v_threshold = arr("v_threshold")?;
                let r = self
                    .opt_array(g, name, "r")?
                    .unwrap_or_else(|| ones_like(&v_threshold));
                let v_reset = self
                    .opt_array(g, name, "v_reset")?
                    .unwrap_or_else(|| zeros_like(&v_threshold));
                Node::IF {
                    r,
                    v_threshold,
                    v_reset,
                }
            }
            "LI" | "LIF" => {
                let tau = arr("tau")?;
                let r = self
                    .opt_array(g, name, "r")?
                    .unwrap_or_else(|| ones_like(&tau));
                let v_leak = self
                    .opt_array(g, name, "v_leak")?
                    .unwrap_or_else(|| zeros_like(&tau));
                if kind == "LI" {
                    Node::LI { tau, r, v_leak }
                } else {
                    let v_threshold = arr("v_threshold")?;
                    let v_reset = self
                        .opt_array(g, name, "v_reset")?
                        .unwrap_or_else(|| zeros_like(&v_threshold));
                    Node::LIF {
                        tau,
                        r,
                        v_leak,
                        v_threshold,
                        v_reset,
                    }
                }
            }
            "CubaLI" | "CubaLIF" => {
                let tau_mem = arr("tau_mem")?;
                let tau_syn = arr("tau_syn")?;
                let r = self
                    .opt_array(g, name, "r")?
                    .unwrap_or_else(|| ones_like(&tau_mem));
                let v_leak = self
                    .opt_array(g, name, "v_leak")?
                    .unwrap_or_else(|| zeros_like(&tau_mem));
                let w_in = self
                    .opt_array(g, name, "w_in")?
                    .unwrap_or_else(|| ones_like(&tau_mem));
                if kind == "CubaLI" {
                    Node::CubaLI {
                        tau_syn,
                        tau_mem,
                        r,
                        v_leak,
                        w_in,
                    }
                } else {
                    let v_threshold = arr("v_threshold")?;
                    let v_reset = self
                        .opt_array(g, name, "v_reset")?
                        .unwrap_or_else(|| zeros_like(&v_threshold));
                    Node::CubaLIF {
                        tau_syn,
                        tau_mem,
                        r,
                        v_leak,
                        v_threshold,
                        v_reset,
                        w_in,
                    }
                }
            }
            "NIRGraph" => Node::Graph(self.graph(g, name, depth + 1)?),
            _ => {
                return Err(NirError::UnknownType {
                    path: self.p(),
                    node: name.to_string(),
                    kind,
                })
            }
        };
        for (field, a) in node_time_constants(&node) {
            if let Some(x) = a.data.iter().find(|&&x| x <= 0.0) {
                return Err(self.bad(name, field, format!("time constant must be > 0, found {x}")));
            }
        }
        Ok(node)
    }

    fn opt_int(
        &self,
        g: &Group,
        node: &str,
        field: &str,
        default: usize,
    ) -> Result<usize, NirError> {
        if self.has(g, field) {
            self.int(g, node, field)
        } else {
            Ok(default)
        }
    }

    fn opt_pair(&self, g: &Group, node: &str, field: &str) -> Result<[usize; 2], NirError> {
        if self.has(g, field) {
            self.pair(g, node, field)
        } else {
            Ok([1, 1])
        }
    }
}

fn node_time_constants(n: &Node) -> Vec<(&'static str, &Array)> {
    match n {
        Node::LI { tau, .. } | Node::LIF { tau, .. } => vec![("tau", tau)],
        Node::CubaLI {
            tau_syn, tau_mem, ..
        }
        | Node::CubaLIF {
            tau_syn, tau_mem, ..
        } => vec![("tau_syn", tau_syn), ("tau_mem", tau_mem)],
        _ => Vec::new(),
    }
}
