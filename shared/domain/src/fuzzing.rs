//! Inputs for fuzzing parsers of untrusted bytes with proptest, shared by
//! the fuzz tests here and in the components (feature `fuzzing`, enabled by
//! their dev-dependencies only; the components themselves never carry
//! proptest).

use proptest::prelude::*;

/// A valid input, then changed: bytes flipped, cut at a point, or extended.
/// Mutations of a valid input reach deeper into a parser than random noise,
/// which most parsers refuse at the first byte.
pub fn mutated(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = valid.len().max(1);
    (
        proptest::collection::vec((0..len, any::<u8>()), 0..8),
        0..=len,
        proptest::collection::vec(any::<u8>(), 0..16),
    )
        .prop_map(move |(flips, cut, tail)| {
            let mut bytes = valid.clone();
            for (at, byte) in flips {
                if at < bytes.len() {
                    bytes[at] = byte;
                }
            }
            bytes.truncate(cut);
            bytes.extend(tail);
            bytes
        })
}

/// Random bytes, or `valid` mutated: what a fuzz test of one parser feeds it.
pub fn noise_or_mutated(valid: &[u8]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        mutated(valid.to_vec()),
    ]
}
