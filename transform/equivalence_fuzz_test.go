package transform

// Equivalence fuzzers: the hand-written encoders on the hot path must give
// exactly what the straightforward (reference) encoders give.

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/shopspring/decimal"
)

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "<>&/", "\u2028x\u2029", "हिन्दी", "\x01\x1f", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		for _, r := range s {
			if r < 0x20 { // canonical rules refuse control characters
				return
			}
		}
		want, err := MarshalCompact(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}

func FuzzMinorToMajor(f *testing.F) {
	f.Add(uint64(10550), 2)
	f.Add(uint64(5), 3)
	f.Add(uint64(0), 0)
	f.Fuzz(func(t *testing.T, n uint64, exp int) {
		if exp < 0 || exp > 3 {
			return
		}
		s := strconv.FormatUint(n, 10)
		d, _ := decimal.NewFromString(s)
		want := d.Shift(-int32(exp)).StringFixed(int32(exp))
		got, ok := MinorToMajor(s, exp)
		if !ok || got != want {
			t.Fatalf("%s exp %d: %q, want %q", s, exp, got, want)
		}
	})
}

// FuzzDecodeOrderEquivalence: DecodeOrder (go-json-experiment/json) and the
// encoding/json decoder it replaced, made strict by a token pre-scan,
// accept exactly the same bodies and read them as the same order. Either
// one alone could drift: a name read two ways is what this guards.
func FuzzDecodeOrderEquivalence(f *testing.F) {
	for _, s := range append(orderSeeds,
		`{"order_id":"A1","amount":"1","amount":"1000","currency":"INR"}`,
		`{"order_id":"A1","amount":"1","AMOUNT":"1000","currency":"INR"}`,
		`{"order_id":"A1","amount":"10","currency":"INR","cuſtomer":{"name":"Eve"}}`,
		`{"order_id":"A1","amount":"10","currency":"INR","metadata":{"cart":"1","Cart":"2"}}`,
		`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"x":[{"a":1},{"b":{"k":1,"K":2}}]}}`,
		`{"order_id":"A1","amount":"10","currency":"INR","customer":{"name":"a","first_name":"b","last_name":"c"},"shipping_address":null}`,
		`{"order_id":"A1","amount":105.5,"currency":"INR","metadata":{}}  `,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o2, e2 := DecodeOrder(body)
		o1, e1 := decodeOrderV1(body)
		if (e1 == nil) != (e2 == nil) {
			t.Fatalf("v2 %v / v1 %v", e2, e1)
		}
		if e1 != nil {
			if e1.Type != InvalidRequest || e2.Type != InvalidRequest {
				t.Fatalf("error types %s / %s", e2.Type, e1.Type)
			}
			return
		}
		j1, _ := json.Marshal(o1)
		j2, _ := json.Marshal(o2)
		if string(j1) != string(j2) {
			t.Fatalf("read two ways:\nv2 %s\nv1 %s", j2, j1)
		}
	})
}

func FuzzAppendMarshalString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "<>&/", "\u2028x\u2029", "हिन्दी", "\x01\x1f\b\f\n\r\t", "é", "\xff\xfe", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendMarshalString(nil, s); string(got) != string(want) {
			t.Fatalf("%q: got %s want %s", s, got, want)
		}
	})
}

// FuzzResultJSON: Result.JSON writes what json.Marshal writes, for any
// strings (gateway answers are not canonical input: they may hold < > &,
// control characters or invalid UTF-8).
func FuzzResultJSON(f *testing.F) {
	f.Add("razorpay", "A1", "order_X", "paid", "captured", "105.50", "INR", "https://x/?a=1&b=<2>", "2026-12-01T00:00:00Z", "checkout_key_id", "rzp_test_1", "", "")
	f.Add("", "", "", "", "", "", "", "", "", "", "", "k\xff", "\u2028")
	f.Fuzz(func(t *testing.T, gw, id, gid, st, gst, amt, cur, url, at, k1, v1, k2, v2 string) {
		r := Result{Gateway: gw, OrderID: id, GatewayOrderID: gid, Status: Status(st), GatewayStatus: gst,
			Amount: amt, Currency: cur, PaymentURL: url, CreatedAt: at}
		if k1 != "" || k2 != "" {
			r.GatewayDetails = map[string]string{k1: v1, k2: v2}
		}
		want, err := json.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.JSON(); string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

// FuzzOrderJSON: Order.AppendJSON (the fingerprint's bytes) writes what
// json.Marshal writes, for every order DecodeOrder accepts.
func FuzzOrderJSON(f *testing.F) {
	for _, s := range append(orderSeeds,
		`{"order_id":"A<1>&","amount":"105.50","currency":"INR","description":"a\nb\u2028","customer":{"name":"a","email":"x@y.z","phone":"+91"},"billing_address":{"line1":"1","postal_code":"5"},"shipping_address":{},"return_url":"https://a/?x=1&y=2","notify_url":"https://n","metadata":{"b":"2","a":"1","":""},"bank_account":{"ifsc":"X"},"gateway_options":{"z":[1, 2],"a":{"k":"<v>"}}}`,
		`{"order_id":"A1","amount":100.00,"currency":"JPY","customer":{},"metadata":{}}`,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o, e := DecodeOrder(body)
		if e != nil {
			return
		}
		want, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.AppendJSON(nil); string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

// FuzzShortestLiteral: the shortest form cut from a literal is the form
// decimal's String gives the parsed value.
func FuzzShortestLiteral(f *testing.F) {
	for _, s := range []string{"105.50", "100.00", "0.5", "0.10", "7", "1000", "12345678901234567890.000100", "999999999999999999", "99999999999999999.9", "0.000000000000000001", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if err == errAmountNotPositive {
			if ref, rerr := decimal.NewFromString(s); rerr == nil && ref.IsPositive() {
				t.Fatalf("%q refused as not positive", s)
			}
		}
		if err != nil {
			return
		}
		if got, want := a.Shortest(), a.Decimal().String(); got != want {
			t.Fatalf("%q: shortest %q, decimal %q", s, got, want)
		}
		ref, err := decimal.NewFromString(s)
		if err != nil || !a.Decimal().Equal(ref) || a.Decimal().Exponent() != ref.Exponent() || a.Decimal().Coefficient().Cmp(ref.Coefficient()) != 0 {
			t.Fatalf("%q: parsed %s (exp %d), decimal reads %s (exp %d, %v)", s, a.Decimal(), a.Decimal().Exponent(), ref, ref.Exponent(), err)
		}
	})
}

// decodeOrderStrict is DecodeOrder without the plain-order scanner: the
// strict decoder alone reads every body.
func decodeOrderStrict(body []byte) (*Order, *Error) { return decodeOrder(body, false) }

// FuzzScanOrderEquivalence: every body the plain-order scanner accepts, the
// strict decoder accepts too and reads as the same order; and DecodeOrder
// (scanner first) answers every body as the strict decoder alone does.
func FuzzScanOrderEquivalence(f *testing.F) {
	for _, s := range append(orderSeeds,
		`{"order_id":"A1","amount":"1","amount":"1000","currency":"INR"}`,
		`{"order_id":"A1","amount":"1","AMOUNT":"1000","currency":"INR"}`,
		`{"order_id":"A1","amount":105.5,"currency":"INR","metadata":{"a":"1","a":"2"}}`,
		`{"order_id":"A1","amount":105.5 ,"currency":"INR","metadata":{"a":"1","A":"2"}}`,
		`{"order_id":"A1","amount":1e2,"currency":"INR"}`,
		`{"order_id":"A1","amount":-1,"currency":"INR"}`,
		`{"order_id":"A1","amount":01,"currency":"INR"}`,
		`{"order_id":"A1","amount":"0.50","currency":"INR","customer":{"name":"a","name":"b"}}`,
		`{"order_id":"A1","amount":"10","currency":"INR","customer":{"email":"x@y.z","phone":"+919999999999"},"billing_address":{"line1":"1","city":"c"},"shipping_address":{},"bank_account":{"ifsc":"HDFC0000001"}}`,
		` {"order_id":"A\u0031","amount":"10","currency":"INR"} `,
		`{"order_id":"A1","amount":"10","currency":"INR"}x`,
		`{"order_id":"A1","amount":"10","currency":"INR",}`,
		`{"order_id":"A1","amount":"10","currency":null}`,
		`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{}}`,
	) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if utf8.Valid(body) {
			if fast, ok := scanOrder(body); ok {
				var ref Order
				if err := jsonv2.Unmarshal(body, &ref, decodeOptions); err != nil {
					t.Fatalf("scanner accepted what the strict decoder refuses (%v): %q", err, body)
				}
				if !reflect.DeepEqual(fast, &ref) {
					t.Fatalf("read two ways:\nscan   %+v\nstrict %+v", fast, &ref)
				}
			}
		}
		o1, e1 := DecodeOrder(body)
		o2, e2 := decodeOrderStrict(body)
		if !reflect.DeepEqual(e1, e2) || !reflect.DeepEqual(o1, o2) {
			t.Fatalf("DecodeOrder %v %+v\nstrict      %v %+v", e1, o1, e2, o2)
		}
	})
}

// The scanner is the path plain orders take (and not dead code), and it
// leaves everything unusual to the strict decoder.
func TestScanOrderTakesPlainOrders(t *testing.T) {
	for _, body := range []string{benchOrderBody, benchMinimalBody,
		`{"order_id":"A1","amount":105.5,"currency":"INR"}`,
		"{\n \"order_id\" : \"A1\" ,\t\"amount\":\"10\",\"currency\":\"INR\",\"metadata\":{}}\n",
	} {
		if _, ok := scanOrder([]byte(body)); !ok {
			t.Errorf("not read by the scanner: %s", body)
		}
	}
	for _, body := range []string{
		`{"order_id":"A\u0031","amount":"10","currency":"INR"}`,
		`{"order_id":"A1","amount":"10","amount":"10","currency":"INR"}`,
		`{"order_id":"A1","Amount":"10","currency":"INR"}`,
		`{"order_id":"A1","amount":"10","currency":"INR","customer":null}`,
		`{"order_id":"A1","amount":"10","currency":"INR","gateway_options":{"x":1}}`,
		`{"order_id":"A1","amount":1e1,"currency":"INR"}`,
		`{"order_id":"A1","amount":"10","currency":"INR"} {}`,
	} {
		if _, ok := scanOrder([]byte(body)); ok {
			t.Errorf("read by the scanner: %s", body)
		}
	}
}

// FuzzFixed: the padded literal is what decimal's StringFixed writes.
func FuzzFixed(f *testing.F) {
	for _, s := range []string{"105.5", "105.50", "100", "0.5", "1.234", "7.000"} {
		f.Add(s, int8(2))
	}
	f.Fuzz(func(t *testing.T, s string, exp int8) {
		a, err := ParseAmount(s)
		if err != nil || exp < -2 || exp > 10 {
			return
		}
		if got, want := a.Fixed(int32(exp)), a.Decimal().StringFixed(int32(exp)); got != want {
			t.Fatalf("%q exp %d: %q, want %q", s, exp, got, want)
		}
	})
}

// FuzzRefundJSON: the refund's and the refund result's hand encoders write
// what json.Marshal writes.
func FuzzRefundJSON(f *testing.F) {
	f.Add([]byte(`{"refund_id":"RF1","amount":"50.00","reason":"<customer> & co","metadata":{"b":"2","a":"1"}}`), "rfnd_1", "processed", "2026-12-01T00:00:00Z")
	f.Add([]byte(`{"refund_id":"RF1","amount":5}`), "", "", "")
	f.Fuzz(func(t *testing.T, body []byte, gid, gst, at string) {
		if r, e := DecodeRefund(body); e == nil {
			want, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.AppendJSON(nil); string(got) != string(want) {
				t.Fatalf("refund: got  %s\nwant %s", got, want)
			}
		}
		res := RefundResult{Gateway: "g", OrderID: string(body), RefundID: gid, GatewayRefundID: gid, Status: RefundStatus(gst),
			GatewayStatus: gst, Amount: at, Currency: "INR", CreatedAt: at}
		want, err := json.Marshal(&res)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.JSON(); string(got) != string(want) {
			t.Fatalf("result: got  %s\nwant %s", got, want)
		}
	})
}
