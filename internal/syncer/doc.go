// Package syncer moves practice changes into QuickBooks Online, one category at a
// time. A category reads its slice of the change feed page by page; for each page it
// loads the facts, plans what QBO should hold with a pure function (translating each
// record with package posting), and applies the plan: it writes to QBO and records the
// mapping and the outcome in the store before it moves its cursor (plan.go).
//
// Every write obeys the exactly-once rule (docs/design.md, "Exactly once, in
// practice"): the id map is consulted first; each write carries a requestid derived
// from what it writes; after an ambiguous outcome the object is looked up by its
// natural key and qbosync's marker before anything is created again. A record QBO
// refuses becomes a failed item with a plain-language explanation, and the rest of the
// page carries on. Errors that are not about one record (QBO unreachable, the
// connection revoked) stop the page without moving the cursor, so a retry starts where
// this attempt left off.
package syncer
