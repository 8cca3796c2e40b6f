package transform

import (
	"fmt"
	"strings"
	"testing"
)

// Money-safety rules every gateway's answer mapping shares (README,
// "Idempotent creation"): throttling is never a verdict, nothing is
// reported that the gateway did not confirm, and amounts sent as JSON
// numbers are exact.

var allGateways = []Gateway{Razorpay{}, Juspay{}, KwikPaisa{ServiceType: "DIGITAL"}, EnKash{}}

func TestTypeForStatusThrottled(t *testing.T) {
	for status, want := range map[int]ErrorType{
		408: GatewayUnavailable, 425: GatewayUnavailable, 429: GatewayUnavailable,
		400: GatewayRejected, 401: GatewayAuthenticationFailed, 409: DuplicateOrder, 500: GatewayError,
	} {
		if got := TypeForStatus(status); got != want {
			t.Errorf("TypeForStatus(%d) = %s, want %s", status, got, want)
		}
	}
}

// 408, 425 and 429 are gateway_unavailable whatever the body says, so the
// answer is not recorded and the identical retry reaches the gateway.
func TestThrottledAnswersAreUnavailable(t *testing.T) {
	bodies := map[string][]string{
		"razorpay": {`{"error":{"code":"BAD_REQUEST_ERROR","description":"Too many requests","field":"amount"}}`,
			`{"error":{"code":"BAD_REQUEST_ERROR","description":"Order receipt should be unique."}}`},
		"juspay": {`{"status":"error","error_code":"too_many_requests","error_message":"Slow down"}`,
			`{"status":"Bad Request","error_code":"ALREADY_EXISTS","error_message":"Order already exists"}`},
		"kwikpaisa": {`{"status":false,"code":429,"message":"Too many requests."}`,
			`{"status":false,"code":400,"message":"Invalid order amount."}`},
		"enkash": {`{"response_code":1,"response_message":"Too many requests","payload":null}`,
			`{"response_code":409,"response_message":"Duplicate orderId","payload":null}`},
	}
	o := mustOrder(t, fullOrder)
	for _, g := range allGateways {
		for _, status := range []int{408, 425, 429} {
			for _, body := range append(bodies[g.Name()], `<html>slow down</html>`, ``) {
				_, ce := g.ParseCreate(o, status, []byte(body))
				_, se := g.ParseStatus(o.OrderID, status, []byte(body))
				for op, e := range map[string]*Error{"create": ce, "status": se} {
					if e == nil || e.Type != GatewayUnavailable || e.HTTPStatus() != 503 || e.Gateway != g.Name() {
						t.Errorf("%s %s HTTP %d %.40s: %v, want gateway_unavailable", g.Name(), op, status, body, e)
					}
				}
			}
		}
	}
}

// EnKash answers inside its envelope, often under HTTP 200: an HTTP-like
// 429 code or a "try again later" message is a request to retry, not a
// rejection of the order.
func TestEnKashEnvelopeThrottling(t *testing.T) {
	o := mustOrder(t, `{"order_id":"ORD1","amount":"10","currency":"INR"}`)
	for _, c := range []struct {
		body string
		want ErrorType
	}{
		{`{"response_code":1,"response_message":"Please try again later","payload":null}`, GatewayUnavailable},
		{`{"response_code":429,"response_message":"FAILURE","payload":null}`, GatewayUnavailable},
		{`{"response_code":"408","payload":"Request timeout"}`, GatewayUnavailable},
		{`{"response_code":1,"response_message":"FAILURE","payload":"Rate limit exceeded"}`, GatewayUnavailable},
		{`{"response_code":1,"response_message":"Merchant is not active","payload":null}`, GatewayRejected},
		{`{"response_code":117,"response_message":"FAILURE","payload":"Token is invalid."}`, GatewayAuthenticationFailed},
	} {
		_, e := EnKash{}.ParseCreate(o, 200, []byte(c.body))
		if e == nil || e.Type != c.want {
			t.Errorf("%s: %v, want %s", c.body, e, c.want)
		}
	}
}

func TestCheckEcho(t *testing.T) {
	sent := Echo{OrderID: "ORD1", Currency: "INR", Amount: MustAmount("105.50").Decimal(), HasAmount: true}
	ok := []Echo{
		{},
		{OrderID: "ORD1"},
		{OrderID: "ORD1", Currency: "INR", Amount: MustAmount("105.5").Decimal(), HasAmount: true},
		{Currency: "INR"},
	}
	for _, got := range ok {
		if e := CheckEcho("g", sent, got, false); e != nil {
			t.Errorf("%+v: %v", got, e)
		}
	}
	for _, c := range []struct {
		got     Echo
		typ     ErrorType
		message []string
	}{
		{Echo{OrderID: "ORD2"}, GatewayError, []string{`"ORD2"`, `"ORD1"`}},
		{Echo{OrderID: "ORD2", Currency: "USD"}, GatewayError, nil}, // another order first
		{Echo{OrderID: "ORD1", Currency: "INR", Amount: MustAmount("105.51").Decimal(), HasAmount: true}, DuplicateOrder, []string{"INR 105.51", "INR 105.50"}},
		{Echo{Currency: "USD"}, DuplicateOrder, []string{"USD", "INR 105.50"}},
		{Echo{Amount: MustAmount("999").Decimal(), HasAmount: true}, DuplicateOrder, []string{"INR 999.00", "INR 105.50"}},
	} {
		e := CheckEcho("g", sent, c.got, false)
		if e == nil || e.Type != c.typ || e.Gateway != "g" {
			t.Errorf("%+v: %v, want %s", c.got, e, c.typ)
			continue
		}
		for _, m := range c.message {
			if !strings.Contains(e.Message, m) {
				t.Errorf("%+v: message %q lacks %q", c.got, e.Message, m)
			}
		}
	}
	// A status request knows only the order id.
	if e := CheckEcho("g", Echo{OrderID: "ORD1"}, Echo{OrderID: "ORD1", Currency: "USD", Amount: MustAmount("1").Decimal(), HasAmount: true}, false); e != nil {
		t.Errorf("status echo compared an amount: %v", e)
	}
	// Minor units are written in major units; a huge exponent is not expanded.
	e := CheckEcho("razorpay", Echo{OrderID: "A", Currency: "KWD", Amount: MustAmount("99990").Decimal(), HasAmount: true},
		Echo{OrderID: "A", Currency: "KWD", Amount: MustAmount("100000").Decimal().Shift(9000), HasAmount: true}, true)
	if e == nil || !strings.Contains(e.Message, "KWD 99.990") || len(e.Message) > 300 {
		t.Errorf("minor units message: %v", e)
	}
}

// Create answers: an amount or currency other than the order's under our
// id is duplicate_order, with both amounts; another echoed id is
// gateway_error.
func TestCreateEchoChecks(t *testing.T) {
	rzp := func(receipt string, amount int, currency string) string {
		return fmt.Sprintf(`{"id":"order_X","entity":"order","amount":%d,"currency":%q,"receipt":%q,"status":"created","created_at":1779413100}`, amount, currency, receipt)
	}
	kp := func(rd string) string {
		return `{"code":"200","status":"success","return_data":{"kwikX_order_id":"kp_1","order_status":"UN_PAID",` + rd + `}}`
	}
	o := mustOrder(t, `{"order_id":"ORD1","amount":"105.50","currency":"INR","customer":{"name":"A","email":"a@example.com","phone":"9816512345"},"return_url":"https://s.example.com/r"}`)
	cases := []struct {
		name string
		gw   Gateway
		body string
		typ  ErrorType // "" = accepted
		msg  []string
	}{
		{"razorpay same", Razorpay{}, rzp("ORD1", 10550, "INR"), "", nil},
		{"razorpay amount", Razorpay{}, rzp("ORD1", 1055, "INR"), DuplicateOrder, []string{"INR 10.55", "INR 105.50"}},
		{"razorpay currency", Razorpay{}, rzp("ORD1", 10550, "USD"), DuplicateOrder, []string{"USD 105.50", "INR 105.50"}},
		{"razorpay receipt", Razorpay{}, rzp("OTHER", 10550, "INR"), GatewayError, []string{"OTHER"}},
		{"razorpay audit C6", Razorpay{}, rzp("OTHER", 1055, "USD"), GatewayError, nil},
		{"razorpay no receipt", Razorpay{}, `{"id":"order_X","amount":10550,"currency":"INR","receipt":null,"status":"created"}`, GatewayError, nil},
		{"juspay same", Juspay{}, `{"id":"o","order_id":"ORD1","status":"NEW","amount":105.5,"currency":"INR"}`, "", nil},
		{"juspay amount", Juspay{}, `{"id":"o","order_id":"ORD1","status":"NEW","amount":10.55,"currency":"INR"}`, DuplicateOrder, []string{"INR 10.55", "INR 105.50"}},
		{"juspay currency", Juspay{}, `{"id":"o","order_id":"ORD1","status":"NEW","amount":105.5,"currency":"USD"}`, DuplicateOrder, nil},
		{"juspay id", Juspay{}, `{"id":"o","order_id":"ORD2","status":"NEW","amount":105.5,"currency":"INR"}`, GatewayError, nil},
		{"kwikpaisa same", KwikPaisa{}, kp(`"order_id":"ORD1"`), "", nil},
		{"kwikpaisa id", KwikPaisa{}, kp(`"order_id":"ORD2"`), GatewayError, nil},
		{"kwikpaisa amount", KwikPaisa{}, kp(`"order_id":"ORD1","amount":"1.00"`), DuplicateOrder, []string{"INR 1.00", "INR 105.50"}},
		{"kwikpaisa order_amount", KwikPaisa{}, kp(`"order_id":"ORD1","order_amount":105.5,"currency":"INR"`), "", nil},
		{"kwikpaisa currency", KwikPaisa{}, kp(`"order_id":"ORD1","order_amount":"105.50","currency":"USD"`), DuplicateOrder, nil},
		{"kwikpaisa two amounts", KwikPaisa{}, kp(`"order_id":"ORD1","order_amount":"105.50","amount":"1.00"`), GatewayError, nil},
	}
	for _, c := range cases {
		res, e := c.gw.ParseCreate(o, 200, []byte(c.body))
		if c.typ == "" {
			if e != nil || res.Amount != "105.50" || res.Currency != "INR" {
				t.Errorf("%s: %+v %v", c.name, res, e)
			}
			continue
		}
		if e == nil || e.Type != c.typ || e.Gateway != c.gw.Name() {
			t.Errorf("%s: %+v %v, want %s", c.name, res, e, c.typ)
			continue
		}
		if c.typ == DuplicateOrder && e.Field != "order_id" {
			t.Errorf("%s: field %q", c.name, e.Field)
		}
		for _, m := range c.msg {
			if !strings.Contains(e.Message, m) {
				t.Errorf("%s: message %q lacks %q", c.name, e.Message, m)
			}
		}
	}
}

// Status answers: only the order id is known, and an answer about another
// one is gateway_error.
func TestStatusEchoChecks(t *testing.T) {
	cases := []struct {
		name string
		gw   Gateway
		body string
	}{
		{"razorpay", Razorpay{}, `{"entity":"collection","count":1,"items":[{"id":"order_X","amount":100,"currency":"INR","receipt":"OTHER","status":"paid"}]}`},
		{"razorpay unfiltered", Razorpay{}, `{"entity":"collection","count":2,"items":[{"id":"order_X","amount":100,"currency":"INR","receipt":"ORD1","status":"paid"},{"id":"order_Y","amount":100,"currency":"INR","receipt":null,"status":"paid"}]}`},
		{"juspay", Juspay{}, `{"id":"o","order_id":"ORD2","status":"CHARGED","amount":1,"currency":"INR"}`},
		{"kwikpaisa", KwikPaisa{}, `{"code":"200","status":"success","return_data":{"kwikX_order_id":"kp_1","order_id":"ORD2","order_status":"PAID"}}`},
		{"enkash merchantOrderId", EnKash{}, `{"response_code":0,"payload":{"orderId":"ORD9","merchantOrderId":"ORD2","orderStatus":"PAID","amount":1}}`},
	}
	for _, c := range cases {
		if res, e := c.gw.ParseStatus("ORD1", 200, []byte(c.body)); e == nil || e.Type != GatewayError {
			t.Errorf("%s: %+v %v, want gateway_error", c.name, res, e)
		}
	}
	// Asked by EnKash's own id: payload.orderId must be that id (or the merchant's).
	body := func(id string) []byte {
		return []byte(`{"response_code":0,"payload":{"orderId":"` + id + `","orderStatus":"PAID","amount":1}}`)
	}
	for id, ok := range map[string]bool{"ORD9": true, "ORD1": true, "ORD8": false} {
		res, e := EnKash{}.ParseStatusFor("ORD1", "ORD9", 200, body(id))
		if ok != (e == nil) || (!ok && e.Type != GatewayError) || (ok && res.OrderID != "ORD1") {
			t.Errorf("asked ORD9, payload orderId %s: %+v %v", id, res, e)
		}
	}
	// By the merchant's id, payload.orderId is EnKash's own.
	if res, e := (EnKash{}).ParseStatus("ORD1", 200, body("ORD9")); e != nil || res.GatewayOrderID != "ORD9" {
		t.Errorf("by merchant id: %+v %v", res, e)
	}
}

// EnKash orders are INR in rupees and paise: the status amount is never
// rounded, negative or in another currency (audit C13).
func TestEnKashStatusAmountStrict(t *testing.T) {
	body := func(amount string) []byte {
		return []byte(`{"response_code":0,"payload":{"orderId":"M1","orderStatus":"PAID","amount":` + amount + `}}`)
	}
	for amount, want := range map[string]string{
		`105.5`: "105.50", `"105.50"`: "105.50", `{"value":1.1,"currency":"INR"}`: "1.10", `0`: "0.00", `1e2`: "100.00", `null`: "",
	} {
		res, e := EnKash{}.ParseStatus("M1", 200, body(amount))
		if e != nil || res.Amount != want {
			t.Errorf("%s: %+v %v, want %q", amount, res, e, want)
		}
	}
	for _, amount := range []string{`105.555`, `1e-9999`, `-5`, `"-5"`, `{"value":1.005,"currency":"INR"}`, `{"value":1.5,"currency":"USD"}`,
		`"1.5\""`, `"abc"`, `true`} {
		if res, e := (EnKash{}).ParseStatus("M1", 200, body(amount)); e == nil || e.Type != GatewayError {
			t.Errorf("%s: %+v %v, want gateway_error", amount, res, e)
		}
	}
	if res, e := (EnKash{}).ParseStatus("M1", 200, []byte(`{"response_code":0,"payload":{"orderId":"M1","orderStatus":"PAID","amount":1,"currency":"USD"}}`)); e == nil {
		t.Errorf("USD accepted: %+v", res)
	}
}

// An amount sent as a JSON number must be what a float64 reader gets
// (audit C18): at most 15 significant digits and 2^53-1 minor units.
func TestJSONNumberAmounts(t *testing.T) {
	kp := `"customer":{"name":"A","email":"a@example.com","phone":"9816512345"},"return_url":"https://s.example.com/r"`
	for _, g := range []Gateway{Razorpay{}, KwikPaisa{ServiceType: "DIGITAL"}, EnKash{}} {
		for amount, ok := range map[string]bool{
			"9999999999999.99":     true,  // 15 digits
			"123456789012345.67":   false, // 17 digits, 12345678901234567 paise > 2^53
			"90071992547409.93":    false, // 2^53+2 paise
			"100000000000000000":   false, // 1e19 paise
			"1234567890123.45":     true,
			"99999999999999.9":     false, // 15 digits, but 9999999999999990 paise > 2^53
			"9007199254740.99":     true,  // 15 digits
			"1000000000000000.00":  false, // 1e17 paise
			"10000000000000.00":    true,  // 1e15 paise
			"90071992547409.9":     true,  // 15 digits, 2^53-1 paise less 1
			"900719925474.09":      true,
			"12345678901234567.89": false, // 19 digits
		} {
			o := mustOrder(t, `{"order_id":"A1","amount":"`+amount+`","currency":"INR",`+kp+`}`)
			_, e := g.BuildCreate(o)
			if ok && e != nil {
				t.Errorf("%s %s refused: %v", g.Name(), amount, e)
			}
			if !ok && (e == nil || e.Type != InvalidRequest || e.Field != "amount") {
				t.Errorf("%s %s: %v, want invalid_request on amount", g.Name(), amount, e)
			}
		}
	}
	// Juspay sends a string: only the canonical 24-character bound applies.
	if _, e := (Juspay{}).BuildCreate(mustOrder(t, `{"order_id":"A1","amount":"123456789012345.67","currency":"INR"}`)); e != nil {
		t.Errorf("juspay: %v", e)
	}
}

// unique_receipt (audit S4): Razorpay answers a repeated receipt with the
// order it holds (the normal result when it is this order, duplicate_order
// when the amount differs) or with a 400 "receipt should be unique".
func TestRazorpayUniqueReceipt(t *testing.T) {
	o := mustOrder(t, `{"order_id":"ORD1","amount":"105.50","currency":"INR"}`)
	req, e := Razorpay{}.BuildCreate(o)
	if e != nil || !strings.Contains(string(req.Body), `"unique_receipt":true`) {
		t.Fatalf("body %s %v", req.Body, e)
	}
	existing := `{"id":"order_Old","entity":"order","amount":%d,"amount_paid":0,"amount_due":%[1]d,"currency":"INR","receipt":"ORD1","status":"attempted","attempts":1,"notes":[],"created_at":1779413000}`
	res, e := Razorpay{}.ParseCreate(o, 200, fmt.Appendf(nil, existing, 10550))
	if e != nil || res.GatewayOrderID != "order_Old" || res.Status != StatusPending || res.Amount != "105.50" {
		t.Errorf("the same order returned: %+v %v", res, e)
	}
	_, e = Razorpay{}.ParseCreate(o, 200, fmt.Appendf(nil, existing, 99900))
	if e == nil || e.Type != DuplicateOrder || e.HTTPStatus() != 409 || !strings.Contains(e.Message, "INR 999.00") || !strings.Contains(e.Message, "INR 105.50") {
		t.Errorf("another amount under the receipt: %v", e)
	}
	_, e = Razorpay{}.ParseCreate(o, 400, published(t, "razorpay/cs_duplicate_receipt_400.json"))
	if e == nil || e.Type != DuplicateOrder || e.Field != "order_id" {
		t.Errorf("400 receipt should be unique: %v", e)
	}
	_, e = Razorpay{}.ParseCreate(o, 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Duplicate receipt","field":"receipt"}}`))
	if e == nil || e.Type != DuplicateOrder {
		t.Errorf("400 duplicate receipt: %v", e)
	}
	// An account that does not take the field is no duplicate.
	_, e = Razorpay{}.ParseCreate(o, 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"unique_receipt is/are not required and should not be sent","reason":"extra_field_sent","field":"unique_receipt"}}`))
	if e == nil || e.Type != GatewayRejected {
		t.Errorf("unique_receipt refused as an extra field: %v", e)
	}
}

// Razorpay results carry the public key_id Checkout needs.
func TestRazorpayCheckoutKeyID(t *testing.T) {
	g := Razorpay{CheckoutKeyID: "rzp_test_1DP5mmOlF5G5ag"}
	o := mustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	created, e := g.ParseCreate(o, 200, fixture(t, "razorpay_order.json"))
	if e != nil {
		t.Fatal(e)
	}
	status, e := g.ParseStatus("ORD-KWD", 200, fixture(t, "razorpay_collection.json"))
	if e != nil {
		t.Fatal(e)
	}
	for op, res := range map[string]*Result{"create": created, "status": status} {
		if res.GatewayDetails["checkout_key_id"] != "rzp_test_1DP5mmOlF5G5ag" || !strings.Contains(string(res.JSON()), `"gateway_details":{"checkout_key_id":"rzp_test_1DP5mmOlF5G5ag"}`) {
			t.Errorf("%s: %s", op, res.JSON())
		}
	}
	if res, _ := (Razorpay{}).ParseCreate(o, 200, fixture(t, "razorpay_order.json")); res.GatewayDetails != nil {
		t.Errorf("no key id configured: %v", res.GatewayDetails)
	}
}

func TestJuspayCashOnDelivery(t *testing.T) {
	for _, body := range []string{`{"id":"o","status_id":29}`, `{"id":"o","status":"COD_INITIATED","status_id":29}`} {
		res, e := Juspay{}.ParseStatus("o1", 200, []byte(body))
		if e != nil || res.Status != StatusCreated || res.GatewayStatus != "COD_INITIATED" {
			t.Errorf("%s: %+v %v", body, res, e)
		}
	}
}

// A failed payment comes as code "200", status "failed" and the order with
// order_status FAILED: a result, not an error. Without an order, or under a
// non-2xx code, "failed" is still an error.
func TestKwikPaisaFailedEnvelope(t *testing.T) {
	res, e := KwikPaisa{}.ParseStatus("6116229263036", 200, kwikpaisaFailedMock(t))
	if e != nil || res.Status != StatusFailed || res.GatewayOrderID != "kp_40dec464" || res.Amount != "105.00" {
		t.Errorf("failed payment: %+v %v", res, e)
	}
	for body, want := range map[string]ErrorType{
		`{"code":"200","status":"failed","message":"Payment failed."}`:                                                         GatewayError,
		`{"code":"401","status":"failed","return_data":{"kwikX_order_id":"kp_1","order_status":"FAILED"}}`:                     GatewayAuthenticationFailed,
		`{"code":"200","status":"failed","return_data":{"kwikX_order_id":"kp_1"}}`:                                             GatewayError,
		`{"status":"failed","message":"Something went wrong","return_data":{"kwikX_order_id":"kp_1","order_status":"FAILED"}}`: GatewayError,
	} {
		if res, e := (KwikPaisa{}).ParseStatus("S1", 200, []byte(body)); e == nil || e.Type != want {
			t.Errorf("%s: %+v %v, want %s", body, res, e, want)
		}
	}
}

// The SDK token Juspay returns with get_client_auth_token expires in
// minutes: the recorded form of a result leaves it out (audit S8), and
// keeps everything else.
func TestResultWithoutEphemeral(t *testing.T) {
	res, e := Juspay{}.ParseCreate(codeOrder("14183944763", "1", "INR"), 200, published(t, "juspay/demo_create-order_response-auth.json"))
	if e != nil {
		t.Fatal(e)
	}
	if res.GatewayDetails["client_auth_token"] == "" || res.GatewayDetails["client_auth_token_expiry"] == "" {
		t.Fatalf("the sample's token was not read: %v", res.GatewayDetails)
	}
	rec := res.WithoutEphemeral()
	body := string(rec.JSON())
	if strings.Contains(body, "tkn_") || strings.Contains(body, "client_auth_token") {
		t.Errorf("recorded form keeps the token: %s", body)
	}
	if rec.GatewayDetails["payment_url_mobile"] == "" || rec.PaymentURL != res.PaymentURL || rec.Amount != res.Amount {
		t.Errorf("recorded form lost other fields: %s", body)
	}
	if res.GatewayDetails["client_auth_token"] == "" {
		t.Error("WithoutEphemeral changed the answer itself")
	}
	only := &Result{GatewayDetails: map[string]string{"client_auth_token": "tkn_x"}}
	if got := only.WithoutEphemeral(); got.GatewayDetails != nil || strings.Contains(string(got.JSON()), "gateway_details") {
		t.Errorf("only ephemeral details: %s", got.JSON())
	}
	plain := &Result{GatewayDetails: map[string]string{"checkout_key_id": "rzp_test_x"}}
	if plain.WithoutEphemeral() != plain {
		t.Error("a result without ephemeral details was copied")
	}
	if !EphemeralDetail("client_auth_token") || EphemeralDetail("checkout_key_id") || EphemeralDetail("payment_url_mobile") {
		t.Error("EphemeralDetail")
	}
}
