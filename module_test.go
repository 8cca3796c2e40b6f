package paygate

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	"go.uber.org/zap"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
)

func TestRoute(t *testing.T) {
	cases := []struct {
		method, path string
		op           operation
		id           string
		errType      transform.ErrorType
	}{
		{"POST", "/orders", opCreate, "", ""},
		{"POST", "/pay/razorpay/orders/", opCreate, "", ""},
		{"GET", "/pay/razorpay/orders/ORD-1_a", opStatus, "ORD-1_a", ""},
		{"GET", "/orders/ORD1/", opStatus, "ORD1", ""},
		{"GET", "/pay/orders", opCreate, "", transform.MethodNotAllowed},
		{"PUT", "/pay/orders/ORD1", opStatus, "", transform.MethodNotAllowed},
		{"GET", "/pay/orders/bad%20id", 0, "", transform.InvalidRequest},
		{"GET", "/pay/refunds", 0, "", transform.NotFound},
		{"GET", "/", 0, "", transform.NotFound},
		{"POST", "/orders/ORD1/refunds", opRefund, "ORD1", ""},
		{"GET", "/pay/orders/orders", opStatus, "orders", ""}, // an order may be called "orders"
		{"POST", "/pay/orders/orders", opCreate, "", ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, c.path, nil)
		op, id, _, e := route(r)
		if op != c.op || id != c.id || (e == nil) != (c.errType == "") || (e != nil && e.Type != c.errType) {
			t.Errorf("%s %s → %v %q %v", c.method, c.path, op, id, e)
		}
	}
}

// C15: an answer over the cap stops the copy (reverse_proxy then aborts,
// which callNext recovers) instead of reading an endless body to its end.
func TestCaptureWriterCapsAndStops(t *testing.T) {
	cw := getCapture()
	defer putCapture(cw)
	cw.Header().Set("Content-Length", "999")
	cw.WriteHeader(http.StatusContinue) // informational: ignored
	cw.WriteHeader(http.StatusCreated)
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	var err error
	written := 0
	for i := 0; i < 1000 && err == nil; i++ { // up to 64 MiB
		var n int
		n, err = cw.Write(chunk)
		written += n
	}
	if !errors.Is(err, errResponseTooLarge) || written > maxResponse {
		t.Fatalf("Write accepted %d bytes, then %v", written, err)
	}
	if !cw.overflow || cw.status != http.StatusCreated || cw.body.Len() > maxResponse {
		t.Errorf("overflow=%v status=%d len=%d", cw.overflow, cw.status, cw.body.Len())
	}
}

func TestDecodedBodyGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(`{"ok":true}`))
	zw.Close()
	cw := &captureWriter{header: http.Header{"Content-Encoding": {"gzip"}}}
	cw.Write(buf.Bytes())
	body, e := cw.decodedBody("razorpay")
	if e != nil || string(body) != `{"ok":true}` {
		t.Errorf("gzip body → %q %v", body, e)
	}
	cw = &captureWriter{header: http.Header{"Content-Encoding": {"br"}}}
	cw.Write([]byte("x"))
	if _, e := cw.decodedBody("razorpay"); e == nil || e.Type != transform.GatewayError {
		t.Errorf("brotli body → %v", e)
	}
	cw = &captureWriter{header: http.Header{"Content-Encoding": {"gzip"}}}
	cw.Write([]byte("not gzip"))
	if _, e := cw.decodedBody("razorpay"); e == nil || e.Type != transform.GatewayError {
		t.Errorf("corrupt gzip → %v", e)
	}
}

func TestProxyError(t *testing.T) {
	cases := []struct {
		err  error
		want transform.ErrorType
	}{
		{caddyhttp.Error(http.StatusBadGateway, reverseproxy.NewDialError(errors.New("connection refused"))), transform.GatewayUnavailable},
		{caddyhttp.Error(http.StatusGatewayTimeout, &net.OpError{Op: "read", Err: errors.New("i/o timeout")}), transform.GatewayTimeout},
		{caddyhttp.Error(http.StatusServiceUnavailable, errors.New("no upstreams available")), transform.GatewayUnavailable},
		{caddyhttp.Error(http.StatusBadGateway, errors.New("connection reset by peer")), transform.GatewayError},
		{errIncompleteResponse, transform.GatewayError},
	}
	for _, c := range cases {
		if got := proxyError("razorpay", c.err); got.Type != c.want || got.Gateway != "razorpay" {
			t.Errorf("%v → %v, want %s", c.err, got, c.want)
		}
	}
}

// A stub next handler stands in for reverse_proxy: the handler must send it
// the gateway request with paygate's credentials only, and map its answer.
func TestServeHTTPWithStubProxy(t *testing.T) {
	gw := &Razorpay{signer: signers.NewBasic("rzp_test_unit", "unit-secret")}
	h := &Handler{MaxBody: defaultMaxBody, gateway: gw, logger: zap.NewNop(), idem: newMemoryStore(time.Hour, 10), locks: newKeyedMutex()}
	var seen *http.Request
	var seenBody string
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		seen = r
		b := new(bytes.Buffer)
		b.ReadFrom(r.Body)
		seenBody = b.String()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Set-Cookie", "gateway=1")
		w.WriteHeader(200)
		w.Write([]byte(`{"id":"order_X","entity":"order","amount":10550,"currency":"INR","receipt":"ORD1","status":"created","notes":[],"created_at":1779413100}`))
		return nil
	})
	req := httptest.NewRequest("POST", "/pay/orders", strings.NewReader(`{"order_id":"ORD1","amount":"105.50","currency":"INR"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer app-token")
	req.Header.Set("Cookie", "session=1")
	req.Header.Set("X-Request-Id", "req-1")
	w := httptest.NewRecorder()
	if err := h.ServeHTTP(w, req.WithContext(context.Background()), next); err != nil {
		t.Fatal(err)
	}
	if w.Code != 201 {
		t.Fatalf("status %d body %s", w.Code, w.Body)
	}
	if seen.URL.Path != "/v1/orders" || seen.Method != "POST" || seenBody != `{"amount":10550,"currency":"INR","receipt":"ORD1","unique_receipt":true}` {
		t.Errorf("upstream request %s %s %s", seen.Method, seen.URL.Path, seenBody)
	}
	if got := seen.Header.Get("Authorization"); got != "Basic cnpwX3Rlc3RfdW5pdDp1bml0LXNlY3JldA==" {
		t.Errorf("upstream Authorization %q", got)
	}
	if seen.Header.Get("Cookie") != "" || seen.Header.Get("X-Request-Id") != "req-1" || seen.Header.Get("Accept-Encoding") != "" {
		t.Errorf("upstream headers %v", seen.Header)
	}
	if w.Header().Get("Set-Cookie") != "" {
		t.Errorf("gateway header leaked to the application: %v", w.Header())
	}
	if got, want := w.Header().Get("Content-Length"), strconv.Itoa(w.Body.Len()); got != want {
		t.Errorf("Content-Length %q, body is %s bytes", got, want)
	}
}
