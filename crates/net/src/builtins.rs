//! Built-in workloads (W1–W4 of WORKLOADS.md plus two small demos), all at dt = 1 ms.
//!
//! Built-ins are generators of ordinary [`Network`]s, so everything downstream
//! (validation, expansion, mapping) treats them exactly like files. Parameters
//! arrive as strings (`builtin:NAME:k=v,k=v`) and are parsed here so errors
//! can name the parameter.

use std::collections::BTreeMap;

use crate::schema::{
    Connect, Distribution, Init, Network, NeuronParams, Population, Projection, Stimulus,
    SynapseKind,
};
use crate::NetError;

/// One parameter of a built-in, for `neurochip net list`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamInfo {
    /// Key in `k=v`.
    pub name: &'static str,
    /// Default value as written on the command line.
    pub default: &'static str,
    /// What it controls.
    pub description: &'static str,
}

/// A built-in network generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BuiltinInfo {
    /// Name after `builtin:`.
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Accepted parameters with defaults.
    pub params: &'static [ParamInfo],
}

const fn p(name: &'static str, default: &'static str, description: &'static str) -> ParamInfo {
    ParamInfo {
        name,
        default,
        description,
    }
}

const BRUNEL_PARAMS: [ParamInfo; 5] = [
    p(
        "n",
        "12500",
        "total neurons (NE = 0.8 n, NI = 0.2 n; CE = 0.1 NE, CI = 0.1 NI; J = 100/CE mV)",
    ),
    p("g", "5", "relative inhibition: inhibitory weight = -g J"),
    p(
        "eta",
        "2",
        "external drive nu_ext / nu_thr (Poisson rate per neuron = CE eta 10 Hz)",
    ),
    p(
        "delay",
        "2",
        "recurrent delay in 1 ms steps (WORKLOADS.md reference rates exist for 1 and 2)",
    ),
    p("seed", "1", "network seed (connectivity and V(0))"),
];
const BRUNEL_SMALL_PARAMS: [ParamInfo; 5] = [
    p(
        "n",
        "1250",
        "total neurons (W2 at the default: CE = 100, J = 1.0 mV)",
    ),
    BRUNEL_PARAMS[1],
    BRUNEL_PARAMS[2],
    BRUNEL_PARAMS[3],
    BRUNEL_PARAMS[4],
];

static BUILTINS: [BuiltinInfo; 6] = [
    BuiltinInfo {
        name: "brunel",
        description:
            "W1: Brunel (2000) model A, LIF delta synapses, fixed in-degree, Poisson drive",
        params: &BRUNEL_PARAMS,
    },
    BuiltinInfo {
        name: "brunel_small",
        description: "W2: brunel with n = 1250 (J = 1.0 mV, same mean-field point as W1)",
        params: &BRUNEL_SMALL_PARAMS,
    },
    BuiltinInfo {
        name: "cuba",
        description:
            "W3: Vogels-Abbott CUBA, exponential current synapses, Bernoulli p connectivity",
        params: &[
            p("n", "4000", "total neurons (NE = 0.8 n, NI = 0.2 n)"),
            p(
                "p",
                "0.02",
                "connection probability per ordered pair (autapses allowed)",
            ),
            p(
                "delay",
                "1",
                "synaptic delay in 1 ms steps (NEST's 1 ms run uses 1 ms, which lands one step later on its grid)",
            ),
            p("seed", "1", "network seed (connectivity and v(0))"),
        ],
    },
    BuiltinInfo {
        name: "random",
        description: "W4: SANA-FE random network, sanafe_lif, fixed out-degree, uniform weights",
        params: &[
            p("n", "10000", "neurons"),
            p(
                "k",
                "100",
                "outgoing synapses per neuron (distinct targets, autapses possible)",
            ),
            p("seed", "1", "network seed (connectivity, weights, biases)"),
        ],
    },
    BuiltinInfo {
        name: "synfire",
        description: "synfire chain: groups connected all-to-all forward, group 0 kicked at step 0",
        params: &[
            p("groups", "10", "number of groups"),
            p("size", "100", "neurons per group"),
            p(
                "w",
                "auto",
                "forward weight in mV (auto = 20/size: a full group drives 2x threshold)",
            ),
            p("loop", "false", "connect the last group back to the first"),
            p("seed", "1", "network seed (V(0))"),
        ],
    },
    BuiltinInfo {
        name: "feedforward",
        description: "Poisson input layer -> hidden -> output, all-to-all uniform random weights",
        params: &[
            p(
                "inputs",
                "100",
                "input neurons (each fires as a Poisson train)",
            ),
            p("hidden", "200", "hidden LIF neurons"),
            p("outputs", "10", "output LIF neurons"),
            p("rate_hz", "20", "input firing rate (Hz)"),
            p("seed", "1", "network seed (weights and V(0))"),
        ],
    },
];

/// All built-ins, in listing order.
pub fn builtins() -> &'static [BuiltinInfo] {
    &BUILTINS
}

/// Typed access to a built-in's string parameters, with defaults.
struct Params<'a> {
    info: &'static BuiltinInfo,
    given: &'a BTreeMap<String, String>,
}

impl<'a> Params<'a> {
    fn new(name: &str, given: &'a BTreeMap<String, String>) -> Result<Self, NetError> {
        let info =
            BUILTINS
                .iter()
                .find(|b| b.name == name)
                .ok_or_else(|| NetError::UnknownBuiltin {
                    name: name.to_string(),
                    have: BUILTINS
                        .iter()
                        .map(|b| b.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
        if let Some(k) = given
            .keys()
            .find(|k| !info.params.iter().any(|p| p.name == *k))
        {
            return Err(NetError::BuiltinParam {
                builtin: name.to_string(),
                param: k.clone(),
                reason: format!(
                    "unknown parameter (have: {})",
                    info.params
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        Ok(Params { info, given })
    }

    fn raw(&self, key: &str) -> &str {
        self.given.get(key).map(String::as_str).unwrap_or_else(|| {
            self.info
                .params
                .iter()
                .find(|p| p.name == key)
                .map_or("", |p| p.default)
        })
    }

    fn err(&self, key: &str, reason: String) -> NetError {
        NetError::BuiltinParam {
            builtin: self.info.name.to_string(),
            param: key.to_string(),
            reason,
        }
    }

    fn u64(&self, key: &str) -> Result<u64, NetError> {
        let v = self.raw(key);
        v.parse()
            .map_err(|_| self.err(key, format!("{v:?} is not a non-negative integer")))
    }

    fn u32_in(&self, key: &str, lo: u32, hi: u32) -> Result<u32, NetError> {
        let v = self.u64(key)?;
        if v < u64::from(lo) || v > u64::from(hi) {
            return Err(self.err(key, format!("must be in {lo}..={hi}, got {v}")));
        }
        Ok(v as u32)
    }

    fn f64_in(&self, key: &str, lo: f64, hi: f64) -> Result<f64, NetError> {
        let v = self.raw(key);
        let x: f64 = v
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite())
            .ok_or_else(|| self.err(key, format!("{v:?} is not a finite number")))?;
        if x < lo || x > hi {
            return Err(self.err(key, format!("must be in [{lo}, {hi}], got {x}")));
        }
        Ok(x)
    }

    fn bool(&self, key: &str) -> Result<bool, NetError> {
        match self.raw(key) {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            v => Err(self.err(key, format!("{v:?} is not true or false"))),
        }
    }
}

/// Build built-in `name` with `params` (unset keys take their defaults).
pub fn builtin(name: &str, params: &BTreeMap<String, String>) -> Result<Network, NetError> {
    let p = Params::new(name, params)?;
    let net = match p.info.name {
        "brunel" | "brunel_small" => brunel(&p)?,
        "cuba" => cuba(&p)?,
        "random" => random(&p)?,
        "synfire" => synfire(&p)?,
        _ => feedforward(&p)?,
    };
    // Built-ins must satisfy the same rules as files; a failure here is a bug
    // in a generator, reported rather than panicking.
    net.check_structure(&format!("builtin:{name}"))?;
    Ok(net)
}

fn uniform(low: f64, high: f64) -> Init {
    Init::Dist(Distribution::Uniform { low, high })
}

fn pop(name: &str, size: u32, neuron: &NeuronParams) -> Population {
    Population {
        name: name.into(),
        size,
        neuron: neuron.clone(),
    }
}

fn proj(
    from: &str,
    to: &str,
    connect: Connect,
    weight: Init,
    delay: u32,
    syn: SynapseKind,
) -> Projection {
    Projection {
        from: from.into(),
        to: to.into(),
        connect,
        weight,
        delay,
        synapse: syn,
    }
}

/// Exc / inh split used by W1–W3: NE = round(0.8 n), NI = n − NE.
fn split(n: u32) -> (u32, u32) {
    let ne = (0.8 * f64::from(n)).round() as u32;
    (ne, n - ne)
}

struct BrunelSizes {
    ne: u32,
    ni: u32,
    ce: u32,
    ci: u32,
    j: f64,
}

fn brunel_sizes(n: u32) -> BrunelSizes {
    let (ne, ni) = split(n);
    let ce = (0.1 * f64::from(ne)).round() as u32;
    let ci = (0.1 * f64::from(ni)).round() as u32;
    BrunelSizes {
        ne,
        ni,
        ce,
        ci,
        j: 100.0 / f64::from(ce.max(1)),
    }
}

fn brunel(p: &Params) -> Result<Network, NetError> {
    let n = p.u32_in("n", 25, 100_000_000)?;
    let g = p.f64_in("g", 0.0, 1e6)?;
    let eta = p.f64_in("eta", 0.0, 1e6)?;
    let delay = p.u32_in("delay", 1, 255)?;
    let seed = p.u64("seed")?;
    let s = brunel_sizes(n);
    let (tau_m, theta) = (20.0, 20.0);
    let neuron = NeuronParams::Lif {
        tau_m_ms: Some(tau_m),
        v_rest_mv: 0.0,
        v_thresh_mv: theta,
        strict_threshold: false,
        v_reset_mv: 10.0,
        t_ref_ms: 2.0,
        tau_syn_e_ms: None,
        tau_syn_i_ms: None,
        bias_mv: 0.0,
        v_init: uniform(0.0, 20.0),
        refractory_drops_input: true,
    };
    // nu_thr = theta / (J CE tau_m) in kHz; the Poisson rate per neuron is CE eta nu_thr.
    let nu_thr_hz = theta / (s.j * f64::from(s.ce) * tau_m) * 1000.0;
    let rate = f64::from(s.ce) * eta * nu_thr_hz;
    let (je, ji) = (s.j, -g * s.j);
    let e = SynapseKind::Exc;
    let i = SynapseKind::Inh;
    let kin = |k| Connect::FixedInDegree { k };
    Ok(Network {
        name: p.info.name.into(),
        dt_ms: 1.0,
        seed,
        populations: vec![pop("exc", s.ne, &neuron), pop("inh", s.ni, &neuron)],
        projections: vec![
            proj("exc", "exc", kin(s.ce), Init::Constant(je), delay, e),
            proj("exc", "inh", kin(s.ce), Init::Constant(je), delay, e),
            proj("inh", "exc", kin(s.ci), Init::Constant(ji), delay, i),
            proj("inh", "inh", kin(s.ci), Init::Constant(ji), delay, i),
        ],
        stimuli: ["exc", "inh"]
            .iter()
            .map(|t| Stimulus::Poisson {
                target: (*t).into(),
                rate_hz: rate,
                weight: je,
                synapse: e,
            })
            .collect(),
        probes: vec![],
    })
}

fn cuba(p: &Params) -> Result<Network, NetError> {
    let n = p.u32_in("n", 5, 100_000_000)?;
    let prob = p.f64_in("p", 0.0, 1.0)?;
    let delay = p.u32_in("delay", 1, 255)?;
    let seed = p.u64("seed")?;
    let (ne, ni) = split(n);
    let neuron = NeuronParams::Lif {
        tau_m_ms: Some(20.0),
        v_rest_mv: -49.0,
        v_thresh_mv: -50.0,
        strict_threshold: false,
        v_reset_mv: -60.0,
        t_ref_ms: 5.0,
        tau_syn_e_ms: Some(5.0),
        tau_syn_i_ms: Some(10.0),
        bias_mv: 0.0,
        v_init: uniform(-60.0, -50.0),
        refractory_drops_input: false,
    };
    let c = || Connect::FixedProbability {
        p: prob,
        autapses: true,
    };
    let (we, wi) = (60.0 * 0.27 / 10.0, -20.0 * 4.5 / 10.0);
    let (e, i) = (SynapseKind::Exc, SynapseKind::Inh);
    Ok(Network {
        name: "cuba".into(),
        dt_ms: 1.0,
        seed,
        populations: vec![pop("exc", ne, &neuron), pop("inh", ni, &neuron)],
        projections: vec![
            proj("exc", "exc", c(), Init::Constant(we), delay, e),
            proj("exc", "inh", c(), Init::Constant(we), delay, e),
            proj("inh", "exc", c(), Init::Constant(wi), delay, i),
            proj("inh", "inh", c(), Init::Constant(wi), delay, i),
        ],
        stimuli: vec![],
        probes: vec![],
    })
}

fn random(p: &Params) -> Result<Network, NetError> {
    let n = p.u32_in("n", 1, 100_000_000)?;
    let k = p.u32_in("k", 0, n)?;
    let seed = p.u64("seed")?;
    let neuron = NeuronParams::SanafeLif {
        leak: 0.99,
        threshold: 64.0,
        reset: 0.0,
        bias: uniform(1.0, 8.0),
    };
    Ok(Network {
        name: "random".into(),
        dt_ms: 1.0,
        seed,
        populations: vec![pop("neurons", n, &neuron)],
        projections: vec![proj(
            "neurons",
            "neurons",
            Connect::FixedOutDegree { k },
            uniform(-6.0, 6.0),
            1,
            SynapseKind::Exc,
        )],
        stimuli: vec![],
        probes: vec![],
    })
}

fn synfire(p: &Params) -> Result<Network, NetError> {
    let groups = p.u32_in("groups", 1, 100_000)?;
    let size = p.u32_in("size", 1, 1_000_000)?;
    let looped = p.bool("loop")?;
    let seed = p.u64("seed")?;
    let theta = 10.0;
    let w = if p.raw("w") == "auto" {
        2.0 * theta / f64::from(size)
    } else {
        p.f64_in("w", -1e6, 1e6)?
    };
    let neuron = NeuronParams::Lif {
        tau_m_ms: Some(10.0),
        v_rest_mv: 0.0,
        v_thresh_mv: theta,
        strict_threshold: false,
        v_reset_mv: 0.0,
        t_ref_ms: 2.0,
        tau_syn_e_ms: None,
        tau_syn_i_ms: None,
        bias_mv: 0.0,
        v_init: uniform(0.0, theta / 2.0),
        refractory_drops_input: true,
    };
    let name = |g: u32| format!("g{g}");
    let mut projections: Vec<Projection> = (0..groups.saturating_sub(1))
        .map(|g| {
            let c = Connect::AllToAll { autapses: true };
            proj(
                &name(g),
                &name(g + 1),
                c,
                Init::Constant(w),
                1,
                SynapseKind::Exc,
            )
        })
        .collect();
    if looped {
        let c = Connect::AllToAll { autapses: true };
        projections.push(proj(
            &name(groups - 1),
            &name(0),
            c,
            Init::Constant(w),
            1,
            SynapseKind::Exc,
        ));
    }
    Ok(Network {
        name: "synfire".into(),
        dt_ms: 1.0,
        seed,
        populations: (0..groups).map(|g| pop(&name(g), size, &neuron)).collect(),
        projections,
        stimuli: vec![Stimulus::SpikeArray {
            target: name(0),
            spikes: (0..size).map(|i| (0, i)).collect(),
            weight: 2.0 * theta,
            synapse: SynapseKind::Exc,
        }],
        probes: vec![],
    })
}

fn feedforward(p: &Params) -> Result<Network, NetError> {
    let inputs = p.u32_in("inputs", 1, 10_000_000)?;
    let hidden = p.u32_in("hidden", 1, 10_000_000)?;
    let outputs = p.u32_in("outputs", 1, 10_000_000)?;
    let rate = p.f64_in("rate_hz", 0.0, 1000.0)?;
    let seed = p.u64("seed")?;
    let (tau, theta, t_ref) = (20.0, 20.0, 2.0);
    // Mean weight that puts the free membrane's steady state at 1.5 theta:
    // V_ss = fan_in * rate(kHz) * w * tau.
    let mean_w = |fan_in: u32, khz: f64| {
        if khz > 0.0 {
            1.5 * theta / (f64::from(fan_in) * khz * tau)
        } else {
            theta / f64::from(fan_in)
        }
    };
    // LIF rate at V_ss = 1.5 theta from reset 0: 1 / (t_ref + tau ln 3) per ms.
    let hidden_khz = if rate > 0.0 {
        1.0 / (t_ref + tau * 3f64.ln())
    } else {
        0.0
    };
    let wh = mean_w(inputs, rate / 1000.0);
    let wo = mean_w(hidden, hidden_khz);
    let input_neuron = NeuronParams::Lif {
        tau_m_ms: None,
        v_rest_mv: 0.0,
        v_thresh_mv: 1.0,
        strict_threshold: false,
        v_reset_mv: 0.0,
        t_ref_ms: 0.0,
        tau_syn_e_ms: None,
        tau_syn_i_ms: None,
        bias_mv: 0.0,
        v_init: Init::Constant(0.0),
        refractory_drops_input: true,
    };
    let lif = NeuronParams::Lif {
        tau_m_ms: Some(tau),
        v_rest_mv: 0.0,
        v_thresh_mv: theta,
        strict_threshold: false,
        v_reset_mv: 0.0,
        t_ref_ms: t_ref,
        tau_syn_e_ms: None,
        tau_syn_i_ms: None,
        bias_mv: 0.0,
        v_init: uniform(0.0, theta / 2.0),
        refractory_drops_input: true,
    };
    let all = || Connect::AllToAll { autapses: true };
    Ok(Network {
        name: "feedforward".into(),
        dt_ms: 1.0,
        seed,
        populations: vec![
            pop("input", inputs, &input_neuron),
            pop("hidden", hidden, &lif),
            pop("output", outputs, &lif),
        ],
        projections: vec![
            proj(
                "input",
                "hidden",
                all(),
                uniform(0.0, 2.0 * wh),
                1,
                SynapseKind::Exc,
            ),
            proj(
                "hidden",
                "output",
                all(),
                uniform(0.0, 2.0 * wo),
                1,
                SynapseKind::Exc,
            ),
        ],
        stimuli: vec![Stimulus::Poisson {
            target: "input".into(),
            rate_hz: rate,
            weight: 1.0,
            synapse: SynapseKind::Exc,
        }],
        probes: vec![],
    })
}

/// NEST reference mean rate (median, min, max in Hz) at dt = 1 ms for a
/// built-in configuration measured in WORKLOADS.md, or `None` when that exact
/// configuration was not measured (the seed does not matter: the range is
/// over realisations).
pub fn reference_rate_hz(name: &str, params: &BTreeMap<String, String>) -> Option<(f64, f64, f64)> {
    let p = Params::new(name, params).ok()?;
    match p.info.name {
        "brunel" | "brunel_small" => {
            let n = p.u64("n").ok()?;
            let g = p.f64_in("g", 0.0, 1e6).ok()?;
            let eta = p.f64_in("eta", 0.0, 1e6).ok()?;
            let delay = p.u64("delay").ok()?;
            if g != 5.0 || eta != 2.0 {
                return None;
            }
            match (n, delay) {
                (12_500, 1) => Some((36.44, 36.32, 36.57)),
                (12_500, 2) => Some((36.31, 36.20, 36.40)),
                (1_250, 1) => Some((49.80, 47.31, 51.69)),
                (1_250, 2) => Some((47.11, 46.71, 47.35)),
                _ => None,
            }
        }
        "cuba" => {
            let n = p.u64("n").ok()?;
            let prob = p.f64_in("p", 0.0, 1.0).ok()?;
            (n == 4000 && prob == 0.02).then_some((5.97, 5.61, 6.03))
        }
        _ => None,
    }
}
