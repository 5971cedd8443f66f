package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// Writing a batch: the checks that need the database (the platform-wide person index and
// the registry in the caller's scope), then every accepted household with its members,
// incomes and history row, and the refused rows, in one transaction. The registry writes one
// household at a time; a ledger of 100,000 households needs set-based inserts, so they are
// here: one INSERT … SELECT FROM unnest(arrays) per table and batch.

// rowField binds the sealed cells of a refused row to their column (secure.Box additional data).
const rowField = "ledger.row"

// sealedValue is a sensitive value as stored: ciphertext, blind index, masked copy.
type sealedValue struct {
	Enc, Index []byte
	Masked     string
}

func seal(box *secure.Box, field, value string, mask func(string) string) (sealedValue, error) {
	if value == "" {
		return sealedValue{}, nil
	}
	enc, err := box.Seal(field, value)
	if err != nil {
		return sealedValue{}, fmt.Errorf("ledger: seal %s: %w", field, err)
	}
	return sealedValue{Enc: enc, Index: box.Index(field, value), Masked: mask(value)}, nil
}

// prepared is an accepted household, sealed and ready to write.
type prepared struct {
	rec     *householdRec
	phone   sealedValue
	account sealedValue
	ids     []sealedValue // the members' ID numbers, in row order
}

// refused is a refused row, ready to write.
type refused struct {
	Row      int
	Key      string
	Name     string
	Masked   string
	Problems []problem
	Cells    []byte // sealed
}

// batch is what the reader hands the writer.
type batch struct {
	households        []*prepared
	refused           []refused
	refusedHouseholds int // households the reader refused (their rows are in refused)
	rowsRead          int // data rows read up to the end of this batch
	line              int // the sheet row reached
}

// jobWriter writes the batches of one job.
type jobWriter struct {
	conn             *sqlx.DB
	box              *secure.Box
	county, division string
	job              int64
	actorID          int64
	actorUsername    string
	actorName        string
	requestID        string
}

// outcome is what one batch wrote.
type outcome struct {
	households, rows               int
	refusedHouseholds, refusedRows int
}

// write writes b in one transaction and records the job's counts with it (t hears of them
// for the caller to commit). When the database refuses the batch (a constraint, a trigger),
// each household is tried alone, so that one bad household does not take the batch with it;
// a household the database refuses is reported with the reason, never half written.
func (w *jobWriter) write(ctx context.Context, b *batch, t *sharedTally) error {
	err := w.inScope(ctx, func(tx *sqlx.Tx) error {
		out, err := w.writeTx(ctx, tx, b.households, b.refused)
		if err != nil {
			return err
		}
		return w.record(ctx, tx, t, out, b)
	})
	if err == nil || !refusedByData(err) {
		return err
	}
	var total outcome
	rest := append([]refused{}, b.refused...)
	for _, h := range b.households {
		var one outcome
		err := w.inScope(ctx, func(tx *sqlx.Tx) error {
			var err error
			one, err = w.writeTx(ctx, tx, []*prepared{h}, nil)
			return err
		})
		switch {
		case err == nil:
			total.households += one.households
			total.rows += one.rows
			total.refusedHouseholds += one.refusedHouseholds
			total.refusedRows += one.refusedRows
		case refusedByData(err):
			why := problem{ZH: "数据库拒绝写入本户（" + pgReason(err) + "），整户未导入",
				EN: "The database refused this household (" + pgReason(err) + "); it was not imported"}
			for _, r := range h.rec.Rows {
				rest = append(rest, w.refusedRow(h.rec, r, []problem{why}))
			}
			total.refusedHouseholds++
		default:
			return err
		}
	}
	return w.inScope(ctx, func(tx *sqlx.Tx) error {
		out, err := w.writeTx(ctx, tx, nil, rest)
		if err != nil {
			return err
		}
		total.refusedRows += out.refusedRows
		return w.record(ctx, tx, t, total, b)
	})
}

func (w *jobWriter) inScope(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return db.WithScope(ctx, w.conn, db.Scope{County: w.county, Division: w.division}, fn)
}

// record adds what a batch wrote to the job's counts, in the batch's transaction: the
// counts in the job row always match what is committed. The in-memory tally follows once
// the transaction commits (a rolled-back batch changes nothing).
func (w *jobWriter) record(ctx context.Context, tx *sqlx.Tx, t *sharedTally, out outcome, b *batch) error {
	d := tally{RowsTotal: b.rowsRead, HouseholdsImported: out.households, RowsImported: out.rows, RowsRejected: out.refusedRows,
		HouseholdsRejected: out.refusedHouseholds + b.refusedHouseholds}
	if err := addTally(ctx, tx, w.county, w.job, d); err != nil {
		return err
	}
	t.pending = d
	return nil
}

// sharedTally is the job's counts as the writers commit them, with the batch a writer is
// about to commit.
type sharedTally struct {
	mu      *sync.Mutex
	total   *tally
	line    *int
	pending tally
}

// commit adds a committed batch to the job's counts.
func (t *sharedTally) commit(b *batch) {
	t.mu.Lock()
	defer t.mu.Unlock()
	d := t.pending
	t.total.HouseholdsImported += d.HouseholdsImported
	t.total.RowsImported += d.RowsImported
	t.total.RowsRejected += d.RowsRejected
	t.total.HouseholdsRejected += d.HouseholdsRejected
	t.total.RowsTotal = max(t.total.RowsTotal, b.rowsRead)
	*t.line = max(*t.line, b.line)
	t.pending = tally{}
}

func (w *jobWriter) refusedRow(h *householdRec, r *rowRec, ps []problem) refused {
	cells, _ := json.Marshal(r.Cells)
	enc, err := w.box.Seal(rowField, string(cells))
	if err != nil {
		enc = nil // the report then shows the reasons without the cells
	}
	masked := ""
	if len(r.RawID) >= 12 && !looksScientific(r.RawID) { // a wrong number is still shown masked, to find the row
		masked = secure.MaskIDNumber(r.RawID)
	}
	return refused{Row: r.Line, Key: h.Key, Name: r.Member.Name, Masked: masked, Problems: ps, Cells: enc}
}

// writeTx checks and writes households and refused rows inside tx.
func (w *jobWriter) writeTx(ctx context.Context, tx *sqlx.Tx, hs []*prepared, rs []refused) (outcome, error) {
	var out outcome
	// The checks that need the database refuse whole households.
	conflicts, err := w.conflicts(ctx, tx, hs)
	if err != nil {
		return out, err
	}
	keep := make([]*prepared, 0, len(hs))
	for _, h := range hs {
		ps, bad := conflicts[h]
		if !bad {
			keep = append(keep, h)
			continue
		}
		for _, r := range h.rec.Rows {
			mine := ps[r.Line]
			if len(mine) == 0 {
				mine = []problem{otherRowsProblem()}
			}
			rs = append(rs, w.refusedRow(h.rec, r, mine))
		}
		out.refusedHouseholds++
	}
	if len(keep) > 0 {
		n, err := w.insertHouseholds(ctx, tx, keep)
		if err != nil {
			return out, err
		}
		out.households += len(keep)
		out.rows += n
	}
	if len(rs) > 0 {
		if err := w.insertRefused(ctx, tx, rs); err != nil {
			return out, err
		}
	}
	out.refusedRows += len(rs)
	return out, nil
}

func otherRowsProblem() problem {
	return problem{ZH: "本户其他行有错误，整户未导入", EN: "Not imported: another row of this household has a problem"}
}

// conflicts finds the members of hs who may not be registered: a person in an open case or
// an enrolment anywhere on the platform (the person index, through person_active_county,
// which names only the county), or already in a household of the registry that the caller
// can see. It returns the problems per household and row.
func (w *jobWriter) conflicts(ctx context.Context, tx *sqlx.Tx, hs []*prepared) (map[*prepared]map[int][]problem, error) {
	out := map[*prepared]map[int][]problem{}
	if len(hs) == 0 {
		return out, nil
	}
	type ref struct {
		h   *prepared
		row *rowRec
	}
	var idx [][]byte
	var refs []ref
	for _, h := range hs {
		for i, r := range h.rec.Rows {
			idx = append(idx, h.ids[i].Index)
			refs = append(refs, ref{h, r})
		}
	}
	flag := func(i int, p problem) {
		f := refs[i]
		if out[f.h] == nil {
			out[f.h] = map[int][]problem{}
		}
		out[f.h][f.row.Line] = append(out[f.h][f.row.Line], p)
	}
	// person_active_counties (0012) is person_active_county (0007) for a whole batch: the
	// county holding each person, nothing else.
	var active []struct {
		I    int    `db:"i"`
		Name string `db:"county_name"`
	}
	if err := tx.SelectContext(ctx, &active, `SELECT t.i - 1 AS i, coalesce(d.name, p.county_code) AS county_name
		FROM unnest($1::bytea[]) WITH ORDINALITY AS t(idx, i)
		JOIN person_active_counties($1::bytea[]) p ON p.id_number_index = t.idx
		LEFT JOIN divisions d ON d.code = p.county_code`, pq.ByteaArray(idx)); err != nil {
		return nil, fmt.Errorf("ledger: person index lookup: %w", err)
	}
	for _, a := range active {
		flag(a.I, problem{Column: colIDNumber,
			ZH: fmt.Sprintf("此人已在%s的在办或在保案件中，同一人在全平台只能有一个有效案件", a.Name),
			EN: fmt.Sprintf("This person is already in an open case or enrolment in %s; a person may be in only one active case on the platform", a.Name)})
	}
	var known []struct {
		I       int    `db:"i"`
		ID      int64  `db:"household_id"`
		Head    string `db:"head_name"`
		Village string `db:"village"`
	}
	// One index probe per person first (household_members_id_number); the few people found
	// then name their household. Materialised, so that the planner, whose statistics lag
	// behind tables that grow as the import runs, cannot start from the households instead.
	if err := tx.SelectContext(ctx, &known, `WITH hit AS MATERIALIZED (
			SELECT t.i, x.household_id FROM unnest($2::bytea[]) WITH ORDINALITY AS t(idx, i)
			CROSS JOIN LATERAL (SELECT m.household_id FROM household_members m
				WHERE m.county_code = $1 AND m.id_number_index = t.idx LIMIT 1) x)
		SELECT hit.i - 1 AS i, hit.household_id, h.head_name, coalesce(d.name, h.division_code) AS village
		FROM hit JOIN households h ON h.county_code = $1 AND h.id = hit.household_id
		LEFT JOIN divisions d ON d.code = h.division_code`, w.county, pq.ByteaArray(idx)); err != nil {
		return nil, fmt.Errorf("ledger: registry lookup: %w", err)
	}
	for _, k := range known {
		flag(k.I, problem{Column: colIDNumber,
			ZH: fmt.Sprintf("此人已登记在户档案中（%s，户主%s，档案号 %d），不能重复导入", k.Village, k.Head, k.ID),
			EN: fmt.Sprintf("This person is already registered (household %d of %s, head %s); it cannot be imported again", k.ID, k.Village, k.Head)})
	}
	return out, nil
}

// insertHouseholds writes households with their members, incomes and a history row each.
// Ids come from the registry's sequences first, so children can name their parents.
func (w *jobWriter) insertHouseholds(ctx context.Context, tx *sqlx.Tx, hs []*prepared) (int, error) {
	members, incomes := 0, 0
	for _, h := range hs {
		members += len(h.rec.Rows)
		for _, r := range h.rec.Rows {
			incomes += len(r.Member.Incomes)
		}
	}
	hIDs, mIDs, iIDs, err := nextIDs(ctx, tx, len(hs), members, incomes)
	if err != nil {
		return 0, err
	}

	var hc householdCols
	var mc memberCols
	var ic incomeCols
	var hist historyCols
	mi, ii := 0, 0
	for n, h := range hs {
		id, r := hIDs[n], h.rec
		hc.add(id, r, h)
		// The history row: the household as imported, in the registry's history keys
		// (household/history.go: "phone", "members[12].name", …), masked.
		var after, labels jsonObject
		after.str("division_code", r.Division)
		after.str("category", r.Category)
		after.str("head_name", r.HeadName)
		after.str("address", r.Address)
		after.str("phone", h.phone.Masked)
		after.str("bank_name", r.BankName)
		after.str("bank_holder", r.BankHolder)
		after.str("bank_account", h.account.Masked)
		after.num("import_job", w.job)
		after.num("import_row", int64(r.Rows[0].Line))
		for k, row := range r.Rows {
			m := row.Member
			mid := mIDs[mi]
			mi++
			mc.add(mid, id, r.Division, m, h.ids[k])
			key := "members[" + strconv.FormatInt(mid, 10) + "]"
			// Who the members are; their other details are on the household, as imported.
			after.str(key+".name", m.Name)
			after.str(key+".id_number", h.ids[k].Masked)
			after.str(key+".relation", m.Relation)
			labels.raw(key, (&jsonObject{}).str("name", m.Name).close())
			for _, in := range m.Incomes {
				ic.add(iIDs[ii], id, r.Division, mid, in)
				ii++
			}
		}
		hist.household = append(hist.household, id)
		hist.division = append(hist.division, r.Division)
		hist.after = append(hist.after, after.close())
		hist.labels = append(hist.labels, labels.close())
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO households (county_code, id, division_code, category, head_name, address,
		phone_enc, phone_index, phone_masked, bank_name, bank_holder, bank_account_enc, bank_account_index, bank_account_masked, created_by,
		member_count, head_id_number_masked)
		SELECT $1, t.id, t.division_code, t.category, t.head_name, t.address,
			NULLIF(t.phone_enc, '\x'::bytea), NULLIF(t.phone_index, '\x'::bytea), t.phone_masked, t.bank_name, t.bank_holder,
			NULLIF(t.account_enc, '\x'::bytea), NULLIF(t.account_index, '\x'::bytea), t.account_masked, $15, t.member_count, t.head_masked
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::bytea[], $9::text[],
			$10::text[], $11::text[], $12::bytea[], $13::bytea[], $14::text[], $16::integer[], $17::text[])
			AS t(id, division_code, category, head_name, address, phone_enc, phone_index, phone_masked, bank_name, bank_holder,
				account_enc, account_index, account_masked, member_count, head_masked)`,
		w.county, pq.Int64Array(hc.id), pq.StringArray(hc.division), pq.StringArray(hc.category), pq.StringArray(hc.head),
		pq.StringArray(hc.address), pq.ByteaArray(hc.phoneEnc), pq.ByteaArray(hc.phoneIdx), pq.StringArray(hc.phoneMasked),
		pq.StringArray(hc.bankName), pq.StringArray(hc.bankHolder), pq.ByteaArray(hc.accEnc), pq.ByteaArray(hc.accIdx),
		pq.StringArray(hc.accMasked), nullID(w.actorID), pq.Int64Array(hc.members), pq.StringArray(hc.headIDMasked)); err != nil {
		return 0, fmt.Errorf("ledger: insert %d households: %w", len(hs), err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO household_members (county_code, id, household_id, division_code, name,
		id_number_enc, id_number_index, id_number_masked, sex, birth_date, relation, disability_grade, chronic_illness,
		serious_illness, labour_capacity, employment, school)
		SELECT $1, t.* FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::bytea[], $7::bytea[], $8::text[],
			$9::text[], $10::date[], $11::text[], $12::smallint[], $13::bool[], $14::bool[], $15::text[], $16::text[], $17::text[]) AS t`,
		w.county, pq.Int64Array(mc.id), pq.Int64Array(mc.household), pq.StringArray(mc.division), pq.StringArray(mc.name),
		pq.ByteaArray(mc.idEnc), pq.ByteaArray(mc.idIdx), pq.StringArray(mc.idMasked), pq.StringArray(mc.sex),
		pq.StringArray(mc.birth), pq.StringArray(mc.relation), pq.Int64Array(mc.disability), pq.BoolArray(mc.chronic),
		pq.BoolArray(mc.serious), pq.StringArray(mc.labour), pq.StringArray(mc.employment), pq.StringArray(mc.school)); err != nil {
		return 0, fmt.Errorf("ledger: insert %d members: %w", members, err)
	}
	if incomes > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO household_incomes (county_code, id, household_id, division_code, member_id,
			kind, monthly_fen) SELECT $1, t.* FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::bigint[]) AS t`,
			w.county, pq.Int64Array(ic.id), pq.Int64Array(ic.household), pq.StringArray(ic.division), pq.Int64Array(ic.member),
			pq.StringArray(ic.kind), pq.Int64Array(ic.fen)); err != nil {
			return 0, fmt.Errorf("ledger: insert %d incomes: %w", incomes, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO household_history (county_code, household_id, division_code, action,
		actor_id, actor_username, actor_name, version, after, labels, request_id)
		SELECT $1, t.household_id, t.division_code, 'import', $5, $6, $7, 1, t.after::jsonb, t.labels::jsonb, $8
		FROM unnest($2::bigint[], $3::text[], $4::text[], $9::text[]) AS t(household_id, division_code, after, labels)`,
		w.county, pq.Int64Array(hist.household), pq.StringArray(hist.division), pq.StringArray(hist.after),
		nullID(w.actorID), w.actorUsername, w.actorName, w.requestID, pq.StringArray(hist.labels)); err != nil {
		return 0, fmt.Errorf("ledger: insert history of %d households: %w", len(hs), err)
	}
	return members, nil
}

func (w *jobWriter) insertRefused(ctx context.Context, tx *sqlx.Tx, rs []refused) error {
	n := len(rs)
	rows, keys, names, masked, probs := make([]int64, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	cells := make([][]byte, n)
	for i, r := range rs {
		p, err := json.Marshal(r.Problems)
		if err != nil {
			return fmt.Errorf("ledger: encode problems of row %d: %w", r.Row, err)
		}
		rows[i], keys[i], names[i], masked[i], probs[i], cells[i] = int64(r.Row), clip(r.Key, 100), clip(r.Name, 100), r.Masked, string(p), r.Cells
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO import_job_rejects (county_code, job_id, row_number, division_code,
		household_key, member_name, id_number_masked, problems, cells_enc)
		SELECT $1, $2, t.row_number, $3, t.household_key, t.member_name, t.id_number_masked, t.problems::jsonb, NULLIF(t.cells, '\x'::bytea)
		FROM unnest($4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bytea[])
			AS t(row_number, household_key, member_name, id_number_masked, problems, cells)`,
		w.county, w.job, w.division, pq.Int64Array(rows), pq.StringArray(keys), pq.StringArray(names), pq.StringArray(masked),
		pq.StringArray(probs), pq.ByteaArray(cells))
	if err != nil {
		return fmt.Errorf("ledger: record %d refused rows: %w", n, err)
	}
	return nil
}

// nextIDs takes ids for households, members and incomes from the registry's sequences, in
// one round trip.
func nextIDs(ctx context.Context, tx *sqlx.Tx, households, members, incomes int) (h, m, i []int64, err error) {
	var hs, ms, is pq.Int64Array
	err = tx.QueryRowxContext(ctx, `SELECT
		ARRAY(SELECT nextval('households_id_seq') FROM generate_series(1, $1)),
		ARRAY(SELECT nextval('household_members_id_seq') FROM generate_series(1, $2)),
		ARRAY(SELECT nextval('household_incomes_id_seq') FROM generate_series(1, $3))`, households, members, incomes).Scan(&hs, &ms, &is)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("ledger: take ids: %w", err)
	}
	return hs, ms, is, nil
}

// refusedByData reports an error of the data rather than of the database being there: a
// constraint, a value out of range, a trigger's exception. Those refuse a household; any
// other error stops the job.
func refusedByData(err error) bool {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code.Class() {
	case "22", "23", "P0", "42": // data exception, integrity constraint, PL/pgSQL raise, RLS check (42501)
		return true
	}
	return false
}

func pgReason(err error) string {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Message
	}
	return "unknown"
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Column arrays for the set-based inserts.

type householdCols struct {
	id                                                                   []int64
	division, category, head, address, phoneMasked, bankName, bankHolder []string
	accMasked, headIDMasked                                              []string
	phoneEnc, phoneIdx, accEnc, accIdx                                   [][]byte
	members                                                              []int64
}

func (c *householdCols) add(id int64, r *householdRec, h *prepared) {
	c.id = append(c.id, id)
	c.division = append(c.division, r.Division)
	c.category = append(c.category, r.Category)
	c.head = append(c.head, r.HeadName)
	c.address = append(c.address, r.Address)
	c.phoneEnc = append(c.phoneEnc, h.phone.Enc)
	c.phoneIdx = append(c.phoneIdx, h.phone.Index)
	c.phoneMasked = append(c.phoneMasked, h.phone.Masked)
	c.bankName = append(c.bankName, r.BankName)
	c.bankHolder = append(c.bankHolder, r.BankHolder)
	c.accEnc = append(c.accEnc, h.account.Enc)
	c.accIdx = append(c.accIdx, h.account.Index)
	c.accMasked = append(c.accMasked, h.account.Masked)
	// The summary the household list shows (0015), written here so that the trigger on
	// household_members finds it right and writes nothing.
	head := ""
	for k, row := range r.Rows {
		if row.Member.Relation == "self" {
			head = h.ids[k].Masked
			break
		}
	}
	c.headIDMasked = append(c.headIDMasked, head)
	c.members = append(c.members, int64(len(r.Rows)))
}

type memberCols struct {
	id, household, disability                                                  []int64
	division, name, idMasked, sex, birth, relation, labour, employment, school []string
	idEnc, idIdx                                                               [][]byte
	chronic, serious                                                           []bool
}

func (c *memberCols) add(id, household int64, division string, m member, sv sealedValue) {
	c.id = append(c.id, id)
	c.household = append(c.household, household)
	c.division = append(c.division, division)
	c.name = append(c.name, m.Name)
	c.idEnc = append(c.idEnc, sv.Enc)
	c.idIdx = append(c.idIdx, sv.Index)
	c.idMasked = append(c.idMasked, sv.Masked)
	c.sex = append(c.sex, m.Sex)
	c.birth = append(c.birth, m.BirthDate.String())
	c.relation = append(c.relation, m.Relation)
	c.disability = append(c.disability, int64(m.DisabilityGrade))
	c.chronic = append(c.chronic, m.ChronicIllness)
	c.serious = append(c.serious, m.SeriousIllness)
	c.labour = append(c.labour, m.LabourCapacity)
	c.employment = append(c.employment, m.Employment)
	c.school = append(c.school, m.School)
}

type incomeCols struct {
	id, household, member, fen []int64
	division, kind             []string
}

func (c *incomeCols) add(id, household int64, division string, member int64, in income) {
	c.id = append(c.id, id)
	c.household = append(c.household, household)
	c.division = append(c.division, division)
	c.member = append(c.member, member)
	c.kind = append(c.kind, in.Kind)
	c.fen = append(c.fen, in.Fen)
}

type historyCols struct {
	household     []int64
	division      []string
	after, labels []string
}

// jsonObject writes a flat JSON object by hand: a history row per household of a 100,000-
// row import, through encoding/json's maps and reflection, cost more than the insert.
type jsonObject struct{ b []byte }

func (o *jsonObject) key(k string) {
	if len(o.b) == 0 {
		o.b = append(o.b, '{')
	} else {
		o.b = append(o.b, ',')
	}
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *jsonObject) str(k, v string) *jsonObject {
	o.key(k)
	o.b = appendJSONString(o.b, v)
	return o
}

func (o *jsonObject) num(k string, v int64) { o.key(k); o.b = strconv.AppendInt(o.b, v, 10) }

func (o *jsonObject) raw(k, v string) { o.key(k); o.b = append(o.b, v...) }

func (o *jsonObject) close() string {
	if len(o.b) == 0 {
		return "{}"
	}
	return string(append(o.b, '}'))
}

// appendJSONString appends s as a JSON string: quotes, backslashes and control characters
// escaped, invalid UTF-8 replaced.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}
