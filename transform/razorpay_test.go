package transform

import (
	"os"
	"strings"
	"testing"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustOrder(t *testing.T, body string) *Order {
	t.Helper()
	o, e := DecodeOrder([]byte(body))
	if e != nil {
		t.Fatalf("DecodeOrder: %v", e)
	}
	return o
}

func TestRazorpayBuildCreate(t *testing.T) {
	cases := []struct{ order, body string }{
		{`{"order_id":"ORD1001","amount":"105.50","currency":"INR","metadata":{"cart":"42","b":"<x&y>/z"}}`,
			`{"amount":10550,"currency":"INR","receipt":"ORD1001","unique_receipt":true,"notes":{"b":"<x&y>/z","cart":"42"}}`},
		{`{"order_id":"J1","amount":5000,"currency":"JPY"}`, `{"amount":5000,"currency":"JPY","receipt":"J1","unique_receipt":true}`},
		{`{"order_id":"K1","amount":"99.99","currency":"KWD"}`, `{"amount":99990,"currency":"KWD","receipt":"K1","unique_receipt":true}`},
		{`{"order_id":"U1","amount":"0.01","currency":"USD"}`, `{"amount":1,"currency":"USD","receipt":"U1","unique_receipt":true}`},
		{`{"order_id":"I1","amount":"100","currency":"INR","customer":{"name":"अजय"}}`, `{"amount":10000,"currency":"INR","receipt":"I1","unique_receipt":true}`},
		// The largest amount a float64 reader keeps exactly: 2^53-1 paise.
		{`{"order_id":"M1","amount":"90071992547409.91","currency":"INR"}`, `{"amount":9007199254740991,"currency":"INR","receipt":"M1","unique_receipt":true}`},
	}
	for _, c := range cases {
		req, e := Razorpay{}.BuildCreate(mustOrder(t, c.order))
		if e != nil {
			t.Fatalf("%s: %v", c.order, e)
		}
		if req.Method != "POST" || req.Path != "/v1/orders" || req.ContentType != "application/json" || req.RawQuery != "" {
			t.Errorf("request line %+v", req)
		}
		if string(req.Body) != c.body {
			t.Errorf("body\n got %s\nwant %s", req.Body, c.body)
		}
	}
}

func TestRazorpayRules(t *testing.T) {
	notes := func(n int, val string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = `"k` + strings.Repeat("x", i) + `":"` + val + `"`
		}
		return strings.Join(parts, ",")
	}
	cases := []struct{ order, field string }{
		{`{"order_id":"K1","amount":"99.991","currency":"KWD"}`, "amount"},
		{`{"order_id":"A1","amount":"10","currency":"INR","metadata":{` + notes(16, "v") + `}}`, "metadata"},
		{`{"order_id":"A1","amount":"10","currency":"INR","metadata":{"k":"` + strings.Repeat("é", 257) + `"}}`, "metadata.k"},
		{`{"order_id":"A1","amount":"10","currency":"INR","metadata":{"` + strings.Repeat("k", 257) + `":"v"}}`, "metadata"},
		{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"partial_payment":true}}`, "gateway_options.partial_payment"},
	}
	for _, c := range cases {
		_, e := Razorpay{}.BuildCreate(mustOrder(t, c.order))
		if e == nil || e.Type != InvalidRequest || e.Field != c.field {
			t.Errorf("%.80s: got %v, want invalid_request on %s", c.order, e, c.field)
		}
	}
	// Exactly at the limits is fine.
	ok := `{"order_id":"` + strings.Repeat("r", 40) + `","amount":"10","currency":"INR","metadata":{` + notes(15, strings.Repeat("v", 256)) + `}}`
	if _, e := (Razorpay{}).BuildCreate(mustOrder(t, ok)); e != nil {
		t.Errorf("limits refused: %v", e)
	}
}

func TestRazorpayParseCreate(t *testing.T) {
	o := mustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	res, e := Razorpay{}.ParseCreate(o, 200, fixture(t, "razorpay_order.json"))
	if e != nil {
		t.Fatal(e)
	}
	want := `{"gateway":"razorpay","order_id":"ORD1001","gateway_order_id":"order_EKwxwAgItmmXdp","status":"created","gateway_status":"created","amount":"105.50","currency":"INR","created_at":"2026-05-22T01:25:00Z"}`
	if got := string(res.JSON()); got != want {
		t.Errorf("result\n got %s\nwant %s", got, want)
	}
	res, e = Razorpay{}.ParseCreate(mustOrder(t, `{"order_id":"12121","amount":"5","currency":"INR"}`), 200, published(t, "razorpay/rzpgo_fake_order.json"))
	if e != nil || res.Status != StatusPending || res.Amount != "5.00" || res.CreatedAt != "2014-05-23T06:32:30Z" {
		t.Errorf("attempted order → %+v %v", res, e)
	}
}

func TestRazorpayParseStatus(t *testing.T) {
	// Two orders under one receipt (an account that allowed it): the paid
	// one, although a newer one is listed first.
	res, e := Razorpay{}.ParseStatus("ORD-KWD", 200, fixture(t, "razorpay_collection.json"))
	if e != nil {
		t.Fatal(e)
	}
	if res.Status != StatusPaid || res.Amount != "99.990" || res.Currency != "KWD" || res.GatewayOrderID != "order_New0000000001" {
		t.Errorf("status result %+v", res)
	}
	_, e = Razorpay{}.ParseStatus("MISSING", 200, []byte(`{"entity":"collection","count":0,"items":[]}`))
	if e == nil || e.Type != OrderNotFound || e.HTTPStatus() != 404 {
		t.Errorf("unknown receipt → %v", e)
	}
	req, e := Razorpay{}.BuildStatus("ORD-1_a")
	if e != nil || req.Method != "GET" || req.Path != "/v1/orders" || req.RawQuery != "receipt=ORD-1_a" || req.Body != nil {
		t.Errorf("status request %+v %v", req, e)
	}
}

func TestRazorpayErrorMapping(t *testing.T) {
	o := mustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	cases := []struct {
		status               int
		body                 []byte
		typ                  ErrorType
		code, message, field string
	}{
		{400, published(t, "razorpay/rzpmd_create_failure.json"), GatewayRejected, "BAD_REQUEST_ERROR", "The amount must be at least INR 1.00", "amount"},
		{400, published(t, "razorpay/cs_duplicate_receipt_400.json"), DuplicateOrder, "BAD_REQUEST_ERROR", "Order receipt should be unique.", "order_id"},
		{401, published(t, "razorpay/rzpmd_fetchall_failure.json"), GatewayAuthenticationFailed, "BAD_REQUEST_ERROR", "The api key provided is invalid", ""},
		{400, published(t, "razorpay/rzpmd_fetchall_failure.json"), GatewayAuthenticationFailed, "BAD_REQUEST_ERROR", "The api key provided is invalid", ""},
		{400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The api secret provided is invalid"}}`), GatewayAuthenticationFailed, "BAD_REQUEST_ERROR", "The api secret provided is invalid", ""},
		{401, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Authentication failed"}}`), GatewayAuthenticationFailed, "BAD_REQUEST_ERROR", "Authentication failed", ""},
		// "Authentication failed" under 400 is the payer's (a wrong OTP), not paygate's credentials.
		{400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Authentication failed"}}`), GatewayRejected, "BAD_REQUEST_ERROR", "Authentication failed", ""},
		{400, published(t, "razorpay/rzpmd_errors_sample.json"), GatewayRejected, "BAD_REQUEST_ERROR", "Authentication failed due to incorrect otp", ""},
		{400, fixture(t, "razorpay_error_extra_field.json"), GatewayRejected, "BAD_REQUEST_ERROR", "notes.colour is/are not required and should not be sent", "metadata.colour"},
		{500, published(t, "razorpay/rzppy_server_error_500.json"), GatewayError, "SERVER_ERROR", "The server encountered an error. The incident has been reported to admins.", ""},
		{502, []byte(`<html>Bad Gateway</html>`), GatewayError, "", "", ""},
		{400, []byte(`<html>Bad Request</html>`), GatewayError, "", "", ""},
		{200, []byte(`not json`), GatewayError, "", "", ""},
		{200, []byte(`{"entity":"order"}`), GatewayError, "", "", ""},
		{200, []byte(`{"id":"order_1","amount":10.5,"currency":"INR","status":"created"}`), GatewayError, "", "", ""},
	}
	for _, c := range cases {
		_, e := Razorpay{}.ParseCreate(o, c.status, c.body)
		if e == nil {
			t.Errorf("%d %.40s: no error", c.status, c.body)
			continue
		}
		if e.Type != c.typ || e.GatewayCode != c.code || e.GatewayMessage != c.message || e.Field != c.field || e.Gateway != "razorpay" {
			t.Errorf("%d %.60s:\n got %+v\nwant type %s code %q message %q field %q", c.status, c.body, e, c.typ, c.code, c.message, c.field)
		}
	}
}

// Gateway text relayed to the application is bounded, however long the
// gateway's code, message or field name.
func TestGatewayFailureClips(t *testing.T) {
	long := strings.Repeat("é", 5000)
	e := GatewayFailure("razorpay", GatewayRejected, long, long, long)
	for name, v := range map[string]string{"code": e.GatewayCode, "message": e.GatewayMessage, "field": e.Field} {
		if n := len([]rune(v)); n > 301 || n == 0 {
			t.Errorf("%s has %d runes", name, n)
		}
	}
	if len(e.JSON()) > 4096 {
		t.Errorf("error JSON is %d bytes", len(e.JSON()))
	}
}
