package razorpay

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// An order answer naming a member paygate compares twice, or in another
// case, is unreadable: encoding/json took the last (case-insensitively),
// so a first "amount" other than ours could pass unseen.
func TestRazorpayAmbiguousAnswer(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	const order = `{"id":"order_1","entity":"order",%s,"currency":"INR","receipt":"ORD1001","status":"created","created_at":1779413100}`
	body := func(amount string) []byte { return []byte(strings.Replace(order, "%s", amount, 1)) }
	if res, e := (Dialect{}).ParseCreate(o, 200, body(`"amount":10550`)); e != nil || res.Amount != "105.50" {
		t.Fatalf("the plain answer: %+v %v", res, e)
	}
	for _, amount := range []string{`"amount":1,"amount":10550`, `"amount":10550,"amount":10550`, `"amount":10550,"Amount":1`,
		`"AMOUNT":10550`, `"amount":10550,"\u0061mount":1`} {
		res, e := Dialect{}.ParseCreate(o, 200, body(amount))
		gatewaytest.WantUnreadable(t, amount, res, e)
	}
	res, e := Dialect{}.ParseCreate(o, 200, []byte(strings.Replace(string(body(`"amount":10550`)), `"receipt"`, `"receipt":"OTHER","Receipt"`, 1)))
	gatewaytest.WantUnreadable(t, "receipt twice", res, e)

	const list = `{"entity":"collection","count":1,"items":[{"id":"order_1","entity":"order",%s,"currency":"INR","receipt":"ORD1001","status":"paid"}]}`
	if res, e := (Dialect{}).ParseStatus("ORD1001", 200, []byte(strings.Replace(list, "%s", `"amount":10550`, 1))); e != nil || res.Amount != "105.50" {
		t.Fatalf("the plain list: %+v %v", res, e)
	}
	res, e = Dialect{}.ParseStatus("ORD1001", 200, []byte(strings.Replace(list, "%s", `"amount":1,"amount":10550`, 1)))
	gatewaytest.WantUnreadable(t, "an item's amount twice", res, e)
	res, e = Dialect{}.ParseStatus("ORD1001", 200, []byte(`{"entity":"collection","items":[],"Items":[]}`))
	gatewaytest.WantUnreadable(t, "items in two cases", res, e)
}

// v1OrderEntity and v1Collection are how paygate read order answers with
// encoding/json, the reference of FuzzAnswerEquivalence.
type v1OrderEntity struct {
	ID        string      `json:"id"`
	Amount    json.Number `json:"amount"`
	Currency  string      `json:"currency"`
	Receipt   string      `json:"receipt"`
	Status    string      `json:"status"`
	CreatedAt int64       `json:"created_at"`
}

type v1Collection struct {
	Entity string          `json:"entity"`
	Count  int             `json:"count"`
	Items  []v1OrderEntity `json:"items"`
}

// v1Payment, v1RefundEntity and v1ErrorBody are how paygate read refund
// and error answers with encoding/json.
type v1Payment struct {
	ID       string      `json:"id"`
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
	Status   string      `json:"status"`
	OrderID  string      `json:"order_id"`
}

type v1RefundEntity struct {
	ID        string      `json:"id"`
	Entity    string      `json:"entity"`
	Amount    json.Number `json:"amount"`
	Currency  string      `json:"currency"`
	PaymentID string      `json:"payment_id"`
	Receipt   string      `json:"receipt"`
	Status    string      `json:"status"`
	CreatedAt int64       `json:"created_at"`
}

type v1ErrorBody struct {
	Error *struct {
		Code        string `json:"code"`
		Description string `json:"description"`
		Field       string `json:"field"`
		Reason      string `json:"reason"`
	} `json:"error"`
}

var orderNames = []string{"id", "amount", "currency", "receipt", "status", "created_at", "entity", "count", "items",
	"order_id", "payment_id", "error", "code", "description", "field", "reason"}

// FuzzAnswerEquivalence: the token walk reads order, collection, payment,
// refund and error answers exactly as encoding/json did, where no member
// read is named twice or in another case.
func FuzzAnswerEquivalence(f *testing.F) {
	gatewaytest.SeedAnswers(f, "razorpay",
		`{"id":"order_1","amount":"10550","currency":null,"created_at":-0,"notes":[]}`,
		`{"entity":"collection","count":2,"items":[null,{"id":"a\ud800","amount":1e3,"created_at":1.5}]}`,
		`{"entity":"collection","items":{}}`, `null`, `[]`, `{"id":"x"} {}`, "{\"id\":\"\xff\"}",
		`{"error":{"code":"BAD_REQUEST_ERROR","description":"x","field":null,"reason":7}}`, `{"error":null}`,
		`{"entity":"collection","items":[{"id":"pay_1","order_id":"order_1","status":"captured","amount":"5"}]}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		if gatewaytest.AmbiguousNames(body, orderNames, "id", "amount", "currency", "receipt", "status", "created_at", "entity", "count",
			"order_id", "payment_id", "code", "description", "field", "reason") {
			return
		}
		var ref v1OrderEntity
		refErr := json.Unmarshal(body, &ref)
		var got orderEntity
		err := transform.ReadAnswerWith(body, got.read)
		gatewaytest.SameReading(t, body, refErr, err, ref, got)

		var refList v1Collection
		refErr = json.Unmarshal(body, &refList)
		var gotList collection
		err = transform.ReadAnswerWith(body, gotList.read)
		gatewaytest.SameReading(t, body, refErr, err, refList, gotList)

		var refPayments struct {
			Entity string      `json:"entity"`
			Items  []v1Payment `json:"items"`
		}
		refErr = json.Unmarshal(body, &refPayments)
		var payments paymentList
		err = transform.ReadAnswerWith(body, payments.read)
		gatewaytest.SameReading(t, body, refErr, err, refPayments, payments)

		var refRefund v1RefundEntity
		refErr = json.Unmarshal(body, &refRefund)
		var refund refundEntity
		err = transform.ReadAnswerWith(body, refund.read)
		gatewaytest.SameReading(t, body, refErr, err, refRefund, refund)

		var refRefunds struct {
			Items []v1RefundEntity `json:"items"`
		}
		refErr = json.Unmarshal(body, &refRefunds)
		var refunds refundList
		err = transform.ReadAnswerWith(body, refunds.read)
		gatewaytest.SameReading(t, body, refErr, err, refRefunds, refunds)

		var refError v1ErrorBody
		refErr = json.Unmarshal(body, &refError)
		var eb errorBody
		err = transform.ReadAnswerWith(body, eb.read)
		gatewaytest.SameReading(t, body, refErr, err, refError, eb)
	})
}
