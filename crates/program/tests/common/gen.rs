//! Random neuron programs as a small tree (its own, not the assembler's),
//! rendered to text. The evaluator in `eval.rs` runs the tree directly.

/// Where an operand comes from.
#[derive(Clone, Copy, Debug)]
pub enum Src {
    Reg(usize),
    Imm(i64),
    Chan(usize),
    Refr,
    Jv,
    Jc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    State,
    Param,
    Temp,
}

#[derive(Clone, Debug)]
pub struct Reg {
    pub name: String,
    pub kind: Kind,
    pub bits: u32,
    pub signed: bool,
    /// Owning compartment (parameters: 0, unused).
    pub comp: usize,
}

impl Reg {
    pub fn min(&self) -> i128 {
        if self.signed {
            -(1i128 << (self.bits - 1))
        } else {
            0
        }
    }

    pub fn max(&self) -> i128 {
        if self.signed {
            (1i128 << (self.bits - 1)) - 1
        } else {
            (1i128 << self.bits) - 1
        }
    }
}

#[derive(Clone, Debug)]
pub struct Chan {
    pub name: String,
    pub fold: &'static str,
    pub bits: u32,
    /// A constant shift, or a parameter register index.
    pub shift: Option<Src>,
}

#[derive(Clone, Debug)]
pub enum Stmt {
    Op {
        id: usize,
        m: &'static str,
        mode: &'static str,
        dst: usize,
        src: Vec<Src>,
    },
    Rand(usize, u32),
    Emit(Src, Src),
    Refract(Src),
    Out(Src),
    Wr(usize, i64),
    If(Src, &'static str, Src, Vec<Stmt>, Option<Vec<Stmt>>),
    Loop(u16, Vec<Stmt>),
    Break(Option<(Src, &'static str, Src)>),
}

#[derive(Clone, Debug)]
pub struct Comp {
    pub name: String,
    pub join: Option<&'static str>,
    pub body: Vec<Stmt>,
}

#[derive(Clone, Debug)]
pub struct GenProgram {
    pub regs: Vec<Reg>,
    pub chans: Vec<Chan>,
    pub comps: Vec<Comp>,
}

/// SplitMix64: the generator's own deterministic stream.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// An integer in `[lo, hi]`, biased to the ends and to 0.
    pub fn value(&mut self, lo: i128, hi: i128) -> i128 {
        let span = (hi - lo + 1) as u128;
        match self.below(6) {
            0 => lo,
            1 => hi,
            2 => 0i128.clamp(lo, hi),
            3 => (lo + (self.next() as u128 % span.min(17)) as i128).min(hi),
            _ => lo + (((self.next() as u128) << 64 | self.next() as u128) % span) as i128,
        }
    }
}

pub const OPS: [(&str, usize); 27] = [
    ("mov", 1),
    ("neg", 1),
    ("abs", 1),
    ("not", 1),
    ("add", 2),
    ("sub", 2),
    ("mul", 2),
    ("mulsh", 3),
    ("min", 2),
    ("max", 2),
    ("clamp", 3),
    ("and", 2),
    ("or", 2),
    ("xor", 2),
    ("shl", 2),
    ("shr", 2),
    ("ash", 2),
    ("decay12", 2),
    ("sdec", 2),
    ("lt", 2),
    ("le", 2),
    ("gt", 2),
    ("ge", 2),
    ("eq", 2),
    ("ne", 2),
    ("sel", 3),
    ("fold", 2),
];

const CONDS: [&str; 6] = ["<", "<=", ">", ">=", "==", "!="];
const WIDTHS: [(u32, bool); 9] = [
    (8, true),
    (16, true),
    (32, true),
    (64, true),
    (24, true),
    (3, true),
    (1, false),
    (8, false),
    (16, false),
];
const JOINS: [&str; 7] = ["add", "min", "max", "and", "or", "gate", "pass"];

struct Gen<'a> {
    rng: &'a mut Rng,
    p: GenProgram,
    next_id: usize,
}

impl Gen<'_> {
    fn reg(&mut self, name: String, kind: Kind, comp: usize) {
        let (bits, signed) = self.rng.pick(&WIDTHS);
        self.p.regs.push(Reg {
            name,
            kind,
            bits,
            signed,
            comp,
        });
    }

    fn src(&mut self, comp: usize, root: bool) -> Src {
        let regs: Vec<usize> = (0..self.p.regs.len())
            .filter(|&i| self.p.regs[i].kind == Kind::Param || self.p.regs[i].comp == comp)
            .collect();
        let chans: Vec<usize> = (0..self.p.chans.len())
            .filter(|&k| self.p.chans[k].fold != "onto")
            .collect();
        match self.rng.below(10) {
            0..=4 => Src::Reg(self.rng.pick(&regs)),
            5 | 6 => Src::Imm(self.rng.value(i128::from(i32::MIN), i128::from(i32::MAX)) as i64),
            7 => Src::Chan(self.rng.pick(&chans)),
            8 if root => self.rng.pick(&[Src::Jv, Src::Jc]),
            _ => Src::Refr,
        }
    }

    fn dst(&mut self, comp: usize) -> usize {
        let regs: Vec<usize> = (0..self.p.regs.len())
            .filter(|&i| self.p.regs[i].kind != Kind::Param && self.p.regs[i].comp == comp)
            .collect();
        self.rng.pick(&regs)
    }

    fn op(&mut self, comp: usize, root: bool) -> Stmt {
        let (m, arity) = self.rng.pick(&OPS);
        let mode = self.rng.pick(&["", "", ".w", ".s"]);
        let dst = self.dst(comp);
        let mut src: Vec<Src> = (0..arity).map(|_| self.src(comp, root)).collect();
        if m == "fold" {
            src[0] = Src::Chan(self.p.chans.len() - 1);
        }
        self.next_id += 1;
        Stmt::Op {
            id: self.next_id,
            m,
            mode,
            dst,
            src,
        }
    }

    fn block(&mut self, comp: usize, root: bool, depth: u32, in_loop: bool) -> Vec<Stmt> {
        let n = 1 + self.rng.below(6);
        (0..n)
            .map(|_| self.stmt(comp, root, depth, in_loop))
            .collect()
    }

    fn stmt(&mut self, comp: usize, root: bool, depth: u32, in_loop: bool) -> Stmt {
        let k = self.rng.below(20);
        match k {
            0 if depth < 2 => {
                let (a, b) = (self.src(comp, root), self.src(comp, root));
                let c = self.rng.pick(&CONDS);
                let then = self.block(comp, root, depth + 1, in_loop);
                let els = if self.rng.chance(50) {
                    Some(self.block(comp, root, depth + 1, in_loop))
                } else {
                    None
                };
                Stmt::If(a, c, b, then, els)
            }
            1 if depth < 2 => {
                let n = 1 + self.rng.below(4) as u16;
                Stmt::Loop(n, self.block(comp, root, depth + 1, true))
            }
            2 if in_loop => {
                if self.rng.chance(70) {
                    let (a, b) = (self.src(comp, root), self.src(comp, root));
                    Stmt::Break(Some((a, self.rng.pick(&CONDS), b)))
                } else {
                    Stmt::Break(None)
                }
            }
            3 => Stmt::Emit(self.src(comp, root), self.src(comp, root)),
            4 => Stmt::Refract(self.src(comp, root)),
            5 => {
                let d = self.dst(comp);
                let r = &self.p.regs[d];
                let cap = if r.signed { r.bits - 1 } else { r.bits }.min(32);
                let bits = 1 + self.rng.below(cap as usize) as u32;
                Stmt::Rand(d, bits)
            }
            6 if !root => Stmt::Out(self.src(comp, root)),
            7 if root && self.p.comps.len() > 1 => {
                let child: Vec<usize> = (0..self.p.regs.len())
                    .filter(|&i| self.p.regs[i].kind == Kind::State && self.p.regs[i].comp == 0)
                    .collect();
                let r = self.rng.pick(&child);
                let lo = self.p.regs[r].min().max(i128::from(i32::MIN));
                let hi = self.p.regs[r].max().min(i128::from(i32::MAX));
                let v = self.rng.value(lo, hi);
                Stmt::Wr(r, v as i64)
            }
            _ => self.op(comp, root),
        }
    }
}

/// A random program of one compartment, or two (a child and the root).
pub fn program(rng: &mut Rng) -> GenProgram {
    let two = rng.chance(35);
    let mut g = Gen {
        rng,
        p: GenProgram {
            regs: vec![],
            chans: vec![],
            comps: vec![],
        },
        next_id: 0,
    };
    let ncomp = if two { 2 } else { 1 };
    for c in 0..ncomp {
        for i in 0..2 {
            g.reg(format!("s{c}_{i}"), Kind::State, c);
        }
        for i in 0..3 {
            g.reg(format!("t{c}_{i}"), Kind::Temp, c);
        }
    }
    for i in 0..2 {
        g.reg(format!("p{i}"), Kind::Param, 0);
    }
    let params: Vec<usize> = (0..g.p.regs.len())
        .filter(|&i| g.p.regs[i].kind == Kind::Param)
        .collect();
    for (i, fold) in ["wrap", "sat", "onto"].into_iter().enumerate() {
        let bits = g.rng.pick(&[8, 16, 32, 64]);
        let shift = match g.rng.below(3) {
            0 => None,
            1 => Some(Src::Imm(g.rng.below(10) as i64)),
            _ => Some(Src::Reg(g.rng.pick(&params))),
        };
        g.p.chans.push(Chan {
            name: format!("c{i}"),
            fold,
            bits,
            shift,
        });
    }
    for c in 0..ncomp {
        let root = c + 1 == ncomp;
        g.p.comps.push(Comp {
            name: if root { "soma".into() } else { "dend".into() },
            join: if root { None } else { Some(g.rng.pick(&JOINS)) },
            body: vec![],
        });
        g.p.comps[c].body = g.block(c, root, 0, false);
    }
    g.p
}

impl GenProgram {
    fn src_text(&self, s: &Src) -> String {
        match *s {
            Src::Reg(i) => self.regs[i].name.clone(),
            Src::Imm(v) => v.to_string(),
            Src::Chan(k) => self.chans[k].name.clone(),
            Src::Refr => "refr".into(),
            Src::Jv => "jv".into(),
            Src::Jc => "jc".into(),
        }
    }

    fn stmt_text(&self, s: &Stmt, ind: usize, out: &mut Vec<(String, usize)>) {
        let pad = "    ".repeat(ind);
        let line = |t: String, id: usize, out: &mut Vec<(String, usize)>| {
            out.push((format!("{pad}{t}"), id))
        };
        let list = |v: &[Src]| {
            v.iter()
                .map(|x| self.src_text(x))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match s {
            Stmt::Op {
                id,
                m,
                mode,
                dst,
                src,
            } => line(
                format!("{m}{mode} {}, {}", self.regs[*dst].name, list(src)),
                *id,
                out,
            ),
            Stmt::Rand(d, b) => line(format!("rand {}, {b}", self.regs[*d].name), 0, out),
            Stmt::Emit(c, p) => line(format!("emit {}", list(&[*c, *p])), 0, out),
            Stmt::Refract(x) => line(format!("refract {}", self.src_text(x)), 0, out),
            Stmt::Out(x) => line(format!("out {}", self.src_text(x)), 0, out),
            Stmt::Wr(r, v) => line(format!("wr dend.{}, {v}", self.regs[*r].name), 0, out),
            Stmt::If(a, c, b, then, els) => {
                line(
                    format!("if {} {c} {}", self.src_text(a), self.src_text(b)),
                    0,
                    out,
                );
                then.iter().for_each(|x| self.stmt_text(x, ind + 1, out));
                if let Some(e) = els {
                    line("else".into(), 0, out);
                    e.iter().for_each(|x| self.stmt_text(x, ind + 1, out));
                }
                line("end".into(), 0, out);
            }
            Stmt::Loop(n, body) => {
                line(format!("loop {n}"), 0, out);
                body.iter().for_each(|x| self.stmt_text(x, ind + 1, out));
                line("end".into(), 0, out);
            }
            Stmt::Break(None) => line("break".into(), 0, out),
            Stmt::Break(Some((a, c, b))) => line(
                format!("break if {} {c} {}", self.src_text(a), self.src_text(b)),
                0,
                out,
            ),
        }
    }

    /// The program text, and for every line the id of the operation on it (0 = none).
    pub fn text(&self) -> (String, Vec<usize>) {
        let mut out: Vec<(String, usize)> = vec![];
        let w = |r: &Reg| format!("{}{}", if r.signed { 's' } else { 'u' }, r.bits);
        for r in self.regs.iter().filter(|r| r.kind == Kind::Param) {
            out.push((format!("param {} {}", r.name, w(r)), 0));
        }
        for c in &self.chans {
            let shift = c
                .shift
                .map_or(String::new(), |s| format!(" shl {}", self.src_text(&s)));
            out.push((format!("chan {} {} s{}{shift}", c.name, c.fold, c.bits), 0));
        }
        for (ci, c) in self.comps.iter().enumerate() {
            let head = match c.join {
                Some(j) => format!("comp {} to soma {j}", c.name),
                None => format!("comp {}", c.name),
            };
            out.push((head, 0));
            for r in self
                .regs
                .iter()
                .filter(|r| r.kind != Kind::Param && r.comp == ci)
            {
                let kw = if r.kind == Kind::State {
                    "state"
                } else {
                    "temp"
                };
                out.push((format!("{kw} {} {}", r.name, w(r)), 0));
            }
            c.body.iter().for_each(|s| self.stmt_text(s, 1, &mut out));
        }
        let ids = out.iter().map(|(_, id)| *id).collect();
        let text = out
            .into_iter()
            .map(|(t, _)| t)
            .collect::<Vec<_>>()
            .join("\n");
        (text, ids)
    }

    /// Give operation `id` a wrapping write (after the width check refused an exact one).
    pub fn make_wrapping(&mut self, id: usize) -> bool {
        fn walk(v: &mut [Stmt], id: usize) -> bool {
            v.iter_mut().any(|s| match s {
                Stmt::Op { id: i, mode, .. } if *i == id => {
                    *mode = ".w";
                    true
                }
                Stmt::If(_, _, _, t, e) => walk(t, id) || e.as_mut().is_some_and(|e| walk(e, id)),
                Stmt::Loop(_, b) => walk(b, id),
                _ => false,
            })
        }
        self.comps.iter_mut().any(|c| walk(&mut c.body, id))
    }
}
