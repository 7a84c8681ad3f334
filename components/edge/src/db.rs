//! The store crate's `Database` over Spin's SQLite interface. One
//! connection per request: Spin gives each `open` its own. Every statement
//! crosses into the runtime (on libSQL, a network round trip), so each is
//! counted: the edge reports the count of a request in its `Server-Timing`
//! header, and the benchmarks put it beside each route's figures.

use spin_sdk::sqlite::{Connection, Value as SpinValue};
use store::{Database, Rows, StoreError, Value};

use std::sync::atomic::{AtomicU32, Ordering};

/// Statements sent by this instance (the router counts a request's share).
static STATEMENTS: AtomicU32 = AtomicU32::new(0);

/// How many statements this instance has sent to the database so far.
pub fn statements_sent() -> u32 {
    STATEMENTS.load(Ordering::Relaxed)
}

pub struct SpinDb {
    connection: Connection,
    depth: std::cell::Cell<u32>,
}

impl SpinDb {
    /// Opens the `default` database this component was granted.
    pub fn open_default() -> Result<Self, StoreError> {
        Connection::open_default()
            .map(|connection| SpinDb {
                connection,
                depth: std::cell::Cell::new(0),
            })
            .map_err(|e| StoreError::Sql(format!("cannot open the database: {e:?}")))
    }
}

impl Database for SpinDb {
    fn transaction_depth(&self) -> &std::cell::Cell<u32> {
        &self.depth
    }

    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
        let params: Vec<SpinValue> = params.iter().map(to_spin).collect();
        let result = self.connection.execute(sql, &params).map_err(|e| match e {
            spin_sdk::sqlite::Error::Io(message) => StoreError::from_message(message),
            other => StoreError::Sql(format!("{other:?}")),
        })?;
        Ok(Rows {
            columns: result.columns,
            rows: result
                .rows
                .into_iter()
                .map(|row| row.values.into_iter().map(from_spin).collect())
                .collect(),
        })
    }
}

fn to_spin(value: &Value) -> SpinValue {
    match value {
        Value::Null => SpinValue::Null,
        Value::Integer(i) => SpinValue::Integer(*i),
        Value::Real(r) => SpinValue::Real(*r),
        Value::Text(t) => SpinValue::Text(t.clone()),
        Value::Blob(b) => SpinValue::Blob(b.clone()),
    }
}

fn from_spin(value: SpinValue) -> Value {
    match value {
        SpinValue::Null => Value::Null,
        SpinValue::Integer(i) => Value::Integer(i),
        SpinValue::Real(r) => Value::Real(r),
        SpinValue::Text(t) => Value::Text(t),
        SpinValue::Blob(b) => Value::Blob(b),
    }
}
