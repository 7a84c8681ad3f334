//! The store's `Database` over a libSQL server's HTTP API (Hrana's
//! `/v2/pipeline`), for the benchmarks' bulk data when the app's database
//! is on `sqld` rather than in a file. One stream per value: its baton
//! carries a transaction from one statement to the next, as Spin's own
//! libSQL client does.

use std::cell::{Cell, RefCell};

use base64::Engine as _;
use serde_json::{Value as Json, json};
use store::{Database, Rows, StoreError, Value};

pub struct HranaDb {
    pipeline: String,
    agent: ureq::Agent,
    baton: RefCell<Option<String>>,
    depth: Cell<u32>,
}

impl HranaDb {
    /// The `default` database of the `sqld` listening on `port`.
    pub fn connect(port: u16) -> Self {
        HranaDb {
            pipeline: format!("http://127.0.0.1:{port}/v2/pipeline"),
            agent: ureq::AgentBuilder::new()
                .timeout(std::time::Duration::from_secs(120))
                .build(),
            baton: RefCell::new(None),
            depth: Cell::new(0),
        }
    }
}

fn to_hrana(value: &Value) -> Json {
    match value {
        Value::Null => json!({ "type": "null" }),
        Value::Integer(i) => json!({ "type": "integer", "value": i.to_string() }),
        Value::Real(r) => json!({ "type": "float", "value": r }),
        Value::Text(t) => json!({ "type": "text", "value": t }),
        Value::Blob(b) => json!({
            "type": "blob",
            "base64": base64::engine::general_purpose::STANDARD_NO_PAD.encode(b),
        }),
    }
}

fn from_hrana(value: &Json) -> Result<Value, StoreError> {
    let bad = || StoreError::Sql(format!("an unreadable value from sqld: {value}"));
    Ok(match value["type"].as_str().ok_or_else(bad)? {
        "null" => Value::Null,
        "integer" => Value::Integer(
            value["value"]
                .as_str()
                .and_then(|v| v.parse().ok())
                .ok_or_else(bad)?,
        ),
        "float" => Value::Real(value["value"].as_f64().ok_or_else(bad)?),
        "text" => Value::Text(value["value"].as_str().ok_or_else(bad)?.to_string()),
        "blob" => Value::Blob(
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(
                    value["base64"]
                        .as_str()
                        .ok_or_else(bad)?
                        .trim_end_matches('='),
                )
                .map_err(|_| bad())?,
        ),
        _ => return Err(bad()),
    })
}

impl Database for HranaDb {
    fn execute(&self, sql: &str, params: &[Value]) -> Result<Rows, StoreError> {
        let request = json!({
            "baton": *self.baton.borrow(),
            "requests": [{
                "type": "execute",
                "stmt": {
                    "sql": sql,
                    "args": params.iter().map(to_hrana).collect::<Vec<_>>(),
                    "want_rows": true,
                },
            }],
        });
        let answer: Json = self
            .agent
            .post(&self.pipeline)
            .send_json(request)
            .map_err(|e| StoreError::Sql(format!("sqld: {e}")))?
            .into_json()
            .map_err(|e| StoreError::Sql(format!("sqld: {e}")))?;
        *self.baton.borrow_mut() = answer["baton"].as_str().map(str::to_string);
        let result = &answer["results"][0];
        if result["type"] != "ok" {
            return Err(StoreError::from_message(
                result["error"]["message"]
                    .as_str()
                    .unwrap_or("sqld refused"),
            ));
        }
        let result = &result["response"]["result"];
        let columns = result["cols"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| c["name"].as_str().unwrap_or_default().to_string())
            .collect();
        let rows = result["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|row| {
                row.as_array()
                    .into_iter()
                    .flatten()
                    .map(from_hrana)
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Rows { columns, rows })
    }

    fn transaction_depth(&self) -> &Cell<u32> {
        &self.depth
    }
}
