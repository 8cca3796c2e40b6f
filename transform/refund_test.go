package transform

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// refundSample reads a published gateway sample in place (never copied).
func refundSample(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../shared/reference/fixtures/" + path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustRefund(t *testing.T, body string) *Refund {
	t.Helper()
	r, e := DecodeRefund([]byte(body))
	if e != nil {
		t.Fatalf("DecodeRefund(%s): %v", body, e)
	}
	return r
}

// paidOrder is an order's status answer as ParseStatus gives it.
func paidOrder(gateway, orderID, gatewayOrderID, amount, currency string) *Result {
	return &Result{Gateway: gateway, OrderID: orderID, GatewayOrderID: gatewayOrderID, Status: StatusPaid,
		GatewayStatus: "paid", Amount: amount, Currency: currency}
}

func TestDecodeRefund(t *testing.T) {
	r := mustRefund(t, `{"refund_id":"RF1001A","amount":"50.00","reason":"customer request","metadata":{"ticket":"881"}}`)
	if r.RefundID != "RF1001A" || r.Amount.Fixed(2) != "50.00" || r.Reason != "customer request" || r.Metadata["ticket"] != "881" {
		t.Fatalf("decoded %+v", r)
	}
	// A JSON number is read as its literal, never through float64.
	r = mustRefund(t, `{"refund_id":"R","amount":12345678901234.57}`)
	if got := r.Amount.Fixed(2); got != "12345678901234.57" {
		t.Errorf("amount %s", got)
	}
	mustRefund(t, `{"refund_id":"`+strings.Repeat("a", 40)+`","amount":"0.001","reason":null,"metadata":null}`)
}

func TestDecodeRefundRefuses(t *testing.T) {
	cases := []struct{ body, field, msg string }{
		{`{"refund_id":"R1","amount":"1","amount":"1000"}`, "amount", "more than once"},
		{`{"refund_id":"R1","refund_id":"R2","amount":"1"}`, "refund_id", "more than once"},
		{`{"refund_id":"R1","amount":"1","Amount":"1000"}`, "amount", "case-sensitive"},
		{`{"REFUND_ID":"R1","amount":"1"}`, "refund_id", "case-sensitive"},
		{`{"refund_id":"R1","amount":"1","currency":"INR"}`, "currency", "unknown field"},
		{`{"refund_id":"R1","amount":"1","metadata":{"a":"1","a":"2"}}`, "metadata.a", "more than once"},
		{`{"refund_id":"R1","amount":"1","metadata":{"Ticket":"1","ticket":"2"}}`, "metadata.ticket", "only in case"},
		{`{"refund_id":"R1","amount":"1","metadata":{"k":5}}`, "metadata.k", "string"},
		{`{"refund_id":"R1","amount":"1","metadata":["x"]}`, "metadata", ""},
		{`{"refund_id":"","amount":"1"}`, "refund_id", "required"},
		{`{"amount":"1"}`, "refund_id", "required"},
		{`{"refund_id":"R 1","amount":"1"}`, "refund_id", "A-Z"},
		{`{"refund_id":"` + strings.Repeat("a", 41) + `","amount":"1"}`, "refund_id", "40"},
		{`{"refund_id":5,"amount":"1"}`, "refund_id", "string"},
		{`{"refund_id":"R1"}`, "amount", "required"},
		{`{"refund_id":"R1","amount":"0"}`, "amount", "greater than zero"},
		{`{"refund_id":"R1","amount":"-5"}`, "amount", ""},
		{`{"refund_id":"R1","amount":1e3}`, "amount", ""},
		{`{"refund_id":"R1","amount":"1.0001"}`, "amount", "decimal places"},
		{`{"refund_id":"R1","amount":"1","reason":"a\u0000b"}`, "reason", "control"},
		{`{"refund_id":"R1","amount":"1","reason":"` + strings.Repeat("x", 256) + `"}`, "reason", "255"},
		{`{"refund_id":"R1","amount":"1","metadata":{"":"x"}}`, "metadata", "empty"},
		{`{"refund_id":"R1","amount":"1"} {}`, "", "after top-level value"},
		{`[]`, "", "object"},
		{`{"refund_id":"R1","amount":"1"`, "", ""},
		{"{\"refund_id\":\"R1\",\"amount\":\"1\",\"reason\":\"\xff\"}", "", "UTF-8"},
	}
	for _, c := range cases {
		_, e := DecodeRefund([]byte(c.body))
		if e == nil || e.Type != InvalidRequest || e.Field != c.field || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%.70s: got %v, want invalid_request on %q mentioning %q", c.body, e, c.field, c.msg)
		}
	}
}

func TestCheckRefundable(t *testing.T) {
	r := mustRefund(t, `{"refund_id":"R1","amount":"105.50"}`)
	if e := CheckRefundable(paidOrder("razorpay", "O1", "order_X", "105.50", "INR"), r); e != nil {
		t.Errorf("full refund refused: %v", e)
	}
	unpaid := paidOrder("razorpay", "O1", "order_X", "105.50", "INR")
	unpaid.Status, unpaid.GatewayStatus = StatusCreated, "created"
	if e := CheckRefundable(unpaid, r); e == nil || e.Type != GatewayRejected || e.HTTPStatus() != 422 || e.Gateway != "razorpay" {
		t.Errorf("unpaid order: %v", e)
	}
	if e := CheckRefundable(paidOrder("juspay", "O1", "", "105.49", "INR"), r); e == nil || e.Type != InvalidRequest || e.Field != "amount" {
		t.Errorf("over the order's amount: %v", e)
	}
	jpy := mustRefund(t, `{"refund_id":"R1","amount":"1.5"}`)
	if e := CheckRefundable(paidOrder("razorpay", "O1", "order_X", "500", "JPY"), jpy); e == nil || e.Field != "amount" {
		t.Errorf("JPY with decimals: %v", e)
	}
	// Trailing zeros change no value.
	if e := CheckRefundable(paidOrder("razorpay", "O1", "order_X", "500", "JPY"), mustRefund(t, `{"refund_id":"R1","amount":"500.00"}`)); e != nil {
		t.Errorf("JPY 500.00: %v", e)
	}
}

func TestRefundResultJSON(t *testing.T) {
	res := &RefundResult{Gateway: "juspay", OrderID: "O1", RefundID: "R1", Status: RefundPending, Amount: "1.00", Currency: "INR"}
	var m map[string]any
	if err := json.Unmarshal(res.JSON(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"gateway", "order_id", "refund_id", "gateway_refund_id", "status", "gateway_status", "amount", "currency", "created_at"} {
		if _, ok := m[k]; !ok {
			t.Errorf("answer without %s: %s", k, res.JSON())
		}
	}
	if len(m) != 9 {
		t.Errorf("answer has %d fields: %s", len(m), res.JSON())
	}
}
