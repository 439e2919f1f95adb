//! The slow, obvious twin of the firmware's fixed-point learning engine: a
//! dense group written the way Lava's `PyLearningDenseModelBitApproximate`
//! computes, for differential tests.
//!
//! Where the firmware works in integers only, this twin does what the
//! reference does: decay steps and stochastic rounding in float64 (`p =
//! h · factor`, `floor(p) + (r < p mod 1)`), products in wide integers
//! reduced to 32 bits after each multiplication (numpy `int32`), full trace
//! histories `h[0..=t_epoch]` for every neuron, and dense `[post][pre]`
//! matrices evaluated target by target. It shares only the plain data
//! ([`LearningConfig`]) and the random streams with the firmware.

// Index loops on purpose: they read like the reference's array code.
#![allow(clippy::needless_range_loop)]

use neurochip_firmware::learning::eval::clip_final;
use neurochip_firmware::learning::{
    Decay, Dependency, Factor, LearningConfig, LearningRng, Product, Target, TraceParams, Var,
};
use neurochip_firmware::models::loihi::SignMode;

/// A float64 uniform from a 53-bit draw.
fn uniform(k: u64) -> f64 {
    k as f64 / 9_007_199_254_740_992.0
}

/// The decay factor as the float64 it is.
fn factor(d: Decay) -> f64 {
    d.mant as f64 * 2f64.powi(-(d.shift as i32))
}

/// One decay step, in float64 as numpy computes it.
fn decay(h: i64, d: Decay, k: u64) -> i64 {
    let p = h as f64 * factor(d);
    let up = uniform(k) < p.rem_euclid(1.0);
    p.floor() as i64 + i64::from(up)
}

/// Impulse addition with its 7-bit draw.
fn impulse(h: i64, p: &TraceParams, r: u8) -> i64 {
    let up = i64::from(u16::from(r) < p.impulse.frac);
    (h + i64::from(p.impulse.int) + up).clamp(0, 127)
}

/// `h[t][neuron][trace]` for `t = 0..=e`: rows with `tau = 0` hold 0, then
/// every trace of a neuron whose last spike time is `t` gets its impulse.
fn history<const K: usize>(
    h0: &[[i64; K]],
    spikes: &[i64],
    params: &[TraceParams; K],
    e: i64,
    k: u64,
    r: u8,
) -> Vec<Vec<[i64; K]>> {
    let mut h = vec![h0.to_vec()];
    for t in 1..=e {
        let prev = &h[(t - 1) as usize];
        let mut next = vec![[0i64; K]; prev.len()];
        for (n, row) in next.iter_mut().enumerate() {
            for q in 0..K {
                if !params[q].decay.is_wipe() {
                    row[q] = decay(prev[n][q], params[q].decay, k);
                }
            }
            if spikes[n] == t {
                for q in 0..K {
                    row[q] = impulse(row[q], &params[q], r);
                }
            }
        }
        h.push(next);
    }
    h
}

/// numpy `int32` after an operation.
fn i32_wrap(x: i128) -> i128 {
    i128::from(x as i32)
}

/// The dense group's registers.
#[derive(Clone, Debug, PartialEq)]
pub struct OracleGroup {
    /// Pre neurons.
    pub n_pre: usize,
    /// Post neurons.
    pub n_post: usize,
    /// `x1, x2`.
    pub x: Vec<[i64; 2]>,
    /// Last spike step in the epoch.
    pub tx: Vec<i64>,
    /// `y1, y2, y3`.
    pub y: Vec<[i64; 3]>,
    /// Last spike step in the epoch.
    pub ty: Vec<i64>,
    /// Weights `[post][pre]`.
    pub w: Vec<i64>,
    /// Delay tags `[post][pre]`.
    pub d: Vec<i64>,
    /// Tags `[post][pre]`.
    pub t: Vec<i64>,
    /// Time step.
    pub ts: i64,
    /// Random streams.
    pub rng: LearningRng,
}

impl OracleGroup {
    /// A group at time 0 with weights `w` (`[post][pre]`), tags 0.
    pub fn new(n_pre: usize, n_post: usize, w: Vec<i64>, rng: LearningRng) -> Self {
        OracleGroup {
            n_pre,
            n_post,
            x: vec![[0; 2]; n_pre],
            tx: vec![0; n_pre],
            y: vec![[0; 3]; n_post],
            ty: vec![0; n_post],
            d: vec![0; w.len()],
            t: vec![0; w.len()],
            w,
            ts: 0,
            rng,
        }
    }

    /// One step, as Lava orders it.
    pub fn step<const P: usize, const F: usize>(
        &mut self,
        cfg: &LearningConfig<P, F>,
        pre: &[bool],
        post: &[bool],
        factors: &[[i32; 3]],
    ) {
        self.ts += 1;
        let e = i64::from(cfg.epoch_len());
        let now = if self.ts % e == 0 { e } else { self.ts % e };
        for i in 0..self.n_pre {
            if pre[i] {
                if self.tx[i] > 0 {
                    for q in 0..2 {
                        self.x[i][q] = impulse(self.x[i][q], &cfg.x[q], 0);
                    }
                }
                self.tx[i] = now;
            }
        }
        self.rng.advance_traces();
        for j in 0..self.n_post {
            if post[j] {
                if self.ty[j] > 0 {
                    for q in 0..3 {
                        self.y[j][q] = impulse(self.y[j][q], &cfg.y[q], self.rng.y.impulse);
                    }
                }
                self.ty[j] = now;
            }
        }
        if cfg.three_factor {
            for j in 0..self.n_post {
                self.y[j] = factors[j].map(i64::from);
            }
        }
        self.rng.advance_traces();
        if self.ts % e == 0 {
            self.learn(cfg, e);
        }
    }

    fn learn<const P: usize, const F: usize>(&mut self, cfg: &LearningConfig<P, F>, e: i64) {
        self.rng.advance_synapses();
        let (rx, ry) = (self.rng.x, self.rng.y);
        let hx = history(&self.x, &self.tx, &cfg.x, e, rx.decay, rx.impulse);
        let hy = history(&self.y, &self.ty, &cfg.y, e, ry.decay, ry.impulse);
        let u_of = |k: u8| i128::from((self.ts / e) % (1i64 << k) == 0);
        let (w0, d0, t0) = (self.w.clone(), self.d.clone(), self.t.clone());
        let mut out = [w0.clone(), d0.clone(), t0.clone()];
        for (ti, target) in Target::ALL.into_iter().enumerate() {
            if !cfg.rule.updates(target) {
                continue;
            }
            for j in 0..self.n_post {
                for i in 0..self.n_pre {
                    let s = j * self.n_pre + i;
                    let vars = [w0[s], d0[s], t0[s]];
                    let time = |dep: Dependency| match dep {
                        Dependency::X0 => self.tx[i],
                        Dependency::Y0 => self.ty[j],
                        Dependency::U { .. } => e,
                    } as usize;
                    let raw = |f: &Factor, dep: Dependency| -> i128 {
                        let t = time(dep);
                        i128::from(match f.var {
                            Var::X0 => i64::from(self.tx[i] > 0),
                            Var::Y0 => i64::from(self.ty[j] > 0),
                            Var::X1 => hx[t][i][0],
                            Var::X2 => hx[t][i][1],
                            Var::Y1 => hy[t][j][0],
                            Var::Y2 => hy[t][j][1],
                            Var::Y3 => hy[t][j][2],
                            Var::W => vars[0],
                            Var::D => vars[1],
                            Var::T => vars[2],
                            Var::C => 0,
                        })
                    };
                    let dep_value = |dep: Dependency| match dep {
                        Dependency::X0 => i128::from(self.tx[i] > 0),
                        Dependency::Y0 => i128::from(self.ty[j] > 0),
                        Dependency::U { k } => u_of(k),
                    };
                    let mut acc = i128::from(vars[ti]) * 128;
                    for p in cfg.rule.products().iter().filter(|p| p.target == target) {
                        let term = term(p, dep_value(p.dep), |f| raw(f, p.dep));
                        acc = (acc + term).clamp(-32769, 32767);
                    }
                    out[ti][s] = finish(acc, target, cfg.sign_mode, self.rng.synapse);
                }
            }
        }
        [self.w, self.d, self.t] = out;
        self.x = hx[e as usize].clone();
        if !cfg.three_factor {
            self.y = hy[e as usize].clone();
        }
        self.tx.fill(0);
        self.ty.fill(0);
    }
}

/// One product in accumulator units: the MAC in `int32`, the width shift,
/// the exponent, the clip.
fn term<const F: usize>(p: &Product<F>, dep: i128, raw: impl Fn(&Factor) -> i128) -> i128 {
    let mut cur = dep;
    let mut width = 0u32;
    for f in &p.factors {
        let w = f.var.width();
        width += w;
        let v = match f.var {
            Var::C => i128::from(f.konst),
            _ if f.sgn => (raw(f) + i128::from(f.konst)).signum(),
            _ => raw(f) + i128::from(f.konst),
        };
        cur = i32_wrap(cur * v.clamp(-(1 << w), (1 << w) - 1));
    }
    cur = i32_wrap(cur * i128::from(p.mant));
    let shift = (width + 4).saturating_sub(15).min(127);
    i32_wrap((cur >> shift) << p.s_exp).clamp(-32769, 32767)
}

/// Sign saturation, stochastic rounding (in float64, as numpy rounds) and
/// the final clip.
fn finish(acc: i128, target: Target, mode: SignMode, k: u64) -> i64 {
    let acc = match (target, mode) {
        (Target::Weight, SignMode::Excitatory) | (Target::Delay, _) => acc.max(0),
        (Target::Weight, SignMode::Inhibitory) => acc.min(0),
        _ => acc,
    };
    let q = acc as f64 / 128.0;
    let v = q.floor() as i64 + i64::from(uniform(k) < q.rem_euclid(1.0));
    // The final clip's ranges are stated once, in the firmware.
    i64::from(clip_final(v, target, mode))
}
