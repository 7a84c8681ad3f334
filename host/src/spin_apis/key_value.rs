//! `fermyon:spin/key-value` on SQLite, laid out as Spin's own default store
//! (`.spin/sqlite_key_value.db`, table `spin_key_value(store, key, value)`),
//! so a `.spin` folder can move between this host and `spin up`.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use wasmtime::component::Resource;

use super::SpinApis;
use super::fermyon::spin::key_value::{Error, Host, HostStore};

/// The one store label that exists without a runtime config, as on Spin.
pub const DEFAULT_STORE: &str = "default";

/// All key-value stores of the app, in one SQLite file.
pub struct KeyValueBackend {
    connection: Mutex<Connection>,
}

/// An open store of one instance.
pub struct OpenStore {
    label: String,
}

impl KeyValueBackend {
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let connection = Connection::open(path)?;
        connection.execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE IF NOT EXISTS spin_key_value (
                store TEXT NOT NULL,
                key   TEXT NOT NULL,
                value BLOB NOT NULL,
                PRIMARY KEY (store, key)
             );",
        )?;
        Ok(KeyValueBackend {
            connection: Mutex::new(connection),
        })
    }

    fn with<R>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<R>) -> Result<R, Error> {
        let connection = self
            .connection
            .lock()
            .map_err(|_| Error::Other("key-value store lock poisoned".into()))?;
        f(&connection).map_err(|e| Error::Other(e.to_string()))
    }
}

impl SpinApis {
    fn store_label(&self, store: &Resource<OpenStore>) -> wasmtime::Result<String> {
        Ok(self.table.get(store)?.label.clone())
    }
}

impl Host for SpinApis {}

impl HostStore for SpinApis {
    fn open(&mut self, label: String) -> wasmtime::Result<Result<Resource<OpenStore>, Error>> {
        if !self.grants.key_value_stores.contains(&label) {
            return Ok(Err(Error::AccessDenied));
        }
        if label != DEFAULT_STORE {
            return Ok(Err(Error::NoSuchStore));
        }
        Ok(Ok(self.table.push(OpenStore { label })?))
    }

    fn get(
        &mut self,
        store: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, Error>> {
        let label = self.store_label(&store)?;
        Ok(self.key_value.with(|c| {
            c.query_row(
                "SELECT value FROM spin_key_value WHERE store = ?1 AND key = ?2",
                params![label, key],
                |row| row.get::<_, Vec<u8>>(0),
            )
            .optional()
        }))
    }

    fn set(
        &mut self,
        store: Resource<OpenStore>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), Error>> {
        let label = self.store_label(&store)?;
        Ok(self.key_value.with(|c| {
            c.execute(
                "INSERT INTO spin_key_value (store, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (store, key) DO UPDATE SET value = excluded.value",
                params![label, key, value],
            )
            .map(drop)
        }))
    }

    fn delete(
        &mut self,
        store: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<(), Error>> {
        let label = self.store_label(&store)?;
        Ok(self.key_value.with(|c| {
            c.execute(
                "DELETE FROM spin_key_value WHERE store = ?1 AND key = ?2",
                params![label, key],
            )
            .map(drop)
        }))
    }

    fn exists(
        &mut self,
        store: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<bool, Error>> {
        let label = self.store_label(&store)?;
        Ok(self.key_value.with(|c| {
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM spin_key_value WHERE store = ?1 AND key = ?2)",
                params![label, key],
                |row| row.get::<_, bool>(0),
            )
        }))
    }

    fn get_keys(
        &mut self,
        store: Resource<OpenStore>,
    ) -> wasmtime::Result<Result<Vec<String>, Error>> {
        let label = self.store_label(&store)?;
        Ok(self.key_value.with(|c| {
            let mut statement =
                c.prepare_cached("SELECT key FROM spin_key_value WHERE store = ?1")?;
            let keys = statement.query_map([label], |row| row.get::<_, String>(0))?;
            keys.collect()
        }))
    }

    fn drop(&mut self, store: Resource<OpenStore>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}
