//! The stateless linear nodes as functions on C-order flat vectors, split
//! into the linear part and the bias so the converter can compose chains.

use crate::flat::{pads, Flat, Op};
use crate::graph::Node;

/// True for nodes that are linear maps (composed into synapses on the chip).
pub(crate) fn is_linear(op: &Op) -> bool {
    matches!(
        op,
        Op::Identity
            | Op::Nir(
                Node::Affine { .. }
                    | Node::Linear { .. }
                    | Node::Scale { .. }
                    | Node::Conv1d { .. }
                    | Node::Conv2d { .. }
                    | Node::SumPool2d { .. }
                    | Node::AvgPool2d { .. }
                    | Node::Flatten { .. }
            )
    )
}

/// y = L x (no bias) for node `i` of `f`; `x` has `f.in_len[i]` elements.
pub(crate) fn apply(f: &Flat, i: usize, x: &[f64]) -> Vec<f64> {
    let out_len: usize = f.shape[i].iter().product();
    match &f.ops[i] {
        Op::Identity | Op::Nir(Node::Flatten { .. }) => x.to_vec(),
        Op::Nir(Node::Affine { weight, .. }) | Op::Nir(Node::Linear { weight }) => {
            let (o, n) = (weight.shape[0], weight.shape[1]);
            let mut y = vec![0.0; o];
            for (r, yr) in y.iter_mut().enumerate() {
                let row = &weight.data[r * n..(r + 1) * n];
                *yr = row.iter().zip(x).map(|(w, v)| w * v).sum();
            }
            y
        }
        Op::Nir(Node::Scale { scale }) => {
            x.iter().enumerate().map(|(k, v)| scale.at(k) * v).collect()
        }
        Op::Nir(Node::Conv1d {
            weight,
            stride,
            padding,
            dilation,
            groups,
            ..
        }) => {
            let (co, cig, k) = (weight.shape[0], weight.shape[1], weight.shape[2]);
            let ci = cig * groups;
            let n = x.len() / ci.max(1);
            let o = f.shape[i][1];
            let p = pads(padding, &[k], &[*dilation])[0].0 as isize;
            let per_g = co / groups;
            let mut y = vec![0.0; out_len];
            for oc in 0..co {
                let g = oc / per_g;
                for t in 0..o {
                    let mut s = 0.0;
                    for c in 0..cig {
                        let ic = g * cig + c;
                        for kk in 0..k {
                            let pos = (t * stride) as isize - p + (kk * dilation) as isize;
                            if pos >= 0 && (pos as usize) < n {
                                s +=
                                    weight.data[(oc * cig + c) * k + kk] * x[ic * n + pos as usize];
                            }
                        }
                    }
                    y[oc * o + t] = s;
                }
            }
            y
        }
        Op::Nir(Node::Conv2d {
            weight,
            stride,
            padding,
            dilation,
            groups,
            ..
        }) => {
            let (co, cig, kh, kw) = (
                weight.shape[0],
                weight.shape[1],
                weight.shape[2],
                weight.shape[3],
            );
            let ci = cig * groups;
            let hw = x.len() / ci.max(1);
            // input spatial dims: from the first input's shape when 3-D, else input_shape
            let (h, w) = in_hw(f, i, hw);
            let (oh, ow) = (f.shape[i][1], f.shape[i][2]);
            let p = pads(padding, &[kh, kw], dilation);
            let (ph, pw) = (p[0].0 as isize, p[1].0 as isize);
            let per_g = co / groups;
            let mut y = vec![0.0; out_len];
            for oc in 0..co {
                let g = oc / per_g;
                for a in 0..oh {
                    for b in 0..ow {
                        let mut s = 0.0;
                        for c in 0..cig {
                            let ic = g * cig + c;
                            for u in 0..kh {
                                let r = (a * stride[0]) as isize - ph + (u * dilation[0]) as isize;
                                if r < 0 || r as usize >= h {
                                    continue;
                                }
                                for v in 0..kw {
                                    let q =
                                        (b * stride[1]) as isize - pw + (v * dilation[1]) as isize;
                                    if q < 0 || q as usize >= w {
                                        continue;
                                    }
                                    s += weight.data[((oc * cig + c) * kh + u) * kw + v]
                                        * x[(ic * h + r as usize) * w + q as usize];
                                }
                            }
                        }
                        y[(oc * oh + a) * ow + b] = s;
                    }
                }
            }
            y
        }
        Op::Nir(Node::SumPool2d {
            kernel_size,
            stride,
            padding,
        })
        | Op::Nir(Node::AvgPool2d {
            kernel_size,
            stride,
            padding,
        }) => {
            let avg = matches!(f.ops[i], Op::Nir(Node::AvgPool2d { .. }));
            let c_n = f.shape[i][0];
            let (h, w) = in_hw(f, i, x.len() / c_n.max(1));
            let (oh, ow) = (f.shape[i][1], f.shape[i][2]);
            let norm = if avg {
                1.0 / (kernel_size[0] * kernel_size[1]) as f64
            } else {
                1.0
            };
            let mut y = vec![0.0; out_len];
            for c in 0..c_n {
                for a in 0..oh {
                    for b in 0..ow {
                        let mut s = 0.0;
                        for u in 0..kernel_size[0] {
                            let r = (a * stride[0] + u) as isize - padding[0] as isize;
                            if r < 0 || r as usize >= h {
                                continue;
                            }
                            for v in 0..kernel_size[1] {
                                let q = (b * stride[1] + v) as isize - padding[1] as isize;
                                if q >= 0 && (q as usize) < w {
                                    s += x[(c * h + r as usize) * w + q as usize];
                                }
                            }
                        }
                        y[(c * oh + a) * ow + b] = s * norm;
                    }
                }
            }
            y
        }
        // Not linear: callers never ask.
        Op::Nir(_) => x.to_vec(),
    }
}

/// The constant part of a linear node (its bias broadcast to the output).
pub(crate) fn bias(f: &Flat, i: usize) -> Option<Vec<f64>> {
    let out_len: usize = f.shape[i].iter().product();
    match &f.ops[i] {
        Op::Nir(Node::Affine { bias, .. }) => Some((0..out_len).map(|k| bias.at(k)).collect()),
        Op::Nir(Node::Conv1d { bias, .. }) | Op::Nir(Node::Conv2d { bias, .. }) => {
            let co = f.shape[i][0];
            let per = out_len / co.max(1);
            Some((0..out_len).map(|k| bias.at(k / per.max(1))).collect())
        }
        _ => None,
    }
}

/// Spatial (H, W) of the input of a 2-D node.
fn in_hw(f: &Flat, i: usize, hw: usize) -> (usize, usize) {
    if let Op::Nir(Node::Conv2d {
        input_shape: Some([h, w]),
        ..
    }) = &f.ops[i]
    {
        return (*h, *w);
    }
    if let Some(&(s, _)) = f.inputs[i].first() {
        let sh = &f.shape[s];
        if sh.len() == 3 {
            return (sh[1], sh[2]);
        }
    }
    (hw, 1)
}
