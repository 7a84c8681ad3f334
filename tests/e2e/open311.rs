//! Open311 GeoReport v2 as a 311 client uses it: query strings on GETs,
//! form-encoded POSTs with an `api_key`, `.json` and `.xml` answers (the XML
//! read with a real parser), the spec's error lists, and FixMyStreet's
//! `servicerequestupdates`.

use e2e::{Reply, TestApp};
use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::{Value, json};

const REPORTER_EMAIL: &str = "li.si@example.com";
const REPORTER_PHONE: &str = "13912345678";

/// Tenant `code` with two services (one with attributes) and an API key.
struct Jurisdiction {
    admin: String,
    key: String,
    key_id: i64,
}

fn jurisdiction(app: &TestApp, code: &str) -> Jurisdiction {
    let admin = app.tenant_with_admin(code);
    let post = |path: &str, body: Value| {
        let reply = app
            .client
            .post_json(&format!("/api/t/{code}/admin/{path}"), Some(&admin), &body)
            .unwrap();
        assert_eq!(reply.status, 201, "{path}: {}", reply.body);
        reply.json()
    };
    post(
        "categories",
        json!({ "code": "parking", "name_zh": "违章停车", "name_en": "Illegal parking",
                "response_hours": 2, "resolution_hours": 24,
                "extra_fields": [
                    { "key": "plate", "label_zh": "车牌号", "label_en": "Plate", "kind": "text", "required": true },
                    { "key": "size", "label_zh": "车型", "label_en": "Size", "kind": "choice", "choices": ["small", "large"] },
                    { "key": "cars", "label_zh": "车辆数", "label_en": "Cars", "kind": "number" }
                ] }),
    );
    post(
        "categories",
        json!({ "code": "noise", "name_zh": "噪音扰民", "name_en": "Noise",
                "response_hours": 2, "resolution_hours": 24 }),
    );
    let key = post("api-keys", json!({ "name": "311 app" }));
    Jurisdiction {
        admin,
        key: key["key"].as_str().unwrap().to_string(),
        key_id: key["id"].as_i64().unwrap(),
    }
}

fn form(fields: &[(&str, &str)]) -> Vec<u8> {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish().into_bytes()
}

fn post_form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Reply {
    app.client
        .send(
            "POST",
            path,
            None,
            Some(("application/x-www-form-urlencoded", &form(fields))),
        )
        .unwrap()
}

/// A good report of illegal parking in `alpha`, plus `changes` (an empty value drops the field).
fn report(app: &TestApp, key: &str, changes: &[(&str, &str)]) -> Reply {
    let mut fields: Vec<(&str, &str)> = vec![
        ("api_key", key),
        ("jurisdiction_id", "alpha"),
        ("service_code", "parking"),
        ("lat", "30.274123"),
        ("long", "120.155987"),
        ("attribute[plate]", "浙A12345"),
        ("attribute[size]", "small"),
        ("description", "小区门口违停，堵住消防通道"),
        ("first_name", "李"),
        ("last_name", "四"),
        ("email", REPORTER_EMAIL),
        ("phone", REPORTER_PHONE),
    ];
    for (k, v) in changes {
        fields.retain(|(f, _)| f != k);
        if !v.is_empty() {
            fields.push((k, v));
        }
    }
    post_form(app, "/open311/v2/requests.json", &fields)
}

/// The `service_request_id`s `GET requests` answers for alpha with `query`.
fn request_ids(app: &TestApp, query: &str) -> Vec<String> {
    let reply = app.get(
        &format!("/open311/v2/requests.json?jurisdiction_id=alpha{query}"),
        None,
    );
    assert_eq!(reply.status, 200, "{query}: {}", reply.body);
    reply
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap().to_string())
        .collect()
}

/// Form fields (or a good report's changes), the status they get and
/// what the error's description names.
type Refusal<'a> = (&'a [(&'a str, &'a str)], u16, &'a str);

/// The spec's error list, as JSON: one error whose code is the HTTP status.
fn assert_error(reply: &Reply, status: u16, fragment: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.content_type, "application/json");
    let errors = reply.json();
    assert_eq!(errors[0]["code"], status, "{}", reply.body);
    let description = errors[0]["description"].as_str().unwrap_or_default();
    assert!(
        description.contains(fragment),
        "{description:?} should mention {fragment:?}"
    );
}

/// A small XML tree: (name, text, children), read with quick-xml.
#[derive(Debug)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> &Element {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("<{}> has no <{name}>: {self:?}", self.name))
    }

    fn text_of(&self, name: &str) -> &str {
        &self.child(name).text
    }
}

fn parse_xml(reply: &Reply) -> Element {
    assert_eq!(
        reply.content_type, "text/xml; charset=utf-8",
        "{}",
        reply.body
    );
    assert!(
        reply
            .body
            .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
    );
    let mut reader = Reader::from_str(&reply.body);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        text: String::new(),
        children: Vec::new(),
    }];
    let element = |name: &[u8]| Element {
        name: String::from_utf8(name.to_vec()).unwrap(),
        text: String::new(),
        children: Vec::new(),
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(e.name().as_ref())),
            Event::Empty(e) => {
                let done = element(e.name().as_ref());
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Text(t) => {
                let text = t.decode().unwrap();
                let text = quick_xml::escape::unescape(&text).unwrap().into_owned();
                stack.last_mut().unwrap().text.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                let c = match name.as_str() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                };
                stack.last_mut().unwrap().text.push_str(c);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut root = stack.pop().unwrap();
    assert_eq!(root.children.len(), 1, "one root element");
    root.children.pop().unwrap()
}

#[test]
fn open311_discovery_services_and_definitions() {
    let app = TestApp::product();
    jurisdiction(&app, "alpha");

    let discovery = app.get("/open311/v2/discovery.json", None);
    assert_eq!(discovery.status, 200, "{}", discovery.body);
    let endpoint = &discovery.json()["endpoints"][0];
    assert_eq!(
        endpoint["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    assert_eq!(endpoint["formats"], json!(["application/json", "text/xml"]));
    let xml = parse_xml(&app.get("/open311/v2/discovery.xml", None));
    assert_eq!(xml.name, "discovery");
    let endpoint = xml.child("endpoints").child("endpoint");
    assert_eq!(endpoint.text_of("type"), "production");
    assert_eq!(endpoint.child("formats").children.len(), 2);

    let services = app.get("/open311/v2/services.json?jurisdiction_id=alpha", None);
    assert_eq!(services.status, 200, "{}", services.body);
    assert_eq!(services.content_type, "application/json");
    let list = services.json();
    let parking = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "parking")
        .expect("parking is a service");
    assert_eq!(parking["service_name"], "违章停车");
    assert_eq!(parking["metadata"], true);
    assert_eq!(parking["type"], "realtime");
    let noise = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service_code"] == "noise")
        .expect("noise is a service");
    assert_eq!(noise["metadata"], false);
    let english = app.get(
        "/open311/v2/services.json?jurisdiction_id=alpha&locale=en",
        None,
    );
    assert!(english.body.contains("Illegal parking"));

    let xml = parse_xml(&app.get("/open311/v2/services.xml?jurisdiction_id=alpha", None));
    assert_eq!(xml.name, "services");
    assert_eq!(xml.children.len(), list.as_array().unwrap().len());
    assert!(xml.children.iter().all(|s| s.name == "service"));
    let parking = xml
        .children
        .iter()
        .find(|s| s.text_of("service_code") == "parking")
        .unwrap();
    assert_eq!(parking.text_of("service_name"), "违章停车");
    assert_eq!(parking.text_of("metadata"), "true");

    let definition = app.get(
        "/open311/v2/services/parking.json?jurisdiction_id=alpha",
        None,
    );
    assert_eq!(definition.status, 200, "{}", definition.body);
    let definition = definition.json();
    assert_eq!(definition["service_code"], "parking");
    let attributes = definition["attributes"].as_array().unwrap();
    let codes: Vec<_> = attributes.iter().map(|a| a["code"].clone()).collect();
    assert_eq!(codes, [json!("plate"), json!("size"), json!("cars")]);
    assert_eq!(attributes[0]["variable"], true);
    assert_eq!(attributes[0]["required"], true);
    assert_eq!(attributes[0]["datatype"], "string");
    assert_eq!(attributes[0]["description"], "车牌号");
    assert_eq!(attributes[0]["order"], 1);
    assert_eq!(attributes[1]["datatype"], "singlevaluelist");
    assert_eq!(
        attributes[1]["values"][1],
        json!({ "key": "large", "name": "large" })
    );
    assert_eq!(attributes[2]["datatype"], "number");
    let xml = parse_xml(&app.get(
        "/open311/v2/services/parking.xml?jurisdiction_id=alpha",
        None,
    ));
    assert_eq!(xml.name, "service_definition");
    let size = &xml.child("attributes").children[1];
    assert_eq!(size.name, "attribute");
    assert_eq!(size.text_of("datatype"), "singlevaluelist");
    let value = size.child("values").child("value");
    assert_eq!(
        (value.text_of("key"), value.text_of("name")),
        ("small", "small")
    );

    // Bad input: the spec's error list with the right status, never a 500.
    assert_error(
        &app.get("/open311/v2/services.json", None),
        400,
        "jurisdiction_id",
    );
    assert_error(
        &app.get("/open311/v2/services.json?jurisdiction_id=nowhere", None),
        404,
        "jurisdiction_id",
    );
    assert_error(
        &app.get(
            "/open311/v2/services/potholes.json?jurisdiction_id=alpha",
            None,
        ),
        404,
        "potholes",
    );
    assert_error(
        &app.get("/open311/v2/services/parking?jurisdiction_id=alpha", None),
        404,
        ".json",
    );
    let xml_error = app.get("/open311/v2/services.xml?jurisdiction_id=nowhere", None);
    assert_eq!(xml_error.status, 404);
    let errors = parse_xml(&xml_error);
    assert_eq!(errors.name, "errors");
    assert_eq!(errors.child("error").text_of("code"), "404");
}

#[test]
fn open311_requests_are_posted_with_a_key_and_read_back() {
    let app = TestApp::product();
    let alpha = jurisdiction(&app, "alpha");
    let beta = jurisdiction(&app, "beta");
    let id = a_report_is_posted_with_the_key(&app, &alpha);
    let noise_id = a_report_posted_for_xml_gets_an_xml_answer(&app, &alpha);
    one_request_is_read_as_json_and_xml(&app, &id);
    the_token_resolves_to_the_id(&app, &id);
    requests_are_listed_and_filtered(&app, &id, &noise_id);
    another_tenants_request_is_not_found_through_this_jurisdiction(&app, &alpha, &beta);
    wrong_keys_and_bad_reports_are_refused_with_the_specs_errors(&app, &alpha);
    a_revoked_key_files_nothing_and_no_key_is_shown_again(&app, &alpha);
    no_open311_answer_shows_the_reporter(&app, &id);
}

/// Posts [`report`] with `changes`, which must be taken: the request's id.
fn reported(app: &TestApp, key: &str, changes: &[(&str, &str)]) -> String {
    let created = report(app, key, changes);
    assert_eq!(created.status, 200, "{}", created.body);
    created.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string()
}

fn a_report_is_posted_with_the_key(app: &TestApp, alpha: &Jurisdiction) -> String {
    let created = report(app, &alpha.key, &[]);
    assert_eq!(created.status, 200, "{}", created.body);
    let created = created.json();
    let id = created[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 11, "a tracking code: {id}");
    assert!(created[0]["service_notice"].as_str().unwrap().contains(&id));
    assert_eq!(created[0]["account_id"], Value::Null);
    id
}

/// The XML answer to a POST: the request's id.
fn a_report_posted_for_xml_gets_an_xml_answer(app: &TestApp, alpha: &Jurisdiction) -> String {
    let by_xml = post_form(
        app,
        "/open311/v2/requests.xml",
        &[
            ("api_key", &alpha.key),
            ("jurisdiction_id", "alpha"),
            ("service_code", "noise"),
            ("address_string", "金山社区3号楼"),
        ],
    );
    let xml = parse_xml(&by_xml);
    assert_eq!(xml.name, "service_requests");
    xml.child("request")
        .text_of("service_request_id")
        .to_string()
}

fn one_request_is_read_as_json_and_xml(app: &TestApp, id: &str) {
    let one = app.get(
        &format!("/open311/v2/requests/{id}.json?jurisdiction_id=alpha"),
        None,
    );
    assert_eq!(one.status, 200, "{}", one.body);
    let request = &one.json()[0];
    assert_eq!(request["service_request_id"], id);
    assert_eq!(request["status"], "open");
    assert_eq!(request["service_code"], "parking");
    assert_eq!(request["service_name"], "违章停车");
    assert_eq!(request["description"], "小区门口违停，堵住消防通道");
    assert_eq!(request["lat"], json!(30.274));
    assert_eq!(request["long"], json!(120.156));
    assert_eq!(request["extended_attributes"]["fixmystreet_status"], "open");
    let requested = request["requested_datetime"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(requested).is_ok(),
        "{requested}"
    );
    let xml = parse_xml(&app.get(
        &format!("/open311/v2/requests/{id}.xml?jurisdiction_id=alpha"),
        None,
    ));
    assert_eq!(xml.name, "service_requests");
    let request = xml.child("request");
    assert_eq!(request.text_of("service_request_id"), id);
    assert_eq!(request.text_of("status"), "open");
    assert_eq!(request.text_of("lat"), "30.274");
    assert_eq!(
        request.child("extended_attributes").text_of("state"),
        "reported"
    );
}

fn the_token_resolves_to_the_id(app: &TestApp, id: &str) {
    let token = app.get(
        &format!("/open311/v2/tokens/{id}.json?jurisdiction_id=alpha"),
        None,
    );
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.json()[0]["service_request_id"], id);
    let xml = parse_xml(&app.get(
        &format!("/open311/v2/tokens/{id}.xml?jurisdiction_id=alpha"),
        None,
    ));
    assert_eq!(xml.child("request").text_of("service_request_id"), id);
}

fn requests_are_listed_and_filtered(app: &TestApp, id: &str, noise_id: &str) {
    let ids = |query: &str| request_ids(app, query);
    let (id, noise_id) = (id.to_string(), noise_id.to_string());
    let mut both = vec![id.clone(), noise_id.clone()];
    both.sort();
    let mut all = ids("");
    all.sort();
    assert_eq!(all, both);
    assert_eq!(ids("&service_code=parking"), std::slice::from_ref(&id));
    assert_eq!(ids("&service_code=noise,parking").len(), 2);
    assert_eq!(
        ids(&format!("&service_request_id={noise_id}")),
        std::slice::from_ref(&noise_id)
    );
    assert_eq!(
        ids(&format!("&service_request_id={noise_id},{id}")).len(),
        2
    );
    assert_eq!(ids("&service_request_id=nonsense"), Vec::<String>::new());
    assert_eq!(ids("&status=open").len(), 2);
    assert_eq!(ids("&status=closed"), Vec::<String>::new());
    assert_eq!(
        ids("&start_date=2099-01-01T00:00:00Z"),
        Vec::<String>::new()
    );
    assert_eq!(
        ids("&end_date=2000-01-01T00:00:00%2B08:00"),
        Vec::<String>::new()
    );
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        ids(&format!(
            "&start_date={}T00:00:00Z",
            today.pred_opt().unwrap()
        ))
        .len(),
        2
    );
    let xml = parse_xml(&app.get(
        "/open311/v2/requests.xml?jurisdiction_id=alpha&service_code=parking",
        None,
    ));
    assert_eq!(xml.children.len(), 1);
    assert_eq!(xml.children[0].name, "request");
    for (query, field) in [
        ("&status=lost", "status"),
        ("&start_date=soon", "start_date"),
    ] {
        assert_error(
            &app.get(
                &format!("/open311/v2/requests.json?jurisdiction_id=alpha{query}"),
                None,
            ),
            400,
            field,
        );
    }
}

/// Another tenant's request is not found through this jurisdiction, and
/// this jurisdiction's key does not work for the other.
fn another_tenants_request_is_not_found_through_this_jurisdiction(
    app: &TestApp,
    alpha: &Jurisdiction,
    beta: &Jurisdiction,
) {
    let theirs = reported(app, &beta.key, &[("jurisdiction_id", "beta")]);
    for kind in ["requests", "tokens"] {
        assert_error(
            &app.get(
                &format!("/open311/v2/{kind}/{theirs}.json?jurisdiction_id=alpha"),
                None,
            ),
            404,
            &theirs,
        );
    }
    assert!(!request_ids(app, &format!("&service_request_id={theirs}")).contains(&theirs));
    assert_error(
        &report(app, &alpha.key, &[("jurisdiction_id", "beta")]),
        403,
        "api_key",
    );
}

/// Keys wrong or missing, and bad reports: each refused with the spec's
/// error list naming what is wrong.
fn wrong_keys_and_bad_reports_are_refused_with_the_specs_errors(
    app: &TestApp,
    alpha: &Jurisdiction,
) {
    assert_error(&report(app, "not-the-key", &[]), 403, "api_key");
    let refused: &[Refusal] = &[
        (&[("api_key", "")], 403, "api_key"),
        (&[("service_code", "")], 400, "service_code"),
        (&[("service_code", "potholes")], 400, "service_code"),
        (&[("lat", "north")], 400, "lat"),
        (&[("lat", "95")], 400, "lat"),
        (&[("long", "")], 400, "long"),
        (&[("lat", ""), ("long", "")], 400, "address_string"),
        (&[("attribute[plate]", "")], 400, "attribute[plate]"),
        (&[("attribute[size]", "huge")], 400, "attribute[size]"),
        (&[("attribute[cars]", "two")], 400, "attribute[cars]"),
        (&[("attribute[colour]", "red")], 400, "attribute[colour]"),
        (&[("jurisdiction_id", "")], 400, "jurisdiction_id"),
    ];
    for (changes, status, fragment) in refused {
        assert_error(&report(app, &alpha.key, changes), *status, fragment);
    }
    let json_body = app
        .client
        .post_json(
            "/open311/v2/requests.json",
            None,
            &json!({ "api_key": alpha.key }),
        )
        .unwrap();
    assert_error(&json_body, 400, "x-www-form-urlencoded");
}

fn a_revoked_key_files_nothing_and_no_key_is_shown_again(app: &TestApp, alpha: &Jurisdiction) {
    let revoked = app
        .client
        .send(
            "DELETE",
            &format!("/api/t/alpha/admin/api-keys/{}", alpha.key_id),
            Some(&alpha.admin),
            None,
        )
        .unwrap();
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    assert!(revoked.json()["revoked_at"].is_string());
    assert_error(&report(app, &alpha.key, &[]), 403, "revoked");
    let keys = app.get("/api/t/alpha/admin/api-keys", Some(&alpha.admin));
    assert_eq!(keys.status, 200);
    assert!(!keys.body.contains(&alpha.key), "a key is shown once only");
}

/// The reporter's contact details appear in no Open311 answer.
fn no_open311_answer_shows_the_reporter(app: &TestApp, id: &str) {
    for path in [
        "/open311/v2/requests.json?jurisdiction_id=alpha".to_string(),
        "/open311/v2/requests.xml?jurisdiction_id=alpha".to_string(),
        format!("/open311/v2/requests/{id}.json?jurisdiction_id=alpha"),
        format!("/open311/v2/requests/{id}.xml?jurisdiction_id=alpha"),
        "/open311/v2/servicerequestupdates.json?jurisdiction_id=alpha".to_string(),
        "/open311/v2/servicerequestupdates.xml?jurisdiction_id=alpha".to_string(),
    ] {
        let reply = app.get(&path, None);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        for private in [
            REPORTER_EMAIL,
            REPORTER_PHONE,
            "李 四",
            "30.274123",
            "120.155987",
        ] {
            assert!(
                !reply.body.contains(private),
                "{path} shows {private}: {}",
                reply.body
            );
        }
    }
}

#[test]
fn open311_servicerequestupdates_carry_case_updates_both_ways() {
    let app = TestApp::product();
    let alpha = jurisdiction(&app, "alpha");
    let id = reported(&app, &alpha.key, &[]);
    let case = the_centre_accepts_the_case_through_the_staff_api(&app, &alpha, &id);
    the_acceptance_is_an_update_in_json_and_xml(&app, &id);
    a_311_system_adds_a_public_note_once(&app, &alpha, &id, &case);
    bad_updates_are_refused(&app, &alpha, &id);
}

fn the_centre_accepts_the_case_through_the_staff_api(
    app: &TestApp,
    alpha: &Jurisdiction,
    id: &str,
) -> Value {
    let cases = app.get("/api/t/alpha/cases", Some(&alpha.admin));
    let case = cases.json()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["tracking_code"] == id)
        .cloned()
        .expect("the Open311 request is a case");
    let accepted = app
        .client
        .post_json(
            &format!("/api/t/alpha/cases/{}/actions", case["id"]),
            Some(&alpha.admin),
            &json!({ "version": 1, "action": "accept" }),
        )
        .unwrap();
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    case
}

fn the_acceptance_is_an_update_in_json_and_xml(app: &TestApp, id: &str) {
    let updates = app.get(
        "/open311/v2/servicerequestupdates.json?jurisdiction_id=alpha",
        None,
    );
    assert_eq!(updates.status, 200, "{}", updates.body);
    let updates = updates.json();
    let ours: Vec<&Value> = updates
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["service_request_id"] == id)
        .collect();
    assert_eq!(ours.len(), 2, "the report and the acceptance: {updates}");
    assert_eq!(ours[0]["status"], "open");
    assert_eq!(ours[1]["status"], "investigating");
    assert_eq!(ours[1]["external_status_code"], "accepted");
    assert!(ours[1]["update_id"].is_string());
    let request = app
        .get(
            &format!("/open311/v2/requests/{id}.json?jurisdiction_id=alpha"),
            None,
        )
        .json();
    assert_eq!(request[0]["status"], "open");
    assert_eq!(
        request[0]["extended_attributes"]["fixmystreet_status"],
        "investigating"
    );

    let xml = parse_xml(&app.get(
        "/open311/v2/servicerequestupdates.xml?jurisdiction_id=alpha",
        None,
    ));
    assert_eq!(xml.name, "service_request_updates");
    let last = xml.children.last().unwrap();
    assert_eq!(last.name, "request_update");
    assert_eq!(last.text_of("status"), "investigating");
    assert_eq!(last.text_of("service_request_id"), id);
    // A window in the past holds nothing.
    let old = app.get(
        "/open311/v2/servicerequestupdates.json?jurisdiction_id=alpha\
         &start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z",
        None,
    );
    assert_eq!(old.json(), json!([]));
}

/// A 311 system adds an update: a public note, the state unchanged.
fn a_311_system_adds_a_public_note_once(
    app: &TestApp,
    alpha: &Jurisdiction,
    id: &str,
    case: &Value,
) {
    let update = |update_id: &str| {
        post_form(
            app,
            "/open311/v2/servicerequestupdates.xml",
            &[
                ("api_key", &alpha.key),
                ("jurisdiction_id", "alpha"),
                ("service_request_id", id),
                ("update_id", update_id),
                ("status", "OPEN"),
                ("description", "已转交城管中队"),
                ("updated_datetime", "2026-11-27T10:00:00+08:00"),
            ],
        )
    };
    let posted = parse_xml(&update("fms-1"));
    assert_eq!(posted.name, "service_request_updates");
    let update_id = posted
        .child("request_update")
        .text_of("update_id")
        .to_string();
    let again = parse_xml(&update("fms-1"));
    assert_eq!(
        again.child("request_update").text_of("update_id"),
        update_id,
        "a retried update is not added twice"
    );
    let updates = app
        .get(
            "/open311/v2/servicerequestupdates.json?jurisdiction_id=alpha",
            None,
        )
        .json();
    let notes: Vec<&Value> = updates
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["description"] == "已转交城管中队")
        .collect();
    assert_eq!(notes.len(), 1, "{updates}");
    assert_eq!(notes[0]["update_id"], update_id.as_str());
    assert_eq!(notes[0]["status"], "investigating");
    let timeline = app.get(
        &format!("/api/t/alpha/cases/{}", case["id"]),
        Some(&alpha.admin),
    );
    assert!(
        timeline.body.contains("已转交城管中队"),
        "{}",
        timeline.body
    );
    assert!(timeline.body.contains("\"accepted\""));
}

/// Updates with a wrong key, no request, an unknown request or a bad
/// time: each refused with the spec's error list.
fn bad_updates_are_refused(app: &TestApp, alpha: &Jurisdiction, id: &str) {
    let key = alpha.key.as_str();
    let refused: &[Refusal] = &[
        (
            &[
                ("api_key", "wrong-key"),
                ("jurisdiction_id", "alpha"),
                ("service_request_id", id),
                ("update_id", "2"),
                ("description", "x"),
            ],
            403,
            "api_key",
        ),
        (
            &[
                ("api_key", key),
                ("jurisdiction_id", "alpha"),
                ("update_id", "2"),
                ("description", "x"),
            ],
            400,
            "service_request_id",
        ),
        (
            &[
                ("api_key", key),
                ("jurisdiction_id", "alpha"),
                ("service_request_id", "AAAAA-AAAAA"),
                ("update_id", "2"),
                ("description", "x"),
            ],
            404,
            "AAAAA-AAAAA",
        ),
        (
            &[
                ("api_key", key),
                ("jurisdiction_id", "alpha"),
                ("service_request_id", id),
                ("update_id", "2"),
                ("description", "x"),
                ("updated_datetime", "later"),
            ],
            400,
            "updated_datetime",
        ),
    ];
    for (fields, status, fragment) in refused {
        let reply = post_form(app, "/open311/v2/servicerequestupdates.json", fields);
        assert_error(&reply, *status, fragment);
    }
}

#[test]
fn open311_the_demo_tenant_takes_the_demo_key() {
    let app = TestApp::product();
    for _ in 0..2 {
        // Seeding is idempotent: the second run finds the key issued (409).
        xtask::demo::seed(&app.client, e2e::OPERATOR_KEY).expect("demo seed");
    }
    let services = app
        .get("/open311/v2/services.json?jurisdiction_id=demo", None)
        .json();
    let service = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["metadata"] == false)
        .expect("the demo has a service without attributes");
    let code = service["service_code"].as_str().unwrap();
    let created = post_form(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", xtask::demo::DEMO_OPEN311_KEY),
            ("jurisdiction_id", "demo"),
            ("service_code", code),
            ("lat", "30.2741"),
            ("long", "120.1551"),
            ("description", "路灯不亮"),
        ],
    );
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.json()[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let status = app.get(&format!("/api/t/demo/status/{id}"), None);
    assert_eq!(
        status.status, 200,
        "the resident's status page knows it: {}",
        status.body
    );
}

/// `GET requests` pages, newest first: `page_size` requests per `page`.
#[test]
fn open311_requests_are_read_page_by_page() {
    let app = TestApp::product();
    let alpha = jurisdiction(&app, "alpha");
    let posted: Vec<String> = (0..5)
        .map(|n| {
            let description = format!("第{n}个路灯不亮");
            reported(&app, &alpha.key, &[("description", &description)])
        })
        .collect();
    let page = |query: &str| request_ids(&app, query);
    let newest_first: Vec<String> = posted.iter().rev().cloned().collect();
    assert_eq!(page(""), newest_first, "five fit on the default page");
    assert_eq!(page("&page_size=2"), newest_first[..2]);
    assert_eq!(page("&page_size=2&page=2"), newest_first[2..4]);
    assert_eq!(page("&page_size=2&page=3"), newest_first[4..]);
    assert!(page("&page_size=2&page=4").is_empty());
    for bad in ["&page_size=0", "&page_size=1001", "&page=0", "&page=x"] {
        let reply = app.get(
            &format!("/open311/v2/requests.json?jurisdiction_id=alpha{bad}"),
            None,
        );
        assert_error(&reply, 400, "whole number");
    }
}
