//! Open311's wire: one document, written as JSON or as the spec's XML, and the
//! spec's error list. Documents are built as JSON values; the XML writer names each
//! list's items after the list (`services` → `service`, `service_requests` →
//! `request`, …), which is the shape GeoReport v2 and FixMyStreet use.

use edge::Response;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Value, json};

pub const JSON_CONTENT_TYPE: &str = "application/json";
pub const XML_CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// The response format, chosen by the path's extension as the spec requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// Splits `CODE.json` / `CODE.xml` into the code and its format.
    pub fn split(segment: &str) -> Option<(&str, Format)> {
        if let Some(code) = segment.strip_suffix(".json") {
            Some((code, Format::Json))
        } else {
            segment.strip_suffix(".xml").map(|code| (code, Format::Xml))
        }
    }
}

/// An answer: the root element's name (XML) and the document (both formats).
pub struct Doc {
    pub status: u16,
    pub root: &'static str,
    pub body: Value,
    /// Seconds a refused client waits (`Retry-After`, with a 429).
    pub retry_after: Option<i64>,
}

impl Doc {
    pub fn ok(root: &'static str, body: Value) -> Doc {
        Doc {
            status: 200,
            root,
            body,
            retry_after: None,
        }
    }
}

/// An Open311 error: the HTTP status doubles as the error's `code`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Error {
    pub status: u16,
    pub description: String,
    pub retry_after: Option<i64>,
}

impl Open311Error {
    pub fn bad_request(description: impl Into<String>) -> Self {
        Self::new(400, description)
    }
    pub fn forbidden(description: impl Into<String>) -> Self {
        Self::new(403, description)
    }
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new(404, description)
    }
    pub fn new(status: u16, description: impl Into<String>) -> Self {
        Open311Error {
            status,
            description: description.into(),
            retry_after: None,
        }
    }

    /// `[{"code": 400, "description": "..."}]` / `<errors><error>…</error></errors>`.
    pub fn doc(&self) -> Doc {
        Doc {
            status: self.status,
            root: "errors",
            body: json!([{ "code": self.status, "description": self.description }]),
            retry_after: self.retry_after,
        }
    }
}

/// Problems from the domain and the store keep their status; their detail is written
/// for clients. Internal causes go to the log only.
impl From<domain::Problem> for Open311Error {
    fn from(problem: domain::Problem) -> Self {
        if problem.status() >= 500 {
            eprintln!(
                "open311 problem {}: {} (cause: {})",
                problem.status(),
                problem.detail,
                problem.cause().unwrap_or("none recorded")
            );
        }
        let description = match problem.field.as_deref().map(open311_name) {
            Some(field) if !problem.detail.contains(field.as_str()) => {
                format!("{field}: {}", problem.detail)
            }
            _ => problem.detail.clone(),
        };
        Open311Error {
            retry_after: problem.retry_after(),
            ..Open311Error::new(problem.status(), description)
        }
    }
}

/// A field of the domain's rules as an Open311 client names it.
fn open311_name(field: &str) -> String {
    match field {
        "category" => "service_code".into(),
        "latitude" => "lat".into(),
        "longitude" => "long".into(),
        _ => match field.strip_prefix("extra.") {
            Some(key) => format!("attribute[{key}]"),
            None => field.into(),
        },
    }
}

impl From<store::Error> for Open311Error {
    fn from(e: store::Error) -> Self {
        domain::Problem::from(e).into()
    }
}

pub fn respond(format: Format, doc: &Doc) -> Response {
    let (content_type, body) = match format {
        Format::Json => (JSON_CONTENT_TYPE, doc.body.to_string().into_bytes()),
        Format::Xml => (XML_CONTENT_TYPE, to_xml(doc.root, &doc.body)),
    };
    let retry_after = doc.retry_after.map(|seconds| seconds.to_string());
    let mut headers = vec![("content-type", content_type)];
    if let Some(seconds) = &retry_after {
        headers.push(("retry-after", seconds));
    }
    edge::respond::bytes(doc.status, &headers, body)
}

/// The name of the elements of a list named `list`.
fn item_name(list: &str) -> &'static str {
    match list {
        "services" => "service",
        "service_requests" => "request",
        "service_request_updates" => "request_update",
        "attributes" => "attribute",
        "values" => "value",
        "errors" => "error",
        "endpoints" => "endpoint",
        "formats" => "format",
        _ => "item",
    }
}

/// The document as XML, with the declaration the spec's examples carry.
pub fn to_xml(root: &str, value: &Value) -> Vec<u8> {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing to a Vec cannot fail.
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    write_element(&mut writer, root, value);
    let mut bytes = writer.into_inner();
    bytes.push(b'\n');
    bytes
}

fn write_element(writer: &mut Writer<Vec<u8>>, name: &str, value: &Value) {
    let text = match value {
        Value::Null => {
            let _ = writer.write_event(Event::Empty(BytesStart::new(name)));
            return;
        }
        Value::Array(items) => {
            let _ = writer.write_event(Event::Start(BytesStart::new(name)));
            for item in items {
                write_element(writer, item_name(name), item);
            }
            let _ = writer.write_event(Event::End(BytesEnd::new(name)));
            return;
        }
        Value::Object(fields) => {
            let _ = writer.write_event(Event::Start(BytesStart::new(name)));
            for (key, item) in fields {
                write_element(writer, key, item);
            }
            let _ = writer.write_event(Event::End(BytesEnd::new(name)));
            return;
        }
        Value::String(s) => xml_chars(s),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
    };
    let _ = writer.write_event(Event::Start(BytesStart::new(name)));
    let _ = writer.write_event(Event::Text(BytesText::new(&text)));
    let _ = writer.write_event(Event::End(BytesEnd::new(name)));
}

/// Drops the characters XML 1.0 cannot carry at all (most C0 controls).
fn xml_chars(s: &str) -> String {
    s.chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r') || c > '\u{9f}')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(root: &str, value: Value, expected: &str) {
        let xml = String::from_utf8(to_xml(root, &value)).unwrap();
        let compact: String = xml.lines().map(str::trim).collect();
        assert_eq!(compact, expected);
    }

    #[test]
    fn xml_shapes() {
        check(
            "errors",
            json!([{ "code": 403, "description": "bad <key> & co" }]),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>403</code>\
             <description>bad &lt;key&gt; &amp; co</description></error></errors>",
        );
        check(
            "service_requests",
            json!([{ "service_request_id": "7K3QD-M9XA2", "account_id": null }]),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request>\
             <account_id/><service_request_id>7K3QD-M9XA2</service_request_id>\
             </request></service_requests>",
        );
        check(
            "service_request_updates",
            json!([]),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_request_updates>\
             </service_request_updates>",
        );
    }

    #[test]
    fn formats() {
        assert_eq!(Format::split("pot.json"), Some(("pot", Format::Json)));
        assert_eq!(Format::split("pot.xml"), Some(("pot", Format::Xml)));
        assert_eq!(Format::split("pot"), None);
        assert_eq!(xml_chars("a\u{1}b\nc"), "ab\nc");
    }
}
