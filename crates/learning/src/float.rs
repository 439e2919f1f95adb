//! The float reference mode: Lava 0.10's floating-point learning model
//! (`LearningConnectionModelFloat`, `LearningRuleApplierFloat`) for a dense
//! group, in float64, with no randomness, no widths and no clipping.
//!
//! The step order is the fixed-point engine's
//! ([`neurochip_firmware::learning::engine`]). What differs:
//! - a repeat spike in an epoch adds the whole impulse at once;
//! - the epoch's history is `h[t] = decay · h[t-1]` (decay = `exp(-1/tau)`),
//!   plus the impulse at the neuron's last spike time; a `tau = 0` trace
//!   (decay factor 0) becomes NaN after its first epoch, as in Lava;
//! - an update is `old + (term1 + term2 + …)`, each term
//!   `mant · 2^(s_exp - 7) · dep · f1 · f2 …` evaluated left to right;
//! - weights are only kept `>= 0` (excitatory) or `<= 0` (inhibitory) and
//!   the delay tag `>= 0` (numpy's `maximum`/`minimum`, which propagate NaN);
//!   values may leave the fixed-point ranges.
//!
//! Lava's float applier rejects `x0`/`y0` as factors; here they are 0 or 1.

use neurochip_firmware::learning::{Dependency, Factor, Rule, Target, Var};
use neurochip_firmware::models::loihi::SignMode;

/// One trace of the float model.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FloatTrace {
    /// Added at a spike.
    pub impulse: f64,
    /// `exp(-1/tau)`; 0 for `tau = 0`.
    pub decay: f64,
}

/// A dense group's float configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatConfig<const P: usize, const F: usize> {
    /// The rule (the same compiled products the fixed engine runs).
    pub rule: Rule<P, F>,
    /// `x1`, `x2`.
    pub x: [FloatTrace; 2],
    /// `y1`, `y2`, `y3`.
    pub y: [FloatTrace; 3],
    /// Learning epoch in steps (>= 1).
    pub t_epoch: u8,
    /// Sign mode of the weights.
    pub sign_mode: SignMode,
    /// Three-factor rule.
    pub three_factor: bool,
}

/// The state of a dense float group. Synaptic matrices are `[post][pre]`
/// (index `j · n_pre + i`), as Lava stores them.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatGroup {
    /// Pre neurons.
    pub n_pre: usize,
    /// Post neurons.
    pub n_post: usize,
    /// `x1, x2` per pre neuron.
    pub x: Vec<[f64; 2]>,
    /// Within-epoch last spike step per pre neuron (0 = none).
    pub tx: Vec<u8>,
    /// `y1, y2, y3` per post neuron.
    pub y: Vec<[f64; 3]>,
    /// Within-epoch last spike step per post neuron.
    pub ty: Vec<u8>,
    /// Weights.
    pub w: Vec<f64>,
    /// Delay tags (`tag_2`).
    pub d: Vec<f64>,
    /// Tags (`tag_1`).
    pub t: Vec<f64>,
    /// Steps run.
    pub ts: u32,
}

/// numpy's `sign`: 0 stays 0, NaN stays NaN.
fn np_sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        v
    }
}

/// numpy's `maximum(0, v)` (NaN propagates; `-0.0` becomes `0.0`).
fn np_max0(v: f64) -> f64 {
    if 0.0 >= v {
        0.0
    } else {
        v
    }
}

/// numpy's `minimum(0, v)`.
fn np_min0(v: f64) -> f64 {
    if 0.0 <= v {
        0.0
    } else {
        v
    }
}

/// An epoch's history of one side's traces: `h[t][neuron][trace]`.
fn history<const K: usize>(
    traces: &[[f64; K]],
    spikes: &[u8],
    params: &[FloatTrace; K],
    e: u8,
) -> Vec<Vec<[f64; K]>> {
    let mut h = vec![traces.to_vec()];
    for t in 1..=e {
        let mut next: Vec<[f64; K]> = h[usize::from(t) - 1]
            .iter()
            .map(|v| {
                core::array::from_fn(|k| {
                    if params[k].decay == 0.0 {
                        f64::NAN
                    } else {
                        params[k].decay * v[k]
                    }
                })
            })
            .collect();
        for (v, _) in next.iter_mut().zip(spikes).filter(|(_, &s)| s == t) {
            for (x, p) in v.iter_mut().zip(params) {
                *x += p.impulse;
            }
        }
        h.push(next);
    }
    h
}

impl FloatGroup {
    /// A group at time 0: traces and tags 0, weights `w` (`[post][pre]`).
    pub fn new(n_pre: usize, n_post: usize, w: Vec<f64>) -> Self {
        FloatGroup {
            n_pre,
            n_post,
            x: vec![[0.0; 2]; n_pre],
            tx: vec![0; n_pre],
            y: vec![[0.0; 3]; n_post],
            ty: vec![0; n_post],
            d: vec![0.0; w.len()],
            t: vec![0.0; w.len()],
            w,
            ts: 0,
        }
    }

    /// One step: this step's pre and post spikes and, for three-factor
    /// rules, what each post neuron sends. Returns true at an epoch's end.
    pub fn step<const P: usize, const F: usize>(
        &mut self,
        cfg: &FloatConfig<P, F>,
        pre: &[bool],
        post: &[bool],
        factors: &[[f64; 3]],
    ) -> bool {
        self.ts += 1;
        let e = cfg.t_epoch.max(1);
        let now = match (self.ts % u32::from(e)) as u8 {
            0 => e,
            w => w,
        };
        for i in (0..self.n_pre).filter(|&i| pre.get(i) == Some(&true)) {
            if self.tx[i] > 0 {
                for (x, p) in self.x[i].iter_mut().zip(&cfg.x) {
                    *x += p.impulse;
                }
            }
            self.tx[i] = now;
        }
        for j in (0..self.n_post).filter(|&j| post.get(j) == Some(&true)) {
            if self.ty[j] > 0 {
                for (y, p) in self.y[j].iter_mut().zip(&cfg.y) {
                    *y += p.impulse;
                }
            }
            self.ty[j] = now;
        }
        if cfg.three_factor {
            for (y, f) in self.y.iter_mut().zip(factors) {
                *y = *f;
            }
        }
        if self.ts.is_multiple_of(u32::from(e)) {
            self.learn(cfg, e);
            return true;
        }
        false
    }

    fn learn<const P: usize, const F: usize>(&mut self, cfg: &FloatConfig<P, F>, e: u8) {
        let hx = history(&self.x, &self.tx, &cfg.x, e);
        let hy = history(&self.y, &self.ty, &cfg.y, e);
        let epoch = self.ts / u32::from(e);
        let (w0, d0, t0) = (self.w.clone(), self.d.clone(), self.t.clone());
        for target in Target::ALL.into_iter().filter(|&t| cfg.rule.updates(t)) {
            for j in 0..self.n_post {
                for i in 0..self.n_pre {
                    let s = j * self.n_pre + i;
                    let ctx = Synapse {
                        hx: &hx,
                        hy: &hy,
                        i,
                        j,
                        tx: self.tx[i],
                        ty: self.ty[j],
                        e,
                        epoch,
                        vars: [w0[s], d0[s], t0[s]],
                    };
                    let old = match target {
                        Target::Weight => ctx.vars[0],
                        Target::Delay => ctx.vars[1],
                        Target::Tag => ctx.vars[2],
                    };
                    let new = old + ctx.sum(&cfg.rule, target);
                    let new = match (target, cfg.sign_mode) {
                        (Target::Weight, SignMode::Excitatory) | (Target::Delay, _) => np_max0(new),
                        (Target::Weight, SignMode::Inhibitory) => np_min0(new),
                        _ => new,
                    };
                    match target {
                        Target::Weight => self.w[s] = new,
                        Target::Delay => self.d[s] = new,
                        Target::Tag => self.t[s] = new,
                    }
                }
            }
        }
        self.x = hx[usize::from(e)].clone();
        if !cfg.three_factor {
            self.y = hy[usize::from(e)].clone();
        }
        self.tx.fill(0);
        self.ty.fill(0);
    }
}

/// What one synapse's float rule reads.
struct Synapse<'a> {
    hx: &'a [Vec<[f64; 2]>],
    hy: &'a [Vec<[f64; 3]>],
    i: usize,
    j: usize,
    tx: u8,
    ty: u8,
    e: u8,
    epoch: u32,
    /// `w, d, t` before the epoch.
    vars: [f64; 3],
}

impl Synapse<'_> {
    fn dep(&self, d: Dependency) -> f64 {
        match d {
            Dependency::X0 => f64::from(u8::from(self.tx > 0)),
            Dependency::Y0 => f64::from(u8::from(self.ty > 0)),
            Dependency::U { k } => f64::from(u8::from(u64::from(self.epoch) % (1u64 << k) == 0)),
        }
    }

    fn factor(&self, f: &Factor, dep: Dependency) -> f64 {
        let t = usize::from(match dep {
            Dependency::X0 => self.tx,
            Dependency::Y0 => self.ty,
            Dependency::U { .. } => self.e,
        });
        let v = match f.var {
            Var::C => return f64::from(f.konst),
            Var::X0 => self.dep(Dependency::X0),
            Var::Y0 => self.dep(Dependency::Y0),
            Var::X1 => self.hx[t][self.i][0],
            Var::X2 => self.hx[t][self.i][1],
            Var::Y1 => self.hy[t][self.j][0],
            Var::Y2 => self.hy[t][self.j][1],
            Var::Y3 => self.hy[t][self.j][2],
            Var::W => self.vars[0],
            Var::D => self.vars[1],
            Var::T => self.vars[2],
        };
        let v = if f.konst != 0 {
            v + f64::from(f.konst)
        } else {
            v
        };
        if f.sgn {
            np_sign(v)
        } else {
            v
        }
    }

    /// `term1 + term2 + …` of the target's products (0 if none).
    fn sum<const P: usize, const F: usize>(&self, rule: &Rule<P, F>, target: Target) -> f64 {
        let mut sum: Option<f64> = None;
        for p in rule.products().iter().filter(|p| p.target == target) {
            let mut v = f64::from(p.mant) * 2f64.powi(i32::from(p.s_exp) - 7);
            v *= self.dep(p.dep);
            for f in &p.factors {
                v *= self.factor(f, p.dep);
            }
            sum = Some(sum.map_or(v, |s| s + v));
        }
        sum.unwrap_or(0.0)
    }
}
