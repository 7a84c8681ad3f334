//! Smart triage (研判): for a case waiting in triage, the category and the
//! department it most likely belongs to, each with a confidence and the
//! words that decided it, learned per tenant from its own staff's
//! decisions (`docs/triage.md`).
//!
//! The method, chosen by measurement (`cargo xtask bench triage`,
//! `docs/benchmarks/triage.md`): complement naive Bayes (Rennie et al.,
//! 2003) over the text's character one- to three-grams ([`Features`]), no
//! word segmenter and no model file. Its state is counts ([`Model`]): per
//! label, the cases and grams learned; per gram, how often it came with each
//! label. Learning a decided case adds its counts, [`Model::unlearn`] takes
//! them away exactly, so a store keeps the model as rows updated in the
//! decision's own transaction, and a suggestion reads only the label rows
//! and the rows of the text's grams.
//!
//! Measured on the same held-out reports (30 categories, 13 departments;
//! category accuracy at 1 with 5 / 20 / 50 decided cases per category):
//! complement naive Bayes over 1-3-grams 54% / 76% / 79%; multinomial
//! naive Bayes on the same counts 39% / 64% / 74%, over 1-2-grams 41% / 66% /
//! 76%, over 2-3-grams 36% / 59% / 69% (single characters carry typos'
//! neighbours and short texts); the five nearest stored cases by TF-IDF
//! cosine 42% / 60% / 68%, which besides needs every past case's text kept.
//! Taking the resident's own pick when the model ranks it among its three
//! gives 86% at 50 per category.

mod dispatch;
mod features;
mod model;

pub use dispatch::{
    MAX_THRESHOLD, MIN_CASES, MIN_DEPARTMENT_CASES, MIN_PLAUSIBLE, MIN_POINTED_OUT, MIN_THRESHOLD,
    Settings, TRIAGE_ACTOR, auto_dispatch, checked_plausible, dispatched_by_triage, looks_like,
    ready,
};
pub use features::{Features, Grams, MAX_CHARS};
pub use model::{
    LabelCounts, Model, NotLearned, REASONS, SUGGESTIONS, Scoring, Suggestion, checked,
};

#[cfg(test)]
mod tests;
