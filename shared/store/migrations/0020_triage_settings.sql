-- 0020: automatic dispatch by the smart triage (智能分拨, docs/triage.md):
-- each tenant's setting (off unless its admin switches it on; the
-- confidence the department suggestion must reach), and the kept counts of
-- the dashboard: reports the triage dispatched on intake, and those the
-- command centre undid (back to triage).
CREATE TABLE triage_settings (
    tenant_id      INTEGER PRIMARY KEY REFERENCES tenants(id),
    auto_dispatch  INTEGER NOT NULL DEFAULT 0 CHECK (auto_dispatch IN (0, 1)),
    threshold      REAL NOT NULL DEFAULT 0.9 CHECK (threshold >= 0.5 AND threshold <= 0.99),
    updated_at     TEXT NOT NULL
);
CREATE TABLE triage_counts (
    tenant_id        INTEGER PRIMARY KEY REFERENCES tenants(id),
    auto_dispatched  INTEGER NOT NULL DEFAULT 0,
    undone           INTEGER NOT NULL DEFAULT 0
);
-- The cases the triage dispatched on intake that no one has confirmed yet:
-- the department's sign-for confirms one (the models learn it then), the
-- centre's undo drops it (nothing was learned). The triage's own guess is
-- never learned before a person stands by it.
CREATE TABLE triage_unconfirmed (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    PRIMARY KEY (tenant_id, case_id)
);
