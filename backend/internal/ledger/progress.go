package ledger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis holds what is short-lived about an import: its live progress and the lock that lets
// one import run per county at a time. Keys carry the county as a hash tag ({c330523}) so
// that a Redis Cluster keeps a county's keys together. Nothing here is the only copy of
// anything: the job row holds the outcome, and a lost lock expires.

const (
	lockTTL     = 2 * time.Minute // renewed while the job runs; a crashed instance's lock expires
	progressTTL = 24 * time.Hour
)

// progressStore reads and writes job progress and the county locks.
type progressStore struct {
	rdb    *redis.Client
	prefix string
}

func (s progressStore) lockKey(county string) string {
	return s.prefix + "{c" + county + "}:ledger:import-lock"
}

func (s progressStore) progressKey(county string, job int64) string {
	return s.prefix + "{c" + county + "}:ledger:job:" + strconv.FormatInt(job, 10)
}

// countyLock is a held import lock; token proves it is ours when renewing or releasing it.
type countyLock struct {
	key, token string
}

var errLocked = errors.New("ledger: an import is running in the county")

// lock takes the county's import lock, or returns errLocked.
func (s progressStore) lock(ctx context.Context, county string) (countyLock, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return countyLock{}, fmt.Errorf("ledger: lock token: %w", err)
	}
	l := countyLock{key: s.lockKey(county), token: hex.EncodeToString(b)}
	ok, err := s.rdb.SetNX(ctx, l.key, l.token, lockTTL).Result()
	if err != nil {
		return countyLock{}, fmt.Errorf("ledger: take import lock of %s: %w", county, err)
	}
	if !ok {
		return countyLock{}, errLocked
	}
	return l, nil
}

// Renewing and releasing compare the token first, so an instance never touches a lock that
// expired and was taken by another job.
var (
	renewScript = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then
		return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`)
	releaseScript = redis.NewScript(`if redis.call('GET', KEYS[1]) == ARGV[1] then
		return redis.call('DEL', KEYS[1]) else return 0 end`)
)

func (s progressStore) renew(ctx context.Context, l countyLock) error {
	n, err := renewScript.Run(ctx, s.rdb, []string{l.key}, l.token, lockTTL.Milliseconds()).Int()
	if err != nil {
		return fmt.Errorf("ledger: renew import lock: %w", err)
	}
	if n == 0 {
		return errors.New("ledger: the import lock was lost")
	}
	return nil
}

func (s progressStore) release(ctx context.Context, l countyLock) error {
	if err := releaseScript.Run(ctx, s.rdb, []string{l.key}, l.token).Err(); err != nil {
		return fmt.Errorf("ledger: release import lock: %w", err)
	}
	return nil
}

// progress is a running job's live state.
type progress struct {
	Stage              string
	LastLine           int // the sheet's last row number, 0 until counted
	Line               int // the sheet row reached
	RowsDone           int
	RowsImported       int
	RowsRejected       int
	HouseholdsImported int
	HouseholdsRejected int
}

func (s progressStore) save(ctx context.Context, county string, job int64, p progress) error {
	key := s.progressKey(county, job)
	pipe := s.rdb.TxPipeline()
	pipe.HSet(ctx, key, map[string]any{"stage": p.Stage, "last_line": p.LastLine, "line": p.Line, "rows_done": p.RowsDone,
		"rows_imported": p.RowsImported, "rows_rejected": p.RowsRejected,
		"households_imported": p.HouseholdsImported, "households_rejected": p.HouseholdsRejected})
	pipe.Expire(ctx, key, progressTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("ledger: save progress of job %d: %w", job, err)
	}
	return nil
}

// load reads a job's live progress; ok is false when there is none (not started, or expired).
func (s progressStore) load(ctx context.Context, county string, job int64) (progress, bool, error) {
	m, err := s.rdb.HGetAll(ctx, s.progressKey(county, job)).Result()
	if err != nil {
		return progress{}, false, fmt.Errorf("ledger: read progress of job %d: %w", job, err)
	}
	if len(m) == 0 {
		return progress{}, false, nil
	}
	n := func(k string) int { v, _ := strconv.Atoi(m[k]); return v }
	return progress{Stage: m["stage"], LastLine: n("last_line"), Line: n("line"), RowsDone: n("rows_done"),
		RowsImported: n("rows_imported"), RowsRejected: n("rows_rejected"),
		HouseholdsImported: n("households_imported"), HouseholdsRejected: n("households_rejected")}, true, nil
}
