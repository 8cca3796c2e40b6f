package enkash

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// An answer naming a member paygate reads twice, or in another case, is
// unreadable: encoding/json took the last (case-insensitively), so a first
// amount, code or id other than the one compared could pass unseen.
func TestEnkashAmbiguousAnswer(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	const created = `{"response_code":0,"response_message":"SUCCESS","payload":{%s,"orderId":"ORD1779413100000AbCdE"}}`
	body := func(member string) []byte { return []byte(strings.Replace(created, "%s", member, 1)) }
	if res, e := (Dialect{}).ParseCreate(o, 200, body(`"redirectionUrl":"https://pay.example/1"`)); e != nil || res.PaymentURL != "https://pay.example/1" {
		t.Fatalf("the plain answer: %+v %v", res, e)
	}
	for _, member := range []string{`"redirectionUrl":"https://evil.example/","redirectionUrl":"https://pay.example/1"`,
		`"redirectionUrl":"https://pay.example/1","RedirectionURL":"https://evil.example/"`,
		`"redirectionUrl":"https://pay.example/1","orderId":"OTHER"`} {
		res, e := Dialect{}.ParseCreate(o, 200, body(member))
		gatewaytest.WantUnreadable(t, member, res, e)
	}
	res, e := Dialect{}.ParseCreate(o, 200, []byte(`{"response_code":1,"response_code":0,"payload":{"redirectionUrl":"https://pay.example/1"}}`))
	gatewaytest.WantUnreadable(t, "response_code twice", res, e)

	// EnKash's create answer has no amount; its status payload does.
	const status = `{"response_code":0,"response_message":"SUCCESS","payload":{"orderId":"E1","merchantOrderId":"ORD1001",` +
		`"orderStatus":"PAID",%s,"currency":"INR"}}`
	body = func(amount string) []byte { return []byte(strings.Replace(status, "%s", amount, 1)) }
	if res, e := (Dialect{}).ParseStatus("ORD1001", 200, body(`"amount":105.50`)); e != nil || res.Amount != "105.50" {
		t.Fatalf("the plain status: %+v %v", res, e)
	}
	for _, amount := range []string{`"amount":1,"amount":105.50`, `"amount":105.50,"amount":105.50`, `"amount":105.50,"Amount":1`,
		`"AMOUNT":1`, `"amount":{"value":1,"value":105.50}`, `"amount":{"value":105.50,"Currency":"USD"}`,
		`"amount":105.50,"merchantOrderID":"OTHER"`} {
		res, e := Dialect{}.ParseStatus("ORD1001", 200, body(amount))
		gatewaytest.WantUnreadable(t, amount, res, e)
	}
}

// The v1 types are how paygate read answers with encoding/json, the
// reference of FuzzAnswerEquivalence.
type v1Envelope struct {
	ResponseCode    json.RawMessage `json:"response_code"`
	ResponseMessage string          `json:"response_message"`
	Payload         json.RawMessage `json:"payload"`
}

type v1CreatedPayload struct {
	RedirectionURL string `json:"redirectionUrl"`
	OrderID        string `json:"orderId"`
}

type v1Created struct {
	ResponseCode json.RawMessage   `json:"response_code"`
	Payload      *v1CreatedPayload `json:"payload"`
}

type v1OrderPayload struct {
	OrderID         string          `json:"orderId"`
	MerchantOrderID string          `json:"merchantOrderId"`
	Created         json.RawMessage `json:"created"`
	OrderStatus     string          `json:"orderStatus"`
	Status          string          `json:"status"`
	Amount          json.RawMessage `json:"amount"`
	Currency        string          `json:"currency"`
}

type v1Txn struct {
	TransactionID     string `json:"transactionId"`
	TransactionStatus string `json:"transactionStatus"`
	Status            string `json:"status"`
}

type v1StatusForRefund struct {
	Payload *struct {
		v1Txn
		Transactions []v1Txn `json:"transactions"`
	} `json:"payload"`
}

type v1RefundItem struct {
	RequestID           string          `json:"requestId"`
	TransactionID       string          `json:"transactionId"`
	UniqueTransactionID string          `json:"uniqueTransactionId"`
	Status              string          `json:"status"`
	Amount              json.RawMessage `json:"amount"`
	Currency            string          `json:"currency"`
	TxnDate             json.RawMessage `json:"txnDate"`
}

type v1Transaction struct {
	TransactionID string         `json:"transactionId"`
	Refunds       []v1RefundItem `json:"refunds"`
}

var answerNames = []string{"response_code", "response_message", "payload", "redirectionUrl", "orderId", "merchantOrderId",
	"created", "orderStatus", "status", "amount", "currency", "value", "transactionId", "transactionStatus", "transactions",
	"requestId", "uniqueTransactionId", "txnDate", "refunds"}

// FuzzAnswerEquivalence: the token walk reads envelopes, payloads,
// amounts, transactions and refunds exactly as encoding/json did, where no member read is named twice
// or in another case.
func FuzzAnswerEquivalence(f *testing.F) {
	gatewaytest.SeedAnswers(f, "enkash",
		`{"response_code":"117","payload":"Token is invalid."}`, `{"response_code":null,"payload":null}`,
		`{"orderId":"E","created":1779413100000,"amount":{"value":"1.5","currency":"INR"},"status":"paid"}`,
		`{"value":105.5,"currency":null}`, `"a\u00e9\ud800"`, `{"payload":{"redirectionUrl":7}}`, `null`,
		`{"payload":{"transactionId":"T1","status":"SUCCESS","transactions":[{"transactionId":"T2","transactionStatus":"REFUNDED"},null]}}`,
		`{"transactionId":"T1","refunds":[{"requestId":"PGRF1","amount":"50.00","txnDate":1779413100000,"status":"SUCCESS"}]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		if gatewaytest.AmbiguousNames(body, answerNames) {
			return
		}
		var refEnv v1Envelope
		refErr := json.Unmarshal(body, &refEnv)
		var env envelope
		err := transform.ReadAnswerWith(body, env.read)
		gatewaytest.SameReading(t, body, refErr, err, refEnv, env)

		var refOne v1Created
		refErr = json.Unmarshal(body, &refOne)
		code, p, err := readCreated(body)
		gatewaytest.SameReading(t, body, refErr, err, refOne, struct {
			ResponseCode []byte
			Payload      *createdPayload
		}{code, p})

		var refOrd v1OrderPayload
		refErr = json.Unmarshal(body, &refOrd)
		var ord orderPayload
		err = transform.ReadAnswerWith(body, ord.read)
		gatewaytest.SameReading(t, body, refErr, err, refOrd, ord)

		// amountOf's {value, currency}, and a payload or amount string.
		var refAmount struct {
			Value    json.RawMessage `json:"value"`
			Currency string          `json:"currency"`
		}
		refErr = json.Unmarshal(body, &refAmount)
		var amount struct {
			Value    json.RawMessage
			Currency string
		}
		err = transform.ReadAnswer(body, transform.Into("value", &amount.Value), transform.Into("currency", &amount.Currency))
		gatewaytest.SameReading(t, body, refErr, err, refAmount, amount)

		var refPaid v1StatusForRefund
		refErr = json.Unmarshal(body, &refPaid)
		paid, err := readPaidOrder(body)
		var gotPaid struct{ Payload *paidOrder }
		gotPaid.Payload = paid
		if refErr == nil && err == nil && (refPaid.Payload == nil) == (paid == nil) && paid != nil {
			// The embedded txn: compared member by member.
			gatewaytest.SameReading(t, body, nil, nil, refPaid.Payload.v1Txn, paid.txn)
			gatewaytest.SameReading(t, body, nil, nil, struct{ T []v1Txn }{refPaid.Payload.Transactions}, struct{ T []txn }{paid.Transactions})
		} else {
			gatewaytest.SameReading(t, body, refErr, err, struct{ Nil bool }{refPaid.Payload == nil}, struct{ Nil bool }{paid == nil})
		}

		var refItem v1RefundItem
		refErr = json.Unmarshal(body, &refItem)
		var item refundItem
		err = transform.ReadAnswerWith(body, item.read)
		gatewaytest.SameReading(t, body, refErr, err, refItem, item)

		var refTxn v1Transaction
		refErr = json.Unmarshal(body, &refTxn)
		var tx transaction
		err = transform.ReadAnswerWith(body, tx.read)
		gatewaytest.SameReading(t, body, refErr, err, refTxn, tx)

		var refText string
		refErr = json.Unmarshal(body, &refText)
		var text string
		err = transform.ReadAnswerWith(body, func(dec *jsontext.Decoder) error { return transform.ReadString(dec, &text) })
		gatewaytest.SameReading(t, body, refErr, err, struct{ S string }{refText}, struct{ S string }{text})
	})
}
