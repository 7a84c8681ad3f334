//! What the model reads of a report: its text, normalised, as character
//! n-grams. Chinese is written without spaces and a word segmenter would be a
//! dictionary to ship and keep; overlapping runs of one to three characters
//! carry the words without knowing where they end (`路灯不亮` gives `路灯`,
//! `灯不亮`, `不亮`, …), and a typo (`拉圾` for `垃圾`) spoils only the grams
//! that cross it.

use std::collections::BTreeMap;

/// How much of a text is read: the first this many kept characters. A
/// report's first sentences say what it is about; the rest is detail, and a
/// bound keeps a suggestion's cost bounded whatever was typed.
pub const MAX_CHARS: usize = 400;

/// The n-gram lengths read, shortest and longest (inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grams {
    pub shortest: usize,
    pub longest: usize,
}

impl Grams {
    /// One to three characters: what the benchmark chose
    /// (`docs/benchmarks/triage.md`).
    pub const DEFAULT: Grams = Grams {
        shortest: 1,
        longest: 3,
    };
}

/// A text's n-grams with how often each occurs, in the grams' order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    grams: Vec<(String, u32)>,
    /// The normalised runs the grams were read from, to show reasons as
    /// the text's own phrases.
    segments: Vec<Vec<char>>,
}

impl Features {
    /// The text's one- to three-character grams.
    pub fn of(text: &str) -> Features {
        Features::with(text, Grams::DEFAULT)
    }

    /// The text's grams of the given lengths.
    pub fn with(text: &str, lengths: Grams) -> Features {
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        let segments = segments(text);
        for segment in &segments {
            for n in lengths.shortest.max(1)..=lengths.longest {
                for window in segment.windows(n) {
                    *counts.entry(window.iter().collect()).or_default() += 1;
                }
            }
        }
        Features {
            grams: counts.into_iter().collect(),
            segments,
        }
    }

    /// The runs of the text (normalised) where any of `grams` occurs, each
    /// stretched over the overlapping and adjoining occurrences: `公交`,
    /// `交站` and `站台` in `公交站台` give `公交站台`. In the order of the
    /// first gram (of `grams`) each contains, none inside another.
    pub fn phrases(&self, grams: &[&str]) -> Vec<String> {
        let grams: Vec<Vec<char>> = grams.iter().map(|g| g.chars().collect()).collect();
        let mut phrases: Vec<(usize, String)> = Vec::new();
        for segment in &self.segments {
            // Per character, the best (lowest) rank of a gram covering it.
            let mut rank: Vec<Option<usize>> = vec![None; segment.len()];
            for (r, gram) in grams.iter().enumerate() {
                if gram.is_empty() {
                    continue;
                }
                for start in 0..segment.len().saturating_sub(gram.len() - 1) {
                    if segment[start..start + gram.len()] == gram[..] {
                        for at in &mut rank[start..start + gram.len()] {
                            *at = Some(at.map_or(r, |have| have.min(r)));
                        }
                    }
                }
            }
            let mut start = 0;
            while start < segment.len() {
                if rank[start].is_none() {
                    start += 1;
                    continue;
                }
                let end = (start..segment.len())
                    .find(|&i| rank[i].is_none())
                    .unwrap_or(segment.len());
                let best = rank[start..end].iter().flatten().min().copied();
                let phrase: String = segment[start..end].iter().collect();
                if let Some(best) = best
                    && !phrases.iter().any(|(_, p)| *p == phrase)
                {
                    phrases.push((best, phrase));
                }
                start = end;
            }
        }
        phrases.sort_by_key(|(rank, _)| *rank);
        // None inside another: the stronger one stays.
        let mut kept: Vec<String> = Vec::new();
        for (_, phrase) in phrases {
            if !kept
                .iter()
                .any(|k| k.contains(phrase.as_str()) || phrase.contains(k.as_str()))
            {
                kept.push(phrase);
            }
        }
        kept
    }

    /// Each distinct gram and its count, in the grams' order.
    pub fn grams(&self) -> impl Iterator<Item = (&str, u32)> {
        self.grams.iter().map(|(g, n)| (g.as_str(), *n))
    }

    /// How many grams in all (with repeats).
    pub fn total(&self) -> u64 {
        self.grams.iter().map(|(_, n)| u64::from(*n)).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.grams.is_empty()
    }
}

/// The text normalised and cut into the runs grams are read from: full-width
/// letters and digits as ASCII, letters in lower case, each run of digits as
/// one `0` (a house number or a date says nothing of the kind of problem),
/// and every other character (punctuation, spaces, emoji) a break between
/// runs, so no gram spans two clauses.
fn segments(text: &str) -> Vec<Vec<char>> {
    let mut segments = Vec::new();
    let mut current: Vec<char> = Vec::new();
    let mut kept = 0;
    for c in text.chars() {
        if kept == MAX_CHARS {
            break;
        }
        match normalise(c) {
            Some('0') if current.last() == Some(&'0') => {}
            Some(c) => {
                current.push(c);
                kept += 1;
            }
            None if current.is_empty() => {}
            None => segments.push(std::mem::take(&mut current)),
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    segments
}

/// A character as the model reads it, or `None` for a break.
fn normalise(c: char) -> Option<char> {
    // Full-width forms of ASCII (！ to ～) are the ASCII ones shifted.
    let c = match u32::from(c) {
        0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    if c.is_ascii_digit() {
        Some('0')
    } else if c.is_ascii_alphabetic() {
        Some(c.to_ascii_lowercase())
    } else if is_han(c) {
        Some(c)
    } else {
        None
    }
}

/// Chinese characters: the unified ideographs, extension A, the
/// compatibility block, and the supplementary planes' extensions.
fn is_han(c: char) -> bool {
    matches!(u32::from(c),
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, lengths: (usize, usize), expected: &[(&str, u32)]) {
        let features = Features::with(
            text,
            Grams {
                shortest: lengths.0,
                longest: lengths.1,
            },
        );
        let got: Vec<(&str, u32)> = features.grams().collect();
        assert_eq!(got, expected, "grams of {text:?}");
    }

    #[test]
    fn grams_of_texts() {
        check("路灯不亮", (2, 2), &[("不亮", 1), ("灯不", 1), ("路灯", 1)]);
        check("路灯", (1, 3), &[("灯", 1), ("路", 1), ("路灯", 1)]);
        // Repeats are counted.
        check("吵吵吵", (1, 2), &[("吵", 3), ("吵吵", 2)]);
        // Punctuation and spaces break runs: no gram spans them.
        check("噪音，扰民", (2, 2), &[("噪音", 1), ("扰民", 1)]);
        check("噪音 扰民!!", (2, 2), &[("噪音", 1), ("扰民", 1)]);
        // A run of digits is one `0`; full-width digits and letters as ASCII,
        // letters in lower case.
        check("3号楼", (2, 2), &[("0号", 1), ("号楼", 1)]);
        check("１２０３室", (2, 2), &[("0室", 1)]);
        check("ＫＴＶ吵", (2, 2), &[("kt", 1), ("tv", 1), ("v吵", 1)]);
        // Nothing readable: no grams.
        check("……！？😀", (1, 3), &[]);
        check("", (1, 3), &[]);
        // Shorter than n: no gram of that length.
        check("漏", (2, 3), &[]);
    }

    #[test]
    fn phrases_stretch_over_overlapping_grams() {
        let check = |text: &str, grams: &[&str], expected: &[&str]| {
            assert_eq!(
                Features::of(text).phrases(grams),
                expected,
                "{text:?} with {grams:?}"
            );
        };
        check("公交站台被占了", &["交站", "公交", "站台"], &["公交站台"]);
        // Adjoining grams join too; a break does not.
        check(
            "路灯不亮，灯坏了",
            &["不亮", "路灯", "坏了"],
            &["路灯不亮", "坏了"],
        );
        // None inside another.
        check("路灯不亮，路灯坏了", &["不亮", "路灯"], &["路灯不亮"]);
        // Apart, in the order of their best gram.
        check("垃圾没人收，臭死了", &["臭死", "垃圾"], &["臭死", "垃圾"]);
        check("垃圾", &["路灯"], &[]);
        check("0号楼漏水", &["漏水"], &["漏水"]);
    }

    #[test]
    fn only_the_first_characters_are_read() {
        let long = "漏".repeat(MAX_CHARS + 50);
        let features = Features::with(
            &long,
            Grams {
                shortest: 1,
                longest: 1,
            },
        );
        assert_eq!(features.total(), MAX_CHARS as u64);
    }
}
