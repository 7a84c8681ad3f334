//! Companies register (with their first user), a tenant admin or a
//! department approves them, and their users add colleagues.

use chrono::Utc;
use domain::enterprise::{CreditCode, EnterpriseStatus};
use domain::{Problem, Role};
use edge::auth::hash_new_password;
use edge::throttle::LoginAttempt;
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;
use store::{Enterprise, NewEnterprise, NewUser};

use crate::wire;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    name: String,
    phone: String,
}

/// An account to log in with, once the company is approved.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountBody {
    login: String,
    password: String,
    display_name: String,
    phone: Option<String>,
}

impl AccountBody {
    /// `password_field` names the password where the body nests it.
    fn new_user(self, password_field: &str) -> Result<NewUser, Problem> {
        let password_hash =
            hash_new_password(&self.password).map_err(|p| p.with_field(password_field))?;
        Ok(NewUser {
            login: self.login,
            display_name: self.display_name,
            role: Role::Enterprise,
            password_hash,
            phone: self.phone,
            department: None,
            agent_point: None,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    credit_code: String,
    name: String,
    address: String,
    industry: String,
    contact: ContactBody,
    account: AccountBody,
}

/// `POST …/enterprise/registrations`: anyone may register a company; its
/// account can log in once approved. A pending or approved credit code is
/// a 409; a refused one applies again.
pub fn register(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    // Registration is anonymous and hashes a password: limited like intake.
    edge::limits::check(ctx.request(), tenant.code.as_str(), "registration")?;
    let body: RegistrationBody = ctx.json_body()?;
    let new = NewEnterprise {
        credit_code: CreditCode::parse(&body.credit_code)?,
        name: body.name,
        address: body.address,
        industry: body.industry,
        contact_name: body.contact.name,
        contact_phone: body.contact.phone,
    };
    let user = body.account.new_user("account.password")?;
    let (enterprise, user) = ctx.scope()?.register_enterprise(new, user, Utc::now())?;
    Ok(json(
        201,
        &json!({ "enterprise": wire::enterprise(&enterprise), "account": wire::user(&user) }),
    ))
}

/// `GET …/enterprise/registrations?status=pending`: for approvers.
pub fn list(ctx: &mut Ctx) -> HandlerResult {
    let status = ctx
        .query_value("status")
        .map(|s| EnterpriseStatus::parse(&s))
        .transpose()?;
    let after = ctx.query_i64("after")?;
    let limit = ctx.page_limit()?;
    let found = ctx.scope()?.list_enterprises(status, after, limit)?;
    let next = edge::next_page(&found, limit, |e| e.id);
    let items: Vec<_> = found.iter().map(wire::enterprise).collect();
    Ok(json(
        200,
        &json!({ "enterprises": items, "next_after": next }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    approve: bool,
    note: Option<String>,
}

/// `POST …/registrations/:enterprise/decision`: approve (its users can log
/// in from then on) or reject; audited.
pub fn decide(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "enterprise")?;
    // An id of another tenant is unknown before the body is read.
    let before = ctx
        .scope()?
        .enterprise(id)?
        .ok_or_else(|| Problem::not_found("no such enterprise"))?;
    let body: DecisionBody = ctx.json_body()?;
    let actor = ctx.caller()?.actor();
    let decided = ctx.transaction(|ctx| {
        let decided = ctx.scope()?.decide_enterprise(
            id,
            body.approve,
            body.note.as_deref(),
            &actor,
            Utc::now(),
        )?;
        let action = if body.approve { "approve" } else { "reject" };
        ctx.audit(
            action,
            "enterprise",
            id,
            Some(wire::enterprise(&before)),
            Some(wire::enterprise(&decided)),
        )?;
        Ok(decided)
    })?;
    Ok(json(200, &wire::enterprise(&decided)))
}

/// What a company's user signs in with.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    login: String,
    password: String,
}

/// `POST …/enterprise/registration-status`: where a company's registration
/// stands, for its own user, who cannot sign in before approval: with the
/// login and password the account was registered with, the answer is the
/// company (its status, and when and why it was decided) and the account.
/// It gives no token, so a pending or refused company still files
/// nothing. Throttled like a login and under the same records (guessing
/// here is no faster than there), and refused in the login's words for an
/// unknown login, a wrong password, or an account of no company.
pub fn status(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    let body: Credentials = ctx.json_body()?;
    let attempt = LoginAttempt::new(ctx.request(), tenant.code.as_str(), &body.login);
    attempt.check()?;
    let user = ctx.scope()?.find_user_by_login(&body.login)?.filter(|u| {
        u.role == Role::Enterprise && domain::verify_password(&body.password, &u.password_hash)
    });
    let found = match user {
        Some(user) => ctx.scope()?.enterprise_of(user.id)?.map(|e| (e, user)),
        None => None,
    };
    let Some((enterprise, user)) = found else {
        attempt.failed()?;
        return Err(Problem::coded(
            domain::ProblemCode::WrongLogin,
            "the login or the password is wrong",
        ));
    };
    attempt.succeeded()?;
    Ok(json(
        200,
        &json!({ "enterprise": wire::enterprise(&enterprise), "account": wire::user(&user) }),
    ))
}

/// The enterprise the calling user acts for.
pub fn callers_enterprise(ctx: &mut Ctx) -> Result<Enterprise, Problem> {
    let user = ctx.caller()?.user.id;
    ctx.scope()?
        .enterprise_of(user)?
        .ok_or_else(|| Problem::forbidden("this account belongs to no enterprise"))
}

/// `GET …/enterprise/me`: the caller's company and its users.
pub fn own(ctx: &mut Ctx) -> HandlerResult {
    let enterprise = callers_enterprise(ctx)?;
    let users = ctx.scope()?.enterprise_users(enterprise.id)?;
    let mut value = wire::enterprise(&enterprise);
    value["users"] = users.iter().map(wire::user).collect();
    Ok(json(200, &value))
}

/// `POST …/enterprise/me/users`: a colleague's account for the same company.
pub fn add_user(ctx: &mut Ctx) -> HandlerResult {
    let enterprise = callers_enterprise(ctx)?;
    let body: AccountBody = ctx.json_body()?;
    let new = body.new_user("password")?;
    let user = ctx.transaction(|ctx| {
        let user = ctx
            .scope()?
            .add_enterprise_user(&enterprise, new, Utc::now())?;
        ctx.audit("create", "user", user.id.0, None, Some(wire::user(&user)))?;
        Ok(user)
    })?;
    Ok(json(201, &wire::user(&user)))
}
