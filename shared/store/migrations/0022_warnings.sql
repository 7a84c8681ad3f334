-- 0022: early warnings (预警, docs/warnings.md): what the sweep raised, the
-- cases each carries, each tenant's thresholds and the sweep's cursor; the
-- indexes the sweep reads candidates through; and webhook deliveries that
-- announce a warning instead of a case event.

-- A tenant's thresholds (domain::warning::WarningRules); no row: the defaults.
CREATE TABLE warning_rules (
    tenant_id           INTEGER PRIMARY KEY REFERENCES tenants(id),
    recurring_count     INTEGER NOT NULL,
    recurring_days      INTEGER NOT NULL,
    repeat_metres       INTEGER NOT NULL,
    repeat_days         INTEGER NOT NULL,
    repeat_low_rating   INTEGER NOT NULL,
    late_share_percent  INTEGER NOT NULL,
    late_min_closed     INTEGER NOT NULL,
    late_window_days    INTEGER NOT NULL,
    updated_at          TEXT NOT NULL
);

-- Where the last sweep stopped reading changed cases: (updated_at, id).
CREATE TABLE warning_cursors (
    tenant_id   INTEGER PRIMARY KEY REFERENCES tenants(id),
    swept_at    TEXT NOT NULL,
    swept_id    INTEGER NOT NULL
);

-- One warning: its kind, the key that keeps it from being raised twice
-- (one open warning per key), its state, what and where, and who handled
-- it how (the note; the case opened for its root cause).
CREATE TABLE warnings (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    kind           TEXT NOT NULL CHECK (kind IN ('recurring', 'repeat', 'late_risk')),
    dedupe_key     TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'open'
        CHECK (state IN ('open', 'acknowledged', 'case_opened', 'supervised')),
    category       TEXT,
    grid_node_id   INTEGER REFERENCES grid_nodes(id),
    department_id  INTEGER REFERENCES departments(id),
    details        TEXT NOT NULL DEFAULT '{}',
    case_count     INTEGER NOT NULL DEFAULT 0,
    raised_at      TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    handled_at     TEXT,
    handled_by     TEXT,
    note           TEXT,
    root_case_id   INTEGER REFERENCES cases(id)
);
CREATE UNIQUE INDEX warnings_one_open ON warnings (tenant_id, dedupe_key) WHERE state = 'open';
CREATE INDEX warnings_by_key ON warnings (tenant_id, dedupe_key, id);
CREATE INDEX warnings_by_state ON warnings (tenant_id, state, id);

-- The cases a warning carries.
CREATE TABLE warning_cases (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    warning_id  INTEGER NOT NULL REFERENCES warnings(id),
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, warning_id, case_id)
) WITHOUT ROWID;
CREATE INDEX warning_cases_by_case ON warning_cases (tenant_id, case_id);

-- The sweep's cursor: cases created or changed since it last read.
CREATE INDEX cases_changed ON cases (tenant_id, updated_at, id);
-- Earlier cases of the same reporter.
CREATE INDEX cases_reporter_phone ON cases (tenant_id, reporter_phone, category)
    WHERE reporter_phone IS NOT NULL;
-- Earlier disputes of the same party (by phone; organisations by name).
CREATE INDEX mediation_parties_by_phone ON mediation_parties (tenant_id, phone)
    WHERE phone IS NOT NULL;
CREATE INDEX mediation_parties_by_name ON mediation_parties (tenant_id, kind, name);

-- A webhook delivery announces a case event or a warning: SQLite cannot
-- loosen a NOT NULL, so the outbox is rebuilt with the same rows and ids.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE webhook_deliveries_before_warnings AS SELECT * FROM webhook_deliveries;

DROP TABLE webhook_deliveries;

CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
    webhook_id       INTEGER NOT NULL REFERENCES webhooks(id),
    event_id         INTEGER REFERENCES case_events(id),
    warning_id       INTEGER REFERENCES warnings(id),
    payload          TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    last_status      INTEGER,
    last_error       TEXT,
    delivered_at     TEXT,
    created_at       TEXT NOT NULL,
    CHECK ((event_id IS NULL) <> (warning_id IS NULL))
);

INSERT INTO webhook_deliveries (id, tenant_id, webhook_id, event_id, payload, attempts,
    next_attempt_at, last_status, last_error, delivered_at, created_at)
SELECT id, tenant_id, webhook_id, event_id, payload, attempts, next_attempt_at, last_status,
    last_error, delivered_at, created_at
FROM webhook_deliveries_before_warnings;

DROP TABLE webhook_deliveries_before_warnings;

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (tenant_id, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (tenant_id, webhook_id, id);
