package kwikpaisa

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func TestKwikPaisaEvents(t *testing.T) {
	one := gatewaytest.OneOf(t)
	body := gatewaytest.Published(t, "kwikpaisa/"+"webhook_payment_success.doc.json")
	ev := one(ParseEvent(body, gatewaytest.EventReceived))
	gatewaytest.CheckEvent(t, "payment.success", ev, transform.Event{GatewayEventID: transform.GatewayEventIDOfBody(body), Type: transform.EventOrderPaid, Gateway: "kwikpaisa",
		GatewayEvent: "payment.success", OrderID: "6116229263036", Status: transform.StatusPaid, Amount: "105.00", Currency: "INR",
		OccurredAt: "2026-11-21T19:55:00Z"})
	if ev.TimeFromBody {
		t.Error("KwikPaisa events carry no time; occurred_at is the time received")
	}
	for _, c := range []struct {
		event, status string
		t             transform.EventType
		st            transform.Status
	}{
		{"payment.failed", "FAILED", transform.EventOrderFailed, transform.StatusFailed},
		{"payment.expired", "EXPIRED", transform.EventOrderFailed, transform.StatusExpired},
		{"payment.processing", "PROCESSING", transform.EventOrderPending, transform.StatusPending},
	} {
		b := `{"event":"` + c.event + `","data":{"order_id":6116229263036,"kwikX_order_id":"KX1","transaction_id":"T1","amount":105,"currency":"INR","status":"` + c.status + `"}}`
		ev := one(ParseEvent([]byte(b), gatewaytest.EventReceived))
		if ev.Type != c.t || ev.Status != c.st || ev.OrderID != "6116229263036" || ev.Amount != "105.00" || ev.GatewayOrderID != "KX1" || ev.PaymentID != "T1" {
			t.Errorf("%s mapped to %+v", c.event, ev)
		}
	}
	for name, b := range map[string]string{
		"payout":        `{"event":"payout.success","data":{}}`,
		"contradiction": `{"event":"payment.success","data":{"order_id":"A1","amount":"1.00","currency":"INR","status":"FAILED"}}`,
		"no data":       `{"event":"payment.success"}`,
		"bad amount":    `{"event":"payment.success","data":{"order_id":"A1","amount":"1.005","currency":"INR","status":"PAID"}}`,
	} {
		if _, err := ParseEvent([]byte(b), gatewaytest.EventReceived); err == nil {
			t.Errorf("%s: mapped", name)
		}
	}
}
