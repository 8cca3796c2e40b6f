package paygate

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/juspay"
)

// The memory budget of issue 7: 10,000 idempotency records in at most 10 MB.
// Records are built as the handler builds them (canonical order → its
// fingerprint, the canonical answer as the replayed body), with the largest
// create answer of the four gateways (Juspay's: payment links in
// gateway_details), and the live heap is read before and after.

const idemMemoryBudget = 10_000_000 // bytes

// idemTestAnswer is a Juspay create answer: the longest canonical body.
const idemTestAnswer = `{"status":"CREATED","status_id":1,"id":"ordeu_e294a26e66ad4336a992ceab81ad704c","order_id":"ORDERID",` +
	`"payment_links":{"web":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c",` +
	`"mobile":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c?mobile=true",` +
	`"iframe":"https://sandbox.juspay.in/merchant/ipay/ordeu_e294a26e66ad4336a992ceab81ad704c"}}`

func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// fillIdempotencyStore saves n records the way a create does; answer gives
// the canonical body recorded for an order.
func fillIdempotencyStore(t testing.TB, st *memoryStore, n int, answer func(o *transform.Order) []byte) (bodyBytes int) {
	ctx := context.Background()
	for i := 0; i < n; i++ {
		// Order ids as long as the canonical maximum allows, the worst case.
		id := fmt.Sprintf("ORD-%036d", i)
		o, e := transform.DecodeOrder([]byte(strings.Replace(benchCreateBody, "B000000000000", id, 1)))
		if e != nil {
			t.Fatal(e)
		}
		body := answer(o)
		bodyBytes += len(body)
		unlock, err := st.Lock(ctx, o.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		err = st.Save(ctx, o.OrderID, &idemRecord{Fingerprint: fingerprint(o), Status: 201, Body: body, Created: time.Now()})
		unlock()
		if err != nil {
			t.Fatal(err)
		}
	}
	return bodyBytes
}

// createdAnswer is the canonical answer to a Juspay create.
func createdAnswer(t testing.TB) func(o *transform.Order) []byte {
	return func(o *transform.Order) []byte {
		res, e := juspay.Dialect{}.ParseCreate(o, 200, []byte(strings.Replace(idemTestAnswer, "ORDERID", o.OrderID, 1)))
		if e != nil {
			t.Fatal(e)
		}
		return res.JSON()
	}
}

// rejectedAnswer is a recorded gateway_rejected answer whose gateway message
// is as long as paygate relays (300 characters of the given text).
func rejectedAnswer(unit string) func(o *transform.Order) []byte {
	msg := strings.Repeat(unit, 300/len([]rune(unit)))
	return func(o *transform.Order) []byte {
		return transform.GatewayFailure("razorpay", transform.GatewayRejected, "BAD_REQUEST_ERROR", msg, "amount").JSON()
	}
}

func TestIdempotencyMemoryBudget(t *testing.T) {
	const n = defaultIdempotencyMax
	before := liveHeap()
	st := newMemoryStore(defaultIdempotencyWindow, n)
	bodies := fillIdempotencyStore(t, st, n, createdAnswer(t))
	after := liveHeap()
	runtime.KeepAlive(st)
	if st.len() != n {
		t.Fatalf("store holds %d records, want %d", st.len(), n)
	}
	used := int64(after) - int64(before)
	t.Logf("%d records: %d bytes live (%.2f MB), %d B/record, of which %d B/record is the replayed body",
		n, used, float64(used)/1e6, used/n, bodies/n)
	if used > idemMemoryBudget {
		t.Errorf("%d records take %d bytes, over the %d-byte budget", n, used, idemMemoryBudget)
	}
	// A full store stays at its bound: the least recently used go.
	fillIdempotencyStore(t, st, n/10, createdAnswer(t))
	if st.len() != n {
		t.Errorf("store grew to %d records past its bound %d", st.len(), n)
	}
}

// BenchmarkIdempotencyMemory reports the live bytes of 10,000 records as
// metrics: created answers (the usual record), and the largest error
// answers a gateway can cause (a 300-character message, ASCII or 4-byte
// UTF-8), which the budget does not cover today.
func BenchmarkIdempotencyMemory(b *testing.B) {
	const n = defaultIdempotencyMax
	for _, c := range []struct {
		name   string
		answer func(o *transform.Order) []byte
	}{
		{"created", createdAnswer(b)},
		{"rejected-ascii-300", rejectedAnswer("x")},
		{"rejected-4byte-300", rejectedAnswer("😀")},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				before := liveHeap()
				st := newMemoryStore(defaultIdempotencyWindow, n)
				bodies := fillIdempotencyStore(b, st, n, c.answer)
				after := liveHeap()
				runtime.KeepAlive(st)
				used := float64(int64(after) - int64(before))
				b.ReportMetric(used/n, "B/record")
				b.ReportMetric(float64(bodies)/n, "body-B/record")
				b.ReportMetric(used/1e6, "MB/10k")
			}
		})
	}
}
