-- 0001: tenants, users, the grid, cases and their history.
-- Rules for every migration file: one statement per ';' at the end of a line, no ';'
-- inside a statement (no triggers, no literals with ';'), SQL that SQLite and libSQL
-- both accept. Times are ISO 8601 UTC text. Every tenant-owned table has tenant_id,
-- and its indexes lead with tenant_id, because every query is tenant-scoped.

CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('township', 'street', 'district')),
    time_zone   TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at  TEXT NOT NULL
);

-- tenant_id is NULL exactly for platform admins.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER REFERENCES tenants(id),
    login          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    token_version  INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    UNIQUE (tenant_id, login),
    CHECK ((tenant_id IS NULL) = (role = 'platform_admin'))
);

-- UNIQUE (tenant_id, login) treats NULLs as distinct, so platform logins need their own.
CREATE UNIQUE INDEX users_platform_login ON users (login) WHERE tenant_id IS NULL;

CREATE TABLE grid_nodes (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    parent_id  INTEGER REFERENCES grid_nodes(id),
    level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    retired    INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    UNIQUE (tenant_id, code)
);

CREATE INDEX grid_nodes_parent ON grid_nodes (tenant_id, parent_id);

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    tenant_id         INTEGER NOT NULL REFERENCES tenants(id),
    tracking_code     TEXT NOT NULL,
    category          TEXT NOT NULL,
    description       TEXT NOT NULL,
    grid_node_id      INTEGER REFERENCES grid_nodes(id),
    latitude          REAL,
    longitude         REAL,
    state             TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    source            TEXT NOT NULL
        CHECK (source IN ('grid_worker', 'resident', 'enterprise', 'mediation', 'agent')),
    reporter_user_id  INTEGER REFERENCES users(id),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    UNIQUE (tenant_id, tracking_code)
);

CREATE INDEX cases_state ON cases (tenant_id, state);
CREATE INDEX cases_grid_node ON cases (tenant_id, grid_node_id);
CREATE INDEX cases_created_at ON cases (tenant_id, created_at);

-- Append-only history: the store has no UPDATE or DELETE for it.
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_state  TEXT,
    to_state    TEXT NOT NULL,
    note        TEXT,
    public      INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1))
);

CREATE INDEX case_events_case ON case_events (tenant_id, case_id, id);
