//! Kinds of case that come with their own side tables (disputes, agent
//! matters): each kind has a wire name, names in both languages and the
//! catalogue category it files under, and is read from a closed list.

use crate::Problem;
use crate::agent::MatterKind;
use crate::case::CaseSource;
use crate::enterprise::RequestKind;
use crate::mediation::DisputeKind;

/// A kind of dispute or agent matter.
pub trait CaseKind: Copy + 'static {
    /// Every kind, in the order lists show them.
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn name_zh(self) -> &'static str;
    fn name_en(self) -> &'static str;
    /// The catalogue category the kind files under (created on first use).
    fn category_code(self) -> String;
    /// Default (response, resolution) working hours of that category.
    fn default_hours(self) -> (u32, u32);
}

/// The source whose kinds file under category `code`, if one does: such a
/// category is taken in only through its own desk (the enterprise portal,
/// the mediation window, an agent point), so it is neither offered to
/// residents and 311 clients nor accepted from them.
pub fn reserved_for(code: &str) -> Option<CaseSource> {
    fn files_under<K: CaseKind>(code: &str) -> bool {
        K::ALL.iter().any(|k| k.category_code() == code)
    }
    if files_under::<RequestKind>(code) {
        Some(CaseSource::Enterprise)
    } else if files_under::<DisputeKind>(code) {
        Some(CaseSource::Mediation)
    } else if files_under::<MatterKind>(code) {
        Some(CaseSource::Agent)
    } else {
        None
    }
}

/// The member of `all` whose `name` is `s`; otherwise a 400 on `field`
/// saying what `what` may be.
pub(crate) fn one_of<K: Copy>(
    all: &[K],
    name: fn(K) -> &'static str,
    s: &str,
    field: &str,
    what: &str,
) -> Result<K, Problem> {
    all.iter().copied().find(|k| name(*k) == s).ok_or_else(|| {
        let known: Vec<_> = all.iter().map(|k| name(*k)).collect();
        Problem::validation(
            field,
            format!("unknown {what}; one of {}", known.join(", ")),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_desk_reserves_its_own_categories() {
        assert_eq!(
            reserved_for(RequestKind::PolicyInquiry.category_code()),
            Some(CaseSource::Enterprise)
        );
        assert_eq!(
            reserved_for(&DisputeKind::ALL[0].category_code()),
            Some(CaseSource::Mediation)
        );
        assert_eq!(
            reserved_for(&MatterKind::ALL[0].category_code()),
            Some(CaseSource::Agent)
        );
        assert_eq!(reserved_for("road_damage"), None);
        assert_eq!(reserved_for("mediation_"), None);
    }

    #[test]
    fn names_the_choices() {
        let name = |b: bool| if b { "yes" } else { "no" };
        assert_eq!(
            one_of(&[true, false], name, "no", "answer", "answer"),
            Ok(false)
        );
        let p = one_of(&[true, false], name, "maybe", "answer", "answer").expect_err("unknown");
        assert_eq!(p.field.as_deref(), Some("answer"));
        assert_eq!(p.detail, "unknown answer; one of yes, no");
    }
}
