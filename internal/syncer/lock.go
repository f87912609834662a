package syncer

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
)

// ErrCompanyBusy means another sync of the same firm and company is writing right now
// (a retry that overtook a slow attempt, or a backfill). It is transient: retry later.
var ErrCompanyBusy = errors.New("another sync of this firm's QuickBooks company is still running; trying again shortly")

// lockCompany takes the advisory lock of the engine's firm and company on a connection
// of its own and returns its release. Only one writer per company at a time: two
// writers could otherwise both miss the id map for the same record and create it
// twice. The lock is a session lock, so a worker that dies releases it with its
// connection.
func (e *Engine) lockCompany(ctx context.Context) (func(), error) {
	h := fnv.New64a()
	fmt.Fprintf(h, "qbosync-company/%d/%s", e.Scope.FirmID, e.Scope.RealmID)
	key := int64(h.Sum64())
	conn, err := e.Store.DB().Conn(ctx)
	if err != nil {
		return nil, err
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		conn.Close()
		return nil, err
	}
	if !ok {
		conn.Close()
		return nil, ErrCompanyBusy
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
		conn.Close()
	}, nil
}
