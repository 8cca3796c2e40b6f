package tests

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/razorpay/razorpay-go"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

// passthroughSites serves, for each gateway, a canonical route and a native
// (passthrough) route in front of its emulator, plus a native route whose
// upstream is a plain test server (headersUpstream) and one with no upstream.
const passthroughSites = `
:9940 {
	handle /razorpay/* {
		paygate razorpay {
			key_id     rzp_test_pt
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		}
		reverse_proxy 127.0.0.1:9941
	}
	handle /razorpay-native/* {
		uri strip_prefix /razorpay-native
		paygate razorpay {
			key_id     rzp_test_pt
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
			max_body   1KiB
			passthrough {
				allow GET  /v1/orders
				allow GET  /v1/orders/*
				allow POST /v1/orders
			}
		}
		reverse_proxy 127.0.0.1:9941
	}
	handle /razorpay-headers/* {
		uri strip_prefix /razorpay-headers
		paygate razorpay {
			key_id     rzp_test_pt
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
			passthrough {
				allow GET /v1/orders/*
			}
		}
		reverse_proxy %s
	}
	handle /razorpay-down/* {
		uri strip_prefix /razorpay-down
		paygate razorpay {
			key_id     rzp_test_pt
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
			passthrough {
				allow GET /v1/orders/*
			}
		}
		reverse_proxy 127.0.0.1:9949
	}
	handle /kwikpaisa-native/* {
		uri strip_prefix /kwikpaisa-native
		paygate kwikpaisa {
			api_key    pk_test_pt
			secret_key {env.PAYGATE_IT_KWIKPAISA_SECRET}
			passthrough {
				allow POST /api/v3/pg/order/create
				allow POST /api/v3/pg/order/status
			}
		}
		reverse_proxy 127.0.0.1:9942
	}
	handle /juspay/* {
		paygate juspay {
			api_key     {env.PAYGATE_IT_JUSPAY_KEY}
			merchant_id paygate_pt
		}
		reverse_proxy 127.0.0.1:9943
	}
	handle /juspay-native/* {
		uri strip_prefix /juspay-native
		paygate juspay {
			api_key     {env.PAYGATE_IT_JUSPAY_KEY}
			merchant_id paygate_pt
			passthrough {
				allow GET  /orders/*
				allow POST /orders
			}
		}
		reverse_proxy 127.0.0.1:9943
	}
	handle /enkash/* {
		paygate enkash {
			access_key ek_pt_access
			secret_key {env.PAYGATE_IT_ENKASH_SK}
			token_url  http://127.0.0.1:9944/api/v0/merchant/token?case=pt
		}
		reverse_proxy 127.0.0.1:9944
	}
	handle /enkash-native/* {
		uri strip_prefix /enkash-native
		paygate enkash {
			access_key ek_pt_access
			secret_key {env.PAYGATE_IT_ENKASH_SK}
			token_url  http://127.0.0.1:9944/api/v0/merchant/token?case=pt
			passthrough {
				allow GET /api/v0/orders/*
			}
		}
		reverse_proxy 127.0.0.1:9944
	}
}

:9941 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   rzp-pt
		key_id     rzp_test_pt
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}

:9942 {
	bind 127.0.0.1
	paygate_emulator kwikpaisa {
		instance   kp-pt
		api_key    pk_test_pt
		secret_key {env.PAYGATE_IT_KWIKPAISA_SECRET}
	}
}

:9943 {
	bind 127.0.0.1
	paygate_emulator juspay {
		instance    jp-pt
		api_key     {env.PAYGATE_IT_JUSPAY_KEY}
		merchant_id paygate_pt
		version     2023-01-01
	}
}

:9944 {
	bind 127.0.0.1
	paygate_emulator enkash {
		instance   ek-pt
		access_key ek_pt_access
		secret_key {env.PAYGATE_IT_ENKASH_SK}
	}
}
`

const (
	ptKwikPaisaSecret = "sk_test_pt_7e1d"
	ptEnKashSecret    = "ek_pt_secret_90ab"
	// ptAppAuth is what a legacy app sends: its SDK's placeholder key.
	ptAppAuth = "Basic cnpwX3Rlc3RfcGxhY2Vob2xkZXI6bm90LXRoZS1zZWNyZXQ=" // rzp_test_placeholder:not-the-secret
)

// headersUpstream stands in for a gateway that sends session and
// authentication headers with its answer; it records what it was sent.
type headersUpstream struct {
	mu   sync.Mutex
	auth []string
}

func (u *headersUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.auth = append(u.auth, r.Header.Get("Authorization"))
	u.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=us-ascii")
	w.Header().Set("Set-Cookie", "rzp_dashboard_session=s3ss10n; HttpOnly")
	w.Header().Set("WWW-Authenticate", `Basic realm="Razorpay"`)
	w.Header().Set("X-Razorpay-Internal", "edge-7")
	w.Header().Set("Retry-After", "3")
	w.WriteHeader(http.StatusTooManyRequests)
	io.WriteString(w, "slow down\n")
}

// startPassthrough loads the sites with paygate's log in a JSON file and
// returns the file's path.
func startPassthrough(t *testing.T) (string, *headersUpstream) {
	t.Helper()
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	t.Setenv("PAYGATE_IT_KWIKPAISA_SECRET", ptKwikPaisaSecret)
	t.Setenv("PAYGATE_IT_JUSPAY_KEY", juspayKey)
	t.Setenv("PAYGATE_IT_ENKASH_SK", ptEnKashSecret)
	up := &headersUpstream{}
	srv := httptest.NewServer(up)
	t.Cleanup(srv.Close)
	path := t.TempDir() + "/caddy.log"
	cfg := fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	persist_config off
	grace_period 1s
	log {
		output file %s
		format json
		level INFO
	}
}
`, adminPort, path) + fmt.Sprintf(passthroughSites, strings.TrimPrefix(srv.URL, "http://"))
	load(t, cfg, "caddyfile")
	for _, name := range []string{"rzp-pt", "kp-pt", "jp-pt", "ek-pt"} {
		freshEmulator(t, name)
	}
	return path, up
}

// direct calls an emulator without Caddy, with the real credentials.
func direct(t *testing.T, method, target string, header ...string) reply {
	t.Helper()
	return call(t, method, target, "", header...)
}

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestPassthroughRazorpay(t *testing.T) {
	startPassthrough(t)
	emu := mustEmulator(t, "rzp-pt").(*emulator.Razorpay)
	realAuth := basic("rzp_test_pt", rzpSecret)

	// An order the gateway holds, created through the canonical route.
	r := call(t, "POST", url(9940, "/razorpay/orders"), `{"order_id":"PT-RZP-1","amount":"105.50","currency":"INR"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("canonical create: %d %s", r.status, r.body)
	}
	id, _ := r.json(t)["gateway_order_id"].(string)
	if !strings.HasPrefix(id, "order_") {
		t.Fatalf("gateway_order_id %q", id)
	}
	// The app's SDK call, with its placeholder key and other credentials.
	before := len(emu.Received())
	r = call(t, "GET", url(9940, "/razorpay-native/v1/orders/"+id), "",
		"Authorization", ptAppAuth, "X-Razorpay-Account", "acc_someone_else", "Cookie", "session=app",
		"X-Api-Key", "app-key", "X-Request-Id", "req-pt-1")
	got := emu.Received()[before:]
	if len(got) != 1 {
		t.Fatalf("emulator received %d requests, want 1", len(got))
	}
	rec := got[0]
	if a := rec.Header.Values("Authorization"); len(a) != 1 || a[0] != realAuth {
		t.Errorf("gateway got Authorization %v, want paygate's Basic only", a)
	}
	for _, k := range []string{"X-Razorpay-Account", "Cookie", "X-Api-Key"} {
		if v := rec.Header.Get(k); v != "" {
			t.Errorf("application header %s reached the gateway: %q", k, v)
		}
	}
	if rec.Header.Get("X-Request-Id") != "req-pt-1" || rec.Method != "GET" || rec.Path != "/v1/orders/"+id || rec.Query != "" {
		t.Errorf("gateway got %s %s ? %s, headers %v", rec.Method, rec.Path, rec.Query, rec.Header)
	}
	// The answer is the gateway's own, byte for byte, with its content type.
	want := direct(t, "GET", url(9941, "/v1/orders/"+id), "Authorization", realAuth)
	if r.status != http.StatusOK || string(r.body) != string(want.body) {
		t.Errorf("native answer %d %s\nwant %d %s", r.status, r.body, want.status, want.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q, want the gateway's", ct)
	}
	if o := r.json(t); o["id"] != id || o["receipt"] != "PT-RZP-1" || o["amount"] != 10550.0 || o["currency"] != "INR" {
		t.Errorf("order %v", o)
	}

	// A query string goes through as sent.
	r = call(t, "GET", url(9940, "/razorpay-native/v1/orders?receipt=PT-RZP-1&count=5"), "", "Authorization", ptAppAuth)
	last := func() emulator.Received { all := emu.Received(); return all[len(all)-1] }
	if q := last().Query; r.status != http.StatusOK || q != "receipt=PT-RZP-1&count=5" || r.json(t)["count"] != 1.0 {
		t.Errorf("list: %d %s, query %q", r.status, r.body, q)
	}

	// A native create: the body is forwarded byte for byte.
	raw := "{\n  \"receipt\": \"PT-RZP-2\",\n  \"amount\": 5000, \"currency\": \"INR\"\n}"
	r = call(t, "POST", url(9940, "/razorpay-native/v1/orders"), raw, "Authorization", ptAppAuth)
	if r.status != http.StatusOK || r.json(t)["receipt"] != "PT-RZP-2" {
		t.Fatalf("native create: %d %s", r.status, r.body)
	}
	if b := string(last().Body); b != raw {
		t.Errorf("gateway got body %q, want %q", b, raw)
	}

	// The gateway's own errors come back as they are, not canonical.
	r = call(t, "GET", url(9940, "/razorpay-native/v1/orders/order_Missing00000"), "", "Authorization", ptAppAuth)
	var rzpErr struct {
		Error struct{ Code, Description string }
	}
	if r.status != http.StatusBadRequest || json.Unmarshal(r.body, &rzpErr) != nil || rzpErr.Error.Code != "BAD_REQUEST_ERROR" {
		t.Errorf("gateway error: %d %s", r.status, r.body)
	}
}

// Anything not on the allow-list is refused with 403 and never reaches the
// gateway, including the canonical API on a passthrough route.
func TestPassthroughRefused(t *testing.T) {
	startPassthrough(t)
	emu := mustEmulator(t, "rzp-pt")
	kp := mustEmulator(t, "kp-pt")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/razorpay-native/v1/payouts", ""},
		{"GET", "/razorpay-native/v1/payments/pay_1", ""},
		{"POST", "/razorpay-native/v1/orders/order_1", `{"notes":{}}`},
		{"PATCH", "/razorpay-native/v1/orders/order_1", `{"notes":{}}`},
		{"DELETE", "/razorpay-native/v1/orders/order_1", ""},
		{"GET", "/razorpay-native/v1/orders/order_1/payments", ""},
		{"GET", "/razorpay-native/v1/orders/", ""},
		{"GET", "/razorpay-native/v1/orders/..", ""},
		{"GET", "/razorpay-native/v1/orders/%2e%2e", ""},
		{"GET", "/razorpay-native/v1/orders/..%2fpayouts", ""},
		{"GET", "/razorpay-native/v1/orders/a%2Fb", ""},
		{"GET", "/razorpay-native/v1/orders/..;", ""},
		{"GET", "/razorpay-native/v1/orders/order_1%3Bx", ""},
		{"GET", "/razorpay-native/v1/orders/order%5C1", ""},
		{"GET", "/razorpay-native/V1/orders", ""},
		{"OPTIONS", "/razorpay-native/v1/orders", ""},
		{"POST", "/razorpay-native/orders", `{"order_id":"PT-CANON","amount":"1.00","currency":"INR"}`},
		{"GET", "/razorpay-native/orders/PT-CANON", ""},
		{"POST", "/kwikpaisa-native/api/v3/payout/create", `{"amount":1}`},
		{"GET", "/kwikpaisa-native/api/v3/pg/order/status", ""},
	} {
		r := call(t, c.method, url(9940, c.path), c.body, "Authorization", ptAppAuth)
		e := r.canonicalError(t, http.StatusForbidden, "forbidden")
		if msg, _ := e["message"].(string); !strings.Contains(msg, "allow-list") {
			t.Errorf("%s %s: message %q", c.method, c.path, msg)
		}
	}
	if n := len(emu.Received()) + len(kp.Received()); n != 0 {
		t.Errorf("refused requests reached the gateways: %d", n)
	}
}

// Bodies are bounded both ways; a dead upstream is the canonical error.
func TestPassthroughLimits(t *testing.T) {
	startPassthrough(t)
	emu := mustEmulator(t, "rzp-pt")
	big := `{"receipt":"` + strings.Repeat("x", 1100) + `"}`
	call(t, "POST", url(9940, "/razorpay-native/v1/orders"), big, "Authorization", ptAppAuth).
		canonicalError(t, http.StatusRequestEntityTooLarge, "request_too_large")
	if n := len(emu.Received()); n != 0 {
		t.Errorf("an oversized body reached the gateway (%d requests)", n)
	}
	emulator.SetFault("rzp-pt", emulator.FaultHuge, 1)
	t.Cleanup(func() { emulator.ClearFault("rzp-pt") })
	call(t, "GET", url(9940, "/razorpay-native/v1/orders/order_1"), "", "Authorization", ptAppAuth).
		canonicalError(t, http.StatusBadGateway, "gateway_error")
	call(t, "GET", url(9940, "/razorpay-down/v1/orders/order_1"), "", "Authorization", ptAppAuth).
		canonicalError(t, http.StatusServiceUnavailable, "gateway_unavailable")
}

// Of the gateway's answer headers only the content type (and caching and
// Retry-After) reach the app: no cookie, no authentication challenge.
func TestPassthroughAnswerHeaders(t *testing.T) {
	_, up := startPassthrough(t)
	r := call(t, "GET", url(9940, "/razorpay-headers/v1/orders/order_1"), "", "Authorization", ptAppAuth)
	if r.status != http.StatusTooManyRequests || string(r.body) != "slow down\n" {
		t.Errorf("answer %d %q, want the gateway's 429 unchanged", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=us-ascii" {
		t.Errorf("Content-Type %q", ct)
	}
	if r.header.Get("Retry-After") != "3" {
		t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
	}
	for _, k := range []string{"Set-Cookie", "Www-Authenticate", "X-Razorpay-Internal"} {
		if v := r.header.Get(k); v != "" {
			t.Errorf("gateway header %s reached the app: %q", k, v)
		}
	}
	up.mu.Lock()
	defer up.mu.Unlock()
	if len(up.auth) != 1 || up.auth[0] != basic("rzp_test_pt", rzpSecret) {
		t.Errorf("upstream Authorization %v", up.auth)
	}
}

// KwikPaisa: the app's body arrives with its keys in any order, spaces,
// escaped slashes and trailing zeros; the gateway (whose emulator checks
// that the body is canonical and the signature covers it) gets it
// canonical and signed over exactly the bytes sent.
func TestPassthroughKwikPaisa(t *testing.T) {
	startPassthrough(t)
	emu := mustEmulator(t, "kp-pt")
	appBody := `{
		"service_type": "DIGITAL",
		"return_url": "https:\/\/shop.example.com\/return?order_id=PTKP1",
		"order_note": "2 x notebook <gift>",
		"order_id": "PTKP1",
		"order_currency": "INR",
		"order_amount": 105.50,
		"customer": {"phone": "9816512345", "name": "Ajay Kumar", "email": "ajay@example.com",
			"address": {"postal_code": "560001", "city": "Bengaluru"}}
	}`
	wantBody := `{"customer":{"address":{"city":"Bengaluru","postal_code":"560001"},"email":"ajay@example.com","name":"Ajay Kumar","phone":"9816512345"},` +
		`"order_amount":105.5,"order_currency":"INR","order_id":"PTKP1","order_note":"2 x notebook <gift>",` +
		`"return_url":"https://shop.example.com/return?order_id=PTKP1","service_type":"DIGITAL"}`
	r := call(t, "POST", url(9940, "/kwikpaisa-native/api/v3/pg/order/create"), appBody,
		"X-Api-Key", "pk_app_placeholder", "X-Timestamp", "1", "X-Signature", "deadbeef", "Authorization", "Bearer app")
	if r.status != http.StatusOK {
		t.Fatalf("native create: %d %s", r.status, r.body)
	}
	res := r.json(t)
	if res["status"] != "success" || res["code"] != "200" {
		t.Errorf("answer %s, want KwikPaisa's own envelope", r.body)
	}
	got := emu.Received()
	if len(got) != 1 {
		t.Fatalf("emulator received %d requests", len(got))
	}
	rec := got[0]
	if string(rec.Body) != wantBody {
		t.Errorf("forwarded body\n got %s\nwant %s", rec.Body, wantBody)
	}
	mac := hmac.New(sha256.New, []byte(ptKwikPaisaSecret))
	mac.Write(rec.Body)
	mac.Write([]byte(rec.Header.Get("X-Timestamp")))
	if sig := rec.Header.Get("X-Signature"); sig != hex.EncodeToString(mac.Sum(nil)) {
		t.Errorf("X-Signature %q does not cover the forwarded body", sig)
	}
	if rec.Header.Get("X-Api-Key") != "pk_test_pt" || rec.Header.Get("Authorization") != "" || len(rec.Header.Values("X-Signature")) != 1 {
		t.Errorf("gateway got headers %v", rec.Header)
	}

	// The status call, sent non-canonical too.
	r = call(t, "POST", url(9940, "/kwikpaisa-native/api/v3/pg/order/status"), `{ "order_id" : "PTKP1" }`, "X-Api-Key", "pk_app_placeholder")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"order_status":"UN_PAID"`) {
		t.Errorf("native status: %d %s", r.status, r.body)
	}

	// Bodies with no canonical form: 400, nothing sent.
	n := len(emu.Received())
	for _, bad := range []string{`{"order_id":`, `not json`, `{"order_amount":1.00000000000000001}`, `{"10":"a","9":"b"}`} {
		call(t, "POST", url(9940, "/kwikpaisa-native/api/v3/pg/order/status"), bad).canonicalError(t, http.StatusBadRequest, "invalid_request")
	}
	if len(emu.Received()) != n {
		t.Errorf("bodies with no canonical form reached the gateway")
	}
}

// Juspay: the app's Basic key and merchant headers are replaced by the
// route's; its x-routing-id goes through.
func TestPassthroughJuspay(t *testing.T) {
	startPassthrough(t)
	emu := mustEmulator(t, "jp-pt")
	r := call(t, "POST", url(9940, "/juspay/orders"), `{"order_id":"PTJP1","amount":"10.00","currency":"INR"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("canonical create: %d %s", r.status, r.body)
	}
	before := len(emu.Received())
	// The order created through the canonical route, fetched natively.
	r = call(t, "GET", url(9940, "/juspay-native/orders/PTJP1"), "", "Authorization", basic("app_placeholder", ""))
	if o := r.json(t); r.status != http.StatusOK || o["order_id"] != "PTJP1" || o["amount"] != 10.0 {
		t.Errorf("native fetch: %d %s", r.status, r.body)
	}
	form := "order_id=PTJP2&amount=25.50&currency=INR&customer_id=cust-9"
	r = call(t, "POST", url(9940, "/juspay-native/orders"), form, "Content-Type", "application/x-www-form-urlencoded",
		"Authorization", basic("app_placeholder", ""), "x-merchantid", "someone_else", "version", "2016-10-27", "x-routing-id", "cust-9")
	if r.status != http.StatusOK || r.json(t)["status"] != "CREATED" {
		t.Fatalf("native create: %d %s", r.status, r.body)
	}
	r = call(t, "GET", url(9940, "/juspay-native/orders/PTJP2"), "",
		"Authorization", basic("app_placeholder", ""), "x-merchantid", "someone_else", "x-routing-id", "cust-9")
	if o := r.json(t); r.status != http.StatusOK || o["order_id"] != "PTJP2" || o["amount"] != 25.5 || o["merchant_id"] != "paygate_pt" {
		t.Errorf("native status: %d %s", r.status, r.body)
	}
	got := emu.Received()[before:]
	if len(got) != 3 {
		t.Fatalf("emulator received %d requests, want 3", len(got))
	}
	if string(got[1].Body) != form || got[1].Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("create forwarded as %q (%s)", got[1].Body, got[1].Header.Get("Content-Type"))
	}
	if got[0].Header.Get("x-routing-id") != "" {
		t.Errorf("x-routing-id invented: %q", got[0].Header.Get("x-routing-id"))
	}
	for _, rec := range got[1:] {
		if a := rec.Header.Values("Authorization"); len(a) != 1 || a[0] != basic(juspayKey, "") {
			t.Errorf("%s %s: Authorization %v", rec.Method, rec.Path, a)
		}
		if rec.Header.Get("x-merchantid") != "paygate_pt" || rec.Header.Get("version") != "2023-01-01" || rec.Header.Get("x-routing-id") != "cust-9" {
			t.Errorf("%s %s: headers %v", rec.Method, rec.Path, rec.Header)
		}
	}
}

// EnKash: the app's bearer is replaced by one from paygate's token source,
// which is refreshed once when EnKash says the token is invalid (117).
func TestPassthroughEnKash(t *testing.T) {
	startPassthrough(t)
	emu := mustEmulator(t, "ek-pt").(*emulator.EnKash)
	r := call(t, "POST", url(9940, "/enkash/orders"), `{"order_id":"PTEK1","amount":"10.00","currency":"INR"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("canonical create: %d %s", r.status, r.body)
	}
	id, _ := r.json(t)["gateway_order_id"].(string)
	fetch := func() reply {
		return call(t, "GET", url(9940, "/enkash-native/api/v0/orders/"+id), "",
			"Authorization", "Bearer app-placeholder-token", "merchantAccessKey", "app_access")
	}
	before := len(emu.Received())
	r = fetch()
	var env struct {
		ResponseCode int `json:"response_code"`
		Payload      struct {
			OrderID, MerchantOrderID string
			Amount                   json.Number
		} `json:"payload"`
	}
	if r.status != http.StatusOK || json.Unmarshal(r.body, &env) != nil || env.ResponseCode != 0 || env.Payload.MerchantOrderID != "PTEK1" {
		t.Fatalf("native fetch: %d %s", r.status, r.body)
	}
	rec := emu.Received()[before]
	if a := rec.Header.Get("Authorization"); !strings.HasPrefix(a, "Bearer ekt_") || len(rec.Header.Values("Authorization")) != 1 {
		t.Errorf("gateway got Authorization %q, want paygate's token", a)
	}
	if rec.Header.Get("merchantAccessKey") != "ek_pt_access" {
		t.Errorf("merchantAccessKey %q", rec.Header.Get("merchantAccessKey"))
	}

	// EnKash forgets every token: the first answer is 117, paygate fetches
	// a new token and retries once; the app sees only the success.
	emu.RevokeAll()
	calls, before := emu.TokenCalls(), len(emu.Received())
	r = fetch()
	if r.status != http.StatusOK || json.Unmarshal(r.body, &env) != nil || env.ResponseCode != 0 {
		t.Fatalf("fetch after revocation: %d %s", r.status, r.body)
	}
	var orderCalls int
	for _, rec := range emu.Received()[before:] {
		if strings.HasPrefix(rec.Path, "/api/v0/orders/") {
			orderCalls++
		}
	}
	if emu.TokenCalls()-calls != 1 || orderCalls != 2 {
		t.Errorf("after revocation: %d token calls, %d order calls; want 1 and 2", emu.TokenCalls()-calls, orderCalls)
	}
}

// The official Razorpay Go SDK, configured with a placeholder key and its
// base URL pointed at the passthrough route, fetches an order the gateway
// holds; a call outside the allow-list fails and never reaches the gateway.
func TestPassthroughRazorpaySDK(t *testing.T) {
	startPassthrough(t)
	emu := mustEmulator(t, "rzp-pt")
	r := call(t, "POST", url(9940, "/razorpay/orders"), `{"order_id":"PT-SDK-1","amount":"49.99","currency":"INR","metadata":{"cart":"7"}}`)
	if r.status != http.StatusCreated {
		t.Fatalf("canonical create: %d %s", r.status, r.body)
	}
	id, _ := r.json(t)["gateway_order_id"].(string)

	client := razorpay.NewClient("rzp_test_placeholder", "not-the-secret")
	// The SDK builds every URL as BaseURL + "/v1/…" (requests.Request).
	client.Order.Request.BaseURL = url(9940, "/razorpay-native")
	before := len(emu.Received())
	order, err := client.Order.Fetch(id, nil, nil)
	if err != nil {
		t.Fatalf("SDK Order.Fetch: %v", err)
	}
	notes, _ := order["notes"].(map[string]any)
	if order["id"] != id || order["receipt"] != "PT-SDK-1" || order["amount"] != 4999.0 || order["currency"] != "INR" ||
		order["status"] != "created" || notes["cart"] != "7" {
		t.Errorf("SDK order %v", order)
	}
	list, err := client.Order.All(map[string]any{"receipt": "PT-SDK-1"}, nil)
	if err != nil || list["count"] != 1.0 {
		t.Errorf("SDK Order.All: %v %v", list, err)
	}
	rec := emu.Received()[before:]
	if len(rec) != 2 {
		t.Fatalf("emulator received %d SDK requests, want 2", len(rec))
	}
	for _, x := range rec {
		if x.Header.Get("Authorization") != basic("rzp_test_pt", rzpSecret) || !strings.HasPrefix(x.Header.Get("User-Agent"), "razorpay-go/") {
			t.Errorf("%s %s: Authorization %q, User-Agent %q", x.Method, x.Path, x.Header.Get("Authorization"), x.Header.Get("User-Agent"))
		}
	}
	// Payments are not on this route's allow-list.
	before = len(emu.Received())
	if _, err := client.Payment.Fetch("pay_PTSDK000000001", nil, nil); err == nil {
		t.Error("SDK Payment.Fetch succeeded on a path that is not allowed")
	}
	if n := len(emu.Received()) - before; n != 0 {
		t.Errorf("a refused SDK call reached the gateway (%d requests)", n)
	}
}

// One log line per native request, with the rule's pattern and never the
// query string, a body or a credential; counters by method and result.
func TestPassthroughLogAndMetrics(t *testing.T) {
	path, _ := startPassthrough(t)
	allowed := map[string]string{"gateway": "razorpay", "method": "GET", "result": "allowed"}
	refused := map[string]string{"gateway": "razorpay", "method": "GET", "result": "refused"}
	refusedOther := map[string]string{"gateway": "razorpay", "method": "OTHER", "result": "refused"}
	a0, r0, o0 := metric(t, "paygate_passthrough_requests_total", allowed), metric(t, "paygate_passthrough_requests_total", refused),
		metric(t, "paygate_passthrough_requests_total", refusedOther)
	mark := fmt.Sprintf("PTLOG%d", time.Now().UnixNano()%1e9)
	call(t, "GET", url(9940, "/razorpay-native/v1/orders?receipt="+mark), "", "Authorization", ptAppAuth)
	call(t, "GET", url(9940, "/razorpay-native/v1/payouts/"+mark), "", "Authorization", ptAppAuth)
	call(t, "POST", url(9940, "/razorpay-native/v1/orders"), `{"receipt":"`+mark+`B","amount":100,"currency":"INR"}`, "Authorization", ptAppAuth)
	call(t, "FROB", url(9940, "/razorpay-native/v1/orders"), "", "Authorization", ptAppAuth)
	if d := metric(t, "paygate_passthrough_requests_total", allowed) - a0; d != 1 {
		t.Errorf("allowed GET moved by %v, want 1", d)
	}
	if d := metric(t, "paygate_passthrough_requests_total", refused) - r0; d != 1 {
		t.Errorf("refused GET moved by %v, want 1", d)
	}
	if d := metric(t, "paygate_passthrough_requests_total", refusedOther) - o0; d != 1 {
		t.Errorf("refused OTHER moved by %v, want 1", d)
	}

	var lines []map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for len(lines) < 4 && time.Now().Before(deadline) {
		lines = passthroughLines(t, path)
		time.Sleep(50 * time.Millisecond)
	}
	if len(lines) != 4 {
		t.Fatalf("%d passthrough log lines, want 4: %v", len(lines), lines)
	}
	want := []map[string]any{
		{"gateway": "razorpay", "method": "GET", "path_pattern": "/v1/orders", "status": 200.0},
		{"gateway": "razorpay", "method": "GET", "path_pattern": "refused", "status": 403.0, "error_type": "forbidden"},
		{"gateway": "razorpay", "method": "POST", "path_pattern": "/v1/orders", "status": 200.0},
		{"gateway": "razorpay", "method": "OTHER", "path_pattern": "refused", "status": 403.0},
	}
	for i, w := range want {
		for k, v := range w {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %v, want %v (%v)", i, k, lines[i][k], v, lines[i])
			}
		}
		if _, ok := lines[i]["duration"]; !ok {
			t.Errorf("line %d has no duration", i)
		}
	}
	raw, _ := os.ReadFile(path)
	for _, leak := range []string{mark, "receipt=", ptAppAuth[len("Basic "):], rzpSecret, basic("rzp_test_pt", rzpSecret)[len("Basic "):]} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("the log contains %q", leak)
		}
	}
}

func passthroughLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []map[string]any
	for _, line := range strings.Split(string(raw), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "passthrough" {
			out = append(out, m)
		}
	}
	return out
}

// A bad allow-list fails the config load, in either form, naming the rule.
func TestPassthroughConfigErrors(t *testing.T) {
	startCaddy(t, ":9945 {\n\trespond ok\n}\n")
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	caddyfile := globalOptions() + `:9945 {
	paygate razorpay {
		key_id     rzp_test_pt
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		passthrough {
			allow GET /v1/orders/ord_*
		}
	}
	reverse_proxy 127.0.0.1:9941
}
`
	line := fmt.Sprintf("Caddyfile:%d", strings.Count(globalOptions(), "\n")+6) // the allow line
	if msg := loadError(t, caddyfile, "text/caddyfile"); !strings.Contains(msg, "whole segment") || !strings.Contains(msg, line) {
		t.Errorf("Caddyfile load error %q, want the rule and its line", msg)
	}
	for _, c := range []struct{ passthrough, want string }{
		{`{"allow":[{"method":"GET","path":"/v1/../payouts"}]}`, "only dots"},
		{`{"allow":[{"method":"CONNECT","path":"/v1/orders"}]}`, `method \"CONNECT\"`},
		{`{}`, "at least one allow rule"},
	} {
		cfg := fmt.Sprintf(`{"admin":{"listen":"localhost:%d"},"apps":{"http":{"servers":{"s":{"listen":[":9945"],
			"routes":[{"handle":[{"handler":"paygate","passthrough":%s,
			"gateway":{"name":"razorpay","key_id":"rzp_test_pt","key_secret":"{env.PAYGATE_IT_RAZORPAY_SECRET}"}}]}]}}}}}`,
			adminPort, c.passthrough)
		if msg := loadError(t, cfg, "application/json"); !strings.Contains(msg, c.want) {
			t.Errorf("JSON %s: load error %q, want %q", c.passthrough, msg, c.want)
		}
	}
}
