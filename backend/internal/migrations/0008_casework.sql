-- The application workflow (DESIGN.md 3.2): cases and their timeline, the economic check,
-- home visits with their investigators' signatures, democratic evaluations with their
-- panels, public notices and objections, the relatives register (近亲属备案), county spot
-- checks and the county's case settings.
--
-- Tenant tables: county_code leads every key and foreign key; division_code is the
-- household's village (for the relatives register: the staff member's division); RLS is
-- forced with the range policy of 0005. The app may add timeline rows but never change
-- them.

-- The county's workflow settings; one row per county (absent: the defaults below).
CREATE TABLE case_settings (
    county_code        text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES divisions (code),
    division_code      text COLLATE "C" NOT NULL,
    decision_workdays  integer NOT NULL DEFAULT 30 CHECK (decision_workdays BETWEEN 1 AND 120),
    extended_workdays  integer NOT NULL DEFAULT 45 CHECK (extended_workdays BETWEEN 1 AND 180),
    notice_days        integer NOT NULL DEFAULT 7 CHECK (notice_days BETWEEN 1 AND 30),
    evaluation_always  boolean NOT NULL DEFAULT false,  -- democratic evaluation for every case
    decision_delegated boolean NOT NULL DEFAULT false,  -- townships decide (审核确认权下放)
    spotcheck_percent  integer NOT NULL DEFAULT 5 CHECK (spotcheck_percent BETWEEN 0 AND 100),
    updated_by         bigint,
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (division_code = county_code),
    CHECK (extended_workdays >= decision_workdays)
);
ALTER TABLE case_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_settings FORCE ROW LEVEL SECURITY;
-- Everyone working in the county reads them (deadlines and rules depend on them); only a
-- county-wide scope changes them.
CREATE POLICY case_settings_read ON case_settings FOR SELECT
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');
CREATE POLICY case_settings_insert ON case_settings FOR INSERT
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
CREATE POLICY case_settings_update ON case_settings FOR UPDATE
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT, UPDATE ON case_settings TO dibao_app;

-- One application of one household. version increases with every change: each action
-- names the version its user saw, so two people acting at once cannot both succeed.
-- round counts investigations: an objection to a notice starts the next round.
CREATE SEQUENCE cases_id_seq;
GRANT USAGE ON SEQUENCE cases_id_seq TO dibao_app;
CREATE TABLE cases (
    county_code           text COLLATE "C" NOT NULL,
    id                    bigint NOT NULL DEFAULT nextval('cases_id_seq'),
    division_code         text COLLATE "C" NOT NULL REFERENCES divisions (code),
    household_id          bigint NOT NULL,
    state                 text NOT NULL DEFAULT 'submitted' CHECK (state IN ('submitted', 'accepted', 'not_accepted',
                              'investigating', 'evaluating', 'township_reviewed', 'noticed', 'approved', 'denied')),
    version               integer NOT NULL DEFAULT 1 CHECK (version > 0),
    round                 integer NOT NULL DEFAULT 1 CHECK (round > 0),
    channel               text NOT NULL CHECK (channel IN ('window', 'village', 'online')),
    applicant_name        text NOT NULL CHECK (length(btrim(applicant_name)) BETWEEN 1 AND 50),
    application_reason    text NOT NULL DEFAULT '' CHECK (length(application_reason) <= 2000),
    -- The household's signed authorisation for the economic check (授权核对声明).
    authorisation_signed_on     date NOT NULL,
    authorisation_attachment_id bigint,
    submitted_by          bigint,
    submitted_at          timestamptz NOT NULL,
    accepted_on           date,
    due_on                date,          -- the decision deadline in force
    original_due_on       date,          -- before the one extension
    extension_reason      text,
    extended_by           bigint,
    extended_at           timestamptz,
    evaluation_required   boolean NOT NULL DEFAULT false,
    -- The investigation's figures (counted income items over every member), per round.
    household_size        integer,
    household_income_fen  bigint CHECK (household_income_fen >= 0),
    per_capita_income_fen bigint CHECK (per_capita_income_fen >= 0),
    -- The township's proposal (审核意见) and its working, then the leader's sign-off.
    recommendation        text CHECK (recommendation IN ('approve', 'deny')),
    proposal              jsonb,
    proposed_amount_fen   bigint CHECK (proposed_amount_fen >= 0),
    proposal_reason       text,
    proposed_by           bigint,
    proposed_at           timestamptz,
    signed_off_by         bigint,
    signed_off_at         timestamptz,
    relative_flag         boolean NOT NULL DEFAULT false,   -- a member is a registered relative of staff
    not_accepted_reason   text,
    decided_on            date,
    decided_by            bigint,
    decision_level        text CHECK (decision_level IN ('county', 'township')),
    denial_reason         text,
    certificate_no        text,
    amount_fen            bigint CHECK (amount_fen >= 0),
    start_month           text CHECK (start_month ~ '^[0-9]{4}-[0-9]{2}$'),
    recheck_class         text CHECK (recheck_class IN ('A', 'B', 'C')),
    spot_check_id         bigint,
    closed_at             timestamptz,
    updated_at            timestamptz NOT NULL,
    -- Lists sort by deadline; cases not yet accepted have none and come last.
    due_sort              date GENERATED ALWAYS AS (coalesce(due_on, DATE '9999-12-31')) STORED,
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id),
    CHECK (left(division_code, 6) = county_code AND length(division_code) = 12),
    CHECK ((state IN ('not_accepted', 'approved', 'denied')) = (closed_at IS NOT NULL)),
    CHECK (state <> 'not_accepted' OR length(btrim(not_accepted_reason)) > 0),
    CHECK (state <> 'denied' OR length(btrim(denial_reason)) > 0),
    CHECK (state <> 'approved' OR certificate_no IS NOT NULL),
    CHECK ((due_on IS NULL) = (accepted_on IS NULL))
);
ALTER SEQUENCE cases_id_seq OWNED BY cases.id;
-- One open case per household.
CREATE UNIQUE INDEX cases_one_open ON cases (county_code, household_id) WHERE closed_at IS NULL;
CREATE INDEX cases_division ON cases (county_code, division_code, due_sort, id);
CREATE INDEX cases_open_due ON cases (county_code, due_sort, id) WHERE closed_at IS NULL;
CREATE INDEX cases_decided ON cases (county_code, decided_on, id) WHERE state = 'approved';
ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;
CREATE POLICY cases_scope ON cases
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT, UPDATE ON cases TO dibao_app;

-- The timeline: every transition and recorded step, with who, when, the opinion and the
-- attachments (ids of the registry's attachments). Never changed once written.
CREATE SEQUENCE case_events_id_seq;
GRANT USAGE ON SEQUENCE case_events_id_seq TO dibao_app;
CREATE TABLE case_events (
    county_code   text COLLATE "C" NOT NULL,
    id            bigint NOT NULL DEFAULT nextval('case_events_id_seq'),
    case_id       bigint NOT NULL,
    division_code text COLLATE "C" NOT NULL,
    at            timestamptz NOT NULL,
    actor_id      bigint,
    actor_name    text NOT NULL DEFAULT '',   -- display name at the time; '' for the public
    action        text NOT NULL CHECK (action ~ '^[a-z_]+$'),
    from_state    text NOT NULL,
    to_state      text NOT NULL,
    opinion       text NOT NULL DEFAULT '' CHECK (length(opinion) <= 2000),
    attachments   bigint[] NOT NULL DEFAULT '{}',
    detail        jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, case_id) REFERENCES cases (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE case_events_id_seq OWNED BY case_events.id;
CREATE INDEX case_events_case ON case_events (county_code, case_id, id);
ALTER TABLE case_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_events FORCE ROW LEVEL SECURITY;
CREATE POLICY case_events_scope ON case_events
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON case_events TO dibao_app;

-- Results of the economic check (家庭经济状况核对) from other departments, per round.
CREATE SEQUENCE case_checks_id_seq;
GRANT USAGE ON SEQUENCE case_checks_id_seq TO dibao_app;
CREATE TABLE case_checks (
    county_code   text COLLATE "C" NOT NULL,
    id            bigint NOT NULL DEFAULT nextval('case_checks_id_seq'),
    case_id       bigint NOT NULL,
    division_code text COLLATE "C" NOT NULL,
    round         integer NOT NULL,
    department    text NOT NULL CHECK (length(btrim(department)) BETWEEN 1 AND 50),
    result        text NOT NULL CHECK (result IN ('consistent', 'discrepancy', 'no_record')),
    findings      text NOT NULL DEFAULT '' CHECK (length(findings) <= 2000),
    checked_on    date NOT NULL,
    recorded_by   bigint NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, case_id) REFERENCES cases (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE case_checks_id_seq OWNED BY case_checks.id;
CREATE INDEX case_checks_case ON case_checks (county_code, case_id, id);
ALTER TABLE case_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY case_checks_scope ON case_checks
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON case_checks TO dibao_app;

-- Home visits (入户调查): the township's ('home'), or the county's own ('county', required
-- before deciding a case of a registered relative and done for spot checks). Each named
-- investigator signs for themselves; a visit counts once every one of them has signed.
CREATE SEQUENCE case_visits_id_seq;
GRANT USAGE ON SEQUENCE case_visits_id_seq TO dibao_app;
CREATE TABLE case_visits (
    county_code   text COLLATE "C" NOT NULL,
    id            bigint NOT NULL DEFAULT nextval('case_visits_id_seq'),
    case_id       bigint NOT NULL,
    division_code text COLLATE "C" NOT NULL,
    round         integer NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('home', 'county')),
    visited_on    date NOT NULL,
    findings      text NOT NULL CHECK (length(btrim(findings)) BETWEEN 1 AND 4000),
    recorded_by   bigint NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, case_id) REFERENCES cases (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE case_visits_id_seq OWNED BY case_visits.id;
CREATE INDEX case_visits_case ON case_visits (county_code, case_id, id);
ALTER TABLE case_visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_visits FORCE ROW LEVEL SECURITY;
CREATE POLICY case_visits_scope ON case_visits
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON case_visits TO dibao_app;

CREATE TABLE case_visit_investigators (
    county_code   text COLLATE "C" NOT NULL,
    visit_id      bigint NOT NULL,
    user_id       bigint NOT NULL,
    division_code text COLLATE "C" NOT NULL,
    name          text NOT NULL,          -- display name when named
    signed_at     timestamptz,
    PRIMARY KEY (county_code, visit_id, user_id),
    FOREIGN KEY (county_code, visit_id) REFERENCES case_visits (county_code, id),
    FOREIGN KEY (county_code, user_id) REFERENCES users (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER TABLE case_visit_investigators ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_visit_investigators FORCE ROW LEVEL SECURITY;
CREATE POLICY case_visit_investigators_scope ON case_visit_investigators
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
-- UPDATE only to sign (the column grant keeps everything else as written).
GRANT SELECT, INSERT ON case_visit_investigators TO dibao_app;
GRANT UPDATE (signed_at) ON case_visit_investigators TO dibao_app;

-- Democratic evaluation (民主评议): the panel, the secret ballot's count and the minutes.
-- The composition rules are checked by the use case with messages; the constraints hold
-- the arithmetic for any writer.
CREATE SEQUENCE case_evaluations_id_seq;
GRANT USAGE ON SEQUENCE case_evaluations_id_seq TO dibao_app;
CREATE TABLE case_evaluations (
    county_code   text COLLATE "C" NOT NULL,
    id            bigint NOT NULL DEFAULT nextval('case_evaluations_id_seq'),
    case_id       bigint NOT NULL,
    division_code text COLLATE "C" NOT NULL,
    round         integer NOT NULL,
    held_on       date NOT NULL,
    panel_size    integer NOT NULL CHECK (panel_size >= 3 AND panel_size % 2 = 1),
    votes_for     integer NOT NULL CHECK (votes_for >= 0),
    votes_against integer NOT NULL CHECK (votes_against >= 0),
    votes_abstain integer NOT NULL CHECK (votes_abstain >= 0),
    passed        boolean NOT NULL,
    minutes       text NOT NULL CHECK (length(btrim(minutes)) BETWEEN 1 AND 8000),
    recorded_by   bigint NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (county_code, id),
    UNIQUE (county_code, case_id, round),
    FOREIGN KEY (county_code, case_id) REFERENCES cases (county_code, id),
    CHECK (votes_for + votes_against + votes_abstain = panel_size),
    CHECK (passed = (votes_for * 2 > panel_size)),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE case_evaluations_id_seq OWNED BY case_evaluations.id;
ALTER TABLE case_evaluations ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_evaluations FORCE ROW LEVEL SECURITY;
CREATE POLICY case_evaluations_scope ON case_evaluations
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON case_evaluations TO dibao_app;

CREATE TABLE case_evaluation_members (
    county_code   text COLLATE "C" NOT NULL,
    evaluation_id bigint NOT NULL,
    seq           integer NOT NULL CHECK (seq > 0),
    division_code text COLLATE "C" NOT NULL,
    name          text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 50),
    kind          text NOT NULL CHECK (kind IN ('villager_representative', 'cadre', 'party_member', 'other')),
    PRIMARY KEY (county_code, evaluation_id, seq),
    FOREIGN KEY (county_code, evaluation_id) REFERENCES case_evaluations (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER TABLE case_evaluation_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_evaluation_members FORCE ROW LEVEL SECURITY;
CREATE POLICY case_evaluation_members_scope ON case_evaluation_members
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON case_evaluation_members TO dibao_app;

-- Public notices (公示), one per round. The published fields are exactly what DESIGN.md
-- 3.6 allows: the head's name, the village, the number of covered people, the monthly
-- amount and the category; the text is built from them alone.
CREATE SEQUENCE case_notices_id_seq;
GRANT USAGE ON SEQUENCE case_notices_id_seq TO dibao_app;
CREATE TABLE case_notices (
    county_code        text COLLATE "C" NOT NULL,
    id                 bigint NOT NULL DEFAULT nextval('case_notices_id_seq'),
    case_id            bigint NOT NULL,
    division_code      text COLLATE "C" NOT NULL,
    round              integer NOT NULL,
    starts_on          date NOT NULL,
    ends_on            date NOT NULL,
    head_name          text NOT NULL,
    village_name       text NOT NULL,
    covered_people     integer NOT NULL CHECK (covered_people > 0),
    monthly_amount_fen bigint NOT NULL CHECK (monthly_amount_fen >= 0),
    category           text NOT NULL CHECK (category IN ('urban', 'rural')),
    text               text NOT NULL,
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'objected', 'completed')),
    posted_by          bigint NOT NULL,
    posted_at          timestamptz NOT NULL,
    closed_at          timestamptz,
    PRIMARY KEY (county_code, id),
    UNIQUE (county_code, case_id, round),
    FOREIGN KEY (county_code, case_id) REFERENCES cases (county_code, id),
    CHECK (ends_on >= starts_on),
    CHECK ((status = 'open') = (closed_at IS NULL)),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE case_notices_id_seq OWNED BY case_notices.id;
CREATE INDEX case_notices_division ON case_notices (county_code, division_code, id);
ALTER TABLE case_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_notices FORCE ROW LEVEL SECURITY;
CREATE POLICY case_notices_scope ON case_notices
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON case_notices TO dibao_app;
GRANT UPDATE (status, closed_at) ON case_notices TO dibao_app;

-- Objections to a notice, recorded by village workers or (later) from the public portal
-- (recorded_by NULL; the objector may stay anonymous).
CREATE SEQUENCE case_objections_id_seq;
GRANT USAGE ON SEQUENCE case_objections_id_seq TO dibao_app;
CREATE TABLE case_objections (
    county_code   text COLLATE "C" NOT NULL,
    id            bigint NOT NULL DEFAULT nextval('case_objections_id_seq'),
    case_id       bigint NOT NULL,
    notice_id     bigint NOT NULL,
    division_code text COLLATE "C" NOT NULL,
    source        text NOT NULL CHECK (source IN ('village', 'public')),
    received_on   date NOT NULL,
    content       text NOT NULL CHECK (length(btrim(content)) BETWEEN 1 AND 2000),
    objector      text NOT NULL DEFAULT '' CHECK (length(objector) <= 50),
    recorded_by   bigint,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, case_id) REFERENCES cases (county_code, id),
    FOREIGN KEY (county_code, notice_id) REFERENCES case_notices (county_code, id),
    CHECK ((source = 'village') = (recorded_by IS NOT NULL)),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE case_objections_id_seq OWNED BY case_objections.id;
CREATE INDEX case_objections_case ON case_objections (county_code, case_id, id);
ALTER TABLE case_objections ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_objections FORCE ROW LEVEL SECURITY;
CREATE POLICY case_objections_scope ON case_objections
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON case_objections TO dibao_app;

-- The relatives register (近亲属备案): staff who handle cases list their close relatives.
-- division_code is the staff member's own division. The ID number is SM4-GCM ciphertext
-- with the blind index the registry uses for members' ID numbers, so a household member who
-- is a registered relative is found by equality. Matching a case against the register needs
-- every relative of the county, whoever registered them, so the county reads them all
-- (like user_roles); the API shows each staff member only their own. Removal keeps the row.
CREATE SEQUENCE staff_relatives_id_seq;
GRANT USAGE ON SEQUENCE staff_relatives_id_seq TO dibao_app;
CREATE TABLE staff_relatives (
    county_code      text COLLATE "C" NOT NULL,
    id               bigint NOT NULL DEFAULT nextval('staff_relatives_id_seq'),
    user_id          bigint NOT NULL,
    division_code    text COLLATE "C" NOT NULL,
    name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 50),
    relation         text NOT NULL CHECK (relation IN ('spouse', 'parent', 'child', 'sibling', 'grandparent',
                         'grandchild', 'parent_in_law', 'child_in_law', 'sibling_in_law', 'other')),
    id_number_enc    bytea NOT NULL,
    id_number_index  bytea NOT NULL,
    id_number_masked text NOT NULL,
    created_at       timestamptz NOT NULL,
    removed_at       timestamptz,
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, user_id) REFERENCES users (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE staff_relatives_id_seq OWNED BY staff_relatives.id;
CREATE UNIQUE INDEX staff_relatives_once ON staff_relatives (county_code, user_id, id_number_index) WHERE removed_at IS NULL;
CREATE INDEX staff_relatives_id_number ON staff_relatives (county_code, id_number_index) WHERE removed_at IS NULL;
ALTER TABLE staff_relatives ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff_relatives FORCE ROW LEVEL SECURITY;
CREATE POLICY staff_relatives_read ON staff_relatives FOR SELECT
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');
CREATE POLICY staff_relatives_insert ON staff_relatives FOR INSERT
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
CREATE POLICY staff_relatives_update ON staff_relatives FOR UPDATE
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON staff_relatives TO dibao_app;
GRANT UPDATE (removed_at) ON staff_relatives TO dibao_app;

-- County spot checks: each draw keeps its seed, the population it drew from (sorted case
-- ids) and what it drew, so anyone can repeat it and get the same cases.
CREATE SEQUENCE spot_checks_id_seq;
GRANT USAGE ON SEQUENCE spot_checks_id_seq TO dibao_app;
CREATE TABLE spot_checks (
    county_code   text COLLATE "C" NOT NULL,
    id            bigint NOT NULL DEFAULT nextval('spot_checks_id_seq'),
    division_code text COLLATE "C" NOT NULL,   -- the area drawn from
    decided_from  date NOT NULL,
    decided_to    date NOT NULL,
    percent       integer NOT NULL CHECK (percent BETWEEN 0 AND 100),
    seed          bigint NOT NULL,
    population    bigint[] NOT NULL,
    drawn         bigint[] NOT NULL,
    ordered_by    bigint NOT NULL,
    ordered_at    timestamptz NOT NULL,
    PRIMARY KEY (county_code, id),
    CHECK (decided_to >= decided_from),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE spot_checks_id_seq OWNED BY spot_checks.id;
CREATE INDEX spot_checks_division ON spot_checks (county_code, division_code, id);
ALTER TABLE spot_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE spot_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY spot_checks_scope ON spot_checks
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON spot_checks TO dibao_app;

-- Permissions the workflow adds to policy.csv.
INSERT INTO role_permissions (role_key, object, action) VALUES
    ('township_caseworker', 'case', 'submit'),
    ('township_caseworker', 'case', 'extend'),
    ('county_approver', 'case', 'extend'),
    ('county_approver', 'case', 'visit'),
    ('township_leader', 'case', 'decide_delegated'),
    ('county_approver', 'relative', 'register'),
    ('township_leader', 'relative', 'register')
ON CONFLICT DO NOTHING;
