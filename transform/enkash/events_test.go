package enkash

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func TestEnKashNotificationAndStatus(t *testing.T) {
	id, err := ParseNotification([]byte(`{"orderId":"ORD-7","orderStatus":"PAID","transactionId":"T9","amount":1,"checksum":"x"}`))
	if err != nil || id != "ORD-7" {
		t.Fatalf("orderId = %q, %v", id, err)
	}
	for _, b := range []string{`{}`, `{"orderId":"../../admin"}`, `[]`, `{"orderId":"A"} x`} {
		if _, err := ParseNotification([]byte(b)); err == nil {
			t.Errorf("%s: accepted", b)
		}
	}
	cases := map[transform.Status]transform.EventType{transform.StatusPaid: transform.EventOrderPaid, transform.StatusCreated: transform.EventOrderPending, transform.StatusPending: transform.EventOrderPending,
		transform.StatusFailed: transform.EventOrderFailed, transform.StatusExpired: transform.EventOrderFailed, transform.StatusCancelled: transform.EventOrderFailed}
	for st, want := range cases {
		res := &transform.Result{Gateway: "enkash", OrderID: "ORD-7", GatewayOrderID: "EK1", Status: st, Amount: "10.00", Currency: "INR"}
		ev, err := transform.EventFromStatus("enkash", NotifyEvent, res, gatewaytest.EventReceived)
		if err != nil || ev.Type != want || ev.Amount != "10.00" || ev.OrderID != "ORD-7" || ev.GatewayOrderID != "EK1" {
			t.Errorf("%s: %+v %v", st, ev, err)
		}
	}
	if _, err := transform.EventFromStatus("enkash", NotifyEvent, &transform.Result{OrderID: "ORD-7", Status: transform.StatusUnknown}, gatewaytest.EventReceived); err == nil {
		t.Error("unknown status mapped")
	}
}
