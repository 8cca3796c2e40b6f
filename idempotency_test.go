package paygate

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/transform"
)

func TestMemoryStoreEvictsLeastRecentlyUsed(t *testing.T) {
	st := newMemoryStore(time.Hour, 3)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		st.Save(ctx, id, &idemRecord{Status: 201, Created: time.Now()})
	}
	if r, _ := st.Load(ctx, "a"); r == nil { // a becomes the most recently used
		t.Fatal("a missing")
	}
	st.Save(ctx, "d", &idemRecord{Status: 201, Created: time.Now()})
	for id, want := range map[string]bool{"a": true, "b": false, "c": true, "d": true} {
		if r, _ := st.Load(ctx, id); (r != nil) != want {
			t.Errorf("%s present = %v, want %v", id, r != nil, want)
		}
	}
}

func TestMemoryStoreBoundedBySize(t *testing.T) {
	st := newMemoryStore(time.Hour, 1000)
	st.maxBytes = 10 << 10
	ctx := context.Background()
	body := []byte(strings.Repeat("x", 1<<10))
	for i := 0; i < 100; i++ {
		st.Save(ctx, string(rune('A'+i)), &idemRecord{Status: 422, Body: body, Created: time.Now()})
	}
	if n := len(st.records); n > 10 || n == 0 {
		t.Errorf("%d records of 1 KiB held under a 10 KiB bound", n)
	}
	if st.size > st.maxBytes {
		t.Errorf("size %d over bound %d", st.size, st.maxBytes)
	}
}

func TestMemoryStoreExpires(t *testing.T) {
	st := newMemoryStore(time.Minute, 10)
	now := time.Now()
	st.now = func() time.Time { return now }
	ctx := context.Background()
	st.Save(ctx, "a", &idemRecord{Status: 201, Created: now})
	now = now.Add(2 * time.Minute)
	if r, _ := st.Load(ctx, "a"); r != nil {
		t.Error("record outlived the window")
	}
}

func TestMemoryStoreLockSerialisesAndHonoursContext(t *testing.T) {
	st := newMemoryStore(time.Hour, 10)
	var inside, maxInside atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := st.Lock(context.Background(), "k")
			if err != nil {
				t.Error(err)
				return
			}
			if n := inside.Add(1); n > maxInside.Load() {
				maxInside.Store(n)
			}
			time.Sleep(time.Millisecond)
			inside.Add(-1)
			unlock()
		}()
	}
	wg.Wait()
	if maxInside.Load() != 1 {
		t.Errorf("%d holders at once", maxInside.Load())
	}
	unlock, _ := st.Lock(context.Background(), "k")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := st.Lock(ctx, "k"); err == nil {
		t.Error("a second Lock succeeded while the first was held")
	}
	unlock()
	if unlock2, err := st.Lock(context.Background(), "k"); err != nil {
		t.Errorf("Lock after release: %v", err)
	} else {
		unlock2()
	}
	if len(st.locks.locks) != 0 {
		t.Errorf("%d locks left behind", len(st.locks.locks))
	}
}

func TestFingerprintIgnoresForm(t *testing.T) {
	a, _ := transform.DecodeOrder([]byte(`{"order_id":"A","amount":"105.50","currency":"INR","metadata":{"x":"1","y":"2"}}`))
	b, _ := transform.DecodeOrder([]byte(`{ "metadata":{"y":"2","x":"1"}, "currency":"INR", "amount":105.5, "order_id":"A" }`))
	c, _ := transform.DecodeOrder([]byte(`{"order_id":"A","amount":"105.51","currency":"INR","metadata":{"x":"1","y":"2"}}`))
	if fingerprint(a) != fingerprint(b) {
		t.Error("the same order written differently has different fingerprints")
	}
	if fingerprint(a) == fingerprint(c) {
		t.Error("different amounts share a fingerprint")
	}
}

func TestClassify(t *testing.T) {
	cases := map[transform.ErrorType]outcome{
		transform.GatewayRejected: outcomeDefinite, transform.DuplicateOrder: outcomeDefinite,
		transform.GatewayTimeout: outcomeAmbiguous, transform.GatewayError: outcomeAmbiguous,
		transform.GatewayUnavailable: outcomeNotSent, transform.GatewayAuthenticationFailed: outcomeNotSent,
		transform.InvalidRequest: outcomeNotSent,
	}
	for typ, want := range cases {
		if got := classify(&transform.Error{Type: typ}); got != want {
			t.Errorf("%s → %v, want %v", typ, got, want)
		}
	}
	if classify(nil) != outcomeDefinite {
		t.Error("a created order is not definite")
	}
}

// Records written by earlier versions hold the SHA-256 of json.Marshal of
// the order; the fingerprint must stay that hash, or an identical retry
// after an upgrade would be refused as a different request.
func TestFingerprintIsTheHashOfMarshal(t *testing.T) {
	for _, body := range []string{
		`{"order_id":"A1","amount":"105.50","currency":"INR"}`,
		`{"order_id":"A-2","amount":100.00,"currency":"INR","description":"x<y> & z","customer":{"email":"a@b.c"},"metadata":{"b":"2","a":"1"},"gateway_options":{"x":{"k":"<v>"}}}`,
	} {
		o, e := transform.DecodeOrder([]byte(body))
		if e != nil {
			t.Fatal(e)
		}
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fingerprint(o), fpSum(sha256.Sum256(b)); got != want {
			t.Fatalf("%s: fingerprint %x, want %x", body, got, want)
		}
		if fingerprint(o) != fingerprint(o) {
			t.Fatal("fingerprint is not stable")
		}
	}
}

func TestRefundFingerprintIsTheHashOfMarshal(t *testing.T) {
	r, e := transform.DecodeRefund([]byte(`{"refund_id":"RF-1","amount":"50.50","reason":"a<b>&c","metadata":{"z":"1","a":"2"}}`))
	if e != nil {
		t.Fatal(e)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := refundFingerprint(r), fpSum(sha256.Sum256(b)); got != want {
		t.Fatalf("refund fingerprint %x, want %x", got, want)
	}
}
