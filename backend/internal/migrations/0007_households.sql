-- The registry (一户一档): households, their members, income items and assets.
-- Tenant tables: county_code leads every key; division_code is the household's village
-- (registered address); RLS is forced with the range policy of 0001.
-- ID numbers, phones and bank accounts are stored only as SM4-GCM ciphertext (_enc), a keyed
-- HMAC-SM3 blind index (_index, for equality search and duplicate detection) and a masked
-- copy (_masked, for lists and exports).

CREATE SEQUENCE households_id_seq;
GRANT USAGE ON SEQUENCE households_id_seq TO dibao_app;
CREATE TABLE households (
    county_code          text COLLATE "C" NOT NULL,
    id                   bigint NOT NULL DEFAULT nextval('households_id_seq'),
    division_code        text COLLATE "C" NOT NULL REFERENCES divisions (code),
    category             text NOT NULL CHECK (category IN ('urban', 'rural')),  -- 城镇/农村
    head_name            text NOT NULL CHECK (length(btrim(head_name)) BETWEEN 1 AND 50),
    address              text NOT NULL DEFAULT '' CHECK (length(address) <= 200),
    hukou_place          text NOT NULL DEFAULT '' CHECK (length(hukou_place) <= 200),  -- 户口所在地
    phone_enc            bytea,
    phone_index          bytea,
    phone_masked         text NOT NULL DEFAULT '',
    bank_name            text NOT NULL DEFAULT '' CHECK (length(bank_name) <= 100),
    bank_holder          text NOT NULL DEFAULT '' CHECK (length(bank_holder) <= 50),
    bank_account_enc     bytea,
    bank_account_index   bytea,
    bank_account_masked  text NOT NULL DEFAULT '',
    status               text NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'applying', 'enrolled', 'exited')),
    version              integer NOT NULL DEFAULT 1,   -- optimistic concurrency
    created_by           bigint,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (county_code, id),
    CHECK (left(division_code, 6) = county_code AND length(division_code) = 12)
);
ALTER SEQUENCE households_id_seq OWNED BY households.id;
-- Searches: by village (the division range), by name prefix within a county, by bank account.
CREATE INDEX households_division ON households (county_code, division_code, id);
CREATE INDEX households_head_name ON households (county_code, head_name text_pattern_ops);
CREATE INDEX households_bank_account ON households (county_code, bank_account_index);
ALTER TABLE households ENABLE ROW LEVEL SECURITY;
ALTER TABLE households FORCE ROW LEVEL SECURITY;
CREATE POLICY households_scope ON households
    USING (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end())
    WITH CHECK (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
GRANT SELECT, INSERT, UPDATE ON households TO dibao_app;

CREATE SEQUENCE household_members_id_seq;
GRANT USAGE ON SEQUENCE household_members_id_seq TO dibao_app;
CREATE TABLE household_members (
    county_code        text COLLATE "C" NOT NULL,
    id                 bigint NOT NULL DEFAULT nextval('household_members_id_seq'),
    household_id       bigint NOT NULL,
    division_code      text COLLATE "C" NOT NULL,
    name               text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 50),
    id_number_enc      bytea NOT NULL,
    id_number_index    bytea NOT NULL,
    id_number_masked   text NOT NULL,
    sex                text NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date         date NOT NULL,
    relation           text NOT NULL CHECK (relation IN ('self', 'spouse', 'child', 'parent', 'grandchild', 'grandparent', 'sibling', 'child_in_law', 'other')),
    identity_category  text NOT NULL DEFAULT '' CHECK (length(identity_category) <= 50),  -- employed, unemployed, student, 三无 …
    disability_grade   smallint NOT NULL DEFAULT 0 CHECK (disability_grade BETWEEN 0 AND 4),  -- 0 none, 1 (most severe) … 4
    disability_type    text NOT NULL DEFAULT '' CHECK (length(disability_type) <= 50),
    chronic_illness    boolean NOT NULL DEFAULT false,
    serious_illness    boolean NOT NULL DEFAULT false,
    labour_capacity    text NOT NULL DEFAULT 'full' CHECK (labour_capacity IN ('full', 'partial', 'none')),
    employment         text NOT NULL DEFAULT '' CHECK (length(employment) <= 100),
    school             text NOT NULL DEFAULT '' CHECK (length(school) <= 100),
    covered            boolean NOT NULL DEFAULT true,   -- counted as a beneficiary (保障对象)
    PRIMARY KEY (county_code, id),
    UNIQUE (county_code, household_id, id_number_index),   -- a person listed twice in one household
    FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE,
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE household_members_id_seq OWNED BY household_members.id;
CREATE INDEX household_members_household ON household_members (county_code, household_id);
CREATE INDEX household_members_id_number ON household_members (county_code, id_number_index);
CREATE UNIQUE INDEX household_members_one_head ON household_members (county_code, household_id) WHERE relation = 'self';
ALTER TABLE household_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_members FORCE ROW LEVEL SECURITY;
CREATE POLICY household_members_scope ON household_members
    USING (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end())
    WITH CHECK (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
GRANT SELECT, INSERT, UPDATE, DELETE ON household_members TO dibao_app;

CREATE SEQUENCE household_incomes_id_seq;
GRANT USAGE ON SEQUENCE household_incomes_id_seq TO dibao_app;
CREATE TABLE household_incomes (
    county_code   text COLLATE "C" NOT NULL,
    id            bigint NOT NULL DEFAULT nextval('household_incomes_id_seq'),
    household_id  bigint NOT NULL,
    division_code text COLLATE "C" NOT NULL,
    member_id     bigint,            -- whose income, when it is one person's
    kind          text NOT NULL CHECK (kind IN ('wages', 'farming', 'business', 'property', 'transfer', 'other')),
    source        text NOT NULL DEFAULT '' CHECK (length(source) <= 100),
    monthly_fen   bigint NOT NULL CHECK (monthly_fen >= 0),
    counted       boolean NOT NULL DEFAULT true,   -- counted toward household income
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE,
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE household_incomes_id_seq OWNED BY household_incomes.id;
CREATE INDEX household_incomes_household ON household_incomes (county_code, household_id);
ALTER TABLE household_incomes ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_incomes FORCE ROW LEVEL SECURITY;
CREATE POLICY household_incomes_scope ON household_incomes
    USING (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end())
    WITH CHECK (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
GRANT SELECT, INSERT, UPDATE, DELETE ON household_incomes TO dibao_app;

CREATE SEQUENCE household_assets_id_seq;
GRANT USAGE ON SEQUENCE household_assets_id_seq TO dibao_app;
CREATE TABLE household_assets (
    county_code   text COLLATE "C" NOT NULL,
    id            bigint NOT NULL DEFAULT nextval('household_assets_id_seq'),
    household_id  bigint NOT NULL,
    division_code text COLLATE "C" NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('house', 'vehicle', 'deposit', 'business', 'machinery', 'livestock', 'other')),
    description   text NOT NULL DEFAULT '' CHECK (length(description) <= 200),
    value_fen     bigint NOT NULL DEFAULT 0 CHECK (value_fen >= 0),
    PRIMARY KEY (county_code, id),
    FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE,
    CHECK (left(division_code, 6) = county_code)
);
ALTER SEQUENCE household_assets_id_seq OWNED BY household_assets.id;
CREATE INDEX household_assets_household ON household_assets (county_code, household_id);
ALTER TABLE household_assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_assets FORCE ROW LEVEL SECURITY;
CREATE POLICY household_assets_scope ON household_assets
    USING (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end())
    WITH CHECK (county_code = app_county() AND division_code >= app_division() AND division_code < app_division_end());
GRANT SELECT, INSERT, UPDATE, DELETE ON household_assets TO dibao_app;

-- The global person index: one row per person in an active case or enrolled household,
-- anywhere on the platform (a table distributed by county cannot hold that uniqueness).
-- Each county sees and writes only its own rows; person_active_county() tells another
-- county's staff which county holds a person, and nothing else.
CREATE TABLE person_index (
    id_number_index bytea PRIMARY KEY,
    county_code     text COLLATE "C" NOT NULL,
    household_id    bigint NOT NULL,
    member_id       bigint NOT NULL,
    since           timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (county_code, household_id) REFERENCES households (county_code, id) ON DELETE CASCADE
);
CREATE INDEX person_index_household ON person_index (county_code, household_id);
ALTER TABLE person_index ENABLE ROW LEVEL SECURITY;
ALTER TABLE person_index FORCE ROW LEVEL SECURITY;
CREATE POLICY person_index_scope ON person_index
    USING (county_code = app_county() AND app_division() <> '')
    WITH CHECK (county_code = app_county() AND app_division() <> '');
GRANT SELECT, INSERT, DELETE ON person_index TO dibao_app;

-- Runs as the owner with RLS lifted for this one statement's purpose: it returns only the
-- county code, so a caller learns where a person is active, never which household.
CREATE FUNCTION person_active_county(idx bytea) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    found text;
    outer_purpose text := app_purpose();
BEGIN
    PERFORM set_config('app.purpose', 'person_lookup', true);
    SELECT county_code INTO found FROM person_index WHERE id_number_index = idx;
    PERFORM set_config('app.purpose', outer_purpose, true);
    RETURN found;
END
$$;
-- The door is the owner's alone: the app role setting the purpose itself gains nothing.
CREATE POLICY person_index_lookup ON person_index FOR SELECT TO dibao_owner USING (app_purpose() = 'person_lookup');
REVOKE ALL ON FUNCTION person_active_county(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION person_active_county(bytea) TO dibao_app;
