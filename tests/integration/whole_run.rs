//! Whole runs of the standard workloads against the NEST / Brian2 reference rates
//! (WORKLOADS.md). The tolerances are justified in `docs/validation.md`, section
//! "Whole-run rates against NEST".

use neurochip_sim::{run, RunConfig, RunOutput};

/// Run a network spec on an architecture spec through the same entry point as the CLI.
pub(crate) fn run_spec(arch: &str, net: &str, steps: u32, record_spikes: bool) -> RunOutput {
    let a = neurochip_arch::resolve(arch).expect("architecture resolves");
    let n = neurochip_net::resolve(net).expect("network resolves");
    let cfg = RunConfig {
        steps,
        record_spikes,
        ..RunConfig::default()
    };
    run(&a, arch, &n, net, &cfg, &mut |_| {}).expect("run succeeds")
}

/// Rate (Hz) of the population called `name`.
fn rate(out: &RunOutput, name: &str) -> f64 {
    out.report
        .populations
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("population {name} in report"))
        .rate_hz
}

/// Mean rate over all neurons (Hz), as WORKLOADS.md defines it: spikes / N / T.
fn rate_all(out: &RunOutput) -> f64 {
    let r = &out.report;
    r.spikes as f64 / r.neurons as f64 / (f64::from(r.steps) * r.dt_ms / 1000.0)
}

/// W1 (N = 12,500, delay 2 steps): NEST dt = 1 ms reference, and the exact synaptic-event count.
///
/// Tolerance ±0.6 Hz: realisation spread ±0.15 Hz (NEST 1 ms, 3 seeds) + weight/leak
/// quantisation + Poisson sampling; see docs/validation.md.
#[test]
fn w1_brunel_rates_match_nest_1ms_and_events_are_exact() {
    const TOL_HZ: f64 = 0.6;
    // NEST 3.10, dt = 1 ms, delay 2 ms (the builtin's default delay): medians of 3 realisations.
    const NEST_E: f64 = 36.28;
    const NEST_I: f64 = 36.40;
    let spec = "builtin:brunel";
    let out = run_spec("default", spec, 1000, true);
    let (e, i, all) = (rate(&out, "exc"), rate(&out, "inh"), rate_all(&out));
    let params = std::collections::BTreeMap::new();
    let (nest_all, _, _) =
        neurochip_net::reference_rate_hz("brunel", &params).expect("W1 has a reference rate");
    assert!(
        (e - NEST_E).abs() <= TOL_HZ,
        "W1 exc rate {e:.3} Hz vs NEST {NEST_E} ± {TOL_HZ}"
    );
    assert!(
        (i - NEST_I).abs() <= TOL_HZ,
        "W1 inh rate {i:.3} Hz vs NEST {NEST_I} ± {TOL_HZ}"
    );
    assert!(
        (all - nest_all).abs() <= TOL_HZ,
        "W1 rate {all:.3} Hz vs NEST {nest_all} ± {TOL_HZ}"
    );

    // synaptic_events = Σ_i spikes_i × outdeg_i, computed independently from the expansion.
    let net = neurochip_net::resolve(spec).expect("W1 resolves");
    let expanded = neurochip_net::expand::expand(&net).expect("W1 expands");
    let outdeg = expanded.out_degrees();
    let recorded: u64 = out.spikes.iter().map(|&(_, _, c)| u64::from(c)).sum();
    assert_eq!(recorded, out.report.spikes, "recorded spikes = reported");
    let want: u64 = out
        .spikes
        .iter()
        .map(|&(_, gid, c)| u64::from(c) * u64::from(outdeg[gid as usize]))
        .sum();
    assert_eq!(
        out.report.synaptic_events, want,
        "W1 synaptic events = Σ spikes × out-degree"
    );
}

/// W3 (CUBA) on the default chip: inside the spread of independent realisations, taken as the
/// union of NEST 1 ms [5.61, 6.03] and Brian2 0.1 ms [5.20, 6.16], widened to [5.2, 6.2].
#[test]
fn w3_cuba_rate_within_realisation_spread() {
    let out = run_spec("default", "builtin:cuba", 1000, false);
    let (e, i, all) = (rate(&out, "exc"), rate(&out, "inh"), rate_all(&out));
    for (what, r) in [("all", all), ("exc", e), ("inh", i)] {
        assert!(
            (5.2..=6.2).contains(&r),
            "W3 {what} rate {r:.3} Hz outside the realisation spread [5.2, 6.2] Hz"
        );
    }
}

/// W2 (N = 1,250) over 5 seeds: a loose distributional check, because W2 is strongly
/// synchronous (CV(ISI) > 1) and single realisations vary by several Hz.
#[test]
fn w2_brunel_small_rate_distribution_over_seeds() {
    let mut rates: Vec<f64> = (1..=5u64)
        .map(|seed| {
            let out = run_spec(
                "default",
                &format!("builtin:brunel:n=1250,seed={seed}"),
                1000,
                false,
            );
            rate_all(&out)
        })
        .collect();
    let distinct = rates
        .iter()
        .filter(|r| (*r - rates[0]).abs() > 1e-9)
        .count();
    assert!(
        distinct > 0,
        "different seeds give different rates: {rates:?}"
    );
    rates.sort_by(f64::total_cmp);
    let median = rates[2];
    // NEST 1 ms delay 2: median 47.11 Hz [46.71–47.35] over 3 seeds; the 0.1 ms spread is ±7 Hz.
    assert!(
        (median - 47.11).abs() <= 5.0,
        "W2 median rate {median:.2} Hz vs NEST 1 ms 47.11 ± 5 (rates {rates:?})"
    );
    for r in &rates {
        assert!(
            (37.0..=60.0).contains(r),
            "W2 single-seed rate {r:.2} Hz outside [37, 60] (rates {rates:?})"
        );
    }
}
