-- 0003: when a tenant's data was last exported, so that deletion on request
-- can insist on an export first (data portability before offboarding).
ALTER TABLE tenants ADD COLUMN exported_at TEXT;
