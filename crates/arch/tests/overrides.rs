//! `resolve` specs: presets, files, and `:path=value` overrides.

use neurochip_arch::schema::{MeshKind, Routing};
use neurochip_arch::{preset, preset_source, resolve, ArchError};
use proptest::prelude::*;

#[test]
fn plain_names_and_files() {
    assert_eq!(resolve("loihi").unwrap(), preset("loihi").unwrap());
    let dir = std::env::temp_dir().join(format!("neurochip-arch-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mine.toml");
    std::fs::write(&path, preset_source("xylo").unwrap()).unwrap();
    let p = path.to_str().unwrap();
    assert_eq!(resolve(p).unwrap(), preset("xylo").unwrap());
    let a = resolve(&format!("{p}:core.input_buffer=77")).unwrap();
    assert_eq!(a.core.input_buffer, 77);
    let msg = resolve(&format!("{p}:core.input_buffer=0"))
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with(&format!("{p}[core.input_buffer=0]: core.input_buffer: ")),
        "{msg}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let msg = resolve("/nonexistent/x.toml:core.neurons=1")
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("/nonexistent/x.toml: file: cannot read"),
        "{msg}"
    );
}

#[test]
fn overrides_change_only_what_they_name() {
    let base = preset("default").unwrap();
    let a = resolve("default:core.neurons=512,energy.synaptic_op.pj=30.5").unwrap();
    assert_eq!(a.core.neurons, 512);
    assert_eq!(a.energy.synaptic_op.pj, 30.5);
    let mut expect = base.clone();
    expect.core.neurons = 512;
    expect.energy.synaptic_op.pj = 30.5;
    assert_eq!(a, expect);
}

#[test]
fn overrides_of_defaulted_fields_ints_as_floats_enums_and_bools() {
    // chips_x is written in default.toml, but words_per_cycle and width_flits
    // defaults are overridable too even where a file leaves them out.
    let a = resolve("loihi:topology.chips_x=4,clock_hz=2000000000,topology.torus=true").unwrap();
    assert_eq!(a.chips(), 4);
    assert_eq!(a.total_cores(), 512);
    assert_eq!(a.clock_hz, 2e9);
    assert!(a.topology.torus);
    let a = resolve("default:router.routing=multicast,router.table_entries=256").unwrap();
    assert_eq!(a.router.routing, Routing::Multicast);
    let a = resolve("spinnaker:topology.chips_x=8,topology.chips_y=6").unwrap();
    assert_eq!(a.chips(), 48);
    assert_eq!(a.topology.kind, MeshKind::Hex);
    let a = resolve("default:energy.hop_ew.source=\"my measurement, run 3\"").unwrap_err();
    // A comma splits overrides, so a quoted comma is not supported: the tail is a bad item.
    assert!(matches!(a, ArchError::BadOverride { .. }), "{a}");
}

#[test]
fn board_limit_overrides() {
    // default.toml leaves the optional limit unset; its path is still known.
    let a = resolve("default:topology.max_chips_x=4,topology.max_chips_y=2").unwrap();
    assert_eq!(a.topology.max_chips_x, Some(4));
    assert_eq!(a.topology.max_chips_y, Some(2));
    assert_eq!(a.chips(), 1, "a limit does not add chips by itself");
    let a = resolve("loihi:topology.max_chips_x=16").unwrap();
    assert_eq!(a.topology.max_chips_x, Some(16));
    assert_eq!(a.topology.max_chips_y, Some(8));
    bad(
        "default:topology.chips_x=3,topology.max_chips_x=2",
        "topology.max_chips_x",
        "2 is too small (the board must hold topology.chips_x = 3)",
    );
    bad(
        "loihi:topology.chips_y=9",
        "topology.max_chips_y",
        "8 is too small",
    );
    bad(
        "default:topology.max_chips_x=two",
        "topology.max_chips_x",
        "invalid type: string \"two\"",
    );
    // `arch show` output (to_toml) loads back to the same limits.
    let a = resolve("default:topology.max_chips_x=4").unwrap();
    let back = neurochip_arch::parse(&neurochip_arch::to_toml(&a).unwrap(), "back").unwrap();
    assert_eq!(back, a);
}

#[test]
fn a_field_missing_from_the_file_can_be_overridden() {
    let src = preset_source("default")
        .unwrap()
        .replace("words_per_cycle = 1\n", "")
        .replace("width_flits = 1\n", "");
    let dir = std::env::temp_dir().join(format!("neurochip-arch-test2-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("short.toml");
    std::fs::write(&path, src).unwrap();
    let spec = format!(
        "{}:core.synapse_memory.words_per_cycle=4,link.width_flits=2",
        path.display()
    );
    let a = resolve(&spec).unwrap();
    assert_eq!(a.core.synapse_memory.words_per_cycle, 4);
    assert_eq!(a.link.width_flits, 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn overrides_are_applied_together_then_validated() {
    // delay_bits 5 alone breaks delay_slots 17; with delay_slots 33 it is fine.
    assert!(resolve("default:core.synapse_memory.delay_bits=5").is_err());
    assert!(resolve("default:core.synapse_memory.delay_bits=5,core.delay_slots=32").is_err());
    let a = resolve("default:core.synapse_memory.delay_bits=5,core.delay_slots=33").unwrap();
    assert_eq!(a.core.delay_slots, 33);
    // The later of two overrides of one path wins.
    assert_eq!(
        resolve("default:core.neurons=128,core.neurons=64")
            .unwrap()
            .core
            .neurons,
        64
    );
}

fn bad(spec: &str, field: &str, reason: &str) {
    let err = resolve(spec).unwrap_err();
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "{msg}");
    assert!(
        msg.contains(&format!(": {field}: ")),
        "expected field {field} in {msg}"
    );
    assert!(msg.contains(reason), "expected {reason:?} in {msg}");
}

#[test]
fn bad_overrides_fail_with_one_line() {
    bad(
        "default:core.neuronz=5",
        "core.neuronz",
        "unknown field `neuronz` in `core` (known: axons_in",
    );
    bad(
        "default:cpu.neurons=5",
        "cpu.neurons",
        "unknown field `cpu` in the top level",
    );
    bad(
        "default:core.neurons.x=5",
        "core.neurons.x",
        "`core.neurons` is a value, not a table",
    );
    bad(
        "default:core=5",
        "core",
        "is a table; override one of its fields",
    );
    bad("default:core.neurons", "core.neurons", "has no `=`");
    bad("default:core.neurons=", "core.neurons", "empty value");
    bad("default:=5", "", "has an empty field name");
    bad(
        "default:core..neurons=5",
        "core..neurons",
        "empty field name",
    );
    bad("default:", "(overrides)", "empty override list");
    bad(
        "default:core.neurons=abc",
        "core.neurons",
        "bad override: invalid type: string \"abc\", expected u32",
    );
    bad(
        "default:core.neurons=2.5",
        "core.neurons",
        "invalid type: floating point",
    );
    bad(
        "default:router.routing=adaptive",
        "router.routing",
        "unknown variant `adaptive`",
    );
    bad("default:core.neurons=0", "core.neurons", "0 is too small");
    bad("default:clock_hz=inf", "clock_hz", "must be finite and > 0");
    bad(
        "default:core.synapse_memory.weight_bits=40",
        "core.synapse_memory.weight_bits",
        "out of range 1..=32",
    );
    let e = resolve("nosuch:core.neurons=1").unwrap_err();
    assert!(matches!(e, ArchError::UnknownPreset { .. }));
    let msg = resolve("default:core.neurons=0").unwrap_err().to_string();
    assert!(
        msg.starts_with("preset:default[core.neurons=0]: core.neurons: "),
        "{msg}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// default: channel 1 + delay 4 + target 10 leave 32 - 15 = 17 bits for the
    /// weight, and the weight field itself allows 1..=32: valid iff 1..=17.
    #[test]
    fn weight_bits_override_accepted_iff_it_fits(w in 0u32..48) {
        let r = resolve(&format!("default:core.synapse_memory.weight_bits={w}"));
        prop_assert_eq!(r.is_ok(), (1..=17).contains(&w), "w={} {:?}", w, r.err().map(|e| e.to_string()));
        if let Ok(a) = r {
            prop_assert_eq!(a.core.synapse_memory.weight_bits, w);
        }
    }

    /// Any finite non-negative energy survives override + TOML round trip exactly.
    #[test]
    fn energy_floats_round_trip(pj in 0.0f64..1.0e6, watts in 0.0f64..100.0) {
        let a = resolve(&format!(
            "loihi:energy.hop_ns.pj={pj:?},energy.static_watts_per_chip.watts={watts:?}"
        )).unwrap();
        prop_assert_eq!(a.energy.hop_ns.pj, pj);
        prop_assert_eq!(a.energy.static_watts_per_chip.watts, watts);
        let text = toml::to_string(&a).unwrap();
        let back = neurochip_arch::parse(&text, "rt").unwrap();
        prop_assert_eq!(back, a);
    }
}
