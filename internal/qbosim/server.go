package qbosim

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Server is an in-memory QuickBooks Online emulator. It is an http.Handler
// serving the accounting API (/v3/company/...), the OAuth 2.0 endpoints and
// a small consent page; mount it on an httptest.Server or any listener.
// All methods are safe for concurrent use.
type Server struct {
	opts Options
	loc  *time.Location

	// mu guards companies, nextRealm and the OAuth state. Lock order: mu
	// before any company.mu; never acquire mu while holding a company lock.
	mu        sync.Mutex
	companies map[string]*company
	nextRealm uint64
	auth      authState

	// trafficMu guards traffic (limits, counters, injected faults). It is
	// never held while waiting for a company lock.
	trafficMu sync.Mutex
	traffic   map[string]*traffic
	rand      *lockedRand

	persist persister
}

// New returns a Server configured by opts. It panics if opts.StateFile
// exists but cannot be loaded: a sandbox that silently starts empty would
// hide the very state a test meant to keep. Use Open to handle the error.
func New(opts Options) *Server {
	s, err := Open(opts)
	if err != nil {
		panic(err)
	}
	return s
}

// Open is New with the state-file load error returned instead of panicking.
func Open(opts Options) (*Server, error) {
	opts = opts.withDefaults()
	s := &Server{
		opts:      opts,
		loc:       opts.Location,
		companies: map[string]*company{},
		auth:      newAuthState(),
		traffic:   map[string]*traffic{},
		rand:      newLockedRand(opts.RandSeed),
	}
	if opts.StateFile != "" {
		if err := s.load(); err != nil {
			return nil, fmt.Errorf("qbosim: loading state file %s: %w", opts.StateFile, err)
		}
	}
	return s, nil
}

func (s *Server) now() time.Time { return s.opts.Now() }

// AddCompany creates an empty company (CompanyInfo plus the system accounts
// Undeposited Funds, Opening Balance Equity and Retained Earnings) and
// returns its realm id.
func (s *Server) AddCompany(name string) (realmID string) {
	return s.addCompany(func(int) string { return name }, false)
}

// AddSampleCompany creates a company populated like an Intuit sandbox
// company ("Sandbox Company_US_<n>") and returns its realm id. It contains,
// among others, the accounts "Accounts Receivable (A/R)", "Undeposited
// Funds", "Checking" and "Services", the customers "Amy's Bird Sanctuary",
// "Bill's Windsurf Shop", "Cool Cars" and "Freeman Sporting Goods" (with two
// jobs), and the vendors "Hall Properties" and "Brosnahan Insurance Agency".
func (s *Server) AddSampleCompany() (realmID string) {
	return s.addCompany(func(n int) string { return fmt.Sprintf("Sandbox Company_US_%d", n) }, true)
}

// addCompany builds and seeds a company before publishing it, so no request
// can observe it half-seeded. name receives the company's ordinal.
func (s *Server) addCompany(name func(n int) string, sample bool) string {
	now := s.now()
	s.mu.Lock()
	c := s.newRealmLocked(name(len(s.companies)+1), now)
	if sample {
		s.seedSample(c, now)
	}
	s.companies[c.realmID] = c
	s.mu.Unlock()
	s.markDirty()
	return c.realmID
}

// Realms lists the realm ids of all companies.
func (s *Server) Realms() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.companies))
	for id := range s.companies {
		ids = append(ids, id)
	}
	sortIDs(ids)
	return ids
}

func (s *Server) company(realmID string) *company {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.companies[realmID]
}

// Entities returns copies of every non-deleted entity of the given type
// (e.g. "Customer", case-insensitive) in a realm, inactive ones included,
// ordered by Id and rendered as the API would. Unknown realm or type: nil.
func (s *Server) Entities(realmID, entity string) []map[string]any {
	c := s.company(realmID)
	k, ok := kinds.lookup(entity)
	if c == nil || !ok {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, r := range c.list(k) {
		out = append(out, cloneMap(s.render(c, k, r)))
	}
	return out
}

// Entity returns a copy of one entity as the API would render it.
func (s *Server) Entity(realmID, entity, id string) (map[string]any, bool) {
	c := s.company(realmID)
	k, ok := kinds.lookup(entity)
	if c == nil || !ok {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	r := c.live(k, id)
	if r == nil {
		return nil, false
	}
	return cloneMap(s.render(c, k, r)), true
}

// ServeHTTP routes a request. Every response carries an intuit_tid header,
// as Intuit's do, for correlating client logs with the sandbox.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("intuit_tid", newTID())
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/v3/company/"):
		s.serveAPI(w, r)
	case strings.HasPrefix(p, "/admin/"):
		s.serveAdmin(w, r)
	case p == "/connect/oauth2":
		s.serveAuthorize(w, r)
	case p == "/oauth2/v1/tokens/bearer":
		s.serveToken(w, r)
	case p == "/v2/oauth2/tokens/revoke":
		s.serveRevoke(w, r)
	default:
		http.NotFound(w, r)
	}
}

// newTID returns an Intuit-style transaction id, e.g. 1-65f1c2a3-0a1b2c3d4e5f60718293a4b5.
func newTID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("1-%08x-%s", time.Now().Unix(), hex.EncodeToString(b[:]))
}

// sortedKeys returns the keys of a string-keyed map in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
