package store

import "github.com/lib/pq"

// textArray passes a Go slice as a PostgreSQL text[]; nil becomes an empty array.
func textArray(s []string) any {
	if s == nil {
		s = []string{}
	}
	return pq.Array(s)
}
