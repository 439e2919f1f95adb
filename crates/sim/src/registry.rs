//! The models the simulator can run: the built-in ones (from
//! `neurochip_firmware::builtin_models!`) and any registered with [`register`].
//!
//! An entry holds the model's map and run functions, instantiated for its type, so one
//! lookup by the architecture's `core.model` sends a run through the same generic path
//! for every model.

use std::sync::{LazyLock, RwLock};

use neurochip_arch::model::{self, ModelKind, RegisterError};
use neurochip_mapper::MapModel;

use crate::{Job, MapJob, MappingReport, RunOutput, SimError};

/// Runs a job for one model.
pub(crate) type RunFn = fn(Job<'_>) -> Result<RunOutput, SimError>;
/// Maps a job for one model (`neurochip map`).
pub(crate) type MapFn = fn(MapJob<'_>) -> Result<MappingReport, SimError>;

/// One runnable model.
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    pub kind: ModelKind,
    pub run: RunFn,
    pub map: MapFn,
}

fn entry<M: MapModel>(kind: ModelKind) -> Entry {
    Entry {
        kind,
        run: crate::run_model::<M>,
        map: crate::map_model_report::<M>,
    }
}

macro_rules! builtin_entries {
    ($($v:ident => $t:ty),* $(,)?) => {
        fn builtins() -> Vec<Entry> {
            vec![$(entry::<$t>(ModelKind::$v)),*]
        }
    };
}
neurochip_firmware::builtin_models!(builtin_entries);

static ENTRIES: LazyLock<RwLock<Vec<Entry>>> = LazyLock::new(|| RwLock::new(builtins()));

/// Makes model `M` runnable: adds its facts to the architecture's model table (so an
/// architecture may name it in `core.model`) and its map and run functions here.
/// Idempotent; an error when another model already has the name.
pub fn register<M: MapModel>() -> Result<ModelKind, RegisterError> {
    let kind = model::register(M::INFO)?;
    let mut e = ENTRIES.write().unwrap_or_else(|e| e.into_inner());
    if !e.iter().any(|x| x.kind == kind) {
        e.push(entry::<M>(kind));
    }
    Ok(kind)
}

/// The entry of `kind`, if it is runnable.
pub(crate) fn lookup(kind: ModelKind) -> Option<Entry> {
    let e = ENTRIES.read().unwrap_or_else(|e| e.into_inner());
    e.iter().find(|x| x.kind == kind).copied()
}

/// Every runnable model, built-ins first.
pub fn runnable() -> Vec<ModelKind> {
    let e = ENTRIES.read().unwrap_or_else(|e| e.into_inner());
    e.iter().map(|x| x.kind).collect()
}
