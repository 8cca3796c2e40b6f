package enkash

import (
	"errors"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func FuzzNotification(f *testing.F) {
	f.Add([]byte(`{"orderId":"ORD-1","orderStatus":"PAID","transactionId":"T","amount":1.5,"checksum":"ab"}`))
	f.Add([]byte(`{"orderId":12345}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		id, err := ParseNotification(body)
		if err == nil && transform.ValidateOrderID(id) != nil {
			t.Fatalf("order id %q accepted", id)
		}
		var ig *transform.IgnoredEvent
		if err != nil && !errors.As(err, &ig) {
			t.Fatalf("error %v is not an IgnoredEvent", err)
		}
	})
}

func FuzzBuild(f *testing.F) { gatewaytest.FuzzBuild(f, Dialect{}) }

func FuzzParse(f *testing.F) { gatewaytest.FuzzParse(f, Dialect{}, "enkash") }

func FuzzRefund(f *testing.F) {
	order := gatewaytest.PaidOrder("enkash", "ORD1", "ORDX", "100.00", "INR")
	seeds := gatewaytest.SharedSamples(f, "enkash/refund_*.json", `"amount": 0`, `"amount": 1`, `"currency": "string"`, `"currency": "INR"`)
	seeds = append(seeds,
		[]byte(`{"response_code":0,"payload":{"transactionId":"TXN1","transactionStatus":"SUCCESS","transactions":[{"transactionId":"TXN1","status":"SUCCESS"}],
			"refunds":[{"requestId":"`+RequestID("ORD1", "RF1")+`","transactionId":"RFT1","amount":1,"status":"CREATED"}]}}`),
		[]byte(`{"response_code":409,"response_message":"Duplicate requestId"}`))
	gatewaytest.FuzzRefund(f, Dialect{}, "enkash", order, "TXN1", seeds...)
}
