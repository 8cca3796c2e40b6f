package transform

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func rzpRefundCall(target, refundID, amount string) *RefundCall {
	c := &RefundCall{Order: paidOrder("razorpay", "ORD1001", "order_N8FRN5zTm5S3wx", "6000.00", "INR"), Target: target, RefundID: refundID}
	if amount != "" {
		c.Refund = &Refund{RefundID: refundID, Amount: MustAmount(amount)}
	}
	return c
}

func TestRazorpayRefundTarget(t *testing.T) {
	g := Razorpay{}
	order := paidOrder("razorpay", "ORD1001", "order_N8FRN5zTm5S3wx", "1.00", "INR")
	_, next, e := g.BuildRefundTarget(order, nil)
	if e != nil || next == nil || next.Method != "GET" || next.Path != "/v1/orders/order_N8FRN5zTm5S3wx/payments" || next.Body != nil {
		t.Fatalf("target request %+v %v", next, e)
	}
	// Razorpay's sample lists the failed attempt first and the captured
	// payment second; the reversed list must give the same payment.
	sample := refundSample(t, "razorpay/order_payments_failed_then_captured.json")
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
	checkRefundErr(t, "no captured payment", e, GatewayRejected, "order_id")
	twoCaptured := bytes.Replace(sample, []byte(`"status":"failed"`), []byte(`"status":"captured"`), 1)
	_, e = g.ParseRefundTarget(order, 200, twoCaptured)
	checkRefundErr(t, "two captured payments", e, GatewayRejected, "order_id")
	other := bytes.Replace(sample, []byte(`order_N8FRN5zTm5S3wx`), []byte(`order_Other00000000`), 1)
	_, e = g.ParseRefundTarget(order, 200, other)
	checkRefundErr(t, "payment of another order", e, GatewayError, "")
	usd := *order
	usd.Currency = "USD"
	_, e = g.ParseRefundTarget(&usd, 200, sample)
	checkRefundErr(t, "payment in another currency", e, GatewayError, "")
	_, e = g.ParseRefundTarget(order, 200, []byte(`{"entity":"order"}`))
	checkRefundErr(t, "not a collection", e, GatewayError, "")
	_, e = g.ParseRefundTarget(order, 401, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The api key provided is invalid"}}`))
	checkRefundErr(t, "bad key", e, GatewayAuthenticationFailed, "")
}

func TestRazorpayBuildRefund(t *testing.T) {
	g := Razorpay{}
	c := rzpRefundCall("pay_N8FVRD1DzYzBh1", "RF1001A", "")
	c.Refund = mustRefund(t, `{"refund_id":"RF1001A","amount":"50.5","reason":"customer <request>","metadata":{"ticket":"881"}}`)
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
	if k := req.Header["X-Refund-Idempotency"]; k != RazorpayRefundKey("ORD1001", "RF1001A") {
		t.Errorf("idempotency key %q", k)
	}
	// The minimal form, and a three-decimal currency.
	c.Refund = mustRefund(t, `{"refund_id":"R2","amount":"1.25"}`)
	c.Order.Currency = "KWD"
	req, _ = g.BuildRefund(c)
	if string(req.Body) != `{"amount":1250,"receipt":"R2"}` {
		t.Errorf("minimal body %s", req.Body)
	}
	c.Refund = mustRefund(t, `{"refund_id":"R2","amount":"1.251"}`)
	_, e = g.BuildRefund(c)
	checkRefundErr(t, "KWD last digit", e, InvalidRequest, "amount")

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
		checkRefundErr(t, tc.body[:40], g.CheckRefund("ORD1001", mustRefund(t, tc.body)), InvalidRequest, tc.field)
	}
	if e := g.CheckRefund("ORD1001", mustRefund(t, `{"refund_id":"R","amount":"1","metadata":`+string(md)+`}`)); e != nil {
		t.Errorf("15 notes refused: %v", e)
	}
}

func TestRazorpayParseRefundSamples(t *testing.T) {
	g := Razorpay{}
	// The create-normal sample carries receipt twice (a text, then null)
	// and notes as []; its receipt becomes the refund id paygate sent.
	normal := bytes.Replace(refundSample(t, "razorpay/refund_create_normal_success.json"), []byte(`"Receipt No. 31"`), []byte(`"RF1001A"`), 1)
	res, e := g.ParseRefund(rzpRefundCall("pay_29QQoUBi66xm2f", "RF1001A", "5001.00"), 200, normal)
	if e != nil {
		t.Fatal(e)
	}
	want := RefundResult{Gateway: "razorpay", OrderID: "ORD1001", RefundID: "RF1001A", GatewayRefundID: "rfnd_FP8QHiV938haTz",
		Status: RefundSucceeded, GatewayStatus: "processed", Amount: "5001.00", Currency: "INR", CreatedAt: "2020-08-10T17:01:06Z"}
	if *res != want {
		t.Errorf("got  %+v\nwant %+v", *res, want)
	}
	// The SDK sample without a status is not final.
	res, e = g.ParseRefund(rzpRefundCall("fake_payment_id", "R1", "20"), 200, refundSample(t, "razorpay/refund_go_minimal.json"))
	if e != nil || res.Status != RefundPending || res.GatewayStatus != "" || res.Amount != "20.00" {
		t.Errorf("minimal sample: %+v %v", res, e)
	}
	// Echoes are compared: another receipt is another refund (502), another
	// amount under our receipt is a duplicate_refund (409).
	_, e = g.ParseRefund(rzpRefundCall("pay_29QQoUBi66xm2f", "RF1001A", "5001.00"), 200, refundSample(t, "razorpay/refund_create_instant_idempotent_success.json"))
	checkRefundErr(t, "other receipt", e, GatewayError, "")
	_, e = g.ParseRefund(rzpRefundCall("pay_EpkFDYRirena0f", "RF1", "50.00"), 200, refundSample(t, "razorpay/refund_fetch_success.json"))
	checkRefundErr(t, "other amount", e, DuplicateRefund, "refund_id")
	_, e = g.ParseRefund(rzpRefundCall("pay_Other", "RF1", "60.00"), 200, refundSample(t, "razorpay/refund_fetch_success.json"))
	checkRefundErr(t, "other payment", e, GatewayError, "")
	usd := rzpRefundCall("pay_EpkFDYRirena0f", "RF1", "60.00")
	usd.Order.Currency = "USD"
	_, e = g.ParseRefund(usd, 200, refundSample(t, "razorpay/refund_fetch_success.json"))
	checkRefundErr(t, "other currency", e, DuplicateRefund, "refund_id")
	if res, e := g.ParseRefund(rzpRefundCall("pay_EpkFDYRirena0f", "RF1", "60"), 200, refundSample(t, "razorpay/refund_fetch_success.json")); e != nil || res.Status != RefundSucceeded {
		t.Errorf("fetch sample as a create answer: %+v %v", res, e)
	}
	_, e = g.ParseRefund(rzpRefundCall("pay_FIKOnlyii5QGNx", "RF1", "3001"), 200, refundSample(t, "razorpay/refund_python_mock.json"))
	checkRefundErr(t, "python mock, receipt #126", e, GatewayError, "")
	_, e = g.ParseRefund(rzpRefundCall("p", "RF1", "1"), 200, []byte(`{"entity":"order","id":"order_X"}`))
	checkRefundErr(t, "not a refund", e, GatewayError, "")
}

func TestRazorpayRefundErrors(t *testing.T) {
	g := Razorpay{}
	c := rzpRefundCall("pay_X", "RF1", "1")
	cases := []struct {
		name   string
		status int
		body   []byte
		typ    ErrorType
		field  string
	}{
		{"key reused (409 in the table)", 409, refundSample(t, "razorpay/refund_create_error_idempotency_key_reused.json"), DuplicateRefund, "refund_id"},
		{"key reused (BAD_REQUEST in the tips)", 400, refundSample(t, "razorpay/refund_create_error_idempotency_key_reused.json"), DuplicateRefund, "refund_id"},
		{"minimum amount", 400, refundSample(t, "razorpay/refund_create_error_min_amount.json"), GatewayRejected, "amount"},
		{"older than 6 months", 400, refundSample(t, "razorpay/refund_create_error_payment_older_than_6_months.json"), GatewayRejected, ""},
		{"url not found", 400, refundSample(t, "razorpay/refund_fetch_error_url_not_found.json"), GatewayRejected, ""},
		{"over-refund", 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The refund amount provided is greater than amount captured."}}`), GatewayRejected, "amount"},
		{"fully refunded", 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The payment has been fully refunded already."}}`), GatewayRejected, "amount"},
		{"key in flight", 409, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Another request with the same idempotency key is still in progress."}}`), OrderInProgress, "refund_id"},
		{"bad key", 401, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The api key provided is invalid"}}`), GatewayAuthenticationFailed, ""},
		{"rate limited", 429, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Too many requests"}}`), GatewayUnavailable, ""},
		{"408 without a body", 408, nil, GatewayUnavailable, ""},
		{"425", 425, []byte(`{}`), GatewayUnavailable, ""},
		{"server error", 500, []byte(`{"error":{"code":"SERVER_ERROR","description":"Internal server error - Failed to fetch idempotency record"}}`), GatewayError, ""},
		{"HTML 502", 502, []byte(`<html>`), GatewayError, ""},
		{"unreadable 400", 400, []byte(`oops`), GatewayError, ""},
	}
	for _, tc := range cases {
		_, e := g.ParseRefund(c, tc.status, tc.body)
		checkRefundErr(t, tc.name, e, tc.typ, tc.field)
		if tc.typ == GatewayRejected && e != nil && e.GatewayMessage == "" {
			t.Errorf("%s: the gateway's words are lost: %v", tc.name, e)
		}
	}
}

func TestRazorpayRefundStatus(t *testing.T) {
	g := Razorpay{}
	c := rzpRefundCall("pay_EpkFDYRirena0f", "RF1", "")
	req, e := g.BuildRefundStatus(c)
	if e != nil || req.Method != "GET" || req.Path != "/v1/payments/pay_EpkFDYRirena0f/refunds" || req.RawQuery != "count=100" {
		t.Errorf("list request %+v %v", req, e)
	}
	c.GatewayRefundID = "rfnd_DfjjhJC6eDvUAi"
	req, _ = g.BuildRefundStatus(c)
	if req.Path != "/v1/payments/pay_EpkFDYRirena0f/refunds/rfnd_DfjjhJC6eDvUAi" || req.RawQuery != "" {
		t.Errorf("fetch request %+v", req)
	}
	res, e := g.ParseRefundStatus(c, 200, refundSample(t, "razorpay/refund_fetch_success.json"))
	if e != nil || res.GatewayRefundID != "rfnd_DfjjhJC6eDvUAi" || res.Status != RefundSucceeded || res.Amount != "60.00" {
		t.Errorf("fetch sample: %+v %v", res, e)
	}
	c.GatewayRefundID = "rfnd_Other"
	_, e = g.ParseRefundStatus(c, 200, refundSample(t, "razorpay/refund_fetch_success.json"))
	checkRefundErr(t, "another refund than asked", e, GatewayError, "")
	_, e = g.ParseRefundStatus(c, 400, []byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"The id provided does not exist"}}`))
	if !IsRefundNotFound(e) {
		t.Errorf("unknown refund id: %v", e)
	}

	// The list: found by receipt, never by position.
	list := rzpRefundCall("fake_payment_id", "RF2", "")
	_, e = g.ParseRefundStatus(list, 200, refundSample(t, "razorpay/refund_collection_go.json"))
	if !IsRefundNotFound(e) {
		t.Errorf("SDK collection without receipts: %v", e)
	}
	body := []byte(`{"entity":"collection","count":3,"items":[
		{"id":"rfnd_3","entity":"refund","amount":100,"currency":"INR","payment_id":"fake_payment_id","receipt":"RF3","status":"processed","created_at":1500826750},
		{"id":"rfnd_2","entity":"refund","amount":250,"currency":"INR","payment_id":"fake_payment_id","receipt":"RF2","status":"pending","created_at":1500826750},
		{"id":"rfnd_1","entity":"refund","amount":100,"currency":"INR","payment_id":"fake_payment_id","receipt":null,"status":"failed","created_at":1500826750}]}`)
	res, e = g.ParseRefundStatus(list, 200, body)
	if e != nil || res.GatewayRefundID != "rfnd_2" || res.Status != RefundPending || res.Amount != "2.50" {
		t.Errorf("list: %+v %v", res, e)
	}
	// With the request known, another amount under the receipt is a duplicate.
	list.Refund = &Refund{RefundID: "RF2", Amount: MustAmount("2.00")}
	_, e = g.ParseRefundStatus(list, 200, body)
	checkRefundErr(t, "list, other amount", e, DuplicateRefund, "refund_id")
}
