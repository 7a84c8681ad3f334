-- 0013: the sweep deletes uploads left on nothing past their retention
-- (domain::intake::UNLINKED_UPLOAD_RETENTION, docs/intake.md), and then the
-- bytes no row uses any more.

-- The sweep finds abandoned uploads by age without reading linked ones.
CREATE INDEX attachments_unlinked ON attachments (tenant_id, uploaded_at) WHERE case_id IS NULL;

-- Digests whose rows the sweep deleted: their bytes leave the key-value
-- store unless a row uses the digest again. Written in the transaction that
-- deletes the rows, and each removed in the transaction that deletes its
-- bytes, so a sweep that stops between the two leaves the work here for the
-- next one.
CREATE TABLE files_to_delete (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    sha256       TEXT NOT NULL,
    released_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);

-- Policy files share the bytes of the same digest: whether one still uses
-- a digest is a look-up.
CREATE INDEX policy_files_sha ON policy_files (tenant_id, sha256);
