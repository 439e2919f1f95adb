//! Stage 2: weight statistics. Per target population and channel, the largest |weight|
//! and (while there are at most 256) the distinct |weights| of the synapses and stimuli
//! arriving: the quantiser picks one scale per target population from them.

use neurochip_net::expand::Expanded;

use crate::error::MapError;
use crate::types::{Target, WeightStats};

/// Above this many distinct weights a channel counts as a continuous distribution.
const MANY: usize = 256;

/// Collects the weights arriving at every population of `ex`.
pub(crate) fn weight_stats(t: &Target, ex: &Expanded) -> Result<WeightStats, MapError> {
    let npop = ex.pops.len();
    let mut st = WeightStats {
        max_w: vec![[0f64; 2]; npop],
        distinct: (0..npop)
            .map(|_| [Some(Default::default()), Some(Default::default())])
            .collect(),
    };
    let mut note = |p: usize, ch: u8, w: f64| {
        let c = (ch & 1) as usize;
        let a = w.abs();
        if a > st.max_w[p][c] {
            st.max_w[p][c] = a;
        }
        if let Some(set) = st.distinct[p][c].as_mut() {
            if a > 0.0 {
                set.insert(a.to_bits());
                if set.len() > MANY {
                    st.distinct[p][c] = None;
                }
            }
        }
    };
    for (i, &tg) in ex.targets.iter().enumerate() {
        let w = ex.weights[i] as f64;
        if !w.is_finite() {
            return Err(MapError::Inconsistent(format!(
                "synapse {i} has weight {w}"
            )));
        }
        note(t.pop_of[tg as usize] as usize, ex.channels[i], w);
    }
    for h in &ex.host_spikes {
        note(t.pop_of[h.neuron as usize] as usize, h.channel, h.weight);
    }
    for p in &ex.poisson {
        if p.targets.start < p.targets.end {
            note(
                t.pop_of[p.targets.start as usize] as usize,
                p.channel,
                p.weight,
            );
        }
    }
    Ok(st)
}
