package transform

import (
	"strings"
	"testing"
)

// A name repeated, or repeated with another case, at any depth is a 400
// naming the field: {"amount":"1","amount":"1000"} must never be read two
// ways.
func TestDecodeStrictNames(t *testing.T) {
	base := func(extra string) string { return `{"order_id":"A1","amount":"10","currency":"INR"` + extra + `}` }
	cases := []struct{ name, body, field string }{
		{"repeated amount", `{"order_id":"A1","amount":"1","amount":"1000","currency":"INR"}`, "amount"},
		{"amount in another case", `{"order_id":"A1","amount":"1","AMOUNT":"1000","currency":"INR"}`, "amount"},
		{"repeated order_id", `{"order_id":"A","order_id":"B","amount":"1","currency":"INR"}`, "order_id"},
		{"order_id in upper case alone", `{"ORDER_ID":"X","amount":"1","currency":"INR"}`, "order_id"},
		{"long s folds to s", base(`,"cuſtomer":{"name":"Eve"}`), "customer"},
		{"Kelvin sign folds to k", `{"order_id":"A1","amount":"10","currency":"INR","ban\u212a_account":{}}`, "bank_account"},
		{"repeated customer.name", base(`,"customer":{"name":"a","name":"b"}`), "customer.name"},
		{"customer.name in another case", base(`,"customer":{"name":"a","NAME":"b"}`), "customer.name"},
		{"customer.Name alone", base(`,"customer":{"Name":"a"}`), "customer.name"},
		{"address city twice by case", base(`,"billing_address":{"city":"a","City":"b"}`), "billing_address.city"},
		{"repeated bank_account.ifsc", base(`,"bank_account":{"ifsc":"KKBK0000432","ifsc":"SBIN0001234"}`), "bank_account.ifsc"},
		{"repeated customer object", base(`,"customer":{"name":"a"},"customer":{"name":"b"}`), "customer"},
		{"repeated metadata key", base(`,"metadata":{"a":"1","a":"2"}`), "metadata.a"},
		{"metadata keys by case", base(`,"metadata":{"cart":"1","Cart":"2"}`), "metadata.cart"},
		{"metadata keys by folding", base(`,"metadata":{"s":"1","ſ":"2"}`), "metadata.ſ"},
		{"gateway option by case", base(`,"gateway_options":{"service_type":"A","SERVICE_TYPE":"B"}`), "gateway_options.service_type"},
		{"repeated gateway option", base(`,"gateway_options":{"gateway_id":1,"gateway_id":2}`), "gateway_options.gateway_id"},
		{"inside an option's object", base(`,"gateway_options":{"x":{"a":1,"A":2}}`), "gateway_options.x.A"},
		{"inside an option's array", base(`,"gateway_options":{"x":[{"a":1},{"b":{"k":1,"K":2}}]}`), "gateway_options.x.1.b.K"},
		{"repeated inside an option", base(`,"gateway_options":{"x":{"a":1,"a":2}}`), "gateway_options.x.a"},
	}
	for _, c := range cases {
		_, e := DecodeOrder([]byte(c.body))
		if e == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		if e.Type != InvalidRequest || e.Field != c.field || !strings.HasPrefix(e.Message, c.field+": ") {
			t.Errorf("%s: %+v, want invalid_request on %q", c.name, e, c.field)
		}
		// The encoding/json decoder DecodeOrder replaced refuses them too,
		// with its token pre-scan.
		if _, e := decodeOrderV1([]byte(c.body)); e == nil {
			t.Errorf("%s: the v1 reference accepted it", c.name)
		}
	}
	// Distinct names that merely look alike are fine.
	for _, ok := range []string{
		base(`,"metadata":{"cart":"1","cart_2":"2","kart":"3"}`),
		base(`,"gateway_options":{"x":{"a":1,"b":{"a":2}},"y":[{"a":1},{"a":2}]}`),
	} {
		if _, e := DecodeOrder([]byte(ok)); e != nil {
			t.Errorf("%s: %v", ok, e)
		}
	}
}
