//! Lava's learning-rule syntax, compiled into the firmware's [`Rule`].
//!
//! An update (`dw`, `dd` or `dt`) is a sum of terms; a term is a product of
//! atoms joined by `*`:
//!
//! | atom | meaning |
//! |---|---|
//! | `x0`, `y0` | the first one in a term is its dependency; a later one is a factor |
//! | `u0` … `u9` | dependency `uk`: 1 on epochs `e` with `e mod 2^k == 0` |
//! | `x1 x2 y1 y2 y3` | traces, read at the dependency's time |
//! | `w d t` | the synapse's weight, delay tag, tag |
//! | `7`, `2^-3`, `3*2^-3` | literals; all literals of a term multiply into its scale `mant · 2^exp` |
//! | `(-3)` | a signed literal |
//! | `(v + C)`, `(v - C)`, `(C + v)`, `(C - v)` | a factor with a constant (`C - v` negates the scale) |
//! | `sgn(v)`, `sgn(v ± C)`, `sgn(C + v)` | the sign of `w`, `d` or `t` plus a constant |
//!
//! The scale is normalised as Lava does (while `|mant| > 7`, `mant` even and
//! `exp < 8`: halve `mant`, increment `exp`) and must end with `mant` in
//! `-8..=7` and `exp` in `-7..=8`. Spaces are ignored.
//!
//! Forms Lava accepts but silently misreads are refused with a reason
//! instead: a `uk` after `x0`/`y0` (Lava drops it), `(v)` alone with a minus,
//! `(x0)` alone (dropped), nested brackets, `*` inside brackets (Lava reads
//! `(2*x1)` as `x1 + 2`), a non-integer constant.

use neurochip_firmware::learning::{Dependency, Factor, Product, Rule, RuleError, Target, Var};

/// A rule that cannot be compiled: names the update, the term and the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{target} term {term} `{text}`: {reason}")]
pub struct RuleSyntaxError {
    /// `dw`, `dd` or `dt`.
    pub target: &'static str,
    /// 1-based index of the term in its update.
    pub term: usize,
    /// The term as written.
    pub text: String,
    /// What is wrong.
    pub reason: String,
}

/// Compile the updates (each `None` or empty = that variable does not learn)
/// into a rule of at most `P` products of at most `F` factors.
pub fn parse_rule<const P: usize, const F: usize>(
    dw: Option<&str>,
    dd: Option<&str>,
    dt: Option<&str>,
) -> Result<Rule<P, F>, RuleSyntaxError> {
    let mut rule = Rule::new();
    for (target, text) in Target::ALL.into_iter().zip([dw, dd, dt]) {
        if let Some(text) = text.filter(|t| !t.trim().is_empty()) {
            parse_update(&mut rule, target, text)?;
        }
    }
    Ok(rule)
}

/// Append the products of one update to `rule`.
pub fn parse_update<const P: usize, const F: usize>(
    rule: &mut Rule<P, F>,
    target: Target,
    text: &str,
) -> Result<(), RuleSyntaxError> {
    for (n, (negative, term)) in split_terms(text).into_iter().enumerate() {
        let err = |reason: String| RuleSyntaxError {
            target: target.name(),
            term: n + 1,
            text: term.to_string(),
            reason,
        };
        let compact: String = term.chars().filter(|c| !c.is_whitespace()).collect();
        let p = parse_term::<F>(target, negative, &compact).map_err(err)?;
        rule.push(p).map_err(|e| err(e.to_string()))?;
    }
    Ok(())
}

/// Split at `+`/`-` outside brackets and not right after `^`: (negative, term).
/// A sign with nothing before it is the first term's sign; two signs in a row
/// leave an empty term between them (an error later).
fn split_terms(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let (mut depth, mut start, mut negative) = (0i32, 0usize, false);
    let (mut prev, mut pending, mut any) = (None, false, false);
    for (i, c) in text.char_indices() {
        match c {
            '+' | '-' if depth == 0 && prev != Some('^') => {
                if pending || any {
                    out.push((negative, text[start..i].trim()));
                }
                (any, pending, negative, start) = (true, false, c == '-', i + 1);
            }
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if !c.is_whitespace() {
            pending |= !matches!(c, '+' | '-') || depth > 0 || prev == Some('^');
            prev = Some(c);
        }
    }
    out.push((negative, text[start..].trim()));
    out
}

/// A literal's value `mant · 2^exp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Literal {
    mant: i64,
    exp: i64,
}

/// One operand inside brackets, or a plain atom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operand {
    Literal(Literal),
    Dep(Dependency),
    Var(Var),
}

/// A term's atoms after reading.
enum Atom {
    Operand(Operand),
    /// `(...)` or `sgn(...)` holding a variable and constant.
    Factor(Factor),
    /// `(±literal)`: folds into the scale.
    Scale(Literal),
}

/// A cursor over a compacted (space-free) term.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn rest(&self) -> String {
        String::from_utf8_lossy(&self.s[self.i..]).into_owned()
    }

    fn digits(&mut self) -> Result<i64, String> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let text = String::from_utf8_lossy(&self.s[start..self.i]);
        text.parse::<i64>()
            .map_err(|_| format!("number `{text}` is too large"))
    }

    /// `N`, `2^y` or `N*2^y` (Lava's three literal forms; the last is taken
    /// whole only inside brackets, where `*` is otherwise refused).
    fn literal(&mut self, in_brackets: bool) -> Result<Literal, String> {
        let n = self.digits()?;
        if self.eat(b'^') {
            if n != 2 {
                return Err(format!("`{n}^`: only powers of 2 are literals"));
            }
            return Ok(Literal {
                mant: 1,
                exp: self.signed()?,
            });
        }
        let lava_form = self.s[self.i..].starts_with(b"*2^");
        if in_brackets && lava_form {
            self.i += 3;
            return Ok(Literal {
                mant: n,
                exp: self.signed()?,
            });
        }
        Ok(Literal { mant: n, exp: 0 })
    }

    fn signed(&mut self) -> Result<i64, String> {
        let neg = if self.eat(b'-') {
            true
        } else {
            self.eat(b'+');
            false
        };
        if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return Err("`^` needs an integer exponent".into());
        }
        let v = self.digits()?;
        Ok(if neg { -v } else { v })
    }

    fn name(&mut self) -> String {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }

    /// One operand: a literal or a name.
    fn operand(&mut self, in_brackets: bool) -> Result<Operand, String> {
        match self.peek() {
            Some(c) if c.is_ascii_digit() => Ok(Operand::Literal(self.literal(in_brackets)?)),
            Some(c) if c.is_ascii_alphabetic() => {
                let name = self.name();
                if name == "sgn" {
                    return Err("sgn() inside brackets".into());
                }
                named(&name)
            }
            Some(b'(') if in_brackets => Err("nested brackets".into()),
            Some(c) => Err(format!("unexpected `{}`", c as char)),
            None => Err("a factor is missing".into()),
        }
    }
}

/// A variable or dependency by name.
fn named(name: &str) -> Result<Operand, String> {
    Ok(match name {
        "x0" => Operand::Dep(Dependency::X0),
        "y0" => Operand::Dep(Dependency::Y0),
        "x1" => Operand::Var(Var::X1),
        "x2" => Operand::Var(Var::X2),
        "y1" => Operand::Var(Var::Y1),
        "y2" => Operand::Var(Var::Y2),
        "y3" => Operand::Var(Var::Y3),
        "w" => Operand::Var(Var::W),
        "d" => Operand::Var(Var::D),
        "t" => Operand::Var(Var::T),
        _ => match name.strip_prefix('u').map(str::as_bytes) {
            Some([k]) if k.is_ascii_digit() => Operand::Dep(Dependency::U { k: k - b'0' }),
            _ => {
                return Err(format!(
                    "unknown variable `{name}` (x0 y0 u0..u9 x1 x2 y1 y2 y3 w d t)"
                ))
            }
        },
    })
}

/// The integer value of a literal used as a constant (`mant · 2^exp`).
fn constant(l: Literal) -> Result<i32, String> {
    let v = if l.exp >= 0 {
        (l.exp <= 62)
            .then(|| l.mant.checked_mul(1i64 << l.exp))
            .flatten()
    } else if -l.exp > 62 {
        (l.mant == 0).then_some(0)
    } else {
        let d = 1i64 << -l.exp;
        (l.mant % d == 0).then(|| l.mant / d)
    };
    let v = v.ok_or_else(|| format!("constant {}*2^{} is not an integer", l.mant, l.exp))?;
    i32::try_from(v).map_err(|_| format!("constant {v} is too large"))
}

/// What a sign character means: `-` = negative, `+` or none = positive.
fn sign(c: &mut Cursor) -> bool {
    if c.eat(b'-') {
        true
    } else {
        c.eat(b'+');
        false
    }
}

/// `(...)` or `sgn(...)` (the cursor is past the `(`): returns the atom and
/// whether it negates the scale (`C - v`).
fn bracket(c: &mut Cursor, is_sgn: bool) -> Result<(Atom, bool), String> {
    let first_neg = sign(c);
    let first = c.operand(true)?;
    let second = if c.eat(b')') {
        None
    } else {
        let neg = match c.peek() {
            Some(b'+') | Some(b'-') => sign(c),
            Some(b'(') => return Err("nested brackets".into()),
            Some(b'*') => return Err("`*` inside brackets (Lava would read it as `+`)".into()),
            Some(x) => return Err(format!("unexpected `{}` inside brackets", x as char)),
            None => return Err("missing `)`".into()),
        };
        let op = c.operand(true)?;
        if !c.eat(b')') {
            return Err(match c.peek() {
                Some(b'(') => "nested brackets".into(),
                Some(_) => format!("bracket holds more than `v ± C`: `{}`", c.rest()),
                None => "missing `)`".into(),
            });
        }
        Some((neg, op))
    };
    let (var, var_neg, konst) = match (first, second) {
        (Operand::Literal(l), None) if !is_sgn => {
            let mant = if first_neg { -l.mant } else { l.mant };
            return Ok((Atom::Scale(Literal { mant, exp: l.exp }), false));
        }
        (Operand::Literal(_), None) => return Err("sgn() of a constant".into()),
        (Operand::Dep(_), None) => {
            return Err(
                "a dependency alone in brackets (Lava drops it); write x0 or (x0 + C)".into(),
            )
        }
        (Operand::Var(v), None) if first_neg => {
            return Err(format!(
                "(-{}) in brackets (Lava drops the minus); put the minus before the term",
                v.name()
            ))
        }
        (Operand::Var(v), None) => (v, false, 0),
        (v, Some((cneg, Operand::Literal(l)))) => {
            let k = constant(l)?;
            (factor_var(v)?, first_neg, if cneg { -k } else { k })
        }
        (Operand::Literal(l), Some((vneg, v))) => {
            let k = constant(l)?;
            (factor_var(v)?, vneg, if first_neg { -k } else { k })
        }
        _ => return Err("a bracket holds one variable and at most one constant".into()),
    };
    if is_sgn && var_neg {
        return Err("the variable in sgn() cannot be negative".into());
    }
    // -(v) ± C = -(v ∓ C): negate the constant, flip the scale.
    let konst = if var_neg {
        konst.checked_neg().ok_or("constant too large")?
    } else {
        konst
    };
    Ok((
        Atom::Factor(Factor {
            var,
            konst,
            sgn: is_sgn,
        }),
        var_neg,
    ))
}

/// The factor variable of a bracket operand (`x0`/`y0` become factors).
fn factor_var(o: Operand) -> Result<Var, String> {
    match o {
        Operand::Var(v) => Ok(v),
        Operand::Dep(Dependency::X0) => Ok(Var::X0),
        Operand::Dep(Dependency::Y0) => Ok(Var::Y0),
        Operand::Dep(Dependency::U { k }) => Err(format!("u{k} inside brackets")),
        Operand::Literal(_) => Err("a bracket holds one variable and at most one constant".into()),
    }
}

/// One atom at the cursor.
fn atom(c: &mut Cursor) -> Result<(Atom, bool), String> {
    if c.eat(b'(') {
        return bracket(c, false);
    }
    if c.s[c.i..].starts_with(b"sgn(") {
        c.i += 4;
        return bracket(c, true);
    }
    Ok((Atom::Operand(c.operand(false)?), false))
}

/// Compile one (space-free) term.
fn parse_term<const F: usize>(
    target: Target,
    negative: bool,
    s: &str,
) -> Result<Product<F>, String> {
    if s.is_empty() {
        return Err("empty term".into());
    }
    let mut c = Cursor {
        s: s.as_bytes(),
        i: 0,
    };
    let (mut mant, mut exp) = (if negative { -1i64 } else { 1 }, 0i64);
    let mut dep: Option<Dependency> = None;
    let mut factors: Vec<Factor> = Vec::new();
    loop {
        let (a, flip) = atom(&mut c)?;
        if flip {
            mant = -mant;
        }
        match a {
            Atom::Operand(Operand::Literal(l)) | Atom::Scale(l) => {
                mant = mant.checked_mul(l.mant).ok_or("scale too large")?;
                exp = exp.checked_add(l.exp).ok_or("exponent too large")?;
            }
            Atom::Operand(Operand::Dep(d)) => match (dep, d) {
                (None, d) => dep = Some(d),
                (Some(_), Dependency::U { k }) => {
                    return Err(format!(
                        "u{k} after another dependency (Lava ignores it); put it first"
                    ))
                }
                (Some(_), Dependency::X0) => factors.push(plain(Var::X0)),
                (Some(_), Dependency::Y0) => factors.push(plain(Var::Y0)),
            },
            Atom::Operand(Operand::Var(v)) => factors.push(plain(v)),
            Atom::Factor(f) => factors.push(f),
        }
        match c.peek() {
            None => break,
            Some(b'*') => {
                c.i += 1;
            }
            Some(x) => {
                return Err(format!(
                    "unexpected `{}` (terms are products joined by `*`)",
                    x as char
                ))
            }
        }
    }
    let dep = dep.ok_or("no dependency (x0, y0 or uk)")?;
    while mant.abs() > 7 && mant % 2 == 0 && exp < 8 {
        mant /= 2;
        exp += 1;
    }
    Product::new(target, dep, mant, exp, &factors).map_err(|e: RuleError| e.to_string())
}

fn plain(var: Var) -> Factor {
    Factor {
        var,
        konst: 0,
        sgn: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type R = Rule<16, 4>;

    fn one(text: &str) -> Product<4> {
        let r: R = parse_rule(Some(text), None, None).unwrap();
        assert_eq!(r.products().len(), 1, "{text}");
        r.products()[0].clone()
    }

    fn err(text: &str) -> String {
        parse_rule::<16, 4>(Some(text), None, None)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn stdp_as_lava_writes_it() {
        let r: R = parse_rule(
            Some("(1) * 2 ^ -2 * (-3) * x0 * y1 +(1) * 2 ^ -2 * (2) * y0 * x1"),
            None,
            None,
        )
        .unwrap();
        let p = r.products();
        assert_eq!((p[0].dep, p[0].mant, p[0].s_exp), (Dependency::X0, -3, 5));
        assert_eq!(p[0].factors.as_slice(), &[plain(Var::Y1)]);
        assert_eq!((p[1].dep, p[1].mant, p[1].s_exp), (Dependency::Y0, 2, 5));
        assert_eq!(p[1].factors.as_slice(), &[plain(Var::X1)]);
    }

    #[test]
    fn scales_normalise_like_lava() {
        let p = one("16*x0");
        assert_eq!((p.mant, p.s_exp), (4, 9));
        let p = one("-8*x0");
        assert_eq!((p.mant, p.s_exp), (-4, 8));
        let p = one("2^8*(-8)*x0");
        assert_eq!((p.mant, p.s_exp), (-8, 15));
        let p = one("-3*2^2*x0");
        assert_eq!((p.mant, p.s_exp), (-3, 9));
        let p = one("x0*(3*2^-2)");
        assert_eq!((p.mant, p.s_exp), (3, 5));
        assert!(err("9*x0").contains("mantissa 9"));
        assert!(err("2^9*x0").contains("exponent 9"));
        assert!(err("2^-8*x0").contains("exponent -8"));
    }

    #[test]
    fn brackets_and_signs() {
        let p = one("x0*(x1 + 3)");
        assert_eq!(
            p.factors[0],
            Factor {
                var: Var::X1,
                konst: 3,
                sgn: false
            }
        );
        assert_eq!(p.mant, 1);
        let p = one("x0*(3 - x1)");
        assert_eq!(
            p.factors[0],
            Factor {
                var: Var::X1,
                konst: -3,
                sgn: false
            }
        );
        assert_eq!(p.mant, -1);
        let p = one("y0*sgn(w - 2^3)");
        assert_eq!(
            p.factors[0],
            Factor {
                var: Var::W,
                konst: -8,
                sgn: true
            }
        );
        let p = one("x0 * y0 * (x0 + 1)");
        assert_eq!(p.dep, Dependency::X0);
        assert_eq!(
            p.factors.as_slice(),
            &[
                plain(Var::Y0),
                Factor {
                    var: Var::X0,
                    konst: 1,
                    sgn: false
                }
            ]
        );
    }

    #[test]
    fn three_factor_rule_from_lava() {
        let r: R = parse_rule(
            Some(" u0 * t * y2 "),
            None,
            Some("(1) * (-2) * x0 * y1 + (1) * (2) * y0 * x1 - u0 * t * (1) * 2 ^ -1"),
        )
        .unwrap();
        let p = r.products();
        assert_eq!(p.len(), 4);
        assert_eq!(
            (p[0].target, p[0].dep, p[0].mant, p[0].s_exp),
            (Target::Weight, Dependency::U { k: 0 }, 1, 7)
        );
        assert_eq!((p[3].target, p[3].mant, p[3].s_exp), (Target::Tag, -1, 6));
    }

    #[test]
    fn errors_name_the_term_and_reason() {
        assert_eq!(
            err("x0*y1 + 2^10*y0*x1"),
            "dw term 2 `2^10*y0*x1`: scaling exponent 10 is outside -7..=8"
        );
        assert!(err("x0*z1").contains("unknown variable `z1`"));
        assert!(err("x0*u10").contains("unknown variable `u10`"));
        assert!(err("x1*y1").contains("no dependency"));
        assert!(err("x0*u1").contains("after another dependency"));
        assert!(err("x0*(2*x1)").contains("`*` inside brackets"));
        assert!(err("x0*(-x1)").contains("drops the minus"));
        assert!(err("x0*(x0)").contains("dependency alone"));
        assert!(err("x0*((x1))").contains("nested"));
        assert!(err("x0*sgn(x1)").contains("only w, d and t"));
        assert!(err("x0*sgn(3 - w)").contains("cannot be negative"));
        assert!(err("x0*(x1 + 2^-1)").contains("not an integer"));
        assert!(err("x0*(x1 + 2").contains("missing `)`"));
        assert!(err("x0 y1").contains("unknown variable `x0y1`"));
        assert!(err("x0*2y1").contains("unexpected `y`"));
        assert!(err("x0*").contains("missing"));
        assert!(err("x0 + ").contains("empty term"));
        assert!(err("x0*4^2").contains("powers of 2"));
        let e = parse_rule::<16, 4>(Some("u0*x1"), None, Some("u1*x1")).unwrap_err();
        assert_eq!(e.target, "dt");
        assert!(e.reason.contains("same k"), "{e}");
        let e = parse_rule::<1, 4>(Some("x0 + y0"), None, None).unwrap_err();
        assert!(e.reason.contains("more than 1 products"), "{e}");
        let e = parse_rule::<4, 1>(Some("x0*x1*y1"), None, None).unwrap_err();
        assert!(e.reason.contains("more than 1 factors"), "{e}");
    }
}
