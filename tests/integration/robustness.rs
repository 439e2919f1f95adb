//! Corrupt input never panics and always fails with one line: valid architecture files (every
//! preset), network files (every built-in, TOML and JSON) and spike CSVs with random byte
//! edits, truncations and insertions go through the parsers and validators, which must return
//! `Ok` or an error whose message is a single line naming the origin.

use std::collections::BTreeMap;

use neurochip_net::{builtin, parse, parse_spike_csv, Format, Network};
use proptest::prelude::*;

#[test]
fn uncorrupted_seeds_parse() {
    for (src, format) in seeds() {
        parse(&src, "seed", format).unwrap_or_else(|e| panic!("{e}"));
    }
    for name in neurochip_arch::preset_names() {
        let src = neurochip_arch::preset_source(name).expect("preset source");
        neurochip_arch::parse(src, name).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Valid networks to corrupt: every built-in with its defaults, in both formats.
fn seeds() -> Vec<(String, Format)> {
    let mut v = Vec::new();
    for name in ["brunel_small", "cuba", "synfire", "feedforward", "random"] {
        let net: Network = builtin(name, &BTreeMap::new()).expect("builtin");
        v.push((toml::to_string(&net).expect("toml"), Format::Toml));
        v.push((
            serde_json::to_string_pretty(&net).expect("json"),
            Format::Json,
        ));
    }
    v
}

/// One edit of `src` (as bytes; invalid UTF-8 is replaced, as a file read lossily would be).
#[derive(Clone, Debug)]
enum Edit {
    Truncate(usize),
    Flip(usize, u8),
    Delete(usize, usize),
    Insert(usize, String),
}

fn apply(src: &str, edits: &[Edit]) -> String {
    let mut b = src.as_bytes().to_vec();
    for e in edits {
        let n = b.len().max(1);
        match e {
            Edit::Truncate(k) => b.truncate(k % n),
            Edit::Flip(k, x) => {
                if !b.is_empty() {
                    let i = k % b.len();
                    b[i] ^= x | 1;
                }
            }
            Edit::Delete(k, len) => {
                let i = k % n;
                let j = (i + len).min(b.len());
                if i < j {
                    b.drain(i..j);
                }
            }
            Edit::Insert(k, s) => {
                let i = (k % n).min(b.len());
                b.splice(i..i, s.bytes());
            }
        }
    }
    String::from_utf8_lossy(&b).into_owned()
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(k, x)| Edit::Flip(k, x)),
        (any::<usize>(), 1usize..40).prop_map(|(k, l)| Edit::Delete(k, l)),
        (
            any::<usize>(),
            prop_oneof![
                Just("-1".to_string()),
                Just("1e400".to_string()),
                Just("\"\"".to_string()),
                Just("[[".to_string()),
                Just("nan".to_string()),
                Just("99999999999".to_string()),
                Just("{}".to_string()),
                Just("\n".to_string()),
                "[ -~]{0,12}",
            ]
        )
            .prop_map(|(k, s)| Edit::Insert(k, s)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn corrupt_network_files_fail_in_one_line(
        which in 0usize..10,
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let seeds = seeds();
        let (src, format) = &seeds[which % seeds.len()];
        let text = apply(src, &edits);
        if let Err(e) = parse(&text, "corrupt.net", *format) {
            let msg = e.to_string();
            prop_assert!(!msg.contains('\n'), "multi-line error: {msg}");
            prop_assert!(msg.contains("corrupt.net"), "error does not name the file: {msg}");
        }
    }

    #[test]
    fn corrupt_architecture_files_fail_in_one_line(
        which in 0usize..64,
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let names = neurochip_arch::preset_names();
        let src = neurochip_arch::preset_source(names[which % names.len()]).expect("preset source");
        let text = apply(src, &edits);
        if let Err(e) = neurochip_arch::parse(&text, "corrupt.toml") {
            let msg = e.to_string();
            prop_assert!(!msg.contains('\n'), "multi-line error: {msg}");
            prop_assert!(msg.contains("corrupt.toml"), "error does not name the file: {msg}");
        }
    }

    #[test]
    fn corrupt_spike_csvs_fail_in_one_line(
        rows in proptest::collection::vec((0u32..1000, 0u32..100), 0..20),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let mut src = String::from("step,neuron\n");
        for (s, n) in &rows {
            src.push_str(&format!("{s},{n}\n"));
        }
        let text = apply(&src, &edits);
        if let Err(e) = parse_spike_csv(&text, "corrupt.csv") {
            let msg = e.to_string();
            prop_assert!(!msg.contains('\n'), "multi-line error: {msg}");
            prop_assert!(msg.contains("corrupt.csv"), "error does not name the file: {msg}");
        }
    }
}
