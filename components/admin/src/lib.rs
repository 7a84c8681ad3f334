//! The `admin` component: platform operations (migrations, platform admins,
//! tenants), logins, and a tenant's grid.

mod grid;
mod platform;
mod session;

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
        "createTenant" => platform::create_tenant,
        "login" => session::login,
        "whoAmI" => session::who_am_i,
        "listGridNodes" => grid::list_grid_nodes,
        "createGridNode" => grid::create_grid_node,
        _ => return None,
    })
}
