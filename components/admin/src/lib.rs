//! The `admin` component: platform operations (migrations, platform admins,
//! tenants' life cycle), logins, and a tenant's organisation: the grid,
//! departments, agent points, categories, people, calendar and audit log.

mod api_keys;
mod audit;
mod calendar;
mod catalogue;
mod grid;
mod map;
mod organisation;
mod patrol_settings;
mod people;
mod platform;
mod routing_rules;
mod session;
mod sms;
mod triage;
mod warning_rules;
mod webhooks;
mod wire;

use edge::router::Handler;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    edge::Router::new(api::ADMIN, handler_for).handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "applyMigrations" => platform::apply_migrations,
        "createPlatformAdmin" => platform::create_platform_admin,
        "platformLogin" => session::platform_login,
        "listTenants" => platform::list_tenants,
        "platformActivity" => platform::activity,
        "createTenant" => platform::create_tenant,
        "getTenant" => platform::get_tenant,
        "setTenantStatus" => platform::set_tenant_status,
        "exportTenant" => platform::export_tenant,
        "deleteTenant" => platform::delete_tenant,
        "platformAuditLog" => audit::platform_audit_log,
        "login" => session::login,
        "whoAmI" => session::who_am_i,
        "logout" => session::logout,
        "changePassword" => session::change_password,
        "getGridTree" => grid::get_grid_tree,
        "createGridNode" => grid::create_grid_node,
        "importGrid" => grid::import_grid,
        "locateGrid" => grid::locate_grid,
        "updateGridNode" => grid::update_grid_node,
        "deleteGridNode" => grid::delete_grid_node,
        "retireGridNode" => grid::retire_grid_node,
        "getMapSettings" => map::get_map_settings,
        "setMapSettings" => map::set_map_settings,
        "listDepartments" => organisation::list_departments,
        "createDepartment" => organisation::create_department,
        "updateDepartment" => organisation::update_department,
        "listAgentPoints" => organisation::list_agent_points,
        "createAgentPoint" => organisation::create_agent_point,
        "listCategories" => catalogue::list_categories,
        "createCategory" => catalogue::create_category,
        "updateCategory" => catalogue::update_category,
        "listUsers" => people::list_users,
        "createUser" => people::create_user,
        "updateUser" => people::update_user,
        "setGridAssignments" => people::set_grid_assignments,
        "getCalendar" => calendar::get_calendar,
        "setCalendar" => calendar::set_calendar,
        "auditLog" => audit::audit_log,
        "getRoutingRules" => routing_rules::get_routing_rules,
        "setRoutingRules" => routing_rules::set_routing_rules,
        "getWarningRules" => warning_rules::get_warning_rules,
        "setWarningRules" => warning_rules::set_warning_rules,
        "listApiKeys" => api_keys::list_api_keys,
        "issueApiKey" => api_keys::issue_api_key,
        "revokeApiKey" => api_keys::revoke_api_key,
        "listWebhooks" => webhooks::list_webhooks,
        "createWebhook" => webhooks::create_webhook,
        "retireWebhook" => webhooks::retire_webhook,
        "listWebhookDeliveries" => webhooks::list_deliveries,
        "getSmsSettings" => sms::get_sms_settings,
        "putSmsSettings" => sms::put_sms_settings,
        "listSmsDeliveries" => sms::list_sms_deliveries,
        "getPatrolSettings" => patrol_settings::get_patrol_settings,
        "setPatrolSettings" => patrol_settings::set_patrol_settings,
        "getTriageSettings" => triage::get_triage_settings,
        "putTriageSettings" => triage::put_triage_settings,
        _ => return None,
    })
}
