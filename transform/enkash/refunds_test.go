package enkash

import (
	"bytes"
	"encoding/json"
	"sort"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func refundCall(target, refundID, amount string) *transform.RefundCall {
	c := &transform.RefundCall{Order: gatewaytest.PaidOrder("enkash", "ORD1001", "ORD17000000000001ABCDE", "105.50", "INR"), Target: target, RefundID: refundID}
	if amount != "" {
		c.Refund = &transform.Refund{RefundID: refundID, Amount: gatewaytest.MustAmount(amount)}
	}
	return c
}

func TestEnKashRefundTarget(t *testing.T) {
	g := Dialect{}
	order := refundCall("", "R1", "").Order
	env := func(payload string) []byte {
		return []byte(`{"response_code":0,"response_message":"SUCCESS","payload":` + payload + `}`)
	}
	cases := []struct {
		name, payload, txn string
		typ                transform.ErrorType
	}{
		{"top-level transaction", `{"orderId":"X","orderStatus":"PAID","transactionId":"TXN1","transactionStatus":"SUCCESS"}`, "TXN1", ""},
		{"transactions[], the successful one listed first", `{"orderStatus":"PAID","transactions":[{"transactionId":"TXN2","transactionStatus":"SUCCESS"},{"transactionId":"TXN1","transactionStatus":"FAILED"}]}`, "TXN2", ""},
		{"transactions[], the successful one listed last", `{"orderStatus":"PAID","transactions":[{"transactionId":"TXN1","status":"FAILED"},{"transactionId":"TXN2","status":"success"}]}`, "TXN2", ""},
		{"both shapes naming the same transaction", `{"transactionId":"TXN2","transactionStatus":"PARTIALLY_REFUNDED","transactions":[{"transactionId":"TXN2","transactionStatus":"PARTIALLY_REFUNDED"}]}`, "TXN2", ""},
		{"refunded in full", `{"transactionId":"TXN2","transactionStatus":"REFUNDED"}`, "TXN2", ""},
		{"no successful transaction", `{"orderStatus":"PAID","transactions":[{"transactionId":"TXN1","transactionStatus":"FAILED"}]}`, "", transform.GatewayRejected},
		{"no transaction at all", `{"orderStatus":"PAID"}`, "", transform.GatewayRejected},
		{"two successful transactions", `{"transactions":[{"transactionId":"TXN1","transactionStatus":"SUCCESS"},{"transactionId":"TXN2","transactionStatus":"SUCCESS"}]}`, "", transform.GatewayRejected},
		{"an id that is no path segment", `{"transactionId":"../x","transactionStatus":"SUCCESS"}`, "", transform.GatewayError},
		{"no payload", `null`, "", transform.GatewayError},
	}
	for _, tc := range cases {
		txn, next, e := g.BuildRefundTarget(order, env(tc.payload))
		if next != nil {
			t.Errorf("%s: a second call %+v", tc.name, next)
		}
		if tc.typ != "" {
			if e == nil || e.Type != tc.typ {
				t.Errorf("%s: got %q %v, want %s", tc.name, txn, e, tc.typ)
			}
			continue
		}
		if e != nil || txn != tc.txn {
			t.Errorf("%s: got %q %v, want %s", tc.name, txn, e, tc.txn)
		}
	}
}

func TestEnKashBuildRefund(t *testing.T) {
	g := Dialect{}
	c := refundCall("TXN2", "RF1", "")
	c.Refund = gatewaytest.MustRefund(t, `{"refund_id":"RF1","amount":"50","reason":"refund <testing>","metadata":{"k":"v"}}`)
	req, e := g.BuildRefund(c)
	if e != nil {
		t.Fatal(e)
	}
	if req.Method != "POST" || req.Path != "/api/v0/payment/TXN2/refund" || req.ContentType != "application/json" {
		t.Errorf("request %+v", req)
	}
	want := `{"amount":50.00,"remarks":"refund <testing>","requestId":"` + RequestID("ORD1001", "RF1") + `"}`
	if string(req.Body) != want {
		t.Errorf("body\n got %s\nwant %s", req.Body, want)
	}
	// The same field names as EnKash's request sample.
	var sample, ours map[string]json.RawMessage
	if err := json.Unmarshal(gatewaytest.Published(t, "enkash/refund_request.doc.json"), &sample); err != nil {
		t.Fatal(err)
	}
	_ = json.Unmarshal(req.Body, &ours)
	if keys(sample) != keys(ours) {
		t.Errorf("fields %s, EnKash's sample has %s", keys(ours), keys(sample))
	}
	c.Order.Currency = "USD"
	_, e = g.BuildRefund(c)
	gatewaytest.CheckRefundErr(t, "not INR", e, transform.InvalidRequest, "amount")
}

func keys(m map[string]json.RawMessage) string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	b, _ := json.Marshal(k)
	return string(b)
}

func TestEnKashParseRefund(t *testing.T) {
	g := Dialect{}
	// EnKash's schema example has placeholder values: currency "string" is
	// not a currency, and amount 0 is not the refund that was asked for.
	schema := gatewaytest.Published(t, "enkash/refund_response_schema.doc.json")
	_, e := g.ParseRefund(refundCall("TXN2", "RF1", "50"), 200, schema)
	gatewaytest.CheckRefundErr(t, "schema example, currency \"string\"", e, transform.GatewayError, "")
	body := bytes.Replace(schema, []byte(`"currency": "string"`), []byte(`"currency": "INR"`), 1)
	_, e = g.ParseRefund(refundCall("TXN2", "RF1", "50"), 200, body)
	gatewaytest.CheckRefundErr(t, "schema example, amount 0", e, transform.DuplicateRefund, "refund_id")
	body = bytes.Replace(body, []byte(`"amount": 0`), []byte(`"amount": 50`), 1)
	want := transform.RefundResult{Gateway: "enkash", OrderID: "ORD1001", RefundID: "RF1", GatewayRefundID: "string",
		Status: transform.RefundPending, GatewayStatus: "CREATED", Amount: "50.00", Currency: "INR"}
	res, e := g.ParseRefund(refundCall("TXN2", "RF1", "50"), 200, body)
	if e != nil || *res != want {
		t.Errorf("got  %+v %v\nwant %+v", res, e, want)
	}
	// The original transaction's id is never reported as the refund's.
	own := []byte(`{"response_code":0,"response_message":"SUCCESS","payload":{"amount":50,"status":"CREATED","transactionId":"TXN2","uniqueTransactionId":"UTR9","txnDate":"2026-11-22T10:30:00"}}`)
	res, e = g.ParseRefund(refundCall("TXN2", "RF1", "50"), 200, own)
	if e != nil || res.GatewayRefundID != "UTR9" || res.CreatedAt != "2026-11-22T05:00:00Z" {
		t.Errorf("refund id and IST time: %+v %v", res, e)
	}
	other := []byte(`{"response_code":0,"payload":{"amount":50,"status":"CREATED","requestId":"SOMETHINGELSE"}}`)
	_, e = g.ParseRefund(refundCall("TXN2", "RF1", "50"), 200, other)
	gatewaytest.CheckRefundErr(t, "another requestId", e, transform.GatewayError, "")
	// No amount echoed: nothing to compare, the amount sent stands.
	res, e = g.ParseRefund(refundCall("TXN2", "RF1", "50"), 200, []byte(`{"response_code":0,"payload":{"status":"SUCCESS","transactionId":"RFT1"}}`))
	if e != nil || res.Amount != "50.00" || res.Status != transform.RefundSucceeded || res.GatewayRefundID != "RFT1" {
		t.Errorf("no amount: %+v %v", res, e)
	}
}

func TestEnKashRefundErrors(t *testing.T) {
	g := Dialect{}
	c := refundCall("TXN2", "RF1", "50")
	cases := []struct {
		name   string
		status int
		body   string
		typ    transform.ErrorType
		field  string
	}{
		{"duplicate requestId", 200, `{"response_code":409,"response_message":"Duplicate requestId","payload":null}`, transform.DuplicateRefund, "refund_id"},
		{"over-refund", 400, `{"response_code":422,"response_message":"Refund amount exceeds the refundable amount","payload":null}`, transform.GatewayRejected, "amount"},
		{"transaction not successful", 400, `{"response_code":422,"response_message":"Transaction is not successful","payload":null}`, transform.GatewayRejected, ""},
		{"stale token", 200, `{"response_code":117,"response_message":"FAILURE","payload":"Token is invalid."}`, transform.GatewayAuthenticationFailed, ""},
		{"rate limited", 429, `{"response_code":429,"response_message":"Too many requests"}`, transform.GatewayUnavailable, ""},
		{"425 without a body", 425, ``, transform.GatewayUnavailable, ""},
		{"server error", 500, `{"response_code":500,"response_message":"Internal error"}`, transform.GatewayError, ""},
		{"HTML", 502, `<html>`, transform.GatewayError, ""},
		{"code as text", 200, `{"response_code":"abc"}`, transform.GatewayError, ""},
	}
	for _, tc := range cases {
		_, e := g.ParseRefund(c, tc.status, []byte(tc.body))
		gatewaytest.CheckRefundErr(t, tc.name, e, tc.typ, tc.field)
	}
}

func TestEnKashRefundStatus(t *testing.T) {
	g := Dialect{}
	c := refundCall("TXN2", "RF1", "")
	req, e := g.BuildRefundStatus(c)
	if e != nil || req.Method != "GET" || req.Path != "/api/v0/payment/TXN2" || req.Body != nil {
		t.Fatalf("request %+v %v", req, e)
	}
	ours := RequestID("ORD1001", "RF1")
	body := []byte(`{"response_code":0,"response_message":"SUCCESS","payload":{"transactionId":"TXN2","transactionStatus":"PARTIALLY_REFUNDED","refunds":[
		{"requestId":"PGRFOTHER","transactionId":"RFT1","amount":10,"status":"SUCCESS"},
		{"requestId":"` + ours + `","transactionId":"RFT2","amount":"20.5","status":"CREATED","txnDate":1767225600000}]}}`)
	res, e := g.ParseRefundStatus(c, 200, body)
	if e != nil || res.GatewayRefundID != "RFT2" || res.Status != transform.RefundPending || res.Amount != "20.50" || res.CreatedAt != "2026-01-01T00:00:00Z" {
		t.Errorf("found: %+v %v", res, e)
	}
	c.Refund = &transform.Refund{RefundID: "RF1", Amount: gatewaytest.MustAmount("10")}
	_, e = g.ParseRefundStatus(c, 200, body)
	gatewaytest.CheckRefundErr(t, "another amount under our requestId", e, transform.DuplicateRefund, "refund_id")
	_, e = g.ParseRefundStatus(refundCall("TXN2", "RF9", ""), 200, body)
	if !transform.IsRefundNotFound(e) {
		t.Errorf("not listed: %v", e)
	}
	_, e = g.ParseRefundStatus(refundCall("TXN3", "RF1", ""), 200, body)
	gatewaytest.CheckRefundErr(t, "another transaction", e, transform.GatewayError, "")
}
