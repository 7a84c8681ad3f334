//! A small blocking client for the app's JSON API, used by the demo seeder
//! and the end-to-end tests. Non-2xx answers are returned, not raised, so
//! callers can assert on problem responses.

use serde_json::Value;

/// How many times [`Client::send`] sends again a request the app refused
/// as busy.
pub const BUSY_RETRIES: u32 = 5;

pub struct Client {
    base: String,
    agent: ureq::Agent,
}

/// A response: status, headers of interest, and the body.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub retry_after: Option<String>,
    /// The body as text (lossy where it is not UTF-8).
    pub body: String,
    /// The body's exact bytes, for files.
    pub bytes: Vec<u8>,
    /// Every response header, its name in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
}

impl Reply {
    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The body as JSON, after asserting that the status is `status`; a
    /// failure shows the body (a problem answer says what went wrong).
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        self.json()
    }

    /// The first value of the response header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl Client {
    pub fn new(base: impl Into<String>) -> Self {
        Client {
            base: base.into().trim_end_matches('/').to_string(),
            agent: ureq::AgentBuilder::new()
                .timeout(std::time::Duration::from_secs(60))
                .build(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends `method path` with an optional bearer token and body. A 503
    /// that says when to retry (`Retry-After`: the database was busy and
    /// nothing was committed) is sent again, as a well-behaved client does,
    /// up to [`BUSY_RETRIES`] times.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<(&str, &[u8])>,
    ) -> anyhow::Result<Reply> {
        self.send_with_headers(method, path, token, &[], body)
    }

    /// [`Client::send`] with these request headers besides.
    pub fn send_with_headers(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> anyhow::Result<Reply> {
        let request = || {
            let mut request = self.agent.request(method, &format!("{}{path}", self.base));
            if let Some(token) = token {
                request = request.set("authorization", &format!("Bearer {token}"));
            }
            for (name, value) in headers {
                request = request.set(name, value);
            }
            request
        };
        let mut attempt = 0;
        loop {
            let reply = exchange(request(), body)?;
            let wait = reply
                .retry_after
                .as_deref()
                .and_then(|s| s.parse::<u64>().ok());
            match wait {
                Some(seconds) if reply.status == 503 && attempt < BUSY_RETRIES => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_secs(seconds.min(2)));
                }
                _ => return Ok(reply),
            }
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> anyhow::Result<Reply> {
        self.send("GET", path, token, None)
    }

    pub fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> anyhow::Result<Reply> {
        self.send_json("POST", path, token, body)
    }

    /// Any method with a JSON body.
    pub fn send_json(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> anyhow::Result<Reply> {
        let bytes = serde_json::to_vec(body)?;
        self.send(method, path, token, Some(("application/json", &bytes)))
    }

    /// Waits until the app answers at all (any status), up to `timeout`.
    pub fn wait_until_up(&self, timeout: std::time::Duration) -> anyhow::Result<()> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            match self.get("/", None) {
                Ok(_) => return Ok(()),
                Err(e) if std::time::Instant::now() > deadline => {
                    return Err(e.context(format!("{} did not come up", self.base)));
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(100)),
            }
        }
    }
}

/// Sends `request` once, with `body` (its media type and bytes) if any,
/// and reads the whole answer, whatever its status.
fn exchange(request: ureq::Request, body: Option<(&str, &[u8])>) -> anyhow::Result<Reply> {
    let result = match body {
        Some((content_type, bytes)) => request.set("content-type", content_type).send_bytes(bytes),
        None => request.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(e.into()),
    };
    let status = response.status();
    let content_type = response.header("content-type").unwrap_or("").to_string();
    let retry_after = response.header("retry-after").map(str::to_string);
    let headers = response
        .headers_names()
        .into_iter()
        .flat_map(|name| {
            let values: Vec<String> = response
                .all(&name)
                .into_iter()
                .map(str::to_string)
                .collect();
            values.into_iter().map(move |value| (name.clone(), value))
        })
        .collect();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes)?;
    Ok(Reply {
        status,
        content_type,
        retry_after,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
        headers,
    })
}
