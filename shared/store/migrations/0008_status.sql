-- 0008: public status and transparency (issue 6): notices (公告) with their
-- files, and the indexes the public look-up, board and figures read by.

-- A notice published to a grid node (township: everyone; a community or a
-- grid: its residents). Withdrawn notices are kept for the record.
CREATE TABLE notices (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants(id),
    grid_node_id  INTEGER NOT NULL REFERENCES grid_nodes(id),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL,
    withdrawn_at  TEXT
);

-- Residents read the newest first; a tenant has few enough notices that
-- filtering by place while walking this index is cheap.
CREATE INDEX notices_recent ON notices (tenant_id, id);

-- Files shown with a notice; an attachment serves one case or one notice.
CREATE TABLE notice_attachments (
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    notice_id      INTEGER NOT NULL REFERENCES notices(id),
    attachment_id  INTEGER NOT NULL REFERENCES attachments(id),
    PRIMARY KEY (tenant_id, attachment_id)
);

CREATE INDEX notice_attachments_notice ON notice_attachments (tenant_id, notice_id);

-- The board walks a tenant's cases newest first and filters as it goes, so
-- a page costs a short index walk, never a sort of every matching case.
CREATE INDEX cases_board ON cases (tenant_id, id);

-- The figures read only this index (a covering scan of the window), not
-- the table.
CREATE INDEX cases_figures ON cases (tenant_id, created_at, state, resolved_at, resolution_due_at, rating);
