package razorpay

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/paygate/caddy-paygate/transform"
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

// FuzzWireJSON: the create body's fast path writes exactly what
// transform.MarshalCompact writes for the same createRequest, for the text
// a canonical order can hold (valid UTF-8, no control characters).
func FuzzWireJSON(f *testing.F) {
	f.Add("ORD1", "INR", "10550", "cart", "42", "b", "<x&y>/z")
	f.Add("K1", "KWD", "99990", "é\u2028", "\"q\"\\", "", "")
	f.Add("0", "0", "00", "", "0", "", "") // not a canonical amount: skipped
	f.Fuzz(func(t *testing.T, id, currency, amount, k1, v1, k2, v2 string) {
		for _, s := range []string{id, currency, k1, v1, k2, v2} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) {
				return
			}
		}
		// The amount is written by decimal's String: canonical digits only
		// ("00" is no JSON number).
		if n, err := strconv.ParseUint(amount, 10, 64); err != nil || strconv.FormatUint(n, 10) != amount {
			return
		}
		notes := map[string]string{}
		if k1 != "" {
			notes[k1] = v1
		}
		if k2 != "" {
			notes[k2] = v2
		}
		for _, unique := range []bool{true, false} {
			r := createRequest{Amount: json.Number(amount), Currency: currency, Receipt: id, UniqueReceipt: unique, Notes: notes}
			want, err := transform.MarshalCompact(&r)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.appendJSON(nil); string(got) != string(want) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		}
	})
}
