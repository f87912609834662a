// Package e2e holds qbosync's end-to-end tests: a seeded practice database on a real
// PostgreSQL, a real Temporal dev server with the real worker registrations, and the QBO
// sandbox over HTTP, connected through the real OAuth flow. Faults are injected between
// the client and the sandbox the way a network or an overloaded QBO produces them.
package e2e
