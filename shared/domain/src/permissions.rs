//! Who may do what: the permission matrix (role × permission), in one place.
//!
//! Every route of the API declares the permission it needs (see the `api`
//! crate); the components' shared edge checks it against this table before
//! any handler runs. `docs/permissions.md` is rendered from this table and a
//! test keeps it current.

use serde::Serialize;

use crate::auth::Role;

/// An action a caller may be allowed to take within a tenant (or, for the
/// platform ones, on the deployment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Onboard, suspend, export and delete tenants.
    ManageTenants,
    /// Read one's own session; log out; change one's own password.
    UseOwnAccount,
    /// Read the grid, departments, agent points and the calendar.
    ReadOrganisation,
    /// Create, rename, move, retire, import grids; set their geometry.
    ManageGrid,
    /// Departments and their staff; agent points and their agents.
    ManageOrganisation,
    /// The service catalogue: categories of case and their deadlines.
    ManageCategories,
    /// People, roles, grid assignments.
    ManagePeople,
    /// The tenant's working calendar.
    ManageCalendar,
    /// Read the audit log.
    ReadAudit,
    /// Report a case with an account (grid workers on their rounds, agents).
    ReportWithAccount,
    /// Upload photos, video and voice notes with an account: evidence for a
    /// report, the result of the work for a resolution.
    UploadFiles,
    /// See cases and their timelines.
    ViewCases,
    /// Move cases through the case flow.
    ActOnCases,
    /// The dashboard's figures, hot spots, league tables and exports.
    ViewDashboard,
    /// Publish and withdraw notices (公告) to a community or grid. Grid
    /// workers only where they are assigned (the community's own staff).
    PublishNotices,
    /// An enterprise's own desk: its registration, its colleagues' accounts,
    /// its requests and their timelines.
    UseEnterpriseServices,
    /// Approve or reject the registrations of enterprises.
    ApproveEnterprises,
    /// Publish policy documents, and departments' answers to policy
    /// inquiries as the tenant's policy Q&A.
    PublishPolicies,
    /// The mediation centre's work: take in disputes with their parties
    /// (whose contact details only the centre sees), record sessions and
    /// outcomes. Department staff staff the centre's windows.
    MediateDisputes,
    /// The agent service: take a resident's matter with their consent, keep
    /// its needs, task and time lists, pass it up a level. Agents see the
    /// matters of their own agent point and those passed up to it.
    HandleAgentMatters,
    /// Walk a grid on patrol: start and end one's own patrols, upload their
    /// track, record visits; sign in to a grid day one is on.
    Patrol,
    /// See patrols and grid days: the centre and the tenant admin every
    /// one and its track, those who patrol their own only.
    ViewPatrols,
    /// Plan grid days and set how long tracks are kept.
    ManagePatrols,
}

impl Permission {
    pub const ALL: [Permission; 23] = [
        Self::ManageTenants,
        Self::UseOwnAccount,
        Self::ReadOrganisation,
        Self::ManageGrid,
        Self::ManageOrganisation,
        Self::ManageCategories,
        Self::ManagePeople,
        Self::ManageCalendar,
        Self::ReadAudit,
        Self::ReportWithAccount,
        Self::UploadFiles,
        Self::ViewCases,
        Self::ActOnCases,
        Self::PublishNotices,
        Self::UseEnterpriseServices,
        Self::ApproveEnterprises,
        Self::PublishPolicies,
        Self::ViewDashboard,
        Self::MediateDisputes,
        Self::HandleAgentMatters,
        Self::Patrol,
        Self::ViewPatrols,
        Self::ManagePatrols,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ManageTenants => "manage_tenants",
            Self::UseOwnAccount => "use_own_account",
            Self::ReadOrganisation => "read_organisation",
            Self::ManageGrid => "manage_grid",
            Self::ManageOrganisation => "manage_organisation",
            Self::ManageCategories => "manage_categories",
            Self::ManagePeople => "manage_people",
            Self::ManageCalendar => "manage_calendar",
            Self::ReadAudit => "read_audit",
            Self::ReportWithAccount => "report_with_account",
            Self::UploadFiles => "upload_files",
            Self::ViewCases => "view_cases",
            Self::ActOnCases => "act_on_cases",
            Self::ViewDashboard => "view_dashboard",
            Self::PublishNotices => "publish_notices",
            Self::UseEnterpriseServices => "use_enterprise_services",
            Self::ApproveEnterprises => "approve_enterprises",
            Self::PublishPolicies => "publish_policies",
            Self::MediateDisputes => "mediate_disputes",
            Self::HandleAgentMatters => "handle_agent_matters",
            Self::Patrol => "patrol",
            Self::ViewPatrols => "view_patrols",
            Self::ManagePatrols => "manage_patrols",
        }
    }

    /// What the permission covers, for the rendered matrix.
    pub fn describe(self) -> &'static str {
        match self {
            Self::ManageTenants => "onboard, suspend, export and delete tenants",
            Self::UseOwnAccount => "own session, log out, change own password",
            Self::ReadOrganisation => "read the grid, departments, agent points, calendar",
            Self::ManageGrid => "create, rename, move, retire, import grids",
            Self::ManageOrganisation => "departments, agent points",
            Self::ManageCategories => "categories of case and their deadlines",
            Self::ManagePeople => "people, roles, grid assignments",
            Self::ManageCalendar => "the working calendar",
            Self::ReadAudit => "read the audit log",
            Self::ReportWithAccount => "report a case with an account",
            Self::UploadFiles => "upload photos, video, voice notes (evidence, results)",
            Self::ViewCases => "see cases and their timelines",
            Self::ActOnCases => "move cases through the case flow",
            Self::ViewDashboard => "the dashboard: figures, hot spots, league tables, exports",
            Self::PublishNotices => {
                "publish notices to a community or grid (grid workers: where assigned)"
            }
            Self::UseEnterpriseServices => {
                "an enterprise's own account, colleagues, requests and their timelines"
            }
            Self::ApproveEnterprises => "approve or reject enterprises' registrations",
            Self::PublishPolicies => "publish policies and answers to the policy Q&A",
            Self::MediateDisputes => {
                "the mediation centre: disputes, their parties, sessions and outcomes"
            }
            Self::HandleAgentMatters => {
                "the agent service: residents' matters, their lists and levels (agents: their point's)"
            }
            Self::Patrol => {
                "patrol a grid: own patrols, their track and visits; sign in on a grid day"
            }
            Self::ViewPatrols => "see patrols, tracks and grid days (those who patrol: their own)",
            Self::ManagePatrols => "plan grid days; set how long tracks are kept",
        }
    }
}

use Permission as P;
use Role as R;

/// The matrix: for each permission, the roles that hold it. Platform admins
/// hold only platform permissions: they run the service, not a township.
const MATRIX: &[(Permission, &[Role])] = &[
    (P::ManageTenants, &[R::PlatformAdmin]),
    (
        P::UseOwnAccount,
        &[
            R::PlatformAdmin,
            R::TenantAdmin,
            R::CommandCentre,
            R::DepartmentStaff,
            R::GridWorker,
            R::Agent,
            R::Enterprise,
            R::Volunteer,
        ],
    ),
    (
        P::ReadOrganisation,
        &[
            R::TenantAdmin,
            R::CommandCentre,
            R::DepartmentStaff,
            R::GridWorker,
            R::Agent,
        ],
    ),
    (P::ManageGrid, &[R::TenantAdmin]),
    (P::ManageOrganisation, &[R::TenantAdmin]),
    (P::ManageCategories, &[R::TenantAdmin]),
    (P::ManagePeople, &[R::TenantAdmin]),
    (P::ManageCalendar, &[R::TenantAdmin]),
    (P::ReadAudit, &[R::TenantAdmin]),
    // Volunteers: only the problems found on their own patrols (the
    // reporting component refuses a volunteer's report without one).
    (
        P::ReportWithAccount,
        &[R::GridWorker, R::Agent, R::Volunteer],
    ),
    (
        P::UploadFiles,
        &[
            R::TenantAdmin,
            R::CommandCentre,
            R::DepartmentStaff,
            R::GridWorker,
            R::Agent,
            R::Volunteer,
        ],
    ),
    (
        P::ViewCases,
        &[
            R::TenantAdmin,
            R::CommandCentre,
            R::DepartmentStaff,
            R::GridWorker,
        ],
    ),
    (
        // Grid workers: only to check the result of their own reports
        // (`workflow::may_take` narrows every step by role and standing).
        P::ActOnCases,
        &[
            R::TenantAdmin,
            R::CommandCentre,
            R::DepartmentStaff,
            R::GridWorker,
        ],
    ),
    (P::PublishNotices, &[R::TenantAdmin, R::GridWorker]),
    (P::UseEnterpriseServices, &[R::Enterprise]),
    // "A tenant admin or department approves it" (issue 7).
    (P::ApproveEnterprises, &[R::TenantAdmin, R::DepartmentStaff]),
    (P::PublishPolicies, &[R::TenantAdmin, R::DepartmentStaff]),
    (P::ViewDashboard, &[R::TenantAdmin, R::CommandCentre]),
    // The centre's windows are staffed by departments (17 at 12 windows).
    (
        P::MediateDisputes,
        &[R::TenantAdmin, R::CommandCentre, R::DepartmentStaff],
    ),
    (
        P::HandleAgentMatters,
        &[R::TenantAdmin, R::CommandCentre, R::Agent],
    ),
    (P::Patrol, &[R::GridWorker, R::Volunteer]),
    (
        P::ViewPatrols,
        &[
            R::TenantAdmin,
            R::CommandCentre,
            R::GridWorker,
            R::Volunteer,
        ],
    ),
    (P::ManagePatrols, &[R::TenantAdmin]),
];

/// Whether `role` holds `permission`.
pub fn allows(role: Role, permission: Permission) -> bool {
    MATRIX
        .iter()
        .find(|(p, _)| *p == permission)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

/// The matrix as a Markdown table (rows: permissions; columns: roles).
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Permissions\n\nRendered from `shared/domain/src/permissions.rs` \
         (a test keeps this file current). Every route declares the permission it \
         needs in `shared/api`; the edge checks it before the handler runs.\n\n",
    );
    out.push_str("| permission | covers |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.as_str()));
    }
    out.push_str("\n| --- | --- |");
    for _ in Role::ALL {
        out.push_str(" :-: |");
    }
    out.push('\n');
    for permission in Permission::ALL {
        out.push_str(&format!(
            "| `{}` | {} |",
            permission.as_str(),
            permission.describe()
        ));
        for role in Role::ALL {
            out.push_str(if allows(role, permission) {
                " ✓ |"
            } else {
                " |"
            });
        }
        out.push('\n');
    }
    out.push_str(BEYOND_THE_MATRIX);
    out
}

/// What the matrix cannot show: rules that depend on the case or the
/// token, decided elsewhere and promised here.
const BEYOND_THE_MATRIX: &str = "
## Beyond the matrix

- **Publishing on a case** (a public comment, shown on the status page): the \
command centre, the tenant admin and the department holding the case only \
(`domain::workflow::may_publish_on`); anyone else who may read the case writes \
internal notes, and asking to publish is a 403 naming `public`.
- **A case's place and reporter**: every staff member who may read a case sees \
its place (the pin, the address as typed, the grid path down to the micro-grid); \
the reporter's name, phone and e-mail (`contact`) only the command centre, the \
tenant admin, the department holding the case and the grid worker who reported it \
(`domain::workflow::may_see_contact`). The public sees neither (status page, board, \
Open311).
- **The grid's shapes and the map's tiles** (`GET …/admin/grid`, `GET …/admin/map`) \
are public, like the categories: every page draws the map, the resident portal \
included. Setting the tiles (`PUT …/admin/map`) is `manage_grid`. A tile provider's \
key (天地图's `tk`) is a browser key, seen by whoever opens a map: restrict it to the \
township's web address at the provider (docs/maps.md). `…/admin/grid/locate` stays \
`read_organisation`: the pages find the grid holding a position from the public shapes.
- **Smart triage** (研判, docs/triage.md): a case's suggestions \
(`GET …/cases/{id}/suggestions`, `act_on_cases`) go only to those who dispatch, \
the command centre and the tenant admin (`domain::workflow::may_take` for \
`dispatch`; a department or a grid worker gets 403); the resident's check \
(`POST …/triage/check`) is public and names only a public category; undoing the \
triage's dispatch (`undo_triage`) is the command centre's and the tenant admin's; \
automatic dispatch is set by the tenant admin (`…/admin/triage`, \
`manage_organisation`), its counts are on the dashboard (`view_dashboard`).
- **SMS to residents** (`…/admin/sms`, `…/admin/sms/deliveries`): the tenant \
admin (`manage_organisation`) sets the provider and reads the messages sent, each \
number masked (`139****2222`); the provider's AccessKey secret is write-only, \
answered only as whether it is set. No one else reads a resident's number through \
them, and it is in no log and no webhook (docs/sms.md).
- **Patrols and their tracks** (docs/patrols.md): a track is personal data. The \
grid worker or volunteer who walked it, the command centre and the tenant admin \
see it; those who patrol see only their own patrols (`person` naming someone else \
is a 403); department staff, agents and enterprises have no patrol route, the \
public none. A volunteer reports only on its own patrol (`patrol_id`) and sees its \
reports there, no other case. Tracks older than the tenant's retention are thinned \
to their summary by the sweep.
- **Steps of the case flow**: who takes which is `domain::workflow::may_take` \
(the department holding the case, the centre, the reporting grid worker to verify).
- **Tokens** name their tenant by code and id; ids of tenants and people are never \
reused, so a tenant deleted and created again under its code refuses the old \
tokens (401). A suspended tenant refuses every request made with a token.
- **Logins** never look like phone numbers (409 naming `login`); a phone-shaped \
login signs in among phones only.

docs/security.md has every promise with the test that attacks it.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_in_the_matrix_once() {
        for permission in Permission::ALL {
            let rows = MATRIX.iter().filter(|(p, _)| *p == permission).count();
            assert_eq!(rows, 1, "{permission:?}");
        }
        assert_eq!(MATRIX.len(), Permission::ALL.len());
    }

    #[test]
    fn platform_admins_hold_no_tenant_permission() {
        for permission in Permission::ALL {
            if !matches!(permission, P::ManageTenants | P::UseOwnAccount) {
                assert!(!allows(R::PlatformAdmin, permission), "{permission:?}");
            }
        }
    }

    #[test]
    fn spot_checks() {
        let check = |role, permission, expected| {
            assert_eq!(
                allows(role, permission),
                expected,
                "{role:?} {permission:?}"
            );
        };
        check(R::TenantAdmin, P::ManageGrid, true);
        check(R::GridWorker, P::ManageGrid, false);
        check(R::GridWorker, P::ReportWithAccount, true);
        check(R::Enterprise, P::ViewCases, false);
        check(R::DepartmentStaff, P::ActOnCases, true);
        check(R::TenantAdmin, P::ManageTenants, false);
        check(R::Enterprise, P::UseEnterpriseServices, true);
        check(R::DepartmentStaff, P::UseEnterpriseServices, false);
        check(R::Enterprise, P::PublishPolicies, false);
        check(R::GridWorker, P::ApproveEnterprises, false);
        check(R::DepartmentStaff, P::MediateDisputes, true);
        check(R::GridWorker, P::MediateDisputes, false);
        check(R::Agent, P::MediateDisputes, false);
        check(R::Agent, P::HandleAgentMatters, true);
        check(R::DepartmentStaff, P::HandleAgentMatters, false);
        check(R::Volunteer, P::Patrol, true);
        check(R::Volunteer, P::ReportWithAccount, true);
        check(R::Volunteer, P::ViewCases, false);
        check(R::Volunteer, P::ViewDashboard, false);
        check(R::Volunteer, P::ReadOrganisation, false);
        check(R::Volunteer, P::ManagePatrols, false);
        check(R::CommandCentre, P::Patrol, false);
        check(R::CommandCentre, P::ViewPatrols, true);
        check(R::DepartmentStaff, P::ViewPatrols, false);
        check(R::Enterprise, P::ViewPatrols, false);
    }

    #[test]
    fn the_rendered_matrix_in_docs_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/permissions.md");
        let rendered = render_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &rendered).expect("write docs/permissions.md");
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == rendered,
            "docs/permissions.md is stale: run `UPDATE_DOCS=1 cargo test -p domain permissions`"
        );
    }
}
