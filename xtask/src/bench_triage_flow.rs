//! What smart triage costs the requests it rides on (`cargo xtask bench
//! triage-flow`), on the runtime chosen, in one run beside the trivial
//! component and the naive write: a report no rule takes, with automatic
//! dispatch off (one more read: the setting) and on (the setting, the
//! model's label rows and the text's gram rows, then the case marked
//! unconfirmed), the command centre's dispatch (the case learned in both
//! models in the step's transaction), and the department's sign-for of the
//! triage's dispatch (which confirms it: learned then). Each row says its
//! statements per request (`Server-Timing`). The model first learns from
//! the command centre's decisions on 40 reports, through the API.

use crate::bench::{RunningApp, bench_manifest, machine};
use crate::load::{Answer, answer};
use crate::runtime::Runtime;
use anyhow::{Context, bail};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The decided reports the model learns from: category, its name, the
/// department that handles it, texts. Also the end-to-end tests' (`triage`,
/// `browser_triage`). No routing rule names any of these categories.
pub const TAUGHT: &[(&str, &str, &str, &[&str])] = &[
    (
        "street_stall",
        "占道经营",
        "urban",
        &[
            "门口有人摆摊卖水果，占了人行道",
            "小商贩占道经营，路都堵了",
            "夜市烧烤摊占道，行人没法走",
            "流动摊贩在路边摆摊卖菜",
            "早餐摊摆到马路上了，占道严重",
            "商铺把货物摆到店外占道经营",
            "三轮车摆摊卖西瓜堵住路口",
            "小区门口卖菜的摊子占了消防通道",
        ],
    ),
    (
        "noise",
        "噪声扰民",
        "police",
        &[
            "楼上装修噪音太大，中午也在打电钻",
            "广场舞音响声音太大，吵得睡不着",
            "晚上KTV唱歌太吵了，噪音扰民",
            "隔壁半夜大声喧哗，吵得没法睡觉",
            "酒吧音乐声太大，深夜噪音扰民",
            "楼下有人半夜放音乐，声音很吵",
            "邻居家天天晚上吵闹，噪音太大",
            "工地夜里施工，机器声吵得睡不着",
        ],
    ),
    (
        "street_light",
        "路灯故障",
        "power",
        &[
            "小区门口路灯不亮了，晚上黑乎乎的",
            "路灯坏了好几天，一到晚上就不亮",
            "这条路的路灯一闪一闪的",
            "路灯杆歪了，灯也不亮",
            "巷子里的路灯全灭了，走夜路害怕",
            "路灯白天一直亮着，浪费电",
            "桥上的路灯坏了好久没人修",
            "公园里的路灯有一半不亮",
        ],
    ),
    (
        "water",
        "供水",
        "water",
        &[
            "家里停水两天了，也没通知",
            "自来水发黄有异味，不敢喝",
            "水管爆了，路上全是水",
            "水压太低，楼上用不了水",
            "小区供水管道漏水好几天了",
            "自来水浑浊有沙子",
            "突然停水，没有任何通知",
            "水表井漏水，地面一直湿",
        ],
    ),
    (
        "dog",
        "犬只扰民",
        "police",
        &[
            "小区里有人遛狗不拴绳，吓到孩子",
            "楼下的狗整夜狂叫，吵得不行",
            "流浪狗在小区里咬人",
            "邻居养大型犬不牵绳",
            "狗在电梯里随地大小便，主人不管",
            "有条恶犬在路口追着人咬",
            "遛狗不拴绳还不清理狗粪",
            "小区里的狗半夜一直叫",
        ],
    ),
];

/// A noise report the model sends to the police at about 0.99.
const NOISE: &str = "楼上半夜大声喧哗放音乐，吵得睡不着";

pub fn triage_flow(root: &Path, runtime: Runtime) -> anyhow::Result<String> {
    let manifest = bench_manifest(root)?;
    let host = RunningApp::start(root, &manifest, runtime)?;
    let client = &host.client;
    let platform = host.platform_token()?;
    let code = "bench";
    let admin = host.tenant(&platform, code)?;
    let base = format!("/api/t/{code}");
    let created = |path: &str, body: Value| -> anyhow::Result<Value> {
        let reply = client.post_json(&format!("{base}{path}"), Some(&admin), &body)?;
        if reply.status != 201 {
            bail!("{path}: {} {}", reply.status, reply.body);
        }
        Ok(reply.json())
    };
    for department in ["urban", "police", "power", "water"] {
        created(
            "/admin/departments",
            json!({ "code": department, "name": department }),
        )?;
    }
    for (category, _, _, _) in TAUGHT {
        created(
            "/admin/categories",
            json!({ "code": category, "name_zh": category, "name_en": category, "response_hours": 2,
                    "resolution_hours": 24, "place_required": false }),
        )?;
    }
    let departments = client
        .get(&format!("{base}/admin/departments"), Some(&admin))?
        .json();
    let police = departments["items"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["code"] == "police"))
        .context("the police department")?["id"]
        .clone();
    for (login, role) in [
        ("centre", "command_centre"),
        ("worker", "grid_worker"),
        ("police", "department_staff"),
    ] {
        let department = if role == "department_staff" {
            police.clone()
        } else {
            Value::Null
        };
        created(
            "/admin/users",
            json!({ "login": login, "display_name": login, "role": role, "password": "bench-password-1",
                    "department_id": department }),
        )?;
    }
    let login = |name: &str| {
        crate::demo::login(
            client,
            &format!("{base}/auth/login"),
            (name, "bench-password-1"),
        )
    };
    let (centre, worker, staff) = (login("centre")?, login("worker")?, login("police")?);
    let report = |category: &str, text: &str| -> anyhow::Result<Value> {
        let reply = client.post_json(
            &format!("{base}/reports"),
            Some(&worker),
            &json!({ "category": category, "description": text, "insist": true }),
        )?;
        if reply.status != 201 {
            bail!("report: {} {}", reply.status, reply.body);
        }
        Ok(reply.json())
    };
    let step = |id: &Value, version: i64, body: Value| -> anyhow::Result<Value> {
        let mut body = body;
        body["version"] = json!(version);
        let reply =
            client.post_json(&format!("{base}/cases/{id}/actions"), Some(&centre), &body)?;
        if reply.status != 200 {
            bail!("step: {} {}", reply.status, reply.body);
        }
        Ok(reply.json())
    };
    // A case waiting in triage, registered (version 3), ready to dispatch.
    let registered = |category: &str, text: &str| -> anyhow::Result<i64> {
        let id = report(category, text)?["id"].clone();
        step(&id, 1, json!({ "action": "accept" }))?;
        step(&id, 2, json!({ "action": "register" }))?;
        id.as_i64().context("case id")
    };
    for (category, _, department, texts) in TAUGHT {
        for text in *texts {
            let id = json!(registered(category, text)?);
            step(
                &id,
                3,
                json!({ "action": "dispatch", "department": department }),
            )?;
        }
    }
    // Cases for the dispatch runs, each taken once.
    let prepared: Vec<i64> = (0..800)
        .map(|n| registered("noise", &format!("{NOISE}（第{n}次）")))
        .collect::<anyhow::Result<_>>()?;
    let set = |on: bool| -> anyhow::Result<()> {
        let reply = client.send_json(
            "PUT",
            &format!("{base}/admin/triage"),
            Some(&admin),
            &json!({ "auto_dispatch": on, "threshold": 0.6 }),
        )?;
        if reply.status != 200 {
            bail!("triage settings: {}", reply.body);
        }
        Ok(())
    };

    // Reports the triage dispatched, for the sign-for runs (version 4).
    set(true)?;
    let by_triage: Vec<i64> = (0..600)
        .map(|n| -> anyhow::Result<i64> {
            let receipt = report("noise", &format!("{NOISE}（{n}）"))?;
            if receipt["state"] != "dispatched" {
                bail!("not dispatched by the triage: {receipt}");
            }
            receipt["id"].as_i64().context("case id")
        })
        .collect::<anyhow::Result<_>>()?;
    let url = client.base().to_string();
    let baseline = crate::bench_setup::get_with(format!("{url}/bench/baseline/hello"), None);
    let naive = crate::bench_setup::naive_write(&host)?;
    let reports_url = format!("{url}{base}/reports");
    let new_report = |agent: &ureq::Agent, n: usize| -> Result<Answer, String> {
        answer(
            agent
                .post(&reports_url)
                .set("authorization", &format!("Bearer {worker}"))
                .send_json(json!({ "category": "noise", "description": format!("{NOISE} {n}"), "insist": true })),
        )
    };
    let next = AtomicUsize::new(0);
    let dispatch = |agent: &ureq::Agent, _: usize| -> Result<Answer, String> {
        let Some(id) = prepared.get(next.fetch_add(1, Ordering::Relaxed)) else {
            return Err("no prepared case left".into());
        };
        answer(
            agent
                .post(&format!("{url}{base}/cases/{id}/actions"))
                .set("authorization", &format!("Bearer {centre}"))
                .send_json(json!({ "version": 3, "action": "dispatch", "department": "police" })),
        )
    };
    let next_signed = AtomicUsize::new(0);
    let sign_for = |agent: &ureq::Agent, _: usize| -> Result<Answer, String> {
        let Some(id) = by_triage.get(next_signed.fetch_add(1, Ordering::Relaxed)) else {
            return Err("no dispatched case left".into());
        };
        answer(
            agent
                .post(&format!("{url}{base}/cases/{id}/actions"))
                .set("authorization", &format!("Bearer {staff}"))
                .send_json(json!({ "version": 4, "action": "sign_for" })),
        )
    };
    let duration = Duration::from_secs(3);
    let mut runs = Vec::new();
    for concurrency in [1, 8] {
        let run = |name: &str, expect: u16, request: crate::load::MakeRequest<'_>| {
            crate::load::run(name, concurrency, duration, expect, request)
        };
        runs.push(run("baseline (trivial component)", 200, &baseline));
        runs.push(run("naive write (one INSERT)", 201, &naive));
        set(false)?;
        runs.push(run(
            "report, no rule: to triage (automatic dispatch off)",
            201,
            &new_report,
        ));
        set(true)?;
        runs.push(run(
            "report, no rule: dispatched by the triage (on)",
            201,
            &new_report,
        ));
        runs.push(run(
            "the centre's dispatch, learned in both models",
            200,
            &dispatch,
        ));
        runs.push(run(
            "the department's sign-for of the triage's dispatch: confirmed, learned",
            200,
            &sign_for,
        ));
    }
    let auto = client
        .get(&format!("{base}/dashboard/triage"), Some(&admin))?
        .json();
    Ok(format!(
        "# What smart triage costs the requests it rides on\n\n{}\n\
         The model learned the command centre's dispatch of 40 reports (5 categories, 4 departments) first. \
         Each run lasts {} s; clients send their next request as soon as the last one answered. \
         Statements are per request (`Server-Timing`), the most any request of the run sent. \
         The triage dispatched {} reports in the runs with automatic dispatch on.\n\n{}",
        machine(host.runtime),
        duration.as_secs(),
        auto["auto_dispatched"],
        crate::load::table(&runs, "baseline (trivial component)")
    ))
}
