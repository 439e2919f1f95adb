//! A compiled learning rule: plain data the host's rule parser produces.
//!
//! A rule updates up to three synaptic variables, the weight `w` (`dw`), the
//! delay tag `d` (Lava's `tag_2`, `dd`) and the tag `t` (Lava's `tag_1`,
//! `dt`). Each update is a sum of products `mant · 2^(s_exp - 7) · dep ·
//! f1 · f2 · …`: a dependency (`x0`, `y0` or `uk`), then factors (traces,
//! synaptic variables, constants, `sgn(...)` of a synaptic variable), each
//! plus an optional constant. Products keep the order of the rule string:
//! the fixed-point accumulator saturates after every product, so the order
//! changes results.

use core::fmt;

/// The synaptic variable a product updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The weight `w` (`dw`).
    Weight,
    /// The delay tag `d`, Lava's `tag_2` (`dd`).
    Delay,
    /// The tag `t`, Lava's `tag_1` (`dt`).
    Tag,
}

impl Target {
    /// All targets, in the order the engine applies them.
    pub const ALL: [Target; 3] = [Target::Weight, Target::Delay, Target::Tag];

    /// The rule's name for the update (`dw`, `dd`, `dt`).
    pub const fn name(self) -> &'static str {
        match self {
            Target::Weight => "dw",
            Target::Delay => "dd",
            Target::Tag => "dt",
        }
    }
}

/// What gates a product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dependency {
    /// The pre-synaptic neuron spiked in the epoch.
    X0,
    /// The post-synaptic neuron spiked in the epoch.
    Y0,
    /// `uk`: 1 on epochs `e` with `e mod 2^k == 0`, for every synapse.
    U {
        /// The decimation exponent `k` (0..=9).
        k: u8,
    },
}

/// A factor's variable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// `x0` as a factor (1 if the pre neuron spiked).
    X0,
    /// `y0` as a factor.
    Y0,
    /// Pre-synaptic trace 1.
    X1,
    /// Pre-synaptic trace 2.
    X2,
    /// Post-synaptic trace 1.
    Y1,
    /// Post-synaptic trace 2.
    Y2,
    /// Post-synaptic trace 3.
    Y3,
    /// The weight.
    W,
    /// The delay tag (`tag_2`).
    D,
    /// The tag (`tag_1`).
    T,
    /// A constant (the factor's value is its constant).
    C,
}

impl Var {
    /// Signed width of the factor's operand: its value plus constant is
    /// clipped to `[-2^w, 2^w - 1]` (Lava's `FACTOR_TO_WIDTH_DICT`).
    pub const fn width(self) -> u32 {
        match self {
            Var::X0 | Var::Y0 => 1,
            Var::X1 | Var::X2 | Var::Y1 | Var::Y2 | Var::Y3 => 7,
            Var::W | Var::D | Var::T => 9,
            Var::C => 8,
        }
    }

    /// The rule-string name.
    pub const fn name(self) -> &'static str {
        match self {
            Var::X0 => "x0",
            Var::Y0 => "y0",
            Var::X1 => "x1",
            Var::X2 => "x2",
            Var::Y1 => "y1",
            Var::Y2 => "y2",
            Var::Y3 => "y3",
            Var::W => "w",
            Var::D => "d",
            Var::T => "t",
            Var::C => "C",
        }
    }

    /// True for the synaptic variables `w`, `d`, `t` (the only ones `sgn` takes).
    pub const fn is_synaptic(self) -> bool {
        matches!(self, Var::W | Var::D | Var::T)
    }
}

/// One factor: `var + konst`, or `sgn(var + konst)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Factor {
    /// The variable.
    pub var: Var,
    /// Added before clipping (0 if the rule gave none).
    pub konst: i32,
    /// Take the sign of `var + konst`.
    pub sgn: bool,
}

/// Why a product or rule is not valid firmware data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleError {
    /// The scaling mantissa is outside `-8..=7`.
    Mantissa(i64),
    /// The scaling exponent is outside `-7..=8` (`s_exp` outside `0..=15`).
    Exponent(i64),
    /// A `uk` dependency with `k > 9`.
    Decimation(u8),
    /// `sgn` of a variable other than `w`, `d`, `t`.
    SgnOf(Var),
    /// More factors in one product than the capacity.
    TooManyFactors(usize),
    /// More products than the capacity.
    TooManyProducts(usize),
    /// Products use different `uk` exponents (Lava has one per rule).
    MixedDecimation,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RuleError::Mantissa(m) => write!(f, "scaling mantissa {m} is outside -8..=7"),
            RuleError::Exponent(e) => write!(f, "scaling exponent {e} is outside -7..=8"),
            RuleError::Decimation(k) => write!(f, "u{k}: the decimation exponent is outside 0..=9"),
            RuleError::SgnOf(v) => {
                write!(f, "sgn() of `{}`: only w, d and t have a sign", v.name())
            }
            RuleError::TooManyFactors(n) => write!(f, "more than {n} factors in one product"),
            RuleError::TooManyProducts(n) => write!(f, "more than {n} products in the rule"),
            RuleError::MixedDecimation => {
                write!(f, "all uk dependencies of a rule must use the same k")
            }
        }
    }
}

/// One product with at most `F` factors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Product<const F: usize> {
    /// The variable it updates.
    pub target: Target,
    /// What gates it.
    pub dep: Dependency,
    /// Scaling mantissa, `-8..=7`.
    pub mant: i8,
    /// Scaling exponent plus 7, `0..=15`: the product is shifted left by it
    /// in accumulator units (7 fractional bits).
    pub s_exp: u8,
    /// The factors, in rule order.
    pub factors: heapless::Vec<Factor, F>,
}

impl<const F: usize> Product<F> {
    /// A checked product; `exp` is the scaling exponent (`mant · 2^exp` in
    /// weight units).
    pub fn new(
        target: Target,
        dep: Dependency,
        mant: i64,
        exp: i64,
        factors: &[Factor],
    ) -> Result<Self, RuleError> {
        if !(-8..=7).contains(&mant) {
            return Err(RuleError::Mantissa(mant));
        }
        if !(-7..=8).contains(&exp) {
            return Err(RuleError::Exponent(exp));
        }
        if let Dependency::U { k } = dep {
            if k > 9 {
                return Err(RuleError::Decimation(k));
            }
        }
        if let Some(f) = factors.iter().find(|f| f.sgn && !f.var.is_synaptic()) {
            return Err(RuleError::SgnOf(f.var));
        }
        let factors =
            heapless::Vec::from_slice(factors).map_err(|_| RuleError::TooManyFactors(F))?;
        Ok(Product {
            target,
            dep,
            mant: mant as i8,
            s_exp: (exp + 7) as u8,
            factors,
        })
    }

    /// The right shift that brings the product back to 15 bits before
    /// scaling: `max(0, Σ factor widths + 4 - 15)` (4 = the mantissa's width).
    pub fn width_shift(&self) -> u32 {
        let w: u32 = self.factors.iter().map(|f| f.var.width()).sum();
        (w + 4).saturating_sub(15)
    }
}

/// A whole rule: at most `P` products of at most `F` factors each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rule<const P: usize, const F: usize> {
    products: heapless::Vec<Product<F>, P>,
}

impl<const P: usize, const F: usize> Rule<P, F> {
    /// The empty rule (no variable learns).
    pub const fn new() -> Self {
        Rule {
            products: heapless::Vec::new(),
        }
    }

    /// Append a product; all `uk` products of a rule must share one `k`.
    pub fn push(&mut self, p: Product<F>) -> Result<(), RuleError> {
        if let Dependency::U { k } = p.dep {
            let clash = self
                .products
                .iter()
                .any(|q| matches!(q.dep, Dependency::U { k: k2 } if k2 != k));
            if clash {
                return Err(RuleError::MixedDecimation);
            }
        }
        self.products
            .push(p)
            .map_err(|_| RuleError::TooManyProducts(P))
    }

    /// Every product, in rule order.
    pub fn products(&self) -> &[Product<F>] {
        &self.products
    }

    /// True if some product updates `t`.
    pub fn updates(&self, t: Target) -> bool {
        self.products.iter().any(|p| p.target == t)
    }
}
