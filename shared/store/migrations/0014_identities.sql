-- 0014: ids of tenants and of people are never used twice. A token names
-- its account by id and its tenant by code and id; without AUTOINCREMENT,
-- SQLite hands the highest deleted id to the next row, so a tenant deleted
-- and created again with the same code would accept the tokens of the one
-- before (docs/permissions.md, "Tokens"). SQLite cannot add AUTOINCREMENT
-- to a table, so both are rebuilt with the same rows and ids, as 0012 did:
-- the references to them are checked at commit, when their rows are back.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE tenants_before_14 AS SELECT * FROM tenants;
DROP TABLE tenants;
CREATE TABLE tenants (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    code                   TEXT NOT NULL UNIQUE,
    name                   TEXT NOT NULL,
    kind                   TEXT NOT NULL CHECK (kind IN ('township', 'street', 'district')),
    time_zone              TEXT NOT NULL,
    status                 TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at             TEXT NOT NULL,
    work_day_start_minute  INTEGER NOT NULL DEFAULT 540,
    work_day_end_minute    INTEGER NOT NULL DEFAULT 1050,
    exported_at            TEXT
);
INSERT INTO tenants (id, code, name, kind, time_zone, status, created_at,
    work_day_start_minute, work_day_end_minute, exported_at)
SELECT id, code, name, kind, time_zone, status, created_at, work_day_start_minute,
    work_day_end_minute, exported_at
FROM tenants_before_14;
DROP TABLE tenants_before_14;

CREATE TABLE users_before_14 AS SELECT * FROM users;
DROP TABLE users;
CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      INTEGER REFERENCES tenants(id),
    login          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    token_version  INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    phone          TEXT,
    department_id  INTEGER REFERENCES departments(id),
    agent_point_id INTEGER REFERENCES agent_points(id),
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    enterprise_id  INTEGER REFERENCES enterprises(id),
    UNIQUE (tenant_id, login),
    CHECK ((tenant_id IS NULL) = (role = 'platform_admin'))
);
INSERT INTO users (id, tenant_id, login, display_name, role, password_hash, token_version,
    created_at, phone, department_id, agent_point_id, disabled, enterprise_id)
SELECT id, tenant_id, login, display_name, role, password_hash, token_version, created_at,
    phone, department_id, agent_point_id, disabled, enterprise_id
FROM users_before_14;
DROP TABLE users_before_14;
CREATE UNIQUE INDEX users_platform_login ON users (login) WHERE tenant_id IS NULL;
CREATE UNIQUE INDEX users_phone ON users (tenant_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX users_by_enterprise ON users (tenant_id, enterprise_id) WHERE enterprise_id IS NOT NULL;

-- "Me too" counts a person once per case (docs/status.md): each press is
-- kept under what identifies its presser (a digest of the client address,
-- and of the device's own id when the page sends one), and a press whose
-- address or device is already here is not counted again.
CREATE TABLE me_too_presses (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    presser    TEXT NOT NULL,
    pressed_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, case_id, presser)
);
