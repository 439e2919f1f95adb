//! Input spikes (CSV or `.npy`) and output rows (CSV).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::NirError;

/// Values driven into the graph's Input nodes, as sparse events.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputSpikes {
    /// Per Input node name (`""` = "the only Input node"): (step, C-order flat index, value).
    pub events: BTreeMap<String, Vec<(usize, usize, f64)>>,
    /// Number of steps the source describes (a `.npy`'s T; last step + 1 for CSV).
    pub steps: usize,
}

impl InputSpikes {
    /// Add one event (for building inputs in code).
    pub fn push(&mut self, node: &str, step: usize, index: usize, value: f64) {
        self.events
            .entry(node.to_string())
            .or_default()
            .push((step, index, value));
        self.steps = self.steps.max(step + 1);
    }

    /// Dense per-step values of each Input node, checking names and ranges.
    pub(crate) fn dense(
        &self,
        inputs: &[(String, usize)],
        steps: usize,
    ) -> Result<BTreeMap<String, Vec<Vec<f64>>>, NirError> {
        let mut out: BTreeMap<String, Vec<Vec<f64>>> = inputs
            .iter()
            .map(|(n, len)| (n.clone(), vec![vec![0.0; *len]; steps]))
            .collect();
        for (node, evs) in &self.events {
            let name = if node.is_empty() {
                match inputs {
                    [(only, _)] => only.clone(),
                    _ => {
                        return Err(NirError::InputMismatch {
                            node: String::new(),
                            reason: format!(
                                "rows name no node but the graph has {} Input nodes ({}); add a `node` column",
                                inputs.len(),
                                inputs.iter().map(|x| x.0.as_str()).collect::<Vec<_>>().join(", ")
                            ),
                        })
                    }
                }
            } else {
                node.clone()
            };
            let Some(tr) = out.get_mut(&name) else {
                return Err(NirError::InputMismatch {
                    node: name,
                    reason: "no Input node of that name".into(),
                });
            };
            for &(s, i, v) in evs {
                if s >= steps {
                    continue;
                }
                let len = tr[s].len();
                let slot = tr[s].get_mut(i).ok_or_else(|| NirError::InputMismatch {
                    node: name.clone(),
                    reason: format!("index {i} out of range (the node has {len} elements)"),
                })?;
                *slot += v;
            }
        }
        Ok(out)
    }
}

/// Read input spikes: CSV `step,node,index,value` (or `step,index,value` when
/// the graph has one Input node; a header line is optional) or a `.npy` of
/// shape (T, ...) for the single Input node.
pub fn read_input(path: &Path) -> Result<InputSpikes, NirError> {
    let bytes = std::fs::read(path).map_err(|source| NirError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.starts_with(b"\x93NUMPY") {
        read_npy(path, &bytes)
    } else {
        read_csv(path, &bytes)
    }
}

fn read_csv(path: &Path, bytes: &[u8]) -> Result<InputSpikes, NirError> {
    let bad = |line: usize, reason: String| NirError::Input {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let text =
        std::str::from_utf8(bytes).map_err(|_| bad(0, "not UTF-8 text nor a .npy file".into()))?;
    let mut sp = InputSpikes::default();
    let mut ncols: Option<usize> = None;
    for (ln, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let lineno = ln + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        if cols.first().is_some_and(|c| c.eq_ignore_ascii_case("step")) {
            ncols = Some(cols.len());
            continue;
        }
        if let Some(n) = ncols {
            if n != cols.len() {
                return Err(bad(
                    lineno,
                    format!("{} columns, the header has {n}", cols.len()),
                ));
            }
        }
        let (step, node, index, value) = match cols.as_slice() {
            [s, i, v] => (*s, "", *i, *v),
            [s, n, i, v] => (*s, *n, *i, *v),
            _ => {
                return Err(bad(
                    lineno,
                    format!(
                        "expected `step,node,index,value` or `step,index,value`, found {} columns",
                        cols.len()
                    ),
                ))
            }
        };
        let step: usize = step.parse().map_err(|_| {
            bad(
                lineno,
                format!("step `{step}` is not a non-negative integer"),
            )
        })?;
        let index: usize = index.parse().map_err(|_| {
            bad(
                lineno,
                format!("index `{index}` is not a non-negative integer"),
            )
        })?;
        let value: f64 = value
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| bad(lineno, format!("value `{value}` is not a finite number")))?;
        if step > 100_000_000 {
            return Err(bad(lineno, format!("step {step} is implausibly large")));
        }
        sp.push(node, step, index, value);
    }
    Ok(sp)
}

fn read_npy(path: &Path, b: &[u8]) -> Result<InputSpikes, NirError> {
    let bad = |reason: String| NirError::Input {
        path: path.to_path_buf(),
        line: 0,
        reason,
    };
    if b.len() < 10 {
        return Err(bad("truncated .npy header".into()));
    }
    let major = b[6];
    let (hlen, start) = match major {
        1 => (u16::from_le_bytes([b[8], b[9]]) as usize, 10),
        2 | 3 => {
            if b.len() < 12 {
                return Err(bad("truncated .npy header".into()));
            }
            (u32::from_le_bytes([b[8], b[9], b[10], b[11]]) as usize, 12)
        }
        v => return Err(bad(format!("unsupported .npy version {v}"))),
    };
    let header = b
        .get(start..start + hlen)
        .ok_or_else(|| bad("truncated .npy header".into()))?;
    let header = std::str::from_utf8(header).map_err(|_| bad("header is not text".into()))?;
    let field = |key: &str| -> Option<&str> {
        let k = header.find(&format!("'{key}'"))?;
        let rest = &header[k + key.len() + 2..];
        let c = rest.find(':')?;
        Some(rest[c + 1..].trim_start())
    };
    let descr = field("descr").ok_or_else(|| bad("header lacks 'descr'".into()))?;
    let descr = descr
        .strip_prefix('\'')
        .and_then(|d| d.split('\'').next())
        .ok_or_else(|| bad("bad 'descr'".into()))?;
    let fortran = field("fortran_order")
        .map(|s| s.starts_with("True"))
        .ok_or_else(|| bad("header lacks 'fortran_order'".into()))?;
    if fortran {
        return Err(bad(
            "Fortran-order arrays are not supported; save with C order".into(),
        ));
    }
    let shape_s = field("shape").ok_or_else(|| bad("header lacks 'shape'".into()))?;
    let inner = shape_s
        .strip_prefix('(')
        .and_then(|s| s.split(')').next())
        .ok_or_else(|| bad("bad 'shape'".into()))?;
    let shape: Vec<usize> = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| bad(format!("bad shape entry `{s}`")))
        })
        .collect::<Result<_, _>>()?;
    if shape.is_empty() {
        return Err(bad(
            "a 0-d array has no time axis; expected shape (T, ...)".into()
        ));
    }
    let (size, conv): (usize, fn(&[u8]) -> f64) = match descr {
        "<f4" => (4, |c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64),
        "<f8" => (8, |c| {
            f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
        }),
        "<i8" => (8, |c| {
            i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]) as f64
        }),
        "<i4" => (4, |c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64),
        "|u1" | "<u1" => (1, |c| c[0] as f64),
        "|b1" | "<b1" => (1, |c| if c[0] != 0 { 1.0 } else { 0.0 }),
        other => {
            return Err(bad(format!(
            "dtype `{other}` not supported (float32/float64/int64/int32/uint8/bool, little-endian)"
        )))
        }
    };
    let n = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| bad("shape overflows".into()))?;
    let data = &b[start + hlen..];
    if data.len() < n.saturating_mul(size) {
        return Err(bad(format!(
            "truncated data: shape {shape:?} needs {} bytes, file has {}",
            n.saturating_mul(size),
            data.len()
        )));
    }
    let t = shape[0];
    let per = n.checked_div(t).unwrap_or(0);
    let mut sp = InputSpikes {
        steps: t,
        ..Default::default()
    };
    let mut evs = Vec::new();
    for (k, c) in data.chunks_exact(size).take(n).enumerate() {
        let v = conv(c);
        if !v.is_finite() {
            return Err(bad(format!("non-finite value at flat index {k}")));
        }
        if v != 0.0 {
            evs.push((k / per, k % per, v));
        }
    }
    sp.events.insert(String::new(), evs);
    Ok(sp)
}

/// One output value: `index` is the C-order flat index into the Output node's shape.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputRow {
    /// Reference step (chip latency already removed).
    pub step: usize,
    /// Output node name.
    pub node: String,
    /// C-order flat index.
    pub index: usize,
    /// Value (1.0 for a spike).
    pub value: f64,
}

/// Write rows as CSV `step,node,index,value` (rows with value 0 are not written).
pub fn write_outputs_csv(path: &Path, rows: &[OutputRow]) -> Result<(), NirError> {
    let mut s = String::from("step,node,index,value\n");
    for r in rows {
        if r.value != 0.0 {
            s.push_str(&format!("{},{},{},{}\n", r.step, r.node, r.index, r.value));
        }
    }
    std::fs::write(path, s).map_err(|source| NirError::Io {
        path: path.to_path_buf(),
        source,
    })
}
