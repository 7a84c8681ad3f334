//! [`Database`] over rusqlite, for native tests and the host's tooling (feature `native`).
//! Components never use this: on Spin, the runtime owns the connection.

use crate::db::{Database, Rows, StoreError, Value};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, ErrorCode};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another writer's lock before giving up with `Busy`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct NativeDb {
    conn: Connection,
    depth: std::cell::Cell<u32>,
}

impl NativeDb {
    /// Opens (creating if needed) a database file and puts it in WAL mode, which is
    /// persistent in the file: readers then no longer block the single writer.
    pub fn open(path: impl AsRef<Path>) -> Result<NativeDb, StoreError> {
        let conn = Connection::open(path).map_err(convert)?;
        conn.query_row("PRAGMA journal_mode=WAL", [], |row| row.get::<_, String>(0))
            .map_err(convert)?;
        Self::configure(conn)
    }

    /// A private, empty database that vanishes when dropped. For tests.
    pub fn open_in_memory() -> Result<NativeDb, StoreError> {
        Self::configure(Connection::open_in_memory().map_err(convert)?)
    }

    fn configure(conn: Connection) -> Result<NativeDb, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(convert)?;
        // Off by default in SQLite; on here so native tests catch dangling references.
        conn.execute_batch("PRAGMA foreign_keys=ON")
            .map_err(convert)?;
        Ok(NativeDb {
            conn,
            depth: std::cell::Cell::new(0),
        })
    }
}

impl Database for NativeDb {
    fn transaction_depth(&self) -> &std::cell::Cell<u32> {
        &self.depth
    }

    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        let mut stmt = self.conn.prepare(sql).map_err(convert)?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(String::from).collect();
        let bound = rusqlite::params_from_iter(params.iter().map(to_sql));
        let mut cursor = stmt.query(bound).map_err(convert)?;
        let mut rows = Vec::new();
        while let Some(row) = cursor.next().map_err(convert)? {
            let mut values = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                values.push(from_sql(row.get_ref(i).map_err(convert)?));
            }
            rows.push(values);
        }
        Ok(Rows { columns, rows })
    }
}

fn to_sql(v: &Value) -> SqlValue {
    match v {
        Value::Null => SqlValue::Null,
        Value::Integer(i) => SqlValue::Integer(*i),
        Value::Real(r) => SqlValue::Real(*r),
        Value::Text(s) => SqlValue::Text(s.clone()),
        Value::Blob(b) => SqlValue::Blob(b.clone()),
    }
}

fn from_sql(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

fn convert(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(failure, message) => match failure.code {
            ErrorCode::ConstraintViolation => {
                StoreError::Constraint(message.clone().unwrap_or_else(|| e.to_string()))
            }
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Busy,
            _ => StoreError::from_message(e.to_string()),
        },
        _ => StoreError::from_message(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_values_and_classifies_errors() {
        let db = NativeDb::open_in_memory().expect("open");
        db.execute(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT UNIQUE, r REAL, b BLOB)",
            &[],
        )
        .expect("create");
        let rows = db
            .execute(
                "INSERT INTO t (s, r, b) VALUES (?, ?, ?) RETURNING id, s, r, b",
                &["a".into(), 1.5.into(), vec![0u8, 1].into()],
            )
            .expect("insert");
        let row = rows.first().expect("returned");
        assert_eq!(row.get_i64("id"), Ok(1));
        assert_eq!(row.get_str("s"), Ok("a"));
        assert_eq!(row.get_f64("r"), Ok(1.5));
        assert_eq!(row.get_blob("b"), Ok(&[0u8, 1][..]));
        let dup = db
            .execute("INSERT INTO t (s) VALUES (?)", &["a".into()])
            .expect_err("duplicate");
        assert!(dup.is_unique_violation(), "{dup:?}");
        assert_eq!(
            db.execute("SELECT * FROM missing", &[]),
            Err(StoreError::NotMigrated)
        );
        assert!(matches!(
            db.execute("SELEC 1", &[]),
            Err(StoreError::Sql(_))
        ));
    }

    #[test]
    fn file_databases_use_wal() {
        let dir = std::env::temp_dir().join(format!("store-native-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("wal.db");
        let db = NativeDb::open(&path).expect("open");
        let rows = db.execute("PRAGMA journal_mode", &[]).expect("pragma");
        assert_eq!(
            rows.first().expect("row").get_str("journal_mode"),
            Ok("wal")
        );
        drop(db);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
