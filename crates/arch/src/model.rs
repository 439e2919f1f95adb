//! The model table: which neuron models a core may run, and their facts.
//!
//! A model's name, channel count and supported register widths are stated once, beside its
//! code in the firmware ([`neurochip_firmware::ModelInfo`], from the `NeuronModel`
//! constants). The built-in models are in the table from the start; a model written outside
//! this repository is added with [`register`] (the simulator's `register::<M>()` does it)
//! before an architecture naming it is parsed. [`ModelKind`] is a name found in the table,
//! so every fact validation needs is one lookup away.

use std::sync::{LazyLock, RwLock};

use neurochip_firmware::models::BUILTIN;
use neurochip_firmware::{ModelInfo, NeuronModel};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The neuron model a core's firmware runs: the name of an entry of the model table.
///
/// Built-in models have constants (`ModelKind::Lif`, …); any other name comes from the table
/// ([`ModelKind::named`], [`ModelKind::of`]) or from an architecture file.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelKind(&'static str);

macro_rules! kinds {
    ($($v:ident => $t:ty),* $(,)?) => {
        #[allow(non_upper_case_globals)]
        impl ModelKind {
            $(
                #[doc = concat!("The built-in `", stringify!($t), "` model.")]
                pub const $v: ModelKind = ModelKind(<$t as NeuronModel>::NAME);
            )*
        }
    };
}
neurochip_firmware::builtin_models!(kinds);

/// Why a model could not be added to the table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// Another model already uses the name with different facts.
    #[error("model {name:?} is already registered with different facts ({existing:?})")]
    Conflict {
        /// The name.
        name: &'static str,
        /// What the table holds under it.
        existing: ModelInfo,
    },
    /// The name is not usable in an architecture file.
    #[error("model name {name:?} must be non-empty lowercase ASCII letters, digits and '_'")]
    BadName {
        /// The name.
        name: &'static str,
    },
}

static TABLE: LazyLock<RwLock<Vec<ModelInfo>>> = LazyLock::new(|| RwLock::new(BUILTIN.to_vec()));

fn table() -> std::sync::RwLockReadGuard<'static, Vec<ModelInfo>> {
    // The table only grows by whole entries, so a poisoned lock still holds a valid table.
    TABLE.read().unwrap_or_else(|e| e.into_inner())
}

/// Adds a model to the table (idempotent for the same facts) and returns its kind.
pub fn register(info: ModelInfo) -> Result<ModelKind, RegisterError> {
    let ok_name = !info.name.is_empty()
        && info
            .name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok_name {
        return Err(RegisterError::BadName { name: info.name });
    }
    let mut t = TABLE.write().unwrap_or_else(|e| e.into_inner());
    match t.iter().find(|m| m.name == info.name) {
        Some(m) if *m == info => {}
        Some(m) => {
            return Err(RegisterError::Conflict {
                name: info.name,
                existing: *m,
            })
        }
        None => t.push(info),
    }
    Ok(ModelKind(info.name))
}

/// Every model in the table, built-ins first, then in registration order.
pub fn models() -> Vec<ModelInfo> {
    table().clone()
}

impl ModelKind {
    /// The kind of model `M`, adding it to the table if needed.
    pub fn of<M: NeuronModel>() -> Result<ModelKind, RegisterError> {
        register(M::INFO)
    }

    /// The model of that name, if it is in the table.
    pub fn named(name: &str) -> Option<ModelKind> {
        table()
            .iter()
            .find(|m| m.name == name)
            .map(|m| ModelKind(m.name))
    }

    /// Name as written in TOML and reports.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// The model's facts.
    pub fn info(self) -> ModelInfo {
        // A ModelKind is only made from a table entry, and entries are never removed.
        *table()
            .iter()
            .find(|m| m.name == self.0)
            .expect("a ModelKind names an entry of the model table")
    }

    /// Membrane-register widths the firmware model implements bit-exactly.
    pub fn state_bits_range(self) -> std::ops::RangeInclusive<u32> {
        let b = self.info().state_bits;
        b.min..=b.max
    }

    /// Synaptic input channels (synapse types) of the model: the channel field
    /// of a synapse word must be able to name each of them.
    pub fn channels(self) -> u32 {
        u32::from(self.info().channels)
    }

    /// Bits needed to name every channel: `ceil(log2(channels))`.
    pub fn channel_bits_needed(self) -> u32 {
        bits_for(self.channels())
    }
}

/// `ceil(log2(n))` for n ≥ 1 (0 for n = 1).
pub(crate) fn bits_for(n: u32) -> u32 {
    if n <= 1 {
        0
    } else {
        32 - (n - 1).leading_zeros()
    }
}

impl std::fmt::Debug for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for ModelKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for ModelKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        ModelKind::named(&name).ok_or_else(|| {
            let known: Vec<String> = table().iter().map(|m| format!("`{}`", m.name)).collect();
            serde::de::Error::custom(format!(
                "unknown variant `{name}`, expected one of {} (a model outside this list must be registered by the program that runs it)",
                known.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::bits_for;

    #[test]
    fn bits_for_is_ceil_log2() {
        for n in 1u32..5000 {
            let b = bits_for(n);
            assert!(u64::from(n) <= 1u64 << b, "n={n} b={b}");
            if b > 0 {
                assert!(u64::from(n) > 1u64 << (b - 1), "n={n} b={b}");
            }
        }
    }
}
