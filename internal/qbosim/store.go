package qbosim

import (
	"strconv"
	"sync"
	"time"
)

// record is one stored entity. data holds the entity exactly as the API
// renders it, minus the per-response "domain"/"sparse" flags and reference
// names. A record's data map is never mutated after it is stored: writes
// build a new map (copy-on-write), so renders and snapshots cannot race.
type record struct {
	id      string
	deleted bool // tombstone (transactions); name-list entities are never deleted
	data    map[string]any
}

// storedReply is a response remembered under a requestid.
type storedReply struct {
	Status int
	Body   []byte
}

// company is one realm. Its mutex serialises every API call on the realm,
// which also makes requestid replay atomic with the write it guards.
type company struct {
	mu       sync.Mutex
	realmID  string
	seq      map[string]int64              // id sequence -> last id issued
	entities map[string]map[string]*record // kind name -> id -> record
	requests map[string]storedReply        // requestid -> first response

	// Derived from the records (rebuilt on load, see ledger.go).
	ledger   ledger
	linkedBy map[string]map[string]int64 // "Invoice:130" -> "Payment:131" -> cents applied
	// children indexes the records that are not deleted by kind and ParentRef
	// (kept by put), so a balance's roll-up reads a record's children without
	// a pass over every record of its kind.
	children map[string]map[string]map[string]struct{}

	// batchNew holds the records created by the batch being processed:
	// later items of the same batch must not see them.
	batchNew map[string]bool
}

func newCompany(realmID string) *company {
	return &company{
		realmID:  realmID,
		seq:      map[string]int64{},
		entities: map[string]map[string]*record{},
		requests: map[string]storedReply{},
		ledger:   newLedger(),
		linkedBy: map[string]map[string]int64{},
		children: map[string]map[string]map[string]struct{}{},
	}
}

func (c *company) nextID(seq string) string {
	c.seq[seq]++
	return strconv.FormatInt(c.seq[seq], 10)
}

// newID issues the next id of a kind's sequence, starting above the kind's
// idBase (Class ids look like "5000000000000007280").
func (c *company) newID(k *kind) string {
	if c.seq[k.idSeq] < k.idBase {
		c.seq[k.idSeq] = k.idBase
	}
	return c.nextID(k.idSeq)
}

// get returns the record with id, including tombstones; nil when unknown.
func (c *company) get(k *kind, id string) *record { return c.entities[k.name][id] }

// live returns the record with id unless it is unknown or deleted.
func (c *company) live(k *kind, id string) *record {
	if r := c.get(k, id); r != nil && !r.deleted {
		return r
	}
	return nil
}

// visible is live as a client request sees it: records created earlier in
// the same batch are not there yet.
func (c *company) visible(k *kind, id string) *record {
	if c.batchNew[linkKey(k.name, id)] {
		return nil
	}
	return c.live(k, id)
}

// list returns the non-deleted records of a kind ordered by Id.
func (c *company) list(k *kind) []*record {
	byID := c.entities[k.name]
	ids := make([]string, 0, len(byID))
	for id, r := range byID {
		if !r.deleted {
			ids = append(ids, id)
		}
	}
	sortIDs(ids)
	out := make([]*record, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out
}

func (c *company) put(k *kind, r *record) {
	if c.entities[k.name] == nil {
		c.entities[k.name] = map[string]*record{}
	}
	if old := c.entities[k.name][r.id]; old != nil && !old.deleted {
		if kids := c.children[k.name][refValue(old.data["ParentRef"])]; kids != nil {
			delete(kids, r.id)
		}
	}
	c.entities[k.name][r.id] = r
	if pid := refValue(r.data["ParentRef"]); pid != "" && !r.deleted {
		if c.children[k.name] == nil {
			c.children[k.name] = map[string]map[string]struct{}{}
		}
		if c.children[k.name][pid] == nil {
			c.children[k.name][pid] = map[string]struct{}{}
		}
		c.children[k.name][pid][r.id] = struct{}{}
	}
}

// replaceData swaps in a modified copy of a record's data (copy-on-write)
// without touching SyncToken: used for values QBO recomputes behind the
// scenes, such as a child's FullyQualifiedName after its parent is renamed.
func (c *company) replaceData(k *kind, r *record, changes map[string]any) {
	c.put(k, &record{id: r.id, deleted: r.deleted, data: withChanges(r.data, changes)})
}

// withChanges returns a shallow copy of data with changes applied; a nil
// value deletes the property.
func withChanges(data, changes map[string]any) map[string]any {
	out := make(map[string]any, len(data)+len(changes))
	for key, v := range data {
		out[key] = v
	}
	for key, v := range changes {
		if v == nil {
			delete(out, key)
		} else {
			out[key] = v
		}
	}
	return out
}

// writeCtx is the state of one create or update while it passes through a
// kind's prepare hook.
type writeCtx struct {
	s     *Server
	c     *company
	k     *kind
	now   time.Time
	input map[string]any // normalised request body, as sent
	body  map[string]any // candidate entity: the merged result prepare validates and edits
	old   *record        // nil on create
	opts  writeOpts
}

// writeOpts are the request options a write honours.
type writeOpts struct {
	requireID bool            // operation=update: the body must carry an Id
	include   map[string]bool // include= flags, e.g. allowduplicatedocnum
}

func (w *writeCtx) creating() bool { return w.old == nil }

// selfID is the id of the entity being written ("" on create until
// reserveID is called).
func (w *writeCtx) selfID() string {
	if w.old == nil {
		return stringField(w.body, "Id")
	}
	return w.old.id
}

// reserveID returns the id the entity will have, issuing it now on create
// (postings that name the entity itself need it before commit).
func (w *writeCtx) reserveID() string {
	if id := w.selfID(); id != "" {
		return id
	}
	id := w.c.newID(w.k)
	w.body["Id"] = id
	return id
}

// write runs the create/update pipeline shared by every kind:
// schema check -> locate and version-check the target -> merge (sparse or
// full) -> kind.prepare -> commit (system fields, store, hierarchy, ledger
// and links). The caller holds c.mu.
func (s *Server) write(c *company, k *kind, in map[string]any, now time.Time, wo writeOpts) (*record, *fault) {
	if k.readOnly || k.prepare == nil {
		return nil, errUnsupported("Operation Create/Update is not supported for " + k.name + ".")
	}
	in, f := k.normalizeInput(in, s.opts.AllowUnknownFields)
	if f != nil {
		return nil, f
	}
	var old *record
	if idv, ok := in["Id"]; ok && idv != nil {
		var f *fault
		if old, f = c.versioned(k, in); f != nil {
			return nil, f
		}
	} else if wo.requireID {
		return nil, errRequired("Id")
	}

	w := &writeCtx{s: s, c: c, k: k, now: now, input: in, old: old, body: s.mergeBody(k, in, old), opts: wo}
	if f := k.prepare(w); f != nil {
		return nil, f
	}
	return s.commit(c, k, old, w.body, now), nil
}

// versioned finds the record an update, void or delete names by Id and
// checks its SyncToken: 610 when unknown or deleted, 5010 when stale.
func (c *company) versioned(k *kind, in map[string]any) (*record, *fault) {
	idv, ok := in["Id"]
	if !ok || idv == nil {
		return nil, errRequired("Id")
	}
	id := scalarString(idv)
	old := c.visible(k, id)
	if old == nil {
		return nil, errObjectNotFound(k.name, id)
	}
	st, ok := in["SyncToken"]
	if !ok || st == nil {
		return nil, errRequired("SyncToken")
	}
	if scalarString(st) != stringField(old.data, "SyncToken") {
		return nil, errStaleObject()
	}
	return old, nil
}

// commit stores body as the new version of old (a new record when old is
// nil): Id, SyncToken (+1 per version) and MetaData are assigned here, then
// hierarchy values, the ledger, links and balances are brought up to date.
func (s *Server) commit(c *company, k *kind, old *record, body map[string]any, now time.Time) *record {
	rec := &record{data: body}
	meta := map[string]any{"CreateTime": now.In(s.loc).Format(metaTimeLayout)}
	if old == nil {
		if rec.id = stringField(body, "Id"); rec.id == "" { // reserved by prepare, or new
			rec.id = c.newID(k)
		}
		body["SyncToken"] = "0"
	} else {
		rec.id = old.id
		prev, _ := strconv.Atoi(stringField(old.data, "SyncToken"))
		body["SyncToken"] = strconv.Itoa(prev + 1)
		if om, ok := old.data["MetaData"].(map[string]any); ok {
			meta["CreateTime"] = om["CreateTime"]
		}
	}
	meta["LastUpdatedTime"] = now.In(s.loc).Format(metaTimeLayout)
	body["Id"] = rec.id
	body["MetaData"] = meta
	c.put(k, rec)
	if k.hier != nil {
		c.refreshHierarchy(k)
	}
	if old == nil && c.batchNew != nil {
		c.batchNew[linkKey(k.name, rec.id)] = true
	}
	s.afterCommit(c, k, old, c.get(k, rec.id), now)
	return c.get(k, rec.id)
}

// mergeBody builds the candidate entity. Sparse updates start from the
// stored entity ("missing elements are left untouched"); full updates start
// empty ("writable fields omitted from the request body are set to NULL").
// Either way system and derived properties are never taken from the client,
// and write-on-create properties keep their stored value on update.
func (s *Server) mergeBody(k *kind, in map[string]any, old *record) map[string]any {
	body := map[string]any{}
	if old != nil && boolField(in, "sparse", false) {
		for key, v := range old.data {
			body[key] = v
		}
	}
	for key, v := range in {
		if isInternal(key) {
			continue
		}
		if v == nil {
			delete(body, key)
			continue
		}
		body[key] = v
	}
	for _, key := range systemFields {
		delete(body, key)
	}
	for _, key := range k.derived {
		delete(body, key)
	}
	keep := func(keys []string, acceptOnCreate bool) {
		for _, key := range keys {
			delete(body, key)
			if old == nil {
				if v, ok := in[key]; ok && v != nil && acceptOnCreate {
					body[key] = v
				}
			} else if v, ok := old.data[key]; ok {
				body[key] = v
			}
		}
	}
	keep(k.writeOnCreate, true)
	keep(k.preserved, false)
	if old != nil {
		// The server's own bookkeeping survives any update; prepare
		// recomputes what depends on the new content.
		for key, v := range old.data {
			if isInternal(key) {
				body[key] = v
			}
		}
	}
	for field := range k.refTargets {
		// The stored reference keeps only the id; the name is resolved when
		// rendering so that it follows renames.
		if ref, ok := body[field].(map[string]any); ok {
			body[field] = map[string]any{"value": ref["value"]}
		}
	}
	return body
}

// render returns the entity as a response shows it.
func (s *Server) render(c *company, k *kind, r *record) map[string]any {
	out := make(map[string]any, len(r.data)+2)
	for key, v := range r.data {
		if !isInternal(key) {
			out[key] = v
		}
	}
	for field, targetName := range k.refTargets {
		id := refValue(out[field])
		if id == "" {
			continue
		}
		ref := map[string]any{"value": id}
		if tk, ok := kinds.lookup(targetName); ok {
			if target := c.get(tk, id); target != nil {
				if name := stringField(target.data, tk.refNameField); name != "" {
					ref["name"] = name
				}
			}
		}
		out[field] = ref
	}
	if k.txn != nil {
		if lines, ok := out["Line"].([]any); ok {
			out["Line"] = renderLines(c, lines)
		}
		if e, ok := out["EntityRef"].(map[string]any); ok {
			out["EntityRef"] = namedRef(c, stringField(e, "type"), e)
		}
	}
	out["domain"] = "QBO"
	out["sparse"] = false
	return out
}
