package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Scope names the firm and QuickBooks company a piece of state belongs to.
type Scope struct {
	FirmID  int64  `json:"firm_id"`
	RealmID string `json:"realm_id"`
}

// Mapping says which QBO object stands for a practice record.
type Mapping struct {
	Kind        string `db:"kind"`
	SourceKey   string `db:"source_key"`
	QBOEntity   string `db:"qbo_entity"`
	QBOID       string `db:"qbo_id"`
	SyncToken   string `db:"sync_token"`
	ContentHash string `db:"content_hash"`
	QBOName     string `db:"qbo_name"`
}

// Mapping returns the mapping of a record, and false when there is none.
func (s *Store) Mapping(ctx context.Context, sc Scope, kind, sourceKey string) (Mapping, bool, error) {
	var m Mapping
	err := s.db.GetContext(ctx, &m, `
		SELECT kind, source_key, qbo_entity, qbo_id, sync_token, content_hash, qbo_name
		FROM qbo_id_map WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND source_key = $4`,
		sc.FirmID, sc.RealmID, kind, sourceKey)
	if errors.Is(err, sql.ErrNoRows) {
		return Mapping{}, false, nil
	}
	if err != nil {
		return Mapping{}, false, fmt.Errorf("id map: %w", err)
	}
	return m, true, nil
}

// SaveMapping records (or replaces) the mapping of a record, and with it settles the
// record's write intent: the object it named is now known.
func (s *Store) SaveMapping(ctx context.Context, sc Scope, m Mapping) error {
	_, err := s.db.ExecContext(ctx, `
		WITH settled AS (
		    DELETE FROM qbo_write_intents WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND source_key = $4
		)
		INSERT INTO qbo_id_map (firm_id, realm_id, kind, source_key, qbo_entity, qbo_id, sync_token, content_hash, qbo_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (firm_id, realm_id, kind, source_key) DO UPDATE SET
		    qbo_entity = EXCLUDED.qbo_entity, qbo_id = EXCLUDED.qbo_id, sync_token = EXCLUDED.sync_token,
		    content_hash = EXCLUDED.content_hash, qbo_name = EXCLUDED.qbo_name, updated_at = now()`,
		sc.FirmID, sc.RealmID, m.Kind, m.SourceKey, m.QBOEntity, m.QBOID, m.SyncToken, m.ContentHash, m.QBOName)
	if isUniqueViolation(err) {
		return s.objectTaken(ctx, sc, m, err)
	}
	if err != nil {
		return fmt.Errorf("id map: save %s %s: %w", m.Kind, m.SourceKey, err)
	}
	return nil
}

// ObjectTakenError means a QuickBooks object already stands for another record (or,
// for a bank account, another role), so it cannot stand for this one too. It is about
// one record: the sync reports it as that record's failure and goes on.
type ObjectTakenError struct {
	Mapping Mapping // what was to be recorded
	Holder  Mapping // what the object already stands for
}

func (e *ObjectTakenError) Error() string {
	return fmt.Sprintf("QuickBooks %s %s already stands for %s %s, so it cannot stand for %s %s too",
		e.Mapping.QBOEntity, e.Mapping.QBOID, e.Holder.Kind, e.Holder.SourceKey, e.Mapping.Kind, e.Mapping.SourceKey)
}

// objectTaken explains a refused mapping by the one that holds the object.
func (s *Store) objectTaken(ctx context.Context, sc Scope, m Mapping, cause error) error {
	holder, held, err := s.Holder(ctx, sc, m)
	if err != nil || !held {
		// The holder went away meanwhile (or cannot be read): the write may succeed now.
		return fmt.Errorf("id map: save %s %s: %w", m.Kind, m.SourceKey, cause)
	}
	return &ObjectTakenError{Mapping: m, Holder: holder}
}

// Holder returns the mapping of another record that the QBO object m names already
// stands for in the company, if any: the record that would be mixed with m's.
func (s *Store) Holder(ctx context.Context, sc Scope, m Mapping) (Mapping, bool, error) {
	var holder Mapping
	err := s.db.GetContext(ctx, &holder, `
		SELECT kind, source_key, qbo_entity, qbo_id, sync_token, content_hash, qbo_name
		FROM qbo_id_map WHERE realm_id = $1 AND qbo_entity = $2 AND qbo_id = $3
		  AND NOT (firm_id = $4 AND kind = $5 AND source_key = $6)
		ORDER BY (firm_id = $4) DESC LIMIT 1`, sc.RealmID, m.QBOEntity, m.QBOID, sc.FirmID, m.Kind, m.SourceKey)
	if errors.Is(err, sql.ErrNoRows) {
		return Mapping{}, false, nil
	}
	if err != nil {
		return Mapping{}, false, fmt.Errorf("id map: who holds %s %s: %w", m.QBOEntity, m.QBOID, err)
	}
	return holder, true, nil
}

// MappingCount counts the mappings of a kind.
func (s *Store) MappingCount(ctx context.Context, sc Scope, kind string) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM qbo_id_map WHERE firm_id = $1 AND realm_id = $2 AND kind = $3`,
		sc.FirmID, sc.RealmID, kind)
	return n, err
}

// Mappings returns the mappings of a kind among keys, by key.
func (s *Store) Mappings(ctx context.Context, sc Scope, kind string, keys []string) (map[string]Mapping, error) {
	var rows []Mapping
	err := s.db.SelectContext(ctx, &rows, `
		SELECT kind, source_key, qbo_entity, qbo_id, sync_token, content_hash, qbo_name
		FROM qbo_id_map WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND source_key = ANY($4)`,
		sc.FirmID, sc.RealmID, kind, textArray(keys))
	if err != nil {
		return nil, fmt.Errorf("id map: %w", err)
	}
	out := make(map[string]Mapping, len(rows))
	for _, r := range rows {
		out[r.SourceKey] = r
	}
	return out, nil
}

// ObjectKeys returns, for the QuickBooks objects of entity that records of a kind are
// mapped to, the record each stands for: QBO id -> source key. The wizard reads which
// of the company's accounts and items qbosync created for which target from it (an
// account's description carries no marker).
func (s *Store) ObjectKeys(ctx context.Context, sc Scope, kind, entity string) (map[string]string, error) {
	var rows []Mapping
	err := s.db.SelectContext(ctx, &rows, `
		SELECT kind, source_key, qbo_entity, qbo_id, sync_token, content_hash, qbo_name
		FROM qbo_id_map WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND qbo_entity = $4`,
		sc.FirmID, sc.RealmID, kind, entity)
	if err != nil {
		return nil, fmt.Errorf("id map: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.QBOID] = r.SourceKey
	}
	return out, nil
}

// MappingsWithPrefix returns the mappings of a kind whose key starts with prefix, in key
// order: the parts a record was split into ("12-" finds "12-3" and "12-7").
func (s *Store) MappingsWithPrefix(ctx context.Context, sc Scope, kind, prefix string) ([]Mapping, error) {
	var rows []Mapping
	err := s.db.SelectContext(ctx, &rows, `
		SELECT kind, source_key, qbo_entity, qbo_id, sync_token, content_hash, qbo_name
		FROM qbo_id_map WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND starts_with(source_key, $4)
		ORDER BY source_key`, sc.FirmID, sc.RealmID, kind, prefix)
	if err != nil {
		return nil, fmt.Errorf("id map: %w", err)
	}
	return rows, nil
}

// DeleteMapping forgets the mapping of a record whose QBO object was deleted.
func (s *Store) DeleteMapping(ctx context.Context, sc Scope, kind, sourceKey string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM qbo_id_map WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND source_key = $4`,
		sc.FirmID, sc.RealmID, kind, sourceKey)
	if err != nil {
		return fmt.Errorf("id map: delete %s %s: %w", kind, sourceKey, err)
	}
	return nil
}

// MappingsOfRecords returns, by record id, the mappings of a kind whose keys are parts
// of the given records ("<record id>-<part>": a payment's part per matter, an invoice's
// credit memos), in one query for a whole page.
func (s *Store) MappingsOfRecords(ctx context.Context, sc Scope, kind string, recordIDs []int64) (map[int64][]Mapping, error) {
	heads := make([]string, len(recordIDs))
	for i, id := range recordIDs {
		heads[i] = strconv.FormatInt(id, 10)
	}
	var rows []Mapping
	err := s.db.SelectContext(ctx, &rows, `
		SELECT kind, source_key, qbo_entity, qbo_id, sync_token, content_hash, qbo_name
		FROM qbo_id_map WHERE firm_id = $1 AND realm_id = $2 AND kind = $3 AND split_part(source_key, '-', 1) = ANY($4)
		ORDER BY source_key`, sc.FirmID, sc.RealmID, kind, textArray(heads))
	if err != nil {
		return nil, fmt.Errorf("id map: %w", err)
	}
	out := map[int64][]Mapping{}
	for _, m := range rows {
		head, _, _ := strings.Cut(m.SourceKey, "-")
		id, err := strconv.ParseInt(head, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("id map: key %q of %s is not a record's part", m.SourceKey, kind)
		}
		out[id] = append(out[id], m)
	}
	return out, nil
}

// NamesHeld returns the names QuickBooks answered with for the objects of entity the
// id map records whose name, lower-cased, is among lowered: "is this name taken by one
// of ours", without a request. The caller compares the names as QuickBooks does.
func (s *Store) NamesHeld(ctx context.Context, sc Scope, entity string, lowered []string) ([]string, error) {
	var held []string
	err := s.db.SelectContext(ctx, &held, `
		SELECT qbo_name FROM qbo_id_map
		WHERE firm_id = $1 AND realm_id = $2 AND qbo_entity = $3 AND lower(qbo_name) = ANY($4)`,
		sc.FirmID, sc.RealmID, entity, textArray(lowered))
	if err != nil {
		return nil, fmt.Errorf("names held by %s: %w", entity, err)
	}
	return held, nil
}
