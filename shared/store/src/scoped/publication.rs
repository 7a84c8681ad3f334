//! Everything the public look-up of one case needs, read in a few indexed
//! statements: the case, its grid path, its history with the department of
//! each step, its files. What of it is published is `domain::publication`'s
//! decision; this module only reads.

use super::TenantScope;
use super::cases::{Case, CaseEvent};
use super::intake::{Attachment, Purpose};
use crate::db::Database;
use crate::error::Error;
use domain::publication::{AttachmentFacts, CaseFacts, EventFacts, PrivateFacts};
use domain::{GridNode, TrackingCode};
use std::collections::HashMap;

/// A case with what its publication is built from.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub case: Case,
    /// The case's grid node and its ancestors, root first.
    pub grid_path: Vec<GridNode>,
    /// Each step with the department it is credited to, when known.
    pub events: Vec<(CaseEvent, Option<String>)>,
    pub attachments: Vec<Attachment>,
}

impl CaseRecord {
    pub fn facts(&self) -> CaseFacts<'_> {
        case_facts(&self.case, &self.grid_path)
    }

    pub fn event_facts(&self) -> Vec<EventFacts<'_>> {
        self.events
            .iter()
            .map(|(e, department)| EventFacts {
                at: e.at,
                action: &e.action,
                to_state: e.to_state,
                note: e.note.as_deref(),
                public: e.public,
                actor: &e.actor,
                department: department.as_deref(),
            })
            .collect()
    }

    pub fn attachment_facts(&self) -> Vec<AttachmentFacts> {
        self.attachments.iter().map(attachment_facts).collect()
    }
}

/// The case as `domain::publication` takes it, private parts included (the
/// domain decides what to drop).
pub fn case_facts<'a>(case: &'a Case, grid_path: &'a [GridNode]) -> CaseFacts<'a> {
    CaseFacts {
        tracking_code: case.tracking_code.as_str(),
        category: &case.category,
        description: &case.description,
        state: case.state,
        grid_path,
        reported_at: case.created_at,
        updated_at: case.updated_at,
        response_due_at: case.response_due_at,
        responded_at: case.responded_at,
        resolution_due_at: case.resolution_due_at,
        resolved_at: case.resolved_at,
        fixed_on_the_spot: case.fixed_on_the_spot,
        me_too_count: case.me_too_count,
        rating: case.rating,
        private: PrivateFacts {
            name: case.contact.name.as_deref(),
            phone: case.contact.phone.as_deref(),
            email: case.contact.email.as_deref(),
            address: case.address.as_deref(),
            location: case.location,
            rating_comment: case.rating_comment.as_deref(),
            reopened_by_rating: case.reopened_by_rating,
        },
    }
}

pub fn attachment_facts(a: &Attachment) -> AttachmentFacts {
    AttachmentFacts {
        id: a.id,
        kind: a.kind,
        result: a.purpose == Purpose::Result,
        public: a.public,
    }
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// The case of a tracking code with its grid path, history and files;
    /// `None` for an unknown code (or one of another tenant).
    pub fn case_record(&self, code: &TrackingCode) -> Result<Option<CaseRecord>, Error> {
        let Some(case) = self.case_by_tracking_code(code)? else {
            return Ok(None);
        };
        let grid_path = match case.grid_node {
            Some(node) => self.grid_path(node)?,
            None => Vec::new(),
        };
        let events = self.credited_events(self.case_events(case.id)?)?;
        let attachments = self.case_attachments(case.id)?;
        Ok(Some(CaseRecord {
            case,
            grid_path,
            events,
            attachments,
        }))
    }

    /// Credits each step to a department: a staff member's own, or the one a
    /// dispatch or transfer named.
    fn credited_events(
        &self,
        events: Vec<CaseEvent>,
    ) -> Result<Vec<(CaseEvent, Option<String>)>, Error> {
        let departments = self.list_departments()?;
        let name_of_id: HashMap<i64, &str> = departments
            .iter()
            .map(|d| (d.id, d.name.as_str()))
            .collect();
        let name_of_code: HashMap<&str, &str> = departments
            .iter()
            .map(|d| (d.code.as_str(), d.name.as_str()))
            .collect();
        let staff: Vec<i64> = events.iter().filter_map(|e| staff_user(&e.actor)).collect();
        let staff_department = self.departments_of_users(&staff)?;
        let mut credited = Vec::with_capacity(events.len());
        for event in events {
            let named = domain::publication::named_department(event.details.as_ref())
                .and_then(|code| name_of_code.get(code).copied());
            let acting = staff_user(&event.actor)
                .and_then(|user| staff_department.get(&user))
                .and_then(|department| name_of_id.get(department).copied());
            let department = named.or(acting).map(str::to_string);
            credited.push((event, department));
        }
        Ok(credited)
    }
}

/// The user id of a department staff member's actor string (`department_staff:42`).
fn staff_user(actor: &str) -> Option<i64> {
    domain::auth::Actor::parse(actor)
        .department_staff()
        .map(|user| user.0)
}
