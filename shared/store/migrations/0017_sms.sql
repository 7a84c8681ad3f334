-- 0017: SMS notifications to residents who left a phone (docs/sms.md).

-- A tenant's SMS provider: at most one row. The AccessKey secret is written
-- through the API and read only by the sweep that signs with it; it is never
-- answered back (and never exported). A step whose template is '' is not sent.
CREATE TABLE sms_settings (
    tenant_id                 INTEGER PRIMARY KEY REFERENCES tenants(id),
    provider                  TEXT NOT NULL DEFAULT 'aliyun' CHECK (provider IN ('aliyun')),
    endpoint                  TEXT NOT NULL,
    access_key_id             TEXT NOT NULL DEFAULT '',
    access_key_secret         TEXT NOT NULL DEFAULT '',
    sign_name                 TEXT NOT NULL DEFAULT '',
    template_accepted         TEXT NOT NULL DEFAULT '',
    template_dispatched       TEXT NOT NULL DEFAULT '',
    template_resolved         TEXT NOT NULL DEFAULT '',
    template_closed           TEXT NOT NULL DEFAULT '',
    template_rate_invitation  TEXT NOT NULL DEFAULT '',
    enabled                   INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    updated_at                TEXT NOT NULL
);

-- The SMS outbox: one row per message, written in the transaction that
-- records the case event, sent (with the webhooks' retries and backoff) by
-- the sweep. The phone number is not copied here: it is read from the case
-- when the message is sent, so erasing the contact leaves nothing to send.
CREATE TABLE sms_deliveries (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants(id),
    case_id          INTEGER NOT NULL REFERENCES cases(id),
    event_id         INTEGER NOT NULL REFERENCES case_events(id),
    step             TEXT NOT NULL CHECK (step IN ('accepted', 'dispatched', 'resolved', 'closed', 'rate_invitation')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    last_status      INTEGER,
    last_error       TEXT,
    provider_id      TEXT,
    delivered_at     TEXT,
    cancelled_at     TEXT,
    created_at       TEXT NOT NULL
);

CREATE INDEX sms_deliveries_due ON sms_deliveries (tenant_id, next_attempt_at);
CREATE INDEX sms_deliveries_case ON sms_deliveries (tenant_id, case_id, next_attempt_at);
