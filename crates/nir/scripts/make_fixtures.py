#!/usr/bin/env python3
"""Write the small NIR fixtures of crates/nir/fixtures/ and their float64 reference traces.

Usage:  pip install nir==1.0.8 numpy h5py  &&  python3 crates/nir/scripts/make_fixtures.py

Every fixture is written by the `nir` package itself (nir.write, gzip-compressed float32 parameters) except
`old_v02.nir`, which mimics a nir 0.2 file (uncompressed, float64, no `v_reset` / `w_in`) and the `bad_*.nir`
files, which are written with h5py directly following the on-disk layout. The reference traces
(`<name>.ref.json`, same layout as ffwd_lif.ref.json) are computed here in numpy, independently of the Rust code,
by the convention of /work/shared/reference/nir/README.md: forward Euler, spike = 1.0, states start at 0, strict
`>` thresholds, reset to v_reset, CubaLIF uses the current updated in the same step, topological order with zero
latency, an edge closing a cycle delivers the previous step's value, Delay = round(delay/dt) steps. The
evaluation order is the depth-first walk from the Input nodes (by name) following out-edges in file order; an
edge to a node on the walk's stack is the cycle-closing one (same rule as crates/nir/src/flat.rs).
"""
import json
import re
import pathlib

import h5py
import nir
import numpy as np

OUT = pathlib.Path(__file__).resolve().parent.parent / "fixtures"
DT = 1e-3
STEPS = 50
RNG = np.random.default_rng(7)


def q(a):
    """Round to multiples of 1/64 so float32 storage is exact."""
    return (np.round(np.asarray(a, dtype=np.float64) * 64) / 64).astype(np.float32)


def w(*shape, scale=1.0):
    return q(RNG.normal(0, scale, size=shape))


def full(shape, x):
    return np.full(shape, x, dtype=np.float32)


# ---------------------------------------------------------------- reference simulator (numpy, float64)


def flatten(graph, prefix="", top=True, names=None, ops=None, edges=None):
    names = [] if names is None else names
    ops = [] if ops is None else ops
    edges = [] if edges is None else edges
    local = {}
    for name in sorted(graph.nodes):
        node = graph.nodes[name]
        full_name = f"{prefix}.{name}" if prefix else name
        if isinstance(node, nir.NIRGraph):
            local[name] = flatten(node, full_name, False, names, ops, edges)
        else:
            idx = len(names)
            names.append(full_name)
            if not top and isinstance(node, (nir.Input, nir.Output)):
                ops.append(("Identity", None))
            else:
                ops.append((type(node).__name__, node))
            local[name] = ([idx], [idx])
    entries = [local[n][0][0] for n in local if isinstance(graph.nodes[n], nir.Input)]
    exits = [local[n][1][0] for n in local if isinstance(graph.nodes[n], nir.Output)]
    for a, b in graph.edges:
        ia = local[a][1]
        ib = local[b][0]
        assert len(ia) == 1 and len(ib) == 1
        edges.append((ia[0], ib[0]))
    return (entries, exits) if prefix else (names, ops, edges)


def order_and_delayed(names, ops, edges):
    n = len(names)
    outs = [[] for _ in range(n)]
    for a, b in edges:
        outs[a].append(b)
    state = [0] * n
    post, delayed = [], set()
    roots = [i for i in range(n) if ops[i][0] == "Input"] + list(range(n))
    for r in roots:
        if state[r]:
            continue
        stack = [[r, 0]]
        state[r] = 1
        while stack:
            v, k = stack[-1]
            if k < len(outs[v]):
                stack[-1][1] += 1
                x = outs[v][k]
                if state[x] == 0:
                    state[x] = 1
                    stack.append([x, 0])
                elif state[x] == 1:
                    delayed.add((v, x))
            else:
                state[v] = 2
                post.append(v)
                stack.pop()
    return post[::-1], delayed


def conv_nd(x, weight, stride, pad, dil, groups):
    """PyTorch cross-correlation on (C, *spatial) with symmetric (left, right) pads."""
    nd = weight.ndim - 2
    x = np.pad(x, [(0, 0)] + list(pad))
    co, cig = weight.shape[:2]
    k = weight.shape[2:]
    outs = [(x.shape[1 + d] - dil[d] * (k[d] - 1) - 1) // stride[d] + 1 for d in range(nd)]
    y = np.zeros([co] + outs)
    per = co // groups
    for oc in range(co):
        g = oc // per
        for pos in np.ndindex(*outs):
            s = 0.0
            for c in range(cig):
                for kk in np.ndindex(*k):
                    idx = tuple(pos[d] * stride[d] + kk[d] * dil[d] for d in range(nd))
                    s += weight[(oc, c) + kk] * x[(g * cig + c,) + idx]
            y[(oc,) + pos] = s
    return y


def pads(padding, k, dil):
    if isinstance(padding, (bytes, str)):
        p = padding.decode() if isinstance(padding, bytes) else padding
        if p == "valid":
            return [(0, 0)] * len(k)
        return [(d * (kk - 1) // 2, d * (kk - 1) - d * (kk - 1) // 2) for kk, d in zip(k, dil)]
    p = np.atleast_1d(np.asarray(padding)).astype(int)
    if p.size == 1:
        p = np.repeat(p, len(k))
    return [(int(a), int(a)) for a in p]


def pool(x, k, stride, pad, avg):
    x = np.pad(x, [(0, 0), (pad[0], pad[0]), (pad[1], pad[1])])
    oh = (x.shape[1] - k[0]) // stride[0] + 1
    ow = (x.shape[2] - k[1]) // stride[1] + 1
    y = np.zeros((x.shape[0], oh, ow))
    for a in range(oh):
        for b in range(ow):
            y[:, a, b] = x[:, a * stride[0]: a * stride[0] + k[0], b * stride[1]: b * stride[1] + k[1]].sum(axis=(1, 2))
    return y / (k[0] * k[1]) if avg else y


LINEAR = ("Affine", "Linear", "Scale", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d", "Flatten", "Identity", "Delay")


def f64(a):
    return np.asarray(a, dtype=np.float64)


def simulate(graph, inputs, shapes, steps, dt):
    """inputs: name -> (steps, *shape) array; shapes: flattened name -> output shape (from the script's knowledge)."""
    names, ops, edges = flatten(graph)
    order, delayed = order_and_delayed(names, ops, edges)
    ins = [[] for _ in names]
    for a, b in edges:
        ins[b].append((a, (a, b) in delayed))
    size = {i: int(np.prod(shapes[names[i]])) for i in range(len(names))}
    cur = {i: np.zeros(size[i]) for i in range(len(names))}
    prev = {i: np.zeros(size[i]) for i in range(len(names))}
    v = {i: np.zeros(size[i]) for i in range(len(names))}
    cur_i = {i: np.zeros(size[i]) for i in range(len(names))}
    hist = {i: [] for i in range(len(names))}
    rec = {names[i]: {"out": [], "v": [], "i": []} for i in range(len(names))}
    for t in range(steps):
        for i in order:
            kind, node = ops[i]
            if kind == "Input":
                x = inputs[names[i]][t].reshape(-1).astype(np.float64)
            else:
                x = None
                for s, d in ins[i]:
                    src = prev[s] if d else cur[s]
                    x = src.copy() if x is None else x + src
                if x is None:
                    x = np.zeros(1)
            if kind in ("Input", "Output", "Identity", "Flatten"):
                y = x
            elif kind == "Affine":
                y = f64(node.weight) @ x + f64(node.bias)
            elif kind == "Linear":
                y = f64(node.weight) @ x
            elif kind == "Scale":
                y = f64(node.scale) * x
            elif kind in ("Conv1d", "Conv2d"):
                wgt = f64(node.weight)
                nd = wgt.ndim - 2
                cin = wgt.shape[1] * int(node.groups)
                sp = shapes[names[i] + ":in"]
                xx = x.reshape([cin] + list(sp))
                st = np.atleast_1d(node.stride).astype(int)
                di = np.atleast_1d(node.dilation).astype(int)
                st = np.repeat(st, nd) if st.size == 1 else st
                di = np.repeat(di, nd) if di.size == 1 else di
                yy = conv_nd(xx, wgt, st, pads(node.padding, wgt.shape[2:], di), di, int(node.groups))
                yy = yy + f64(node.bias).reshape([-1] + [1] * nd)
                y = yy.reshape(-1)
            elif kind in ("SumPool2d", "AvgPool2d"):
                sp = shapes[names[i] + ":in"]
                xx = x.reshape(sp)
                y = pool(xx, np.asarray(node.kernel_size, int), np.asarray(node.stride, int),
                         np.asarray(node.padding, int), kind == "AvgPool2d").reshape(-1)
            elif kind == "Delay":
                hist[i].append(x)
                d = np.round(f64(node.delay).reshape(-1) / dt).astype(int)
                y = np.array([hist[i][t - d[k]][k] if t >= d[k] else 0.0 for k in range(size[i])])
            elif kind == "Threshold":
                y = (x > f64(node.threshold).reshape(-1)).astype(np.float64)
            elif kind == "I":
                v[i] = v[i] + dt * f64(node.r).reshape(-1) * x
                y = v[i].copy()
            elif kind == "IF":
                v[i] = v[i] + dt * f64(node.r).reshape(-1) * x
                z = v[i] > f64(node.v_threshold).reshape(-1)
                v[i] = np.where(z, f64(node.v_reset).reshape(-1), v[i])
                y = z.astype(np.float64)
            elif kind in ("LI", "LIF"):
                a = dt / f64(node.tau).reshape(-1)
                v[i] = v[i] + a * (f64(node.v_leak).reshape(-1) - v[i] + f64(node.r).reshape(-1) * x)
                if kind == "LIF":
                    z = v[i] > f64(node.v_threshold).reshape(-1)
                    v[i] = np.where(z, f64(node.v_reset).reshape(-1), v[i])
                    y = z.astype(np.float64)
                else:
                    y = v[i].copy()
            elif kind in ("CubaLI", "CubaLIF"):
                cur_i[i] = cur_i[i] + dt / f64(node.tau_syn).reshape(-1) * (-cur_i[i] + f64(node.w_in).reshape(-1) * x)
                a = dt / f64(node.tau_mem).reshape(-1)
                v[i] = v[i] + a * (f64(node.v_leak).reshape(-1) - v[i] + f64(node.r).reshape(-1) * cur_i[i])
                if kind == "CubaLIF":
                    z = v[i] > f64(node.v_threshold).reshape(-1)
                    v[i] = np.where(z, f64(node.v_reset).reshape(-1), v[i])
                    y = z.astype(np.float64)
                else:
                    y = v[i].copy()
            else:
                raise ValueError(kind)
            cur[i] = np.asarray(y, dtype=np.float64).reshape(-1)
            r = rec[names[i]]
            r["out"].append(cur[i].tolist())
            if kind in ("I", "IF", "LI", "LIF", "CubaLI", "CubaLIF"):
                r["v"].append(v[i].tolist())
            if kind in ("CubaLI", "CubaLIF"):
                r["i"].append(cur_i[i].tolist())
        prev = {k: a.copy() for k, a in cur.items()}
    return names, ops, order, delayed, rec


def write_ref(name, graph, inputs, shapes, steps=STEPS, dt=DT):
    names, ops, order, delayed, rec = simulate(graph, inputs, shapes, steps, dt)
    nodes = {}
    for i, n in enumerate(names):
        kind = ops[i][0]
        r = rec[n]
        e = {"type": kind, "shape": [int(s) for s in shapes[n]]}
        if kind not in LINEAR:
            e["data"] = r["out"]
        if kind == "Input":
            e["kind"] = "input"
        elif kind == "Output":
            e["kind"] = "output"
        elif kind in ("IF", "LIF", "CubaLIF", "Threshold"):
            e["kind"] = "spikes"
            e["spike_count"] = int(np.sum(r["out"]))
        else:
            e["kind"] = "values"
        if r["v"]:
            e["v"] = r["v"]
        if r["i"]:
            e["i"] = r["i"]
        nodes[n] = e
    doc = {
        "generator": "crates/nir/scripts/make_fixtures.py",
        "nir_version": nir.version,
        "dt": dt,
        "n_steps": steps,
        "integration": "forward Euler, spikes = 1.0, state init 0",
        "exec_order": [names[i] for i in order],
        "delayed_edges": sorted([[names[a], names[b]] for a, b in delayed]),
        "layout": "data[t][i] with i = C-order flat index of the node's shape",
        "nodes": nodes,
    }
    text = json.dumps(doc, separators=(",", ":"))
    text = re.sub(r"-?\d+\.\d{12,}(e-?\d+)?", lambda m: repr(float("%.12g" % float(m.group(0)))), text)
    (OUT / f"{name}.ref.json").write_text(text)
    spikes = {n: e.get("spike_count") for n, e in nodes.items() if "spike_count" in e}
    print(f"{name}: {len(text)} bytes of reference, spikes {spikes}")


def spikes(steps, shape, p):
    return (RNG.random((steps,) + tuple(shape)) < p).astype(np.float64)


def save(name, graph, compression="gzip"):
    """gzip is nir.write's default; the conv fixtures are stored uncompressed to stay small (chunk indexes cost)."""
    path = OUT / f"{name}.nir"
    nir.write(path, graph, compression=compression)
    print(f"{name}.nir: {path.stat().st_size} bytes")


# ---------------------------------------------------------------- fixtures


def conv2d_pool():
    # Input(1,6,6) -> Conv2d(2x1x3x3, pad 1) -> IF -> SumPool2d(2) -> Flatten -> Affine(5x18) -> LIF -> Output
    #                                          IF -> AvgPool2d(3)  -> Flatten -> Linear(3x8)   -> LIF -> Output
    nodes = {
        "input": nir.Input(input_type=np.array([1, 6, 6])),
        "conv": nir.Conv2d(input_shape=(6, 6), weight=w(2, 1, 3, 3, scale=1.5), stride=1, padding=1,
                           dilation=1, groups=1, bias=q([0.25, -0.125])),
        "if1": nir.IF(r=full((2, 6, 6), 1000.0), v_threshold=full((2, 6, 6), 0.5), v_reset=full((2, 6, 6), 0.0)),
        "sum": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
        "avg": nir.AvgPool2d(kernel_size=np.array([3, 3]), stride=np.array([3, 3]), padding=np.array([1, 1])),
        "flat1": nir.Flatten(input_type={"input": np.array([2, 3, 3])}, start_dim=0, end_dim=-1),
        "flat2": nir.Flatten(input_type={"input": np.array([2, 2, 2])}, start_dim=0, end_dim=-1),
        "fc1": nir.Affine(weight=w(5, 18, scale=5.0), bias=q(RNG.normal(0, 0.5, 5))),
        "fc2": nir.Linear(weight=w(3, 8, scale=30.0)),
        "lif1": nir.LIF(tau=full(5, 0.008), r=full(5, 1.0), v_leak=full(5, 0.0), v_threshold=full(5, 1.0), v_reset=full(5, 0.0)),
        "lif2": nir.LIF(tau=full(3, 0.004), r=full(3, 1.0), v_leak=full(3, 0.0), v_threshold=full(3, 1.0), v_reset=full(3, 0.0)),
        "out1": nir.Output(output_type=np.array([5])),
        "out2": nir.Output(output_type=np.array([3])),
    }
    edges = [("input", "conv"), ("conv", "if1"), ("if1", "sum"), ("sum", "flat1"), ("flat1", "fc1"),
             ("fc1", "lif1"), ("lif1", "out1"), ("if1", "avg"), ("avg", "flat2"), ("flat2", "fc2"),
             ("fc2", "lif2"), ("lif2", "out2")]
    g = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    save("conv2d_pool", g, compression=None)
    shapes = {"input": [1, 6, 6], "conv": [2, 6, 6], "conv:in": [6, 6], "if1": [2, 6, 6], "sum": [2, 3, 3],
              "sum:in": [2, 6, 6], "avg": [2, 2, 2], "avg:in": [2, 6, 6], "flat1": [18], "flat2": [8], "fc1": [5],
              "fc2": [3], "lif1": [5], "lif2": [3], "out1": [5], "out2": [3]}
    write_ref("conv2d_pool", nir.read(OUT / "conv2d_pool.nir"), {"input": spikes(STEPS, (1, 6, 6), 0.5)}, shapes)


def conv1d_cuba():
    # Input(2,10) -> Conv1d(3x2x3, stride 1, "same") -> CubaLIF -> Flatten -> Linear(4x30) -> CubaLI -> Output (host)
    nodes = {
        "input": nir.Input(input_type=np.array([2, 10])),
        "conv": nir.Conv1d(input_shape=10, weight=w(3, 2, 3, scale=3.0), stride=1, padding="same", dilation=1,
                           groups=1, bias=q([0.5, 0.0, -0.25])),
        "cuba": nir.CubaLIF(tau_syn=full((3, 10), 0.005), tau_mem=full((3, 10), 0.01), r=full((3, 10), 1.0),
                            v_leak=full((3, 10), 0.0), v_threshold=full((3, 10), 0.5), v_reset=full((3, 10), 0.0),
                            w_in=full((3, 10), 2.0)),
        "flat": nir.Flatten(input_type={"input": np.array([3, 10])}, start_dim=0, end_dim=-1),
        "fc": nir.Linear(weight=w(4, 30, scale=1.0)),
        "li": nir.CubaLI(tau_syn=full(4, 0.004), tau_mem=full(4, 0.02), r=full(4, 1.0), v_leak=full(4, 0.0),
                         w_in=full(4, 1.0)),
        "output": nir.Output(output_type=np.array([4])),
    }
    edges = [("input", "conv"), ("conv", "cuba"), ("cuba", "flat"), ("flat", "fc"), ("fc", "li"), ("li", "output")]
    g = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    save("conv1d_cuba", g, compression=None)
    shapes = {"input": [2, 10], "conv": [3, 10], "conv:in": [10], "cuba": [3, 10], "flat": [30], "fc": [4],
              "li": [4], "output": [4]}
    write_ref("conv1d_cuba", nir.read(OUT / "conv1d_cuba.nir"), {"input": spikes(STEPS, (2, 10), 0.3)}, shapes)


def recurrent():
    # Input(5) -> Linear(8x5) -> LIF(8) -> Linear(8x8, recurrent) -> LIF ; LIF -> Affine(3x8) -> LI -> Output
    nodes = {
        "input": nir.Input(input_type=np.array([5])),
        "fc_in": nir.Linear(weight=w(8, 5, scale=3.0)),
        "lif": nir.LIF(tau=full(8, 0.01), r=full(8, 10.0), v_leak=full(8, 0.0), v_threshold=full(8, 1.0),
                       v_reset=full(8, 0.0)),
        "rec": nir.Linear(weight=w(8, 8, scale=1.5)),
        "fc_out": nir.Affine(weight=w(3, 8, scale=1.0), bias=q([0.125, 0.0, -0.125])),
        "li": nir.LI(tau=full(3, 0.005), r=full(3, 1.0), v_leak=full(3, 0.0)),
        "output": nir.Output(output_type=np.array([3])),
    }
    edges = [("input", "fc_in"), ("fc_in", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "fc_out"),
             ("fc_out", "li"), ("li", "output")]
    g = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    save("recurrent", g)
    shapes = {"input": [5], "fc_in": [8], "lif": [8], "rec": [8], "fc_out": [3], "li": [3], "output": [3]}
    write_ref("recurrent", nir.read(OUT / "recurrent.nir"), {"input": spikes(STEPS, (5,), 0.25)}, shapes)


def delay_threshold():
    # Input(4) -> Scale -> Delay(0..3 ms) -> Threshold -> Linear(3x4) -> IF -> Output ; IF -> Linear(2x3) -> I -> Output
    nodes = {
        "input": nir.Input(input_type=np.array([4])),
        "scale": nir.Scale(scale=q([1.0, 2.0, 0.5, 1.5])),
        "delay": nir.Delay(delay=np.array([0.0, 0.001, 0.002, 0.003], dtype=np.float32)),
        "thr": nir.Threshold(threshold=q([0.5, 1.0, 0.25, 1.0])),
        "fc": nir.Linear(weight=q([[1, 1, 0, 0], [0, 1, 1, 0], [0.5, 0, 0.5, 1]])),
        "if1": nir.IF(r=full(3, 1000.0), v_threshold=full(3, 0.75), v_reset=full(3, 0.0)),
        "fc2": nir.Linear(weight=q([[1, 0, 1], [0, 2, -1]])),
        "integ": nir.I(r=full(2, 100.0)),
        "out_spk": nir.Output(output_type=np.array([3])),
        "out_int": nir.Output(output_type=np.array([2])),
    }
    edges = [("input", "scale"), ("scale", "delay"), ("delay", "thr"), ("thr", "fc"), ("fc", "if1"),
             ("if1", "out_spk"), ("if1", "fc2"), ("fc2", "integ"), ("integ", "out_int")]
    g = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    save("delay_threshold", g)
    shapes = {"input": [4], "scale": [4], "delay": [4], "thr": [4], "fc": [3], "if1": [3], "fc2": [2],
              "integ": [2], "out_spk": [3], "out_int": [2]}
    write_ref("delay_threshold", nir.read(OUT / "delay_threshold.nir"), {"input": spikes(STEPS, (4,), 0.3)}, shapes)


def nested():
    # Input(6) -> Linear -> sub[ Input -> LIF -> Output ] -> Linear -> LIF -> Output
    sub = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type=np.array([7])),
            "lif": nir.LIF(tau=full(7, 0.005), r=full(7, 1.0), v_leak=full(7, 0.0), v_threshold=full(7, 1.0),
                           v_reset=full(7, 0.0)),
            "out": nir.Output(output_type=np.array([7])),
        },
        edges=[("in", "lif"), ("lif", "out")],
        type_check=False,
    )
    nodes = {
        "input": nir.Input(input_type=np.array([6])),
        "fc1": nir.Linear(weight=w(7, 6, scale=8.0)),
        "sub": sub,
        "fc2": nir.Linear(weight=w(2, 7, scale=5.0)),
        "lif": nir.LIF(tau=full(2, 0.01), r=full(2, 4.0), v_leak=full(2, 0.0), v_threshold=full(2, 1.0),
                       v_reset=full(2, 0.0)),
        "output": nir.Output(output_type=np.array([2])),
    }
    edges = [("input", "fc1"), ("fc1", "sub"), ("sub", "fc2"), ("fc2", "lif"), ("lif", "output")]
    g = nir.NIRGraph(nodes=nodes, edges=edges, type_check=False)
    save("nested", g)
    shapes = {"input": [6], "fc1": [7], "sub.in": [7], "sub.lif": [7], "sub.out": [7], "fc2": [2], "lif": [2],
              "output": [2]}
    write_ref("nested", nir.read(OUT / "nested.nir"), {"input": spikes(STEPS, (6,), 0.3)}, shapes)


def old_v02():
    """nir 0.2-style: uncompressed float64 datasets, no v_reset on LIF, no w_in on CubaLIF."""
    path = OUT / "old_v02.nir"
    wt = w(5, 4, scale=4.0).astype(np.float64)
    wt2 = w(3, 5, scale=4.0).astype(np.float64)
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="0.2.0", dtype=h5py.string_dtype())
        node = f.create_group("node")
        node.create_dataset("type", data="NIRGraph", dtype=h5py.string_dtype())
        edges = [("input", "fc"), ("fc", "lif"), ("lif", "fc2"), ("fc2", "cuba"), ("cuba", "output")]
        node.create_dataset("edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype())
        nodes = node.create_group("nodes")

        def add(name, typ, **fields):
            g = nodes.create_group(name)
            g.create_dataset("type", data=typ, dtype=h5py.string_dtype())
            for k, v in fields.items():
                g.create_dataset(k, data=v)

        add("input", "Input", shape=np.array([4], dtype=np.int64))
        add("fc", "Affine", weight=wt, bias=np.zeros(5))
        add("lif", "LIF", tau=np.full(5, 0.01), r=np.full(5, 6.0), v_leak=np.zeros(5), v_threshold=np.ones(5))
        add("fc2", "Linear", weight=wt2)
        add("cuba", "CubaLIF", tau_syn=np.full(3, 0.005), tau_mem=np.full(3, 0.01), r=np.full(3, 8.0),
            v_leak=np.zeros(3), v_threshold=np.full(3, 0.5))
        add("output", "Output", shape=np.array([3], dtype=np.int64))
    print(f"old_v02.nir: {path.stat().st_size} bytes")
    shapes = {"input": [4], "fc": [5], "lif": [5], "fc2": [3], "cuba": [3], "output": [3]}
    write_ref("old_v02", nir.read(path), {"input": spikes(STEPS, (4,), 0.3)}, shapes)


def bad(name, mutate):
    path = OUT / f"{name}.nir"
    with h5py.File(path, "w") as f:
        f.create_dataset("version", data="1.0.8", dtype=h5py.string_dtype())
        node = f.create_group("node")
        node.create_dataset("type", data="NIRGraph", dtype=h5py.string_dtype())
        edges = [("input", "fc"), ("fc", "lif"), ("lif", "output")]
        nodes = node.create_group("nodes")
        parts = {
            "input": ("Input", {"shape": np.array([3], dtype=np.int64)}),
            "fc": ("Linear", {"weight": np.ones((2, 3), dtype=np.float32)}),
            "lif": ("LIF", {"tau": np.full(2, 0.01), "r": np.ones(2), "v_leak": np.zeros(2),
                            "v_threshold": np.ones(2), "v_reset": np.zeros(2)}),
            "output": ("Output", {"shape": np.array([2], dtype=np.int64)}),
        }
        edges = mutate(parts, edges)
        node.create_dataset("edges", data=np.array(edges, dtype=object), dtype=h5py.string_dtype())
        for n, (typ, fields) in parts.items():
            g = nodes.create_group(n)
            g.create_dataset("type", data=typ, dtype=h5py.string_dtype())
            for k, v in fields.items():
                g.create_dataset(k, data=v)
    print(f"{name}.nir: {path.stat().st_size} bytes")


def bad_type(parts, edges):
    parts["lif"] = ("Banana", parts["lif"][1])
    return edges


def bad_edge(parts, edges):
    return edges + [("lif", "nowhere")]


def bad_shape(parts, edges):
    parts["fc"] = ("Linear", {"weight": np.ones((2, 5), dtype=np.float32)})
    return edges


def bad_missing(parts, edges):
    del parts["lif"][1]["tau"]
    return edges


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    conv2d_pool()
    conv1d_cuba()
    recurrent()
    delay_threshold()
    nested()
    old_v02()
    bad("bad_type", bad_type)
    bad("bad_edge", bad_edge)
    bad("bad_shape", bad_shape)
    bad("bad_missing", bad_missing)
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"fixtures total: {total} bytes")
