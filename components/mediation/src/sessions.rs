//! Mediation sessions: put in the diary, then recorded once held (date,
//! who took part, what was agreed). Only while the dispute is open.

use chrono::{DateTime, Utc};
use domain::Problem;
use domain::mediation::SessionRecord;
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use store::NewSession;

use crate::disputes::find;
use crate::wire;

/// Either a session to schedule (`scheduled_for`, `place`) or one already
/// held (`held_at`, `participants`, `agreed`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionBody {
    scheduled_for: Option<DateTime<Utc>>,
    place: Option<String>,
    held_at: Option<DateTime<Utc>>,
    #[serde(default)]
    participants: Vec<String>,
    agreed: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordBody {
    held_at: DateTime<Utc>,
    participants: Vec<String>,
    agreed: Option<String>,
}

/// `POST …/disputes/:id/sessions`: schedules a session, or records one held
/// without being scheduled here.
pub fn add(ctx: &mut Ctx) -> HandlerResult {
    let dispute = find(ctx)?;
    let body: SessionBody = ctx.json_body()?;
    let actor = ctx.caller()?.actor();
    let now = Utc::now();
    let session = match (body.scheduled_for, body.held_at) {
        (Some(scheduled_for), None) => ctx.scope()?.schedule_session(
            dispute.case.id,
            NewSession {
                scheduled_for,
                place: body.place,
            },
            &actor,
            now,
        )?,
        (None, Some(held_at)) => ctx.scope()?.record_session(
            dispute.case.id,
            None,
            SessionRecord {
                held_at,
                participants: body.participants,
                agreed: body.agreed,
            },
            &actor,
            now,
        )?,
        _ => {
            return Err(Problem::validation(
                "scheduled_for",
                "give scheduled_for to schedule a session, or held_at (with participants) to \
                 record one held",
            ));
        }
    };
    Ok(json(201, &wire::session(&session)))
}

/// `PUT …/disputes/:id/sessions/:session`: the record of a scheduled session.
pub fn record(ctx: &mut Ctx) -> HandlerResult {
    let dispute = find(ctx)?;
    let session = ctx.id_param("session", "session")?;
    let body: RecordBody = ctx.json_body()?;
    let actor = ctx.caller()?.actor();
    let recorded = ctx.scope()?.record_session(
        dispute.case.id,
        Some(session),
        SessionRecord {
            held_at: body.held_at,
            participants: body.participants,
            agreed: body.agreed,
        },
        &actor,
        Utc::now(),
    )?;
    Ok(json(200, &wire::session(&recorded)))
}
