//! neurochip-trace: replay reference traces recorded from chip simulators
//! against the firmware's neuron models, value by value.
//!
//! A trace is the acceptance test of a model's bit-exactness: the replay
//! drives the model with the trace's own inputs and parameters and stops at
//! the first register that differs, naming step, neuron and state, so a
//! regression points straight at the diverging operation.
//!
//! Formats: [`TraceFormat::LavaLif`] (Lava 0.10 `PyLifModelBitAcc` behind
//! `PyDenseModelBitAcc`), [`TraceFormat::LavaLearning`] (Lava 0.10
//! `LearningDense` scenarios, fixed point and float),
//! [`TraceFormat::XyloLayer`] (xylosim 0.1.3 `XyloLayer`, hidden + readout) and
//! [`TraceFormat::SigmaDelta`] (Lava 0.10's fixed-point SigmaDelta, Delta and
//! Sigma neurons behind graded Dense connections).
//!
//! Every neuron replay runs the native firmware models or, with
//! [`Backend::Program`], the same models as shipped neuron programs
//! (`neurochip trace-check --as-program`); the learning replay exercises the
//! learning engine and ignores the backend.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod pop;
mod sdn;

pub use pop::Backend;
use pop::Population;

use std::fmt;
use std::path::{Path, PathBuf};

use neurochip_firmware::models::loihi::{
    dense_effective_weights, LoihiCubaLif, LoihiParamError, LoihiParams, LoihiState, SignMode,
};
use neurochip_firmware::models::xylo::{
    shifted_weight, XyloIaf, XyloParamError, XyloParams, XyloState, MAX_HIDDEN_SPIKES,
    MAX_INPUT_SPIKES, MAX_OUT_SPIKES,
};
use neurochip_firmware::NeuronModel;
use neurochip_program::builtin::{self, Builtin};
use serde_json::Value;

mod learning;

/// Which simulator recorded a trace (decides how it is replayed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// Lava `RingBuffer -> Dense -> LIF` scenarios (`scenarios[]` with `a_in`, `u`, `v`, `s`).
    LavaLif,
    /// xylosim `XyloLayer` trace (`params`, `input[t][ch]`, `trace`).
    XyloLayer,
    /// Lava `LearningDense` scenarios (`scenarios[]` with `products` and `recorded`).
    LavaLearning,
    /// Lava sigma-delta scenarios (`scenarios[]` with `main_chain` and `delta_chain`).
    SigmaDelta,
}

/// Recognise a trace by its top-level shape, without validating it.
pub fn detect(json: &Value) -> Option<TraceFormat> {
    let obj = json.as_object()?;
    if let Some(Value::Array(sc)) = obj.get("scenarios") {
        if sc.first().is_some_and(learning::looks_like) {
            return Some(TraceFormat::LavaLearning);
        }
        if sc.first().is_some_and(|s| s.get("main_chain").is_some()) {
            return Some(TraceFormat::SigmaDelta);
        }
        let lava_like = |s: &Value| s.get("a_in").is_some() && s.get("weights_given").is_some();
        if obj.contains_key("lava_nc_version") || sc.first().is_some_and(lava_like) {
            return Some(TraceFormat::LavaLif);
        }
    }
    if obj.contains_key("trace")
        && obj
            .get("params")
            .is_some_and(|p| p.get("w_in[pre][post][syn]").is_some())
    {
        return Some(TraceFormat::XyloLayer);
    }
    None
}

/// Outcome of replaying one scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioResult {
    /// Scenario name from the trace.
    pub name: String,
    /// Values compared before the first mismatch (all of them on a pass).
    pub values_checked: u64,
    /// The first differing value, if any.
    pub mismatch: Option<Mismatch>,
}

/// The first value where the model and the reference disagree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// Step index (0 = the trace's first recorded step; 0 for parameter checks).
    pub step: usize,
    /// Neuron index within its population.
    pub neuron: usize,
    /// State name as in the trace (`v`, `Isyn2`, `weight[i][j]`, …).
    pub state: String,
    /// Value in the reference trace.
    pub expected: i64,
    /// Value the model produced.
    pub got: i64,
    /// `expected` and `got` are the bit patterns of float64 values (float
    /// traces are compared bit for bit), not integers.
    pub float: bool,
}

impl ScenarioResult {
    /// True when every value matched.
    pub fn passed(&self) -> bool {
        self.mismatch.is_none()
    }
}

impl fmt::Display for ScenarioResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.mismatch {
            None => write!(f, "PASS {} ({} values)", self.name, self.values_checked),
            Some(m) if m.float => write!(
                f,
                "FAIL {}: step {}, neuron {}, state {}: expected {:?}, got {:?}",
                self.name,
                m.step,
                m.neuron,
                m.state,
                f64::from_bits(m.expected as u64),
                f64::from_bits(m.got as u64)
            ),
            Some(m) => write!(
                f,
                "FAIL {}: step {}, neuron {}, state {}: expected {}, got {}",
                self.name, m.step, m.neuron, m.state, m.expected, m.got
            ),
        }
    }
}

/// Why a trace could not be replayed (as opposed to replayed and mismatched).
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The trace file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not valid JSON.
    #[error("{}:{line}:{column}: invalid JSON: {msg}", path.display())]
    Json {
        /// The trace file.
        path: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// serde_json's description.
        msg: String,
    },
    /// Valid JSON but neither a Lava nor a Xylo trace.
    #[error("{}: unknown trace format (expected a Lava LIF or learning trace with `scenarios` or a Xylo trace with `params` and `trace`)", path.display())]
    UnknownFormat {
        /// The trace file.
        path: PathBuf,
    },
    /// A shipped neuron program could not be loaded for the replay.
    #[error("{}: neuron program: {reason}", path.display())]
    Program {
        /// The trace file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// A field is missing, ill-typed, out of range or of the wrong length.
    #[error("{}: field `{field}`: {reason}", path.display())]
    Field {
        /// The trace file.
        path: PathBuf,
        /// JSON path of the field, e.g. `scenarios[1].params.du`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Read, detect and replay a trace file with the native models: one result per scenario.
pub fn check_file(path: &Path) -> Result<Vec<ScenarioResult>, TraceError> {
    check_file_with(path, Backend::Native)
}

/// [`check_file`] with the models of `backend`.
pub fn check_file_with(path: &Path, backend: Backend) -> Result<Vec<ScenarioResult>, TraceError> {
    let text = std::fs::read_to_string(path).map_err(|source| TraceError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let json: Value = serde_json::from_str(&text).map_err(|e| TraceError::Json {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        msg: e.to_string(),
    })?;
    check_value_with(&json, path, backend)
}

/// Replay an already parsed trace with the native models; `path` only names the source in errors.
pub fn check_value(json: &Value, path: &Path) -> Result<Vec<ScenarioResult>, TraceError> {
    check_value_with(json, path, Backend::Native)
}

/// [`check_value`] with the models of `backend`.
pub fn check_value_with(
    json: &Value,
    path: &Path,
    backend: Backend,
) -> Result<Vec<ScenarioResult>, TraceError> {
    let root = Node {
        v: json,
        path: String::new(),
        file: path,
    };
    match detect(json) {
        Some(TraceFormat::LavaLif) => {
            let sc = root.key("scenarios")?.arr()?;
            sc.iter().map(|s| replay_lava(s, backend)).collect()
        }
        Some(TraceFormat::XyloLayer) => Ok(vec![replay_xylo(&root, backend)?]),
        Some(TraceFormat::SigmaDelta) => {
            let sc = root.key("scenarios")?.arr()?;
            sc.iter().map(|s| sdn::replay(s, backend)).collect()
        }
        Some(TraceFormat::LavaLearning) => {
            let sc = root.key("scenarios")?.arr()?;
            sc.iter().map(learning::replay).collect()
        }
        None => Err(TraceError::UnknownFormat {
            path: path.to_path_buf(),
        }),
    }
}

/// A JSON value with the path that reached it, so every error names its field.
#[derive(Clone)]
struct Node<'a> {
    v: &'a Value,
    path: String,
    file: &'a Path,
}

impl<'a> Node<'a> {
    fn err(&self, reason: impl Into<String>) -> TraceError {
        TraceError::Field {
            path: self.file.to_path_buf(),
            field: if self.path.is_empty() {
                "(root)".into()
            } else {
                self.path.clone()
            },
            reason: reason.into(),
        }
    }

    fn child_path(&self, k: &str) -> String {
        if self.path.is_empty() {
            k.to_string()
        } else {
            format!("{}.{k}", self.path)
        }
    }

    fn opt(&self, k: &str) -> Option<Node<'a>> {
        self.v.get(k).map(|v| Node {
            v,
            path: self.child_path(k),
            file: self.file,
        })
    }

    fn key(&self, k: &str) -> Result<Node<'a>, TraceError> {
        self.opt(k).ok_or_else(|| TraceError::Field {
            path: self.file.to_path_buf(),
            field: self.child_path(k),
            reason: "missing".into(),
        })
    }

    fn arr(&self) -> Result<Vec<Node<'a>>, TraceError> {
        let a = self
            .v
            .as_array()
            .ok_or_else(|| self.err(format!("expected an array, found {}", kind(self.v))))?;
        Ok(a.iter()
            .enumerate()
            .map(|(i, v)| Node {
                v,
                path: format!("{}[{i}]", self.path),
                file: self.file,
            })
            .collect())
    }

    /// An array of exactly `n` elements.
    fn arr_n(&self, n: usize) -> Result<Vec<Node<'a>>, TraceError> {
        let a = self.arr()?;
        if a.len() != n {
            return Err(self.err(format!("expected {n} elements, found {}", a.len())));
        }
        Ok(a)
    }

    fn int(&self) -> Result<i64, TraceError> {
        if let Some(x) = self.v.as_i64() {
            return Ok(x);
        }
        // Accept integral floats (numpy exports sometimes write 3.0).
        match self.v.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
            _ => Err(self.err(format!("expected an integer, found {}", kind(self.v)))),
        }
    }

    fn int_in(&self, lo: i64, hi: i64) -> Result<i64, TraceError> {
        let x = self.int()?;
        if x < lo || x > hi {
            return Err(self.err(format!("{x} is outside {lo}..={hi}")));
        }
        Ok(x)
    }

    /// Lava's sign mode by name (`MIXED`, `EXCITATORY`, `INHIBITORY`).
    fn sign_mode(&self) -> Result<SignMode, TraceError> {
        match self.str()? {
            "MIXED" => Ok(SignMode::Mixed),
            "EXCITATORY" => Ok(SignMode::Excitatory),
            "INHIBITORY" => Ok(SignMode::Inhibitory),
            other => Err(self.err(format!(
                "unknown sign mode {other:?} (MIXED, EXCITATORY, INHIBITORY)"
            ))),
        }
    }

    fn str(&self) -> Result<&'a str, TraceError> {
        self.v
            .as_str()
            .ok_or_else(|| self.err(format!("expected a string, found {}", kind(self.v))))
    }

    /// A list of `n` integers in range, or a single integer meaning "all `n`".
    fn ints_or_scalar(&self, n: usize, lo: i64, hi: i64) -> Result<Vec<i64>, TraceError> {
        if self.v.is_array() {
            self.arr_n(n)?.iter().map(|x| x.int_in(lo, hi)).collect()
        } else {
            Ok(vec![self.int_in(lo, hi)?; n])
        }
    }

    /// A `rows x cols` integer matrix in range.
    fn matrix(
        &self,
        rows: usize,
        cols: usize,
        lo: i64,
        hi: i64,
    ) -> Result<Vec<Vec<i64>>, TraceError> {
        self.arr_n(rows)?
            .iter()
            .map(|r| r.arr_n(cols)?.iter().map(|x| x.int_in(lo, hi)).collect())
            .collect()
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a non-integer number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Counts compared values and records the first mismatch.
struct Checker {
    checked: u64,
    mismatch: Option<Mismatch>,
}

impl Checker {
    fn new() -> Self {
        Checker {
            checked: 0,
            mismatch: None,
        }
    }

    /// Compare one value; returns false once a mismatch is recorded (stop replaying).
    fn check(&mut self, step: usize, neuron: usize, state: &str, expected: i64, got: i64) -> bool {
        if expected != got {
            self.mismatch = Some(Mismatch {
                step,
                neuron,
                state: state.to_string(),
                expected,
                got,
                float: false,
            });
            return false;
        }
        self.checked += 1;
        true
    }

    fn finish(self, name: String) -> ScenarioResult {
        ScenarioResult {
            name,
            values_checked: self.checked,
            mismatch: self.mismatch,
        }
    }
}

const I32: (i64, i64) = (i32::MIN as i64, i32::MAX as i64);

fn lava_param_err(params: &Node, e: LoihiParamError, neuron: usize) -> TraceError {
    let per_neuron = matches!(
        e,
        LoihiParamError::BiasMant(_) | LoihiParamError::BiasExp(_)
    );
    let field = if per_neuron {
        format!("{}.{}[{neuron}]", params.path, e.field())
    } else {
        format!("{}.{}", params.path, e.field())
    };
    TraceError::Field {
        path: params.file.to_path_buf(),
        field,
        reason: e.to_string(),
    }
}

/// Lava's `SignMode` enum values (NULL = 0), used when reporting a mode mismatch.
fn sign_code(m: SignMode) -> i64 {
    match m {
        SignMode::Mixed => 1,
        SignMode::Excitatory => 2,
        SignMode::Inhibitory => 3,
    }
}

/// The LIF population of a Lava replay, with initial `(u, v)` per neuron.
fn lava_pop<'a>(
    params: &[LoihiParams],
    init: &[(i64, i64)],
    asm: &'a Option<neurochip_program::Assembled>,
    file: &Path,
) -> Result<Box<dyn Population + 'a>, TraceError> {
    match asm {
        None => {
            let state = init
                .iter()
                .map(|&(u, v)| LoihiState {
                    u: u as i32,
                    v: v as i32,
                })
                .collect();
            Ok(pop::native::<LoihiCubaLif>(params.to_vec(), state))
        }
        Some(asm) => {
            let values: Vec<_> = params.iter().map(builtin::loihi_values).collect();
            let regs: Vec<_> = init
                .iter()
                .map(|&(u, v)| vec![("u", u), ("v", v)])
                .collect();
            pop::program(asm, &values, &regs, file)
        }
    }
}

fn replay_lava(sc: &Node, backend: Backend) -> Result<ScenarioResult, TraceError> {
    let name = sc.key("name")?.str()?.to_string();
    let p = sc.key("params")?;
    let du = p.key("du")?.int_in(0, i64::from(u16::MAX))? as u16;
    let dv = p.key("dv")?.int_in(0, i64::from(u16::MAX))? as u16;
    let vth = p.key("vth")?.int()?;
    let bias_mant_node = p.key("bias_mant")?;
    let n = bias_mant_node.arr()?.len();
    let bias_mant = bias_mant_node.ints_or_scalar(n, I32.0, I32.1)?;
    let bias_exp = p.key("bias_exp")?.ints_or_scalar(n, I32.0, I32.1)?;
    let weight_exp = p.key("weight_exp")?.int_in(I32.0, I32.1)? as i32;
    let nwb = p.key("num_weight_bits")?.int_in(1, 8)? as u32;
    let u0 = match p.opt("u0") {
        Some(x) => x.ints_or_scalar(n, -(1 << 23) + 1, 1 << 23)?,
        None => vec![0; n],
    };
    let v0 = match p.opt("v0") {
        Some(x) => x.ints_or_scalar(n, -(1 << 23) + 1, (1 << 23) - 1)?,
        None => vec![0; n],
    };

    let mut params = Vec::with_capacity(n);
    for i in 0..n {
        let lp = LoihiParams::new(
            du,
            dv,
            vth,
            bias_mant[i] as i32,
            bias_exp[i] as i32,
            weight_exp,
        )
        .map_err(|e| lava_param_err(&p, e, i))?;
        params.push(lp);
    }

    let wg_node = sc.key("weights_given")?;
    let m = wg_node
        .arr_n(n)?
        .first()
        .map_or(Ok(0), |r| r.arr().map(|a| a.len()))?;
    let wg = wg_node.matrix(n, m, I32.0, I32.1)?;
    let we = sc.key("weights_effective")?.matrix(n, m, I32.0, I32.1)?;
    let flat: Vec<i32> = wg.iter().flatten().map(|&x| x as i32).collect();
    let mut weff = vec![0i32; flat.len()];
    let mode = dense_effective_weights(&flat, nwb, &mut weff);

    let steps_node = sc.key("a_in")?;
    let t_len = steps_node.arr()?.len();
    let spikes_in = sc.key("spikes_in")?.arr_n(m)?;
    let spikes: Vec<Vec<i64>> = spikes_in
        .iter()
        .map(|row| {
            let r = row.arr()?;
            if r.len() < t_len {
                return Err(row.err(format!(
                    "expected at least {t_len} steps, found {}",
                    r.len()
                )));
            }
            r.iter()
                .take(t_len)
                .map(|x| x.int_in(0, i64::MAX))
                .collect()
        })
        .collect::<Result<_, _>>()?;
    let a_in = steps_node.matrix(t_len, n, i64::MIN, i64::MAX)?;
    let u_tr = sc.key("u")?.matrix(t_len, n, i64::MIN, i64::MAX)?;
    let v_tr = sc.key("v")?.matrix(t_len, n, i64::MIN, i64::MAX)?;
    let s_tr = sc.key("s")?.matrix(t_len, n, i64::MIN, i64::MAX)?;

    let mut ck = Checker::new();
    // Parameter pre-processing first: a wrong weight explains every later mismatch.
    if let Some(sm) = p.opt("sign_mode") {
        let given = sm.sign_mode()?;
        if given != mode {
            ck.check(0, 0, "sign_mode", sign_code(given), sign_code(mode));
            return Ok(ck.finish(name));
        }
    }
    for i in 0..n {
        for j in 0..m {
            if !ck.check(
                0,
                i,
                &format!("weight[{i}][{j}]"),
                we[i][j],
                i64::from(weff[i * m + j]),
            ) {
                return Ok(ck.finish(name));
            }
        }
    }
    if let Some(eb) = sc.opt("effective_bias") {
        let eb = eb.ints_or_scalar(n, i64::MIN, i64::MAX)?;
        for i in 0..n {
            if !ck.check(0, i, "bias", eb[i], params[i].effective_bias()) {
                return Ok(ck.finish(name));
            }
        }
    }
    if let Some(ev) = sc.opt("effective_vth") {
        if !ck.check(0, 0, "vth", ev.int()?, params[0].eff_vth) {
            return Ok(ck.finish(name));
        }
    }

    let asm = match backend {
        Backend::Native => None,
        Backend::Program => Some(pop::assemble(Builtin::LoihiCubaLif, sc.file)?),
    };
    let init: Vec<(i64, i64)> = u0.iter().copied().zip(v0.iter().copied()).collect();
    let mut pop = lava_pop(&params, &init, &asm, sc.file)?;
    // The Dense process's one-step delay lives here, outside the model: the
    // population's accumulators hold last step's spikes, `prev_acc` their sum.
    let mut prev_acc = vec![0i64; n];
    for t in 0..t_len {
        for i in 0..n {
            let p = &params[i];
            if !ck.check(t, i, "a_in", a_in[t][i], p.activation(prev_acc[i])) {
                return Ok(ck.finish(name));
            }
            let s = pop.update(i);
            let ok = ck.check(t, i, "u", u_tr[t][i], pop.field(i, "u"))
                && ck.check(t, i, "v", v_tr[t][i], pop.field(i, "v"))
                && ck.check(t, i, "s", s_tr[t][i], i64::from(s));
            if !ok {
                return Ok(ck.finish(name));
            }
        }
        for i in 0..n {
            let mut acc = 0i64;
            for j in 0..m {
                if spikes[j][t] != 0 {
                    LoihiCubaLif::accumulate(&params[i], &mut acc, 0, weff[i * m + j]);
                    pop.fold(i, 0, weff[i * m + j]);
                }
            }
            prev_acc[i] = acc;
        }
    }
    Ok(ck.finish(name))
}

/// Map a Xylo parameter error to the trace's own field name for that neuron.
fn xylo_param_err(params: &Node, e: XyloParamError, neuron: usize, readout: bool) -> TraceError {
    let base = match (e, readout) {
        (XyloParamError::DashMem(_), false) => "dash_mem",
        (XyloParamError::DashSyn(0, _), false) => "dash_syn",
        (XyloParamError::DashSyn(_, _), false) => "dash_syn2",
        (XyloParamError::Threshold(_), false) => "threshold",
        (XyloParamError::DashMem(_), true) => "dash_mem_out",
        (XyloParamError::DashSyn(_, _), true) => "dash_syn_out",
        (XyloParamError::Threshold(_), true) => "threshold_out",
        (other, _) => other.field(),
    };
    TraceError::Field {
        path: params.file.to_path_buf(),
        field: format!("{}.{base}[{neuron}]", params.path),
        reason: e.to_string(),
    }
}

fn ints(node: &Node, n: usize, lo: i64, hi: i64) -> Result<Vec<i64>, TraceError> {
    node.arr_n(n)?.iter().map(|x| x.int_in(lo, hi)).collect()
}

/// A 3-D int8 weight array `[pre][post][syn]`.
fn weights3(
    node: &Node,
    pre: usize,
    post: usize,
    syn: usize,
) -> Result<Vec<Vec<Vec<i8>>>, TraceError> {
    node.arr_n(pre)?
        .iter()
        .map(|a| {
            a.matrix(post, syn, -128, 127).map(|m| {
                m.into_iter()
                    .map(|r| r.into_iter().map(|x| x as i8).collect())
                    .collect()
            })
        })
        .collect()
}

/// The hidden and readout populations of a Xylo replay.
fn xylo_pops<'a>(
    hp: Vec<XyloParams>,
    op: Vec<XyloParams>,
    asm: &'a Option<neurochip_program::Assembled>,
    file: &Path,
) -> Result<[Box<dyn Population + 'a>; 2], TraceError> {
    let (nh, no) = (hp.len(), op.len());
    match asm {
        None => Ok([
            pop::native::<XyloIaf>(hp, vec![XyloState::default(); nh]),
            pop::native::<XyloIaf>(op, vec![XyloState::default(); no]),
        ]),
        Some(asm) => {
            let vh: Vec<_> = hp.iter().map(builtin::xylo_values).collect();
            let vo: Vec<_> = op.iter().map(builtin::xylo_values).collect();
            Ok([
                pop::program(asm, &vh, &vec![vec![]; nh], file)?,
                pop::program(asm, &vo, &vec![vec![]; no], file)?,
            ])
        }
    }
}

/// A `[pre][post][syn]` int8 matrix with its weight shift applied.
fn shifted2(w: &[Vec<Vec<i8>>], shift: u8) -> Vec<Vec<[i32; 2]>> {
    w.iter()
        .map(|r| {
            r.iter()
                .map(|s| [0, 1].map(|k| i32::from(shifted_weight(s[k], shift))))
                .collect()
        })
        .collect()
}

/// Fold `count` events of every (post, synapse) weight of one presynaptic row.
fn fold_counted(pop: &mut dyn Population, row: &[[i32; 2]], count: i64) {
    for (post, syns) in row.iter().enumerate() {
        for (syn, &w) in syns.iter().enumerate() {
            for _ in 0..count {
                pop.fold(post, syn as u8, w);
            }
        }
    }
}

/// Update every neuron of `pop` for step `t` and compare each recorded
/// array `traces[k]` (named `names[k]`) with field `fields[k]` (`None`: the
/// spike count). Returns the spikes, or `None` at the first mismatch.
fn update_and_check(
    pop: &mut dyn Population,
    t: usize,
    names: &[&str],
    fields: &[Option<&str>],
    traces: &[Vec<Vec<i64>>],
    ck: &mut Checker,
) -> Option<Vec<u8>> {
    let n = traces.first().map_or(0, |tr| tr[t].len());
    let mut spikes = Vec::with_capacity(n);
    for i in 0..n {
        let s = pop.update(i);
        spikes.push(s);
        for ((name, field), tr) in names.iter().zip(fields).zip(traces) {
            let got = field.map_or(i64::from(s), |f| pop.field(i, f));
            if !ck.check(t, i, name, tr[t][i], got) {
                return None;
            }
        }
    }
    Some(spikes)
}

fn replay_xylo(root: &Node, backend: Backend) -> Result<ScenarioResult, TraceError> {
    let name = root
        .opt("name")
        .map(|n| n.str().map(str::to_string))
        .transpose()?
        .unwrap_or_else(|| "xylo_layer".to_string());
    let p = root.key("params")?;
    let input_node = root.key("input[t][ch]")?;
    let t_len = match root.opt("T") {
        Some(t) => t.int_in(0, 1 << 24)? as usize,
        None => input_node.arr()?.len(),
    };
    let w_in_node = p.key("w_in[pre][post][syn]")?;
    let n_in = match root.opt("Nin") {
        Some(x) => x.int_in(0, 1 << 16)? as usize,
        None => w_in_node.arr()?.len(),
    };
    let dash_mem_node = p.key("dash_mem")?;
    let n_hid = match root.opt("Nhid") {
        Some(x) => x.int_in(0, 1 << 16)? as usize,
        None => dash_mem_node.arr()?.len(),
    };
    let dash_mem_out_node = p.key("dash_mem_out")?;
    let n_out = match root.opt("Nout") {
        Some(x) => x.int_in(0, 1 << 16)? as usize,
        None => dash_mem_out_node.arr()?.len(),
    };
    let (cap_in, cap_hid, cap_out) = match root.opt("constants") {
        Some(c) => (
            c.opt("MAX_NUM_INP_SPIKES")
                .map_or(Ok(i64::from(MAX_INPUT_SPIKES)), |x| x.int_in(0, 255))?,
            c.opt("MAX_NUM_SPIKES")
                .map_or(Ok(i64::from(MAX_HIDDEN_SPIKES)), |x| x.int_in(1, 31))?,
            c.opt("MAX_NUM_OUT_SPIKES")
                .map_or(Ok(i64::from(MAX_OUT_SPIKES)), |x| x.int_in(1, 31))?,
        ),
        None => (
            i64::from(MAX_INPUT_SPIKES),
            i64::from(MAX_HIDDEN_SPIKES),
            i64::from(MAX_OUT_SPIKES),
        ),
    };

    let w_in = weights3(&w_in_node, n_in, n_hid, 2)?;
    let w_rec = weights3(&p.key("w_rec[pre][post][syn]")?, n_hid, n_hid, 2)?;
    let w_out = p.key("w_out[pre][post]")?.matrix(n_hid, n_out, -128, 127)?;
    let sh_in = p.key("weight_shift_in")?.int_in(0, 15)? as u8;
    let sh_rec = p.key("weight_shift_rec")?.int_in(0, 15)? as u8;
    let sh_out = p.key("weight_shift_out")?.int_in(0, 15)? as u8;

    let u8s = |k: &str, n: usize| ints(&p.key(k)?, n, 0, 255);
    let i16s = |k: &str, n: usize| ints(&p.key(k)?, n, i64::from(i16::MIN), i64::from(i16::MAX));
    let dash_mem = ints(&dash_mem_node, n_hid, 0, 255)?;
    let dash_syn = u8s("dash_syn", n_hid)?;
    let dash_syn2 = u8s("dash_syn2", n_hid)?;
    let thr = i16s("threshold", n_hid)?;
    let bias = i16s("bias", n_hid)?;
    let dash_mem_out = ints(&dash_mem_out_node, n_out, 0, 255)?;
    let dash_syn_out = u8s("dash_syn_out", n_out)?;
    let thr_out = i16s("threshold_out", n_out)?;
    let bias_out = i16s("bias_out", n_out)?;

    let mut hp = Vec::with_capacity(n_hid);
    for i in 0..n_hid {
        let x = XyloParams::new(
            dash_mem[i] as u8,
            [dash_syn[i] as u8, dash_syn2[i] as u8],
            2,
            thr[i] as i16,
            bias[i] as i16,
            cap_hid as u8,
            0,
        )
        .map_err(|e| xylo_param_err(&p, e, i, false))?;
        hp.push(x);
    }
    let mut op = Vec::with_capacity(n_out);
    for o in 0..n_out {
        let x = XyloParams::new(
            dash_mem_out[o] as u8,
            [dash_syn_out[o] as u8, 0],
            1,
            thr_out[o] as i16,
            bias_out[o] as i16,
            cap_out as u8,
            0,
        )
        .map_err(|e| xylo_param_err(&p, e, o, true))?;
        op.push(x);
    }

    let input = input_node.matrix(t_len, n_in, 0, i64::MAX)?;
    let tr = root.key("trace")?;
    let hid_names = ["Isyn", "Isyn2", "Vmem", "Spikes"];
    let out_names = ["Isyn_out", "Vmem_out", "Spikes_out"];
    let hid_tr: Vec<Vec<Vec<i64>>> = hid_names
        .iter()
        .map(|k| tr.key(k)?.matrix(t_len, n_hid, i64::MIN, i64::MAX))
        .collect::<Result<_, _>>()?;
    let out_tr: Vec<Vec<Vec<i64>>> = out_names
        .iter()
        .map(|k| tr.key(k)?.matrix(t_len, n_out, i64::MIN, i64::MAX))
        .collect::<Result<_, _>>()?;

    // Pre-shift once per matrix; accumulate then sees weight_shift = 0.
    let sw_in = shifted2(&w_in, sh_in);
    let sw_rec = shifted2(&w_rec, sh_rec);
    let sw_out: Vec<Vec<i32>> = w_out
        .iter()
        .map(|r| {
            r.iter()
                .map(|&w| i32::from(shifted_weight(w as i8, sh_out)))
                .collect()
        })
        .collect();

    let asm = match backend {
        Backend::Native => None,
        Backend::Program => Some(pop::assemble(Builtin::XyloIaf, root.file)?),
    };
    let [mut hid, mut out] = xylo_pops(hp, op, &asm, root.file)?;
    let mut prev_spikes = vec![0u8; n_hid];
    let mut ck = Checker::new();
    for (t, counts) in input.iter().enumerate() {
        // A. this step's input spikes.
        for (row, &c) in sw_in.iter().zip(counts) {
            fold_counted(hid.as_mut(), row, c.min(cap_in));
        }
        // B. last step's hidden spikes, to hidden (recurrent) and readout.
        for (pre, row) in sw_rec.iter().enumerate() {
            let cnt = i64::from(prev_spikes[pre]).min(cap_hid);
            fold_counted(hid.as_mut(), row, cnt);
            for (o, &w) in sw_out[pre].iter().enumerate() {
                for _ in 0..cnt {
                    out.fold(o, 0, w);
                }
            }
        }
        // C. neuron updates, hidden then readout.
        let hid_fields = [Some("isyn"), Some("isyn2"), Some("vmem"), None];
        let Some(s) = update_and_check(hid.as_mut(), t, &hid_names, &hid_fields, &hid_tr, &mut ck)
        else {
            return Ok(ck.finish(name));
        };
        prev_spikes = s;
        let out_fields = [Some("isyn"), Some("vmem"), None];
        if update_and_check(out.as_mut(), t, &out_names, &out_fields, &out_tr, &mut ck).is_none() {
            return Ok(ck.finish(name));
        }
    }
    Ok(ck.finish(name))
}
