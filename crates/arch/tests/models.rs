//! The architecture's model table reads every fact from the firmware, and an outside
//! model registered at run time is validated like a built-in one.

use neurochip_arch::model::{self, ModelKind, RegisterError};
use neurochip_arch::{parse, preset_source};
use neurochip_firmware::models::{lif::Lif, loihi::LoihiCubaLif, truenorth::TrueNorth};
use neurochip_firmware::models::{spinnaker::SpinnakerLif, xylo::XyloIaf};
use neurochip_firmware::{ModelInfo, NeuronModel, StateBits};

fn ties<M: NeuronModel>(kind: ModelKind) {
    assert_eq!(kind.name(), M::NAME);
    assert_eq!(kind.info(), M::INFO);
    assert_eq!(kind.channels(), u32::from(M::CHANNELS));
    let r = kind.state_bits_range();
    assert_eq!(
        (*r.start(), *r.end()),
        (M::STATE_BITS.min, M::STATE_BITS.max)
    );
    assert_eq!(ModelKind::named(M::NAME), Some(kind));
}

#[test]
fn built_in_facts_come_from_the_firmware() {
    ties::<Lif>(ModelKind::Lif);
    ties::<LoihiCubaLif>(ModelKind::LoihiCubaLif);
    ties::<XyloIaf>(ModelKind::XyloIaf);
    ties::<SpinnakerLif>(ModelKind::SpinnakerLif);
    ties::<TrueNorth>(ModelKind::Truenorth);
    // The widths the chips have (and the architecture files were written against).
    assert_eq!(ModelKind::Lif.state_bits_range(), 8..=32);
    assert_eq!(ModelKind::LoihiCubaLif.state_bits_range(), 24..=24);
    assert_eq!(ModelKind::Truenorth.channel_bits_needed(), 2);
    assert_eq!(ModelKind::LoihiCubaLif.channel_bits_needed(), 0);
}

const OUTSIDE: ModelInfo = ModelInfo {
    name: "outside_test_model",
    channels: 3,
    state_bits: StateBits { min: 12, max: 16 },
    state_fields: &["v"],
    memories: &[],
};

fn with_model(name: &str, state_bits: u32, channel_bits: u32) -> String {
    preset_source("default")
        .unwrap()
        .replace("model = \"lif\"", &format!("model = \"{name}\""))
        .replace("state_bits = 24", &format!("state_bits = {state_bits}"))
        .replace(
            "channel_bits = 1 ",
            &format!("channel_bits = {channel_bits} "),
        )
}

#[test]
fn a_registered_model_is_parsed_and_validated_from_its_facts() {
    let src = with_model(OUTSIDE.name, 16, 2);
    let before = parse(&src, "x.toml").unwrap_err().to_string();
    assert!(
        before.contains("unknown variant `outside_test_model`"),
        "{before}"
    );
    let kind = model::register(OUTSIDE).unwrap();
    assert_eq!(model::register(OUTSIDE), Ok(kind), "idempotent");
    let a = parse(&src, "x.toml").unwrap();
    assert_eq!(a.core.model, kind);
    let e = parse(&with_model(OUTSIDE.name, 24, 2), "x.toml").unwrap_err();
    assert!(
        e.to_string()
            .contains("24 is out of range 12..=16 supported by model outside_test_model"),
        "{e}"
    );
    let e = parse(&with_model(OUTSIDE.name, 16, 1), "x.toml").unwrap_err();
    assert!(e.to_string().contains("cannot name the 3 channels"), "{e}");
    let clash = ModelInfo {
        channels: 1,
        ..OUTSIDE
    };
    assert!(matches!(
        model::register(clash),
        Err(RegisterError::Conflict { .. })
    ));
    let bad = ModelInfo {
        name: "Bad Name",
        ..OUTSIDE
    };
    assert!(matches!(
        model::register(bad),
        Err(RegisterError::BadName { .. })
    ));
}
