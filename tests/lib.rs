//! Shared helpers for the integration tests.
#![warn(missing_docs)]

/// Hand-built chip images that isolate one operation class, for the per-operation energy and
/// latency checks (`integration/energy_per_op.rs`).
///
/// The images are built without the mapper on purpose: a per-operation check must know
/// exactly which events a run contains, so every neuron, synapse word, route and host spike
/// is placed by hand.
pub mod per_op {
    use neurochip_arch::schema::{ModelKind, Routing};
    use neurochip_arch::Architecture;
    use neurochip_firmware::hal::{Synapse, WordLayout};
    use neurochip_firmware::models::lif::{Lif, LifParams, LifState};
    use neurochip_firmware::models::loihi::{LoihiCubaLif, LoihiParams, LoihiState};
    use neurochip_firmware::models::spinnaker::{SpinnakerLif, SpinnakerParams, SpinnakerState};
    use neurochip_firmware::models::truenorth::{TrueNorth, TrueNorthParams, TrueNorthState};
    use neurochip_firmware::models::xylo::{XyloIaf, XyloParams, XyloState};
    use neurochip_firmware::NeuronModel;
    use neurochip_hw::image::{AxonRow, ChipImage, CoreImage, Dest, HostSpike, McEntry};

    /// The presets every per-operation check runs on.
    pub const PRESETS: [&str; 6] = [
        "default",
        "loihi",
        "loihi-sanafe",
        "truenorth",
        "spinnaker",
        "xylo",
    ];

    /// Local port bit `6 + k` of a multicast route word (core `k` of the tile).
    const LOCAL_PORT0: u32 = 6;

    /// Three neuron set-ups every model can express, so one test body covers all models.
    pub trait OpNeuron: NeuronModel + Clone {
        /// At rest with no bias: an update without input is charged idle and never fires.
        fn idle() -> (Self::Params, Self::State);
        /// Driven by a bias (or a non-rest state) below threshold: charged active, no spike
        /// in the first step.
        fn active() -> (Self::Params, Self::State);
        /// Fires in its first update without any input.
        fn firing() -> (Self::Params, Self::State);
        /// A weight that makes an [`OpNeuron::idle`] neuron active without firing.
        fn weight() -> i32 {
            1
        }
    }

    impl OpNeuron for Lif {
        fn idle() -> (LifParams, LifState) {
            (
                LifParams {
                    threshold: 1000,
                    ..LifParams::default()
                },
                LifState::default(),
            )
        }
        fn active() -> (LifParams, LifState) {
            (
                LifParams {
                    threshold: 1000,
                    bias: 1,
                    ..LifParams::default()
                },
                LifState::default(),
            )
        }
        fn firing() -> (LifParams, LifState) {
            (
                LifParams {
                    threshold: 1,
                    bias: 1,
                    ..LifParams::default()
                },
                LifState::default(),
            )
        }
    }

    impl OpNeuron for LoihiCubaLif {
        fn idle() -> (LoihiParams, LoihiState) {
            (
                LoihiParams::new(0, 0, 1000, 0, 0, 0).expect("valid loihi params"),
                LoihiState::default(),
            )
        }
        fn active() -> (LoihiParams, LoihiState) {
            (
                LoihiParams::new(0, 0, 1000, 1, 0, 0).expect("valid loihi params"),
                LoihiState::default(),
            )
        }
        fn firing() -> (LoihiParams, LoihiState) {
            (
                LoihiParams::new(0, 0, 0, 1, 0, 0).expect("valid loihi params"),
                LoihiState::default(),
            )
        }
    }

    impl OpNeuron for XyloIaf {
        fn idle() -> (XyloParams, XyloState) {
            (
                XyloParams::new(4, [4, 4], 2, 1000, 0, 1, 0).expect("valid xylo params"),
                XyloState::default(),
            )
        }
        fn active() -> (XyloParams, XyloState) {
            (
                XyloParams::new(4, [4, 4], 2, 1000, 1, 1, 0).expect("valid xylo params"),
                XyloState::default(),
            )
        }
        fn firing() -> (XyloParams, XyloState) {
            (
                XyloParams::new(4, [4, 4], 2, 1, 1, 1, 0).expect("valid xylo params"),
                XyloState::default(),
            )
        }
    }

    fn spinnaker_params() -> SpinnakerParams {
        SpinnakerParams::from_physical(20.0, 1.0, -65.0, -65.0, -50.0, 5.0, 5.0, 2.0, 0.0, 1.0)
            .expect("valid spinnaker params")
    }

    /// One millivolt in s16.15.
    const MV: i32 = 1 << 15;

    impl OpNeuron for SpinnakerLif {
        fn idle() -> (SpinnakerParams, SpinnakerState) {
            let p = spinnaker_params();
            (
                p,
                SpinnakerState {
                    v: p.v_rest,
                    ..Default::default()
                },
            )
        }
        fn active() -> (SpinnakerParams, SpinnakerState) {
            let p = spinnaker_params();
            (
                p,
                SpinnakerState {
                    v: p.v_rest + MV,
                    ..Default::default()
                },
            )
        }
        fn firing() -> (SpinnakerParams, SpinnakerState) {
            let p = spinnaker_params();
            (
                p,
                SpinnakerState {
                    v: p.v_thresh + 10 * MV,
                    ..Default::default()
                },
            )
        }
    }

    impl OpNeuron for TrueNorth {
        fn idle() -> (TrueNorthParams, TrueNorthState) {
            let p = TrueNorthParams {
                alpha: 1000,
                weights: [1, 0, 0, 0],
                ..Default::default()
            };
            (
                p.checked().expect("valid truenorth params"),
                TrueNorthState::default(),
            )
        }
        fn active() -> (TrueNorthParams, TrueNorthState) {
            let p = TrueNorthParams {
                alpha: 1000,
                leak: 1,
                ..Default::default()
            };
            (
                p.checked().expect("valid truenorth params"),
                TrueNorthState::default(),
            )
        }
        fn firing() -> (TrueNorthParams, TrueNorthState) {
            let p = TrueNorthParams {
                alpha: 1,
                leak: 1,
                ..Default::default()
            };
            (
                p.checked().expect("valid truenorth params"),
                TrueNorthState::default(),
            )
        }
    }

    /// A test body generic over the neuron model (a closure cannot be generic).
    pub trait ModelTest {
        /// Run the test on `arch`, whose cores run model `M`.
        fn run<M: OpNeuron>(&self, arch: &Architecture);
    }

    /// Run `t` with the model `arch.core.model` names; every model the hw-model accepts is here.
    pub fn for_model(arch: &Architecture, t: &impl ModelTest) {
        match arch.core.model {
            ModelKind::Lif => t.run::<Lif>(arch),
            ModelKind::LoihiCubaLif => t.run::<LoihiCubaLif>(arch),
            ModelKind::XyloIaf => t.run::<XyloIaf>(arch),
            ModelKind::SpinnakerLif => t.run::<SpinnakerLif>(arch),
            ModelKind::Truenorth => t.run::<TrueNorth>(arch),
            other => panic!("no per-operation set-up for model {other}"),
        }
    }

    /// The synapse-word layout the architecture's memory fields describe (as the chip's default).
    pub fn layout(arch: &Architecture) -> WordLayout {
        let sm = &arch.core.synapse_memory;
        WordLayout {
            weight_bits: sm.weight_bits.min(32) as u8,
            channel_bits: sm.channel_bits.min(8) as u8,
            delay_bits: sm.delay_bits.min(8) as u8,
            target_bits: sm.target_bits.min(32) as u8,
        }
    }

    /// Expected joules of `count` events of a class costing `pj`, computed in the same order as
    /// the energy model so a single count × table entry can be compared with `==`.
    pub fn joules(count: u64, pj: f64) -> f64 {
        count as f64 * pj * 1e-12
    }

    /// Link port from `from` to the adjacent tile `to` (E NE N W SW S = 0..5), honouring the
    /// torus wrap; `None` when the tiles are not neighbours.
    pub fn port_between(arch: &Architecture, from: u32, to: u32) -> Option<u32> {
        const DELTAS: [(i64, i64); 6] = [(1, 0), (1, 1), (0, 1), (-1, 0), (-1, -1), (0, -1)];
        let (w, h) = (i64::from(arch.grid_width()), i64::from(arch.grid_height()));
        let (x, y) = arch.tile_xy(from);
        let (tx, ty) = arch.tile_xy(to);
        let hex = arch.topology.kind == neurochip_arch::schema::MeshKind::Hex;
        (0..6u32).find(|&p| {
            if !hex && (p == 1 || p == 4) {
                return false;
            }
            let (dx, dy) = DELTAS[p as usize];
            let (mut nx, mut ny) = (i64::from(x) + dx, i64::from(y) + dy);
            if arch.topology.torus {
                nx = nx.rem_euclid(w);
                ny = ny.rem_euclid(h);
            }
            (nx, ny) == (i64::from(tx), i64::from(ty))
        })
    }

    /// Builds a [`ChipImage`] neuron by neuron; routes are unicast under XY routing and one
    /// fresh multicast key per connection (with table entries) under multicast routing.
    #[derive(Debug)]
    pub struct Builder<M: NeuronModel> {
        arch: Architecture,
        cores: Vec<CoreImage<M>>,
        /// Per core, per local neuron: destinations.
        dests: Vec<Vec<Vec<Dest>>>,
        tables: Vec<Vec<McEntry>>,
        host: Vec<HostSpike>,
        /// Multicast key → (destination core, axon), in key order.
        keys: Vec<(u32, u32, u32)>,
        next_key: u32,
        next_gid: u32,
    }

    impl<M: OpNeuron> Builder<M> {
        /// An empty image for `arch`.
        pub fn new(arch: &Architecture) -> Self {
            Builder {
                arch: arch.clone(),
                cores: Vec::new(),
                dests: Vec::new(),
                tables: vec![Vec::new(); arch.total_tiles() as usize],
                host: Vec::new(),
                keys: Vec::new(),
                next_key: 1,
                next_gid: 0,
            }
        }

        fn core_mut(&mut self, core: u32) -> &mut CoreImage<M> {
            while self.cores.len() <= core as usize {
                self.cores.push(CoreImage {
                    params: Vec::new(),
                    init: Vec::new(),
                    global_ids: Vec::new(),
                    axons: Vec::new(),
                    key_axons: Vec::new(),
                    synapse_words: Default::default(),
                    layout: layout(&self.arch),
                    fanout: Vec::new(),
                    dests: Vec::new(),
                    poisson: Vec::new(),
                });
                self.dests.push(Vec::new());
            }
            &mut self.cores[core as usize]
        }

        /// Add a neuron to `core`; returns its local index.
        pub fn neuron(&mut self, core: u32, (params, init): (M::Params, M::State)) -> u32 {
            let gid = self.next_gid;
            self.next_gid += 1;
            let c = self.core_mut(core);
            c.params.push(params);
            c.init.push(init);
            c.global_ids.push(gid);
            c.fanout.push((0, 0));
            let local = c.params.len() as u32 - 1;
            self.dests[core as usize].push(Vec::new());
            local
        }

        /// Global id of local neuron `local` of `core`.
        pub fn gid(&self, core: u32, local: u32) -> u32 {
            self.cores[core as usize].global_ids[local as usize]
        }

        /// Add an input axon to `core` whose row holds one word per target (weight
        /// [`OpNeuron::weight`], channel 0, no delay); returns the axon index.
        pub fn axon(&mut self, core: u32, targets: &[u32]) -> u32 {
            let lay = layout(&self.arch);
            let c = self.core_mut(core);
            let start = c.synapse_words.len() as u32;
            for &t in targets {
                let s = Synapse {
                    weight: M::weight(),
                    channel: 0,
                    delay: 0,
                    target: t,
                };
                c.synapse_words.push(
                    lay.encode(&s)
                        .expect("synapse fits the preset's word layout"),
                );
            }
            c.axons.push(AxonRow {
                start,
                len: targets.len() as u32,
            });
            c.axons.len() as u32 - 1
        }

        /// Words in the row of `axon` of `core`.
        pub fn row_len(&self, core: u32, axon: u32) -> u32 {
            self.cores[core as usize].axons[axon as usize].len
        }

        /// Connect neuron `local` of `src` to input axon `axon` of `dst`. Under multicast
        /// routing `dst` must be on `src`'s tile or a neighbouring one.
        pub fn connect(&mut self, src: u32, local: u32, dst: u32, axon: u32) {
            let d = match self.arch.router.routing {
                Routing::Xy => Dest::Unicast { core: dst, axon },
                Routing::Multicast => {
                    let key = self.next_key;
                    self.next_key += 1;
                    let cpt = self.arch.topology.cores_per_tile;
                    let (st, dt) = (src / cpt, dst / cpt);
                    let local_bit = 1u32 << (LOCAL_PORT0 + dst % cpt);
                    let mask = u32::MAX;
                    if st == dt {
                        self.tables[st as usize].push(McEntry {
                            key,
                            mask,
                            ports: local_bit,
                        });
                    } else {
                        let p = port_between(&self.arch, st, dt)
                            .expect("multicast test routes span one hop");
                        self.tables[st as usize].push(McEntry {
                            key,
                            mask,
                            ports: 1 << p,
                        });
                        self.tables[dt as usize].push(McEntry {
                            key,
                            mask,
                            ports: local_bit,
                        });
                    }
                    self.keys.push((key, dst, axon));
                    let c = self.core_mut(dst);
                    c.key_axons.push((key, axon));
                    c.key_axons.sort_unstable();
                    Dest::Multicast { key }
                }
            };
            self.dests[src as usize][local as usize].push(d);
        }

        /// A host spike into `axon` of `core`, integrated at `step`.
        pub fn host_spike(&mut self, step: u32, core: u32, axon: u32) {
            self.host.push(HostSpike { step, core, axon });
        }

        /// The finished image.
        pub fn build(self) -> ChipImage<M> {
            self.image()
        }

        /// The image as built so far (the builder stays usable, e.g. to predict counts).
        pub fn image(&self) -> ChipImage<M> {
            let mut cores = self.cores.clone();
            for (img, per_neuron) in cores.iter_mut().zip(&self.dests) {
                img.dests.clear();
                for (i, ds) in per_neuron.iter().enumerate() {
                    img.fanout[i] = (img.dests.len() as u32, ds.len() as u32);
                    img.dests.extend_from_slice(ds);
                }
            }
            let mut host = self.host.clone();
            host.sort_by_key(|h| h.step);
            let tables = if self.arch.router.routing == Routing::Multicast {
                self.tables.clone()
            } else {
                Vec::new()
            };
            ChipImage {
                cores,
                router_tables: tables,
                host_spikes: host,
                seed: 7,
            }
        }

        /// The (core, input axon) a destination reaches.
        pub fn target_of(&self, d: &Dest) -> (u32, u32) {
            match *d {
                Dest::Unicast { core, axon } => (core, axon),
                Dest::Multicast { key } => {
                    let &(_, core, axon) = self
                        .keys
                        .iter()
                        .find(|k| k.0 == key)
                        .expect("key made by this builder");
                    (core, axon)
                }
            }
        }

        /// Destinations of neuron `local` of `core`.
        pub fn dests_of(&self, core: u32, local: u32) -> &[Dest] {
            &self.dests[core as usize][local as usize]
        }

        /// The multicast tables (one per tile) built so far.
        pub fn tables(&self) -> &[Vec<McEntry>] {
            &self.tables
        }
    }

    /// A small deterministic generator (SplitMix64) for the random runs: seeded by the test,
    /// never by time or thread.
    #[derive(Clone, Debug)]
    pub struct SplitMix(pub u64);

    impl SplitMix {
        /// Next 64 random bits.
        pub fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform in `0..n` (`n > 0`).
        pub fn below(&mut self, n: u32) -> u32 {
            (self.next_u64() % u64::from(n.max(1))) as u32
        }
    }
}
