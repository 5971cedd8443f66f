package db

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
)

// Statements keeps prepared statements by their text, for the hottest queries. PostgreSQL
// then parses a query once per connection and, after a few runs, keeps one plan for it (a
// generic plan) instead of planning every run, which under row-level security was most of
// a small query's server time. Only for queries whose best plan does not depend on the
// values (a plan test should say so); everything else goes unprepared, planned each time.
//
// database/sql prepares a statement again on each connection that runs it, the first
// time, and forgets it when the connection closes.
type Statements struct {
	conn   *sqlx.DB
	mu     sync.Mutex
	byText map[string]*sqlx.Stmt
}

// NewStatements makes an empty cache on conn.
func NewStatements(conn *sqlx.DB) *Statements {
	return &Statements{conn: conn, byText: map[string]*sqlx.Stmt{}}
}

// Prepared returns the statement for query, preparing it the first time. Call it before
// the transaction that runs it (tx.StmtxContext): preparing takes a connection of its own,
// and a request holding one while it waits for another could starve the pool.
func (s *Statements) Prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	s.mu.Lock()
	st := s.byText[query]
	s.mu.Unlock()
	if st != nil {
		return st, nil
	}
	st, err := s.conn.PreparexContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("db: prepare: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if first := s.byText[query]; first != nil { // another request prepared it meanwhile
		st.Close()
		return first, nil
	}
	s.byText[query] = st
	return st, nil
}
