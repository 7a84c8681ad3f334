-- 0010: enterprise services (企业服务): companies and their users, their
-- requests (cases with source 'enterprise'), policy documents and the
-- policy Q&A, with full-text indexes that work for Chinese.

-- A company of the tenant's area, by its unified social credit code.
CREATE TABLE enterprises (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    credit_code    TEXT NOT NULL,
    name           TEXT NOT NULL,
    address        TEXT NOT NULL,
    industry       TEXT NOT NULL,
    contact_name   TEXT NOT NULL,
    contact_phone  TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by     TEXT,
    decided_at     TEXT,
    decision_note  TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (tenant_id, credit_code)
);
CREATE INDEX enterprises_by_status ON enterprises (tenant_id, status, id);

-- The company an enterprise user acts for (NULL for every other role).
ALTER TABLE users ADD COLUMN enterprise_id INTEGER REFERENCES enterprises(id);
CREATE INDEX users_by_enterprise ON users (tenant_id, enterprise_id) WHERE enterprise_id IS NOT NULL;

-- What makes a case an enterprise's request: whose it is, its kind, and
-- the kind's own details (a JSON object), which only the enterprise and
-- staff see.
CREATE TABLE enterprise_requests (
    case_id        INTEGER PRIMARY KEY REFERENCES cases(id),
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    enterprise_id  INTEGER NOT NULL REFERENCES enterprises(id),
    kind           TEXT NOT NULL,
    title          TEXT NOT NULL,
    submitted_by   INTEGER NOT NULL REFERENCES users(id),
    details        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX enterprise_requests_by_enterprise ON enterprise_requests (tenant_id, enterprise_id, case_id);

-- A policy document. Dates are the tenant's local dates (YYYY-MM-DD);
-- tags a JSON list of strings. A superseded policy stays readable and
-- names its successor.
CREATE TABLE policies (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    issuer          TEXT NOT NULL,
    effective_from  TEXT NOT NULL,
    effective_to    TEXT,
    tags            TEXT NOT NULL DEFAULT '[]',
    department_id   INTEGER REFERENCES departments(id),
    superseded_by   INTEGER REFERENCES policies(id),
    published_by    TEXT NOT NULL,
    published_at    TEXT NOT NULL
);
CREATE INDEX policies_by_tenant ON policies (tenant_id, id);

-- A policy's files (PDF, Word, spreadsheets, scans); the bytes are in the
-- key-value store by digest. policy_id is NULL between upload and publication.
CREATE TABLE policy_files (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    policy_id     INTEGER REFERENCES policies(id),
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL
);
CREATE INDEX policy_files_by_policy ON policy_files (tenant_id, policy_id);

-- A department's answer to a policy inquiry, anonymised and published.
-- Withdrawn answers keep their row (and their place in the index, which
-- always mirrors this table) and are filtered out of every read.
CREATE TABLE policy_answers (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    case_id        INTEGER REFERENCES cases(id),
    question       TEXT NOT NULL,
    answer         TEXT NOT NULL,
    department_id  INTEGER REFERENCES departments(id),
    published_by   TEXT NOT NULL,
    published_at   TEXT NOT NULL,
    withdrawn_at   TEXT
);
CREATE UNIQUE INDEX policy_answers_one_per_case ON policy_answers (tenant_id, case_id) WHERE case_id IS NOT NULL AND withdrawn_at IS NULL;
CREATE INDEX policy_answers_by_tenant ON policy_answers (tenant_id, id);

-- The policy documents an answer refers to.
CREATE TABLE policy_answer_policies (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    answer_id  INTEGER NOT NULL REFERENCES policy_answers(id),
    policy_id  INTEGER NOT NULL REFERENCES policies(id),
    PRIMARY KEY (answer_id, policy_id)
);

-- Full-text indexes over the tables above (external content: the text is
-- stored once). SQLite's trigram tokenizer indexes every three characters,
-- so Chinese, which has no spaces between words, is searchable; libSQL
-- ships FTS5 with it. There are no triggers (a migration statement cannot
-- hold the `;` a trigger body needs): the store writes index rows in the
-- transaction that writes their content row.
CREATE VIRTUAL TABLE policy_answers_fts USING fts5 (question, answer, content = 'policy_answers', content_rowid = 'id', tokenize = 'trigram');
CREATE VIRTUAL TABLE policies_fts USING fts5 (title, body, content = 'policies', content_rowid = 'id', tokenize = 'trigram');
