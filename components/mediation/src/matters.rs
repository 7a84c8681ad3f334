//! The agent service: an agent takes a resident's matter with their consent
//! at their agent point and keeps its needs, task and time lists; a matter
//! the village cannot settle is passed up to the township or the district.
//! Agents see the matters of their own point and those passed up to it.

use chrono::{NaiveDate, Utc};
use domain::acting::{self, Unit};
use domain::agent::{MatterKind, may_handle};
use domain::{AgentPointLevel, CaseId, Problem, Role};
use edge::case_flow::{self, People};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;
use store::{AgentMatter, AgentPoint, NewMatter, NewPromise, NewTask, Resident};

use crate::wire;

/// `GET …/agent/kinds`: the kinds of matter and their categories.
pub fn list_kinds(_ctx: &mut Ctx) -> HandlerResult {
    Ok(json(200, &wire::kind_list::<MatterKind>()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResidentBody {
    name: String,
    phone: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskBody {
    task: String,
    owner: String,
    due_on: NaiveDate,
}

impl From<TaskBody> for NewTask {
    fn from(t: TaskBody) -> NewTask {
        NewTask {
            task: t.task,
            owner: t.owner,
            due_on: t.due_on,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PromiseBody {
    promise: String,
    promised_on: NaiveDate,
}

impl From<PromiseBody> for NewPromise {
    fn from(p: PromiseBody) -> NewPromise {
        NewPromise {
            promise: p.promise,
            promised_on: p.promised_on,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MatterBody {
    kind: String,
    resident: ResidentBody,
    consent: bool,
    needs: Vec<String>,
    #[serde(default)]
    tasks: Vec<TaskBody>,
    #[serde(default)]
    promises: Vec<PromiseBody>,
    priority: Option<String>,
    /// For the command centre or an admin entering a matter for a point;
    /// an agent's matters are their own point's.
    agent_point_id: Option<i64>,
}

/// `POST …/agent/matters`: an agent takes a resident's matter.
pub fn take(ctx: &mut Ctx) -> HandlerResult {
    let body: MatterBody = ctx.json_body()?;
    let caller = ctx.caller()?.clone();
    let point_id = acting::unit_acted_for(
        Unit::AgentPoint,
        "agent_point_id",
        caller.user.role,
        caller.user.agent_point,
        body.agent_point_id,
    )?;
    let point = agent_point(ctx, point_id)?;
    let new = NewMatter {
        kind: MatterKind::parse(&body.kind)?,
        resident: Resident {
            name: body.resident.name,
            phone: body.resident.phone,
            address: body.resident.address,
        },
        consent: body.consent,
        needs: body.needs,
        tasks: body.tasks.into_iter().map(Into::into).collect(),
        promises: body.promises.into_iter().map(Into::into).collect(),
        priority: wire::priority(body.priority.as_deref())?,
    };
    let matter = edge::with_fresh_tracking_code(|code| {
        ctx.scope()?.take_matter(
            &point,
            caller.user.id,
            &caller.actor(),
            new.clone(),
            code,
            Utc::now(),
        )
    })?;
    render(ctx, 201, &matter)
}

fn agent_point(ctx: &mut Ctx, id: i64) -> Result<AgentPoint, Problem> {
    ctx.scope()?
        .agent_point(id)?
        .ok_or_else(|| Problem::unknown("agent_point_id", "no such agent point"))
}

/// `GET …/agent/matters?before=&limit=`: newest first; an agent sees their
/// point's.
pub fn list(ctx: &mut Ctx) -> HandlerResult {
    let before = ctx.query_i64("before")?.map(CaseId);
    let limit = ctx.page_limit()?;
    let user = ctx.caller()?.user.clone();
    let matters = match (user.role, user.agent_point) {
        // An agent sees their point's matters; one without a point, none.
        (Role::Agent, None) => Vec::new(),
        (Role::Agent, Some(point)) => ctx.scope()?.agent_matters(Some(point), before, limit)?,
        _ => ctx.scope()?.agent_matters(None, before, limit)?,
    };
    let next = edge::next_page(&matters, limit, |m| m.case.id.0);
    let items: Vec<_> = matters.iter().map(wire::matter_summary).collect();
    Ok(json(200, &json!({ "matters": items, "next_before": next })))
}

/// The path's matter, if the caller may handle it; anyone else's (another
/// point's, another tenant's, not a matter at all) is unknown. Looked up
/// before the body is read.
fn find(ctx: &mut Ctx) -> Result<AgentMatter, Problem> {
    let id = CaseId(ctx.id_param("id", "agent matter")?);
    let user = ctx.caller()?.user.clone();
    ctx.scope()?
        .agent_matter(id)?
        .filter(|m| may_handle(user.role, user.agent_point, m.agent_point, m.level_point))
        .ok_or_else(|| Problem::not_found("no such agent matter"))
}

/// The matter with its lists and levels, and its case's flow: the timeline
/// and the steps the caller may take (an agent sees how their matter goes
/// without seeing every case of the tenant; the centre gets its steps).
fn render(ctx: &mut Ctx, status: u16, matter: &AgentMatter) -> HandlerResult {
    let caller = ctx.caller()?;
    let actions = case_flow::allowed_actions(caller, &matter.case);
    let steps = case_flow::allowed_steps(caller, &matter.case);
    let scope = ctx.scope()?;
    let id = matter.case.id;
    let tasks = scope.matter_tasks(id)?;
    let promises = scope.matter_promises(id)?;
    let levels = scope.matter_levels(id)?;
    let events = scope.case_events(id)?;
    let actors = events.iter().map(|e| e.actor.as_str());
    let done_by = tasks.iter().filter_map(|t| t.done_by.as_deref());
    let passed_by = levels.iter().map(|l| l.by.as_str());
    let people = People::of(&scope, actors.chain(done_by).chain(passed_by))?;
    let mut wire = wire::matter(matter, &tasks, &promises, &levels, &people);
    wire["timeline"] = case_flow::timeline(&events, &people);
    wire["allowed_actions"] = json!(actions);
    wire["allowed_steps"] = steps;
    Ok(json(status, &wire))
}

/// `GET …/agent/matters/:id`: with the resident, the lists, the levels and
/// the case's timeline.
pub fn get(ctx: &mut Ctx) -> HandlerResult {
    let matter = find(ctx)?;
    render(ctx, 200, &matter)
}

/// `POST …/matters/:id/tasks`: a task for the task list.
pub fn add_task(ctx: &mut Ctx) -> HandlerResult {
    let matter = find(ctx)?;
    let body: TaskBody = ctx.json_body()?;
    let task = ctx.scope()?.add_matter_task(matter.case.id, &body.into())?;
    Ok(json(201, &wire::task(&task, &People::default())))
}

/// `POST …/matters/:id/tasks/:task/done`.
pub fn complete_task(ctx: &mut Ctx) -> HandlerResult {
    let matter = find(ctx)?;
    let task = ctx.id_param("task", "task")?;
    let actor = ctx.caller()?.actor();
    let scope = ctx.scope()?;
    let done = scope.complete_matter_task(matter.case.id, task, &actor, Utc::now())?;
    let people = People::of(&scope, [actor.as_str()])?;
    Ok(json(200, &wire::task(&done, &people)))
}

/// `POST …/matters/:id/promises`: a promised date for the time list.
pub fn add_promise(ctx: &mut Ctx) -> HandlerResult {
    let matter = find(ctx)?;
    let body: PromiseBody = ctx.json_body()?;
    let promise = ctx
        .scope()?
        .add_matter_promise(matter.case.id, &body.into())?;
    Ok(json(201, &wire::promise(&promise)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PassUpBody {
    level: String,
    reason: String,
    agent_point_id: Option<i64>,
}

/// `POST …/matters/:id/level`: passes the matter up to the township or the
/// district, optionally to one agent point of that level.
pub fn pass_up(ctx: &mut Ctx) -> HandlerResult {
    let matter = find(ctx)?;
    let body: PassUpBody = ctx.json_body()?;
    let level = AgentPointLevel::parse(&body.level)?;
    let point = body
        .agent_point_id
        .map(|id| agent_point(ctx, id))
        .transpose()?;
    let actor = ctx.caller()?.actor();
    let passed = ctx.scope()?.pass_matter_up(
        matter.case.id,
        level,
        point.as_ref(),
        &body.reason,
        &actor,
        Utc::now(),
    )?;
    render(ctx, 200, &passed)
}
