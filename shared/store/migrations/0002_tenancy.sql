-- 0002: tenancy: working calendars, grid geometry, departments, categories,
-- agent points, grid assignments, people's extra fields, and the audit log.
-- Same rules as 0001: one statement per ';' at the end of a line.

-- Working hours of the tenant's calendar (minutes after local midnight).
ALTER TABLE tenants ADD COLUMN work_day_start_minute INTEGER NOT NULL DEFAULT 540;
ALTER TABLE tenants ADD COLUMN work_day_end_minute INTEGER NOT NULL DEFAULT 1050;

-- Days that differ from the Monday-to-Friday rule: public holidays on working
-- days, and make-up working days (调休) on weekends. Data, not code.
CREATE TABLE calendar_days (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    day        TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, day)
);

-- A point or polygon (GeoJSON geometry, text) and its bounding box, which
-- narrows the point-in-polygon search to a few candidates.
ALTER TABLE grid_nodes ADD COLUMN geometry TEXT;
ALTER TABLE grid_nodes ADD COLUMN min_lat REAL;
ALTER TABLE grid_nodes ADD COLUMN min_lon REAL;
ALTER TABLE grid_nodes ADD COLUMN max_lat REAL;
ALTER TABLE grid_nodes ADD COLUMN max_lon REAL;
ALTER TABLE grid_nodes ADD COLUMN households INTEGER;

CREATE INDEX grid_nodes_bbox ON grid_nodes (tenant_id, level, min_lat, max_lat);

CREATE TABLE departments (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    code       TEXT NOT NULL,
    name       TEXT NOT NULL,
    retired    INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    UNIQUE (tenant_id, code)
);

-- The service catalogue: what a report can be about, who owns it by default,
-- and how long the owner has to respond and to resolve (working hours).
CREATE TABLE categories (
    id                     INTEGER PRIMARY KEY,
    tenant_id              INTEGER NOT NULL REFERENCES tenants(id),
    code                   TEXT NOT NULL,
    name_zh                TEXT NOT NULL,
    name_en                TEXT NOT NULL,
    default_department_id  INTEGER REFERENCES departments(id),
    response_hours         INTEGER NOT NULL CHECK (response_hours > 0),
    resolution_hours       INTEGER NOT NULL CHECK (resolution_hours > 0),
    extra_fields           TEXT NOT NULL DEFAULT '[]',
    retired                INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    UNIQUE (tenant_id, code)
);

-- 代办点: where petition agents work, at village, township or district level.
CREATE TABLE agent_points (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    level         TEXT NOT NULL CHECK (level IN ('village', 'township', 'district')),
    grid_node_id  INTEGER REFERENCES grid_nodes(id),
    UNIQUE (tenant_id, code)
);

ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN department_id INTEGER REFERENCES departments(id);
ALTER TABLE users ADD COLUMN agent_point_id INTEGER REFERENCES agent_points(id);
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));

CREATE UNIQUE INDEX users_phone ON users (tenant_id, phone) WHERE phone IS NOT NULL;

-- Grid workers hold grids; a micro-grid has at most one chief (微网格长).
CREATE TABLE grid_assignments (
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    grid_node_id  INTEGER NOT NULL REFERENCES grid_nodes(id),
    is_chief      INTEGER NOT NULL DEFAULT 0 CHECK (is_chief IN (0, 1)),
    PRIMARY KEY (tenant_id, user_id, grid_node_id)
);

CREATE UNIQUE INDEX grid_assignments_one_chief ON grid_assignments (tenant_id, grid_node_id) WHERE is_chief = 1;
CREATE INDEX grid_assignments_node ON grid_assignments (tenant_id, grid_node_id);

-- Every admin action: who, when, what, and the record before and after (JSON).
-- tenant_id is NULL for platform actions. Append-only.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER REFERENCES tenants(id),
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL,
    target_id    TEXT,
    before       TEXT,
    after        TEXT
);

CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
