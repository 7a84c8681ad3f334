//! `cargo xtask bench triage`: the smart triage model (`domain::triage`)
//! trained on a labelled set of 12345-style reports and measured on reports
//! it did not train on, against the routing rules alone and the most common
//! department, in one run, natively (no app, no Spin). The labelled set is
//! generated from `xtask/data/triage/catalogue.toml` with held-out phrasings
//! (`docs/triage.md`); the figures go to `docs/benchmarks/triage.md`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use domain::triage::{Features, Grams, Model, Scoring, Suggestion};

/// Set in the optimised run the benchmark starts itself in.
const OPTIMISED: &str = "XTASK_TRIAGE_OPTIMISED";

/// Decided cases per category on the learning curve.
const CURVE: [usize; 4] = [5, 10, 20, 50];
/// Held-out reports per category.
const TEST_PER_CATEGORY: usize = 40;
/// Labelled sets drawn (with different seeds) and averaged over.
const SEEDS: u64 = 3;

/// Runs the benchmark, in a build with the domain and this crate optimised
/// (timings of an unoptimised build say nothing), and writes its report.
pub fn main(root: &Path) -> anyhow::Result<()> {
    if std::env::var_os(OPTIMISED).is_none() {
        eprintln!("== building the benchmark with domain and xtask at opt-level 3");
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root)
            .args([
                "--config",
                "profile.dev.package.domain.opt-level=3",
                "--config",
                "profile.dev.package.xtask.opt-level=3",
                "run",
                "--quiet",
                "--package",
                "xtask",
                "--",
                "bench",
                "triage",
            ])
            .env(OPTIMISED, "1")
            .status()
            .context("cannot run cargo")?;
        if !status.success() {
            bail!("the optimised benchmark run failed: {status}");
        }
        return Ok(());
    }
    let report = run(root)?;
    let path = root.join("docs/benchmarks/triage.md");
    std::fs::write(&path, &report)?;
    println!("{report}\nwritten to {}", path.display());
    Ok(())
}

/// The benchmark's report, as Markdown.
pub fn run(root: &Path) -> anyhow::Result<String> {
    let catalogue = Catalogue::load(&root.join("xtask/data/triage/catalogue.toml"))?;
    let mut out = String::new();
    writeln!(out, "# Smart triage (研判) benchmark\n")?;
    writeln!(out, "{}\n", machine())?;
    let sets: Vec<LabelledSet> = (0..SEEDS).map(|seed| catalogue.generate(seed)).collect();
    let first = &sets[0];
    writeln!(
        out,
        "The labelled set: `xtask/data/triage/catalogue.toml`, {} categories over {} departments \
         ({} phrasings of kinds of report, {} shared sentence frames); per category {} training \
         and {} held-out reports, drawn {SEEDS} times with different seeds and averaged. \
         Held-out reports use only held-out phrasings, frames and place names (every fourth of \
         each), and also the kinds' words (what is wrong with what) that training never saw; \
         {:.0}% of them carry a typo or a dialect word. \
         The resident's own pick of category is right for {:.0}% of the held-out reports, \
         another category for {:.0}%, \"其他\" for the rest. See `docs/triage.md`.\n",
        catalogue.categories.len(),
        catalogue.departments.len(),
        catalogue.phrasings(),
        catalogue.frames.len(),
        CURVE[CURVE.len() - 1],
        TEST_PER_CATEGORY,
        100.0 * share(&first.test, |r| r.noisy),
        100.0
            * share(&first.test, |r| r.resident_pick.as_deref()
                == Some(&r.category)),
        100.0
            * share(&first.test, |r| r
                .resident_pick
                .as_ref()
                .is_some_and(|p| *p != r.category)),
    )?;

    // Which method: each candidate's category accuracy on the curve.
    let methods = [
        Method::Bayes(Scoring::Complement, Grams::DEFAULT),
        Method::Bayes(Scoring::Multinomial, Grams::DEFAULT),
        Method::Bayes(
            Scoring::Multinomial,
            Grams {
                shortest: 1,
                longest: 2,
            },
        ),
        Method::Bayes(
            Scoring::Multinomial,
            Grams {
                shortest: 2,
                longest: 3,
            },
        ),
        Method::Nearest(5),
    ];
    writeln!(
        out,
        "## Which method: category accuracy at 1 (at 3) on held-out reports\n"
    )?;
    write!(out, "| method |")?;
    for n in CURVE {
        write!(out, " {n} per category |")?;
    }
    writeln!(out, "\n| --- |{}", " --- |".repeat(CURVE.len()))?;
    for method in methods {
        write!(out, "| {} |", method.name())?;
        for n in CURVE {
            let mut at = Accuracy::default();
            for set in &sets {
                let train = set.first(n);
                let model = method.train(&train, |r| &r.category);
                for report in &set.test {
                    at.add(&model.rank(&report.text), &report.category);
                }
            }
            write!(out, " {} |", at.both())?;
        }
        writeln!(out)?;
    }
    writeln!(out)?;

    // The chosen method against the baselines.
    let chosen = methods[0];
    writeln!(
        out,
        "## The model ({}) against the baselines\n\nAccuracy at 1 (at 3) on held-out reports. \
         The routing rules are the catalogue's, one department per category, as a township \
         admin writes them: they give one answer, so their accuracy at 3 is their accuracy at 1; \
         a report without a category (\"其他\") gets no department from them.\n",
        chosen.name()
    )?;
    writeln!(out, "| what is suggested |{}", curve_header())?;
    writeln!(out, "| --- |{}", " --- |".repeat(CURVE.len()))?;
    let rows: [(&str, Row); 11] = [
        ("category: the model", Row::Category),
        ("category: the resident's own pick", Row::ResidentCategory),
        (
            "category: the resident's pick where the model ranks it in its three, else the model's",
            Row::CategoryWithResident,
        ),
        ("department: the model", Row::Department),
        (
            "department: the rules' for the resident's pick where the model ranks it in its three, else the model's",
            Row::DepartmentWithResident,
        ),
        (
            "department: rules on the model's category",
            Row::RulesOnModel,
        ),
        (
            "department: rules on the resident's pick",
            Row::RulesOnResident,
        ),
        (
            "department: rules on the category above (the resident's pick checked by the model)",
            Row::RulesOnCategoryWithResident,
        ),
        (
            "department: rules on the category staff settled on (their ceiling)",
            Row::RulesOnTruth,
        ),
        (
            "department: always the most common (3 most common at 3)",
            Row::MostCommon,
        ),
        (
            "department: the model, where the rules on the resident's pick are wrong",
            Row::DepartmentWhereRulesFail,
        ),
    ];
    for (name, row) in rows {
        write!(out, "| {name} |")?;
        for n in CURVE {
            let mut at = Accuracy::default();
            for set in &sets {
                row.measure(chosen, &catalogue, set, n, &mut at);
            }
            write!(out, " {} |", at.both())?;
        }
        writeln!(out)?;
    }
    writeln!(out)?;

    // Calibration at 50 per category.
    let n = CURVE[CURVE.len() - 1];
    writeln!(
        out,
        "## Calibration at {n} per category\n\nOf the held-out reports, how many have a first \
         suggestion at or above the confidence, and how many of those are right: what a tenant \
         setting a threshold (for automatic dispatch, or to show a suggestion at all) gets.\n"
    )?;
    writeln!(
        out,
        "| confidence ≥ | category: reports | category: right | department: reports | department: right |"
    )?;
    writeln!(out, "| --- | --- | --- | --- | --- |")?;
    // Per held-out report, the first suggestion's confidence and whether it
    // is right: for the category, then for the department.
    let mut firsts: Vec<[(f64, bool); 2]> = Vec::new();
    for set in &sets {
        let train = set.first(n);
        let category = chosen.train(&train, |r| &r.category);
        let department = chosen.train(&train, |r| &r.department);
        for report in &set.test {
            let c = category.rank(&report.text);
            let d = department.rank(&report.text);
            firsts.push([
                (c[0].1, c[0].0 == report.category),
                (d[0].1, d[0].0 == report.department),
            ]);
        }
    }
    for threshold in [0.0, 0.5, 0.7, 0.9] {
        let passing = |which: usize| {
            let above: Vec<bool> = firsts
                .iter()
                .map(|f| f[which])
                .filter(|(c, _)| *c >= threshold)
                .map(|(_, right)| right)
                .collect();
            let right = above.iter().filter(|r| **r).count();
            (
                percent(above.len(), firsts.len()),
                percent(right, above.len().max(1)),
            )
        };
        let (c_pass, c_right) = passing(0);
        let (d_pass, d_right) = passing(1);
        writeln!(
            out,
            "| {threshold:.1} | {c_pass} | {c_right} | {d_pass} | {d_right} |"
        )?;
    }
    writeln!(out)?;

    // Time and size at 50 per category.
    let train = first.first(n);
    let (category, department) = (
        train_bayes(&train, |r| &r.category),
        train_bayes(&train, |r| &r.department),
    );
    // Each held-out text five times running: every run, and each text's
    // best, which leaves out most of what the other work on the shared
    // cores adds.
    let mut suggest_times = Vec::new();
    let mut best_times = Vec::new();
    for report in &first.test {
        let mut best = Duration::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            let features = Features::of(&report.text);
            let c = category.suggest(&features);
            let d = department.suggest(&features);
            let took = started.elapsed();
            std::hint::black_box((c, d));
            suggest_times.push(took);
            best = best.min(took);
        }
        best_times.push(best);
    }
    let mut update_times = Vec::new();
    let mut relabel_times = Vec::new();
    let mut grams_per_case = Vec::new();
    let (mut c_model, mut d_model) = (category.clone(), department.clone());
    for report in &first.test {
        let started = Instant::now();
        let features = Features::of(&report.text);
        c_model.learn(&features, &report.category);
        d_model.learn(&features, &report.department);
        update_times.push(started.elapsed());
        grams_per_case.push(features.grams().count());
        let started = Instant::now();
        let features = Features::of(&report.text);
        c_model.relabel(&features, &report.category, "other")?;
        relabel_times.push(started.elapsed());
    }
    let rows: usize = category.gram_rows().count() + department.gram_rows().count();
    writeln!(
        out,
        "## Time and size at {n} per category ({} decided cases)\n",
        train.len()
    )?;
    writeln!(out, "| what | median | p99 |\n| --- | --- | --- |")?;
    writeln!(
        out,
        "{}\n{}\n{}\n{}",
        time_row(
            "a suggestion: the text's grams, then category and department",
            &mut suggest_times
        ),
        time_row(
            "the same, each text's best of its five runs",
            &mut best_times
        ),
        time_row(
            "an update: a dispatched case learned by both models",
            &mut update_times
        ),
        time_row(
            "a re-categorisation: unlearned from one category, learned into another",
            &mut relabel_times
        ),
    )?;
    grams_per_case.sort_unstable();
    writeln!(
        out,
        "\nThe two models hold {} + {} distinct grams in {rows} gram rows (gram, label, count) \
         and {} + {} label rows. An update touches one gram row per distinct gram of the text \
         in each model: a median of {} here (a report's first {} characters are read).\n",
        category.vocabulary(),
        department.vocabulary(),
        category.labels().count(),
        department.labels().count(),
        grams_per_case[grams_per_case.len() / 2],
        domain::triage::MAX_CHARS,
    )?;

    // What staff see.
    writeln!(
        out,
        "## What staff see: some held-out reports\n\n| report | staff decided | suggested category (confidence: reasons) | suggested department |\n| --- | --- | --- | --- |"
    )?;
    for report in first.test.iter().step_by(first.test.len() / 8).take(8) {
        let features = Features::of(&report.text);
        let show = |s: &[Suggestion]| {
            s.first().map_or(String::new(), |s| {
                format!(
                    "{} ({:.2}: {})",
                    s.label,
                    s.confidence,
                    s.reasons.join("、")
                )
            })
        };
        writeln!(
            out,
            "| {} | {} / {} | {} | {} |",
            report.text.replace('|', "｜"),
            report.category,
            report.department,
            show(&category.suggest(&features)),
            show(&department.suggest(&features)),
        )?;
    }
    Ok(out)
}

/// A line of the report's header: the machine and the date.
fn machine() -> String {
    let (cpu, cores) = crate::bench::cpu_and_cores();
    let date = chrono::Utc::now().format("%Y-%m-%d");
    format!(
        "Measured {date} on {cpu}, {cores} cores (shared with other work), natively, one thread, \
         the domain crate built at opt-level 3 (in wasm expect it slower by a small factor)."
    )
}

fn curve_header() -> String {
    CURVE
        .iter()
        .map(|n| format!(" {n} per category |"))
        .collect()
}

fn share(reports: &[Report], what: impl Fn(&Report) -> bool) -> f64 {
    reports.iter().filter(|r| what(r)).count() as f64 / reports.len().max(1) as f64
}

fn percent(part: usize, whole: usize) -> String {
    format!("{:.1}%", 100.0 * part as f64 / whole.max(1) as f64)
}

fn time_row(name: &str, times: &mut [Duration]) -> String {
    times.sort_unstable();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    format!(
        "| {name} | {:.3} ms | {:.3} ms |",
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    )
}

/// Accuracy at 1 and at 3, counted.
#[derive(Default)]
struct Accuracy {
    cases: usize,
    at_1: usize,
    at_3: usize,
}

impl Accuracy {
    fn add<T: AsRef<str>>(&mut self, ranked: &[(T, f64)], right: &str) {
        self.cases += 1;
        if ranked.first().is_some_and(|(l, _)| l.as_ref() == right) {
            self.at_1 += 1;
        }
        if ranked.iter().take(3).any(|(l, _)| l.as_ref() == right) {
            self.at_3 += 1;
        }
    }

    fn both(&self) -> String {
        format!(
            "{} ({})",
            percent(self.at_1, self.cases),
            percent(self.at_3, self.cases)
        )
    }
}

/// A row of the baselines' table.
#[derive(Clone, Copy)]
enum Row {
    Category,
    ResidentCategory,
    CategoryWithResident,
    Department,
    DepartmentWithResident,
    RulesOnModel,
    RulesOnResident,
    RulesOnCategoryWithResident,
    RulesOnTruth,
    MostCommon,
    DepartmentWhereRulesFail,
}

impl Row {
    fn measure(
        self,
        method: Method,
        catalogue: &Catalogue,
        set: &LabelledSet,
        n: usize,
        at: &mut Accuracy,
    ) {
        let train = set.first(n);
        let rules = |category: Option<&str>| -> Vec<(String, f64)> {
            category
                .and_then(|c| catalogue.rule(c))
                .map(|d| vec![(d.to_string(), 1.0)])
                .unwrap_or_default()
        };
        let category = method.train(&train, |r| &r.category);
        let department = method.train(&train, |r| &r.department);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &train {
            *counts.entry(r.department.as_str()).or_default() += 1;
        }
        let mut common: Vec<(&str, usize)> = counts.into_iter().collect();
        common.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let common: Vec<(String, f64)> = common
            .iter()
            .map(|(d, n)| (d.to_string(), *n as f64))
            .collect();
        // The resident's pick, kept when the model ranks it among its three.
        let checked = |report: &Report| {
            checked_by(category.rank(&report.text), report.resident_pick.as_deref())
        };
        for report in &set.test {
            match self {
                Row::Category => at.add(&category.rank(&report.text), &report.category),
                Row::CategoryWithResident => at.add(&checked(report), &report.category),
                Row::RulesOnCategoryWithResident => {
                    let first = checked(report).into_iter().next().map(|(c, _)| c);
                    at.add(&rules(first.as_deref()), &report.department)
                }
                Row::ResidentCategory => {
                    let pick: Vec<(&str, f64)> = report
                        .resident_pick
                        .iter()
                        .map(|p| (p.as_str(), 1.0))
                        .collect();
                    at.add(&pick, &report.category)
                }
                Row::Department => at.add(&department.rank(&report.text), &report.department),
                Row::DepartmentWithResident => {
                    let by_rules = rules(report.resident_pick.as_deref());
                    let choice = by_rules.first().map(|(d, _)| d.as_str());
                    let ranked = checked_by(department.rank(&report.text), choice);
                    at.add(&ranked, &report.department)
                }
                Row::RulesOnModel => {
                    // The rules applied to the model's three categories, in turn.
                    let mut departments: Vec<(String, f64)> = Vec::new();
                    for (c, p) in category.rank(&report.text) {
                        for (d, _) in rules(Some(&c)) {
                            if !departments.iter().any(|(have, _)| *have == d) {
                                departments.push((d, p));
                            }
                        }
                    }
                    at.add(&departments, &report.department)
                }
                Row::RulesOnResident => {
                    at.add(&rules(report.resident_pick.as_deref()), &report.department)
                }
                Row::RulesOnTruth => at.add(&rules(Some(&report.category)), &report.department),
                Row::MostCommon => at.add(&common, &report.department),
                Row::DepartmentWhereRulesFail => {
                    let by_rules = rules(report.resident_pick.as_deref());
                    if by_rules.first().map(|(d, _)| d) != Some(&report.department) {
                        at.add(&department.rank(&report.text), &report.department)
                    }
                }
            }
        }
    }
}

/// A ranking with a choice checked by it (`domain::triage::checked`).
fn checked_by(ranked: Vec<(String, f64)>, choice: Option<&str>) -> Vec<(String, f64)> {
    let suggestions = ranked
        .into_iter()
        .map(|(label, confidence)| Suggestion {
            label,
            confidence,
            reasons: Vec::new(),
        })
        .collect();
    domain::triage::checked(suggestions, choice)
        .into_iter()
        .map(|s| (s.label, s.confidence))
        .collect()
}

/// A candidate method.
#[derive(Clone, Copy)]
enum Method {
    Bayes(Scoring, Grams),
    /// The k nearest stored cases by TF-IDF cosine over 1-3-grams, each
    /// voting for its label with its similarity.
    Nearest(usize),
}

impl Method {
    fn name(self) -> String {
        match self {
            Method::Bayes(scoring, grams) => format!(
                "{} naive Bayes, {}-{}-grams",
                match scoring {
                    Scoring::Multinomial => "multinomial",
                    Scoring::Complement => "complement",
                },
                grams.shortest,
                grams.longest
            ),
            Method::Nearest(k) => format!("{k} nearest cases, TF-IDF cosine, 1-3-grams"),
        }
    }

    fn train(self, reports: &[&Report], label: impl Fn(&Report) -> &String) -> Trained {
        match self {
            Method::Bayes(scoring, grams) => {
                let mut model = Model::new(scoring);
                for r in reports {
                    model.learn(&Features::with(&r.text, grams), label(r));
                }
                Trained::Bayes(model, grams)
            }
            Method::Nearest(k) => {
                let docs: Vec<(Features, String)> = reports
                    .iter()
                    .map(|r| (Features::of(&r.text), label(r).clone()))
                    .collect();
                Trained::Nearest(Nearest::new(docs, k))
            }
        }
    }
}

enum Trained {
    Bayes(Model, Grams),
    Nearest(Nearest),
}

impl Trained {
    /// Labels best first (at most three) with their confidence.
    fn rank(&self, text: &str) -> Vec<(String, f64)> {
        match self {
            Trained::Bayes(model, grams) => model
                .suggest(&Features::with(text, *grams))
                .into_iter()
                .map(|s| (s.label, s.confidence))
                .collect(),
            Trained::Nearest(nearest) => nearest.rank(&Features::of(text)),
        }
    }
}

fn train_bayes(reports: &[&Report], label: impl Fn(&Report) -> &String) -> Model {
    let mut model = Model::default();
    for r in reports {
        model.learn(&Features::of(&r.text), label(r));
    }
    model
}

/// The nearest-neighbour candidate: every case's TF-IDF vector kept.
struct Nearest {
    k: usize,
    idf: HashMap<String, f64>,
    docs: Vec<(HashMap<String, f64>, String)>,
}

impl Nearest {
    fn new(docs: Vec<(Features, String)>, k: usize) -> Nearest {
        let mut df: HashMap<String, usize> = HashMap::new();
        for (f, _) in &docs {
            for (g, _) in f.grams() {
                *df.entry(g.to_string()).or_default() += 1;
            }
        }
        let n = docs.len() as f64;
        let idf: HashMap<String, f64> = df
            .into_iter()
            .map(|(g, d)| (g, (n / d as f64).ln() + 1.0))
            .collect();
        let docs = docs
            .iter()
            .map(|(f, label)| (Self::vector(&idf, f), label.clone()))
            .collect();
        Nearest { k, idf, docs }
    }

    fn vector(idf: &HashMap<String, f64>, features: &Features) -> HashMap<String, f64> {
        let mut v: HashMap<String, f64> = features
            .grams()
            .filter_map(|(g, n)| {
                idf.get(g)
                    .map(|w| (g.to_string(), (1.0 + f64::from(n).ln()) * w))
            })
            .collect();
        let norm = v.values().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
        v.values_mut().for_each(|x| *x /= norm);
        v
    }

    fn rank(&self, features: &Features) -> Vec<(String, f64)> {
        let query = Self::vector(&self.idf, features);
        let mut similar: Vec<(f64, &str)> = self
            .docs
            .iter()
            .map(|(doc, label)| {
                let dot: f64 = query
                    .iter()
                    .filter_map(|(g, x)| doc.get(g).map(|y| x * y))
                    .sum();
                (dot, label.as_str())
            })
            .collect();
        similar.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut votes: BTreeMap<&str, f64> = BTreeMap::new();
        for (sim, label) in similar.iter().take(self.k) {
            *votes.entry(label).or_default() += sim;
        }
        let total: f64 = votes.values().sum::<f64>().max(1e-12);
        let mut ranked: Vec<(String, f64)> = votes
            .into_iter()
            .map(|(l, v)| (l.to_string(), v / total))
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
        ranked.truncate(3);
        ranked
    }
}

/// One labelled report.
#[derive(Debug, Clone)]
pub struct Report {
    pub text: String,
    /// The category staff settled on.
    pub category: String,
    /// The department that resolved it.
    pub department: String,
    /// What the resident picked from the list (`None`: 其他).
    pub resident_pick: Option<String>,
    /// A typo or a dialect word was laid over the phrasing.
    pub noisy: bool,
}

/// A generated set: per category, training reports (the first `n` of each
/// category are a tenant with `n` decided cases per category) and held-out
/// ones.
pub struct LabelledSet {
    train: Vec<Report>,
    pub test: Vec<Report>,
}

impl LabelledSet {
    /// The first `n` training reports of each category.
    fn first(&self, n: usize) -> Vec<&Report> {
        let mut taken: HashMap<&str, usize> = HashMap::new();
        self.train
            .iter()
            .filter(|r| {
                let count = taken.entry(r.category.as_str()).or_default();
                *count += 1;
                *count <= n
            })
            .collect()
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Split {
    Train,
    Test,
}

impl Split {
    /// Every fourth phrasing and slot value is held out for the test split.
    fn holds(self, index: usize) -> bool {
        (index % 4 == 3) == (self == Split::Test)
    }

    /// The items of a list this split holds.
    fn of(self, items: &[String]) -> Vec<&String> {
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| self.holds(*i))
            .map(|(_, item)| item)
            .collect()
    }
}

struct Kind {
    department: String,
    weight: f64,
    texts: Vec<String>,
    /// Its own slots (`thing`, `problem`), for its texts and the frames.
    words: HashMap<String, Vec<String>>,
}

struct Category {
    code: String,
    department: String,
    confused_with: Vec<String>,
    kinds: Vec<Kind>,
}

/// The catalogue file: departments, categories with their kinds of report
/// and phrasings, slot values, and the noise laid over them.
pub struct Catalogue {
    departments: Vec<String>,
    categories: Vec<Category>,
    slots: HashMap<String, Vec<String>>,
    /// Sentence frames over a kind's `thing` and `problem`.
    frames: Vec<String>,
    typos: Vec<(String, String)>,
    dialect: Vec<(String, String)>,
    openings: Vec<String>,
    closings: Vec<String>,
}

impl Catalogue {
    pub fn load(path: &Path) -> anyhow::Result<Catalogue> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Catalogue::parse(&text)
    }

    pub fn parse(text: &str) -> anyhow::Result<Catalogue> {
        let table: toml::Table = text.parse()?;
        let strings = |value: Option<&toml::Value>| -> Vec<String> {
            value
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default()
        };
        let pairs = |value: Option<&toml::Value>| -> Vec<(String, String)> {
            value
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|p| {
                            let p = p.as_array()?;
                            Some((p.first()?.as_str()?.into(), p.get(1)?.as_str()?.into()))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let str_of = |t: &toml::Table, key: &str| -> anyhow::Result<String> {
            t.get(key)
                .and_then(|v| v.as_str())
                .map(String::from)
                .with_context(|| format!("missing {key}"))
        };
        let tables = |key: &str| -> Vec<toml::Table> {
            table
                .get(key)
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|t| t.as_table().cloned()).collect())
                .unwrap_or_default()
        };
        let departments: Vec<String> = tables("department")
            .iter()
            .map(|d| str_of(d, "code"))
            .collect::<anyhow::Result<_>>()?;
        let mut categories = Vec::new();
        for c in tables("category") {
            let department = str_of(&c, "department")?;
            let mut kinds = Vec::new();
            for k in c
                .get("kind")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
            {
                let k = k.as_table().context("a kind is a table")?;
                let texts = strings(k.get("texts"));
                if texts.len() < 4 {
                    bail!(
                        "{}: a kind needs at least four phrasings, one held out",
                        str_of(&c, "code")?
                    );
                }
                kinds.push(Kind {
                    department: k
                        .get("department")
                        .and_then(|v| v.as_str())
                        .map_or_else(|| department.clone(), String::from),
                    weight: k.get("weight").and_then(|v| v.as_float()).unwrap_or(1.0),
                    texts,
                    words: ["thing", "problem"]
                        .into_iter()
                        .filter(|w| k.contains_key(*w))
                        .map(|w| (w.to_string(), strings(k.get(w))))
                        .collect(),
                });
            }
            categories.push(Category {
                code: str_of(&c, "code")?,
                department,
                confused_with: strings(c.get("confused_with")),
                kinds,
            });
        }
        let mut catalogue = Catalogue {
            frames: Vec::new(),
            slots: table
                .get("slots")
                .and_then(|v| v.as_table())
                .map(|s| {
                    s.iter()
                        .map(|(k, v)| (k.clone(), strings(Some(v))))
                        .collect()
                })
                .unwrap_or_default(),
            typos: pairs(table.get("noise").and_then(|n| n.get("typos"))),
            dialect: pairs(table.get("noise").and_then(|n| n.get("dialect"))),
            openings: strings(table.get("noise").and_then(|n| n.get("openings"))),
            closings: strings(table.get("noise").and_then(|n| n.get("closings"))),
            departments,
            categories,
        };
        catalogue.frames = catalogue.slots.remove("frames").unwrap_or_default();
        catalogue.check()?;
        Ok(catalogue)
    }

    /// Every department and confusion named exists; every slot used has values.
    fn check(&self) -> anyhow::Result<()> {
        for c in &self.categories {
            for k in &c.kinds {
                if !self.departments.contains(&k.department) {
                    bail!("{}: unknown department {}", c.code, k.department);
                }
                let frames = if k.words.len() == 2 {
                    &self.frames[..]
                } else {
                    &[]
                };
                for text in k.texts.iter().chain(frames) {
                    for slot in slots_of(text) {
                        let values = k.words.get(slot).or(self.slots.get(slot));
                        if values.is_none_or(|v| v.len() < 4) {
                            bail!("{}: slot {{{slot}}} needs four values or more", c.code);
                        }
                    }
                }
            }
            for other in &c.confused_with {
                if self.rule(other).is_none() {
                    bail!("{}: confused with unknown category {other}", c.code);
                }
            }
            if c.kinds.is_empty() {
                bail!("{}: no kind of report", c.code);
            }
        }
        Ok(())
    }

    fn phrasings(&self) -> usize {
        self.categories
            .iter()
            .flat_map(|c| &c.kinds)
            .map(|k| k.texts.len())
            .sum()
    }

    /// The routing rule's department for a category.
    fn rule(&self, category: &str) -> Option<&str> {
        self.categories
            .iter()
            .find(|c| c.code == category)
            .map(|c| c.department.as_str())
    }

    /// A labelled set: per category, the largest curve point of training
    /// reports and the held-out ones.
    pub fn generate(&self, seed: u64) -> LabelledSet {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x1234_5678);
        let per = CURVE[CURVE.len() - 1];
        let mut set = LabelledSet {
            train: Vec::new(),
            test: Vec::new(),
        };
        for category in &self.categories {
            for _ in 0..per {
                set.train
                    .push(self.report(category, Split::Train, &mut rng));
            }
            for _ in 0..TEST_PER_CATEGORY {
                set.test.push(self.report(category, Split::Test, &mut rng));
            }
        }
        set
    }

    fn report(&self, category: &Category, split: Split, rng: &mut Rng) -> Report {
        let total: f64 = category.kinds.iter().map(|k| k.weight).sum();
        let mut pick = rng.float() * total;
        let kind = category
            .kinds
            .iter()
            .find(|k| {
                pick -= k.weight;
                pick < 0.0
            })
            .unwrap_or(&category.kinds[0]);
        let phrasings = split.of(&kind.texts);
        let frames = split.of(&self.frames);
        let template = if kind.words.len() == 2 && rng.float() < 0.5 {
            rng.choose(&frames)
        } else {
            rng.choose(&phrasings)
        };
        let mut text = self.fill(template, split, rng, &kind.words);
        let mut noisy = false;
        for (standard, dialect) in &self.dialect {
            if text.contains(standard.as_str()) && rng.float() < 0.3 {
                text = text.replacen(standard.as_str(), dialect, 1);
                noisy = true;
            }
        }
        for (right, wrong) in &self.typos {
            if text.contains(right.as_str()) && rng.float() < 0.15 {
                text = text.replacen(right.as_str(), wrong, 1);
                noisy = true;
            }
        }
        // Some callers say only the first clause.
        if rng.float() < 0.1
            && let Some((first, _)) = text.split_once('，')
        {
            text = first.to_string();
        }
        if rng.float() < 0.3 {
            text = format!(
                "{}{text}",
                self.fill(
                    rng.choose(&self.openings).as_str(),
                    split,
                    rng,
                    &HashMap::new()
                )
            );
        }
        if rng.float() < 0.25 {
            text = format!("{text}，{}", rng.choose(&self.closings));
        }
        let text = text
            .replace("，，", "，")
            .trim_end_matches('，')
            .to_string();
        let roll = rng.float();
        let resident_pick = if roll < 0.7 || category.confused_with.is_empty() && roll < 0.88 {
            Some(category.code.clone())
        } else if roll < 0.88 {
            Some(rng.choose(&category.confused_with).clone())
        } else {
            None
        };
        Report {
            text,
            category: category.code.clone(),
            department: kind.department.clone(),
            resident_pick,
            noisy,
        }
    }

    /// A phrasing with its slots filled from the split's values: of the
    /// shared slots, the split's own; of a kind's words, the training split
    /// never the held-out ones, the test split any.
    fn fill(
        &self,
        template: &str,
        split: Split,
        rng: &mut Rng,
        words: &HashMap<String, Vec<String>>,
    ) -> String {
        let mut out = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let slot = &rest[open + 1..open + close];
            let values: Vec<&String> = match words.get(slot) {
                // A kind's words: the test split draws from all of them.
                Some(own) if split == Split::Test => own.iter().collect(),
                Some(own) => split.of(own),
                None => split.of(&self.slots[slot]),
            };
            out.push_str(rng.choose(&values).as_str());
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        out
    }
}

fn slots_of(text: &str) -> impl Iterator<Item = &str> {
    text.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(slot, _)| slot))
}

/// SplitMix64: the labelled set is the same for the same seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn float(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn choose<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalogue() -> Catalogue {
        Catalogue::load(&crate::workspace_root().join("xtask/data/triage/catalogue.toml"))
            .expect("the catalogue reads")
    }

    #[test]
    fn the_catalogue_covers_at_least_twenty_categories_and_eight_departments() {
        let catalogue = catalogue();
        assert!(catalogue.categories.len() >= 20);
        let used: std::collections::BTreeSet<&str> = catalogue
            .categories
            .iter()
            .flat_map(|c| c.kinds.iter().map(|k| k.department.as_str()))
            .collect();
        assert!(used.len() >= 8, "{used:?}");
    }

    #[test]
    fn held_out_reports_are_not_training_sentences() {
        let set = catalogue().generate(0);
        let train: std::collections::HashSet<&str> =
            set.train.iter().map(|r| r.text.as_str()).collect();
        let repeated = set
            .test
            .iter()
            .filter(|r| train.contains(r.text.as_str()))
            .count();
        // Only the few very short phrasings may coincide (with each other's
        // words); a held-out phrasing never is a training one.
        assert!(
            repeated * 100 < set.test.len(),
            "{repeated} of {} held-out reports are training sentences",
            set.test.len()
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_set() {
        let (a, b) = (catalogue().generate(7), catalogue().generate(7));
        let texts = |s: &LabelledSet| s.test.iter().map(|r| r.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&a), texts(&b));
        assert_ne!(texts(&a), texts(&catalogue().generate(8)));
    }

    #[test]
    fn a_catalogue_naming_an_unknown_department_is_refused() {
        let text = "[slots]\n[[department]]\ncode = \"a\"\n[[category]]\ncode = \"x\"\n\
                    department = \"a\"\n[[category.kind]]\ndepartment = \"b\"\n\
                    texts = [\"1\", \"2\", \"3\", \"4\"]\n";
        let error = Catalogue::parse(text).err().expect("refused").to_string();
        assert!(error.contains("unknown department b"), "{error}");
    }
}
