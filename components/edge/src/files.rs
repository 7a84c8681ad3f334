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

/// Stores `bytes` under their digest unless they are there whole. Chunks
/// are written before the count, so a reader never sees a partial file.
///
/// Call it twice: before the transaction that records the file's row (the
/// bulk of the writing, without holding the database's write lock) and
/// again inside it, where it normally only checks. The sweep deletes the
/// bytes of a digest no row uses inside a write transaction of its own
/// ([`delete`], through `TenantScope::delete_unused_files`), so it may have
/// deleted them between the first call and the row; the second call, with
/// the lock held, puts them back before the row that needs them exists.
pub fn put(tenant: i64, sha256: &str, bytes: &[u8]) -> Result<(), Problem> {
    let store = store()?;
    let chunks: Vec<&[u8]> = bytes.chunks(CHUNK).collect();
    if is_whole(&store, tenant, sha256, chunks.len())? {
        return Ok(());
    }
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

/// Whether the count and every one of its `chunks` are stored: a deletion
/// that ran while another request was writing the same file may have left
/// the count without some chunks.
fn is_whole(store: &Store, tenant: i64, sha256: &str, chunks: usize) -> Result<bool, Problem> {
    let stored = store.get(&key(tenant, sha256, "chunks")).map_err(failed)?;
    if stored.as_deref() != Some(chunks.to_string().as_bytes()) {
        return Ok(false);
    }
    for i in 0..chunks {
        if !store
            .exists(&key(tenant, sha256, &i.to_string()))
            .map_err(failed)?
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Deletes a file's bytes; call it only when no row uses the digest, inside
/// a write transaction (see [`put`]). The count goes first, so the file is
/// at once absent to readers and to [`put`]; then the chunks, last first,
/// so what a failure leaves is always chunks `0..k`, which a retry (that
/// finds no count) deletes by counting up from 0.
pub fn delete(tenant: i64, sha256: &str) -> Result<(), Problem> {
    let store = store()?;
    let count_key = key(tenant, sha256, "chunks");
    let mut chunks = match store.get(&count_key).map_err(failed)? {
        Some(count) => String::from_utf8_lossy(&count).parse().map_err(failed)?,
        None => 0,
    };
    store.delete(&count_key).map_err(failed)?;
    while store
        .exists(&key(tenant, sha256, &chunks.to_string()))
        .map_err(failed)?
    {
        chunks += 1;
    }
    for i in (0..chunks).rev() {
        store
            .delete(&key(tenant, sha256, &i.to_string()))
            .map_err(failed)?;
    }
    Ok(())
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
