package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/platform/db"
)

// The SQL of import jobs and their refused rows. Every statement names the county (and the
// division range where it lists), besides the row-level security of the transaction.

// newJob is an import_jobs row as created by the upload.
type newJob struct {
	County, Division       string
	FileName               string
	FileBytes              int64
	Header                 []string
	ActorID                int64
	ActorUsername, ActorNm string
	RequestID              string
}

func insertJob(ctx context.Context, tx *sqlx.Tx, j newJob) (int64, error) {
	header, err := json.Marshal(j.Header)
	if err != nil {
		return 0, fmt.Errorf("ledger: encode header: %w", err)
	}
	var id int64
	err = tx.GetContext(ctx, &id, `INSERT INTO import_jobs (county_code, division_code, file_name, file_bytes, header,
		created_by, created_by_username, created_by_name, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		j.County, j.Division, j.FileName, j.FileBytes, db.JSONB(header), nullID(j.ActorID), j.ActorUsername, j.ActorNm, j.RequestID)
	if err != nil {
		return 0, fmt.Errorf("ledger: create import job in %s: %w", j.Division, err)
	}
	return id, nil
}

const selectJob = `SELECT j.id, j.county_code, j.division_code, coalesce(d.name, '') AS division_name, j.file_name, j.file_bytes,
	j.status, j.rows_total, j.rows_imported, j.rows_rejected, j.households_imported, j.households_rejected,
	j.error_zh, j.error_en, j.created_by_username, j.created_by_name, j.created_at, j.started_at, j.heartbeat_at, j.finished_at
	FROM import_jobs j LEFT JOIN divisions d ON d.code = j.division_code`

func loadJob(ctx context.Context, q sqlx.QueryerContext, county string, id int64) (Job, error) {
	var j Job
	err := sqlx.GetContext(ctx, q, &j, selectJob+` WHERE j.county_code = $1 AND j.id = $2`, county, id)
	if db.IsNotFound(err) {
		return Job{}, errJobNotFound()
	}
	if err != nil {
		return Job{}, fmt.Errorf("ledger: load job %s/%d: %w", county, id, err)
	}
	return j, nil
}

// listJobs pages a division's jobs (and those of divisions below it), newest first.
func listJobs(ctx context.Context, tx *sqlx.Tx, county, division string, before int64, limit int) ([]Job, error) {
	q := selectJob + ` WHERE j.county_code = $1 AND j.division_code >= $2 AND j.division_code < $2 || '~'`
	args := []any{county, division}
	if before > 0 {
		q += ` AND j.id < $3`
		args = append(args, before)
	}
	q += ` ORDER BY j.id DESC LIMIT ` + strconv.Itoa(limit)
	var out []Job
	if err := tx.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("ledger: list jobs of %s: %w", division, err)
	}
	return out, nil
}

// runningJob is the county's job that is queued or running in the caller's scope, if any.
func runningJob(ctx context.Context, tx *sqlx.Tx, county, division string) (int64, error) {
	var ids []int64
	err := tx.SelectContext(ctx, &ids, `SELECT id FROM import_jobs WHERE county_code = $1 AND division_code >= $2
		AND division_code < $2 || '~' AND status IN ('queued', 'running') ORDER BY id DESC LIMIT 1`, county, division)
	if err != nil {
		return 0, fmt.Errorf("ledger: running job of %s: %w", county, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

func startJob(ctx context.Context, tx *sqlx.Tx, county string, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = 'running', started_at = now(), heartbeat_at = now()
		WHERE county_code = $1 AND id = $2`, county, id)
	if err != nil {
		return fmt.Errorf("ledger: start job %s/%d: %w", county, id, err)
	}
	return nil
}

// tally is what a job has done so far.
type tally struct {
	RowsTotal, RowsImported, RowsRejected, HouseholdsImported, HouseholdsRejected int
}

// addTally adds what one batch wrote to the job's counts and records that it is alive.
// Batches commit in any order, so the counts are added, never set.
func addTally(ctx context.Context, tx *sqlx.Tx, county string, id int64, t tally) error {
	_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET rows_total = greatest(rows_total, $3), rows_imported = rows_imported + $4,
		rows_rejected = rows_rejected + $5, households_imported = households_imported + $6,
		households_rejected = households_rejected + $7, heartbeat_at = now() WHERE county_code = $1 AND id = $2`,
		county, id, t.RowsTotal, t.RowsImported, t.RowsRejected, t.HouseholdsImported, t.HouseholdsRejected)
	if err != nil {
		return fmt.Errorf("ledger: record progress of job %s/%d: %w", county, id, err)
	}
	return nil
}

// finishJob records the outcome: done, or failed with the reason in both languages.
func finishJob(ctx context.Context, tx *sqlx.Tx, county string, id int64, t tally, status, errZH, errEN string) error {
	_, err := tx.ExecContext(ctx, `UPDATE import_jobs SET status = $3, rows_total = $4, rows_imported = $5, rows_rejected = $6,
		households_imported = $7, households_rejected = $8, error_zh = $9, error_en = $10, finished_at = now(), heartbeat_at = now()
		WHERE county_code = $1 AND id = $2`,
		county, id, status, t.RowsTotal, t.RowsImported, t.RowsRejected, t.HouseholdsImported, t.HouseholdsRejected, errZH, errEN)
	if err != nil {
		return fmt.Errorf("ledger: finish job %s/%d: %w", county, id, err)
	}
	return nil
}

// rejectRow is an import_job_rejects row.
type rejectRow struct {
	RowNumber      int    `db:"row_number"`
	HouseholdKey   string `db:"household_key"`
	MemberName     string `db:"member_name"`
	IDNumberMasked string `db:"id_number_masked"`
	Problems       []byte `db:"problems"`
	CellsEnc       []byte `db:"cells_enc"`
}

// listRejects pages a job's refused rows in file order, after row number after.
func listRejects(ctx context.Context, tx *sqlx.Tx, county string, job int64, after, limit int) ([]rejectRow, error) {
	var out []rejectRow
	err := tx.SelectContext(ctx, &out, `SELECT row_number, household_key, member_name, id_number_masked, problems, cells_enc
		FROM import_job_rejects WHERE county_code = $1 AND job_id = $2 AND row_number > $3 ORDER BY row_number LIMIT `+strconv.Itoa(limit),
		county, job, after)
	if err != nil {
		return nil, fmt.Errorf("ledger: refused rows of job %s/%d: %w", county, job, err)
	}
	return out, nil
}

func jobHeader(ctx context.Context, tx *sqlx.Tx, county string, job int64) ([]string, error) {
	var raw []byte
	if err := tx.GetContext(ctx, &raw, `SELECT header FROM import_jobs WHERE county_code = $1 AND id = $2`, county, job); err != nil {
		return nil, fmt.Errorf("ledger: header of job %s/%d: %w", county, job, err)
	}
	var h []string
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("ledger: header of job %s/%d: %w", county, job, err)
	}
	return h, nil
}

// loadVillages reads the villages of the working division, retired ones included (so
// that a retired village is named as such rather than as unknown).
func loadVillages(ctx context.Context, tx *sqlx.Tx, county, division string) (*villages, error) {
	var rows []struct {
		Code       string `db:"code"`
		Name       string `db:"name"`
		UrbanRural string `db:"urban_rural_type"`
		Status     string `db:"status"`
	}
	err := tx.SelectContext(ctx, &rows, `SELECT code, name, coalesce(urban_rural_type, '') AS urban_rural_type, status
		FROM divisions WHERE county_code = $1 AND level = 'village' AND code >= $2 AND code < $2 || '~'`, county, division)
	if err != nil {
		return nil, fmt.Errorf("ledger: villages of %s: %w", division, err)
	}
	v := &villages{byCode: make(map[string]village, len(rows)), byName: map[string][]string{}, division: division, divName: division}
	for _, r := range rows {
		v.byCode[r.Code] = village{Code: r.Code, Name: r.Name, UrbanRural: r.UrbanRural, Status: r.Status}
		v.byName[r.Name] = append(v.byName[r.Name], r.Code)
	}
	var name string
	if err := tx.GetContext(ctx, &name, `SELECT name FROM divisions WHERE code = $1`, division); err == nil {
		v.divName = name
	}
	return v, nil
}

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
