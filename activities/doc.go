// Package activities holds the side effects qbosync's workflows call. They are thin:
// each wires internal packages together (store, QBO client, sync engine) and translates
// their errors into Temporal's terms: which failures to retry and which to stop on.
//
// Activities take and return small values (ids, counts, cursors), never page data, so
// workflow histories stay small however much is synced.
package activities
