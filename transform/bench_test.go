package transform

import (
	"testing"
)

// Benchmarks of the pure hot path: canonical decode, each gateway's request
// building and answer mapping. Fixtures are the emulators' own answers for
// the order the load harness (tests/load) sends, so the figures line up.
//
//	go test -run '^$' -bench . -benchmem -count 5 ./transform/

// BenchmarkDecodeOrder compares DecodeOrder (the plain-order scanner, with
// go-json-experiment/json for every other body) with go-json-experiment/json
// alone (v2, strict by its options), the encoding/json decoder it replaced,
// made as strict by a token pre-scan (v1-strict), and as it was (v1-lax,
// which read repeated and differently-cased names).
func BenchmarkDecodeOrder(b *testing.B) {
	decoders := []struct {
		name   string
		decode func([]byte) (*Order, *Error)
	}{
		{"scan", DecodeOrder},
		{"v2", decodeOrderStrict},
		{"v1-strict", decodeOrderV1},
		{"v1-lax", func(body []byte) (*Order, *Error) { return decodeOrderV1Mode(body, false) }},
	}
	for _, c := range []struct{ name, body string }{{"typical", benchOrderBody}, {"minimal", benchMinimalBody}} {
		body := []byte(c.body)
		for _, d := range decoders {
			b.Run(c.name+"/"+d.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					if _, e := d.decode(body); e != nil {
						b.Fatal(e)
					}
				}
			})
		}
	}
}

func BenchmarkErrorJSON(b *testing.B) {
	e := GatewayFailure("razorpay", GatewayRejected, "BAD_REQUEST_ERROR", "The amount must be at least INR 1.00", "amount")
	b.ReportAllocs()
	for b.Loop() {
		_ = e.JSON()
	}
}

// benchOrderBody is a typical create: every gateway accepts it as is.
const benchOrderBody = `{"order_id":"ORD1001","amount":"105.50","currency":"INR","description":"Load test order",` +
	`"customer":{"id":"cust-7","name":"Asha Rao","email":"asha@example.com","phone":"+919876543210"},` +
	`"return_url":"https://merchant.example/return","metadata":{"cart":"42"}}`

// benchMinimalBody is the smallest valid create.
const benchMinimalBody = `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`
