// Package store keeps qbosync's own state in PostgreSQL: the firm's QuickBooks
// connection (with its OAuth tokens sealed), the id map from practice records to QBO
// objects, each category's place in the change feed, and the outcome of every item.
//
// Every method is scoped to one firm and, where it matters, one QBO company (realm).
package store

import (
	"github.com/jmoiron/sqlx"

	"github.com/qbosync/qbosync/internal/secret"
)

// Store is the integration's state.
type Store struct {
	db  *sqlx.DB
	box *secret.Box
}

// New returns a Store over db that seals tokens with box.
func New(db *sqlx.DB, box *secret.Box) *Store {
	return &Store{db: db, box: box}
}

// DB is the underlying database, for packages that read practice data alongside.
func (s *Store) DB() *sqlx.DB { return s.db }
