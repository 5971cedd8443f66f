package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"dibao/backend/internal/audit"
	"dibao/backend/internal/household"
	"dibao/backend/internal/platform/db"
	"dibao/backend/internal/platform/secure"
)

// The job: read the file row by row, group rows into households, validate and seal each
// household as it completes, and hand batches to the writers. Reading (CPU: XML, SM4, HMAC)
// and writing (the database) run side by side; two writers keep the database busy on two
// cores while the reader works. Batches may commit in any order: each is whole households,
// and the reader has already refused a person who appears twice in the file.

// Batch sizes: enough rows per statement that PostgreSQL's per-statement cost vanishes, few
// enough that a batch is a small transaction and memory stays flat.
const (
	batchHouseholds = 1000
	batchRefused    = 2000
	writers         = 2
	progressEvery   = 500 * time.Millisecond
)

// run is one job from start to finish. It owns the file at path (removed at the end) and
// the county lock (released at the end).
type run struct {
	svc    *Service
	job    int64
	path   string
	wb     *workbook // opened by Start, closed here
	lock   countyLock
	writer *jobWriter
	meta   auditMeta
	now    time.Time
	log    *slog.Logger

	prog  progress
	tally tally
}

// auditMeta is who started the job, for its audit row.
type auditMeta struct {
	ActorID             int64
	ActorName, FileName string
	RequestID, ClientIP string
}

func (r *run) execute(ctx context.Context) {
	defer os.Remove(r.path)
	defer r.wb.Close()
	defer func() {
		relCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := r.svc.progress.release(relCtx, r.lock); err != nil {
			r.log.Warn("release import lock", "job", r.job, "error", err.Error())
		}
	}()
	started := time.Now()
	err := r.importFile(ctx)
	status, errZH, errEN := StatusDone, "", ""
	if err != nil {
		status = StatusFailed
		errZH, errEN = "导入中途出错，已写入的户完整保留，未写入的户没有任何残留；请查看报告后重新导入其余的户",
			"The import stopped on an error; the households written so far are complete and nothing is left of the others; see the report and import the rest again"
		var ue *userError
		if errors.As(err, &ue) {
			errZH, errEN = ue.zh, ue.en
		}
		if errors.Is(err, context.Canceled) {
			errZH, errEN = "服务停止，导入中断；已写入的户完整保留，请重新导入其余的户",
				"The server stopped and the import was interrupted; the households written so far are complete; import the rest again"
		}
		r.log.Error("ledger import failed", "job", r.job, "county", r.writer.county, "error", err.Error())
	}
	r.prog.Stage = status
	// The outcome survives a cancelled context: it is what the clerk will read.
	finCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := r.finish(finCtx, status, errZH, errEN, time.Since(started)); err != nil {
		r.log.Error("ledger import: record outcome", "job", r.job, "error", err.Error())
	}
	_ = r.svc.progress.save(finCtx, r.writer.county, r.job, r.prog)
}

// userError is a reason to stop that the clerk should read as it is.
type userError struct{ zh, en string }

func (e *userError) Error() string { return e.en }

func (r *run) importFile(ctx context.Context) error {
	w := r.writer
	if err := db.WithScope(ctx, r.svc.db, db.Scope{County: w.county, Division: w.division}, func(tx *sqlx.Tx) error {
		return startJob(ctx, tx, w.county, r.job)
	}); err != nil {
		return err
	}
	r.prog.Stage = "counting"
	r.saveProgress(ctx)
	wb := r.wb
	var err error
	if r.prog.LastLine, err = lastRow(r.path, wb.sheet); err != nil {
		r.log.Warn("ledger import: count rows", "job", r.job, "error", err.Error())
	}
	if r.prog.LastLine-wb.line > MaxDataRows {
		return &userError{fmt.Sprintf("文件有 %d 行，超过单次导入上限 %d 行：请拆分后分批导入", r.prog.LastLine-wb.line, MaxDataRows),
			fmt.Sprintf("The file has %d rows, more than the %d an import takes: split it and import the parts", r.prog.LastLine-wb.line, MaxDataRows)}
	}
	var vs *villages
	if err := db.WithScope(ctx, r.svc.db, db.Scope{County: w.county, Division: w.division}, func(tx *sqlx.Tx) error {
		vs, err = loadVillages(ctx, tx, w.county, w.division)
		return err
	}); err != nil {
		return err
	}
	r.prog.Stage = "importing"
	r.saveProgress(ctx)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, 2)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		readErr <- r.read(ctx, wb, vs, batches)
	}()
	var (
		mu      sync.Mutex
		line    int
		last    = time.Now()
		wg      sync.WaitGroup
		errOnce sync.Once
		wErr    error
	)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := &sharedTally{mu: &mu, total: &r.tally, line: &line}
			for b := range batches {
				if ctx.Err() != nil {
					continue // drain, so the reader is not left blocked
				}
				if err := w.write(ctx, b, st); err != nil {
					errOnce.Do(func() { wErr = err })
					cancel()
					continue
				}
				st.commit(b)
				mu.Lock()
				r.prog.Line, r.prog.RowsDone = line, r.tally.RowsTotal
				r.prog.RowsImported, r.prog.RowsRejected = r.tally.RowsImported, r.tally.RowsRejected
				r.prog.HouseholdsImported, r.prog.HouseholdsRejected = r.tally.HouseholdsImported, r.tally.HouseholdsRejected
				report := time.Since(last) > progressEvery
				if report {
					last = time.Now()
				}
				p := r.prog
				mu.Unlock()
				if report {
					if err := r.svc.progress.save(ctx, w.county, r.job, p); err != nil {
						r.log.Warn("ledger import: progress", "job", r.job, "error", err.Error())
					}
					if err := r.svc.progress.renew(ctx, r.lock); err != nil {
						r.log.Warn("ledger import: renew lock", "job", r.job, "error", err.Error())
					}
				}
			}
		}()
	}
	wg.Wait()
	rerr := <-readErr
	if wErr != nil {
		return wErr
	}
	return rerr
}

func (r *run) saveProgress(ctx context.Context) {
	if err := r.svc.progress.save(ctx, r.writer.county, r.job, r.prog); err != nil {
		r.log.Warn("ledger import: progress", "job", r.job, "error", err.Error())
	}
}

// read is the reader: rows → households → batches. It returns at the end of the sheet, on
// a read error, or when ctx ends.
func (r *run) read(ctx context.Context, wb *workbook, vs *villages, out chan<- *batch) error {
	seen := map[string]int{}     // ID number → the row it was first seen on
	finished := map[string]int{} // household key → the row where it started
	var cur *householdRec
	b := &batch{}
	rowsRead, line := 0, 0
	pctx, stop := context.WithCancel(ctx)
	chunks, parseErr := parse(pctx, wb)
	defer func() { // the parser is done with the workbook before it is closed
		stop()
		for range chunks {
		}
	}()
	send := func(force bool) error {
		if !force && len(b.households) < batchHouseholds && len(b.refused) < batchRefused {
			return nil
		}
		if len(b.households) == 0 && len(b.refused) == 0 && !force {
			return nil
		}
		b.rowsRead, b.line = rowsRead, line
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		b = &batch{}
		return nil
	}
	flush := func() error {
		if cur == nil {
			return nil
		}
		h := cur
		cur = nil
		r.complete(wb, h, vs, seen, b)
		return send(false)
	}
	for chunk := range chunks {
		for _, sr := range chunk {
			if err := r.take(wb, vs, sr, &cur, finished, seen, b, &rowsRead, flush); err != nil {
				return err
			}
			line = sr.Line
		}
	}
	if err := <-parseErr; err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	return send(true)
}

// take adds one row to the household being read, completing the previous household when
// the row starts a new one.
func (r *run) take(wb *workbook, vs *villages, sr sheetRow, cur **householdRec, finished, seen map[string]int, b *batch,
	rowsRead *int, flush func() error) error {
	{
		*rowsRead++
		if *rowsRead > MaxDataRows {
			return &userError{fmt.Sprintf("文件超过单次导入上限 %d 行：请拆分后分批导入", MaxDataRows),
				fmt.Sprintf("The file has more than the %d rows an import takes: split it and import the parts", MaxDataRows)}
		}
		rec := checkRow(&wb.layout, sr, r.now)
		key := householdKey(&wb.layout, sr)
		rec.Key = key
		if *cur != nil && key != "" && key == (*cur).Key {
			(*cur).Rows = append((*cur).Rows, rec)
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		*cur = &householdRec{Key: key, Rows: []*rowRec{rec}}
		switch first, again := finished[key]; {
		case key == "":
			rec.add(colHouseholdKey, "户编号和户主身份证号都没有填写，无法确定属于哪一户",
				"Neither the household number nor the head's ID number is given: the row belongs to no household")
		case again:
			rec.add(colHouseholdKey, fmt.Sprintf("户编号 %s 在第 %d 行已出现过：同一户的行须连续排列", key, first),
				fmt.Sprintf("Household %s already appeared at row %d: the rows of a household must be consecutive", key, first))
		default:
			finished[key] = sr.Line
		}
	}
	return nil
}

// parse reads the sheet's rows in chunks on a goroutine of its own: the XML decoding is
// the largest piece of the reader's work, and the validation and sealing of what it read
// go on beside it.
func parse(ctx context.Context, wb *workbook) (<-chan []sheetRow, <-chan error) {
	const chunkRows = 256
	out := make(chan []sheetRow, 8)
	errc := make(chan error, 1)
	go func() {
		defer close(out)
		chunk := make([]sheetRow, 0, chunkRows)
		for {
			sr, ok, err := wb.next()
			if err != nil {
				errc <- &userError{fmt.Sprintf("读取第 %d 行时出错，文件可能已损坏", wb.line),
					fmt.Sprintf("Reading row %d failed; the file may be damaged", wb.line)}
				return
			}
			if ok {
				chunk = append(chunk, sr)
			}
			if len(chunk) == chunkRows || (!ok && len(chunk) > 0) {
				select {
				case out <- chunk:
				case <-ctx.Done():
					errc <- ctx.Err()
					return
				}
				chunk = make([]sheetRow, 0, chunkRows)
			}
			if !ok {
				errc <- nil
				return
			}
		}
	}()
	return out, errc
}

// householdKey is the household a row belongs to: its household number, else its head's
// ID number.
func householdKey(l *layout, sr sheetRow) string {
	if k := l.get(sr, colHouseholdKey); k != "" {
		return "no:" + k
	}
	if k := household.NormalizeIDNumber(cleanDigits(l.get(sr, colHeadIDNumber))); k != "" {
		return "id:" + k
	}
	return ""
}

// displayKey is a household key as the clerk wrote it.
func displayKey(k string) string {
	if len(k) > 3 {
		return k[3:]
	}
	return k
}

// complete validates a household whose rows are all read and adds it to b, accepted and
// sealed or refused with every row's reasons.
func (r *run) complete(wb *workbook, h *householdRec, vs *villages, seen map[string]int, b *batch) {
	if h.Key != "" {
		checkHousehold(&wb.layout, h, vs)
	}
	// A person appears once in the file.
	for _, row := range h.Rows {
		id := row.Member.IDNumber
		if id == "" {
			continue
		}
		if first, dup := seen[id]; dup {
			row.add(colIDNumber, fmt.Sprintf("与第 %d 行的身份证号相同：同一人在文件中只能出现一次", first),
				fmt.Sprintf("Same ID number as row %d: a person appears once in the file", first))
			continue
		}
		seen[id] = row.Line
	}
	h.Key = displayKey(h.Key)
	if h.rejected() {
		for _, row := range h.Rows {
			ps := row.Problems
			if len(ps) == 0 {
				ps = []problem{otherRowsProblem()}
			}
			b.refused = append(b.refused, r.writer.refusedRow(h, row, ps))
		}
		b.refusedHouseholds++
		return
	}
	p, err := r.seal(h)
	if err != nil { // the cipher failing is not the clerk's doing: refuse, say so, carry on
		r.log.Error("ledger import: seal", "job", r.job, "error", err.Error())
		for _, row := range h.Rows {
			b.refused = append(b.refused, r.writer.refusedRow(h, row, []problem{{ZH: "加密失败，整户未导入", EN: "Encryption failed; the household was not imported"}}))
		}
		b.refusedHouseholds++
		return
	}
	b.households = append(b.households, p)
}

func (r *run) seal(h *householdRec) (*prepared, error) {
	box := r.svc.box
	p := &prepared{rec: h, ids: make([]sealedValue, len(h.Rows))}
	var err error
	if p.phone, err = seal(box, household.PhoneField, h.Phone, secure.MaskPhone); err != nil {
		return nil, err
	}
	if p.account, err = seal(box, household.BankAccountField, h.Account, secure.MaskAccount); err != nil {
		return nil, err
	}
	for i, row := range h.Rows {
		if p.ids[i], err = seal(box, household.IDNumberField, row.Member.IDNumber, secure.MaskIDNumber); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// finish records the job's outcome and its one audit row, in one transaction.
func (r *run) finish(ctx context.Context, status, errZH, errEN string, took time.Duration) error {
	w := r.writer
	return db.WithScope(ctx, r.svc.db, db.Scope{County: w.county, Division: w.division}, func(tx *sqlx.Tx) error {
		if err := finishJob(ctx, tx, w.county, r.job, r.tally, status, errZH, errEN); err != nil {
			return err
		}
		outcome := audit.Success
		if status != StatusDone {
			outcome = audit.Failure
		}
		detail := map[string]any{"file_name": r.meta.FileName, "status": status, "rows_total": r.tally.RowsTotal,
			"rows_imported": r.tally.RowsImported, "rows_rejected": r.tally.RowsRejected,
			"households_imported": r.tally.HouseholdsImported, "households_rejected": r.tally.HouseholdsRejected,
			"seconds": json.Number(strconv.FormatFloat(took.Seconds(), 'f', 1, 64))}
		if errEN != "" {
			detail["error"] = errEN
		}
		return audit.Write(ctx, tx, audit.Entry{ActorID: r.meta.ActorID, ActorName: r.meta.ActorName, CountyCode: w.county,
			DivisionCode: w.division, Action: "household.import", ObjectType: "import_job", ObjectID: strconv.FormatInt(r.job, 10),
			Outcome: outcome, RequestID: r.meta.RequestID, ClientIP: r.meta.ClientIP, Detail: detail})
	})
}
