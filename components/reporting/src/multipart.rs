//! `multipart/form-data` reports: a `report` part holding the report's JSON
//! and one part per file (a phone form posting the photo with the report).

use domain::Problem;
use futures_util::FutureExt;

/// A parsed form: the report's JSON and the files, in order.
pub struct Form {
    pub report: Vec<u8>,
    pub files: Vec<FilePart>,
}

/// A file of the form with the media type its part declared (a hint only:
/// `domain::intake::recognise` judges the bytes).
pub struct FilePart {
    pub bytes: Vec<u8>,
    pub declared: Option<String>,
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
        let declared = field.content_type().map(|m| m.essence_str().to_string());
        let data = field
            .bytes()
            .now_or_never()
            .ok_or_else(|| now("bytes"))?
            .map_err(broken)?;
        if is_report {
            report = Some(data.to_vec());
        } else {
            files.push(FilePart {
                bytes: data.to_vec(),
                declared,
            });
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

/// Property-based fuzzing of multipart bodies: any bytes under any boundary
/// give a form or a 400, never a panic or a stall.
#[cfg(test)]
mod fuzz {
    use super::parse;
    use domain::fuzzing::noise_or_mutated;
    use proptest::prelude::*;

    const CONTENT_TYPE: &str = "multipart/form-data; boundary=XyZ";

    fn valid() -> Vec<u8> {
        b"--XyZ\r\nContent-Disposition: form-data; name=\"report\"\r\n\r\n{\"category\":\"garbage\"}\r\n\
          --XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"p.jpg\"\r\n\r\n\xFF\xD8\xFF\xE0photo\r\n\
          --XyZ--\r\n"
            .to_vec()
    }

    proptest! {
        #[test]
        fn multipart_bodies_never_panic(
            body in noise_or_mutated(&valid()),
            content_type in prop_oneof![Just(CONTENT_TYPE.to_string()), any::<String>()],
        ) {
            if let Err(problem) = parse(&content_type, &body) {
                prop_assert_eq!(problem.status(), 400);
            }
        }
    }

    #[test]
    fn the_seed_is_valid() {
        let form = parse(CONTENT_TYPE, &valid()).map_err(|p| p.detail).unwrap();
        assert_eq!(form.report, br#"{"category":"garbage"}"#);
        assert_eq!(form.files.len(), 1);
    }
}
