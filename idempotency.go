package paygate

import (
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
	// defaultIdempotencyMaxBytes bounds the in-memory records by size too:
	// a gateway's error text makes a recorded answer up to a few KB
	// (gateway_code is not even clipped), so a count alone does not
	// bound memory.
	defaultIdempotencyMaxBytes = 8 << 20
	// recordOverhead is what a record costs besides its body: the map
	// entry, the key, the record and its fingerprint.
	recordOverhead = 256
)

// idemRecord is what is kept per order id.
type idemRecord struct {
	// Fingerprint is a hash of the canonical order, so whitespace, key order
	// and "105.5" vs "105.50" do not make two requests differ.
	Fingerprint fpSum `json:"fingerprint"`
	// Status and Body are the canonical answer, for definite outcomes.
	Status int    `json:"status,omitempty"`
	Body   []byte `json:"body,omitempty"`
	// Ambiguous marks an attempt whose outcome is unknown (timeout, reset
	// after sending): the gateway may or may not have the order.
	Ambiguous bool      `json:"ambiguous,omitempty"`
	Created   time.Time `json:"created"`

	// memoryStore's key and LRU links (most recently used first), so a
	// record costs one allocation there; never stored.
	orderID    string
	prev, next *idemRecord
}

// fpSum is a SHA-256 fingerprint, kept as 32 bytes and written as hex in
// stored records (the same JSON as a hex string field).
type fpSum [sha256.Size]byte

func (f fpSum) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, f[:]), nil }

func (f *fpSum) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(f) {
		return errors.New("fingerprint: not a SHA-256 hex digest")
	}
	_, err := hex.Decode(f[:], b)
	return err
}

// idemStore keeps records for one route (gateway configuration).
type idemStore interface {
	// Lock serialises work on one order id, across instances for shared storage.
	Lock(ctx context.Context, orderID string) (unlock func(), err error)
	Load(ctx context.Context, orderID string) (*idemRecord, error)
	Save(ctx context.Context, orderID string, rec *idemRecord) error
}

// fingerprint hashes the canonical form of an order.
func fingerprint(o *transform.Order) fpSum {
	b, err := json.Marshal(o)
	if err != nil { // cannot happen: the order was decoded from JSON
		return fpSum{}
	}
	return sha256.Sum256(b)
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
	window   time.Duration
	max      int
	maxBytes int
	now      func() time.Time
	size     int // bytes accounted for the records held

	mu         sync.Mutex
	records    map[string]*idemRecord
	head, tail *idemRecord // most and least recently used
	locks      map[string]*keyLock
}

// keyLock is recycled through keyLocks once no request holds or waits for
// it, so an uncontended Lock allocates nothing.
type keyLock struct {
	ch     chan struct{} // holds one token while locked
	refs   int           // holders and waiters, under memoryStore.mu
	m      *memoryStore
	id     string
	unlock func() // l.release bound once, handed to the holder
}

var keyLocks sync.Pool // of *keyLock

func newMemoryStore(window time.Duration, max int) *memoryStore {
	return &memoryStore{window: window, max: max, maxBytes: defaultIdempotencyMaxBytes, now: time.Now,
		records: map[string]*idemRecord{}, locks: map[string]*keyLock{}}
}

// Destruct satisfies caddy.Destructor for the usage pool.
func (m *memoryStore) Destruct() error { return nil }

func (m *memoryStore) Lock(ctx context.Context, orderID string) (func(), error) {
	m.mu.Lock()
	l, ok := m.locks[orderID]
	if !ok {
		l, _ = keyLocks.Get().(*keyLock)
		if l == nil {
			l = &keyLock{ch: make(chan struct{}, 1)}
			l.unlock = l.release
		}
		l.m, l.id = m, orderID
		m.locks[orderID] = l
	}
	l.refs++
	m.mu.Unlock()
	select {
	case l.ch <- struct{}{}:
		return l.unlock, nil
	case <-ctx.Done():
		m.drop(l)
		return nil, ctx.Err()
	}
}

// release is the holder's unlock.
func (l *keyLock) release() {
	<-l.ch
	l.m.drop(l)
}

// drop forgets a holder or waiter; the last one recycles the lock.
func (m *memoryStore) drop(l *keyLock) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l.refs--; l.refs == 0 {
		delete(m.locks, l.id)
		l.m, l.id = nil, ""
		keyLocks.Put(l)
	}
}

// remove forgets r; m.mu is held.
func (m *memoryStore) remove(r *idemRecord) {
	m.unlink(r)
	delete(m.records, r.orderID)
	m.size -= recordOverhead + len(r.Body)
}

// unlink takes r out of the LRU list; m.mu is held.
func (m *memoryStore) unlink(r *idemRecord) {
	if r.prev != nil {
		r.prev.next = r.next
	} else {
		m.head = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	} else {
		m.tail = r.prev
	}
	r.prev, r.next = nil, nil
}

// pushFront makes r the most recently used; m.mu is held.
func (m *memoryStore) pushFront(r *idemRecord) {
	r.prev, r.next = nil, m.head
	if m.head != nil {
		m.head.prev = r
	}
	m.head = r
	if m.tail == nil {
		m.tail = r
	}
}

func (m *memoryStore) Load(_ context.Context, orderID string) (*idemRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[orderID]
	if !ok {
		return nil, nil
	}
	if m.now().Sub(r.Created) > m.window {
		m.remove(r)
		return nil, nil
	}
	m.unlink(r)
	m.pushFront(r)
	return r, nil
}

func (m *memoryStore) Save(_ context.Context, orderID string, rec *idemRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.records[orderID]; ok {
		m.remove(old)
	}
	rec.orderID = orderID
	m.records[orderID] = rec
	m.size += recordOverhead + len(rec.Body)
	m.pushFront(rec)
	for len(m.records) > m.max || (m.size > m.maxBytes && m.tail != rec) {
		m.remove(m.tail)
	}
	return nil
}

// len reports the number of records, for tests.
func (m *memoryStore) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
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

// Save records even when the application has gone: the outcome stands.
func (s *storageStore) Save(ctx context.Context, orderID string, rec *idemRecord) error {
	ctx = context.WithoutCancel(ctx)
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
