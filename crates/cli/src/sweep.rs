//! `neurochip sweep`: one network over a grid of architecture overrides, one table row per
//! design point, so an architect sees what a buffer depth or a link latency does to cycles,
//! congestion and energy.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;

use crate::cmd_run::{strategy, DEFAULT_ARCH, DEFAULT_NET};
use crate::StrategyArg;

/// Options of `sweep`.
#[derive(Args, Clone)]
pub struct SweepArgs {
    /// Base architecture: a preset name or a TOML file (no overrides: they come from --param).
    #[arg(long, default_value = DEFAULT_ARCH)]
    pub arch: String,
    /// Network: a TOML/JSON file or `builtin:NAME[:k=v,...]`.
    #[arg(long, default_value = DEFAULT_NET)]
    pub net: String,
    /// A swept field and its values, e.g. `router.buffer_flits=1,2,4,8`; repeat for a grid.
    #[arg(long = "param", required = true)]
    pub params: Vec<String>,
    /// Timesteps per design point.
    #[arg(long, default_value_t = 100)]
    pub steps: u32,
    /// Placement strategy.
    #[arg(long, value_enum, default_value = "sequential")]
    pub strategy: StrategyArg,
    /// Write the table as CSV to this file as well.
    #[arg(long)]
    pub csv: Option<std::path::PathBuf>,
}

/// Parse `field=v1,v2,...`.
fn parse_param(s: &str) -> anyhow::Result<(String, Vec<String>)> {
    let Some((field, values)) = s.split_once('=') else {
        bail!("--param {s:?}: expected field.path=value1,value2,...");
    };
    let values: Vec<String> = values
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if field.trim().is_empty() || values.is_empty() {
        bail!("--param {s:?}: expected field.path=value1,value2,...");
    }
    Ok((field.trim().to_string(), values))
}

/// Every combination of the swept values, first parameter slowest.
fn grid(params: &[(String, Vec<String>)]) -> Vec<Vec<(String, String)>> {
    let mut points: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for (field, values) in params {
        points = points
            .into_iter()
            .flat_map(|p| {
                values.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push((field.clone(), v.clone()));
                    q
                })
            })
            .collect();
    }
    points
}

/// `neurochip sweep`.
pub fn sweep(args: SweepArgs) -> anyhow::Result<ExitCode> {
    if args.arch.contains(':') && !args.arch.ends_with(".toml") {
        bail!(
            "--arch {:?}: give the base architecture only; swept fields go in --param",
            args.arch
        );
    }
    let params = args
        .params
        .iter()
        .map(|p| parse_param(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let net = neurochip_net::resolve(&args.net)?;
    let points = grid(&params);
    let header = [
        "design",
        "cycles/step mean",
        "cycles/step max",
        "energy J",
        "energy/spike J",
        "spikes",
        "drops",
        "hottest link stall cycles",
    ];
    println!(
        "{:<44} {:>16} {:>15} {:>12} {:>14} {:>9} {:>7} {:>12}",
        header[0], header[1], header[2], header[3], header[4], header[5], header[6], "link stalls"
    );
    let mut csv = String::from(&header.join(","));
    csv.push('\n');
    for point in points {
        let design: Vec<String> = point.iter().map(|(f, v)| format!("{f}={v}")).collect();
        let spec = format!("{}:{}", args.arch, design.join(","));
        let arch = neurochip_arch::resolve(&spec)?;
        let cfg = neurochip_sim::RunConfig {
            steps: args.steps,
            threads: 1,
            strategy: strategy(args.strategy),
            base_dir: ".".into(),
            record_spikes: false,
        };
        let out = neurochip_sim::run(&arch, &spec, &net, &args.net, &cfg, &mut |_| {})
            .with_context(|| format!("design point {}", design.join(",")))?;
        let r = &out.report;
        let total = r.energy_joules.get("total").copied().unwrap_or(0.0);
        let stalls = r.hottest_link.as_ref().map_or(0, |l| l.stall_cycles);
        let (point, mean, max) = (
            design.join(","),
            r.cycles_per_step.mean,
            r.cycles_per_step.max,
        );
        let (per_spike, spikes, drops) = (r.energy_per_spike_joules, r.spikes, r.drops);
        println!(
            "{point:<44} {mean:>16.1} {max:>15.0} {total:>12.4e} {per_spike:>14.4e} {spikes:>9} {drops:>7} {stalls:>12}"
        );
        csv.push_str(&format!(
            "\"{point}\",{mean},{max},{total},{per_spike},{spikes},{drops},{stalls}\n"
        ));
    }
    if let Some(path) = &args.csv {
        std::fs::write(path, csv).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_cartesian_product() {
        let p = vec![
            ("a".to_string(), vec!["1".to_string(), "2".to_string()]),
            (
                "b".to_string(),
                vec!["x".to_string(), "y".to_string(), "z".to_string()],
            ),
        ];
        let g = grid(&p);
        assert_eq!(g.len(), 6);
        assert_eq!(
            g[0],
            vec![("a".into(), "1".into()), ("b".into(), "x".into())]
        );
        assert_eq!(
            g[5],
            vec![("a".into(), "2".into()), ("b".into(), "z".into())]
        );
    }

    #[test]
    fn params_parse_or_fail_clearly() {
        assert_eq!(
            parse_param("router.buffer_flits=1,2").unwrap().1,
            vec!["1", "2"]
        );
        assert!(parse_param("router.buffer_flits").is_err());
        assert!(parse_param("=1").is_err());
        assert!(parse_param("x=").is_err());
    }
}
