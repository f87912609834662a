package qbosim

import (
	"encoding/json"
	"strconv"
)

// maxLevel is the deepest nesting QBO allows: "up to four levels of nesting
// under a top-level parent", i.e. a FullyQualifiedName of at most 5 parts.
const maxLevel = 4

// hierarchy describes a kind whose entities nest through ParentRef
// (sub-customers/jobs, sub-accounts, items under categories).
type hierarchy struct {
	nameField  string // the own-name part of FullyQualifiedName
	flagField  string // derived "is a child" flag: Job, SubAccount, SubItem
	levelField string // "Level" when the kind exposes it; omitted at level 0
	// parentOK vets the parent's type (e.g. an item's parent must be a Category).
	parentOK func(parent *record) *fault
	// rollup, when set, sums from over a node and its descendants into to
	// (Balance -> BalanceWithJobs).
	rollupFrom, rollupTo string
}

// resolveParent validates the candidate's ParentRef and returns the parent
// (nil for a top-level entity) and the candidate's level.
func (w *writeCtx) resolveParent() (*record, int, *fault) {
	h := w.k.hier
	id := refValue(w.body["ParentRef"])
	if id == "" {
		return nil, 0, nil
	}
	if id == w.selfID() {
		return nil, 0, errBusiness(w.k.name + " cannot be its own parent.")
	}
	parent, f := w.reference("ParentRef", w.k, id)
	if f != nil {
		return nil, 0, f
	}
	if h.parentOK != nil {
		if f := h.parentOK(parent); f != nil {
			return nil, 0, f
		}
	}
	level := 1
	for p := parent; ; level++ {
		pid := refValue(p.data["ParentRef"])
		if pid == "" {
			break
		}
		if pid == w.selfID() {
			return nil, 0, errBusiness("Circular reference: the ParentRef would make " + w.k.name + " " + w.selfID() + " its own ancestor.")
		}
		if p = w.c.get(w.k, pid); p == nil {
			break
		}
	}
	height := 0
	if w.old != nil {
		height = w.c.subtreeHeight(w.k, w.old.id)
	}
	if level+height > maxLevel {
		return nil, 0, errBusiness("Up to four levels of nesting can be defined under a top-level parent " + w.k.name + ".")
	}
	return parent, level, nil
}

// setHierarchyFields fills the derived flag, level and FullyQualifiedName
// of the candidate from its resolved parent.
func (w *writeCtx) setHierarchyFields(parent *record, level int) {
	h := w.k.hier
	w.body["FullyQualifiedName"] = fullyQualified(parent, stringField(w.body, h.nameField))
	w.body[h.flagField] = parent != nil
	if h.levelField != "" {
		if level > 0 {
			w.body[h.levelField] = json.Number(strconv.Itoa(level))
		} else {
			delete(w.body, h.levelField)
		}
	}
}

// subtreeHeight is how many levels hang below id.
func (c *company) subtreeHeight(k *kind, id string) int {
	children := c.childrenIndex(k)
	var height func(string) int
	height = func(id string) int {
		best := 0
		for _, child := range children[id] {
			if h := 1 + height(child); h > best {
				best = h
			}
		}
		return best
	}
	return height(id)
}

// childrenIndex maps parent id -> child ids for a hierarchical kind.
func (c *company) childrenIndex(k *kind) map[string][]string {
	children := map[string][]string{}
	for _, r := range c.list(k) {
		if pid := refValue(r.data["ParentRef"]); pid != "" {
			children[pid] = append(children[pid], r.id)
		}
	}
	return children
}

// refreshHierarchy recomputes FullyQualifiedName, level and roll-ups of
// every entity of k, so that renaming or moving a parent is reflected in
// all of its descendants. Changed records are replaced copy-on-write; their
// SyncToken and LastUpdatedTime are left alone. [U] whether QBO bumps them.
func (c *company) refreshHierarchy(k *kind) {
	h := k.hier
	records := c.list(k)
	byID := make(map[string]*record, len(records))
	for _, r := range records {
		byID[r.id] = r
	}
	type computed struct {
		fqn   string
		level int
	}
	memo := map[string]computed{}
	var compute func(r *record, depth int) computed
	compute = func(r *record, depth int) computed {
		if v, ok := memo[r.id]; ok {
			return v
		}
		v := computed{fqn: stringField(r.data, h.nameField)}
		if parent := byID[refValue(r.data["ParentRef"])]; parent != nil && depth <= maxLevel+1 {
			p := compute(parent, depth+1)
			v = computed{fqn: p.fqn + ":" + v.fqn, level: p.level + 1}
		}
		memo[r.id] = v
		return v
	}
	children := c.childrenIndex(k)
	var rollup func(id string) json.Number
	rollup = func(id string) json.Number {
		parts := []any{byID[id].data[h.rollupFrom]}
		for _, child := range children[id] {
			parts = append(parts, rollup(child))
		}
		return sumDecimals(parts...)
	}
	for _, r := range records {
		v := compute(r, 0)
		changes := map[string]any{}
		if stringField(r.data, "FullyQualifiedName") != v.fqn {
			changes["FullyQualifiedName"] = v.fqn
		}
		if h.levelField != "" && scalarString(r.data[h.levelField]) != levelString(v.level) {
			if v.level == 0 {
				changes[h.levelField] = nil
			} else {
				changes[h.levelField] = json.Number(strconv.Itoa(v.level))
			}
		}
		if h.rollupTo != "" {
			if total := rollup(r.id); scalarString(r.data[h.rollupTo]) != total.String() {
				changes[h.rollupTo] = total
			}
		}
		if len(changes) > 0 {
			c.replaceData(k, r, changes)
		}
	}
}

func levelString(level int) string {
	if level == 0 {
		return ""
	}
	return strconv.Itoa(level)
}
