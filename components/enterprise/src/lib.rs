//! The `enterprise` component: the enterprise service desk (企业服务).
//! Companies register and are approved; their users file requests, which
//! are cases routed to departments like any other; departments publish
//! policy documents and turn answers to policy inquiries into a public,
//! searchable Q&A.

mod policies;
mod qa;
mod registrations;
mod requests;
mod wire;

use edge::router::Handler;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    edge::Router::new(api::ENTERPRISE, handler_for).handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "listEnterpriseRequestKinds" => requests::list_kinds,
        "registerEnterprise" => registrations::register,
        "listEnterpriseRegistrations" => registrations::list,
        "decideEnterpriseRegistration" => registrations::decide,
        "checkEnterpriseRegistration" => registrations::status,
        "getOwnEnterprise" => registrations::own,
        "addEnterpriseUser" => registrations::add_user,
        "submitEnterpriseRequest" => requests::submit,
        "listEnterpriseRequests" => requests::list,
        "getEnterpriseRequest" => requests::get_own,
        "getEnterpriseRequestForStaff" => requests::get_for_staff,
        "uploadPolicyFile" => policies::upload_file,
        "getPolicyFile" => policies::download_file,
        "publishPolicy" => policies::publish,
        "searchPolicies" => policies::search,
        "getPolicy" => policies::get,
        "publishPolicyAnswer" => qa::publish,
        "searchPolicyAnswers" => qa::search,
        "getPolicyAnswer" => qa::get,
        "withdrawPolicyAnswer" => qa::withdraw,
        "suggestPolicyAnswers" => qa::suggest,
        _ => return None,
    })
}
