//! A small closed-loop load generator: `concurrency` clients, each sending
//! its next request as soon as the last one answered, for a fixed time,
//! over loopback. Enough to compare an endpoint with the trivial baseline
//! in the same run; `oha` or `wrk` would do the same with more options.

use std::time::{Duration, Instant};

/// How one request is made; called from several threads.
pub type MakeRequest<'a> = &'a (dyn Fn(&ureq::Agent, usize) -> Result<Answer, String> + Sync);

/// What a run keeps of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    /// The SQL statements the app says it sent for the request (its
    /// `Server-Timing` header), where it says so.
    pub statements: Option<u32>,
}

/// The answer of a request sent with ureq (any status is an answer; only
/// a failed connection is an error).
pub fn answer(result: Result<ureq::Response, ureq::Error>) -> Result<Answer, String> {
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(other) => return Err(other.to_string()),
    };
    Ok(Answer {
        status: response.status(),
        statements: response.header("server-timing").and_then(statements_in),
    })
}

/// The count in a `Server-Timing` value such as `sql;desc="7 statements"`.
fn statements_in(server_timing: &str) -> Option<u32> {
    server_timing
        .split(',')
        .find_map(|metric| metric.trim().strip_prefix("sql;desc=\""))
        .and_then(|rest| rest.split_once(" statements"))
        .and_then(|(count, _)| count.parse().ok())
}

/// Latencies and outcome of one run.
#[derive(Debug, Clone)]
pub struct Run {
    pub name: String,
    pub concurrency: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
    pub errors: usize,
    /// The most statements one request of the run sent, if the app said.
    pub statements: Option<u32>,
}

impl Run {
    pub fn requests_per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The `q` quantile (0..=1) of the latencies.
    pub fn quantile(&self, q: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let index = ((sorted.len() - 1) as f64 * q).round() as usize;
        sorted[index.min(sorted.len() - 1)]
    }
}

/// Runs `request` from `concurrency` threads for `duration`. A request is
/// an error unless it answers `expect`.
pub fn run(
    name: &str,
    concurrency: usize,
    duration: Duration,
    expect: u16,
    request: MakeRequest<'_>,
) -> Run {
    let started = Instant::now();
    let deadline = started + duration;
    let results: Vec<(Vec<Duration>, usize, Option<u32>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..concurrency)
            .map(|worker| {
                s.spawn(move || {
                    let agent = ureq::AgentBuilder::new()
                        .timeout(Duration::from_secs(60))
                        .build();
                    let mut latencies = Vec::new();
                    let mut errors = 0;
                    let mut statements = None;
                    let mut n = 0;
                    while Instant::now() < deadline {
                        let sent = Instant::now();
                        match request(&agent, worker * 1_000_000 + n) {
                            Ok(answer) if answer.status == expect => {
                                latencies.push(sent.elapsed());
                                statements = statements.max(answer.statements);
                            }
                            _ => errors += 1,
                        }
                        n += 1;
                    }
                    (latencies, errors, statements)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let elapsed = started.elapsed();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut statements = None;
    for (l, e, most) in results {
        latencies.extend(l);
        errors += e;
        statements = statements.max(most);
    }
    Run {
        name: name.to_string(),
        concurrency,
        elapsed,
        latencies,
        errors,
        statements,
    }
}

/// A Markdown table of runs, each endpoint's p99 against the baseline's at
/// the same concurrency.
pub fn table(runs: &[Run], baseline: &str) -> String {
    let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
    let mut out = String::from(
        "| endpoint | clients | requests/s | p50 ms | p90 ms | p99 ms | p99 / baseline p99 | errors | SQL statements |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for run in runs {
        let base = runs
            .iter()
            .find(|r| r.name == baseline && r.concurrency == run.concurrency)
            .map(|b| b.quantile(0.99));
        let ratio = match base {
            Some(b) if !b.is_zero() => {
                format!("{:.1}", run.quantile(0.99).as_secs_f64() / b.as_secs_f64())
            }
            _ => "–".into(),
        };
        out.push_str(&format!(
            "| {} | {} | {:.0} | {} | {} | {} | {} | {} | {} |\n",
            run.name,
            run.concurrency,
            run.requests_per_second(),
            ms(run.quantile(0.5)),
            ms(run.quantile(0.9)),
            ms(run.quantile(0.99)),
            ratio,
            run.errors,
            run.statements.map_or("–".into(), |n| n.to_string()),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statement_count_is_read_from_server_timing() {
        assert_eq!(statements_in("sql;desc=\"7 statements\""), Some(7));
        assert_eq!(
            statements_in("cache;dur=2, sql;desc=\"12 statements\""),
            Some(12)
        );
        assert_eq!(statements_in("cache;dur=2"), None);
    }

    #[test]
    fn quantiles_and_the_ratio_to_the_baseline() {
        let run = |name: &str, ms: &[u64]| Run {
            name: name.into(),
            concurrency: 1,
            elapsed: Duration::from_secs(1),
            latencies: ms.iter().map(|m| Duration::from_millis(*m)).collect(),
            errors: 0,
            statements: Some(3),
        };
        let base = run("baseline", &[1, 1, 1, 2]);
        let slow = run("slow", &[2, 4, 4, 8]);
        assert_eq!(slow.quantile(0.5), Duration::from_millis(4));
        assert_eq!(slow.quantile(0.99), Duration::from_millis(8));
        assert_eq!(slow.requests_per_second(), 4.0);
        let table = table(&[base, slow], "baseline");
        assert!(
            table.contains("| slow | 1 | 4 | 4.0 | 8.0 | 8.0 | 4.0 | 0 | 3 |"),
            "{table}"
        );
    }
}
