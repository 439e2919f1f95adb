//! Stage 3: quantisation. Each target population through the model's
//! [`MapModel::quantise`], with the weight statistics of stage 2.

use neurochip_arch::schema::Architecture;
use neurochip_net::expand::Expanded;

use crate::error::MapError;
use crate::model::{MapModel, PopCtx};
use crate::types::{Quantised, WeightStats};

/// Quantises every population of `ex` for model `M` on `arch`.
pub(crate) fn quantise<M: MapModel>(
    arch: &Architecture,
    ex: &Expanded,
    stats: &WeightStats,
) -> Result<Quantised<M::Params, M::State>, MapError> {
    let npop = ex.pops.len();
    let mut out = Quantised {
        pops: Vec::with_capacity(npop),
        warnings: Vec::new(),
    };
    for k in 0..npop {
        let pop = &ex.pops[k];
        let d: [Option<Vec<f64>>; 2] = [0, 1].map(|c| {
            stats.distinct[k][c]
                .as_ref()
                .map(|s| s.iter().map(|&b| f64::from_bits(b)).collect())
        });
        let ctx = PopCtx {
            name: &pop.name,
            neuron: &ex.neurons[k].neuron,
            params: &ex.neurons[k].params,
            dt: ex.dt_ms,
            init: &ex.neurons[k].init,
            max_w: stats.max_w[k],
            distinct: [d[0].as_deref(), d[1].as_deref()],
            weight_bits: arch.core.synapse_memory.weight_bits,
            state_bits: arch.core.state_bits,
            sink: k + 1 == npop
                && ex.row_start[pop.start as usize]
                    == ex.row_start[(pop.start + pop.size) as usize],
        };
        let q = M::quantise(&ctx).map_err(|e| MapError::Population {
            population: pop.name.clone(),
            kind: ex.neurons[k].neuron.kind_name().to_string(),
            model: M::NAME.to_string(),
            reason: e.to_string(),
        })?;
        let n = pop.size as usize;
        if q.params.len() != n || q.init.len() != n {
            return Err(MapError::Population {
                population: pop.name.clone(),
                kind: ex.neurons[k].neuron.kind_name().to_string(),
                model: M::NAME.to_string(),
                reason: format!(
                    "the model's quantiser gave {} parameter sets and {} initial states for {n} neurons",
                    q.params.len(),
                    q.init.len()
                ),
            });
        }
        out.warnings.extend(q.warnings.iter().cloned());
        out.pops.push(q);
    }
    Ok(out)
}
