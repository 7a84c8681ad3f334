-- 0005: the workflow: which department holds a case, its deadlines (the
-- clock starts at dispatch), pauses, escalation, and the routing rules.

ALTER TABLE cases ADD COLUMN department_id INTEGER REFERENCES departments(id);
ALTER TABLE cases ADD COLUMN dispatched_at TEXT;
ALTER TABLE cases ADD COLUMN response_due_at TEXT;
ALTER TABLE cases ADD COLUMN resolution_due_at TEXT;
ALTER TABLE cases ADD COLUMN responded_at TEXT;
ALTER TABLE cases ADD COLUMN resolved_at TEXT;
-- Set while the case waits for the reporter; the clock does not run then.
ALTER TABLE cases ADD COLUMN paused_at TEXT;
-- 0 none; 1 warned (80% used); 2 overdue, raised to the command centre;
-- 3 raised to the grid's higher level; 4 formal summons (约谈).
ALTER TABLE cases ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;

CREATE INDEX cases_department ON cases (tenant_id, department_id, state);
CREATE INDEX cases_due ON cases (tenant_id, resolution_due_at);

-- Category (and optionally a grid subtree) to a department; the first
-- matching rule by position wins.
CREATE TABLE routing_rules (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    position       INTEGER NOT NULL,
    category       TEXT NOT NULL,
    grid_node_id   INTEGER REFERENCES grid_nodes(id),
    department_id  INTEGER NOT NULL REFERENCES departments(id)
);

CREATE INDEX routing_rules_order ON routing_rules (tenant_id, position);
