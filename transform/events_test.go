package transform

import (
	"testing"
)

func TestConfirmWith(t *testing.T) {
	paid := func() *Event {
		return &Event{Type: EventOrderPaid, GatewayOrderID: "order_1", Amount: "105.50", Currency: "INR"}
	}
	cases := []struct {
		name string
		ev   *Event
		res  Result
		want ConfirmVerdict
	}{
		{"agrees", paid(), Result{GatewayOrderID: "order_1", Status: StatusPaid, Amount: "105.5", Currency: "INR"}, Confirmed},
		{"not paid yet", paid(), Result{GatewayOrderID: "order_1", Status: StatusPending, Amount: "105.50", Currency: "INR"}, NotYet},
		{"other amount", paid(), Result{GatewayOrderID: "order_1", Status: StatusPaid, Amount: "1.00", Currency: "INR"}, Contradicted},
		{"other currency", paid(), Result{GatewayOrderID: "order_1", Status: StatusPaid, Amount: "105.50", Currency: "USD"}, Contradicted},
		{"other order", paid(), Result{GatewayOrderID: "order_2", Status: StatusPaid, Amount: "105.50", Currency: "INR"}, Contradicted},
		{"failed attempt, order open", &Event{Type: EventOrderFailed, GatewayOrderID: "order_1", Amount: "105.50", Currency: "INR"},
			Result{GatewayOrderID: "order_1", Status: StatusPending, Amount: "105.50", Currency: "INR"}, Confirmed},
	}
	for _, c := range cases {
		if got, _ := c.ev.ConfirmWith(&c.res); got != c.want {
			t.Errorf("%s: verdict %d, want %d", c.name, got, c.want)
		}
	}
}
