//! The tenant's policy Q&A: departments' answers to policy inquiries,
//! anonymised and published, searchable in Chinese.

use super::TenantScope;
use super::fulltext::{ANSWERS, Search};
use crate::db::{Database, Row, StoreError, Value, in_transaction, placeholders};
use crate::error::{Error, unique_to_conflict};
use crate::time::{get_time, to_text};
use chrono::{DateTime, Utc};
use domain::enterprise::{InquiryParties, question_trigrams, search_terms};
use domain::limits;
use domain::{CaseId, Problem};

#[derive(Debug, Clone, PartialEq)]
pub struct PolicyAnswer {
    pub id: i64,
    /// The inquiry it answers (staff only: the public never sees whose).
    pub case: Option<CaseId>,
    pub question: String,
    pub answer: String,
    pub department: Option<i64>,
    pub published_at: DateTime<Utc>,
    /// The policy documents it rests on, by their ids.
    pub policies: Vec<CitedPolicy>,
}

/// A policy an answer rests on, as the answer shows it: a link, and
/// whether a newer policy has replaced it since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedPolicy {
    pub id: i64,
    pub title: String,
    pub superseded: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewPolicyAnswer {
    pub case: Option<CaseId>,
    /// Already anonymised (`domain::enterprise::anonymise`).
    pub question: String,
    pub answer: String,
    pub department: Option<i64>,
    /// Ids of policies of the tenant (superseded ones included: an answer
    /// may rest on the rules of a past year).
    pub policies: Vec<i64>,
}

const ANSWER_COLUMNS: &str =
    "c.id, c.case_id, c.question, c.answer, c.department_id, c.published_at";

fn answer_from_row(row: &Row<'_>) -> Result<PolicyAnswer, StoreError> {
    Ok(PolicyAnswer {
        id: row.get_i64("id")?,
        case: row.get_opt_i64("case_id")?.map(CaseId),
        question: row.get_string("question")?,
        answer: row.get_string("answer")?,
        department: row.get_opt_i64("department_id")?,
        published_at: get_time(row, "published_at")?,
        policies: Vec::new(),
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Publishes an answer and indexes it, with the policies it rests on
    /// (each one of the tenant's, else a 400 naming `policies`); one live
    /// answer per inquiry (409 for a second).
    pub fn publish_answer(
        &self,
        new: NewPolicyAnswer,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<PolicyAnswer, Error> {
        limits::QUESTION.check(&new.question)?;
        limits::PUBLISHED_ANSWER.check(&new.answer)?;
        let mut cited = new.policies.clone();
        cited.sort_unstable();
        cited.dedup();
        self.check_cited_policies(&cited)?;
        in_transaction(self.db, |db| {
            let rows = db
                .execute(
                    "INSERT INTO policy_answers (tenant_id, case_id, question, answer, \
                     department_id, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?) \
                     RETURNING id",
                    &[
                        self.tenant.0.into(),
                        new.case.map(|c| c.0).into(),
                        new.question.trim().into(),
                        new.answer.trim().into(),
                        new.department.into(),
                        actor.into(),
                        to_text(now).into(),
                    ],
                )
                .map_err(|e| {
                    unique_to_conflict(e, || "this inquiry's answer is already published".into())
                })?;
            let id = rows.returned()?.get_i64("id")?;
            db.execute(&ANSWERS.index_row(), &[id.into()])?;
            for policy in &cited {
                db.execute(
                    "INSERT INTO policy_answer_policies (tenant_id, answer_id, policy_id) \
                     VALUES (?, ?, ?)",
                    &[self.tenant.0.into(), id.into(), (*policy).into()],
                )?;
            }
            self.policy_answer(id)?
                .ok_or_else(|| Error::NotFound("the answer just written".into()))
        })
    }

    /// Takes an answer out of the Q&A (a mistake in it, a policy changed).
    /// The row and its index entry stay, filtered out of every read.
    pub fn withdraw_answer(&self, id: i64, now: DateTime<Utc>) -> Result<(), Error> {
        let rows = self.db.execute(
            "UPDATE policy_answers SET withdrawn_at = ? \
             WHERE tenant_id = ? AND id = ? AND withdrawn_at IS NULL RETURNING id",
            &[to_text(now).into(), self.tenant.0.into(), id.into()],
        )?;
        if rows.is_empty() {
            return Err(Error::NotFound("no such answer".into()));
        }
        Ok(())
    }

    /// A published (not withdrawn) answer with its policy references.
    pub fn policy_answer(&self, id: i64) -> Result<Option<PolicyAnswer>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {ANSWER_COLUMNS} FROM policy_answers c \
                 WHERE c.tenant_id = ? AND c.id = ? AND c.withdrawn_at IS NULL"
            ),
            &[self.tenant.0.into(), id.into()],
        )?;
        let mut found: Vec<PolicyAnswer> = rows
            .iter()
            .map(|r| answer_from_row(&r))
            .collect::<Result<_, _>>()?;
        self.cite_policies(&mut found)?;
        Ok(found.pop())
    }

    /// Refuses (400, `policies`) ids that are not policies of the tenant,
    /// naming them, before anything is written.
    fn check_cited_policies(&self, ids: &[i64]) -> Result<(), Error> {
        if ids.len() > domain::policy::MAX_CITED_POLICIES {
            return Err(Problem::validation(
                "policies",
                format!(
                    "an answer names at most {} policies",
                    domain::policy::MAX_CITED_POLICIES
                ),
            )
            .into());
        }
        if ids.is_empty() {
            return Ok(());
        }
        let mut params: Vec<Value> = vec![self.tenant.0.into()];
        params.extend(ids.iter().map(|&id| Value::from(id)));
        let rows = self.db.execute(
            &format!(
                "SELECT id FROM policies WHERE tenant_id = ? AND id IN ({})",
                placeholders(ids.len())
            ),
            &params,
        )?;
        let known: Vec<i64> = rows
            .iter()
            .map(|r| r.get_i64("id"))
            .collect::<Result<_, _>>()?;
        let unknown: Vec<String> = ids
            .iter()
            .filter(|id| !known.contains(id))
            .map(i64::to_string)
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(Problem::unknown(
                "policies",
                format!("no such policy: {}", unknown.join(", ")),
            )
            .into())
        }
    }

    /// Fills in the policies each answer rests on, in one statement for
    /// them all.
    fn cite_policies(&self, answers: &mut [PolicyAnswer]) -> Result<(), Error> {
        if answers.is_empty() {
            return Ok(());
        }
        let mut params: Vec<Value> = vec![self.tenant.0.into()];
        params.extend(answers.iter().map(|a| Value::from(a.id)));
        let rows = self.db.execute(
            &format!(
                "SELECT l.answer_id, p.id, p.title, p.superseded_by \
                 FROM policy_answer_policies l \
                 JOIN policies p ON p.tenant_id = l.tenant_id AND p.id = l.policy_id \
                 WHERE l.tenant_id = ? AND l.answer_id IN ({}) ORDER BY p.id",
                placeholders(answers.len())
            ),
            &params,
        )?;
        for row in rows.iter() {
            let answer_id = row.get_i64("answer_id")?;
            let cited = CitedPolicy {
                id: row.get_i64("id")?,
                title: row.get_string("title")?,
                superseded: row.get_opt_i64("superseded_by")?.is_some(),
            };
            if let Some(answer) = answers.iter_mut().find(|a| a.id == answer_id) {
                answer.policies.push(cited);
            }
        }
        Ok(())
    }

    /// Answers containing every typed term, best first; newest first when
    /// nothing was typed. Never fails on what was typed.
    pub fn search_answers(&self, typed: &str, limit: u32) -> Result<Vec<PolicyAnswer>, Error> {
        self.answers_found(ANSWERS.all_of(self.tenant.0, &search_terms(typed)), limit)
    }

    /// The answers closest to a question about to be asked: those sharing
    /// the most (and rarest) three-character runs with it.
    pub fn similar_answers(&self, question: &str, limit: u32) -> Result<Vec<PolicyAnswer>, Error> {
        match ANSWERS.any_of(self.tenant.0, &question_trigrams(question)) {
            Some(search) => self.answers_found(search, limit),
            None => Ok(Vec::new()),
        }
    }

    fn answers_found(&self, search: Search, limit: u32) -> Result<Vec<PolicyAnswer>, Error> {
        let mut params = search.params;
        params.push(Value::from(limit.clamp(1, 50)));
        let rows = self.db.execute(
            &format!(
                "SELECT {ANSWER_COLUMNS} {} AND c.withdrawn_at IS NULL ORDER BY {} LIMIT ?",
                search.from_where, search.order_by
            ),
            &params,
        )?;
        let mut found: Vec<PolicyAnswer> = rows
            .iter()
            .map(|r| answer_from_row(&r))
            .collect::<Result<_, _>>()?;
        self.cite_policies(&mut found)?;
        Ok(found)
    }

    /// Who an inquiry must not name once published: its enterprise and
    /// the enterprise's people.
    pub fn inquiry_parties(&self, case: CaseId) -> Result<InquiryParties, Error> {
        let Some(request) = self.enterprise_request(case)? else {
            return Ok(InquiryParties::default());
        };
        self.enterprise_parties(request.enterprise_id)?
            .ok_or_else(|| StoreError::Sql("a request without its enterprise".into()).into())
    }

    /// Who an answer about enterprise `id` must not name: the enterprise
    /// and its people; `None` if the tenant has no such enterprise.
    pub fn enterprise_parties(&self, id: i64) -> Result<Option<InquiryParties>, Error> {
        let Some(enterprise) = self.enterprise(id)? else {
            return Ok(None);
        };
        let users = self.enterprise_users(enterprise.id)?;
        let mut people = vec![enterprise.contact_name.clone()];
        let mut phones = vec![enterprise.contact_phone.clone()];
        for user in users {
            people.push(user.display_name);
            phones.extend(user.phone);
        }
        Ok(Some(InquiryParties {
            enterprise_name: enterprise.name,
            credit_code: enterprise.credit_code.as_str().to_string(),
            people,
            phones,
        }))
    }
}
