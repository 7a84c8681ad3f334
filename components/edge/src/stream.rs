//! Streamed answers: a large export is written chunk by chunk as it is
//! read from the database, so neither the instance's memory nor the time to
//! the first byte grows with its size.

use domain::Problem;
use futures_util::SinkExt;
use spin_sdk::http::{Fields, OutgoingResponse, Response, ResponseOutparam};

/// Produces the next chunk of a body, or `None` at its end.
pub type NextChunk = Box<dyn FnMut() -> Result<Option<Vec<u8>>, Problem>>;

/// A body to stream, with its headers.
pub struct Stream {
    pub content_type: String,
    /// Offered to the browser as the download's name.
    pub filename: Option<String>,
    pub next: NextChunk,
}

fn outgoing(status: u16, headers: Vec<(String, Vec<u8>)>) -> OutgoingResponse {
    // Header names and values come from this code, not from clients.
    let fields = Fields::from_list(&headers).unwrap_or_else(|_| Fields::new());
    let response = OutgoingResponse::new(fields);
    let _ = response.set_status_code(status);
    response
}

/// Writes a whole, already built response.
pub(crate) async fn send_whole(response: Response, out: ResponseOutparam) {
    let headers = response
        .headers()
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect();
    let outgoing = outgoing(*response.status(), headers);
    let mut body = outgoing.take_body();
    out.set(outgoing);
    let _ = body.send(response.body().to_vec()).await;
}

/// Writes a stream's chunks as they come. A failure after the first byte
/// cannot change the status any more: it ends the body early and is logged,
/// so the client sees a truncated download rather than a wrong one.
pub(crate) async fn send_stream(mut stream: Stream, out: ResponseOutparam) {
    let mut headers = vec![(
        "content-type".to_string(),
        stream.content_type.clone().into_bytes(),
    )];
    if let Some(name) = &stream.filename {
        headers.push((
            "content-disposition".to_string(),
            format!("attachment; filename=\"{name}\"").into_bytes(),
        ));
    }
    let outgoing = outgoing(200, headers);
    let mut body = outgoing.take_body();
    out.set(outgoing);
    loop {
        match (stream.next)() {
            Ok(Some(chunk)) => {
                if body.send(chunk).await.is_err() {
                    return; // the client went away
                }
            }
            Ok(None) => return,
            Err(problem) => {
                eprintln!(
                    "stream ended early: {} ({:?})",
                    problem.detail,
                    problem.cause()
                );
                return;
            }
        }
    }
}
