//! `neurochip run --net model.nir`: NIR graphs on the chip, or in the float reference.
//!
//! The chip path converts the graph to a network (`neurochip_nir::to_network`),
//! runs it through the same driver as every other network, reads the Output
//! nodes back from the spikes (chip latency removed) and compares them with the
//! float reference, which is cheap to compute alongside.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::cmd_run::{strategy, Progress, RunArgs};

/// Parse a timestep such as `1ms`, `0.5ms`, `100us` or `0.001s` into seconds.
pub fn parse_dt(s: &str) -> anyhow::Result<f64> {
    let t = s.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = t.strip_suffix("us").or_else(|| t.strip_suffix("µs")) {
        (n, 1e-6)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else {
        bail!("--dt {s:?}: give a unit, e.g. 1ms, 500us or 0.001s");
    };
    let v: f64 = num
        .trim()
        .parse()
        .with_context(|| format!("--dt {s:?}: not a number"))?;
    if !(v.is_finite() && v > 0.0) {
        bail!("--dt {s:?}: must be a positive duration");
    }
    Ok(v * scale)
}

/// Run a `.nir` network.
pub fn run_nir(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let path = PathBuf::from(&args.map.net);
    let graph = neurochip_nir::load(&path)?;
    let Some(input) = &args.input else {
        bail!(
            "{}: a NIR graph needs input spike trains: --input spikes.csv|spikes.npy",
            path.display()
        );
    };
    let inputs = neurochip_nir::read_input(input)?;
    let dt = parse_dt(&args.dt)?;
    let steps = args.steps.map_or(inputs.steps, |s| s as usize);
    let reference = neurochip_nir::float_reference(&graph, &inputs, steps, dt)?;
    let ref_rows = reference.output_rows();
    if args.float_reference {
        if !args.map.quiet {
            println!(
                "neurochip run --float-reference: {} ({} steps, dt {} s)",
                path.display(),
                steps,
                dt
            );
            println!("  evaluation order: {}", reference.order.join(" → "));
            println!(
                "  output values (non-zero): {}",
                ref_rows.iter().filter(|r| r.value != 0.0).count()
            );
        }
        if let Some(dir) = &args.map.out {
            std::fs::create_dir_all(dir)?;
            neurochip_nir::write_outputs_csv(&dir.join("outputs.csv"), &ref_rows)?;
            let report = serde_json::json!({
                "mode": "float_reference",
                "network": args.map.net,
                "steps": steps,
                "dt_seconds": dt,
                "evaluation_order": reference.order,
                "delayed_edges": reference.delayed_edges,
                "outputs_nonzero": ref_rows.iter().filter(|r| r.value != 0.0).count(),
            });
            std::fs::write(
                dir.join("report.json"),
                serde_json::to_string_pretty(&report)?,
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let conv = neurochip_nir::to_network(&graph, &inputs, dt, steps)?;
    let arch = neurochip_arch::resolve(&args.map.arch)?;
    let chip_steps = conv.chip_steps as u32;
    let cfg = neurochip_sim::RunConfig {
        steps: chip_steps,
        threads: args.threads,
        strategy: strategy(args.map.strategy),
        base_dir: path
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| ".".into()),
        record_spikes: true,
    };
    let mut progress = Progress::new(u64::from(chip_steps), args.map.quiet);
    let mut out = neurochip_sim::run(
        &arch,
        &args.map.arch,
        &conv.network,
        &args.map.net,
        &cfg,
        &mut |d| progress.set(u64::from(d)),
    )?;
    progress.finish();
    let spikes: Vec<(String, u32, u32)> = out
        .spikes
        .iter()
        .filter(|s| s.2 > 0)
        .filter_map(|&(step, gid, _)| {
            out.populations
                .iter()
                .find(|(_, start, size)| gid >= *start && gid < start + size)
                .map(|(name, start, _)| (name.clone(), step, gid - start))
        })
        .collect();
    let rows = neurochip_nir::readout(&conv, &spikes)?;
    let cmp = neurochip_nir::compare(&ref_rows, &rows, 1e-9);
    out.report.extra.insert(
        "nir".into(),
        serde_json::json!({
            "dt_seconds": dt,
            "reference_steps": steps,
            "chip_steps": chip_steps,
            "conversion": conv.report,
            "comparison_with_float_reference": cmp,
            "outputs_nonzero": rows.iter().filter(|r| r.value != 0.0).count(),
        }),
    );
    if !args.map.quiet {
        print!("{}", neurochip_sim::summary(&out.report));
        println!(
            "  NIR outputs vs float reference: {} matched, {} differ, {} only in reference, {} only on chip",
            cmp.matched, cmp.differ, cmp.only_reference, cmp.only_chip
        );
    }
    if let Some(dir) = &args.map.out {
        neurochip_sim::write_outputs(dir, &out)?;
        neurochip_nir::write_outputs_csv(&dir.join("outputs.csv"), &rows)?;
        if !args.map.quiet {
            println!("wrote {}", dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_dt;

    #[test]
    fn dt_units() {
        assert_eq!(parse_dt("1ms").unwrap(), 1e-3);
        assert_eq!(parse_dt("500us").unwrap(), 5e-4);
        assert_eq!(parse_dt("0.002s").unwrap(), 0.002);
        assert!(parse_dt("1").is_err());
        assert!(parse_dt("-1ms").is_err());
        assert!(parse_dt("xms").is_err());
    }
}
