//! The limits the OpenAPI document states, each taken from the constant
//! the code enforces: [`RULES`] says which field of the document each
//! governs. `static/api/openapi.json` is written by hand, apart from these
//! keywords, which this crate's test writes into it from the constants
//! (and fails, once, when it had to), so that a limit changed in the code
//! is changed in the document by the next `cargo test`.
//!
//! What the document cannot state (a relation between fields, a check
//! digit, a thing a request names that does not exist) the server refuses
//! with another status than 400: see `docs/api.md`.

use domain::limits::{self, PageLimit, Text};
use domain::{Code, GridCode, Password, TenantCode, TrackingCode};

#[cfg(test)]
mod sourcegen;

/// Where a rule applies: a schema object of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// A schema of `components/schemas`, and a JSON pointer inside it
    /// (`/properties/title`; `""` for the schema itself).
    Schema(&'static str, &'static str),
    /// The schema of an operation's parameter: operationId and name.
    Parameter(&'static str, &'static str),
    /// Inside the schema of an operation's JSON request body.
    Body(&'static str, &'static str),
}

/// What the code enforces there, and so what the document says.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// Not blank, at most so many characters (`minLength`, `maxLength`,
    /// a `pattern` asking for a character besides white space).
    Text(Text),
    /// Not blank, of any length (`minLength`, and the `pattern` of
    /// [`Rule::Text`]).
    NotBlank,
    /// So many characters (`minLength`, `maxLength`).
    Chars { min: usize, max: usize },
    /// At least so many characters (`minLength`).
    MinChars(usize),
    /// At most so many characters (`maxLength`).
    MaxChars(usize),
    /// A regular expression the whole value matches (`pattern`).
    Pattern(fn() -> String),
    /// An integer's range (`minimum`, `maximum`).
    Integer { min: i64, max: i64 },
    /// A number's range (`minimum`, `maximum`).
    Number { min: f64, max: f64 },
    /// A number that is a whole multiple of this (`multipleOf`).
    MultipleOf(f64),
    /// A list's `limit` (`minimum` 1, `maximum`, `default`).
    Page(PageLimit),
    /// At most so many items (`maxItems`).
    MaxItems(usize),
    /// At most so many items match the `contains` beside (`maxContains`).
    MaxContains(usize),
    /// Every problem code the server can send (`enum`), each with what it
    /// means (`x-enum-descriptions`, in the same order, as generators read it).
    ProblemCodes,
}

use At::{Body, Parameter, Schema};
use Rule::{
    Chars, Integer, MaxChars, MaxContains, MaxItems, MinChars, MultipleOf, Number, Page, Pattern,
};

const fn text(at: At, limit: Text) -> (At, Rule) {
    (at, Rule::Text(limit))
}

/// The range of early-warning rule `i` (`domain::warning::RULE_BOUNDS`).
const fn warning_rule(i: usize) -> Rule {
    let bounds = domain::warning::RULE_BOUNDS[i].1;
    Integer {
        min: bounds.min,
        max: bounds.max,
    }
}

const fn page(operation: &'static str) -> (At, Rule) {
    (Parameter(operation, "limit"), Page(limits::PAGE))
}

/// A category's deadline in working hours (a `u32`).
const HOURS: Rule = Integer {
    min: limits::MIN_DEADLINE_HOURS as i64,
    max: u32::MAX as i64,
};

const PASSWORD: Rule = Chars {
    min: Password::MIN_CHARS,
    max: Password::MAX_CHARS,
};

const LATITUDE: Rule = Number {
    min: -domain::geo::MAX_LATITUDE,
    max: domain::geo::MAX_LATITUDE,
};

const LONGITUDE: Rule = Number {
    min: -domain::geo::MAX_LONGITUDE,
    max: domain::geo::MAX_LONGITUDE,
};

/// Every limit the document states, and where.
pub static RULES: &[(At, Rule)] = &[
    // The code of every problem.
    (Schema("Problem", "/properties/code"), Rule::ProblemCodes),
    // Pages of lists.
    page("listCases"),
    page("listUsers"),
    page("auditLog"),
    page("platformAuditLog"),
    page("listWebhookDeliveries"),
    page("listSmsDeliveries"),
    page("getQueue"),
    page("listNotices"),
    page("listEnterpriseRegistrations"),
    page("listEnterpriseRequests"),
    page("searchPolicies"),
    page("searchPolicyAnswers"),
    page("listDisputes"),
    page("listAgentMatters"),
    (Parameter("getBoard", "limit"), Page(limits::BOARD_PAGE)),
    (
        Parameter("getBoardMap", "days"),
        Integer {
            min: limits::BOARD_MAP_DAYS.min,
            max: limits::BOARD_MAP_DAYS.max,
        },
    ),
    (
        Parameter("getBoard", "cursor"),
        Pattern(TrackingCode::pattern),
    ),
    // Accounts.
    (Schema("NewAccount", "/properties/password"), PASSWORD),
    (Schema("NewUser", "/properties/password"), PASSWORD),
    (
        Schema("EnterpriseAccount", "/properties/password"),
        PASSWORD,
    ),
    (
        Schema("PasswordChange", "/properties/new_password"),
        PASSWORD,
    ),
    text(Schema("NewAccount", "/properties/login"), limits::LOGIN),
    text(Schema("NewUser", "/properties/login"), limits::LOGIN),
    text(
        Schema("EnterpriseAccount", "/properties/login"),
        limits::LOGIN,
    ),
    text(
        Schema("NewAccount", "/properties/display_name"),
        limits::DISPLAY_NAME,
    ),
    text(
        Schema("NewUser", "/properties/display_name"),
        limits::DISPLAY_NAME,
    ),
    text(
        Schema("UserChanges", "/properties/display_name"),
        limits::DISPLAY_NAME,
    ),
    text(
        Schema("EnterpriseAccount", "/properties/display_name"),
        limits::DISPLAY_NAME,
    ),
    (
        Schema("NewUser", "/properties/phone"),
        Pattern(domain::phone::mobile_pattern),
    ),
    (
        Schema("UserChanges", "/properties/phone"),
        Pattern(domain::phone::mobile_pattern),
    ),
    (
        Schema("EnterpriseAccount", "/properties/phone"),
        Pattern(domain::phone::mobile_pattern),
    ),
    // The tenant and its organisation.
    (
        Schema("NewTenant", "/properties/code"),
        Pattern(TenantCode::pattern),
    ),
    text(Schema("NewTenant", "/properties/name"), limits::TENANT_NAME),
    (
        Schema("NewDepartment", "/properties/code"),
        Pattern(Code::pattern),
    ),
    text(
        Schema("NewDepartment", "/properties/name"),
        limits::DEPARTMENT_NAME,
    ),
    text(
        Schema("DepartmentChanges", "/properties/name"),
        limits::DEPARTMENT_NAME,
    ),
    (
        Schema("NewAgentPoint", "/properties/code"),
        Pattern(Code::pattern),
    ),
    text(
        Schema("NewAgentPoint", "/properties/name"),
        limits::AGENT_POINT_NAME,
    ),
    (
        Schema("NewCategory", "/properties/code"),
        Pattern(Code::pattern),
    ),
    text(
        Schema("NewCategory", "/properties/name_zh"),
        limits::CATEGORY_NAME_ZH,
    ),
    text(
        Schema("NewCategory", "/properties/name_en"),
        limits::CATEGORY_NAME_EN,
    ),
    text(
        Schema("CategoryChanges", "/properties/name_zh"),
        limits::CATEGORY_NAME_ZH,
    ),
    text(
        Schema("CategoryChanges", "/properties/name_en"),
        limits::CATEGORY_NAME_EN,
    ),
    (Schema("NewCategory", "/properties/response_hours"), HOURS),
    (Schema("NewCategory", "/properties/resolution_hours"), HOURS),
    (
        Schema("CategoryChanges", "/properties/response_hours"),
        HOURS,
    ),
    (
        Schema("CategoryChanges", "/properties/resolution_hours"),
        HOURS,
    ),
    (
        Schema("ExtraField", "/properties/key"),
        Pattern(domain::organisation::extra_field_key_pattern),
    ),
    text(
        Schema("ExtraField", "/properties/label_zh"),
        limits::EXTRA_FIELD_LABEL_ZH,
    ),
    text(
        Schema("ExtraField", "/properties/label_en"),
        limits::EXTRA_FIELD_LABEL_EN,
    ),
    text(
        Schema("CalendarDay", "/properties/name"),
        limits::CALENDAR_DAY_NAME,
    ),
    (
        Schema("Calendar", "/properties/work_day_start"),
        Pattern(domain::calendar::clock_pattern),
    ),
    (
        Schema("Calendar", "/properties/work_day_end"),
        Pattern(domain::calendar::clock_pattern),
    ),
    (
        Schema(
            "RoutingRules",
            "/properties/rules/items/properties/category",
        ),
        Pattern(Code::pattern),
    ),
    text(
        Body("issueApiKey", "/properties/name"),
        limits::API_KEY_NAME,
    ),
    (
        Body("issueApiKey", "/properties/key"),
        MinChars(limits::CHOSEN_API_KEY_MIN_CHARS),
    ),
    (
        Body("issueApiKey", "/properties/key"),
        Pattern(limits::no_white_space_around_pattern),
    ),
    (
        Body("createWebhook", "/properties/url"),
        MaxChars(domain::receiver::MAX_URL_CHARS),
    ),
    (
        Body("createWebhook", "/properties/url"),
        Pattern(domain::receiver::url_pattern),
    ),
    // SMS to residents.
    (
        Schema("SmsSettingsInput", "/properties/endpoint"),
        MaxChars(domain::receiver::MAX_URL_CHARS),
    ),
    (
        Schema("SmsSettingsInput", "/properties/access_key_id"),
        MaxChars(domain::sms::MAX_KEY_CHARS),
    ),
    (
        Schema("SmsSettingsInput", "/properties/access_key_secret"),
        MaxChars(domain::sms::MAX_KEY_CHARS),
    ),
    (
        Schema("SmsSettingsInput", "/properties/sign_name"),
        MaxChars(domain::sms::MAX_SIGN_NAME_CHARS),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/accepted",
        ),
        MaxChars(domain::sms::MAX_KEY_CHARS),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/dispatched",
        ),
        MaxChars(domain::sms::MAX_KEY_CHARS),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/resolved",
        ),
        MaxChars(domain::sms::MAX_KEY_CHARS),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/closed",
        ),
        MaxChars(domain::sms::MAX_KEY_CHARS),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/rate_invitation",
        ),
        MaxChars(domain::sms::MAX_KEY_CHARS),
    ),
    (
        Schema("SmsSettingsInput", "/properties/endpoint"),
        Pattern(domain::sms::endpoint_pattern),
    ),
    (
        Schema("SmsSettingsInput", "/properties/access_key_id"),
        Pattern(domain::sms::key_pattern),
    ),
    (
        Schema("SmsSettingsInput", "/properties/access_key_secret"),
        Pattern(domain::sms::key_pattern),
    ),
    (
        Schema("SmsSettingsInput", "/properties/sign_name"),
        Pattern(domain::sms::sign_name_pattern),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/accepted",
        ),
        Pattern(domain::sms::key_pattern),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/dispatched",
        ),
        Pattern(domain::sms::key_pattern),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/resolved",
        ),
        Pattern(domain::sms::key_pattern),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/closed",
        ),
        Pattern(domain::sms::key_pattern),
    ),
    (
        Schema(
            "SmsSettingsInput",
            "/properties/templates/properties/rate_invitation",
        ),
        Pattern(domain::sms::key_pattern),
    ),
    // The street map.
    (
        Schema("MapSettingsInput", "/properties/base_url"),
        MaxChars(domain::map::MAX_TILE_URL_CHARS),
    ),
    (
        Schema("MapSettingsInput", "/properties/base_url"),
        Pattern(domain::map::tile_url_pattern),
    ),
    (
        Schema("MapSettingsInput", "/properties/overlay_url"),
        MaxChars(domain::map::MAX_TILE_URL_CHARS),
    ),
    (
        Schema("MapSettingsInput", "/properties/overlay_url"),
        Pattern(domain::map::tile_url_pattern),
    ),
    (
        Schema("MapSettingsInput", "/properties/subdomains"),
        Pattern(domain::map::subdomains_pattern),
    ),
    (
        Schema("MapSettingsInput", "/properties/key"),
        Pattern(domain::map::key_pattern),
    ),
    text(
        Schema("MapSettingsInput", "/properties/attribution"),
        domain::map::ATTRIBUTION,
    ),
    (
        Schema("MapSettingsInput", "/properties/max_zoom"),
        Integer {
            min: domain::map::MIN_MAX_ZOOM as i64,
            max: domain::map::MAX_ZOOM as i64,
        },
    ),
    // The grid.
    (
        Schema("NewGridNode", "/properties/code"),
        Pattern(GridCode::pattern),
    ),
    (
        Schema("GridImportNode", "/properties/code"),
        Pattern(GridCode::pattern),
    ),
    (
        Schema("GridImportRoot", "/properties/code"),
        Pattern(GridCode::pattern),
    ),
    (
        Schema("GridImportRoot", "/properties/parent_code"),
        Pattern(GridCode::pattern),
    ),
    text(
        Schema("NewGridNode", "/properties/name"),
        limits::GRID_NODE_NAME,
    ),
    text(
        Schema("GridNodeChanges", "/properties/name"),
        limits::GRID_NODE_NAME,
    ),
    text(
        Schema("GridImportNode", "/properties/name"),
        limits::GRID_NODE_NAME,
    ),
    text(
        Schema("GridImportRoot", "/properties/name"),
        limits::GRID_NODE_NAME,
    ),
    (Parameter("locateGrid", "lat"), LATITUDE),
    (Parameter("locateGrid", "lon"), LONGITUDE),
    (Schema("Position", "/prefixItems/0"), LONGITUDE),
    (Schema("Position", "/prefixItems/1"), LATITUDE),
    // Reports and cases.
    (Schema("NewReport", "/properties/latitude"), LATITUDE),
    (Schema("NewReport", "/properties/longitude"), LONGITUDE),
    text(
        Schema("NewReport", "/properties/description"),
        Text::new("description", domain::report::MAX_DESCRIPTION_CHARS),
    ),
    (
        Schema("NewReport", "/properties/phone"),
        Pattern(domain::phone::mobile_pattern),
    ),
    (
        Schema("NewReport", "/properties/attachment_ids"),
        MaxItems(domain::intake::MAX_CASE_ATTACHMENTS),
    ),
    text(
        Schema("ReportEdit", "/properties/description"),
        limits::CASE_DESCRIPTION,
    ),
    text(
        Schema("ReportInformation", "/properties/text"),
        limits::NOTE,
    ),
    text(Body("commentOnCase", "/properties/text"), limits::NOTE),
    text(Body("completeAssist", "/properties/answer"), limits::ANSWER),
    (
        Body("completeAssist", "/properties/department"),
        Pattern(Code::pattern),
    ),
    (Schema("ActionReason", ""), Rule::NotBlank),
    (Schema("ActionAnswer", ""), Rule::NotBlank),
    (Schema("AssistingPart", "/properties/part"), Rule::NotBlank),
    (
        Schema("AssistingPart", "/properties/department"),
        Pattern(Code::pattern),
    ),
    (Schema("CaseActionDepartment", ""), Pattern(Code::pattern)),
    (Schema("CaseActionCategory", ""), Pattern(Code::pattern)),
    (
        Parameter("lookUpCase", "code"),
        Pattern(TrackingCode::pattern),
    ),
    // Notices.
    text(
        Schema("NewNotice", "/properties/title"),
        limits::NOTICE_TITLE,
    ),
    text(Schema("NewNotice", "/properties/body"), limits::NOTICE_BODY),
    // Enterprises and policies.
    text(
        Schema("NewEnterprise", "/properties/name"),
        limits::ENTERPRISE_NAME,
    ),
    text(
        Schema("NewEnterprise", "/properties/address"),
        limits::ENTERPRISE_ADDRESS,
    ),
    text(
        Schema("NewEnterprise", "/properties/industry"),
        limits::INDUSTRY,
    ),
    text(
        Schema("NewEnterprise", "/properties/contact/properties/name"),
        limits::CONTACT_NAME,
    ),
    (
        Schema("NewEnterprise", "/properties/contact/properties/phone"),
        Pattern(domain::phone::mobile_pattern),
    ),
    (
        Schema("NewEnterprise", "/properties/credit_code"),
        Pattern(domain::enterprise::credit_code_pattern),
    ),
    text(
        Schema("NewEnterpriseRequest", "/properties/title"),
        limits::REQUEST_TITLE,
    ),
    text(
        Schema("NewEnterpriseRequest", "/properties/description"),
        limits::CASE_DESCRIPTION,
    ),
    text(
        Schema("NewPolicy", "/properties/title"),
        limits::POLICY_TITLE,
    ),
    text(Schema("NewPolicy", "/properties/body"), limits::POLICY_BODY),
    text(
        Schema("NewPolicy", "/properties/issuer"),
        limits::POLICY_ISSUER,
    ),
    (
        Schema("NewPolicy", "/properties/tags"),
        MaxItems(domain::policy::MAX_TAGS),
    ),
    text(Schema("NewPolicy", "/properties/tags/items"), limits::TAG),
    text(
        Parameter("uploadPolicyFile", "name"),
        limits::POLICY_FILE_NAME,
    ),
    text(
        Schema("NewPolicyAnswer", "/properties/question"),
        limits::QUESTION,
    ),
    text(
        Schema("NewPolicyAnswer", "/properties/answer"),
        limits::PUBLISHED_ANSWER,
    ),
    (
        Schema("NewPolicyAnswer", "/properties/policies"),
        MaxItems(domain::policy::MAX_CITED_POLICIES),
    ),
    // Mediation and the agent service.
    text(
        Schema("NewDispute", "/properties/subject"),
        limits::DISPUTE_SUBJECT,
    ),
    text(Schema("NewDispute", "/properties/window"), limits::WINDOW),
    (
        Schema("NewDispute", "/properties/handling/properties/department"),
        Pattern(Code::pattern),
    ),
    (
        Schema("NewDispute", "/properties/parties/allOf/0"),
        MaxContains(domain::mediation::MAX_PARTIES_PER_SIDE),
    ),
    (
        Schema("NewDispute", "/properties/parties/allOf/1"),
        MaxContains(domain::mediation::MAX_PARTIES_PER_SIDE),
    ),
    text(
        Schema("DisputeParty", "/properties/name"),
        limits::PARTY_NAME,
    ),
    (
        Schema("DisputeParty", "/properties/address"),
        MaxChars(limits::PARTY_ADDRESS_MAX_CHARS),
    ),
    (
        Schema("DisputeParty", "/properties/phone"),
        Pattern(domain::phone::any_pattern),
    ),
    (
        Schema("NewDispute", "/properties/amount_in_dispute"),
        Number {
            min: 0.0,
            max: domain::mediation::MAX_AMOUNT_YUAN,
        },
    ),
    (
        Schema("NewDispute", "/properties/amount_in_dispute"),
        MultipleOf(1.0 / domain::mediation::FEN_PER_YUAN),
    ),
    (
        Schema("DisputeOutcome", "/properties/text"),
        MaxChars(domain::mediation::MAX_OUTCOME_TEXT_CHARS),
    ),
    (
        Schema("DisputeOutcome", "/allOf/0/then/properties/text"),
        Rule::NotBlank,
    ),
    text(
        Schema("NewMediationSession", "/properties/place"),
        limits::SESSION_PLACE,
    ),
    (
        Schema("NewMediationSession", "/properties/participants"),
        MaxItems(domain::mediation::MAX_PARTICIPANTS),
    ),
    (
        Schema("NewMediationSession", "/properties/participants/items"),
        MaxChars(domain::mediation::MAX_PARTICIPANT_CHARS),
    ),
    (
        Schema(
            "NewMediationSession",
            "/oneOf/1/properties/participants/contains",
        ),
        Rule::NotBlank,
    ),
    (
        Schema("MediationSessionRecord", "/properties/participants"),
        MaxItems(domain::mediation::MAX_PARTICIPANTS),
    ),
    (
        Schema("MediationSessionRecord", "/properties/participants/items"),
        MaxChars(domain::mediation::MAX_PARTICIPANT_CHARS),
    ),
    (
        Schema(
            "MediationSessionRecord",
            "/properties/participants/contains",
        ),
        Rule::NotBlank,
    ),
    text(
        Schema("NewMediationSession", "/properties/agreed"),
        limits::AGREED,
    ),
    text(
        Schema("MediationSessionRecord", "/properties/agreed"),
        limits::AGREED,
    ),
    text(
        Schema("NewAgentMatter", "/properties/resident/properties/name"),
        limits::RESIDENT_NAME,
    ),
    (
        Schema("NewAgentMatter", "/properties/needs"),
        MaxItems(domain::agent::MAX_NEEDS),
    ),
    (
        Schema("NewAgentMatter", "/properties/needs/items"),
        MaxChars(domain::agent::MAX_NEED_CHARS),
    ),
    (
        Schema("NewAgentMatter", "/properties/needs/contains"),
        Rule::NotBlank,
    ),
    text(
        Schema("NewAgentMatterTask", "/properties/task"),
        limits::TASK,
    ),
    text(
        Schema("NewAgentMatterTask", "/properties/owner"),
        limits::TASK_OWNER,
    ),
    text(
        Schema("NewAgentMatterPromise", "/properties/promise"),
        limits::PROMISE,
    ),
    text(
        Schema("AgentMatterPassUp", "/properties/reason"),
        limits::PASS_UP_REASON,
    ),
    // Open311 (GeoReport v2): a blank field is an absent one.
    (
        Parameter("open311ServicesJson", "jurisdiction_id"),
        Rule::NotBlank,
    ),
    (
        Parameter("open311ServicesXml", "jurisdiction_id"),
        Rule::NotBlank,
    ),
    (
        Parameter("open311RequestsJson", "jurisdiction_id"),
        Rule::NotBlank,
    ),
    (
        Parameter("open311RequestsXml", "jurisdiction_id"),
        Rule::NotBlank,
    ),
    (
        Parameter("open311UpdatesJson", "jurisdiction_id"),
        Rule::NotBlank,
    ),
    (
        Parameter("open311UpdatesXml", "jurisdiction_id"),
        Rule::NotBlank,
    ),
    (
        Parameter("open311ServiceDefinition", "jurisdiction_id"),
        Rule::NotBlank,
    ),
    (
        Parameter("open311Request", "jurisdiction_id"),
        Rule::NotBlank,
    ),
    (Parameter("open311Token", "jurisdiction_id"), Rule::NotBlank),
    (
        Schema("Open311PostRequest", "/properties/api_key"),
        Rule::NotBlank,
    ),
    (
        Schema("Open311PostRequest", "/properties/jurisdiction_id"),
        Rule::NotBlank,
    ),
    (
        Schema("Open311PostRequest", "/properties/service_code"),
        Rule::NotBlank,
    ),
    (
        Schema("Open311PostUpdate", "/properties/api_key"),
        Rule::NotBlank,
    ),
    (
        Schema("Open311PostUpdate", "/properties/jurisdiction_id"),
        Rule::NotBlank,
    ),
    (
        Schema("Open311PostUpdate", "/properties/service_request_id"),
        Rule::NotBlank,
    ),
    (
        Schema("Open311PostUpdate", "/properties/update_id"),
        Rule::NotBlank,
    ),
    // Early warnings.
    page("listWarnings"),
    text(
        Schema("WarningNote", "/properties/note"),
        domain::warning::NOTE,
    ),
    (
        Schema("WarningRulesUpdate", "/properties/recurring_count"),
        warning_rule(0),
    ),
    (
        Schema("WarningRulesUpdate", "/properties/recurring_days"),
        warning_rule(1),
    ),
    (
        Schema("WarningRulesUpdate", "/properties/repeat_metres"),
        warning_rule(2),
    ),
    (
        Schema("WarningRulesUpdate", "/properties/repeat_days"),
        warning_rule(3),
    ),
    (
        Schema("WarningRulesUpdate", "/properties/repeat_low_rating"),
        warning_rule(4),
    ),
    (
        Schema("WarningRulesUpdate", "/properties/late_share_percent"),
        warning_rule(5),
    ),
    (
        Schema("WarningRulesUpdate", "/properties/late_min_closed"),
        warning_rule(6),
    ),
    (
        Schema("WarningRulesUpdate", "/properties/late_window_days"),
        warning_rule(7),
    ),
    // Patrols and grid days (domain::patrol).
    page("listPatrols"),
    (
        Parameter("uploadPatrolTrack", "piece"),
        Integer {
            min: 0,
            max: domain::patrol::MAX_PIECE,
        },
    ),
    (
        Schema("TrackPiece", "/properties/points"),
        MaxItems(domain::patrol::MAX_PIECE_POINTS),
    ),
    (Schema("TrackPoint", "/properties/lat"), LATITUDE),
    (Schema("TrackPoint", "/properties/lng"), LONGITUDE),
    (
        Schema("TrackPoint", "/properties/accuracy"),
        Number {
            min: 0.0,
            max: domain::patrol::MAX_ACCURACY_RADIUS,
        },
    ),
    (Schema("GeoPoint", "/properties/lat"), LATITUDE),
    (Schema("GeoPoint", "/properties/lng"), LONGITUDE),
    (
        Schema("NewVisit", "/properties/client_id"),
        Chars {
            min: 1,
            max: domain::patrol::CLIENT_ID_MAX_CHARS,
        },
    ),
    (
        Schema("NewVisit", "/properties/client_id"),
        Pattern(limits::plain_pattern),
    ),
    (
        Schema("NewVisit", "/properties/note"),
        MaxChars(domain::patrol::VISIT_NOTE_MAX_CHARS),
    ),
    (
        Schema("NewVisit", "/properties/note"),
        Pattern(limits::plain_pattern),
    ),
    text(
        Schema("NewGridDay", "/properties/title"),
        domain::patrol::GRID_DAY_TITLE,
    ),
    (
        Schema("NewGridDay", "/properties/grid_ids"),
        MaxItems(domain::patrol::MAX_GRID_DAY_GRIDS),
    ),
    (
        Schema("NewGridDay", "/properties/member_ids"),
        MaxItems(domain::patrol::MAX_GRID_DAY_MEMBERS),
    ),
    (
        Schema("PatrolSettings", "/properties/track_retention_days"),
        Integer {
            min: domain::patrol::TRACK_RETENTION_DAYS.min,
            max: domain::patrol::TRACK_RETENTION_DAYS.max,
        },
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    fn document_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static/api/openapi.json")
    }

    /// The document on disk is what the rules make of it: the one test
    /// that writes a source file (as rust-analyzer's generated files do).
    #[test]
    fn the_document_states_the_limits_the_code_enforces() {
        let path = document_path();
        let written = std::fs::read_to_string(&path).expect("the document");
        let derived = sourcegen::apply(&written);
        serde_json::from_str::<serde_json::Value>(&derived).expect("still JSON");
        if derived != written {
            std::fs::write(&path, &derived).expect("write the document");
            panic!(
                "static/api/openapi.json did not state the limits the code enforces; \
                 it does now: review the change and commit it"
            );
        }
    }

    fn anchored(pattern: fn() -> String) -> Regex {
        let pattern = pattern();
        // ECMAScript's `$` is the end of the text; so is Rust's without (?m).
        Regex::new(&pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    /// Strings around a pattern: drawn from it, and anything at all.
    fn near(pattern: fn() -> String) -> impl Strategy<Value = String> {
        let source = pattern();
        // proptest draws from a regular expression without its anchors.
        let unanchored = source
            .strip_prefix('^')
            .and_then(|s| s.strip_suffix('$'))
            .unwrap_or(&source)
            .replace(r"[\s\S]", "(?s:.)");
        let drawn =
            proptest::string::string_regex(&unanchored).unwrap_or_else(|e| panic!("{source}: {e}"));
        prop_oneof![drawn, any::<String>(), "[ -~]{0,24}"]
    }

    /// A pattern and the parser it describes agree on every string.
    fn agree(pattern: fn() -> String, parses: impl Fn(&str) -> bool) {
        let regex = anchored(pattern);
        proptest!(ProptestConfig::with_cases(512), |(s in near(pattern))| {
            prop_assert_eq!(regex.is_match(&s), parses(&s), "{:?} under {}", s, regex);
        });
    }

    /// What no rule of the table can forget: an integer without a width
    /// (a client would send one past 64 bits), a list's `limit` the table
    /// does not govern, a pattern in an escape each language reads its way.
    #[test]
    fn the_document_bounds_every_integer_and_every_page() {
        let text = std::fs::read_to_string(document_path()).expect("the document");
        let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        fn walk(value: &serde_json::Value, at: &str, found: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(members) => {
                    let integer = match members.get("type") {
                        Some(serde_json::Value::String(t)) => t == "integer",
                        Some(serde_json::Value::Array(ts)) => ts.iter().any(|t| t == "integer"),
                        _ => false,
                    };
                    let bounded = members.contains_key("format")
                        || (members.contains_key("minimum") && members.contains_key("maximum"));
                    if integer && !bounded {
                        found.push(format!("{at}: an integer without format or bounds"));
                    }
                    if let Some(serde_json::Value::String(pattern)) = members.get("pattern") {
                        let ambiguous = ["\\d", "\\w", "\\D", "\\W"]
                            .iter()
                            .any(|e| pattern.contains(e))
                            || pattern.replace("[\\s\\S]", "").contains("\\s");
                        if ambiguous {
                            found.push(format!("{at}: pattern {pattern} (spell the class out)"));
                        }
                    }
                    for (key, member) in members {
                        walk(member, &format!("{at}/{key}"), found);
                    }
                }
                serde_json::Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        walk(item, &format!("{at}/{i}"), found);
                    }
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        walk(&document, "", &mut found);
        for item in document["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("a path item").values() {
                let (Some(id), Some(parameters)) =
                    (op["operationId"].as_str(), op["parameters"].as_array())
                else {
                    continue;
                };
                let pages = parameters
                    .iter()
                    .filter(|p| p["name"] == "limit" && p["in"] == "query");
                for _ in pages {
                    let governed = RULES.iter().any(|(at, rule)| {
                        matches!(at, Parameter(op, "limit") if *op == id)
                            && matches!(rule, Rule::Page(_))
                    });
                    if !governed {
                        found.push(format!("{id}: a `limit` no page rule governs"));
                    }
                }
            }
        }
        assert!(found.is_empty(), "{found:#?}");
    }

    /// Every code the server can send is in the document (the rule above
    /// writes them) and explained in `docs/api.md`, each in the table row
    /// of its status.
    #[test]
    fn every_problem_code_is_documented() {
        let text = std::fs::read_to_string(document_path()).expect("the document");
        let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let code = &document["components"]["schemas"]["Problem"]["properties"]["code"];
        let listed: Vec<&str> = code["enum"]
            .as_array()
            .expect("an enum of codes")
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        let all: Vec<&str> = domain::ProblemCode::ALL.iter().map(|c| c.slug()).collect();
        assert_eq!(listed, all);
        assert_eq!(
            code["x-enum-descriptions"].as_array().map(Vec::len),
            Some(all.len())
        );
        let required = document["components"]["schemas"]["Problem"]["required"].to_string();
        assert!(
            required.contains("\"code\""),
            "every problem has a code: {required}"
        );
        let docs = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/api.md"),
        )
        .expect("docs/api.md");
        let missing: Vec<String> = domain::ProblemCode::ALL
            .iter()
            .map(|c| format!("| `{}` | {} |", c.slug(), c.kind().status()))
            .filter(|row| !docs.contains(row.as_str()))
            .collect();
        assert!(missing.is_empty(), "docs/api.md has no row {missing:#?}");
    }

    #[test]
    fn the_patterns_say_what_the_parsers_take() {
        agree(Code::pattern, |s| Code::parse(s).is_ok());
        agree(GridCode::pattern, |s| GridCode::parse(s).is_ok());
        agree(TenantCode::pattern, |s| TenantCode::parse(s).is_ok());
        agree(TrackingCode::pattern, |s| TrackingCode::parse(s).is_ok());
        agree(domain::phone::mobile_pattern, |s| {
            domain::phone::mobile(s).is_ok()
        });
        agree(domain::phone::any_pattern, |s| {
            domain::phone::any(s).is_ok()
        });
        agree(domain::organisation::extra_field_key_pattern, |s| {
            domain::organisation::check_extra_field_key(s)
        });
        agree(domain::calendar::clock_pattern, |s| {
            domain::calendar::parse_clock(s).is_ok()
        });
        // A code of the right shape whose check character is wrong is 422.
        agree(domain::enterprise::credit_code_pattern, |s| {
            !matches!(
                domain::enterprise::CreditCode::parse(s),
                Err(p) if p.kind == domain::ProblemKind::Validation
            )
        });
        // A URL of the right shape without {z}, {x} and {y} is 422.
        agree(domain::map::tile_url_pattern, |s| {
            s.chars().count() > domain::map::MAX_TILE_URL_CHARS
                || !matches!(
                    domain::map::check_tile_url("base_url", s),
                    Err(p) if p.kind == domain::ProblemKind::Validation
                )
        });
        agree(domain::map::subdomains_pattern, domain::map::is_subdomains);
        // An SMS endpoint of the right shape is never refused as invalid
        // (only as unreachable: 422), and one past it always is.
        agree(domain::sms::endpoint_pattern, |s| {
            // (Its length is the document's maxLength, stated apart.)
            s.chars().count() > domain::receiver::MAX_URL_CHARS
                || !matches!(
                    domain::sms::check_endpoint(s, domain::receiver::Reach::LocalToo),
                    Err(p) if p.kind == domain::ProblemKind::Validation
                )
        });
        agree(domain::map::key_pattern, domain::map::is_key);
        agree(limits::plain_pattern, |s| {
            limits::check_plain("note", s).is_ok()
        });
        agree(limits::no_white_space_around_pattern, |s| {
            s.trim() == s && !s.is_empty()
        });
        let not_blank = Regex::new(&limits::not_blank_pattern()).unwrap();
        proptest!(|(s in any::<String>())| {
            prop_assert_eq!(not_blank.is_match(&s), !s.trim().is_empty());
        });
    }
}
