//! Input readers (CSV, .npy) and the output writer.

mod common;

use common::*;
use neurochip_nir::*;

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("nir_io_{}_{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let shape_s = match shape {
        [x] => format!("({x},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_s}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
        h.push(' ');
    }
    h.push('\n');
    let mut b = b"\x93NUMPY\x01\x00".to_vec();
    b.extend_from_slice(&(h.len() as u16).to_le_bytes());
    b.extend_from_slice(h.as_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn npy_of_every_dtype_gives_the_same_events() {
    // (T=3, 2, 2) with ones at flat positions 1, 6, 11
    let ones = [1usize, 6, 11];
    let mk = |size: usize, one: &[u8]| -> Vec<u8> {
        let mut d = vec![0u8; 12 * size];
        for &k in &ones {
            d[k * size..(k + 1) * size].copy_from_slice(one);
        }
        d
    };
    let cases = [
        ("<f4", mk(4, &1.0f32.to_le_bytes())),
        ("<f8", mk(8, &1.0f64.to_le_bytes())),
        ("<i8", mk(8, &1i64.to_le_bytes())),
        ("|u1", mk(1, &[1])),
        ("|b1", mk(1, &[1])),
    ];
    for (descr, data) in cases {
        let p = tmp(&format!("x{}.npy", descr.replace(['<', '|'], "")));
        std::fs::write(&p, npy(descr, &[3, 2, 2], &data)).unwrap();
        let sp = read_input(&p).unwrap_or_else(|e| panic!("{descr}: {e}"));
        assert_eq!(sp.steps, 3, "{descr}");
        assert_eq!(
            sp.events[""],
            vec![(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)],
            "{descr}"
        );
    }
}

#[test]
fn npy_errors_are_reported() {
    let p = tmp("bad.npy");
    std::fs::write(&p, npy("<f4", &[3, 2], &[0u8; 8])).unwrap();
    let e = read_input(&p).unwrap_err().to_string();
    assert!(e.contains("bad.npy") && e.contains("truncated"), "{e}");
    std::fs::write(&p, npy(">f4", &[1], &[0u8; 4])).unwrap();
    let e = read_input(&p).unwrap_err().to_string();
    assert!(e.contains(">f4"), "{e}");
}

#[test]
fn csv_with_and_without_node_column() {
    let p = tmp("a.csv");
    std::fs::write(&p, "step,index,value\n0,3,1\n2,0,1\n").unwrap();
    let sp = read_input(&p).unwrap();
    assert_eq!(sp.events[""], vec![(0, 3, 1.0), (2, 0, 1.0)]);
    assert_eq!(sp.steps, 3);
    std::fs::write(&p, "step,node,index,value\n1,input,4,1\n").unwrap();
    let sp = read_input(&p).unwrap();
    assert_eq!(sp.events["input"], vec![(1, 4, 1.0)]);
}

#[test]
fn csv_input_drives_the_reference_like_the_json() {
    let g = load(&fixture("ffwd_lif.nir")).unwrap();
    let r = reference("ffwd_lif.ref.json");
    let from_json = inputs_of(&r);
    let mut csv = String::from("step,index,value\n");
    for (t, k, v) in &from_json.events["input"] {
        csv.push_str(&format!("{t},{k},{v}\n"));
    }
    let p = tmp("ffwd.csv");
    std::fs::write(&p, csv).unwrap();
    let sp = read_input(&p).unwrap();
    let a = float_reference(&g, &from_json, 100, 1e-3).unwrap();
    let b = float_reference(&g, &sp, 100, 1e-3).unwrap();
    assert_eq!(a.output_rows(), b.output_rows());
}

#[test]
fn outputs_csv_round_trips_through_the_input_reader() {
    let rows = vec![
        OutputRow {
            step: 0,
            node: "output".into(),
            index: 2,
            value: 1.0,
        },
        OutputRow {
            step: 3,
            node: "output".into(),
            index: 0,
            value: 0.5,
        },
        OutputRow {
            step: 4,
            node: "output".into(),
            index: 1,
            value: 0.0,
        },
    ];
    let p = tmp("out.csv");
    write_outputs_csv(&p, &rows).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    assert_eq!(text.lines().next(), Some("step,node,index,value"));
    assert_eq!(text.lines().count(), 3, "zero rows are omitted: {text}");
    let back = read_input(&p).unwrap();
    assert_eq!(back.events["output"], vec![(0, 2, 1.0), (3, 0, 0.5)]);
}
