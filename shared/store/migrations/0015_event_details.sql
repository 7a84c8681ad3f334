-- A case event's data beside its note, as JSON (`CaseAction::details`,
-- `publication::assist_details`, the sweep's escalation level): the
-- timeline, the pages and the public view read these fields, and no one
-- parses a note again. Statements are split at semicolons: none inside a
-- statement.

ALTER TABLE case_events ADD COLUMN details TEXT;

-- Events written before this column get their fields once, here, from the
-- notes the earlier code wrote in a fixed form: `urban` or `urban
-- (assisting: justice, police)` for a dispatch, `to urban: reason` for a
-- transfer or a recategorisation, `justice: answer` for an assisting
-- department's part (whose note becomes the answer alone), the ladder's
-- step for an escalation.
UPDATE case_events SET details = json_object('department',
        CASE WHEN instr(note, ' (assisting: ') > 0
             THEN substr(note, 1, instr(note, ' (assisting: ') - 1) ELSE note END,
        'assisting', CASE WHEN instr(note, ' (assisting: ') > 0
             THEN json('["' || replace(substr(note, instr(note, ' (assisting: ') + 13,
                  length(note) - instr(note, ' (assisting: ') - 13), ', ', '","') || '"]')
             ELSE json('[]') END)
  WHERE action = 'dispatch' AND note IS NOT NULL AND details IS NULL;

UPDATE case_events SET details = json_object(
        CASE action WHEN 'transfer' THEN 'department' ELSE 'category' END,
        substr(note, 4, instr(note, ': ') - 4),
        'reason', substr(note, instr(note, ': ') + 2))
  WHERE action IN ('transfer', 'recategorise') AND note LIKE 'to %: %' AND details IS NULL;

UPDATE case_events SET details = json_object('department', substr(note, 1, instr(note, ': ') - 1))
  WHERE action = 'assist_done' AND note LIKE '%: %' AND details IS NULL;

-- An assisting department's note is its answer alone from now on.
UPDATE case_events SET note = substr(note, length(json_extract(details, '$.department')) + 3)
  WHERE action = 'assist_done' AND note LIKE json_extract(details, '$.department') || ': %';

UPDATE case_events SET details = json_object('level', note)
  WHERE action = 'escalate' AND note IS NOT NULL AND details IS NULL
