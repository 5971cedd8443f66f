-- Attachments from every step of a case, and the household filter of the case list.

-- household:attach lets a role add a scan or photo to a household from the step it takes
-- (the leader's sign-off, the county's decision and visit, the village's application,
-- evaluation and notice) without letting it edit the household: removing an attachment
-- stays with household:update (policy.csv).
INSERT INTO role_permissions (role_key, object, action) VALUES
    ('township_caseworker', 'household', 'attach'),
    ('township_leader', 'household', 'attach'),
    ('county_approver', 'household', 'attach'),
    ('village_worker', 'household', 'attach')
ON CONFLICT DO NOTHING;

-- GET /cases?household_id= (a household's page lists all its cases, closed ones too):
-- cases_one_open covers only the open case, so without this index the list of a county
-- walked cases_division or the whole table for one household's few rows
-- (TestHouseholdCaseListUsesIndex, internal/casework).
CREATE INDEX cases_household ON cases (county_code, household_id);
