package juspay

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
func TestJuspayAmbiguousAnswer(t *testing.T) {
	o := gatewaytest.MustOrder(t, `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`)
	const order = `{"status":"CREATED","status_id":1,"id":"ordeu_1","order_id":"ORD1001",%s,"currency":"INR"}`
	body := func(amount string) []byte { return []byte(strings.Replace(order, "%s", amount, 1)) }
	if res, e := (Dialect{}).ParseCreate(o, 200, body(`"amount":105.5`)); e != nil || res.Amount != "105.50" {
		t.Fatalf("the plain answer: %+v %v", res, e)
	}
	for _, amount := range []string{`"amount":1,"amount":105.5`, `"amount":105.5,"amount":105.5`, `"amount":105.5,"Amount":1`,
		`"AMOUNT":1`, `"amount":105.5,"\u0061mount":1`, `"amount":105.5,"order_ID":"OTHER"`} {
		res, e := Dialect{}.ParseCreate(o, 200, body(amount))
		gatewaytest.WantUnreadable(t, amount, res, e)
	}
	if res, e := (Dialect{}).ParseStatus("ORD1001", 200, body(`"amount":105.5`)); e != nil || res.Amount != "105.50" {
		t.Fatalf("the plain status: %+v %v", res, e)
	}
	res, e := Dialect{}.ParseStatus("ORD1001", 200, body(`"amount":105.5,"amount":1`))
	gatewaytest.WantUnreadable(t, "a status with amount twice", res, e)
}

// v1OrderObject is how paygate read order answers with encoding/json, the
// reference of FuzzAnswerEquivalence.
type v1OrderObject struct {
	ID           string      `json:"id"`
	OrderID      string      `json:"order_id"`
	Status       string      `json:"status"`
	StatusID     json.Number `json:"status_id"`
	Amount       json.Number `json:"amount"`
	Currency     string      `json:"currency"`
	DateCreated  string      `json:"date_created"`
	PaymentLinks *struct {
		Web    string `json:"web"`
		Mobile string `json:"mobile"`
		Iframe string `json:"iframe"`
	} `json:"payment_links"`
	Juspay *struct {
		ClientAuthToken       string `json:"client_auth_token"`
		ClientAuthTokenExpiry string `json:"client_auth_token_expiry"`
	} `json:"juspay"`
}

// v1RefundOrder, v1RefundObject and v1ErrorBody are how paygate read
// refund and error answers with encoding/json.
type v1RefundObject struct {
	UniqueRequestID string           `json:"unique_request_id"`
	OrderID         string           `json:"order_id"`
	Status          string           `json:"status"`
	Amount          json.Number      `json:"amount"`
	Ref             transform.Scalar `json:"ref"`
	ID              transform.Scalar `json:"id"`
	Created         string           `json:"created"`
}

type v1RefundOrder struct {
	OrderID         string           `json:"order_id"`
	Status          string           `json:"status"`
	StatusID        json.Number      `json:"status_id"`
	Currency        string           `json:"currency"`
	Refunds         []v1RefundObject `json:"refunds"`
	UniqueRequestID string           `json:"unique_request_id"`
}

type v1ErrorBody struct {
	Status       string `json:"status"`
	ErrorCode    string `json:"error_code"`
	ErrorMessage string `json:"error_message"`
	ErrorInfo    *struct {
		UserMessage      string `json:"user_message"`
		DeveloperMessage string `json:"developer_message"`
		Code             string `json:"code"`
		Fields           []struct {
			FieldName string `json:"field_name"`
			Reason    string `json:"reason"`
		} `json:"fields"`
	} `json:"error_info"`
}

var orderNames = []string{"id", "order_id", "status", "status_id", "amount", "currency", "date_created", "payment_links",
	"web", "mobile", "iframe", "juspay", "client_auth_token", "client_auth_token_expiry", "unique_request_id", "ref", "created",
	"refunds", "error_code", "error_message", "error_info", "user_message", "developer_message", "code", "fields", "field_name", "reason"}

// FuzzAnswerEquivalence: the token walk reads order, refund and error
// answers exactly as encoding/json did, where no member read is named
// twice or in another case.
func FuzzAnswerEquivalence(f *testing.F) {
	gatewaytest.SeedAnswers(f, "juspay",
		`{"id":"o","status_id":"40","amount":"1.5","payment_links":null,"juspay":{"client_auth_token":null}}`,
		`{"id":"o","amount":"","payment_links":"x"}`, `{"status_id":true}`, `{"juspay":[]}`, `null`, `{"id":"\u00e9\ud83d"}`,
		`{"order_id":"o","refunds":[{"unique_request_id":"PGRF1","amount":"1.00","ref":1.5e3,"id":null},null]}`,
		`{"status":"ERROR","error_code":"x","error_info":{"code":"c","fields":[{"field_name":"amount","reason":null}]}}`,
		`{"error_info":null}`, `{"status":"NOT_FOUND","status_id":40}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		if gatewaytest.AmbiguousNames(body, orderNames) {
			return
		}
		var ref v1OrderObject
		refErr := json.Unmarshal(body, &ref)
		var got orderObject
		err := transform.ReadAnswerWith(body, got.read)
		gatewaytest.SameReading(t, body, refErr, err, ref, got)

		var refRefunds v1RefundOrder
		refErr = json.Unmarshal(body, &refRefunds)
		var refunds refundOrder
		err = transform.ReadAnswerWith(body, refunds.read)
		gatewaytest.SameReading(t, body, refErr, err, refRefunds, refunds)

		var refRefund v1RefundObject
		refErr = json.Unmarshal(body, &refRefund)
		var refund refundObject
		err = transform.ReadAnswerWith(body, refund.read)
		gatewaytest.SameReading(t, body, refErr, err, refRefund, refund)

		var refError v1ErrorBody
		refErr = json.Unmarshal(body, &refError)
		var eb errorBody
		err = transform.ReadAnswerWith(body, eb.read)
		gatewaytest.SameReading(t, body, refErr, err, refError, eb)

		var refNF struct {
			Status   string      `json:"status"`
			StatusID json.Number `json:"status_id"`
		}
		refErr = json.Unmarshal(body, &refNF)
		st, id, err := readNotFound(body)
		gatewaytest.SameReading(t, body, refErr, err, refNF, struct {
			Status   string
			StatusID json.Number
		}{st, id})
	})
}
