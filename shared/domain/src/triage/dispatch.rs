//! Automatic dispatch by the triage (智能分拨): a tenant's setting, when the
//! triage may dispatch a new report on its own, and which dispatch of a case
//! was its own (the one the command centre may undo).

use crate::case::ActionKind;
use crate::problem::Problem;

use super::model::Suggestion;

/// The actor of the triage's own steps in a case's timeline (its kind,
/// `triage`, is what pages name "智能分拨").
pub const TRIAGE_ACTOR: &str = "triage";

/// Decided cases the department model must hold before the triage
/// dispatches anything on its own.
pub const MIN_CASES: u64 = 30;

/// Decided cases the suggested department itself must have been learned
/// with: a department the model met a few times is no safe guess.
pub const MIN_DEPARTMENT_CASES: u32 = 10;

/// The lowest and highest confidence a tenant may set: below 0.5 the triage
/// would dispatch cases it thinks more likely wrong than right; at 1 it
/// would never dispatch.
pub const MIN_THRESHOLD: f64 = 0.5;
pub const MAX_THRESHOLD: f64 = 0.99;

/// A tenant's automatic dispatch: off unless its admin switches it on, and
/// then only above the confidence it sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub auto_dispatch: bool,
    /// From [`MIN_THRESHOLD`] to [`MAX_THRESHOLD`]: the department
    /// suggestion's confidence must be at least this.
    pub threshold: f64,
}

/// Off, at 0.9 (the benchmark's calibration: about one in fifteen of
/// such dispatches would be wrong).
impl Default for Settings {
    fn default() -> Self {
        Settings {
            auto_dispatch: false,
            threshold: 0.9,
        }
    }
}

impl Settings {
    /// Refuses a threshold outside its range.
    pub fn check(&self) -> Result<(), Problem> {
        if !(MIN_THRESHOLD..=MAX_THRESHOLD).contains(&self.threshold) {
            return Err(Problem::validation(
                "threshold",
                format!("the threshold is from {MIN_THRESHOLD} to {MAX_THRESHOLD}"),
            ));
        }
        Ok(())
    }
}

/// Whether a department model that learned `cases` decided cases may
/// dispatch on its own at all.
pub fn ready(cases: u64) -> bool {
    cases >= MIN_CASES
}

/// The department suggestion the triage dispatches a new report to, if
/// any: automatic dispatch is on, the model is [`ready`], its first
/// suggestion's confidence reaches the threshold, and that department was
/// learned with [`MIN_DEPARTMENT_CASES`] at least (`department_cases`
/// says how many a label was). Only for reports no routing rule took.
pub fn auto_dispatch<'a>(
    settings: &Settings,
    suggestions: &'a [Suggestion],
    cases: u64,
    department_cases: impl Fn(&str) -> u32,
) -> Option<&'a Suggestion> {
    let best = suggestions.first()?;
    (settings.auto_dispatch
        && ready(cases)
        && best.confidence >= settings.threshold
        && department_cases(&best.label) >= MIN_DEPARTMENT_CASES)
        .then_some(best)
}

/// A choice the model gives less than this is not kept first by
/// [`checked_plausible`], even among its three: a tenant with few learned
/// categories has nearly all of them in its three, the wrong ones at a
/// confidence near zero.
pub const MIN_PLAUSIBLE: f64 = 0.05;

/// [`super::checked`] for a tenant of any size: the choice is put first
/// only when the model ranks it among its three *and* gives it at least
/// [`MIN_PLAUSIBLE`]; otherwise the suggestions stay as ranked.
pub fn checked_plausible(suggestions: Vec<Suggestion>, choice: Option<&str>) -> Vec<Suggestion> {
    let plausible = choice.filter(|c| {
        suggestions
            .iter()
            .any(|s| s.label == *c && s.confidence >= MIN_PLAUSIBLE)
    });
    super::checked(suggestions, plausible)
}

/// Below this, a first suggestion that differs from the resident's pick is
/// not pointed out: the model is as unsure as the resident may be.
pub const MIN_POINTED_OUT: f64 = 0.5;

/// The category to point out to a resident who picked `pick` ("这看起来像：
/// 占道经营？"): the model's first suggestion when it does not rank the pick
/// among its three at [`MIN_PLAUSIBLE`] or more ([`checked_plausible`]), is at least [`MIN_POINTED_OUT`]
/// sure, and the category model is [`ready`] (`cases` decided cases);
/// `offered` says which categories the resident may pick (a retired one or
/// one a desk reserves is never pointed out). `None`: the pick looks right,
/// or nothing can be said.
pub fn looks_like(
    suggestions: Vec<Suggestion>,
    pick: &str,
    cases: u64,
    offered: impl Fn(&str) -> bool,
) -> Option<Suggestion> {
    let first = checked_plausible(suggestions, Some(pick))
        .into_iter()
        .next()?;
    (ready(cases)
        && first.label != pick
        && first.confidence >= MIN_POINTED_OUT
        && offered(&first.label))
    .then_some(first)
}

/// Whether the department holding a case got it from the triage's own
/// dispatch: among the steps that move a case to or from a department
/// (`timeline`: action and actor, oldest first), the last is a dispatch
/// whose actor is the triage.
pub fn dispatched_by_triage<'a>(timeline: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    let moves = [
        ActionKind::Dispatch,
        ActionKind::Transfer,
        ActionKind::Return,
        ActionKind::Recategorise,
        ActionKind::UndoTriage,
    ];
    timeline
        .into_iter()
        .filter(|(action, _)| moves.iter().any(|m| m.name() == *action))
        .last()
        .is_some_and(|(action, actor)| {
            action == ActionKind::Dispatch.name() && actor == TRIAGE_ACTOR
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggestion(label: &str, confidence: f64) -> Suggestion {
        Suggestion {
            label: label.into(),
            confidence,
            reasons: Vec::new(),
        }
    }

    #[test]
    fn dispatches_only_when_on_ready_confident_and_the_department_is_known() {
        let on = Settings {
            auto_dispatch: true,
            threshold: 0.8,
        };
        let many = |_: &str| MIN_DEPARTMENT_CASES;
        let sure = [suggestion("3", 0.85), suggestion("4", 0.1)];
        assert_eq!(
            auto_dispatch(&on, &sure, MIN_CASES, many).map(|s| s.label.as_str()),
            Some("3")
        );
        let off = Settings::default();
        assert!(auto_dispatch(&off, &sure, MIN_CASES, many).is_none());
        assert!(auto_dispatch(&on, &sure, MIN_CASES - 1, many).is_none());
        assert!(auto_dispatch(&on, &[suggestion("3", 0.79)], MIN_CASES, many).is_none());
        assert!(auto_dispatch(&on, &sure, MIN_CASES, |_| MIN_DEPARTMENT_CASES - 1).is_none());
        assert!(auto_dispatch(&on, &[], MIN_CASES, many).is_none());
    }

    #[test]
    fn a_pick_the_model_ranks_among_its_three_is_left_alone() {
        let ranked = || {
            vec![
                suggestion("street_stall", 0.8),
                suggestion("parking", 0.15),
                suggestion("garbage", 0.05),
            ]
        };
        let offered = |_: &str| true;
        let pointed = |pick, cases, offered: &dyn Fn(&str) -> bool| {
            looks_like(ranked(), pick, cases, offered).map(|s| s.label)
        };
        assert_eq!(
            pointed("noise", MIN_CASES, &offered).as_deref(),
            Some("street_stall")
        );
        assert_eq!(pointed("garbage", MIN_CASES, &offered), None);
        assert_eq!(pointed("street_stall", MIN_CASES, &offered), None);
        assert_eq!(pointed("noise", MIN_CASES - 1, &offered), None);
        assert_eq!(pointed("noise", MIN_CASES, &|c| c != "street_stall"), None);
        // Among the three but all but ruled out: still pointed out.
        let nearly_all = vec![
            suggestion("street_stall", 0.97),
            suggestion("noise", MIN_PLAUSIBLE / 2.0),
        ];
        assert_eq!(
            looks_like(nearly_all, "noise", MIN_CASES, offered)
                .map(|s| s.label)
                .as_deref(),
            Some("street_stall")
        );
        let unsure = vec![suggestion("street_stall", 0.49)];
        assert!(looks_like(unsure, "noise", MIN_CASES, offered).is_none());
    }

    #[test]
    fn the_threshold_has_its_range() {
        let at = |threshold| Settings {
            auto_dispatch: true,
            threshold,
        };
        assert!(Settings::default().check().is_ok());
        assert!(at(MIN_THRESHOLD).check().is_ok());
        assert!(at(MAX_THRESHOLD).check().is_ok());
        for wrong in [0.49, 1.0, f64::NAN] {
            assert_eq!(
                at(wrong).check().unwrap_err().field.as_deref(),
                Some("threshold")
            );
        }
    }

    #[test]
    fn the_triage_holds_a_case_until_someone_moves_it() {
        let by = |steps: &[(&'static str, &'static str)]| dispatched_by_triage(steps.to_vec());
        let auto = [
            ("report", "resident"),
            ("accept", "triage"),
            ("dispatch", "triage"),
        ];
        assert!(by(&auto));
        assert!(by(
            &[&auto[..], &[("sign_for", "department_staff:3")]].concat()
        ));
        assert!(!by(
            &[&auto[..], &[("transfer", "command_centre:1")]].concat()
        ));
        assert!(!by(
            &[&auto[..], &[("undo_triage", "command_centre:1")]].concat()
        ));
        assert!(!by(&[("dispatch", "command_centre:1")]));
        assert!(!by(&[("dispatch", "system:routing")]));
        assert!(!by(&[("report", "resident")]));
    }
}
