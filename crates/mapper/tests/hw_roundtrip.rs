//! The image contract with the cycle-level chip: whatever the placement and
//! routing, the chip must produce the same spikes (placement changes timing
//! and traffic, never results).

mod common;

use common::*;
use neurochip_mapper::{AnyImage, Strategy};
use neurochip_net::schema::{Init, Stimulus, SynapseKind};

#[test]
fn spikes_do_not_depend_on_placement_or_routing() {
    let mut net = chain(30);
    net.stimuli = vec![Stimulus::SpikeArray {
        target: "p".into(),
        spikes: vec![(0, 0), (1, 0), (3, 0), (9, 17)],
        weight: 30.0,
        synapse: SynapseKind::Exc,
    }];
    net.projections[0].weight = Init::Constant(30.0);
    let mut runs = Vec::new();
    for arch in [small_arch(), small_mc_arch()] {
        for s in [Strategy::Sequential, Strategy::Block, Strategy::Greedy] {
            let m = run(&arch, &net, s).unwrap();
            let AnyImage::Lif(img) = m.image else {
                panic!("lif image expected")
            };
            let mut chip = neurochip_hw::Chip::new(&arch, img).unwrap();
            let mut spikes = Vec::new();
            for _ in 0..40 {
                let t = chip.step();
                chip.run_step().unwrap();
                for &(gid, n) in chip.last_spikes() {
                    if n > 0 {
                        spikes.push((t, gid));
                    }
                }
            }
            spikes.sort_unstable();
            runs.push((format!("{:?}/{s:?}", arch.router.routing), spikes));
        }
    }
    // The host spike at step 0 fires neuron 0 in step 0 and the wave walks the chain.
    assert_eq!(runs[0].1[0], (0, 0));
    assert!(runs[0].1.contains(&(1, 1)));
    for (name, s) in &runs[1..] {
        assert_eq!(s, &runs[0].1, "{name} differs from {}", runs[0].0);
    }
}
