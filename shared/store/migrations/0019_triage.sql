-- 0019: the smart triage model's counts (domain::triage, docs/triage.md),
-- per tenant and per model (`category`: the category a case ended in;
-- `department`: the department that holds it, by id). Updated in the
-- transaction of each staff step that decides where a case belongs
-- (dispatch, transfer, re-categorisation); a suggestion reads the label
-- rows and the rows of its text's grams only.
CREATE TABLE triage_labels (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    model      TEXT NOT NULL CHECK (model IN ('category', 'department')),
    label      TEXT NOT NULL,
    cases      INTEGER NOT NULL,
    grams      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, model, label)
);
CREATE TABLE triage_grams (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    model      TEXT NOT NULL,
    gram       TEXT NOT NULL,
    label      TEXT NOT NULL,
    count      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, model, gram, label)
);
-- Which labels each case counts for now, so that a later step moves it
-- from them (unlearns exactly what was learned) instead of counting it twice.
CREATE TABLE triage_learned (
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    category    TEXT NOT NULL,
    department  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, case_id)
);
