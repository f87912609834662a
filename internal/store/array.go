package store

import (
	"errors"

	"github.com/lib/pq"
)

// textArray passes a Go slice as a PostgreSQL text[]; nil becomes an empty array.
func textArray(s []string) any {
	if s == nil {
		s = []string{}
	}
	return pq.Array(s)
}

// isUniqueViolation reports whether err is PostgreSQL refusing a row that a unique
// index already holds (SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	pe, ok := errors.AsType[*pq.Error](err)
	return ok && pe.Code == "23505"
}
