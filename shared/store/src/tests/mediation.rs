//! The mediation centre and the agent service against an in-memory SQLite:
//! disputes and matters are cases with side tables; refusals write nothing;
//! the figures; and nothing private reaches what publication reads.

use super::fixtures::{
    beijing, calendar, fresh_db, report_garbage, tenant_with_urban_and_garbage, upload_id,
};
use crate::*;
use domain::agent::MatterKind;
use domain::case::AssistingPart;
use domain::intake::{AttachmentKind, Priority, Uploader};
use domain::mediation::{
    Amount, DisputeKind, Outcome, OutcomeKind, Party, PartyKind, SessionRecord, Side,
};
use domain::{
    AgentPointLevel, CaseAction, CaseId, CaseSource, CaseState, Code, Problem, Role, TrackingCode,
    UserId,
};

const APPLICANT: &str = "张秀英";
const APPLICANT_PHONE: &str = "13911112222";
const RESPONDENT: &str = "宏达建筑劳务有限公司";
const SUBJECT: &str = "张秀英追讨宏达建筑拖欠工资";
const AGREEMENT: &str = "宏达建筑于三十日内向张秀英支付工资一万二千元";

fn staff(
    scope: &TenantScope<'_, NativeDb>,
    login: &str,
    role: Role,
    agent_point: Option<i64>,
) -> UserId {
    scope
        .create_user(
            NewUser {
                login: login.into(),
                display_name: login.into(),
                role,
                password_hash: "$argon2id$hash".into(),
                phone: None,
                department: None,
                agent_point,
            },
            beijing("2026-03-02 08:00"),
        )
        .unwrap()
        .id
}

/// An upload of `kind` as the window records it (its bytes judged elsewhere),
/// by the member of staff who takes disputes in and records their outcomes.
fn uploaded(scope: &TenantScope<'_, NativeDb>, n: u8, kind: AttachmentKind) -> Attachment {
    let (content_type, size) = match kind {
        AttachmentKind::Document => ("application/pdf", 200_000),
        _ => ("image/jpeg", 1000),
    };
    scope
        .record_attachment(
            upload_id(n.into()),
            NewAttachment {
                sha256: format!("{n:064}"),
                content_type: content_type.into(),
                kind,
                size,
                uploaded_by: Uploader::Account("department_staff:1".into()),
            },
            beijing("2026-03-02 09:00"),
        )
        .unwrap()
}

/// A scanned document (a photo).
fn document(scope: &TenantScope<'_, NativeDb>, n: u8) -> i64 {
    uploaded(scope, n, AttachmentKind::Photo).id
}

fn dispute(handling: Option<Handling>, documents: Vec<i64>) -> NewDispute {
    NewDispute {
        kind: DisputeKind::Labour,
        subject: SUBJECT.into(),
        amount: Some(Amount::from_yuan(12000.0).unwrap()),
        window: "3号窗口".into(),
        parties: vec![
            Party {
                side: Side::Applicant,
                kind: PartyKind::Person,
                name: APPLICANT.into(),
                phone: Some(APPLICANT_PHONE.into()),
                address: Some("东湖村 5 组".into()),
            },
            Party {
                side: Side::Respondent,
                kind: PartyKind::Organisation,
                name: RESPONDENT.into(),
                phone: None,
                address: None,
            },
        ],
        document_ids: documents,
        priority: Priority::Normal,
        grid_node: None,
        handling,
    }
}

struct Centre<'a> {
    scope: TenantScope<'a, NativeDb>,
    clerk: UserId,
}

fn centre(db: &NativeDb) -> Centre<'_> {
    let (t, _urban) = tenant_with_urban_and_garbage(db);
    let scope = TenantScope::new(db, &t);
    for code in ["labour", "justice"] {
        scope
            .create_department(&Code::parse(code).unwrap(), code)
            .unwrap();
    }
    let clerk = staff(&scope, "window3", Role::CommandCentre, None);
    Centre { scope, clerk }
}

fn handling() -> Option<Handling> {
    Some(Handling {
        department: "labour".into(),
        assisting: vec![AssistingPart {
            department: "justice".into(),
            part: "司法所调解员参与调解".into(),
        }],
    })
}

fn take_in(c: &Centre<'_>, handling: Option<Handling>, n: u8) -> Dispute {
    let docs = vec![document(&c.scope, n)];
    c.scope
        .take_in_dispute(
            dispute(handling, docs),
            c.clerk,
            "department_staff:1",
            TrackingCode::from_random([n; 8]),
            beijing("2026-03-02 10:00"),
        )
        .unwrap()
}

/// Signs for and starts work as the lead department would (through the
/// routing component in real use).
fn to_work(c: &Centre<'_>, case: CaseId) {
    for action in [CaseAction::SignFor, CaseAction::StartWork] {
        let current = c.scope.case_by_id(case).unwrap().unwrap();
        c.scope
            .act(
                case,
                current.version,
                &action,
                "department_staff:1",
                beijing("2026-03-03 09:00"),
                &calendar(),
            )
            .unwrap();
    }
}

/// Works a dispute dispatched with `handling()` to its end: the lead
/// department at work, the assisting part done, the outcome with a document.
fn ends_in(c: &Centre<'_>, case: CaseId, kind: OutcomeKind, document_no: u8) -> Dispute {
    to_work(c, case);
    let assist = c.scope.case_assists(case).unwrap()[0].department;
    c.scope
        .complete_assist(
            case,
            assist,
            "已参与调解",
            "department_staff:3",
            beijing("2026-03-05 08:00"),
        )
        .unwrap();
    let outcome = Outcome::new(kind, Some(AGREEMENT)).unwrap();
    let doc = document(&c.scope, document_no);
    c.scope
        .record_outcome(
            case,
            &outcome,
            &[doc],
            "department_staff:1",
            beijing("2026-03-05 09:00"),
        )
        .unwrap()
}

fn problem(e: Error) -> Problem {
    Problem::from(e)
}

#[test]
fn a_dispute_is_a_case_assigned_at_the_window_with_its_parties_apart() {
    let db = fresh_db();
    let c = centre(&db);
    let d = take_in(&c, handling(), 1);
    assert_eq!(d.case.source, CaseSource::Mediation);
    assert_eq!(
        d.case.state,
        CaseState::Dispatched,
        "one-stop: assigned at once"
    );
    assert_eq!(d.case.category, "mediation_labour");
    assert!(
        d.case.resolution_due_at.is_some(),
        "the clock runs on the kind's category"
    );
    assert_eq!(d.amount.map(Amount::fen), Some(1_200_000));
    assert_eq!(d.window, "3号窗口");
    assert_eq!(d.taken_in_by, c.clerk);
    let assists = c.scope.case_assists(d.case.id).unwrap();
    assert_eq!(assists.len(), 1, "the assisting department has its part");
    let parties = c.scope.dispute_parties(d.case.id).unwrap();
    assert_eq!(parties.len(), 2);
    assert_eq!(parties[0].party.phone.as_deref(), Some(APPLICANT_PHONE));
    assert!(
        !d.case.description.contains(APPLICANT) && d.case.contact.name.is_none(),
        "the case row itself names nobody: {:?}",
        d.case
    );
    let files = c.scope.case_attachments(d.case.id).unwrap();
    assert!(files.len() == 1 && !files[0].public, "documents are hidden");
    // The category was created on first use; the second dispute reuses it.
    let again = take_in(&c, None, 2);
    assert_eq!(again.case.category, "mediation_labour");
    assert_eq!(again.case.state, CaseState::Reported, "no rule: triage");
    assert_eq!(c.scope.disputes(None, 10).unwrap().len(), 2);
}

#[test]
fn intake_refuses_bad_input_and_writes_nothing() {
    let db = fresh_db();
    let c = centre(&db);
    let mut one_sided = dispute(None, vec![]);
    one_sided.parties.truncate(1);
    let unknown_lead = Some(Handling {
        department: "nowhere".into(),
        assisting: vec![],
    });
    // A dispute needs both sides (the document says so: 400); what it
    // names must exist (404).
    for (new, status, field) in [
        (one_sided, 400, "parties"),
        (dispute(unknown_lead, vec![]), 404, "handling.department"),
        (dispute(None, vec![9999]), 404, "document_ids[0]"),
    ] {
        let p = problem(
            c.scope
                .take_in_dispute(
                    new,
                    c.clerk,
                    "department_staff:1",
                    TrackingCode::from_random([7; 8]),
                    beijing("2026-03-02 10:00"),
                )
                .expect_err("refused"),
        );
        assert_eq!(
            (p.status(), p.field.as_deref()),
            (status, Some(field)),
            "{p:?}"
        );
    }
    assert!(c.scope.disputes(None, 10).unwrap().is_empty());
    assert!(
        c.scope.list_cases(None, 10).unwrap().is_empty(),
        "no half-written case"
    );
}

#[test]
fn sessions_and_the_outcome_close_the_case_through_the_case_flow() {
    let db = fresh_db();
    let c = centre(&db);
    let d = take_in(&c, handling(), 1);
    let id = d.case.id;
    let scheduled = c
        .scope
        .schedule_session(
            id,
            NewSession {
                scheduled_for: beijing("2026-03-04 14:00"),
                place: Some("调解室".into()),
            },
            "department_staff:1",
            beijing("2026-03-02 11:00"),
        )
        .unwrap();
    let before_intake = c.scope.schedule_session(
        id,
        NewSession {
            scheduled_for: beijing("2026-03-01 14:00"),
            place: None,
        },
        "department_staff:1",
        beijing("2026-03-02 11:00"),
    );
    assert_eq!(
        problem(before_intake.unwrap_err()).field.as_deref(),
        Some("scheduled_for")
    );
    let record = SessionRecord {
        held_at: beijing("2026-03-04 15:00"),
        participants: vec!["调解员王五".into(), APPLICANT.into(), RESPONDENT.into()],
        agreed: Some("分两期支付".into()),
    };
    c.scope
        .record_session(
            id,
            Some(scheduled.id),
            record.clone(),
            "department_staff:1",
            beijing("2026-03-04 16:00"),
        )
        .unwrap();
    let twice = c.scope.record_session(
        id,
        Some(scheduled.id),
        record.clone(),
        "x",
        beijing("2026-03-04 16:00"),
    );
    assert_eq!(problem(twice.unwrap_err()).status(), 409);

    let agreement = Outcome::new(OutcomeKind::Agreement, Some(AGREEMENT)).unwrap();
    let signed = document(&c.scope, 50);
    let too_early = c.scope.record_outcome(
        id,
        &agreement,
        &[signed],
        "department_staff:1",
        beijing("2026-03-05 09:00"),
    );
    assert_eq!(
        problem(too_early.unwrap_err()).status(),
        409,
        "not yet at work"
    );
    to_work(&c, id);
    let parts_open = c.scope.record_outcome(
        id,
        &agreement,
        &[signed],
        "department_staff:1",
        beijing("2026-03-05 09:00"),
    );
    assert_eq!(
        problem(parts_open.unwrap_err()).status(),
        409,
        "the assisting part is open"
    );
    let unchanged = c.scope.dispute(id).unwrap().unwrap();
    assert!(unchanged.outcome.is_none() && unchanged.case.state == CaseState::InProgress);
    let assist = c.scope.case_assists(id).unwrap()[0].department;
    c.scope
        .complete_assist(
            id,
            assist,
            "已参与调解",
            "department_staff:3",
            beijing("2026-03-05 08:00"),
        )
        .unwrap();
    let done = c
        .scope
        .record_outcome(
            id,
            &agreement,
            &[signed],
            "department_staff:1",
            beijing("2026-03-05 09:00"),
        )
        .unwrap();
    assert_eq!(done.case.state, CaseState::Closed);
    let outcome = done.outcome.unwrap();
    assert_eq!(
        (outcome.kind, outcome.text.as_deref()),
        (OutcomeKind::Agreement, Some(AGREEMENT))
    );
    assert!(
        c.scope
            .case_attachments(id)
            .unwrap()
            .iter()
            .all(|a| !a.public)
    );

    let late = c.scope.record_session(
        id,
        None,
        record,
        "department_staff:1",
        beijing("2026-03-06 09:00"),
    );
    let p = problem(late.unwrap_err());
    assert_eq!(p.status(), 409, "a session for a closed dispute");
    assert_eq!(
        c.scope.dispute_sessions(id).unwrap().len(),
        1,
        "nothing written"
    );
}

#[test]
fn a_dispute_not_accepted_is_declined_and_only_before_it_is_taken_up() {
    let db = fresh_db();
    let c = centre(&db);
    let waiting = take_in(&c, None, 1);
    let refused = Outcome::new(OutcomeKind::NotAccepted, Some("已由法院受理")).unwrap();
    let d = c
        .scope
        .record_outcome(
            waiting.case.id,
            &refused,
            &[],
            "command_centre:1",
            beijing("2026-03-02 11:00"),
        )
        .unwrap();
    assert_eq!(d.case.state, CaseState::Declined);
    let assigned = take_in(&c, handling(), 2);
    let p = problem(
        c.scope
            .record_outcome(
                assigned.case.id,
                &refused,
                &[],
                "command_centre:1",
                beijing("2026-03-02 11:00"),
            )
            .unwrap_err(),
    );
    assert_eq!(p.status(), 409);
    let withdrawn = Outcome::new(OutcomeKind::Withdrawn, None).unwrap();
    let p = problem(
        c.scope
            .record_outcome(
                assigned.case.id,
                &withdrawn,
                &[],
                "command_centre:1",
                beijing("2026-03-02 11:00"),
            )
            .unwrap_err(),
    );
    assert_eq!(p.field.as_deref(), Some("document_ids"));
}

#[test]
fn the_centres_figures_by_kind_department_and_month() {
    let db = fresh_db();
    let c = centre(&db);
    let first = take_in(&c, handling(), 1);
    take_in(&c, None, 2);
    ends_in(&c, first.case.id, OutcomeKind::JudicialConfirmation, 60);
    let facts = c
        .scope
        .dispute_facts(beijing("2026-03-01 00:00"), beijing("2026-04-01 00:00"))
        .unwrap();
    let figures = domain::mediation::MediationFigures::count(&facts);
    assert_eq!((figures.total.taken_in, figures.total.resolved), (2, 1));
    assert_eq!(figures.by_month["2026-03"].resolution_rate, Some(0.5));
    let labour = c.scope.department_by_code("labour").unwrap();
    assert_eq!(figures.by_department[&labour].resolved, 1);
    assert!(
        c.scope
            .dispute_facts(beijing("2026-04-01 00:00"), beijing("2026-05-01 00:00"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn nothing_private_reaches_what_publication_reads() {
    let db = fresh_db();
    let c = centre(&db);
    let d = take_in(&c, handling(), 1);
    ends_in(&c, d.case.id, OutcomeKind::Agreement, 70);
    let matter = take_matter(&db, &c.scope);

    for code in [&d.case.tracking_code, &matter.case.tracking_code] {
        let record = c.scope.case_record(code).unwrap().unwrap();
        // Everything the look-up, the board and Open311 are built from.
        let seen = format!(
            "{:?} {:?} {:?}",
            record.facts(),
            record.event_facts(),
            record.attachment_facts()
        );
        for private in [
            APPLICANT,
            APPLICANT_PHONE,
            RESPONDENT,
            SUBJECT,
            AGREEMENT,
            RESIDENT,
            RESIDENT_PHONE,
            NEED,
        ] {
            assert!(
                !seen.contains(private),
                "{private} reached publication: {seen}"
            );
        }
        assert!(record.attachment_facts().iter().all(|a| !a.public));
    }
}

const RESIDENT: &str = "李桂兰";
const RESIDENT_PHONE: &str = "13722223333";
const NEED: &str = "补办李桂兰的残疾证";

fn agent_point(
    scope: &TenantScope<'_, NativeDb>,
    code: &str,
    level: AgentPointLevel,
) -> AgentPoint {
    scope
        .create_agent_point(NewAgentPoint {
            code: Code::parse(code).unwrap(),
            name: code.into(),
            level,
            grid_node: None,
        })
        .unwrap()
}

fn matter(tasks: Vec<NewTask>, consent: bool) -> NewMatter {
    NewMatter {
        kind: MatterKind::Certificate,
        resident: Resident {
            name: RESIDENT.into(),
            phone: Some(RESIDENT_PHONE.into()),
            address: None,
        },
        consent,
        needs: vec![NEED.into()],
        tasks,
        promises: vec![NewPromise {
            promise: "一周内答复".into(),
            promised_on: "2026-03-09".parse().unwrap(),
        }],
        priority: Priority::Normal,
    }
}

fn take_matter(db: &NativeDb, scope: &TenantScope<'_, NativeDb>) -> AgentMatter {
    let _ = db;
    let point = agent_point(scope, "east-village", AgentPointLevel::Village);
    let agent = staff(scope, "agent1", Role::Agent, Some(point.id));
    scope
        .take_matter(
            &point,
            agent,
            "agent:9",
            matter(vec![], true),
            TrackingCode::from_random([90; 8]),
            beijing("2026-03-02 10:00"),
        )
        .unwrap()
}

#[test]
fn an_agent_matter_is_a_case_with_its_lists_and_levels() {
    let db = fresh_db();
    let c = centre(&db);
    let point = agent_point(&c.scope, "east-village", AgentPointLevel::Village);
    let township = agent_point(&c.scope, "town-hall", AgentPointLevel::Township);
    let agent = staff(&c.scope, "agent1", Role::Agent, Some(point.id));
    let task = |due: &str| NewTask {
        task: "到镇便民服务中心递交材料".into(),
        owner: "代办员小陈".into(),
        due_on: due.parse().unwrap(),
    };
    let take = |new: NewMatter| {
        c.scope.take_matter(
            &point,
            agent,
            "agent:9",
            new,
            TrackingCode::from_random([80; 8]),
            beijing("2026-03-02 10:00"),
        )
    };
    // Consent is the document's to state (400); a task due before the
    // matter is taken, a relation between dates, is not (422).
    for (new, status, field) in [
        (matter(vec![], false), 400, "consent"),
        (
            matter(vec![task("2026-03-01")], true),
            422,
            "tasks[0].due_on",
        ),
    ] {
        let p = problem(take(new).unwrap_err());
        assert_eq!((p.status(), p.field.as_deref()), (status, Some(field)));
    }
    assert!(
        c.scope.list_cases(None, 10).unwrap().is_empty(),
        "nothing half-written"
    );

    let m = take(matter(vec![task("2026-03-05")], true)).unwrap();
    assert_eq!(m.case.source, CaseSource::Agent);
    assert_eq!(m.level, AgentPointLevel::Village);
    assert_eq!(m.began_on.to_string(), "2026-03-02");
    assert_eq!(c.scope.matter_tasks(m.case.id).unwrap().len(), 1);
    assert_eq!(c.scope.matter_promises(m.case.id).unwrap().len(), 1);
    let early = NewTask {
        ..task("2026-02-28")
    };
    let p = problem(c.scope.add_matter_task(m.case.id, &early).unwrap_err());
    assert_eq!(p.field.as_deref(), Some("due_on"));
    assert_eq!(
        c.scope.matter_tasks(m.case.id).unwrap().len(),
        1,
        "nothing written"
    );
    let t = c
        .scope
        .add_matter_task(m.case.id, &task("2026-03-06"))
        .unwrap();
    c.scope
        .complete_matter_task(m.case.id, t.id, "agent:9", beijing("2026-03-06 10:00"))
        .unwrap();
    let again =
        c.scope
            .complete_matter_task(m.case.id, t.id, "agent:9", beijing("2026-03-06 10:00"));
    assert_eq!(problem(again.unwrap_err()).status(), 409);

    let wrong_level = c.scope.pass_matter_up(
        m.case.id,
        AgentPointLevel::District,
        Some(&township),
        "需区级协调",
        "agent:9",
        beijing("2026-03-03 10:00"),
    );
    assert_eq!(
        problem(wrong_level.unwrap_err()).field.as_deref(),
        Some("agent_point_id")
    );
    let up = c
        .scope
        .pass_matter_up(
            m.case.id,
            AgentPointLevel::Township,
            Some(&township),
            "村级无法办理",
            "agent:9",
            beijing("2026-03-03 10:00"),
        )
        .unwrap();
    assert_eq!(
        (up.level, up.level_point),
        (AgentPointLevel::Township, Some(township.id))
    );
    let down = c.scope.pass_matter_up(
        m.case.id,
        AgentPointLevel::Village,
        None,
        "x",
        "agent:9",
        beijing("2026-03-03 11:00"),
    );
    assert_eq!(problem(down.unwrap_err()).status(), 409);
    let levels = c.scope.matter_levels(m.case.id).unwrap();
    assert_eq!(
        levels.iter().map(|l| l.level).collect::<Vec<_>>(),
        [AgentPointLevel::Village, AgentPointLevel::Township]
    );
    assert_eq!(
        c.scope
            .agent_matters(Some(township.id), None, 10)
            .unwrap()
            .len(),
        1,
        "passed to the township's point"
    );
    assert_eq!(
        c.scope
            .agent_matters(Some(point.id), None, 10)
            .unwrap()
            .len(),
        1
    );

    let from = "2026-03-01".parse().unwrap();
    let to = "2026-04-01".parse().unwrap();
    let figures = domain::agent::AgentFigures::count(&c.scope.matter_facts(from, to).unwrap());
    assert_eq!(figures.by_level["township"].taken, 1);
    assert_eq!(figures.total.done, 0, "done when its case is closed");
}

#[test]
fn a_dispute_takes_more_papers_from_whoever_uploaded_them_only() {
    let db = fresh_db();
    let c = centre(&db);
    let d = take_in(&c, None, 60);
    let paper = document(&c.scope, 61);
    let refused = problem(
        c.scope
            .add_dispute_documents(d.case.id, &[paper], "department_staff:3")
            .unwrap_err(),
    );
    assert_eq!(
        (refused.field.as_deref(), refused.detail.as_str()),
        (Some("document_ids[0]"), "no such attachment")
    );
    c.scope
        .add_dispute_documents(d.case.id, &[paper], "department_staff:1")
        .unwrap();
    let on = c.scope.attachment(paper).unwrap().unwrap();
    assert_eq!((on.case_id, on.public), (Some(d.case.id), false));
}

/// A PDF paper.
fn pdf(scope: &TenantScope<'_, NativeDb>, n: u8) -> Attachment {
    uploaded(scope, n, AttachmentKind::Document)
}

#[test]
fn a_dispute_takes_pdf_papers_that_no_other_case_takes_and_nobody_publishes() {
    let db = fresh_db();
    let c = centre(&db);
    let iou = pdf(&c.scope, 90);
    assert!(!iou.public, "a paper is hidden from its upload on");
    let shown = problem(c.scope.set_attachment_public(iou.id, true).unwrap_err());
    assert_eq!(shown.status(), 409);
    assert!(!c.scope.attachment(iou.id).unwrap().unwrap().public);

    // A resident's report (or any case but a dispute) takes no paper, and
    // the refusal leaves the paper free for the dispute it belongs to.
    let report = report_garbage(&c.scope, 91, beijing("2026-03-02 09:30"));
    let refused = problem(
        c.scope
            .attach(
                report.id,
                &[iou.id],
                Purpose::Evidence,
                &Uploader::Account("department_staff:1".into()),
            )
            .unwrap_err(),
    );
    assert_eq!(
        (refused.status(), refused.field.as_deref()),
        (400, Some("attachment_ids[0]"))
    );
    assert!(refused.detail.contains("PDF"), "{}", refused.detail);
    assert_eq!(c.scope.attachment(iou.id).unwrap().unwrap().case_id, None);
    assert!(c.scope.case_attachments(report.id).unwrap().is_empty());

    let d = c
        .scope
        .take_in_dispute(
            dispute(handling(), vec![iou.id]),
            c.clerk,
            "department_staff:1",
            TrackingCode::from_random([92; 8]),
            beijing("2026-03-02 10:00"),
        )
        .unwrap();
    to_work(&c, d.case.id);
    let assist = c.scope.case_assists(d.case.id).unwrap()[0].department;
    c.scope
        .complete_assist(
            d.case.id,
            assist,
            "已参与",
            "department_staff:3",
            beijing("2026-03-05 08:00"),
        )
        .unwrap();
    let agreement = pdf(&c.scope, 93);
    let ended = c
        .scope
        .record_outcome(
            d.case.id,
            &Outcome::new(OutcomeKind::Agreement, Some(AGREEMENT)).unwrap(),
            &[agreement.id],
            "department_staff:1",
            beijing("2026-03-05 09:00"),
        )
        .unwrap();
    assert_eq!(ended.case.state, CaseState::Closed);
    let papers: Vec<(i64, AttachmentKind, Purpose, bool)> = c
        .scope
        .case_attachments(d.case.id)
        .unwrap()
        .iter()
        .map(|a| (a.id, a.kind, a.purpose, a.public))
        .collect();
    assert_eq!(
        papers,
        [
            (iou.id, AttachmentKind::Document, Purpose::Evidence, false),
            (
                agreement.id,
                AttachmentKind::Document,
                Purpose::Result,
                false
            ),
        ]
    );
    // What the look-up is built from knows the papers only as hidden ones,
    // and the publication rule shows no paper whatever it is told.
    let record = c.scope.case_record(&d.case.tracking_code).unwrap().unwrap();
    for a in record.attachment_facts() {
        assert!(!domain::publication::attachment_is_public(
            a.kind, true, true
        ));
    }
}

#[test]
fn a_notice_shows_no_paper() {
    let db = fresh_db();
    let c = centre(&db);
    let paper = pdf(&c.scope, 94);
    let node = c
        .scope
        .create_grid_node(NewGridNode {
            parent: None,
            level: domain::GridLevel::Township,
            code: domain::GridCode::parse("T").unwrap(),
            name: "镇".into(),
            households: None,
            geometry: None,
        })
        .unwrap();
    let refused = c
        .scope
        .publish_notice(
            NewNotice {
                grid_node: node.id,
                title: "调解协议公示".into(),
                body: "见附件".into(),
                attachment_ids: vec![paper.id],
                published_by: "department_staff:1".into(),
            },
            beijing("2026-03-02 11:00"),
        )
        .unwrap_err();
    let refused = problem(refused);
    assert_eq!(refused.field.as_deref(), Some("attachment_ids[0]"));
    assert!(refused.detail.contains("PDF"), "{}", refused.detail);
    assert!(!c.scope.is_notice_attachment(paper.id).unwrap());
}
