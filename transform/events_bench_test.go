package transform_test

import (
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/enkash"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
	"github.com/paygate/caddy-paygate/transform/juspay"
	"github.com/paygate/caddy-paygate/transform/kwikpaisa"
	"github.com/paygate/caddy-paygate/transform/razorpay"
)

// benchEvent is a gateway's typical paid-order webhook, the one the load
// harness (tests/load) sends: Razorpay's order.paid, Juspay's
// ORDER_SUCCEEDED and KwikPaisa's payment.success are published samples;
// EnKash's notification has none published and is the harness's body.
type benchEvent struct {
	gateway string
	body    []byte
	parse   func([]byte, time.Time) ([]*transform.Event, error)
}

// benchEnKashNotification is the load harness's EnKash "Payment Notify
// Request" (its keys sorted, as it writes them).
const benchEnKashNotification = `{"amount":105.5,"bankCode":"","bankName":"","bankTransactionId":"BORD1001","cardHolderName":"",` +
	`"cardScheme":"","checksum":"5c1f0d3e9a7b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d","currency":"INR",` +
	`"finalAmount":105.5,"maskedCardNumber":"","mdr":0,"mdrGst":0,"orderId":"ORD1001","orderStatus":"PAID","paymentMode":"UPI",` +
	`"paymentToken":"","status":"SUCCESS","surcharge":0,"surchargeGst":0,"transactionAmount":105.5,"transactionId":"TXNORD1001",` +
	`"transactionStatus":"SUCCESS","txnDate":"2026-05-22T06:55:00.000Z","txnMsg":"Transaction SUCCESS","uniqueTransactionId":"UORD1001"}`

func benchEvents(b testing.TB) []benchEvent {
	return []benchEvent{
		{"razorpay", gatewaytest.Published(b, "razorpay/webhook_order_paid_netbanking.json"), razorpay.ParseEvent},
		{"juspay", gatewaytest.Published(b, "juspay/webhook_order_succeeded.json"), juspay.ParseEvent},
		{"kwikpaisa", gatewaytest.Published(b, "kwikpaisa/webhook_payment_success.doc.json"), kwikpaisa.ParseEvent},
		{"enkash", []byte(benchEnKashNotification), func(body []byte, received time.Time) ([]*transform.Event, error) {
			// EnKash's body names only the order; its event is built from
			// the order's status (EventFromStatus), as the root does.
			id, err := enkash.ParseNotification(body)
			if err != nil {
				return nil, err
			}
			res := &transform.Result{Gateway: "enkash", OrderID: id, GatewayOrderID: "ORD1779413100000AbCdE",
				Status: transform.StatusPaid, Amount: "105.50", Currency: "INR"}
			ev, err := transform.EventFromStatus("enkash", enkash.NotifyEvent, res, received)
			if err != nil {
				return nil, err
			}
			return []*transform.Event{ev}, nil
		}},
	}
}

// BenchmarkParseEvent: a webhook body to canonical events, the part of
// paygate_webhook's work that is transform's.
//
//	go test -run '^$' -bench 'ParseEvent|EventOut' -benchmem -count 5 ./transform/
func BenchmarkParseEvent(b *testing.B) {
	for _, c := range benchEvents(b) {
		b.Run(c.gateway, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if _, err := c.parse(c.body, gatewaytest.EventReceived); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEventOut: what paygate_webhook does with a parsed event before
// forwarding it: its canonical id (Identify) and its JSON.
func BenchmarkEventOut(b *testing.B) {
	for _, c := range benchEvents(b) {
		events, err := c.parse(c.body, gatewaytest.EventReceived)
		if err != nil {
			b.Fatal(err)
		}
		ev := events[0]
		b.Run(c.gateway, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ev.Identify("acct-1")
				if len(ev.JSON()) == 0 {
					b.Fatal("no JSON")
				}
			}
		})
	}
}
