package razorpay

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func FuzzEvent(f *testing.F) {
	gatewaytest.SeedEvents(f, "razorpay", `{"event":"refund.speed_changed","payload":{"refund":{"entity":{"id":"rfnd_1","amount":100,"currency":"JPY","status":"pending"}},"created_at":1}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseEvent(body, gatewaytest.EventReceived)
		gatewaytest.CheckParsedEvents(t, "razorpay", events, err)
	})
}

func FuzzBuild(f *testing.F) { gatewaytest.FuzzBuild(f, Dialect{}) }

func FuzzParse(f *testing.F) { gatewaytest.FuzzParse(f, Dialect{}, "razorpay") }

func FuzzRefund(f *testing.F) {
	order := gatewaytest.PaidOrder("razorpay", "ORD1", "order_N8FRN5zTm5S3wx", "6000.00", "INR")
	seeds := gatewaytest.SharedSamples(f, "razorpay/refund_*.json", "pay_EpkFDYRirena0f", "pay_1", `"receipt": null`, `"receipt": "RF1"`)
	seeds = append(seeds, gatewaytest.SharedSamples(f, "razorpay/order_payments_failed_then_captured.json")...)
	gatewaytest.FuzzRefund(f, Dialect{}, "razorpay", order, "pay_1", seeds...)
}
