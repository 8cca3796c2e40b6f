package transform

import (
	"strings"
	"testing"
)

const fullOrder = `{
  "order_id": "ORD1001",
  "amount": "105.50",
  "currency": "INR",
  "description": "2 x notebook",
  "customer": {"id": "cust-7", "name": "Ajay Kumar", "email": "ajay@example.com", "phone": "9816512345"},
  "billing_address": {"line1": "12 MG Road", "line2": "", "line3": "", "city": "Bengaluru", "state": "KA", "country": "IN", "postal_code": "560001"},
  "shipping_address": {"line1": "12 MG Road", "city": "Bengaluru", "country": "IN", "postal_code": "560001"},
  "return_url": "https://shop.example.com/return",
  "notify_url": "https://shop.example.com/payment-events",
  "metadata": {"cart": "42"},
  "bank_account": {"account_number": "1234567890", "ifsc": "KKBK0000432", "name": "Ajay Kumar"},
  "gateway_options": {"service_type": "DIGITAL"}
}`

var orderSeeds = []string{
	fullOrder,
	`{"order_id":"A1","amount":105.5,"currency":"INR","customer":{"name":"Zoë 山田","email":"z@example.com","phone":"+919816512345"},"return_url":"https://x.example/r?a=1"}`,
	`{"order_id":"K1","amount":"99.99","currency":"KWD","metadata":{"a":"<&>/"}}`,
	`{"order_id":"J1","amount":"5000","currency":"JPY","bank_account":{"account_number":"123","ifsc":"bad"}}`,
}

func TestDecodeFullOrder(t *testing.T) {
	o, e := DecodeOrder([]byte(fullOrder))
	if e != nil {
		t.Fatalf("DecodeOrder: %v", e)
	}
	if o.OrderID != "ORD1001" || o.Amount.Fixed(2) != "105.50" || o.Currency != "INR" ||
		o.Customer.Email != "ajay@example.com" || o.BillingAddress.PostalCode != "560001" ||
		o.Metadata["cart"] != "42" || o.BankAccount.IFSC != "KKBK0000432" {
		t.Errorf("decoded %+v", o)
	}
	if s, ok, e := o.GatewayOptions.String("service_type"); !ok || e != nil || s != "DIGITAL" {
		t.Errorf("gateway_options.service_type = %q %v %v", s, ok, e)
	}
	if e := (&Facts{Options: []Option{{Name: "service_type", Kind: OptionText}}}).CheckOptions(o.GatewayOptions); e != nil {
		t.Errorf("Check: %v", e)
	}
	if e := (&Facts{}).CheckOptions(o.GatewayOptions); e == nil || e.Field != "gateway_options.service_type" {
		t.Errorf("Check() with none allowed = %v", e)
	}
}

func TestDecodeAmountAsNumber(t *testing.T) {
	o, e := DecodeOrder([]byte(`{"order_id":"A","amount":105.50,"currency":"INR"}`))
	if e != nil || o.Amount.Fixed(2) != "105.50" {
		t.Fatalf("number amount: %v %v", o, e)
	}
	// Trailing zeros change no value: 100.00 JPY is 100 yen.
	if _, e := DecodeOrder([]byte(`{"order_id":"A","amount":"100.00","currency":"JPY"}`)); e != nil {
		t.Errorf("100.00 JPY refused: %v", e)
	}
}

// Every canonical rule (README "Create request"): the error is
// invalid_request and names the field.
func TestDecodeRules(t *testing.T) {
	base := func(extra string) string {
		return `{"order_id":"A1","amount":"10","currency":"INR"` + extra + `}`
	}
	cases := []struct {
		name, body, field string
	}{
		{"missing order_id", `{"amount":"10","currency":"INR"}`, "order_id"},
		{"empty order_id", `{"order_id":"","amount":"10","currency":"INR"}`, "order_id"},
		{"long order_id", `{"order_id":"` + strings.Repeat("a", 41) + `","amount":"10","currency":"INR"}`, "order_id"},
		{"order_id charset", `{"order_id":"A/1","amount":"10","currency":"INR"}`, "order_id"},
		{"order_id number", `{"order_id":12,"amount":"10","currency":"INR"}`, "order_id"},
		{"missing amount", `{"order_id":"A1","currency":"INR"}`, "amount"},
		{"zero amount", `{"order_id":"A1","amount":"0","currency":"INR"}`, "amount"},
		{"negative amount", `{"order_id":"A1","amount":-5,"currency":"INR"}`, "amount"},
		{"exponent amount", `{"order_id":"A1","amount":1e3,"currency":"INR"}`, "amount"},
		{"huge exponent", `{"order_id":"A1","amount":1e1000000,"currency":"INR"}`, "amount"},
		{"400 digits", `{"order_id":"A1","amount":` + strings.Repeat("9", 400) + `,"currency":"INR"}`, "amount"},
		{"amount object", `{"order_id":"A1","amount":{"v":1},"currency":"INR"}`, "amount"},
		{"amount bool", `{"order_id":"A1","amount":true,"currency":"INR"}`, "amount"},
		{"too many places INR", `{"order_id":"A1","amount":"1.005","currency":"INR"}`, "amount"},
		{"places JPY", `{"order_id":"A1","amount":"1.5","currency":"JPY"}`, "amount"},
		{"missing currency", `{"order_id":"A1","amount":"10"}`, "currency"},
		{"lower-case currency", `{"order_id":"A1","amount":"10","currency":"inr"}`, "currency"},
		{"unknown currency", `{"order_id":"A1","amount":"10","currency":"XYZ"}`, "currency"},
		{"currency number", `{"order_id":"A1","amount":"10","currency":356}`, "currency"},
		{"unknown field", base(`,"colour":"red"`), "colour"},
		{"unknown nested field", base(`,"customer":{"nmae":"x"}`), "customer.nmae"},
		{"unknown address field", base(`,"billing_address":{"zip":"1"}`), "billing_address.zip"},
		{"customer not object", base(`,"customer":"Ajay"`), "customer"},
		{"customer name type", base(`,"customer":{"name":5}`), "customer.name"},
		{"bad email", base(`,"customer":{"email":"ajay"}`), "customer.email"},
		{"bad phone", base(`,"customer":{"phone":"98-16"}`), "customer.phone"},
		{"control char", base(`,"description":"a\u0007b"`), "description"},
		{"control char in name", base(`,"customer":{"name":"a\nb"}`), "customer.name"},
		{"long description", base(`,"description":"` + strings.Repeat("x", 1025) + `"`), "description"},
		{"relative return_url", base(`,"return_url":"/return"`), "return_url"},
		{"ftp notify_url", base(`,"notify_url":"ftp://x.example/y"`), "notify_url"},
		{"metadata not strings", base(`,"metadata":{"a":1}`), "metadata.a"},
		{"metadata nested", base(`,"metadata":{"a":{"b":"c"}}`), "metadata.a"},
		{"metadata empty key", base(`,"metadata":{"":"x"}`), "metadata"},
		{"bank_account type", base(`,"bank_account":{"ifsc":1}`), "bank_account.ifsc"},
		{"gateway_options not object", base(`,"gateway_options":[1]`), "gateway_options"},
	}
	for _, c := range cases {
		_, e := DecodeOrder([]byte(c.body))
		if e == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if e.Type != InvalidRequest || e.HTTPStatus() != 400 {
			t.Errorf("%s: type %s status %d", c.name, e.Type, e.HTTPStatus())
		}
		if e.Field != c.field {
			t.Errorf("%s: field %q, want %q (%s)", c.name, e.Field, c.field, e.Message)
		}
		if !strings.HasPrefix(e.Message, c.field) {
			t.Errorf("%s: message %q does not start with the field", c.name, e.Message)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	for name, body := range map[string]string{
		"empty":         ``,
		"not object":    `[1,2]`,
		"string":        `"x"`,
		"truncated":     `{"order_id":"A1"`,
		"trailing data": `{"order_id":"A1","amount":"10","currency":"INR"}{"x":1}`,
		"trailing junk": `{"order_id":"A1","amount":"10","currency":"INR"} x`,
		"invalid utf8":  "{\"order_id\":\"A1\",\"amount\":\"10\",\"currency\":\"INR\",\"description\":\"\xff\xfe\"}",
		"raw control":   "{\"order_id\":\"A1\",\"amount\":\"10\",\"currency\":\"INR\",\"description\":\"a\x01\"}",
		"deep nesting":  `{"order_id":"A1","amount":"10","currency":"INR","metadata":` + strings.Repeat(`{"a":`, 20000) + `"x"` + strings.Repeat(`}`, 20000) + `}`,
		"null":          `null`,
	} {
		_, e := DecodeOrder([]byte(body))
		if e == nil || e.Type != InvalidRequest {
			t.Errorf("%s: %v", name, e)
		}
	}
}

func TestErrorJSON(t *testing.T) {
	e := Invalid("amount", "INR allows at most %d decimal places", 2)
	e.Gateway = "razorpay"
	want := `{"error":{"type":"invalid_request","message":"amount: INR allows at most 2 decimal places","field":"amount","gateway":"razorpay"}}`
	if got := string(e.JSON()); got != want {
		t.Errorf("JSON()\n got %s\nwant %s", got, want)
	}
	for typ, status := range map[ErrorType]int{
		InvalidRequest: 400, UnsupportedMediaType: 415, RequestTooLarge: 413, NotFound: 404, MethodNotAllowed: 405,
		DuplicateOrder: 409, GatewayRejected: 422, OrderNotFound: 404, GatewayAuthenticationFailed: 502,
		GatewayError: 502, GatewayUnavailable: 503, GatewayTimeout: 504,
	} {
		if got := typ.HTTPStatus(); got != status {
			t.Errorf("%s → %d, want %d", typ, got, status)
		}
	}
}

func TestCustomerNames(t *testing.T) {
	cases := []struct {
		c          Customer
		full, f, l string
	}{
		{Customer{Name: "Ajay Kumar"}, "Ajay Kumar", "Ajay", "Kumar"},
		{Customer{Name: "Ajay"}, "Ajay", "Ajay", ""},
		{Customer{Name: "Sri Ajay Kumar"}, "Sri Ajay Kumar", "Sri Ajay", "Kumar"},
		{Customer{FirstName: "Ajay", LastName: "Kumar"}, "Ajay Kumar", "Ajay", "Kumar"},
	}
	for _, c := range cases {
		f, l := c.c.SplitName()
		if c.c.FullName() != c.full || f != c.f || l != c.l {
			t.Errorf("%+v → %q %q %q", c.c, c.c.FullName(), f, l)
		}
	}
}

func FuzzDecodeOrder(f *testing.F) {
	f.Add([]byte(fullOrder))
	f.Add([]byte(`{"order_id":"A1","amount":105.5,"currency":"INR"}`))
	f.Add([]byte(`{"order_id":"A1","amount":"1e1000000","currency":"KWD"}`))
	f.Add([]byte(`{"customer":{"nmae":1}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		o, e := DecodeOrder(body)
		if (o == nil) == (e == nil) {
			t.Fatalf("exactly one of order and error must be set: %v %v", o, e)
		}
		if e != nil {
			if e.Type != InvalidRequest {
				t.Fatalf("decode error of type %s", e.Type)
			}
			return
		}
		// An accepted order always has a valid id, a positive amount that
		// fits its currency, and survives every gateway's validation entry.
		if ValidateOrderID(o.OrderID) != nil || !o.Amount.Decimal().IsPositive() {
			t.Fatalf("accepted invalid order %+v", o)
		}
		exp, _ := CurrencyExponent(o.Currency)
		if _, ok := o.Amount.Minor(exp); !ok {
			t.Fatalf("accepted amount %s with too many places for %s", o.Amount.Shortest(), o.Currency)
		}
	})
}
