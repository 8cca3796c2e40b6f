package tests

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

// razorpayCaddyfile runs paygate in front of the Razorpay emulator, plus
// routes whose upstream misbehaves in one precise way each.
func razorpayCaddyfile(slowUpstream, htmlUpstream string) string {
	return fmt.Sprintf(`
:9080 {
	handle /razorpay/* {
		paygate razorpay {
			key_id     rzp_test_it
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
			max_body   2KiB
		}
		reverse_proxy 127.0.0.1:9081
	}
	handle /badkey/* {
		paygate razorpay {
			key_id     rzp_test_it
			key_secret not-the-secret
		}
		reverse_proxy 127.0.0.1:9081
	}
	handle /down/* {
		paygate razorpay {
			key_id     rzp_test_it
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		}
		reverse_proxy 127.0.0.1:9089
	}
	handle /slow/* {
		paygate razorpay {
			key_id     rzp_test_it
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		}
		reverse_proxy %s {
			transport http {
				response_header_timeout 300ms
			}
		}
	}
	handle /html/* {
		paygate razorpay {
			key_id     rzp_test_it
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		}
		reverse_proxy %s
	}
}

:9081 {
	paygate_emulator razorpay {
		instance   rzp-it
		key_id     rzp_test_it
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}
`, slowUpstream, htmlUpstream)
}

const rzpSecret = "it_secret_4f9c2a"

func startRazorpay(t *testing.T) *emulator.Razorpay {
	t.Helper()
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "<html><body><h1>500 Internal Server Error</h1></body></html>")
	}))
	t.Cleanup(html.Close)
	startCaddy(t, razorpayCaddyfile(strings.TrimPrefix(slow.URL, "http://"), strings.TrimPrefix(html.URL, "http://")))
	emu := freshEmulator(t, "rzp-it").(*emulator.Razorpay)
	return emu
}

const rzpOrder = `{
	"order_id": "ORD1001",
	"amount": "105.50",
	"currency": "INR",
	"description": "2 x notebook",
	"customer": {"name": "Ajay Kumar", "email": "ajay@example.com", "phone": "9816512345"},
	"metadata": {"cart": "42"}
}`

func TestRazorpayCreateAndStatus(t *testing.T) {
	emu := startRazorpay(t)

	// The application tries to smuggle credentials; none may reach the gateway.
	r := call(t, "POST", url(9080, "/razorpay/orders"), rzpOrder,
		"Authorization", "Basic ZXZpbDpldmls", "X-Api-Key", "evil", "Accept-Encoding", "gzip")
	if r.status != http.StatusCreated {
		t.Fatalf("create: status %d, body %s", r.status, r.body)
	}
	res := r.json(t)
	for k, want := range map[string]any{
		"gateway": "razorpay", "order_id": "ORD1001", "status": "created", "gateway_status": "created",
		"amount": "105.50", "currency": "INR",
	} {
		if res[k] != want {
			t.Errorf("result %s = %v, want %v", k, res[k], want)
		}
	}
	if id, _ := res["gateway_order_id"].(string); !strings.HasPrefix(id, "order_") {
		t.Errorf("gateway_order_id = %v", res["gateway_order_id"])
	}
	if ts, _ := res["created_at"].(string); !strings.HasSuffix(ts, "Z") {
		t.Errorf("created_at = %v, want RFC 3339 UTC", res["created_at"])
	}
	if _, ok := res["payment_url"]; ok {
		t.Errorf("razorpay has no payment_url, got %v", res["payment_url"])
	}
	if r.header.Get("Content-Encoding") != "" {
		t.Errorf("canonical answer must not carry the gateway's encoding: %v", r.header)
	}

	got := emu.Received()
	if len(got) != 1 {
		t.Fatalf("emulator received %d requests, want 1", len(got))
	}
	rec := got[0]
	if rec.Method != "POST" || rec.Path != "/v1/orders" {
		t.Errorf("upstream request %s %s", rec.Method, rec.Path)
	}
	wantBody := `{"amount":10550,"currency":"INR","receipt":"ORD1001","unique_receipt":true,"notes":{"cart":"42"}}`
	if string(rec.Body) != wantBody {
		t.Errorf("upstream body\n got %s\nwant %s", rec.Body, wantBody)
	}
	wantAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("rzp_test_it:"+rzpSecret))
	if a := rec.Header.Values("Authorization"); len(a) != 1 || a[0] != wantAuth {
		t.Errorf("upstream Authorization = %v, want paygate's credentials only", a)
	}
	if v := rec.Header.Get("X-Api-Key"); v != "" {
		t.Errorf("application header X-Api-Key reached the gateway: %q", v)
	}

	// Status: created, then paid once the customer pays.
	r = call(t, "GET", url(9080, "/razorpay/orders/ORD1001"), "")
	if r.status != http.StatusOK || r.json(t)["status"] != "created" {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	if q := emu.Received()[1].Query; q != "receipt=ORD1001" {
		t.Errorf("status query = %q", q)
	}
	emu.SetStatus("ORD1001", "paid")
	r = call(t, "GET", url(9080, "/razorpay/orders/ORD1001/"), "")
	if res := r.json(t); r.status != http.StatusOK || res["status"] != "paid" || res["amount"] != "105.50" {
		t.Fatalf("status after payment: %d %s", r.status, r.body)
	}
}

func TestRazorpayCurrencies(t *testing.T) {
	emu := startRazorpay(t)
	for _, c := range []struct {
		id, amount, currency, wire, canonical string
	}{
		{"JPY-1", `"5000"`, "JPY", `"amount":5000`, "5000"},
		{"KWD-1", `"99.990"`, "KWD", `"amount":99990`, "99.990"},
		{"USD-1", `12.5`, "USD", `"amount":1250`, "12.50"},
	} {
		body := fmt.Sprintf(`{"order_id":%q,"amount":%s,"currency":%q}`, c.id, c.amount, c.currency)
		r := call(t, "POST", url(9080, "/razorpay/orders"), body)
		if r.status != http.StatusCreated {
			t.Fatalf("%s: %d %s", c.id, r.status, r.body)
		}
		if got := r.json(t)["amount"]; got != c.canonical {
			t.Errorf("%s: canonical amount %v, want %s", c.id, got, c.canonical)
		}
		rec := emu.Received()
		if last := string(rec[len(rec)-1].Body); !strings.Contains(last, c.wire) {
			t.Errorf("%s: wire body %s lacks %s", c.id, last, c.wire)
		}
		if strings.Contains(string(rec[len(rec)-1].Body), `"notes"`) {
			t.Errorf("%s: empty metadata must not send notes", c.id)
		}
	}
}

// Every canonical error that applies to Razorpay, through Caddy.
func TestRazorpayErrors(t *testing.T) {
	emu := startRazorpay(t)

	t.Run("invalid_request never reaches the gateway", func(t *testing.T) {
		cases := []struct{ body, field string }{
			{`{"order_id":"A1","amount":"10.505","currency":"INR"}`, "amount"},
			{`{"order_id":"A1","amount":"10","currency":"INR","colour":"red"}`, "colour"},
			{`{"order_id":"A1","amount":"10","currency":"INR","customer":{"nmae":"x"}}`, "customer.nmae"},
			{`{"order_id":"A1","amount":"10.005","currency":"KWD"}`, "amount"},
			{`{"order_id":"A 1","amount":"10","currency":"INR"}`, "order_id"},
			{`{"order_id":"A1","amount":"1e3","currency":"INR"}`, "amount"},
			{`{"order_id":"A1","amount":"10","currency":"inr"}`, "currency"},
			{`{"order_id":"A1","amount":"10","currency":"INR","metadata":{"k":"` + strings.Repeat("x", 257) + `"}}`, "metadata.k"},
			{`{"order_id":"A1","amount":"10","currency":"INR","metadata":{` + manyNotes(16) + `}}`, "metadata"},
			{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"x":1}}`, "gateway_options.x"},
			{`{"order_id":"A1","amount":"10","currency":"INR"} {}`, ""},
			{`{"order_id":"A1","amount":true,"currency":"INR"}`, "amount"},
		}
		for _, c := range cases {
			r := call(t, "POST", url(9080, "/razorpay/orders"), c.body)
			e := r.canonicalError(t, 400, "invalid_request")
			if c.field != "" && e["field"] != c.field {
				t.Errorf("%s: field = %v, want %s", c.body, e["field"], c.field)
			}
		}
		if n := len(emu.Received()); n != 0 {
			t.Errorf("gateway was called %d times for invalid requests", n)
		}
	})

	t.Run("unsupported_media_type", func(t *testing.T) {
		r := call(t, "POST", url(9080, "/razorpay/orders"), rzpOrder, "Content-Type", "text/plain")
		r.canonicalError(t, 415, "unsupported_media_type")
	})

	t.Run("request_too_large", func(t *testing.T) {
		big := `{"order_id":"B1","amount":"10","currency":"INR","description":"` + strings.Repeat("x", 4096) + `"}`
		r := call(t, "POST", url(9080, "/razorpay/orders"), big)
		r.canonicalError(t, 413, "request_too_large")
	})

	t.Run("not_found and method_not_allowed", func(t *testing.T) {
		call(t, "GET", url(9080, "/razorpay/refunds"), "").canonicalError(t, 404, "not_found")
		r := call(t, "GET", url(9080, "/razorpay/orders"), "")
		r.canonicalError(t, 405, "method_not_allowed")
		if r.header.Get("Allow") != "POST" {
			t.Errorf("Allow = %q", r.header.Get("Allow"))
		}
		call(t, "DELETE", url(9080, "/razorpay/orders/ORD1"), "").canonicalError(t, 405, "method_not_allowed")
	})

	if n := len(emu.Received()); n != 0 {
		t.Fatalf("gateway was called %d times for requests paygate must refuse", n)
	}

	t.Run("duplicate_order", func(t *testing.T) {
		// The receipt is already used at the gateway (unique_receipt makes
		// Razorpay answer with the existing order). Another amount: not ours.
		seedRazorpay(t, emu, "DUP-1")
		r := call(t, "POST", url(9080, "/razorpay/orders"), `{"order_id":"DUP-1","amount":"20","currency":"INR"}`)
		e := r.canonicalError(t, 409, "duplicate_order")
		if e["gateway"] != "razorpay" || e["field"] != "order_id" || !strings.Contains(e["message"].(string), "10.00 INR") {
			t.Errorf("duplicate error %v", e)
		}
		// The same amount and currency: an earlier attempt's order, answered as ours.
		seedRazorpay(t, emu, "DUP-2")
		r = call(t, "POST", url(9080, "/razorpay/orders"), `{"order_id":"DUP-2","amount":"10","currency":"INR"}`)
		if r.status != 201 || r.json(t)["order_id"] != "DUP-2" {
			t.Errorf("same order under a used receipt: %d %s", r.status, r.body)
		}
	})

	t.Run("gateway_rejected keeps the gateway's words", func(t *testing.T) {
		r := call(t, "POST", url(9080, "/razorpay/orders"), `{"order_id":"MIN-1","amount":"0.50","currency":"USD"}`)
		e := r.canonicalError(t, 422, "gateway_rejected")
		if e["gateway_code"] != "BAD_REQUEST_ERROR" || e["gateway_message"] != "The amount must be at least USD 1.00" || e["field"] != "amount" {
			t.Errorf("rejection %v", e)
		}
	})

	t.Run("order_not_found", func(t *testing.T) {
		call(t, "GET", url(9080, "/razorpay/orders/NOPE-1"), "").canonicalError(t, 404, "order_not_found")
	})

	t.Run("gateway_authentication_failed", func(t *testing.T) {
		r := call(t, "POST", url(9080, "/badkey/orders"), `{"order_id":"AUTH-1","amount":"10","currency":"INR"}`)
		e := r.canonicalError(t, 502, "gateway_authentication_failed")
		if strings.Contains(string(r.body), "not-the-secret") {
			t.Errorf("error leaks the configured secret: %s", r.body)
		}
		if e["gateway_message"] != "The api secret provided is invalid" {
			t.Errorf("auth error %v", e)
		}
	})

	t.Run("gateway_error on an HTML 500", func(t *testing.T) {
		call(t, "POST", url(9080, "/html/orders"), orderWithID("HTML-1")).canonicalError(t, 502, "gateway_error")
	})

	t.Run("gateway_unavailable when nothing listens", func(t *testing.T) {
		call(t, "POST", url(9080, "/down/orders"), orderWithID("DOWN-1")).canonicalError(t, 503, "gateway_unavailable")
	})

	t.Run("gateway_timeout", func(t *testing.T) {
		call(t, "POST", url(9080, "/slow/orders"), orderWithID("SLOW-1")).canonicalError(t, 504, "gateway_timeout")
	})
}

// orderWithID is rzpOrder under another order id: paygate replays answers
// per order id, so each scenario needs its own.
func orderWithID(id string) string {
	return strings.Replace(rzpOrder, `"ORD1001"`, strconv.Quote(id), 1)
}

func manyNotes(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"k%d":"v"`, i)
	}
	return strings.Join(parts, ",")
}

// seedRazorpay creates an order directly at the emulator, as another client would.
func seedRazorpay(t *testing.T, emu *emulator.Razorpay, receipt string) {
	t.Helper()
	req := httptest.NewRequest("POST", "/v1/orders", strings.NewReader(fmt.Sprintf(`{"amount":1000,"currency":"INR","receipt":%q}`, receipt)))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("rzp_test_it", rzpSecret)
	w := httptest.NewRecorder()
	emu.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("seeding the emulator: %d %s", w.Code, w.Body)
	}
}
