-- 0007: joint handling (联办) and webhook notifications.

-- The assisting departments of a jointly handled case, each with its own
-- part; the lead is `cases.department_id`. The lead cannot resolve the case
-- while a part is open.
CREATE TABLE case_assists (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    case_id        INTEGER NOT NULL REFERENCES cases(id),
    department_id  INTEGER NOT NULL REFERENCES departments(id),
    part           TEXT NOT NULL,
    assigned_at    TEXT NOT NULL,
    answer         TEXT,
    done_by        TEXT,
    done_at        TEXT,
    UNIQUE (tenant_id, case_id, department_id)
);

CREATE INDEX case_assists_department ON case_assists (tenant_id, department_id, done_at);

-- Where a tenant wants its case events posted (CloudEvents 1.0, signed with
-- the webhook's secret).
CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
);

-- The outbox: one row per event and webhook, written in the transaction that
-- records the event, delivered (with retries and backoff) by the sweep.
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
    webhook_id       INTEGER NOT NULL REFERENCES webhooks(id),
    event_id         INTEGER NOT NULL REFERENCES case_events(id),
    payload          TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    last_status      INTEGER,
    last_error       TEXT,
    delivered_at     TEXT,
    created_at       TEXT NOT NULL
);

-- Pending deliveries in due order (delivered and abandoned ones have no next attempt).
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (tenant_id, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (tenant_id, webhook_id, id);
