//! The demo tenant, laid down through the public API so it exercises the
//! same code as any client, and idempotently: running it against an app
//! that already has the demo changes nothing.

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::client::Client;

pub const PLATFORM_ADMIN: (&str, &str) = ("platform", "platform-demo-2026");
pub const DEMO_TENANT: &str = "demo";
pub const DEMO_ADMIN: (&str, &str) = ("admin", "demo-admin-2026");
/// The demo tenant's Open311 API key (a well-known key: demo data only).
pub const DEMO_OPEN311_KEY: &str = "demo-key";
/// Other demo people: (login, phone, role, password, display name).
pub const DEMO_PEOPLE: &[(&str, &str, &str, &str, &str)] = &[
    (
        "zhihui",
        "13800000001",
        "command_centre",
        "demo-centre-2026",
        "指挥中心值班员",
    ),
    (
        "wangwu",
        "13800000002",
        "grid_worker",
        "demo-worker-2026",
        "网格员王五",
    ),
    (
        "zhiyuan",
        "13800000003",
        "volunteer",
        "demo-volunteer-2026",
        "志愿者李华",
    ),
];

/// Applies migrations with the operator key, then makes sure the platform
/// admin, the demo tenant, its grid and a few cases exist.
pub fn seed(client: &Client, operator_key: &str) -> anyhow::Result<()> {
    expect(
        client.post_json("/api/platform/migrations", Some(operator_key), &json!({}))?,
        &[200],
        "applying migrations",
    )?;
    let created = client.post_json(
        "/api/platform/admins",
        Some(operator_key),
        &json!({ "login": PLATFORM_ADMIN.0, "password": PLATFORM_ADMIN.1, "display_name": "平台管理员" }),
    )?;
    expect(created, &[201, 409], "creating the platform admin")?;
    let platform = login(client, "/api/platform/login", PLATFORM_ADMIN)?;

    let tenants = expect(
        client.get("/api/platform/tenants", Some(&platform))?,
        &[200],
        "listing tenants",
    )?;
    let exists = tenants["tenants"]
        .as_array()
        .is_some_and(|ts| ts.iter().any(|t| t["code"] == DEMO_TENANT));
    if !exists {
        expect(
            client.post_json(
                "/api/platform/tenants",
                Some(&platform),
                &json!({
                    "code": DEMO_TENANT,
                    // A tenant's name is the one its people read, in their
                    // language: the pages show it as given, in either language.
                    "name": "金开示范街道",
                    "kind": "township",
                    "time_zone": "Asia/Shanghai",
                    "admin": { "login": DEMO_ADMIN.0, "password": DEMO_ADMIN.1, "display_name": "示范街道管理员" }
                }),
            )?,
            &[201],
            "creating the demo tenant",
        )?;
    }
    let admin = login(
        client,
        &format!("/api/t/{DEMO_TENANT}/auth/login"),
        DEMO_ADMIN,
    )?;
    seed_grid(client, &admin)?;
    seed_organisation(client, &admin)?;
    assign_demo_worker(client, &admin)?;
    seed_cases(client, &admin)?;
    seed_open311_key(client, &admin)?;
    seed_enterprise(client, &admin)?;
    seed_mediation(client, &admin)?;
    seed_grid_day(client, &admin)?;
    Ok(())
}

/// A grid day (周三网格日) on the first Wednesday from today (Beijing
/// time) on, in the first community's grid, listing the demo grid worker
/// and the demo volunteer (docs/patrols.md); none is added when that day
/// has one.
fn seed_grid_day(client: &Client, admin: &str) -> anyhow::Result<()> {
    use chrono::{Datelike, Duration, FixedOffset, Utc, Weekday};
    let base = format!("/api/t/{DEMO_TENANT}");
    let beijing = FixedOffset::east_opt(8 * 3600).context("UTC+8")?;
    let today = Utc::now().with_timezone(&beijing).date_naive();
    let ahead = (7 + Weekday::Wed.num_days_from_monday() as i64
        - today.weekday().num_days_from_monday() as i64)
        % 7;
    let wednesday = today + Duration::days(ahead);
    let planned = expect(
        client.get(
            &format!("{base}/grid-days?from={wednesday}&to={wednesday}"),
            Some(admin),
        )?,
        &[200],
        "listing the demo's grid days",
    )?;
    if planned["items"].as_array().is_some_and(|d| !d.is_empty()) {
        return Ok(());
    }
    let tree = expect(
        client.get(&format!("{base}/admin/grid"), Some(admin))?,
        &[200],
        "reading the grid",
    )?;
    let mut grids = Vec::new();
    collect_codes(&tree["nodes"], &["JK-01-G1"], &mut grids);
    let users = expect(
        client.get(&format!("{base}/admin/users?limit=200"), Some(admin))?,
        &[200],
        "listing people",
    )?;
    let members: Vec<i64> = users["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|u| u["role"] == "grid_worker" || u["role"] == "volunteer")
        .filter_map(|u| u["id"].as_i64())
        .collect();
    expect(
        client.post_json(
            &format!("{base}/grid-days"),
            Some(admin),
            &json!({ "date": wednesday.to_string(), "title": "周三网格日",
                     "grid_ids": grids.iter().map(|(_, id)| id).collect::<Vec<_>>(),
                     "member_ids": members }),
        )?,
        &[201],
        "planning the demo's grid day",
    )?;
    Ok(())
}

/// A township with two communities, each with a grid and two micro-grids,
/// drawn as squares side by side near (30.27 N, 120.15 E) so that the maps
/// have something to show and a place resolves to its micro-grid.
fn seed_grid(client: &Client, admin: &str) -> anyhow::Result<()> {
    let base = format!("/api/t/{DEMO_TENANT}/admin/grid");
    let top = expect(client.get(&base, Some(admin))?, &[200], "reading the grid")?;
    if top["nodes"].as_array().is_some_and(|n| !n.is_empty()) {
        return Ok(());
    }
    let (west, south) = (120.15, 30.27);
    let township = node("township", "JK", "金开示范街道", square(west, south, 0.02));
    let township = create_node(client, admin, None, township)?;
    for (c, (code, name)) in [("JK-01", "金山社区"), ("JK-02", "开元村")]
        .into_iter()
        .enumerate()
    {
        let east = west + 0.01 * c as f64;
        let community = node("community", code, name, square(east, south, 0.01));
        let community = create_node(client, admin, Some(township), community)?;
        let grid_code = format!("{code}-G1");
        let grid = node(
            "grid",
            &grid_code,
            &format!("第{}网格", c + 1),
            square(east + 0.001, south + 0.001, 0.008),
        );
        let grid = create_node(client, admin, Some(community), grid)?;
        for m in 1..=2 {
            let micro = node(
                "micro_grid",
                &format!("{grid_code}-M{m}"),
                &format!("{m}号楼微网格"),
                square(
                    east + 0.001 + 0.004 * f64::from(m - 1),
                    south + 0.003,
                    0.004,
                ),
            );
            create_node(client, admin, Some(grid), micro)?;
        }
    }
    Ok(())
}

/// The body that creates a grid node with its shape.
fn node(level: &str, code: &str, name: &str, geometry: Value) -> Value {
    json!({ "level": level, "code": code, "name": name, "geometry": geometry })
}

/// A GeoJSON square with its south-west corner at (`west`, `south`).
fn square(west: f64, south: f64, size: f64) -> Value {
    json!({ "type": "Polygon", "coordinates": [[
        [west, south], [west + size, south], [west + size, south + size],
        [west, south + size], [west, south]
    ]] })
}

fn create_node(
    client: &Client,
    admin: &str,
    parent: Option<i64>,
    mut body: Value,
) -> anyhow::Result<i64> {
    body["parent_id"] = json!(parent);
    let created = expect(
        client.post_json(
            &format!("/api/t/{DEMO_TENANT}/admin/grid"),
            Some(admin),
            &body,
        )?,
        &[201],
        "creating a grid node",
    )?;
    created["id"].as_i64().context("grid node without id")
}

/// Departments, the categories they own, and the demo people; each step
/// only when absent (409 means it is already there).
fn seed_organisation(client: &Client, admin: &str) -> anyhow::Result<()> {
    let base = format!("/api/t/{DEMO_TENANT}/admin");
    let departments = expect(
        client.get(&format!("{base}/departments"), Some(admin))?,
        &[200],
        "listing departments",
    )?;
    let existing = departments["items"].as_array().cloned().unwrap_or_default();
    let mut ids = std::collections::HashMap::new();
    for (code, name) in [
        ("urban", "城市管理局"),
        ("sanitation", "环境卫生所"),
        ("police", "派出所"),
    ] {
        let id = match existing.iter().find(|d| d["code"] == code) {
            Some(found) => found["id"].clone(),
            None => expect(
                client.post_json(
                    &format!("{base}/departments"),
                    Some(admin),
                    &json!({ "code": code, "name": name }),
                )?,
                &[201],
                "creating a department",
            )?["id"]
                .clone(),
        };
        ids.insert(code, id);
    }
    let volume = json!([{ "key": "volume", "label_zh": "垃圾量", "label_en": "Volume",
                          "kind": "choice", "choices": ["small", "large"] }]);
    let categories = [
        (
            "road_damage",
            "道路破损",
            "Road damage",
            "urban",
            4,
            40,
            json!([]),
        ),
        (
            "street_light",
            "路灯故障",
            "Street light out",
            "urban",
            4,
            24,
            json!([]),
        ),
        (
            "garbage",
            "垃圾清运",
            "Uncollected rubbish",
            "sanitation",
            2,
            16,
            volume,
        ),
        ("noise", "噪声扰民", "Noise", "police", 1, 8, json!([])),
    ];
    for (code, zh, en, department, response, resolution, extra_fields) in categories {
        expect(
            client.post_json(
                &format!("{base}/categories"),
                Some(admin),
                &json!({ "code": code, "name_zh": zh, "name_en": en,
                         "default_department_id": ids[department],
                         "response_hours": response, "resolution_hours": resolution,
                         "extra_fields": extra_fields }),
            )?,
            &[201, 409],
            "creating a demo category",
        )?;
    }
    expect(
        client.send_json(
            "PUT",
            &format!("{base}/routing-rules"),
            Some(admin),
            &json!({ "rules": [
                { "category": "road_damage", "department_id": ids["urban"] },
                { "category": "garbage", "department_id": ids["sanitation"] },
            ] }),
        )?,
        &[200],
        "setting the routing rules",
    )?;
    for (login, phone, role, password, name) in DEMO_PEOPLE {
        expect(
            client.post_json(
                &format!("{base}/users"),
                Some(admin),
                &json!({ "login": login, "phone": phone, "role": role,
                         "password": password, "display_name": name }),
            )?,
            &[201, 409],
            "creating a demo person",
        )?;
    }
    Ok(())
}

/// The demo grid worker holds the first community's two micro-grids, chief
/// of the first (a PUT replaces the assignments: the same each time).
fn assign_demo_worker(client: &Client, admin: &str) -> anyhow::Result<()> {
    let base = format!("/api/t/{DEMO_TENANT}/admin");
    let users = expect(
        client.get(&format!("{base}/users?limit=200"), Some(admin))?,
        &[200],
        "listing people",
    )?;
    let (login, ..) = DEMO_PEOPLE
        .iter()
        .find(|person| person.2 == "grid_worker")
        .context("the demo has a grid worker")?;
    let worker = users["items"]
        .as_array()
        .and_then(|items| items.iter().find(|u| u["login"] == *login))
        .and_then(|u| u["id"].as_i64())
        .context("the demo grid worker exists")?;
    let tree = expect(
        client.get(&format!("{base}/grid"), Some(admin))?,
        &[200],
        "reading the grid",
    )?;
    let mut micro_grids = Vec::new();
    collect_codes(
        &tree["nodes"],
        &["JK-01-G1-M1", "JK-01-G1-M2"],
        &mut micro_grids,
    );
    micro_grids.sort_by_key(|(code, _)| code.clone());
    let grids: Vec<_> = micro_grids
        .iter()
        .enumerate()
        .map(|(i, (_, id))| json!({ "grid_node_id": id, "chief": i == 0 }))
        .collect();
    expect(
        client.send_json(
            "PUT",
            &format!("{base}/users/{worker}/grids"),
            Some(admin),
            &json!({ "grids": grids }),
        )?,
        &[200],
        "assigning the demo grid worker",
    )?;
    Ok(())
}

/// The (code, id) of the nodes of `nodes` (a nested tree) whose code is one of `codes`.
fn collect_codes(nodes: &Value, codes: &[&str], out: &mut Vec<(String, i64)>) {
    for node in nodes.as_array().into_iter().flatten() {
        if let (Some(code), Some(id)) = (node["code"].as_str(), node["id"].as_i64())
            && codes.contains(&code)
        {
            out.push((code.to_string(), id));
        }
        collect_codes(&node["children"], codes, out);
    }
}

/// Three residents' reports, when the tenant has no cases yet.
fn seed_cases(client: &Client, admin: &str) -> anyhow::Result<()> {
    let cases = expect(
        client.get(&format!("/api/t/{DEMO_TENANT}/cases?limit=1"), Some(admin))?,
        &[200],
        "listing cases",
    )?;
    if cases["cases"].as_array().is_some_and(|c| !c.is_empty()) {
        return Ok(());
    }
    let reports = [
        (
            "road_damage",
            "金山社区3号楼前路面塌陷，雨天积水严重。",
            30.2741,
            120.1551,
        ),
        (
            "street_light",
            "开元村村口路灯连续三晚不亮。",
            30.2751,
            120.1632,
        ),
        (
            "garbage",
            "菜市场东侧垃圾堆放未清运，气味明显。",
            30.2766,
            120.1580,
        ),
    ];
    for (category, description, lat, lon) in reports {
        expect(
            client.post_json(
                &format!("/api/t/{DEMO_TENANT}/reports"),
                None,
                &json!({ "category": category, "description": description, "latitude": lat, "longitude": lon }),
            )?,
            &[201],
            "reporting a demo case",
        )?;
    }
    Ok(())
}

/// The Open311 API key `demo-key`; 409 means it is already issued.
fn seed_open311_key(client: &Client, admin: &str) -> anyhow::Result<()> {
    expect(
        client.post_json(
            &format!("/api/t/{DEMO_TENANT}/admin/api-keys"),
            Some(admin),
            &json!({ "name": "Open311 demo", "key": DEMO_OPEN311_KEY }),
        )?,
        &[201, 409],
        "issuing the demo Open311 key",
    )?;
    Ok(())
}

/// The demo enterprise's first account (approved, so it logs in).
pub const DEMO_ENTERPRISE: (&str, &str) = ("qiye", "demo-enterprise-2026");
const DEMO_CREDIT_CODE: &str = "91330100MA2J000K0T";
const DEMO_POLICY_TITLE: &str = "关于研发费用税前加计扣除的实施指引";

/// An approved enterprise with a login, a policy with its file and a
/// published answer in the policy Q&A; each only when absent.
fn seed_enterprise(client: &Client, admin: &str) -> anyhow::Result<()> {
    let desk = format!("/api/t/{DEMO_TENANT}/enterprise");
    expect(
        client.post_json(
            &format!("{desk}/registrations"),
            None,
            &json!({ "credit_code": DEMO_CREDIT_CODE, "name": "金开示范科技有限公司",
                     "address": "金山社区创业路 8 号", "industry": "软件和信息技术服务",
                     "contact": { "name": "赵企联", "phone": "13900002222" },
                     "account": { "login": DEMO_ENTERPRISE.0, "password": DEMO_ENTERPRISE.1,
                                  "display_name": "赵企联" } }),
        )?,
        &[201, 409],
        "registering the demo enterprise",
    )?;
    let pending = expect(
        client.get(&format!("{desk}/registrations?status=pending"), Some(admin))?,
        &[200],
        "listing pending registrations",
    )?;
    let waiting = pending["enterprises"].as_array().into_iter().flatten();
    for enterprise in waiting.filter(|e| e["credit_code"] == DEMO_CREDIT_CODE) {
        expect(
            client.post_json(
                &format!("{desk}/registrations/{}/decision", enterprise["id"]),
                Some(admin),
                &json!({ "approve": true, "note": "示范数据" }),
            )?,
            &[200],
            "approving the demo enterprise",
        )?;
    }
    let found = expect(
        client.get(&format!("{desk}/policies?q={DEMO_POLICY_TITLE}"), None)?,
        &[200],
        "searching the demo policy",
    )?;
    let policy = match found["policies"].as_array().and_then(|p| p.first()) {
        Some(policy) => policy["id"].clone(),
        None => {
            let file = expect(
                client.send(
                    "POST",
                    &format!("{desk}/policy-files?name=研发费用加计扣除指引.pdf"),
                    Some(admin),
                    Some(("application/pdf", DEMO_POLICY_PDF)),
                )?,
                &[201],
                "uploading the demo policy's file",
            )?;
            expect(
                client.post_json(
                    &format!("{desk}/policies"),
                    Some(admin),
                    &json!({ "title": DEMO_POLICY_TITLE, "issuer": "金开示范街道办事处",
                             "body": "科技型中小企业开展研发活动中实际发生的研发费用，未形成无形资产计入当期损益的，在按规定据实扣除的基础上，再按照实际发生额的 100% 在税前加计扣除。",
                             "effective_from": "2026-01-01", "tags": ["研发", "税收优惠"],
                             "files": [file["id"]] }),
                )?,
                &[201],
                "publishing the demo policy",
            )?["id"]
                .clone()
        }
    };
    let answered = expect(
        client.get(&format!("{desk}/qa?q=研发费用加计扣除"), None)?,
        &[200],
        "searching the demo answer",
    )?;
    if answered["answers"].as_array().is_none_or(|a| a.is_empty()) {
        expect(
            client.post_json(
                &format!("{desk}/qa"),
                Some(admin),
                &json!({ "question": "我公司是科技型中小企业，研发费用加计扣除比例是多少？",
                         "answer": "按实际发生额的 100% 在税前加计扣除，形成无形资产的按成本的 200% 摊销。详见政策指引。",
                         "policies": [policy] }),
            )?,
            &[201],
            "publishing the demo answer",
        )?;
    }
    Ok(())
}

/// A one-page PDF: the demo policy's file.
const DEMO_POLICY_PDF: &[u8] = b"%PDF-1.4\n\
1 0 obj\n\
<< /Type /Catalog /Pages 2 0 R >>\n\
endobj\n\
2 0 obj\n\
<< /Type /Pages /Kids [3 0 R] /Count 1 >>\n\
endobj\n\
3 0 obj\n\
<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>\n\
endobj\n\
4 0 obj\n\
<< /Length 78 >>\n\
stream\n\
BT /F1 18 Tf 72 760 Td (Demo policy: R&D expenses, 100% super deduction) Tj ET\n\
endstream\n\
endobj\n\
5 0 obj\n\
<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\n\
endobj\n\
xref\n\
0 6\n\
0000000000 65535 f \n\
0000000009 00000 n \n\
0000000058 00000 n \n\
0000000115 00000 n \n\
0000000241 00000 n \n\
0000000369 00000 n \n\
trailer\n\
<< /Size 6 /Root 1 0 R >>\n\
startxref\n\
439\n\
%%EOF\n";

/// Logs in and returns the token.
pub fn login(
    client: &Client,
    path: &str,
    (login, password): (&str, &str),
) -> anyhow::Result<String> {
    let reply = expect(
        client.post_json(path, None, &json!({ "login": login, "password": password }))?,
        &[200],
        "logging in",
    )?;
    reply["token"]
        .as_str()
        .map(str::to_string)
        .context("login answered without a token")
}

fn expect(reply: crate::client::Reply, ok: &[u16], what: &str) -> anyhow::Result<Value> {
    if ok.contains(&reply.status) {
        Ok(reply.json())
    } else {
        bail!("{what}: HTTP {} {}", reply.status, reply.body)
    }
}

/// The mediation window's staff member (司法所) and the village agent
/// (开元村): (login, password).
pub const DEMO_MEDIATOR: (&str, &str) = ("tiaojie", "demo-mediator-2026");
pub const DEMO_AGENT: (&str, &str) = ("daiban", "demo-agent-2026");

/// The mediation centre's window staffed by the justice office (司法所), and
/// the agent service: 开元村's village agent point with its agent, and the
/// township's agent point matters are passed up to. Each only when absent.
fn seed_mediation(client: &Client, admin: &str) -> anyhow::Result<()> {
    let base = format!("/api/t/{DEMO_TENANT}/admin");
    // The id of the item of `list` with `code`, created from `body` when absent.
    let ensure = |list: &str, code: &str, body: Value| -> anyhow::Result<Value> {
        let listed = expect(
            client.get(&format!("{base}/{list}"), Some(admin))?,
            &[200],
            "listing for the mediation demo",
        )?;
        if let Some(found) = listed["items"]
            .as_array()
            .and_then(|items| items.iter().find(|x| x["code"] == code))
        {
            return Ok(found["id"].clone());
        }
        let created = client.post_json(&format!("{base}/{list}"), Some(admin), &body)?;
        Ok(expect(created, &[201], "creating for the mediation demo")?["id"].clone())
    };
    let justice = ensure(
        "departments",
        "justice",
        json!({ "code": "justice", "name": "司法所" }),
    )?;
    let grid = expect(
        client.get(&format!("{base}/grid"), Some(admin))?,
        &[200],
        "reading the grid",
    )?;
    let mut nodes = grid["nodes"].as_array().cloned().unwrap_or_default();
    let mut node_ids = std::collections::HashMap::new();
    while let Some(node) = nodes.pop() {
        node_ids.insert(
            node["code"].as_str().unwrap_or_default().to_string(),
            node["id"].clone(),
        );
        nodes.extend(node["children"].as_array().cloned().unwrap_or_default());
    }
    let mut points = std::collections::HashMap::new();
    for (code, name, level, node) in [
        ("kaiyuan", "开元村代办点", "village", "JK-02"),
        ("jk-centre", "街道代办中心", "township", "JK"),
    ] {
        let body = json!({ "code": code, "name": name, "level": level,
                           "grid_node_id": node_ids.get(node) });
        points.insert(code, ensure("agent-points", code, body)?);
    }
    for ((login, password), phone, role, name, place) in [
        (
            DEMO_MEDIATOR,
            "13800000021",
            "department_staff",
            "司法所调解员",
            json!({ "department_id": justice }),
        ),
        (
            DEMO_AGENT,
            "13800000022",
            "agent",
            "开元村代办员",
            json!({ "agent_point_id": points["kaiyuan"] }),
        ),
    ] {
        let mut body = json!({ "login": login, "phone": phone, "role": role,
                               "password": password, "display_name": name });
        body.as_object_mut()
            .context("a person is an object")?
            .extend(place.as_object().cloned().unwrap_or_default());
        expect(
            client.post_json(&format!("{base}/users"), Some(admin), &body)?,
            &[201, 409],
            "creating a mediation demo person",
        )?;
    }
    Ok(())
}
