package db

import "database/sql/driver"

// JSONB is an encoded JSON document as a query argument for a json or jsonb column. The
// connection sends parameters in binary form (binary_parameters, one round trip a query),
// and a []byte goes as binary: right for bytea, wrong for jsonb, whose binary form starts
// with a version byte. JSONB goes as text. nil is NULL.
type JSONB []byte

// Value implements driver.Valuer.
func (j JSONB) Value() (driver.Value, error) {
	if j == nil {
		return nil, nil
	}
	return string(j), nil
}
