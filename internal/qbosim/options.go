package qbosim

import (
	"net/http"
	"net/url"
	"time"
	_ "time/tzdata" // the default company time zone must load on hosts without a zoneinfo database
)

// Defaults for Options fields left at their zero value.
const (
	// DefaultClientID and DefaultClientSecret are the only OAuth client the
	// sandbox knows when Options.Clients is empty.
	DefaultClientID     = "qbosim-client"
	DefaultClientSecret = "qbosim-secret"

	DefaultAccessTokenTTL      = time.Hour
	DefaultRefreshTokenTTL     = 8726400 * time.Second // x_refresh_token_expires_in as Intuit returns it (~101 days)
	DefaultRefreshTokenGrace   = 24 * time.Hour        // "previous refresh tokens expire 24 hours after you receive a new one"
	DefaultRefreshTokenHardTTL = 5 * 365 * 24 * time.Hour
	DefaultPersistDelay        = 250 * time.Millisecond
	DefaultTimeZone            = "America/Los_Angeles"
	// DefaultMaxBatchItems is the API reference's limit on BatchItemRequest
	// entries ("maximum number of payloads in a single BatchItemRequest is 30").
	DefaultMaxBatchItems = 30
)

// Options configures a Server. The zero value is a faithful sandbox; every
// field documents its default. Booleans are phrased so that false is the
// default behaviour.
type Options struct {
	// Now is the sandbox clock: MetaData times, the "time" envelope field and
	// every token lifetime are measured with it. Default time.Now.
	Now func() time.Time

	// Location is the company time zone used to render times. Intuit renders
	// sandbox times in Pacific time. Default America/Los_Angeles.
	Location *time.Location

	// CaseSensitiveNames makes name uniqueness (DisplayName, Account and Item
	// names) case-sensitive. Default false: "ACME" collides with "Acme". [U]
	CaseSensitiveNames bool

	// ReleaseInactiveNames lets an active entity reuse the name of an
	// inactive one. Default false: inactive names stay reserved and still
	// produce 6240, which is what integrators report. [U]
	ReleaseInactiveNames bool

	// IgnoreRequestID is a deliberately broken mode in which ?requestid= is
	// ignored, so that tests can exercise an application's own dedupe path.
	IgnoreRequestID bool

	// RejectMaxResultsOver1000 makes MAXRESULTS > 1000 a 4001 query error.
	// Default false: the page is silently clamped to 1000 rows. [U]
	RejectMaxResultsOver1000 bool

	// AllowUnknownFields stores unrecognised top-level properties instead of
	// rejecting the write with 2010 "Request has invalid or unsupported
	// property" as QBO does. Default false.
	AllowUnknownFields bool

	// Clients maps OAuth client_id to client_secret. Default
	// {DefaultClientID: DefaultClientSecret}.
	Clients map[string]string

	// AccessTokenTTL is the access-token lifetime (expires_in). Default 1h.
	AccessTokenTTL time.Duration
	// RefreshTokenTTL is the rolling refresh-token lifetime
	// (x_refresh_token_expires_in). Default 8726400s.
	RefreshTokenTTL time.Duration
	// RefreshTokenGrace is how long a rotated-out refresh token keeps
	// working. Default 24h.
	RefreshTokenGrace time.Duration
	// RefreshTokenHardTTL is the maximum life of a connection, counted from
	// the authorization-code exchange (x_refresh_token_hard_expires_in).
	// Default 5 years.
	RefreshTokenHardTTL time.Duration

	// StateFile, when set, makes the sandbox durable: New loads it if it
	// exists, and companies, tokens and remembered requestids are written
	// back atomically PersistDelay after a change and on Flush/Close.
	StateFile string
	// PersistDelay debounces state-file writes. Default 250ms.
	PersistDelay time.Duration

	// Limits are the per-company request limits (429 ThrottleExceeded when
	// exceeded). The zero value means no limits, which suits unit tests;
	// ProductionLimits() returns QBO's. SetLimits overrides one company.
	Limits Limits

	// MaxBatchItems bounds BatchItemRequest entries; more give fault 1040 for
	// the whole request. Default DefaultMaxBatchItems (30).
	MaxBatchItems int

	// ShuffleBatch executes (and answers) the items of a batch in a random
	// order, since "execution order of BatchItemRequest objects should not be
	// assumed". Default false: request order. The order follows RandSeed.
	ShuffleBatch bool

	// RejectDuplicateDocNumber makes a DocNumber already used by another
	// transaction of the same type fail with 6140 "Duplicate Doc Num" unless
	// the request carries include=allowduplicatedocnum, on every transaction
	// type. Default false: invoices, credit memos, payments and deposits accept
	// duplicates, as integrators report for invoices [U]; purchases and journal
	// entries follow QuickBooks' own rules whatever this says (package
	// documentation, "Duplicate DocNumbers").
	RejectDuplicateDocNumber bool

	// RandSeed seeds the sandbox's randomness (fault injection, batch
	// shuffling) so that tests are repeatable. 0 picks a random seed.
	RandSeed uint64

	// Intercept, when set, sees every authenticated /v3 call after the
	// limits and fault injection stages and before the requestid and handler
	// stages, and may answer it instead by returning a non-nil Reply.
	Intercept func(*Call) *Reply

	// Logf receives background errors (e.g. a failed debounced state write).
	// Default: discarded. Tokens are never logged.
	Logf func(format string, args ...any)
}

// Call is an authenticated API request as Options.Intercept sees it.
type Call struct {
	RealmID  string
	Method   string
	Resource string // first path segment after the realm: "customer", "query", ...
	Query    url.Values
	Body     []byte
}

// Reply is a canned response returned by Options.Intercept.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// withDefaults returns a copy of o with every unset field defaulted.
func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Location == nil {
		loc, err := time.LoadLocation(DefaultTimeZone)
		if err != nil {
			loc = time.FixedZone("PST", -8*60*60)
		}
		o.Location = loc
	}
	if len(o.Clients) == 0 {
		o.Clients = map[string]string{DefaultClientID: DefaultClientSecret}
	}
	if o.AccessTokenTTL <= 0 {
		o.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if o.RefreshTokenTTL <= 0 {
		o.RefreshTokenTTL = DefaultRefreshTokenTTL
	}
	if o.RefreshTokenGrace <= 0 {
		o.RefreshTokenGrace = DefaultRefreshTokenGrace
	}
	if o.RefreshTokenHardTTL <= 0 {
		o.RefreshTokenHardTTL = DefaultRefreshTokenHardTTL
	}
	if o.PersistDelay <= 0 {
		o.PersistDelay = DefaultPersistDelay
	}
	if o.MaxBatchItems <= 0 {
		o.MaxBatchItems = DefaultMaxBatchItems
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o
}
