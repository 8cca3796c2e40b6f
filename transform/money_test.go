package transform

import (
	"strings"
	"testing"
)

// Money-safety rules every gateway's answer mapping shares (README
// "Retries and idempotency"): throttling is never a verdict, nothing is
// reported that the gateway did not confirm, and amounts sent as JSON
// numbers are exact.

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
