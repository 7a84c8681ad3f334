//! Smart triage (研判): for a case waiting in triage, the category and the
//! department it most likely belongs to, each with a confidence and the
//! words that decided it, learned per tenant from its own staff's
//! decisions (`docs/triage.md`).
//!
//! The method, chosen by measurement (`cargo xtask bench triage`,
//! `docs/benchmarks/triage.md`): multinomial naive Bayes over the text's
//! character one- to three-grams ([`Features`]), no word segmenter and no
//! model file. Its state is counts ([`Model`]): per label, the cases and
//! grams learned; per gram, how often it came with each label. Learning a
//! decided case adds its counts, [`Model::unlearn`] takes them away
//! exactly, so a store keeps the model as rows updated in the decision's own
//! transaction, and a suggestion reads only the rows of the text's grams.
//!
//! Measured against it on the same held-out reports: complement naive
//! Bayes on the same counts, naive Bayes over one- to two-grams, and the
//! nearest stored cases by TF-IDF cosine (k = 5), which needs every past
//! case's text kept; see `docs/triage.md` for the figures and why this one
//! was kept.

mod features;
mod model;

pub use features::{Features, Grams, MAX_CHARS};
pub use model::{LabelCounts, Model, NotLearned, REASONS, SUGGESTIONS, Scoring, Suggestion};

#[cfg(test)]
mod tests;
