//! The triage model's rows: a staff dispatch counts the case in both
//! models, a transfer and a re-categorisation move it (the rows equal a
//! model that learned the case where it ended), a routing rule's dispatch
//! and a refused step count nothing, and suggestions read back what was
//! learned; another tenant's model is its own.

use super::fixtures::{
    add_road_damage_category, beijing, calendar, fresh_db, report_garbage, route_garbage_to,
    tenant, tenant_with_urban_and_garbage,
};
use crate::native::NativeDb;
use crate::*;
use domain::triage::{Features, Model};
use domain::{CaseAction, CaseSource, Code, TrackingCode};

fn staff(scope: &TenantScope<'_, NativeDb>, case: &Case, action: CaseAction) -> Case {
    scope
        .act(
            case.id,
            case.version,
            &action,
            "user:1",
            beijing("2026-03-06 10:00"),
            &calendar(),
        )
        .unwrap()
}

fn dispatched(scope: &TenantScope<'_, NativeDb>, case: Case, department: &str) -> Case {
    let case = staff(scope, &case, CaseAction::Accept);
    let case = staff(scope, &case, CaseAction::Register);
    staff(scope, &case, dispatch(department))
}

fn dispatch(department: &str) -> CaseAction {
    CaseAction::Dispatch {
        department: department.into(),
        assisting: Vec::new(),
    }
}

/// The stored models equal models that learned `cases` (text, category,
/// department id) in memory.
fn check(scope: &TenantScope<'_, NativeDb>, cases: &[(&str, &str, i64)]) {
    let (mut category, mut department) = (Model::default(), Model::default());
    for (text, c, d) in cases {
        category.learn(&Features::of(text), c);
        department.learn(&Features::of(text), &d.to_string());
    }
    assert_eq!(
        scope.triage_model("category").unwrap(),
        category,
        "category"
    );
    assert_eq!(
        scope.triage_model("department").unwrap(),
        department,
        "department"
    );
}

#[test]
fn a_staff_dispatch_teaches_both_models_and_a_transfer_moves_the_department() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let sanitation = scope
        .create_department(&Code::parse("sanitation").unwrap(), "环卫所")
        .unwrap()
        .id;
    check(&scope, &[]);
    let case = dispatched(
        &scope,
        report_garbage(&scope, 1, beijing("2026-03-06 09:00")),
        "urban",
    );
    check(&scope, &[("垃圾", "garbage", urban)]);
    let other = scope
        .insert_case(
            NewCase::basic(
                TrackingCode::from_random([2; 8]),
                "garbage",
                "垃圾桶满了没人收",
                CaseSource::Resident,
            ),
            beijing("2026-03-06 09:00"),
        )
        .unwrap();
    dispatched(&scope, other, "urban");
    check(
        &scope,
        &[
            ("垃圾", "garbage", urban),
            ("垃圾桶满了没人收", "garbage", urban),
        ],
    );

    let case = staff(
        &scope,
        &case,
        CaseAction::Transfer {
            department: "sanitation".into(),
            reason: "归环卫".into(),
        },
    );
    assert_eq!(case.department, Some(sanitation));
    check(
        &scope,
        &[
            ("垃圾", "garbage", sanitation),
            ("垃圾桶满了没人收", "garbage", urban),
        ],
    );

    // Read back: the text's suggestions name what was learned.
    let suggested = scope.triage_suggestions("小区垃圾没人收").unwrap();
    assert_eq!(suggested.category[0].label, "garbage");
    // 没人收 came with the case urban holds.
    assert_eq!(suggested.department[0].label, urban.to_string());
    assert_eq!(suggested.department[0].reasons, ["没人收"]);
    let suggested = scope.triage_suggestions("垃圾").unwrap();
    assert_eq!(suggested.department[0].label, sanitation.to_string());
}

#[test]
fn a_re_categorisation_moves_the_category_when_the_case_is_dispatched_again() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    add_road_damage_category(&scope);
    let case = dispatched(
        &scope,
        report_garbage(&scope, 1, beijing("2026-03-06 09:00")),
        "urban",
    );
    let case = staff(
        &scope,
        &case,
        CaseAction::Recategorise {
            category: "road_damage".into(),
            reason: "是路面坑洼".into(),
        },
    );
    // Back to the command centre: counted where it was until it goes out
    // again.
    assert_eq!(case.department, None);
    check(&scope, &[("垃圾", "garbage", urban)]);
    let again = staff(&scope, &case, dispatch("urban"));
    assert_eq!(again.category, "road_damage");
    check(&scope, &[("垃圾", "road_damage", urban)]);
    // The old label's rows are gone, not left at zero.
    assert_eq!(scope.triage_model("category").unwrap().labels().count(), 1);
}

#[test]
fn a_rule_dispatch_or_a_refused_step_teaches_nothing() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    route_garbage_to(&scope, urban);
    let at = beijing("2026-03-06 09:00");
    let by_rule = scope
        .auto_dispatch(report_garbage(&scope, 1, at), at)
        .unwrap();
    assert_eq!(by_rule.department, Some(urban));
    check(&scope, &[]);

    // A dispatch refused (a stale version) rolls back with its step.
    let case = staff(&scope, &report_garbage(&scope, 2, at), CaseAction::Accept);
    let case = staff(&scope, &case, CaseAction::Register);
    let refused = scope.act(
        case.id,
        case.version - 1,
        &dispatch("urban"),
        "user:1",
        at,
        &calendar(),
    );
    assert!(refused.is_err());
    check(&scope, &[]);
    assert!(
        scope
            .triage_suggestions("垃圾")
            .unwrap()
            .category
            .is_empty()
    );
}

#[test]
fn another_tenants_model_is_its_own() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    dispatched(
        &scope,
        report_garbage(&scope, 1, beijing("2026-03-06 09:00")),
        "urban",
    );
    let other = tenant(&db, "beta");
    let other = TenantScope::new(&db, &other);
    assert!(
        other
            .triage_suggestions("垃圾")
            .unwrap()
            .category
            .is_empty()
    );
    assert_eq!(other.triage_model("category").unwrap(), Model::default());
    assert!(
        !scope
            .triage_suggestions("垃圾")
            .unwrap()
            .category
            .is_empty()
    );
}

/// The triage's own dispatch is no staff decision: recorded on intake it
/// teaches nothing (anyone may write a report the model is sure of); the
/// department signing for it confirms it and the case is learned then; an
/// undo unlearns exactly what was learned (nothing before the signature).
#[test]
fn the_triages_own_dispatch_is_learned_only_once_the_department_signs_for_it() {
    use domain::triage::{MIN_CASES, Settings};
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let at = beijing("2026-03-06 09:00");
    let mut taught = Vec::new();
    for n in 0..MIN_CASES as u8 {
        dispatched(&scope, report_garbage(&scope, n, at), "urban");
        taught.push(("垃圾", "garbage", urban));
    }
    check(&scope, &taught);
    scope
        .set_triage_settings(
            &Settings {
                auto_dispatch: true,
                threshold: 0.5,
            },
            at,
        )
        .unwrap();
    let text = "垃圾 另附几句无关的话";
    let by_triage = |n: u8| {
        let new = NewCase::basic(
            TrackingCode::from_random([n; 8]),
            "garbage",
            text,
            CaseSource::Resident,
        );
        let prepared = scope.prepare_case(new, Routing::Automatic, at).unwrap();
        let case = scope.record_case(&prepared, at).unwrap();
        assert_eq!(case.department, Some(urban), "dispatched by the triage");
        case
    };
    let undo = || CaseAction::UndoTriage {
        reason: "不归城管".into(),
    };

    // Undone before the department signed: nothing was learned, nothing
    // is unlearned.
    let first = by_triage(100);
    check(&scope, &taught);
    staff(&scope, &first, undo());
    check(&scope, &taught);

    // Signed for: learned then, once; undone after: forgotten exactly.
    let second = by_triage(101);
    check(&scope, &taught);
    let signed = staff(&scope, &second, CaseAction::SignFor);
    let mut confirmed = taught.clone();
    confirmed.push((text, "garbage", urban));
    check(&scope, &confirmed);
    staff(&scope, &signed, undo());
    check(&scope, &taught);

    // A routing rule's dispatch signed for still teaches nothing.
    route_garbage_to(&scope, urban);
    let by_rule = scope
        .auto_dispatch(report_garbage(&scope, 102, at), at)
        .unwrap();
    staff(&scope, &by_rule, CaseAction::SignFor);
    check(&scope, &taught);
}
