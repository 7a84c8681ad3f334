-- 0021: patrols (巡查) and grid days (周三网格日), docs/patrols.md.
-- A patrol keeps its own sums (distance, visits, problems found and fixed
-- on the spot); `patrol_figures` keeps them per local day, person, grid
-- and grid day, and `micro_grid_visits` each micro-grid's last visit:
-- both are changed in the transaction of each write, so the figures and
-- the coverage read the same few rows at any size.

CREATE TABLE grid_days (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants(id),
    day         TEXT NOT NULL,
    title       TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX grid_days_day ON grid_days (tenant_id, day);

CREATE TABLE grid_day_grids (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    grid_day_id  INTEGER NOT NULL REFERENCES grid_days(id),
    grid_id      INTEGER NOT NULL REFERENCES grid_nodes(id),
    PRIMARY KEY (tenant_id, grid_day_id, grid_id)
);

CREATE TABLE grid_day_members (
    tenant_id    INTEGER NOT NULL REFERENCES tenants(id),
    grid_day_id  INTEGER NOT NULL REFERENCES grid_days(id),
    user_id      INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (tenant_id, grid_day_id, user_id)
);
CREATE INDEX grid_day_members_user ON grid_day_members (tenant_id, user_id);

-- `day` is the local date the patrol started on: the figures' day.
CREATE TABLE patrols (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
    person_id          INTEGER NOT NULL REFERENCES users(id),
    grid_id            INTEGER NOT NULL REFERENCES grid_nodes(id),
    grid_day_id        INTEGER REFERENCES grid_days(id),
    day                TEXT NOT NULL,
    started_at         TEXT NOT NULL,
    ended_at           TEXT,
    minutes            INTEGER NOT NULL DEFAULT 0,
    metres             REAL NOT NULL DEFAULT 0,
    visits             INTEGER NOT NULL DEFAULT 0,
    problems_found     INTEGER NOT NULL DEFAULT 0,
    fixed_on_the_spot  INTEGER NOT NULL DEFAULT 0,
    track_thinned      INTEGER NOT NULL DEFAULT 0 CHECK (track_thinned IN (0, 1)),
    -- Points uploaded in all, held to domain::patrol::MAX_TRACK_POINTS.
    track_points       INTEGER NOT NULL DEFAULT 0
);
-- At most one running patrol per person.
CREATE UNIQUE INDEX patrols_running ON patrols (tenant_id, person_id) WHERE ended_at IS NULL;
CREATE INDEX patrols_person ON patrols (tenant_id, person_id, id);
CREATE INDEX patrols_grid_day ON patrols (tenant_id, grid_day_id) WHERE grid_day_id IS NOT NULL;
CREATE INDEX patrols_to_thin ON patrols (tenant_id, ended_at) WHERE track_thinned = 0;

-- A piece of track as the phone numbered it: its points as JSON
-- (domain::patrol::TrackPiece), one row whatever their number.
CREATE TABLE patrol_track_pieces (
    tenant_id  INTEGER NOT NULL REFERENCES tenants(id),
    patrol_id  INTEGER NOT NULL REFERENCES patrols(id),
    piece      INTEGER NOT NULL CHECK (piece >= 0),
    points     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, patrol_id, piece)
);

CREATE TABLE patrol_visits (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    patrol_id      INTEGER NOT NULL REFERENCES patrols(id),
    client_id      TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('household', 'company', 'building', 'other')),
    note           TEXT NOT NULL,
    latitude       REAL,
    longitude      REAL,
    micro_grid_id  INTEGER REFERENCES grid_nodes(id),
    at             TEXT NOT NULL,
    UNIQUE (tenant_id, patrol_id, client_id)
);

ALTER TABLE cases ADD COLUMN patrol_id INTEGER REFERENCES patrols(id);
CREATE INDEX cases_patrol ON cases (tenant_id, patrol_id) WHERE patrol_id IS NOT NULL;

-- grid_day_id 0: not on a grid day.
CREATE TABLE patrol_figures (
    tenant_id          INTEGER NOT NULL REFERENCES tenants(id),
    day                TEXT NOT NULL,
    person_id          INTEGER NOT NULL,
    grid_id            INTEGER NOT NULL,
    grid_day_id        INTEGER NOT NULL,
    patrols            INTEGER NOT NULL DEFAULT 0,
    minutes            INTEGER NOT NULL DEFAULT 0,
    metres             REAL NOT NULL DEFAULT 0,
    visits             INTEGER NOT NULL DEFAULT 0,
    problems_found     INTEGER NOT NULL DEFAULT 0,
    fixed_on_the_spot  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, person_id, grid_id, grid_day_id)
);
CREATE INDEX patrol_figures_grid_day ON patrol_figures (tenant_id, grid_day_id);

CREATE TABLE micro_grid_visits (
    tenant_id      INTEGER NOT NULL REFERENCES tenants(id),
    grid_node_id   INTEGER NOT NULL REFERENCES grid_nodes(id),
    last_visit_at  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, grid_node_id)
);

-- Absent: domain::patrol::DEFAULT_TRACK_RETENTION_DAYS.
CREATE TABLE patrol_settings (
    tenant_id             INTEGER PRIMARY KEY REFERENCES tenants(id),
    track_retention_days  INTEGER NOT NULL CHECK (track_retention_days BETWEEN 7 AND 3650)
);
