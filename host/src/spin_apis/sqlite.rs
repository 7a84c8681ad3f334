//! `fermyon:spin/sqlite`: the `default` database is `.spin/sqlite_db.db`, as
//! on `spin up`. Like Spin's in-process backend, each `open` gets a
//! connection of its own, so a transaction a request begins is not shared
//! with concurrent requests.
//!
//! As on Spin, a closed connection is closed: the next `open` makes a fresh
//! one, which parses the whole schema before its first statement (about
//! 0.45–0.9 ms for this app's tables, indexes and triggers) and starts with
//! empty page and statement caches. Measurements on the host must see what
//! Spin costs, so that is the default. `--keep-sqlite-connections` keeps
//! closed connections for later `open`s instead, cleared when they come
//! back (an unfinished transaction is rolled back; a connection that cannot
//! be is dropped): an explicit option for experiments, never for figures
//! that claim to be Spin's.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::types::{Value as SqlValue, ValueRef};
use wasmtime::component::Resource;

use super::SpinApis;
use super::fermyon::spin::sqlite::{Error, Host, HostConnection, QueryResult, RowResult, Value};

/// The one database label that exists without a runtime config.
pub const DEFAULT_DATABASE: &str = "default";

/// Idle connections kept at most: enough for the host's concurrency, few
/// enough that their caches stay small.
const IDLE_CONNECTIONS: usize = 32;

/// Where the app's databases live, and their idle connections.
pub struct SqliteBackend {
    default_path: PathBuf,
    /// Whether closed connections are kept (not Spin's way; off by default).
    keep_idle: bool,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

/// An open connection of one instance; back to the idle list when dropped.
pub struct OpenConnection {
    connection: Option<rusqlite::Connection>,
    backend: Arc<SqliteBackend>,
}

impl OpenConnection {
    fn connection(&self) -> &rusqlite::Connection {
        self.connection
            .as_ref()
            .expect("a connection is only taken when it is dropped")
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            self.backend.keep(connection);
        }
    }
}

impl SqliteBackend {
    pub fn new(default_path: PathBuf, keep_idle: bool) -> Self {
        SqliteBackend {
            default_path,
            keep_idle,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// An idle connection, or a new one when none is idle: never waits, so
    /// a request cannot block the worker threads other requests run on.
    fn take(&self) -> Result<rusqlite::Connection, Error> {
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(connection) => Ok(connection),
            None => self.connect(),
        }
    }

    /// Keeps a connection for the next `open`, clean: a transaction its
    /// request left open is rolled back first.
    fn keep(&self, connection: rusqlite::Connection) {
        if !self.keep_idle {
            return; // closed, as Spin closes it (a transaction left open rolls back)
        }
        if !connection.is_autocommit() && connection.execute_batch("ROLLBACK").is_err() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE_CONNECTIONS
        {
            idle.push(connection);
        }
    }

    fn connect(&self) -> Result<rusqlite::Connection, Error> {
        let connection =
            rusqlite::Connection::open(&self.default_path).map_err(|e| Error::Io(e.to_string()))?;
        // Concurrent requests write to one file: wait for a lock rather than
        // fail at once with SQLITE_BUSY.
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| Error::Io(e.to_string()))?;
        Ok(connection)
    }
}

impl Host for SpinApis {}

impl HostConnection for SpinApis {
    fn open(
        &mut self,
        database: String,
    ) -> wasmtime::Result<Result<Resource<OpenConnection>, Error>> {
        if !self.grants.sqlite_databases.contains(&database) {
            return Ok(Err(Error::AccessDenied));
        }
        if database != DEFAULT_DATABASE {
            return Ok(Err(Error::NoSuchDatabase));
        }
        let connection = match self.sqlite.take() {
            Ok(c) => c,
            Err(e) => return Ok(Err(e)),
        };
        Ok(Ok(self.table.push(OpenConnection {
            connection: Some(connection),
            backend: Arc::clone(&self.sqlite),
        })?))
    }

    fn execute(
        &mut self,
        connection: Resource<OpenConnection>,
        statement: String,
        parameters: Vec<Value>,
    ) -> wasmtime::Result<Result<QueryResult, Error>> {
        let open = self.table.get(&connection)?;
        Ok(run(open.connection(), &statement, parameters))
    }

    fn drop(&mut self, connection: Resource<OpenConnection>) -> wasmtime::Result<()> {
        self.table.delete(connection)?;
        Ok(())
    }
}

fn run(
    connection: &rusqlite::Connection,
    statement: &str,
    parameters: Vec<Value>,
) -> Result<QueryResult, Error> {
    let io = |e: rusqlite::Error| Error::Io(e.to_string());
    let mut prepared = connection.prepare_cached(statement).map_err(io)?;
    let columns: Vec<String> = prepared
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let column_count = columns.len();
    let parameters = parameters.into_iter().map(to_sql);
    let mut rows = prepared
        .query(rusqlite::params_from_iter(parameters))
        .map_err(io)?;
    let mut results = Vec::new();
    while let Some(row) = rows.next().map_err(io)? {
        let values = (0..column_count)
            .map(|i| row.get_ref(i).map(from_sql))
            .collect::<Result<_, _>>()
            .map_err(io)?;
        results.push(RowResult { values });
    }
    Ok(QueryResult {
        columns,
        rows: results,
    })
}

fn to_sql(value: Value) -> SqlValue {
    match value {
        Value::Integer(i) => SqlValue::Integer(i),
        Value::Real(r) => SqlValue::Real(r),
        Value::Text(t) => SqlValue::Text(t),
        Value::Blob(b) => SqlValue::Blob(b),
        Value::Null => SqlValue::Null,
    }
}

fn from_sql(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}
