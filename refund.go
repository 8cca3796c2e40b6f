package paygate

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"net/http"

	"github.com/paygate/caddy-paygate/transform"
)

// Refunds (README "Refunds"): POST …/orders/{order_id}/refunds creates a
// refund, GET …/orders/{order_id}/refunds/{refund_id} reads its status. A
// refund is an idempotent operation like a create, with the same records,
// markers, replays and ambiguity handling (idempotent.go), keyed by
// (record space, order_id, refund_id). The gateway's steps are pure
// build/parse pairs (transform.Refunder); this file only chains them.

// refundReuseRetryAfter is the Retry-After of a refund the gateway says is
// still being processed (Juspay refuses a second refund of the same amount
// for 2 to 5 seconds).
const refundReuseRetryAfter = "2"

// refunder returns the gateway's refund steps after the checks that need no
// call: a gateway without a refund API answers 501 before anything is sent.
func (x *exchange) refunder(r *transform.Refund) (transform.Refunder, *transform.Error) {
	g, ok := x.h.gateway.(transform.Refunder)
	if !ok {
		return nil, &transform.Error{Type: transform.NotSupported, Gateway: x.gatewayName(),
			Message: x.gatewayName() + " has no refund API in paygate"}
	}
	if e := g.CheckRefund(x.orderID, r); e != nil {
		return nil, e
	}
	return g, nil
}

// refundFingerprint hashes the canonical refund: "50" and "50.00", key order
// and whitespace make no difference.
func refundFingerprint(r *transform.Refund) fpSum {
	var scratch [512]byte
	return sha256.Sum256(r.AppendJSON(scratch[:0]))
}

// refundConflict answers a refund_id used before with another request.
func refundConflict(gateway string) *transform.Error {
	return &transform.Error{Type: transform.DuplicateRefund, Field: "refund_id", Gateway: gateway,
		Message: "refund_id was already used with a different request for this order; use a new refund_id"}
}

func refundKey(orderID, refundID string) string { return "refund/" + orderID + "/" + refundID }

func (x *exchange) refund() error {
	if _, e := x.refunder(nil); e != nil {
		return x.fail(e)
	}
	body, e := x.jsonBody("refund")
	if e != nil {
		return x.fail(e)
	}
	r, e := transform.DecodeRefund(body)
	if e != nil {
		return x.fail(e)
	}
	x.refundID = r.RefundID
	g, e := x.refunder(r)
	if e != nil {
		return x.fail(e)
	}
	return x.idempotent(&idemOp{
		key:      refundKey(x.orderID, r.RefundID),
		fp:       refundFingerprint(r),
		conflict: refundConflict,
		steps:    &refundSteps{x: x, g: g, r: r},
	})
}

// refundSteps are a refund's gateway calls (idemSteps).
type refundSteps struct {
	x *exchange
	g transform.Refunder
	r *transform.Refund
}

func (s *refundSteps) check() (idemResult, bool) { return s.x.findRefund(s.g, s.r) }
func (s *refundSteps) act() idemResult           { return s.x.makeRefund(s.g, s.r) }

// makeRefund checks the order, then asks the gateway for the refund. Until
// the refund call itself, nothing the gateway could act on was sent: such
// failures are never recorded, and the next identical request starts over.
func (x *exchange) makeRefund(g transform.Refunder, r *transform.Refund) idemResult {
	order, _, sbody, e := x.orderStatus()
	if e == nil {
		e = transform.CheckRefundable(order, r)
	}
	var target string
	if e == nil {
		target, e = x.refundTarget(g, order, sbody)
	}
	c := &transform.RefundCall{Order: order, Target: target, RefundID: r.RefundID, Refund: r}
	var req transform.Request
	if e == nil {
		req, e = g.BuildRefund(c)
	}
	if e != nil {
		return notSent(e)
	}
	status, body, cw, e := x.roundTrip(&req)
	if e != nil {
		return x.attemptFailed(e)
	}
	res, e := g.ParseRefund(c, status, body)
	putCapture(cw)
	switch {
	case e == nil:
		return x.refunded(res)
	case e.Type != transform.DuplicateRefund && e.Type != transform.OrderInProgress:
		return failed(e)
	}
	// Checked, not relayed: the gateway says a refund under this wire id
	// exists or is being made; it is this one only if it is the same refund.
	found, fe := x.lookupRefund(g, c, nil, nil)
	switch {
	case fe == nil:
		return x.refunded(found)
	case fe.Type == transform.DuplicateRefund:
		return failed(fe)
	case transform.IsRefundNotFound(fe) && e.Type == transform.OrderInProgress:
		// Another call is still being processed: the outcome is not known
		// yet, so the next attempt looks before sending again.
		x.w.Header().Set("Retry-After", refundReuseRetryAfter)
		return idemResult{status: e.HTTPStatus(), body: e.JSON(), e: e, outcome: outcomeAmbiguous}
	case transform.IsRefundNotFound(fe):
		fe = &transform.Error{Type: transform.GatewayError, Gateway: x.gatewayName(), GatewayCode: e.GatewayCode, GatewayMessage: e.GatewayMessage,
			Message: x.gatewayName() + " says this refund_id is already used but does not report the refund yet; retry with the same request"}
	}
	return idemResult{status: fe.HTTPStatus(), body: fe.JSON(), e: fe, outcome: outcomeAmbiguous}
}

// findRefund asks the gateway whether an earlier attempt whose outcome is
// unknown made the refund. A refund found under this refund id counts as
// this request's answer only if it is the same refund (else 409).
func (x *exchange) findRefund(g transform.Refunder, r *transform.Refund) (idemResult, bool) {
	order, sreq, sbody, e := x.orderStatus()
	var target string
	if e == nil {
		target, e = x.refundTarget(g, order, sbody)
		if e != nil && e.Type == transform.GatewayRejected {
			return idemResult{}, false // nothing was paid, so nothing was refunded
		}
	}
	if e != nil {
		return idemResult{status: e.HTTPStatus(), body: e.JSON(), e: e, outcome: outcomeAmbiguous}, false
	}
	c := &transform.RefundCall{Order: order, Target: target, RefundID: r.RefundID, Refund: r}
	res, e := x.lookupRefund(g, c, &sreq, sbody)
	switch {
	case e == nil:
		return x.refunded(res), true
	case transform.IsRefundNotFound(e):
		return idemResult{}, false
	case e.Type == transform.DuplicateRefund:
		return failed(e), true
	}
	return idemResult{status: e.HTTPStatus(), body: e.JSON(), e: e, outcome: outcomeAmbiguous}, false
}

// refundStatus answers GET …/orders/{order_id}/refunds/{refund_id}.
func (x *exchange) refundStatus() error {
	g, e := x.refunder(nil)
	if e != nil {
		return x.fail(e)
	}
	order, sreq, sbody, e := x.orderStatus()
	if e != nil {
		return x.fail(e)
	}
	target, e := x.refundTarget(g, order, sbody)
	if e != nil {
		if e.Type == transform.GatewayRejected { // no payment: no refund either
			e = transform.RefundNotFound(x.gatewayName())
		}
		return x.fail(e)
	}
	c := &transform.RefundCall{Order: order, Target: target, RefundID: x.refundID, GatewayRefundID: x.recordedRefundID()}
	res, e := x.lookupRefund(g, c, &sreq, sbody)
	if e != nil {
		return x.fail(e)
	}
	x.completeRefund(res)
	x.outcome = "success"
	return writeJSON(x.w, http.StatusOK, res.JSON())
}

// orderStatus asks for the order's status, which every refund step needs,
// and keeps the request and the answer's body (EnKash's transaction is read
// from it; Juspay's refunds are listed in it).
func (x *exchange) orderStatus() (*transform.Result, transform.Request, []byte, *transform.Error) {
	req, e := x.h.gateway.BuildStatus(x.orderID)
	if e != nil {
		return nil, req, nil, e
	}
	status, body, cw, e := x.roundTrip(&req)
	if e != nil {
		return nil, req, nil, e
	}
	// The body outlives the capture (the refund steps read it again).
	body = bytes.Clone(body)
	putCapture(cw)
	res, e := x.h.gateway.ParseStatus(x.orderID, status, body)
	if e != nil {
		return nil, req, nil, e
	}
	return res, req, body, nil
}

// refundTarget finds what the gateway keys refunds on: read from the status
// answer, or asked for with one more call (Razorpay's payments).
func (x *exchange) refundTarget(g transform.Refunder, order *transform.Result, statusBody []byte) (string, *transform.Error) {
	target, next, e := g.BuildRefundTarget(order, statusBody)
	if e != nil || next == nil {
		return target, e
	}
	status, body, cw, e := x.roundTrip(next)
	if e != nil {
		return "", e
	}
	defer putCapture(cw)
	return g.ParseRefundTarget(order, status, body)
}

// lookupRefund reads a refund's status. When the request is the order
// status request just made (Juspay lists refunds in the order), its answer
// is used instead of asking again.
func (x *exchange) lookupRefund(g transform.Refunder, c *transform.RefundCall, statusReq *transform.Request, statusBody []byte) (*transform.RefundResult, *transform.Error) {
	req, e := g.BuildRefundStatus(c)
	if e != nil {
		return nil, e
	}
	if statusReq != nil && statusBody != nil && transform.SameRequest(req, *statusReq) {
		return g.ParseRefundStatus(c, http.StatusOK, statusBody)
	}
	status, body, cw, e := x.roundTrip(&req)
	if e != nil {
		return nil, e
	}
	defer putCapture(cw)
	return g.ParseRefundStatus(c, status, body)
}

// recordedRefundID is the gateway's id of the refund from its recorded
// answer, if any: Razorpay then fetches that refund instead of listing.
func (x *exchange) recordedRefundID() string {
	rec, err := x.h.idem.Load(x.r.Context(), refundKey(x.orderID, x.refundID))
	if err != nil || rec == nil || rec.Status != http.StatusCreated {
		return ""
	}
	var res transform.RefundResult
	if json.Unmarshal(rec.Body, &res) != nil {
		return ""
	}
	return res.GatewayRefundID
}

// refunded is the definite answer for a refund the gateway made.
func (x *exchange) refunded(res *transform.RefundResult) idemResult {
	x.completeRefund(res)
	return answered(http.StatusCreated, res.JSON())
}

// completeRefund fills created_at where the gateway's answer has no time,
// as for orders: the gateway's Date header, else paygate's clock.
func (x *exchange) completeRefund(res *transform.RefundResult) { x.fillCreatedAt(&res.CreatedAt) }

// notSent is a failure before the refund call: never recorded.
func notSent(e *transform.Error) idemResult {
	return idemResult{status: e.HTTPStatus(), body: e.JSON(), e: e, outcome: outcomeNotSent}
}
