-- 0016: the street map each tenant's pages draw the grid on
-- (domain::map::TileSettings, docs/maps.md). No row: 天地图's default,
-- which needs the tenant's key. Positions stay WGS-84 everywhere in the
-- database; `crs` only says how the pages place them on these tiles.
CREATE TABLE map_settings (
    tenant_id    INTEGER PRIMARY KEY REFERENCES tenants(id),
    base_url     TEXT NOT NULL,
    overlay_url  TEXT,
    subdomains   TEXT,
    attribution  TEXT NOT NULL,
    crs          TEXT NOT NULL CHECK (crs IN ('wgs84', 'cgcs2000', 'gcj02')),
    api_key      TEXT,
    max_zoom     INTEGER NOT NULL,
    updated_at   TEXT NOT NULL
);
