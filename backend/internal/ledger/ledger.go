// Package ledger imports an existing ledger (台账) of households from an Excel workbook:
// the documented template, the upload that runs as a job, the row-by-row validation with
// the registry's rules, the writing of accepted households in batches, and the report of
// refused rows (issue 4 item 2, DESIGN.md 3.1).
//
// The file is one row per person. Rows are grouped into households by the household number
// column (户编号), or by the head's ID number when there is none; the rows of one household
// are consecutive. A household is written whole or not at all: one bad row refuses its whole
// household, and every row of it is reported with the reason.
//
// The work streams: excelize's row iterator reads the sheet from a temporary file (the
// worksheet and the shared strings are unzipped to disk, not memory), households are
// validated as they are completed and written in batches of a few hundred, each batch in one
// transaction. Memory stays flat whatever the size of the file.
//
// What runs where:
//   - columns.go: the columns of the template and the header names they are known by;
//   - cells.go: reading one cell (yuan to fen exactly, dates, yes/no, the enumerations);
//   - validate.go: a row and a household, with the registry's rules;
//   - workbook.go: opening the upload, finding the sheet and the header, the row iterator;
//   - runner.go: the job (group, validate, seal, batch) and writer.go (one batch, one transaction);
//   - progress.go: live progress and the one-import-per-county lock in Redis;
//   - template.go, report.go: the template and the report of refused rows (.xlsx);
//   - service.go, http.go: the use cases and their HTTP handlers.
package ledger

import (
	"time"
)

// Job statuses (import_jobs.status).
const (
	StatusQueued  = "queued"
	StatusRunning = "running"
	StatusDone    = "done"
	StatusFailed  = "failed"
)

// Job is one import as its requester and colleagues see it.
type Job struct {
	ID           int64  `json:"id" db:"id"`
	CountyCode   string `json:"county_code" db:"county_code"`
	DivisionCode string `json:"division_code" db:"division_code"`
	DivisionName string `json:"division_name" db:"division_name"`
	FileName     string `json:"file_name" db:"file_name"`
	FileBytes    int64  `json:"file_bytes" db:"file_bytes"`
	Status       string `json:"status" db:"status"` // queued, running, done, failed
	// Stage is what a running job is doing: counting (the rows of the file) or importing.
	Stage string `json:"stage"`
	// Percent of the file's rows processed; null while the rows are being counted.
	Percent            *int       `json:"percent"`
	RowsTotal          int        `json:"rows_total" db:"rows_total"` // data rows in the file (known once counted)
	RowsDone           int        `json:"rows_done"`                  // data rows processed so far
	RowsImported       int        `json:"rows_imported" db:"rows_imported"`
	RowsRejected       int        `json:"rows_rejected" db:"rows_rejected"`
	HouseholdsImported int        `json:"households_imported" db:"households_imported"`
	HouseholdsRejected int        `json:"households_rejected" db:"households_rejected"`
	Error              string     `json:"error,omitempty"` // why a failed job stopped, in the caller's language
	CreatedBy          string     `json:"created_by" db:"created_by_username"`
	CreatedByName      string     `json:"created_by_name" db:"created_by_name"`
	CreatedAt          time.Time  `json:"created_at" db:"created_at"`
	StartedAt          *time.Time `json:"started_at" db:"started_at"`
	FinishedAt         *time.Time `json:"finished_at" db:"finished_at"`
	// HouseholdsPerSecond is the speed of a finished job, from start to finish.
	HouseholdsPerSecond float64 `json:"households_per_second,omitempty"`

	ErrorZH     string     `json:"-" db:"error_zh"`
	ErrorEN     string     `json:"-" db:"error_en"`
	HeartbeatAt *time.Time `json:"-" db:"heartbeat_at"`
}

// JobPage is one page of a division's imports, newest first.
type JobPage struct {
	Items      []Job  `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// Rejected is one refused row of the file as the SPA lists it: sensitive values masked.
type Rejected struct {
	Row            int             `json:"row"` // the row number in the sheet (1 is the header)
	HouseholdKey   string          `json:"household_key"`
	MemberName     string          `json:"member_name"`
	IDNumberMasked string          `json:"id_number_masked"`
	Problems       []ProblemOutput `json:"problems"`
}

// ProblemOutput is one reason a row was refused, in the caller's language.
type ProblemOutput struct {
	Column      string `json:"column"`       // the template column key, e.g. id_number; "" for the row as a whole
	ColumnLabel string `json:"column_label"` // the column's title in the caller's language
	Message     string `json:"message"`
}

// RejectedPage is one page of refused rows, in file order.
type RejectedPage struct {
	Items      []Rejected `json:"items"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// Started is the answer to an upload: the job to follow.
type Started struct {
	JobID  int64  `json:"job_id"`
	Status string `json:"status"`
}

// problem is one reason a row was refused, in both languages.
type problem struct {
	Column string `json:"column"`
	ZH     string `json:"zh"`
	EN     string `json:"en"`
}
