package activities

import (
	"context"
	"errors"
	"log/slog"

	"go.temporal.io/sdk/temporal"

	"github.com/qbosync/qbosync/internal/metrics"
	"github.com/qbosync/qbosync/internal/pms"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/secret"
	"github.com/qbosync/qbosync/internal/store"
	"github.com/qbosync/qbosync/internal/syncer"
	"github.com/qbosync/qbosync/workflows/syncapi"
)

// QBOClients makes QBO clients for a firm's connection (app.QBOFactory in production).
type QBOClients interface {
	Client(ctx context.Context, firmID int64, realmID string) (*qbo.Client, error)
}

// Activities are qbosync's activities, with what they need.
type Activities struct {
	Store    *store.Store
	QBO      QBOClients
	PageSize int
	Log      *slog.Logger
	// Metrics, if set, counts what the activities do (internal/metrics).
	Metrics *metrics.Metrics
}

// SyncCategory syncs everything that changed in a category since its cursor. It is
// safe to retry at any point: the cursor moves only after a page is recorded, and every
// write is exactly-once.
func (a *Activities) SyncCategory(ctx context.Context, in syncapi.SyncCategoryInput) (syncapi.CategoryResult, error) {
	// The cursor lives in the database; the heartbeat carries what earlier attempts of
	// this run did, so the counts a retry reports cover the whole run.
	res := resumed(ctx, syncapi.CategoryResult{Category: in.Category})
	prior := res.Counts
	e, cat, err := a.engine(ctx, in.FirmID, in.RealmID, in.Category)
	if err != nil {
		return res, err
	}
	scope := e.Scope
	hb := startHeartbeat(ctx, res)
	defer hb.stop()
	lag := a.lagMeter(ctx, e, cat)
	e.Progress = func(c pms.Cursor, n syncer.Counts) {
		res.Cursor, res.Counts = feedCursor(c), prior.Plus(n)
		hb.progress(res)
		lag(c)
	}
	counts, err := e.Run(ctx, cat, in.RetryFailed)
	res.Counts = prior.Plus(counts)
	if err != nil {
		// Recorded before Temporal retries it, so that `starter status` and `starter
		// errors` show a category that keeps failing from its first attempt on.
		if recErr := a.Store.RecordCategoryError(ctx, scope, in.Category, err.Error()); recErr != nil {
			e.Log.Warn("could not record a category's error", "error", recErr)
		}
		return res, classify(ctx, a.Store, scope, err)
	}
	if err := a.Store.ClearCategoryError(ctx, scope, in.Category); err != nil {
		return res, err
	}
	a.Metrics.Failing(in.FirmID, in.Category, counts.Failed)
	if res.Cursor == (syncapi.FeedCursor{}) {
		c, _ := a.Store.Cursor(ctx, scope, in.Category)
		res.Cursor = feedCursor(c)
	}
	return res, nil
}

// feedCursor is a feed position as the sync's contract carries it.
func feedCursor(c pms.Cursor) syncapi.FeedCursor { return syncapi.FeedCursor{Seq: c.Seq} }

// classify turns an error of any activity into what Temporal should do with it. It is
// the one place that decides: every activity's errors pass through it.
func classify(ctx context.Context, st *store.Store, sc store.Scope, err error) error {
	if errors.Is(err, store.ErrNotConnected) {
		return temporal.NewNonRetryableApplicationError(err.Error(), syncapi.ErrTypeNeedsReconnect, err)
	}
	if errors.Is(err, syncer.ErrCompanyBusy) {
		return err // transient: the other writer finishes soon
	}
	reason := ""
	switch {
	case errors.Is(err, secret.ErrCannotOpen):
		reason = "qbosync cannot read the stored QuickBooks sign-in: the encryption key (secrets.key) is not the one it was saved with. " +
			"Restore the key, or reconnect QuickBooks."
	case qbo.ClassOf(err) == qbo.Auth:
		reason = err.Error()
		if qe, ok := errors.AsType[*qbo.Error](err); ok {
			reason = qe.Explanation()
		}
	}
	if reason != "" {
		if markErr := st.MarkConnection(ctx, sc.FirmID, sc.RealmID, store.ConnNeedsReconnect, reason); markErr != nil {
			return markErr // retry: the mark must not be lost
		}
		return temporal.NewNonRetryableApplicationError(reason, syncapi.ErrTypeNeedsReconnect, err)
	}
	// Only QBO saying our request was malformed stops the sync: retrying it cannot help.
	// Anything else (a database hiccup, a failover) is retried with backoff, and shows in
	// Temporal Web as a retrying activity with its error until it clears.
	if qe, ok := errors.AsType[*qbo.Error](err); ok && qe.Class == qbo.Bug {
		return temporal.NewNonRetryableApplicationError(err.Error(), syncapi.ErrTypeBug, err)
	}
	return err
}

// Pending says what each category has to do, from the database alone: the sync runs
// only those with work, so an idle firm's sweep is one short activity.
func (a *Activities) Pending(ctx context.Context, in syncapi.PendingInput) ([]syncapi.CategoryPending, error) {
	scope := store.Scope{FirmID: in.FirmID, RealmID: in.RealmID}
	var cats []syncer.Category
	for _, name := range in.Categories {
		c, err := syncer.CategoryNamed(name)
		if err != nil {
			return nil, temporal.NewNonRetryableApplicationError(err.Error(), syncapi.ErrTypeBug, err)
		}
		cats = append(cats, c)
	}
	work, err := syncer.PendingWork(ctx, a.Store, scope, cats)
	if err != nil {
		return nil, classify(ctx, a.Store, scope, err)
	}
	out := make([]syncapi.CategoryPending, len(work))
	for i, w := range work {
		out[i] = syncapi.CategoryPending{Category: w.Category, Changed: w.Changed, Failing: w.Failing, Waiting: w.Waiting}
	}
	return out, nil
}
