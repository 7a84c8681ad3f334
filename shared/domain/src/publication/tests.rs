use super::*;
use crate::grid::{GridCode, GridNodeId};
use chrono::TimeZone;

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, hour, 0, 0)
        .single()
        .expect("valid")
}

fn node(id: i64, level: GridLevel, code: &str, name: &str) -> GridNode {
    GridNode {
        id: GridNodeId(id),
        parent: (id > 1).then(|| GridNodeId(id - 1)),
        level,
        code: GridCode::parse(code).expect("code"),
        name: name.into(),
        retired: false,
        geometry: None,
        households: None,
    }
}

fn path() -> Vec<GridNode> {
    vec![
        node(1, GridLevel::Township, "T", "金山街道"),
        node(2, GridLevel::Community, "C1", "东湖社区"),
        node(3, GridLevel::Grid, "G1", "第一网格"),
        node(4, GridLevel::MicroGrid, "M1", "3号楼微网格"),
    ]
}

const NAME: &str = "张三丰";
const PHONE: &str = "13812345678";
const EMAIL: &str = "zhang@example.com";
const ADDRESS: &str = "金山小区3号楼501";
const INTERNAL: &str = "内部：该户有纠纷史";

fn facts(grid_path: &[GridNode]) -> CaseFacts<'_> {
    CaseFacts {
        tracking_code: "ABCDE-FGHJK",
        category: "garbage",
        description: "我是张三丰，住金山小区3号楼501，垃圾没人收，电话138 1234 5678，邮件zhang@example.com",
        state: CaseState::Closed,
        grid_path,
        reported_at: at(8),
        updated_at: at(12),
        response_due_at: Some(at(9)),
        responded_at: Some(at(10)),
        resolution_due_at: Some(at(16)),
        resolved_at: Some(at(11)),
        fixed_on_the_spot: false,
        me_too_count: 2,
        rating: Some(4),
        private: PrivateFacts {
            name: Some(NAME),
            phone: Some(PHONE),
            email: Some(EMAIL),
            address: Some(ADDRESS),
            location: Some(Location::new(30.274_123, 120.156_789).expect("point")),
            rating_comment: Some("谢谢张三丰的邻居"),
            reopened_by_rating: false,
        },
    }
}

fn event<'a>(
    action: &'a str,
    note: Option<&'a str>,
    public: bool,
    actor: &'a str,
) -> EventFacts<'a> {
    EventFacts {
        at: at(9),
        action,
        to_state: CaseState::Dispatched,
        note,
        public,
        actor,
        department: None,
    }
}

fn events() -> Vec<EventFacts<'static>> {
    vec![
        event("report", None, true, "resident"),
        EventFacts {
            department: Some("城管中队"),
            ..event("dispatch", Some("urban"), true, "command_centre:3")
        },
        event("return", Some(INTERNAL), false, "department_staff:9"),
        event("comment", Some(INTERNAL), false, "command_centre:3"),
        EventFacts {
            department: Some("城管中队"),
            ..event(
                "resolve",
                Some("已清运。联系人张三丰 13812345678"),
                true,
                "department_staff:9",
            )
        },
    ]
}

fn attachments() -> Vec<AttachmentFacts> {
    vec![
        AttachmentFacts {
            id: 1,
            kind: AttachmentKind::Photo,
            result: false,
            public: true,
        },
        AttachmentFacts {
            id: 2,
            kind: AttachmentKind::Photo,
            result: false,
            public: false,
        },
        AttachmentFacts {
            id: 3,
            kind: AttachmentKind::Photo,
            result: true,
            public: true,
        },
        AttachmentFacts {
            id: 4,
            kind: AttachmentKind::Photo,
            result: true,
            public: false,
        },
        // A dispute's PDF paper, even were it marked shown.
        AttachmentFacts {
            id: 5,
            kind: AttachmentKind::Document,
            result: true,
            public: true,
        },
    ]
}

#[test]
fn nothing_private_is_published() {
    let path = path();
    let public = PublicCase::new(&facts(&path), &events(), &attachments(), at(13));
    let everything = format!("{public:?}");
    for private in [
        NAME,
        PHONE,
        "138 1234 5678",
        EMAIL,
        ADDRESS,
        INTERNAL,
        "3号楼微网格",
        "M1",
        "30.27",
        "120.15",
        "谢谢",
        "command_centre:3",
        "department_staff:9",
    ] {
        assert!(
            !everything.contains(private),
            "{private:?} leaked: {everything}"
        );
    }
}

#[test]
fn the_public_view_keeps_what_residents_need() {
    let path = path();
    let public = PublicCase::new(&facts(&path), &events(), &attachments(), at(13));
    assert_eq!(
        open311_description(&facts(&path)),
        "我是某某，住某某，垃圾没人收，电话***，邮件***"
    );
    assert_eq!(public.status, ("已办结", "done"));
    assert_eq!(
        public.place.as_ref().map(PublicPlace::label).as_deref(),
        Some("东湖社区 · 第一网格")
    );
    let steps: Vec<(&str, &str, Option<&str>)> = public
        .timeline
        .iter()
        .map(|e| (e.action.as_str(), e.by.as_str(), e.note.as_deref()))
        .collect();
    assert_eq!(
        steps,
        [
            ("report", "群众", None),
            ("dispatch", "城管中队", None),
            ("resolve", "城管中队", Some("已清运。联系人某某 ***")),
        ]
    );
    let shown: Vec<i64> = public.attachments.iter().map(|a| a.id).collect();
    assert_eq!(shown, [1, 3], "hidden files and documents are never public");
    assert_eq!(public.response.as_str(), "missed");
    assert_eq!(public.resolution.as_str(), "kept");
    assert_eq!(public.rating, Some(4));
}

#[test]
fn the_reporter_sees_their_own_parts_and_the_rating_form() {
    let path = path();
    let view = ReporterView::new(&facts(&path), &attachments());
    assert_eq!(view.name.as_deref(), Some(NAME));
    assert_eq!(view.address.as_deref(), Some(ADDRESS));
    assert_eq!(
        view.description,
        facts(&path).description,
        "their own words, unmasked"
    );
    let ids: Vec<i64> = view.attachments.iter().map(|a| a.id).collect();
    assert_eq!(
        ids,
        [1, 2, 3],
        "their own evidence even when hidden; hidden results and documents not"
    );
    assert_eq!(
        view.rating,
        RatingForm {
            can_rate: true,
            opens_after: None,
            score: Some(4),
            comment: Some("谢谢张三丰的邻居".into()),
            can_reopen: true
        }
    );
}

#[test]
fn before_closure_the_rating_form_says_what_must_happen_first() {
    let path = path();
    let rating = |state: CaseState| {
        let case = CaseFacts {
            state,
            ..facts(&path)
        };
        ReporterView::new(&case, &[]).rating
    };
    for state in [
        CaseState::Reported,
        CaseState::Dispatched,
        CaseState::InProgress,
        CaseState::AwaitingReporter,
    ] {
        let form = rating(state);
        assert!(!form.can_rate, "{state:?}");
        assert_eq!(
            form.opens_after,
            Some(RatingWait::Resolution {
                expected_by: Some(at(16))
            }),
            "{state:?}: after the department resolves it, by its deadline"
        );
    }
    for state in [CaseState::Resolved, CaseState::Verified] {
        let form = rating(state);
        assert!(!form.can_rate);
        assert_eq!(
            form.opens_after,
            Some(RatingWait::Verification),
            "{state:?}"
        );
    }
    let declined = rating(CaseState::Declined);
    assert!(!declined.can_rate);
    assert_eq!(declined.opens_after, None, "a declined case is never rated");
    let archived = rating(CaseState::Archived);
    assert!(archived.can_rate && archived.opens_after.is_none());
    assert_eq!(
        RatingWait::of(CaseState::Reported, None).and_then(RatingWait::expected_by),
        None,
        "no deadline before dispatch"
    );
}

fn check_redaction(input: &str, expected: &str) {
    let redactor = Redactor::for_case(&PrivateFacts {
        name: Some("李四"),
        ..PrivateFacts::default()
    });
    assert_eq!(redactor.redact(input), expected, "{input:?}");
}

#[test]
fn redaction() {
    check_redaction("路灯不亮", "路灯不亮");
    check_redaction("3号楼2单元501", "3号楼2单元501");
    check_redaction("2026年3月", "2026年3月");
    check_redaction("电话13800000001", "电话***");
    check_redaction("电话 0571-8888 1234 转", "电话 *** 转");
    check_redaction("身份证33010219900101123X", "身份证***X");
    check_redaction("李四说", "某某说");
    check_redaction("mail a.b@c.cn now", "mail *** now");
    check_redaction("a @ b", "a @ b");
    check_redaction("user@localhost", "user@localhost");
}

#[test]
fn place_is_never_finer_than_the_grid() {
    let path = path();
    assert_eq!(public_node(&path).map(|n| n.code.as_str()), Some("G1"));
    assert_eq!(public_node(&path[..2]).map(|n| n.code.as_str()), Some("C1"));
    assert_eq!(
        PublicPlace::from_path(&path[..1]),
        None,
        "the township is the tenant itself"
    );
    assert_eq!(PublicPlace::from_path(&[]), None);
}

#[test]
fn deadlines() {
    let check = |due: Option<u32>, done: Option<u32>, now: u32, expected: &str| {
        assert_eq!(
            DeadlineOutcome::of(due.map(at), done.map(at), at(now)).as_str(),
            expected,
            "{due:?} {done:?} {now}"
        );
    };
    check(None, None, 10, "not_set");
    check(Some(12), None, 10, "pending");
    check(Some(12), None, 13, "overdue");
    check(Some(12), Some(12), 13, "kept");
    check(Some(12), Some(13), 13, "missed");
}

#[test]
fn steps_name_their_department_in_their_details() {
    use crate::case::{AssistingPart, CaseAction};
    let dispatch = CaseAction::Dispatch {
        department: "urban".into(),
        assisting: vec![],
    };
    let joint = CaseAction::Dispatch {
        department: "urban".into(),
        assisting: vec![AssistingPart {
            department: "police".into(),
            part: "x".into(),
        }],
    };
    let transfer = CaseAction::Transfer {
        department: "water".into(),
        reason: "管网: 归属".into(),
    };
    let recategorise = CaseAction::Recategorise {
        category: "noise".into(),
        reason: "分类".into(),
    };
    for (action, expected) in [
        (dispatch, Some("urban")),
        (joint, Some("urban")),
        (transfer, Some("water")),
        (recategorise, None),
        (CaseAction::SignFor, None),
    ] {
        let details = action.details();
        assert_eq!(named_department(details.as_ref()), expected, "{action:?}");
    }
    let assist = assist_details("police");
    assert_eq!(named_department(Some(&assist)), Some("police"));
    assert_eq!(
        CaseAction::Transfer {
            department: "water".into(),
            reason: " 管网: 归属 ".into(),
        }
        .details(),
        Some(serde_json::json!({ "department": "water", "reason": "管网: 归属" }))
    );
}

#[test]
fn a_published_note_is_masked_and_keeps_what_it_says() {
    let grid_path = path();
    let redactor = Redactor::for_case(&facts(&grid_path).private);
    assert_eq!(
        public_note(
            ASSIST_DONE,
            Some("已劝离占道摊贩，联系人13812345678"),
            &redactor
        )
        .as_deref(),
        Some("已劝离占道摊贩，联系人***")
    );
    assert_eq!(
        public_note("resolve", Some("说明: 已修复"), &redactor).as_deref(),
        Some("说明: 已修复")
    );
    assert_eq!(public_note("dispatch", Some("urban"), &redactor), None);
}

#[test]
fn figures() {
    let figures = Figures::from_counts(FigureCounts {
        received: 10,
        declined: 2,
        resolved: 6,
        on_time: 5,
        timed: 4,
        days_to_resolve: 5.0,
        rated: 3,
        rating_sum: 13,
        satisfied: 2,
    });
    assert_eq!(figures.closure_rate, Some(0.75));
    assert_eq!(figures.on_time_rate, Some(0.8333));
    assert_eq!(figures.average_days_to_resolve, Some(1.3));
    assert_eq!(figures.average_rating, Some(4.33));
    assert_eq!(figures.satisfaction_rate, Some(0.6667));
    let empty = Figures::from_counts(FigureCounts::default());
    assert_eq!((empty.closure_rate, empty.average_rating), (None, None));
}

#[test]
fn every_state_has_one_outcome() {
    let mut all: Vec<&str> = Outcome::ALL.into_iter().flat_map(Outcome::states).collect();
    all.sort_unstable();
    let mut states: Vec<&str> = CaseState::ALL.into_iter().map(CaseState::as_str).collect();
    states.sort_unstable();
    assert_eq!(all, states);
    assert_eq!(
        Outcome::of(CaseState::Verified),
        Outcome::Open,
        "verified is not yet closed"
    );
    assert_eq!(
        Outcome::parse("resolved").map(Outcome::as_str).ok(),
        Some("resolved")
    );
    assert_eq!(
        Outcome::parse("done").map_err(|p| p.field),
        Err(Some("status".into()))
    );
}

#[test]
fn who_may_publish_notices_where() {
    let ids = |v: &[i64]| v.iter().copied().map(GridNodeId).collect::<Vec<_>>();
    let community_path = ids(&[1, 2]);
    let grid_path = ids(&[1, 2, 3]);
    let check = |role, path: &[GridNodeId], assigned: &[i64], ok: bool| {
        assert_eq!(
            may_publish_notice(role, path, &ids(assigned)).is_ok(),
            ok,
            "{role:?} {path:?} {assigned:?}"
        );
    };
    check(Role::TenantAdmin, &grid_path, &[], true);
    check(Role::GridWorker, &grid_path, &[2], true);
    check(Role::GridWorker, &community_path, &[3], false);
    check(Role::GridWorker, &grid_path, &[], false);
    check(Role::CommandCentre, &grid_path, &[1], false);
}

#[test]
fn each_actor_is_named_as_the_public_may_know_it() {
    let check = |actor: &str, department: Option<&str>, expected: &str| {
        assert_eq!(actor_label(actor, department), expected, "{actor}");
    };
    check("resident", None, "群众");
    check("reporter", None, "群众");
    check("department_staff:9", Some("城管中队"), "城管中队");
    check("department_staff:9", None, "职能部门");
    check("command_centre:3", None, "指挥中心");
    check("grid_worker:4", None, "网格员");
    check("volunteer:5", None, "志愿者");
    check("user:4", None, "工作人员");
    check("system:routing", None, "平台");
    check("open311:key:update", None, "外部系统");
    // The triage's own dispatch (智能分拨) is not the resident's doing.
    check(crate::triage::TRIAGE_ACTOR, None, "智能分拨");
    check("something_new", None, "平台");
}
