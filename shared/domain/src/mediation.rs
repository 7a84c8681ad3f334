//! The mediation centre (矛调中心, "信访超市"): disputes and petitions taken
//! in at one window and mediated by a lead department with any assisting
//! ones.
//!
//! A dispute is a case of the one case model (`CaseSource::Mediation`)
//! filed under its kind's category, so deadlines, escalation, timelines and
//! dashboards are the tenant's ordinary ones. What only a dispute has —
//! its parties, sessions and outcome — is checked here; the parties'
//! details are for the centre alone and never reach `publication`.

use crate::Problem;
use crate::case_kind::{CaseKind, one_of};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The kinds of dispute the centre takes in. Each files under its own
/// catalogue category (`mediation_<kind>`), created with the kind's default
/// deadlines the first time it is used; the tenant admin may then change its
/// hours, give it a default department, or retire it like any category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeKind {
    Family,
    Neighbourhood,
    Labour,
    Land,
    Property,
    Contract,
    Traffic,
    Medical,
    Expropriation,
    Petition,
    Other,
}

impl DisputeKind {
    pub fn parse(s: &str) -> Result<Self, Problem> {
        one_of(Self::ALL, Self::as_str, s, "kind", "kind of dispute")
    }
}

impl CaseKind for DisputeKind {
    const ALL: &'static [DisputeKind] = &[
        Self::Family,
        Self::Neighbourhood,
        Self::Labour,
        Self::Land,
        Self::Property,
        Self::Contract,
        Self::Traffic,
        Self::Medical,
        Self::Expropriation,
        Self::Petition,
        Self::Other,
    ];

    fn as_str(self) -> &'static str {
        match self {
            Self::Family => "family",
            Self::Neighbourhood => "neighbourhood",
            Self::Labour => "labour",
            Self::Land => "land",
            Self::Property => "property",
            Self::Contract => "contract",
            Self::Traffic => "traffic",
            Self::Medical => "medical",
            Self::Expropriation => "expropriation",
            Self::Petition => "petition",
            Self::Other => "other",
        }
    }

    fn name_zh(self) -> &'static str {
        match self {
            Self::Family => "婚姻家庭纠纷",
            Self::Neighbourhood => "邻里纠纷",
            Self::Labour => "劳动争议",
            Self::Land => "土地山林纠纷",
            Self::Property => "物业纠纷",
            Self::Contract => "合同债务纠纷",
            Self::Traffic => "交通事故纠纷",
            Self::Medical => "医疗纠纷",
            Self::Expropriation => "征地拆迁纠纷",
            Self::Petition => "信访事项",
            Self::Other => "其他矛盾纠纷",
        }
    }

    fn name_en(self) -> &'static str {
        match self {
            Self::Family => "Family dispute",
            Self::Neighbourhood => "Neighbourhood dispute",
            Self::Labour => "Labour dispute",
            Self::Land => "Land dispute",
            Self::Property => "Property management dispute",
            Self::Contract => "Contract or debt dispute",
            Self::Traffic => "Traffic accident dispute",
            Self::Medical => "Medical dispute",
            Self::Expropriation => "Expropriation dispute",
            Self::Petition => "Petition",
            Self::Other => "Other dispute",
        }
    }

    /// The catalogue category the kind files under.
    fn category_code(self) -> String {
        format!("mediation_{}", self.as_str())
    }

    /// Default (response, resolution) working hours: a day to take the
    /// dispute up; a petition must be answered within 60 days and a
    /// people's mediation should end within 30 (counted here as working
    /// days of 7.5 hours, the default working day).
    fn default_hours(self) -> (u32, u32) {
        match self {
            Self::Petition => (8, 60 * 15 / 2),
            _ => (8, 30 * 15 / 2),
        }
    }
}

/// Which side of the dispute a party is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Applicant,
    Respondent,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applicant => "applicant",
            Self::Respondent => "respondent",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "applicant" => Ok(Self::Applicant),
            "respondent" => Ok(Self::Respondent),
            _ => Err(Problem::validation(
                "side",
                "side is applicant or respondent",
            )),
        }
    }
}

/// A person or a company (or another organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    Person,
    Organisation,
}

impl PartyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "person" => Ok(Self::Person),
            "organisation" => Ok(Self::Organisation),
            _ => Err(Problem::validation(
                "kind",
                "a party is a person or an organisation",
            )),
        }
    }
}

/// One party as the window takes it down. Contact details are the centre's
/// alone: they are stored apart from the case and never published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub side: Side,
    pub kind: PartyKind,
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
}

/// At most this many parties per side (a collective labour dispute may have
/// dozens of workers; they usually choose representatives).
pub const MAX_PARTIES_PER_SIDE: usize = 50;

/// Checks the parties of a dispute: both sides present, names given,
/// contact details plausible. Errors name the party's index, e.g.
/// `parties[2].phone`.
pub fn check_parties(parties: &[Party]) -> Result<(), Problem> {
    for (i, party) in parties.iter().enumerate() {
        let field = |name: &str| format!("parties[{i}].{name}");
        crate::limits::PARTY_NAME.check_at(&field("name"), &party.name)?;
        if let Some(phone) = &party.phone {
            crate::phone::any(phone).map_err(|p| p.with_field(field("phone")))?;
        }
        if let Some(address) = &party.address
            && address.chars().count() > crate::limits::PARTY_ADDRESS_MAX_CHARS
        {
            return Err(Problem::validation(
                field("address"),
                format!(
                    "an address is at most {} characters",
                    crate::limits::PARTY_ADDRESS_MAX_CHARS
                ),
            ));
        }
    }
    for side in [Side::Applicant, Side::Respondent] {
        let count = parties.iter().filter(|p| p.side == side).count();
        if count == 0 {
            return Err(Problem::validation(
                "parties",
                format!("a dispute needs at least one {}", side.as_str()),
            ));
        }
        if count > MAX_PARTIES_PER_SIDE {
            return Err(Problem::validation(
                "parties",
                format!(
                    "at most {MAX_PARTIES_PER_SIDE} {}s: name representatives",
                    side.as_str()
                ),
            ));
        }
    }
    Ok(())
}

/// A telephone number as people write it: mobile or landline, with an area
/// code, spaces, hyphens, a leading `+`, an extension in parentheses.
/// The largest amount in dispute, in yuan: a trillion.
pub const MAX_AMOUNT_YUAN: f64 = 1e12;

/// A yuan is a hundred fen, the smallest amount.
pub const FEN_PER_YUAN: f64 = 100.0;

/// An amount in dispute, in fen (分), so that money is never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(i64);

impl Amount {
    /// From yuan as sent on the wire (`12000.5`): at most two decimals,
    /// not negative, at most [`MAX_AMOUNT_YUAN`].
    pub fn from_yuan(yuan: f64) -> Result<Amount, Problem> {
        let invalid = |detail: &str| Problem::validation("amount_in_dispute", detail);
        if !yuan.is_finite() || yuan < 0.0 {
            return Err(invalid(
                "the amount in dispute is a sum of yuan, not negative",
            ));
        }
        if yuan > MAX_AMOUNT_YUAN {
            return Err(invalid("the amount in dispute is implausibly large"));
        }
        let fen = (yuan * FEN_PER_YUAN).round();
        if (fen - yuan * FEN_PER_YUAN).abs() > 1e-6 * fen.max(1.0) {
            return Err(invalid(
                "the amount in dispute has at most two decimals (fen)",
            ));
        }
        Ok(Amount(fen as i64))
    }

    pub fn from_fen(fen: i64) -> Amount {
        Amount(fen)
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    pub fn yuan(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// How a dispute ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// 调解成功: the parties signed an agreement.
    Agreement,
    /// 申请司法确认: an agreement the parties take to court to make enforceable.
    JudicialConfirmation,
    /// 引导诉讼: mediation failed; the parties are referred to the courts.
    Litigation,
    /// 撤回: the applicant withdrew.
    Withdrawn,
    /// 不予受理: not a matter the centre takes up.
    NotAccepted,
}

impl OutcomeKind {
    pub const ALL: [OutcomeKind; 5] = [
        Self::Agreement,
        Self::JudicialConfirmation,
        Self::Litigation,
        Self::Withdrawn,
        Self::NotAccepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Agreement => "agreement",
            Self::JudicialConfirmation => "judicial_confirmation",
            Self::Litigation => "litigation",
            Self::Withdrawn => "withdrawn",
            Self::NotAccepted => "not_accepted",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        one_of(&Self::ALL, Self::as_str, s, "outcome", "outcome")
    }

    /// What the public timeline says (the resolution's answer): the kind of
    /// ending, never its text, which names the parties.
    pub fn public_label(self) -> &'static str {
        match self {
            Self::Agreement => "调解成功，当事人达成调解协议",
            Self::JudicialConfirmation => "达成调解协议，已申请司法确认",
            Self::Litigation => "调解未成，已引导通过诉讼解决",
            Self::Withdrawn => "申请人撤回",
            Self::NotAccepted => "不予受理",
        }
    }

    /// Counted as resolved (化解) in the centre's figures: the dispute ended
    /// in an agreement, whether or not a court then confirms it.
    pub fn is_resolved(self) -> bool {
        matches!(self, Self::Agreement | Self::JudicialConfirmation)
    }

    /// The field whose text this outcome cannot do without, if any.
    fn required_text(self) -> Option<&'static str> {
        match self {
            // A judicial confirmation confirms an agreement: its text too.
            Self::Agreement | Self::JudicialConfirmation => Some("the agreement's text"),
            Self::NotAccepted => Some("the reason it is not accepted"),
            Self::Litigation | Self::Withdrawn => None,
        }
    }

    /// Whether the outcome ends a dispute the centre took up (the case is
    /// resolved and closed) rather than refusing it at the door (declined).
    pub fn ends_handling(self) -> bool {
        self != Self::NotAccepted
    }
}

/// The longest text of an outcome (an agreement's, a reason's).
pub const MAX_OUTCOME_TEXT_CHARS: usize = 20_000;

/// An outcome with its text, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    kind: OutcomeKind,
    text: Option<String>,
}

impl Outcome {
    /// Refuses an outcome without the text it needs (400 naming `text`).
    pub fn new(kind: OutcomeKind, text: Option<&str>) -> Result<Outcome, Problem> {
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        if let (Some(what), None) = (kind.required_text(), text) {
            return Err(Problem::validation(
                "text",
                format!("a '{}' outcome needs {what}", kind.as_str()),
            ));
        }
        if text.is_some_and(|t| t.chars().count() > MAX_OUTCOME_TEXT_CHARS) {
            return Err(Problem::validation(
                "text",
                format!("the text is at most {MAX_OUTCOME_TEXT_CHARS} characters"),
            ));
        }
        Ok(Outcome {
            kind,
            text: text.map(str::to_string),
        })
    }

    pub fn kind(&self) -> OutcomeKind {
        self.kind
    }

    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }
}

/// A mediation session: scheduled, then recorded once held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub held_at: DateTime<Utc>,
    /// Who took part (names and roles, as the minutes list them).
    pub participants: Vec<String>,
    /// What was agreed, if anything.
    pub agreed: Option<String>,
}

/// The most people a session's record names.
pub const MAX_PARTICIPANTS: usize = 100;
/// The longest name in a session's record, in characters.
pub const MAX_PARTICIPANT_CHARS: usize = 200;

/// Checks a session's record: someone took part, and it was not held in the
/// future or before the dispute was taken in.
pub fn check_session_record(
    record: &SessionRecord,
    taken_in: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    if record.participants.iter().all(|p| p.trim().is_empty()) {
        return Err(Problem::validation(
            "participants",
            "a session record names who took part",
        ));
    }
    if record.participants.len() > MAX_PARTICIPANTS
        || record
            .participants
            .iter()
            .any(|p| p.chars().count() > MAX_PARTICIPANT_CHARS)
    {
        return Err(Problem::validation(
            "participants",
            format!(
                "at most {MAX_PARTICIPANTS} participants of {MAX_PARTICIPANT_CHARS} characters each"
            ),
        ));
    }
    // Against the clock and the dispute's intake: beyond the API document.
    if record.held_at > now {
        return Err(Problem::unprocessable(
            "held_at",
            "a session is recorded once it was held, not before",
        ));
    }
    check_not_before_intake("held_at", record.held_at, taken_in)
}

/// What the case's history says of a session put in the diary, for the
/// people who read it: when, in the tenant's local time
/// (`调解会议安排于 2026年11月27日 18:09`).
pub fn scheduled_note(scheduled_for: DateTime<Utc>, zone: FixedOffset) -> String {
    let local = scheduled_for.with_timezone(&zone);
    format!("调解会议安排于 {}", local.format("%Y年%-m月%-d日 %H:%M"))
}

/// A session cannot be scheduled or held before the dispute was taken in.
pub fn check_not_before_intake(
    field: &str,
    at: DateTime<Utc>,
    taken_in: DateTime<Utc>,
) -> Result<(), Problem> {
    if at < taken_in {
        Err(Problem::unprocessable(
            field,
            "this is before the dispute was taken in",
        ))
    } else {
        Ok(())
    }
}

/// One dispute as the figures count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeFact {
    pub kind: DisputeKind,
    /// The lead department's id, once assigned.
    pub department: Option<i64>,
    /// The tenant's local date of intake.
    pub taken_in_on: NaiveDate,
    pub outcome: Option<OutcomeKind>,
}

/// Taken in, resolved, and the resolution rate (化解率).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub taken_in: u64,
    pub resolved: u64,
    /// resolved ÷ taken in; `None` when nothing was taken in.
    pub resolution_rate: Option<f64>,
}

impl Tally {
    fn add(&mut self, fact: &DisputeFact) {
        self.taken_in += 1;
        if fact.outcome.is_some_and(OutcomeKind::is_resolved) {
            self.resolved += 1;
        }
        self.resolution_rate = Some(self.resolved as f64 / self.taken_in as f64);
    }
}

/// The centre's figures, as the report gives them: in all, by kind, by lead
/// department, by month of intake (`YYYY-MM`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MediationFigures {
    pub total: Tally,
    pub by_kind: BTreeMap<DisputeKind, Tally>,
    /// Keyed by department id; disputes not yet assigned are left out.
    pub by_department: BTreeMap<i64, Tally>,
    pub by_month: BTreeMap<String, Tally>,
}

impl MediationFigures {
    pub fn count(facts: &[DisputeFact]) -> MediationFigures {
        let mut figures = MediationFigures::default();
        for fact in facts {
            figures.total.add(fact);
            figures.by_kind.entry(fact.kind).or_default().add(fact);
            if let Some(department) = fact.department {
                figures
                    .by_department
                    .entry(department)
                    .or_default()
                    .add(fact);
            }
            let month = fact.taken_in_on.format("%Y-%m").to_string();
            figures.by_month.entry(month).or_default().add(fact);
        }
        figures
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_scheduled_session_is_noted_in_local_time() {
        fn check(utc: &str, zone: &str, expected: &str) {
            let at = DateTime::parse_from_rfc3339(utc).expect("time").to_utc();
            let zone = crate::deadline::zone_offset(zone).expect("zone");
            assert_eq!(scheduled_note(at, zone), expected, "{utc} in {zone}");
        }
        check(
            "2026-11-27T10:09:00+00:00",
            "Asia/Shanghai",
            "调解会议安排于 2026年11月27日 18:09",
        );
        // The local day, not the UTC one.
        check(
            "2026-11-27T16:30:59+00:00",
            "Asia/Shanghai",
            "调解会议安排于 2026年11月28日 00:30",
        );
        check(
            "2026-01-05T01:02:00+00:00",
            "UTC",
            "调解会议安排于 2026年1月5日 01:02",
        );
        check(
            "2026-03-01T02:00:00+00:00",
            "Asia/Urumqi",
            "调解会议安排于 2026年3月1日 08:00",
        );
    }

    fn party(side: Side, name: &str, phone: Option<&str>) -> Party {
        Party {
            side,
            kind: PartyKind::Person,
            name: name.into(),
            phone: phone.map(str::to_string),
            address: None,
        }
    }

    fn check(parties: &[Party], field: Option<&str>) {
        let result = check_parties(parties);
        assert_eq!(
            result.as_ref().err().and_then(|p| p.field.as_deref()),
            field,
            "{result:?}"
        );
    }

    #[test]
    fn parties_need_both_sides_names_and_plausible_phones() {
        let a = party(Side::Applicant, "张三", Some("138 0000 0001"));
        let r = party(Side::Respondent, "某建筑公司", Some("0571-8888 1234"));
        check(&[a.clone(), r.clone()], None);
        check(std::slice::from_ref(&a), Some("parties"));
        check(std::slice::from_ref(&r), Some("parties"));
        check(
            &[a.clone(), party(Side::Respondent, " ", None)],
            Some("parties[1].name"),
        );
        check(
            &[a.clone(), party(Side::Respondent, "李四", Some("call me"))],
            Some("parties[1].phone"),
        );
        check(
            &[a.clone(), party(Side::Respondent, "李四", Some("12"))],
            Some("parties[1].phone"),
        );
        let many = vec![a; MAX_PARTIES_PER_SIDE + 1];
        check(&[many, vec![r]].concat(), Some("parties"));
    }

    #[test]
    fn amounts_are_whole_fen() {
        assert_eq!(Amount::from_yuan(12000.5).map(Amount::fen), Ok(1_200_050));
        assert_eq!(Amount::from_yuan(0.0).map(Amount::fen), Ok(0));
        assert_eq!(Amount::from_yuan(19.99).map(Amount::fen), Ok(1999));
        for bad in [-1.0, 0.001, f64::NAN, f64::INFINITY, 1e13] {
            let p = Amount::from_yuan(bad).expect_err("refused");
            assert_eq!(p.field.as_deref(), Some("amount_in_dispute"), "{bad}");
        }
        assert_eq!(Amount::from_fen(1999).yuan(), 19.99);
    }

    #[test]
    fn outcomes_carry_the_text_they_need() {
        use OutcomeKind as K;
        for (kind, text, ok) in [
            (K::Agreement, None, false),
            (K::Agreement, Some("  "), false),
            (K::Agreement, Some("双方同意分期支付"), true),
            (K::JudicialConfirmation, None, false),
            (K::JudicialConfirmation, Some("协议全文"), true),
            (K::NotAccepted, None, false),
            (K::NotAccepted, Some("属法院已受理案件"), true),
            (K::Litigation, None, true),
            (K::Withdrawn, None, true),
        ] {
            let result = Outcome::new(kind, text);
            assert_eq!(result.is_ok(), ok, "{kind:?} {text:?}");
            if let Err(p) = result {
                assert_eq!(p.field.as_deref(), Some("text"));
                assert_eq!(p.status(), 400);
            }
        }
        let outcome = Outcome::new(K::Agreement, Some(" 分期支付 ")).expect("valid");
        assert_eq!(outcome.text(), Some("分期支付"));
        for kind in K::ALL {
            assert_eq!(K::parse(kind.as_str()), Ok(kind));
        }
        assert!(K::parse("settled").is_err());
    }

    #[test]
    fn session_records_are_held_in_the_past_after_intake() {
        let taken_in = Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 3, 10, 1, 0, 0).unwrap();
        let record = |held_at, participants: &[&str]| SessionRecord {
            held_at,
            participants: participants.iter().map(|p| p.to_string()).collect(),
            agreed: None,
        };
        let field = |r: &SessionRecord| {
            check_session_record(r, taken_in, now)
                .err()
                .and_then(|p| p.field)
        };
        assert_eq!(field(&record(now, &["调解员王五", "张三"])), None);
        assert_eq!(field(&record(now, &[" "])).as_deref(), Some("participants"));
        assert_eq!(
            field(&record(now + chrono::Duration::hours(1), &["张三"])).as_deref(),
            Some("held_at")
        );
        assert_eq!(
            field(&record(taken_in - chrono::Duration::days(1), &["张三"])).as_deref(),
            Some("held_at")
        );
    }

    #[test]
    fn figures_count_agreements_as_resolved() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let fact = |kind, department, on, outcome| DisputeFact {
            kind,
            department,
            taken_in_on: on,
            outcome,
        };
        use OutcomeKind as O;
        let facts = [
            fact(DisputeKind::Labour, Some(1), day(1, 5), Some(O::Agreement)),
            fact(
                DisputeKind::Labour,
                Some(2),
                day(1, 31),
                Some(O::JudicialConfirmation),
            ),
            fact(DisputeKind::Labour, Some(1), day(2, 1), Some(O::Litigation)),
            fact(DisputeKind::Family, None, day(2, 3), None),
            fact(DisputeKind::Family, Some(1), day(2, 4), Some(O::Withdrawn)),
        ];
        let f = MediationFigures::count(&facts);
        assert_eq!(f.total.taken_in, 5);
        assert_eq!(f.total.resolved, 2);
        assert_eq!(f.total.resolution_rate, Some(0.4));
        assert_eq!(f.by_kind[&DisputeKind::Labour].resolved, 2);
        assert_eq!(f.by_kind[&DisputeKind::Family].resolution_rate, Some(0.0));
        assert_eq!(f.by_department[&1].taken_in, 3);
        assert_eq!(f.by_department[&2].resolved, 1);
        assert_eq!(f.by_department.len(), 2, "unassigned disputes are left out");
        assert_eq!(f.by_month["2026-01"].resolved, 2);
        assert_eq!(f.by_month["2026-02"].taken_in, 3);
        assert_eq!(MediationFigures::count(&[]).total.resolution_rate, None);
    }

    #[test]
    fn the_report_figures_come_out_as_reported() {
        // 1,013 taken in, 996 resolved: 98.3%.
        let on = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let facts: Vec<_> = (0..1013)
            .map(|i| DisputeFact {
                kind: DisputeKind::Neighbourhood,
                department: Some(1),
                taken_in_on: on,
                outcome: Some(if i < 996 {
                    OutcomeKind::Agreement
                } else {
                    OutcomeKind::Litigation
                }),
            })
            .collect();
        let rate = MediationFigures::count(&facts)
            .total
            .resolution_rate
            .unwrap();
        assert_eq!((rate * 1000.0).round() / 10.0, 98.3);
    }

    #[test]
    fn kinds_have_their_categories() {
        for &kind in DisputeKind::ALL {
            assert_eq!(DisputeKind::parse(kind.as_str()), Ok(kind));
            assert!(crate::Code::parse(&kind.category_code()).is_ok());
            let (response, resolution) = kind.default_hours();
            assert!(0 < response && response <= resolution);
        }
        assert_eq!(DisputeKind::Labour.category_code(), "mediation_labour");
    }
}
