//! Semantic checks on a parsed [`Network`].
//!
//! Deserialisation only checks shape; everything that would make expansion
//! or mapping misbehave (dangling names, impossible degrees, NaNs) is caught
//! here, once, with the field path of the offending value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::schema::{
    Connect, Distribution, Init, Network, NeuronParams, Population, Projection, Stimulus,
};
use crate::NetError;

/// Largest delay in steps (delays are stored in a u8).
pub const MAX_DELAY: u32 = 255;

type R = Result<(), NetError>;

struct Ctx<'a> {
    origin: &'a str,
    base: Option<PathBuf>,
    pops: BTreeMap<&'a str, usize>,
    names: String,
}

impl Ctx<'_> {
    fn err(&self, field: impl Into<String>, reason: impl Into<String>) -> NetError {
        NetError::invalid(self.origin, field, reason)
    }

    fn finite(&self, field: &str, v: f64) -> R {
        if v.is_finite() {
            Ok(())
        } else {
            Err(self.err(field, format!("must be a finite number, got {v}")))
        }
    }

    fn positive(&self, field: &str, v: f64) -> R {
        self.finite(field, v)?;
        if v > 0.0 {
            Ok(())
        } else {
            Err(self.err(field, format!("must be > 0, got {v}")))
        }
    }

    fn non_negative(&self, field: &str, v: f64) -> R {
        self.finite(field, v)?;
        if v >= 0.0 {
            Ok(())
        } else {
            Err(self.err(field, format!("must be >= 0, got {v}")))
        }
    }

    fn init(&self, field: &str, v: &Init) -> R {
        match v {
            Init::Constant(c) => self.finite(field, *c),
            Init::Dist(Distribution::Uniform { low, high }) => {
                self.finite(&format!("{field}.low"), *low)?;
                self.finite(&format!("{field}.high"), *high)?;
                if low < high {
                    Ok(())
                } else {
                    Err(self.err(
                        format!("{field}.low"),
                        format!("uniform needs low < high, got low = {low}, high = {high}"),
                    ))
                }
            }
            Init::Dist(Distribution::Normal { mean, std }) => {
                self.finite(&format!("{field}.mean"), *mean)?;
                self.non_negative(&format!("{field}.std"), *std)
            }
        }
    }

    /// Index of the population called `name`, or an error listing the names.
    fn pop(&self, field: &str, name: &str) -> Result<usize, NetError> {
        self.pops.get(name).copied().ok_or_else(|| {
            self.err(
                field,
                format!("no population named {name:?} (have: {})", self.names),
            )
        })
    }

    fn delay(&self, field: &str, d: u32) -> R {
        if (1..=MAX_DELAY).contains(&d) {
            Ok(())
        } else {
            Err(self.err(
                field,
                format!("delay must be in 1..={MAX_DELAY} steps, got {d}"),
            ))
        }
    }
}

impl Network {
    /// Check every semantic rule; `origin` names the network in errors and its
    /// parent directory anchors relative spike-file paths.
    pub fn validate(&self, origin: &str) -> Result<(), NetError> {
        let base = Path::new(origin)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        self.validate_in(origin, &base)
    }

    /// Like [`Network::validate`] with an explicit base directory for spike files
    /// (for networks built in memory whose origin is not a path).
    pub fn validate_in(&self, origin: &str, base_dir: &Path) -> Result<(), NetError> {
        self.check(origin, Some(base_dir))
    }

    /// Every rule except those needing the file system (spike files), i.e.
    /// exactly what expansion relies on to never index out of range.
    pub fn check_structure(&self, origin: &str) -> Result<(), NetError> {
        self.check(origin, None)
    }

    fn check(&self, origin: &str, base_dir: Option<&Path>) -> Result<(), NetError> {
        let mut ctx = Ctx {
            origin,
            base: base_dir.map(Path::to_path_buf),
            pops: BTreeMap::new(),
            names: String::new(),
        };
        if self.name.trim().is_empty() {
            return Err(ctx.err("name", "must not be empty"));
        }
        ctx.positive("dt_ms", self.dt_ms)?;
        if self.populations.is_empty() {
            return Err(ctx.err("populations", "need at least one population"));
        }
        let mut total: u64 = 0;
        for (i, p) in self.populations.iter().enumerate() {
            let f = format!("populations[{i}]");
            if p.name.trim().is_empty() {
                return Err(ctx.err(format!("{f}.name"), "must not be empty"));
            }
            if let Some(prev) = ctx.pops.insert(&p.name, i) {
                return Err(ctx.err(
                    format!("{f}.name"),
                    format!(
                        "duplicate population name {:?} (also populations[{prev}])",
                        p.name
                    ),
                ));
            }
            if p.size == 0 {
                return Err(ctx.err(format!("{f}.size"), "must be > 0"));
            }
            total += u64::from(p.size);
            if total > u64::from(u32::MAX) {
                return Err(ctx.err(format!("{f}.size"), "total neuron count exceeds 2^32 - 1"));
            }
            neuron(&ctx, &format!("{f}.neuron"), p)?;
        }
        ctx.names = self
            .populations
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        for (i, pr) in self.projections.iter().enumerate() {
            projection(&ctx, &format!("projections[{i}]"), pr, &self.populations)?;
        }
        for (i, s) in self.stimuli.iter().enumerate() {
            stimulus(&ctx, &format!("stimuli[{i}]"), s, &self.populations)?;
        }
        for (i, pb) in self.probes.iter().enumerate() {
            let f = format!("probes[{i}]");
            let p = ctx.pop(&format!("{f}.population"), &pb.population)?;
            let size = self.populations[p].size;
            if let Some(ns) = &pb.neurons {
                if let Some((j, &n)) = ns.iter().enumerate().find(|(_, &n)| n >= size) {
                    return Err(ctx.err(
                        format!("{f}.neurons[{j}]"),
                        format!(
                            "neuron {n} out of range (population {:?} has {size})",
                            pb.population
                        ),
                    ));
                }
            }
            if let Some(j) = pb.states.iter().position(|s| s.trim().is_empty()) {
                return Err(ctx.err(format!("{f}.states[{j}]"), "must not be empty"));
            }
        }
        Ok(())
    }
}

fn neuron(ctx: &Ctx, f: &str, p: &Population) -> R {
    match &p.neuron {
        NeuronParams::Lif {
            tau_m_ms,
            v_rest_mv,
            v_thresh_mv,
            v_reset_mv,
            t_ref_ms,
            tau_syn_e_ms,
            tau_syn_i_ms,
            bias_mv,
            v_init,
            ..
        } => {
            if let Some(t) = tau_m_ms {
                ctx.positive(&format!("{f}.tau_m_ms"), *t)?;
            }
            ctx.finite(&format!("{f}.v_rest_mv"), *v_rest_mv)?;
            ctx.finite(&format!("{f}.v_thresh_mv"), *v_thresh_mv)?;
            ctx.finite(&format!("{f}.v_reset_mv"), *v_reset_mv)?;
            if v_thresh_mv <= v_reset_mv {
                return Err(ctx.err(
                    format!("{f}.v_thresh_mv"),
                    format!("threshold must be > reset, got {v_thresh_mv} <= {v_reset_mv}"),
                ));
            }
            ctx.non_negative(&format!("{f}.t_ref_ms"), *t_ref_ms)?;
            if let Some(t) = tau_syn_e_ms {
                ctx.positive(&format!("{f}.tau_syn_e_ms"), *t)?;
            }
            if let Some(t) = tau_syn_i_ms {
                ctx.positive(&format!("{f}.tau_syn_i_ms"), *t)?;
            }
            ctx.finite(&format!("{f}.bias_mv"), *bias_mv)?;
            ctx.init(&format!("{f}.v_init"), v_init)
        }
        NeuronParams::LoihiLif {
            du,
            dv,
            vth,
            bias_mant,
            bias_exp,
            weight_exp,
        } => {
            // State registers are 24-bit: a larger shift only ever zeroes or
            // saturates, and shifts >= 32 would be undefined in the firmware.
            for (name, v) in [("bias_exp", *bias_exp), ("weight_exp", *weight_exp)] {
                if !(-24..=24).contains(&v) {
                    return Err(ctx.err(
                        format!("{f}.{name}"),
                        format!("must be in -24..=24 (shift of a 24-bit register), got {v}"),
                    ));
                }
            }
            for (name, v) in [("du", *du), ("dv", *dv)] {
                if v > 4095 {
                    return Err(ctx.err(
                        format!("{f}.{name}"),
                        format!("must be in 0..=4095 (12-bit decay), got {v}"),
                    ));
                }
            }
            if *vth >= 1 << 17 {
                return Err(ctx.err(
                    format!("{f}.vth"),
                    format!("must be < 2^17 (17-bit mantissa), got {vth}"),
                ));
            }
            if !(-4096..=4095).contains(bias_mant) {
                return Err(ctx.err(
                    format!("{f}.bias_mant"),
                    format!("must be in -4096..=4095 (signed 13-bit), got {bias_mant}"),
                ));
            }
            Ok(())
        }
        NeuronParams::SanafeLif {
            leak,
            threshold,
            reset,
            bias,
        } => {
            ctx.non_negative(&format!("{f}.leak"), *leak)?;
            ctx.finite(&format!("{f}.threshold"), *threshold)?;
            ctx.finite(&format!("{f}.reset"), *reset)?;
            if threshold <= reset {
                return Err(ctx.err(
                    format!("{f}.threshold"),
                    format!("threshold must be > reset, got {threshold} <= {reset}"),
                ));
            }
            ctx.init(&format!("{f}.bias"), bias)
        }
        NeuronParams::Model { model, params } => {
            let named = !model.is_empty()
                && model
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !named {
                return Err(ctx.err(
                    format!("{f}.model"),
                    format!("{model:?} is not a model name (lowercase letters, digits, '_')"),
                ));
            }
            for (name, v) in params {
                ctx.init(&format!("{f}.params.{name}"), v)?;
            }
            Ok(())
        }
    }
}

fn projection(ctx: &Ctx, f: &str, pr: &Projection, pops: &[Population]) -> R {
    let src = pops[ctx.pop(&format!("{f}.from"), &pr.from)?].size;
    let dst = pops[ctx.pop(&format!("{f}.to"), &pr.to)?].size;
    ctx.init(&format!("{f}.weight"), &pr.weight)?;
    ctx.delay(&format!("{f}.delay"), pr.delay)?;
    let c = format!("{f}.connect");
    match &pr.connect {
        Connect::AllToAll { .. } => Ok(()),
        Connect::OneToOne => {
            if src == dst {
                Ok(())
            } else {
                Err(ctx.err(
                    format!("{c}.rule"),
                    format!("one_to_one needs equal sizes, got {src} -> {dst}"),
                ))
            }
        }
        Connect::FixedProbability { p, .. } => {
            if p.is_finite() && (0.0..=1.0).contains(p) {
                Ok(())
            } else {
                Err(ctx.err(format!("{c}.p"), format!("must be in [0, 1], got {p}")))
            }
        }
        Connect::FixedInDegree { k } => {
            if *k <= src {
                Ok(())
            } else {
                Err(ctx.err(
                    format!("{c}.k"),
                    format!(
                        "in-degree {k} exceeds source population {:?} size {src} (sources are drawn without replacement)",
                        pr.from
                    ),
                ))
            }
        }
        Connect::FixedOutDegree { k } => {
            if *k <= dst {
                Ok(())
            } else {
                Err(ctx.err(
                    format!("{c}.k"),
                    format!(
                        "out-degree {k} exceeds target population {:?} size {dst} (targets are drawn without replacement)",
                        pr.to
                    ),
                ))
            }
        }
        Connect::List {
            pairs,
            weights,
            delays,
        } => {
            for (j, &(s, t)) in pairs.iter().enumerate() {
                if s >= src {
                    return Err(ctx.err(
                        format!("{c}.pairs[{j}]"),
                        format!(
                            "source index {s} out of range (population {:?} has {src})",
                            pr.from
                        ),
                    ));
                }
                if t >= dst {
                    return Err(ctx.err(
                        format!("{c}.pairs[{j}]"),
                        format!(
                            "target index {t} out of range (population {:?} has {dst})",
                            pr.to
                        ),
                    ));
                }
            }
            if !weights.is_empty() && weights.len() != pairs.len() {
                return Err(ctx.err(
                    format!("{c}.weights"),
                    format!(
                        "has {} entries but pairs has {} (must match or be empty)",
                        weights.len(),
                        pairs.len()
                    ),
                ));
            }
            if !delays.is_empty() && delays.len() != pairs.len() {
                return Err(ctx.err(
                    format!("{c}.delays"),
                    format!(
                        "has {} entries but pairs has {} (must match or be empty)",
                        delays.len(),
                        pairs.len()
                    ),
                ));
            }
            for (j, w) in weights.iter().enumerate() {
                ctx.finite(&format!("{c}.weights[{j}]"), *w)?;
            }
            for (j, d) in delays.iter().enumerate() {
                ctx.delay(&format!("{c}.delays[{j}]"), *d)?;
            }
            Ok(())
        }
    }
}

fn check_spikes(ctx: &Ctx, f: &str, spikes: &[(u32, u32)], target: &str, size: u32) -> R {
    if let Some((j, &(_, n))) = spikes.iter().enumerate().find(|(_, &(_, n))| n >= size) {
        return Err(ctx.err(
            format!("{f}[{j}]"),
            format!("neuron {n} out of range (population {target:?} has {size})"),
        ));
    }
    Ok(())
}

fn stimulus(ctx: &Ctx, f: &str, s: &Stimulus, pops: &[Population]) -> R {
    match s {
        Stimulus::Poisson {
            target,
            rate_hz,
            weight,
            ..
        } => {
            ctx.pop(&format!("{f}.target"), target)?;
            ctx.non_negative(&format!("{f}.rate_hz"), *rate_hz)?;
            ctx.finite(&format!("{f}.weight"), *weight)
        }
        Stimulus::SpikeFile {
            target,
            path,
            weight,
            ..
        } => {
            let size = pops[ctx.pop(&format!("{f}.target"), target)?].size;
            ctx.finite(&format!("{f}.weight"), *weight)?;
            let Some(base) = &ctx.base else {
                return Ok(());
            };
            let full = base.join(path);
            if !full.is_file() {
                return Err(ctx.err(
                    format!("{f}.path"),
                    format!("spike file {} does not exist", full.display()),
                ));
            }
            let spikes = crate::read_spike_csv(&full)
                .map_err(|e| ctx.err(format!("{f}.path"), e.to_string()))?;
            check_spikes(ctx, &format!("{f}.path rows"), &spikes, target, size)
        }
        Stimulus::SpikeArray {
            target,
            spikes,
            weight,
            ..
        } => {
            let size = pops[ctx.pop(&format!("{f}.target"), target)?].size;
            ctx.finite(&format!("{f}.weight"), *weight)?;
            check_spikes(ctx, &format!("{f}.spikes"), spikes, target, size)
        }
    }
}
