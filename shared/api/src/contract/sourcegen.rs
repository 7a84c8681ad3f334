//! Writes the rules of [`super::RULES`] into the document's text, keyword
//! by keyword, leaving everything else as it is written (order, layout,
//! descriptions): the document stays a file people read and edit, and the
//! limits in it are the code's.

use super::{At, RULES, Rule};

/// A JSON value's place in the text: `start..end` in bytes.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

fn skip_white_space(text: &[u8], mut at: usize) -> usize {
    while at < text.len() && text[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

/// The end of the string whose opening quote is at `at`.
fn string_end(text: &[u8], mut at: usize) -> usize {
    at += 1;
    while text[at] != b'"' {
        at += if text[at] == b'\\' { 2 } else { 1 };
    }
    at + 1
}

/// The value that starts at or after `at`.
fn value(text: &[u8], at: usize) -> Span {
    let start = skip_white_space(text, at);
    let end = match text[start] {
        b'"' => string_end(text, start),
        b'{' | b'[' => {
            let mut depth = 0;
            let mut i = start;
            loop {
                match text[i] {
                    b'"' => {
                        i = string_end(text, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            break i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
        }
        _ => {
            let mut i = start;
            while i < text.len() && !b",}] \n\r\t".contains(&text[i]) {
                i += 1;
            }
            i
        }
    };
    Span { start, end }
}

/// The comma-separated entries of the object or array at `span`, each
/// read by `entry` from where it starts (its value's span, and what it is).
fn entries<T>(text: &str, span: Span, entry: impl Fn(usize) -> (Span, T)) -> Vec<T> {
    let bytes = text.as_bytes();
    let close = match bytes[span.start] {
        b'{' => b'}',
        b'[' => b']',
        _ => panic!("neither an object nor an array"),
    };
    let mut out = Vec::new();
    let mut at = skip_white_space(bytes, span.start + 1);
    while bytes[at] != close {
        let (value, item) = entry(at);
        out.push(item);
        at = skip_white_space(bytes, value.end);
        if bytes[at] == b',' {
            at = skip_white_space(bytes, at + 1);
        }
    }
    out
}

/// The members of the object at `object`: each key and its value's span.
fn members(text: &str, object: Span) -> Vec<(String, Span)> {
    let bytes = text.as_bytes();
    entries(text, object, |at| {
        let key_end = string_end(bytes, at);
        let key: String = serde_json::from_str(&text[at..key_end]).expect("a key");
        let colon = skip_white_space(bytes, key_end);
        assert_eq!(bytes[colon], b':');
        let span = value(bytes, colon + 1);
        (span, (key, span))
    })
}

/// The elements of the array at `array`.
fn elements(text: &str, array: Span) -> Vec<Span> {
    entries(text, array, |at| {
        let span = value(text.as_bytes(), at);
        (span, span)
    })
}

fn member(text: &str, object: Span, key: &str) -> Option<Span> {
    members(text, object)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, span)| span)
}

fn string_at(text: &str, span: Span) -> Option<String> {
    serde_json::from_str(&text[span.start..span.end]).ok()
}

/// Follows a JSON pointer (`/properties/title`, `/items`) from `from`.
fn pointer(text: &str, from: Span, pointer: &str) -> Option<Span> {
    let mut at = from;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        at = match text.as_bytes()[at.start] {
            b'[' => *elements(text, at).get(segment.parse::<usize>().ok()?)?,
            _ => member(text, at, &segment)?,
        };
    }
    Some(at)
}

/// The operation whose `operationId` is `id`.
fn operation(text: &str, root: Span, id: &str) -> Option<Span> {
    let paths = member(text, root, "paths")?;
    members(text, paths)
        .into_iter()
        .flat_map(|(_, item)| members(text, item))
        .map(|(_, op)| op)
        .find(|&op| {
            text.as_bytes()[op.start] == b'{'
                && member(text, op, "operationId").and_then(|s| string_at(text, s))
                    == Some(id.to_string())
        })
}

/// The schema object a rule governs.
fn locate(text: &str, at: At) -> Option<Span> {
    let root = value(text.as_bytes(), 0);
    match at {
        At::Schema(name, inside) => {
            let schemas = pointer(text, root, "/components/schemas")?;
            pointer(text, member(text, schemas, name)?, inside)
        }
        At::Parameter(id, name) => {
            let parameters = member(text, operation(text, root, id)?, "parameters")?;
            let parameter = elements(text, parameters).into_iter().find(|&p| {
                member(text, p, "name").and_then(|s| string_at(text, s)) == Some(name.to_string())
            })?;
            member(text, parameter, "schema")
        }
        At::Body(id, inside) => {
            let op = operation(text, root, id)?;
            let schema = pointer(text, op, "/requestBody/content/application~1json/schema")?;
            pointer(text, schema, inside)
        }
    }
}

/// The keywords a rule sets, as JSON text.
fn keywords(rule: Rule) -> Vec<(&'static str, String)> {
    let json = |v: serde_json::Value| v.to_string();
    let number = |n: f64| {
        if n.fract() == 0.0 {
            json((n as i64).into())
        } else {
            json(n.into())
        }
    };
    match rule {
        Rule::Text(t) => vec![
            ("minLength", json(1.into())),
            ("maxLength", json(t.max_chars().into())),
            ("pattern", json(domain::limits::not_blank_pattern().into())),
        ],
        Rule::NotBlank => vec![
            ("minLength", json(1.into())),
            ("pattern", json(domain::limits::not_blank_pattern().into())),
        ],
        Rule::Chars { min, max } => vec![
            ("minLength", json(min.into())),
            ("maxLength", json(max.into())),
        ],
        Rule::MinChars(min) => vec![("minLength", json(min.into()))],
        Rule::Pattern(pattern) => vec![("pattern", json(pattern().into()))],
        Rule::Integer { min, max } => {
            vec![("minimum", json(min.into())), ("maximum", json(max.into()))]
        }
        Rule::Number { min, max } => vec![("minimum", number(min)), ("maximum", number(max))],
        Rule::MultipleOf(step) => vec![("multipleOf", number(step))],
        Rule::Page(page) => vec![
            ("minimum", json(1.into())),
            ("maximum", json(page.max.into())),
            ("default", json(page.default.into())),
        ],
        Rule::MaxChars(max) => vec![("maxLength", json(max.into()))],
        Rule::MaxItems(max) => vec![("maxItems", json(max.into()))],
        Rule::MaxContains(max) => vec![("maxContains", json(max.into()))],
        Rule::ProblemCodes => {
            let all = domain::ProblemCode::ALL;
            let pretty = |v: serde_json::Value| serde_json::to_string_pretty(&v).expect("JSON");
            vec![
                ("enum", pretty(all.iter().map(|c| c.slug()).collect())),
                (
                    "x-enum-descriptions",
                    pretty(
                        all.iter()
                            .map(|c| format!("{} ({})", c.meaning(), c.kind().status()))
                            .collect(),
                    ),
                ),
            ]
        }
    }
}

/// Sets `keywords` on the object at `span`: a keyword it has keeps its
/// place, a new one goes last.
fn set_keywords(text: &str, span: Span, keywords: &[(&str, String)]) -> String {
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let indent = text[line_start..]
        .bytes()
        .take_while(|&b| b == b' ')
        .count();
    let mut items: Vec<(String, String)> = members(text, span)
        .into_iter()
        .map(|(k, v)| (k, text[v.start..v.end].to_string()))
        .collect();
    let inner = " ".repeat(indent + 2);
    for (keyword, value) in keywords {
        // A value on several lines is indented where it goes.
        let value = &value.replace('\n', &format!("\n{inner}"));
        match items.iter_mut().find(|(k, _)| k == keyword) {
            Some((_, v)) => *v = value.clone(),
            None => items.push((keyword.to_string(), value.clone())),
        }
    }
    let body: Vec<String> = items
        .iter()
        .map(|(k, v)| format!("{inner}{}: {v}", serde_json::Value::from(k.as_str())))
        .collect();
    format!("{{\n{}\n{}}}", body.join(",\n"), " ".repeat(indent))
}

/// The document with every rule of [`RULES`] written in; panics naming a
/// rule whose place the document does not have.
pub fn apply(document: &str) -> String {
    let mut text = document.to_string();
    for &(at, rule) in RULES {
        let span = locate(&text, at).unwrap_or_else(|| panic!("the document has no {at:?}"));
        let replacement = set_keywords(&text, span, &keywords(rule));
        text.replace_range(span.start..span.end, &replacement);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
  "paths": {
    "/x": {
      "get": {
        "operationId": "getX",
        "parameters": [
          {
            "name": "limit",
            "in": "query",
            "schema": {
              "type": "integer"
            }
          }
        ]
      }
    }
  },
  "components": {
    "schemas": {
      "Thing": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "description": "A \"name\", {braces} and [brackets] in a string.",
            "maxLength": 3
          }
        }
      }
    }
  }
}"#;

    #[test]
    fn keywords_are_set_in_place_and_added_last() {
        let root = value(DOC.as_bytes(), 0);
        let name = locate(DOC, At::Schema("Thing", "/properties/name")).unwrap();
        let text = set_keywords(
            DOC,
            name,
            &[("maxLength", "100".into()), ("minLength", "1".into())],
        );
        assert_eq!(
            text,
            "{\n            \"type\": \"string\",\n            \"description\": \"A \\\"name\\\", {braces} and [brackets] in a string.\",\n            \"maxLength\": 100,\n            \"minLength\": 1\n          }"
        );
        let limit = locate(DOC, At::Parameter("getX", "limit")).unwrap();
        assert_eq!(
            &DOC[limit.start..limit.end],
            "{\n              \"type\": \"integer\"\n            }"
        );
        assert!(locate(DOC, At::Parameter("getX", "after")).is_none());
        assert!(locate(DOC, At::Schema("Other", "")).is_none());
        assert_eq!(value(DOC.as_bytes(), root.start).end, DOC.len());
    }
}
