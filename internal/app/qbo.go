package app

import (
	"context"
	"log/slog"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/qbosync/qbosync/internal/config"
	"github.com/qbosync/qbosync/internal/metrics"
	"github.com/qbosync/qbosync/internal/qbo"
	"github.com/qbosync/qbosync/internal/store"
)

// QBOFactory makes QBO API clients for a firm's connection. Each client reads the
// firm's current tokens from the store and persists every rotated pair before using it.
type QBOFactory struct {
	cfg   config.QBOConfig
	oauth *oauth2.Config
	store *store.Store
	log   *slog.Logger
	// limiters pace every request to a company from this process, so all the
	// activities running here together stay under QBO's limits for that company.
	limiters *qbo.Limiters
	// Metrics, if set, counts the 429s QBO answers and times the limiter's waits.
	Metrics *metrics.Metrics
}

// NewQBOFactory returns a factory for the QBO named in cfg.
func NewQBOFactory(cfg config.QBOConfig, st *store.Store, log *slog.Logger) *QBOFactory {
	f := &QBOFactory{
		cfg:   cfg,
		oauth: qbo.OAuthConfig(cfg.ClientID, cfg.ClientSecret, cfg.AuthURL, cfg.TokenURL, cfg.RedirectURL),
		store: st,
		log:   log,
	}
	if cfg.RateLimits != "none" {
		f.limiters = qbo.NewLimiters(qbo.DefaultLimits())
	}
	return f
}

// OAuth is the OAuth 2.0 configuration for connecting a company.
func (f *QBOFactory) OAuth() *oauth2.Config { return f.oauth }

// Client returns a client for the firm's company realmID.
func (f *QBOFactory) Client(ctx context.Context, firmID int64, realmID string) (*qbo.Client, error) {
	tok, err := f.store.Token(ctx, firmID, realmID)
	if err != nil {
		return nil, err
	}
	// The token source outlives this call (the client keeps it), so it must not be bound
	// to a request context that ends with the activity attempt's first call.
	base := &http.Client{Timeout: f.cfg.RequestTimeout}
	srcCtx := context.WithValue(context.Background(), oauth2.HTTPClient, base)
	src := qbo.PersistingTokenSource(srcCtx, f.oauth, realmID, tok, f.store.TokenSaver(firmID))
	// qbo.NewHTTPClient, not oauth2.NewClient: after a 401 it refreshes once and resends.
	httpClient := qbo.NewHTTPClient(src)
	httpClient.Timeout = f.cfg.RequestTimeout
	httpClient.Transport = f.Metrics.Transport(firmID, httpClient.Transport)
	var limiter qbo.Limiter
	if f.limiters != nil {
		limiter = f.Metrics.Limiter(firmID, f.limiters.For(realmID))
	}
	return qbo.New(qbo.Options{
		BaseURL:      f.cfg.APIBaseURL,
		RealmID:      realmID,
		HTTPClient:   httpClient,
		MinorVersion: f.cfg.MinorVersion,
		Logger:       ActivityLog(ctx, f.log).With("firm", firmID, "realm", realmID),
		Limiter:      limiter,
	})
}
