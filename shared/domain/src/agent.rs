//! The agent service (民情民访代办): an agent (代办员) at a village or
//! community agent point (代办点) takes a resident's matter on their behalf,
//! with their consent, and follows it through; a matter the village cannot
//! settle is passed up to the township or the district.
//!
//! A matter is a case of the one case model (`CaseSource::Agent`), filed
//! under its kind's category and dispatched like any case. What only a
//! matter has — the resident's details, the needs list (需求清单), the task
//! list (任务清单) and the time list (时间清单), and the level it is worked
//! at — is checked here. The resident's details are never published.

use crate::Problem;
use crate::acting::{self, Unit};
use crate::auth::Role;
use crate::case_kind::{CaseKind, one_of};
use crate::organisation::AgentPointLevel;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The kinds of matter agents take, each filed under its own catalogue
/// category (`agent_<kind>`), created on first use with default deadlines
/// that the tenant admin may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatterKind {
    /// A certificate or document to issue or reissue (证照办理).
    Certificate,
    /// Social security, pensions, medical insurance (社保医保).
    SocialSecurity,
    /// Unpaid wages (欠薪).
    Wages,
    /// Assistance and relief (民政救助).
    Assistance,
    /// Roads, parking, water, power (基础设施).
    Infrastructure,
    Other,
}

impl MatterKind {
    pub fn parse(s: &str) -> Result<Self, Problem> {
        one_of(Self::ALL, Self::as_str, s, "kind", "kind of matter")
    }
}

impl CaseKind for MatterKind {
    const ALL: &'static [MatterKind] = &[
        Self::Certificate,
        Self::SocialSecurity,
        Self::Wages,
        Self::Assistance,
        Self::Infrastructure,
        Self::Other,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Certificate => "certificate",
            Self::SocialSecurity => "social_security",
            Self::Wages => "wages",
            Self::Assistance => "assistance",
            Self::Infrastructure => "infrastructure",
            Self::Other => "other",
        }
    }

    fn name_zh(self) -> &'static str {
        match self {
            Self::Certificate => "代办：证照办理",
            Self::SocialSecurity => "代办：社保医保",
            Self::Wages => "代办：欠薪追讨",
            Self::Assistance => "代办：民政救助",
            Self::Infrastructure => "代办：基础设施",
            Self::Other => "代办：其他事项",
        }
    }

    fn name_en(self) -> &'static str {
        match self {
            Self::Certificate => "Agent: certificates",
            Self::SocialSecurity => "Agent: social security",
            Self::Wages => "Agent: unpaid wages",
            Self::Assistance => "Agent: assistance",
            Self::Infrastructure => "Agent: infrastructure",
            Self::Other => "Agent: other matters",
        }
    }

    fn category_code(self) -> String {
        format!("agent_{}", self.as_str())
    }

    /// Default (response, resolution) working hours: a day to respond,
    /// ten working days to settle, the usual promise of agent services.
    fn default_hours(self) -> (u32, u32) {
        (8, 75)
    }
}

/// Levels in the order a matter climbs them.
fn rank(level: AgentPointLevel) -> u8 {
    match level {
        AgentPointLevel::Village => 0,
        AgentPointLevel::Township => 1,
        AgentPointLevel::District => 2,
    }
}

/// A matter only ever goes up: village → township → district (it may skip
/// the township). Passing it to its own level or down is a 409.
pub fn check_pass_up(from: AgentPointLevel, to: AgentPointLevel) -> Result<(), Problem> {
    if rank(to) > rank(from) {
        Ok(())
    } else {
        Err(Problem::conflict(format!(
            "the matter is at {} level: it can only be passed up, not to {}",
            from.as_str(),
            to.as_str()
        )))
    }
}

/// The most lines a needs list holds.
pub const MAX_NEEDS: usize = 50;
/// The longest line of a needs list, in characters.
pub const MAX_NEED_CHARS: usize = 500;

/// The needs list (需求清单): what the resident needs, one line each.
pub fn check_needs(needs: &[String]) -> Result<(), Problem> {
    if needs.iter().all(|n| n.trim().is_empty()) {
        return Err(Problem::validation(
            "needs",
            "the needs list says what the resident needs (at least one line)",
        ));
    }
    if needs.len() > MAX_NEEDS || needs.iter().any(|n| n.chars().count() > MAX_NEED_CHARS) {
        return Err(Problem::validation(
            "needs",
            format!("at most {MAX_NEEDS} needs of {MAX_NEED_CHARS} characters each"),
        ));
    }
    Ok(())
}

/// The resident must have agreed to the agent acting for them.
pub fn check_consent(consent: bool) -> Result<(), Problem> {
    if consent {
        Ok(())
    } else {
        Err(Problem::validation(
            "consent",
            "an agent acts for a resident only with their consent: record it (consent: true)",
        ))
    }
}

/// A task's date or a promised date cannot lie before the matter began
/// (the tenant's local date of intake).
pub fn check_date_not_before_start(
    field: &str,
    date: NaiveDate,
    began_on: NaiveDate,
) -> Result<(), Problem> {
    if date < began_on {
        // Against the day the matter began: beyond the API document (422).
        Err(Problem::unprocessable(
            field,
            format!("{date} is before the matter began ({began_on})"),
        ))
    } else {
        Ok(())
    }
}

/// Who may read and work a matter: the tenant admin and the command centre
/// all of them; an agent those of their own agent point, and those passed
/// up to it.
pub fn may_handle(
    role: Role,
    callers_point: Option<i64>,
    taken_at: i64,
    passed_to: Option<i64>,
) -> bool {
    let on = |holder| acting::may_act_on(Unit::AgentPoint, role, callers_point, holder);
    on(Some(taken_at)) || on(passed_to)
}

/// One matter as the figures count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatterFact {
    /// The level it is worked at now (the highest it reached).
    pub level: AgentPointLevel,
    /// Its case is closed (or archived).
    pub done: bool,
}

/// Taken, done and the completion rate (办结率) of a level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct LevelTally {
    pub taken: u64,
    pub done: u64,
    /// done ÷ taken; `None` when nothing was taken.
    pub completion_rate: Option<f64>,
}

impl LevelTally {
    fn add(&mut self, fact: MatterFact) {
        self.taken += 1;
        self.done += u64::from(fact.done);
        self.completion_rate = Some(self.done as f64 / self.taken as f64);
    }
}

/// Per level and in all, as the report gives them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentFigures {
    pub total: LevelTally,
    /// `village`, `township`, `district`: every level, even when empty.
    pub by_level: BTreeMap<&'static str, LevelTally>,
}

impl AgentFigures {
    pub fn count(facts: &[MatterFact]) -> AgentFigures {
        let mut figures = AgentFigures {
            total: LevelTally::default(),
            by_level: [
                AgentPointLevel::Village,
                AgentPointLevel::Township,
                AgentPointLevel::District,
            ]
            .into_iter()
            .map(|l| (l.as_str(), LevelTally::default()))
            .collect(),
        };
        for fact in facts {
            figures.total.add(*fact);
            if let Some(tally) = figures.by_level.get_mut(fact.level.as_str()) {
                tally.add(*fact);
            }
        }
        figures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AgentPointLevel as L;

    #[test]
    fn matters_only_go_up() {
        for (from, to, ok) in [
            (L::Village, L::Township, true),
            (L::Village, L::District, true),
            (L::Township, L::District, true),
            (L::Village, L::Village, false),
            (L::Township, L::Village, false),
            (L::District, L::Township, false),
            (L::District, L::District, false),
        ] {
            let result = check_pass_up(from, to);
            assert_eq!(result.is_ok(), ok, "{from:?} -> {to:?}");
            if let Err(p) = result {
                assert_eq!(p.status(), 409);
            }
        }
    }

    #[test]
    fn lists_and_dates() {
        assert!(check_needs(&["补办身份证".into()]).is_ok());
        assert!(check_needs(&[]).is_err());
        assert!(check_needs(&[" ".into()]).is_err());
        assert_eq!(
            check_consent(false).err().and_then(|p| p.field).as_deref(),
            Some("consent")
        );
        let day = |d| NaiveDate::from_ymd_opt(2026, 5, d).unwrap();
        assert!(check_date_not_before_start("due_on", day(10), day(10)).is_ok());
        let p = check_date_not_before_start("due_on", day(9), day(10)).expect_err("before");
        assert_eq!(p.field.as_deref(), Some("due_on"));
        assert_eq!(
            p.status(),
            422,
            "a relation between dates: valid by the document"
        );
    }

    #[test]
    fn who_may_handle_a_matter() {
        assert!(may_handle(Role::CommandCentre, None, 1, None));
        assert!(may_handle(Role::TenantAdmin, None, 1, Some(2)));
        assert!(may_handle(Role::Agent, Some(1), 1, None));
        assert!(may_handle(Role::Agent, Some(2), 1, Some(2)));
        assert!(!may_handle(Role::Agent, Some(3), 1, Some(2)));
        assert!(!may_handle(Role::Agent, None, 1, None));
        assert!(!may_handle(Role::DepartmentStaff, Some(1), 1, None));
    }

    #[test]
    fn the_report_figures_per_level() {
        // 250 village, 74 township, 1 district; 309 of 325 done. The report
        // prints 95.4%, but 309 ÷ 325 is 95.1%: we count done ÷ taken.
        let mut facts = Vec::new();
        for (level, taken, done) in [
            (L::Village, 250, 240),
            (L::Township, 74, 68),
            (L::District, 1, 1),
        ] {
            for i in 0..taken {
                facts.push(MatterFact {
                    level,
                    done: i < done,
                });
            }
        }
        let f = AgentFigures::count(&facts);
        assert_eq!((f.total.taken, f.total.done), (325, 309));
        let rate = f.total.completion_rate.unwrap();
        assert_eq!((rate * 1000.0).round() / 10.0, 95.1);
        assert_eq!(f.by_level["village"].taken, 250);
        assert_eq!(f.by_level["township"].done, 68);
        assert_eq!(f.by_level["district"].completion_rate, Some(1.0));
        let empty = AgentFigures::count(&[]);
        assert_eq!(empty.by_level.len(), 3);
        assert_eq!(empty.by_level["district"].completion_rate, None);
    }

    #[test]
    fn kinds_have_their_categories() {
        for &kind in MatterKind::ALL {
            assert_eq!(MatterKind::parse(kind.as_str()), Ok(kind));
            assert!(crate::Code::parse(&kind.category_code()).is_ok());
        }
        assert!(MatterKind::parse("parking").is_err());
    }
}
