//! The bulk generator writes cases the rest of the store reads as its own:
//! consistent timelines, versions and clocks.

use super::fixtures::{beijing, calendar, fresh_db, tenant_with_urban_and_garbage};
use crate::scoped::bulk::BulkSpec;
use crate::*;
use domain::CaseState;
use std::collections::BTreeSet;

#[test]
fn bulk_cases_are_whole_cases() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let spec = BulkSpec {
        cases: 3_000,
        days: 60,
        end: beijing("2026-03-02 12:00"),
        departments: vec![urban],
        grid_nodes: vec![],
        seed: 7,
    };
    assert_eq!(scope.bulk_fill(&spec, &calendar()).unwrap(), 3_000);
    let all = scope.list_cases(None, 200).unwrap();
    assert_eq!(all.len(), 200);
    let mut states = BTreeSet::new();
    let mut after = None;
    let mut total = 0;
    loop {
        let page = scope.list_cases(after, 200).unwrap();
        if page.is_empty() {
            break;
        }
        for case in &page {
            let events = scope.case_events(case.id).unwrap();
            assert_eq!(events.len() as i64, case.version, "{}", case.tracking_code);
            assert_eq!(events.last().unwrap().to_state, case.state);
            for pair in events.windows(2) {
                assert_eq!(pair[1].from_state, Some(pair[0].to_state));
                assert!(pair[1].at >= pair[0].at);
            }
            assert_eq!(
                case.dispatched_at.is_some(),
                case.resolution_due_at.is_some()
            );
            assert_eq!(
                case.paused_at.is_some(),
                case.state == CaseState::AwaitingReporter
            );
            states.insert(case.state);
        }
        total += page.len();
        after = page.last().map(|c| c.id);
    }
    assert_eq!(total, 3_000);
    assert!(states.contains(&CaseState::Closed) && states.contains(&CaseState::InProgress));
    let again = scope.bulk_fill(&BulkSpec { seed: 8, ..spec }, &calendar());
    assert_eq!(again.unwrap(), 3_000, "another seed, other tracking codes");
}
