package kwikpaisa

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// A webhook naming an amount or an id paygate reads twice, or in another
// case, is a malformed event: encoding/json took the last
// (case-insensitively), so a first amount or order id other than the one
// meant could pass unseen.
func TestKwikPaisaAmbiguousEvent(t *testing.T) {
	success := string(gatewaytest.Published(t, "kwikpaisa/webhook_payment_success.doc.json"))
	if _, err := ParseEvent([]byte(success), gatewaytest.EventReceived); err != nil {
		t.Fatalf("the plain event: %v", err)
	}
	gatewaytest.EditedEvents(t, ParseEvent, success, []gatewaytest.Edit{
		{"amount twice", `"amount": "105.00",`, `"amount": "1.00", "amount": "105.00",`},
		{"amount in another case", `"amount": "105.00",`, `"amount": "105.00", "Amount": "1.00",`},
		{"order amount beside amount, twice", `"amount": "105.00",`, `"amount": "105.00", "order_amount": "1.00", "order_amount": "2.00",`},
		{"order id twice", `"order_id": "6116229263036",`, `"order_id": "OTHER1", "order_id": "6116229263036",`},
		{"order id in another case", `"order_id": "6116229263036",`, `"order_id": "6116229263036", "ORDER_ID": "OTHER1",`},
		{"currency twice", `"currency": "INR",`, `"currency": "USD", "currency": "INR",`},
		{"data twice", `"data": {`, `"data": {"order_id": "OTHER1", "amount": "1.00", "currency": "INR"}, "data": {`},
		{"event twice", `"event": "payment.success",`, `"event": "payment.failed", "event": "payment.success",`},
	},
		// A null beside the one value of a string member is no second value,
		// and members paygate does not read may repeat.
		[]gatewaytest.Edit{
			{"status null then PAID", `"status": "PAID"`, `"status": null, "status": "PAID"`},
			{"payment_mode twice", `"currency": "INR",`, `"currency": "INR", "payment_mode": "UPI", "payment_mode": "CARD",`},
		})
}

// v1EventEnvelope is how paygate read KwikPaisa webhooks with
// encoding/json, the reference of FuzzEventDecodeEquivalence.
type v1EventEnvelope struct {
	Event string `json:"event"`
	Data  *struct {
		OrderID       transform.Text `json:"order_id"`
		KwikXOrderID  transform.Text `json:"kwikX_order_id"`
		TransactionID transform.Text `json:"transaction_id"`
		Amount        transform.Text `json:"amount"`
		OrderAmount   transform.Text `json:"order_amount"`
		Currency      string         `json:"currency"`
		Status        string         `json:"status"`
		OrderStatus   string         `json:"order_status"`
	} `json:"data"`
}

// eventNames are the members the token walk reads, in any object; those
// read as strings (null leaves them as they are) are also eventNullable.
var (
	eventNames = []string{"event", "data", "order_id", "kwikX_order_id", "transaction_id", "amount", "order_amount",
		"currency", "status", "order_status"}
	eventNullable = []string{"event", "currency", "status", "order_status"}
)

// FuzzEventDecodeEquivalence: the token walk reads a webhook as
// encoding/json did (the same refusals, the same values of every member
// paygate uses), where no member read is named twice or in another case.
func FuzzEventDecodeEquivalence(f *testing.F) {
	gatewaytest.SeedEvents(f, "kwikpaisa",
		`{"event":"payment.success","data":{"order_id":"A1","amount":105,"currency":"INR","status":"PAID"}} }`,
		`{"event":"x","data":null} ]`, `{"event":"x"} x`, `null`, `[]`, `{"event":1}`, `{"data":[]}`,
		`{"data":{"order_id":null,"amount":true,"order_amount":{},"status":null,"order_status":5}}`,
		"{\"event\":\"\xff\",\"data\":{\"order_id\":\"\\ud800\"}}", `{"signature":1,"signature":[]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		if gatewaytest.AmbiguousNames(body, eventNames, eventNullable...) {
			return
		}
		var ref v1EventEnvelope
		refErr := gatewaytest.V1DecodeEvent(body, &ref)
		var got eventEnvelope
		err := transform.DecodeEvent(body, got.read)
		gatewaytest.SameFieldsRead(t, body, refErr, err, ref, got)
	})
}
