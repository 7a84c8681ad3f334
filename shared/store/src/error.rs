//! The store layer's error, and how it reaches a client.
//!
//! Storage causes (SQL text, constraint names) stay inside [`Error`] for the log; the
//! [`Problem`] a client receives says only what they can act on.

use crate::db::StoreError;
use domain::{IllegalTransition, Problem, RowProblem};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Displayed generically; the cause is the `source()`, for the log.
    #[error("storage operation failed")]
    Store(#[from] StoreError),
    /// A domain rule refused the request (validation, illegal transition...).
    #[error(transparent)]
    Domain(#[from] Problem),
    /// Lost a race or collided with existing data: stale version, taken code.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("not found: {0}")]
    NotFound(String),
    /// Rows of an import that cannot be taken, each by line and field. Match on it to
    /// render the list; converted to a [`Problem`] only the count survives.
    #[error("{} import row problem(s)", .0.len())]
    Rows(Vec<RowProblem>),
}

impl From<IllegalTransition> for Error {
    fn from(e: IllegalTransition) -> Self {
        Error::Domain(e.into())
    }
}

/// What the client sees. Log the `Error` (with its `source()` chain) before converting.
impl From<Error> for Problem {
    fn from(e: Error) -> Problem {
        let cause = cause_chain(&e);
        let problem = match e {
            Error::Domain(problem) => problem,
            Error::Conflict(detail) => Problem::conflict(detail),
            Error::NotFound(detail) => Problem::not_found(detail),
            Error::Rows(problems) => Problem::new(
                domain::grid_import::kind_of(&problems),
                match problems
                    .iter()
                    .map(|p| p.line)
                    .collect::<std::collections::BTreeSet<_>>()
                    .len()
                {
                    1 => "1 row has a problem; see `problems`".to_owned(),
                    n => format!("{n} rows have problems; see `problems`"),
                },
            ),
            Error::Store(StoreError::NotMigrated) => Problem::service_unavailable(
                "the database is not set up yet: the operator must apply the schema migrations",
            ),
            // Nothing was committed: the client may send the same again.
            Error::Store(StoreError::Busy) => {
                Problem::service_unavailable("the database is busy; please retry shortly")
                    .with_retry_after(1)
            }
            Error::Store(StoreError::Constraint(_)) => {
                Problem::conflict("the request conflicts with existing data")
            }
            Error::Store(StoreError::Sql(_) | StoreError::Decode { .. }) => {
                Problem::internal("an internal storage error occurred")
            }
        };
        if problem.status() >= 500 {
            problem.with_cause(cause)
        } else {
            problem
        }
    }
}

/// The error and its `source()` chain, one line, for the operator's log.
fn cause_chain(e: &Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        Error::Store(e).into()
    }
}

/// Turns a UNIQUE violation into a conflict the caller can explain; anything else stays.
pub(crate) fn unique_to_conflict(e: StoreError, detail: impl FnOnce() -> String) -> Error {
    if e.is_unique_violation() {
        Error::Conflict(detail())
    } else {
        Error::Store(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::ProblemKind;
    use std::error::Error as _;

    fn check(e: Error, kind: ProblemKind, detail_fragment: &str) {
        let p = Problem::from(e);
        assert_eq!(p.kind, kind);
        assert!(p.detail.contains(detail_fragment), "{}", p.detail);
        assert!(!p.detail.contains("SELECT"), "SQL leaked: {}", p.detail);
    }

    #[test]
    fn mapping_to_problems() {
        check(
            StoreError::NotMigrated.into(),
            ProblemKind::ServiceUnavailable,
            "migrations",
        );
        check(
            StoreError::Busy.into(),
            ProblemKind::ServiceUnavailable,
            "retry",
        );
        let busy: Problem = Error::from(StoreError::Busy).into();
        assert_eq!(
            busy.retry_after(),
            Some(1),
            "a busy database says when to retry"
        );
        check(
            StoreError::Sql("near SELECT: syntax error".into()).into(),
            ProblemKind::Internal,
            "internal",
        );
        check(
            StoreError::Constraint("UNIQUE constraint failed: users.login".into()).into(),
            ProblemKind::Conflict,
            "conflicts",
        );
        check(
            Error::Conflict("stale".into()),
            ProblemKind::Conflict,
            "stale",
        );
        check(
            Error::NotFound("no case 7".into()),
            ProblemKind::NotFound,
            "no case 7",
        );
        check(
            Error::Rows(
                [2, 2, 5, 9]
                    .map(|line| RowProblem {
                        line,
                        field: "level".into(),
                        detail: "bad".into(),
                        kind: ProblemKind::Validation,
                    })
                    .to_vec(),
            ),
            ProblemKind::Validation,
            "3 rows have problems; see `problems`",
        );
        check(
            Problem::validation("code", "bad").into(),
            ProblemKind::Validation,
            "bad",
        );
    }

    #[test]
    fn the_cause_stays_available_for_logs() {
        let e = Error::Store(StoreError::Sql("near SELECT: syntax error".into()));
        let cause = e.source().expect("a source");
        assert!(cause.to_string().contains("SELECT"));
    }
}
