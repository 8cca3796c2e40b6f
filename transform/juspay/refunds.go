package juspay

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// Juspay refunds (juspay.io/in/docs/api-reference/docs/express-checkout/refund-order-api):
// POST /orders/{order_id}/refunds as a form with unique_request_id (< 21
// alphanumerics, never reused) and amount. The answer is the whole order
// with refunds[], every refund of the order; GET /orders/{order_id} lists
// them too, which is how a refund's status is read. A repeated
// unique_request_id is answered 400 duplicate.call instead of the first
// answer, so paygate then reads refunds[] (README "Refunds").

// refundObject is one element of refunds[] (or the flat refund object of
// POST /refunds). Juspay's webhook samples send numbers as strings, and
// ref in float notation: both are read as text.
type refundObject struct {
	UniqueRequestID string           `json:"unique_request_id"`
	OrderID         string           `json:"order_id"` // flat object only
	Status          string           `json:"status"`
	Amount          json.Number      `json:"amount"`
	Ref             transform.Scalar `json:"ref"`
	ID              transform.Scalar `json:"id"`
	Created         string           `json:"created"`
}

func (rf *refundObject) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("unique_request_id", &rf.UniqueRequestID), transform.Into("order_id", &rf.OrderID),
		transform.Into("status", &rf.Status), transform.Into("amount", &rf.Amount), transform.Into("ref", &rf.Ref),
		transform.Into("id", &rf.ID), transform.Into("created", &rf.Created))
}

// refundOrder is the order object of the refund and status answers.
type refundOrder struct {
	OrderID  string         `json:"order_id"`
	Status   string         `json:"status"`
	StatusID json.Number    `json:"status_id"`
	Currency string         `json:"currency"`
	Refunds  []refundObject `json:"refunds"`
	// UniqueRequestID marks a flat refund object.
	UniqueRequestID string `json:"unique_request_id"`
}

func (o *refundOrder) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("order_id", &o.OrderID), transform.Into("status", &o.Status),
		transform.Into("status_id", &o.StatusID), transform.Into("currency", &o.Currency),
		transform.Into("refunds", func(dec *jsontext.Decoder) error { return transform.ReadSlice(dec, &o.Refunds, (*refundObject).read) }),
		transform.Into("unique_request_id", &o.UniqueRequestID))
}

// refundRequest is the form of POST /orders/{order_id}/refunds.
type refundRequest struct {
	Amount          string // amount: the currency's own places (wireAmount)
	UniqueRequestID string // unique_request_id
}

func (r *refundRequest) form() url.Values {
	return url.Values{"amount": {r.Amount}, "unique_request_id": {r.UniqueRequestID}}
}

// UniqueRequestID is the unique_request_id of a refund: 20
// characters of A–Z and 0–9, derived from the order and refund ids.
func UniqueRequestID(orderID, refundID string) string {
	return "PGRF" + transform.RefundDigest(orderID, refundID)[:maxRequestID-4]
}

func (g Dialect) CheckRefund(orderID string, r *transform.Refund) *transform.Error {
	return Facts.CheckOrderID(orderID)
}

// BuildRefundTarget: Juspay keys refunds on the merchant's order id.
func (g Dialect) BuildRefundTarget(order *transform.Result, _ []byte) (string, *transform.Request, *transform.Error) {
	return order.OrderID, nil, nil
}

func (g Dialect) ParseRefundTarget(*transform.Result, int, []byte) (string, *transform.Error) {
	return "", transform.NewError(transform.GatewayError, "juspay needs no call to find a refund target")
}

func (g Dialect) BuildRefund(c *transform.RefundCall) (transform.Request, *transform.Error) {
	if e := g.CheckRefund(c.Order.OrderID, c.Refund); e != nil {
		return transform.Request{}, e
	}
	amount, e := wireAmount(c.Refund.Amount, c.Order.Currency)
	if e != nil {
		return transform.Request{}, e
	}
	r := refundRequest{Amount: amount, UniqueRequestID: UniqueRequestID(c.Order.OrderID, c.Refund.RefundID)}
	return transform.Request{
		Method:      http.MethodPost,
		Path:        "/orders/" + c.Order.OrderID + "/refunds",
		ContentType: formType,
		Body:        []byte(r.form().Encode()),
		Header:      map[string]string{"x-routing-id": c.Order.OrderID},
	}, nil
}

func (g Dialect) ParseRefund(c *transform.RefundCall, status int, body []byte) (*transform.RefundResult, *transform.Error) {
	if status != http.StatusOK {
		return nil, g.failure(transform.OpRefund, status, body, nil)
	}
	return g.findRefund(c, status, body)
}

// BuildRefundStatus reads the order: its refunds[] holds every refund.
func (g Dialect) BuildRefundStatus(c *transform.RefundCall) (transform.Request, *transform.Error) {
	if e := transform.ValidateRefundID(c.RefundID); e != nil {
		return transform.Request{}, e
	}
	return g.BuildStatus(c.Order.OrderID)
}

func (g Dialect) ParseRefundStatus(c *transform.RefundCall, status int, body []byte) (*transform.RefundResult, *transform.Error) {
	if status != http.StatusOK {
		return nil, g.failure(transform.OpRefund, status, body, nil)
	}
	return g.findRefund(c, status, body)
}

// findRefund finds our refund in an order's refunds[] (or a flat refund
// object) by its unique_request_id, never by position.
func (g Dialect) findRefund(c *transform.RefundCall, status int, body []byte) (*transform.RefundResult, *transform.Error) {
	var ord refundOrder
	if err := transform.ReadAnswerWith(body, ord.read); err != nil {
		return nil, transform.Unreadable(g.Name(), status, "a body that is not a Juspay order")
	}
	if ord.Status == "NOT_FOUND" || string(ord.StatusID) == "40" {
		return nil, transform.GatewayFailure(g.Name(), transform.OrderNotFound, "NOT_FOUND", "", "order_id")
	}
	if ord.OrderID != c.Order.OrderID {
		return nil, transform.Unreadable(g.Name(), status, "an order whose order_id is not the one asked for")
	}
	want := UniqueRequestID(c.Order.OrderID, c.RefundID)
	refunds := ord.Refunds
	if ord.UniqueRequestID != "" {
		var flat refundObject
		if transform.ReadAnswerWith(body, flat.read) != nil {
			return nil, transform.Unreadable(g.Name(), status, "a refund paygate cannot read")
		}
		refunds = []refundObject{flat}
	}
	currency := ord.Currency
	if currency == "" {
		currency = c.Order.Currency
	}
	for i := range refunds {
		rf := &refunds[i]
		if rf.UniqueRequestID != want {
			continue
		}
		amount, e := g.amount(rf.Amount, currency)
		if e != nil {
			return nil, e
		}
		st := Facts.RefundStatus(rf.Status)
		res := &transform.RefundResult{
			Gateway:         g.Name(),
			OrderID:         c.Order.OrderID,
			RefundID:        c.RefundID,
			GatewayRefundID: rf.UniqueRequestID,
			Status:          st,
			GatewayStatus:   rf.Status,
			Amount:          amount,
			Currency:        currency,
		}
		res.CreatedAt, _ = transform.RFC3339ToUTC(rf.Created)
		if e := transform.CheckRefundEcho(c, res); e != nil {
			return nil, e
		}
		return res, nil
	}
	return nil, transform.RefundNotFound(g.Name())
}
