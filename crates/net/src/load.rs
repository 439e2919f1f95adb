//! Reading network files (TOML / JSON) and resolving `builtin:` specs.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::one_line;
use crate::schema::Network;
use crate::NetError;

/// Serialisation formats a network file may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// TOML (`.toml`), the hand-written form.
    Toml,
    /// JSON (`.json`), the machine-generated form.
    Json,
}

impl Format {
    /// Pick the format from a file extension, so callers need not match strings.
    pub fn from_path(path: &Path) -> Result<Format, NetError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "toml" => Ok(Format::Toml),
            "json" => Ok(Format::Json),
            _ => Err(NetError::UnsupportedFormat {
                origin: path.display().to_string(),
                ext,
            }),
        }
    }
}

/// Read, parse and validate a network file; the extension picks the format.
///
/// Relative `spike_file` paths are resolved against the file's directory.
pub fn load(path: &Path) -> Result<Network, NetError> {
    let format = Format::from_path(path)?;
    let origin = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|e| NetError::Io {
        path: origin.clone(),
        reason: one_line(&e.to_string()),
    })?;
    parse(&src, &origin, format)
}

/// Parse and validate a network held in memory; `origin` names it in errors
/// and its parent directory anchors relative spike-file paths.
pub fn parse(src: &str, origin: &str, format: Format) -> Result<Network, NetError> {
    let net: Network = match format {
        Format::Toml => toml::from_str(src).map_err(|e| toml_error(src, origin, &e))?,
        Format::Json => serde_json::from_str(src).map_err(|e| json_error(origin, &e))?,
    };
    net.validate(origin)?;
    Ok(net)
}

/// Resolve a user spec: `builtin:NAME`, `builtin:NAME:k=v,k=v`, or a file path.
pub fn resolve(spec: &str) -> Result<Network, NetError> {
    let Some(rest) = spec.strip_prefix("builtin:") else {
        return load(Path::new(spec));
    };
    let (name, args) = match rest.split_once(':') {
        Some((n, a)) => (n, a),
        None => (rest, ""),
    };
    let mut params = BTreeMap::new();
    for piece in args.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = piece.split_once('=') else {
            return Err(NetError::BuiltinParam {
                builtin: name.to_string(),
                param: piece.to_string(),
                reason: "expected key=value".into(),
            });
        };
        let k = k.trim().to_string();
        if params.insert(k.clone(), v.trim().to_string()).is_some() {
            return Err(NetError::BuiltinParam {
                builtin: name.to_string(),
                param: k,
                reason: "given more than once".into(),
            });
        }
    }
    crate::builtins::builtin(name, &params)
}

/// 1-based (line, column) of a byte offset.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The `[[array]]` / `[table]` header enclosing `line`, as a field path
/// (`populations[1]`, `populations[0].neuron`), so TOML errors point at an item.
fn toml_table_path(src: &str, line: usize) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut current: Option<String> = None;
    // Path of the most recent array-of-tables element per array name.
    let mut last_elem: BTreeMap<String, String> = BTreeMap::new();
    for (i, raw) in src.lines().enumerate() {
        if i + 1 > line {
            break;
        }
        let l = raw.trim();
        if let Some(name) = l.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_string();
            let n = counts.entry(name.clone()).or_insert(0);
            let path = format!("{}[{}]", dotted(&name, &last_elem), *n);
            *n += 1;
            last_elem.insert(name, path.clone());
            current = Some(path);
        } else if let Some(name) = l.strip_prefix('[').and_then(|r| r.split(']').next()) {
            current = Some(dotted(name.trim(), &last_elem));
        }
    }
    current
}

/// Rewrite `populations.neuron` as `populations[i].neuron` using the latest
/// element index of each enclosing array of tables.
fn dotted(name: &str, last_elem: &BTreeMap<String, String>) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    for cut in (1..parts.len()).rev() {
        let prefix = parts[..cut].join(".");
        if let Some(p) = last_elem.get(&prefix) {
            return format!("{}.{}", p, parts[cut..].join("."));
        }
    }
    name.to_string()
}

fn hint(msg: &str) -> String {
    let mut m = one_line(msg);
    if m.contains("untagged enum Init") {
        m.push_str(
            " (expected a number, {dist = \"uniform\", low, high} or {dist = \"normal\", mean, std})",
        );
    }
    m
}

fn toml_error(src: &str, origin: &str, e: &toml::de::Error) -> NetError {
    let (line, column) = e.span().map_or((0, 0), |s| line_col(src, s.start));
    let at = if line > 0 {
        format!("line {line}, column {column}")
    } else {
        "unknown position".to_string()
    };
    let location = match toml_table_path(src, line) {
        Some(p) if line > 0 => format!("{p} ({at})"),
        _ => at,
    };
    NetError::Syntax {
        origin: origin.to_string(),
        location,
        line,
        column,
        reason: hint(e.message()),
    }
}

fn json_error(origin: &str, e: &serde_json::Error) -> NetError {
    let (line, column) = (e.line(), e.column());
    let full = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let reason = full.strip_suffix(&suffix).unwrap_or(&full);
    NetError::Syntax {
        origin: origin.to_string(),
        location: format!("line {line}, column {column}"),
        line,
        column,
        reason: hint(reason),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_paths_follow_array_indices() {
        let src = "name='x'\n[[populations]]\nname='a'\n[[populations]]\nname='b'\n[populations.neuron]\nkind='lif'\n";
        assert_eq!(toml_table_path(src, 1), None);
        assert_eq!(toml_table_path(src, 3).as_deref(), Some("populations[0]"));
        assert_eq!(toml_table_path(src, 5).as_deref(), Some("populations[1]"));
        assert_eq!(
            toml_table_path(src, 7).as_deref(),
            Some("populations[1].neuron")
        );
    }

    #[test]
    fn line_col_is_one_based() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
