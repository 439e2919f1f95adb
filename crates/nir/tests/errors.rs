//! Bad files and bad inputs give one-line errors naming the file and the node/field; nothing panics.

mod common;

use common::*;
use neurochip_nir::*;

fn err_of(name: &str) -> String {
    let e = load(&fixture(name)).expect_err("must fail");
    let s = e.to_string();
    assert!(!s.contains('\n'), "one line: {s}");
    s
}

#[test]
fn unknown_node_type_is_named() {
    let s = err_of("bad_type.nir");
    assert!(
        s.contains("bad_type.nir") && s.contains("`lif`") && s.contains("Banana"),
        "{s}"
    );
}

#[test]
fn edge_to_missing_node_is_named() {
    let s = err_of("bad_edge.nir");
    assert!(s.contains("nowhere") && s.contains("`lif`"), "{s}");
}

#[test]
fn shape_mismatch_is_named() {
    let s = err_of("bad_shape.nir");
    assert!(
        s.contains("bad_shape.nir")
            && s.contains("`fc`")
            && s.contains("3 elements")
            && s.contains("expected 5"),
        "{s}"
    );
}

#[test]
fn missing_field_is_named() {
    let s = err_of("bad_missing.nir");
    assert!(
        s.contains("bad_missing.nir") && s.contains("`lif`") && s.contains("`tau`"),
        "{s}"
    );
}

#[test]
fn missing_file_is_an_io_error() {
    let e = load(&fixture("does_not_exist.nir")).unwrap_err();
    assert!(matches!(e, NirError::Io { .. }), "{e}");
    assert!(e.to_string().contains("does_not_exist.nir"));
}

#[test]
fn not_hdf5_is_corrupt() {
    let e = load_bytes(
        std::path::Path::new("x.nir"),
        b"hello, this is not hdf5 at all".to_vec(),
    )
    .unwrap_err();
    assert!(matches!(e, NirError::Corrupt { .. }), "{e}");
    assert!(e.to_string().starts_with("x.nir:"), "{e}");
}

/// Truncate and corrupt ffwd_lif.nir at many offsets: every result is Ok or a one-line Err.
#[test]
fn truncated_and_corrupted_files_never_panic() {
    let bytes = std::fs::read(fixture("ffwd_lif.nir")).unwrap();
    let p = std::path::Path::new("ffwd_lif.nir");
    let mut errs = 0;
    let mut cut = 0;
    while cut < bytes.len() {
        match load_bytes(p, bytes[..cut].to_vec()) {
            Ok(_) => {}
            Err(e) => {
                errs += 1;
                assert!(!e.to_string().contains('\n'));
            }
        }
        cut += 1 + cut / 8;
    }
    assert!(errs > 10, "short files must fail ({errs})");
    // flip bytes at spread-out offsets
    for k in 0..600usize {
        let mut b = bytes.clone();
        let at = (k * 7919 + 13) % b.len();
        b[at] ^= 0x5a;
        if let Err(e) = load_bytes(p, b) {
            assert!(!e.to_string().contains('\n'));
        }
    }
}

#[test]
fn bad_input_rows_name_the_line() {
    let dir = std::env::temp_dir().join(format!("nir_err_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (text, needle) in [
        ("step,index,value\n0,1,1\nx,2,1\n", "line 3"),
        ("0,1\n", "columns"),
        ("0,1,nan\n", "finite"),
        (
            "step,node,index,value\n0,input,1,1\n0,1,1\n",
            "header has 4",
        ),
    ] {
        let p = dir.join("in.csv");
        std::fs::write(&p, text).unwrap();
        let e = read_input(&p).unwrap_err().to_string();
        assert!(e.contains("in.csv") && e.contains(needle), "{text:?}: {e}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn input_out_of_range_or_unknown_node() {
    let g = load(&fixture("ffwd_lif.nir")).unwrap();
    let mut sp = InputSpikes::default();
    sp.push("", 0, 12, 1.0);
    let e = float_reference(&g, &sp, 5, 1e-3).unwrap_err().to_string();
    assert!(e.contains("input") && e.contains("index 12"), "{e}");
    let mut sp = InputSpikes::default();
    sp.push("retina", 0, 0, 1.0);
    let e = float_reference(&g, &sp, 5, 1e-3).unwrap_err().to_string();
    assert!(e.contains("retina"), "{e}");
    let e = float_reference(&g, &InputSpikes::default(), 5, 0.0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("dt"), "{e}");
}

/// Every single-byte corruption of ffwd_lif.nir (slow: run with `--ignored`).
#[test]
#[ignore]
fn exhaustive_byte_flips_never_panic() {
    let bytes = std::fs::read(fixture("ffwd_lif.nir")).unwrap();
    let p = std::path::Path::new("ffwd_lif.nir");
    for at in 0..bytes.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[at] ^= mask;
            let _ = load_bytes(p, b);
        }
    }
}
