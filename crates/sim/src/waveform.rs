//! Waveforms: probed state registers and spikes as a VCD file that any
//! waveform viewer (GTKWave, Surfer) opens. Time is in microseconds of
//! simulated (biological) time: step t sits at t × dt.

use std::collections::BTreeMap;
use std::io::Write;

use vcd::{IdCode, TimescaleUnit, Value};

use crate::RunOutput;

/// Width of a state signal in the VCD (registers are at most 32 bits wide; 64 leaves room).
const STATE_WIDTH: u32 = 64;

fn bits(v: i64) -> impl Iterator<Item = Value> {
    (0..STATE_WIDTH).rev().map(move |b| {
        if (v >> b) & 1 == 1 {
            Value::V1
        } else {
            Value::V0
        }
    })
}

/// Write the probes of `out` (states and the spikes of every probed neuron) as VCD into `w`.
pub fn write_vcd<W: Write>(w: W, out: &RunOutput) -> std::io::Result<()> {
    let mut vcd = vcd::Writer::new(w);
    vcd.timescale(1, TimescaleUnit::US)?;
    let dt_us = (out.report.dt_ms * 1000.0).round().max(1.0) as u64;
    vcd.comment("neurochip: time in µs (step t at t × dt); states are two's complement")?;
    vcd.add_module("chip")?;
    // One scope per population, one wire per (neuron, state) and one spike wire per probed neuron.
    let mut by_pop: BTreeMap<&str, (Vec<usize>, Vec<u32>)> = BTreeMap::new();
    for (i, p) in out.probes.iter().enumerate() {
        by_pop.entry(p.population.as_str()).or_default().0.push(i);
    }
    for (pop, gid) in &out.spike_probes {
        by_pop.entry(pop.as_str()).or_default().1.push(*gid);
    }
    let mut state_ids: Vec<IdCode> = vec![IdCode::FIRST; out.probes.len()];
    let mut spike_ids: BTreeMap<u32, IdCode> = BTreeMap::new();
    for (pop, (idx, spiking)) in &by_pop {
        vcd.add_module(pop)?;
        let neurons = idx
            .iter()
            .map(|&i| out.probes[i].neuron)
            .chain(spiking.iter().copied());
        for gid in neurons {
            if let std::collections::btree_map::Entry::Vacant(e) = spike_ids.entry(gid) {
                e.insert(vcd.add_wire(1, &format!("n{gid}_spike"))?);
            }
        }
        for &i in idx {
            let p = &out.probes[i];
            state_ids[i] = vcd.add_wire(STATE_WIDTH, &format!("n{}_{}", p.neuron, p.state))?;
        }
        vcd.upscope()?;
    }
    vcd.upscope()?;
    vcd.enddefinitions()?;
    let steps = (out.report.steps as usize)
        .max(out.probes.iter().map(|p| p.values.len()).max().unwrap_or(0));
    let mut spikes_at: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for &(step, gid, _) in &out.spikes {
        if spike_ids.contains_key(&gid) {
            spikes_at.entry(step).or_default().push(gid);
        }
    }
    let mut last: Vec<Option<i64>> = vec![None; out.probes.len()];
    let mut high: Vec<u32> = Vec::new();
    for t in 0..steps {
        vcd.timestamp(t as u64 * dt_us)?;
        for gid in high.drain(..) {
            vcd.change_scalar(spike_ids[&gid], Value::V0)?;
        }
        if t == 0 {
            for id in spike_ids.values() {
                vcd.change_scalar(*id, Value::V0)?;
            }
        }
        if let Some(list) = spikes_at.get(&(t as u32)) {
            for &gid in list {
                vcd.change_scalar(spike_ids[&gid], Value::V1)?;
                high.push(gid);
            }
        }
        for (i, p) in out.probes.iter().enumerate() {
            if let Some(&v) = p.values.get(t) {
                if last[i] != Some(v) {
                    vcd.change_vector(state_ids[i], bits(v))?;
                    last[i] = Some(v);
                }
            }
        }
    }
    vcd.timestamp(steps as u64 * dt_us)?;
    vcd.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProbeTrace;

    #[test]
    fn vcd_has_signals_and_changes() {
        let out = RunOutput {
            report: crate::report::tests_support::empty_report(),
            spikes: vec![(1, 7, 1)],
            populations: vec![("exc".into(), 0, 10)],
            probes: vec![ProbeTrace {
                population: "exc".into(),
                neuron: 7,
                state: "v".into(),
                values: vec![0, 5, -1],
            }],
            spike_probes: vec![("exc".into(), 7), ("exc".into(), 9)],
            arch: neurochip_arch::preset("default").unwrap(),
        };
        let mut buf = Vec::new();
        write_vcd(&mut buf, &out).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(
            text.contains("$var wire 64") && text.contains("n7_v"),
            "{text}"
        );
        assert!(text.contains("n7_spike"));
        assert!(
            text.contains("n9_spike"),
            "a spike-only probe gets a wire: {text}"
        );
        assert!(
            text.contains("n9_spike"),
            "a spike-only probe gets a wire: {text}"
        );
        // -1 in two's complement is 64 ones.
        assert!(text.contains(&format!("b{} ", "1".repeat(64))), "{text}");
        assert!(text.contains("#1000\n1"), "spike at step 1 (1 ms): {text}");
    }
}
