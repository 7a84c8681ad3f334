//! Versioned schema migrations, applied idempotently.
//!
//! Migrating is an operator's step (deploy time, or the host's tooling), never part of
//! a request: a Spin instance lives for one request and must not pay for schema checks.
//! Each migration runs in its own write transaction and re-checks, inside it, that no
//! concurrent migrator applied it first.

use crate::db::{Database, StoreError, in_transaction};

/// One schema step. `version` orders them; files are named `{version:04}_{name}.sql`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. A test checks this list against the `migrations/` folder.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "tenancy",
        sql: include_str!("../migrations/0002_tenancy.sql"),
    },
    Migration {
        version: 3,
        name: "offboarding",
        sql: include_str!("../migrations/0003_offboarding.sql"),
    },
    Migration {
        version: 4,
        name: "intake",
        sql: include_str!("../migrations/0004_intake.sql"),
    },
    Migration {
        version: 5,
        name: "workflow",
        sql: include_str!("../migrations/0005_workflow.sql"),
    },
    Migration {
        version: 6,
        name: "satisfaction",
        sql: include_str!("../migrations/0006_satisfaction.sql"),
    },
    Migration {
        version: 7,
        name: "joint_handling_and_webhooks",
        sql: include_str!("../migrations/0007_joint_handling_and_webhooks.sql"),
    },
    Migration {
        version: 8,
        name: "status",
        sql: include_str!("../migrations/0008_status.sql"),
    },
    Migration {
        version: 9,
        name: "analytics",
        sql: include_str!("../migrations/0009_analytics.sql"),
    },
    Migration {
        version: 10,
        name: "enterprise",
        sql: include_str!("../migrations/0010_enterprise.sql"),
    },
    Migration {
        version: 11,
        name: "mediation_and_agents",
        sql: include_str!("../migrations/0011_mediation_and_agents.sql"),
    },
    Migration {
        version: 12,
        name: "dispute_papers",
        sql: include_str!("../migrations/0012_dispute_papers.sql"),
    },
    Migration {
        version: 13,
        name: "upload_retention",
        sql: include_str!("../migrations/0013_upload_retention.sql"),
    },
    Migration {
        version: 14,
        name: "identities",
        sql: include_str!("../migrations/0014_identities.sql"),
    },
    Migration {
        version: 15,
        name: "event_details",
        sql: include_str!("../migrations/0015_event_details.sql"),
    },
    Migration {
        version: 16,
        name: "map_settings",
        sql: include_str!("../migrations/0016_map_settings.sql"),
    },
    Migration {
        version: 17,
        name: "sms",
        sql: include_str!("../migrations/0017_sms.sql"),
    },
    Migration {
        version: 18,
        name: "place_required",
        sql: include_str!("../migrations/0018_place_required.sql"),
    },
    Migration {
        version: 19,
        name: "triage",
        sql: include_str!("../migrations/0019_triage.sql"),
    },
    Migration {
        version: 20,
        name: "triage_settings",
        sql: include_str!("../migrations/0020_triage_settings.sql"),
    },
    Migration {
        version: 21,
        name: "patrols",
        sql: include_str!("../migrations/0021_patrols.sql"),
    },
    Migration {
        version: 22,
        name: "warnings",
        sql: include_str!("../migrations/0022_warnings.sql"),
    },
];

const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

impl Migration {
    /// The statements of the file: `--` comments dropped, split at `;` (see the rules at
    /// the top of each file), because a driver call runs one statement.
    pub fn statements(&self) -> Vec<String> {
        let without_comments: Vec<&str> = self
            .sql
            .lines()
            .map(|line| line.split_once("--").map_or(line, |(code, _)| code))
            .collect();
        without_comments
            .join("\n")
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

fn applied_versions<D: Database + ?Sized>(db: &D) -> Result<Vec<u32>, StoreError> {
    let rows = db.execute(
        "SELECT version FROM schema_migrations ORDER BY version",
        &[],
    )?;
    rows.iter()
        .map(|row| {
            let v = row.get_i64("version")?;
            u32::try_from(v).map_err(|_| StoreError::Decode {
                column: "version".into(),
                expected: "a u32 migration version",
            })
        })
        .collect()
}

/// Versions not yet applied, in order. A database without the ledger has all pending.
pub fn pending<D: Database + ?Sized>(db: &D) -> Result<Vec<u32>, StoreError> {
    let applied = match applied_versions(db) {
        Ok(v) => v,
        Err(StoreError::NotMigrated) => Vec::new(),
        Err(e) => return Err(e),
    };
    Ok(MIGRATIONS
        .iter()
        .map(|m| m.version)
        .filter(|v| !applied.contains(v))
        .collect())
}

/// Applies every pending migration; returns the versions applied by this call.
pub fn migrate<D: Database + ?Sized>(db: &D) -> Result<Vec<u32>, StoreError> {
    // WAL lets readers go on while one request writes, and is remembered by
    // the database file, so it is set here, once, not on every request.
    // libSQL servers manage their own journal and may refuse the pragma: fine.
    let _ = db.execute("PRAGMA journal_mode=WAL", &[]);
    db.execute(CREATE_LEDGER, &[])?;
    let mut applied_now = Vec::new();
    for migration in MIGRATIONS {
        let applied = in_transaction(db, |db| {
            let done = db.execute(
                "SELECT 1 AS done FROM schema_migrations WHERE version = ?",
                &[migration.version.into()],
            )?;
            if !done.is_empty() {
                return Ok(false);
            }
            for statement in migration.statements() {
                db.execute(&statement, &[])?;
            }
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) \
                 VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                &[migration.version.into(), migration.name.into()],
            )?;
            Ok::<_, StoreError>(true)
        })?;
        if applied {
            applied_now.push(migration.version);
        }
    }
    if applied_now.contains(&FIGURES_VERSION) {
        in_transaction(db, backfill_figures)?;
    }
    Ok(applied_now)
}

/// The schema step that starts keeping the dashboard's figures.
const FIGURES_VERSION: u32 = 9;

/// A database upgraded past [`FIGURES_VERSION`] gets the figures of the
/// cases it already holds, so the dashboard is right from the first
/// request. Run once every schema step is in (the recount reads today's
/// columns); should it fail, `POST …/dashboard/rebuild` does the same.
pub(crate) fn backfill_figures<D: Database + ?Sized>(db: &D) -> Result<(), StoreError> {
    let tenants = crate::platform::list_tenants(db).map_err(store_error)?;
    for tenant in &tenants {
        crate::TenantScope::new(db, tenant)
            .rebuild_stats()
            .map_err(store_error)?;
    }
    Ok(())
}

fn store_error(e: crate::Error) -> StoreError {
    match e {
        crate::Error::Store(e) => e,
        other => StoreError::Sql(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::NativeDb;

    #[test]
    fn migrating_twice_applies_nothing_the_second_time() {
        let db = NativeDb::open_in_memory().expect("open");
        let all: Vec<u32> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert_eq!(pending(&db), Ok(all.clone()));
        assert_eq!(migrate(&db), Ok(all));
        assert_eq!(pending(&db), Ok(vec![]));
        assert_eq!(migrate(&db), Ok(vec![]));
        let rows = db
            .execute("SELECT name, applied_at FROM schema_migrations", &[])
            .expect("ledger");
        let row = rows.first().expect("one row");
        assert_eq!(row.get_str("name"), Ok("foundation"));
        assert!(row.get_str("applied_at").expect("text").ends_with('Z'));
    }

    #[test]
    fn every_migration_file_is_listed_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .expect("migrations dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(files, listed);
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "versions are 1, 2, 3, ...");
            let on_disk = std::fs::read_to_string(dir.join(&listed[i])).expect("read");
            assert_eq!(on_disk, m.sql);
        }
    }

    /// Applies the migrations before `version` by hand, as an older
    /// release would have.
    fn migrated_before(version: u32) -> NativeDb {
        let db = NativeDb::open_in_memory().expect("open");
        db.execute(CREATE_LEDGER, &[]).expect("ledger");
        for m in MIGRATIONS.iter().filter(|m| m.version < version) {
            for statement in m.statements() {
                db.execute(&statement, &[]).expect(m.name);
            }
            db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 'then')",
                &[m.version.into(), m.name.into()],
            )
            .expect("ledger row");
        }
        db
    }

    #[test]
    fn the_papers_step_keeps_every_attachment_and_what_points_at_it() {
        use crate::tests::fixtures::{fixed_now, tenant, upload_id};
        use crate::{NewAttachment, NewGridNode, NewNotice, TenantScope};
        use domain::intake::{AttachmentKind, Uploader};
        let db = migrated_before(12);
        let t = tenant(&db, "alpha");
        let scope = TenantScope::new(&db, &t);
        let photo = |n: u8| {
            scope
                .record_attachment(
                    upload_id(n.into()),
                    NewAttachment {
                        sha256: format!("{n:064}"),
                        content_type: "image/jpeg".into(),
                        kind: AttachmentKind::Photo,
                        size: 10,
                        uploaded_by: Uploader::Account("tenant_admin:1".into()),
                    },
                    fixed_now(),
                )
                .expect("photo")
        };
        let (loose, shown) = (photo(1), photo(2));
        let node = scope
            .create_grid_node(NewGridNode {
                parent: None,
                level: domain::GridLevel::Township,
                code: domain::GridCode::parse("T").expect("code"),
                name: "镇".into(),
                households: None,
                geometry: None,
            })
            .expect("node");
        scope
            .publish_notice(
                NewNotice {
                    grid_node: node.id,
                    title: "停水".into(),
                    body: "明日停水".into(),
                    attachment_ids: vec![shown.id],
                    published_by: "tenant_admin:1".into(),
                },
                fixed_now(),
            )
            .expect("notice");

        let applied = migrate(&db).expect("migrate");
        assert_eq!(
            applied.first(),
            Some(&12),
            "the papers step, then the later ones"
        );
        assert_eq!(scope.attachment(loose.id).expect("read"), Some(loose));
        assert_eq!(
            scope.attachment(shown.id).expect("read"),
            Some(shown.clone())
        );
        assert!(scope.is_notice_attachment(shown.id).expect("read"));
        let dangling = db.execute("PRAGMA foreign_key_check", &[]).expect("check");
        assert!(dangling.is_empty(), "references survive the rebuild");
        // The rebuilt table takes papers, hidden, and refuses to show one.
        let paper = scope
            .record_attachment(
                upload_id(3),
                NewAttachment {
                    sha256: format!("{:064}", 3),
                    content_type: "application/pdf".into(),
                    kind: AttachmentKind::Document,
                    size: 10,
                    uploaded_by: Uploader::Account("tenant_admin:1".into()),
                },
                fixed_now(),
            )
            .expect("paper");
        assert!(!paper.public);
        assert!(
            db.execute(
                "UPDATE attachments SET public = 1 WHERE id = ?",
                &[paper.id.into()]
            )
            .is_err(),
            "the schema itself keeps a paper hidden"
        );
    }

    /// Events written before their details get them from their notes, once,
    /// and an assisting department's note becomes its answer alone.
    #[test]
    fn the_details_step_reads_the_notes_written_before_it() {
        let db = migrated_before(15);
        db.execute("PRAGMA foreign_keys = OFF", &[])
            .expect("pragma");
        let legacy = [
            ("dispatch", "urban (assisting: justice, police)"),
            ("dispatch", "urban"),
            ("transfer", "to police: 错派: 应由派出所处理"),
            ("recategorise", "to noise: 分类有误"),
            ("assist_done", "justice: 已调解"),
            ("escalate", "overdue"),
            ("resolve", "已清理"),
        ];
        for (action, note) in legacy {
            db.execute(
                "INSERT INTO case_events (tenant_id, case_id, at, actor, action, to_state, note) \
                 VALUES (1, 1, 'then', 'system:routing', ?, 'dispatched', ?)",
                &[action.into(), note.into()],
            )
            .expect("legacy event");
        }
        db.execute("PRAGMA foreign_keys = ON", &[]).expect("pragma");
        assert_eq!(migrate(&db).expect("migrate").first(), Some(&15));
        let rows = db
            .execute("SELECT note, details FROM case_events ORDER BY id", &[])
            .expect("read");
        let read: Vec<(String, Option<serde_json::Value>)> = rows
            .iter()
            .map(|r| {
                let details = r.get_opt_str("details").unwrap();
                (
                    r.get_string("note").unwrap(),
                    details.map(|d| serde_json::from_str(d).unwrap()),
                )
            })
            .collect();
        use serde_json::json;
        let expected = [
            json!({ "department": "urban", "assisting": ["justice", "police"] }),
            json!({ "department": "urban", "assisting": [] }),
            json!({ "department": "police", "reason": "错派: 应由派出所处理" }),
            json!({ "category": "noise", "reason": "分类有误" }),
            json!({ "department": "justice" }),
            json!({ "level": "overdue" }),
        ];
        for (i, details) in expected.iter().enumerate() {
            assert_eq!(read[i].1.as_ref(), Some(details), "{:?}", legacy[i]);
        }
        assert_eq!(read[4].0, "已调解", "the answer alone");
        assert_eq!(read[6], ("已清理".to_string(), None), "other notes stay");
        // What the step now writes reads the same as what it backfilled.
        let transfer = domain::CaseAction::Transfer {
            department: "police".into(),
            reason: "错派: 应由派出所处理".into(),
        };
        assert_eq!(transfer.details().as_ref(), Some(&expected[2]));
    }

    #[test]
    fn statements_split_cleanly() {
        let statements = MIGRATIONS[0].statements();
        assert!(statements.iter().all(|s| !s.contains("--")));
        assert!(statements[0].starts_with("CREATE TABLE tenants"));
        assert_eq!(
            statements
                .iter()
                .filter(|s| s.starts_with("CREATE TABLE"))
                .count(),
            5
        );
    }
}
