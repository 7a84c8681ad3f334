//! Residents who left a phone hear back by SMS: the tenant admin sets the
//! provider (Aliyun SMS, here a local receiver that answers as Aliyun's
//! API does), and the sweep sends a signed `SendSms` request at each public
//! step of the case; a provider's refusal to send now is retried by a later
//! sweep; nothing is sent without settings, nor after the resident erased
//! their contact.

use crate::workflow::{Setup, setup, work_to_closure};
use crate::workflow_paths::read_request;
use domain::sms::aliyun::{canonical_query, signature};
use e2e::{LOCAL_RECEIVERS, OPERATOR_KEY, TestApp};
use serde_json::{Value, json};
use std::io::{BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PHONE: &str = "13911112222";
const SECRET: &str = "testSecret";

#[test]
fn residents_hear_back_by_sms_at_each_public_step() {
    let app = TestApp::product_with_env(LOCAL_RECEIVERS);
    let sms = Sms::new(&app);
    sms.nothing_is_queued_before_a_provider_is_set();
    sms.the_admin_sets_the_provider_and_never_reads_the_secret_back();
    let (case, flow_controlled_at) =
        sms.a_report_is_accepted_and_dispatched_one_text_refused_for_now();
    sms.the_department_resolves_and_the_centre_closes(&case);
    sms.an_erased_contact_is_texted_no_more();
    sms.the_refused_text_goes_out_at_a_later_sweep(flow_controlled_at);
    sms.no_number_reached_the_log();
}

/// A form the receiver got: its fields, decoded, in order.
pub(crate) type Form = Vec<(String, String)>;

struct Sms<'a> {
    app: &'a TestApp,
    s: Setup,
    receiver: Receiver,
}

impl<'a> Sms<'a> {
    fn new(app: &'a TestApp) -> Self {
        // The first message is refused for now, as Aliyun answers a number
        // texted too often; the others are sent.
        let receiver = Receiver::start(vec![(
            200,
            r#"{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"触发分钟级流控Permits:1","RequestId":"A1"}"#,
        )]);
        Sms {
            app,
            s: setup(app),
            receiver,
        }
    }

    fn sweep(&self) -> Value {
        let swept = self
            .app
            .client
            .post_json("/api/t/alpha/cases/sweep", Some(OPERATOR_KEY), &json!({}))
            .unwrap()
            .expect(200);
        swept["sms"].clone()
    }

    fn report(&self, phone: &str) -> Value {
        self.app
            .post_report(
                "alpha",
                &json!({ "category": "garbage", "description": "垃圾桶满了", "address": "金开大道1号", "phone": phone }),
            )
            .expect(201)
    }

    fn deliveries(&self) -> Vec<Value> {
        self.app
            .get("/api/t/alpha/admin/sms/deliveries", Some(&self.s.admin))
            .expect(200)["items"]
            .as_array()
            .unwrap()
            .clone()
    }

    fn got(&self) -> Vec<Form> {
        self.receiver.got()
    }

    fn nothing_is_queued_before_a_provider_is_set(&self) {
        let settings = self
            .app
            .get("/api/t/alpha/admin/sms", Some(&self.s.admin))
            .expect(200);
        assert_eq!(settings["configured"], false, "{settings}");
        assert_eq!(settings["endpoint"], "https://dysmsapi.aliyuncs.com/");
        self.report(PHONE);
        assert_eq!(self.sweep(), json!({ "delivered": 0, "failed": 0 }));
        assert!(
            self.deliveries().is_empty(),
            "nothing queued without a provider"
        );
        assert!(self.got().is_empty());
        let staff = self.app.get("/api/t/alpha/admin/sms", Some(&self.s.staff));
        assert_eq!(staff.status, 403, "the tenant admin's alone");
    }

    fn the_admin_sets_the_provider_and_never_reads_the_secret_back(&self) {
        let mut body = json!({
            "provider": "aliyun",
            "endpoint": self.receiver.url,
            "access_key_id": "testId",
            "sign_name": "金山街道",
            "templates": {
                "accepted": "SMS_1", "dispatched": "SMS_2", "resolved": "SMS_3",
                "closed": "SMS_4", "rate_invitation": "SMS_5"
            },
            "enabled": true
        });
        let put = |body: &Value| {
            self.app
                .client
                .send_json("PUT", "/api/t/alpha/admin/sms", Some(&self.s.admin), body)
                .unwrap()
        };
        let refused = put(&body);
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert_eq!(refused.json()["field"], "access_key_secret");
        body["access_key_secret"] = json!(SECRET);
        let saved = put(&body).expect(200);
        let read = self
            .app
            .get("/api/t/alpha/admin/sms", Some(&self.s.admin))
            .expect(200);
        assert_eq!(saved, read);
        assert_eq!(read["configured"], true);
        assert_eq!(read["access_key_secret_set"], true);
        assert!(
            !read.to_string().contains(SECRET),
            "the secret is write-only: {read}"
        );
        // Saved again without the secret, the stored one stays.
        body.as_object_mut().unwrap().remove("access_key_secret");
        assert_eq!(put(&body).expect(200)["configured"], true);
    }

    /// Returns the case and when its first text was refused.
    fn a_report_is_accepted_and_dispatched_one_text_refused_for_now(&self) -> (Value, Instant) {
        let receipt = self.report(PHONE);
        let code = receipt["tracking_code"].as_str().unwrap().to_string();
        assert!(self.got().is_empty(), "nothing before the sweep");
        let swept = self.sweep();
        let refused_at = Instant::now();
        assert_eq!(swept, json!({ "delivered": 1, "failed": 1 }));
        let got = self.got();
        assert_eq!(got.len(), 2);
        for (form, template) in got.iter().zip(["SMS_1", "SMS_2"]) {
            check_send_sms(form, template, &code);
        }
        let listed = self.deliveries();
        let step = |name: &str| {
            listed
                .iter()
                .find(|d| d["step"] == name)
                .unwrap_or_else(|| panic!("{name} in {listed:?}"))
                .clone()
        };
        let accepted = step("accepted");
        assert_eq!(accepted["state"], "pending");
        assert_eq!(accepted["attempts"], 1);
        assert_eq!(accepted["last_error"], "isv.BUSINESS_LIMIT_CONTROL");
        assert_eq!(accepted["phone"], "139****2222");
        let dispatched = step("dispatched");
        assert_eq!(dispatched["state"], "delivered");
        assert_eq!(dispatched["provider_id"], "biz-2");
        assert!(
            !listed.iter().any(|d| d.to_string().contains(PHONE)),
            "numbers are masked"
        );
        let case = self
            .app
            .get(
                &format!("/api/t/alpha/cases/{}", receipt["id"]),
                Some(&self.s.centre),
            )
            .expect(200);
        (case, refused_at)
    }

    fn the_department_resolves_and_the_centre_closes(&self, case: &Value) {
        work_to_closure(self.app, &self.s, case, "已清运");
        assert_eq!(self.sweep(), json!({ "delivered": 3, "failed": 0 }));
        let got = self.got();
        assert_eq!(got.len(), 5);
        let code = case["tracking_code"].as_str().unwrap();
        for (form, template) in got[2..].iter().zip(["SMS_3", "SMS_4", "SMS_5"]) {
            check_send_sms(form, template, code);
        }
    }

    fn an_erased_contact_is_texted_no_more(&self) {
        let receipt = self.report("13933334444");
        let path = format!(
            "/api/t/alpha/reports/{}/contact",
            receipt["tracking_code"].as_str().unwrap()
        );
        let secret = receipt["reporter_secret"].as_str().unwrap();
        self.app
            .client
            .send_with_headers("DELETE", &path, None, &[("reporter-secret", secret)], None)
            .unwrap()
            .expect(200);
        assert_eq!(self.sweep(), json!({ "delivered": 0, "failed": 0 }));
        assert_eq!(self.got().len(), 5, "nothing to the erased number");
        let of_erased: Vec<_> = self
            .deliveries()
            .into_iter()
            .filter(|d| d["tracking_code"] == receipt["tracking_code"])
            .collect();
        assert_eq!(of_erased.len(), 2, "accepted and dispatched were queued");
        assert!(
            of_erased
                .iter()
                .all(|d| d["state"] == "cancelled" && d["phone"].is_null()),
            "{of_erased:?}"
        );
    }

    /// The backoff's first wait is a minute: the sweep retries after it.
    fn the_refused_text_goes_out_at_a_later_sweep(&self, refused_at: Instant) {
        let due = refused_at + Duration::from_secs(61);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        assert_eq!(self.sweep(), json!({ "delivered": 1, "failed": 0 }));
        let got = self.got();
        assert_eq!(got.len(), 6);
        assert_eq!(field(&got[5], "TemplateCode"), "SMS_1");
        assert_ne!(
            field(&got[5], "SignatureNonce"),
            field(&got[0], "SignatureNonce"),
            "each attempt signed anew"
        );
        let accepted = self
            .deliveries()
            .into_iter()
            .find(|d| d["step"] == "accepted" && d["phone"] == "139****2222")
            .unwrap();
        assert_eq!(accepted["state"], "delivered");
        assert_eq!(accepted["attempts"], 2);
    }
}

impl Sms<'_> {
    /// The host's log (each request's line, and any error's) never carries
    /// a resident's number, sent or erased.
    fn no_number_reached_the_log(&self) {
        let log = self.app.log_lines();
        assert!(!log.is_empty(), "the host logs its requests");
        for number in [PHONE, "13933334444"] {
            assert!(
                !log.iter().any(|line| line.contains(number)),
                "{number} in the log"
            );
        }
    }
}

pub(crate) fn field<'f>(form: &'f Form, name: &str) -> &'f str {
    form.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("{name} missing from {form:?}"))
}

/// A `SendSms` request as Aliyun reads it, for `template` and the case
/// `code`, signed with the tenant's secret.
#[track_caller]
fn check_send_sms(form: &Form, template: &str, code: &str) {
    for (name, expected) in [
        ("Action", "SendSms"),
        ("Version", "2017-05-25"),
        ("Format", "JSON"),
        ("AccessKeyId", "testId"),
        ("PhoneNumbers", PHONE),
        ("SignName", "金山街道"),
        ("TemplateCode", template),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ] {
        assert_eq!(field(form, name), expected, "{name}");
    }
    let param: Value = serde_json::from_str(field(form, "TemplateParam")).unwrap();
    assert_eq!(param, json!({ "tracking_code": code }));
    assert!(field(form, "Timestamp").ends_with('Z'));
    assert_eq!(field(form, "SignatureNonce").len(), 32);
    let mut signed: Vec<(&str, &str)> = form
        .iter()
        .filter(|(n, _)| n != "Signature")
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        field(form, "Signature"),
        signature("POST", &canonical_query(&mut signed), SECRET),
        "signed with the secret"
    );
}

/// A provider on loopback: answers each `POST` with the next scripted
/// (status, body), then as Aliyun answers a message it took, and keeps
/// each form it got.
/// A local stand-in for Aliyun's SendSms endpoint: it keeps every form it
/// gets and answers each from its script, then `OK`.
pub(crate) struct Receiver {
    pub(crate) url: String,
    got: Arc<Mutex<Vec<Form>>>,
}

impl Receiver {
    /// The forms received so far, oldest first.
    pub(crate) fn got(&self) -> Vec<Form> {
        self.got.lock().unwrap().clone()
    }

    pub(crate) fn start(script: Vec<(u16, &'static str)>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let got = Arc::new(Mutex::new(Vec::new()));
        let keep = got.clone();
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (headers, body) = read_request(&mut reader);
                assert!(
                    headers
                        .iter()
                        .any(|(n, v)| n == "content-type"
                            && v == "application/x-www-form-urlencoded"),
                    "{headers:?}"
                );
                let form = decode_form(&String::from_utf8(body).unwrap());
                let number = {
                    let mut got = keep.lock().unwrap();
                    got.push(form);
                    got.len()
                };
                let ok = format!(
                    r#"{{"Code":"OK","Message":"OK","BizId":"biz-{number}","RequestId":"R{number}"}}"#
                );
                let (status, answer) = script.next().map_or((200, ok), |(s, b)| (s, b.to_string()));
                let _ = stream.write_all(
                    format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{answer}",
                        answer.len()
                    )
                    .as_bytes(),
                );
            }
        });
        Receiver { url, got }
    }
}

/// `name=value&…`, percent-decoded.
fn decode_form(body: &str) -> Form {
    form_urlencoded::parse(body.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}
