//! Enterprise services (企业服务): the unified social credit code that
//! identifies a company, the kinds of request a company makes, and the
//! rules for turning a department's answer into public knowledge.
//!
//! Each request is a case of the one case model (`CaseSource::Enterprise`);
//! its kind names the catalogue category it is filed under, so routing
//! rules and deadlines are the tenant's ordinary ones.

use crate::Problem;
use crate::publication::{MASK, MASKED_NAME, Redactor};
use serde::Serialize;

/// The 31 characters of GB 32100-2015, in value order (no I, O, S, V, Z).
const CREDIT_CODE_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weight of each of the first 17 characters: 3^i mod 31.
const CREDIT_CODE_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const CREDIT_CODE_FIELD: &str = "credit_code";

/// A unified social credit code (统一社会信用代码), valid by construction:
/// 18 characters of the standard's alphabet whose last one is the check
/// character of the first 17.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

impl CreditCode {
    /// Reads a code leniently (surrounding spaces, lower case) and checks it.
    pub fn parse(raw: &str) -> Result<CreditCode, Problem> {
        let code = raw.trim().to_ascii_uppercase();
        let values: Vec<u32> = code
            .chars()
            .map(|c| CREDIT_CODE_ALPHABET.find(c).map(|i| i as u32))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                Problem::validation(
                    CREDIT_CODE_FIELD,
                    "a unified social credit code uses only digits and the letters \
                     A-H, J-N, P-R, T, U, W-Y",
                )
            })?;
        if values.len() != 18 {
            return Err(Problem::validation(
                CREDIT_CODE_FIELD,
                format!(
                    "a unified social credit code has 18 characters, not {}",
                    values.len()
                ),
            ));
        }
        let expected = check_value(&values[..17]);
        if values[17] != expected {
            // A check digit is beyond what the API document can state.
            return Err(Problem::unprocessable(
                CREDIT_CODE_FIELD,
                "the unified social credit code's check character (the 18th) does not match \
                 the first 17: check the code for a typing mistake",
            ));
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What [`CreditCode::parse`] takes before it checks the check character:
/// 18 characters of the alphabet, either case, spaces around.
pub fn credit_code_pattern() -> String {
    crate::limits::surrounded_by_white_space("[0-9A-HJ-NP-RTUW-Ya-hj-np-rtuw-y]{18}")
}

/// The check character's value for the first 17 characters' values.
fn check_value(values: &[u32]) -> u32 {
    let sum: u32 = values
        .iter()
        .zip(CREDIT_CODE_WEIGHTS)
        .map(|(v, w)| v * w)
        .sum();
    (31 - sum % 31) % 31
}

/// Where a registered company stands with the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseStatus {
    /// Registered, waiting for a tenant admin or a department; its users
    /// cannot log in yet.
    Pending,
    Approved,
    Rejected,
}

impl EnterpriseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "pending" => Ok(Self::Pending),
            "approved" => Ok(Self::Approved),
            "rejected" => Ok(Self::Rejected),
            _ => Err(Problem::validation(
                "status",
                "status is one of pending, approved, rejected",
            )),
        }
    }

    /// Only a pending registration is decided; a decision is final.
    pub fn decide(self, approve: bool) -> Result<Self, Problem> {
        match (self, approve) {
            (Self::Pending, true) => Ok(Self::Approved),
            (Self::Pending, false) => Ok(Self::Rejected),
            (done, _) => Err(Problem::conflict(format!(
                "this registration was already decided: {}",
                done.as_str()
            ))),
        }
    }
}

/// What an enterprise may ask for. Each kind is filed under its own
/// category of the tenant's catalogue ([`RequestKind::category_code`]):
/// routing rules and deadlines are set there like any other category's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// 政策咨询: answered in writing; the answer may become a public Q&A.
    PolicyInquiry,
    /// 执法登记: a company registers a law-enforcement visit or inspection.
    EnforcementRegistration,
    /// 第三方服务: the company asks for a third-party service.
    ThirdPartyService,
    /// 投诉.
    Complaint,
}

impl RequestKind {
    pub const ALL: [RequestKind; 4] = [
        Self::PolicyInquiry,
        Self::EnforcementRegistration,
        Self::ThirdPartyService,
        Self::Complaint,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PolicyInquiry => "policy_inquiry",
            Self::EnforcementRegistration => "enforcement_registration",
            Self::ThirdPartyService => "third_party_service",
            Self::Complaint => "complaint",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Problem::validation(
                    "kind",
                    "kind is one of policy_inquiry, enforcement_registration, \
                     third_party_service, complaint",
                )
            })
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::PolicyInquiry => "政策咨询",
            Self::EnforcementRegistration => "执法登记",
            Self::ThirdPartyService => "第三方服务",
            Self::Complaint => "企业投诉",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::PolicyInquiry => "Policy inquiry",
            Self::EnforcementRegistration => "Law-enforcement registration",
            Self::ThirdPartyService => "Third-party service",
            Self::Complaint => "Enterprise complaint",
        }
    }

    /// The catalogue category a request of this kind is filed under.
    pub fn category_code(self) -> &'static str {
        match self {
            Self::PolicyInquiry => "enterprise_policy_inquiry",
            Self::EnforcementRegistration => "enterprise_enforcement_registration",
            Self::ThirdPartyService => "enterprise_third_party_service",
            Self::Complaint => "enterprise_complaint",
        }
    }

    /// Working hours to respond and to resolve when the tenant has not set
    /// the category up itself: a registration is acknowledged within a
    /// working day and done in three; an inquiry or complaint answered
    /// within five; a service arranged within ten.
    pub fn default_hours(self) -> (u32, u32) {
        match self {
            Self::PolicyInquiry => (8, 40),
            Self::EnforcementRegistration => (8, 24),
            Self::ThirdPartyService => (16, 80),
            Self::Complaint => (8, 40),
        }
    }
}

/// Enterprise requests file under their own categories like the other
/// kinds of case with side tables, through the same store code.
impl crate::case_kind::CaseKind for RequestKind {
    const ALL: &'static [Self] = &Self::ALL;
    fn as_str(self) -> &'static str {
        RequestKind::as_str(self)
    }
    fn name_zh(self) -> &'static str {
        RequestKind::name_zh(self)
    }
    fn name_en(self) -> &'static str {
        RequestKind::name_en(self)
    }
    fn category_code(self) -> String {
        RequestKind::category_code(self).to_string()
    }
    fn default_hours(self) -> (u32, u32) {
        RequestKind::default_hours(self)
    }
}

/// What a published answer must not name: the company (as it registered,
/// and its credit code) and its people: the company an inquiry came from,
/// or the one staff name for an answer they write directly.
#[derive(Debug, Clone, Default)]
pub struct InquiryParties {
    pub enterprise_name: String,
    pub credit_code: String,
    /// The enterprise's contact and users, by name.
    pub people: Vec<String>,
    pub phones: Vec<String>,
}

/// What the enterprise's name becomes in a published answer.
pub const MASKED_ENTERPRISE: &str = "某企业";

/// Removes the inquiring parties from text about to be published: the
/// company's name and credit code, its people's names and phones, and (as
/// for any published text) every long digit run and e-mail address.
/// Longer names first, so that a person's name inside the company's name
/// does not break the company's mask. Each is found as people type it
/// (see [`replace_as_typed`]): `星河科技(杭州)有限公司` is the registered
/// `星河科技（杭州）有限公司`, and a credit code in lower case is the code.
pub fn anonymise(text: &str, parties: &InquiryParties) -> String {
    let mut known: Vec<(&str, &str)> = Vec::new();
    known.push((parties.enterprise_name.trim(), MASKED_ENTERPRISE));
    known.push((parties.credit_code.trim(), MASK));
    known.extend(parties.people.iter().map(|p| (p.trim(), MASKED_NAME)));
    known.extend(parties.phones.iter().map(|p| (p.trim(), MASK)));
    // One character is too common to mask without mangling the text.
    known.retain(|(k, _)| k.chars().count() >= 2);
    known.sort_by_key(|(k, _)| std::cmp::Reverse(k.chars().count()));
    let mut out = text.to_string();
    for (k, mask) in known {
        out = replace_as_typed(&out, k, mask);
    }
    Redactor::default().redact(&out)
}

/// Replaces every occurrence of `known` in `text` with `mask`, comparing
/// characters as typed: full-width forms (`（`, `Ａ`, `１`) as their ASCII
/// counterparts, and ASCII letters in either case. Each character folds to
/// one character, so a match in the folded text is one in the original.
fn replace_as_typed(text: &str, known: &str, mask: &str) -> String {
    fn fold(c: char) -> char {
        let ascii = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
        ascii.to_ascii_lowercase()
    }
    let pattern: Vec<char> = known.chars().map(fold).collect();
    if pattern.is_empty() {
        return text.to_string();
    }
    let original: Vec<char> = text.chars().collect();
    let folded: Vec<char> = original.iter().copied().map(fold).collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < original.len() {
        if folded[at..].starts_with(&pattern) {
            out.push_str(mask);
            at += pattern.len();
        } else {
            out.push(original[at]);
            at += 1;
        }
    }
    out
}

/// The longest search text read; the rest is ignored, never refused.
pub const MAX_SEARCH_CHARS: usize = 200;
/// At most this many terms of a search are used.
pub const MAX_SEARCH_TERMS: usize = 8;
/// At most this many trigrams of a question are compared with answers.
pub const MAX_QUESTION_TRIGRAMS: usize = 24;

/// The terms of what a user typed into a search box: split at white space
/// (ASCII and the ideographic space), duplicates dropped, capped. Whatever
/// the input, this returns a (possibly empty) list and never fails: how a
/// term is matched safely is the store's job.
pub fn search_terms(typed: &str) -> Vec<String> {
    let typed: String = typed.chars().take(MAX_SEARCH_CHARS).collect();
    let mut terms: Vec<String> = Vec::new();
    // Control characters (NUL among them, which FTS5 cannot take in a
    // query) separate terms like spaces: they are never what is sought.
    for term in typed.split(|c: char| c.is_whitespace() || c.is_control() || c == '\u{3000}') {
        if !term.is_empty() && !terms.iter().any(|t| t == term) {
            terms.push(term.to_string());
        }
        if terms.len() == MAX_SEARCH_TERMS {
            break;
        }
    }
    terms
}

/// The distinct three-character windows of a question's words, for "the
/// closest published answers": Chinese has no spaces between words, so a
/// question is compared by the character trigrams it shares with answers
/// (the same unit SQLite's trigram tokenizer indexes). Punctuation and
/// spaces split words; a word shorter than three characters is skipped.
pub fn question_trigrams(question: &str) -> Vec<String> {
    let text: String = question.chars().take(MAX_SEARCH_CHARS * 2).collect();
    let mut trigrams: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = word.chars().collect();
        for window in chars.windows(3) {
            let trigram: String = window.iter().collect::<String>().to_lowercase();
            if !trigrams.contains(&trigram) {
                trigrams.push(trigram);
            }
            if trigrams.len() == MAX_QUESTION_TRIGRAMS {
                return trigrams;
            }
        }
    }
    trigrams
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProblemKind;

    /// Builds a valid code from 17 characters by computing its check.
    fn with_check(first17: &str) -> String {
        let values: Vec<u32> = first17
            .chars()
            .map(|c| CREDIT_CODE_ALPHABET.find(c).expect("alphabet") as u32)
            .collect();
        let check = CREDIT_CODE_ALPHABET
            .chars()
            .nth(check_value(&values) as usize)
            .expect("check");
        format!("{first17}{check}")
    }

    fn check(raw: &str, expected: Result<&str, &str>) {
        match (CreditCode::parse(raw), expected) {
            (Ok(code), Ok(want)) => assert_eq!(code.as_str(), want, "{raw}"),
            (Err(problem), Err(fragment)) => {
                // The shape is the document's (400); the check digit is a
                // rule it cannot state (422).
                assert!(
                    matches!(
                        problem.kind,
                        ProblemKind::Validation | ProblemKind::UnprocessableContent
                    ),
                    "{raw}: {:?}",
                    problem.kind
                );
                assert_eq!(problem.field.as_deref(), Some("credit_code"), "{raw}");
                assert!(
                    problem.detail.contains(fragment),
                    "{raw}: {}",
                    problem.detail
                );
            }
            (got, want) => panic!("{raw}: got {got:?}, wanted {want:?}"),
        }
    }

    #[test]
    fn credit_codes_are_checked_per_gb_32100() {
        // Published codes of real companies (from their business licences).
        check("91350100M000100Y43", Ok("91350100M000100Y43"));
        check("911100001000079554", Ok("911100001000079554"));
        check(" 91350100m000100y43 ", Ok("91350100M000100Y43"));
        check("91350100M000100Y44", Err("check character"));
        check("91350100M000100Y4", Err("18 characters, not 17"));
        check("91350100M000100Y433", Err("18 characters, not 19"));
        check("", Err("18 characters, not 0"));
        check("91350100M000100I43", Err("only digits"));
        check("9135010OM000100Y43", Err("only digits"));
        check("91350100M00-100Y43", Err("only digits"));
        check("９1350100M000100Y43", Err("only digits"));
    }

    #[test]
    fn every_check_value_round_trips_including_zero_and_thirty() {
        // Sweep the 8th character to reach every check value, 0 (from 31) included.
        let mut seen = std::collections::BTreeSet::new();
        for c in CREDIT_CODE_ALPHABET.chars() {
            let code = with_check(&format!("9133010{c}MA2H00001"));
            assert!(CreditCode::parse(&code).is_ok(), "{code}");
            seen.insert(code.chars().last().expect("check"));
        }
        assert_eq!(seen.len(), 31);
    }

    #[test]
    fn a_registration_is_decided_once() {
        use EnterpriseStatus::*;
        assert_eq!(Pending.decide(true), Ok(Approved));
        assert_eq!(Pending.decide(false), Ok(Rejected));
        assert_eq!(
            Approved.decide(false).unwrap_err().kind,
            ProblemKind::Conflict
        );
        assert_eq!(
            Rejected.decide(true).unwrap_err().kind,
            ProblemKind::Conflict
        );
        for s in [Pending, Approved, Rejected] {
            assert_eq!(EnterpriseStatus::parse(s.as_str()), Ok(s));
        }
    }

    #[test]
    fn request_kinds_parse_and_name_their_categories() {
        for kind in RequestKind::ALL {
            assert_eq!(RequestKind::parse(kind.as_str()), Ok(kind));
            assert!(crate::Code::parse(kind.category_code()).is_ok());
            let (respond, resolve) = kind.default_hours();
            assert!(respond <= resolve);
        }
        let problem = RequestKind::parse("tax_refund").unwrap_err();
        assert_eq!(problem.field.as_deref(), Some("kind"));
    }

    #[test]
    fn anonymising_removes_the_company_and_its_people() {
        let parties = InquiryParties {
            enterprise_name: "杭州张三科技有限公司".into(),
            credit_code: "91350100M000100Y43".into(),
            people: vec!["张三".into(), "李".into()],
            phones: vec!["13800138000".into()],
        };
        let check = |text: &str, expected: &str| {
            assert_eq!(anonymise(text, &parties), expected, "{text}");
        };
        check("杭州张三科技有限公司申请研发补贴", "某企业申请研发补贴");
        check("联系人张三，电话13800138000", "联系人某某，电话***");
        check("代码91350100M000100Y43已登记", "代码***已登记");
        check("请发邮件至 a.b@example.cn 咨询", "请发邮件至 *** 咨询");
        // A one-character name is not masked: it would mangle every sentence.
        check("李先生来电", "李先生来电");
        check("补贴比例为75%，2026年有效", "补贴比例为75%，2026年有效");
    }

    #[test]
    fn a_company_is_masked_as_staff_type_its_name() {
        // An answer written directly for the company staff name: they type
        // what they heard, not what the company registered.
        let parties = InquiryParties {
            enterprise_name: "星河智能科技（杭州）有限公司".into(),
            credit_code: "91350100M000100Y43".into(),
            people: vec!["陈晓明".into(), "Anna Li".into()],
            phones: vec!["13900001111".into()],
        };
        let check = |text: &str, expected: &str| {
            assert_eq!(anonymise(text, &parties), expected, "{text}");
        };
        check("星河智能科技（杭州）有限公司能否申请？", "某企业能否申请？");
        check("星河智能科技(杭州)有限公司能否申请？", "某企业能否申请？");
        check("代码 91350100m000100y43 已核", "代码 *** 已核");
        check(
            "代码９１３５０１００Ｍ０００１００Ｙ４３已核",
            "代码***已核",
        );
        check("ANNA LI 来电", "某某 来电");
        check("陈晓明、陈晓明均已告知", "某某、某某均已告知");
        // Text that only resembles a party stays.
        check(
            "星河智能科技（上海）有限公司",
            "星河智能科技（上海）有限公司",
        );
        check("（杭州）", "（杭州）");
        // Without a company, only the rules for every published text apply.
        assert_eq!(
            anonymise(
                "星河智能科技（杭州）有限公司，电话13900001111",
                &InquiryParties::default()
            ),
            "星河智能科技（杭州）有限公司，电话***"
        );
    }

    #[test]
    fn search_terms_never_fail_whatever_is_typed() {
        let check = |typed: &str, expected: &[&str]| {
            assert_eq!(search_terms(typed), expected, "{typed:?}");
        };
        check("", &[]);
        check("   ", &[]);
        check("研发 补贴", &["研发", "补贴"]);
        check("研发\u{3000}补贴 研发", &["研发", "补贴"]);
        check("\"", &["\""]);
        check("政策 OR", &["政策", "OR"]);
        check("'; DROP TABLE", &["';", "DROP", "TABLE"]);
        check("a\0b", &["a", "b"]);
        check("研发\u{1}\u{7f}补贴\u{1b}", &["研发", "补贴"]);
        check(
            "a b c d e f g h i j",
            &["a", "b", "c", "d", "e", "f", "g", "h"],
        );
        assert_eq!(
            search_terms(&"长".repeat(1000))[0].chars().count(),
            MAX_SEARCH_CHARS
        );
    }

    #[test]
    fn questions_compare_by_trigrams_of_their_words() {
        let check = |question: &str, expected: &[&str]| {
            assert_eq!(question_trigrams(question), expected, "{question:?}");
        };
        check("研发费用，怎么办？", &["研发费", "发费用", "怎么办"]);
        check("税", &[]);
        check("NEAR( AND *", &["nea", "ear", "and"]);
        assert_eq!(
            question_trigrams(&"一二三四五六七八九十".repeat(10)).len(),
            10
        );
        assert_eq!(
            question_trigrams(&('一'..='龥').take(100).collect::<String>()).len(),
            MAX_QUESTION_TRIGRAMS
        );
    }
}
