//! Timestamps as stored: ISO 8601 UTC text with millisecond precision and a `Z`, one
//! fixed width so that text order is time order (indexes and range queries rely on it).

use crate::db::{Row, StoreError};
use chrono::{DateTime, SecondsFormat, Utc};

pub(crate) fn to_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn get_time(row: &Row<'_>, column: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(row.get_str(column)?)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Decode {
            column: column.to_owned(),
            expected: "ISO 8601 timestamp",
        })
}

pub(crate) fn get_opt_time(
    row: &Row<'_>,
    column: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    row.get_opt_str(column)?
        .map(|_| get_time(row, column))
        .transpose()
}
