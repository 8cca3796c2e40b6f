package transform_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/enkash"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
	"github.com/paygate/caddy-paygate/transform/juspay"
	"github.com/paygate/caddy-paygate/transform/kwikpaisa"
	"github.com/paygate/caddy-paygate/transform/razorpay"
)

// facts are the gateways' declared facts, by name.
func facts(name string) *transform.Facts {
	return map[string]*transform.Facts{"razorpay": &razorpay.Facts, "juspay": &juspay.Facts,
		"kwikpaisa": &kwikpaisa.Facts, "enkash": &enkash.Facts}[name]
}

func TestRefundWireIDs(t *testing.T) {
	alnum := regexp.MustCompile(`^[A-Z0-9]+$`)
	rzp := regexp.MustCompile(`^[A-Za-z0-9_-]{10,}$`)
	for _, ids := range [][2]string{{"ORD1001", "RF1001A"}, {strings.Repeat("o", 40), strings.Repeat("r", 40)}, {"a", "b"}} {
		j := juspay.UniqueRequestID(ids[0], ids[1])
		if len(j) != 20 || !alnum.MatchString(j) || j != juspay.UniqueRequestID(ids[0], ids[1]) {
			t.Errorf("juspay unique_request_id %q", j)
		}
		k := razorpay.RefundKey(ids[0], ids[1])
		if !rzp.MatchString(k) || len(k) > 40 {
			t.Errorf("razorpay key %q", k)
		}
		if e := enkash.RequestID(ids[0], ids[1]); len(e) != 26 || !alnum.MatchString(e) {
			t.Errorf("enkash requestId %q", e)
		}
	}
	// The same refund id on two orders, and ids that concatenate alike, are different wire ids.
	if juspay.UniqueRequestID("O1", "R1") == juspay.UniqueRequestID("O2", "R1") ||
		juspay.UniqueRequestID("O1", "1R") == juspay.UniqueRequestID("O11", "R") ||
		razorpay.RefundKey("O1", "R1") == razorpay.RefundKey("O2", "R1") || enkash.RequestID("O1", "R1") == enkash.RequestID("O2", "R1") {
		t.Error("wire ids do not depend on the order id")
	}
}

var allGateways = []transform.Gateway{razorpay.Dialect{}, juspay.Dialect{}, kwikpaisa.Dialect{ServiceType: "DIGITAL"}, enkash.Dialect{}}

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
	o := gatewaytest.MustOrder(t, gatewaytest.FullOrder)
	for _, g := range allGateways {
		for _, status := range []int{408, 425, 429} {
			for _, body := range append(bodies[g.Name()], `<html>slow down</html>`, ``) {
				_, ce := g.ParseCreate(o, status, []byte(body))
				_, se := g.ParseStatus(o.OrderID, status, []byte(body))
				for op, e := range map[string]*transform.Error{"create": ce, "status": se} {
					if e == nil || e.Type != transform.GatewayUnavailable || e.HTTPStatus() != 503 || e.Gateway != g.Name() {
						t.Errorf("%s %s HTTP %d %.40s: %v, want gateway_unavailable", g.Name(), op, status, body, e)
					}
				}
			}
		}
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
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1","amount":"105.50","currency":"INR","customer":{"name":"A","email":"a@example.com","phone":"9816512345"},"return_url":"https://s.example.com/r"}`)
	cases := []struct {
		name string
		gw   transform.Gateway
		body string
		typ  transform.ErrorType // "" = accepted
		msg  []string
	}{
		{"razorpay same", razorpay.Dialect{}, rzp("ORD1", 10550, "INR"), "", nil},
		{"razorpay amount", razorpay.Dialect{}, rzp("ORD1", 1055, "INR"), transform.DuplicateOrder, []string{"INR 10.55", "INR 105.50"}},
		{"razorpay currency", razorpay.Dialect{}, rzp("ORD1", 10550, "USD"), transform.DuplicateOrder, []string{"USD 105.50", "INR 105.50"}},
		{"razorpay receipt", razorpay.Dialect{}, rzp("OTHER", 10550, "INR"), transform.GatewayError, []string{"OTHER"}},
		{"razorpay other receipt, amount and currency", razorpay.Dialect{}, rzp("OTHER", 1055, "USD"), transform.GatewayError, nil},
		{"razorpay no receipt", razorpay.Dialect{}, `{"id":"order_X","amount":10550,"currency":"INR","receipt":null,"status":"created"}`, transform.GatewayError, nil},
		{"juspay same", juspay.Dialect{}, `{"id":"o","order_id":"ORD1","status":"NEW","amount":105.5,"currency":"INR"}`, "", nil},
		{"juspay amount", juspay.Dialect{}, `{"id":"o","order_id":"ORD1","status":"NEW","amount":10.55,"currency":"INR"}`, transform.DuplicateOrder, []string{"INR 10.55", "INR 105.50"}},
		{"juspay currency", juspay.Dialect{}, `{"id":"o","order_id":"ORD1","status":"NEW","amount":105.5,"currency":"USD"}`, transform.DuplicateOrder, nil},
		{"juspay id", juspay.Dialect{}, `{"id":"o","order_id":"ORD2","status":"NEW","amount":105.5,"currency":"INR"}`, transform.GatewayError, nil},
		{"kwikpaisa same", kwikpaisa.Dialect{}, kp(`"order_id":"ORD1"`), "", nil},
		{"kwikpaisa id", kwikpaisa.Dialect{}, kp(`"order_id":"ORD2"`), transform.GatewayError, nil},
		{"kwikpaisa amount", kwikpaisa.Dialect{}, kp(`"order_id":"ORD1","amount":"1.00"`), transform.DuplicateOrder, []string{"INR 1.00", "INR 105.50"}},
		{"kwikpaisa order_amount", kwikpaisa.Dialect{}, kp(`"order_id":"ORD1","order_amount":105.5,"currency":"INR"`), "", nil},
		{"kwikpaisa currency", kwikpaisa.Dialect{}, kp(`"order_id":"ORD1","order_amount":"105.50","currency":"USD"`), transform.DuplicateOrder, nil},
		{"kwikpaisa two amounts", kwikpaisa.Dialect{}, kp(`"order_id":"ORD1","order_amount":"105.50","amount":"1.00"`), transform.GatewayError, nil},
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
		if c.typ == transform.DuplicateOrder && e.Field != "order_id" {
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
		gw   transform.Gateway
		body string
	}{
		{"razorpay", razorpay.Dialect{}, `{"entity":"collection","count":1,"items":[{"id":"order_X","amount":100,"currency":"INR","receipt":"OTHER","status":"paid"}]}`},
		{"razorpay unfiltered", razorpay.Dialect{}, `{"entity":"collection","count":2,"items":[{"id":"order_X","amount":100,"currency":"INR","receipt":"ORD1","status":"paid"},{"id":"order_Y","amount":100,"currency":"INR","receipt":null,"status":"paid"}]}`},
		{"juspay", juspay.Dialect{}, `{"id":"o","order_id":"ORD2","status":"CHARGED","amount":1,"currency":"INR"}`},
		{"kwikpaisa", kwikpaisa.Dialect{}, `{"code":"200","status":"success","return_data":{"kwikX_order_id":"kp_1","order_id":"ORD2","order_status":"PAID"}}`},
		{"enkash merchantOrderId", enkash.Dialect{}, `{"response_code":0,"payload":{"orderId":"ORD9","merchantOrderId":"ORD2","orderStatus":"PAID","amount":1}}`},
	}
	for _, c := range cases {
		if res, e := c.gw.ParseStatus("ORD1", 200, []byte(c.body)); e == nil || e.Type != transform.GatewayError {
			t.Errorf("%s: %+v %v, want gateway_error", c.name, res, e)
		}
	}
	// Asked by EnKash's own id: payload.orderId must be that id (or the merchant's).
	body := func(id string) []byte {
		return []byte(`{"response_code":0,"payload":{"orderId":"` + id + `","orderStatus":"PAID","amount":1}}`)
	}
	for id, ok := range map[string]bool{"ORD9": true, "ORD1": true, "ORD8": false} {
		res, e := enkash.Dialect{}.ParseStatusFor("ORD1", "ORD9", 200, body(id))
		if ok != (e == nil) || (!ok && e.Type != transform.GatewayError) || (ok && res.OrderID != "ORD1") {
			t.Errorf("asked ORD9, payload orderId %s: %+v %v", id, res, e)
		}
	}
	// By the merchant's id, payload.orderId is EnKash's own.
	if res, e := (enkash.Dialect{}).ParseStatus("ORD1", 200, body("ORD9")); e != nil || res.GatewayOrderID != "ORD9" {
		t.Errorf("by merchant id: %+v %v", res, e)
	}
}

// An amount sent as a JSON number must be what a float64 reader gets
// : at most 15 significant digits and 2^53-1 minor units.
func TestJSONNumberAmounts(t *testing.T) {
	kp := `"customer":{"name":"A","email":"a@example.com","phone":"9816512345"},"return_url":"https://s.example.com/r"`
	for _, g := range []transform.Gateway{razorpay.Dialect{}, kwikpaisa.Dialect{ServiceType: "DIGITAL"}, enkash.Dialect{}} {
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
			o := gatewaytest.MustOrder(t, `{"order_id":"A1","amount":"`+amount+`","currency":"INR",`+kp+`}`)
			_, e := g.BuildCreate(o)
			if ok && e != nil {
				t.Errorf("%s %s refused: %v", g.Name(), amount, e)
			}
			if !ok && (e == nil || e.Type != transform.InvalidRequest || e.Field != "amount") {
				t.Errorf("%s %s: %v, want invalid_request on amount", g.Name(), amount, e)
			}
		}
	}
	// Juspay sends a string: only the canonical 24-character bound applies.
	if _, e := (juspay.Dialect{}).BuildCreate(gatewaytest.MustOrder(t, `{"order_id":"A1","amount":"123456789012345.67","currency":"INR"}`)); e != nil {
		t.Errorf("juspay: %v", e)
	}
}

func TestSameRequest(t *testing.T) {
	a, _ := juspay.Dialect{}.BuildStatus("ORD1")
	b, _ := juspay.Dialect{}.BuildRefundStatus(&transform.RefundCall{Order: gatewaytest.PaidOrder("juspay", "ORD1", "", "1", "INR"), RefundID: "R1"})
	if !transform.SameRequest(a, b) {
		t.Error("juspay's refund status is the order status request")
	}
	c, _ := razorpay.Dialect{}.BuildStatus("ORD1")
	if transform.SameRequest(a, c) {
		t.Error("different requests compare equal")
	}
}

// Field names taken from the application's input are clipped in errors
// : a huge unknown key or metadata key is not echoed whole.
func TestErrorFieldsClipped(t *testing.T) {
	long := strings.Repeat("k", 60*1024)
	for _, body := range []string{
		`{"order_id":"A1","amount":"10","currency":"INR","` + long + `":1}`,
		`{"order_id":"A1","amount":"10","currency":"INR","customer":{"` + long + `":1}}`,
		`{"order_id":"A1","amount":"10","currency":"INR","metadata":{"` + strings.Repeat("é", 1000) + `":1}}`,
	} {
		_, e := transform.DecodeOrder([]byte(body))
		if e == nil || e.Type != transform.InvalidRequest {
			t.Fatalf("%.60s: %v", body, e)
		}
		if n := utf8.RuneCountInString(e.Field); n > transform.MaxFieldRunes+1 || n < 8 {
			t.Errorf("%.60s: field of %d runes", body, n)
		}
		if len(e.JSON()) > 1024 {
			t.Errorf("%.60s: error of %d bytes", body, len(e.JSON()))
		}
	}
	if _, e := (razorpay.Dialect{}).BuildCreate(gatewaytest.MustOrder(t, `{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"`+strings.Repeat("o", 500)+`":1}}`)); e == nil || utf8.RuneCountInString(e.Field) > transform.MaxFieldRunes+1 {
		t.Errorf("gateway option name: %v", e)
	}
	// Short names are kept exactly, spaces included.
	if e := transform.Invalid("currency ", "unknown field"); e.Field != "currency " {
		t.Errorf("field %q", e.Field)
	}
}
