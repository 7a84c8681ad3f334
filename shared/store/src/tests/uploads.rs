//! Uploads and who may use them: an upload's id is the random one the edge
//! drew, and only its uploader links it to a case or a notice; the sweep
//! deletes those left on nothing, and then the bytes no row uses.

use super::fixtures::{
    beijing, calendar, fresh_db, report_garbage, tenant, tenant_with_urban_and_garbage, upload_id,
};
use crate::*;
use chrono::{DateTime, Duration, Utc};
use domain::intake::{AttachmentId, AttachmentKind, UNLINKED_UPLOAD_RETENTION, Uploader};
use domain::{GridCode, GridLevel, GridNodeId, Problem};

fn account(actor: &str) -> Uploader {
    Uploader::Account(actor.into())
}

fn resident(address: &str) -> Uploader {
    Uploader::Resident {
        address: address.into(),
    }
}

fn upload(
    scope: &TenantScope<'_, NativeDb>,
    id: AttachmentId,
    by: Uploader,
    at: &str,
) -> Result<Attachment, Error> {
    scope.record_attachment(
        id,
        NewAttachment {
            sha256: format!("{:064}", id.get() % 1000),
            content_type: "image/jpeg".into(),
            kind: AttachmentKind::Photo,
            size: 10,
            uploaded_by: by,
        },
        beijing(at),
    )
}

#[test]
fn an_upload_is_kept_under_the_random_id_it_was_given() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let id = upload_id(7);
    let photo = upload(&scope, id, resident("10.0.0.9"), "2026-03-02 09:00").unwrap();
    assert_eq!(photo.id, id.get());
    assert_eq!(photo.uploaded_by, "resident@10.0.0.9");
    assert_eq!(scope.attachment(id.get()).unwrap(), Some(photo.clone()));

    // An id already taken, in any tenant, is a conflict to draw again on.
    let taken = upload(&scope, id, account("grid_worker:3"), "2026-03-02 09:01").unwrap_err();
    assert!(matches!(taken, Error::Conflict(_)), "{taken:?}");
    let other_tenant = tenant(&db, "beta");
    let other = TenantScope::new(&db, &other_tenant);
    let taken = upload(&other, id, account("grid_worker:3"), "2026-03-02 09:01").unwrap_err();
    assert!(matches!(taken, Error::Conflict(_)), "{taken:?}");
    assert_eq!(scope.attachment(id.get()).unwrap(), Some(photo));
}

/// Whether `linker` may put an upload of `uploader` on a fresh case; a
/// refusal is the very answer an unknown id gets.
fn check(uploader: Uploader, linker: Uploader, usable: bool) {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let case = report_garbage(&scope, 1, beijing("2026-03-02 09:00"));
    let photo = upload(&scope, upload_id(1), uploader.clone(), "2026-03-02 08:59").unwrap();
    let attached = scope.attach(case.id, &[photo.id], Purpose::Evidence, &linker);
    let on_case = scope.attachment(photo.id).unwrap().unwrap().case_id;
    if usable {
        assert!(attached.is_ok(), "{uploader:?} by {linker:?}: {attached:?}");
        assert_eq!(on_case, Some(case.id));
    } else {
        let refused = Problem::from(attached.unwrap_err());
        let unknown = scope
            .attach(case.id, &[upload_id(2).get()], Purpose::Evidence, &linker)
            .unwrap_err();
        assert_eq!(
            refused,
            Problem::from(unknown),
            "{uploader:?} by {linker:?}"
        );
        assert_eq!(
            (refused.status(), refused.field.as_deref()),
            (404, Some("attachment_ids[0]"))
        );
        assert_eq!(on_case, None, "the upload stays free for its owner");
    }
}

#[test]
fn an_upload_is_linked_by_its_uploader_only() {
    check(account("grid_worker:3"), account("grid_worker:3"), true);
    check(account("grid_worker:3"), account("grid_worker:4"), false);
    check(
        account("grid_worker:3"),
        account("department_staff:3"),
        false,
    );
    check(account("department_staff:5"), resident("10.0.0.9"), false);
    check(resident("10.0.0.9"), resident("10.0.0.9"), true);
    // A phone's address changes between the upload and the report: the
    // unguessable id, not the address, is a resident's right to the file.
    check(resident("10.0.0.9"), resident("172.16.4.2"), true);
    check(resident("10.0.0.9"), account("grid_worker:3"), false);
}

/// The tenant's township, for notices.
fn township(scope: &TenantScope<'_, NativeDb>) -> GridNodeId {
    scope
        .create_grid_node(NewGridNode {
            parent: None,
            level: GridLevel::Township,
            code: GridCode::parse("T").unwrap(),
            name: "镇".into(),
            households: None,
            geometry: None,
        })
        .unwrap()
        .id
}

/// A notice the tenant admin publishes with the uploads `ids`.
fn admins_notice(
    scope: &TenantScope<'_, NativeDb>,
    township: GridNodeId,
    ids: Vec<i64>,
    at: DateTime<Utc>,
) -> Result<Notice, Error> {
    scope.publish_notice(
        NewNotice {
            grid_node: township,
            title: "停水".into(),
            body: "明日停水".into(),
            attachment_ids: ids,
            published_by: "tenant_admin:1".into(),
        },
        at,
    )
}

#[test]
fn a_notice_takes_its_publishers_uploads_only() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let township = township(&scope);
    let mine = upload(
        &scope,
        upload_id(1),
        account("tenant_admin:1"),
        "2026-03-02 09:00",
    );
    let theirs = upload(
        &scope,
        upload_id(2),
        resident("10.0.0.9"),
        "2026-03-02 09:00",
    );
    let publish = |ids: Vec<i64>| admins_notice(&scope, township, ids, beijing("2026-03-02 10:00"));
    let (mine, theirs) = (mine.unwrap().id, theirs.unwrap().id);
    let refused = Problem::from(publish(vec![mine, theirs]).unwrap_err());
    assert_eq!(
        (refused.field.as_deref(), refused.detail.as_str()),
        (Some("attachment_ids[1]"), "no such attachment")
    );
    assert!(
        !scope.is_notice_attachment(mine).unwrap(),
        "nothing half-linked"
    );
    assert_eq!(publish(vec![mine]).unwrap().attachments, [mine]);
    // Once on a notice, a file is used up, for a case too.
    let case = report_garbage(&scope, 1, beijing("2026-03-02 11:00"));
    let used = scope
        .attach(
            case.id,
            &[mine],
            Purpose::Evidence,
            &account("tenant_admin:1"),
        )
        .unwrap_err();
    assert_eq!(Problem::from(used).status(), 409, "the upload is taken");
}

#[test]
fn a_cases_files_come_in_upload_order_whatever_their_ids() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let case = report_garbage(&scope, 1, beijing("2026-03-02 09:00"));
    let worker = account("grid_worker:3");
    // The id `n`: the bytes of n − 1 draw it.
    let id = |n: u64| AttachmentId::from_random((n - 1).to_be_bytes());
    let uploads = [
        (id(1 << 52), "2026-03-02 09:01"),
        (id(1), "2026-03-02 09:03"),
        (id(1 << 40), "2026-03-02 09:02"),
    ];
    for (id, at) in uploads {
        upload(&scope, id, worker.clone(), at).unwrap();
    }
    let ids = uploads.map(|(id, _)| id.get());
    scope
        .attach(case.id, &ids, Purpose::Evidence, &worker)
        .unwrap();
    let listed: Vec<i64> = scope
        .case_attachments(case.id)
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(listed, [ids[0], ids[2], ids[1]]);
}

/// A resident's photo with the bytes of digest `sha` (one hex digit,
/// repeated), uploaded at `at`.
fn photo(scope: &TenantScope<'_, NativeDb>, seed: u64, sha: char, at: DateTime<Utc>) -> i64 {
    photo_by(scope, seed, sha, resident("10.0.0.9"), at)
}

fn photo_by(
    scope: &TenantScope<'_, NativeDb>,
    seed: u64,
    sha: char,
    by: Uploader,
    at: DateTime<Utc>,
) -> i64 {
    scope
        .record_attachment(
            upload_id(seed),
            NewAttachment {
                sha256: sha.to_string().repeat(64),
                content_type: "image/jpeg".into(),
                kind: AttachmentKind::Photo,
                size: 10,
                uploaded_by: by,
            },
            at,
        )
        .unwrap()
        .id
}

/// Where an upload is when the sweep runs.
#[derive(Debug, Clone, Copy)]
enum On {
    Nothing,
    Case,
    Notice,
}

/// Whether the sweep at `now` keeps an upload made `age` before it and
/// then put `on` something.
fn check_purge(age: Duration, on: On, kept: bool) {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let now = beijing("2026-03-03 10:00");
    // A notice takes its publisher's own uploads: the admin's, here.
    let by = match on {
        On::Notice => account("tenant_admin:1"),
        On::Nothing | On::Case => resident("10.0.0.9"),
    };
    let id = photo_by(&scope, 1, 'a', by.clone(), now - age);
    match on {
        On::Nothing => {}
        On::Case => {
            let case = report_garbage(&scope, 1, now - age);
            scope
                .attach(case.id, &[id], Purpose::Evidence, &by)
                .unwrap();
        }
        On::Notice => {
            admins_notice(&scope, township(&scope), vec![id], now - age).unwrap();
        }
    }
    let report = scope.sweep(now, &calendar()).unwrap();
    let what = format!("{age} on {on:?}");
    assert_eq!(scope.attachment(id).unwrap().is_some(), kept, "{what}");
    assert_eq!(report.purged_uploads, usize::from(!kept), "{what}");
    assert_eq!(
        scope.delete_unused_files(10, |_| Ok(())).unwrap(),
        usize::from(!kept),
        "{what}: the purged upload's bytes are queued for deletion"
    );
}

#[test]
fn the_sweep_purges_uploads_left_on_nothing_past_their_retention() {
    assert_eq!(UNLINKED_UPLOAD_RETENTION, Duration::hours(24));
    let day = UNLINKED_UPLOAD_RETENTION;
    check_purge(day + Duration::minutes(1), On::Nothing, false);
    check_purge(Duration::days(400), On::Nothing, false);
    check_purge(day - Duration::minutes(1), On::Nothing, true);
    check_purge(day, On::Nothing, true);
    check_purge(Duration::days(400), On::Case, true);
    check_purge(Duration::days(400), On::Notice, true);
}

#[test]
fn a_purged_uploads_bytes_go_once_no_row_uses_its_digest() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let now = beijing("2026-03-03 10:00");
    let old = now - Duration::days(2);
    // `a`: two abandoned uploads and a fresh one share the bytes; `b`: an
    // abandoned upload shares them with a policy file; `c`: alone.
    photo(&scope, 1, 'a', old);
    photo(&scope, 2, 'a', old);
    let fresh = photo(&scope, 3, 'a', now - Duration::hours(1));
    photo(&scope, 4, 'b', old);
    scope
        .record_policy_file(
            NewPolicyFile {
                name: "办法.pdf".into(),
                content_type: "application/pdf".into(),
                size: 10,
                sha256: "b".repeat(64),
                uploaded_by: "tenant_admin:1".into(),
            },
            old,
        )
        .unwrap();
    photo(&scope, 5, 'c', old);

    assert_eq!(scope.sweep(now, &calendar()).unwrap().purged_uploads, 4);
    let mut deleted = Vec::new();
    let count = scope
        .delete_unused_files(10, |sha| {
            deleted.push(sha[..1].to_string());
            Ok(())
        })
        .unwrap();
    assert_eq!(
        (count, deleted.as_slice()),
        (1, ["c".to_string()].as_slice())
    );
    assert!(scope.file_in_use(&"a".repeat(64)).unwrap());
    assert!(!scope.file_in_use(&"c".repeat(64)).unwrap());
    assert_eq!(
        scope.delete_unused_files(10, |_| Ok(())).unwrap(),
        0,
        "each digest is looked at once"
    );

    // A day later the fresh upload is abandoned too; now nothing uses `a`.
    let later = now + Duration::days(1);
    assert_eq!(scope.attachment(fresh).unwrap().map(|a| a.id), Some(fresh));
    assert_eq!(scope.sweep(later, &calendar()).unwrap().purged_uploads, 1);
    // A deletion that fails leaves the digest queued for the next sweep.
    let failed = scope
        .delete_unused_files(10, |_| {
            Err(Problem::internal("the file store failed").into())
        })
        .unwrap_err();
    assert_eq!(Problem::from(failed).status(), 500);
    let mut deleted = Vec::new();
    scope
        .delete_unused_files(10, |sha| {
            deleted.push(sha[..1].to_string());
            Ok(())
        })
        .unwrap();
    assert_eq!(deleted, ["a"]);
}

#[test]
fn the_file_deletions_of_one_sweep_are_bounded() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let now = beijing("2026-03-03 10:00");
    for (seed, sha) in (1..).zip(['1', '2', '3']) {
        photo(&scope, seed, sha, now - Duration::days(2));
    }
    assert_eq!(scope.sweep(now, &calendar()).unwrap().purged_uploads, 3);
    assert_eq!(scope.delete_unused_files(2, |_| Ok(())).unwrap(), 2);
    assert_eq!(scope.delete_unused_files(2, |_| Ok(())).unwrap(), 1);
    assert_eq!(scope.delete_unused_files(2, |_| Ok(())).unwrap(), 0);
}

#[test]
fn an_upload_purged_before_its_link_is_no_such_attachment() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let now = beijing("2026-03-03 10:00");
    let id = photo(&scope, 1, 'a', now - Duration::days(2));
    scope.sweep(now, &calendar()).unwrap();
    let case = report_garbage(&scope, 1, now);
    let refused = scope
        .attach(case.id, &[id], Purpose::Evidence, &resident("10.0.0.9"))
        .unwrap_err();
    let refused = Problem::from(refused);
    assert_eq!(
        (refused.field.as_deref(), refused.detail.as_str()),
        (Some("attachment_ids[0]"), "no such attachment")
    );
    assert!(scope.case_attachments(case.id).unwrap().is_empty());
}

/// The sweep deletes a digest's bytes holding the write lock, so an upload
/// of the same bytes records its row (and puts the bytes back, in the
/// edge) only after the deletion: never a row whose bytes go after it.
#[test]
fn the_bytes_are_deleted_holding_the_write_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let db = NativeDb::open(&path).unwrap();
    migrate(&db).unwrap();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let now = beijing("2026-03-03 10:00");
    photo(&scope, 1, 'a', now - Duration::days(2));
    scope.sweep(now, &calendar()).unwrap();

    let order = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|threads| {
        scope
            .delete_unused_files(10, |_| {
                // Another request uploads the same bytes meanwhile.
                threads.spawn(|| {
                    let other = NativeDb::open(&path).unwrap();
                    photo(&TenantScope::new(&other, &t), 2, 'a', now);
                    order.lock().unwrap().push("row recorded");
                });
                std::thread::sleep(std::time::Duration::from_millis(300));
                order.lock().unwrap().push("bytes deleted");
                Ok(())
            })
            .unwrap();
    });
    assert_eq!(*order.lock().unwrap(), ["bytes deleted", "row recorded"]);
    assert!(scope.file_in_use(&"a".repeat(64)).unwrap());
}
