-- 0018: whether a category's reports must say where the problem is
-- (domain::report::CategoryFacts::place_required). Every category made
-- before this needed none; most are about a place (a street light, a
-- pothole, rubbish), so they all need one now, as new ones do unless the
-- tenant admin says otherwise (a question about a policy needs no place).
ALTER TABLE categories ADD COLUMN place_required INTEGER NOT NULL DEFAULT 1;
