//! The built-in models' side of the seam: one [`MapModel`](crate::MapModel) impl per
//! firmware model, each in its own file, sharing only [`common`]'s helpers.

mod common;
mod lif;
mod loihi;
mod spinnaker;
mod truenorth;
mod xylo;
