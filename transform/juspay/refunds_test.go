package juspay

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// sampleFor reads a published Juspay sample and gives its refund the
// unique_request_id paygate derives for (orderID, refundID).
func sampleFor(t *testing.T, path, sampleID, orderID, refundID string) []byte {
	t.Helper()
	b := gatewaytest.Published(t, path)
	if !bytes.Contains(b, []byte(`"`+sampleID+`"`)) {
		t.Fatalf("%s has no unique_request_id %s", path, sampleID)
	}
	return bytes.ReplaceAll(b, []byte(`"`+sampleID+`"`), []byte(`"`+UniqueRequestID(orderID, refundID)+`"`))
}

// webhookOrder is content.order of a Juspay webhook sample: the same order
// object as the status and refund answers.
func webhookOrder(t *testing.T, body []byte) []byte {
	t.Helper()
	var w struct {
		Content struct {
			Order json.RawMessage `json:"order"`
		} `json:"content"`
	}
	if err := json.Unmarshal(body, &w); err != nil || w.Content.Order == nil {
		t.Fatalf("webhook sample: %v", err)
	}
	return w.Content.Order
}

func refundCall(orderID, refundID, orderAmount, amount string) *transform.RefundCall {
	c := &transform.RefundCall{Order: gatewaytest.PaidOrder("juspay", orderID, "ordeh_x", orderAmount, "INR"), Target: orderID, RefundID: refundID}
	if amount != "" {
		c.Refund = &transform.Refund{RefundID: refundID, Amount: gatewaytest.MustAmount(amount)}
	}
	return c
}

func TestJuspayBuildRefund(t *testing.T) {
	g := Dialect{}
	order := gatewaytest.PaidOrder("juspay", "ORD-1001", "ordeu_x", "105.50", "INR")
	target, next, e := g.BuildRefundTarget(order, nil)
	if e != nil || next != nil || target != "ORD-1001" {
		t.Fatalf("target %q %+v %v", target, next, e)
	}
	c := &transform.RefundCall{Order: order, Target: target, RefundID: "RF1", Refund: gatewaytest.MustRefund(t, `{"refund_id":"RF1","amount":"50.5","reason":"r","metadata":{"k":"v"}}`)}
	req, e := g.BuildRefund(c)
	if e != nil {
		t.Fatal(e)
	}
	if req.Method != "POST" || req.Path != "/orders/ORD-1001/refunds" || req.ContentType != "application/x-www-form-urlencoded" ||
		req.Header["x-routing-id"] != "ORD-1001" {
		t.Errorf("request %+v", req)
	}
	form, err := url.ParseQuery(string(req.Body))
	if err != nil || len(form) != 2 || form.Get("amount") != "50.50" || form.Get("unique_request_id") != UniqueRequestID("ORD-1001", "RF1") {
		t.Errorf("form %s", req.Body)
	}
	long := gatewaytest.PaidOrder("juspay", "ORDER-ID-OF-21-CHARS", "", "1", "INR")
	long.OrderID += "X"
	gatewaytest.CheckRefundErr(t, "21-character order id", g.CheckRefund(long.OrderID, c.Refund), transform.InvalidRequest, "order_id")
}

func TestJuspayParseRefundSamples(t *testing.T) {
	g := Dialect{}
	// Juspay's refund answer: the whole order, refunds[] with one PENDING refund of 1.
	body := sampleFor(t, "juspay/refund_order_response.json", "TEST1637681731", "JP1636474794", "RF1")
	res, e := g.ParseRefund(refundCall("JP1636474794", "RF1", "1.00", "1"), 200, body)
	if e != nil {
		t.Fatal(e)
	}
	want := transform.RefundResult{Gateway: "juspay", OrderID: "JP1636474794", RefundID: "RF1", GatewayRefundID: UniqueRequestID("JP1636474794", "RF1"),
		Status: transform.RefundPending, GatewayStatus: "PENDING", Amount: "1.00", Currency: "INR", CreatedAt: "2021-11-23T15:35:32Z"}
	if *res != want {
		t.Errorf("got  %+v\nwant %+v", *res, want)
	}
	_, e = g.ParseRefund(refundCall("JP1636474794", "RF1", "1.00", "0.50"), 200, body)
	gatewaytest.CheckRefundErr(t, "another amount under our id", e, transform.DuplicateRefund, "refund_id")
	_, e = g.ParseRefund(refundCall("JP1636474794", "RF2", "1.00", "1"), 200, body)
	if !transform.IsRefundNotFound(e) {
		t.Errorf("an answer without our refund: %v", e)
	}
	_, e = g.ParseRefund(refundCall("JP999", "RF1", "1.00", "1"), 200, body)
	gatewaytest.CheckRefundErr(t, "another order", e, transform.GatewayError, "")

	// The flat refund object (POST /refunds).
	flat := sampleFor(t, "juspay/refund_txn_response.json", "refund_122_3472", "JP1636706983", "RF1")
	res, e = g.ParseRefund(refundCall("JP1636706983", "RF1", "1.00", "1"), 200, flat)
	if e != nil || res.Status != transform.RefundPending || res.Amount != "1.00" {
		t.Errorf("flat object: %+v %v", res, e)
	}
}

func TestJuspayRefundStatusSamples(t *testing.T) {
	g := Dialect{}
	// Numbers and booleans as strings, ref in float notation, two refunds:
	// each is found by its id, not by its place.
	manual := webhookOrder(t, gatewaytest.Published(t, "juspay/webhook_refund_manual_review.json"))
	for _, tc := range []struct {
		sampleID, amount string
		status           transform.RefundStatus
		word             string
	}{
		{"recan17458293944531", "1476.00", transform.RefundPending, "MANUAL_REVIEW"},
		{"w8ctkt174582939", "75.00", transform.RefundSucceeded, "SUCCESS"},
	} {
		body := bytes.ReplaceAll(manual, []byte(`"`+tc.sampleID+`"`), []byte(`"`+UniqueRequestID("ctkt174582939", "RF1")+`"`))
		res, e := g.ParseRefundStatus(refundCall("ctkt174582939", "RF1", "1551.00", ""), 200, body)
		if e != nil || res.Status != tc.status || res.GatewayStatus != tc.word || res.Amount != tc.amount {
			t.Errorf("%s: %+v %v", tc.word, res, e)
		}
	}
	failed := webhookOrder(t, gatewaytest.Published(t, "juspay/webhook_order_refund_failed.json"))
	var ord refundOrder
	if err := json.Unmarshal(failed, &ord); err != nil || len(ord.Refunds) == 0 {
		t.Fatalf("refund failed sample: %v", err)
	}
	body := bytes.ReplaceAll(failed, []byte(`"`+ord.Refunds[0].UniqueRequestID+`"`), []byte(`"`+UniqueRequestID(ord.OrderID, "RF1")+`"`))
	if res, e := g.ParseRefundStatus(refundCall(ord.OrderID, "RF1", "", ""), 200, body); e != nil || res.Status != transform.RefundFailed || res.GatewayStatus != "FAILURE" {
		t.Errorf("FAILURE: %+v %v", res, e)
	}
	// An order with no refunds at all.
	if _, e := g.ParseRefundStatus(refundCall("JPAYNEW032", "RF1", "", ""), 200, gatewaytest.Published(t, "juspay/demo_order-status_NB.json")); !transform.IsRefundNotFound(e) {
		t.Errorf("status sample without refunds: %v", e)
	}
}

func TestJuspayRefundErrors(t *testing.T) {
	g := Dialect{}
	c := refundCall("JP1", "RF1", "10.00", "1")
	cases := []struct {
		name   string
		status int
		body   []byte
		typ    transform.ErrorType
		field  string
	}{
		{"unique_request_id reused", 400, gatewaytest.Published(t, "juspay/refund_error_duplicate_unique_request_id.doc.json"), transform.DuplicateRefund, "refund_id"},
		{"same amount in flight", 400, gatewaytest.Published(t, "juspay/refund_error_duplicate_in_flight.doc.json"), transform.OrderInProgress, "refund_id"},
		{"over-refund", 400, gatewaytest.Published(t, "juspay/refund_error_amount_exceeded.doc.json"), transform.GatewayRejected, "amount"},
		{"unknown order", 400, gatewaytest.Published(t, "juspay/refund_error_order_not_found.doc.json"), transform.OrderNotFound, "order_id"},
		{"order not charged", 400, []byte(`{"status_id":-1,"status":"ERROR","error_message":"Cannot process unsuccessful order.","error_code":"invalid.order.not_successful"}`), transform.GatewayRejected, ""},
		{"bad key", 401, []byte(`{"status":"error","error_code":"access_denied"}`), transform.GatewayAuthenticationFailed, ""},
		{"rate limited", 429, []byte(`{"status":"error","error_code":"too_many_requests","error_message":"slow down"}`), transform.GatewayUnavailable, ""},
		{"408", 408, nil, transform.GatewayUnavailable, ""},
		{"server error", 500, []byte(`<html>`), transform.GatewayError, ""},
		{"unreadable 400", 400, []byte(`{}`), transform.GatewayError, ""},
	}
	for _, tc := range cases {
		_, e := g.ParseRefund(c, tc.status, tc.body)
		gatewaytest.CheckRefundErr(t, tc.name, e, tc.typ, tc.field)
	}
	// A 200 that says NOT_FOUND is no refund either.
	_, e := g.ParseRefundStatus(c, 200, gatewaytest.Published(t, "juspay/refund_error_order_not_found.doc.json"))
	gatewaytest.CheckRefundErr(t, "200 NOT_FOUND", e, transform.OrderNotFound, "order_id")
}
