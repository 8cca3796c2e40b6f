package kwikpaisa

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// An answer naming a member paygate compares twice, or in another case, is
// unreadable: encoding/json took the last (case-insensitively), so a first
// amount other than ours could pass unseen.
func TestKwikpaisaAmbiguousAnswer(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	const answer = `{"code":"200","status":"success","return_data":{"kwikX_order_id":"kp_1","order_id":"ORD1001",` +
		`"order_status":"UN_PAID","payment_link":"https://pay.example/kp_1",%s,"currency":"INR"}}`
	body := func(amount string) []byte { return []byte(strings.Replace(answer, "%s", amount, 1)) }
	if res, e := (Dialect{}).ParseCreate(o, 200, body(`"amount":"105.50"`)); e != nil || res.Amount != "105.50" {
		t.Fatalf("the plain answer: %+v %v", res, e)
	}
	for _, amount := range []string{`"amount":"1.00","amount":"105.50"`, `"amount":"105.50","amount":"105.50"`,
		`"amount":"105.50","Amount":"1.00"`, `"AMOUNT":"1.00"`, `"order_amount":"1.00","order_amount":"105.50"`,
		`"amount":"105.50","\u0061mount":"1.00"`, `"amount":"105.50","Order_ID":"OTHER"`} {
		res, e := Dialect{}.ParseCreate(o, 200, body(amount))
		gatewaytest.WantUnreadable(t, amount, res, e)
	}
	if res, e := (Dialect{}).ParseStatus("ORD1001", 200, body(`"order_amount":"105.50"`)); e != nil || res.Amount != "105.50" {
		t.Fatalf("the plain status: %+v %v", res, e)
	}
	res, e := Dialect{}.ParseStatus("ORD1001", 200, body(`"order_amount":"105.50","ORDER_AMOUNT":"1.00"`))
	gatewaytest.WantUnreadable(t, "a status with order_amount in two cases", res, e)
}

// The v1 types are how paygate read answers with encoding/json, the
// reference of FuzzAnswerEquivalence.
type v1ReturnData struct {
	KwikXOrderID  string           `json:"kwikX_order_id"`
	OrderID       transform.Scalar `json:"order_id"`
	OrderStatus   string           `json:"order_status"`
	PaymentLink   string           `json:"payment_link"`
	CreatedAt     string           `json:"created_at"`
	OrderAmount   transform.Scalar `json:"order_amount"`
	Amount        transform.Scalar `json:"amount"`
	Currency      string           `json:"currency"`
	PaymentMethod transform.Scalar `json:"payment_method"`
	TransactionID transform.Scalar `json:"transaction_id"`
	PaidAt        string           `json:"paid_at"`
}

type v1Envelope struct {
	Code       transform.Scalar `json:"code"`
	Status     transform.Scalar `json:"status"`
	Message    transform.Scalar `json:"message"`
	ReturnData json.RawMessage  `json:"return_data"`
}

type v1Success struct {
	Code       transform.Scalar `json:"code"`
	Status     transform.Scalar `json:"status"`
	ReturnData *v1ReturnData    `json:"return_data"`
}

var answerNames = []string{"code", "status", "message", "return_data", "description", "kwikX_order_id", "order_id", "order_status",
	"payment_link", "created_at", "order_amount", "amount", "currency", "payment_method", "transaction_id", "paid_at"}

// FuzzAnswerEquivalence: the token walk reads envelopes, return_data and
// the one-pass success answer exactly as encoding/json did, where no member
// read is named twice or in another case.
func FuzzAnswerEquivalence(f *testing.F) {
	gatewaytest.SeedAnswers(f, "kwikpaisa",
		`{"code":200,"status":true,"return_data":null}`, `{"code":"401","status":false,"message":"x","return_data":{"description":"y"}}`,
		`{"code":{},"return_data":{"kwikX_order_id":"k","order_id":12,"amount":1.5,"paid_at":null}}`,
		`{"return_data":"text"}`, `{"return_data":{"kwikX_order_id":1}}`, `null`)
	f.Fuzz(func(t *testing.T, body []byte) {
		if gatewaytest.AmbiguousNames(body, answerNames) {
			return
		}
		var refEnv v1Envelope
		refErr := json.Unmarshal(body, &refEnv)
		var env envelope
		err := transform.ReadAnswerWith(body, env.read)
		gatewaytest.SameReading(t, body, refErr, err, refEnv, env)

		var refOrd v1ReturnData
		refErr = json.Unmarshal(body, &refOrd)
		var ord returnData
		err = transform.ReadAnswerWith(body, ord.read)
		gatewaytest.SameReading(t, body, refErr, err, refOrd, ord)

		var refOne v1Success
		refErr = json.Unmarshal(body, &refOne)
		one, got, err := readSuccess(body)
		gatewaytest.SameReading(t, body, refErr, err, refOne,
			struct {
				Code, Status transform.Scalar
				ReturnData   *returnData
			}{one.Code, one.Status, got})

		var refDesc struct {
			Description transform.Scalar `json:"description"`
		}
		refErr = json.Unmarshal(body, &refDesc)
		var desc struct{ Description transform.Scalar }
		err = transform.ReadAnswer(body, transform.Into("description", &desc.Description))
		gatewaytest.SameReading(t, body, refErr, err, refDesc, desc)
	})
}
