package audit

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"strconv"
	"time"
)

// The hash chain. Rows are chained per county by the database (the BEFORE INSERT trigger of
// migration 0004, which documents the canonical form); this file recomputes the same hash in
// Go so that the verifier does not trust the database's own function.

// hashLen is the length of a SHA-256 hash.
const hashLen = sha256.Size

// genesis is the prev_hash of a county's first row.
var genesis = make([]byte, hashLen)

// chainRow is an audit row as the chain sees it. Detail is the jsonb's text form as
// PostgreSQL prints it (detail::text), which is canonical: the verifier never re-encodes it.
type chainRow struct {
	CountyCode   string        `db:"county_code"`
	ID           int64         `db:"id"`
	PrevID       int64         `db:"prev_id"`
	DivisionCode string        `db:"division_code"`
	At           time.Time     `db:"at"`
	ActorID      sql.NullInt64 `db:"actor_id"`
	ActorName    string        `db:"actor_name"`
	Action       string        `db:"action"`
	ObjectType   string        `db:"object_type"`
	ObjectID     string        `db:"object_id"`
	Outcome      string        `db:"outcome"`
	RequestID    string        `db:"request_id"`
	ClientIP     string        `db:"client_ip"`
	Detail       string        `db:"detail_text"`
	PrevHash     []byte        `db:"prev_hash"`
	Hash         []byte        `db:"hash"`
}

// chainColumns selects a chainRow.
const chainColumns = `county_code, id, prev_id, division_code, at, actor_id, actor_name, action,
	object_type, object_id, outcome, request_id, client_ip, detail::text AS detail_text, prev_hash, hash`

// canonical is the row's content as the hash covers it: a version line, then each field as
// <length in bytes>:<value>\n, so that no value can pass for a separator.
func canonical(r chainRow) []byte {
	var b bytes.Buffer
	b.WriteString("dibao-audit-v1\n")
	field := func(v string) {
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
		b.WriteByte('\n')
	}
	actor := ""
	if r.ActorID.Valid {
		actor = strconv.FormatInt(r.ActorID.Int64, 10)
	}
	field(r.CountyCode)
	field(strconv.FormatInt(r.ID, 10))
	field(strconv.FormatInt(r.PrevID, 10))
	field(r.DivisionCode)
	field(r.At.UTC().Format("2006-01-02T15:04:05.000000Z"))
	field(actor)
	field(r.ActorName)
	field(r.Action)
	field(r.ObjectType)
	field(r.ObjectID)
	field(r.Outcome)
	field(r.RequestID)
	field(r.ClientIP)
	field(r.Detail)
	return b.Bytes()
}

// rowHash is SHA-256(prev || canonical(r)).
func rowHash(prev []byte, r chainRow) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write(canonical(r))
	return h.Sum(nil)
}
