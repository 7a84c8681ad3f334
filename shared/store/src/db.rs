//! The one seam between our SQL and whatever runs it: spin-sdk's SQLite in components,
//! rusqlite natively. Both speak "statement + positional parameters -> rows", so that is
//! the whole trait; everything else (typed reads, transactions) is built on it here once.

use std::cell::Cell;
use std::fmt;

/// A SQLite value, as bound and as read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Integer(v)
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Integer(i64::from(v))
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
/// Booleans are stored as 0/1, SQLite's convention.
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Integer(i64::from(v))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Integer(_) => "integer",
            Value::Real(_) => "real",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
        }
    }
}

/// Why a statement failed, classified so callers can answer 409 or 503 instead of 500.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("sql error: {0}")]
    Sql(String),
    /// A UNIQUE, CHECK, NOT NULL or FOREIGN KEY constraint refused the write.
    #[error("constraint violated: {0}")]
    Constraint(String),
    #[error("column '{column}': expected {expected}")]
    Decode {
        column: String,
        expected: &'static str,
    },
    /// A table is missing: the migrations were not applied to this database.
    #[error("database schema is not migrated")]
    NotMigrated,
    /// Another writer holds the lock past the busy timeout.
    #[error("database is busy")]
    Busy,
}

impl StoreError {
    /// Classifies a driver's error message. spin-sdk reports SQLite errors as bare text,
    /// so the text is all a component has to go on; the native driver uses it too for
    /// the cases its error codes leave ambiguous.
    /// Reads a runtime's error message. SQLite's own busy errors and a
    /// libSQL server's refusals under load (no connection in time, a
    /// statement interrupted, an idle stream closed) are all [`Self::Busy`]:
    /// nothing was committed and the client may retry (a 503).
    pub fn from_message(message: impl Into<String>) -> StoreError {
        let message = message.into();
        if message.contains("constraint failed") {
            StoreError::Constraint(message)
        } else if message.contains("no such table") {
            StoreError::NotMigrated
        } else if BUSY_MESSAGES.iter().any(|busy| message.contains(busy)) {
            StoreError::Busy
        } else {
            StoreError::Sql(message)
        }
    }

    /// A UNIQUE violation, i.e. the caller tried to create something that exists: a 409.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Constraint(m) if m.contains("UNIQUE constraint failed"))
    }
}

/// What SQLite and a libSQL server (`sqld`, through Spin's Hrana client)
/// say when a statement met a lock or a server too busy to take it.
const BUSY_MESSAGES: &[&str] = &[
    "database is locked",
    "database is busy",
    "Timed out while opening database connection",
    "SQLITE_INTERRUPT",
    "SQLITE_BUSY",
    "STREAM_EXPIRED",
];

/// A result set. Reads go through [`Row`], by column name, and fail with
/// [`StoreError::Decode`] rather than panic when the data is not what the code expects.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rows {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|values| Row {
            columns: &self.columns,
            values,
        })
    }

    /// The row an `INSERT`/`UPDATE ... RETURNING` must give back.
    pub fn returned(&self) -> Result<Row<'_>, StoreError> {
        self.first()
            .ok_or_else(|| StoreError::Sql("a RETURNING statement returned no row".into()))
    }

    pub fn first(&self) -> Option<Row<'_>> {
        self.iter().next()
    }
}

/// One row of a [`Rows`], read by column name.
#[derive(Clone, Copy)]
pub struct Row<'a> {
    columns: &'a [String],
    values: &'a [Value],
}

impl fmt::Debug for Row<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.columns.iter().zip(self.values))
            .finish()
    }
}

impl<'a> Row<'a> {
    pub fn get(&self, column: &str) -> Result<&'a Value, StoreError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .and_then(|i| self.values.get(i))
            .ok_or_else(|| decode(column, "a column of that name"))
    }

    pub fn get_i64(&self, column: &str) -> Result<i64, StoreError> {
        self.get_opt_i64(column)?
            .ok_or_else(|| decode(column, "integer, found null"))
    }

    pub fn get_opt_i64(&self, column: &str) -> Result<Option<i64>, StoreError> {
        match self.get(column)? {
            Value::Null => Ok(None),
            Value::Integer(v) => Ok(Some(*v)),
            _ => Err(decode(column, "integer")),
        }
    }

    /// Integers are accepted: SQLite hands back `1.0` stored in a REAL column as 1.
    pub fn get_f64(&self, column: &str) -> Result<f64, StoreError> {
        self.get_opt_f64(column)?
            .ok_or_else(|| decode(column, "real, found null"))
    }

    pub fn get_opt_f64(&self, column: &str) -> Result<Option<f64>, StoreError> {
        match self.get(column)? {
            Value::Null => Ok(None),
            Value::Real(v) => Ok(Some(*v)),
            Value::Integer(v) => Ok(Some(*v as f64)),
            _ => Err(decode(column, "real")),
        }
    }

    pub fn get_bool(&self, column: &str) -> Result<bool, StoreError> {
        match self.get_i64(column)? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(decode(column, "0 or 1")),
        }
    }

    pub fn get_str(&self, column: &str) -> Result<&'a str, StoreError> {
        self.get_opt_str(column)?
            .ok_or_else(|| decode(column, "text, found null"))
    }

    pub fn get_opt_str(&self, column: &str) -> Result<Option<&'a str>, StoreError> {
        match self.get(column)? {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v.as_str())),
            other => Err(StoreError::Decode {
                column: column.to_owned(),
                expected: match other {
                    Value::Blob(_) => "text, found blob",
                    _ => "text",
                },
            }),
        }
    }

    pub fn get_string(&self, column: &str) -> Result<String, StoreError> {
        self.get_str(column).map(str::to_owned)
    }

    pub fn get_opt_string(&self, column: &str) -> Result<Option<String>, StoreError> {
        self.get_opt_str(column).map(|v| v.map(str::to_owned))
    }

    pub fn get_blob(&self, column: &str) -> Result<&'a [u8], StoreError> {
        match self.get(column)? {
            Value::Blob(v) => Ok(v),
            other => Err(StoreError::Decode {
                column: column.to_owned(),
                expected: if other.type_name() == "null" {
                    "blob, found null"
                } else {
                    "blob"
                },
            }),
        }
    }
}

fn decode(column: &str, expected: &'static str) -> StoreError {
    StoreError::Decode {
        column: column.to_owned(),
        expected,
    }
}

/// Runs one SQL statement with positional (`?`) parameters. One statement per call:
/// spin-sdk's SQLite prepares only the first statement of a string.
pub trait Database {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError>;

    /// How many [`in_transaction`] calls are open on this connection; each
    /// implementation keeps one counter per connection.
    fn transaction_depth(&self) -> &Cell<u32>;
}

impl<D: Database + ?Sized> Database for &D {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        (**self).execute(sql, params)
    }

    fn transaction_depth(&self) -> &Cell<u32> {
        (**self).transaction_depth()
    }
}

/// `?, ?, ?` for `n` parameters: the list of an `IN (…)` whose values are bound.
pub(crate) fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Runs `f` inside a transaction, rolling back if it fails.
///
/// The outermost call uses `BEGIN IMMEDIATE`, which takes the write lock up
/// front, so a transaction that reads then writes cannot fail late with
/// SQLITE_BUSY. Inner calls become savepoints, so a store operation that is
/// atomic on its own stays atomic inside a handler's larger transaction (an
/// admin change and its audit entry, say). Keep `f` short: concurrent writes
/// are this design's bottleneck.
pub fn in_transaction<D, T, E>(db: &D, f: impl FnOnce(&D) -> Result<T, E>) -> Result<T, E>
where
    D: Database + ?Sized,
    E: From<StoreError>,
{
    let open = begin(db)?;
    let result = f(db);
    finish(db, open, result.is_ok())?;
    result
}

/// Like [`in_transaction`], but inside a caller's transaction `f` joins it
/// without a savepoint (two statements fewer under the write lock). Only
/// for operations whose one failure a caller may recover from happens
/// before they write anything (a taken tracking code on the first INSERT):
/// any other failure fails the caller's whole transaction.
pub fn in_transaction_or_joined<D, T, E>(db: &D, f: impl FnOnce(&D) -> Result<T, E>) -> Result<T, E>
where
    D: Database + ?Sized,
    E: From<StoreError>,
{
    if db.transaction_depth().get() > 0 {
        f(db)
    } else {
        in_transaction(db, f)
    }
}

/// An open transaction or savepoint, from [`begin`]; close it with [`finish`].
#[must_use = "a transaction must be finished"]
#[derive(Debug)]
pub struct OpenTransaction {
    depth: u32,
}

/// Opens a transaction (or, inside one, a savepoint). For callers that
/// cannot pass their work as a closure; prefer [`in_transaction`].
pub fn begin<D: Database + ?Sized>(db: &D) -> Result<OpenTransaction, StoreError> {
    let depth = db.transaction_depth().get();
    let statement = if depth == 0 {
        "BEGIN IMMEDIATE".to_string()
    } else {
        format!("SAVEPOINT nested_{depth}")
    };
    db.execute(&statement, &[])?;
    db.transaction_depth().set(depth + 1);
    Ok(OpenTransaction { depth })
}

/// Commits (`succeeded`) or rolls back what [`begin`] opened. A failed
/// commit rolls back and reports the error.
pub fn finish<D: Database + ?Sized>(
    db: &D,
    open: OpenTransaction,
    succeeded: bool,
) -> Result<(), StoreError> {
    let depth = open.depth;
    db.transaction_depth().set(depth);
    let undo = || {
        // The original error matters; a failed ROLLBACK (e.g. nothing open) does not.
        if depth == 0 {
            let _ = db.execute("ROLLBACK", &[]);
        } else {
            let _ = db.execute(&format!("ROLLBACK TO nested_{depth}"), &[]);
            let _ = db.execute(&format!("RELEASE nested_{depth}"), &[]);
        }
    };
    if !succeeded {
        undo();
        return Ok(());
    }
    let commit = if depth == 0 {
        "COMMIT".to_string()
    } else {
        format!("RELEASE nested_{depth}")
    };
    db.execute(&commit, &[]).map(drop).inspect_err(|_| {
        // COMMIT can fail with BUSY and leave the transaction open.
        undo();
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Rows {
        Rows {
            columns: vec![
                "n".into(),
                "s".into(),
                "none".into(),
                "r".into(),
                "b".into(),
            ],
            rows: vec![vec![
                Value::Integer(1),
                Value::Text("x".into()),
                Value::Null,
                Value::Real(2.5),
                Value::Blob(vec![1]),
            ]],
        }
    }

    #[test]
    fn typed_getters() {
        let rows = rows();
        let row = rows.first().expect("one row");
        assert_eq!(row.get_i64("n"), Ok(1));
        assert_eq!(row.get_bool("n"), Ok(true));
        assert_eq!(row.get_f64("n"), Ok(1.0));
        assert_eq!(row.get_str("s"), Ok("x"));
        assert_eq!(row.get_opt_str("none"), Ok(None));
        assert_eq!(row.get_opt_i64("none"), Ok(None));
        assert_eq!(row.get_f64("r"), Ok(2.5));
        assert_eq!(row.get_blob("b"), Ok(&[1u8][..]));
        assert!(matches!(row.get_i64("s"), Err(StoreError::Decode { .. })));
        assert!(matches!(
            row.get_str("none"),
            Err(StoreError::Decode { .. })
        ));
        assert!(matches!(
            row.get_str("missing"),
            Err(StoreError::Decode { .. })
        ));
        assert!(matches!(row.get_bool("r"), Err(StoreError::Decode { .. })));
    }

    #[test]
    fn conversions() {
        assert_eq!(Value::from(true), Value::Integer(1));
        assert_eq!(Value::from(None::<i64>), Value::Null);
        assert_eq!(Value::from(Some("a")), Value::Text("a".into()));
        assert_eq!(Value::from(vec![1u8]), Value::Blob(vec![1]));
    }

    fn check(message: &str, expected: StoreError) {
        assert_eq!(StoreError::from_message(message), expected);
    }

    #[test]
    fn classification() {
        let unique = "UNIQUE constraint failed: tenants.code";
        check(unique, StoreError::Constraint(unique.into()));
        assert!(StoreError::from_message(unique).is_unique_violation());
        let not_null = "NOT NULL constraint failed: users.login";
        check(not_null, StoreError::Constraint(not_null.into()));
        assert!(!StoreError::from_message(not_null).is_unique_violation());
        check("no such table: cases", StoreError::NotMigrated);
        check("database is locked", StoreError::Busy);
        // What Spin's libSQL client reported from sqld under 100 writers.
        for refused in [
            "Hrana: `api error: `{\"error\":\"Timed out while opening database connection\"}``",
            "Hrana: `cursor error: `error at step 0: (error code: SQLITE_INTERRUPT) `SQLite error: interrupted```",
            "Hrana: `api error: `{\"message\":\"The stream has expired due to inactivity\",\"code\":\"STREAM_EXPIRED\"}``",
        ] {
            check(refused, StoreError::Busy);
        }
        check(
            "near \"SELEC\": syntax error",
            StoreError::Sql("near \"SELEC\": syntax error".into()),
        );
    }
}
