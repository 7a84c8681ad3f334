//! File bytes in the key-value store, content-addressed per tenant: a file
//! is kept once however often it is attached. Stored in 512 KiB chunks, so
//! that backends with a per-value size limit (edge key-value services) hold
//! videos too.

use domain::Problem;
use spin_sdk::key_value::Store;

const CHUNK: usize = 512 << 10;

fn store() -> Result<Store, Problem> {
    Store::open_default().map_err(|e| {
        Problem::service_unavailable("the file store is not available").with_cause(format!("{e:?}"))
    })
}

fn failed(e: impl std::fmt::Debug) -> Problem {
    Problem::internal("the file store failed").with_cause(format!("{e:?}"))
}

fn key(tenant: i64, sha256: &str, part: &str) -> String {
    format!("file/{tenant}/{sha256}/{part}")
}

/// Stores `bytes` under their digest unless already there. Chunks are
/// written before the count, so a reader never sees a partial file.
pub fn put(tenant: i64, sha256: &str, bytes: &[u8]) -> Result<(), Problem> {
    let store = store()?;
    if store
        .exists(&key(tenant, sha256, "chunks"))
        .map_err(failed)?
    {
        return Ok(());
    }
    let chunks: Vec<&[u8]> = bytes.chunks(CHUNK).collect();
    for (i, chunk) in chunks.iter().enumerate() {
        store
            .set(&key(tenant, sha256, &i.to_string()), chunk)
            .map_err(failed)?;
    }
    store
        .set(
            &key(tenant, sha256, "chunks"),
            chunks.len().to_string().as_bytes(),
        )
        .map_err(failed)
}

/// The file's bytes, or `None` when it was never stored.
pub fn get(tenant: i64, sha256: &str) -> Result<Option<Vec<u8>>, Problem> {
    let store = store()?;
    let Some(count) = store.get(&key(tenant, sha256, "chunks")).map_err(failed)? else {
        return Ok(None);
    };
    let count: usize = String::from_utf8_lossy(&count).parse().map_err(failed)?;
    let mut bytes = Vec::new();
    for i in 0..count {
        let chunk = store
            .get(&key(tenant, sha256, &i.to_string()))
            .map_err(failed)?
            .ok_or_else(|| Problem::internal("a stored file is incomplete"))?;
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}
