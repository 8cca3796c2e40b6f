package transform

import (
	"encoding/json"
	"reflect"
	"testing"
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
