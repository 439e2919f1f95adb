//! Replay of Lava 0.10's sigma-delta traces (`sdn_public.json`): two chains
//! per scenario, every recorded output array compared value by value.
//!
//! ```text
//! main chain : x -> Dense1 -> SigmaDelta(sd1) -> Dense2 -> SigmaDelta(sd2)
//! delta chain: u -> Delta -> Dense3 -> Sigma
//! ```
//!
//! Each Dense adds Lava's one-step delay: its events of step `t` are folded
//! into the receiving population after that population's update of step
//! `t`, so they reach its update of `t + 1`. The Delta reads its input in
//! the same step (a unit synapse carrying the payload). The effective
//! weights, sign modes, thresholds and biases are checked first.

use neurochip_firmware::models::loihi::{dense_effective_weights, SignMode};
use neurochip_firmware::models::sigma_delta::{
    graded_weight, Delta, DeltaParams, DeltaState, DenseInput, SdParamError, Sigma, SigmaDelta,
    SigmaDeltaParams, SigmaDeltaState, SigmaState,
};
use neurochip_program::builtin::{self, Builtin};
use neurochip_program::Assembled;

use crate::pop::{self, Backend, Population};
use crate::{sign_code, Checker, Node, ScenarioResult, TraceError, I32};

/// A Dense connection: effective weights `[out][in]` and how its sum reaches the neuron.
struct Dense {
    w: Vec<Vec<i32>>,
    input: DenseInput,
}

impl Dense {
    /// Fold the payloads one population sent this step into the next one.
    fn send(&self, payloads: &[i64], to: &mut dyn Population) {
        for (i, row) in self.w.iter().enumerate() {
            for (&w, &p) in row.iter().zip(payloads) {
                if p == 0 {
                    continue;
                }
                let ev = if self.input.graded {
                    graded_weight(w, p as i32)
                } else {
                    w
                };
                to.fold(i, 0, ev);
            }
        }
    }
}

fn sign_mode(s: &str, node: &Node) -> Result<SignMode, TraceError> {
    match s {
        "MIXED" => Ok(SignMode::Mixed),
        "EXCITATORY" => Ok(SignMode::Excitatory),
        "INHIBITORY" => Ok(SignMode::Inhibitory),
        other => Err(node.err(format!(
            "unknown sign mode {other:?} (MIXED, EXCITATORY, INHIBITORY)"
        ))),
    }
}

/// Read `params.<key>` as a `n_out x n_in` Dense and check Lava's effective
/// weights and sign mode (recorded in `effective`). `None` on a mismatch.
fn dense(
    params: &Node,
    key: &str,
    eff: &Node,
    (n_out, n_in): (usize, usize),
    ck: &mut Checker,
) -> Result<Option<Dense>, TraceError> {
    let d = params.key(key)?;
    let given = d.key("weights")?.matrix(n_out, n_in, I32.0, I32.1)?;
    let exp = d.key("weight_exp")?.int_in(-63, 63)? as i8;
    let nwb = d.key("num_weight_bits")?.int_in(1, 8)? as u32;
    let msg = d.key("num_message_bits")?.int_in(0, 32)?;
    let flat: Vec<i32> = given.iter().flatten().map(|&x| x as i32).collect();
    let mut weff = vec![0i32; flat.len()];
    let mode = dense_effective_weights(&flat, nwb, &mut weff);
    let sm = eff.key(&format!("{key}_sign_mode"))?;
    let want = sign_mode(sm.str()?, &sm)?;
    if !ck.check(
        0,
        0,
        &format!("{key}_sign_mode"),
        sign_code(want),
        sign_code(mode),
    ) {
        return Ok(None);
    }
    let we = eff
        .key(&format!("{key}_weights"))?
        .matrix(n_out, n_in, I32.0, I32.1)?;
    for (i, row) in we.iter().enumerate() {
        for (j, &x) in row.iter().enumerate() {
            let what = format!("{key}_weights[{i}][{j}]");
            if !ck.check(0, i, &what, x, i64::from(weff[i * n_in + j])) {
                return Ok(None);
            }
        }
    }
    Ok(Some(Dense {
        w: weff.chunks(n_in.max(1)).map(<[i32]>::to_vec).collect(),
        input: DenseInput {
            weight_exp: exp,
            graded: msg > 0,
        },
    }))
}

/// A real number (Lava's `vth`, `bias` may be floats).
fn number(node: &Node) -> Result<f64, TraceError> {
    node.v.as_f64().ok_or_else(|| node.err("expected a number"))
}

/// Lava's effective value `int32(trunc(x · 2^exp))` (a negative `exp` raises in Lava).
fn scaled(node: &Node, exp: i32) -> Result<i32, TraceError> {
    if !(0..=31).contains(&exp) {
        return Err(node.err(format!(
            "spike_exp + state_exp = {exp} is outside 0..=31 (Lava: negative shift count)"
        )));
    }
    let v = (number(node)? * f64::from(1u32 << exp)).trunc();
    if v < f64::from(i32::MIN) || v > f64::from(i32::MAX) {
        return Err(node.err(format!("{v} scaled does not fit int32")));
    }
    Ok(v as i32)
}

fn sd_err(node: &Node, e: SdParamError) -> TraceError {
    node.key(e.field())
        .map_or_else(|x| x, |f| f.err(e.to_string()))
}

/// Parameters of one SigmaDelta population (`params.<key>`), checked against `effective`.
fn sd_params(
    params: &Node,
    key: &str,
    n: usize,
    input: DenseInput,
    eff: &Node,
    ck: &mut Checker,
) -> Result<Option<Vec<SigmaDeltaParams>>, TraceError> {
    let p = params.key(key)?;
    let se = p.key("spike_exp")?.int_in(-64, 64)? as i32;
    let ste = p.key("state_exp")?.int_in(0, 255)? as u8;
    let exp = se + i32::from(ste);
    let vth = scaled(&p.key("vth")?, exp)?;
    let bias_node = p.key("bias")?;
    let bias: Vec<i32> = if bias_node.v.is_array() {
        bias_node
            .arr_n(n)?
            .iter()
            .map(|b| scaled(b, exp))
            .collect::<Result<_, _>>()?
    } else {
        vec![scaled(&bias_node, exp)?; n]
    };
    let relu = match p.key("act_mode")?.str()? {
        "RELU" => true,
        "UNIT" => false,
        other => {
            return Err(p
                .key("act_mode")?
                .err(format!("unknown act_mode {other:?} (RELU, UNIT)")))
        }
    };
    let cum = p.key("cum_error")?.v.as_bool().unwrap_or(false);
    if !ck.check(
        0,
        0,
        &format!("{key}_vth"),
        eff.key(&format!("{key}_vth"))?.int()?,
        i64::from(vth),
    ) {
        return Ok(None);
    }
    let eb = eff
        .key(&format!("{key}_bias"))?
        .ints_or_scalar(n, I32.0, I32.1)?;
    for (i, (&want, &got)) in eb.iter().zip(&bias).enumerate() {
        if !ck.check(0, i, &format!("{key}_bias"), want, i64::from(got)) {
            return Ok(None);
        }
    }
    bias.iter()
        .map(|&b| {
            SigmaDeltaParams::new(vth, b, relu, cum, se, ste, input).map_err(|e| sd_err(&p, e))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A recorded `[steps][n]` array.
fn trace(chain: &Node, key: &str, steps: usize, n: usize) -> Result<Vec<Vec<i64>>, TraceError> {
    chain.key(key)?.matrix(steps, n, i64::MIN, i64::MAX)
}

/// Compare the recorded arrays `(trace key, population field)` of step `t`.
fn compare(
    pop: &dyn Population,
    arrays: &[(&str, &str, Vec<Vec<i64>>)],
    t: usize,
    ck: &mut Checker,
) -> bool {
    arrays.iter().all(|(key, field, tr)| {
        tr[t]
            .iter()
            .enumerate()
            .all(|(i, &want)| ck.check(t, i, key, want, pop.field(i, field)))
    })
}

/// Update neurons `0..n` (their spikes are the payloads `s_out` compares).
fn update(pop: &mut dyn Population, n: usize) {
    for i in 0..n {
        pop.update(i);
    }
}

/// The payloads a population sent this step.
fn sent(pop: &dyn Population, n: usize) -> Vec<i64> {
    (0..n).map(|i| pop.field(i, "s_out")).collect()
}

/// A SigmaDelta population on `backend` (`asm` holds the program while it runs).
fn sd_pop<'a>(
    params: Vec<SigmaDeltaParams>,
    asm: &'a Option<Assembled>,
    file: &std::path::Path,
) -> Result<Box<dyn Population + 'a>, TraceError> {
    let n = params.len();
    match asm {
        None => Ok(pop::native::<SigmaDelta>(
            params,
            vec![SigmaDeltaState::default(); n],
        )),
        Some(a) => {
            let v: Vec<_> = params.iter().map(builtin::sigma_delta_values).collect();
            pop::program(a, &v, &vec![vec![]; n], file)
        }
    }
}

fn program_for(
    b: Builtin,
    backend: Backend,
    file: &std::path::Path,
) -> Result<Option<Assembled>, TraceError> {
    match backend {
        Backend::Native => Ok(None),
        Backend::Program => pop::assemble(b, file).map(Some),
    }
}

/// Recorded arrays with the population field each is compared with.
type Arrays = Vec<(&'static str, &'static str, Vec<Vec<i64>>)>;

/// The SigmaDelta fields of population `k` (`sd1`, `sd2`) behind Dense `k`.
fn sd_arrays(chain: &Node, k: u8, steps: usize, n: usize) -> Result<Arrays, TraceError> {
    let names: [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ); 2] = [
        (
            "d1_a_out",
            "sd1_sigma",
            "sd1_act",
            "sd1_residue",
            "sd1_error",
            "sd1_s_out",
        ),
        (
            "d2_a_out",
            "sd2_sigma",
            "sd2_act",
            "sd2_residue",
            "sd2_error",
            "sd2_s_out",
        ),
    ];
    let (a, s, act, r, e, o) = names[usize::from(k - 1)];
    let fields = [
        (a, "a_in"),
        (s, "sigma"),
        (act, "act"),
        (r, "residue"),
        (e, "error"),
        (o, "s_out"),
    ];
    fields
        .iter()
        .map(|&(key, f)| Ok((key, f, trace(chain, key, steps, n)?)))
        .collect()
}

/// A population size `chain.<key>`.
fn size(chain: &Node, key: &str) -> Result<usize, TraceError> {
    chain.key(key)?.int_in(0, 1 << 20).map(|x| x as usize)
}

fn main_chain(
    chain: &Node,
    eff: &Node,
    backend: Backend,
    ck: &mut Checker,
) -> Result<bool, TraceError> {
    let size = |k: &str| size(chain, k);
    let (n_in, n1, n2) = (size("n_in")?, size("n1")?, size("n2")?);
    let params = chain.key("params")?;
    let Some(d1) = dense(&params, "dense1", eff, (n1, n_in), ck)? else {
        return Ok(false);
    };
    let Some(d2) = dense(&params, "dense2", eff, (n2, n1), ck)? else {
        return Ok(false);
    };
    let Some(p1) = sd_params(&params, "sd1", n1, d1.input, eff, ck)? else {
        return Ok(false);
    };
    let Some(p2) = sd_params(&params, "sd2", n2, d2.input, eff, ck)? else {
        return Ok(false);
    };
    let steps = chain.key("x")?.arr()?.len();
    let x = trace(chain, "x", steps, n_in)?;
    let (a1, a2) = (
        sd_arrays(chain, 1, steps, n1)?,
        sd_arrays(chain, 2, steps, n2)?,
    );
    let asm = program_for(Builtin::SigmaDelta, backend, chain.file)?;
    let (mut sd1, mut sd2) = (sd_pop(p1, &asm, chain.file)?, sd_pop(p2, &asm, chain.file)?);
    for (t, xt) in x.iter().enumerate() {
        update(sd1.as_mut(), n1);
        if !compare(sd1.as_ref(), &a1, t, ck) {
            return Ok(false);
        }
        d1.send(xt, sd1.as_mut());
        update(sd2.as_mut(), n2);
        if !compare(sd2.as_ref(), &a2, t, ck) {
            return Ok(false);
        }
        d2.send(&sent(sd1.as_ref(), n1), sd2.as_mut());
    }
    Ok(true)
}

fn delta_chain(
    chain: &Node,
    eff: &Node,
    backend: Backend,
    ck: &mut Checker,
) -> Result<bool, TraceError> {
    let size = |k: &str| size(chain, k);
    let (k, j) = (size("k")?, size("j")?);
    let params = chain.key("params")?;
    let Some(d3) = dense(&params, "dense3", eff, (j, k), ck)? else {
        return Ok(false);
    };
    let dp = params.key("delta")?;
    let se = dp.key("spike_exp")?.int_in(-64, 64)? as i32;
    let ste = dp.key("state_exp")?.int_in(0, 255)? as u8;
    let vth = scaled(&dp.key("vth")?, se + i32::from(ste))?;
    if !ck.check(
        0,
        0,
        "delta_vth",
        eff.key("delta_vth")?.int()?,
        i64::from(vth),
    ) {
        return Ok(false);
    }
    let cum = dp.key("cum_error")?.v.as_bool().unwrap_or(false);
    let delta_p = DeltaParams::new(vth, cum, se, ste).map_err(|e| sd_err(&dp, e))?;
    let steps = chain.key("u")?.arr()?.len();
    let u = trace(chain, "u", steps, k)?;
    let tr = |key: &'static str, f: &'static str, n| {
        Ok::<_, TraceError>((key, f, trace(chain, key, steps, n)?))
    };
    let delta_arrays = [
        tr("delta_act", "act", k)?,
        tr("delta_residue", "residue", k)?,
        tr("delta_error", "error", k)?,
        tr("delta_s_out", "s_out", k)?,
    ];
    let sigma_arrays = [
        tr("d3_a_out", "a_in", j)?,
        tr("sigma_sigma", "sigma", j)?,
        tr("sigma_s_out", "s_out", j)?,
    ];
    let (asm_d, asm_s) = (
        program_for(Builtin::Delta, backend, chain.file)?,
        program_for(Builtin::Sigma, backend, chain.file)?,
    );
    let (mut delta, mut sigma) = match (&asm_d, &asm_s) {
        (Some(ad), Some(asg)) => (
            pop::program(
                ad,
                &vec![builtin::delta_values(&delta_p); k],
                &vec![vec![]; k],
                chain.file,
            )?,
            pop::program(
                asg,
                &vec![builtin::sigma_values(&d3.input); j],
                &vec![vec![]; j],
                chain.file,
            )?,
        ),
        _ => (
            pop::native::<Delta>(vec![delta_p; k], vec![DeltaState::default(); k]),
            pop::native::<Sigma>(vec![d3.input; j], vec![SigmaState::default(); j]),
        ),
    };
    for (t, ut) in u.iter().enumerate() {
        for (i, &x) in ut.iter().enumerate() {
            delta.fold(i, 0, graded_weight(1, x as i32));
            delta.update(i);
        }
        if !compare(delta.as_ref(), &delta_arrays, t, ck) {
            return Ok(false);
        }
        update(sigma.as_mut(), j);
        if !compare(sigma.as_ref(), &sigma_arrays, t, ck) {
            return Ok(false);
        }
        d3.send(&sent(delta.as_ref(), k), sigma.as_mut());
    }
    Ok(true)
}

/// Replay one scenario: the main chain, then the delta chain.
pub(crate) fn replay(sc: &Node, backend: Backend) -> Result<ScenarioResult, TraceError> {
    let name = sc.key("name")?.str()?.to_string();
    let eff = sc.key("effective")?;
    let mut ck = Checker::new();
    if main_chain(&sc.key("main_chain")?, &eff, backend, &mut ck)? {
        delta_chain(&sc.key("delta_chain")?, &eff, backend, &mut ck)?;
    }
    Ok(ck.finish(name))
}
