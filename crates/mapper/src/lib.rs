//! # neurochip-mapper
//!
//! Turns an expanded network ([`neurochip_net::expand_in`], which has already read the
//! stimuli and drawn every per-neuron value) into a chip image for one architecture,
//! with a [`MapReport`] that accounts for each resource and rounding error. The mapper
//! does no I/O.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let arch = neurochip_arch::preset("default")?;
//! let net = neurochip_net::builtin("brunel", &Default::default())?;
//! let ex = neurochip_net::expand(&net)?;
//! let m = neurochip_mapper::map(&arch, &ex, &neurochip_mapper::MapOptions::default())?;
//! println!("{}", m.report.summary());
//! # Ok(()) }
//! ```
//!
//! The stages, in order, each handing a named value to the next (`pipeline.rs`):
//! inputs checked → placement (neurons → cores) → weight statistics → quantisation
//! (through the model's [`MapModel`]) → checks (delays, channels, weight tables) →
//! synapse rows and capacity → host inputs → fan-out and routing → images and report.
//! Every capacity check runs before the big allocations, and every failure is one
//! [`MapError`] line naming the resource, the core, needed vs capacity and what would fit.
//!
//! Entry points:
//! - [`map`]: one attempt, for whichever built-in model the architecture's cores run
//!   ([`AnyImage`]);
//! - [`map_model`]: one attempt for a model type `M` (a built-in or one of yours);
//! - [`map_on_board`]: as `map_model`, growing onto more chips of the architecture's board
//!   (`topology.max_chips_x/y`) when the network needs them ([`board`]).
//!
//! A model written outside this crate implements [`MapModel`] (see [`model`] for the
//! contract) and is mapped with `map_model::<M>`; the simulator's registry runs it.
#![warn(missing_docs)]

pub mod board;
mod checks;
mod error;
mod fanout;
mod host;
mod images;
pub mod model;
mod models;
mod pipeline;
pub mod place;
mod placement;
pub mod quant;
mod quantise;
pub mod report;
mod synapses;
mod target;
mod types;
mod weights;
pub mod word;

use neurochip_arch::schema::{Architecture, ModelKind};
use neurochip_hw::image::ChipImage;
use neurochip_net::expand::Expanded;

pub use board::{ChipGrid, ChipsReport};
pub use error::{MapError, Resource};
pub use model::{MapModel, PopCtx, QuantError, QuantisedPop};
pub use place::{Placement, Strategy};
pub use quant::{ParamQuant, PopQuant, ProjQuant};
pub use report::{CoreReport, MapReport, RouterReport, Totals, Utilisation};
pub use types::{MapOptions, Mapped, OnBoard};

/// Maps `ex` onto `arch` for model `M` (one attempt, on the system as given).
pub fn map_model<M: MapModel>(
    arch: &Architecture,
    ex: &Expanded,
    opts: &MapOptions,
) -> Result<Mapped<M>, MapError> {
    pipeline::map_once::<M>(arch, ex, opts).map_err(|f| *f.error)
}

/// Maps `ex` onto `arch` for model `M`; when the placement runs out of cores and the
/// architecture sits on a board, maps again on a larger chip grid of the board, as NxSDK
/// allocates the chips of a Loihi board a network needs ([`board`] has the rule).
pub fn map_on_board<M: MapModel>(
    arch: &Architecture,
    ex: &Expanded,
    opts: &MapOptions,
) -> Result<OnBoard<M>, MapError> {
    pipeline::map_growing::<M>(arch, ex, opts)
}

/// The result of [`map`]: a chip image for whichever built-in model the cores run.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// What the chip loads.
    pub image: AnyImage,
    /// Per global neuron id: (core, local index).
    pub placement: Vec<(u32, u32)>,
    /// What was used and what was rounded.
    pub report: MapReport,
}

macro_rules! any_image {
    ($($v:ident => $t:ty),* $(,)?) => {
        /// A chip image for whichever built-in model the architecture's cores run (one
        /// variant per entry of `neurochip_firmware::builtin_models!`).
        #[derive(Clone, Debug)]
        pub enum AnyImage {
            $(
                #[doc = concat!("Cores running `", stringify!($t), "`.")]
                $v(ChipImage<$t>),
            )*
        }

        /// Maps `ex` onto `arch` (one attempt, on the system as given) for the built-in
        /// model the architecture's cores run; a model outside the built-in list is mapped
        /// with [`map_model`].
        pub fn map(
            arch: &Architecture,
            ex: &Expanded,
            opts: &MapOptions,
        ) -> Result<Mapping, MapError> {
            $(
                if arch.core.model == ModelKind::$v {
                    let m = map_model::<$t>(arch, ex, opts)?;
                    return Ok(Mapping {
                        image: AnyImage::$v(m.image),
                        placement: m.placement,
                        report: m.report,
                    });
                }
            )*
            Err(MapError::UnsupportedModel {
                model: arch.core.model.name().to_string(),
            })
        }
    };
}
neurochip_firmware::builtin_models!(any_image);
