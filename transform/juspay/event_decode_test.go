package juspay

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// A webhook naming an amount or an id paygate reads twice, or in another
// case, is a malformed event: encoding/json took the last
// (case-insensitively), so a first amount or order id other than the one
// meant could pass unseen.
func TestJuspayAmbiguousEvent(t *testing.T) {
	succeeded := string(gatewaytest.Published(t, "juspay/webhook_order_succeeded.json"))
	refunded := string(gatewaytest.Published(t, "juspay/webhook_order_refunded.json"))
	for name, body := range map[string]string{"succeeded": succeeded, "refunded": refunded} {
		if _, err := ParseEvent([]byte(body), gatewaytest.EventReceived); err != nil {
			t.Fatalf("the plain %s event: %v", name, err)
		}
	}
	gatewaytest.EditedEvents(t, ParseEvent, refunded, []gatewaytest.Edit{
		{"refund amount twice", `"amount": 5,`, `"amount": 8, "amount": 5,`},
		{"refund id twice", `"unique_request_id": "erf_b0c764a743c4221b",`, `"unique_request_id": "a", "unique_request_id": "erf_b0c764a743c4221b",`},
		{"refunds twice", `"refunds": [`, `"refunds": [], "refunds": [`},
	}, nil)
	gatewaytest.EditedEvents(t, ParseEvent, succeeded, []gatewaytest.Edit{
		{"amount twice", `"amount": 1,`, `"amount": 1000, "amount": 1,`},
		{"amount in another case", `"amount": 1,`, `"amount": 1, "AMOUNT": 1000,`},
		{"order id twice", `"order_id": "sample_ord_200",`, `"order_id": "other", "order_id": "sample_ord_200",`},
		{"order id in another case", `"order_id": "sample_ord_200",`, `"Order_Id": "other", "order_id": "sample_ord_200",`},
		{"currency twice", `"currency": "INR",`, `"currency": "USD", "currency": "INR",`},
		{"order twice", `"content": {`, `"content": {"order": {"order_id": "other", "status": "CHARGED", "amount": 5, "currency": "INR"},`},
		{"event name twice", `"event_name": "ORDER_SUCCEEDED",`, `"event_name": "ORDER_FAILED", "event_name": "ORDER_SUCCEEDED",`},
	},
		// A null beside the one value of a string member is no second value,
		// and members paygate does not read may repeat.
		[]gatewaytest.Edit{
			{"currency null then INR", `"currency": "INR",`, `"currency": null, "currency": "INR",`},
			{"merchant_id twice", `"merchant_id": "ms",`, `"merchant_id": "a", "merchant_id": "ms",`},
		})
}

// v1EventEnvelope and the types below are how paygate read Juspay
// webhooks with encoding/json, the reference of FuzzEventDecodeEquivalence.
type v1EventEnvelope struct {
	ID          transform.Text `json:"id"`
	EventName   string         `json:"event_name"`
	DateCreated string         `json:"date_created"`
	Content     struct {
		Order *v1EventOrder `json:"order"`
		Txn   *v1EventTxn   `json:"txn"`
	} `json:"content"`
}

type v1EventOrder struct {
	ID         transform.Text  `json:"id"`
	OrderID    transform.Text  `json:"order_id"`
	MerchantID transform.Text  `json:"merchant_id"`
	Status     string          `json:"status"`
	Amount     transform.Text  `json:"amount"`
	Currency   string          `json:"currency"`
	TxnID      transform.Text  `json:"txn_id"`
	Refunds    []v1EventRefund `json:"refunds"`
}

type v1EventTxn struct {
	TxnID     transform.Text `json:"txn_id"`
	OrderID   transform.Text `json:"order_id"`
	Status    string         `json:"status"`
	TxnAmount transform.Text `json:"txn_amount"`
	Currency  string         `json:"currency"`
}

type v1EventRefund struct {
	UniqueRequestID transform.Text `json:"unique_request_id"`
	ID              transform.Text `json:"id"`
	Status          string         `json:"status"`
	Amount          transform.Text `json:"amount"`
}

// eventNames are the members the token walk reads, in any object; those
// read as strings (null leaves them as they are) are also eventNullable.
var (
	eventNames = []string{"id", "event_name", "date_created", "content", "order", "txn", "order_id", "status", "amount",
		"currency", "txn_id", "refunds", "txn_amount", "unique_request_id"}
	eventNullable = []string{"event_name", "date_created", "status", "currency"}
)

// FuzzEventDecodeEquivalence: the token walk reads a webhook as
// encoding/json did (the same refusals, the same values of every member
// paygate uses), where no member read is named twice or in another case.
func FuzzEventDecodeEquivalence(f *testing.F) {
	gatewaytest.SeedEvents(f, "juspay",
		`{"id":"e","event_name":"TXN_CHARGED","content":{"txn":{"txn_id":"t","order_id":"o","status":"CHARGED","txn_amount":"1.5","currency":"KWD"}}} }`,
		`{"event_name":"x","content":null} ]`, `{"event_name":"x"} x`, `null`, `[]`, `{"id":{}}`, `{"date_created":1}`,
		`{"content":{"order":{"refunds":[null,{"amount":true,"status":null}],"merchant_id":[]}}}`, `{"content":{"order":{"refunds":{}}}}`,
		`{"content":{"order":null,"txn":null}}`, `{"content":{"txn":{"txn_amount":1e400,"currency":7}}}`,
		"{\"event_name\":\"\xff\",\"id\":\"\\ud800\"}", `{"merchant_id":1,"merchant_id":[]}`)
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
