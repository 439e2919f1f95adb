//! Every kind of bad architecture input must give ONE line naming the origin,
//! the dotted field and the reason, never a panic.

use neurochip_arch::{load, parse, preset, preset_source, ArchError};

const ORIGIN: &str = "bad.toml";

/// The default preset with one dotted path set to `value` (a TOML snippet).
fn with(path: &str, value: &str) -> String {
    let mut tree: toml::Table = toml::from_str(preset_source("default").unwrap()).unwrap();
    let v: toml::Table = toml::from_str(&format!("v = {value}")).unwrap();
    let segs: Vec<&str> = path.split('.').collect();
    let mut node = &mut tree;
    for s in &segs[..segs.len() - 1] {
        node = node
            .entry(s.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .unwrap();
    }
    node.insert(segs[segs.len() - 1].to_string(), v["v"].clone());
    toml::to_string(&tree).unwrap()
}

/// Parses `src`, expects an error, checks the one-line message and returns it.
fn fails(src: &str, field: &str, reason: &str) -> String {
    let err = parse(src, ORIGIN).expect_err("input should be rejected");
    let msg = err.to_string();
    assert!(!msg.contains('\n'), "not one line: {msg:?}");
    assert!(
        msg.starts_with(&format!("{ORIGIN}: {field}: ")),
        "expected `{ORIGIN}: {field}: ...`, got {msg:?}"
    );
    assert!(msg.contains(reason), "expected {reason:?} in {msg:?}");
    assert_eq!(err.field(), field);
    assert!(err.is_user_error());
    msg
}

fn invalid(path: &str, value: &str, reason: &str) -> String {
    let msg = fails(&with(path, value), path, reason);
    assert!(matches!(
        parse(&with(path, value), ORIGIN),
        Err(ArchError::Invalid { .. })
    ));
    msg
}

#[test]
fn the_unmodified_default_is_valid() {
    // Guards the helper: every failure below comes from the one change made.
    parse(&with("name", "\"default\""), ORIGIN).unwrap();
}

#[test]
fn clock_must_be_positive_and_finite() {
    invalid("clock_hz", "0.0", "must be finite and > 0");
    invalid("clock_hz", "-5.0", "must be finite and > 0");
    invalid("clock_hz", "nan", "must be finite and > 0");
    invalid("clock_hz", "inf", "must be finite and > 0");
}

#[test]
fn topology_counts_at_least_one() {
    for f in ["chips_x", "chips_y", "tiles_x", "tiles_y", "cores_per_tile"] {
        let m = invalid(
            &format!("topology.{f}"),
            "0",
            "0 is too small (must be >= 1)",
        );
        assert!(m.contains(f));
    }
}

#[test]
fn board_limit_must_hold_the_system() {
    // default.toml has chips_x = chips_y = 1, so a limit of 0 is below it.
    for f in ["max_chips_x", "max_chips_y"] {
        let path = format!("topology.{f}");
        let m = invalid(
            &path,
            "0",
            "0 is too small (the board must hold topology.chips_",
        );
        assert!(m.contains(&path), "{m}");
    }
    // A limit equal to the system, or above it, is accepted and kept.
    let a = parse(&with("topology.max_chips_x", "1"), ORIGIN).unwrap();
    assert_eq!(a.topology.max_chips_x, Some(1));
    assert_eq!(a.topology.max_chips_y, None);
    // With chips_x = 3 a limit of 2 is too small, 3 is not.
    let src = |max: i64| {
        toml::to_string(&{
            let mut t: toml::Table = toml::from_str(&with("topology.chips_x", "3")).unwrap();
            t["topology"]
                .as_table_mut()
                .unwrap()
                .insert("max_chips_x".into(), max.into());
            t
        })
        .unwrap()
    };
    fails(&src(2), "topology.max_chips_x", "topology.chips_x = 3");
    parse(&src(3), ORIGIN).unwrap();
    // An unsigned field: a negative limit is a type error naming the field.
    fails(
        &with("topology.max_chips_y", "-1"),
        "topology.max_chips_y",
        "",
    );
}

#[test]
fn hex_needs_one_tile_per_chip() {
    let src = with("topology.kind", "\"hex\"");
    fails(&src, "topology.tiles_x", "one router per chip");
    // ...and with 1x1 tiles it is accepted.
    let src = toml::to_string(&{
        let mut t: toml::Table = toml::from_str(&src).unwrap();
        let topo = t["topology"].as_table_mut().unwrap();
        topo.insert("tiles_x".into(), 1.into());
        topo.insert("tiles_y".into(), 1.into());
        topo.insert("chips_x".into(), 8.into());
        topo.insert("chips_y".into(), 8.into());
        t
    })
    .unwrap();
    parse(&src, ORIGIN).unwrap();
}

#[test]
fn too_many_cores_in_total() {
    let src = with("topology.chips_x", "65536");
    let src = toml::to_string(&{
        let mut t: toml::Table = toml::from_str(&src).unwrap();
        t["topology"]
            .as_table_mut()
            .unwrap()
            .insert("chips_y".into(), 65536.into());
        t
    })
    .unwrap();
    fails(&src, "topology", "do not fit a 32-bit core id");
}

#[test]
fn neurons_at_least_one_and_addressable() {
    invalid("core.neurons", "0", "0 is too small");
    // target_bits = 10 in the default preset: 1024 is fine, 1025 is not.
    parse(&with("core.neurons", "1024"), ORIGIN).unwrap();
    invalid(
        "core.neurons",
        "1025",
        "cannot be addressed by core.synapse_memory.target_bits = 10",
    );
}

#[test]
fn weight_bits_range() {
    let m = invalid(
        "core.synapse_memory.weight_bits",
        "0",
        "0 is out of range 1..=32",
    );
    assert_eq!(
        m,
        "bad.toml: core.synapse_memory.weight_bits: 0 is out of range 1..=32"
    );
    invalid(
        "core.synapse_memory.weight_bits",
        "33",
        "33 is out of range 1..=32",
    );
}

#[test]
fn word_must_hold_its_fields() {
    // default: weight 8 + channel 1 + delay 4 + target 10 = 23 bits.
    parse(&with("core.synapse_memory.word_bits", "23"), ORIGIN).unwrap();
    invalid(
        "core.synapse_memory.word_bits",
        "22",
        "cannot hold weight 8 + channel 1 + delay 4 + target 10 = 23 bits",
    );
    invalid(
        "core.synapse_memory.word_bits",
        "65",
        "65 is out of range 1..=64",
    );
    invalid("core.synapse_memory.words", "0", "too small");
    invalid("core.synapse_memory.words_per_cycle", "0", "too small");
}

#[test]
fn crossbar_words_must_hold_the_crossbar() {
    let src = with("core.crossbar", "true");
    // default as crossbar: 16384 axons x ceil(256/32) = 131072 words needed, 524288 given.
    parse(&src, ORIGIN).unwrap();
    let mut t: toml::Table = toml::from_str(&src).unwrap();
    t["core"]["synapse_memory"]
        .as_table_mut()
        .unwrap()
        .insert("words".into(), 131071.into());
    fails(
        &toml::to_string(&t).unwrap(),
        "core.synapse_memory.words",
        "needs >= 131072",
    );
}

#[test]
fn delay_slots_range_and_field() {
    invalid("core.delay_slots", "1", "1 is out of range 2..=4096");
    invalid("core.delay_slots", "4097", "4097 is out of range 2..=4096");
    // delay_bits 4 encodes delays 1..=16, which need 17 slots (16 + the one being updated).
    parse(&with("core.delay_slots", "17"), ORIGIN).unwrap();
    fails(
        &with("core.delay_slots", "16"),
        "core.synapse_memory.delay_bits",
        "4 bits encode delays 1..=16 but core.delay_slots = 16 holds delays up to 15 (raise delay_slots to >= 17",
    );
    invalid(
        "core.synapse_memory.delay_bits",
        "13",
        "out of range 0..=12",
    );
}

#[test]
fn state_bits_per_model() {
    invalid(
        "core.state_bits",
        "7",
        "7 is out of range 8..=32 supported by model lif",
    );
    invalid("core.state_bits", "33", "supported by model lif");
    let loihi = preset_source("loihi")
        .unwrap()
        .replace("state_bits = 24", "state_bits = 16");
    fails(
        &loihi,
        "core.state_bits",
        "16 is out of range 24..=24 supported by model loihi_cuba_lif",
    );
    let xylo = preset_source("xylo")
        .unwrap()
        .replace("state_bits = 16", "state_bits = 24");
    fails(&xylo, "core.state_bits", "supported by model xylo_iaf");
}

#[test]
fn channel_bits_name_every_channel() {
    invalid(
        "core.synapse_memory.channel_bits",
        "0",
        "0 cannot name the 2 channels of model lif (needs >= 1)",
    );
    let tn = preset_source("truenorth")
        .unwrap()
        .replace("channel_bits = 2", "channel_bits = 1");
    fails(
        &tn,
        "core.synapse_memory.channel_bits",
        "cannot name the 4 channels of model truenorth",
    );
}

#[test]
fn multicast_needs_a_table() {
    let src = with("router.routing", "\"multicast\"");
    fails(&src, "router.table_entries", "0 is out of range 1..=65536");
    invalid("router.table_entries", "65537", "out of range 0..=65536");
}

#[test]
fn router_sizes() {
    invalid("router.buffer_flits", "0", "too small");
    invalid("router.flit_bits", "7", "7 is out of range 8..=1024");
    invalid("router.packet_flits", "0", "too small");
    invalid("router.pipeline_cycles", "0", "too small");
}

#[test]
fn core_cycles() {
    invalid("core.cycles.synapse_word", "0", "too small (must be >= 1)");
    invalid("core.cycles.neuron_update_active", "0", "too small");
    invalid("core.cycles.neuron_update_idle", "0", "too small");
    // spike_in and spike_out may be 0 (folded into other costs).
    parse(&with("core.cycles.spike_in", "0"), ORIGIN).unwrap();
    parse(&with("core.cycles.spike_out", "0"), ORIGIN).unwrap();
}

#[test]
fn links_and_buffers() {
    invalid("link.latency_ew_cycles", "0", "too small");
    invalid("link.latency_ns_cycles", "0", "too small");
    invalid("link.width_flits", "0", "too small");
    invalid("link.offchip_latency_cycles", "0", "too small");
    invalid("link.offchip_cycles_per_flit", "0", "too small");
    invalid("core.input_buffer", "0", "too small");
    invalid("core.axons_in", "0", "too small");
    invalid("core.axons_out", "0", "too small");
}

#[test]
fn barrier_per_tile_non_negative() {
    invalid("barrier.per_tile_cycles", "-1.0", "must be finite and >= 0");
}

#[test]
fn energy_figures() {
    invalid("energy.hop_ew.pj", "-0.5", "-0.5 must be finite and >= 0");
    invalid("energy.synaptic_op.pj", "nan", "must be finite and >= 0");
    invalid("energy.word_read.source", "\"  \"", "empty source");
    invalid(
        "energy.static_watts_per_chip.watts",
        "inf",
        "must be finite and >= 0",
    );
    invalid(
        "energy.static_watts_per_chip.source",
        "\"\"",
        "empty source",
    );
    invalid("name", "\"\"", "must not be empty");
}

#[test]
fn unknown_field_is_named() {
    let src = preset_source("default")
        .unwrap()
        .replace("weight_bits = 8", "weight_bitz = 8");
    let m = fails(
        &src,
        "core.synapse_memory.weight_bitz",
        "unknown field `weight_bitz`",
    );
    assert!(m.contains("line "), "{m}");
    let src = format!("{}\nfrobnicate = 1\n", preset_source("default").unwrap());
    // A top-level key after tables belongs to the last table: energy.static_watts_per_chip.
    fails(
        &src,
        "energy.static_watts_per_chip.frobnicate",
        "unknown field `frobnicate`",
    );
    let src = format!("frobnicate = 1\n{}", preset_source("default").unwrap());
    fails(&src, "frobnicate", "unknown field `frobnicate`");
}

#[test]
fn missing_field_is_named() {
    let src = preset_source("default")
        .unwrap()
        .replace("neurons = 256\n", "");
    fails(&src, "core.neurons", "missing field `neurons`");
}

#[test]
fn wrong_type_and_unknown_variant() {
    let m = fails(
        &with("core.neurons", "\"many\""),
        "core.neurons",
        "invalid type",
    );
    assert!(m.contains("line "), "{m}");
    fails(&with("core.neurons", "-3"), "core.neurons", "invalid value");
    fails(
        &with("core.model", "\"izhikevich\""),
        "core.model",
        "unknown variant `izhikevich`",
    );
    fails(
        &with("router.routing", "\"adaptive\""),
        "router.routing",
        "unknown variant",
    );
    fails(
        &with("energy.hop_ns.confidence", "\"sure\""),
        "energy.hop_ns.confidence",
        "unknown variant",
    );
}

#[test]
fn syntax_error_names_the_line() {
    let src = "name = \"x\"\nclock_hz = \n";
    let err = parse(src, ORIGIN).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("bad.toml: line 2: "), "{msg}");
    assert!(!msg.contains('\n'));
}

#[test]
fn missing_file_and_unknown_preset() {
    let p = std::path::Path::new("/nonexistent/neurochip/arch.toml");
    let msg = load(p).unwrap_err().to_string();
    assert!(
        msg.starts_with("/nonexistent/neurochip/arch.toml: file: cannot read: "),
        "{msg}"
    );
    let msg = preset("loihi3").unwrap_err().to_string();
    assert!(
        msg.starts_with("preset:loihi3: name: unknown preset (known: default, loihi"),
        "{msg}"
    );
}
