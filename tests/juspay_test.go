package tests

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

// juspayCaddyfile runs paygate in front of the Juspay emulator, with routes
// whose configuration is wrong in one way each.
const juspayCaddyfile = `
:9280 {
	handle /juspay/* {
		paygate juspay {
			api_key     {env.PAYGATE_IT_JUSPAY_KEY}
			merchant_id paygate_it
		}
		reverse_proxy 127.0.0.1:9281
	}
	handle /badkey/* {
		paygate juspay {
			api_key     not-the-key
			merchant_id paygate_it
		}
		reverse_proxy 127.0.0.1:9281
	}
	handle /badmerchant/* {
		paygate juspay {
			api_key     {env.PAYGATE_IT_JUSPAY_KEY}
			merchant_id someone_else
		}
		reverse_proxy 127.0.0.1:9281
	}
	handle /oldversion/* {
		paygate juspay {
			api_key     {env.PAYGATE_IT_JUSPAY_KEY}
			merchant_id paygate_it
			version     2018-10-25
		}
		reverse_proxy 127.0.0.1:9281
	}
}

:9281 {
	paygate_emulator juspay {
		instance    juspay-it
		api_key     {env.PAYGATE_IT_JUSPAY_KEY}
		merchant_id paygate_it
		version     2023-01-01
	}
}
`

const juspayKey = "1D6AFDC8EA649E9A21C3E5406AC0FB"

func startJuspay(t *testing.T) *emulator.Juspay {
	t.Helper()
	t.Setenv("PAYGATE_IT_JUSPAY_KEY", juspayKey)
	startCaddy(t, juspayCaddyfile)
	return freshEmulator(t, "juspay-it").(*emulator.Juspay)
}

const juspayOrder = `{
	"order_id": "ORD-1001",
	"amount": "105.5",
	"currency": "INR",
	"description": "2 x notebook",
	"customer": {"id": "cust-7", "name": "Ajay Kumar", "email": "ajay@example.com", "phone": "9816512345"},
	"billing_address": {"line1": "12 MG Road", "city": "Bengaluru", "postal_code": "560001"},
	"return_url": "https://shop.example.com/return",
	"notify_url": "https://shop.example.com/events?src=juspay",
	"metadata": {"cart": "42", "note": "gift wrap"}
}`

// juspayExpectHeaders checks what the emulator saw: paygate's credentials and
// nothing the application sent.
func juspayExpectHeaders(t *testing.T, rec emulator.Received, routing string) {
	t.Helper()
	want := map[string]string{
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(juspayKey+":")),
		"X-Merchantid":  "paygate_it",
		"Version":       "2023-01-01",
		"X-Routing-Id":  routing,
	}
	for k, v := range want {
		if got := rec.Header.Values(k); len(got) != 1 || got[0] != v {
			t.Errorf("upstream %s = %q, want %q", k, got, v)
		}
	}
	if v := rec.Header.Get("X-Api-Key"); v != "" {
		t.Errorf("application header X-Api-Key reached the gateway: %q", v)
	}
}

func TestJuspayCreateAndStatus(t *testing.T) {
	emu := startJuspay(t)

	// The application tries to smuggle credentials and Juspay headers.
	r := call(t, "POST", url(9280, "/juspay/orders"), juspayOrder,
		"Authorization", "Basic ZXZpbDo=", "X-Merchantid", "evil", "Version", "1999-01-01",
		"X-Routing-Id", "evil", "X-Api-Key", "evil")
	if r.status != http.StatusCreated {
		t.Fatalf("create: status %d, body %s", r.status, r.body)
	}
	res := r.json(t)
	id, _ := res["gateway_order_id"].(string)
	if !strings.HasPrefix(id, "ordeu_") {
		t.Fatalf("gateway_order_id = %v", res["gateway_order_id"])
	}
	links := "https://sandbox.juspay.in/merchant/"
	// Juspay's short answer has no creation time: created_at is the
	// gateway's clock from its Date header.
	createdAt, _ := res["created_at"].(string)
	if ts, err := time.Parse(time.RFC3339, createdAt); err != nil || time.Since(ts) > time.Minute || !strings.HasSuffix(createdAt, "Z") {
		t.Errorf("created_at %q is not the gateway's recent UTC time", createdAt)
	}
	want := compact(t, fmt.Sprintf(`{"gateway":"juspay","order_id":"ORD-1001","gateway_order_id":%q,"status":"created",
		"gateway_status":"CREATED","amount":"105.50","currency":"INR","payment_url":"%spay/%s","created_at":%q,
		"gateway_details":{"payment_url_iframe":"%sipay/%s","payment_url_mobile":"%spay/%s?mobile=true"}}`,
		id, links, id, createdAt, links, id, links, id))
	if string(r.body) != want {
		t.Errorf("create answer\n got %s\nwant %s", r.body, want)
	}

	got := emu.Received()
	if len(got) != 1 {
		t.Fatalf("emulator received %d requests, want 1", len(got))
	}
	rec := got[0]
	if rec.Method != "POST" || rec.Path != "/orders" || rec.Query != "" {
		t.Errorf("upstream request %s %s?%s", rec.Method, rec.Path, rec.Query)
	}
	if ct := rec.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("upstream Content-Type %q", ct)
	}
	wantBody := "amount=105.50&billing_address_city=Bengaluru&billing_address_first_name=Ajay" +
		"&billing_address_last_name=Kumar&billing_address_line1=12+MG+Road&billing_address_postal_code=560001" +
		"&currency=INR&customer_email=ajay%40example.com&customer_id=cust-7&customer_phone=9816512345" +
		"&description=2+x+notebook&first_name=Ajay&last_name=Kumar" +
		"&metadata.webhook_url=https%3A%2F%2Fshop.example.com%2Fevents%3Fsrc%3Djuspay" +
		"&order_id=ORD-1001&return_url=https%3A%2F%2Fshop.example.com%2Freturn&udf1=42&udf6=gift+wrap"
	if string(rec.Body) != wantBody {
		t.Errorf("upstream body\n got %s\nwant %s", rec.Body, wantBody)
	}
	juspayExpectHeaders(t, rec, "cust-7")

	// Status: NEW with the full order, then paid, then failed.
	r = call(t, "GET", url(9280, "/juspay/orders/ORD-1001"), "", "Authorization", "Basic ZXZpbDo=")
	res = r.json(t)
	if r.status != http.StatusOK || res["status"] != "created" || res["gateway_status"] != "NEW" ||
		res["amount"] != "105.50" || res["currency"] != "INR" || res["gateway_order_id"] != id {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	if ts, _ := res["created_at"].(string); !strings.HasSuffix(ts, "Z") {
		t.Errorf("created_at = %v, want RFC 3339 UTC", res["created_at"])
	}
	rec = emu.Received()[1]
	if rec.Method != "GET" || rec.Path != "/orders/ORD-1001" || rec.Query != "" || len(rec.Body) != 0 {
		t.Errorf("status request %s %s?%s body %q", rec.Method, rec.Path, rec.Query, rec.Body)
	}
	juspayExpectHeaders(t, rec, "ORD-1001")

	for _, c := range []struct {
		word   string
		id     int
		status string
	}{{"CHARGED", 21, "paid"}, {"AUTHORIZATION_FAILED", 27, "failed"}, {"PENDING_VBV", 23, "pending"}} {
		if !emu.SetStatus("ORD-1001", c.word, c.id) {
			t.Fatal("SetStatus: no such order")
		}
		r = call(t, "GET", url(9280, "/juspay/orders/ORD-1001/"), "")
		if res := r.json(t); r.status != http.StatusOK || res["status"] != c.status || res["gateway_status"] != c.word || res["amount"] != "105.50" {
			t.Errorf("status after %s: %d %s", c.word, r.status, r.body)
		}
	}
}

// get_client_auth_token asks for the full NEW/10 answer with an SDK token.
func TestJuspayClientAuthToken(t *testing.T) {
	emu := startJuspay(t)
	start := time.Now().UTC().Truncate(time.Second)
	r := call(t, "POST", url(9280, "/juspay/orders"),
		`{"order_id":"TOK_1","amount":250,"currency":"INR","gateway_options":{"get_client_auth_token":true,"product_id":"prod-1"}}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	res := r.json(t)
	if res["status"] != "created" || res["gateway_status"] != "NEW" || res["amount"] != "250.00" || res["currency"] != "INR" {
		t.Errorf("create answer %s", r.body)
	}
	created, err := time.Parse(time.RFC3339, fmt.Sprint(res["created_at"]))
	if err != nil || created.Before(start) || !strings.HasSuffix(fmt.Sprint(res["created_at"]), "Z") {
		t.Errorf("created_at = %v", res["created_at"])
	}
	d, _ := res["gateway_details"].(map[string]any)
	if tok, _ := d["client_auth_token"].(string); !strings.HasPrefix(tok, "tkn_") {
		t.Errorf("client_auth_token = %v", d["client_auth_token"])
	}
	if exp, err := time.Parse(time.RFC3339, fmt.Sprint(d["client_auth_token_expiry"])); err != nil || !exp.After(created) {
		t.Errorf("client_auth_token_expiry = %v", d["client_auth_token_expiry"])
	}
	if d["payment_url_mobile"] == nil || d["payment_url_iframe"] == nil {
		t.Errorf("gateway_details %v", d)
	}
	body := string(emu.Received()[0].Body)
	if body != "amount=250.00&currency=INR&options.get_client_auth_token=true&order_id=TOK_1&product_id=prod-1" {
		t.Errorf("upstream body %s", body)
	}
	juspayExpectHeaders(t, emu.Received()[0], "TOK_1")
}

func TestJuspayErrors(t *testing.T) {
	emu := startJuspay(t)

	t.Run("invalid_request never reaches the gateway", func(t *testing.T) {
		md := func(n int, val string) string {
			parts := make([]string, n)
			for i := range parts {
				parts[i] = fmt.Sprintf(`"k%d":%q`, i, val)
			}
			return `"metadata":{` + strings.Join(parts, ",") + `}`
		}
		cases := []struct{ body, field string }{
			{`{"order_id":"ORDER-123456789012345","amount":"10","currency":"INR"}`, "order_id"},
			{`{"order_id":"A1","amount":"10.505","currency":"INR"}`, "amount"},
			{`{"order_id":"A1","amount":"10.500","currency":"KWD"}`, "currency"},
			{`{"order_id":"A1","amount":"10","currency":"INR","return_url":"https://shop.example.com/r?order=A1"}`, "return_url"},
			{`{"order_id":"A1","amount":"10","currency":"INR","return_url":"https://203.0.113.9/r"}`, "return_url"},
			{`{"order_id":"A1","amount":"10","currency":"INR",` + md(11, "v") + `}`, "metadata"},
			{`{"order_id":"A1","amount":"10","currency":"INR",` + md(6, "a-b") + `}`, "metadata"},
			{`{"order_id":"A1","amount":"10","currency":"INR","metadata":{"udf2":"a b"}}`, "metadata.udf2"},
			{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"service_type":"DIGITAL"}}`, "gateway_options.service_type"},
			{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"get_client_auth_token":"yes"}}`, "gateway_options.get_client_auth_token"},
		}
		for _, c := range cases {
			r := call(t, "POST", url(9280, "/juspay/orders"), c.body)
			e := r.canonicalError(t, 400, "invalid_request")
			if e["field"] != c.field {
				t.Errorf("%s: field = %v, want %s", c.body, e["field"], c.field)
			}
		}
		r := call(t, "GET", url(9280, "/juspay/orders/ORDER-123456789012345"), "")
		if e := r.canonicalError(t, 400, "invalid_request"); e["field"] != "order_id" {
			t.Errorf("status of an overlong id: %v", e)
		}
		if n := len(emu.Received()); n != 0 {
			t.Errorf("gateway was called %d times for invalid requests", n)
		}
	})

	t.Run("duplicate_order", func(t *testing.T) {
		// Another client already used the order id at the gateway.
		// The refusal is checked: another amount under the id is not ours.
		seedJuspay(t, emu, "DUP-1")
		r := call(t, "POST", url(9280, "/juspay/orders"), `{"order_id":"DUP-1","amount":"20","currency":"INR"}`)
		e := r.canonicalError(t, 409, "duplicate_order")
		if e["gateway"] != "juspay" || e["gateway_code"] != "ALREADY_EXISTS" || e["gateway_message"] != "Order already exists" || e["field"] != "order_id" {
			t.Errorf("duplicate error %v", e)
		}
		// The same amount and currency: an earlier attempt created it.
		seedJuspay(t, emu, "DUP-2")
		r = call(t, "POST", url(9280, "/juspay/orders"), `{"order_id":"DUP-2","amount":"10","currency":"INR"}`)
		if r.status != 201 || r.json(t)["order_id"] != "DUP-2" {
			t.Errorf("same order under a used id: %d %s", r.status, r.body)
		}
	})

	t.Run("gateway_rejected keeps the gateway's words", func(t *testing.T) {
		r := call(t, "POST", url(9280, "/juspay/orders"), `{"order_id":"MIN-1","amount":"0.50","currency":"INR"}`)
		e := r.canonicalError(t, 422, "gateway_rejected")
		if e["gateway_code"] != "INVALID_REQUEST" || e["gateway_message"] != "Amount should be at least 1" || e["field"] != "amount" {
			t.Errorf("rejection %v", e)
		}
		// A version the account does not use is the gateway's refusal too.
		r = call(t, "POST", url(9280, "/oldversion/orders"), `{"order_id":"VER-1","amount":"10","currency":"INR"}`)
		if e := r.canonicalError(t, 422, "gateway_rejected"); e["gateway_message"] != "Invalid version header" {
			t.Errorf("version rejection %v", e)
		}
		if v := emu.Received()[len(emu.Received())-1].Header.Get("Version"); v != "2018-10-25" {
			t.Errorf("configured version not sent: %q", v)
		}
	})

	t.Run("order_not_found", func(t *testing.T) {
		e := call(t, "GET", url(9280, "/juspay/orders/NOPE-1"), "").canonicalError(t, 404, "order_not_found")
		if e["gateway_code"] != "RESOURCE_NOT_FOUND" {
			t.Errorf("not found error %v", e)
		}
	})

	t.Run("gateway_authentication_failed", func(t *testing.T) {
		for _, route := range []string{"/badkey/orders", "/badmerchant/orders"} {
			r := call(t, "POST", url(9280, route), `{"order_id":"AUTH-1","amount":"10","currency":"INR"}`)
			e := r.canonicalError(t, 502, "gateway_authentication_failed")
			if e["gateway_code"] != "access_denied" {
				t.Errorf("%s: auth error %v", route, e)
			}
			if strings.Contains(string(r.body), "not-the-key") || strings.Contains(string(r.body), juspayKey) {
				t.Errorf("%s: error leaks a key: %s", route, r.body)
			}
		}
		call(t, "GET", url(9280, "/badkey/orders/AUTH-1"), "").canonicalError(t, 502, "gateway_authentication_failed")
	})
}

// seedJuspay creates an order directly at the emulator, as another client would.
func seedJuspay(t *testing.T, emu *emulator.Juspay, orderID string) {
	t.Helper()
	req := httptest.NewRequest("POST", "/orders", strings.NewReader("amount=10.00&order_id="+orderID))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("x-merchantid", "paygate_it")
	req.Header.Set("version", "2023-01-01")
	req.SetBasicAuth(juspayKey, "")
	w := httptest.NewRecorder()
	emu.ServeHTTP(w, req)
	if w.Code != 200 {
		t.Fatalf("seeding the emulator: %d %s", w.Code, w.Body)
	}
}
