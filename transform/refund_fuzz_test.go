package transform

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/shopspring/decimal"
)

// Fuzz targets for the refund decoder and every gateway's refund parsers.

var refundSeeds = []string{
	`{"refund_id":"RF1001A","amount":"50.00","reason":"customer request","metadata":{"ticket":"881"}}`,
	`{"refund_id":"R","amount":12.5}`,
	`{"refund_id":"R","amount":"1","amount":"2"}`,
	`{"refund_id":"R","amount":"1","Amount":"2","metadata":{"a":"1","A":"2"}}`,
	`{"refund_id":"R","amount":"1","metadata":{"k":[1,{"x":2}]},"reason":null}`,
	`{"refund_id":"0","amount":"10","reason":"0","metadata":{}}`,
}

func FuzzDecodeRefund(f *testing.F) {
	for _, s := range refundSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, e := DecodeRefund(body)
		if e != nil {
			if e.Type != InvalidRequest || e.Message == "" {
				t.Fatalf("refused with %v", e)
			}
			return
		}
		if r.Validate() != nil || !r.Amount.IsSet() {
			t.Fatalf("accepted an invalid refund %+v", r)
		}
		// What was accepted survives a round trip unchanged.
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, e := DecodeRefund(again)
		// An empty metadata object is no metadata: it is left out on the way back.
		sameMetadata := len(r.Metadata) == 0 && len(r2.Metadata) == 0 || reflect.DeepEqual(r2.Metadata, r.Metadata)
		if e != nil || r2.RefundID != r.RefundID || !r2.Amount.Decimal().Equal(r.Amount.Decimal()) ||
			r2.Reason != r.Reason || !sameMetadata {
			t.Fatalf("round trip: %s → %+v %v", again, r2, e)
		}
	})
}

var refundErrorTypes = map[ErrorType]bool{DuplicateRefund: true, OrderInProgress: true, GatewayRejected: true,
	OrderNotFound: true, GatewayAuthenticationFailed: true, GatewayError: true, GatewayUnavailable: true}

var refundStatuses = map[RefundStatus]bool{RefundPending: true, RefundSucceeded: true, RefundFailed: true}

// fuzzRefund feeds any answer to every parse step of g, for an order and a
// refund whose wire ids the seeds carry.
func fuzzRefund(f *testing.F, g Refunder, name string, order *Result, target string, seeds ...[]byte) {
	for _, s := range seeds {
		for _, status := range []int{200, 400, 401, 404, 409, 429, 500} {
			for step := range 4 {
				f.Add(uint8(step), status, s)
			}
		}
	}
	f.Add(uint8(1), 200, []byte(`{}`))
	f.Add(uint8(2), 200, []byte(`null`))
	f.Fuzz(func(t *testing.T, step uint8, status int, body []byte) {
		o := *order
		c := &RefundCall{Order: &o, Target: target, RefundID: "RF1"}
		var res *RefundResult
		var e *Error
		switch step % 4 {
		case 0: // the target, from the status answer or from its own call
			tg, next, e1 := g.BuildRefundTarget(&o, body)
			if (tg == "") == (e1 == nil) && next == nil {
				t.Fatalf("BuildRefundTarget: target %q, error %v", tg, e1)
			}
			tg, e2 := g.ParseRefundTarget(&o, status, body)
			if (tg == "") == (e2 == nil) {
				t.Fatalf("ParseRefundTarget: target %q, error %v", tg, e2)
			}
			if tg != "" && !PathSafe(tg) {
				t.Fatalf("target %q is no path segment", tg)
			}
			return
		case 1:
			c.Refund = &Refund{RefundID: "RF1", Amount: MustAmount("1")}
			res, e = g.ParseRefund(c, status, body)
		case 2:
			res, e = g.ParseRefundStatus(c, status, body)
		case 3:
			c.Refund = &Refund{RefundID: "RF1", Amount: MustAmount("1")}
			res, e = g.ParseRefundStatus(c, status, body)
		}
		if (res == nil) == (e == nil) {
			t.Fatalf("result %+v and error %v", res, e)
		}
		if e != nil {
			if !refundErrorTypes[e.Type] && !IsRefundNotFound(e) || e.Message == "" || e.Gateway != name {
				t.Fatalf("error %#v", e)
			}
			return
		}
		if res.Gateway != name || res.OrderID != o.OrderID || res.RefundID != "RF1" || !refundStatuses[res.Status] {
			t.Fatalf("result %+v", res)
		}
		exp, ok := CurrencyExponent(res.Currency)
		d, err := decimal.NewFromString(res.Amount)
		if !ok || err != nil || d.IsNegative() || d.StringFixed(exp) != res.Amount {
			t.Fatalf("amount %q %q", res.Amount, res.Currency)
		}
		if c.Refund != nil && (res.Amount != c.Refund.Amount.Fixed(exp) || res.Currency != o.Currency) {
			t.Fatalf("reported %s %s for a refund of 1 %s", res.Currency, res.Amount, o.Currency)
		}
	})
}

// sharedSamples reads the published samples matching a glob, with ids
// rewritten to the ones the fuzzed call uses.
func sharedSamples(f *testing.F, glob string, replace ...string) [][]byte {
	files, _ := filepath.Glob("../../shared/reference/fixtures/" + glob)
	if len(files) == 0 {
		f.Fatalf("no samples match %s", glob)
	}
	var out [][]byte
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for i := 0; i+1 < len(replace); i += 2 {
			b = bytes.ReplaceAll(b, []byte(replace[i]), []byte(replace[i+1]))
		}
		out = append(out, b)
	}
	return out
}

func FuzzRazorpayRefund(f *testing.F) {
	order := paidOrder("razorpay", "ORD1", "order_N8FRN5zTm5S3wx", "6000.00", "INR")
	seeds := sharedSamples(f, "razorpay/refund_*.json", "pay_EpkFDYRirena0f", "pay_1", `"receipt": null`, `"receipt": "RF1"`)
	seeds = append(seeds, sharedSamples(f, "razorpay/order_payments_failed_then_captured.json")...)
	fuzzRefund(f, Razorpay{}, "razorpay", order, "pay_1", seeds...)
}

func FuzzJuspayRefund(f *testing.F) {
	order := paidOrder("juspay", "JP1636474794", "ordeh_x", "1.00", "INR")
	seeds := sharedSamples(f, "juspay/refund_*.json", "TEST1637681731", JuspayUniqueRequestID("JP1636474794", "RF1"))
	fuzzRefund(f, Juspay{}, "juspay", order, "JP1636474794", seeds...)
}

func FuzzEnKashRefund(f *testing.F) {
	order := paidOrder("enkash", "ORD1", "ORDX", "100.00", "INR")
	seeds := sharedSamples(f, "enkash/refund_*.json", `"amount": 0`, `"amount": 1`, `"currency": "string"`, `"currency": "INR"`)
	seeds = append(seeds,
		[]byte(`{"response_code":0,"payload":{"transactionId":"TXN1","transactionStatus":"SUCCESS","transactions":[{"transactionId":"TXN1","status":"SUCCESS"}],
			"refunds":[{"requestId":"`+EnKashRequestID("ORD1", "RF1")+`","transactionId":"RFT1","amount":1,"status":"CREATED"}]}}`),
		[]byte(`{"response_code":409,"response_message":"Duplicate requestId"}`))
	fuzzRefund(f, EnKash{}, "enkash", order, "TXN1", seeds...)
}
