//! An independent evaluator of generated programs: walks the generator's
//! tree (not the assembler's code), computes every operation in `i128` from
//! its definition in docs/neuron-programs.md, folds onto-channels event by
//! event (not through `ClampAdd`), and counts the instructions the machine
//! must execute. It also checks that every write the assembler accepted
//! without `.w`/`.s` really fits its register.

use neurochip_firmware::NeuronRng;

use super::gen::{GenProgram, Kind, Reg, Src, Stmt};

/// One neuron's persistent registers.
#[derive(Clone, Debug, Default)]
pub struct EvalState {
    pub regs: Vec<i128>,
    pub refractory: i128,
}

/// What one update produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepOut {
    pub spikes: i128,
    pub payload: i128,
    pub executed: u64,
}

enum Flow {
    Normal,
    Break,
}

fn pow2(k: i128) -> i128 {
    1i128 << k
}

fn wrap(v: i128, bits: u32, signed: bool) -> i128 {
    let m = v.rem_euclid(pow2(i128::from(bits)));
    if signed && m >= pow2(i128::from(bits) - 1) {
        m - pow2(i128::from(bits))
    } else {
        m
    }
}

fn signed_range(bits: u32) -> (i128, i128) {
    (-pow2(i128::from(bits) - 1), pow2(i128::from(bits) - 1) - 1)
}

fn alu(m: &str, a: i128, b: i128, c: i128) -> i128 {
    let shr = |x: i128, k: i128| x.div_euclid(pow2(k.clamp(0, 126)));
    let shl = |x: i128, k: i128| x * pow2(k.clamp(0, 64));
    match m {
        "mov" => a,
        "neg" => -a,
        "abs" => a.abs(),
        "not" => -a - 1,
        "add" => a + b,
        "sub" => a - b,
        "mul" => a * b,
        "mulsh" => shr(a * b, c),
        "min" => a.min(b),
        "max" => a.max(b),
        "clamp" => b.max(a.min(c)),
        "and" => a & b,
        "or" => a | b,
        "xor" => a ^ b,
        "shl" => shl(a, b),
        "shr" => shr(a, b),
        "ash" if b >= 0 => shl(a, b),
        "ash" => shr(a, -b),
        "decay12" => a * (4096 - b.clamp(0, 4096)) / 4096,
        "sdec" => {
            let d = a.div_euclid(pow2(b.clamp(0, 63)));
            if d == 0 && a != 0 {
                a.signum()
            } else {
                d
            }
        }
        "lt" => i128::from(a < b),
        "le" => i128::from(a <= b),
        "gt" => i128::from(a > b),
        "ge" => i128::from(a >= b),
        "eq" => i128::from(a == b),
        "ne" => i128::from(a != b),
        "sel" if a != 0 => b,
        "sel" => c,
        other => panic!("evaluator: unknown op {other}"),
    }
}

fn holds(a: i128, c: &str, b: i128) -> bool {
    match c {
        "<" => a < b,
        "<=" => a <= b,
        ">" => a > b,
        ">=" => a >= b,
        "==" => a == b,
        _ => a != b,
    }
}

/// The join inputs of the root.
struct JoinIn {
    jv: i128,
    has_v: bool,
    jc: bool,
    has_c: bool,
    gate: bool,
}

/// One update in progress.
struct Run<'a> {
    p: &'a GenProgram,
    regs: Vec<i128>,
    chans: Vec<i128>,
    onto: Vec<i128>,
    refr: bool,
    refractory: i128,
    join: JoinIn,
    emit: (i128, i128),
    out: i128,
    executed: u64,
    rng: NeuronRng,
}

impl Run<'_> {
    fn read(&self, s: &Src) -> i128 {
        match *s {
            Src::Reg(i) => self.regs[i],
            Src::Imm(v) => i128::from(v),
            Src::Chan(k) => self.chans[k],
            Src::Refr => i128::from(self.refr),
            Src::Jv => self.join.jv,
            Src::Jc => i128::from(self.join.jc),
        }
    }

    fn write(&mut self, r: usize, v: i128, mode: &str) -> Result<(), String> {
        let reg: &Reg = &self.p.regs[r];
        self.regs[r] = match mode {
            ".w" => wrap(v, reg.bits, reg.signed),
            ".s" => v.clamp(reg.min(), reg.max()),
            _ if v < reg.min() || v > reg.max() => {
                return Err(format!(
                    "exact write of {v} into `{}` overflows: the width check is unsound",
                    reg.name
                ))
            }
            _ => v,
        };
        Ok(())
    }

    /// Apply this step's onto-channel events to `x`, one saturating add each.
    fn fold(&self, x: i128) -> i128 {
        let c = self.p.chans.last().expect("the onto channel is last");
        let (lo, hi) = signed_range(c.bits);
        self.onto.iter().fold(x, |x, &inc| (x + inc).clamp(lo, hi))
    }

    fn block(&mut self, v: &[Stmt]) -> Result<Flow, String> {
        for s in v {
            if let Flow::Break = self.stmt(s)? {
                return Ok(Flow::Break);
            }
        }
        Ok(Flow::Normal)
    }

    fn stmt(&mut self, s: &Stmt) -> Result<Flow, String> {
        self.executed += 1;
        match s {
            Stmt::Op {
                m, mode, dst, src, ..
            } => {
                let v = if *m == "fold" {
                    self.fold(self.read(&src[1]))
                } else {
                    let g = |i: usize| src.get(i).map_or(0, |x| self.read(x));
                    alu(m, g(0), g(1), g(2))
                };
                self.write(*dst, v, mode)?;
            }
            Stmt::Rand(d, bits) => {
                let v = i128::from(self.rng.next_u32() >> (32 - bits));
                self.write(*d, v, "")?;
            }
            Stmt::Emit(c, p) => self.emit = (self.read(c).clamp(0, 255), self.read(p)),
            Stmt::Refract(x) => self.refractory = self.read(x).clamp(0, 65535),
            Stmt::Out(x) => self.out = self.read(x),
            Stmt::Wr(r, v) => self.write(*r, i128::from(*v), "")?,
            Stmt::If(a, c, b, then, els) => {
                if holds(self.read(a), c, self.read(b)) {
                    if let Flow::Break = self.block(then)? {
                        return Ok(Flow::Break);
                    }
                    if els.is_some() {
                        self.executed += 1; // the jump over the else-branch
                    }
                } else if let Some(e) = els {
                    return self.block(e);
                }
            }
            Stmt::Loop(n, body) => {
                for _ in 0..*n {
                    if let Flow::Break = self.block(body)? {
                        break;
                    }
                    self.executed += 1; // the loop's end
                }
            }
            Stmt::Break(None) => return Ok(Flow::Break),
            Stmt::Break(Some((a, c, b))) => {
                if holds(self.read(a), c, self.read(b)) {
                    return Ok(Flow::Break);
                }
            }
        }
        Ok(Flow::Normal)
    }

    /// Combine the child's outputs into the root's join inputs.
    fn join(&mut self, op: &str) {
        let fired = self.emit.0 > 0;
        let v = self.out;
        let j = &mut self.join;
        let (lo, hi) = signed_range(64);
        match op {
            "add" => (j.jv, j.has_v) = ((j.jv + v).clamp(lo, hi), true),
            "pass" if fired => (j.jv, j.has_v) = ((j.jv + v).clamp(lo, hi), true),
            "pass" => {}
            "min" => (j.jv, j.has_v) = (if j.has_v { j.jv.min(v) } else { v }, true),
            "max" => (j.jv, j.has_v) = (if j.has_v { j.jv.max(v) } else { v }, true),
            "and" => (j.jc, j.has_c) = (if j.has_c { j.jc && fired } else { fired }, true),
            "or" => (j.jc, j.has_c) = (if j.has_c { j.jc || fired } else { fired }, true),
            _ => j.gate &= fired,
        }
        self.executed += 1;
    }
}

/// One update: `events` are (channel, weight), `params` by parameter order.
pub fn step(
    p: &GenProgram,
    params: &[i128],
    st: &mut EvalState,
    events: &[(u8, i32)],
    rng: NeuronRng,
) -> Result<StepOut, String> {
    let mut regs = st.regs.clone();
    let mut pi = 0;
    for (i, r) in p.regs.iter().enumerate() {
        match r.kind {
            Kind::Temp => regs[i] = 0,
            Kind::Param => {
                regs[i] = params[pi];
                pi += 1;
            }
            Kind::State => {}
        }
    }
    let increment = |k: usize, w: i32| {
        let c = &p.chans[k];
        let shift = match c.shift {
            None => 0,
            Some(Src::Imm(s)) => i128::from(s),
            Some(Src::Reg(i)) => regs[i],
            Some(_) => unreachable!(),
        }
        .clamp(0, 63);
        wrap(i128::from(w) * pow2(shift), c.bits, true)
    };
    let mut chans = vec![0i128; p.chans.len()];
    let mut onto = vec![];
    for &(ch, w) in events {
        let k = usize::from(ch);
        let c = &p.chans[k];
        let inc = increment(k, w);
        let (lo, hi) = signed_range(c.bits);
        match c.fold {
            "wrap" => chans[k] = wrap(chans[k] + inc, c.bits, true),
            "sat" => chans[k] = (chans[k] + inc).clamp(lo, hi),
            _ => onto.push(inc),
        }
    }
    let refr = st.refractory > 0;
    let mut run = Run {
        p,
        regs,
        chans,
        onto,
        refr,
        refractory: if refr { st.refractory - 1 } else { 0 },
        join: JoinIn {
            jv: 0,
            has_v: false,
            jc: false,
            has_c: false,
            gate: true,
        },
        emit: (0, 0),
        out: 0,
        executed: 0,
        rng,
    };
    for c in &p.comps {
        run.emit = (0, 0);
        run.out = 0;
        run.block(&c.body)?;
        if let Some(j) = c.join {
            run.join(j);
        }
    }
    let spikes = if run.join.gate { run.emit.0 } else { 0 };
    st.regs = run.regs;
    st.refractory = run.refractory;
    Ok(StepOut {
        spikes,
        payload: if spikes > 0 {
            wrap(run.emit.1, 32, true)
        } else {
            0
        },
        executed: run.executed,
    })
}
