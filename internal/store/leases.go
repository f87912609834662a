package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TakeLease takes the write lease of a lane of a firm's company for holder, for ttl,
// unless another holder's lease of the lane is still running. It reports whether
// holder has it.
func (s *Store) TakeLease(ctx context.Context, sc Scope, lane, holder string, ttl time.Duration) (bool, error) {
	var got string
	err := s.db.GetContext(ctx, &got, `
		INSERT INTO company_leases (firm_id, realm_id, lane, holder, expires_at)
		VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
		ON CONFLICT (firm_id, realm_id, lane) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
		WHERE company_leases.expires_at < now() OR company_leases.holder = EXCLUDED.holder
		RETURNING holder`, sc.FirmID, sc.RealmID, lane, holder, ttl.Seconds())
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("take the company's lease: %w", err)
	}
	return got == holder, nil
}

// RenewLease extends holder's lease by ttl from now; it reports false when holder no
// longer has it (it expired and another holder took it).
func (s *Store) RenewLease(ctx context.Context, sc Scope, lane, holder string, ttl time.Duration) (bool, error) {
	res, err := s.db.ExecContext(ctx, `
		UPDATE company_leases SET expires_at = now() + make_interval(secs => $5)
		WHERE firm_id = $1 AND realm_id = $2 AND lane = $3 AND holder = $4`, sc.FirmID, sc.RealmID, lane, holder, ttl.Seconds())
	if err != nil {
		return false, fmt.Errorf("renew the company's lease: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseLease gives holder's lease up.
func (s *Store) ReleaseLease(ctx context.Context, sc Scope, lane, holder string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM company_leases WHERE firm_id = $1 AND realm_id = $2 AND lane = $3 AND holder = $4`,
		sc.FirmID, sc.RealmID, lane, holder)
	if err != nil {
		return fmt.Errorf("release the company's lease: %w", err)
	}
	return nil
}
