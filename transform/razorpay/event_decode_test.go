package razorpay

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// A webhook naming an amount or an id paygate reads twice, or in another
// case, is a malformed event: encoding/json took the last
// (case-insensitively), so a first amount or order id other than the one
// meant could pass unseen.
func TestRazorpayAmbiguousEvent(t *testing.T) {
	captured := string(gatewaytest.Published(t, "razorpay/webhook_order_paid_netbanking.json"))
	if _, err := ParseEvent([]byte(captured), gatewaytest.EventReceived); err != nil {
		t.Fatalf("the plain event: %v", err)
	}
	gatewaytest.EditedEvents(t, ParseEvent, captured, []gatewaytest.Edit{
		{"amount twice", `"amount": 100,`, `"amount": 1, "amount": 100,`},
		{"amount in another case", `"amount": 100,`, `"amount": 100, "Amount": 1,`},
		{"escaped amount twice", `"amount": 100,`, `"amount": 100, "\u0061mount": 1,`},
		{"order id twice", `"order_id": "order_DESlLckIVRkHWj",`, `"order_id": "order_other", "order_id": "order_DESlLckIVRkHWj",`},
		{"receipt twice", `"receipt": "rcptid #1",`, `"receipt": "ORD1", "receipt": "ORD2",`},
		{"currency twice", `"currency": "INR",`, `"currency": "USD", "currency": "INR",`},
		{"payment twice", `"payload": {`, `"payload": {"payment": {"entity": {"id": "pay_1", "amount": 1, "currency": "INR", "status": "captured"}},`},
		{"event in another case", `"event": "order.paid",`, `"event": "order.paid", "EVENT": "payment.failed",`},
		{"created_at twice", `"created_at": 1567674606`, `"created_at": 1, "created_at": 1567674606`},
	},
		// A null beside the one value of a string member is no second value,
		// and members paygate does not read may repeat.
		[]gatewaytest.Edit{
			{"status null then captured", `"status": "captured",`, `"status": null, "status": "captured",`},
			{"account_id twice", `"account_id": "acc_BFQ7uQEaa7j2z7",`, `"account_id": "a", "account_id": "b",`},
			{"bank twice", `"bank": "HDFC",`, `"bank": "HDFC", "bank": "SBIN",`},
		})
}

// v1EventEnvelope and the types below are how paygate read Razorpay
// webhooks with encoding/json, the reference of FuzzEventDecodeEquivalence.
type v1EventEnvelope struct {
	Entity    string         `json:"entity"`
	AccountID transform.Text `json:"account_id"`
	Event     string         `json:"event"`
	Payload   struct {
		Payment *struct {
			Entity *v1EventPayment `json:"entity"`
		} `json:"payment"`
		Order *struct {
			Entity *v1EventOrder `json:"entity"`
		} `json:"order"`
		Refund *struct {
			Entity *v1EventRefund `json:"entity"`
		} `json:"refund"`
		CreatedAt transform.Text `json:"created_at"`
	} `json:"payload"`
	CreatedAt transform.Text `json:"created_at"`
}

type v1EventPayment struct {
	ID        transform.Text `json:"id"`
	Amount    transform.Text `json:"amount"`
	Currency  string         `json:"currency"`
	Status    string         `json:"status"`
	OrderID   transform.Text `json:"order_id"`
	CreatedAt transform.Text `json:"created_at"`
}

type v1EventOrder struct {
	ID         transform.Text `json:"id"`
	Amount     transform.Text `json:"amount"`
	AmountPaid transform.Text `json:"amount_paid"`
	Currency   string         `json:"currency"`
	Receipt    transform.Text `json:"receipt"`
	Status     string         `json:"status"`
}

type v1EventRefund struct {
	ID        transform.Text `json:"id"`
	Amount    transform.Text `json:"amount"`
	Currency  string         `json:"currency"`
	PaymentID transform.Text `json:"payment_id"`
	Receipt   transform.Text `json:"receipt"`
	Status    string         `json:"status"`
	CreatedAt transform.Text `json:"created_at"`
}

// eventNames are the members the token walk reads, in any object; those
// read as strings (null leaves them as they are) are also eventNullable.
var (
	eventNames = []string{"entity", "event", "payload", "payment", "order", "refund", "created_at",
		"id", "amount", "currency", "status", "order_id", "receipt", "payment_id"}
	eventNullable = []string{"event", "status"}
)

// FuzzEventDecodeEquivalence: the token walk reads a webhook as
// encoding/json did (the same refusals, the same values of every member
// paygate uses), where no member read is named twice or in another case.
func FuzzEventDecodeEquivalence(f *testing.F) {
	gatewaytest.SeedEvents(f, "razorpay",
		`{"event":"payment.captured","payload":{"payment":{"entity":{"id":"pay_1","amount":"100","currency":"INR","status":"captured"}}}} }`,
		`{"event":"x","payload":null} ]`, `{"event":"x"} x`, `null`, `null }`, `[]`, `{"entity":5}`, `{"entity":null,"event":null}`,
		`{"payload":{"order":{"entity":{"currency":1}}}}`, `{"payload":{"order":null,"refund":{"entity":null}}}`,
		`{"payload":{"payment":[]}}`, `{"payload":{"refund":{"entity":{"amount":true,"receipt":{},"status":null}}}}`,
		"{\"event\":\"\xff\",\"created_at\":\"\\ud800\"}", `{"account_id":1,"account_id":[],"contains":{"a":1,"a":2}}`)
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
