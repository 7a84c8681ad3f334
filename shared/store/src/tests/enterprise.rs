//! Enterprise services against an in-memory SQLite: registration and
//! approval, requests as routed cases, the policy Q&A and its search,
//! policies and their successors, tenant deletion of it all.

use super::fixtures::{fixed_now, fresh_db, problem_kind, tenant};
use crate::*;
use domain::enterprise::{CreditCode, EnterpriseStatus, RequestKind, anonymise};
use domain::intake::Priority;
use domain::policy::{Effective, parse_date};
use domain::{CaseSource, CaseState, Code, ProblemKind, Role, TrackingCode};
use serde_json::json;

const CODE_A: &str = "91350100M000100Y43";
const CODE_B: &str = "911100001000079554";

fn company(code: &str, name: &str) -> NewEnterprise {
    NewEnterprise {
        credit_code: CreditCode::parse(code).unwrap(),
        name: name.into(),
        address: "开发区创业路 1 号".into(),
        industry: "软件".into(),
        contact_name: "张经理".into(),
        contact_phone: "13900001111".into(),
    }
}

fn person(login: &str, name: &str) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: name.into(),
        role: Role::Enterprise,
        password_hash: "$argon2id$hash".into(),
        phone: None,
        department: None,
        agent_point: None,
    }
}

fn approved(scope: &TenantScope<'_, NativeDb>, code: &str, login: &str) -> (Enterprise, User) {
    let (e, u) = scope
        .register_enterprise(
            company(code, "星河科技有限公司"),
            person(login, "王小明"),
            fixed_now(),
        )
        .unwrap();
    let e = scope
        .decide_enterprise(e.id, true, None, "tenant_admin:1", fixed_now())
        .unwrap();
    (e, u)
}

fn inquiry(description: &str) -> NewRequest {
    NewRequest {
        kind: RequestKind::PolicyInquiry,
        title: "研发费用".into(),
        description: description.into(),
        details: json!({ "topic": "tax" }),
        priority: Priority::Normal,
    }
}

#[test]
fn a_registration_waits_for_approval_and_a_credit_code_registers_once() {
    let db = fresh_db();
    let t = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &t);
    let (e, user) = scope
        .register_enterprise(
            company(CODE_A, "星河科技"),
            person("xinghe", "王小明"),
            fixed_now(),
        )
        .unwrap();
    assert_eq!(e.status, EnterpriseStatus::Pending);
    assert!(user.disabled, "no login before approval");
    assert_eq!(user.role, Role::Enterprise);
    assert_eq!(scope.enterprise_of(user.id).unwrap(), Some(e.clone()));

    let again = scope
        .register_enterprise(
            company(CODE_A, "别名"),
            person("other", "李四"),
            fixed_now(),
        )
        .unwrap_err();
    assert_eq!(problem_kind(again), ProblemKind::Conflict);
    assert!(
        scope.find_user_by_login("other").unwrap().is_none(),
        "nothing half-written"
    );
    let bad_phone = NewEnterprise {
        contact_phone: "12345".into(),
        ..company(CODE_B, "乙")
    };
    let problem = domain::Problem::from(
        scope
            .register_enterprise(bad_phone, person("b", "乙"), fixed_now())
            .unwrap_err(),
    );
    assert_eq!(problem.field.as_deref(), Some("contact.phone"));

    let pending = scope
        .list_enterprises(Some(EnterpriseStatus::Pending), None, 50)
        .unwrap();
    assert_eq!(pending.len(), 1);
    let decided = scope
        .decide_enterprise(e.id, true, Some("材料齐全"), "tenant_admin:1", fixed_now())
        .unwrap();
    assert_eq!(decided.status, EnterpriseStatus::Approved);
    assert!(!scope.find_user(user.id).unwrap().unwrap().disabled);
    let twice = scope
        .decide_enterprise(e.id, false, None, "tenant_admin:1", fixed_now())
        .unwrap_err();
    assert_eq!(problem_kind(twice), ProblemKind::Conflict);

    let colleague = scope
        .add_enterprise_user(&decided, person("xinghe2", "赵六"), fixed_now())
        .unwrap();
    assert!(!colleague.disabled);
    assert_eq!(scope.enterprise_users(e.id).unwrap().len(), 2);

    // Another tenant knows nothing of it, and may register the same code.
    let b = tenant(&db, "beta");
    let other = TenantScope::new(&db, &b);
    assert_eq!(other.enterprise(e.id).unwrap(), None);
    assert!(
        other
            .register_enterprise(company(CODE_A, "星河"), person("x", "王"), fixed_now())
            .is_ok()
    );
}

#[test]
fn a_refused_company_applies_again_and_only_the_new_application_signs_in() {
    let db = fresh_db();
    let t = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &t);
    let (first, owner) = scope
        .register_enterprise(
            company(CODE_A, "星河科技"),
            person("xinghe", "王小明"),
            fixed_now(),
        )
        .unwrap();
    // A second account of the refused application (the store adds
    // colleagues only to an approved company: this one is made as if it were).
    let as_if_approved = Enterprise {
        status: EnterpriseStatus::Approved,
        ..first.clone()
    };
    let stranger = scope
        .add_enterprise_user(&as_if_approved, person("impostor", "某人"), fixed_now())
        .unwrap();
    let refused = scope
        .decide_enterprise(
            first.id,
            false,
            Some("执照过期"),
            "tenant_admin:1",
            fixed_now(),
        )
        .unwrap();
    assert_eq!(refused.status, EnterpriseStatus::Rejected);

    let later = fixed_now() + chrono::Duration::days(3);
    let renewed = NewEnterprise {
        address: "开发区创业路 9 号".into(),
        ..company(CODE_A, "星河科技有限公司")
    };
    let again = NewUser {
        password_hash: "$argon2id$new".into(),
        ..person("xinghe", "王小明（新）")
    };
    let (reopened, account) = scope.register_enterprise(renewed, again, later).unwrap();
    assert_eq!(reopened.id, first.id, "one company per credit code");
    assert_eq!(reopened.status, EnterpriseStatus::Pending);
    assert_eq!(reopened.name, "星河科技有限公司");
    assert_eq!(reopened.address, "开发区创业路 9 号");
    assert_eq!(reopened.decided_at, None);
    assert_eq!(reopened.decision_note, None);
    assert_eq!(account.id, owner.id, "the same login keeps its account");
    assert_eq!(account.password_hash, "$argon2id$new");
    assert_eq!(account.display_name, "王小明（新）");
    assert!(account.disabled, "no login before approval");
    let gone = scope.find_user(stranger.id).unwrap().unwrap();
    assert!(gone.disabled);
    assert_eq!(scope.enterprise_of(gone.id).unwrap(), None);

    // Pending again: a second application is a 409 as before; approval
    // enables the new application's account only.
    let twice = scope
        .register_enterprise(company(CODE_A, "星河"), person("third", "张三"), later)
        .unwrap_err();
    assert_eq!(problem_kind(twice), ProblemKind::Conflict);
    scope
        .decide_enterprise(first.id, true, None, "tenant_admin:1", later)
        .unwrap();
    assert!(!scope.find_user(owner.id).unwrap().unwrap().disabled);
    assert!(scope.find_user(stranger.id).unwrap().unwrap().disabled);
    assert_eq!(scope.enterprise_users(first.id).unwrap().len(), 1);

    // A new login on reapplying is a new account; the refused one leaves.
    let (refused_b, old) = scope
        .register_enterprise(company(CODE_B, "乙公司"), person("yi", "李四"), fixed_now())
        .unwrap();
    scope
        .decide_enterprise(refused_b.id, false, None, "tenant_admin:1", fixed_now())
        .unwrap();
    let (_, new) = scope
        .register_enterprise(company(CODE_B, "乙公司"), person("yi2", "李四"), later)
        .unwrap();
    assert_ne!(new.id, old.id);
    assert_eq!(scope.enterprise_of(old.id).unwrap(), None);
    assert_eq!(
        scope.enterprise_of(new.id).unwrap().unwrap().id,
        refused_b.id
    );
}

#[test]
fn a_request_is_an_enterprise_case_routed_by_the_rules_of_its_kind() {
    let db = fresh_db();
    let t = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &t);
    let (pending, _) = scope
        .register_enterprise(
            company("91330100MA2H00001P", "待批企业"),
            person("p", "P"),
            fixed_now(),
        )
        .unwrap();
    let refused = scope
        .submit_request(
            &pending,
            domain::UserId(1),
            inquiry("问"),
            TrackingCode::from_random([9; 8]),
            fixed_now(),
        )
        .unwrap_err();
    assert_eq!(problem_kind(refused), ProblemKind::Forbidden);

    let (e, user) = approved(&scope, CODE_A, "xinghe");
    let tax = scope
        .create_department(&Code::parse("tax").unwrap(), "税务")
        .unwrap();
    // The first request of a kind files its category with default deadlines.
    let first = scope
        .submit_request(
            &e,
            user.id,
            inquiry("研发费用加计扣除比例是多少？"),
            TrackingCode::from_random([1; 8]),
            fixed_now(),
        )
        .unwrap();
    assert_eq!(first.case.source, CaseSource::Enterprise);
    assert_eq!(first.case.category, "enterprise_policy_inquiry");
    assert_eq!(first.case.state, CaseState::Reported, "no rule yet: triage");
    let category = scope
        .category_by_code(&Code::parse("enterprise_policy_inquiry").unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        (category.response_hours, category.resolution_hours),
        RequestKind::PolicyInquiry.default_hours()
    );

    scope
        .set_routing_rules(&[RoutingRule {
            category: "enterprise_policy_inquiry".into(),
            grid_node: None,
            department: tax.id,
        }])
        .unwrap();
    let routed = scope
        .submit_request(
            &e,
            user.id,
            inquiry("高新技术企业认定条件"),
            TrackingCode::from_random([2; 8]),
            fixed_now(),
        )
        .unwrap();
    assert_eq!(routed.case.state, CaseState::Dispatched);
    assert_eq!(routed.case.department, Some(tax.id));
    assert!(routed.case.resolution_due_at.is_some(), "the clock runs");

    let mine = scope.enterprise_requests(e.id, None, 50).unwrap();
    assert_eq!(
        mine.iter().map(|r| r.case.id).collect::<Vec<_>>(),
        [routed.case.id, first.case.id]
    );
    assert_eq!(mine[0].details, json!({ "topic": "tax" }));
    let page_two = scope
        .enterprise_requests(e.id, Some(routed.case.id), 50)
        .unwrap();
    assert_eq!(page_two.len(), 1);
    let (other, _) = approved(&scope, CODE_B, "x2");
    assert!(
        scope
            .enterprise_requests(other.id, None, 50)
            .unwrap()
            .is_empty(),
        "an enterprise sees only its own requests"
    );
}

fn publish(scope: &TenantScope<'_, NativeDb>, question: &str, answer: &str) -> PolicyAnswer {
    scope
        .publish_answer(
            NewPolicyAnswer {
                case: None,
                question: question.into(),
                answer: answer.into(),
                department: None,
                policies: vec![],
            },
            "department_staff:2",
            fixed_now(),
        )
        .unwrap()
}

#[test]
fn the_qa_finds_chinese_text_and_never_fails_on_what_is_typed() {
    let db = fresh_db();
    let t = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &t);
    let rnd = publish(
        &scope,
        "研发费用加计扣除比例是多少？",
        "制造业企业研发费用按100%加计扣除。",
    );
    let hitech = publish(
        &scope,
        "高新技术企业认定需要什么条件？",
        "需满足研发投入、知识产权等条件。",
    );
    let rent = publish(
        &scope,
        "小微企业房租补贴怎么申请？",
        "向所在街道提交申请材料。",
    );
    let ids = |typed: &str| -> Vec<i64> {
        scope
            .search_answers(typed, 10)
            .unwrap_or_else(|e| panic!("{typed:?}: {e}"))
            .iter()
            .map(|a| a.id)
            .collect()
    };
    assert_eq!(ids("加计扣除"), [rnd.id]);
    assert_eq!(ids("研发费用 扣除"), [rnd.id]);
    assert_eq!(
        ids("研发 条件"),
        [hitech.id],
        "short terms fall back to LIKE"
    );
    assert_eq!(ids("补贴"), [rent.id]);
    assert_eq!(
        ids("企业"),
        [rent.id, hitech.id, rnd.id],
        "two characters: newest first"
    );
    assert_eq!(ids(""), [rent.id, hitech.id, rnd.id]);
    assert_eq!(ids("100%"), [rnd.id], "% is text");
    for hostile in [
        "\"",
        "*",
        "AND",
        "NEAR(",
        "'; DROP TABLE policy_answers; --",
        "政策 OR",
        "研发\"费用",
        "a:b",
        "^研发",
        "(",
        ")",
        "{question}:研发",
        "NOT",
        "%",
        "_",
        "\\",
        "研发费用 OR 补贴",
        "a\0b",
        "研发\0费用",
        "\0",
        "\u{1}\u{1f}\u{7f}",
        "加计\r\n扣除\t",
    ] {
        ids(hostile);
    }
    assert_eq!(
        ids("研发费用 OR 补贴"),
        Vec::<i64>::new(),
        "OR is a word, not an operator"
    );

    let similar = scope
        .similar_answers("请问我们公司的研发费用能加计扣除多少？", 5)
        .unwrap();
    assert_eq!(similar.first().map(|a| a.id), Some(rnd.id));
    assert!(scope.similar_answers("？！", 5).unwrap().is_empty());

    scope.withdraw_answer(rnd.id, fixed_now()).unwrap();
    assert_eq!(ids("加计扣除"), Vec::<i64>::new());
    assert_eq!(scope.policy_answer(rnd.id).unwrap(), None);

    // Another tenant's Q&A is its own.
    let b = tenant(&db, "beta");
    assert!(
        TenantScope::new(&db, &b)
            .search_answers("补贴", 10)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_answer_published_from_an_inquiry_names_no_one() {
    let db = fresh_db();
    let t = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &t);
    let (e, user) = approved(&scope, CODE_A, "xinghe");
    let asked = scope
        .submit_request(
            &e,
            user.id,
            inquiry("我是星河科技有限公司的王小明，电话13900001111，想问研发补贴"),
            TrackingCode::from_random([3; 8]),
            fixed_now(),
        )
        .unwrap();
    let parties = scope.inquiry_parties(asked.case.id).unwrap();
    let question = anonymise(&asked.case.description, &parties);
    assert_eq!(question, "我是某企业的某某，电话***，想问研发补贴");
    let new = NewPolicyAnswer {
        case: Some(asked.case.id),
        question,
        answer: "可申请。".into(),
        department: None,
        policies: vec![],
    };
    scope.publish_answer(new.clone(), "x", fixed_now()).unwrap();
    let twice = scope.publish_answer(new, "x", fixed_now()).unwrap_err();
    assert_eq!(problem_kind(twice), ProblemKind::Conflict);
}

#[test]
fn an_answer_written_directly_for_a_company_names_no_one_of_it() {
    let db = fresh_db();
    let t = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &t);
    let (e, _) = approved(&scope, CODE_A, "xinghe");
    let parties = scope
        .enterprise_parties(e.id)
        .unwrap()
        .expect("the tenant's enterprise");
    assert_eq!(
        anonymise(
            "星河科技有限公司（91350100m000100y43）的张经理、王小明来电问研发补贴",
            &parties
        ),
        "某企业（***）的某某、某某来电问研发补贴"
    );
    assert!(scope.enterprise_parties(e.id + 1).unwrap().is_none());
    let b = tenant(&db, "beta");
    assert!(
        TenantScope::new(&db, &b)
            .enterprise_parties(e.id)
            .unwrap()
            .is_none(),
        "another tenant's enterprise is unknown"
    );
}

#[test]
fn answers_name_the_policies_they_rest_on_wherever_they_are_read() {
    let db = fresh_db();
    let t = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &t);
    let old = scope
        .publish_policy(
            policy("研发补贴办法（2025）", "旧办法", &[], None),
            "a",
            fixed_now(),
        )
        .unwrap();
    let rent = scope
        .publish_policy(
            policy("房租减免通知", "减免三个月", &[], None),
            "a",
            fixed_now(),
        )
        .unwrap();
    let new = |policies: Vec<i64>| NewPolicyAnswer {
        case: None,
        question: "研发补贴和房租减免能同时申请吗？".into(),
        answer: "可以同时申请。".into(),
        department: None,
        policies,
    };
    let answer = scope
        .publish_answer(new(vec![rent.id, old.id, rent.id]), "x", fixed_now())
        .unwrap();
    let cited = |a: &PolicyAnswer| -> Vec<(i64, String, bool)> {
        a.policies
            .iter()
            .map(|p| (p.id, p.title.clone(), p.superseded))
            .collect()
    };
    let expected = vec![
        (old.id, "研发补贴办法（2025）".to_string(), false),
        (rent.id, "房租减免通知".to_string(), false),
    ];
    assert_eq!(cited(&answer), expected, "each once, by id");
    let plain = publish(&scope, "房租减免找谁？", "找街道。");

    // Superseded since: still cited, and said so.
    scope
        .publish_policy(
            policy("研发补贴办法（2026）", "新办法", &[], Some(old.id)),
            "a",
            fixed_now(),
        )
        .unwrap();
    let expected = vec![
        (old.id, "研发补贴办法（2025）".to_string(), true),
        (rent.id, "房租减免通知".to_string(), false),
    ];
    let one = scope.policy_answer(answer.id).unwrap().unwrap();
    assert_eq!(cited(&one), expected);
    let searched = scope.search_answers("", 10).unwrap();
    assert_eq!(
        searched
            .iter()
            .map(|a| (a.id, cited(a)))
            .collect::<Vec<_>>(),
        [(plain.id, vec![]), (answer.id, expected.clone())],
        "a search cites each answer's own policies"
    );
    let similar = scope
        .similar_answers("研发补贴能和房租减免一起申请吗", 5)
        .unwrap();
    assert_eq!(similar.first().map(cited), Some(expected));

    // Another tenant's policy, or none at all: refused, nothing written.
    let b = tenant(&db, "beta");
    let theirs = TenantScope::new(&db, &b)
        .publish_policy(policy("别处的政策", "正文", &[], None), "a", fixed_now())
        .unwrap();
    for wrong in [vec![rent.id, theirs.id], vec![rent.id + 1000]] {
        let problem = domain::Problem::from(
            scope
                .publish_answer(new(wrong.clone()), "x", fixed_now())
                .unwrap_err(),
        );
        assert_eq!(problem.kind, ProblemKind::NotFound, "{wrong:?}");
        assert_eq!(problem.field.as_deref(), Some("policies"));
        assert!(
            problem.detail.contains(&wrong[wrong.len() - 1].to_string()),
            "{}",
            problem.detail
        );
    }
    let too_many = scope
        .publish_answer(new((1..=21).collect()), "x", fixed_now())
        .unwrap_err();
    assert_eq!(problem_kind(too_many), ProblemKind::Validation);
    assert_eq!(
        scope.search_answers("", 10).unwrap().len(),
        2,
        "nothing half-written"
    );
}

fn policy(title: &str, body: &str, tags: &[&str], supersedes: Option<i64>) -> NewPolicy {
    NewPolicy {
        title: title.into(),
        body: body.into(),
        issuer: "开发区管委会".into(),
        effective: Effective::new(parse_date("f", "2026-01-01").unwrap(), None).unwrap(),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        department: None,
        supersedes,
        files: vec![],
    }
}

#[test]
fn policies_are_searched_filtered_and_superseded_policies_stay_readable() {
    let db = fresh_db();
    let t = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &t);
    let old = scope
        .publish_policy(
            policy(
                "研发补贴办法（2025）",
                "研发投入补贴比例为10%。",
                &["科技"],
                None,
            ),
            "a",
            fixed_now(),
        )
        .unwrap();
    let file = scope
        .record_policy_file(
            NewPolicyFile {
                name: "办法.pdf".into(),
                content_type: "application/pdf".into(),
                size: 10,
                sha256: "00".repeat(32),
                uploaded_by: "a".into(),
            },
            fixed_now(),
        )
        .unwrap();
    let mut newer = policy(
        "研发补贴办法（2026）",
        "研发投入补贴比例为15%。",
        &["科技", "税收"],
        Some(old.id),
    );
    newer.files = vec![file.id];
    let new = scope
        .publish_policy(newer.clone(), "a", fixed_now())
        .unwrap();
    assert_eq!(
        scope.policy(old.id).unwrap().unwrap().superseded_by,
        Some(new.id)
    );
    assert_eq!(
        scope.policy_files(new.id).unwrap(),
        vec![PolicyFile {
            policy: Some(new.id),
            ..file
        }]
    );

    // A second successor, or a file used twice: refused, nothing written.
    let again = scope.publish_policy(newer, "a", fixed_now()).unwrap_err();
    assert_eq!(
        problem_kind(again),
        ProblemKind::Conflict,
        "the file is taken"
    );
    let rival = scope
        .publish_policy(
            policy("另一版", "正文", &[], Some(old.id)),
            "a",
            fixed_now(),
        )
        .unwrap_err();
    assert_eq!(problem_kind(rival), ProblemKind::Conflict);

    let found = |query: PolicyQuery| -> Vec<i64> {
        scope
            .search_policies(&PolicyQuery { limit: 20, ..query })
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect()
    };
    let text = |t: &str| PolicyQuery {
        text: t.into(),
        ..PolicyQuery::default()
    };
    assert_eq!(found(text("研发补贴")), [new.id]);
    assert_eq!(
        found(PolicyQuery {
            include_superseded: true,
            ..text("研发补贴")
        })
        .len(),
        2
    );
    assert_eq!(
        found(PolicyQuery {
            tag: Some("税收".into()),
            ..text("")
        }),
        [new.id]
    );
    assert_eq!(
        found(PolicyQuery {
            tag: Some("农业".into()),
            ..text("")
        }),
        Vec::<i64>::new()
    );
    assert_eq!(
        found(PolicyQuery {
            issuer: Some("开发区管委会".into()),
            ..text("15%")
        }),
        [new.id]
    );
    let before = parse_date("d", "2025-06-01").unwrap();
    assert_eq!(
        found(PolicyQuery {
            in_force_on: Some(before),
            ..text("")
        }),
        Vec::<i64>::new()
    );
    for hostile in ["\"", "NEAR(", "'; DROP TABLE policies", "*", "政策 OR"] {
        found(text(hostile));
    }
}

#[test]
fn deleting_a_tenant_empties_its_search_indexes() {
    let db = fresh_db();
    let t = tenant(&db, "alpha");
    let scope = TenantScope::new(&db, &t);
    let (e, user) = approved(&scope, CODE_A, "xinghe");
    scope
        .submit_request(
            &e,
            user.id,
            inquiry("问题"),
            TrackingCode::from_random([4; 8]),
            fixed_now(),
        )
        .unwrap();
    publish(&scope, "独一无二的问题文本", "独一无二的答案文本");
    scope
        .publish_policy(
            policy("独一无二的政策", "正文内容", &[], None),
            "a",
            fixed_now(),
        )
        .unwrap();
    let other = tenant(&db, "beta");
    publish(&TenantScope::new(&db, &other), "别的租户的问题", "答案");

    let suspended = platform::set_tenant_status(&db, &t, domain::TenantStatus::Suspended).unwrap();
    export_tenant(&db, &suspended, fixed_now()).unwrap();
    delete_tenant(&db, &suspended).unwrap();
    let count = |sql: &str| {
        db.execute(sql, &[])
            .unwrap()
            .returned()
            .unwrap()
            .get_i64("n")
            .unwrap()
    };
    assert_eq!(
        count(
            "SELECT count(*) AS n FROM policy_answers_fts WHERE policy_answers_fts MATCH '\"独一无二\"'"
        ),
        0
    );
    assert_eq!(
        count("SELECT count(*) AS n FROM policies_fts WHERE policies_fts MATCH '\"独一无二\"'"),
        0
    );
    assert_eq!(
        count(
            "SELECT count(*) AS n FROM policy_answers_fts WHERE policy_answers_fts MATCH '\"别的租户\"'"
        ),
        1
    );
    for index in ["policy_answers_fts", "policies_fts"] {
        db.execute(
            &format!("INSERT INTO {index} ({index}) VALUES ('integrity-check')"),
            &[],
        )
        .unwrap_or_else(|e| panic!("{index}: {e}"));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Whatever a user types into either search box, control characters
    /// and NUL included, is an answer (maybe empty), never an error.
    #[test]
    fn searches_take_any_text(typed in "[\\x00-\\x1f\\x7f a-z%_\"*()研发补贴费用]{0,24}") {
        let db = fresh_db();
        let t = tenant(&db, "alpha");
        let scope = TenantScope::new(&db, &t);
        publish(&scope, "研发费用加计扣除比例是多少？", "制造业企业研发费用按100%加计扣除。");
        scope.publish_policy(policy("研发补贴", "研发 费用 补贴", &[], None), "a", fixed_now()).unwrap();
        proptest::prop_assert!(scope.search_answers(&typed, 10).is_ok());
        proptest::prop_assert!(scope.similar_answers(&typed, 5).is_ok());
        let query = PolicyQuery { text: typed.clone(), limit: 10, ..PolicyQuery::default() };
        proptest::prop_assert!(scope.search_policies(&query).is_ok());
    }
}
