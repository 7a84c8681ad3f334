//! Isolation, proven: every route of every component (the list is the
//! router's own table, checked against spin.toml) is called with no token,
//! an expired or tampered token, another tenant's token, a token of a role
//! without the permission, and ids and codes of the other tenant. Each gets
//! 401, 403 or 404, and no response carries the other tenant's data.

use api::{Access, Route};
use chrono::{Duration, Utc};
use domain::{Claims, Permission, Role, TenantCode, TokenKeys};
use e2e::{JWT_SECRET, OPERATOR_KEY, Reply, TestApp};
use serde_json::{Value, json};

/// What the other tenant's data is marked with; no response may contain it.
const BETA_MARK: &str = "BETA-SECRET";

/// One tenant with one of everything, named with its mark.
struct Fixture {
    admin: String,
    enterprise: String,
    /// The grid worker `worker`: the insider for what neither the admin nor
    /// an enterprise may call (a patrol's track, visits, end).
    worker: String,
    ids: Ids,
}

#[derive(Clone)]
struct Ids {
    case: i64,
    tracking_code: String,
    grid_node: i64,
    department: i64,
    category: i64,
    user: i64,
    attachment: i64,
    enterprise: i64,
    enterprise_request: i64,
    policy: i64,
    policy_file: i64,
    policy_answer: i64,
    dispute: i64,
    agent_matter: i64,
}

fn populate(app: &TestApp, tenant: &str, mark: &str) -> Fixture {
    let admin = app.tenant_with_admin(tenant);
    let base = format!("/api/t/{tenant}/admin");
    let post = |path: &str, body: Value| {
        app.client
            .post_json(&format!("{base}/{path}"), Some(&admin), &body)
            .unwrap()
            .expect(201)
    };
    let department = post(
        "departments",
        json!({ "code": "police", "name": format!("{mark} 派出所") }),
    );
    let category = post(
        "categories",
        json!({ "code": "parking", "name_zh": format!("{mark} 停车"), "name_en": "Parking",
                "response_hours": 2, "resolution_hours": 24, "default_department_id": department["id"] }),
    );
    let agent_point = post(
        "agent-points",
        json!({ "code": "v1", "name": format!("{mark} 代办点"), "level": "village" }),
    );
    let mut parent = Value::Null;
    for (level, code) in [
        ("township", "T"),
        ("community", "C"),
        ("grid", "G"),
        ("micro_grid", "M"),
    ] {
        parent = post("grid", json!({ "parent_id": parent, "level": level, "code": code, "name": format!("{mark} {code}") }))["id"].clone();
    }
    let user = post(
        "users",
        json!({ "login": "worker", "display_name": format!("{mark} 网格员"), "role": "grid_worker", "password": "password-1" }),
    );
    let worker = app.login(
        &format!("/api/t/{tenant}/auth/login"),
        "worker",
        "password-1",
    );
    let desk = EnterpriseDesk::open(app, tenant, &admin, mark);
    let enterprise = desk.token.clone();
    let photo = app.upload(tenant, None, e2e::TINY_JPEG).expect(201);
    let report = app.post_report(
        tenant,
        &json!({ "category": "parking", "description": format!("{mark} 案件"), "grid_node_id": parent,
                 "attachment_ids": [photo["id"]] }),
    ).expect(201);
    let (applicant, respondent) = (format!("{mark} 申请人"), format!("{mark} 被申请人"));
    let dispute = app
        .client
        .post_json(
            &format!("/api/t/{tenant}/mediation/disputes"),
            Some(&admin),
            &json!({ "kind": "neighbourhood", "subject": format!("{mark} 纠纷"), "window": "1号窗口",
                     "parties": [{ "side": "applicant", "kind": "person", "name": applicant },
                                 { "side": "respondent", "kind": "person", "name": respondent }] }),
        )
        .unwrap()
        .expect(201);
    let matter = app
        .client
        .post_json(
            &format!("/api/t/{tenant}/agent/matters"),
            Some(&admin),
            &json!({ "kind": "other", "resident": { "name": format!("{mark} 群众") }, "consent": true,
                     "needs": [format!("{mark} 需求")], "agent_point_id": agent_point["id"] }),
        )
        .unwrap()
        .expect(201);
    Fixture {
        admin,
        enterprise,
        worker,
        ids: Ids {
            case: report["id"].as_i64().unwrap(),
            tracking_code: report["tracking_code"].as_str().unwrap().to_string(),
            grid_node: parent.as_i64().unwrap(),
            department: department["id"].as_i64().unwrap(),
            category: category["id"].as_i64().unwrap(),
            user: user["id"].as_i64().unwrap(),
            attachment: photo["id"].as_i64().unwrap(),
            enterprise: desk.enterprise,
            enterprise_request: desk.request,
            policy: desk.policy,
            policy_file: desk.policy_file,
            policy_answer: desk.answer,
            dispute: dispute["case_id"].as_i64().unwrap(),
            agent_matter: matter["case_id"].as_i64().unwrap(),
        },
    }
}

/// The enterprise desk of a tenant: an approved enterprise (its user's
/// token) with a request, a policy with a file, and a published answer.
struct EnterpriseDesk {
    token: String,
    enterprise: i64,
    request: i64,
    policy: i64,
    policy_file: i64,
    answer: i64,
}

impl EnterpriseDesk {
    fn open(app: &TestApp, tenant: &str, admin: &str, mark: &str) -> EnterpriseDesk {
        let base = format!("/api/t/{tenant}/enterprise");
        let post = |path: &str, token: Option<&str>, body: Value| {
            app.client
                .post_json(&format!("{base}/{path}"), token, &body)
                .unwrap()
                .expect(201)
        };
        let registered = post(
            "registrations",
            None,
            json!({ "credit_code": "91350100M000100Y43", "name": format!("{mark} 企业"),
                    "address": "创业路 1 号", "industry": "软件",
                    "contact": { "name": "张经理", "phone": "13900001111" },
                    "account": { "login": "firm", "password": "password-1", "display_name": "企业用户" } }),
        );
        let enterprise = registered["enterprise"]["id"].as_i64().unwrap();
        let decided = app
            .client
            .post_json(
                &format!("{base}/registrations/{enterprise}/decision"),
                Some(admin),
                &json!({ "approve": true }),
            )
            .unwrap();
        assert_eq!(decided.status, 200, "{}", decided.body);
        let token = app.login(&format!("/api/t/{tenant}/auth/login"), "firm", "password-1");
        let request = post(
            "requests",
            Some(&token),
            json!({ "kind": "policy_inquiry", "title": format!("{mark} 咨询"), "description": format!("{mark} 问题") }),
        );
        let file = app
            .client
            .send(
                "POST",
                &format!("{base}/policy-files?name=policy.pdf"),
                Some(admin),
                Some(("application/pdf", b"%PDF-1.7 mark")),
            )
            .unwrap()
            .expect(201);
        let policy = post(
            "policies",
            Some(admin),
            json!({ "title": format!("{mark} 政策"), "body": "正文", "issuer": "管委会",
                    "effective_from": "2026-01-01", "files": [file["id"]] }),
        );
        let answer = post(
            "qa",
            Some(admin),
            json!({ "question": format!("{mark} 问"), "answer": format!("{mark} 答") }),
        );
        EnterpriseDesk {
            token,
            enterprise,
            request: request["id"].as_i64().unwrap(),
            policy: policy["id"].as_i64().unwrap(),
            policy_file: file["id"].as_i64().unwrap(),
            answer: answer["id"].as_i64().unwrap(),
        }
    }
}

/// The route's path for tenant `alpha`, with ids and codes taken from `ids`.
fn path_for(route: &Route, ids: &Ids) -> String {
    let enterprise_ids = [
        ("/enterprise/registrations/", ids.enterprise),
        ("/enterprise/requests/", ids.enterprise_request),
        ("/enterprise/cases/", ids.enterprise_request),
        ("/enterprise/policy-files/", ids.policy_file),
        ("/enterprise/policies/", ids.policy),
        ("/enterprise/qa/", ids.policy_answer),
        ("/mediation/disputes/", ids.dispute),
        ("/agent/matters/", ids.agent_matter),
    ];
    let id = if let Some((_, id)) = enterprise_ids
        .iter()
        .find(|(prefix, _)| route.path.contains(prefix))
    {
        *id
    } else if route.path.contains("/cases/") {
        ids.case
    } else if route.path.contains("/grid/") {
        ids.grid_node
    } else if route.path.contains("/departments/") {
        ids.department
    } else if route.path.contains("/categories/") {
        ids.category
    } else if route.path.contains("/attachments/") {
        ids.attachment
    } else {
        ids.user
    };
    route
        .path
        .split('/')
        .map(|segment| match segment {
            ":tenant" => "alpha".to_string(),
            ":code" if route.path.starts_with("/api/t/") => ids.tracking_code.clone(),
            ":code" => "alpha".to_string(),
            ":id" => id.to_string(),
            ":queue" => "open".to_string(),
            // A dispute's session, a matter's task: looked up after the case.
            ":session" | ":task" => "1".to_string(),
            // Open311: the id (a tracking code) or service code with its format.
            ":request" | ":token" => format!("{}.json", ids.tracking_code),
            ":service" => "parking.json".to_string(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Open311 routes name the tenant in `jurisdiction_id`, always `alpha` here.
fn with_jurisdiction(route: &Route, path: String) -> String {
    if route.path.starts_with("/open311/") {
        format!("{path}?jurisdiction_id=alpha")
    } else {
        path
    }
}

/// A body the handler accepts, so that what answers is the access check
/// or the lookup of the id, not the body's validation.
fn body_for(route: &Route) -> Option<Value> {
    if route.method == "GET" || route.method == "DELETE" {
        return None;
    }
    Some(match route.operation {
        "actOnCase" => json!({ "version": 1, "action": "accept" }),
        "setGridAssignments" => json!({ "grids": [] }),
        "addReportInformation" => json!({ "text": "更多情况" }),
        "setAttachmentVisibility" => json!({ "public": false }),
        "rateCase" => json!({ "score": 5 }),
        "commentOnCase" => json!({ "text": "跟进" }),
        _ => json!({}),
    })
}

struct Probe<'a> {
    app: &'a TestApp,
    responses: Vec<(String, Reply)>,
}

impl Probe<'_> {
    fn call(&mut self, route: &Route, path: &str, token: Option<&str>, why: &str) -> u16 {
        let reply = match body_for(route) {
            Some(body) => self.app.client.send_json(route.method, path, token, &body),
            None => self.app.client.send(route.method, path, token, None),
        }
        .unwrap();
        let status = reply.status;
        self.responses
            .push((format!("{} {path} ({why})", route.method), reply));
        status
    }

    fn expect(
        &mut self,
        route: &Route,
        path: &str,
        token: Option<&str>,
        why: &str,
        allowed: &[u16],
    ) {
        let status = self.call(route, path, token, why);
        assert!(
            allowed.contains(&status),
            "{} {path} with {why}: got {status}, expected one of {allowed:?}: {}",
            route.method,
            self.responses
                .last()
                .map(|(_, r)| r.body.as_str())
                .unwrap_or("")
        );
    }
}

fn expired_token(subject: &str) -> String {
    let alpha = domain::Tenant {
        id: domain::TenantId(1),
        code: TenantCode::parse("alpha").unwrap(),
        name: "alpha".into(),
        kind: domain::TenantKind::Township,
        time_zone: "Asia/Shanghai".into(),
        status: domain::TenantStatus::Active,
        created_at: Utc::now(),
    };
    let claims = Claims::for_tenant(
        subject,
        &alpha,
        Role::TenantAdmin,
        Utc::now() - Duration::days(1),
        Duration::hours(12),
    );
    TokenKeys::new(JWT_SECRET.as_bytes())
        .issue(&claims)
        .unwrap()
}

fn tampered(token: &str) -> String {
    let (rest, signature) = token.rsplit_once('.').unwrap();
    let flipped: String = signature.chars().rev().collect();
    format!("{rest}.{flipped}")
}

#[test]
fn every_route_refuses_every_wrong_caller() {
    let app = TestApp::product();
    let callers = Callers::of_both_tenants(&app);
    let mut probe = Probe {
        app: &app,
        responses: Vec::new(),
    };
    for route in api::all() {
        probe.every_wrong_caller_is_refused(route, &callers);
    }
    no_response_carries_the_other_tenants_data(&app, &probe);
}

/// Whoever the probe calls as: alpha's own people, beta's, the platform,
/// and tokens that are no longer or never were good.
struct Callers {
    alpha: Fixture,
    beta: Fixture,
    platform: String,
    expired: String,
    tampered: String,
}

impl Callers {
    fn of_both_tenants(app: &TestApp) -> Callers {
        let alpha = populate(app, "alpha", "ALPHA-DATA");
        let beta = populate(app, "beta", BETA_MARK);
        let platform = app.platform_token();
        let me = app.get("/api/t/alpha/auth/me", Some(&alpha.admin)).json();
        let expired = expired_token(me["subject"].as_str().unwrap());
        let tampered = tampered(&alpha.admin);
        Callers {
            alpha,
            beta,
            platform,
            expired,
            tampered,
        }
    }

    /// Who is refused on a route of this access rule, called on alpha's own
    /// path: (their token, who they are, the status they get).
    fn refused_on_alphas_own_path(&self, access: Access) -> Vec<(Option<&str>, &str, u16)> {
        let no_token = (None, "no token", 401);
        let expired = (Some(self.expired.as_str()), "an expired token", 401);
        let tampered = (Some(self.tampered.as_str()), "a tampered token", 401);
        let platform = Some(self.platform.as_str());
        let alpha_admin = Some(self.alpha.admin.as_str());
        let beta_admin = (
            Some(self.beta.admin.as_str()),
            "another tenant's token",
            403,
        );
        match access {
            Access::Public => vec![],
            Access::Operator => vec![
                no_token,
                (alpha_admin, "a tenant token", 403),
                (platform, "a platform token", 403),
            ],
            Access::Platform(_) => vec![
                no_token,
                expired,
                tampered,
                (alpha_admin, "a tenant admin's token", 403),
                (Some(OPERATOR_KEY), "the operator key", 401),
            ],
            Access::Tenant(permission) => {
                let mut refused = vec![
                    no_token,
                    expired,
                    tampered,
                    beta_admin,
                    (platform, "a platform token", 403),
                ];
                if !domain::permissions::allows(Role::Enterprise, permission) {
                    refused.push((
                        Some(self.alpha.enterprise.as_str()),
                        "a role without the permission",
                        403,
                    ));
                }
                refused
            }
            Access::PublicOrTenant(_) => vec![beta_admin, expired, tampered],
        }
    }
}

impl Probe<'_> {
    /// Calls `route` as every caller who must be refused, and with the
    /// other tenant's ids as one of alpha who may call it.
    fn every_wrong_caller_is_refused(&mut self, route: &Route, callers: &Callers) {
        let own_path = with_jurisdiction(route, path_for(route, &callers.alpha.ids));
        let their_ids = with_jurisdiction(route, path_for(route, &callers.beta.ids));
        let has_id = route.path.contains(":id")
            || (route.path.starts_with("/api/t/") && route.path.contains(":code"))
            || route.path.contains(":request")
            || route.path.contains(":token");
        for (token, why, status) in callers.refused_on_alphas_own_path(route.access) {
            self.expect(route, &own_path, token, why, &[status]);
        }
        match route.access {
            Access::Public if has_id => {
                self.expect(route, &their_ids, None, "the other tenant's code", &[404]);
            }
            Access::Public => {
                self.call(route, &own_path, None, "anyone");
            }
            Access::Tenant(permission) if has_id && permission != Permission::UseOwnAccount => {
                // Someone of alpha who may call the route, with beta's id.
                let alpha = &callers.alpha;
                let insider = if domain::permissions::allows(Role::TenantAdmin, permission) {
                    &alpha.admin
                } else if domain::permissions::allows(Role::Enterprise, permission) {
                    &alpha.enterprise
                } else {
                    &alpha.worker
                };
                self.expect(
                    route,
                    &their_ids,
                    Some(insider),
                    "the other tenant's id",
                    &[404],
                );
            }
            _ => {}
        }
    }
}

fn no_response_carries_the_other_tenants_data(app: &TestApp, probe: &Probe) {
    for (call, reply) in &probe.responses {
        assert!(
            !reply.body.contains(BETA_MARK),
            "{call} leaked the other tenant's data: {}",
            reply.body
        );
    }
    // The probe saw alpha's own data where it was allowed to: the mark test can fail.
    let own = app.get("/api/t/alpha/admin/categories", None);
    assert!(own.body.contains("ALPHA-DATA"));
}

#[test]
fn every_route_is_reached_through_spin_toml_and_every_trigger_serves_a_route() {
    let manifest =
        spin_host::manifest::Manifest::load(&xtask::workspace_root().join("spin.toml")).unwrap();
    let router = spin_host::routes::Router::build(&manifest.http_triggers).unwrap();
    let ids = Ids {
        case: 1,
        tracking_code: "AAAAA-AAAAA".into(),
        grid_node: 1,
        department: 1,
        category: 1,
        user: 1,
        attachment: 1,
        enterprise: 1,
        enterprise_request: 1,
        policy: 1,
        policy_file: 1,
        policy_answer: 1,
        dispute: 1,
        agent_matter: 1,
    };
    let mut triggers_used = std::collections::BTreeSet::new();
    for route in api::all() {
        let path = path_for(route, &ids);
        let matched = router
            .route(&path)
            .unwrap_or_else(|| panic!("spin.toml routes nothing to {path}"));
        assert_eq!(matched.component, route.component, "{path}");
        triggers_used.insert(matched.raw_route.clone());
    }
    for trigger in &manifest.http_triggers {
        let route = trigger.route.clone().unwrap_or_default();
        if trigger.component == "web" && route == "/..." {
            continue; // the pages: static files, not API operations
        }
        assert!(
            triggers_used.contains(&route),
            "spin.toml routes {route} to '{}', but no API route uses it",
            trigger.component
        );
    }
}
