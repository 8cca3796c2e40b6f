package razorpay

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func refundCall(target, refundID, amount string) *transform.RefundCall {
	c := &transform.RefundCall{Order: gatewaytest.PaidOrder("razorpay", "ORD1001", "order_N8FRN5zTm5S3wx", "6000.00", "INR"), Target: target, RefundID: refundID}
	if amount != "" {
		c.Refund = &transform.Refund{RefundID: refundID, Amount: gatewaytest.MustAmount(amount)}
	}
	return c
}

func TestRazorpayRefundTarget(t *testing.T) {
	g := Dialect{}
	order := gatewaytest.PaidOrder("razorpay", "ORD1001", "order_N8FRN5zTm5S3wx", "1.00", "INR")
	_, next, e := g.BuildRefundTarget(order, nil)
	if e != nil || next == nil || next.Method != "GET" || next.Path != "/v1/orders/order_N8FRN5zTm5S3wx/payments" || next.Body != nil {
		t.Fatalf("target request %+v %v", next, e)
	}
	// Razorpay's sample lists the failed attempt first and the captured
	// payment second; the reversed list must give the same payment.
	sample := gatewaytest.Published(t, "razorpay/order_payments_failed_then_captured.json")
	var c struct {
		Entity string            `json:"entity"`
		Count  int               `json:"count"`
		Items  []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(sample, &c); err != nil || len(c.Items) != 2 {
		t.Fatalf("sample: %v", err)
	}
	reversed, _ := json.Marshal(map[string]any{"entity": "collection", "count": 2, "items": []json.RawMessage{c.Items[1], c.Items[0]}})
	for name, body := range map[string][]byte{"sample order": sample, "captured listed first": reversed} {
		pid, e := g.ParseRefundTarget(order, 200, body)
		if e != nil || pid != "pay_N8FVRD1DzYzBh1" {
			t.Errorf("%s: %q %v", name, pid, e)
		}
	}
	// A payment refunded in full is still the order's payment.
	refunded := bytes.Replace(sample, []byte(`"status":"captured"`), []byte(`"status":"refunded"`), 1)
	if pid, e := g.ParseRefundTarget(order, 200, refunded); e != nil || pid != "pay_N8FVRD1DzYzBh1" {
		t.Errorf("refunded payment: %q %v", pid, e)
	}
	onlyFailed := bytes.Replace(sample, []byte(`"status":"captured"`), []byte(`"status":"failed"`), 1)
	_, e = g.ParseRefundTarget(order, 200, onlyFailed)
	gatewaytest.CheckRefundErr(t, "no captured payment", e, transform.GatewayRejected, "order_id")
	twoCaptured := bytes.Replace(sample, []byte(`"status":"failed"`), []byte(`"status":"captured"`), 1)
	_, e = g.ParseRefundTarget(order, 200, twoCaptured)
	gatewaytest.CheckRefundErr(t, "two captured payments", e, transform.GatewayRejected, "order_id")
	other := bytes.Replace(sample, []byte(`order_N8FRN5zTm5S3wx`), []byte(`order_Other00000000`), 1)
	_, e = g.ParseRefundTarget(order, 200, other)
	gatewaytest.CheckRefundErr(t, "payment of another order", e, transform.GatewayError, "")
	usd := *order
	usd.Currency = "USD"
	_, e = g.ParseRefundTarget(&usd, 200, sample)
	gatewaytest.CheckRefundErr(t, "payment in another currency", e, transform.GatewayError, "")
	_, e = g.ParseRefundTarget(order, 200, []byte(`{"entity":"order"}`))
	gatewaytest.CheckRefundErr(t, "not a collection", e, transform.GatewayError, "")
	_, e = g.ParseRefundTarget(order, 401, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The api key provided is invalid"}}`))
	gatewaytest.CheckRefundErr(t, "bad key", e, transform.GatewayAuthenticationFailed, "")
}

func TestRazorpayBuildRefund(t *testing.T) {
	g := Dialect{}
	c := refundCall("pay_N8FVRD1DzYzBh1", "RF1001A", "")
	c.Refund = gatewaytest.MustRefund(t, `{"refund_id":"RF1001A","amount":"50.5","reason":"customer <request>","metadata":{"ticket":"881"}}`)
	req, e := g.BuildRefund(c)
	if e != nil {
		t.Fatal(e)
	}
	if req.Method != "POST" || req.Path != "/v1/payments/pay_N8FVRD1DzYzBh1/refund" || req.ContentType != "application/json" {
		t.Errorf("request line %+v", req)
	}
	if want := `{"amount":5050,"receipt":"RF1001A","notes":{"reason":"customer <request>","ticket":"881"}}`; string(req.Body) != want {
		t.Errorf("body\n got %s\nwant %s", req.Body, want)
	}
	if k := req.Header["X-Refund-Idempotency"]; k != RefundKey("ORD1001", "RF1001A") {
		t.Errorf("idempotency key %q", k)
	}
	// The minimal form, and a three-decimal currency.
	c.Refund = gatewaytest.MustRefund(t, `{"refund_id":"R2","amount":"1.25"}`)
	c.Order.Currency = "KWD"
	req, _ = g.BuildRefund(c)
	if string(req.Body) != `{"amount":1250,"receipt":"R2"}` {
		t.Errorf("minimal body %s", req.Body)
	}
	c.Refund = gatewaytest.MustRefund(t, `{"refund_id":"R2","amount":"1.251"}`)
	_, e = g.BuildRefund(c)
	gatewaytest.CheckRefundErr(t, "KWD last digit", e, transform.InvalidRequest, "amount")

	notes := map[string]string{}
	for i := range 15 {
		notes[strings.Repeat("k", i+1)] = "v"
	}
	md, _ := json.Marshal(notes)
	for _, tc := range []struct{ body, field string }{
		{`{"refund_id":"R","amount":"1","metadata":` + string(md) + `,"reason":"r"}`, "metadata"},
		{`{"refund_id":"R","amount":"1","metadata":{"reason":"x"},"reason":"r"}`, "metadata.reason"},
		{`{"refund_id":"R","amount":"1","metadata":{"k":"` + strings.Repeat("é", 257) + `"}}`, "metadata.k"},
	} {
		gatewaytest.CheckRefundErr(t, tc.body[:40], g.CheckRefund("ORD1001", gatewaytest.MustRefund(t, tc.body)), transform.InvalidRequest, tc.field)
	}
	if e := g.CheckRefund("ORD1001", gatewaytest.MustRefund(t, `{"refund_id":"R","amount":"1","metadata":`+string(md)+`}`)); e != nil {
		t.Errorf("15 notes refused: %v", e)
	}
}

func TestRazorpayParseRefundSamples(t *testing.T) {
	g := Dialect{}
	// The create-normal sample carries receipt twice (a text, then null)
	// and notes as []; its receipt becomes the refund id paygate sent.
	normal := bytes.Replace(gatewaytest.Published(t, "razorpay/refund_create_normal_success.json"), []byte(`"Receipt No. 31"`), []byte(`"RF1001A"`), 1)
	res, e := g.ParseRefund(refundCall("pay_29QQoUBi66xm2f", "RF1001A", "5001.00"), 200, normal)
	if e != nil {
		t.Fatal(e)
	}
	want := transform.RefundResult{Gateway: "razorpay", OrderID: "ORD1001", RefundID: "RF1001A", GatewayRefundID: "rfnd_FP8QHiV938haTz",
		Status: transform.RefundSucceeded, GatewayStatus: "processed", Amount: "5001.00", Currency: "INR", CreatedAt: "2020-08-10T17:01:06Z"}
	if *res != want {
		t.Errorf("got  %+v\nwant %+v", *res, want)
	}
	// The SDK sample without a status is not final.
	res, e = g.ParseRefund(refundCall("fake_payment_id", "R1", "20"), 200, gatewaytest.Published(t, "razorpay/refund_go_minimal.json"))
	if e != nil || res.Status != transform.RefundPending || res.GatewayStatus != "" || res.Amount != "20.00" {
		t.Errorf("minimal sample: %+v %v", res, e)
	}
	// Echoes are compared: another receipt is another refund (502), another
	// amount under our receipt is a duplicate_refund (409).
	_, e = g.ParseRefund(refundCall("pay_29QQoUBi66xm2f", "RF1001A", "5001.00"), 200, gatewaytest.Published(t, "razorpay/refund_create_instant_idempotent_success.json"))
	gatewaytest.CheckRefundErr(t, "other receipt", e, transform.GatewayError, "")
	_, e = g.ParseRefund(refundCall("pay_EpkFDYRirena0f", "RF1", "50.00"), 200, gatewaytest.Published(t, "razorpay/refund_fetch_success.json"))
	gatewaytest.CheckRefundErr(t, "other amount", e, transform.DuplicateRefund, "refund_id")
	_, e = g.ParseRefund(refundCall("pay_Other", "RF1", "60.00"), 200, gatewaytest.Published(t, "razorpay/refund_fetch_success.json"))
	gatewaytest.CheckRefundErr(t, "other payment", e, transform.GatewayError, "")
	usd := refundCall("pay_EpkFDYRirena0f", "RF1", "60.00")
	usd.Order.Currency = "USD"
	_, e = g.ParseRefund(usd, 200, gatewaytest.Published(t, "razorpay/refund_fetch_success.json"))
	gatewaytest.CheckRefundErr(t, "other currency", e, transform.DuplicateRefund, "refund_id")
	if res, e := g.ParseRefund(refundCall("pay_EpkFDYRirena0f", "RF1", "60"), 200, gatewaytest.Published(t, "razorpay/refund_fetch_success.json")); e != nil || res.Status != transform.RefundSucceeded {
		t.Errorf("fetch sample as a create answer: %+v %v", res, e)
	}
	_, e = g.ParseRefund(refundCall("pay_FIKOnlyii5QGNx", "RF1", "3001"), 200, gatewaytest.Published(t, "razorpay/refund_python_mock.json"))
	gatewaytest.CheckRefundErr(t, "python mock, receipt #126", e, transform.GatewayError, "")
	_, e = g.ParseRefund(refundCall("p", "RF1", "1"), 200, []byte(`{"entity":"order","id":"order_X"}`))
	gatewaytest.CheckRefundErr(t, "not a refund", e, transform.GatewayError, "")
}

func TestRazorpayRefundErrors(t *testing.T) {
	g := Dialect{}
	c := refundCall("pay_X", "RF1", "1")
	cases := []struct {
		name   string
		status int
		body   []byte
		typ    transform.ErrorType
		field  string
	}{
		{"key reused (409 in the table)", 409, gatewaytest.Published(t, "razorpay/refund_create_error_idempotency_key_reused.json"), transform.DuplicateRefund, "refund_id"},
		{"key reused (BAD_REQUEST in the tips)", 400, gatewaytest.Published(t, "razorpay/refund_create_error_idempotency_key_reused.json"), transform.DuplicateRefund, "refund_id"},
		{"minimum amount", 400, gatewaytest.Published(t, "razorpay/refund_create_error_min_amount.json"), transform.GatewayRejected, "amount"},
		{"older than 6 months", 400, gatewaytest.Published(t, "razorpay/refund_create_error_payment_older_than_6_months.json"), transform.GatewayRejected, ""},
		{"url not found", 400, gatewaytest.Published(t, "razorpay/refund_fetch_error_url_not_found.json"), transform.GatewayRejected, ""},
		{"over-refund", 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The refund amount provided is greater than amount captured."}}`), transform.GatewayRejected, "amount"},
		{"fully refunded", 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The payment has been fully refunded already."}}`), transform.GatewayRejected, "amount"},
		{"key in flight", 409, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Another request with the same idempotency key is still in progress."}}`), transform.OrderInProgress, "refund_id"},
		{"bad key", 401, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The api key provided is invalid"}}`), transform.GatewayAuthenticationFailed, ""},
		{"rate limited", 429, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Too many requests"}}`), transform.GatewayUnavailable, ""},
		{"408 without a body", 408, nil, transform.GatewayUnavailable, ""},
		{"425", 425, []byte(`{}`), transform.GatewayUnavailable, ""},
		{"server error", 500, []byte(`{"error":{"code":"SERVER_ERROR","description":"Internal server error - Failed to fetch idempotency record"}}`), transform.GatewayError, ""},
		{"HTML 502", 502, []byte(`<html>`), transform.GatewayError, ""},
		{"unreadable 400", 400, []byte(`oops`), transform.GatewayError, ""},
	}
	for _, tc := range cases {
		_, e := g.ParseRefund(c, tc.status, tc.body)
		gatewaytest.CheckRefundErr(t, tc.name, e, tc.typ, tc.field)
		if tc.typ == transform.GatewayRejected && e != nil && e.GatewayMessage == "" {
			t.Errorf("%s: the gateway's words are lost: %v", tc.name, e)
		}
	}
}

func TestRazorpayRefundStatus(t *testing.T) {
	g := Dialect{}
	c := refundCall("pay_EpkFDYRirena0f", "RF1", "")
	req, e := g.BuildRefundStatus(c)
	if e != nil || req.Method != "GET" || req.Path != "/v1/payments/pay_EpkFDYRirena0f/refunds" || req.RawQuery != "count=100" {
		t.Errorf("list request %+v %v", req, e)
	}
	c.GatewayRefundID = "rfnd_DfjjhJC6eDvUAi"
	req, _ = g.BuildRefundStatus(c)
	if req.Path != "/v1/payments/pay_EpkFDYRirena0f/refunds/rfnd_DfjjhJC6eDvUAi" || req.RawQuery != "" {
		t.Errorf("fetch request %+v", req)
	}
	res, e := g.ParseRefundStatus(c, 200, gatewaytest.Published(t, "razorpay/refund_fetch_success.json"))
	if e != nil || res.GatewayRefundID != "rfnd_DfjjhJC6eDvUAi" || res.Status != transform.RefundSucceeded || res.Amount != "60.00" {
		t.Errorf("fetch sample: %+v %v", res, e)
	}
	c.GatewayRefundID = "rfnd_Other"
	_, e = g.ParseRefundStatus(c, 200, gatewaytest.Published(t, "razorpay/refund_fetch_success.json"))
	gatewaytest.CheckRefundErr(t, "another refund than asked", e, transform.GatewayError, "")
	_, e = g.ParseRefundStatus(c, 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The id provided does not exist"}}`))
	if !transform.IsRefundNotFound(e) {
		t.Errorf("unknown refund id: %v", e)
	}

	// The list: found by receipt, never by position.
	list := refundCall("fake_payment_id", "RF2", "")
	_, e = g.ParseRefundStatus(list, 200, gatewaytest.Published(t, "razorpay/refund_collection_go.json"))
	if !transform.IsRefundNotFound(e) {
		t.Errorf("SDK collection without receipts: %v", e)
	}
	body := []byte(`{"entity":"collection","count":3,"items":[
		{"id":"rfnd_3","entity":"refund","amount":100,"currency":"INR","payment_id":"fake_payment_id","receipt":"RF3","status":"processed","created_at":1500826750},
		{"id":"rfnd_2","entity":"refund","amount":250,"currency":"INR","payment_id":"fake_payment_id","receipt":"RF2","status":"pending","created_at":1500826750},
		{"id":"rfnd_1","entity":"refund","amount":100,"currency":"INR","payment_id":"fake_payment_id","receipt":null,"status":"failed","created_at":1500826750}]}`)
	res, e = g.ParseRefundStatus(list, 200, body)
	if e != nil || res.GatewayRefundID != "rfnd_2" || res.Status != transform.RefundPending || res.Amount != "2.50" {
		t.Errorf("list: %+v %v", res, e)
	}
	// With the request known, another amount under the receipt is a duplicate.
	list.Refund = &transform.Refund{RefundID: "RF2", Amount: gatewaytest.MustAmount("2.00")}
	_, e = g.ParseRefundStatus(list, 200, body)
	gatewaytest.CheckRefundErr(t, "list, other amount", e, transform.DuplicateRefund, "refund_id")
}
