//! Replay of Lava 0.10 learning scenarios (`learn_public.json`): a
//! `RingBuffer -> LearningDense -> LIF` network whose post neuron feeds its
//! spikes (and, for three-factor rules, `y1..y3`) back to the learning Dense.
//!
//! Fixed-point scenarios run through the firmware's learning engine
//! ([`neurochip_firmware::learning`]) and its Loihi LIF; float scenarios
//! through the float reference mode ([`neurochip_learning::float`]) and
//! Lava's float LIF. Every recorded array is compared at every step, bit for
//! bit, after checks of what the scenario's parameters compile to: the parsed
//! rule against Lava's decoded products, the impulse split, the initial
//! weight truncation, every random draw, and at the end the engine's work
//! counts against Lava's stochastic-rounding operation counts.

use bitvec::slice::BitSlice;
use neurochip_firmware::learning::fake::DenseHal;
use neurochip_firmware::learning::hal::{PostTrace, PreTrace};
use neurochip_firmware::learning::pcg64::Pcg64;
use neurochip_firmware::learning::{
    step, Dependency, LearnOp, LearningConfig, LearningRng, LearningState, Rule, SynVars, Var,
};
use neurochip_firmware::models::loihi::{
    effective_weight, LoihiCubaLif, LoihiParams, LoihiState, SignMode,
};
use neurochip_firmware::{NeuronModel, NeuronRng};
use neurochip_learning::config::{epoch, impulse, trace_params};
use neurochip_learning::float::{FloatConfig, FloatGroup, FloatTrace};
use neurochip_learning::parse_rule;
use serde_json::Value;

use super::{Checker, Mismatch, Node, ScenarioResult, TraceError};

/// Capacity of the rules a trace may hold.
const MAX_PRODUCTS: usize = 32;
/// Capacity of the factors of one product.
const MAX_FACTORS: usize = 8;

type TraceRule = Rule<MAX_PRODUCTS, MAX_FACTORS>;

/// True for a learning scenario (it has decoded products and recorded arrays).
pub(crate) fn looks_like(sc: &Value) -> bool {
    sc.get("products").is_some() && sc.get("recorded").is_some()
}

/// A mismatch was recorded: stop replaying the scenario.
struct Stop;

/// A value type of a trace: integers (fixed point) or float64 (float models).
trait Val: Copy {
    fn same(self, other: Self) -> bool;
    fn bits(self) -> i64;
    const FLOAT: bool;
}

impl Val for i64 {
    fn same(self, other: i64) -> bool {
        self == other
    }
    fn bits(self) -> i64 {
        self
    }
    const FLOAT: bool = false;
}

impl Val for f64 {
    /// Bit for bit; NaN (Lava's `null`) equals any NaN.
    fn same(self, other: f64) -> bool {
        self.to_bits() == other.to_bits() || (self.is_nan() && other.is_nan())
    }
    fn bits(self) -> i64 {
        self.to_bits() as i64
    }
    const FLOAT: bool = true;
}

impl Checker {
    /// Compare one value; the state name is only built on a mismatch.
    fn val<T: Val>(
        &mut self,
        step: usize,
        neuron: usize,
        state: impl FnOnce() -> String,
        expected: T,
        got: T,
    ) -> Result<(), Stop> {
        if expected.same(got) {
            self.checked += 1;
            return Ok(());
        }
        self.mismatch = Some(Mismatch {
            step,
            neuron,
            state: state(),
            expected: expected.bits(),
            got: got.bits(),
            float: T::FLOAT,
        });
        Err(Stop)
    }
}

impl Node<'_> {
    /// A float; `null` is Lava's NaN.
    fn num(&self) -> Result<f64, TraceError> {
        if self.v.is_null() {
            return Ok(f64::NAN);
        }
        self.v
            .as_f64()
            .ok_or_else(|| self.err(format!("expected a number, found {}", super::kind(self.v))))
    }

    /// `rows` rows of `cols` values each, read with `read`.
    fn grid<T>(
        &self,
        rows: usize,
        cols: usize,
        read: &impl Fn(&Node) -> Result<T, TraceError>,
    ) -> Result<Vec<Vec<T>>, TraceError> {
        self.arr_n(rows)?
            .iter()
            .map(|r| r.arr_n(cols)?.iter().map(read).collect())
            .collect()
    }

    /// A non-negative count that fits the engine's registers.
    fn count(&self) -> Result<usize, TraceError> {
        Ok(self.int_in(0, 1 << 20)? as usize)
    }
}

/// Parse a float64 written by Python's `float.hex()` (`0x1.cf46d99d52b3ap-1`).
fn hex_f64(s: &str) -> Option<f64> {
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let body = s.strip_prefix("0x")?;
    let (mant, exp) = body.split_once('p')?;
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let digits = format!("{int}{frac}");
    if digits.len() > 14 {
        return None;
    }
    let m = u64::from_str_radix(&digits, 16).ok()?;
    let e = exp.parse::<i32>().ok()? - 4 * frac.len() as i32;
    // m < 2^56 and the scale is a power of two: exact for normal values.
    let v = m as f64 * 2f64.powi(e);
    Some(if neg { -v } else { v })
}

/// The recorded per-neuron arrays, in comparison order (spike phase first).
const VECTORS: [(&str, Side); 9] = [
    ("a_in", Side::Post),
    ("s_post", Side::Post),
    ("x1", Side::Pre),
    ("x2", Side::Pre),
    ("tx", Side::Pre),
    ("y1", Side::Post),
    ("y2", Side::Post),
    ("y3", Side::Post),
    ("ty", Side::Post),
];
/// The recorded synaptic matrices, `[post][pre]`.
const MATRICES: [&str; 3] = ["weights", "tag_1", "tag_2"];

#[derive(Clone, Copy)]
enum Side {
    Pre,
    Post,
}

/// One step's values in [`VECTORS`] and [`MATRICES`] order (matrices flat `[post][pre]`).
struct Snapshot<T> {
    vectors: [Vec<T>; 9],
    matrices: [Vec<T>; 3],
}

/// Every recorded array: `vectors[k][step][neuron]`, `matrices[k][step][post · n_pre + pre]`.
struct Recorded<T> {
    vectors: Vec<Vec<Vec<T>>>,
    matrices: Vec<Vec<Vec<T>>>,
}

/// What a scenario declares, read and range-checked.
struct Scenario<'a> {
    node: &'a Node<'a>,
    name: String,
    float: bool,
    three_factor: bool,
    steps: usize,
    n_pre: usize,
    n_post: usize,
    rule: TraceRule,
    /// Impulses as given, `x1 x2 y1 y2 y3`.
    impulses: [f64; 5],
    /// Exact decay factors (`derived.*_decay_factor_hex`).
    decays: [f64; 5],
    t_epoch: u8,
    seed: u64,
    sign_mode: SignMode,
    spikes: Vec<Vec<bool>>,
}

const TRACES: [&str; 5] = ["x1", "x2", "y1", "y2", "y3"];

fn read_scenario<'a>(sc: &'a Node<'a>) -> Result<Scenario<'a>, TraceError> {
    let name = sc.key("name")?.str()?.to_string();
    let float = match sc.key("model")?.str()? {
        "fixed" => false,
        "float" => true,
        other => {
            return Err(sc
                .key("model")?
                .err(format!("unknown model {other:?} (fixed, float)")))
        }
    };
    let kind = sc.key("rule_kind")?;
    let three_factor = match kind.str()? {
        "2F" => false,
        "3F" => true,
        other => return Err(kind.err(format!("unknown rule kind {other:?} (2F, 3F)"))),
    };
    let steps = sc.key("num_steps")?.count()?;
    let n_pre = sc.key("n_pre")?.count()?;
    let n_post = sc.key("n_post")?.count()?;
    let rule = sc.key("rule")?;
    let text = |k: &str| -> Result<Option<String>, TraceError> {
        let n = rule.key(k)?;
        Ok(if n.v.is_null() {
            None
        } else {
            Some(n.str()?.to_string())
        })
    };
    let (dw, dd, dt) = (text("dw")?, text("dd")?, text("dt")?);
    let parsed = parse_rule(dw.as_deref(), dd.as_deref(), dt.as_deref()).map_err(|e| {
        rule.key(e.target)
            .map_or_else(|x| x, |n| n.err(e.to_string()))
    })?;
    let mut impulses = [0.0; 5];
    for (v, t) in impulses.iter_mut().zip(TRACES) {
        *v = rule.key(&format!("{t}_impulse"))?.num()?;
    }
    let derived = sc.key("derived")?;
    let mut decays = [0.0; 5];
    for (side, range) in [("x", 0..2), ("y", 2..5)] {
        let node = derived.key(&format!("{side}_decay_factor_hex"))?;
        for (d, h) in decays[range.clone()]
            .iter_mut()
            .zip(node.arr_n(range.len())?)
        {
            *d = hex_f64(h.str()?).ok_or_else(|| h.err("not a float.hex() string"))?;
        }
    }
    let t_epoch_node = rule.key("t_epoch")?;
    let t_epoch = epoch(t_epoch_node.int_in(0, i64::from(u32::MAX))? as u32)
        .map_err(|e| t_epoch_node.err(e.to_string()))?;
    let dense = sc.key("dense")?;
    let sign_mode = dense.key("sign_mode")?.sign_mode()?;
    let spikes = sc
        .key("spikes_in")?
        .grid(n_pre, steps, &|x| Ok(x.num()? != 0.0))?;
    Ok(Scenario {
        node: sc,
        name,
        float,
        three_factor,
        steps,
        n_pre,
        n_post,
        rule: parsed,
        impulses,
        decays,
        t_epoch,
        seed: rule.key("rng_seed")?.int_in(0, i64::MAX)? as u64,
        sign_mode,
        spikes,
    })
}

fn read_recorded<T>(
    s: &Scenario,
    read: impl Fn(&Node) -> Result<T, TraceError>,
) -> Result<Recorded<T>, TraceError> {
    let rec = s.node.key("recorded")?;
    let vectors = VECTORS
        .iter()
        .map(|(k, side)| {
            let n = match side {
                Side::Pre => s.n_pre,
                Side::Post => s.n_post,
            };
            rec.key(k)?.grid(s.steps, n, &read)
        })
        .collect::<Result<_, _>>()?;
    let matrices = MATRICES
        .iter()
        .map(|k| {
            rec.key(k)?
                .arr_n(s.steps)?
                .iter()
                .map(|m| {
                    Ok(m.grid(s.n_post, s.n_pre, &read)?
                        .into_iter()
                        .flatten()
                        .collect())
                })
                .collect()
        })
        .collect::<Result<_, _>>()?;
    Ok(Recorded { vectors, matrices })
}

/// Replay one learning scenario.
pub(crate) fn replay(sc: &Node) -> Result<ScenarioResult, TraceError> {
    let s = read_scenario(sc)?;
    let mut ck = Checker::new();
    let _stopped = if s.float {
        replay_float(&s, &mut ck)?
    } else {
        replay_fixed(&s, &mut ck)?
    };
    Ok(ck.finish(s.name))
}

/// Compare one step's state with the recording.
fn compare<T: Val>(
    ck: &mut Checker,
    rec: &Recorded<T>,
    step: usize,
    n_pre: usize,
    got: &Snapshot<T>,
) -> Result<(), Stop> {
    for (k, (name, _)) in VECTORS.iter().enumerate() {
        for (n, (&e, &g)) in rec.vectors[k][step].iter().zip(&got.vectors[k]).enumerate() {
            ck.val(step, n, || name.to_string(), e, g)?;
        }
    }
    for (k, name) in MATRICES.iter().enumerate() {
        for (s, (&e, &g)) in rec.matrices[k][step]
            .iter()
            .zip(&got.matrices[k])
            .enumerate()
        {
            let (j, i) = (s / n_pre.max(1), s % n_pre.max(1));
            ck.val(step, j, || format!("{name}[{j}][{i}]"), e, g)?;
        }
    }
    Ok(())
}

/// Codes for comparing a decoded product with Lava's.
fn target_code(name: &str) -> i64 {
    ["dw", "dd", "dt"]
        .iter()
        .position(|&t| t == name)
        .map_or(-1, |p| p as i64)
}

fn var_code(name: &str) -> i64 {
    const VARS: [Var; 11] = [
        Var::X0,
        Var::Y0,
        Var::X1,
        Var::X2,
        Var::Y1,
        Var::Y2,
        Var::Y3,
        Var::W,
        Var::D,
        Var::T,
        Var::C,
    ];
    VARS.iter()
        .position(|v| v.name() == name)
        .map_or(-1, |p| p as i64)
}

/// The parsed rule against the scenario's `products` (Lava's own parse).
fn check_products(s: &Scenario, ck: &mut Checker) -> Result<Result<(), Stop>, TraceError> {
    let node = s.node.key("products")?;
    let lava = node.arr()?;
    let ours = s.rule.products();
    if let Err(stop) = ck.val(
        0,
        0,
        || "products (count)".into(),
        lava.len() as i64,
        ours.len() as i64,
    ) {
        return Ok(Err(stop));
    }
    for (k, (l, p)) in lava.iter().zip(ours).enumerate() {
        let (dep, dec) = match p.dep {
            Dependency::X0 => (0, -1),
            Dependency::Y0 => (1, -1),
            Dependency::U { k } => (2, i64::from(k)),
        };
        let ldep = match l.key("dep")?.str()? {
            "x0" => 0,
            "y0" => 1,
            "u" => 2,
            _ => -1,
        };
        let lk = l.key("decimate_exponent")?;
        let ldec = if lk.v.is_null() { -1 } else { lk.int()? };
        let lf = l.key("factors")?.arr()?;
        let mut fields: Vec<(String, i64, i64)> = vec![
            (
                "target".into(),
                target_code(l.key("target")?.str()?),
                target_code(p.target.name()),
            ),
            ("dep (x0=0 y0=1 u=2)".into(), ldep, dep),
            ("mant".into(), l.key("mant")?.int()?, i64::from(p.mant)),
            ("s_exp".into(), l.key("s_exp")?.int()?, i64::from(p.s_exp)),
            ("decimate_exponent".into(), ldec, dec),
            (
                "factors (count)".into(),
                lf.len() as i64,
                p.factors.len() as i64,
            ),
        ];
        for (n, (f, ours)) in lf.iter().zip(&p.factors).enumerate() {
            let f3 = f.arr_n(3)?;
            let konst = if f3[1].v.is_null() { 0 } else { f3[1].int()? };
            let sgn = f3[2]
                .v
                .as_bool()
                .ok_or_else(|| f3[2].err("expected a boolean"))?;
            fields.push((
                format!("factors[{n}].var"),
                var_code(f3[0].str()?),
                var_code(ours.var.name()),
            ));
            fields.push((format!("factors[{n}].const"), konst, i64::from(ours.konst)));
            fields.push((
                format!("factors[{n}].sgn"),
                i64::from(sgn),
                i64::from(ours.sgn),
            ));
        }
        for (name, e, g) in fields {
            if let Err(stop) = ck.val(0, k, || format!("products[{k}].{name}"), e, g) {
                return Ok(Err(stop));
            }
        }
    }
    Ok(Ok(()))
}

/// Run a check phase: `Ok(Err(Stop))` ends the scenario with its mismatch.
macro_rules! phase {
    ($e:expr) => {
        if let Err(Stop) = $e? {
            return Ok(Err(Stop));
        }
    };
}

/// Impulse split and initial weight truncation against `derived`.
fn check_derived(
    s: &Scenario,
    ck: &mut Checker,
    weights: &[Vec<i64>],
) -> Result<Result<(), Stop>, TraceError> {
    let derived = s.node.key("derived")?;
    for (side, range) in [("x", 0..2usize), ("y", 2..5)] {
        let ints = derived
            .key(&format!("{side}_impulse_int"))?
            .arr_n(range.len())?;
        let fracs = derived
            .key(&format!("{side}_impulse_frac256"))?
            .arr_n(range.len())?;
        for (q, k) in range.enumerate() {
            let imp = impulse(&format!("{}_impulse", TRACES[k]), s.impulses[k]).map_err(|e| {
                s.node
                    .key("rule")
                    .map_or_else(|x| x, |r| r.err(e.to_string()))
            })?;
            let (ei, ef) = (ints[q].int()?, fracs[q].int()?);
            if let Err(stop) = ck
                .val(
                    0,
                    q,
                    || format!("{}_impulse (int)", TRACES[k]),
                    ei,
                    i64::from(imp.int),
                )
                .and_then(|_| {
                    ck.val(
                        0,
                        q,
                        || format!("{}_impulse (frac256)", TRACES[k]),
                        ef,
                        i64::from(imp.frac),
                    )
                })
            {
                return Ok(Err(stop));
            }
        }
    }
    let eff = derived
        .key("weights_effective_initial")?
        .grid(s.n_post, s.n_pre, &|x| x.int())?;
    let nwb = s.node.key("dense")?.key("num_weight_bits")?.int_in(1, 8)? as u32;
    for j in 0..s.n_post {
        for i in 0..s.n_pre {
            let got = effective_weight(weights[j][i] as i32, s.sign_mode, nwb);
            if let Err(stop) = ck.val(
                0,
                j,
                || format!("weights_effective_initial[{j}][{i}]"),
                eff[j][i],
                i64::from(got),
            ) {
                return Ok(Err(stop));
            }
        }
    }
    Ok(Ok(()))
}

/// Every recorded random draw and initial generator state against our PCG64 streams.
fn check_random(s: &Scenario, ck: &mut Checker) -> Result<Result<(), Stop>, TraceError> {
    let random = s.node.key("random")?;
    let init = random.key("pcg64_initial_state")?;
    let streams = [
        ("x_decay", 0u128, true),
        ("x_impulse", 1, false),
        ("y_decay", 2, true),
        ("y_impulse", 3, false),
        ("conn_var", 0, true),
    ];
    for (k, (name, offset, uniform)) in streams.into_iter().enumerate() {
        let seed = if name == "conn_var" {
            2
        } else {
            u128::from(s.seed) + offset
        };
        let mut g = Pcg64::new(seed);
        let st = init.key(name)?;
        let big = |n: &Node| -> Result<u128, TraceError> {
            n.str()?
                .parse::<u128>()
                .map_err(|_| n.err("expected a decimal 128-bit integer"))
        };
        let (state, inc) = (big(&st.key("state")?)?, big(&st.key("inc")?)?);
        let (gs, gi) = g.state();
        for (part, e, v) in [("state", state, gs), ("inc", inc, gi)] {
            for (half, sh) in [("hi", 64), ("lo", 0)] {
                let (e64, g64) = ((e >> sh) as u64 as i64, (v >> sh) as u64 as i64);
                if let Err(stop) = ck.val(
                    0,
                    k,
                    || format!("random.pcg64_initial_state.{name}.{part} ({half} 64 bits)"),
                    e64,
                    g64,
                ) {
                    return Ok(Err(stop));
                }
            }
        }
        for (d, node) in random.key(name)?.arr()?.iter().enumerate() {
            let r = if uniform {
                ck.val(
                    d,
                    k,
                    || format!("random.{name}[{d}]"),
                    node.num()?,
                    g.random_53() as f64 / 9_007_199_254_740_992.0,
                )
            } else {
                ck.val(
                    d,
                    k,
                    || format!("random.{name}[{d}]"),
                    node.int()?,
                    i64::from(g.integers_0_128()),
                )
            };
            if let Err(stop) = r {
                return Ok(Err(stop));
            }
        }
    }
    Ok(Ok(()))
}

/// Lava's operation counts (`derived.stochastic_rounding_counts`) against the engine's meter.
fn check_counts(
    s: &Scenario,
    ck: &mut Checker,
    meter: &[u64; LearnOp::ALL.len()],
    pre_repeats: u64,
) -> Result<Result<(), Stop>, TraceError> {
    let counts = s.node.key("derived")?.key("stochastic_rounding_counts")?;
    let ops = |k: &str| -> Result<i64, TraceError> {
        counts.opt(k).map_or(Ok(0), |c| c.key("operations")?.int())
    };
    // Lava counts the repeat-spike impulses of post neurons separately and
    // does not count those of pre neurons (they round with a constant 0).
    let impulses =
        ops("trace_impulse")? + ops("trace_impulse_multispike_y")? + 2 * pre_repeats as i64;
    let rounds = ops("round_weights")? + ops("round_tag_1")? + ops("round_tag_2")?;
    for (name, e, op) in [
        ("trace_decay", ops("trace_decay")?, LearnOp::TraceDecay),
        ("trace_impulse", impulses, LearnOp::TraceImpulse),
        (
            "round_* (synapse evaluations)",
            rounds,
            LearnOp::SynapseEval,
        ),
    ] {
        if let Err(stop) = ck.val(
            s.steps,
            0,
            || format!("stochastic_rounding_counts.{name}"),
            e,
            meter[op.index()] as i64,
        ) {
            return Ok(Err(stop));
        }
    }
    Ok(Ok(()))
}

/// Repeat spikes of pre neurons within an epoch, counted from the input.
fn pre_repeats(s: &Scenario) -> u64 {
    let e = usize::from(s.t_epoch);
    s.spikes
        .iter()
        .map(|row| {
            row.chunks(e)
                .map(|c| c.iter().filter(|&&b| b).count().saturating_sub(1) as u64)
                .sum::<u64>()
        })
        .sum()
}

/// Bit-set words for a slice of flags.
fn bits(flags: impl Iterator<Item = bool>) -> Vec<usize> {
    let mut words = Vec::new();
    for (n, f) in flags.enumerate() {
        if n % usize::BITS as usize == 0 {
            words.push(0);
        }
        if f {
            *words.last_mut().expect("pushed above") |= 1 << (n % usize::BITS as usize);
        }
    }
    words
}

/// The Loihi LIF parameters of each post neuron.
fn lif_params(s: &Scenario) -> Result<Vec<LoihiParams>, TraceError> {
    let lif = s.node.key("lif")?;
    let du = lif.key("du")?.int_in(0, i64::from(u16::MAX))? as u16;
    let dv = lif.key("dv")?.int_in(0, i64::from(u16::MAX))? as u16;
    let vth = lif.key("vth")?.int()?;
    let bm =
        lif.key("bias_mant")?
            .ints_or_scalar(s.n_post, i64::from(i32::MIN), i64::from(i32::MAX))?;
    let be =
        lif.key("bias_exp")?
            .ints_or_scalar(s.n_post, i64::from(i32::MIN), i64::from(i32::MAX))?;
    let we = s.node.key("dense")?.key("weight_exp")?.int_in(-24, 24)? as i32;
    (0..s.n_post)
        .map(|j| {
            LoihiParams::new(du, dv, vth, bm[j] as i32, be[j] as i32, we)
                .map_err(|e| lif.err(format!("post neuron {j}: {e}")))
        })
        .collect()
}

/// The scenario's three-factor post neuron: its own 12-bit decaying trace
/// sent as `y1`, the reward as `y2`, 0 as `y3`.
struct RewardNeuron {
    decay_int: i64,
    impulse: i64,
    reward: Vec<Vec<i64>>,
    y1: Vec<i64>,
}

impl RewardNeuron {
    fn read(s: &Scenario) -> Result<Option<Self>, TraceError> {
        if !s.three_factor {
            return Ok(None);
        }
        let n = s.node.key("neuron3f")?;
        Ok(Some(RewardNeuron {
            decay_int: n.key("y1_decay_int")?.int_in(0, 4096)?,
            impulse: n.key("y1_impulse_int")?.int_in(0, 127)?,
            reward: s
                .node
                .key("reward")?
                .grid(s.n_post, s.steps, &|x| x.int_in(-(1 << 24), 1 << 24))?,
            y1: vec![0; s.n_post],
        }))
    }

    /// After the LIF step `t`: what each post neuron sends.
    fn send(&mut self, t: usize, spikes: &[bool]) -> Vec<[i32; 3]> {
        let mut out = Vec::with_capacity(self.y1.len());
        for (j, y) in self.y1.iter_mut().enumerate() {
            *y =
                (((*y * self.decay_int) >> 12) + self.impulse * i64::from(spikes[j])).clamp(0, 127);
            out.push([*y as i32, self.reward[j][t] as i32, 0]);
        }
        out
    }
}

fn fixed_config(s: &Scenario) -> Result<LearningConfig<MAX_PRODUCTS, MAX_FACTORS>, TraceError> {
    let rule = s.node.key("rule")?;
    let mut p = [Default::default(); 5];
    for (k, par) in p.iter_mut().enumerate() {
        *par = trace_params(TRACES[k], s.impulses[k], s.decays[k])
            .map_err(|e| rule.err(e.to_string()))?;
    }
    Ok(LearningConfig {
        rule: s.rule.clone(),
        x: [p[0], p[1]],
        y: [p[2], p[3], p[4]],
        t_epoch: s.t_epoch,
        sign_mode: s.sign_mode,
        three_factor: s.three_factor,
    })
}

fn replay_fixed(s: &Scenario, ck: &mut Checker) -> Result<Result<(), Stop>, TraceError> {
    let cfg = fixed_config(s)?;
    let lif = lif_params(s)?;
    let mut reward = RewardNeuron::read(s)?;
    let w0 = s
        .node
        .key("weights_init")?
        .grid(s.n_post, s.n_pre, &|x| x.int_in(-(1 << 16), 1 << 16))?;
    let rec = read_recorded(s, |x: &Node| x.int())?;
    phase!(check_products(s, ck));
    phase!(check_derived(s, ck, &w0));
    phase!(check_random(s, ck));

    let nwb = s.node.key("dense")?.key("num_weight_bits")?.int_in(1, 8)? as u32;
    let (n_pre, n_post) = (s.n_pre, s.n_post);
    let mut syn: Vec<SynVars> = (0..n_pre * n_post)
        .map(|a| SynVars {
            w: effective_weight(w0[a % n_post][a / n_post] as i32, s.sign_mode, nwb),
            ..SynVars::default()
        })
        .collect();
    let (mut pre, mut post) = (
        vec![PreTrace::default(); n_pre],
        vec![PostTrace::default(); n_post],
    );
    let mut state = LearningState::new(LearningRng::lava(s.seed));
    let mut neurons = vec![LoihiState::default(); n_post];
    let mut a_buff = vec![0i64; n_post];
    let mut meter = [0u64; LearnOp::ALL.len()];
    let mut rng = NeuronRng::fixed(0);
    for t in 0..s.steps {
        let spikes_in: Vec<bool> = (0..n_pre).map(|i| s.spikes[i][t]).collect();
        let a_in: Vec<i64> = a_buff
            .iter()
            .zip(&lif)
            .map(|(&a, p)| p.activation(a))
            .collect();
        let mut s_post = vec![false; n_post];
        for j in 0..n_post {
            s_post[j] = LoihiCubaLif::update(&lif[j], &mut neurons[j], &a_buff[j], &mut rng) > 0;
        }
        for (j, a) in a_buff.iter_mut().enumerate() {
            *a = (0..n_pre)
                .filter(|&i| spikes_in[i])
                .map(|i| i64::from(syn[i * n_post + j].w))
                .sum();
        }
        let factors = reward
            .as_mut()
            .map_or_else(Vec::new, |r| r.send(t, &s_post));
        let (pre_bits, post_bits) = (
            bits(spikes_in.iter().copied()),
            bits(s_post.iter().copied()),
        );
        let mut hal = DenseHal::new(&mut pre, &mut post, &mut syn, &factors);
        step(
            &mut hal,
            &cfg,
            &mut state,
            BitSlice::from_slice(&pre_bits),
            BitSlice::from_slice(&post_bits),
        );
        for (m, c) in meter.iter_mut().zip(hal.charged) {
            *m += c;
        }
        let snap = fixed_snapshot(&a_in, &s_post, &pre, &post, &syn);
        if let Err(stop) = compare(ck, &rec, t, n_pre, &snap) {
            return Ok(Err(stop));
        }
    }
    phase!(check_counts(s, ck, &meter, pre_repeats(s)));
    Ok(Ok(()))
}

fn fixed_snapshot(
    a_in: &[i64],
    s_post: &[bool],
    pre: &[PreTrace],
    post: &[PostTrace],
    syn: &[SynVars],
) -> Snapshot<i64> {
    let n_post = post.len();
    let px = |k: usize| pre.iter().map(|p| i64::from(p.x[k])).collect();
    let py = |k: usize| post.iter().map(|p| i64::from(p.y[k])).collect();
    let m = |f: fn(&SynVars) -> i32| {
        (0..syn.len())
            .map(|s| {
                let (j, i) = (s / pre.len().max(1), s % pre.len().max(1));
                i64::from(f(&syn[i * n_post + j]))
            })
            .collect()
    };
    Snapshot {
        vectors: [
            a_in.to_vec(),
            s_post.iter().map(|&b| i64::from(b)).collect(),
            px(0),
            px(1),
            pre.iter().map(|p| i64::from(p.t)).collect(),
            py(0),
            py(1),
            py(2),
            post.iter().map(|p| i64::from(p.t)).collect(),
        ],
        matrices: [m(|v| v.w), m(|v| v.t), m(|v| v.d)],
    }
}

/// Lava's `PyLifModelFloat` for one neuron.
struct FloatLif {
    du: f64,
    dv: f64,
    vth: f64,
    bias: f64,
    u: f64,
    v: f64,
}

impl FloatLif {
    fn step(&mut self, a_in: f64) -> bool {
        self.u *= 1.0 - self.du;
        self.u += a_in;
        self.v = self.v * (1.0 - self.dv) + self.u + self.bias;
        let s = self.v > self.vth;
        if s {
            self.v = 0.0;
        }
        s
    }
}

fn float_lifs(s: &Scenario) -> Result<Vec<FloatLif>, TraceError> {
    let lif = s.node.key("lif")?;
    let (du, dv, vth) = (
        lif.key("du")?.num()?,
        lif.key("dv")?.num()?,
        lif.key("vth")?.num()?,
    );
    let bias = lif.key("bias_mant")?.arr_n(s.n_post)?;
    bias.iter()
        .map(|b| {
            Ok(FloatLif {
                du,
                dv,
                vth,
                bias: b.num()?,
                u: 0.0,
                v: 0.0,
            })
        })
        .collect()
}

fn replay_float(s: &Scenario, ck: &mut Checker) -> Result<Result<(), Stop>, TraceError> {
    let trace = |k: usize| FloatTrace {
        impulse: s.impulses[k],
        decay: s.decays[k],
    };
    let cfg = FloatConfig {
        rule: s.rule.clone(),
        x: [trace(0), trace(1)],
        y: [trace(2), trace(3), trace(4)],
        t_epoch: s.t_epoch,
        sign_mode: s.sign_mode,
        three_factor: s.three_factor,
    };
    let mut lif = float_lifs(s)?;
    let w0 = s
        .node
        .key("weights_init")?
        .grid(s.n_post, s.n_pre, &|x| x.num())?;
    let rec = read_recorded(s, |x: &Node| x.num())?;
    phase!(check_products(s, ck));
    let eff = s
        .node
        .key("derived")?
        .key("weights_effective_initial")?
        .grid(s.n_post, s.n_pre, &|x| x.num())?;
    for (j, (er, wr)) in eff.iter().zip(&w0).enumerate() {
        for (i, (&e, &w)) in er.iter().zip(wr).enumerate() {
            if let Err(stop) = ck.val(
                0,
                j,
                || format!("weights_effective_initial[{j}][{i}]"),
                e,
                w,
            ) {
                return Ok(Err(stop));
            }
        }
    }
    let (n_pre, n_post) = (s.n_pre, s.n_post);
    let mut g = FloatGroup::new(n_pre, n_post, w0.into_iter().flatten().collect());
    let mut a_buff = vec![0.0f64; n_post];
    let reward = if s.three_factor {
        Some(s.node.key("reward")?.grid(n_post, s.steps, &|x| x.num())?)
    } else {
        None
    };
    for t in 0..s.steps {
        let spikes_in: Vec<bool> = (0..n_pre).map(|i| s.spikes[i][t]).collect();
        let a_in = a_buff.clone();
        let s_post: Vec<bool> = lif.iter_mut().zip(&a_in).map(|(n, &a)| n.step(a)).collect();
        for (j, a) in a_buff.iter_mut().enumerate() {
            *a = (0..n_pre)
                .filter(|&i| spikes_in[i])
                .fold(0.0, |acc, i| acc + g.w[j * n_pre + i]);
        }
        let factors: Vec<[f64; 3]> = reward.as_ref().map_or_else(Vec::new, |r| {
            (0..n_post).map(|j| [0.0, r[j][t], 0.0]).collect()
        });
        g.step(&cfg, &spikes_in, &s_post, &factors);
        let snap = float_snapshot(&a_in, &s_post, &g);
        if let Err(stop) = compare(ck, &rec, t, n_pre, &snap) {
            return Ok(Err(stop));
        }
    }
    Ok(Ok(()))
}

fn float_snapshot(a_in: &[f64], s_post: &[bool], g: &FloatGroup) -> Snapshot<f64> {
    let px = |k: usize| g.x.iter().map(|x| x[k]).collect();
    let py = |k: usize| g.y.iter().map(|y| y[k]).collect();
    Snapshot {
        vectors: [
            a_in.to_vec(),
            s_post.iter().map(|&b| f64::from(u8::from(b))).collect(),
            px(0),
            px(1),
            g.tx.iter().map(|&t| f64::from(t)).collect(),
            py(0),
            py(1),
            py(2),
            g.ty.iter().map(|&t| f64::from(t)).collect(),
        ],
        matrices: [g.w.clone(), g.t.clone(), g.d.clone()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_floats_parse_exactly() {
        assert_eq!(hex_f64("0x1.cf46d99d52b3ap-1"), Some(0.9048374180359595));
        assert_eq!(hex_f64("0x0.0p+0"), Some(0.0));
        assert_eq!(hex_f64("0x1.0p+3"), Some(8.0));
        assert_eq!(hex_f64("-0x1.8p-1"), Some(-0.75));
        assert_eq!(hex_f64("1.5"), None);
    }
}
