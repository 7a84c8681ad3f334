//! SMS to residents who left a phone: which steps of their case send a
//! message, the tenant's provider settings, and the provider's request and
//! answer. The one provider is Aliyun SMS (阿里云短信, Dysmsapi `SendSms`,
//! API version 2017-05-25), whose RPC request is built and signed here, as
//! plain values: the sweep sends it and records the answer's verdict in the
//! outbox (`docs/sms.md`).
//!
//! The phone number is personal data: it is read from the case when a
//! message is sent, never copied into the outbox, a log or a webhook, and a
//! tenant admin sees it masked ([`masked_number`]).

use std::fmt::Write as _;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha1::Sha1;

use crate::case::ActionKind;
use crate::problem::Problem;
use crate::receiver::{Reach, check_outbound_url};

/// A public step of a case that the resident hears about by SMS, each with
/// a template of its own at the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SmsStep {
    /// 受理: the platform took the report in.
    Accepted,
    /// 分拨: a department was given it.
    Dispatched,
    /// 办结反馈: the department reports it done.
    Resolved,
    /// 结案: the case is closed.
    Closed,
    /// 满意度回访: the resident is asked to rate the outcome.
    RateInvitation,
}

impl SmsStep {
    pub const ALL: [SmsStep; 5] = [
        Self::Accepted,
        Self::Dispatched,
        Self::Resolved,
        Self::Closed,
        Self::RateInvitation,
    ];

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Dispatched => "dispatched",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::RateInvitation => "rate_invitation",
        }
    }

    pub fn parse(s: &str) -> Result<SmsStep, Problem> {
        Self::ALL
            .into_iter()
            .find(|step| step.as_str() == s)
            .ok_or_else(|| {
                Problem::validation(
                    "step",
                    "a step is accepted, dispatched, resolved, closed or rate_invitation",
                )
            })
    }

    /// The messages one case event sends, in order: `action` is the
    /// event's step name; `rating_open` whether the reporter can still rate
    /// the case once it is closed (a resident with the case's secret who
    /// has not rated it yet). Steps not listed here (signing for, starting
    /// work, transfers, the back office's internal steps, notes) send none.
    pub fn for_event(action: &str, rating_open: bool) -> &'static [SmsStep] {
        let Some(kind) = ActionKind::ALL.into_iter().find(|k| k.name() == action) else {
            return &[];
        };
        match kind {
            ActionKind::Accept => &[Self::Accepted],
            ActionKind::Dispatch => &[Self::Dispatched],
            ActionKind::Resolve => &[Self::Resolved],
            ActionKind::Close | ActionKind::FixedOnTheSpot if rating_open => {
                &[Self::Closed, Self::RateInvitation]
            }
            ActionKind::Close | ActionKind::FixedOnTheSpot => &[Self::Closed],
            _ => &[],
        }
    }
}

/// The variables every template gets, as the provider's `TemplateParam`
/// JSON: `tracking_code`, the case's public tracking code (查询码), with
/// which the resident looks the case up. Templates name it `${tracking_code}`.
pub fn template_param(tracking_code: &str) -> String {
    json!({ "tracking_code": tracking_code }).to_string()
}

/// Which SMS service a tenant uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Aliyun SMS (阿里云短信服务), `SendSms` of Dysmsapi 2017-05-25.
    Aliyun,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aliyun => "aliyun",
        }
    }

    pub fn parse(s: &str) -> Result<Provider, Problem> {
        match s {
            "aliyun" => Ok(Self::Aliyun),
            _ => Err(Problem::validation(
                "provider",
                "the SMS provider is aliyun",
            )),
        }
    }

    /// Where the provider's API answers unless the tenant names another
    /// address (a regional endpoint, or a test's receiver).
    pub fn default_endpoint(self) -> &'static str {
        match self {
            Self::Aliyun => aliyun::DEFAULT_ENDPOINT,
        }
    }
}

/// Longest AccessKey id, AccessKey secret and template code.
pub const MAX_KEY_CHARS: usize = 128;
/// Longest signature name (签名; Aliyun's are 2 to 12 characters today).
pub const MAX_SIGN_NAME_CHARS: usize = 30;

/// A tenant's SMS settings, checked: what the store keeps and the sweep
/// signs with. Build it with [`SmsSettings::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsSettings {
    provider: Provider,
    endpoint: String,
    access_key_id: String,
    access_key_secret: String,
    sign_name: String,
    /// A template code per step, in the order of [`SmsStep::ALL`]; `None`:
    /// that step sends nothing.
    templates: [Option<String>; 5],
    enabled: bool,
}

/// What a tenant admin sends (the secret `None`: keep the stored one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettingsInput {
    pub provider: Option<String>,
    pub endpoint: Option<String>,
    pub access_key_id: String,
    pub access_key_secret: Option<String>,
    pub sign_name: String,
    /// (step, template code); a step missing or blank sends nothing.
    pub templates: Vec<(SmsStep, String)>,
    pub enabled: bool,
}

impl SmsSettings {
    /// Checks what an admin sent, over what is stored (`stored_secret`:
    /// the AccessKey secret already kept, which an absent one keeps).
    /// Enabled settings must have everything a message needs: the keys, the
    /// signature name and at least one template.
    pub fn new(
        input: SettingsInput,
        stored_secret: Option<&str>,
        reach: Reach,
    ) -> Result<SmsSettings, Problem> {
        let provider = Provider::parse(input.provider.as_deref().unwrap_or("aliyun"))?;
        let endpoint = match input.endpoint.as_deref() {
            None | Some("") => provider.default_endpoint().to_string(),
            Some(url) => {
                check_endpoint(url, reach)?;
                url.to_string()
            }
        };
        let access_key_id = key("access_key_id", &input.access_key_id)?;
        let access_key_secret = match input.access_key_secret {
            Some(secret) => key("access_key_secret", &secret)?,
            None => stored_secret.unwrap_or_default().to_string(),
        };
        let sign_name = input.sign_name.trim().to_string();
        // No control characters: the document's pattern states the same.
        if sign_name.chars().count() > MAX_SIGN_NAME_CHARS
            || input.sign_name.chars().any(char::is_control)
        {
            return Err(Problem::validation(
                "sign_name",
                format!("a signature name has at most {MAX_SIGN_NAME_CHARS} characters"),
            ));
        }
        let mut templates: [Option<String>; 5] = Default::default();
        for (step, code) in input.templates {
            let code = key(&format!("templates.{}", step.as_str()), &code)?;
            templates[step as usize] = (!code.is_empty()).then_some(code);
        }
        let settings = SmsSettings {
            provider,
            endpoint,
            access_key_id,
            access_key_secret,
            sign_name,
            templates,
            enabled: input.enabled,
        };
        if settings.enabled {
            let missing = settings.missing();
            if let Some(field) = missing.first() {
                return Err(Problem::unprocessable(
                    *field,
                    format!(
                        "SMS can be turned on only with the AccessKey id and secret, the \
                         signature name and at least one template: missing {}",
                        missing.join(", ")
                    ),
                ));
            }
        }
        Ok(settings)
    }

    /// As stored: trusted, already checked when it was saved.
    #[allow(clippy::too_many_arguments)]
    pub fn stored(
        provider: Provider,
        endpoint: String,
        access_key_id: String,
        access_key_secret: String,
        sign_name: String,
        templates: [Option<String>; 5],
        enabled: bool,
    ) -> SmsSettings {
        SmsSettings {
            provider,
            endpoint,
            access_key_id,
            access_key_secret,
            sign_name,
            templates,
            enabled,
        }
    }

    /// What an enabled setting lacks, by field name.
    fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.access_key_id.is_empty() {
            missing.push("access_key_id");
        }
        if self.access_key_secret.is_empty() {
            missing.push("access_key_secret");
        }
        if self.sign_name.is_empty() {
            missing.push("sign_name");
        }
        if self.templates.iter().all(Option::is_none) {
            missing.push("templates");
        }
        missing
    }

    /// Whether messages are queued and sent: turned on, with what a
    /// message needs. Otherwise nothing is queued and nothing sent.
    pub fn configured(&self) -> bool {
        self.enabled && self.missing().is_empty()
    }

    pub fn provider(&self) -> Provider {
        self.provider
    }
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
    /// For the sender's signature only: never answered to anyone.
    pub fn access_key_secret(&self) -> &str {
        &self.access_key_secret
    }
    pub fn sign_name(&self) -> &str {
        &self.sign_name
    }
    pub fn template(&self, step: SmsStep) -> Option<&str> {
        self.templates[step as usize].as_deref()
    }
    pub fn enabled(&self) -> bool {
        self.enabled
    }
}

/// The shape of a key, a secret or a template code, as the document states
/// it: printable ASCII without spaces (empty: none).
pub fn key_pattern() -> String {
    "^[!-~]*$".to_string()
}

/// A signature name: no control characters (its length is `MAX_SIGN_NAME_CHARS`).
pub fn sign_name_pattern() -> String {
    r"^[^\u0000-\u001f\u007f-\u009f]*$".to_string()
}

/// The provider's endpoint: empty (the provider's own) or a URL of the
/// shape a webhook's has (`receiver::url_pattern`); whether its host may be
/// reached is past the shape (422).
pub fn endpoint_pattern() -> String {
    let url = crate::receiver::url_pattern();
    let inner = url.trim_start_matches('^').trim_end_matches('$');
    format!("^(?:{inner})?$")
}

/// The provider's endpoint, checked as a webhook URL is (`endpoint_pattern`
/// states its shape): empty is the provider's own; a host `reach` may not
/// reach is refused (422).
pub fn check_endpoint(url: &str, reach: Reach) -> Result<(), Problem> {
    if url.is_empty() {
        return Ok(());
    }
    check_outbound_url(url, reach, "endpoint", "an SMS endpoint")
}

/// A key, secret or template code: printable ASCII without spaces, at
/// most [`MAX_KEY_CHARS`]; empty is none. Exactly what the OpenAPI
/// document's pattern `^[!-~]*$` states (no trimming: a space is refused,
/// as the document says).
fn key(field: &str, value: &str) -> Result<String, Problem> {
    if value.len() > MAX_KEY_CHARS || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::validation(
            field.to_string(),
            format!("at most {MAX_KEY_CHARS} ASCII letters, digits and signs, without spaces"),
        ));
    }
    Ok(value.to_string())
}

/// A mobile number as a tenant admin sees it in the delivery list: the
/// first three and last four digits (`139****2222`); anything shorter
/// than seven characters is hidden whole.
pub fn masked_number(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "****".to_string();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// What the provider's answer means for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted for delivery; the provider's id of the message.
    Sent { provider_id: Option<String> },
    /// Not sent this time; trying again later may succeed (flow control,
    /// the provider's fault, or settings an admin can correct). The
    /// provider's error code, or the HTTP status when it sent none.
    Retry(String),
    /// Can never be sent as it is (the number is invalid or blocked): no
    /// more attempts.
    Refused(String),
}

impl Answer {
    /// What the delivery log keeps of it.
    pub fn error(&self) -> Option<&str> {
        match self {
            Self::Sent { .. } => None,
            Self::Retry(code) | Self::Refused(code) => Some(code),
        }
    }
}

/// Aliyun SMS: the `SendSms` request (RPC style, signature version 1.0,
/// HMAC-SHA1) and its answer.
pub mod aliyun {
    use super::*;

    pub const DEFAULT_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com/";
    pub const VERSION: &str = "2017-05-25";
    /// The form body's media type.
    pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

    /// Errors about this message itself, which no retry mends: the number
    /// is invalid, blocked or too many, or the parameters break the
    /// template's rules. Every other error (flow control
    /// `isv.BUSINESS_LIMIT_CONTROL`, `isp.SYSTEM_ERROR`, a wrong key,
    /// signature or template, an account out of balance) is retried with
    /// the outbox's backoff: an admin can correct settings meanwhile, and
    /// each attempt signs with the settings of its time.
    pub const NEVER_RETRIED: &[&str] = &[
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.MOBILE_COUNT_OVER_LIMIT",
        "isv.BLACK_KEY_CONTROL_LIMIT",
        "isv.PARAM_LENGTH_LIMIT",
        "isv.PARAM_NOT_SUPPORT_URL",
        "isv.INVALID_JSON_PARAM",
    ];

    /// One message to send.
    #[derive(Debug, Clone, Copy)]
    pub struct SendSms<'a> {
        pub access_key_id: &'a str,
        pub access_key_secret: &'a str,
        pub phone: &'a str,
        pub sign_name: &'a str,
        pub template_code: &'a str,
        /// JSON object of the template's variables ([`super::template_param`]).
        pub template_param: &'a str,
        /// Our id of the message, echoed in the provider's receipts.
        pub out_id: &'a str,
    }

    /// The form body of a `POST` to the endpoint: every parameter, sorted,
    /// percent-encoded, and the `Signature` last. A `POST` keeps the phone
    /// number out of the URL (which proxies and access logs keep).
    /// `nonce` must differ between requests; `at` is the request's time
    /// (the provider refuses one 15 minutes off).
    pub fn send_sms_body(message: &SendSms<'_>, at: DateTime<Utc>, nonce: &str) -> String {
        let timestamp = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut params = vec![
            ("AccessKeyId", message.access_key_id),
            ("Action", "SendSms"),
            ("Format", "JSON"),
            ("OutId", message.out_id),
            ("PhoneNumbers", message.phone),
            ("RegionId", "cn-hangzhou"),
            ("SignName", message.sign_name),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", nonce),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", message.template_code),
            ("TemplateParam", message.template_param),
            ("Timestamp", &timestamp),
            ("Version", VERSION),
        ];
        let query = canonical_query(&mut params);
        let signature = signature("POST", &query, message.access_key_secret);
        format!("{query}&Signature={}", percent_encode(&signature))
    }

    /// The canonicalized query string: parameters sorted by name (byte
    /// order), each name and value percent-encoded, joined by `=` and `&`.
    pub fn canonical_query(params: &mut [(&str, &str)]) -> String {
        params.sort_by(|a, b| a.0.cmp(b.0));
        params
            .iter()
            .map(|(name, value)| format!("{}={}", percent_encode(name), percent_encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// `Signature`: base64 of HMAC-SHA1, keyed with the AccessKey secret and
    /// `&`, over `{METHOD}&%2F&{percent-encoded canonical query}`.
    pub fn signature(method: &str, canonical_query: &str, access_key_secret: &str) -> String {
        let string_to_sign = format!(
            "{method}&{}&{}",
            percent_encode("/"),
            percent_encode(canonical_query)
        );
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = Hmac::<Sha1>::new_from_slice(format!("{access_key_secret}&").as_bytes())
            .expect("any key length");
        mac.update(string_to_sign.as_bytes());
        BASE64.encode(mac.finalize().into_bytes())
    }

    /// RFC 3986 percent-encoding, as the provider's signature reads it:
    /// `A-Z a-z 0-9 - _ . ~` stay, every other byte of the UTF-8 becomes
    /// `%XY` in capitals (a space `%20`, never `+`; `*` is `%2A`).
    pub fn percent_encode(text: &str) -> String {
        let mut out = String::with_capacity(text.len() * 3);
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
                out.push(char::from(byte));
            } else {
                let _ = write!(out, "%{byte:02X}");
            }
        }
        out
    }

    /// Reads the provider's answer (`{"Code": "OK", "BizId": …}` or an
    /// error `Code`) into what it means for the message. Only the code is
    /// kept, and only if it looks like one: an answer's free text is not
    /// the admin's to read.
    pub fn read_answer(status: u16, body: &[u8]) -> Answer {
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let field = |name: &str| {
            parsed
                .as_ref()
                .and_then(|v| v.get(name))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let code = field("Code").filter(|c| {
            !c.is_empty()
                && c.len() <= 64
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        });
        match code {
            Some(code) if code == "OK" && (200..300).contains(&status) => Answer::Sent {
                provider_id: field("BizId").filter(|id| id.len() <= 64),
            },
            Some(code) if NEVER_RETRIED.contains(&code.as_str()) => Answer::Refused(code),
            Some(code) => Answer::Retry(code),
            None => Answer::Retry(format!("HTTP {status}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::aliyun::*;
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// The example of Aliyun's documentation of the SMS API's signature
    /// (HTTP协议及签名, the `GET` request with AccessKey `testId` /
    /// `testSecret`), whose published signature is
    /// `zJDF+Lrzhj/ThnlvIToysFRq6t4=`.
    #[test]
    fn the_signature_is_the_documented_examples() {
        let mut params = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ];
        params.reverse();
        let query = canonical_query(&mut params);
        assert!(query.starts_with("AccessKeyId=testId&Action=SendSms&Format=XML"));
        assert!(query.contains(
            "&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&"
        ));
        assert!(query.contains("&TemplateParam=%7B%22customer%22%3A%22test%22%7D&"));
        assert!(query.contains("&Timestamp=2017-07-12T02%3A42%3A19Z&"));
        assert_eq!(
            signature("GET", &query, "testSecret"),
            "zJDF+Lrzhj/ThnlvIToysFRq6t4="
        );
    }

    #[test]
    fn percent_encoding_follows_rfc_3986() {
        let check = |text: &str, expected: &str| assert_eq!(percent_encode(text), expected);
        check("AZaz09-_.~", "AZaz09-_.~");
        check("a b", "a%20b");
        check("*", "%2A");
        check("+", "%2B");
        check("/", "%2F");
        check("=&", "%3D%26");
        check("镇", "%E9%95%87");
    }

    /// The body a message posts: its fields as the provider reads them,
    /// signed over `POST` (checked with a signature computed apart, with
    /// Python's hmac over the same string).
    #[test]
    fn a_message_is_a_signed_form() {
        let param = template_param("ABCDE-FGHJK");
        let body = send_sms_body(
            &SendSms {
                access_key_id: "testId",
                access_key_secret: "testSecret",
                phone: "13911112222",
                sign_name: "金山街道",
                template_code: "SMS_100001",
                template_param: &param,
                out_id: "demo-sms-7",
            },
            at("2026-03-02T01:02:03Z"),
            "00112233445566778899aabbccddeeff",
        );
        let fields: Vec<(String, String)> = form_urlencoded_pairs(&body);
        let get = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .unwrap_or_else(|| panic!("{name} missing"))
        };
        assert_eq!(get("Action"), "SendSms");
        assert_eq!(get("Version"), "2017-05-25");
        assert_eq!(get("PhoneNumbers"), "13911112222");
        assert_eq!(get("SignName"), "金山街道");
        assert_eq!(get("TemplateCode"), "SMS_100001");
        assert_eq!(get("TemplateParam"), r#"{"tracking_code":"ABCDE-FGHJK"}"#);
        assert_eq!(get("Timestamp"), "2026-03-02T01:02:03Z");
        assert_eq!(get("SignatureMethod"), "HMAC-SHA1");
        assert_eq!(get("SignatureVersion"), "1.0");
        assert_eq!(get("SignatureNonce"), "00112233445566778899aabbccddeeff");
        assert_eq!(get("Format"), "JSON");
        assert_eq!(get("OutId"), "demo-sms-7");
        assert!(
            body.ends_with("&Signature=5NMQmX2KKwSXdoZIJADEJxgUPP8%3D"),
            "{body}"
        );
        assert_eq!(get("Signature"), "5NMQmX2KKwSXdoZIJADEJxgUPP8=");
    }

    /// Decodes `name=value&…` (the test's own reading, apart from the encoder).
    fn form_urlencoded_pairs(body: &str) -> Vec<(String, String)> {
        let decode = |s: &str| {
            let bytes = s.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'%' {
                    out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8(out).unwrap()
        };
        body.split('&')
            .map(|pair| {
                let (n, v) = pair.split_once('=').unwrap();
                (decode(n), decode(v))
            })
            .collect()
    }

    #[test]
    fn which_steps_send_a_message() {
        let check = |action: &str, rating_open: bool, expected: &[SmsStep]| {
            assert_eq!(
                SmsStep::for_event(action, rating_open),
                expected,
                "{action} {rating_open}"
            );
        };
        use SmsStep::*;
        check("accept", false, &[Accepted]);
        check("dispatch", false, &[Dispatched]);
        check("resolve", true, &[Resolved]);
        check("close", true, &[Closed, RateInvitation]);
        check("close", false, &[Closed]);
        check("fixed_on_the_spot", false, &[Closed]);
        for quiet in [
            "report",
            "register",
            "sign_for",
            "start_work",
            "transfer",
            "return",
            "verify",
            "reject_verification",
            "request_extension",
            "escalate",
            "comment",
            "assist_done",
            "archive",
        ] {
            check(quiet, true, &[]);
        }
    }

    #[test]
    fn steps_have_stable_names() {
        for step in SmsStep::ALL {
            assert_eq!(SmsStep::parse(step.as_str()), Ok(step));
        }
        assert!(SmsStep::parse("reported").is_err());
        assert_eq!(
            template_param("ABCDE-FGHJK"),
            r#"{"tracking_code":"ABCDE-FGHJK"}"#
        );
    }

    #[test]
    fn the_answer_decides_the_retry() {
        let check = |status: u16, body: &str, expected: Answer| {
            assert_eq!(read_answer(status, body.as_bytes()), expected, "{body}");
        };
        check(
            200,
            r#"{"Code":"OK","Message":"OK","BizId":"900619746936498440^0","RequestId":"F655A8D5"}"#,
            Answer::Sent {
                provider_id: Some("900619746936498440^0".into()),
            },
        );
        check(
            200,
            r#"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发天级流控Permits:10"}"#,
            Answer::Retry("isv.BUSINESS_LIMIT_CONTROL".into()),
        );
        check(
            400,
            r#"{"Code":"isv.MOBILE_NUMBER_ILLEGAL","Message":"非法手机号"}"#,
            Answer::Refused("isv.MOBILE_NUMBER_ILLEGAL".into()),
        );
        check(
            404,
            r#"{"Code":"InvalidAccessKeyId.NotFound"}"#,
            Answer::Retry("InvalidAccessKeyId.NotFound".into()),
        );
        check(503, "<html>busy</html>", Answer::Retry("HTTP 503".into()));
        // "OK" with an error status is not a delivery; free text is not a code.
        check(500, r#"{"Code":"OK"}"#, Answer::Retry("OK".into()));
        check(
            400,
            r#"{"Code":"see http://10.0.0.1/"}"#,
            Answer::Retry("HTTP 400".into()),
        );
    }

    fn input() -> SettingsInput {
        SettingsInput {
            provider: None,
            endpoint: None,
            access_key_id: "LTAI5tExample".into(),
            access_key_secret: Some("secret".into()),
            sign_name: "金山街道".into(),
            templates: vec![(SmsStep::Accepted, "SMS_1".into())],
            enabled: true,
        }
    }

    #[test]
    fn settings_turned_on_need_keys_a_signature_and_a_template() {
        let settings = SmsSettings::new(input(), None, Reach::PublicOnly).unwrap();
        assert!(settings.configured());
        assert_eq!(settings.endpoint(), DEFAULT_ENDPOINT);
        assert_eq!(settings.template(SmsStep::Accepted), Some("SMS_1"));
        assert_eq!(settings.template(SmsStep::Closed), None);

        let kept = SmsSettings::new(
            SettingsInput {
                access_key_secret: None,
                ..input()
            },
            Some("stored"),
            Reach::PublicOnly,
        )
        .unwrap();
        assert_eq!(
            kept.access_key_secret(),
            "stored",
            "an absent secret keeps the stored one"
        );

        for (broken, field) in [
            (
                SettingsInput {
                    access_key_secret: None,
                    ..input()
                },
                "access_key_secret",
            ),
            (
                SettingsInput {
                    sign_name: " ".into(),
                    ..input()
                },
                "sign_name",
            ),
            (
                SettingsInput {
                    templates: vec![(SmsStep::Closed, String::new())],
                    ..input()
                },
                "templates",
            ),
        ] {
            let problem = SmsSettings::new(broken.clone(), None, Reach::PublicOnly).unwrap_err();
            assert_eq!(problem.status(), 422, "{field}");
            let off = SmsSettings::new(
                SettingsInput {
                    enabled: false,
                    ..broken
                },
                None,
                Reach::PublicOnly,
            )
            .unwrap();
            assert!(!off.configured(), "saved while off, but not configured");
        }
    }

    #[test]
    fn the_endpoint_reaches_public_hosts_only() {
        let local = SettingsInput {
            endpoint: Some("http://127.0.0.1:9/".into()),
            ..input()
        };
        let refused = SmsSettings::new(local.clone(), None, Reach::PublicOnly).unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("endpoint"));
        assert!(
            refused
                .detail
                .starts_with("an SMS endpoint must name a public host"),
            "the refusal names what was refused: {}",
            refused.detail
        );
        assert!(SmsSettings::new(local, None, Reach::LocalToo).is_ok());
        let bad_key = SettingsInput {
            access_key_id: "has space".into(),
            ..input()
        };
        assert!(SmsSettings::new(bad_key, None, Reach::PublicOnly).is_err());
    }

    #[test]
    fn numbers_are_masked() {
        assert_eq!(masked_number("13911112222"), "139****2222");
        assert_eq!(masked_number("12345"), "****");
    }
}
