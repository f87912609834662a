package syncer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/qbosync/qbosync/internal/names"
	"github.com/qbosync/qbosync/internal/posting"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// item names the practice record behind a QBO object.
type item struct {
	Kind   string // posting.KindClient, ...
	Key    string // the record's id
	Label  string // for people: "Hall Properties (C-0012)"
	Marker string // names.Marker(e.Scope.FirmID, kind, id)
}

// named describes a QBO name-list entity (Customer, Vendor, Account, Item) for upsert:
// how to read its unique name, its identity and the notes that carry qbosync's marker.
type named[T any] struct {
	entity      string
	name        func(*T) string
	identity    func(*T) (id, syncToken string)
	setIdentity func(t *T, id, syncToken string) // also marks the body as a sparse update
	notes       func(*T) string
	// matches is the documented opt-in matching rule, if the firm turned it on: whether
	// an object qbosync did not create is the same party as the record (a customer with
	// the same name and e-mail, under "match existing customers"). nil means never.
	matches func(existing, desired *T) bool
	// clash explains a name that is taken by an object qbosync may not adopt.
	clash func(ctx context.Context, e *Engine, it item, name string, existing *T) *itemFailure

	// Entities without an internal-notes field (accounts, items) carry no marker:
	// their Description is text the bookkeeper reads and edits. For them a create is
	// preceded by a write intent, and an object found under the name after a lost
	// answer is qbosync's own only if QuickBooks created it after the intent and it is
	// still what qbosync asked for and holds nothing (ownAfterIntent). nil for entities
	// with notes, whose marker says it.
	createdAt func(*T) time.Time
	// untouched reports whether existing is of the shape desired asks for (type, and
	// for an item its income account) and carries no money.
	untouched func(existing, desired *T) bool
}

// intentClockSkew is how much earlier than a create's intent, by the database's clock,
// QuickBooks' clock may date the object created for it. The two clocks are different
// machines' (both kept by NTP, in practice within a second); two minutes leave room
// without letting in an object made long before.
const intentClockSkew = 2 * time.Minute

// ownAfterIntent is how qbosync recognises its own account or item after a create
// whose answer it lost, without a marker (docs/design.md, "Accounts and items carry no
// marker"): an intent was recorded before the create, when QuickBooks showed the name
// free (createIntent), QuickBooks created the object with the name at or after that
// intent, it is of the type (and income account) qbosync asked for, and it carries no
// money. An object the firm made before, or one that has money in it, never passes:
// trust money must never post into an account the firm did not choose.
func (spec named[T]) ownAfterIntent(intent *store.Intent, existing, desired *T) bool {
	if spec.createdAt == nil || intent == nil || intent.CreatedAt.IsZero() {
		return false
	}
	created := spec.createdAt(existing)
	return !created.IsZero() && !created.Before(intent.CreatedAt.Add(-intentClockSkew)) && spec.untouched(existing, desired)
}

// adoptable is qbosync's one rule for linking a record to an object already in
// QuickBooks that it did not just create: the object carries qbosync's own marker for
// this firm and record (a create whose answer was lost), or an opt-in matching rule
// says it is the same party and the object stands for nothing else (it carries no
// marker of another record or firm). An object the firm mapped explicitly in the setup
// never gets here: it is recorded as the firm chose it. Everything else is a clash.
//
// An account or item has no marker (ownAfterIntent stands in for it), except one
// created before qbosync kept markers out of descriptions: its old marker in the
// Description still says it is qbosync's, so a firm upgraded mid-way gets no twins.
func (spec named[T]) adoptable(it item, intent *store.Intent, existing, desired *T) bool {
	notes := spec.notes(existing)
	if posting.HasMarker(notes, it.Marker) || spec.ownAfterIntent(intent, existing, desired) {
		return true
	}
	return spec.matches != nil && !names.HasAnyMarker(notes) && spec.matches(existing, desired)
}

// upsert makes QBO hold desired for the record it, exactly once, and returns what it
// did and the QBO id.
func upsert[T any](ctx context.Context, e *Engine, spec named[T], it item, desired T) (string, string, error) {
	hash, err := contentHash(desired)
	if err != nil {
		return "", "", err
	}
	m, mapped, err := e.Store.Mapping(ctx, e.Scope, it.Kind, it.Key)
	if err != nil {
		return "", "", err
	}
	if mapped {
		if m.ContentHash == hash {
			return store.ActionUnchanged, m.QBOID, nil
		}
		return update(ctx, e, spec, it, m, desired, hash, store.ActionUpdated)
	}

	intent, err := createIntent(ctx, e, spec, it, desired, hash)
	if err != nil {
		return "", "", err
	}
	var created T
	reqID := qbo.RequestID(e.Scope.RealmID, "create", it.Kind, it.Key, hash)
	for attempt := 1; ; attempt++ {
		err = e.QBO.Create(ctx, spec.entity, desired, reqID, &created)
		if err == nil {
			id, token := spec.identity(&created)
			return store.ActionCreated, id, e.save(ctx, spec.entity, it, id, token, hash, spec.name(&created))
		}
		if qbo.IsAmbiguous(err) {
			// The create may have happened. Look before creating again: if ours is
			// there, adopt it; otherwise create again with the same requestid.
			existing, findErr := findByName(ctx, e, spec, spec.name(&desired))
			if findErr != nil {
				return "", "", errors.Join(err, findErr)
			}
			if existing != nil && (posting.HasMarker(spec.notes(existing), it.Marker) || spec.ownAfterIntent(intent, existing, &desired)) {
				return adopt(ctx, e, spec, it, existing, desired, hash)
			}
		}
		if !retryInPlace(ctx, err, attempt) {
			break
		}
	}
	if qe, ok := errors.AsType[*qbo.Error](err); ok && qe.Code == "6240" {
		existing, findErr := findByName(ctx, e, spec, spec.name(&desired))
		if findErr != nil {
			return "", "", findErr
		}
		if existing != nil && spec.adoptable(it, intent, existing, &desired) {
			return adopt(ctx, e, spec, it, existing, desired, hash)
		}
		return "", "", refused(ctx, e, spec, it, spec.clash(ctx, e, it, spec.name(&desired), existing))
	}
	if qbo.ClassOf(err) == qbo.Validation {
		return "", "", refused(ctx, e, spec, it, err)
	}
	return "", "", err
}

// refused clears the intent of a create QuickBooks surely did not perform (it refused
// it), so that a stale intent never vouches for an object someone makes under the name
// later; err is returned as it is.
func refused[T any](ctx context.Context, e *Engine, spec named[T], it item, err error) error {
	if spec.createdAt == nil {
		return err
	}
	if cerr := e.Store.ClearIntent(ctx, e.Scope, it.Kind, it.Key); cerr != nil {
		return cerr
	}
	return err
}

// createIntent records, for an entity without internal notes (an account, an item),
// that qbosync is about to create the object, once QuickBooks shows the name free: an
// object found under the name after a lost answer was then made after the name was
// free, by the create in doubt (ownAfterIntent). An intent from an earlier attempt is
// kept as it is: that attempt's create may have happened. A name already taken gets no
// intent; the create's 6240 then decides, by the adoption rule. nil for entities with
// notes, whose marker says whose an object is.
func createIntent[T any](ctx context.Context, e *Engine, spec named[T], it item, desired T, hash string) (*store.Intent, error) {
	if spec.createdAt == nil {
		return nil, nil
	}
	outstanding, err := e.Store.Intents(ctx, e.Scope, it.Kind, []string{it.Key})
	if err != nil {
		return nil, err
	}
	if in, ok := outstanding[it.Key]; ok {
		return &in, nil
	}
	holder, err := findByName(ctx, e, spec, spec.name(&desired))
	if err != nil || holder != nil {
		return nil, err
	}
	in, err := e.Store.KeepIntent(ctx, e.Scope, store.Intent{Kind: it.Kind, SourceKey: it.Key, QBOEntity: spec.entity, ContentHash: hash})
	return &in, err
}

// adopt links an existing QBO object to the record and brings it up to date.
func adopt[T any](ctx context.Context, e *Engine, spec named[T], it item, existing *T, desired T, hash string) (string, string, error) {
	id, token := spec.identity(existing)
	m := store.Mapping{Kind: it.Kind, SourceKey: it.Key, QBOEntity: spec.entity, QBOID: id, SyncToken: token}
	// An object that already stands for another record is not written over: the link
	// is that record's failure, refused before anything reaches QuickBooks.
	if holder, held, err := e.Store.Holder(ctx, e.Scope, m); err != nil || held {
		if held {
			err = &store.ObjectTakenError{Mapping: m, Holder: holder}
		}
		return "", "", err
	}
	return update(ctx, e, spec, it, m, desired, hash, store.ActionAdopted)
}

// update writes desired over the mapped object as a sparse update. A stale SyncToken
// (someone edited the object in QuickBooks) is refreshed once and the write repeated.
func update[T any](ctx context.Context, e *Engine, spec named[T], it item, m store.Mapping, desired T, hash, action string) (string, string, error) {
	refreshed := false
	for attempt := 1; ; attempt++ {
		body := desired
		spec.setIdentity(&body, m.QBOID, m.SyncToken)
		var out T
		reqID := qbo.RequestID(e.Scope.RealmID, "update", it.Kind, it.Key, m.SyncToken, hash)
		err := e.QBO.Update(ctx, spec.entity, body, reqID, &out)
		if err == nil {
			id, token := spec.identity(&out)
			return action, id, e.save(ctx, spec.entity, it, id, token, hash, spec.name(&out))
		}
		// Repeating an update is safe: the same requestid, and if QBO did apply it, the
		// stale SyncToken that follows re-reads the object and applies the same content.
		if qbo.ClassOf(err) == qbo.Stale && !refreshed {
			refreshed = true
			var current T
			if err := e.QBO.Read(ctx, spec.entity, m.QBOID, &current); err != nil {
				return "", "", err
			}
			_, m.SyncToken = spec.identity(&current)
			continue
		}
		if !retryInPlace(ctx, err, attempt) {
			return "", "", err
		}
	}
}

func (e *Engine) save(ctx context.Context, entity string, it item, id, token, hash, name string) error {
	return e.Store.SaveMapping(ctx, e.Scope, store.Mapping{
		Kind: it.Kind, SourceKey: it.Key, QBOEntity: entity, QBOID: id,
		SyncToken: token, ContentHash: hash, QBOName: name,
	})
}

// findByName returns the object of the entity whose unique name is name, active or
// not, or nil.
func findByName[T any](ctx context.Context, e *Engine, spec named[T], name string) (*T, error) {
	field := "Name"
	if spec.entity == "Customer" || spec.entity == "Vendor" || spec.entity == "Employee" {
		field = "DisplayName"
	}
	q, err := qbo.Select(spec.entity).Where(field, "=", name).Where("Active", "IN", qbo.List(true, false)).Build()
	if err != nil {
		return nil, err
	}
	var found []T
	if err := retryingInPlace(ctx, func() error {
		_, err := e.QBO.Query(ctx, q, spec.entity, &found)
		return err
	}); err != nil {
		return nil, fmt.Errorf("look up %s %q: %w", spec.entity, name, err)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return &found[0], nil
}

// contentHash identifies what a write would send, so an unchanged record is not
// written again and a changed one gets a new requestid.
func contentHash(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]), nil
}

// inPlaceAttempts bounds how often one QBO call is made before a transient error goes
// to Temporal, whose activity retries back off for much longer: a brief 5xx or 429
// costs a fraction of a second here, not a growing pause for the whole company.
const inPlaceAttempts = 4

// retryInPlace reports whether a call that failed with err, on the given attempt, should
// be made again now; it waits before returning true (200 ms, then 600 ms, then 1.8 s).
func retryInPlace(ctx context.Context, err error, attempt int) bool {
	if qbo.ClassOf(err) != qbo.Transient || attempt >= inPlaceAttempts {
		return false
	}
	delay := 200 * time.Millisecond
	for range attempt - 1 {
		delay *= 3
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(delay):
		return true
	}
}

// retryingInPlace calls f until it succeeds or fails in a way retryInPlace gives up on.
func retryingInPlace(ctx context.Context, f func() error) error {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || !retryInPlace(ctx, err, attempt) {
			return err
		}
	}
}
