package paygate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/paygate/caddy-paygate/transform"
)

// Idempotent operations (README "Retries and idempotency"): the merchant's
// order_id (or refund_id) is the key. An identical repeat replays the
// recorded answer, a concurrent one on the same instance waits for the
// first, one on another instance is told to retry (409 order_in_progress),
// the same id with another body is a 409, and after an ambiguous outcome the
// gateway's status API is asked before acting again.
//
// Every operation writes an in-flight marker before the gateway is called
// (write-ahead), so a crash, a failed final save or a panic leaves a marker
// or an ambiguous record, never nothing.

const (
	defaultIdempotencyWindow = 24 * time.Hour
	defaultIdempotencyMax    = 10000
	defaultInFlightTimeout   = 30 * time.Second
	// defaultIdempotencyMaxBytes bounds the in-memory answers by size too:
	// a gateway's error text makes a recorded answer up to a few KB, so a
	// count alone does not bound memory.
	defaultIdempotencyMaxBytes = 8 << 20
	// recordOverhead is what a record costs besides its body: the map
	// entry, the key, the record and its fingerprint.
	recordOverhead = 256
	// maxInProgressRetryAfter caps the Retry-After of 409 order_in_progress.
	maxInProgressRetryAfter = 5 * time.Second
)

// errStoreFull is returned when the store cannot take another in-flight or
// ambiguous record: forgetting one would allow a second create.
var errStoreFull = errors.New("too many in-flight and ambiguous records")

// idemRecord is what is kept per key. Exactly one of three states:
// in flight (InFlight), ambiguous (Ambiguous) or definite (Status and Body).
type idemRecord struct {
	// Fingerprint is a hash of the canonical request, so whitespace, key
	// order and "105.5" vs "105.50" do not make two requests differ.
	Fingerprint fpSum `json:"fingerprint"`
	// Status and Body are the canonical answer, for definite outcomes.
	Status int    `json:"status,omitempty"`
	Body   []byte `json:"body,omitempty"`
	// ErrorType is the canonical error type of a recorded failure, for
	// the replay's log line and metrics.
	ErrorType string `json:"error_type,omitempty"`
	// Ambiguous marks an attempt whose outcome is unknown (timeout, reset
	// after sending): the gateway may or may not have acted.
	Ambiguous bool `json:"ambiguous,omitempty"`
	// InFlight marks a write-ahead marker: an attempt started at Started
	// and is, or was, talking to the gateway.
	InFlight bool      `json:"in_flight,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	// Created is when the key was first used; the window counts from it.
	Created time.Time `json:"created"`

	// memoryStore's key and LRU links (most recently used first), so a
	// record costs one allocation there; never stored.
	key        string
	prev, next *idemRecord
}

// pending reports whether the record must never be evicted: forgetting it
// would allow a second create without a status check.
func (r *idemRecord) pending() bool { return r.InFlight || r.Ambiguous }

// fpSum is a SHA-256 fingerprint, kept as 32 bytes and written as hex in
// stored records.
type fpSum [sha256.Size]byte

func (f fpSum) MarshalText() ([]byte, error) { return hex.AppendEncode(nil, f[:]), nil }

func (f *fpSum) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(f) {
		return errors.New("fingerprint: not a SHA-256 hex digest")
	}
	_, err := hex.Decode(f[:], b)
	return err
}

// idemStore keeps the records of one record space.
type idemStore interface {
	// Lock serialises reads and writes of one key, across instances for
	// shared storage. It is held only around Load and Save, never across a
	// gateway call.
	Lock(ctx context.Context, key string) (unlock func(), err error)
	Load(ctx context.Context, key string) (*idemRecord, error)
	Save(ctx context.Context, key string, rec *idemRecord) error
	Delete(ctx context.Context, key string) error
}

// fingerprint hashes the canonical form of an order.
func fingerprint(o *transform.Order) fpSum {
	var scratch [1024]byte // on the stack; a larger order grows onto the heap
	return sha256.Sum256(o.AppendJSON(scratch[:0]))
}

// spaceName derives the record space from the gateway, the resolved public
// account identity and the operator's record_space, hashed so that the
// identity is never stored in clear (design: "one record space per merchant
// account, never per config text").
func spaceName(gateway, identity, recordSpace string) string {
	h := sha256.New()
	for _, s := range []string{"paygate/records/v2", gateway, identity, recordSpace} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// keyedMutex serialises work on one key within this process: same-instance
// requests for one order wait for the first and then replay its answer.
// Locks are recycled once no request holds or waits for them, so an
// uncontended Lock allocates nothing.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyLock
}

type keyLock struct {
	ch     chan struct{} // holds one token while locked
	refs   int           // holders and waiters, under keyedMutex.mu
	m      *keyedMutex
	id     string
	unlock func() // l.release bound once, handed to the holder
}

var keyLocks sync.Pool // of *keyLock

func newKeyedMutex() *keyedMutex { return &keyedMutex{locks: map[string]*keyLock{}} }

func (m *keyedMutex) Lock(ctx context.Context, key string) (func(), error) {
	m.mu.Lock()
	l, ok := m.locks[key]
	if !ok {
		l, _ = keyLocks.Get().(*keyLock)
		if l == nil {
			l = &keyLock{ch: make(chan struct{}, 1)}
			l.unlock = l.release
		}
		l.m, l.id = m, key
		m.locks[key] = l
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

func (l *keyLock) release() {
	<-l.ch
	l.m.drop(l)
}

// drop forgets a holder or waiter; the last one recycles the lock.
func (m *keyedMutex) drop(l *keyLock) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if l.refs--; l.refs == 0 {
		delete(m.locks, l.id)
		l.m, l.id = nil, ""
		keyLocks.Put(l)
	}
}

// spaceLocks holds one keyedMutex per record space for the whole process, so
// every route (and every config generation) of one account shares them.
var spaceLocks sync.Map // space → *keyedMutex

func localLocks(space string) *keyedMutex {
	if v, ok := spaceLocks.Load(space); ok {
		return v.(*keyedMutex)
	}
	v, _ := spaceLocks.LoadOrStore(space, newKeyedMutex())
	return v.(*keyedMutex)
}

// memoryStore is the default store. Definite answers are bounded by count
// and bytes (least recently used go first) and by age; in-flight and
// ambiguous records are kept apart, never evicted, and bounded by count: a
// full set refuses new ones (the create then answers 503).
type memoryStore struct {
	now func() time.Time

	mu         sync.Mutex
	window     time.Duration
	max        int
	maxBytes   int
	size       int // bytes accounted for the definite records held
	pendingN   int // in-flight and ambiguous records held
	records    map[string]*idemRecord
	head, tail *idemRecord // most and least recently used definite records
	locks      *keyedMutex
}

func newMemoryStore(window time.Duration, maxRecords int) *memoryStore {
	return &memoryStore{window: window, max: maxRecords, maxBytes: defaultIdempotencyMaxBytes, now: time.Now,
		records: map[string]*idemRecord{}, locks: newKeyedMutex()}
}

// resize applies a reloaded config's bounds in place: records survive.
func (m *memoryStore) resize(window time.Duration, maxRecords int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.window, m.max = window, maxRecords
	m.evict(nil)
}

// Destruct satisfies caddy.Destructor for the usage pool.
func (m *memoryStore) Destruct() error { return nil }

func (m *memoryStore) Lock(ctx context.Context, key string) (func(), error) {
	return m.locks.Lock(ctx, key)
}

// remove forgets r; m.mu is held.
func (m *memoryStore) remove(r *idemRecord) {
	if r.pending() {
		m.pendingN--
	} else {
		m.unlink(r)
		m.size -= recordOverhead + len(r.Body)
	}
	delete(m.records, r.key)
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

// evict drops least recently used definite records over the bounds, never
// keep; m.mu is held.
func (m *memoryStore) evict(keep *idemRecord) {
	for m.tail != nil && m.tail != keep && (m.definite() > m.max || m.size > m.maxBytes) {
		m.remove(m.tail)
	}
}

// definite counts the definite records; m.mu is held.
func (m *memoryStore) definite() int { return len(m.records) - m.pendingN }

func (m *memoryStore) Load(_ context.Context, key string) (*idemRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.records[key]
	if !ok {
		return nil, nil
	}
	if expired(r, m.now(), m.window) {
		m.remove(r)
		return nil, nil
	}
	if !r.pending() {
		m.unlink(r)
		m.pushFront(r)
	}
	// A saved record is never changed but for its links, which callers do
	// not read: no copy is needed.
	return r, nil
}

func (m *memoryStore) Save(_ context.Context, key string, rec *idemRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, had := m.records[key]
	if rec.pending() && !(had && old.pending()) && m.pendingN >= m.max {
		return errStoreFull
	}
	if had {
		m.remove(old)
	}
	// The store keeps rec itself: callers hand over a record they no
	// longer change.
	rec.key, rec.prev, rec.next = key, nil, nil
	m.records[key] = rec
	if rec.pending() {
		m.pendingN++
	} else {
		m.size += recordOverhead + len(rec.Body)
		m.pushFront(rec)
		m.evict(rec)
	}
	return nil
}

func (m *memoryStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.records[key]; ok {
		m.remove(r)
	}
	return nil
}

// expired reports whether a record is past the window. In-flight markers and
// ambiguous records expire with the window too: after a day, the gateway's
// own duplicate checks (unique_receipt, duplicate order ids) are the net.
func expired(r *idemRecord, now time.Time, window time.Duration) bool {
	return now.Sub(r.Created) > window
}

// storageStore keeps records in a Caddy storage module (file system, Redis…)
// so several Caddy instances share them; its locks are distributed.
type storageStore struct {
	storage certmagic.Storage
	prefix  string
	window  time.Duration
	now     func() time.Time
}

// key encodes the record key in hex: storage keys and lock names are
// case-folded by some backends (certmagic's file system lower-cases lock
// names), and ORD1 and ord1 are different orders.
func (s *storageStore) key(key string) string {
	return s.prefix + "/" + hex.EncodeToString([]byte(key))
}

func (s *storageStore) Lock(ctx context.Context, key string) (func(), error) {
	name := "paygate-" + strings.ReplaceAll(s.prefix, "/", "-") + "-" + hex.EncodeToString([]byte(key))
	if err := s.storage.Lock(ctx, name); err != nil {
		return nil, err
	}
	return func() { _ = s.storage.Unlock(context.WithoutCancel(ctx), name) }, nil
}

func (s *storageStore) Load(ctx context.Context, key string) (*idemRecord, error) {
	b, err := s.storage.Load(ctx, s.key(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec idemRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		// A corrupt record could be a marker: never treat it as absent.
		return &idemRecord{Ambiguous: true, Created: s.now()}, nil
	}
	if expired(&rec, s.now(), s.window) {
		return nil, nil
	}
	return &rec, nil
}

// Save records even when the application has gone: the outcome stands.
func (s *storageStore) Save(ctx context.Context, key string, rec *idemRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return s.storage.Store(context.WithoutCancel(ctx), s.key(key), b)
}

func (s *storageStore) Delete(ctx context.Context, key string) error {
	err := s.storage.Delete(context.WithoutCancel(ctx), s.key(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// sweep deletes the records past the window, so shared storage does not
// grow forever. It returns how many it deleted.
func (s *storageStore) sweep(ctx context.Context) (int, error) {
	keys, err := s.storage.List(ctx, s.prefix, true)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	now, n := s.now(), 0
	for _, k := range keys {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		b, err := s.storage.Load(ctx, k)
		if err != nil {
			continue // gone meanwhile, or a directory
		}
		var rec idemRecord
		if json.Unmarshal(b, &rec) != nil || !expired(&rec, now, s.window) {
			continue
		}
		if s.storage.Delete(ctx, k) == nil {
			n++
		}
	}
	return n, nil
}

// outcome classifies an attempt for recording.
type outcome int

const (
	outcomeNotSent   outcome = iota // nothing reached the gateway, or it did not act: retry freely
	outcomeDefinite                 // the gateway decided: record and replay
	outcomeAmbiguous                // the gateway may have acted: check status before acting again
)

// classify tells how an attempt ended from its canonical error (nil: done).
// Only definite answers are replayed: 408/425/429 (gateway_unavailable),
// 5xx and unreadable answers (gateway_error) never are.
func classify(e *transform.Error) outcome {
	if e == nil {
		return outcomeDefinite
	}
	switch e.Type {
	case transform.GatewayRejected, transform.DuplicateOrder, transform.DuplicateRefund:
		return outcomeDefinite
	case transform.GatewayTimeout, transform.GatewayError:
		return outcomeAmbiguous
	}
	return outcomeNotSent
}
