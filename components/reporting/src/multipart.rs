//! `multipart/form-data` reports: a `report` part holding the report's JSON
//! and one part per file (a phone form posting the photo with the report).

use domain::Problem;
use futures_util::FutureExt;

/// A parsed form: the report's JSON and the files, in order.
pub struct Form {
    pub report: Vec<u8>,
    pub files: Vec<Vec<u8>>,
}

/// Parses a whole in-memory body. A broken stream is a 400, never a 500.
pub fn parse(content_type: &str, body: &[u8]) -> Result<Form, Problem> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| Problem::validation("content-type", "multipart/form-data needs a boundary"))?;
    let bytes = bytes::Bytes::copy_from_slice(body);
    let stream =
        futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let broken = |e: multer::Error| {
        Problem::validation("body", format!("the multipart body is broken: {e}"))
    };
    // The body is already in memory: every future here is ready at once.
    let now =
        |what: &str| Problem::internal("multipart parsing stalled").with_cause(what.to_string());
    let mut report = None;
    let mut files = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .now_or_never()
        .ok_or_else(|| now("next_field"))?
        .map_err(broken)?
    {
        let is_report = field.name() == Some("report") && field.file_name().is_none();
        let data = field
            .bytes()
            .now_or_never()
            .ok_or_else(|| now("bytes"))?
            .map_err(broken)?;
        if is_report {
            report = Some(data.to_vec());
        } else {
            files.push(data.to_vec());
        }
    }
    let report = report.ok_or_else(|| {
        Problem::validation(
            "report",
            "a multipart report needs a 'report' part with its JSON",
        )
    })?;
    Ok(Form { report, files })
}
