package paygate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
)

// stubRazorpay stands in for reverse_proxy and Razorpay: each create and
// status call is answered by the next scripted answer (the last repeats).
type stubRazorpay struct {
	mu       sync.Mutex
	creates  []stubAnswer
	statuses []stubAnswer
	nCreate  int
	nStatus  int
	// block, when set, holds every create until it is closed.
	block   chan struct{}
	arrived chan struct{}
}

type stubAnswer struct {
	status int
	header map[string]string
	body   string
	err    error // returned as reverse_proxy's error instead of an answer
}

const stubOrder = `{"id":"order_S1","entity":"order","amount":10550,"currency":"INR","receipt":"ORD1","status":"created","notes":[],"created_at":1779413100}`

func stubCollection(items ...string) string {
	return `{"entity":"collection","count":` + fmt.Sprint(len(items)) + `,"items":[` + strings.Join(items, ",") + `]}`
}

func (s *stubRazorpay) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	s.mu.Lock()
	var a stubAnswer
	isCreate := r.Method == http.MethodPost
	if isCreate {
		a = s.creates[min(s.nCreate, len(s.creates)-1)]
		s.nCreate++
	} else {
		a = s.statuses[min(s.nStatus, len(s.statuses)-1)]
		s.nStatus++
	}
	block, arrived := s.block, s.arrived
	s.mu.Unlock()
	if isCreate && block != nil {
		arrived <- struct{}{}
		<-block
	}
	if a.err != nil {
		return a.err
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, err := w.Write([]byte(a.body))
	return err
}

func (s *stubRazorpay) counts() (creates, statuses int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nCreate, s.nStatus
}

func newStubHandler(store idemStore) *Handler {
	gw := &Razorpay{signer: signers.NewBasic("rzp_test_unit", "unit-secret")}
	return &Handler{MaxBody: defaultMaxBody, gateway: gw, logger: zap.NewNop(), idem: store, locks: newKeyedMutex()}
}

const stubCreateBody = `{"order_id":"ORD1","amount":"105.50","currency":"INR"}`

func doCreate(t *testing.T, h *Handler, next caddyhttp.Handler) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "/pay/orders", strings.NewReader(stubCreateBody))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	if err := h.ServeHTTP(w, req, next); err != nil {
		t.Fatal(err)
	}
	return w
}

func errorType(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	var m struct {
		Error struct {
			Type string `json:"type"`
		} `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("not JSON: %s", w.Body)
	}
	return m.Error.Type
}

func loadRecord(t *testing.T, st idemStore, id string) *idemRecord {
	t.Helper()
	r, err := st.Load(context.Background(), "order/"+id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var timeoutErr = caddyhttp.Error(http.StatusGatewayTimeout, context.DeadlineExceeded)

// A 429 is not an answer: 503 with the gateway's Retry-After, nothing
// recorded, and the identical retry reaches the gateway and creates.
func TestRateLimitIsNotRecorded(t *testing.T) {
	st := newMemoryStore(time.Hour, 10)
	h := newStubHandler(st)
	up := &stubRazorpay{creates: []stubAnswer{
		{status: 429, header: map[string]string{"Retry-After": "7"}, body: `{"error":{"code":"BAD_REQUEST_ERROR","description":"Too many requests"}}`},
		{status: 200, body: stubOrder},
	}, statuses: []stubAnswer{{status: 200, body: stubCollection()}}}
	w := doCreate(t, h, up)
	if w.Code != 503 || errorType(t, w) != "gateway_unavailable" || w.Header().Get("Retry-After") != "7" {
		t.Fatalf("429: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if r := loadRecord(t, st, "ORD1"); r != nil {
		t.Fatalf("a 429 left a record: %+v", r)
	}
	w = doCreate(t, h, up)
	if w.Code != 201 || w.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry: %d %s", w.Code, w.Body)
	}
	if c, s := up.counts(); c != 2 || s != 0 {
		t.Errorf("gateway saw %d creates and %d status checks, want 2 and 0", c, s)
	}
}

// A 5xx is not replayed: the retry asks the status first, then creates.
func TestServerErrorIsAmbiguousNotReplayed(t *testing.T) {
	st := newMemoryStore(time.Hour, 10)
	h := newStubHandler(st)
	up := &stubRazorpay{creates: []stubAnswer{
		{status: 500, body: `{"error":{"code":"SERVER_ERROR","description":"We are facing some trouble"}}`},
		{status: 200, body: stubOrder},
	}, statuses: []stubAnswer{{status: 200, body: stubCollection()}}}
	if w := doCreate(t, h, up); w.Code != 502 {
		t.Fatalf("500: %d %s", w.Code, w.Body)
	}
	if r := loadRecord(t, st, "ORD1"); r == nil || !r.Ambiguous {
		t.Fatalf("after a 500 the record is %+v, want ambiguous", r)
	}
	if w := doCreate(t, h, up); w.Code != 201 {
		t.Fatalf("retry: %d %s", w.Code, w.Body)
	}
	if c, s := up.counts(); c != 2 || s != 1 {
		t.Errorf("gateway saw %d creates and %d status checks, want 2 and 1", c, s)
	}
}

// failingStore refuses the n-th Save of an order's record.
type failingStore struct {
	*memoryStore
	mu     sync.Mutex
	saves  int
	failNo int
}

func (f *failingStore) Save(ctx context.Context, key string, rec *idemRecord) error {
	if !strings.HasPrefix(key, "order/") { // the gateway order index
		return f.memoryStore.Save(ctx, key, rec)
	}
	f.mu.Lock()
	f.saves++
	n := f.saves
	f.mu.Unlock()
	if n == f.failNo {
		return errors.New("redis: connection refused")
	}
	return f.memoryStore.Save(ctx, key, rec)
}

// Write-ahead: no marker, no call.
func TestMarkerNotSavedNothingSent(t *testing.T) {
	h := newStubHandler(&failingStore{memoryStore: newMemoryStore(time.Hour, 10), failNo: 1})
	up := &stubRazorpay{creates: []stubAnswer{{status: 200, body: stubOrder}}}
	w := doCreate(t, h, up)
	if w.Code != 503 || errorType(t, w) != "gateway_unavailable" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if c, _ := up.counts(); c != 0 {
		t.Errorf("the gateway was called %d times without a marker", c)
	}
}

// C7: the final save fails after the gateway created the order. The marker
// stays: the retry does not create again, it waits, then asks the status.
func TestFinalSaveFailureNeverCreatesTwice(t *testing.T) {
	st := &failingStore{memoryStore: newMemoryStore(time.Hour, 10), failNo: 2}
	h := newStubHandler(st)
	h.InFlightTimeout = caddy.Duration(200 * time.Millisecond)
	up := &stubRazorpay{creates: []stubAnswer{{status: 200, body: stubOrder}},
		statuses: []stubAnswer{{status: 200, body: stubCollection(stubOrder)}}}
	first := doCreate(t, h, up)
	if first.Code != 201 {
		t.Fatalf("create: %d %s", first.Code, first.Body)
	}
	w := doCreate(t, h, up)
	if w.Code != 409 || errorType(t, w) != "order_in_progress" || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("retry with a fresh marker: %d %v %s", w.Code, w.Header(), w.Body)
	}
	time.Sleep(250 * time.Millisecond) // the marker outlives in_flight_timeout
	w = doCreate(t, h, up)
	if w.Code != 201 || !strings.Contains(w.Body.String(), `"gateway_order_id":"order_S1"`) {
		t.Fatalf("retry after the marker expired: %d %s", w.Code, w.Body)
	}
	if c, s := up.counts(); c != 1 || s != 1 {
		t.Errorf("gateway saw %d creates and %d status checks, want 1 and 1", c, s)
	}
}

// C5: after an ambiguous outcome, an order found under our id with another
// amount is not ours.
func TestAmbiguousThenDifferentOrderIsConflict(t *testing.T) {
	st := newMemoryStore(time.Hour, 10)
	h := newStubHandler(st)
	other := strings.Replace(stubOrder, `"amount":10550`, `"amount":99900`, 1)
	up := &stubRazorpay{creates: []stubAnswer{{err: timeoutErr}},
		statuses: []stubAnswer{{status: 200, body: stubCollection(other)}}}
	if w := doCreate(t, h, up); w.Code != 504 {
		t.Fatalf("timeout: %d %s", w.Code, w.Body)
	}
	w := doCreate(t, h, up)
	if w.Code != 409 || errorType(t, w) != "duplicate_order" || !strings.Contains(w.Body.String(), "999.00 INR") {
		t.Fatalf("retry: %d %s", w.Code, w.Body)
	}
	if c, _ := up.counts(); c != 1 {
		t.Errorf("gateway saw %d creates, want 1", c)
	}
}

// C10: a status check that fails answers 503 and keeps the record
// ambiguous; once the status can be read, the create goes ahead.
func TestStatusCheckFailureKeepsAmbiguous(t *testing.T) {
	st := newMemoryStore(time.Hour, 10)
	h := newStubHandler(st)
	up := &stubRazorpay{creates: []stubAnswer{{err: timeoutErr}, {status: 200, body: stubOrder}},
		statuses: []stubAnswer{{status: 400, body: `{"error":{"code":"BAD_REQUEST_ERROR","description":"Invalid receipt"}}`}, {status: 200, body: stubCollection()}}}
	doCreate(t, h, up)
	w := doCreate(t, h, up)
	if w.Code != 503 || errorType(t, w) != "gateway_unavailable" {
		t.Fatalf("status check failed: %d %s", w.Code, w.Body)
	}
	if r := loadRecord(t, st, "ORD1"); r == nil || !r.Ambiguous {
		t.Fatalf("record after a failed status check: %+v", r)
	}
	if w := doCreate(t, h, up); w.Code != 201 {
		t.Fatalf("retry: %d %s", w.Code, w.Body)
	}
	if c, s := up.counts(); c != 2 || s != 2 {
		t.Errorf("gateway saw %d creates and %d status checks, want 2 and 2", c, s)
	}
}

// authFailing fails Authorize a number of times, as a token wait that is
// abandoned does.
type authFailing struct {
	*Razorpay
	fails int
}

func (g *authFailing) Authorize(ctx context.Context, h http.Header, req *transform.Request) error {
	if g.fails > 0 {
		g.fails--
		return &transform.Error{Type: transform.GatewayTimeout, Message: "gave up waiting for a token"}
	}
	return g.Razorpay.Authorize(ctx, h, req)
}

// C11: an Authorize failure sent nothing: not ambiguous, no status check.
func TestAuthorizeFailureIsNotSent(t *testing.T) {
	st := newMemoryStore(time.Hour, 10)
	h := newStubHandler(st)
	h.gateway = &authFailing{Razorpay: h.gateway.(*Razorpay), fails: 1}
	up := &stubRazorpay{creates: []stubAnswer{{status: 200, body: stubOrder}},
		statuses: []stubAnswer{{status: 200, body: stubCollection()}}}
	if w := doCreate(t, h, up); w.Code != 504 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if r := loadRecord(t, st, "ORD1"); r != nil {
		t.Fatalf("record after an Authorize failure: %+v", r)
	}
	if w := doCreate(t, h, up); w.Code != 201 {
		t.Fatalf("retry: %d %s", w.Code, w.Body)
	}
	if c, s := up.counts(); c != 1 || s != 0 {
		t.Errorf("gateway saw %d creates and %d status checks, want 1 and 0", c, s)
	}
}

// A duplicate refusal is checked: the same order → 201 with it; another
// order → 409.
func TestDuplicateRefusalIsChecked(t *testing.T) {
	dup := stubAnswer{status: 400, body: `{"error":{"code":"BAD_REQUEST_ERROR","description":"Order receipt should be unique."}}`}
	for _, c := range []struct {
		name   string
		found  string
		status int
	}{
		{"same order", stubOrder, 201},
		{"another amount", strings.Replace(stubOrder, `"amount":10550`, `"amount":100`, 1), 409},
		{"another currency", strings.Replace(strings.Replace(stubOrder, `"currency":"INR"`, `"currency":"USD"`, 1), `10550`, `10550`, 1), 409},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newStubHandler(newMemoryStore(time.Hour, 10))
			up := &stubRazorpay{creates: []stubAnswer{dup}, statuses: []stubAnswer{{status: 200, body: stubCollection(c.found)}}}
			w := doCreate(t, h, up)
			if w.Code != c.status {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			if c.status == 409 && errorType(t, w) != "duplicate_order" {
				t.Errorf("type %s", errorType(t, w))
			}
			if w := doCreate(t, h, up); w.Code != c.status || w.Header().Get("Idempotent-Replayed") != "true" {
				t.Errorf("repeat: %d %v", w.Code, w.Header())
			}
			if cr, s := up.counts(); cr != 1 || s != 1 {
				t.Errorf("gateway saw %d creates and %d status checks, want 1 and 1", cr, s)
			}
		})
	}
}

// panicking's answer parser panics, as a parser bug would.
type panicking struct{ *Razorpay }

func (panicking) ParseCreate(*transform.Order, int, []byte) (*transform.Result, *transform.Error) {
	panic("parser bug")
}

// S10: a panic after sending leaves an ambiguous record, never none.
func TestPanicAfterSendingIsAmbiguous(t *testing.T) {
	st := newMemoryStore(time.Hour, 10)
	h := newStubHandler(st)
	h.gateway = panicking{h.gateway.(*Razorpay)}
	up := &stubRazorpay{creates: []stubAnswer{{status: 200, body: stubOrder}}}
	w := doCreate(t, h, up)
	if w.Code != 502 || errorType(t, w) != "gateway_error" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if r := loadRecord(t, st, "ORD1"); r == nil || !r.Ambiguous {
		t.Fatalf("record after a panic: %+v", r)
	}
}

// Two instances share one storage: while one has a create in flight the
// other answers 409 order_in_progress with Retry-After, and never calls.
func TestInFlightOnAnotherInstance(t *testing.T) {
	fs := &certmagic.FileStorage{Path: t.TempDir()}
	store := func() *storageStore {
		return &storageStore{storage: fs, prefix: "paygate/records/test", window: time.Hour, now: time.Now}
	}
	a, b := newStubHandler(store()), newStubHandler(store()) // separate local locks: two processes
	a.InFlightTimeout = caddy.Duration(3 * time.Second)
	b.InFlightTimeout = caddy.Duration(3 * time.Second)
	up := &stubRazorpay{creates: []stubAnswer{{status: 200, body: stubOrder}},
		statuses: []stubAnswer{{status: 200, body: stubCollection(stubOrder)}},
		block:    make(chan struct{}), arrived: make(chan struct{}, 1)}
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- doCreate(t, a, up) }()
	<-up.arrived
	w := doCreate(t, b, up)
	if w.Code != 409 || errorType(t, w) != "order_in_progress" {
		t.Fatalf("other instance: %d %s", w.Code, w.Body)
	}
	if ra := w.Header().Get("Retry-After"); ra != "3" {
		t.Errorf("Retry-After %q, want 3 (the marker's remaining time, at most 5 s)", ra)
	}
	close(up.block)
	if first := <-done; first.Code != 201 {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	if w := doCreate(t, b, up); w.Code != 201 || w.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("other instance after the create: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if c, s := up.counts(); c != 1 || s != 0 {
		t.Errorf("gateway saw %d creates and %d status checks, want 1 and 0", c, s)
	}
}

// C4: in-flight and ambiguous records are never evicted; a full set refuses
// new ones instead of forgetting one.
func TestMemoryStoreNeverEvictsPending(t *testing.T) {
	st := newMemoryStore(time.Hour, 2)
	ctx := context.Background()
	now := time.Now()
	st.Save(ctx, "amb", &idemRecord{Ambiguous: true, Created: now})
	st.Save(ctx, "fly", &idemRecord{InFlight: true, Started: now, Created: now})
	for i := range 100 {
		if err := st.Save(ctx, fmt.Sprint("d", i), &idemRecord{Status: 201, Created: now}); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"amb", "fly"} {
		if r, _ := st.Load(ctx, k); r == nil || !r.pending() {
			t.Errorf("%s was evicted by definite records", k)
		}
	}
	if err := st.Save(ctx, "third", &idemRecord{Ambiguous: true, Created: now}); !errors.Is(err, errStoreFull) {
		t.Errorf("a third pending record with room for two: %v", err)
	}
	// Settling a pending record takes no new room.
	if err := st.Save(ctx, "fly", &idemRecord{Ambiguous: true, Created: now}); err != nil {
		t.Errorf("settling a marker as ambiguous: %v", err)
	}
	if err := st.Save(ctx, "fly", &idemRecord{Status: 201, Created: now}); err != nil {
		t.Errorf("settling a marker as definite: %v", err)
	}
	if err := st.Save(ctx, "third", &idemRecord{Ambiguous: true, Created: now}); err != nil {
		t.Errorf("room freed by settling: %v", err)
	}
}

// A full store answers 503 and sends nothing.
func TestFullStoreAnswers503(t *testing.T) {
	st := newMemoryStore(time.Hour, 1)
	st.Save(context.Background(), "order/OTHER", &idemRecord{Ambiguous: true, Created: time.Now()})
	h := newStubHandler(st)
	up := &stubRazorpay{creates: []stubAnswer{{status: 200, body: stubOrder}}}
	if w := doCreate(t, h, up); w.Code != 503 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if c, _ := up.counts(); c != 0 {
		t.Errorf("gateway called %d times", c)
	}
}

// A reload resizes the pooled store in place: records survive.
func TestMemoryStoreResizeKeepsRecords(t *testing.T) {
	st := newMemoryStore(time.Hour, 10)
	ctx := context.Background()
	st.Save(ctx, "a", &idemRecord{Status: 201, Created: time.Now()})
	st.Save(ctx, "b", &idemRecord{Ambiguous: true, Created: time.Now()})
	st.resize(2*time.Hour, 5)
	if r, _ := st.Load(ctx, "a"); r == nil {
		t.Error("definite record lost on resize")
	}
	if r, _ := st.Load(ctx, "b"); r == nil {
		t.Error("ambiguous record lost on resize")
	}
}

func TestSpaceName(t *testing.T) {
	a := spaceName("razorpay", "rzp_test_STAGING", "")
	if a != spaceName("razorpay", "rzp_test_STAGING", "") {
		t.Error("not deterministic")
	}
	for _, other := range []string{
		spaceName("razorpay", "rzp_live_PROD", ""),
		spaceName("juspay", "rzp_test_STAGING", ""),
		spaceName("razorpay", "rzp_test_STAGING", "sandbox"),
		spaceName("razorpay", "rzp_test_STAGIN", "G"), // separators matter
	} {
		if other == a {
			t.Errorf("two accounts share space %s", a)
		}
	}
	if strings.Contains(a, "STAGING") {
		t.Error("identity stored in clear")
	}
}

// The identity is the resolved public option, never the placeholder text.
func TestAccountIdentityIsResolved(t *testing.T) {
	t.Setenv("PAYGATE_UNIT_KEY_ID", "rzp_test_A")
	g := &Razorpay{KeyID: "{env.PAYGATE_UNIT_KEY_ID}"}
	if got := g.AccountIdentity(); got != "rzp_test_A" {
		t.Fatalf("identity %q", got)
	}
	t.Setenv("PAYGATE_UNIT_KEY_ID", "rzp_live_B")
	if got := g.AccountIdentity(); got != "rzp_live_B" {
		t.Fatalf("identity %q after the environment changed", got)
	}
}

// S6: ORD1 and ord1 are different orders in every backend.
func TestStorageKeysPreserveCase(t *testing.T) {
	s := &storageStore{storage: &certmagic.FileStorage{Path: t.TempDir()}, prefix: "p", window: time.Hour, now: time.Now}
	ctx := context.Background()
	s.Save(ctx, "order/ORD1", &idemRecord{Status: 201, Body: []byte("upper"), Created: time.Now()})
	s.Save(ctx, "order/ord1", &idemRecord{Status: 201, Body: []byte("lower"), Created: time.Now()})
	u, _ := s.Load(ctx, "order/ORD1")
	l, _ := s.Load(ctx, "order/ord1")
	if u == nil || l == nil || string(u.Body) != "upper" || string(l.Body) != "lower" {
		t.Fatalf("records collide: %+v %+v", u, l)
	}
}

// S5: the sweep deletes what is past the window and nothing else.
func TestSweepDeletesExpired(t *testing.T) {
	fs := &certmagic.FileStorage{Path: t.TempDir()}
	now := time.Now()
	s := &storageStore{storage: fs, prefix: "paygate/records/x", window: time.Hour, now: func() time.Time { return now }}
	ctx := context.Background()
	s.Save(ctx, "order/OLD", &idemRecord{Status: 201, Created: now.Add(-2 * time.Hour)})
	s.Save(ctx, "order/OLDAMB", &idemRecord{Ambiguous: true, Created: now.Add(-2 * time.Hour)})
	s.Save(ctx, "order/NEW", &idemRecord{Status: 201, Created: now.Add(-time.Minute)})
	other := &storageStore{storage: fs, prefix: "paygate/records/y", window: time.Hour, now: s.now}
	other.Save(ctx, "order/OLD", &idemRecord{Status: 201, Created: now.Add(-2 * time.Hour)})
	n, err := s.sweep(ctx)
	if err != nil || n != 2 {
		t.Fatalf("swept %d, %v; want 2", n, err)
	}
	if !fs.Exists(ctx, s.key("order/NEW")) || fs.Exists(ctx, s.key("order/OLD")) {
		t.Error("sweep deleted the wrong records")
	}
	if !fs.Exists(ctx, other.key("order/OLD")) {
		t.Error("sweep reached into another record space")
	}
}

// created_at is always present: from the gateway's Date header where its
// answer carries no time.
func TestCreatedAtFromDateHeader(t *testing.T) {
	h := newStubHandler(newMemoryStore(time.Hour, 10))
	noTime := strings.Replace(stubOrder, `,"created_at":1779413100`, ``, 1)
	up := &stubRazorpay{creates: []stubAnswer{{status: 200, header: map[string]string{"Date": "Sun, 22 Nov 2026 01:25:00 GMT"}, body: noTime}}}
	w := doCreate(t, h, up)
	if w.Code != 201 || !strings.Contains(w.Body.String(), `"created_at":"2026-11-22T01:25:00Z"`) {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

// A recorded failure is scrubbed before it is recorded: its replay for a
// day carries no credential the gateway echoed.
func TestRecordedFailureIsScrubbed(t *testing.T) {
	st := newMemoryStore(time.Hour, 10)
	h := newStubHandler(st)
	up := &stubRazorpay{creates: []stubAnswer{{status: 400,
		body: `{"error":{"code":"BAD_REQUEST_ERROR","description":"key rzp_test_unit with secret UNIT-SECRET is not allowed here"}}`}}}
	for i, w := range []*httptest.ResponseRecorder{doCreate(t, h, up), doCreate(t, h, up)} {
		if w.Code != 422 || (i == 1) != (w.Header().Get("Idempotent-Replayed") == "true") {
			t.Fatalf("attempt %d: %d %v %s", i, w.Code, w.Header(), w.Body)
		}
		if b := strings.ToLower(w.Body.String()); strings.Contains(b, "unit-secret") || strings.Contains(b, "rzp_test_unit") {
			t.Errorf("attempt %d carries a credential: %s", i, w.Body)
		}
	}
	if r := loadRecord(t, st, "ORD1"); r == nil || strings.Contains(strings.ToLower(string(r.Body)), "unit-secret") {
		t.Errorf("record: %+v", r)
	}
}
