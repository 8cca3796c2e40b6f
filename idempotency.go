package paygate

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/paygate/caddy-paygate/transform"
)

// Idempotent creation (design.md §6): the merchant's order_id is the key.
// An identical repeat replays the recorded answer, a concurrent one waits for
// the first, the same id with another body is a 409, and after an ambiguous
// outcome the gateway's status API is asked before creating again.

const (
	defaultIdempotencyWindow = 24 * time.Hour
	defaultIdempotencyMax    = 10000
)

// idemRecord is what is kept per order id.
type idemRecord struct {
	// Fingerprint is a hash of the canonical order, so whitespace, key order
	// and "105.5" vs "105.50" do not make two requests differ.
	Fingerprint string `json:"fingerprint"`
	// Status and Body are the canonical answer, for definite outcomes.
	Status int    `json:"status,omitempty"`
	Body   []byte `json:"body,omitempty"`
	// Ambiguous marks an attempt whose outcome is unknown (timeout, reset
	// after sending): the gateway may or may not have the order.
	Ambiguous bool      `json:"ambiguous,omitempty"`
	Created   time.Time `json:"created"`
}

// idemStore keeps records for one route (gateway configuration).
type idemStore interface {
	// Lock serialises work on one order id, across instances for shared storage.
	Lock(ctx context.Context, orderID string) (unlock func(), err error)
	Load(ctx context.Context, orderID string) (*idemRecord, error)
	Save(ctx context.Context, orderID string, rec *idemRecord) error
}

// fingerprint hashes the canonical form of an order.
func fingerprint(o *transform.Order) string {
	b, err := json.Marshal(o)
	if err != nil { // cannot happen: the order was decoded from JSON
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// routeKey names the record space of a gateway configuration: routes with
// the same gateway config (so the same merchant account) share records.
// The config holds placeholders, never resolved secrets.
func routeKey(gatewayRaw []byte) string {
	sum := sha256.Sum256(gatewayRaw)
	return hex.EncodeToString(sum[:8])
}

// memoryStore is the default store: bounded by count (least recently used
// goes first) and by age.
type memoryStore struct {
	window time.Duration
	max    int
	now    func() time.Time

	mu      sync.Mutex
	records map[string]*list.Element // of *memEntry
	lru     *list.List
	locks   map[string]*keyLock
}

type memEntry struct {
	orderID string
	rec     *idemRecord
}

type keyLock struct {
	ch   chan struct{} // holds one token while locked
	refs int
}

func newMemoryStore(window time.Duration, max int) *memoryStore {
	return &memoryStore{window: window, max: max, now: time.Now,
		records: map[string]*list.Element{}, lru: list.New(), locks: map[string]*keyLock{}}
}

// Destruct satisfies caddy.Destructor for the usage pool.
func (m *memoryStore) Destruct() error { return nil }

func (m *memoryStore) Lock(ctx context.Context, orderID string) (func(), error) {
	m.mu.Lock()
	l, ok := m.locks[orderID]
	if !ok {
		l = &keyLock{ch: make(chan struct{}, 1)}
		m.locks[orderID] = l
	}
	l.refs++
	m.mu.Unlock()
	release := func() {
		m.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(m.locks, orderID)
		}
		m.mu.Unlock()
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

func (m *memoryStore) Load(_ context.Context, orderID string) (*idemRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	el, ok := m.records[orderID]
	if !ok {
		return nil, nil
	}
	e := el.Value.(*memEntry)
	if m.now().Sub(e.rec.Created) > m.window {
		m.lru.Remove(el)
		delete(m.records, orderID)
		return nil, nil
	}
	m.lru.MoveToFront(el)
	return e.rec, nil
}

func (m *memoryStore) Save(_ context.Context, orderID string, rec *idemRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if el, ok := m.records[orderID]; ok {
		el.Value.(*memEntry).rec = rec
		m.lru.MoveToFront(el)
		return nil
	}
	m.records[orderID] = m.lru.PushFront(&memEntry{orderID: orderID, rec: rec})
	for m.lru.Len() > m.max {
		oldest := m.lru.Back()
		m.lru.Remove(oldest)
		delete(m.records, oldest.Value.(*memEntry).orderID)
	}
	return nil
}

// len reports the number of records, for tests.
func (m *memoryStore) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

// storageStore keeps records in a Caddy storage module (file system, Redis…)
// so several Caddy instances share them; its locks are distributed.
type storageStore struct {
	storage certmagic.Storage
	prefix  string
	window  time.Duration
	now     func() time.Time
}

func (s *storageStore) key(orderID string) string { return s.prefix + "/" + orderID }

func (s *storageStore) Lock(ctx context.Context, orderID string) (func(), error) {
	name := "paygate-" + s.prefix + "-" + orderID
	if err := s.storage.Lock(ctx, name); err != nil {
		return nil, err
	}
	return func() { _ = s.storage.Unlock(context.WithoutCancel(ctx), name) }, nil
}

func (s *storageStore) Load(ctx context.Context, orderID string) (*idemRecord, error) {
	b, err := s.storage.Load(ctx, s.key(orderID))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec idemRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, nil // a corrupt record is treated as absent
	}
	if s.now().Sub(rec.Created) > s.window {
		return nil, nil
	}
	return &rec, nil
}

func (s *storageStore) Save(ctx context.Context, orderID string, rec *idemRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.storage.Store(ctx, s.key(orderID), b)
}

// outcome classifies a create attempt for recording.
type outcome int

const (
	outcomeNotSent   outcome = iota // nothing reached the gateway, or it refused our credentials: retry freely
	outcomeDefinite                 // the gateway decided: record and replay
	outcomeAmbiguous                // the gateway may have the order: check status before creating again
)

// classify tells how a create ended from its canonical error (nil: created).
func classify(e *transform.Error) outcome {
	if e == nil {
		return outcomeDefinite
	}
	switch e.Type {
	case transform.GatewayRejected, transform.DuplicateOrder:
		return outcomeDefinite
	case transform.GatewayTimeout, transform.GatewayError:
		return outcomeAmbiguous
	}
	return outcomeNotSent
}
