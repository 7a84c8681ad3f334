//! Every route of every component, as data: the single list that each
//! component builds its router from, that `static/api/openapi.json` must
//! document (checked by this crate's tests), and that the end-to-end tests
//! walk (each route must reach its component through `spin.toml`).
//!
//! Paths use Spin's `:name` syntax; `:tenant` is the tenant's code.

use domain::Permission;

pub mod contract;
mod open311;
pub use open311::OPEN311;

/// One operation of the HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// The OpenAPI `operationId`; also names the handler in the component.
    pub operation: &'static str,
    /// The component (spin.toml id) that serves it.
    pub component: &'static str,
    /// Who may call it; the edge checks this before the handler runs.
    pub access: Access,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; no token is read.
    Public,
    /// Anyone; but a token, if sent, must be one of the path's tenant with
    /// this permission (residents report without an account, grid workers with one).
    PublicOrTenant(Permission),
    /// The deployment's operator, with the `platform_operator_key`.
    Operator,
    /// A token holding this platform permission (no tenant).
    Platform(Permission),
    /// A token of the path's tenant holding this permission.
    Tenant(Permission),
}

const fn route(
    component: &'static str,
    method: &'static str,
    path: &'static str,
    operation: &'static str,
    access: Access,
) -> Route {
    Route {
        method,
        path,
        operation,
        component,
        access,
    }
}

use Access::{Operator, Platform, Public, PublicOrTenant, Tenant};
use Permission as P;

/// Tenants, people and access; platform operations.
pub const ADMIN: &[Route] = &[
    route(
        "admin",
        "POST",
        "/api/platform/migrations",
        "applyMigrations",
        Operator,
    ),
    route(
        "admin",
        "POST",
        "/api/platform/admins",
        "createPlatformAdmin",
        Operator,
    ),
    route(
        "admin",
        "POST",
        "/api/platform/login",
        "platformLogin",
        Public,
    ),
    route(
        "admin",
        "GET",
        "/api/platform/tenants",
        "listTenants",
        Platform(P::ManageTenants),
    ),
    route(
        "admin",
        "GET",
        "/api/platform/activity",
        "platformActivity",
        Platform(P::ManageTenants),
    ),
    route(
        "admin",
        "POST",
        "/api/platform/tenants",
        "createTenant",
        Platform(P::ManageTenants),
    ),
    route(
        "admin",
        "GET",
        "/api/platform/tenants/:code",
        "getTenant",
        Platform(P::ManageTenants),
    ),
    route(
        "admin",
        "PUT",
        "/api/platform/tenants/:code/status",
        "setTenantStatus",
        Platform(P::ManageTenants),
    ),
    route(
        "admin",
        "GET",
        "/api/platform/tenants/:code/export",
        "exportTenant",
        Platform(P::ManageTenants),
    ),
    route(
        "admin",
        "DELETE",
        "/api/platform/tenants/:code",
        "deleteTenant",
        Platform(P::ManageTenants),
    ),
    route(
        "admin",
        "GET",
        "/api/platform/audit",
        "platformAuditLog",
        Platform(P::ManageTenants),
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/auth/login",
        "login",
        Public,
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/auth/me",
        "whoAmI",
        Tenant(P::UseOwnAccount),
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/auth/logout",
        "logout",
        Tenant(P::UseOwnAccount),
    ),
    route(
        "admin",
        "PUT",
        "/api/t/:tenant/auth/password",
        "changePassword",
        Tenant(P::UseOwnAccount),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/grid",
        "getGridTree",
        // Public like the catalogue: the resident portal picks a place on
        // the grid's shapes, and a township's divisions are public facts.
        Public,
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/admin/grid",
        "createGridNode",
        Tenant(P::ManageGrid),
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/admin/grid/import",
        "importGrid",
        Tenant(P::ManageGrid),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/grid/locate",
        "locateGrid",
        Tenant(P::ReadOrganisation),
    ),
    route(
        "admin",
        "PATCH",
        "/api/t/:tenant/admin/grid/:id",
        "updateGridNode",
        Tenant(P::ManageGrid),
    ),
    route(
        "admin",
        "DELETE",
        "/api/t/:tenant/admin/grid/:id",
        "deleteGridNode",
        Tenant(P::ManageGrid),
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/admin/grid/:id/retirement",
        "retireGridNode",
        Tenant(P::ManageGrid),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/map",
        "getMapSettings",
        // Public with the grid it draws: every page's map reads it, and a
        // tile provider's browser key is seen by anyone who opens the map.
        Public,
    ),
    route(
        "admin",
        "PUT",
        "/api/t/:tenant/admin/map",
        "setMapSettings",
        Tenant(P::ManageGrid),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/departments",
        "listDepartments",
        Tenant(P::ReadOrganisation),
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/admin/departments",
        "createDepartment",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "PATCH",
        "/api/t/:tenant/admin/departments/:id",
        "updateDepartment",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/agent-points",
        "listAgentPoints",
        Tenant(P::ReadOrganisation),
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/admin/agent-points",
        "createAgentPoint",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/categories",
        "listCategories",
        Public,
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/admin/categories",
        "createCategory",
        Tenant(P::ManageCategories),
    ),
    route(
        "admin",
        "PATCH",
        "/api/t/:tenant/admin/categories/:id",
        "updateCategory",
        Tenant(P::ManageCategories),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/users",
        "listUsers",
        Tenant(P::ManagePeople),
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/admin/users",
        "createUser",
        Tenant(P::ManagePeople),
    ),
    route(
        "admin",
        "PATCH",
        "/api/t/:tenant/admin/users/:id",
        "updateUser",
        Tenant(P::ManagePeople),
    ),
    route(
        "admin",
        "PUT",
        "/api/t/:tenant/admin/users/:id/grids",
        "setGridAssignments",
        Tenant(P::ManagePeople),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/calendar",
        "getCalendar",
        Tenant(P::ReadOrganisation),
    ),
    route(
        "admin",
        "PUT",
        "/api/t/:tenant/admin/calendar",
        "setCalendar",
        Tenant(P::ManageCalendar),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/audit",
        "auditLog",
        Tenant(P::ReadAudit),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/warning-rules",
        "getWarningRules",
        Tenant(P::ManageCategories),
    ),
    route(
        "admin",
        "PUT",
        "/api/t/:tenant/admin/warning-rules",
        "setWarningRules",
        Tenant(P::ManageCategories),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/routing-rules",
        "getRoutingRules",
        Tenant(P::ReadOrganisation),
    ),
    route(
        "admin",
        "PUT",
        "/api/t/:tenant/admin/routing-rules",
        "setRoutingRules",
        Tenant(P::ManageCategories),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/api-keys",
        "listApiKeys",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/admin/api-keys",
        "issueApiKey",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "DELETE",
        "/api/t/:tenant/admin/api-keys/:id",
        "revokeApiKey",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/webhooks",
        "listWebhooks",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "POST",
        "/api/t/:tenant/admin/webhooks",
        "createWebhook",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "DELETE",
        "/api/t/:tenant/admin/webhooks/:id",
        "retireWebhook",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/webhooks/:id/deliveries",
        "listWebhookDeliveries",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/sms",
        "getSmsSettings",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "PUT",
        "/api/t/:tenant/admin/sms",
        "putSmsSettings",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/sms/deliveries",
        "listSmsDeliveries",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/patrol-settings",
        "getPatrolSettings",
        Tenant(P::ManagePatrols),
    ),
    route(
        "admin",
        "PUT",
        "/api/t/:tenant/admin/patrol-settings",
        "setPatrolSettings",
        Tenant(P::ManagePatrols),
    ),
    route(
        "admin",
        "GET",
        "/api/t/:tenant/admin/triage",
        "getTriageSettings",
        Tenant(P::ManageOrganisation),
    ),
    route(
        "admin",
        "PUT",
        "/api/t/:tenant/admin/triage",
        "putTriageSettings",
        Tenant(P::ManageOrganisation),
    ),
];

/// Intake.
pub const REPORTING: &[Route] = &[
    route(
        "reporting",
        "POST",
        "/api/t/:tenant/reports",
        "submitReport",
        PublicOrTenant(P::ReportWithAccount),
    ),
    route(
        "reporting",
        "POST",
        "/api/t/:tenant/reports/:code/me-too",
        "meToo",
        Public,
    ),
    route(
        "reporting",
        "POST",
        "/api/t/:tenant/reports/:code/information",
        "addReportInformation",
        Public,
    ),
    route(
        "reporting",
        "PATCH",
        "/api/t/:tenant/reports/:code",
        "editReport",
        Public,
    ),
    route(
        "reporting",
        "DELETE",
        "/api/t/:tenant/reports/:code/contact",
        "eraseReporterContact",
        Public,
    ),
    route(
        "reporting",
        "POST",
        "/api/t/:tenant/reports/:code/rating",
        "rateCase",
        Public,
    ),
    route(
        "reporting",
        "POST",
        "/api/t/:tenant/attachments",
        "uploadAttachment",
        PublicOrTenant(P::UploadFiles),
    ),
    route(
        "reporting",
        "GET",
        "/api/t/:tenant/attachments/:id",
        "getAttachment",
        PublicOrTenant(P::ViewCases),
    ),
    route(
        "reporting",
        "PATCH",
        "/api/t/:tenant/attachments/:id",
        "setAttachmentVisibility",
        Tenant(P::ActOnCases),
    ),
    route(
        "reporting",
        "POST",
        "/api/t/:tenant/triage/check",
        "checkCategory",
        Public,
    ),
];

/// The case flow for staff.
pub const ROUTING: &[Route] = &[
    route(
        "routing",
        "GET",
        "/api/t/:tenant/cases",
        "listCases",
        Tenant(P::ViewCases),
    ),
    route(
        "routing",
        "GET",
        "/api/t/:tenant/cases/:id",
        "getCase",
        Tenant(P::ViewCases),
    ),
    route(
        "routing",
        "POST",
        "/api/t/:tenant/cases/:id/actions",
        "actOnCase",
        Tenant(P::ActOnCases),
    ),
    route(
        "routing",
        "POST",
        "/api/t/:tenant/cases/sweep",
        "sweepCases",
        Operator,
    ),
    route(
        "routing",
        "POST",
        "/api/t/:tenant/cases/:id/comments",
        "commentOnCase",
        Tenant(P::ViewCases),
    ),
    route(
        "routing",
        "POST",
        "/api/t/:tenant/cases/:id/assists",
        "completeAssist",
        Tenant(P::ActOnCases),
    ),
    route(
        "routing",
        "GET",
        "/api/t/:tenant/cases/:id/suggestions",
        "getCaseSuggestions",
        Tenant(P::ActOnCases),
    ),
    route(
        "routing",
        "GET",
        "/api/t/:tenant/queues/:queue",
        "getQueue",
        Tenant(P::ViewCases),
    ),
    // Early warnings (预警): the command centre and the tenant admin.
    route(
        "routing",
        "GET",
        "/api/t/:tenant/warnings",
        "listWarnings",
        Tenant(P::ViewDashboard),
    ),
    route(
        "routing",
        "GET",
        "/api/t/:tenant/warnings/:id",
        "getWarning",
        Tenant(P::ViewDashboard),
    ),
    route(
        "routing",
        "POST",
        "/api/t/:tenant/warnings/:id/acknowledge",
        "acknowledgeWarning",
        Tenant(P::ViewDashboard),
    ),
    route(
        "routing",
        "POST",
        "/api/t/:tenant/warnings/:id/case",
        "openCaseForWarning",
        Tenant(P::ViewDashboard),
    ),
    route(
        "routing",
        "POST",
        "/api/t/:tenant/warnings/:id/supervise",
        "superviseWarning",
        Tenant(P::ViewDashboard),
    ),
];

/// What the public sees: look-up by tracking code, the board, notices.
pub const STATUS: &[Route] = &[
    route(
        "status",
        "GET",
        "/api/t/:tenant/status/:code",
        "lookUpCase",
        Public,
    ),
    route("status", "GET", "/api/t/:tenant/board", "getBoard", Public),
    route(
        "status",
        "GET",
        "/api/t/:tenant/board/figures",
        "getBoardFigures",
        Public,
    ),
    route(
        "status",
        "GET",
        "/api/t/:tenant/board/map",
        "getBoardMap",
        Public,
    ),
    route(
        "status",
        "GET",
        "/api/t/:tenant/notices",
        "listNotices",
        Public,
    ),
    route(
        "status",
        "POST",
        "/api/t/:tenant/notices",
        "publishNotice",
        Tenant(P::PublishNotices),
    ),
    route(
        "status",
        "GET",
        "/api/t/:tenant/notices/:id",
        "getNotice",
        Public,
    ),
    route(
        "status",
        "DELETE",
        "/api/t/:tenant/notices/:id",
        "withdrawNotice",
        Tenant(P::PublishNotices),
    ),
];

/// Enterprise services: registrations, requests (cases of source
/// `enterprise`), policy documents and the policy Q&A. Policies and the
/// Q&A are public information (answers are anonymised before publication).
pub const ENTERPRISE: &[Route] = &[
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/request-kinds",
        "listEnterpriseRequestKinds",
        Public,
    ),
    route(
        "enterprise",
        "POST",
        "/api/t/:tenant/enterprise/registrations",
        "registerEnterprise",
        Public,
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/registrations",
        "listEnterpriseRegistrations",
        Tenant(P::ApproveEnterprises),
    ),
    route(
        "enterprise",
        "POST",
        "/api/t/:tenant/enterprise/registrations/:id/decision",
        "decideEnterpriseRegistration",
        Tenant(P::ApproveEnterprises),
    ),
    route(
        "enterprise",
        "POST",
        "/api/t/:tenant/enterprise/registration-status",
        "checkEnterpriseRegistration",
        Public,
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/me",
        "getOwnEnterprise",
        Tenant(P::UseEnterpriseServices),
    ),
    route(
        "enterprise",
        "POST",
        "/api/t/:tenant/enterprise/me/users",
        "addEnterpriseUser",
        Tenant(P::UseEnterpriseServices),
    ),
    route(
        "enterprise",
        "POST",
        "/api/t/:tenant/enterprise/requests",
        "submitEnterpriseRequest",
        Tenant(P::UseEnterpriseServices),
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/requests",
        "listEnterpriseRequests",
        Tenant(P::UseEnterpriseServices),
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/requests/:id",
        "getEnterpriseRequest",
        Tenant(P::UseEnterpriseServices),
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/cases/:id",
        "getEnterpriseRequestForStaff",
        Tenant(P::ViewCases),
    ),
    route(
        "enterprise",
        "POST",
        "/api/t/:tenant/enterprise/policy-files",
        "uploadPolicyFile",
        Tenant(P::PublishPolicies),
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/policy-files/:id",
        "getPolicyFile",
        Public,
    ),
    route(
        "enterprise",
        "POST",
        "/api/t/:tenant/enterprise/policies",
        "publishPolicy",
        Tenant(P::PublishPolicies),
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/policies",
        "searchPolicies",
        Public,
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/policies/:id",
        "getPolicy",
        Public,
    ),
    route(
        "enterprise",
        "POST",
        "/api/t/:tenant/enterprise/qa",
        "publishPolicyAnswer",
        Tenant(P::PublishPolicies),
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/qa",
        "searchPolicyAnswers",
        Public,
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/qa/:id",
        "getPolicyAnswer",
        Public,
    ),
    route(
        "enterprise",
        "DELETE",
        "/api/t/:tenant/enterprise/qa/:id",
        "withdrawPolicyAnswer",
        Tenant(P::PublishPolicies),
    ),
    route(
        "enterprise",
        "GET",
        "/api/t/:tenant/enterprise/similar-answers",
        "suggestPolicyAnswers",
        Public,
    ),
];

/// The command centre's figures.
pub const ANALYTICS: &[Route] = &[
    route(
        "analytics",
        "GET",
        "/api/t/:tenant/dashboard/figures",
        "getFigures",
        Tenant(P::ViewDashboard),
    ),
    route(
        "analytics",
        "GET",
        "/api/t/:tenant/dashboard/hotspots",
        "getHotspots",
        Tenant(P::ViewDashboard),
    ),
    route(
        "analytics",
        "GET",
        "/api/t/:tenant/dashboard/alerts",
        "getSpikeAlerts",
        Tenant(P::ViewDashboard),
    ),
    route(
        "analytics",
        "GET",
        "/api/t/:tenant/dashboard/triage",
        "getTriageFigures",
        Tenant(P::ViewDashboard),
    ),
    route(
        "analytics",
        "GET",
        "/api/t/:tenant/dashboard/league/departments",
        "getDepartmentLeague",
        Tenant(P::ViewDashboard),
    ),
    route(
        "analytics",
        "GET",
        "/api/t/:tenant/dashboard/league/grids",
        "getGridLeague",
        Tenant(P::ViewDashboard),
    ),
    route(
        "analytics",
        "GET",
        "/api/t/:tenant/dashboard/export/:table",
        "exportTable",
        Tenant(P::ViewDashboard),
    ),
    route(
        "analytics",
        "POST",
        "/api/t/:tenant/dashboard/rebuild",
        "rebuildFigures",
        Operator,
    ),
];

/// The mediation centre (矛调中心) and the agent service (代办): disputes and
/// agent matters are cases with side tables; their figures by kind,
/// department and month, and by level.
pub const MEDIATION: &[Route] = &[
    route(
        "mediation",
        "GET",
        "/api/t/:tenant/mediation/kinds",
        "listDisputeKinds",
        Tenant(P::MediateDisputes),
    ),
    route(
        "mediation",
        "POST",
        "/api/t/:tenant/mediation/disputes",
        "takeInDispute",
        Tenant(P::MediateDisputes),
    ),
    route(
        "mediation",
        "GET",
        "/api/t/:tenant/mediation/disputes",
        "listDisputes",
        Tenant(P::MediateDisputes),
    ),
    route(
        "mediation",
        "GET",
        "/api/t/:tenant/mediation/disputes/:id",
        "getDispute",
        Tenant(P::MediateDisputes),
    ),
    route(
        "mediation",
        "POST",
        "/api/t/:tenant/mediation/disputes/:id/documents",
        "addDisputeDocuments",
        Tenant(P::MediateDisputes),
    ),
    route(
        "mediation",
        "POST",
        "/api/t/:tenant/mediation/disputes/:id/sessions",
        "addMediationSession",
        Tenant(P::MediateDisputes),
    ),
    route(
        "mediation",
        "PUT",
        "/api/t/:tenant/mediation/disputes/:id/sessions/:session",
        "recordMediationSession",
        Tenant(P::MediateDisputes),
    ),
    route(
        "mediation",
        "POST",
        "/api/t/:tenant/mediation/disputes/:id/outcome",
        "recordDisputeOutcome",
        Tenant(P::MediateDisputes),
    ),
    route(
        "mediation",
        "GET",
        "/api/t/:tenant/mediation/figures",
        "getMediationFigures",
        Tenant(P::MediateDisputes),
    ),
    route(
        "mediation",
        "GET",
        "/api/t/:tenant/agent/kinds",
        "listAgentMatterKinds",
        Tenant(P::HandleAgentMatters),
    ),
    route(
        "mediation",
        "POST",
        "/api/t/:tenant/agent/matters",
        "takeAgentMatter",
        Tenant(P::HandleAgentMatters),
    ),
    route(
        "mediation",
        "GET",
        "/api/t/:tenant/agent/matters",
        "listAgentMatters",
        Tenant(P::HandleAgentMatters),
    ),
    route(
        "mediation",
        "GET",
        "/api/t/:tenant/agent/matters/:id",
        "getAgentMatter",
        Tenant(P::HandleAgentMatters),
    ),
    route(
        "mediation",
        "POST",
        "/api/t/:tenant/agent/matters/:id/tasks",
        "addAgentMatterTask",
        Tenant(P::HandleAgentMatters),
    ),
    route(
        "mediation",
        "POST",
        "/api/t/:tenant/agent/matters/:id/tasks/:task/done",
        "completeAgentMatterTask",
        Tenant(P::HandleAgentMatters),
    ),
    route(
        "mediation",
        "POST",
        "/api/t/:tenant/agent/matters/:id/promises",
        "addAgentMatterPromise",
        Tenant(P::HandleAgentMatters),
    ),
    route(
        "mediation",
        "POST",
        "/api/t/:tenant/agent/matters/:id/level",
        "passAgentMatterUp",
        Tenant(P::HandleAgentMatters),
    ),
    route(
        "mediation",
        "GET",
        "/api/t/:tenant/agent/figures",
        "getAgentFigures",
        Tenant(P::HandleAgentMatters),
    ),
];

/// Patrols (巡查) and grid days (周三网格日): the walks of grid workers and
/// volunteers with their tracks, visits and problems found, the tenant's
/// grid days, and their kept figures (`docs/patrols.md`).
pub const PATROLS: &[Route] = &[
    route(
        "patrols",
        "POST",
        "/api/t/:tenant/patrols",
        "startPatrol",
        Tenant(P::Patrol),
    ),
    route(
        "patrols",
        "GET",
        "/api/t/:tenant/patrols",
        "listPatrols",
        Tenant(P::ViewPatrols),
    ),
    route(
        "patrols",
        "GET",
        "/api/t/:tenant/patrols/figures",
        "getPatrolFigures",
        Tenant(P::ViewDashboard),
    ),
    route(
        "patrols",
        "GET",
        "/api/t/:tenant/patrols/coverage",
        "getPatrolCoverage",
        Tenant(P::ViewDashboard),
    ),
    route(
        "patrols",
        "GET",
        "/api/t/:tenant/patrols/:id",
        "getPatrol",
        Tenant(P::ViewPatrols),
    ),
    route(
        "patrols",
        "PUT",
        "/api/t/:tenant/patrols/:id/track/:piece",
        "uploadPatrolTrack",
        Tenant(P::Patrol),
    ),
    route(
        "patrols",
        "POST",
        "/api/t/:tenant/patrols/:id/visits",
        "recordPatrolVisit",
        Tenant(P::Patrol),
    ),
    route(
        "patrols",
        "POST",
        "/api/t/:tenant/patrols/:id/end",
        "endPatrol",
        Tenant(P::Patrol),
    ),
    route(
        "patrols",
        "POST",
        "/api/t/:tenant/grid-days",
        "createGridDay",
        Tenant(P::ManagePatrols),
    ),
    route(
        "patrols",
        "GET",
        "/api/t/:tenant/grid-days",
        "listGridDays",
        Tenant(P::ViewDashboard),
    ),
    route(
        "patrols",
        "GET",
        "/api/t/:tenant/grid-days/mine",
        "listMyGridDays",
        Tenant(P::Patrol),
    ),
    route(
        "patrols",
        "GET",
        "/api/t/:tenant/grid-days/:id",
        "getGridDay",
        Tenant(P::ViewPatrols),
    ),
    route(
        "patrols",
        "PUT",
        "/api/t/:tenant/grid-days/:id",
        "updateGridDay",
        Tenant(P::ManagePatrols),
    ),
    route(
        "patrols",
        "DELETE",
        "/api/t/:tenant/grid-days/:id",
        "deleteGridDay",
        Tenant(P::ManagePatrols),
    ),
];

/// The web component's API route (the pages themselves are static files).
pub const WEB: &[Route] = &[route(
    "web",
    "GET",
    "/api/openapi.json",
    "getOpenApi",
    Public,
)];

/// All routes of the application.
pub fn all() -> impl Iterator<Item = &'static Route> {
    [
        ADMIN, REPORTING, ROUTING, STATUS, ENTERPRISE, ANALYTICS, MEDIATION, PATROLS, WEB, OPEN311,
    ]
    .into_iter()
    .flatten()
}

/// The OpenAPI spelling of a path: `:tenant` becomes `{tenant}`.
pub fn openapi_path(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment.strip_prefix(':') {
            Some(name) => format!("{{{name}}}"),
            None => segment.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn openapi() -> serde_json::Value {
        let text = include_str!("../../../static/api/openapi.json");
        serde_json::from_str(text).expect("openapi.json is valid JSON")
    }

    /// (method, path, operationId) of every operation the document lists.
    fn documented() -> BTreeSet<(String, String, String)> {
        let doc = openapi();
        let paths = doc["paths"].as_object().expect("paths object");
        let mut ops = BTreeSet::new();
        for (path, item) in paths {
            for (method, op) in item.as_object().expect("path item object") {
                if method == "parameters" {
                    continue;
                }
                let id = op["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                ops.insert((method.to_uppercase(), path.clone(), id.to_string()));
            }
        }
        ops
    }

    #[test]
    fn every_route_is_documented_and_every_documented_operation_is_routed() {
        let routed: BTreeSet<_> = all()
            .map(|r| {
                (
                    r.method.to_string(),
                    openapi_path(r.path),
                    r.operation.to_string(),
                )
            })
            .collect();
        let documented = documented();
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty(),
            "routes missing from static/api/openapi.json: {undocumented:?}"
        );
        assert!(
            unrouted.is_empty(),
            "documented operations no component serves: {unrouted:?}"
        );
    }

    #[test]
    fn the_document_is_openapi_3_1() {
        assert_eq!(openapi()["openapi"].as_str().map(|v| &v[..3]), Some("3.1"));
    }

    #[test]
    fn operations_and_routes_are_unique() {
        let mut ops = BTreeSet::new();
        let mut routes = BTreeSet::new();
        for r in all() {
            assert!(
                ops.insert(r.operation),
                "duplicate operation {}",
                r.operation
            );
            assert!(
                routes.insert((r.method, r.path)),
                "duplicate route {} {}",
                r.method,
                r.path
            );
        }
    }

    #[test]
    fn openapi_paths() {
        assert_eq!(
            openapi_path("/api/t/:tenant/cases/:id"),
            "/api/t/{tenant}/cases/{id}"
        );
        assert_eq!(openapi_path("/api/openapi.json"), "/api/openapi.json");
    }
}
