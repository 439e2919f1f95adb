//! End-to-end tests of the `neurochip` binary: the commands users type, the files they write,
//! and the exit-code contract (0 ok, 1 check failed, 2 bad input with one line on stderr).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_neurochip"))
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh scratch directory per test (cargo's per-target tmp dir, never the source tree).
fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("create scratch dir");
    d
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("spawn neurochip")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn assert_ok(out: &Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: exit {:?}\nstderr: {}",
        out.status.code(),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn run_writes_report_and_spikes() {
    let dir = scratch("run");
    let d = dir.to_string_lossy();
    let out = run(&["run", "--steps", "5", "--quiet", "--out", &d]);
    assert_ok(&out, "run --steps 5");
    assert!(
        text(&out.stdout).trim().is_empty(),
        "--quiet prints nothing"
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("report.json")).expect("report.json written"),
    )
    .expect("report.json is JSON");
    assert_eq!(report["steps"], 5);
    assert_eq!(report["neurons"], 12_500, "the default network is W1");
    assert_eq!(report["arch"], "default");
    let spikes = std::fs::read_to_string(dir.join("spikes.csv")).expect("spikes.csv written");
    let mut lines = spikes.lines();
    assert_eq!(lines.next(), Some("step,neuron,population,count"));
    let mut rows = 0u64;
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), 4, "row {l:?}");
        let step: u32 = f[0].parse().expect("step is an integer");
        let gid: u32 = f[1].parse().expect("neuron is an integer");
        assert!(step < 5 && gid < 12_500, "row {l:?} out of range");
        assert!(f[2] == "exc" || f[2] == "inh", "row {l:?}");
        rows += f[3].parse::<u64>().expect("count is an integer");
    }
    assert_eq!(
        serde_json::Value::from(rows),
        report["spikes"],
        "spikes.csv counts sum to report.spikes"
    );
}

#[test]
fn arch_and_net_listing_commands() {
    let list = assert_ok(&run(&["arch", "list"]), "arch list");
    for p in ["default", "loihi", "truenorth", "spinnaker", "xylo"] {
        assert!(list.contains(p), "arch list lacks {p}:\n{list}");
    }
    let show = assert_ok(&run(&["arch", "show", "loihi"]), "arch show loihi");
    assert!(show.contains("[topology]") && show.contains("name = \"loihi\""));
    let v = assert_ok(&run(&["arch", "validate", "loihi"]), "arch validate loihi");
    assert!(v.contains("ok") && v.contains("128 cores"), "{v}");
    let v = assert_ok(
        &run(&["arch", "validate", "default:topology.tiles_x=2"]),
        "arch validate with override",
    );
    assert!(v.contains("32 cores"), "override halves the cores: {v}");
    let nets = assert_ok(&run(&["net", "list"]), "net list");
    for b in ["builtin:brunel", "builtin:cuba", "builtin:random"] {
        assert!(nets.contains(b), "net list lacks {b}");
    }
    let v = assert_ok(
        &run(&["net", "validate", "builtin:brunel:n=1250"]),
        "net validate",
    );
    assert!(
        v.contains("1250 neurons") && v.contains("156250 synapses"),
        "{v}"
    );
}

#[test]
fn trace_check_passes_on_fixtures() {
    let fixtures = workspace().join("crates/trace/fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .expect("fixtures dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in &files {
        let out = bin().arg("trace-check").arg(f).output().expect("spawn");
        let s = assert_ok(&out, &format!("trace-check {}", f.display()));
        assert!(s.contains("PASS") && !s.contains("FAIL"), "{s}");
    }
}

#[test]
fn trace_check_fails_on_modified_trace() {
    let src = workspace().join("crates/trace/fixtures/lava_lif_bitacc.json");
    let mut d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src).expect("fixture")).expect("JSON");
    let v = &mut d["scenarios"][0]["v"][5][3];
    *v = serde_json::Value::from(v.as_i64().expect("v is an integer") + 7);
    let path = scratch("trace").join("modified.json");
    std::fs::write(&path, d.to_string()).expect("write modified trace");
    let out = bin().arg("trace-check").arg(&path).output().expect("spawn");
    assert_eq!(out.status.code(), Some(1), "a mismatching trace exits 1");
    let s = text(&out.stdout);
    assert!(
        s.contains("FAIL") && s.contains("step 5") && s.contains("neuron 3"),
        "FAIL names the step and neuron: {s}"
    );
}

/// Run `args`, expect exit 2 and exactly one stderr line containing every `needles` entry.
fn assert_bad_input(args: &[&str], needles: &[&str]) {
    let out = run(args);
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: bad input exits 2; stderr: {err}"
    );
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{args:?}: one line on stderr, got: {err}");
    for n in needles {
        assert!(lines[0].contains(n), "{args:?}: stderr lacks {n:?}: {err}");
    }
}

fn run_net(file: &str) -> Vec<String> {
    vec![
        "run".into(),
        "--net".into(),
        data(file),
        "--steps".into(),
        "3".into(),
        "--quiet".into(),
    ]
}

fn bad_net(file: &str, needles: &[&str]) {
    let args = run_net(file);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_bad_input(&args, needles);
}

#[test]
fn valid_base_files_run() {
    // The bad files are one-edit copies of these; they must be valid, or the tests below prove nothing.
    let args = run_net("small.toml");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_ok(&run(&args), "small.toml");
    let l = data("loihi_base.toml");
    assert_ok(
        &run(&[
            "run", "--arch", "loihi", "--net", &l, "--steps", "3", "--quiet",
        ]),
        "loihi_base.toml",
    );
}

#[test]
fn bad_unknown_network_field() {
    bad_net(
        "bad_unknown_field.toml",
        &[
            "bad_unknown_field.toml",
            "populations[0]",
            "unknown field `szie`",
        ],
    );
}

#[test]
fn bad_negative_size() {
    bad_net(
        "bad_negative_size.toml",
        &["bad_negative_size.toml", "populations[0]", "-4"],
    );
}

#[test]
fn bad_zero_size() {
    bad_net(
        "bad_zero_size.toml",
        &["bad_zero_size.toml", "populations[0].size", "must be > 0"],
    );
}

#[test]
fn bad_weight_out_of_range_for_model() {
    let f = data("bad_loihi_weight.toml");
    assert_bad_input(
        &[
            "run", "--arch", "loihi", "--net", &f, "--steps", "3", "--quiet",
        ],
        &["weight 100000", "projection 0", "out of range"],
    );
}

#[test]
fn bad_network_needs_more_cores_than_chip() {
    bad_net(
        "bad_too_many_cores.toml",
        &["needs 79 cores", "chip has 64"],
    );
}

#[test]
fn bad_delay_too_large_for_chip() {
    bad_net(
        "bad_delay_too_large.toml",
        &["delay 40", "projection 0", "delay_slots"],
    );
}

#[test]
fn bad_spike_csv_row() {
    bad_net(
        "bad_spike_file.toml",
        &["stimuli[0].path", "bad_row.csv", "line 3", "\"x\""],
    );
}

#[test]
fn bad_probe_state() {
    bad_net(
        "bad_probe_state.toml",
        &["probe", "\"a\"", "no state \"vv\""],
    );
}

#[test]
fn bad_missing_file() {
    bad_net(
        "no_such_network.toml",
        &["no_such_network.toml", "No such file"],
    );
}

#[test]
fn bad_unknown_builtin() {
    assert_bad_input(
        &["run", "--net", "builtin:nosuch", "--steps", "3", "--quiet"],
        &["builtin:nosuch", "unknown built-in", "brunel"],
    );
}

#[test]
fn bad_unknown_builtin_param() {
    assert_bad_input(
        &[
            "run",
            "--net",
            "builtin:brunel:gg=3",
            "--steps",
            "3",
            "--quiet",
        ],
        &["builtin:brunel", "params.gg", "unknown parameter"],
    );
}

#[test]
fn bad_malformed_arch_toml() {
    let f = data("bad_malformed_arch.toml");
    assert_bad_input(
        &["arch", "validate", &f],
        &["bad_malformed_arch.toml", "line 2"],
    );
}

#[test]
fn bad_unknown_arch_field() {
    let f = data("bad_arch_field.toml");
    assert_bad_input(
        &["arch", "validate", &f],
        &[
            "bad_arch_field.toml",
            "topology.cores_per_tyle",
            "unknown field",
        ],
    );
}

#[test]
fn bad_arch_override() {
    assert_bad_input(
        &["arch", "validate", "default:core.neurons=abc"],
        &["core.neurons", "bad override", "\"abc\""],
    );
    assert_bad_input(
        &["arch", "validate", "default:core.neuronz=3"],
        &["core.neuronz", "unknown field"],
    );
}

fn nir_fixture(name: &str) -> String {
    workspace()
        .join("crates/nir/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Rows of an `outputs.csv` (header checked), as (step, node, index, value) strings.
fn output_rows(path: &Path) -> Vec<String> {
    let s = std::fs::read_to_string(path).expect("outputs.csv written");
    let mut lines = s.lines();
    assert_eq!(lines.next(), Some("step,node,index,value"));
    lines.map(str::to_string).collect()
}

#[test]
fn nir_float_reference_reproduces_the_reference_outputs() {
    let dir = scratch("nir-float");
    let d = dir.to_string_lossy();
    let net = nir_fixture("ffwd_lif.nir");
    let input = nir_fixture("ffwd_lif.input.csv");
    let out = run(&[
        "run",
        "--net",
        &net,
        "--input",
        &input,
        "--dt",
        "1ms",
        "--float-reference",
        "--quiet",
        "--out",
        &d,
    ]);
    assert_ok(&out, "run --float-reference");
    let rows = output_rows(&dir.join("outputs.csv"));
    // The reference's output spikes, from ffwd_lif.ref.json.
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(nir_fixture("ffwd_lif.ref.json")).unwrap())
            .unwrap();
    let mut want = Vec::new();
    for (t, row) in r["nodes"]["lif2"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        for (i, v) in row.as_array().unwrap().iter().enumerate() {
            if v.as_f64().unwrap() != 0.0 {
                want.push(format!("{t},output,{i},1"));
            }
        }
    }
    assert!(!want.is_empty());
    assert_eq!(
        rows, want,
        "float reference outputs equal the reference spikes"
    );
}

#[test]
fn nir_on_loihi_writes_outputs_and_a_nir_report_section() {
    let dir = scratch("nir-chip");
    let d = dir.to_string_lossy();
    let net = nir_fixture("ffwd_lif.nir");
    let input = nir_fixture("ffwd_lif.input.csv");
    let out = run(&[
        "run", "--net", &net, "--input", &input, "--arch", "loihi", "--quiet", "--out", &d,
    ]);
    assert_ok(&out, "run ffwd_lif.nir on loihi");
    let rows = output_rows(&dir.join("outputs.csv"));
    assert!(
        rows.len() >= 20,
        "the chip's output layer fires: {} rows",
        rows.len()
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let cmp = &report["nir"]["comparison_with_float_reference"];
    let matched = cmp["matched"].as_u64().unwrap();
    assert!(
        matched >= 20,
        "most output spikes match the float reference: {cmp}"
    );
    assert_eq!(report["nir"]["reference_steps"], 100);
}

#[test]
fn bad_nir_inputs_are_one_line_errors() {
    let net = nir_fixture("ffwd_lif.nir");
    assert_bad_input(&["run", "--net", &net], &["ffwd_lif.nir", "--input"]);
    let input = nir_fixture("ffwd_lif.input.csv");
    assert_bad_input(
        &["run", "--net", &net, "--input", &input, "--dt", "1"],
        &["--dt", "unit"],
    );
    assert_bad_input(
        &[
            "run",
            "--net",
            &nir_fixture("bad_type.nir"),
            "--input",
            &input,
        ],
        &["bad_type.nir"],
    );
    let dir = scratch("nir-bad");
    let truncated = dir.join("truncated.nir");
    let bytes = std::fs::read(&net).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    assert_bad_input(
        &[
            "run",
            "--net",
            &truncated.to_string_lossy(),
            "--input",
            &input,
        ],
        &["truncated.nir"],
    );
}

#[test]
fn sweep_prints_a_row_per_design_point_with_the_same_spikes() {
    let dir = scratch("sweep");
    let csv = dir.join("sweep.csv");
    let out = run(&[
        "sweep",
        "--net",
        "builtin:brunel:n=1250",
        "--param",
        "router.buffer_flits=1,8",
        "--param",
        "link.latency_ew_cycles=1,30",
        "--steps",
        "10",
        "--csv",
        &csv.to_string_lossy(),
    ]);
    assert_ok(&out, "sweep");
    let s = std::fs::read_to_string(&csv).expect("sweep.csv written");
    let rows: Vec<Vec<String>> = s
        .lines()
        .skip(1)
        .map(|l| l.rsplitn(7, ',').map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 4, "2 x 2 design points: {s}");
    // Timing never changes what the network computes: same spike count at every point.
    // rsplitn from the right: stalls, drops, spikes, …
    let spikes: Vec<u64> = rows
        .iter()
        .map(|r| r[2].parse().expect("spike count"))
        .collect();
    assert!(
        spikes[0] > 0 && spikes.iter().all(|x| *x == spikes[0]),
        "{s}"
    );
    assert_bad_input(
        &["sweep", "--param", "router.buffer_flits"],
        &["--param", "field.path=value"],
    );
    assert_bad_input(&["sweep", "--param", "router.nope=1"], &["router.nope"]);
}

/// One core of 16 neurons ×4 per chip: `builtin:brunel:n=200` needs 13 cores, so 4 chips.
const TINY_CHIP: &str =
    "default:core.neurons=16,topology.tiles_x=1,topology.tiles_y=1,topology.cores_per_tile=4";

fn report_json(dir: &Path, file: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect("report written"))
        .expect("report is JSON")
}

#[test]
fn a_network_too_big_for_one_chip_grows_onto_the_board() {
    let grown_dir = scratch("grow");
    let fixed_dir = scratch("grow-fixed");
    let net = "builtin:brunel:n=200";
    let arch = format!("{TINY_CHIP},topology.max_chips_x=4,topology.max_chips_y=4");
    let g = grown_dir.to_string_lossy();
    let stdout = assert_ok(
        &run(&[
            "run", "--arch", &arch, "--net", net, "--steps", "60", "--out", &g,
        ]),
        "grown run",
    );
    assert!(
        stdout.contains("system: 2 x 2 chips (grown from 1 x 1 to fit; board limit 4 x 4)"),
        "{stdout}"
    );
    let grown = report_json(&grown_dir, "report.json");
    let chips = &grown["mapping"]["chips"];
    assert_eq!(chips["x"], 2, "{chips}");
    assert_eq!(chips["y"], 2, "{chips}");
    assert_eq!(chips["grown_from"], serde_json::json!({"x": 1, "y": 1}));
    assert_eq!(chips["board_limit"], serde_json::json!({"x": 4, "y": 4}));
    assert_eq!(
        grown["mapping"]["cores_total"], 16,
        "the run used 4 chips of 4 cores"
    );
    assert!(
        grown["hops_by_class"]["offchip"].as_u64().unwrap() > 0,
        "spikes cross chips"
    );
    // The grown system is the one simulated: the same run on an explicit 2 x 2 system
    // has the same spikes, the same energy (4 chips of static power) and no growth.
    let fixed = format!("{TINY_CHIP},topology.chips_x=2,topology.chips_y=2");
    let f = fixed_dir.to_string_lossy();
    assert_ok(
        &run(&[
            "run", "--arch", &fixed, "--net", net, "--steps", "60", "--quiet", "--out", &f,
        ]),
        "explicit 2 x 2 run",
    );
    let fixed = report_json(&fixed_dir, "report.json");
    assert_eq!(
        fixed["mapping"]["chips"]["grown_from"],
        serde_json::Value::Null
    );
    assert_eq!(
        fixed["mapping"]["chips"]["board_limit"],
        serde_json::Value::Null
    );
    for k in [
        "spikes",
        "hops_by_class",
        "energy_joules",
        "cycles_per_step",
    ] {
        assert_eq!(grown[k], fixed[k], "{k}");
    }
    assert_eq!(
        std::fs::read_to_string(grown_dir.join("spikes.csv")).unwrap(),
        std::fs::read_to_string(fixed_dir.join("spikes.csv")).unwrap()
    );
}

#[test]
fn a_board_too_small_is_a_one_line_error() {
    let arch = format!("{TINY_CHIP},topology.max_chips_x=2,topology.max_chips_y=1");
    assert_bad_input(
        &[
            "run",
            "--arch",
            &arch,
            "--net",
            "builtin:brunel:n=200",
            "--steps",
            "3",
            "--quiet",
        ],
        &[
            "needs 13 cores",
            "board limit 2 x 1 chips, the network needs at least 4:",
        ],
    );
    // Without a board the system stays fixed, and the error has no board limit.
    let out = run(&["map", "--arch", TINY_CHIP, "--net", "builtin:brunel:n=200"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !text(&out.stderr).contains("board limit"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn brunel_maps_onto_36_chips_of_the_loihi_board() {
    // Map only: running brunel on 36 Loihi chips is too slow for a test.
    let dir = scratch("grow-loihi");
    let d = dir.to_string_lossy();
    let stdout = assert_ok(
        &run(&[
            "map",
            "--arch",
            "loihi",
            "--net",
            "builtin:brunel",
            "--out",
            &d,
        ]),
        "map brunel on loihi",
    );
    assert!(
        stdout.contains("system: 6 x 6 chips (grown from 1 x 1 to fit; board limit 8 x 8)"),
        "{stdout}"
    );
    let m = report_json(&dir, "mapping.json");
    assert_eq!(m["chips"]["x"], 6);
    assert_eq!(m["chips"]["y"], 6);
    assert_eq!(m["cores_total"], 36 * 128);
    assert_eq!(m["totals"]["neurons"], 12_500);
}

#[test]
fn trace_check_as_program_passes_and_a_corrupted_sdn_value_fails() {
    let fixtures = workspace().join("crates/trace/fixtures");
    let files = [
        "lava_lif_bitacc.json",
        "xylo_ref_trace.json",
        "sdn_public.json",
    ];
    let mut args = vec!["trace-check".to_string(), "--as-program".to_string()];
    args.extend(files.iter().map(|f| fixtures.join(f).display().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let s = assert_ok(&run(&args), "trace-check --as-program");
    assert_eq!(s.matches("PASS").count(), 5, "{s}");
    assert!(!s.contains("FAIL"), "{s}");

    let src = fixtures.join("sdn_public.json");
    let mut d: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(src).expect("fixture")).expect("JSON");
    let v = &mut d["scenarios"][0]["main_chain"]["sd2_act"][100][2];
    *v = serde_json::Value::from(v.as_i64().expect("an integer") + 1);
    let path = scratch("trace-sdn").join("modified.json");
    std::fs::write(&path, d.to_string()).expect("write modified trace");
    for flag in [None, Some("--as-program")] {
        let mut cmd = bin();
        cmd.arg("trace-check");
        if let Some(f) = flag {
            cmd.arg(f);
        }
        let out = cmd.arg(&path).output().expect("spawn");
        assert_eq!(out.status.code(), Some(1), "{flag:?}: a mismatch exits 1");
        let s = text(&out.stdout);
        assert!(
            s.contains("FAIL P1_relu_basic: step 100, neuron 2, state sd2_act"),
            "{flag:?}: {s}"
        );
    }
}
