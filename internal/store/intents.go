package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Intent is a create the sync is about to send (or sent without learning the answer).
type Intent struct {
	Kind        string `db:"kind"`
	SourceKey   string `db:"source_key"`
	QBOEntity   string `db:"qbo_entity"`
	ContentHash string `db:"content_hash"`
	TxnDate     string `db:"txn_date"`
	// CreatedAt is when the intent was first recorded (the database's clock): an
	// account or item created for it was created after it (internal/syncer/upsert.go).
	CreatedAt time.Time `db:"created_at"`
}

// SaveIntents records creates before they are sent. An intent already recorded for a
// record is replaced: the record's content may have changed since.
func (s *Store) SaveIntents(ctx context.Context, sc Scope, intents []Intent) error {
	if len(intents) == 0 {
		return nil
	}
	cols := make([][]string, 5)
	for _, in := range intents {
		for i, v := range []string{in.Kind, in.SourceKey, in.QBOEntity, in.ContentHash, in.TxnDate} {
			cols[i] = append(cols[i], v)
		}
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO qbo_write_intents (firm_id, realm_id, kind, source_key, qbo_entity, content_hash, txn_date)
		SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
		ON CONFLICT (firm_id, realm_id, kind, source_key) DO UPDATE SET
		    qbo_entity = EXCLUDED.qbo_entity, content_hash = EXCLUDED.content_hash,
		    txn_date = EXCLUDED.txn_date, created_at = now()`,
		sc.FirmID, sc.RealmID, pq.Array(cols[0]), pq.Array(cols[1]), pq.Array(cols[2]), pq.Array(cols[3]), pq.Array(cols[4]))
	if err != nil {
		return fmt.Errorf("record write intents: %w", err)
	}
	return nil
}

// KeepIntent records the intent of one create unless one is already outstanding for the
// record, whose first time it keeps: an object created for an earlier attempt was
// created after that attempt's intent, so the earliest time is the one to compare with.
func (s *Store) KeepIntent(ctx context.Context, sc Scope, in Intent) (Intent, error) {
	var out Intent
	err := s.db.GetContext(ctx, &out, `
		WITH kept AS (
		    INSERT INTO qbo_write_intents (firm_id, realm_id, kind, source_key, qbo_entity, content_hash, txn_date)
		    VALUES ($1, $2, $3, $4, $5, $6, $7)
		    ON CONFLICT (firm_id, realm_id, kind, source_key) DO NOTHING
		    RETURNING kind, source_key, qbo_entity, content_hash, txn_date, created_at
		)
		SELECT * FROM kept
		UNION ALL
		SELECT kind, source_key, qbo_entity, content_hash, txn_date, created_at FROM qbo_write_intents
		WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND source_key = $4 AND NOT EXISTS (SELECT 1 FROM kept)`,
		sc.FirmID, sc.RealmID, in.Kind, in.SourceKey, in.QBOEntity, in.ContentHash, in.TxnDate)
	if err != nil {
		return Intent{}, fmt.Errorf("record write intent: %w", err)
	}
	return out, nil
}

// Intents returns the outstanding intents of a kind among keys, by key.
func (s *Store) Intents(ctx context.Context, sc Scope, kind string, keys []string) (map[string]Intent, error) {
	var rows []Intent
	err := s.db.SelectContext(ctx, &rows, `
		SELECT kind, source_key, qbo_entity, content_hash, txn_date, created_at FROM qbo_write_intents
		WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND source_key = ANY($4)`,
		sc.FirmID, sc.RealmID, kind, textArray(keys))
	if err != nil {
		return nil, fmt.Errorf("write intents: %w", err)
	}
	out := make(map[string]Intent, len(rows))
	for _, r := range rows {
		out[r.SourceKey] = r
	}
	return out, nil
}

// ClearIntent forgets an intent whose create is known not to have happened (QBO
// refused it).
func (s *Store) ClearIntent(ctx context.Context, sc Scope, kind, sourceKey string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM qbo_write_intents WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND source_key = $4`,
		sc.FirmID, sc.RealmID, kind, sourceKey)
	if err != nil {
		return fmt.Errorf("clear write intent: %w", err)
	}
	return nil
}
