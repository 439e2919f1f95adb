//! `--arch` specs: a preset or file, plus overrides for parameter sweeps.
//!
//! Grammar: `BASE` or `BASE:path=value,path=value,...`, where `BASE` is a
//! preset name or a path ending in `.toml`. Overrides are applied to the TOML
//! tree before deserialising, so an overridden value goes through exactly the
//! same type checks and validation as one written in the file. A path must
//! name a field of the schema (including fields the file leaves at their
//! default, such as `topology.chips_x`); the value is read as a TOML scalar
//! (integer, float, boolean) and otherwise taken as a string, so
//! `router.routing=multicast` needs no quotes.

use std::path::Path;

use crate::error::ArchError;
use crate::schema::Architecture;

/// One parsed `path=value` item.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// Dotted field path, e.g. `core.synapse_memory.words`.
    pub path: String,
    /// The value as a TOML scalar.
    pub value: toml::Value,
}

/// Resolves an `--arch` spec to a validated architecture.
pub fn resolve(spec: &str) -> Result<Architecture, ArchError> {
    let (base, overrides) = split_spec(spec);
    let is_file = base.ends_with(".toml");
    let Some(overrides) = overrides else {
        return if is_file {
            crate::load(Path::new(base))
        } else {
            crate::preset(base)
        };
    };
    let (src, base_origin) = if is_file {
        let src = std::fs::read_to_string(base).map_err(|source| ArchError::Io {
            path: base.into(),
            source,
        })?;
        (std::borrow::Cow::Owned(src), base.to_string())
    } else {
        let src = crate::preset_source(base).ok_or_else(|| ArchError::UnknownPreset {
            name: base.to_string(),
            known: crate::preset_names()
                .iter()
                .map(|s| s.to_string())
                .collect(),
        })?;
        (std::borrow::Cow::Borrowed(src), format!("preset:{base}"))
    };
    let origin = format!("{base_origin}[{overrides}]");
    let items = parse_overrides(overrides, &origin)?;
    // Deserialise the base once to learn every field path, defaults included.
    let mut base_arch = crate::deserialize_str(&src, &base_origin)?;
    // An unset optional field is not serialised; give it a value so its path is known.
    let t = &mut base_arch.topology;
    t.max_chips_x.get_or_insert(t.chips_x);
    t.max_chips_y.get_or_insert(t.chips_y);
    let mut tree: toml::Value = toml::from_str::<toml::Table>(&src)
        .map(toml::Value::Table)
        .map_err(|e| ArchError::Parse {
            origin: base_origin.clone(),
            field: "(top level)".into(),
            reason: e.message().replace('\n', " "),
        })?;
    let known = toml::Value::try_from(&base_arch).map_err(|e| ArchError::Invalid {
        origin: base_origin.clone(),
        field: "(top level)".into(),
        reason: format!("cannot re-serialise: {e}"),
    })?;
    for item in &items {
        check_path(&known, &item.path, &origin)?;
        set_path(&mut tree, &item.path, item.value.clone());
    }
    let arch = crate::deserialize_value(tree, &origin).map_err(|e| match e {
        ArchError::Parse {
            origin,
            field,
            reason,
        } if items.iter().any(|i| i.path == field) => ArchError::BadOverride {
            origin,
            field,
            reason,
        },
        other => other,
    })?;
    arch.validate(&origin)?;
    Ok(arch)
}

/// Splits `BASE[:overrides]`. A `.toml:` boundary wins so a path containing a
/// colon elsewhere still works; otherwise the first colon separates.
fn split_spec(spec: &str) -> (&str, Option<&str>) {
    if let Some(i) = spec.find(".toml:") {
        let cut = i + ".toml".len();
        return (&spec[..cut], Some(&spec[cut + 1..]));
    }
    if spec.ends_with(".toml") {
        return (spec, None);
    }
    match spec.split_once(':') {
        Some((b, o)) => (b, Some(o)),
        None => (spec, None),
    }
}

/// Parses `path=value,path=value`; `origin` is used for errors.
pub fn parse_overrides(list: &str, origin: &str) -> Result<Vec<Override>, ArchError> {
    let bad = |field: &str, reason: String| ArchError::BadOverride {
        origin: origin.to_string(),
        field: field.to_string(),
        reason,
    };
    if list.trim().is_empty() {
        return Err(bad(
            "(overrides)",
            "empty override list after ':' (expected field.path=value,...)".into(),
        ));
    }
    let mut out = Vec::new();
    for item in list.split(',') {
        let item = item.trim();
        let Some((path, value)) = item.split_once('=') else {
            return Err(bad(
                item,
                format!("`{item}` has no `=` (expected field.path=value)"),
            ));
        };
        let path = path.trim();
        if path.is_empty() || path.split('.').any(|s| s.trim().is_empty()) {
            return Err(bad(
                path,
                format!("`{item}` has an empty field name (expected field.path=value)"),
            ));
        }
        let value = value.trim();
        if value.is_empty() {
            return Err(bad(path, "empty value".into()));
        }
        out.push(Override {
            path: path.to_string(),
            value: parse_scalar(value),
        });
    }
    Ok(out)
}

/// Reads a TOML scalar (int, float, bool, quoted string); anything else is a
/// bare string, so enum values need no quotes.
pub fn parse_scalar(s: &str) -> toml::Value {
    if let Ok(t) = toml::from_str::<toml::Table>(&format!("v = {s}")) {
        if let Some(v) = t.get("v") {
            if matches!(
                v,
                toml::Value::Integer(_)
                    | toml::Value::Float(_)
                    | toml::Value::Boolean(_)
                    | toml::Value::String(_)
            ) {
                return v.clone();
            }
        }
    }
    toml::Value::String(s.to_string())
}

/// The path must reach a leaf of the schema (as re-serialised from the base).
fn check_path(known: &toml::Value, path: &str, origin: &str) -> Result<(), ArchError> {
    let mut node = known;
    let mut walked = String::new();
    for seg in path.split('.') {
        let seg = seg.trim();
        let toml::Value::Table(t) = node else {
            return Err(ArchError::BadOverride {
                origin: origin.to_string(),
                field: path.to_string(),
                reason: format!("`{walked}` is a value, not a table"),
            });
        };
        let Some(next) = t.get(seg) else {
            let keys: Vec<&str> = t.keys().map(String::as_str).collect();
            let parent = if walked.is_empty() {
                "the top level".to_string()
            } else {
                format!("`{walked}`")
            };
            return Err(ArchError::BadOverride {
                origin: origin.to_string(),
                field: path.to_string(),
                reason: format!(
                    "unknown field `{seg}` in {parent} (known: {})",
                    keys.join(", ")
                ),
            });
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(seg);
        node = next;
    }
    if let toml::Value::Table(t) = node {
        let keys: Vec<&str> = t.keys().map(String::as_str).collect();
        return Err(ArchError::BadOverride {
            origin: origin.to_string(),
            field: path.to_string(),
            reason: format!(
                "is a table; override one of its fields ({})",
                keys.join(", ")
            ),
        });
    }
    Ok(())
}

/// Sets a leaf, creating missing tables (a field left at its default has no key yet).
fn set_path(tree: &mut toml::Value, path: &str, value: toml::Value) {
    let segs: Vec<&str> = path.split('.').map(str::trim).collect();
    let mut node = tree;
    for seg in &segs[..segs.len() - 1] {
        let toml::Value::Table(t) = node else { return };
        node = t
            .entry(seg.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    }
    if let toml::Value::Table(t) = node {
        t.insert(segs[segs.len() - 1].to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_forms() {
        assert_eq!(split_spec("loihi"), ("loihi", None));
        assert_eq!(split_spec("a/b.toml"), ("a/b.toml", None));
        assert_eq!(split_spec("loihi:x=1"), ("loihi", Some("x=1")));
        assert_eq!(split_spec("d:ir/b.toml:x=1"), ("d:ir/b.toml", Some("x=1")));
    }

    #[test]
    fn scalars() {
        assert_eq!(parse_scalar("12"), toml::Value::Integer(12));
        assert_eq!(parse_scalar("1_000"), toml::Value::Integer(1000));
        assert_eq!(parse_scalar("2.5"), toml::Value::Float(2.5));
        assert_eq!(parse_scalar("true"), toml::Value::Boolean(true));
        assert_eq!(
            parse_scalar("multicast"),
            toml::Value::String("multicast".into())
        );
        assert_eq!(parse_scalar("\"a b\""), toml::Value::String("a b".into()));
        assert_eq!(parse_scalar("[1]"), toml::Value::String("[1]".into()));
    }
}
