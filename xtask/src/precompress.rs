//! `cargo xtask precompress`: the vendored libraries' precompressed
//! siblings (`<file>.br`, `<file>.gz`), made once and committed, which the
//! web component sends instead of compressing a large file on every
//! request (`static/vendor/README.md`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The folder whose files get siblings.
pub fn vendor_dir(root: &Path) -> PathBuf {
    root.join("static/vendor")
}

/// Files smaller than this get none (the component's own threshold for
/// compressing on the fly is the same).
const SMALLEST: usize = 1024;

/// The two codings, by the sibling's extension.
#[derive(Clone, Copy, Debug)]
pub enum Sibling {
    Br,
    Gz,
}

impl Sibling {
    pub const ALL: [Sibling; 2] = [Sibling::Br, Sibling::Gz];

    pub fn extension(self) -> &'static str {
        match self {
            Sibling::Br => "br",
            Sibling::Gz => "gz",
        }
    }

    /// `source` compressed as well as this coding does: brotli at quality
    /// 11 (window 2^22), gzip at level 9 with no name and no time in its
    /// header, so the same source always makes the same bytes.
    pub fn compress(self, source: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Sibling::Br => {
                let params = brotli::enc::BrotliEncoderParams {
                    quality: 11,
                    lgwin: 22,
                    ..Default::default()
                };
                brotli::BrotliCompress(&mut &source[..], &mut out, &params)
                    .expect("compressing in memory cannot fail");
            }
            Sibling::Gz => {
                let mut encoder = flate2::GzBuilder::new()
                    .mtime(0)
                    .write(&mut out, flate2::Compression::best());
                encoder
                    .write_all(source)
                    .and_then(|()| encoder.finish().map(drop))
                    .expect("compressing in memory cannot fail");
            }
        }
        out
    }

    pub fn decompress(self, compressed: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        match self {
            Sibling::Br => {
                brotli::Decompressor::new(compressed, 4096).read_to_end(&mut out)?;
            }
            Sibling::Gz => {
                flate2::read::GzDecoder::new(compressed).read_to_end(&mut out)?;
            }
        }
        Ok(out)
    }

    /// Where `source`'s sibling of this coding lies.
    pub fn path_for(self, source: &Path) -> PathBuf {
        let mut name = source.as_os_str().to_owned();
        name.push(".");
        name.push(self.extension());
        PathBuf::from(name)
    }

    /// The source whose sibling `path` is, if it is one.
    fn source_of(path: &Path) -> Option<PathBuf> {
        let extension = path.extension()?.to_str()?;
        Sibling::ALL
            .iter()
            .any(|s| s.extension() == extension)
            .then(|| path.with_extension(""))
    }
}

/// Whether compressing `source` gains enough to be worth a sibling: at
/// least [`SMALLEST`] bytes, and gzip at its fastest (the weakest try)
/// saves a tenth. Images and other compressed formats fail the second test.
pub fn gains(source: &[u8]) -> bool {
    if source.len() < SMALLEST {
        return false;
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let compressed = encoder
        .write_all(source)
        .and_then(|()| encoder.finish())
        .expect("compressing in memory cannot fail");
    compressed.len() <= source.len() / 10 * 9
}

/// Every file under `dir`, siblings included, sorted.
pub fn files_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The vendored files the pages may load, and whether each should have
/// siblings. Not sources: the siblings themselves, and the documents kept
/// beside a library (`LICENSE`, `README.md`, `*.txt`: no extension, or
/// one of a document's).
pub fn sources(root: &Path) -> anyhow::Result<Vec<(PathBuf, bool)>> {
    let loaded = |path: &Path| {
        path.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| !matches!(e, "md" | "txt"))
    };
    files_under(&vendor_dir(root))?
        .into_iter()
        .filter(|path| Sibling::source_of(path).is_none() && loaded(path))
        .map(|path| {
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            Ok((path, gains(&bytes)))
        })
        .collect()
}

/// Writes each missing or stale sibling, deletes those of files that no
/// longer gain or are gone, and says what it did.
pub fn run(root: &Path) -> anyhow::Result<()> {
    let dir = vendor_dir(root);
    if !dir.is_dir() {
        bail!("no {} to precompress", dir.display());
    }
    for (source, wanted) in sources(root)? {
        let bytes = std::fs::read(&source)?;
        for sibling in Sibling::ALL {
            let path = sibling.path_for(&source);
            let shown = path.strip_prefix(root).unwrap_or(&path).display();
            if !wanted {
                if path.exists() {
                    std::fs::remove_file(&path)?;
                    println!("removed {shown} (compression does not gain)");
                }
                continue;
            }
            let current = std::fs::read(&path)
                .ok()
                .and_then(|kept| sibling.decompress(&kept).ok())
                .is_some_and(|back| back == bytes);
            if current {
                println!("kept    {shown}");
            } else {
                let compressed = sibling.compress(&bytes);
                std::fs::write(&path, &compressed)?;
                println!(
                    "wrote   {shown}: {} bytes, {:.0}% of {}",
                    compressed.len(),
                    100.0 * compressed.len() as f64 / bytes.len() as f64,
                    bytes.len()
                );
            }
        }
    }
    for path in files_under(&dir)? {
        if let Some(source) = Sibling::source_of(&path)
            && !source.exists()
        {
            std::fs::remove_file(&path)?;
            println!("removed {} (its source is gone)", path.display());
        }
    }
    Ok(())
}
