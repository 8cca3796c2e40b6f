package kwikpaisa

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// minimalFields is the smallest order KwikPaisa accepts.
const minimalFields = `"customer":{"name":"Ajay","email":"a@example.com","phone":"9816512345"},"return_url":"https://shop.example.com/r"`

func TestKwikPaisaBuildCreateWireBody(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{
		"order_id": "ORD-1001",
		"amount": "105.50",
		"currency": "INR",
		"description": "2 x \"notebook\" <A5> & pens / ink",
		"customer": {"id": "c-7", "name": "Zoë Ñandú 山田", "email": "ajay@example.com", "phone": "9816512345"},
		"billing_address": {"line1": "12 MG Road", "line2": "Near Café", "line3": "Indiranagar", "city": "Bengaluru",
			"state": "KA", "country": "IN", "postal_code": "560001"},
		"shipping_address": {"line1": "elsewhere"},
		"return_url": "https://shop.example.com/return?order=ORD-1001&src=pg",
		"notify_url": "https://shop.example.com/events",
		"metadata": {"cart": "42"}
	}`)
	req, e := Dialect{ServiceType: "DIGITAL"}.BuildCreate(o)
	if e != nil {
		t.Fatal(e)
	}
	want := `{"customer":{"address":{"city":"Bengaluru","country":"IN","line1":"12 MG Road","line2":"Near Café, Indiranagar","postal_code":"560001","state":"KA"},"email":"ajay@example.com","name":"Zoë Ñandú 山田","phone":"9816512345"},"order_amount":105.5,"order_currency":"INR","order_id":"ORD-1001","order_note":"2 x \"notebook\" <A5> & pens / ink","return_url":"https://shop.example.com/return?order=ORD-1001&src=pg","service_type":"DIGITAL"}`
	if string(req.Body) != want {
		t.Errorf("body\n got %s\nwant %s", req.Body, want)
	}
	if req.Method != "POST" || req.Path != "/api/v3/pg/order/create" || req.ContentType != "application/json" || req.RawQuery != "" {
		t.Errorf("request %s %s ? %q (%s)", req.Method, req.Path, req.RawQuery, req.ContentType)
	}
	if len(req.Header) != 0 {
		t.Errorf("a transform must not set headers (credentials are the signer's): %v", req.Header)
	}
}

func TestKwikPaisaBuildCreateVariants(t *testing.T) {
	cases := []struct {
		name, order, config, want string
	}{
		{"whole amount, no note, no address, split name joined",
			`{"order_id":"A1","amount":"100.00","currency":"INR","customer":{"first_name":"Asha","last_name":"Rao","email":"a@example.com","phone":"+919816512345"},"return_url":"https://shop.example.com/r"}`,
			"DIGITAL",
			`{"customer":{"email":"a@example.com","name":"Asha Rao","phone":"+919816512345"},"order_amount":100,"order_currency":"INR","order_id":"A1","return_url":"https://shop.example.com/r","service_type":"DIGITAL"}`},
		{"number amount, empty address lines left out",
			`{"order_id":"A2","amount":0.50,"currency":"INR",` + minimalFields + `,"billing_address":{"line1":"","city":"Pune","line3":"Wing B"}}`,
			"DIGITAL",
			`{"customer":{"address":{"city":"Pune","line2":"Wing B"},"email":"a@example.com","name":"Ajay","phone":"9816512345"},"order_amount":0.5,"order_currency":"INR","order_id":"A2","return_url":"https://shop.example.com/r","service_type":"DIGITAL"}`},
		{"gateway_options.service_type overrides the configured one",
			`{"order_id":"A3","amount":"12.30","currency":"INR",` + minimalFields + `,"gateway_options":{"service_type":"PHYSICAL_GOODS"}}`,
			"DIGITAL",
			`{"customer":{"email":"a@example.com","name":"Ajay","phone":"9816512345"},"order_amount":12.3,"order_currency":"INR","order_id":"A3","return_url":"https://shop.example.com/r","service_type":"PHYSICAL_GOODS"}`},
		{"gateway_options.service_type without a configured one",
			`{"order_id":"A4","amount":"1","currency":"INR",` + minimalFields + `,"gateway_options":{"service_type":"DIGITAL"}}`,
			"",
			`{"customer":{"email":"a@example.com","name":"Ajay","phone":"9816512345"},"order_amount":1,"order_currency":"INR","order_id":"A4","return_url":"https://shop.example.com/r","service_type":"DIGITAL"}`},
		{"the largest amount a JSON number keeps",
			`{"order_id":"A5","amount":"1234567890123.45","currency":"INR",` + minimalFields + `}`,
			"DIGITAL",
			`{"customer":{"email":"a@example.com","name":"Ajay","phone":"9816512345"},"order_amount":1234567890123.45,"order_currency":"INR","order_id":"A5","return_url":"https://shop.example.com/r","service_type":"DIGITAL"}`},
	}
	for _, c := range cases {
		req, e := Dialect{ServiceType: c.config}.BuildCreate(gatewaytest.MustOrder(t, c.order))
		if e != nil {
			t.Errorf("%s: %v", c.name, e)
			continue
		}
		if string(req.Body) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, req.Body, c.want)
		}
	}
}

func TestKwikPaisaBuildCreateRules(t *testing.T) {
	cases := []struct {
		name, order, config, field string
	}{
		{"no customer", `{"order_id":"B1","amount":"10","currency":"INR","return_url":"https://s.example.com/r"}`, "DIGITAL", "customer.name"},
		{"no name", `{"order_id":"B1","amount":"10","currency":"INR","customer":{"email":"a@example.com","phone":"9816512345"},"return_url":"https://s.example.com/r"}`, "DIGITAL", "customer.name"},
		{"no email", `{"order_id":"B1","amount":"10","currency":"INR","customer":{"name":"A","phone":"9816512345"},"return_url":"https://s.example.com/r"}`, "DIGITAL", "customer.email"},
		{"no phone", `{"order_id":"B1","amount":"10","currency":"INR","customer":{"name":"A","email":"a@example.com"},"return_url":"https://s.example.com/r"}`, "DIGITAL", "customer.phone"},
		{"no return_url", `{"order_id":"B1","amount":"10","currency":"INR","customer":{"name":"A","email":"a@example.com","phone":"9816512345"}}`, "DIGITAL", "return_url"},
		{"three decimals", `{"order_id":"B1","amount":"10.005","currency":"KWD",` + minimalFields + `}`, "DIGITAL", "amount"},
		{"more digits than a JSON number keeps", `{"order_id":"B1","amount":"12345678901234567.5","currency":"INR",` + minimalFields + `}`, "DIGITAL", "amount"},
		{"unknown gateway option", `{"order_id":"B1","amount":"10","currency":"INR",` + minimalFields + `,"gateway_options":{"wallet":"x"}}`, "DIGITAL", "gateway_options.wallet"},
		{"service_type not a string", `{"order_id":"B1","amount":"10","currency":"INR",` + minimalFields + `,"gateway_options":{"service_type":1}}`, "DIGITAL", "gateway_options.service_type"},
		{"service_type empty", `{"order_id":"B1","amount":"10","currency":"INR",` + minimalFields + `,"gateway_options":{"service_type":" "}}`, "DIGITAL", "gateway_options.service_type"},
		{"no service_type anywhere", `{"order_id":"B1","amount":"10","currency":"INR",` + minimalFields + `}`, "", "gateway_options.service_type"},
	}
	for _, c := range cases {
		_, e := Dialect{ServiceType: c.config}.BuildCreate(gatewaytest.MustOrder(t, c.order))
		if e == nil || e.Type != transform.InvalidRequest || e.Field != c.field {
			t.Errorf("%s: got %v, want invalid_request on %s", c.name, e, c.field)
		}
	}
}

func TestKwikPaisaBuildStatus(t *testing.T) {
	req, e := Dialect{}.BuildStatus("ORD-1001")
	if e != nil {
		t.Fatal(e)
	}
	if string(req.Body) != `{"order_id":"ORD-1001"}` || req.Method != "POST" || req.Path != "/api/v3/pg/order/status" || req.ContentType != "application/json" {
		t.Errorf("status request %s %s %s %q", req.Method, req.Path, req.ContentType, req.Body)
	}
	if _, e := (Dialect{}).BuildStatus("A/1"); e == nil || e.Field != "order_id" {
		t.Errorf("bad order id: %v", e)
	}
}

// The success answer of seeds/000, for an order whose id is the seed's.
const seedSuccess = `{
  "code": "200",
  "status": "success",
  "message": "API authentication successful!",
  "return_data": {
    "kwikX_order_id": "kp_40dec464-7155-43a3-855d-c95c5ab1be71",
    "created_at": "13-05-2026 08:34 AM",
    "order_id": 6116229263036,
    "order_status": "UN_PAID",
    "payment_link": "https://sandbox.kwikpaisa.com/payment/checkout/..."
  }
}`

func TestKwikPaisaParseCreate(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"6116229263036","amount":"105","currency":"INR",`+minimalFields+`}`)
	res, e := Dialect{}.ParseCreate(o, 200, []byte(seedSuccess))
	if e != nil {
		t.Fatal(e)
	}
	want := `{"gateway":"kwikpaisa","order_id":"6116229263036","gateway_order_id":"kp_40dec464-7155-43a3-855d-c95c5ab1be71","status":"created","gateway_status":"UN_PAID","amount":"105.00","currency":"INR","payment_url":"https://sandbox.kwikpaisa.com/payment/checkout/...","created_at":"2026-05-13T03:04:00Z"}`
	if got := string(res.JSON()); got != want {
		t.Errorf("result\n got %s\nwant %s", got, want)
	}

	other := gatewaytest.MustOrder(t, `{"order_id":"ORD-9","amount":"105","currency":"INR",`+minimalFields+`}`)
	if _, e := (Dialect{}).ParseCreate(other, 200, []byte(seedSuccess)); e == nil || e.Type != transform.GatewayError {
		t.Errorf("answer for another order accepted: %v", e)
	}
}

func TestKwikPaisaTime(t *testing.T) {
	for in, want := range map[string]string{
		"13-05-2026 08:34 AM":    "2026-05-13T03:04:00Z",
		"13-05-2026 11:45 PM":    "2026-05-13T18:15:00Z",
		"01-01-2026 02:00 am":    "2025-12-31T20:30:00Z",
		"13-05-2026 12:05 AM":    "2026-05-12T18:35:00Z",
		"13-05-2026 08:34:10 PM": "2026-05-13T15:04:10Z",
		"13-05-2026 20:34":       "2026-05-13T15:04:00Z",
		"2026-05-13T08:34:00Z":   "2026-05-13T08:34:00Z",
	} {
		if got, ok := localTime(in); !ok || got != want {
			t.Errorf("localTime(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "yesterday", "32-13-2026 08:34 AM", "1778659835"} {
		if got, ok := localTime(in); ok {
			t.Errorf("localTime(%q) = %q, want failure", in, got)
		}
	}
	// An unknown format does not fail an order that exists; the text is kept.
	o := gatewaytest.MustOrder(t, `{"order_id":"A1","amount":"1","currency":"INR",`+minimalFields+`}`)
	res, e := Dialect{}.ParseCreate(o, 200, []byte(`{"code":"200","status":"success","return_data":{"kwikX_order_id":"kp_1","created_at":"Tue 13 May","order_status":"UN_PAID"}}`))
	if e != nil || res.CreatedAt != "" || res.GatewayDetails["created_at"] != "Tue 13 May" {
		t.Errorf("unparsable created_at: %+v %v", res, e)
	}
}

func TestKwikPaisaErrors(t *testing.T) {
	cases := []struct {
		name     string
		status   int
		body     string
		statusOp bool
		typ      transform.ErrorType
		code     string
		message  string
		field    string
	}{
		{"401 v3 body", 401, `{"status":false,"code":401,"message":"Invalid signature."}`, false, transform.GatewayAuthenticationFailed, "401", "Invalid signature.", ""},
		{"401 without a body", 401, ``, false, transform.GatewayAuthenticationFailed, "", "", ""},
		{"403 access denied", 403, `{"status":false,"code":403,"message":"Invalid wallet ID for selected environment."}`, false, transform.GatewayAuthenticationFailed, "403", "Invalid wallet ID for selected environment.", ""},
		{"409 duplicate", 409, `{"status":false,"code":409,"message":"Duplicate order_id."}`, false, transform.DuplicateOrder, "409", "Duplicate order_id.", "order_id"},
		{"409 HTML still a duplicate", 409, `<html>Conflict</html>`, false, transform.DuplicateOrder, "", "", "order_id"},
		{"400 rejected", 400, `{"status":false,"code":400,"message":"Invalid order amount."}`, false, transform.GatewayRejected, "400", "Invalid order amount.", ""},
		{"422 legacy shape", 422, `{"code":"422","status":"failed","message":"Validation failed","return_data":{"description":"order_currency is not supported"}}`, false, transform.GatewayRejected, "422", "Validation failed: order_currency is not supported", ""},
		{"400 HTML", 400, `<html><body>Bad Request</body></html>`, false, transform.GatewayError, "", "", ""},
		{"500 JSON", 500, `{"status":false,"code":500,"message":"Internal error."}`, false, transform.GatewayError, "500", "Internal error.", ""},
		{"503 HTML", 503, `<html>down</html>`, false, transform.GatewayError, "", "", ""},
		{"429", 429, `{"status":false,"code":429,"message":"Too many requests."}`, false, transform.GatewayUnavailable, "429", "Too many requests.", ""},
		{"404 on status", 404, `{"status":false,"code":404,"message":"Order not found."}`, true, transform.OrderNotFound, "404", "Order not found.", ""},
		{"404 HTML on status", 404, `<html>404</html>`, true, transform.OrderNotFound, "", "", ""},
		{"404 on create is a wrong route", 404, `{"status":false,"code":404,"message":"Not found."}`, false, transform.GatewayError, "404", "Not found.", ""},
		{"400 order not found on status", 400, `{"status":false,"code":400,"message":"Order not found"}`, true, transform.OrderNotFound, "400", "Order not found", ""},
		{"200 with a legacy auth error", 200, `{"code":"401","status":"failed","message":"API authentication failed!","return_data":{"description":"Invalid signature"}}`, false, transform.GatewayAuthenticationFailed, "401", "API authentication failed!: Invalid signature", ""},
		{"200 with a v3 duplicate", 200, `{"status":false,"code":409,"message":"Duplicate order_id."}`, false, transform.DuplicateOrder, "409", "Duplicate order_id.", "order_id"},
		{"200 failed without a code", 200, `{"status":"failed","message":"Something went wrong"}`, false, transform.GatewayError, "", "Something went wrong", ""},
		{"200 not JSON", 200, `OK`, false, transform.GatewayError, "", "", ""},
		{"200 without return_data", 200, `{"code":"200","status":"success","message":"ok"}`, false, transform.GatewayError, "", "", ""},
		{"302", 302, ``, false, transform.GatewayError, "", "", ""},
	}
	o := gatewaytest.MustOrder(t, `{"order_id":"E1","amount":"1","currency":"INR",`+minimalFields+`}`)
	for _, c := range cases {
		var e *transform.Error
		if c.statusOp {
			_, e = Dialect{}.ParseStatus("E1", c.status, []byte(c.body))
		} else {
			_, e = Dialect{}.ParseCreate(o, c.status, []byte(c.body))
		}
		if e == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if e.Type != c.typ || e.GatewayCode != c.code || e.GatewayMessage != c.message || e.Field != c.field || e.Gateway != "kwikpaisa" {
			t.Errorf("%s: got %+v\nwant type %s code %q message %q field %q", c.name, *e, c.typ, c.code, c.message, c.field)
		}
		if e.Message == "" {
			t.Errorf("%s: no message", c.name)
		}
	}
}

func TestKwikPaisaParseStatus(t *testing.T) {
	paid := `{"code":"200","status":"success","message":"Order status fetched","return_data":{
		"kwikX_order_id":"kp_40dec464","order_id":"ORD-1001","order_amount":"105.50","currency":"INR",
		"order_status":"PAID","payment_method":"UPI","transaction_id":7788990011,
		"created_at":"13-05-2026 08:34 AM","paid_at":"13-05-2026 08:40 AM"}}`
	res, e := Dialect{}.ParseStatus("ORD-1001", 200, []byte(paid))
	if e != nil {
		t.Fatal(e)
	}
	want := `{"gateway":"kwikpaisa","order_id":"ORD-1001","gateway_order_id":"kp_40dec464","status":"paid","gateway_status":"PAID","amount":"105.50","currency":"INR","created_at":"2026-05-13T03:04:00Z","gateway_details":{"paid_at":"2026-05-13T03:10:00Z","payment_method":"UPI","transaction_id":"7788990011"}}`
	if got := string(res.JSON()); got != want {
		t.Errorf("paid\n got %s\nwant %s", got, want)
	}

	for status, want := range map[string]transform.Status{
		"UN_PAID": transform.StatusCreated, "PROCESSING": transform.StatusPending, "PAID": transform.StatusPaid, "FAILED": transform.StatusFailed,
		"EXPIRED": transform.StatusExpired, "REVERSED": transform.StatusUnknown,
	} {
		body := `{"code":"200","status":"success","return_data":{"kwikX_order_id":"kp_1","order_id":"S1","order_amount":105,"currency":"INR","order_status":"` + status + `","payment_method":null}}`
		res, e := Dialect{}.ParseStatus("S1", 200, []byte(body))
		if e != nil {
			t.Errorf("%s: %v", status, e)
			continue
		}
		if res.Status != want || res.GatewayStatus != status || res.Amount != "105.00" || res.GatewayDetails != nil {
			t.Errorf("%s: %+v", status, res)
		}
	}

	for name, rd := range map[string]string{
		"amount not a number":     `"order_amount":"lots","currency":"INR"`,
		"unknown currency":        `"order_amount":"1.00","currency":"XYZ"`,
		"amount without currency": `"order_amount":"1.00"`,
		"too many places":         `"order_amount":"1.005","currency":"INR"`,
		"another order":           `"order_id":"OTHER"`,
	} {
		body := `{"code":"200","status":"success","return_data":{"kwikX_order_id":"kp_1","order_status":"PAID",` + rd + `}}`
		if _, e := (Dialect{}).ParseStatus("S1", 200, []byte(body)); e == nil || e.Type != transform.GatewayError {
			t.Errorf("%s: got %v, want gateway_error", name, e)
		}
	}
}

func TestKwikPaisaText(t *testing.T) {
	var env envelope
	for body, want := range map[string][2]string{
		`{"code":"200","status":"success"}`: {"200", "success"},
		`{"code":401,"status":false}`:       {"401", "false"},
		`{"code":null,"status":true}`:       {"", "true"},
	} {
		env = envelope{}
		if err := json.Unmarshal([]byte(body), &env); err != nil || string(env.Code) != want[0] || string(env.Status) != want[1] {
			t.Errorf("%s: code %q status %q (%v)", body, env.Code, env.Status, err)
		}
	}
	if err := json.Unmarshal([]byte(`{"code":{"x":1}}`), &env); err == nil {
		t.Error("an object accepted as code")
	}
}

// A failed payment comes as code "200", status "failed" and the order with
// order_status FAILED: a result, not an error. Without an order, or under a
// non-2xx code, "failed" is still an error.
func TestKwikPaisaFailedEnvelope(t *testing.T) {
	res, e := Dialect{}.ParseStatus("6116229263036", 200, failedMock(t))
	if e != nil || res.Status != transform.StatusFailed || res.GatewayOrderID != "kp_40dec464" || res.Amount != "105.00" {
		t.Errorf("failed payment: %+v %v", res, e)
	}
	for body, want := range map[string]transform.ErrorType{
		`{"code":"200","status":"failed","message":"Payment failed."}`:                                                         transform.GatewayError,
		`{"code":"401","status":"failed","return_data":{"kwikX_order_id":"kp_1","order_status":"FAILED"}}`:                     transform.GatewayAuthenticationFailed,
		`{"code":"200","status":"failed","return_data":{"kwikX_order_id":"kp_1"}}`:                                             transform.GatewayError,
		`{"status":"failed","message":"Something went wrong","return_data":{"kwikX_order_id":"kp_1","order_status":"FAILED"}}`: transform.GatewayError,
	} {
		if res, e := (Dialect{}).ParseStatus("S1", 200, []byte(body)); e == nil || e.Type != want {
			t.Errorf("%s: %+v %v, want %s", body, res, e, want)
		}
	}
}

// failedMock completes the published "Failed" tab of KwikPaisa's
// sandbox mock responses, of which only the first four lines are stored:
// the rest follows the "Success" tab (the same order, order_status FAILED).
// The test checks the stored lines are a prefix of it.
func failedMock(t testing.TB) []byte {
	prefix := gatewaytest.Published(t, "kwikpaisa/kp3_mock_failed.PREFIX-ONLY.txt")
	body := string(prefix) + `iled.",
  "return_data": {
    "kwikX_order_id": "kp_40dec464",
    "order_id": "6116229263036",
    "order_status": "FAILED",
    "transaction_id": "TXN938482920",
    "amount": "105.00",
    "currency": "INR"
  }
}`
	if !strings.HasPrefix(body, string(prefix)) || !bytes.Contains(prefix, []byte(`"status": "failed"`)) || !json.Valid([]byte(body)) {
		t.Fatalf("the stored prefix no longer starts the completed body:\n%s", prefix)
	}
	return []byte(body)
}
