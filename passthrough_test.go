package paygate

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
)

func TestParsePassthrough(t *testing.T) {
	d := caddyfile.NewTestDispenser(`paygate razorpay {
		key_id     {env.RAZORPAY_KEY_ID}
		key_secret {env.RAZORPAY_KEY_SECRET}
		passthrough {
			allow GET  /v1/payments/*
			allow POST /v1/payments/*/capture
		}
		max_body 8KiB
	}`)
	var h Handler
	if err := h.UnmarshalCaddyfile(d); err != nil {
		t.Fatal(err)
	}
	want := []PassthroughRule{{"GET", "/v1/payments/*"}, {"POST", "/v1/payments/*/capture"}}
	if h.Passthrough == nil || len(h.Passthrough.Allow) != 2 || h.Passthrough.Allow[0] != want[0] || h.Passthrough.Allow[1] != want[1] {
		t.Fatalf("passthrough = %+v, want %v", h.Passthrough, want)
	}
	if h.MaxBody != 8<<10 {
		t.Errorf("options after the block are lost: max_body = %d", h.MaxBody)
	}
	b, _ := json.Marshal(h.Passthrough)
	if string(b) != `{"allow":[{"method":"GET","path":"/v1/payments/*"},{"method":"POST","path":"/v1/payments/*/capture"}]}` {
		t.Errorf("JSON form %s", b)
	}
}

func TestParsePassthroughErrors(t *testing.T) {
	block := func(body string) string {
		return "paygate razorpay {\n\tkey_id a\n\tpassthrough {\n" + body + "\n\t}\n}"
	}
	cases := map[string]struct{ input, want string }{
		"argument":       {"paygate razorpay {\n\tpassthrough GET /x {\n\t\tallow GET /x\n\t}\n}", "takes no argument"},
		"no block":       {"paygate razorpay {\n\tpassthrough\n}", "at least one rule"},
		"empty block":    {block(""), "at least one rule"},
		"unknown option": {block("\t\tdeny GET /v1/payouts"), `unknown passthrough option "deny"`},
		"one argument":   {block("\t\tallow GET"), "a method and a path pattern"},
		"three args":     {block("\t\tallow GET /v1/orders/* extra"), "a method and a path pattern"},
		"lower method":   {block("\t\tallow get /v1/orders/*"), `method "get"`},
		"head method":    {block("\t\tallow HEAD /v1/orders/*"), `method "HEAD"`},
		"relative path":  {block("\t\tallow GET v1/orders"), "must start with /"},
		"partial star":   {block("\t\tallow GET /v1/orders/ord_*"), "whole segment"},
		"dot segment":    {block("\t\tallow GET /v1/../payouts"), "only dots"},
		"duplicate rule": {block("\t\tallow GET /v1/orders/*\n\t\tallow GET /v1/orders/*"), "duplicate rule"},
		"two blocks":     {"paygate razorpay {\n\tpassthrough {\n\t\tallow GET /x\n\t}\n\tpassthrough {\n\t\tallow GET /y\n\t}\n}", `duplicate option "passthrough"`},
	}
	for name, c := range cases {
		var h Handler
		err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(c.input))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), "Testfile:") {
			t.Errorf("%s: error %q lacks file:line", name, err)
		}
	}
}

// The JSON form is checked when the config loads, not at the first request.
func TestPassthroughCompileErrors(t *testing.T) {
	for name, c := range map[string]struct {
		allow []PassthroughRule
		want  string
	}{
		"empty":     {nil, "at least one allow rule"},
		"method":    {[]PassthroughRule{{"FETCH", "/v1/orders"}}, `method "FETCH"`},
		"pattern":   {[]PassthroughRule{{"GET", "/v1/orders/"}}, "empty segment"},
		"duplicate": {[]PassthroughRule{{"GET", "/a"}, {"GET", "/a"}}, "duplicate rule"},
	} {
		p := &Passthrough{Allow: c.allow}
		if err := p.compile(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
		if err := p.validate(); err == nil {
			t.Errorf("%s: validate passes an allow-list that did not compile", name)
		}
	}
	var none *Passthrough
	if none.validate() != nil {
		t.Error("no passthrough block must validate")
	}
}

// stubGateway answers like a gateway behind reverse_proxy and records what
// it was sent.
type stubGateway struct {
	status int
	header http.Header
	body   string
	got    []*http.Request
	bodies []string
}

func (s *stubGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	b := new(bytes.Buffer)
	b.ReadFrom(r.Body)
	s.got, s.bodies = append(s.got, r.Clone(context.Background())), append(s.bodies, b.String())
	for k, v := range s.header {
		w.Header()[k] = v
	}
	w.WriteHeader(s.status)
	w.Write([]byte(s.body))
	return nil
}

func passthroughHandler(t *testing.T, gw Gateway, rules ...PassthroughRule) *Handler {
	t.Helper()
	p := &Passthrough{Allow: rules}
	if err := p.compile(); err != nil {
		t.Fatal(err)
	}
	return &Handler{MaxBody: 64, gateway: gw, logger: zap.NewNop(), idem: newMemoryStore(time.Hour, 10), Passthrough: p}
}

func serve(t *testing.T, h *Handler, next caddyhttp.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var rd *strings.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, nil)
	if rd != nil {
		req = httptest.NewRequest(method, target, rd)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	if err := h.ServeHTTP(w, req, next); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestServePassthroughStub(t *testing.T) {
	gw := &Razorpay{signer: signers.NewBasic("rzp_test_unit", "unit-secret")}
	h := passthroughHandler(t, gw, PassthroughRule{"GET", "/v1/orders/*"}, PassthroughRule{"POST", "/v1/orders"})
	stub := &stubGateway{status: 400, body: `{"error":{"code":"BAD_REQUEST_ERROR"}}`, header: http.Header{
		"Content-Type": {"application/json; charset=utf-8"}, "Set-Cookie": {"rzp_session=abc"},
		"Www-Authenticate": {`Basic realm="api"`}, "X-Gateway-Internal": {"1"}, "Retry-After": {"7"},
	}}

	w := serve(t, h, stub, "GET", "/v1/orders/order_1?expand[]=payments", "",
		"Authorization", "Basic cGxhY2Vob2xkZXI6eA==", "Cookie", "s=1", "X-Razorpay-Account", "acc_other", "X-Request-Id", "r1")
	if w.Code != 400 || w.Body.String() != stub.body || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("answer %d %q %v, want the gateway's unchanged", w.Code, w.Body, w.Header())
	}
	for _, k := range []string{"Set-Cookie", "Www-Authenticate", "X-Gateway-Internal"} {
		if w.Header().Get(k) != "" {
			t.Errorf("answer header %s reached the application", k)
		}
	}
	if w.Header().Get("Retry-After") != "7" {
		t.Errorf("Retry-After not passed on: %v", w.Header())
	}
	if len(stub.got) != 1 {
		t.Fatalf("gateway got %d requests", len(stub.got))
	}
	up := stub.got[0]
	if up.URL.Path != "/v1/orders/order_1" || up.URL.RawQuery != "expand[]=payments" || up.Method != "GET" {
		t.Errorf("upstream %s %s ? %s", up.Method, up.URL.Path, up.URL.RawQuery)
	}
	if a := up.Header.Values("Authorization"); len(a) != 1 || a[0] != "Basic cnpwX3Rlc3RfdW5pdDp1bml0LXNlY3JldA==" {
		t.Errorf("upstream Authorization %v, want paygate's only", a)
	}
	if up.Header.Get("Cookie") != "" || up.Header.Get("X-Razorpay-Account") != "" || up.Header.Get("X-Request-Id") != "r1" {
		t.Errorf("upstream headers %v", up.Header)
	}

	// Refused: nothing sent, canonical 403.
	for _, c := range [][2]string{{"GET", "/v1/payouts"}, {"DELETE", "/v1/orders/order_1"}, {"GET", "/v1/orders/.."},
		{"GET", "/v1/orders/a%2Fb"}, {"POST", "/orders"}, {"get", "/v1/orders/order_1"}} {
		w := serve(t, h, stub, c[0], c[1], "")
		var env struct{ Error transform.Error }
		if w.Code != 403 || json.Unmarshal(w.Body.Bytes(), &env) != nil || env.Error.Type != transform.Forbidden {
			t.Errorf("%s %s → %d %s, want 403 forbidden", c[0], c[1], w.Code, w.Body)
		}
	}
	if len(stub.got) != 1 {
		t.Errorf("refused requests reached the gateway: %d calls", len(stub.got))
	}

	// Bodies: forwarded byte for byte, bounded by max_body.
	stub.status, stub.body = 200, `{}`
	raw := "{ \"amount\" : 100,\n \"currency\":\"INR\" }"
	serve(t, h, stub, "POST", "/v1/orders", raw, "Content-Type", "application/json")
	if got := stub.bodies[len(stub.bodies)-1]; got != raw {
		t.Errorf("body forwarded as %q, want %q", got, raw)
	}
	n := len(stub.got)
	w = serve(t, h, stub, "POST", "/v1/orders", strings.Repeat("x", 65), "Content-Type", "application/json")
	if w.Code != 413 || len(stub.got) != n {
		t.Errorf("oversized body → %d, %d gateway calls", w.Code, len(stub.got)-n)
	}
}

func TestServePassthroughKwikPaisaSignsCanonicalBody(t *testing.T) {
	now := time.Unix(1778659835, 0)
	signer := signers.NewHMAC("pk_test_unit", "sk_test_example", func() time.Time { return now })
	gw := &KwikPaisa{signer: signer}
	h := passthroughHandler(t, gw, PassthroughRule{"POST", "/api/v3/pg/order/status"})
	stub := &stubGateway{status: 200, body: `{"code":"200"}`, header: http.Header{"Content-Type": {"application/json"}}}

	w := serve(t, h, stub, "POST", "/api/v3/pg/order/status", "{ \"order_id\" : \"123456\",\n \"amount\": \"100\" }",
		"Content-Type", "text/plain", "X-Api-Key", "pk_app", "X-Signature", "app-sig", "X-Timestamp", "1")
	if w.Code != 200 || len(stub.got) != 1 {
		t.Fatalf("status %d, %d calls", w.Code, len(stub.got))
	}
	up, body := stub.got[0], stub.bodies[0]
	// The vector of signers' TestHMACVectors: this body at this timestamp with this secret.
	if body != `{"amount":"100","order_id":"123456"}` {
		t.Errorf("forwarded body %s", body)
	}
	if up.Header.Get("X-Signature") != "5ffe5f5b24a1872575040fa30bdaf861b50f030a7dd2b2140f1a8ba682ea850c" ||
		up.Header.Get("X-Api-Key") != "pk_test_unit" || up.Header.Get("X-Timestamp") != "1778659835" {
		t.Errorf("upstream credentials %v", up.Header)
	}
	if up.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", up.Header.Get("Content-Type"))
	}
	for _, bad := range []string{`{"order_id":`, `{"amount":1.00000000000000001}`, `{"10":1,"9":2}`} {
		w := serve(t, h, stub, "POST", "/api/v3/pg/order/status", bad, "Content-Type", "application/json")
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"invalid_request"`) {
			t.Errorf("%s → %d %s, want 400 invalid_request", bad, w.Code, w.Body)
		}
	}
	if len(stub.got) != 1 {
		t.Errorf("bodies without a canonical form reached the gateway")
	}
}

func TestPassthroughMatchAllocs(t *testing.T) {
	p := &Passthrough{Allow: []PassthroughRule{{"GET", "/v1/orders"}, {"GET", "/v1/payments/*"}, {"POST", "/v1/payments/*/capture"}}}
	if err := p.compile(); err != nil {
		t.Fatal(err)
	}
	if pat, ok := p.match("POST", "/v1/payments/pay_1/capture"); !ok || pat != "/v1/payments/*/capture" {
		t.Fatalf("match → %q %v", pat, ok)
	}
	if n := testing.AllocsPerRun(100, func() { p.match("POST", "/v1/payments/pay_1/capture") }); n != 0 {
		t.Errorf("matching allocates %v times per request", n)
	}
}

// A route without reverse_proxy after paygate gets no answer at all: that
// is a canonical gateway_error, not a panic on status 0.
func TestServePassthroughNoUpstream(t *testing.T) {
	gw := &Razorpay{signer: signers.NewBasic("rzp_test_unit", "unit-secret")}
	h := passthroughHandler(t, gw, PassthroughRule{"GET", "/v1/orders/*"})
	nothing := caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error { return nil })
	w := serve(t, h, nothing, "GET", "/v1/orders/order_1", "")
	if w.Code != http.StatusBadGateway || !strings.Contains(w.Body.String(), `"gateway_error"`) {
		t.Errorf("no upstream → %d %s", w.Code, w.Body)
	}
	noContent := &stubGateway{status: http.StatusNoContent}
	w = serve(t, h, noContent, "GET", "/v1/orders/order_1", "")
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 || w.Header().Get("Content-Length") != "" {
		t.Errorf("204 → %d %q %v", w.Code, w.Body, w.Header())
	}
}
