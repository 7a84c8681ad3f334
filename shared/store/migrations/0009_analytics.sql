-- 0009: the command centre's figures, kept up to date on every case change.

-- When the case reached its outcome (closed or declined); cleared on reopen.
ALTER TABLE cases ADD COLUMN closed_at TEXT;
-- How many times the case was reopened (by the centre or a low rating).
ALTER TABLE cases ADD COLUMN reopen_count INTEGER NOT NULL DEFAULT 0;

-- Cases that reached their outcome before this step: from their history.
UPDATE cases SET closed_at = (
    SELECT MAX(e.at) FROM case_events e
    WHERE e.tenant_id = cases.tenant_id AND e.case_id = cases.id
    AND e.to_state IN ('closed', 'declined')
) WHERE state IN ('closed', 'declined', 'archived');
UPDATE cases SET reopen_count = (
    SELECT COUNT(*) FROM case_events e
    WHERE e.tenant_id = cases.tenant_id AND e.case_id = cases.id AND e.action = 'reopen'
);

-- The sum, over every case of the tenant, of what the case contributes to
-- the figures (`domain::analytics`), per day (the tenant's local date of
-- each counted moment), category, department (0: none), source, and grid
-- node: each case counts at its own node and every node above it, and at
-- node 0, the whole tenant. Maintained in the transaction of each case
-- change (the old contribution out, the new one in); `rebuild` recomputes
-- it from the cases.
CREATE TABLE case_stats (
    tenant_id           INTEGER NOT NULL REFERENCES tenants(id),
    grid_node_id        INTEGER NOT NULL,
    day                 TEXT NOT NULL,
    category            TEXT NOT NULL,
    department_id       INTEGER NOT NULL,
    source              TEXT NOT NULL,
    received            INTEGER NOT NULL DEFAULT 0,
    closed              INTEGER NOT NULL DEFAULT 0,
    declined            INTEGER NOT NULL DEFAULT 0,
    on_time             INTEGER NOT NULL DEFAULT 0,
    fixed_on_the_spot   INTEGER NOT NULL DEFAULT 0,
    reopened            INTEGER NOT NULL DEFAULT 0,
    responded           INTEGER NOT NULL DEFAULT 0,
    response_minutes    INTEGER NOT NULL DEFAULT 0,
    resolved            INTEGER NOT NULL DEFAULT 0,
    resolution_minutes  INTEGER NOT NULL DEFAULT 0,
    rated               INTEGER NOT NULL DEFAULT 0,
    rating_sum          INTEGER NOT NULL DEFAULT 0,
    satisfied           INTEGER NOT NULL DEFAULT 0,
    -- Resolution times as a histogram, for medians (bounds in domain::analytics).
    resolution_b0       INTEGER NOT NULL DEFAULT 0,
    resolution_b1       INTEGER NOT NULL DEFAULT 0,
    resolution_b2       INTEGER NOT NULL DEFAULT 0,
    resolution_b3       INTEGER NOT NULL DEFAULT 0,
    resolution_b4       INTEGER NOT NULL DEFAULT 0,
    resolution_b5       INTEGER NOT NULL DEFAULT 0,
    resolution_b6       INTEGER NOT NULL DEFAULT 0,
    resolution_b7       INTEGER NOT NULL DEFAULT 0,
    resolution_b8       INTEGER NOT NULL DEFAULT 0,
    resolution_b9       INTEGER NOT NULL DEFAULT 0,
    response_b0         INTEGER NOT NULL DEFAULT 0,
    response_b1         INTEGER NOT NULL DEFAULT 0,
    response_b2         INTEGER NOT NULL DEFAULT 0,
    response_b3         INTEGER NOT NULL DEFAULT 0,
    response_b4         INTEGER NOT NULL DEFAULT 0,
    response_b5         INTEGER NOT NULL DEFAULT 0,
    response_b6         INTEGER NOT NULL DEFAULT 0,
    response_b7         INTEGER NOT NULL DEFAULT 0,
    response_b8         INTEGER NOT NULL DEFAULT 0,
    response_b9         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, grid_node_id, day, category, department_id, source)
) WITHOUT ROWID;

-- Open cases by clock, for "overdue now" (open cases are few).
CREATE INDEX cases_open_escalation ON cases (tenant_id, state, escalation_level);
