package paygate

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// The whole handler, ServeHTTP in and out, with a stub in place of
// reverse_proxy that answers like the gateway. Every create carries a new
// order_id, so idempotency records pile up to the store's 10,000 and the
// least recently used go, as under real traffic.
//
//	go test -run '^$' -bench ServeHTTP -benchmem -count 5 .
//
// create runs as Caddy runs it: the per-order log line at INFO (JSON,
// written to io.Discard) and the Prometheus metrics; create-quiet has
// neither. The baseline sub-benchmark runs the same request construction
// and stub without paygate: paygate's own allocations are create minus
// baseline.

// benchCreateBody is the canonical create the load harness sends; the 12
// zeros are replaced by a counter.
const benchCreateBody = `{"order_id":"B000000000000","amount":"105.50","currency":"INR","description":"Load test order",` +
	`"customer":{"id":"cust-7","name":"Asha Rao","email":"asha@example.com","phone":"+919876543210"},` +
	`"return_url":"https://merchant.example/return","metadata":{"cart":"42"}}`

// benchAnswer is a stub gateway answer; "{ID}" is replaced by the order id
// of the request being answered.
type benchAnswer struct {
	status int
	body   string
}

type benchCase struct {
	name   string
	gw     func(b *testing.B) Gateway
	create benchAnswer
	// statusID is asked for with GET …/orders/{statusID}.
	statusID string
	status   benchAnswer
}

func benchCases() []benchCase {
	return []benchCase{
		{
			name: "razorpay",
			gw: func(b *testing.B) Gateway {
				g := &Razorpay{KeyID: "{env.PAYGATE_BENCH_KEY}", KeySecret: "{env.PAYGATE_BENCH_SECRET}"}
				benchProvision(b, g)
				return g
			},
			create: benchAnswer{200, `{"id":"order_EKwxwAgItmmXdp","entity":"order","amount":10550,"amount_paid":0,"amount_due":10550,` +
				`"currency":"INR","receipt":"{ID}","offer_id":null,"status":"created","attempts":0,"notes":{"cart":"42"},"created_at":1779413100}`},
			statusID: "ORD1001",
			status: benchAnswer{200, `{"entity":"collection","count":1,"items":[{"id":"order_EKwxwAgItmmXdp","entity":"order","amount":10550,` +
				`"amount_paid":10550,"amount_due":0,"currency":"INR","receipt":"{ID}","offer_id":null,"status":"paid",` +
				`"attempts":1,"notes":{"cart":"42"},"created_at":1779413100}]}`},
		},
		{
			name: "juspay",
			gw: func(b *testing.B) Gateway {
				g := &Juspay{APIKey: "{env.PAYGATE_BENCH_KEY}", MerchantID: "bench_merchant"}
				benchProvision(b, g)
				return g
			},
			create: benchAnswer{200, `{"status":"CREATED","status_id":1,"id":"ordeu_e294a26e66ad4336a992ceab81ad704c","order_id":"{ID}",` +
				`"payment_links":{"web":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c",` +
				`"mobile":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c?mobile=true",` +
				`"iframe":"https://sandbox.juspay.in/merchant/ipay/ordeu_e294a26e66ad4336a992ceab81ad704c"}}`},
			statusID: "ORD1001",
			status: benchAnswer{200, `{"customer_email":"asha@example.com","customer_phone":"+919876543210","customer_id":"cust-7",` +
				`"status_id":21,"status":"CHARGED","id":"ordeu_e294a26e66ad4336a992ceab81ad704c","merchant_id":"bench_merchant",` +
				`"amount":105.5,"currency":"INR","order_id":"{ID}","date_created":"2026-05-22T01:25:00Z",` +
				`"return_url":"https://merchant.example/return","product_id":"","payment_links":` +
				`{"web":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c",` +
				`"mobile":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c?mobile=true",` +
				`"iframe":"https://sandbox.juspay.in/merchant/ipay/ordeu_e294a26e66ad4336a992ceab81ad704c"},` +
				`"udf1":"42","udf2":"","udf3":"","udf4":"","udf5":"","udf6":"","udf7":"","udf8":"","udf9":"","udf10":"",` +
				`"txn_id":"bench_merchant-ORD1001-1","payment_method_type":"UPI","payment_method":"UPI","refunded":false,` +
				`"amount_refunded":0,"effective_amount":105.5}`},
		},
		{
			name: "kwikpaisa",
			gw: func(b *testing.B) Gateway {
				g := &KwikPaisa{APIKey: "{env.PAYGATE_BENCH_KEY}", SecretKey: "{env.PAYGATE_BENCH_SECRET}"}
				benchProvision(b, g)
				return g
			},
			create: benchAnswer{200, `{"code":"200","status":"success","message":"API authentication successful!","return_data":` +
				`{"kwikX_order_id":"kp_3f0c1f5e-8d8a-4f3c-9a57-3c5d2f1b7e21","created_at":"22-05-2026 08:34 AM","order_id":"{ID}",` +
				`"order_status":"UN_PAID","payment_link":"https://sandbox.kwikpaisa.com/payment/checkout/kp_3f0c1f5e-8d8a-4f3c-9a57-3c5d2f1b7e21"}}`},
			statusID: "ORD1001",
			status: benchAnswer{200, `{"code":"200","status":"success","message":"Order status fetched successfully.","return_data":` +
				`{"kwikX_order_id":"kp_3f0c1f5e-8d8a-4f3c-9a57-3c5d2f1b7e21","order_id":"{ID}","order_amount":"105.50",` +
				`"currency":"INR","order_status":"PAID","payment_method":"UPI","transaction_id":"T123456789012",` +
				`"created_at":"22-05-2026 08:34 AM","paid_at":"22-05-2026 08:36 AM"}}`},
		},
		{
			name: "enkash",
			gw: func(b *testing.B) Gateway {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprintf(w, `{"token":"tok-bench","expiry":%d,"resultCode":200}`, time.Now().Add(time.Hour).UnixMilli())
				}))
				b.Cleanup(srv.Close)
				g := &EnKash{AccessKey: "{env.PAYGATE_BENCH_KEY}", SecretKey: "{env.PAYGATE_BENCH_SECRET}", TokenURL: srv.URL}
				benchProvision(b, g)
				b.Cleanup(func() { g.Cleanup() })
				return g
			},
			create: benchAnswer{200, `{"response_code":0,"response_message":"SUCCESS","payload":` +
				`{"redirectionUrl":"https://checkout-uat-v3.enkash.in/pay/ORD1779413100000AbCdE","orderId":"ORD1779413100000AbCdE"}}`},
			statusID: "ORD1001",
			status: benchAnswer{200, `{"response_code":0,"response_message":"SUCCESS","payload":{"orderId":"ORD1779413100000AbCdE",` +
				`"merchantOrderId":"{ID}","created":"2026-05-22T06:55:00.000+05:30","orderStatus":"PAID","amount":105.50,` +
				`"currency":"INR","description":"Load test order"}}`},
		},
	}
}

func benchProvision(b *testing.B, g caddy.Provisioner) {
	b.Helper()
	os.Setenv("PAYGATE_BENCH_KEY", "bench_key_id")
	os.Setenv("PAYGATE_BENCH_SECRET", "bench-secret-value")
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	b.Cleanup(cancel)
	if err := g.Provision(ctx); err != nil {
		b.Fatalf("Provision: %v", err)
	}
}

// benchRig builds requests with as few allocations of its own as possible,
// so that the figures are paygate's.
type benchRig struct {
	h      *Handler
	next   caddyhttp.Handler
	tmpl   *http.Request
	body   []byte // benchCreateBody with the current order id
	idOff  int
	id     []byte // the current order id, a window of body
	n      uint64
	reader benchReader
	w      benchWriter
	// the stub's answer, split around the order id
	answer       benchAnswer
	before, post []byte
	hasID        bool
	served       atomic.Int64
}

// benchReader is a reusable request body.
type benchReader struct{ bytes.Reader }

func (*benchReader) Close() error { return nil }

// benchWriter is a reusable ResponseWriter that keeps only the status.
type benchWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) WriteHeader(status int)      { w.status = status }
func (w *benchWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

var benchJSONType = []string{"application/json"}

// benchLogger is Caddy's default: INFO, JSON lines.
func benchLogger() *zap.Logger {
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(io.Discard), zapcore.InfoLevel))
}

func newBenchHandler(b *testing.B, gw Gateway, observed bool) *Handler {
	h := &Handler{MaxBody: defaultMaxBody, gateway: gw, logger: zap.NewNop(), idem: newMemoryStore(defaultIdempotencyWindow, defaultIdempotencyMax), locks: newKeyedMutex()}
	if observed {
		h.logger = benchLogger()
		m, err := newMetrics(prometheus.NewRegistry())
		if err != nil {
			b.Fatal(err)
		}
		h.metrics = m
	}
	return h
}

func newBenchRig(b *testing.B, gw Gateway, method, path string, answer benchAnswer) *benchRig {
	rig := &benchRig{
		h:    newBenchHandler(b, gw, true),
		body: []byte(benchCreateBody),
		w:    benchWriter{h: make(http.Header, 8)},
	}
	rig.idOff = bytes.Index(rig.body, []byte("B000000000000"))
	rig.id = rig.body[rig.idOff : rig.idOff+13]
	before, after, found := strings.Cut(answer.body, "{ID}")
	rig.answer, rig.before, rig.post, rig.hasID = answer, []byte(before), []byte(after), found
	rig.tmpl = httptest.NewRequest(method, path, nil)
	// Caddy's server gives every request its vars; EnKash keeps its token there.
	rig.tmpl = rig.tmpl.WithContext(context.WithValue(context.Background(), caddyhttp.VarsCtxKey, map[string]any{}))
	rig.next = caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		// Read the upstream body as reverse_proxy would.
		var sink [512]byte
		for {
			if _, err := r.Body.Read(sink[:]); err != nil {
				break
			}
		}
		w.Header()["Content-Type"] = benchJSONType
		w.WriteHeader(rig.answer.status)
		w.Write(rig.before)
		if rig.hasID {
			w.Write(rig.id)
		}
		w.Write(rig.post)
		rig.served.Add(1)
		return nil
	})
	return rig
}

// nextID writes the next order id into the body (B + 12 digits).
func (rig *benchRig) nextID() {
	rig.n++
	v := rig.n
	for i := len(rig.id) - 1; i >= 1; i-- {
		rig.id[i] = byte('0' + v%10)
		v /= 10
	}
}

// request is a fresh request for one iteration: ServeHTTP rewrites its
// request into the upstream one, so it cannot be reused.
func (rig *benchRig) request(withBody bool) *http.Request {
	r := new(http.Request)
	*r = *rig.tmpl
	u := *rig.tmpl.URL
	r.URL = &u
	if withBody {
		r.Header = http.Header{"Content-Type": benchJSONType}
		rig.reader.Reset(rig.body)
		r.Body = &rig.reader
		r.ContentLength = int64(len(rig.body))
	} else {
		r.Header = http.Header{}
		r.Body = http.NoBody
	}
	clear(rig.w.h)
	rig.w.status, rig.w.n = 0, 0
	return r
}

func BenchmarkServeHTTP(b *testing.B) {
	for _, c := range benchCases() {
		for _, variant := range []string{"create", "create-quiet"} {
			b.Run(c.name+"/"+variant, func(b *testing.B) {
				gw := c.gw(b)
				rig := newBenchRig(b, gw, http.MethodPost, "/pay/orders", c.create)
				rig.h = newBenchHandler(b, gw, variant == "create")
				rig.nextID()
				if err := rig.h.ServeHTTP(&rig.w, rig.request(true), rig.next); err != nil || rig.w.status != http.StatusCreated {
					b.Fatalf("create answered %d, %v", rig.w.status, err)
				}
				b.ReportAllocs()
				for b.Loop() {
					rig.nextID()
					if err := rig.h.ServeHTTP(&rig.w, rig.request(true), rig.next); err != nil {
						b.Fatal(err)
					}
					if rig.w.status != http.StatusCreated {
						b.Fatalf("status %d", rig.w.status)
					}
				}
			})
		}
		// The same rig without paygate: what the benchmark itself allocates.
		b.Run(c.name+"/create-baseline", func(b *testing.B) {
			rig := newBenchRig(b, nil, http.MethodPost, "/pay/orders", c.create)
			b.ReportAllocs()
			for b.Loop() {
				rig.nextID()
				cw := getCapture()
				if err := rig.next.ServeHTTP(cw, rig.request(true)); err != nil {
					b.Fatal(err)
				}
				putCapture(cw)
			}
		})
		b.Run(c.name+"/replay", func(b *testing.B) {
			rig := newBenchRig(b, c.gw(b), http.MethodPost, "/pay/orders", c.create)
			rig.nextID()
			if err := rig.h.ServeHTTP(&rig.w, rig.request(true), rig.next); err != nil || rig.w.status != http.StatusCreated {
				b.Fatalf("create answered %d, %v", rig.w.status, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := rig.h.ServeHTTP(&rig.w, rig.request(true), rig.next); err != nil {
					b.Fatal(err)
				}
				if rig.w.status != http.StatusCreated || rig.w.h.Get("Idempotent-Replayed") != "true" {
					b.Fatalf("status %d, replayed %q", rig.w.status, rig.w.h.Get("Idempotent-Replayed"))
				}
			}
			if rig.served.Load() != 1 {
				b.Fatalf("the gateway was called %d times for one order_id", rig.served.Load())
			}
		})
		b.Run(c.name+"/status", func(b *testing.B) {
			rig := newBenchRig(b, c.gw(b), http.MethodGet, "/pay/orders/"+c.statusID, c.status)
			copy(rig.id, c.statusID) // the stub answers for statusID
			rig.id = rig.id[:len(c.statusID)]
			b.ReportAllocs()
			for b.Loop() {
				if err := rig.h.ServeHTTP(&rig.w, rig.request(false), rig.next); err != nil {
					b.Fatal(err)
				}
				if rig.w.status != http.StatusOK {
					b.Fatalf("status %d", rig.w.status)
				}
			}
		})
	}
}

// BenchmarkServeHTTPParallel runs creates from every core at once: lock
// contention in the idempotency store and pools shows here.
func BenchmarkServeHTTPParallel(b *testing.B) {
	c := benchCases()[0]
	gw := c.gw(b)
	h := newBenchHandler(b, gw, true)
	var seq atomic.Uint64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		rig := newBenchRig(b, gw, http.MethodPost, "/pay/orders", c.create)
		rig.h = h
		for pb.Next() {
			// Disjoint ids per goroutine: the high digits come from a shared counter.
			rig.n = seq.Add(1)
			rig.n--
			rig.nextID()
			if err := h.ServeHTTP(&rig.w, rig.request(true), rig.next); err != nil || rig.w.status != http.StatusCreated {
				b.Errorf("status %d, %v", rig.w.status, err)
				return
			}
		}
	})
}
