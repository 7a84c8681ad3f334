-- 0004: intake: what a report carries beyond 0001 (priority, the category's
-- extra fields, the reporter's private contact and secret, duplicates and
-- "me too"s, fixed on the spot), attachments, and Open311 API keys.

ALTER TABLE cases ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'urgent'));
ALTER TABLE cases ADD COLUMN extra TEXT NOT NULL DEFAULT '{}';
ALTER TABLE cases ADD COLUMN address TEXT;
-- Never public, never in Open311 output; the reporter can erase them.
ALTER TABLE cases ADD COLUMN reporter_name TEXT;
ALTER TABLE cases ADD COLUMN reporter_phone TEXT;
ALTER TABLE cases ADD COLUMN reporter_email TEXT;
-- SHA-256 of the resident's secret token (the token itself is shown once).
ALTER TABLE cases ADD COLUMN reporter_secret_hash TEXT;
-- Until when the reporter may still edit what they wrote.
ALTER TABLE cases ADD COLUMN editable_until TEXT;
ALTER TABLE cases ADD COLUMN me_too_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN fixed_on_the_spot INTEGER NOT NULL DEFAULT 0 CHECK (fixed_on_the_spot IN (0, 1));

CREATE INDEX cases_duplicates ON cases (tenant_id, category, grid_node_id, created_at);

-- Files are stored once per tenant in the key-value store under their
-- SHA-256; this table says which case (if any yet) each belongs to.
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    case_id       INTEGER REFERENCES cases(id),
    sha256        TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'voice')),
    size          INTEGER NOT NULL CHECK (size > 0),
    purpose       TEXT NOT NULL DEFAULT 'evidence' CHECK (purpose IN ('evidence', 'result')),
    public        INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL
);

CREATE INDEX attachments_case ON attachments (tenant_id, case_id);
CREATE INDEX attachments_sha ON attachments (tenant_id, sha256);

-- Open311 API keys: the key is shown once; only its SHA-256 is kept.
CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT,
    UNIQUE (tenant_id, key_hash)
);

-- Idempotency keys: the first answer to a request, replayed for its
-- retries. Written in the same transaction as what the request created, so
-- two concurrent retries cannot both create.
CREATE TABLE idempotency_keys (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    status       INTEGER NOT NULL,
    response     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
