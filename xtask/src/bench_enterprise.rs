//! The policy Q&A at scale: one tenant with 50,000 published answers in
//! Chinese (bulk, through the store, not HTTP), then searches and "closest
//! answers" suggestions on the host, against the trivial baseline in the
//! same run.

use crate::bench::{RunningApp, bench_manifest, machine};
use anyhow::Context;
use chrono::Utc;
use std::path::Path;
use std::time::{Duration, Instant};
use store::NewPolicyAnswer;

/// Published answers in the bench tenant (issue 7's figure).
pub const ANSWERS: usize = 50_000;

/// What enterprises ask about, as a township's policy desk hears it.
const TOPICS: &[&str] = &[
    "研发费用加计扣除",
    "高新技术企业认定",
    "小微企业房租补贴",
    "稳岗返还",
    "社会保险费减免",
    "出口退税",
    "人才引进补贴",
    "技术改造专项资金",
    "安全生产许可证",
    "环境影响评价审批",
    "消防验收",
    "增值税留抵退税",
    "专精特新企业申报",
    "首台套保险补偿",
    "知识产权质押融资",
    "创业担保贷款",
    "招用高校毕业生补贴",
    "职业技能培训补贴",
    "厂房租赁备案",
    "排污许可证",
    "食品经营许可",
    "数字化转型补助",
    "外贸企业信用保险",
    "企业上市奖励",
];
const ASKERS: &[&str] = &[
    "我们是一家制造业企业",
    "本公司为软件和信息技术服务企业",
    "我司是新注册的小微企业",
    "我们是外贸出口企业",
    "本企业属于餐饮服务行业",
    "我公司是建筑施工企业",
    "我们是一家物流企业",
    "本公司从事新能源汽车零部件生产",
];
const QUESTIONS: &[&str] = &[
    "请问{t}的申请条件是什么？",
    "{t}需要准备哪些材料，到哪里办理？",
    "{t}的比例或标准是多少，今年有没有调整？",
    "{t}一般多长时间能办结？",
    "去年没有申请{t}，今年还能补报吗？",
    "{t}可以线上办理吗？",
];
const ANSWER_OPENINGS: &[&str] = &[
    "根据现行政策，",
    "经核实，",
    "按照开发区相关规定，",
    "您好，关于您咨询的问题，",
];
const ANSWER_BODIES: &[&str] = &[
    "符合条件的企业可在每年三月至五月通过政务服务网提交{t}申请，",
    "办理{t}需提供营业执照、财务报表及相关证明材料，",
    "{t}按照实际发生额的一定比例给予支持，最高不超过五十万元，",
    "{t}材料齐全的，自受理之日起十五个工作日内办结，",
    "逾期未申报{t}的，可在下一申报周期内补充申报，",
    "{t}已实现全程网办，企业无需到现场提交纸质材料，",
];
const ANSWER_CLOSINGS: &[&str] = &[
    "具体以当年发布的申报通知为准。",
    "如有疑问可咨询企业服务中心窗口。",
    "相关政策文件已附后，请查阅。",
    "请关注管委会网站发布的最新通知。",
];

/// A small deterministic generator (xorshift), so every run writes the
/// same text.
struct Draw(u64);

impl Draw {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        from[(self.0 % from.len() as u64) as usize]
    }
}

/// One plausible question and its answer.
fn answer(draw: &mut Draw) -> NewPolicyAnswer {
    let topic = draw.pick(TOPICS);
    let question = format!(
        "{}，{}",
        draw.pick(ASKERS),
        draw.pick(QUESTIONS).replace("{t}", topic)
    );
    let answer = format!(
        "{}{}{}",
        draw.pick(ANSWER_OPENINGS),
        draw.pick(ANSWER_BODIES).replace("{t}", topic),
        draw.pick(ANSWER_CLOSINGS)
    );
    NewPolicyAnswer {
        case: None,
        question,
        answer,
        department: None,
        policies: Vec::new(),
    }
}

/// Publishes `count` answers in one transaction, straight through the
/// store beside the running host (SQLite in WAL mode takes a second
/// connection).
fn fill(host: &RunningApp, count: usize) -> anyhow::Result<Duration> {
    let db = store::NativeDb::open(host.state_dir().join("sqlite_db.db"))?;
    let code = domain::TenantCode::parse("bench").map_err(|p| anyhow::anyhow!("{p:?}"))?;
    let tenant = store::platform::find_tenant(&db, &code)?.context("the bench tenant")?;
    let started = Instant::now();
    store::in_transaction(&db, |db| -> Result<(), store::Error> {
        let scope = store::TenantScope::new(db, &tenant);
        let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
        let now = Utc::now();
        for _ in 0..count {
            scope.publish_answer(answer(&mut draw), "bench", now)?;
        }
        Ok(())
    })?;
    Ok(started.elapsed())
}

pub fn enterprise(root: &Path, runtime: crate::runtime::Runtime) -> anyhow::Result<String> {
    let manifest = bench_manifest(root)?;
    let host = RunningApp::start(root, &manifest, runtime)?;
    let platform = host.platform_token()?;
    host.tenant(&platform, "bench")?;
    let filled = fill(&host, ANSWERS)?;

    let base = host.client.base().to_string();
    let get = |paths: Vec<String>| {
        move |agent: &ureq::Agent, n: usize| -> Result<crate::load::Answer, String> {
            crate::load::answer(agent.get(&paths[n % paths.len()]).call())
        }
    };
    let encoded = |s: &str| -> String { form_urlencoded::byte_serialize(s.as_bytes()).collect() };
    let search = |terms: &[&str]| {
        get(terms
            .iter()
            .map(|q| format!("{base}/api/t/bench/enterprise/qa?limit=10&q={}", encoded(q)))
            .collect())
    };
    let baseline = get(vec![format!("{base}/bench/baseline/hello")]);
    let one_topic = search(&[
        "研发费用加计扣除",
        "高新技术企业认定",
        "出口退税",
        "排污许可证",
    ]);
    let two_terms = search(&["稳岗返还 材料", "消防验收 多长时间", "专精特新 线上办理"]);
    let short = search(&["补贴", "退税", "许可"]);
    let hostile = search(&["\"", "NEAR(", "'; DROP TABLE policy_answers; --", "政策 OR"]);
    let suggest = get([
        "我们是制造业企业，想问研发费用加计扣除今年的比例是多少？",
        "新注册的小微企业能不能申请房租补贴，需要什么材料？",
        "外贸企业出口退税一般多久能办完？",
    ]
    .iter()
    .map(|q| {
        format!(
            "{base}/api/t/bench/enterprise/similar-answers?question={}",
            encoded(q)
        )
    })
    .collect());
    let duration = Duration::from_secs(5);
    let mut runs = Vec::new();
    for concurrency in [1, 8] {
        for (name, make) in [
            (
                "baseline (trivial component)",
                &baseline as crate::load::MakeRequest,
            ),
            ("search, one topic (4-8 characters)", &one_topic),
            ("search, two terms", &two_terms),
            ("search, two characters (LIKE scan)", &short),
            ("search, FTS and SQL syntax typed", &hostile),
            ("closest answers to a question", &suggest),
        ] {
            runs.push(crate::load::run(name, concurrency, duration, 200, make));
        }
    }
    Ok(format!(
        "# Enterprise benchmark: the policy Q&A at {ANSWERS} answers\n\n{}\n\
         One tenant holds {ANSWERS} published answers in Chinese, generated from a vocabulary of \
         {} topics and question and answer templates, bulk-written through the store in {:.1} s \
         (each with its FTS5 trigram index row). Searches return the best 10 (BM25), \
         suggestions the closest 5; each run cycles through the queries shown in \
         `xtask/src/bench_enterprise.rs`.\n\n\
         Each run lasts {} s; clients send their next request as soon as the last one answered.\n\n{}",
        machine(host.runtime),
        TOPICS.len(),
        filled.as_secs_f64(),
        duration.as_secs(),
        crate::load::table(&runs, "baseline (trivial component)")
    ))
}
