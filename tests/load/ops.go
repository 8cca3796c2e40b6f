package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paygate/caddy-paygate/transform"
)

// Operations: what one measured request of a segment is, on each route.
//
//	create   plain: the signed create paygate would send.
//	         paygate: POST /pay/orders with the canonical order.
//	refund   plain: the upstream calls paygate makes for one refund (the
//	         order's status, Razorpay's payments, the refund), sent one
//	         after another on one connection and timed as one refund: what
//	         an application holding the secret would do.
//	         paygate: POST /pay/orders/{order_id}/refunds.
//	webhook  plain: the gateway's signed notification, reverse_proxied to
//	         the application (EnKash, which signs nothing: then the
//	         order's signed status call, the application's own check).
//	         paygate: paygate_webhook verifying it and handing the
//	         canonical event to the same application.
type operation int

const (
	opCreate operation = iota
	opRefund
	opWebhook
)

var opNames = [...]string{opCreate: "create", opRefund: "refund", opWebhook: "webhook"}

func (o operation) String() string { return opNames[o] }

// parseOps reads -ops: a comma-separated list, each operation once, in
// the order given.
func parseOps(s string) ([]operation, error) {
	var out []operation
	seen := map[operation]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		found := false
		for o, name := range opNames {
			if f == name {
				if seen[operation(o)] {
					return nil, fmt.Errorf("-ops: %q twice", f)
				}
				seen[operation(o)] = true
				out = append(out, operation(o))
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("-ops: %q is not create, refund or webhook", f)
		}
	}
	return out, nil
}

// supports reports whether the operation is measured for the gateway, and
// if not, why.
func (spec *gatewaySpec) supports(o operation) (bool, string) {
	switch o {
	case opRefund:
		if len(spec.refundSteps) == 0 {
			return false, "no refund API, paygate answers 501 before any call"
		}
	case opWebhook:
		if spec.webhook == nil {
			return false, "no webhook verification"
		}
	}
	return true, ""
}

// step is one request of a call and what its answer must be.
type step struct {
	raw  []byte
	want *check
}

// call is what the load generator times and counts as one operation: its
// steps, sent one after another on one keep-alive connection, from the
// first byte written to the last byte of the last answer read.
type call []step

// Ids of the refund and webhook segments. Every refund has a new
// refund_id (paygate replays a repeated one); they all refund one paid
// order. Every notification is about a new paid order, with its own
// payment, so that its canonical event id is new (paygate_webhook
// acknowledges a repeated event without delivering it).
const refundOrderID = paidPrefix + "REFUND00001"

const refundAmount = "50.00"

func refundID(segment, i int) string { return fmt.Sprintf("R%03d%08d", segment%1000, i) }
func webhookOrderID(segment, i int) string {
	return fmt.Sprintf("%s%03d%08d", paidPrefix, segment%1000, i)
}

func refundBody(id, amount string) []byte {
	return []byte(`{"refund_id":"` + id + `","amount":"` + amount + `","reason":"Load test refund"}`)
}

// paygateRefundRequest is the application's refund through paygate.
func paygateRefundRequest(host, orderID, id string) []byte {
	return serialise(http.MethodPost, "/pay/orders/"+orderID+"/refunds", host, [][2]string{
		{"User-Agent", userAgent}, {"Content-Type", "application/json"},
	}, refundBody(id, refundAmount))
}

// refundPlan is what the plain route needs to send a refund as paygate
// does: the order's status and the refund target, learnt once per segment
// from the upstream itself (the order is the same for every refund).
type refundPlan struct {
	order *transform.Result
	// target is the refund target; prefix the upstream calls before the
	// refund (status, and Razorpay's payments), as paygate sends them.
	target string
	prefix []transform.Request
}

// planRefund runs paygate's refund steps up to the refund call against
// the upstream (refund.go: status, CheckRefundable, refund target).
func planRefund(ctx context.Context, spec *gatewaySpec, sign func(http.Header, *transform.Request), upstream, orderID string) (*refundPlan, error) {
	g, ok := spec.transform.(transform.Refunder)
	if !ok {
		return nil, fmt.Errorf("%s has no refund API", spec.name)
	}
	sreq, e := spec.transform.BuildStatus(orderID)
	if e != nil {
		return nil, e
	}
	status, body, err := upstreamCall(ctx, sign, upstream, sreq)
	if err != nil {
		return nil, err
	}
	order, e := spec.transform.ParseStatus(orderID, status, body)
	if e != nil {
		return nil, fmt.Errorf("the order's status: %v", e)
	}
	r, e := transform.DecodeRefund(refundBody("PLAN", refundAmount))
	if e != nil {
		return nil, e
	}
	if e := transform.CheckRefundable(order, r); e != nil {
		return nil, fmt.Errorf("the order is not refundable: %v", e)
	}
	plan := &refundPlan{order: order, prefix: []transform.Request{sreq}}
	target, next, e := g.BuildRefundTarget(order, body)
	if e != nil {
		return nil, e
	}
	if next != nil {
		status, tbody, err := upstreamCall(ctx, sign, upstream, *next)
		if err != nil {
			return nil, err
		}
		if target, e = g.ParseRefundTarget(order, status, tbody); e != nil {
			return nil, fmt.Errorf("the refund target: %v", e)
		}
		plan.prefix = append(plan.prefix, *next)
	}
	plan.target = target
	return plan, nil
}

// refundRequest is the refund call paygate would send for refund id.
func (p *refundPlan) refundRequest(spec *gatewaySpec, id string) (transform.Request, error) {
	r, e := transform.DecodeRefund(refundBody(id, refundAmount))
	if e != nil {
		return transform.Request{}, e
	}
	g := spec.transform.(transform.Refunder)
	if e := g.CheckRefund(p.order.OrderID, r); e != nil {
		return transform.Request{}, e
	}
	req, e := g.BuildRefund(&transform.RefundCall{Order: p.order, Target: p.target, RefundID: id, Refund: r})
	if e != nil {
		return transform.Request{}, e
	}
	return req, nil
}

// upstreamCall sends a gateway request, signed, straight to the upstream
// (not through Caddy), outside any measurement.
func upstreamCall(ctx context.Context, sign func(http.Header, *transform.Request), upstream string, req transform.Request) (int, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	c, err := dial(upstream)
	if err != nil {
		return 0, nil, err
	}
	defer c.close()
	status, body, _, err := c.do(signedRequest(sign, upstream, req), 10*time.Second)
	if err != nil {
		return 0, nil, err
	}
	return status, append([]byte(nil), body...), nil
}

// --- notifications, as each gateway signs them (Caddyfile.example,
// README "Payment events (webhooks)"), about a paid order of the stand-in

func hmacHex(key string, msg ...[]byte) string {
	m := hmac.New(sha256.New, []byte(key))
	for _, b := range msg {
		m.Write(b)
	}
	return hex.EncodeToString(m.Sum(nil))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps of strings and numbers only
	}
	return b
}

// razorpayNotification is order.paid (razorpay.com/docs/webhooks/payloads/
// payments): the captured payment and the paid order, whose receipt is the
// merchant's order id; X-Razorpay-Signature is the hex HMAC-SHA256 of the
// body with the webhook secret.
func razorpayNotification(secret, orderID string, now time.Time) ([][2]string, []byte) {
	gwOrder, pay := rzpPaidOrderID(orderID), rzpPaidPaymentID(orderID)
	body := mustJSON(map[string]any{
		"entity": "event", "account_id": "acc_LoadTest000001", "event": "order.paid", "contains": []string{"payment", "order"},
		"payload": map[string]any{
			"payment": map[string]any{"entity": map[string]any{
				"id": pay, "entity": "payment", "amount": json.Number(paidMinor), "currency": "INR", "status": "captured",
				"order_id": gwOrder, "invoice_id": nil, "international": false, "method": "upi", "amount_refunded": 0,
				"refund_status": nil, "captured": true, "description": nil, "vpa": "customer@upi",
				"email": "customer@example.com", "contact": "+919876543210", "notes": []any{}, "created_at": now.Unix(),
			}},
			"order": map[string]any{"entity": map[string]any{
				"id": gwOrder, "entity": "order", "amount": json.Number(paidMinor), "amount_paid": json.Number(paidMinor),
				"amount_due": 0, "currency": "INR", "receipt": orderID, "offer_id": nil, "status": "paid", "attempts": 1,
				"notes": []any{}, "created_at": now.Unix(),
			}},
		},
		"created_at": now.Unix(),
	})
	return [][2]string{
		{"Content-Type", "application/json"}, {"User-Agent", "Razorpay-Webhook/v1"},
		{"X-Razorpay-Event-Id", "evt_" + orderID}, {"X-Razorpay-Signature", hmacHex(secret, body)},
	}, body
}

// kwikpaisaNotification is payment.success in the KwikPaisa v3 guide's
// shape ("Webhooks", event first, with its spacing); X-SIGNATURE is the hex
// HMAC-SHA256 of the raw body followed by X-TIMESTAMP, with the API secret.
func kwikpaisaNotification(secret, orderID string, now time.Time) ([][2]string, []byte) {
	body := []byte(fmt.Sprintf(`{"event": "payment.success", "data": {"order_id": %q, "amount": %q, "currency": "INR", "status": "PAID"}}`,
		orderID, paidAmount))
	ts := strconv.FormatInt(now.Unix(), 10)
	return [][2]string{
		{"Content-Type", "application/json"}, {"X-Timestamp", ts}, {"X-Signature", hmacHex(secret, body, []byte(ts))},
	}, body
}

// juspayNotification is ORDER_SUCCEEDED (juspay.io "Webhooks"): the order
// status object, CHARGED, with the dashboard's Basic credentials.
func juspayNotification(user, password, merchantID, orderID string, now time.Time) ([][2]string, []byte) {
	txn := merchantID + "-" + orderID + "-1"
	body := mustJSON(map[string]any{
		"id": "evt_V2_" + orderID, "event_name": "ORDER_SUCCEEDED", "date_created": now.UTC().Format(time.RFC3339),
		"content": map[string]any{"order": map[string]any{
			"id": jpPaidOrderID(orderID), "order_id": orderID, "merchant_id": merchantID, "customer_id": "",
			"status": "CHARGED", "status_id": 21, "amount": json.Number(paidAmount), "currency": "INR",
			"amount_refunded": 0, "refunded": false, "date_created": now.UTC().Format(time.RFC3339), "txn_id": txn,
			"txn_detail": map[string]any{"txn_id": txn, "order_id": orderID, "status": "CHARGED",
				"txn_amount": json.Number(paidAmount), "currency": "INR", "gateway": "DUMMY"},
		}},
	})
	return [][2]string{
		{"Content-Type", "application/json"},
		{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))},
	}, body
}

// enkashNotification is EnKash's "Payment Notify Request" (docs.enkash.com):
// the order's state and a checksum of unpublished algorithm, which nothing
// can verify; paygate_webhook confirms it with the order's status.
func enkashNotification(orderID string, now time.Time) ([][2]string, []byte) {
	body := mustJSON(map[string]any{
		"orderId": orderID, "orderStatus": "PAID", "transactionId": ekPaidTxnID(orderID),
		"uniqueTransactionId": "U" + orderID, "transactionStatus": "SUCCESS", "status": "SUCCESS", "txnMsg": "Transaction SUCCESS",
		"txnDate": now.UTC().Format("2006-01-02T15:04:05.000Z"), "amount": json.Number(paidAmount),
		"finalAmount": json.Number(paidAmount), "transactionAmount": json.Number(paidAmount), "surcharge": 0, "surchargeGst": 0,
		"mdr": 0, "mdrGst": 0, "currency": "INR", "paymentMode": "UPI", "bankCode": "", "bankName": "",
		"cardScheme": "", "maskedCardNumber": "", "cardHolderName": "", "paymentToken": "", "bankTransactionId": "B" + orderID,
		"checksum": hmacHex("unpublished", []byte(orderID)),
	})
	return [][2]string{{"Content-Type", "application/json"}}, body
}

// refundCallNames names a refund's upstream calls, for the report.
func refundCallNames(spec *gatewaySpec) []string {
	var out []string
	for _, st := range spec.refundSteps {
		out = append(out, st.name)
	}
	return out
}

// webhookPath is paygate_webhook's route on a gateway's front site.
func webhookPath(gateway string) string { return "/webhooks/" + gateway }

// --- a segment's calls

var (
	appOK       = []byte(`"received":true`)
	paygateHook = check{http.StatusOK, []byte(`{"received":true}`)}
)

// buildCalls builds a segment's n calls of one operation on one route.
func (h *harness) buildCalls(ctx context.Context, s *site, o operation, r route, n int) ([]call, error) {
	calls := make([]call, n)
	one := func(raw []byte, want *check) call { return call{{raw: raw, want: want}} }
	spec := s.spec
	switch {
	case o == opCreate && r == plainRoute:
		sign, err := spec.session(ctx, s.upstream)
		if err != nil {
			return nil, err
		}
		want := &check{spec.plainStatus, spec.plainOK}
		for i := range calls {
			raw, err := plainRequest(spec, sign, s.front, orderID(h.segment, i))
			if err != nil {
				return nil, fmt.Errorf("building the plain request: %v", err)
			}
			calls[i] = one(raw, want)
		}
	case o == opCreate:
		want := &check{http.StatusCreated, []byte(`"status":"created"`)}
		for i := range calls {
			calls[i] = one(paygateRequest(s.front, orderID(h.segment, i)), want)
		}
	case o == opRefund && r == plainRoute:
		sign, err := spec.session(ctx, s.upstream)
		if err != nil {
			return nil, err
		}
		plan, err := planRefund(ctx, spec, sign, s.upstream, refundOrderID)
		if err != nil {
			return nil, fmt.Errorf("preparing the plain refunds: %v", err)
		}
		if len(plan.prefix)+1 != len(spec.refundSteps) {
			return nil, fmt.Errorf("%d upstream calls per refund, %d answers to check", len(plan.prefix)+1, len(spec.refundSteps))
		}
		wants := make([]*check, len(spec.refundSteps))
		for j, st := range spec.refundSteps {
			wants[j] = &check{http.StatusOK, st.marker}
		}
		prefix := make([][]byte, len(plan.prefix))
		for j, req := range plan.prefix {
			prefix[j] = signedRequest(sign, s.front, req)
		}
		for i := range calls {
			req, err := plan.refundRequest(spec, refundID(h.segment, i))
			if err != nil {
				return nil, fmt.Errorf("building the plain refund: %v", err)
			}
			c := make(call, 0, len(wants))
			for j, raw := range prefix {
				c = append(c, step{raw, wants[j]})
			}
			calls[i] = append(c, step{signedRequest(sign, s.front, req), wants[len(wants)-1]})
		}
	case o == opRefund:
		want := &check{http.StatusCreated, spec.refundOK}
		for i := range calls {
			calls[i] = one(paygateRefundRequest(s.front, refundOrderID, refundID(h.segment, i)), want)
		}
	case o == opWebhook:
		wh := spec.webhook
		path := webhookPath(spec.name)
		want := &paygateHook
		var sign func(http.Header, *transform.Request)
		if r == plainRoute {
			path, want = appPath, &check{http.StatusOK, appOK}
			if wh.confirm {
				var err error
				if sign, err = spec.session(ctx, s.upstream); err != nil {
					return nil, err
				}
			}
		}
		confirmed := &check{http.StatusOK, wh.confirmOK}
		// Signed now: KwikPaisa's timestamp must be within ±300 s when
		// paygate reads it, and a segment lasts at most -segment-max.
		now := time.Now()
		for i := range calls {
			id := webhookOrderID(h.segment, i)
			headers, body := wh.notify(id, now)
			calls[i] = one(serialise(http.MethodPost, path, s.front, headers, body), want)
			if sign != nil {
				sreq, e := spec.transform.BuildStatus(id)
				if e != nil {
					return nil, e
				}
				calls[i] = append(calls[i], step{signedRequest(sign, s.front, sreq), confirmed})
			}
		}
	}
	return calls, nil
}
