package qbosim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// State-file persistence. Every change marks the server dirty; a debounce
// timer (Options.PersistDelay) then rewrites the whole file atomically
// (temp file + fsync + rename), so a burst of writes costs one rewrite and
// a crash leaves either the old or the new file, never a torn one.

const stateVersion = 1

type persistedState struct {
	Version   int             `json:"version"`
	NextRealm uint64          `json:"nextRealm"`
	Companies []*companyState `json:"companies"`
	Auth      authState       `json:"auth"`
}

// companyState is a company as stored on disk and as returned by Snapshot.
type companyState struct {
	RealmID    string                   `json:"realmId"`
	Sequences  map[string]int64         `json:"idSequences"`
	Entities   map[string][]recordState `json:"entities"`
	RequestIDs map[string]replyState    `json:"requestIds,omitempty"`
}

type recordState struct {
	Deleted bool           `json:"deleted,omitempty"`
	Data    map[string]any `json:"data"`
}

type replyState struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
}

type persister struct {
	mu      sync.Mutex // guards dirty, timer and closed
	dirty   bool
	timer   *time.Timer
	closed  bool
	writeMu sync.Mutex // serialises file writes
}

// markDirty schedules a debounced state-file write. It may be called with a
// company lock held: it only touches the persister's own mutex.
func (s *Server) markDirty() {
	if s.opts.StateFile == "" {
		return
	}
	p := &s.persist
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dirty = true
	if p.timer == nil && !p.closed {
		p.timer = time.AfterFunc(s.opts.PersistDelay, func() {
			if err := s.Flush(); err != nil {
				s.opts.Logf("qbosim: writing state file: %v", err)
			}
		})
	}
}

// Flush writes pending changes to Options.StateFile now. Without a state
// file it does nothing.
func (s *Server) Flush() error {
	if s.opts.StateFile == "" {
		return nil
	}
	p := &s.persist
	p.writeMu.Lock()
	defer p.writeMu.Unlock()
	p.mu.Lock()
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	dirty := p.dirty
	p.dirty = false
	p.mu.Unlock()
	if !dirty {
		return nil
	}
	data, err := s.encodeState()
	if err == nil {
		err = writeFileAtomic(s.opts.StateFile, data)
	}
	if err != nil {
		p.mu.Lock()
		p.dirty = true // keep the changes pending for the next attempt
		p.mu.Unlock()
	}
	return err
}

// Close flushes pending state and stops background writes. The handler
// keeps answering afterwards; call Flush to persist later changes.
func (s *Server) Close() error {
	s.persist.mu.Lock()
	s.persist.closed = true
	s.persist.mu.Unlock()
	return s.Flush()
}

// Snapshot returns a JSON dump of one company: its entities as stored
// (tombstones included) and id sequences. Useful for golden files and for
// debugging a failed test.
func (s *Server) Snapshot(realmID string) ([]byte, error) {
	c := s.company(realmID)
	if c == nil {
		return nil, fmt.Errorf("qbosim: unknown realm %q", realmID)
	}
	c.mu.Lock()
	st := c.state(false)
	c.mu.Unlock()
	return json.MarshalIndent(st, "", "  ")
}

// state captures the company; the caller holds c.mu.
func (c *company) state(withRequests bool) *companyState {
	st := &companyState{RealmID: c.realmID, Sequences: map[string]int64{}, Entities: map[string][]recordState{}}
	for k, v := range c.seq {
		st.Sequences[k] = v
	}
	for _, kindName := range sortedKeys(c.entities) {
		byID := c.entities[kindName]
		ids := sortedKeys(byID)
		sortIDs(ids)
		for _, id := range ids {
			r := byID[id]
			st.Entities[kindName] = append(st.Entities[kindName], recordState{Deleted: r.deleted, Data: r.data})
		}
	}
	if withRequests && len(c.requests) > 0 {
		st.RequestIDs = map[string]replyState{}
		for id, rep := range c.requests {
			st.RequestIDs[id] = replyState{Status: rep.Status, Body: string(rep.Body)}
		}
	}
	return st
}

// encodeState serialises the whole server. Companies are locked one at a
// time after s.mu, following the lock order.
func (s *Server) encodeState() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := persistedState{Version: stateVersion, NextRealm: s.nextRealm, Auth: s.auth}
	for _, id := range sortedKeys(s.companies) {
		c := s.companies[id]
		c.mu.Lock()
		st.Companies = append(st.Companies, c.state(true))
		c.mu.Unlock()
	}
	return json.Marshal(st)
}

// load restores the state file, if there is one.
func (s *Server) load() error {
	data, err := os.ReadFile(s.opts.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var st persistedState
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // amounts must survive a restart digit for digit
	if err := dec.Decode(&st); err != nil {
		return err
	}
	if st.Version != stateVersion {
		return fmt.Errorf("unsupported state version %d", st.Version)
	}
	s.nextRealm = st.NextRealm
	if st.Auth.Grants != nil {
		s.auth.Grants = st.Auth.Grants
	}
	if st.Auth.Access != nil {
		s.auth.Access = st.Auth.Access
	}
	if st.Auth.Refresh != nil {
		s.auth.Refresh = st.Auth.Refresh
	}
	for _, cs := range st.Companies {
		c := newCompany(cs.RealmID)
		for k, v := range cs.Sequences {
			c.seq[k] = v
		}
		for kindName, records := range cs.Entities {
			k, ok := kinds.lookup(kindName)
			if !ok || k.name != kindName {
				return fmt.Errorf("company %s: unknown entity type %q", cs.RealmID, kindName)
			}
			for _, rs := range records {
				if err := decodeInternal(rs.Data); err != nil {
					return fmt.Errorf("company %s: %s %s: %w", cs.RealmID, kindName, stringField(rs.Data, "Id"), err)
				}
				c.put(k, &record{id: stringField(rs.Data, "Id"), deleted: rs.Deleted, data: rs.Data})
			}
		}
		c.rebuildIndexes()
		for id, rep := range cs.RequestIDs {
			c.requests[id] = storedReply{Status: rep.Status, Body: []byte(rep.Body)}
		}
		s.companies[c.realmID] = c
	}
	return nil
}

// writeFileAtomic replaces path with data: readers see the old file or the
// new one, never a partial write. The file is private (0600): it holds
// company data and token hashes.
func writeFileAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
