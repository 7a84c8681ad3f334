//! The vendored libraries' precompressed siblings are their sources, byte
//! for byte, and no vendored file that compression shrinks lacks them
//! (`cargo xtask precompress` remakes them; `static/vendor/README.md`).

use xtask::precompress::{self, Sibling};

#[test]
fn each_sibling_decompresses_to_its_source_and_none_is_missing() {
    let root = xtask::workspace_root();
    let mut problems = Vec::new();
    for (source, wanted) in precompress::sources(&root).unwrap() {
        let bytes = std::fs::read(&source).unwrap();
        let shown = source.strip_prefix(&root).unwrap().display().to_string();
        for sibling in Sibling::ALL {
            let path = sibling.path_for(&source);
            match (wanted, std::fs::read(&path)) {
                (true, Err(_)) => problems.push(format!("{shown}: no .{}", sibling.extension())),
                (false, Ok(_)) => problems.push(format!(
                    "{shown}: a .{} though compression does not gain",
                    sibling.extension()
                )),
                (true, Ok(kept)) => match sibling.decompress(&kept) {
                    Ok(back) if back == bytes => {}
                    Ok(_) => problems.push(format!(
                        "{shown}.{}: stale (not its source)",
                        sibling.extension()
                    )),
                    Err(e) => problems.push(format!(
                        "{shown}.{}: does not decompress: {e}",
                        sibling.extension()
                    )),
                },
                (false, Err(_)) => {}
            }
        }
    }
    assert!(
        problems.is_empty(),
        "run `cargo xtask precompress`:\n{}",
        problems.join("\n")
    );
}

#[test]
fn a_sibling_is_its_source_compressed() {
    let text = "地图 map ".repeat(400).into_bytes();
    for sibling in Sibling::ALL {
        let compressed = sibling.compress(&text);
        assert!(compressed.len() < text.len() / 10, "{sibling:?}");
        assert_eq!(
            sibling.decompress(&compressed).unwrap(),
            text,
            "{sibling:?}"
        );
        assert_eq!(
            sibling.compress(&text),
            compressed,
            "{sibling:?} is deterministic"
        );
    }
    assert!(precompress::gains(&text));
    assert!(!precompress::gains(&text[..1000]), "too small to bother");
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 32) as u8
        })
        .collect();
    assert!(!precompress::gains(&noise), "already dense");
}
