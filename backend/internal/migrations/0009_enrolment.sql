-- Benefit standards, the county's benefit settings, beneficiaries (enrolment), their
-- certificates (低保证) and the history of their amounts (DESIGN.md 3.3, 3.5).
--
-- Tenant tables: county_code leads every key; division_code is the lowest division of the
-- row: the county itself for standards, settings and the certificate counter, the
-- household's village for everything about a beneficiary. RLS is forced with the range
-- policies of 0005 (NULLIF forms). County-wide rows (standards, settings) are read by
-- every scope of the county, since a township caseworker computes amounts with them, and
-- written only by a county-wide scope.
--
-- Case ids are stored without a foreign key: cases (0008) belong to casework, and the
-- enrolment tables must not depend on the order of the two migrations.

-- Monthly standards (保障标准) per county and urban/rural category, each in force from the
-- first day of its month until the next one's. History is kept: rows are never changed.
CREATE SEQUENCE benefit_standards_id_seq;
GRANT USAGE ON SEQUENCE benefit_standards_id_seq TO dibao_app;
CREATE TABLE benefit_standards (
    county_code     text COLLATE "C" NOT NULL,
    id              bigint NOT NULL DEFAULT nextval('benefit_standards_id_seq'),
    division_code   text COLLATE "C" NOT NULL,
    category        text NOT NULL CHECK (category IN ('urban', 'rural')),
    monthly_fen     bigint NOT NULL CHECK (monthly_fen > 0 AND monthly_fen <= 10000000),
    effective_month date NOT NULL CHECK (extract(day FROM effective_month) = 1),
    note            text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    created_by      bigint,
    created_name    text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, id),
    UNIQUE (county_code, category, effective_month),
    CHECK (division_code = county_code)
);
ALTER SEQUENCE benefit_standards_id_seq OWNED BY benefit_standards.id;
ALTER TABLE benefit_standards ENABLE ROW LEVEL SECURITY;
ALTER TABLE benefit_standards FORCE ROW LEVEL SECURITY;
CREATE POLICY benefit_standards_read ON benefit_standards FOR SELECT
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');
CREATE POLICY benefit_standards_write ON benefit_standards FOR INSERT
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON benefit_standards TO dibao_app;

-- The county's benefit settings (施保设置): one row per county; a county without one uses
-- the defaults of internal/enrolment (settings.go). Supplements (分类施保) are per member
-- class, each a share of the standard in basis points or a fixed sum in fen, never both.
CREATE TABLE benefit_settings (
    county_code                  text COLLATE "C" NOT NULL PRIMARY KEY,
    division_code                text COLLATE "C" NOT NULL,
    elderly_age                  smallint NOT NULL DEFAULT 60 CHECK (elderly_age BETWEEN 50 AND 80),
    elderly_share_bp             integer NOT NULL DEFAULT 0 CHECK (elderly_share_bp BETWEEN 0 AND 10000),
    elderly_fixed_fen            bigint NOT NULL DEFAULT 0 CHECK (elderly_fixed_fen BETWEEN 0 AND 1000000),
    minor_share_bp               integer NOT NULL DEFAULT 0 CHECK (minor_share_bp BETWEEN 0 AND 10000),
    minor_fixed_fen              bigint NOT NULL DEFAULT 0 CHECK (minor_fixed_fen BETWEEN 0 AND 1000000),
    severe_disability_share_bp   integer NOT NULL DEFAULT 0 CHECK (severe_disability_share_bp BETWEEN 0 AND 10000),
    severe_disability_fixed_fen  bigint NOT NULL DEFAULT 0 CHECK (severe_disability_fixed_fen BETWEEN 0 AND 1000000),
    serious_illness_share_bp     integer NOT NULL DEFAULT 0 CHECK (serious_illness_share_bp BETWEEN 0 AND 10000),
    serious_illness_fixed_fen    bigint NOT NULL DEFAULT 0 CHECK (serious_illness_fixed_fen BETWEEN 0 AND 1000000),
    rounding                     text NOT NULL DEFAULT 'half_up' CHECK (rounding IN ('half_up', 'up', 'down')),
    minimum_payment_fen          bigint NOT NULL DEFAULT 0 CHECK (minimum_payment_fen BETWEEN 0 AND 1000000),
    individual_ceiling_bp        integer NOT NULL DEFAULT 0 CHECK (individual_ceiling_bp = 0 OR individual_ceiling_bp BETWEEN 10000 AND 30000),
    individual_share_bp          integer NOT NULL DEFAULT 0 CHECK (individual_share_bp BETWEEN 0 AND 10000),
    gradual_exit_months          smallint NOT NULL DEFAULT 0 CHECK (gradual_exit_months BETWEEN 0 AND 12),
    version                      integer NOT NULL DEFAULT 1,
    updated_by                   bigint,
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    CHECK (division_code = county_code),
    CHECK (elderly_share_bp = 0 OR elderly_fixed_fen = 0),
    CHECK (minor_share_bp = 0 OR minor_fixed_fen = 0),
    CHECK (severe_disability_share_bp = 0 OR severe_disability_fixed_fen = 0),
    CHECK (serious_illness_share_bp = 0 OR serious_illness_fixed_fen = 0)
);
ALTER TABLE benefit_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE benefit_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY benefit_settings_read ON benefit_settings FOR SELECT
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');
CREATE POLICY benefit_settings_insert ON benefit_settings FOR INSERT
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
CREATE POLICY benefit_settings_update ON benefit_settings FOR UPDATE
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT, UPDATE ON benefit_settings TO dibao_app;

-- Beneficiaries (保障对象): a household enrolled by an approved case. A household has at most
-- one enrolment that is not stopped. amount_fen is the newest amount decided, in force from
-- amount_from; the amount of any month is the newest amount_changes row effective by then.
CREATE SEQUENCE beneficiaries_id_seq;
GRANT USAGE ON SEQUENCE beneficiaries_id_seq TO dibao_app;
CREATE TABLE beneficiaries (
    county_code    text COLLATE "C" NOT NULL,
    id             bigint NOT NULL DEFAULT nextval('beneficiaries_id_seq'),
    household_id   bigint NOT NULL,
    division_code  text COLLATE "C" NOT NULL,   -- the household's village
    case_id        bigint,                      -- the approving case (casework); none for imported ledgers
    category       text NOT NULL CHECK (category IN ('urban', 'rural')),
    status         text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'stopped')),
    recheck_class  text NOT NULL CHECK (recheck_class IN ('A', 'B', 'C')),
    covered_count  integer NOT NULL CHECK (covered_count > 0),
    amount_fen     bigint NOT NULL CHECK (amount_fen >= 0),
    amount_from    date NOT NULL CHECK (extract(day FROM amount_from) = 1),
    start_month    date NOT NULL CHECK (extract(day FROM start_month) = 1),
    decided_on     date NOT NULL,
    enrolled_by    bigint,
    enrolled_at    timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1,
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id),
    CHECK (left(division_code, 6) = county_code),
    CHECK (amount_from >= start_month)
);
ALTER SEQUENCE beneficiaries_id_seq OWNED BY beneficiaries.id;
CREATE UNIQUE INDEX beneficiaries_one_per_household ON beneficiaries (county_code, household_id) WHERE status <> 'stopped';
CREATE INDEX beneficiaries_division ON beneficiaries (county_code, division_code, id);
CREATE INDEX beneficiaries_category ON beneficiaries (county_code, category, status);
ALTER TABLE beneficiaries ENABLE ROW LEVEL SECURITY;
ALTER TABLE beneficiaries FORCE ROW LEVEL SECURITY;
CREATE POLICY beneficiaries_scope ON beneficiaries
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT, UPDATE ON beneficiaries TO dibao_app;

-- Every computation of a beneficiary's amount, with its input and working (benefit.Compute):
-- the household as computed (members with their classes, counted income), the rules in
-- force and the result. A standard change recomputes from the newest one's household.
CREATE SEQUENCE amount_computations_id_seq;
GRANT USAGE ON SEQUENCE amount_computations_id_seq TO dibao_app;
CREATE TABLE amount_computations (
    county_code     text COLLATE "C" NOT NULL,
    id              bigint NOT NULL DEFAULT nextval('amount_computations_id_seq'),
    beneficiary_id  bigint NOT NULL,
    division_code   text COLLATE "C" NOT NULL,
    reason          text NOT NULL CHECK (reason IN ('enrolment', 'standard_change')),
    computed_on     date NOT NULL,       -- the date whose rules and ages were used
    effective_month date NOT NULL CHECK (extract(day FROM effective_month) = 1),
    standard_id     bigint NOT NULL,
    household       jsonb NOT NULL,      -- benefit.Household
    members         jsonb NOT NULL,      -- the members as computed: names, ages, classes (masked ID numbers)
    rules           jsonb NOT NULL,      -- benefit.Rules
    result          jsonb NOT NULL,      -- benefit.Result
    amount_fen      bigint NOT NULL CHECK (amount_fen >= 0),
    created_by      bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, beneficiary_id) REFERENCES beneficiaries (county_code, id),
    FOREIGN KEY (county_code, standard_id) REFERENCES benefit_standards (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE amount_computations_id_seq OWNED BY amount_computations.id;
CREATE INDEX amount_computations_beneficiary ON amount_computations (county_code, beneficiary_id, id);
ALTER TABLE amount_computations ENABLE ROW LEVEL SECURITY;
ALTER TABLE amount_computations FORCE ROW LEVEL SECURITY;
CREATE POLICY amount_computations_scope ON amount_computations
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON amount_computations TO dibao_app;

-- The amount of a beneficiary over time (for rosters and the change report 增减变动): the
-- enrolment's first amount and every change after it, each effective from a month.
CREATE SEQUENCE amount_changes_id_seq;
GRANT USAGE ON SEQUENCE amount_changes_id_seq TO dibao_app;
CREATE TABLE amount_changes (
    county_code     text COLLATE "C" NOT NULL,
    id              bigint NOT NULL DEFAULT nextval('amount_changes_id_seq'),
    beneficiary_id  bigint NOT NULL,
    division_code   text COLLATE "C" NOT NULL,
    reason          text NOT NULL CHECK (reason IN ('enrolment', 'standard_change')),
    effective_month date NOT NULL CHECK (extract(day FROM effective_month) = 1),
    before_fen      bigint NOT NULL CHECK (before_fen >= 0),
    after_fen       bigint NOT NULL CHECK (after_fen >= 0),
    computation_id  bigint NOT NULL,
    standard_id     bigint,
    created_by      bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, beneficiary_id) REFERENCES beneficiaries (county_code, id),
    FOREIGN KEY (county_code, computation_id) REFERENCES amount_computations (county_code, id),
    FOREIGN KEY (county_code, standard_id) REFERENCES benefit_standards (county_code, id),
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE amount_changes_id_seq OWNED BY amount_changes.id;
CREATE INDEX amount_changes_beneficiary ON amount_changes (county_code, beneficiary_id, effective_month, id);
CREATE INDEX amount_changes_month ON amount_changes (county_code, effective_month, division_code);
ALTER TABLE amount_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE amount_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY amount_changes_scope ON amount_changes
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT ON amount_changes TO dibao_app;

-- Certificate numbers: one counter per county and year, bumped inside the enrolling
-- transaction (the row stays locked until it ends), so a number is issued once and never
-- reused. Any scope of the county may bump it: a township decides where the county has
-- delegated decisions.
CREATE TABLE certificate_counters (
    county_code   text COLLATE "C" NOT NULL,
    year          integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    division_code text COLLATE "C" NOT NULL,
    last_no       bigint NOT NULL CHECK (last_no BETWEEN 0 AND 999999),
    PRIMARY KEY (county_code, year),
    CHECK (division_code = county_code)
);
ALTER TABLE certificate_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE certificate_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY certificate_counters_county ON certificate_counters
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND current_setting('app.division_code', true) <> '');
GRANT SELECT, INSERT, UPDATE ON certificate_counters TO dibao_app;

-- Certificates (低保证): 330523-2026-000123, unique in the county; one valid certificate per
-- enrolment (a reissue later revokes the old one and issues a new number).
CREATE TABLE certificates (
    county_code     text COLLATE "C" NOT NULL,
    certificate_no  text COLLATE "C" NOT NULL,
    beneficiary_id  bigint NOT NULL,
    household_id    bigint NOT NULL,
    division_code   text COLLATE "C" NOT NULL,
    issued_on       date NOT NULL,
    issued_by       bigint,
    status          text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, certificate_no),
    FOREIGN KEY (county_code, beneficiary_id) REFERENCES beneficiaries (county_code, id),
    CHECK (certificate_no ~ ('^' || county_code || '-[0-9]{4}-[0-9]{6}$')),
    CHECK (left(division_code, 6) = county_code)
);
CREATE UNIQUE INDEX certificates_one_valid ON certificates (county_code, beneficiary_id) WHERE status = 'valid';
CREATE INDEX certificates_division ON certificates (county_code, division_code);
ALTER TABLE certificates ENABLE ROW LEVEL SECURITY;
ALTER TABLE certificates FORCE ROW LEVEL SECURITY;
CREATE POLICY certificates_scope ON certificates
    USING (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~')
    WITH CHECK (county_code = NULLIF(current_setting('app.county_code', true), '')
           AND division_code >= NULLIF(current_setting('app.division_code', true), '')
           AND division_code < NULLIF(current_setting('app.division_code', true), '') || '~');
GRANT SELECT, INSERT, UPDATE ON certificates TO dibao_app;

-- Permissions (policy.csv): reading standards for the staff who compute and check amounts,
-- reading beneficiaries and their certificates for those who work with them.
INSERT INTO role_permissions (role_key, object, action) VALUES
    ('county_admin', 'standard', 'read'),
    ('county_approver', 'standard', 'read'),
    ('township_leader', 'standard', 'read'),
    ('township_caseworker', 'standard', 'read'),
    ('inspector', 'standard', 'read'),
    ('county_approver', 'beneficiary', 'read'),
    ('township_leader', 'beneficiary', 'read'),
    ('township_caseworker', 'beneficiary', 'read'),
    ('village_worker', 'beneficiary', 'read'),
    ('finance_officer', 'beneficiary', 'read'),
    ('inspector', 'beneficiary', 'read')
    ON CONFLICT DO NOTHING;
