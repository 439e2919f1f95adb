//! Built-in architectures, embedded in the binary so a run never depends on
//! files next to the executable. Each TOML file under `presets/` says at its
//! top which figures are measurements and which are calibrations or guesses.

use crate::error::ArchError;
use crate::schema::Architecture;

/// (name, TOML text) in listing order: the generic default first, then the
/// real chips.
const PRESETS: &[(&str, &str)] = &[
    ("default", include_str!("../presets/default.toml")),
    ("loihi", include_str!("../presets/loihi.toml")),
    ("loihi-sanafe", include_str!("../presets/loihi-sanafe.toml")),
    ("truenorth", include_str!("../presets/truenorth.toml")),
    ("spinnaker", include_str!("../presets/spinnaker.toml")),
    ("xylo", include_str!("../presets/xylo.toml")),
];

const NAMES: &[&str] = &[
    "default",
    "loihi",
    "loihi-sanafe",
    "truenorth",
    "spinnaker",
    "xylo",
];

/// Names of the built-in presets, in listing order (for `arch list` and error hints).
pub fn preset_names() -> &'static [&'static str] {
    NAMES
}

/// The embedded TOML text of a preset, so a user can dump it and edit a copy.
pub fn preset_source(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// A built-in architecture, parsed and validated (origin `preset:NAME`).
pub fn preset(name: &str) -> Result<Architecture, ArchError> {
    let src = preset_source(name).ok_or_else(|| ArchError::UnknownPreset {
        name: name.to_string(),
        known: NAMES.iter().map(|s| s.to_string()).collect(),
    })?;
    crate::parse(src, &format!("preset:{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_table() {
        let table: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
        assert_eq!(table, NAMES);
    }
}
