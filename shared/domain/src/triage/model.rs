//! The model: naive Bayes over the grams of the cases a tenant's staff
//! decided, kept as counts.

use std::collections::{BTreeMap, HashMap};

use super::features::Features;

/// How many suggestions [`Model::suggest`] gives, best first.
pub const SUGGESTIONS: usize = 3;

/// How many grams a suggestion's reasons name at most.
pub const REASONS: usize = 3;

/// Additive (Laplace) smoothing: a gram never seen with a label counts as
/// this many times seen.
const ALPHA: f64 = 0.1;

/// How sharply the per-gram log-likelihoods become a confidence: scores
/// are averaged over the text's grams (overlapping n-grams are far from
/// independent, so raw naive Bayes posteriors are nearly always 0 or 1) and
/// multiplied by this before the softmax. Chosen on the benchmark's held-out
/// cases so that a confidence reads as the share of such suggestions that
/// are right (`docs/benchmarks/triage.md`, calibration).
const SHARPNESS: f64 = 12.0;

/// How a label's score is read from the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// Multinomial naive Bayes: how likely the grams are under the label.
    Multinomial,
    /// Complement naive Bayes (Rennie et al., 2003): how unlikely the grams
    /// are under every other label; said to suit uneven labels.
    Complement,
}

/// A label's totals: the cases learned with it and their grams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelCounts {
    pub cases: u32,
    pub grams: u64,
}

/// One suggested label, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub label: String,
    /// From 0 to 1; over a tenant's suggestions, about the share that is
    /// right (the benchmark reports how well).
    pub confidence: f64,
    /// The phrases of the text whose grams weighed most for this label
    /// against the best other one (`路灯不亮`, `臭死了`), strongest first;
    /// empty when the text has none.
    pub reasons: Vec<String>,
}

/// The counts a tenant's decisions left: per label, its cases and grams;
/// per gram, how often it occurred under each label. Learning and
/// unlearning a case add and take away its counts, so the state is rows a
/// store updates in place (`gram, label → count`; `label → cases, grams`).
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    scoring: Scoring,
    labels: BTreeMap<String, LabelCounts>,
    grams: HashMap<String, BTreeMap<String, u32>>,
    /// Distinct grams with any count: kept apart from `grams` so that a
    /// model loaded with only the grams of one text still scores it.
    vocabulary: u64,
}

/// Unlearning a case the model does not hold (a label or grams it never
/// learned): nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the model never learned this case with label {label:?}")]
pub struct NotLearned {
    pub label: String,
}

/// Complement naive Bayes: the benchmark's choice.
impl Default for Model {
    fn default() -> Self {
        Model::new(Scoring::Complement)
    }
}

impl Model {
    pub fn new(scoring: Scoring) -> Model {
        Model {
            scoring,
            labels: BTreeMap::new(),
            grams: HashMap::new(),
            vocabulary: 0,
        }
    }

    /// A model from stored rows: each label's totals, the count of distinct
    /// grams, and the gram rows (all of them, or only a text's grams, which
    /// is all [`Model::suggest`] reads for that text).
    pub fn from_rows(
        scoring: Scoring,
        labels: impl IntoIterator<Item = (String, LabelCounts)>,
        vocabulary: u64,
        grams: impl IntoIterator<Item = (String, String, u32)>,
    ) -> Model {
        let mut model = Model::new(scoring);
        model.labels = labels.into_iter().collect();
        model.vocabulary = vocabulary;
        for (gram, label, count) in grams {
            if count > 0 {
                model.grams.entry(gram).or_default().insert(label, count);
            }
        }
        model
    }

    /// The label rows: each label's cases and grams.
    pub fn labels(&self) -> impl Iterator<Item = (&str, LabelCounts)> {
        self.labels.iter().map(|(l, c)| (l.as_str(), *c))
    }

    /// The gram rows: gram, label, count (in no particular order).
    pub fn gram_rows(&self) -> impl Iterator<Item = (&str, &str, u32)> {
        self.grams.iter().flat_map(|(gram, labels)| {
            labels
                .iter()
                .map(move |(label, n)| (gram.as_str(), label.as_str(), *n))
        })
    }

    /// How labels are scored.
    pub fn scoring(&self) -> Scoring {
        self.scoring
    }

    /// Distinct grams with any count.
    pub fn vocabulary(&self) -> u64 {
        self.vocabulary
    }

    /// Cases learned, all labels together.
    pub fn cases(&self) -> u64 {
        self.labels.values().map(|c| u64::from(c.cases)).sum()
    }

    /// Adds a decided case: its text's grams now count for `label`.
    pub fn learn(&mut self, features: &Features, label: &str) {
        let counts = self.labels.entry(label.to_string()).or_default();
        counts.cases += 1;
        counts.grams += features.total();
        for (gram, n) in features.grams() {
            let labels = match self.grams.get_mut(gram) {
                Some(labels) => labels,
                None => {
                    self.vocabulary += 1;
                    self.grams.entry(gram.to_string()).or_default()
                }
            };
            *labels.entry(label.to_string()).or_default() += n;
        }
    }

    /// Takes a case learned with `label` back out (an undone dispatch, or
    /// the first half of a re-categorisation): afterwards the counts are as
    /// if it had never been learned. Refused, changing nothing, when the
    /// model does not hold such a case.
    pub fn unlearn(&mut self, features: &Features, label: &str) -> Result<(), NotLearned> {
        let not_learned = || NotLearned {
            label: label.to_string(),
        };
        let counts = self.labels.get(label).ok_or_else(not_learned)?;
        let held = counts.cases >= 1
            && counts.grams >= features.total()
            && features.grams().all(|(gram, n)| {
                self.grams
                    .get(gram)
                    .and_then(|labels| labels.get(label))
                    .is_some_and(|have| *have >= n)
            });
        if !held {
            return Err(not_learned());
        }
        let counts = self.labels.get_mut(label).expect("checked above");
        counts.cases -= 1;
        counts.grams -= features.total();
        if counts.cases == 0 && counts.grams == 0 {
            self.labels.remove(label);
        }
        for (gram, n) in features.grams() {
            let labels = self.grams.get_mut(gram).expect("checked above");
            let have = labels.get_mut(label).expect("checked above");
            *have -= n;
            if *have == 0 {
                labels.remove(label);
            }
            if labels.is_empty() {
                self.grams.remove(gram);
                self.vocabulary -= 1;
            }
        }
        Ok(())
    }

    /// Moves a case from one label to another (a re-categorisation, a
    /// transfer): unlearn, then learn; nothing changes when it is refused.
    pub fn relabel(&mut self, features: &Features, from: &str, to: &str) -> Result<(), NotLearned> {
        self.unlearn(features, from)?;
        self.learn(features, to);
        Ok(())
    }

    /// The labels the text most likely belongs to, best first, at most
    /// [`SUGGESTIONS`], each with its confidence and reasons. Empty when
    /// the model has learned nothing; a text without grams gets the most
    /// common labels, without reasons.
    pub fn suggest(&self, features: &Features) -> Vec<Suggestion> {
        let scores = self.scores(features);
        let mut ranked: Vec<(usize, f64)> = scores.iter().copied().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        let confidences = softmax(&scores);
        let labels: Vec<&str> = self.labels.keys().map(String::as_str).collect();
        let best = ranked.first().map(|(i, _)| *i);
        let second = ranked.get(1).map(|(i, _)| *i);
        ranked
            .iter()
            .take(SUGGESTIONS)
            .map(|&(i, _)| {
                let against = if Some(i) == best { second } else { best };
                Suggestion {
                    label: labels[i].to_string(),
                    confidence: confidences[i],
                    reasons: self.reasons(features, labels[i], against.map(|j| labels[j])),
                }
            })
            .collect()
    }

    /// Each label's score (in the labels' order): the log prior plus the
    /// log-likelihood of the text's grams that the model has seen (one never
    /// seen says nothing of any label), averaged over them and sharpened.
    fn scores(&self, features: &Features) -> Vec<f64> {
        let total_cases = self.cases() as f64;
        let labels = self.labels.len() as f64;
        let all_grams: u64 = self.labels.values().map(|c| c.grams).sum();
        let known = || {
            features
                .grams()
                .filter(|(g, _)| self.grams.contains_key(*g))
        };
        let length = known().map(|(_, n)| u64::from(n)).sum::<u64>().max(1) as f64;
        self.labels
            .iter()
            .map(|(label, counts)| {
                let prior = ((f64::from(counts.cases) + 1.0) / (total_cases + labels)).ln();
                let likelihood: f64 = known()
                    .map(|(gram, n)| f64::from(n) * self.weight(gram, label, counts, all_grams))
                    .sum();
                (prior + likelihood) / length * SHARPNESS
            })
            .collect()
    }

    /// How much one occurrence of `gram` speaks for `label` (a log).
    fn weight(&self, gram: &str, label: &str, counts: &LabelCounts, all_grams: u64) -> f64 {
        let under = |label: &str| -> f64 {
            self.grams
                .get(gram)
                .and_then(|labels| labels.get(label))
                .map_or(0.0, |n| f64::from(*n))
        };
        let smoothing = ALPHA * self.vocabulary.max(1) as f64;
        match self.scoring {
            Scoring::Multinomial => {
                ((under(label) + ALPHA) / (counts.grams as f64 + smoothing)).ln()
            }
            Scoring::Complement => {
                let everywhere: f64 = self
                    .grams
                    .get(gram)
                    .map_or(0.0, |labels| labels.values().map(|n| f64::from(*n)).sum());
                let elsewhere = everywhere - under(label);
                let elsewhere_total = (all_grams - counts.grams) as f64;
                -((elsewhere + ALPHA) / (elsewhere_total + smoothing)).ln()
            }
        }
    }

    /// The grams that weigh most for `label` against `other` (or, alone,
    /// for it at all), grams of two characters or more first, as the
    /// phrases of the text they cover (overlapping and adjoining grams
    /// joined).
    fn reasons(&self, features: &Features, label: &str, other: Option<&str>) -> Vec<String> {
        let all_grams: u64 = self.labels.values().map(|c| c.grams).sum();
        let weight = |gram: &str, label: &str| {
            let counts = self.labels.get(label).copied().unwrap_or_default();
            self.weight(gram, label, &counts, all_grams)
        };
        let seen = |gram: &str| self.grams.get(gram).is_some_and(|l| l.contains_key(label));
        let mut weighed: Vec<(&str, f64)> = features
            .grams()
            .filter(|(gram, _)| seen(gram))
            .map(|(gram, n)| {
                let against = other.map_or(0.0, |other| weight(gram, other));
                (gram, f64::from(n) * (weight(gram, label) - against))
            })
            .filter(|(_, w)| *w > 0.0)
            .collect();
        // Words before single characters, then by weight, the longer gram
        // first where they weigh the same (as the grams of one phrase do).
        weighed.sort_by(|a, b| {
            let length = |g: &str| g.chars().count();
            let long = |g: &str| length(g) >= 2;
            long(b.0)
                .cmp(&long(a.0))
                .then(b.1.total_cmp(&a.1))
                .then(length(b.0).cmp(&length(a.0)))
        });
        // The strongest few, shown as the phrases of the text they form.
        let strongest: Vec<&str> = weighed.iter().take(REASONS + 1).map(|(g, _)| *g).collect();
        let mut reasons = features.phrases(&strongest);
        reasons.truncate(REASONS);
        reasons
    }
}

/// A choice someone already made (the resident's category, the routing
/// rules' department for it), checked by the model: moved first when the
/// model ranks it among its suggestions, which are otherwise unchanged.
/// When it is not among them the choice is likely wrong, and the first
/// suggestion is the one to point out ("这看起来像：占道经营？"). The
/// benchmark measures this against the model alone and the choice alone.
pub fn checked(mut suggestions: Vec<Suggestion>, choice: Option<&str>) -> Vec<Suggestion> {
    if let Some(at) = suggestions
        .iter()
        .position(|s| Some(s.label.as_str()) == choice)
    {
        let chosen = suggestions.remove(at);
        suggestions.insert(0, chosen);
    }
    suggestions
}

/// Scores as probabilities that sum to one.
fn softmax(scores: &[f64]) -> Vec<f64> {
    let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = scores.iter().map(|s| (s - top).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}
