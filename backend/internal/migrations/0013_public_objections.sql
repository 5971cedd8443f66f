-- Objections from the public portal (公示异议, DESIGN.md 3.6): the objector may leave a phone
-- number for the village to call back, stored like every phone (SM4-GCM ciphertext under the
-- field name "case_objection.phone", with a masked copy for display; no blind index, since
-- nobody searches objections by phone), and gets a receipt code to quote when asking after
-- the objection. Village-recorded objections have neither. The table's policy and grants
-- (0008) cover the new columns.
ALTER TABLE case_objections
    ADD COLUMN phone_enc    bytea,
    ADD COLUMN phone_masked text NOT NULL DEFAULT '' CHECK (length(phone_masked) <= 20),
    ADD COLUMN receipt_code text COLLATE "C" CHECK (receipt_code ~ '^YY[0-9]{8}-[0-9A-Z]{6}$'),
    ADD CONSTRAINT case_objections_public_extras CHECK (source = 'public' OR (phone_enc IS NULL AND receipt_code IS NULL)),
    ADD CONSTRAINT case_objections_phone_masked CHECK ((phone_enc IS NULL) = (phone_masked = '')),
    ADD CONSTRAINT case_objections_receipt UNIQUE (county_code, receipt_code);
