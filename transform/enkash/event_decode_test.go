package enkash

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// A notification naming orderId twice, or in another case, names no
// order paygate can look up: encoding/json took the last
// (case-insensitively), so which order was meant is unknown.
func TestEnKashAmbiguousNotification(t *testing.T) {
	if id, err := ParseNotification([]byte(`{"orderId":"ORD-7","orderStatus":"PAID","amount":1,"amount":2}`)); err != nil || id != "ORD-7" {
		t.Fatalf("the plain notification: %q, %v", id, err)
	}
	for _, body := range []string{`{"orderId":"ORD-1","orderId":"ORD-7"}`, `{"orderId":"ORD-7","OrderId":"ORD-1"}`,
		`{"ORDERID":"ORD-7"}`, `{"orderId":null,"orderId":"ORD-7"}`, `{"orderId":"ORD-7","\u006frderId":"ORD-7"}`} {
		id, err := ParseNotification([]byte(body))
		if err == nil {
			t.Errorf("%s: order %q", body, id)
			continue
		}
		gatewaytest.WantMalformedEvent(t, body, nil, err)
	}
}

// v1Notification is how paygate read EnKash notifications with
// encoding/json, the reference of FuzzNotificationDecodeEquivalence.
type v1Notification struct {
	OrderID transform.Text `json:"orderId"`
}

// FuzzNotificationDecodeEquivalence: the token walk reads a notification
// as encoding/json did, where orderId is not named twice or in another case.
func FuzzNotificationDecodeEquivalence(f *testing.F) {
	for _, s := range []string{`{"orderId":"ORD-1","orderStatus":"PAID","transactionId":"T","amount":1.5,"checksum":"ab"}`,
		`{"orderId":12345}`, `{"orderId":"A"} }`, `{"orderId":"A"} ]`, `{"orderId":"A"} x`, `null`, `[]`, `{"orderId":null}`,
		`{"orderId":{"a":1}}`, "{\"orderId\":\"\xff\\ud800\"}", `{"amount":1,"amount":[]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if gatewaytest.AmbiguousNames(body, []string{"orderId"}) {
			return
		}
		var ref v1Notification
		refErr := gatewaytest.V1DecodeEvent(body, &ref)
		var got notification
		err := transform.DecodeEvent(body, got.read)
		gatewaytest.SameFieldsRead(t, body, refErr, err, ref, got)
	})
}
