package razorpay

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

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
		req, e := Dialect{}.BuildCreate(gatewaytest.MustOrder(t, c.order))
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
		_, e := Dialect{}.BuildCreate(gatewaytest.MustOrder(t, c.order))
		if e == nil || e.Type != transform.InvalidRequest || e.Field != c.field {
			t.Errorf("%.80s: got %v, want invalid_request on %s", c.order, e, c.field)
		}
	}
	// Exactly at the limits is fine.
	ok := `{"order_id":"` + strings.Repeat("r", 40) + `","amount":"10","currency":"INR","metadata":{` + notes(15, strings.Repeat("v", 256)) + `}}`
	if _, e := (Dialect{}).BuildCreate(gatewaytest.MustOrder(t, ok)); e != nil {
		t.Errorf("limits refused: %v", e)
	}
}

func TestRazorpayParseCreate(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	res, e := Dialect{}.ParseCreate(o, 200, gatewaytest.Fixture(t, "razorpay_create_order.json"))
	if e != nil {
		t.Fatal(e)
	}
	want := `{"gateway":"razorpay","order_id":"ORD1001","gateway_order_id":"order_EKwxwAgItmmXdp","status":"created","gateway_status":"created","amount":"105.50","currency":"INR","created_at":"2026-05-22T01:25:00Z"}`
	if got := string(res.JSON()); got != want {
		t.Errorf("result\n got %s\nwant %s", got, want)
	}
	res, e = Dialect{}.ParseCreate(gatewaytest.MustOrder(t, `{"order_id":"12121","amount":"5","currency":"INR"}`), 200, gatewaytest.Published(t, "razorpay/rzpgo_fake_order.json"))
	if e != nil || res.Status != transform.StatusPending || res.Amount != "5.00" || res.CreatedAt != "2014-05-23T06:32:30Z" {
		t.Errorf("attempted order → %+v %v", res, e)
	}
}

func TestRazorpayParseStatus(t *testing.T) {
	// Two orders under one receipt (an account that allowed it): the paid
	// one, although a newer one is listed first.
	res, e := Dialect{}.ParseStatus("ORD-KWD", 200, gatewaytest.Fixture(t, "razorpay_status_two_orders.json"))
	if e != nil {
		t.Fatal(e)
	}
	if res.Status != transform.StatusPaid || res.Amount != "99.990" || res.Currency != "KWD" || res.GatewayOrderID != "order_New0000000001" {
		t.Errorf("status result %+v", res)
	}
	_, e = Dialect{}.ParseStatus("MISSING", 200, []byte(`{"entity":"collection","count":0,"items":[]}`))
	if e == nil || e.Type != transform.OrderNotFound || e.HTTPStatus() != 404 {
		t.Errorf("unknown receipt → %v", e)
	}
	req, e := Dialect{}.BuildStatus("ORD-1_a")
	if e != nil || req.Method != "GET" || req.Path != "/v1/orders" || req.RawQuery != "receipt=ORD-1_a" || req.Body != nil {
		t.Errorf("status request %+v %v", req, e)
	}
}

func TestRazorpayErrorMapping(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	cases := []struct {
		status               int
		body                 []byte
		typ                  transform.ErrorType
		code, message, field string
	}{
		{400, gatewaytest.Published(t, "razorpay/rzpmd_create_failure.json"), transform.GatewayRejected, "BAD_REQUEST_ERROR", "The amount must be at least INR 1.00", "amount"},
		{400, gatewaytest.Published(t, "razorpay/cs_duplicate_receipt_400.json"), transform.DuplicateOrder, "BAD_REQUEST_ERROR", "Order receipt should be unique.", "order_id"},
		{401, gatewaytest.Published(t, "razorpay/rzpmd_fetchall_failure.json"), transform.GatewayAuthenticationFailed, "BAD_REQUEST_ERROR", "The api key provided is invalid", ""},
		{400, gatewaytest.Published(t, "razorpay/rzpmd_fetchall_failure.json"), transform.GatewayAuthenticationFailed, "BAD_REQUEST_ERROR", "The api key provided is invalid", ""},
		{400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The api secret provided is invalid"}}`), transform.GatewayAuthenticationFailed, "BAD_REQUEST_ERROR", "The api secret provided is invalid", ""},
		{401, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Authentication failed"}}`), transform.GatewayAuthenticationFailed, "BAD_REQUEST_ERROR", "Authentication failed", ""},
		// "Authentication failed" under 400 is the payer's (a wrong OTP), not paygate's credentials.
		{400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Authentication failed"}}`), transform.GatewayRejected, "BAD_REQUEST_ERROR", "Authentication failed", ""},
		{400, gatewaytest.Published(t, "razorpay/rzpmd_errors_sample.json"), transform.GatewayRejected, "BAD_REQUEST_ERROR", "Authentication failed due to incorrect otp", ""},
		{400, gatewaytest.Fixture(t, "razorpay_create_error_extra_field.json"), transform.GatewayRejected, "BAD_REQUEST_ERROR", "notes.colour is/are not required and should not be sent", "metadata.colour"},
		{500, gatewaytest.Published(t, "razorpay/rzppy_server_error_500.json"), transform.GatewayError, "SERVER_ERROR", "The server encountered an error. The incident has been reported to admins.", ""},
		{502, []byte(`<html>Bad Gateway</html>`), transform.GatewayError, "", "", ""},
		{400, []byte(`<html>Bad Request</html>`), transform.GatewayError, "", "", ""},
		{200, []byte(`not json`), transform.GatewayError, "", "", ""},
		{200, []byte(`{"entity":"order"}`), transform.GatewayError, "", "", ""},
		{200, []byte(`{"id":"order_1","amount":10.5,"currency":"INR","status":"created"}`), transform.GatewayError, "", "", ""},
	}
	for _, c := range cases {
		_, e := Dialect{}.ParseCreate(o, c.status, c.body)
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
	e := transform.GatewayFailure("razorpay", transform.GatewayRejected, long, long, long)
	for name, v := range map[string]string{"code": e.GatewayCode, "message": e.GatewayMessage, "field": e.Field} {
		if n := len([]rune(v)); n > 301 || n == 0 {
			t.Errorf("%s has %d runes", name, n)
		}
	}
	if len(e.JSON()) > 4096 {
		t.Errorf("error JSON is %d bytes", len(e.JSON()))
	}
}

// unique_receipt: Razorpay answers a repeated receipt with the
// order it holds (the normal result when it is this order, duplicate_order
// when the amount differs) or with a 400 "receipt should be unique".
func TestRazorpayUniqueReceipt(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1","amount":"105.50","currency":"INR"}`)
	req, e := Dialect{}.BuildCreate(o)
	if e != nil || !strings.Contains(string(req.Body), `"unique_receipt":true`) {
		t.Fatalf("body %s %v", req.Body, e)
	}
	existing := `{"id":"order_Old","entity":"order","amount":%d,"amount_paid":0,"amount_due":%[1]d,"currency":"INR","receipt":"ORD1","status":"attempted","attempts":1,"notes":[],"created_at":1779413000}`
	res, e := Dialect{}.ParseCreate(o, 200, fmt.Appendf(nil, existing, 10550))
	if e != nil || res.GatewayOrderID != "order_Old" || res.Status != transform.StatusPending || res.Amount != "105.50" {
		t.Errorf("the same order returned: %+v %v", res, e)
	}
	_, e = Dialect{}.ParseCreate(o, 200, fmt.Appendf(nil, existing, 99900))
	if e == nil || e.Type != transform.DuplicateOrder || e.HTTPStatus() != 409 || !strings.Contains(e.Message, "INR 999.00") || !strings.Contains(e.Message, "INR 105.50") {
		t.Errorf("another amount under the receipt: %v", e)
	}
	_, e = Dialect{}.ParseCreate(o, 400, gatewaytest.Published(t, "razorpay/cs_duplicate_receipt_400.json"))
	if e == nil || e.Type != transform.DuplicateOrder || e.Field != "order_id" {
		t.Errorf("400 receipt should be unique: %v", e)
	}
	_, e = Dialect{}.ParseCreate(o, 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Duplicate receipt","field":"receipt"}}`))
	if e == nil || e.Type != transform.DuplicateOrder {
		t.Errorf("400 duplicate receipt: %v", e)
	}
	// An account that does not take the field is no duplicate.
	_, e = Dialect{}.ParseCreate(o, 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"unique_receipt is/are not required and should not be sent","reason":"extra_field_sent","field":"unique_receipt"}}`))
	if e == nil || e.Type != transform.GatewayRejected {
		t.Errorf("unique_receipt refused as an extra field: %v", e)
	}
}

// Razorpay results carry the public key_id Checkout needs.
func TestRazorpayCheckoutKeyID(t *testing.T) {
	g := Dialect{CheckoutKeyID: "rzp_test_1DP5mmOlF5G5ag"}
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	created, e := g.ParseCreate(o, 200, gatewaytest.Fixture(t, "razorpay_create_order.json"))
	if e != nil {
		t.Fatal(e)
	}
	status, e := g.ParseStatus("ORD-KWD", 200, gatewaytest.Fixture(t, "razorpay_status_two_orders.json"))
	if e != nil {
		t.Fatal(e)
	}
	for op, res := range map[string]*transform.Result{"create": created, "status": status} {
		if res.GatewayDetails["checkout_key_id"] != "rzp_test_1DP5mmOlF5G5ag" || !strings.Contains(string(res.JSON()), `"gateway_details":{"checkout_key_id":"rzp_test_1DP5mmOlF5G5ag"}`) {
			t.Errorf("%s: %s", op, res.JSON())
		}
	}
	if res, _ := (Dialect{}).ParseCreate(o, 200, gatewaytest.Fixture(t, "razorpay_create_order.json")); res.GatewayDetails != nil {
		t.Errorf("no key id configured: %v", res.GatewayDetails)
	}
}

// The request on Razorpay's create-order page is what BuildCreate sends for
// the same order, plus unique_receipt.
func TestPublishedRazorpayCreateRequest(t *testing.T) {
	var want map[string]any
	if err := json.Unmarshal(gatewaytest.Published(t, "razorpay/rzpmd_create_request.json"), &want); err != nil {
		t.Fatal(err)
	}
	want["unique_receipt"] = true
	o := gatewaytest.CodeOrder("receipt#1", "50", "INR")
	o.Metadata = map[string]string{"key1": "value3", "key2": "value2"}
	req, e := Dialect{}.BuildCreate(o)
	if e != nil {
		t.Fatal(e)
	}
	var got map[string]any
	if err := json.Unmarshal(req.Body, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body %s\nwant %v", req.Body, want)
	}
}
