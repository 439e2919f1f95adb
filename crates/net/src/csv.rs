//! Spike CSV files: a `step,neuron` header, then one `step,neuron` row per spike.
//!
//! A hand parser: the format is two unsigned integers per line, and owning the
//! parser lets every error name the file, the line number and the reason.

use std::path::Path;

use crate::error::one_line;
use crate::NetError;

/// Read a spike CSV file into (step, neuron) pairs, in file order.
pub fn read_spike_csv(path: &Path) -> Result<Vec<(u32, u32)>, NetError> {
    let origin = path.display().to_string();
    let src = std::fs::read_to_string(path).map_err(|e| NetError::Io {
        path: origin.clone(),
        reason: one_line(&e.to_string()),
    })?;
    parse_spike_csv(&src, &origin)
}

/// Parse spike CSV text; `origin` names it in errors.
///
/// Blank lines and lines starting with `#` are ignored; the first other line
/// must be the header `step,neuron`.
pub fn parse_spike_csv(src: &str, origin: &str) -> Result<Vec<(u32, u32)>, NetError> {
    let err = |line: usize, reason: String| NetError::Csv {
        path: origin.to_string(),
        line,
        reason,
    };
    let mut out = Vec::new();
    let mut seen_header = false;
    for (i, raw) in src.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = l.split(',').map(str::trim).collect();
        if !seen_header {
            if cols != ["step", "neuron"] {
                return Err(err(
                    line,
                    format!("expected header \"step,neuron\", found {l:?}"),
                ));
            }
            seen_header = true;
            continue;
        }
        if cols.len() != 2 {
            return Err(err(
                line,
                format!("expected 2 columns (step,neuron), found {}", cols.len()),
            ));
        }
        let num = |name: &str, s: &str| -> Result<u32, NetError> {
            s.parse::<u32>().map_err(|_| {
                err(
                    line,
                    format!("{name} {s:?} is not a non-negative integer below 2^32"),
                )
            })
        };
        out.push((num("step", cols[0])?, num("neuron", cols[1])?));
    }
    if !seen_header {
        return Err(err(1, "missing header \"step,neuron\"".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_and_skips_comments() {
        let v = parse_spike_csv("# c\nstep,neuron\n0,1\n\n 3 , 2 \n", "s.csv").unwrap();
        assert_eq!(v, vec![(0, 1), (3, 2)]);
    }

    #[test]
    fn bad_row_names_line() {
        let e = parse_spike_csv("step,neuron\n0,1\n2,x\n", "s.csv").unwrap_err();
        assert_eq!(
            e.to_string(),
            "s.csv: line 3: neuron \"x\" is not a non-negative integer below 2^32"
        );
    }
}
