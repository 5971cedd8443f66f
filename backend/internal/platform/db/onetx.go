package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// OneTransaction runs fn with a handle on a single connection of conn that is inside one
// transaction, where every transaction begun through the handle is a savepoint: work
// written as many transactions (use cases that each begin and commit their own) commits
// together at the end, or not at all if fn fails. For loading data through the use cases
// (the demo seed); never for serving requests, since it holds a connection and a
// transaction for the whole of fn.
//
// The handle has that one connection only: code that holds a transaction and meanwhile
// asks for another connection waits for ever, so give fn a context with a deadline.
func OneTransaction(ctx context.Context, conn *sqlx.DB, fn func(one *sqlx.DB) error) error {
	c, err := conn.Conn(ctx)
	if err != nil {
		return fmt.Errorf("db: one transaction: connection: %w", err)
	}
	defer c.Close()
	return c.Raw(func(raw any) error {
		dc, ok := raw.(driver.Conn)
		if !ok {
			return errors.New("db: one transaction: not a database/sql driver connection")
		}
		sc := &savepointConn{raw: dc}
		if err := sc.exec(ctx, "BEGIN"); err != nil {
			return fmt.Errorf("db: one transaction: begin: %w", err)
		}
		one := sql.OpenDB(oneConnector{sc})
		one.SetMaxOpenConns(1)
		one.SetMaxIdleConns(1)
		err := fn(sqlx.NewDb(one, conn.DriverName()))
		one.Close()
		if err != nil {
			if rerr := sc.exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				return errors.Join(err, fmt.Errorf("db: one transaction: rollback: %w", rerr))
			}
			return err
		}
		if err := sc.exec(ctx, "COMMIT"); err != nil {
			return fmt.Errorf("db: one transaction: commit: %w", err)
		}
		return nil
	})
}

// oneConnector hands database/sql the same connection every time.
type oneConnector struct{ c *savepointConn }

func (o oneConnector) Connect(context.Context) (driver.Conn, error) { return o.c, nil }
func (o oneConnector) Driver() driver.Driver                        { return noDriver{} }

type noDriver struct{}

func (noDriver) Open(string) (driver.Conn, error) {
	return nil, errors.New("db: one transaction: connections come from the connector")
}

// savepointConn is the driver's connection with transactions turned into savepoints.
type savepointConn struct {
	raw driver.Conn
	n   int // savepoints made, for their names
}

func (c *savepointConn) exec(ctx context.Context, q string) error {
	ex, ok := c.raw.(driver.ExecerContext)
	if !ok {
		return errors.New("db: one transaction: the driver cannot execute statements directly")
	}
	_, err := ex.ExecContext(ctx, q, nil)
	return err
}

func (c *savepointConn) Prepare(q string) (driver.Stmt, error) { return c.raw.Prepare(q) }

func (c *savepointConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	if p, ok := c.raw.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, q)
	}
	return c.raw.Prepare(q)
}

// Close leaves the connection open: it belongs to the pool OneTransaction took it from.
func (c *savepointConn) Close() error { return nil }

func (c *savepointConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *savepointConn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	c.n++
	sp := &savepoint{c: c, name: fmt.Sprintf("one_transaction_%d", c.n)}
	if err := c.exec(ctx, "SAVEPOINT "+sp.name); err != nil {
		return nil, err
	}
	return sp, nil
}

func (c *savepointConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	if ex, ok := c.raw.(driver.ExecerContext); ok {
		return ex.ExecContext(ctx, q, args)
	}
	return nil, driver.ErrSkip
}

func (c *savepointConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if qu, ok := c.raw.(driver.QueryerContext); ok {
		return qu.QueryContext(ctx, q, args)
	}
	return nil, driver.ErrSkip
}

func (c *savepointConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.raw.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// savepoint is a transaction of the handle: released on commit, rolled back to on rollback.
type savepoint struct {
	c    *savepointConn
	name string
}

func (s *savepoint) Commit() error {
	return s.c.exec(context.Background(), "RELEASE SAVEPOINT "+s.name)
}

func (s *savepoint) Rollback() error {
	return s.c.exec(context.Background(), "ROLLBACK TO SAVEPOINT "+s.name+"; RELEASE SAVEPOINT "+s.name)
}
