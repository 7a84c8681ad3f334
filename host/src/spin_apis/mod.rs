//! Host side of the Spin interfaces the components import:
//! `fermyon:spin/key-value`, `fermyon:spin/sqlite` and `fermyon:spin/variables`
//! at version 2.0.0 (what spin-sdk 5.2's `key_value`, `sqlite` and
//! `variables` modules bind).
//!
//! Access rules are Spin's: a component may open only the stores and
//! databases that `spin.toml` grants it (`access-denied` otherwise), and
//! reads only the variables its own `variables` table declares.

mod key_value;
mod sqlite;
mod variables;

pub use key_value::KeyValueBackend;
pub use sqlite::SqliteBackend;
pub use variables::ResolvedVariables;

use std::collections::HashSet;
use std::sync::Arc;

use wasmtime::component::{HasSelf, Linker, ResourceTable};

wasmtime::component::bindgen!({
    path: "wit",
    world: "host-apis",
    imports: { default: trappable },
    with: {
        "fermyon:spin/key-value/store": key_value::OpenStore,
        "fermyon:spin/sqlite/connection": sqlite::OpenConnection,
    },
});

/// What one component is allowed to reach; shared by all its instances.
#[derive(Debug, Default)]
pub struct Grants {
    pub key_value_stores: HashSet<String>,
    pub sqlite_databases: HashSet<String>,
}

/// Per-instance state of the Spin interfaces (one instance serves one request).
pub struct SpinApis {
    grants: Arc<Grants>,
    key_value: Arc<KeyValueBackend>,
    sqlite: Arc<SqliteBackend>,
    variables: Arc<ResolvedVariables>,
    /// Open stores and connections of this instance.
    table: ResourceTable,
}

impl SpinApis {
    pub fn new(
        grants: Arc<Grants>,
        key_value: Arc<KeyValueBackend>,
        sqlite: Arc<SqliteBackend>,
        variables: Arc<ResolvedVariables>,
    ) -> Self {
        SpinApis {
            grants,
            key_value,
            sqlite,
            variables,
            table: ResourceTable::new(),
        }
    }
}

/// Adds the three interfaces to `linker`; `get` finds the [`SpinApis`] in a store's data.
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut SpinApis,
) -> anyhow::Result<()> {
    fermyon::spin::key_value::add_to_linker::<T, HasSelf<SpinApis>>(linker, get)?;
    fermyon::spin::sqlite::add_to_linker::<T, HasSelf<SpinApis>>(linker, get)?;
    fermyon::spin::variables::add_to_linker::<T, HasSelf<SpinApis>>(linker, get)?;
    Ok(())
}
