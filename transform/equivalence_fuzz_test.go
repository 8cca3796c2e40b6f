package transform

// Equivalence fuzzers: the hand-written encoders on the hot path must give
// exactly what the straightforward (reference) encoders give.

import (
	"encoding/json"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "<>&/", "\u2028x\u2029", "हिन्दी", "\x01\x1f", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for _, r := range s {
			if r < 0x20 { // canonical rules refuse control characters
				return
			}
		}
		want, err := MarshalCompact(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}

func oldKwikPaisaBody(o *Order, name string, c *Customer, serviceType string) ([]byte, error) {
	customer := map[string]any{"name": name, "email": c.Email, "phone": c.Phone}
	if a := oldKwikPaisaAddress(o.BillingAddress); len(a) > 0 {
		customer["address"] = a
	}
	order := map[string]any{
		"order_id":       o.OrderID,
		"order_amount":   o.Amount.Decimal(),
		"order_currency": o.Currency,
		"service_type":   serviceType,
		"customer":       customer,
		"return_url":     o.ReturnURL,
	}
	if o.Description != "" {
		order["order_note"] = o.Description
	}
	return CanonicalJSON(order)
}

func FuzzKwikPaisaBody(f *testing.F) {
	f.Add("ORD1", "105.50", "Asha Rao", "a@b.c", "+91987", "https://x/y", "note", "l1", "", "l3", "City", "", "560001", "KA", "DIGITAL")
	f.Add("O", "1e3", "é \u2028", "", "", "", "", "", "", "", "", "IN", "", "", "P")
	f.Fuzz(func(t *testing.T, id, amount, name, email, phone, ret, note, l1, l2, l3, city, country, pc, state, st string) {
		a, err := ParseAmount(amount)
		if err != nil {
			return
		}
		o := &Order{OrderID: id, Amount: a, Currency: "INR", Description: note, ReturnURL: ret,
			BillingAddress: &Address{Line1: l1, Line2: l2, Line3: l3, City: city, Country: country, PostalCode: pc, State: state}}
		c := &Customer{Email: email, Phone: phone}
		want, werr := oldKwikPaisaBody(o, name, c, st)
		got, gerr := kwikpaisaBody(o, name, c, st)
		if (werr == nil) != (gerr == nil) || (werr == nil && string(got) != string(want)) {
			t.Fatalf("got %s %v\nwant %s %v", got, gerr, want, werr)
		}
	})
}

func FuzzMinorToMajor(f *testing.F) {
	f.Add(uint64(10550), 2)
	f.Add(uint64(5), 3)
	f.Add(uint64(0), 0)
	f.Fuzz(func(t *testing.T, n uint64, exp int) {
		if exp < 0 || exp > 3 {
			return
		}
		s := strconv.FormatUint(n, 10)
		d, _ := decimal.NewFromString(s)
		want := d.Shift(-int32(exp)).StringFixed(int32(exp))
		got, ok := MinorToMajor(s, exp)
		if !ok || got != want {
			t.Fatalf("%s exp %d: %q, want %q", s, exp, got, want)
		}
	})
}

// oldKwikPaisaAddress is the reference (map-based) address encoding.
func oldKwikPaisaAddress(a *Address) map[string]any {
	if a == nil {
		return nil
	}
	m := map[string]any{}
	line2 := a.Line2
	if a.Line3 != "" {
		if line2 != "" {
			line2 += ", "
		}
		line2 += a.Line3
	}
	for _, f := range []struct{ name, value string }{
		{"line1", a.Line1}, {"line2", line2}, {"city", a.City}, {"state", a.State},
		{"country", a.Country}, {"postal_code", a.PostalCode},
	} {
		if f.value != "" {
			m[f.name] = f.value
		}
	}
	return m
}

// FuzzDecodeOrderEquivalence: DecodeOrder (go-json-experiment/json) and the
// encoding/json decoder it replaced, made strict by a token pre-scan,
// accept exactly the same bodies and read them as the same order. Either
// one alone could drift: a name read two ways is what this guards.
func FuzzDecodeOrderEquivalence(f *testing.F) {
	for _, s := range append(orderSeeds,
		`{"order_id":"A1","amount":"1","amount":"1000","currency":"INR"}`,
		`{"order_id":"A1","amount":"1","AMOUNT":"1000","currency":"INR"}`,
		`{"order_id":"A1","amount":"10","currency":"INR","cuſtomer":{"name":"Eve"}}`,
		`{"order_id":"A1","amount":"10","currency":"INR","metadata":{"cart":"1","Cart":"2"}}`,
		`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"x":[{"a":1},{"b":{"k":1,"K":2}}]}}`,
		`{"order_id":"A1","amount":"10","currency":"INR","customer":{"name":"a","first_name":"b","last_name":"c"},"shipping_address":null}`,
		`{"order_id":"A1","amount":105.5,"currency":"INR","metadata":{}}  `,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o2, e2 := DecodeOrder(body)
		o1, e1 := decodeOrderV1(body)
		if (e1 == nil) != (e2 == nil) {
			t.Fatalf("v2 %v / v1 %v", e2, e1)
		}
		if e1 != nil {
			if e1.Type != InvalidRequest || e2.Type != InvalidRequest {
				t.Fatalf("error types %s / %s", e2.Type, e1.Type)
			}
			return
		}
		j1, _ := json.Marshal(o1)
		j2, _ := json.Marshal(o2)
		if string(j1) != string(j2) {
			t.Fatalf("read two ways:\nv2 %s\nv1 %s", j2, j1)
		}
	})
}
