package enkash

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func TestEnKashBuildCreateWireBody(t *testing.T) {
	cases := []struct {
		name, order, want string
	}{
		{
			name: "every field",
			order: `{"order_id":"ORD20261122001","amount":"105.5","currency":"INR","description":"2 x notebook <A&B>",
				"customer":{"id":"c7","name":"Ajay Kumar Rao","email":"ajay@example.com","phone":"9816512345"},
				"billing_address":{"line1":"12 MG Road","city":"Bengaluru","state":"KA","country":"IN","postal_code":"560001"},
				"shipping_address":{"line1":"ignored when billing is given"},
				"return_url":"https://shop.example.com/return?x=1&y=2","notify_url":"https://shop.example.com/enkash/notify",
				"metadata":{"cart":"42","b":"x"},
				"bank_account":{"account_number":"1234567890","ifsc":"KKBK0000432","name":"Ajay Kumar"}}`,
			want: `{"orderId":"ORD20261122001","amount":{"value":105.50,"currency":"INR"},` +
				`"returnUrl":"https://shop.example.com/return?x=1&y=2","notifyUrl":"https://shop.example.com/enkash/notify",` +
				`"customerInfo":{"firstName":"Ajay Kumar","lastName":"Rao","email":"ajay@example.com","phoneNumber":"9816512345",` +
				`"address":{"line1":"12 MG Road","city":"Bengaluru","state":"KA","country":"IN","postalCode":"560001"}},` +
				`"customParameters":{"b":"x","cart":"42"},"description":"2 x notebook <A&B>",` +
				`"paymentDetail":{"accountNumber":"1234567890","ifsc":"KKBK0000432"}}`,
		},
		{
			name:  "minimal order, whole rupees as a JSON number",
			order: `{"order_id":"A1","amount":100,"currency":"INR"}`,
			want:  `{"orderId":"A1","amount":{"value":100.00,"currency":"INR"}}`,
		},
		{
			name:  "smallest amount",
			order: `{"order_id":"A2","amount":"0.01","currency":"INR"}`,
			want:  `{"orderId":"A2","amount":{"value":0.01,"currency":"INR"}}`,
		},
		{
			name:  "the largest amount a float64 reader keeps exactly: 15 significant digits",
			order: `{"order_id":"A3","amount":"9999999999999.99","currency":"INR"}`,
			want:  `{"orderId":"A3","amount":{"value":9999999999999.99,"currency":"INR"}}`,
		},
		{
			name:  "split name given; shipping address used without billing",
			order: `{"order_id":"A4","amount":"1.10","currency":"INR","customer":{"first_name":"Asha","last_name":"Iyer"},"shipping_address":{"city":"Pune"}}`,
			want:  `{"orderId":"A4","amount":{"value":1.10,"currency":"INR"},"customerInfo":{"firstName":"Asha","lastName":"Iyer","address":{"city":"Pune"}}}`,
		},
		{
			name:  "single-word name, IFSC only, customer id alone sends no customerInfo",
			order: `{"order_id":"A5","amount":"5","currency":"INR","customer":{"name":"Madonna"},"bank_account":{"ifsc":"SBIN0001234"}}`,
			want:  `{"orderId":"A5","amount":{"value":5.00,"currency":"INR"},"customerInfo":{"firstName":"Madonna"},"paymentDetail":{"ifsc":"SBIN0001234"}}`,
		},
		{
			name:  "bank account name alone sends no paymentDetail",
			order: `{"order_id":"A6","amount":"5","currency":"INR","customer":{"id":"c1"},"bank_account":{"name":"Ajay"}}`,
			want:  `{"orderId":"A6","amount":{"value":5.00,"currency":"INR"}}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, e := Dialect{}.BuildCreate(gatewaytest.MustOrder(t, c.order))
			if e != nil {
				t.Fatalf("BuildCreate: %v", e)
			}
			if req.Method != http.MethodPost || req.Path != "/api/v0/orders" || req.ContentType != "application/json" || req.RawQuery != "" {
				t.Errorf("request line %s %s ?%s (%s)", req.Method, req.Path, req.RawQuery, req.ContentType)
			}
			if string(req.Body) != c.want {
				t.Errorf("body\n got %s\nwant %s", req.Body, c.want)
			}
			if len(req.Header) != 0 {
				t.Errorf("unexpected headers %v", req.Header)
			}
		})
	}
}

func TestEnKashBuildCreateRules(t *testing.T) {
	cases := []struct{ order, field, msg string }{
		{`{"order_id":"A1","amount":"10","currency":"USD"}`, "currency", "only INR"},
		{`{"order_id":"A1","amount":"10","currency":"JPY"}`, "currency", "only INR"},
		{`{"order_id":"A1","amount":"10","currency":"INR","bank_account":{"account_number":"12345678","ifsc":"KKBK0000432"}}`, "bank_account.account_number", "9 to 36"},
		{`{"order_id":"A1","amount":"10","currency":"INR","bank_account":{"account_number":"` + strings.Repeat("1", 37) + `"}}`, "bank_account.account_number", "got 37"},
		{`{"order_id":"A1","amount":"10","currency":"INR","bank_account":{"account_number":"1234567890","ifsc":"kkbk0000432"}}`, "bank_account.ifsc", "IFSC"},
		{`{"order_id":"A1","amount":"10","currency":"INR","bank_account":{"ifsc":"KKBK1000432"}}`, "bank_account.ifsc", "IFSC"},
		{`{"order_id":"A1","amount":"10","currency":"INR","bank_account":{"ifsc":"KKBK000043"}}`, "bank_account.ifsc", "IFSC"},
		{`{"order_id":"A1","amount":"10","currency":"INR","bank_account":{"ifsc":"KKBK0000432 "}}`, "bank_account.ifsc", "IFSC"},
		{`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"mid":"x"}}`, "gateway_options.mid", "accepts none"},
	}
	for _, c := range cases {
		_, e := Dialect{}.BuildCreate(gatewaytest.MustOrder(t, c.order))
		if e == nil {
			t.Errorf("%s: accepted", c.order)
			continue
		}
		if e.Type != transform.InvalidRequest || e.HTTPStatus() != 400 || e.Field != c.field || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: got %+v, want invalid_request on %s mentioning %q", c.order, e, c.field, c.msg)
		}
	}
	// Limits are inclusive.
	for _, acct := range []string{"123456789", strings.Repeat("9", 36)} {
		if _, e := (Dialect{}).BuildCreate(gatewaytest.MustOrder(t, `{"order_id":"A1","amount":"10","currency":"INR","bank_account":{"account_number":"`+acct+`"}}`)); e != nil {
			t.Errorf("account number of %d characters refused: %v", len(acct), e)
		}
	}
	// Orders built in code (not decoded) still cannot send 3 decimals.
	o := &transform.Order{OrderID: "A1", Amount: gatewaytest.MustAmount("10.005"), Currency: "INR"}
	if _, e := (Dialect{}).BuildCreate(o); e == nil || e.Field != "amount" {
		t.Errorf("10.005 INR: %v", e)
	}
}

func TestEnKashParseCreate(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1001","amount":"105.5","currency":"INR"}`)
	body := `{"response_code":0,"response_message":"SUCCESS","payload":{"redirectionUrl":"https://checkoutv3.enkash.com/pay/ORD1784195236818VZuxB","orderId":"ORD1784195236818VZuxB"}}`
	res, e := Dialect{}.ParseCreate(o, 200, []byte(body))
	if e != nil {
		t.Fatalf("ParseCreate: %v", e)
	}
	want := `{"gateway":"enkash","order_id":"ORD1001","gateway_order_id":"ORD1784195236818VZuxB","status":"created","amount":"105.50","currency":"INR","payment_url":"https://checkoutv3.enkash.com/pay/ORD1784195236818VZuxB"}`
	if got := string(res.JSON()); got != want {
		t.Errorf("result\n got %s\nwant %s", got, want)
	}
	// A string code is read too.
	if _, e := (Dialect{}).ParseCreate(o, 200, []byte(strings.Replace(body, `"response_code":0`, `"response_code":"0"`, 1))); e != nil {
		t.Errorf("string response_code: %v", e)
	}
}

func TestEnKashParseCreateErrors(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1001","amount":"105.5","currency":"INR"}`)
	cases := []struct {
		name      string
		status    int
		body      string
		typ       transform.ErrorType
		http      int
		code, msg string
		field     string
	}{
		{"token still invalid after the refresh", 200, `{"response_code":117,"response_message":"FAILURE","payload":"Token is invalid."}`,
			transform.GatewayAuthenticationFailed, 502, "117", "FAILURE: Token is invalid.", ""},
		{"duplicate by code, under HTTP 200", 200, `{"response_code":409,"response_message":"Order already present","payload":null}`,
			transform.DuplicateOrder, 409, "409", "Order already present", "order_id"},
		{"duplicate by message", 200, `{"response_code":1,"response_message":"Duplicate orderId","payload":null}`,
			transform.DuplicateOrder, 409, "1", "Duplicate orderId", "order_id"},
		{"other code under HTTP 200 is a rejection", 200, `{"response_code":1,"response_message":"Merchant is not active","payload":null}`,
			transform.GatewayRejected, 422, "1", "Merchant is not active", ""},
		{"validation under HTTP 400", 400, `{"response_code":422,"response_message":"amount.value: must be greater than or equal to 0.01","payload":null}`,
			transform.GatewayRejected, 422, "422", "amount.value: must be greater than or equal to 0.01", ""},
		{"payload text alone", 200, `{"response_code":"5","payload":"Amount limit exceeded"}`,
			transform.GatewayRejected, 422, "5", "Amount limit exceeded", ""},
		{"envelope under HTTP 500", 500, `{"response_code":1,"response_message":"Internal error","payload":null}`,
			transform.GatewayError, 502, "1", "Internal error", ""},
		{"HTTP 401 without a body", 401, ``, transform.GatewayAuthenticationFailed, 502, "", "", ""},
		{"HTTP 403 envelope", 403, `{"response_code":403,"response_message":"Invalid merchantAccessKey"}`, transform.GatewayAuthenticationFailed, 502, "403", "Invalid merchantAccessKey", ""},
		{"HTML 502", 502, `<html>Bad Gateway</html>`, transform.GatewayError, 502, "", "", ""},
		{"HTML 200", 200, `<html>hello</html>`, transform.GatewayError, 502, "", "", ""},
		{"code is not a number", 200, `{"response_code":"OK"}`, transform.GatewayError, 502, "", "", ""},
		{"success without redirectionUrl", 200, `{"response_code":0,"payload":{"orderId":"X"}}`, transform.GatewayError, 502, "", "", ""},
		{"success code under HTTP 400", 400, `{"response_code":0,"response_message":"Bad Request"}`, transform.GatewayRejected, 422, "0", "Bad Request", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, e := Dialect{}.ParseCreate(o, c.status, []byte(c.body))
			if e == nil {
				t.Fatalf("accepted: %+v", res)
			}
			if e.Type != c.typ || e.HTTPStatus() != c.http || e.GatewayCode != c.code || e.GatewayMessage != c.msg || e.Field != c.field || e.Gateway != "enkash" {
				t.Errorf("got %+v", e)
			}
			if e.Message == "" {
				t.Error("no message")
			}
		})
	}
}

func TestEnKashStatusRequests(t *testing.T) {
	req, e := Dialect{}.BuildStatus("ORD-1_a")
	if e != nil || req.Method != "GET" || req.Path != "/api/v0/orders/ORD-1_a" || req.Body != nil || req.RawQuery != "" {
		t.Errorf("BuildStatus: %+v %v", req, e)
	}
	req, e = Dialect{}.BuildStatusFor("ORD1784195236818VZuxB")
	if e != nil || req.Method != "GET" || req.Path != "/api/v0/orders/ORD1784195236818VZuxB" {
		t.Errorf("BuildStatusFor: %+v %v", req, e)
	}
	for _, bad := range []string{"", "a/b", "a b", "../x", strings.Repeat("A", 65)} {
		if _, e := (Dialect{}).BuildStatusFor(bad); e == nil || e.Type != transform.InvalidRequest {
			t.Errorf("BuildStatusFor(%q) accepted", bad)
		}
	}
	if _, e := (Dialect{}).BuildStatus("a/b"); e == nil || e.Field != "order_id" {
		t.Errorf("BuildStatus(a/b): %v", e)
	}
}

func TestEnKashParseStatus(t *testing.T) {
	for _, c := range []struct {
		word string
		want transform.Status
	}{
		{"CREATED", transform.StatusCreated}, {"CHECKOUT_RENDERED", transform.StatusCreated}, {"ATTEMPTED", transform.StatusPending},
		{"PAYMENT_CONFIRMATION_PENDING", transform.StatusPending}, {"PAID", transform.StatusPaid}, {"EXPIRED", transform.StatusExpired},
		{"CANCELLED", transform.StatusCancelled}, {"REFUNDED", transform.StatusUnknown},
	} {
		body := `{"response_code":0,"response_message":"SUCCESS","payload":{"orderId":"ORD9","orderStatus":"` + c.word + `","amount":105.5,"created":"2026-11-22T06:55:00.000+05:30"}}`
		res, e := Dialect{}.ParseStatus("M1", 200, []byte(body))
		if e != nil {
			t.Fatalf("%s: %v", c.word, e)
		}
		if res.Status != c.want || res.GatewayStatus != c.word {
			t.Errorf("%s → %s (%s), want %s", c.word, res.Status, res.GatewayStatus, c.want)
		}
	}

	body := `{"response_code":0,"response_message":"SUCCESS","payload":{"orderId":"ORD9","orderStatus":"PAID","amount":{"value":"105.5","currency":"INR"},"created":"2026-11-22T06:55:00"}}`
	res, e := Dialect{}.ParseStatus("M1", 200, []byte(body))
	if e != nil {
		t.Fatal(e)
	}
	want := `{"gateway":"enkash","order_id":"M1","gateway_order_id":"ORD9","status":"paid","gateway_status":"PAID","amount":"105.50","currency":"INR","created_at":"2026-11-22T01:25:00Z"}`
	if got := string(res.JSON()); got != want {
		t.Errorf("result\n got %s\nwant %s", got, want)
	}

	// status instead of orderStatus, epoch-ms created, same id as the merchant's.
	body = `{"response_code":0,"payload":{"orderId":"M1","status":"CREATED","created":1795312500000}}`
	res, e = Dialect{}.ParseStatus("M1", 200, []byte(body))
	if e != nil {
		t.Fatal(e)
	}
	want = `{"gateway":"enkash","order_id":"M1","status":"created","gateway_status":"CREATED","created_at":"2026-11-22T01:55:00Z"}`
	if got := string(res.JSON()); got != want {
		t.Errorf("result\n got %s\nwant %s", got, want)
	}

	for _, c := range []struct {
		name   string
		status int
		body   string
		typ    transform.ErrorType
	}{
		{"not found by code", 200, `{"response_code":404,"response_message":"Order not found","payload":null}`, transform.OrderNotFound},
		{"not found by message", 200, `{"response_code":2,"response_message":"Order does not exist"}`, transform.OrderNotFound},
		{"HTTP 404 without envelope", 404, `Not Found`, transform.OrderNotFound},
		{"stale token", 200, `{"response_code":117,"payload":"Token is invalid."}`, transform.GatewayAuthenticationFailed},
		{"no status word", 200, `{"response_code":0,"payload":{"orderId":"X"}}`, transform.GatewayError},
		{"float-looking garbage amount", 200, `{"response_code":0,"payload":{"orderStatus":"PAID","amount":"1e400x"}}`, transform.GatewayError},
		{"payload not an object", 200, `{"response_code":0,"payload":"ok"}`, transform.GatewayError},
	} {
		if _, e := (Dialect{}).ParseStatus("M1", c.status, []byte(c.body)); e == nil || e.Type != c.typ {
			t.Errorf("%s: got %v, want %s", c.name, e, c.typ)
		}
	}
}

func TestEnKashStaleToken(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   bool
	}{
		{401, ``, true},
		{401, `<html>Unauthorized</html>`, true},
		{200, `{"response_code":117,"response_message":"FAILURE","payload":"Token is invalid."}`, true},
		{200, `{"response_code":"117","payload":"Token is invalid."}`, true},
		{400, `{"response_code":117}`, true},
		{200, `{"response_code":0,"payload":{"orderId":"ORD117","redirectionUrl":"https://x/117"}}`, false},
		{200, `{"response_code":1170}`, false},
		{200, `{"response_code":409,"response_message":"117 already used"}`, false},
		{403, `{"response_code":403}`, false},
		{200, `117`, false},
	} {
		if got := StaleToken(c.status, []byte(c.body)); got != c.want {
			t.Errorf("StaleToken(%d, %s) = %v, want %v", c.status, c.body, got, c.want)
		}
	}
}

// EnKash answers inside its envelope, often under HTTP 200: an HTTP-like
// 429 code or a "try again later" message is a request to retry, not a
// rejection of the order.
func TestEnKashEnvelopeThrottling(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1","amount":"10","currency":"INR"}`)
	for _, c := range []struct {
		body string
		want transform.ErrorType
	}{
		{`{"response_code":1,"response_message":"Please try again later","payload":null}`, transform.GatewayUnavailable},
		{`{"response_code":429,"response_message":"FAILURE","payload":null}`, transform.GatewayUnavailable},
		{`{"response_code":"408","payload":"Request timeout"}`, transform.GatewayUnavailable},
		{`{"response_code":1,"response_message":"FAILURE","payload":"Rate limit exceeded"}`, transform.GatewayUnavailable},
		{`{"response_code":1,"response_message":"Merchant is not active","payload":null}`, transform.GatewayRejected},
		{`{"response_code":117,"response_message":"FAILURE","payload":"Token is invalid."}`, transform.GatewayAuthenticationFailed},
	} {
		_, e := Dialect{}.ParseCreate(o, 200, []byte(c.body))
		if e == nil || e.Type != c.want {
			t.Errorf("%s: %v, want %s", c.body, e, c.want)
		}
	}
}

// EnKash orders are INR in rupees and paise: the status amount is never
// rounded, negative or in another currency.
func TestEnKashStatusAmountStrict(t *testing.T) {
	body := func(amount string) []byte {
		return []byte(`{"response_code":0,"payload":{"orderId":"M1","orderStatus":"PAID","amount":` + amount + `}}`)
	}
	for amount, want := range map[string]string{
		`105.5`: "105.50", `"105.50"`: "105.50", `{"value":1.1,"currency":"INR"}`: "1.10", `0`: "0.00", `1e2`: "100.00", `null`: "",
	} {
		res, e := Dialect{}.ParseStatus("M1", 200, body(amount))
		if e != nil || res.Amount != want {
			t.Errorf("%s: %+v %v, want %q", amount, res, e, want)
		}
	}
	for _, amount := range []string{`105.555`, `1e-9999`, `-5`, `"-5"`, `{"value":1.005,"currency":"INR"}`, `{"value":1.5,"currency":"USD"}`,
		`"1.5\""`, `"abc"`, `true`} {
		if res, e := (Dialect{}).ParseStatus("M1", 200, body(amount)); e == nil || e.Type != transform.GatewayError {
			t.Errorf("%s: %+v %v, want gateway_error", amount, res, e)
		}
	}
	if res, e := (Dialect{}).ParseStatus("M1", 200, []byte(`{"response_code":0,"payload":{"orderId":"M1","orderStatus":"PAID","amount":1,"currency":"USD"}}`)); e == nil {
		t.Errorf("USD accepted: %+v", res)
	}
}
