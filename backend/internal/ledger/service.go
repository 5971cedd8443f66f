package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"dibao/backend/internal/access"
	"dibao/backend/internal/audit"
	"dibao/backend/internal/identity"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/httpx"
	"dibao/backend/internal/platform/secure"
)

var divisionPattern = regexp.MustCompile(`^([0-9]{6}|[0-9]{9}|[0-9]{12})$`)

// staleAfter is how long a running job may stay silent before it is shown as interrupted
// (its server stopped mid-way: the batches written are whole, the rest never came).
const staleAfter = 3 * time.Minute

// Service holds the ledger import's use cases and runs its jobs.
type Service struct {
	db       *sqlx.DB
	box      *secure.Box
	guard    *access.Guard
	progress progressStore
	now      func() time.Time
	log      *slog.Logger

	// Jobs run on this instance under base; Close cancels them and waits.
	base   context.Context
	cancel context.CancelFunc
	jobs   sync.WaitGroup
}

// Config are the Service's dependencies.
type Config struct {
	DB          *sqlx.DB
	Redis       *redis.Client
	RedisPrefix string
	Box         *secure.Box
	Guard       *access.Guard
	Now         func() time.Time
	Logger      *slog.Logger
}

// NewService builds the service.
func NewService(c Config) *Service {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	base, cancel := context.WithCancel(context.Background())
	return &Service{db: c.DB, box: c.Box, guard: c.Guard, progress: progressStore{rdb: c.Redis, prefix: c.RedisPrefix},
		now: c.Now, log: c.Logger, base: base, cancel: cancel}
}

// Close stops the jobs running on this instance (they end as failed, their written
// households whole) and waits for them.
func (s *Service) Close() {
	s.cancel()
	s.jobs.Wait()
}

// working resolves the division an import works in and checks household:import there.
// Outside the caller's scope the division does not exist (404).
func (s *Service) working(ctx context.Context, p access.Principal, requested string) (string, error) {
	div, ok := access.WorkingDivision(p, requested)
	if !ok || p.CountyCode == access.PlatformDomain {
		return "", errDivisionNotFound(requested)
	}
	if !divisionPattern.MatchString(div) {
		return "", httpx.Invalid("division", fmt.Sprintf("区划代码 %q 格式不对：县 6 位、乡镇 9 位、村（社区）12 位数字", requested),
			fmt.Sprintf("Division code %q is malformed: 6 digits for a county, 9 for a township, 12 for a village", requested))
	}
	if err := s.guard.Require(ctx, p, div, "household", "", "import"); err != nil {
		return "", err
	}
	return div, nil
}

// MayImport checks, before an upload is read, that p may import into the division.
func (s *Service) MayImport(ctx context.Context, p access.Principal, division string) (string, error) {
	return s.working(ctx, p, division)
}

// MayDownloadTemplate checks that p may import somewhere.
func (s *Service) MayDownloadTemplate(ctx context.Context, p access.Principal) error {
	for _, a := range p.Roles {
		if s.guard.Allowed(ctx, p, a.DivisionCode, "household", "import") {
			return nil
		}
	}
	return httpx.E(403, "forbidden")
}

// Upload is an uploaded ledger saved to a temporary file.
type Upload struct {
	Path     string // removed by the job (or by Start when it refuses)
	FileName string
	Bytes    int64
}

// SaveUpload copies an upload into a temporary file, up to max bytes.
func SaveUpload(r io.Reader, name string, max int64) (Upload, error) {
	f, err := os.CreateTemp("", "dibao-ledger-*.xlsx")
	if err != nil {
		return Upload{}, fmt.Errorf("ledger: temporary file: %w", err)
	}
	n, err := io.Copy(f, io.LimitReader(r, max+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return Upload{}, err
	}
	if n > max {
		os.Remove(f.Name())
		return Upload{}, errTooLarge(max)
	}
	return Upload{Path: f.Name(), FileName: clip(name, 200), Bytes: n}, nil
}

// Start checks the file's shape (an .xlsx with a ledger header; a 4xx otherwise, nothing
// written), takes the county's import lock (409 while another import runs) and starts the
// job. The upload's file belongs to the job from here on.
func (s *Service) Start(ctx context.Context, p access.Principal, division string, up Upload, meta identity.Meta) (Started, error) {
	owned := false
	defer func() {
		if !owned {
			os.Remove(up.Path)
		}
	}()
	div, err := s.working(ctx, p, division)
	if err != nil {
		return Started{}, err
	}
	// The workbook opened here (its sheet unzipped to disk, its header read) goes on to the job.
	wb, err := openWorkbook(up.Path)
	if err != nil {
		return Started{}, err
	}
	defer func() {
		if !owned {
			wb.Close()
		}
	}()
	header := wb.layout.header
	county := access.CountyOf(div)
	lock, err := s.progress.lock(ctx, county)
	if errors.Is(err, errLocked) {
		var running int64
		_ = db.WithScope(ctx, s.db, db.Scope{County: county, Division: div}, func(tx *sqlx.Tx) error {
			running, err = runningJob(ctx, tx, county, div)
			return err
		})
		return Started{}, errBusy(running)
	}
	if err != nil {
		return Started{}, err
	}
	var id int64
	err = db.WithScope(ctx, s.db, db.Scope{County: county, Division: div}, func(tx *sqlx.Tx) error {
		id, err = insertJob(ctx, tx, newJob{County: county, Division: div, FileName: up.FileName, FileBytes: up.Bytes,
			Header: header, ActorID: p.UserID, ActorUsername: p.Username, ActorNm: p.DisplayName, RequestID: meta.RequestID})
		return err
	})
	if err != nil {
		_ = s.progress.release(context.WithoutCancel(ctx), lock)
		return Started{}, err
	}
	r := &run{svc: s, job: id, path: up.Path, wb: wb, lock: lock, now: s.now(),
		log: s.log.With("request_id", meta.RequestID),
		writer: &jobWriter{conn: s.db, box: s.box, county: county, division: div, job: id,
			actorID: p.UserID, actorUsername: p.Username, actorName: p.DisplayName, requestID: meta.RequestID},
		meta: auditMeta{ActorID: p.UserID, ActorName: p.Username, FileName: up.FileName, RequestID: meta.RequestID,
			ClientIP: meta.ClientIP}}
	owned = true
	s.jobs.Add(1)
	go func() {
		defer s.jobs.Done()
		r.execute(s.base)
	}()
	return Started{JobID: id, Status: StatusQueued}, nil
}

// inScope runs fn in a transaction scoped to the caller's broadest division; platform
// staff and users without a role see no job at all.
func (s *Service) inScope(ctx context.Context, p access.Principal, fn func(tx *sqlx.Tx, county string) error) error {
	div, ok := access.WorkingDivision(p, "")
	if !ok || p.CountyCode == access.PlatformDomain {
		return errJobNotFound()
	}
	s.guard.Allowed(ctx, p, div, "household", "import") // load the county's policy before taking a connection
	county := access.CountyOf(div)
	return db.WithScope(ctx, s.db, db.Scope{County: county, Division: div}, func(tx *sqlx.Tx) error { return fn(tx, county) })
}

// target loads job id as p may see it: 404 outside p's scope, 403 without household:import.
func (s *Service) target(ctx context.Context, tx *sqlx.Tx, p access.Principal, county string, id int64) (Job, error) {
	j, err := loadJob(ctx, tx, county, id)
	if err != nil {
		return Job{}, err
	}
	if !access.Sees(p, j.DivisionCode) {
		return Job{}, errJobNotFound()
	}
	if err := s.guard.Require(ctx, p, j.DivisionCode, "household", "import_job:"+strconv.FormatInt(id, 10), "import"); err != nil {
		return Job{}, err
	}
	return j, nil
}

// Get shows a job with its live progress.
func (s *Service) Get(ctx context.Context, p access.Principal, id int64, en bool) (Job, error) {
	var out Job
	err := s.inScope(ctx, p, func(tx *sqlx.Tx, county string) error {
		j, err := s.target(ctx, tx, p, county, id)
		if err != nil {
			return err
		}
		out = j
		return nil
	})
	if err != nil {
		return Job{}, err
	}
	return s.present(ctx, out, en), nil
}

// present adds the live progress (Redis) to a job row and phrases it for the caller.
func (s *Service) present(ctx context.Context, j Job, en bool) Job {
	j.Stage = j.Status
	j.RowsDone = j.RowsTotal
	live, ok, err := s.progress.load(ctx, j.CountyCode, j.ID)
	if err != nil {
		s.log.Warn("ledger: read progress", "job", j.ID, "error", err.Error())
	}
	switch j.Status {
	case StatusQueued, StatusRunning:
		if ok {
			j.Stage = live.Stage
			j.RowsDone = live.RowsDone
			j.RowsImported, j.RowsRejected = live.RowsImported, live.RowsRejected
			j.HouseholdsImported, j.HouseholdsRejected = live.HouseholdsImported, live.HouseholdsRejected
			if live.LastLine > 0 {
				pc := min(99, live.Line*100/live.LastLine)
				j.Percent = &pc
			}
		}
		beat := j.CreatedAt
		if j.HeartbeatAt != nil {
			beat = *j.HeartbeatAt
		}
		if s.now().Sub(beat) > staleAfter {
			j.Status, j.Stage = StatusFailed, StatusFailed
			j.ErrorZH = "导入中断（服务在导入过程中停止）；已写入的户完整保留，请重新导入其余的户"
			j.ErrorEN = "The import was interrupted (its server stopped); the households written are complete; import the rest again"
		}
	case StatusDone:
		pc := 100
		j.Percent = &pc
	}
	if j.Status == StatusFailed {
		j.Error = j.ErrorZH
		if en {
			j.Error = j.ErrorEN
		}
	}
	if j.Status == StatusDone && j.StartedAt != nil && j.FinishedAt != nil {
		if secs := j.FinishedAt.Sub(*j.StartedAt).Seconds(); secs > 0 {
			j.HouseholdsPerSecond = float64(int(float64(j.HouseholdsImported+j.HouseholdsRejected)/secs*10)) / 10
		}
	}
	return j
}

// List pages the imports of a division (default: the caller's area), newest first.
func (s *Service) List(ctx context.Context, p access.Principal, division, after, limit string, en bool) (JobPage, error) {
	n, cursor, err := pageParams(limit, after, 20)
	if err != nil {
		return JobPage{}, err
	}
	if division != "" && !divisionPattern.MatchString(division) {
		return JobPage{}, httpx.Invalid("division", fmt.Sprintf("区划代码 %q 格式不对", division), fmt.Sprintf("Division code %q is malformed", division))
	}
	div, err := s.working(ctx, p, division)
	if err != nil {
		return JobPage{}, err
	}
	county := access.CountyOf(div)
	out := JobPage{Items: []Job{}}
	err = db.WithScope(ctx, s.db, db.Scope{County: county, Division: div}, func(tx *sqlx.Tx) error {
		jobs, err := listJobs(ctx, tx, county, div, int64(cursor), n+1)
		if err != nil {
			return err
		}
		if len(jobs) > n {
			jobs = jobs[:n]
			out.NextCursor = strconv.FormatInt(jobs[n-1].ID, 10)
		}
		for _, j := range jobs {
			out.Items = append(out.Items, s.present(ctx, j, en))
		}
		return nil
	})
	return out, err
}

// Rejected pages a job's refused rows in file order, in the caller's language.
func (s *Service) Rejected(ctx context.Context, p access.Principal, id int64, after, limit string, en bool) (RejectedPage, error) {
	n, cursor, err := pageParams(limit, after, 100)
	if err != nil {
		return RejectedPage{}, err
	}
	out := RejectedPage{Items: []Rejected{}}
	err = s.inScope(ctx, p, func(tx *sqlx.Tx, county string) error {
		if _, err := s.target(ctx, tx, p, county, id); err != nil {
			return err
		}
		rows, err := listRejects(ctx, tx, county, id, cursor, n+1)
		if err != nil {
			return err
		}
		if len(rows) > n {
			rows = rows[:n]
			out.NextCursor = strconv.Itoa(rows[n-1].RowNumber)
		}
		for _, r := range rows {
			item := Rejected{Row: r.RowNumber, HouseholdKey: r.HouseholdKey, MemberName: r.MemberName, IDNumberMasked: r.IDNumberMasked}
			item.Problems = phrase(r.Problems, en)
			out.Items = append(out.Items, item)
		}
		return nil
	})
	return out, err
}

func phrase(raw []byte, en bool) []ProblemOutput {
	var ps []problem
	_ = json.Unmarshal(raw, &ps)
	out := make([]ProblemOutput, len(ps))
	for i, p := range ps {
		msg := p.ZH
		if en {
			msg = p.EN
		}
		out[i] = ProblemOutput{Column: p.Column, ColumnLabel: columnLabel(p.Column, en), Message: msg}
	}
	return out
}

// Report builds the .xlsx of a job's refused rows, in the caller's language: the row
// number, the reasons, and the row's cells as the file had them, ready to be corrected and
// imported again. The cells hold ID numbers in full, so every download is audited. The
// caller writes the file out and closes it.
func (s *Service) Report(ctx context.Context, p access.Principal, id int64, en bool, meta identity.Meta) (*ReportFile, error) {
	var out *ReportFile
	err := s.inScope(ctx, p, func(tx *sqlx.Tx, county string) error {
		j, err := s.target(ctx, tx, p, county, id)
		if err != nil {
			return err
		}
		header, err := jobHeader(ctx, tx, county, id)
		if err != nil {
			return err
		}
		rep, err := newReport(header, en)
		if err != nil {
			return err
		}
		out = &ReportFile{Name: reportName(j, en), rep: rep}
		after := 0
		for {
			rows, err := listRejects(ctx, tx, county, id, after, 1000)
			if err != nil {
				return err
			}
			for _, r := range rows {
				var cells []string
				if len(r.CellsEnc) > 0 {
					if plain, err := s.box.Open(rowField, r.CellsEnc); err == nil {
						_ = json.Unmarshal([]byte(plain), &cells)
					}
				}
				if err := rep.add(r.RowNumber, phrase(r.Problems, en), cells); err != nil {
					return err
				}
				after = r.RowNumber
			}
			if len(rows) < 1000 {
				break
			}
		}
		if err := rep.finish(); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: p.UserID, ActorName: p.Username, CountyCode: county,
			DivisionCode: j.DivisionCode, Action: "household.import_report", ObjectType: "import_job", ObjectID: strconv.FormatInt(id, 10),
			Outcome: audit.Success, RequestID: meta.RequestID, ClientIP: meta.ClientIP,
			Detail: map[string]any{"rows": rep.rows, "file_name": j.FileName}})
	})
	if err != nil {
		if out != nil {
			out.Close()
		}
		return nil, err
	}
	return out, nil
}

// pageParams reads limit (1–200, default def) and a numeric cursor.
func pageParams(limit, after string, def int) (int, int, error) {
	n := def
	if limit != "" {
		v, err := strconv.Atoi(limit)
		if err != nil || v < 1 || v > 200 {
			return 0, 0, httpx.Invalid("limit", "每页条数须为 1–200", "limit must be 1–200")
		}
		n = v
	}
	cursor := 0
	if after != "" {
		v, err := strconv.Atoi(after)
		if err != nil || v < 0 {
			return 0, 0, httpx.Invalid("after", "分页游标无效", "Invalid page cursor")
		}
		cursor = v
	}
	return n, cursor, nil
}
