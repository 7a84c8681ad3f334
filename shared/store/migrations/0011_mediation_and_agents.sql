-- 0011: the mediation centre (矛调中心) and the agent service (代办).
-- Disputes and agent matters are cases (source 'mediation' and 'agent');
-- these tables hold what only they have, keyed by the case id. Parties'
-- and residents' details live here, never on the case, so nothing that
-- publishes a case can reach them.

-- What makes a case a dispute: its kind, subject, amount, and who took it
-- in at which window; the outcome once recorded (a reopened dispute may get
-- another, which replaces it; the timeline keeps both).
CREATE TABLE mediation_disputes (
    case_id            INTEGER PRIMARY KEY REFERENCES cases(id),
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
    kind               TEXT NOT NULL,
    subject            TEXT NOT NULL,
    amount_fen         INTEGER CHECK (amount_fen IS NULL OR amount_fen >= 0),
    intake_window      TEXT NOT NULL,
    taken_in_by        INTEGER NOT NULL REFERENCES users(id),
    taken_in_at        TEXT NOT NULL,
    outcome            TEXT CHECK (outcome IN ('agreement', 'judicial_confirmation', 'litigation', 'withdrawn', 'not_accepted')),
    outcome_text       TEXT,
    outcome_by         TEXT,
    outcome_at         TEXT
);
CREATE INDEX mediation_disputes_by_intake ON mediation_disputes (tenant_id, taken_in_at);

-- The parties, several per side; contact details for the centre only.
CREATE TABLE mediation_parties (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    case_id     INTEGER NOT NULL REFERENCES mediation_disputes(case_id),
    side        TEXT NOT NULL CHECK (side IN ('applicant', 'respondent')),
    kind        TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    name        TEXT NOT NULL,
    phone       TEXT,
    address     TEXT
);
CREATE INDEX mediation_parties_by_case ON mediation_parties (tenant_id, case_id);

-- Sessions: scheduled, then recorded once held (participants a JSON list
-- of strings).
CREATE TABLE mediation_sessions (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    case_id        INTEGER NOT NULL REFERENCES mediation_disputes(case_id),
    scheduled_for  TEXT,
    place          TEXT,
    held_at        TEXT,
    participants   TEXT NOT NULL DEFAULT '[]',
    agreed         TEXT,
    scheduled_by   TEXT,
    recorded_by    TEXT
);
CREATE INDEX mediation_sessions_by_case ON mediation_sessions (tenant_id, case_id);

-- What makes a case an agent matter: the agent point and agent who took
-- it, the resident (with their consent), the needs list (a JSON list of
-- strings), and the level it is worked at now, with the agent point it was
-- passed up to.
CREATE TABLE agent_matters (
    case_id            INTEGER PRIMARY KEY REFERENCES cases(id),
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
    kind               TEXT NOT NULL,
    agent_point_id     INTEGER NOT NULL REFERENCES agent_points(id),
    taken_by           INTEGER NOT NULL REFERENCES users(id),
    resident_name      TEXT NOT NULL,
    resident_phone     TEXT,
    resident_address   TEXT,
    consent_at         TEXT NOT NULL,
    needs              TEXT NOT NULL DEFAULT '[]',
    level              TEXT NOT NULL CHECK (level IN ('village', 'township', 'district')),
    level_point_id     INTEGER REFERENCES agent_points(id),
    began_on           TEXT NOT NULL
);
CREATE INDEX agent_matters_by_point ON agent_matters (tenant_id, agent_point_id, case_id);
CREATE INDEX agent_matters_by_level_point ON agent_matters (tenant_id, level_point_id, case_id) WHERE level_point_id IS NOT NULL;

-- The task list (任务清单): who does what by when (local dates).
CREATE TABLE agent_matter_tasks (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    case_id     INTEGER NOT NULL REFERENCES agent_matters(case_id),
    task        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    done_at     TEXT,
    done_by     TEXT
);
CREATE INDEX agent_matter_tasks_by_case ON agent_matter_tasks (tenant_id, case_id);

-- The time list (时间清单): the dates promised to the resident.
CREATE TABLE agent_matter_promises (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    case_id      INTEGER NOT NULL REFERENCES agent_matters(case_id),
    promise      TEXT NOT NULL,
    promised_on  TEXT NOT NULL
);
CREATE INDEX agent_matter_promises_by_case ON agent_matter_promises (tenant_id, case_id);

-- Each level a matter was worked at, from the village up, with who passed
-- it and why.
CREATE TABLE agent_matter_levels (
    id              INTEGER PRIMARY KEY,
    tenant_id       INTEGER NOT NULL REFERENCES tenants(id),
    case_id         INTEGER NOT NULL REFERENCES agent_matters(case_id),
    level           TEXT NOT NULL CHECK (level IN ('village', 'township', 'district')),
    agent_point_id  INTEGER REFERENCES agent_points(id),
    reason          TEXT,
    by_actor        TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX agent_matter_levels_by_case ON agent_matter_levels (tenant_id, case_id);
