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

var orderNames = []string{"id", "order_id", "status", "status_id", "amount", "currency", "date_created", "payment_links",
	"web", "mobile", "iframe", "juspay", "client_auth_token", "client_auth_token_expiry"}

// FuzzAnswerEquivalence: the token walk reads an order answer exactly as
// encoding/json did, where no member read is named twice or in another
// case.
func FuzzAnswerEquivalence(f *testing.F) {
	gatewaytest.SeedAnswers(f, "juspay",
		`{"id":"o","status_id":"40","amount":"1.5","payment_links":null,"juspay":{"client_auth_token":null}}`,
		`{"id":"o","amount":"","payment_links":"x"}`, `{"status_id":true}`, `{"juspay":[]}`, `null`, `{"id":"\u00e9\ud83d"}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		if gatewaytest.AmbiguousNames(body, orderNames) {
			return
		}
		var ref v1OrderObject
		refErr := json.Unmarshal(body, &ref)
		var got orderObject
		err := transform.ReadAnswerWith(body, got.read)
		gatewaytest.SameReading(t, body, refErr, err, ref, got)
	})
}
