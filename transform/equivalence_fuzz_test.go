package transform

// Equivalence fuzzers: the hand-written encoders on the hot path must give
// exactly what the straightforward (reference) encoders give.

import (
	"encoding/json"
	"strconv"
	"testing"
	"unicode/utf8"

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
