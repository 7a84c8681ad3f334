-- 0012: a dispute's papers (IOUs, contracts, agreements) may be PDFs: an
-- attachment of kind 'document'. SQLite cannot change a CHECK constraint,
-- so the attachments table is rebuilt with the same rows and ids. The
-- references to it (notice_attachments) are checked at commit, when the
-- rows they name are back. A document is never public: the schema says so
-- too, whatever a caller asks.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE attachments_before_papers AS SELECT * FROM attachments;

DROP TABLE attachments;

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    case_id       INTEGER REFERENCES cases(id),
    sha256        TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('photo', 'video', 'voice', 'document')),
    size          INTEGER NOT NULL CHECK (size > 0),
    purpose       TEXT NOT NULL DEFAULT 'evidence' CHECK (purpose IN ('evidence', 'result')),
    public        INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL,
    CHECK (kind <> 'document' OR public = 0)
);

INSERT INTO attachments (id, tenant_id, case_id, sha256, content_type, kind, size, purpose,
    public, uploaded_by, uploaded_at)
SELECT id, tenant_id, case_id, sha256, content_type, kind, size, purpose, public, uploaded_by,
    uploaded_at
FROM attachments_before_papers;

DROP TABLE attachments_before_papers;

CREATE INDEX attachments_case ON attachments (tenant_id, case_id);
CREATE INDEX attachments_sha ON attachments (tenant_id, sha256);
