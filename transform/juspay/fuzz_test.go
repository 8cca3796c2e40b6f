package juspay

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func FuzzEvent(f *testing.F) {
	gatewaytest.SeedEvents(f, "juspay", `{"id":"e","event_name":"TXN_CHARGED","content":{"txn":{"txn_id":"t","order_id":"o","status":"CHARGED","txn_amount":"1.5","currency":"KWD"}}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseEvent(body, gatewaytest.EventReceived)
		gatewaytest.CheckParsedEvents(t, "juspay", events, err)
	})
}

func FuzzBuild(f *testing.F) { gatewaytest.FuzzBuild(f, Dialect{}) }

func FuzzParse(f *testing.F) { gatewaytest.FuzzParse(f, Dialect{}, "juspay") }

func FuzzRefund(f *testing.F) {
	order := gatewaytest.PaidOrder("juspay", "JP1636474794", "ordeh_x", "1.00", "INR")
	seeds := gatewaytest.SharedSamples(f, "juspay/refund_*.json", "TEST1637681731", UniqueRequestID("JP1636474794", "RF1"))
	gatewaytest.FuzzRefund(f, Dialect{}, "juspay", order, "JP1636474794", seeds...)
}
