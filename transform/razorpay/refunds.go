package razorpay

import (
	"encoding/json"
	"maps"
	"net/http"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/shopspring/decimal"
)

// Razorpay refunds (razorpay.com/docs/api/refunds/create-normal and
// normal-refunds-idempotent): a refund belongs to a payment, not to the
// order, so the order's captured payment is found first
// (GET /v1/orders/{id}/payments), then
// POST /v1/payments/{payment_id}/refund with the amount in minor units,
// receipt = refund_id, notes = metadata (+ reason), and the header
// X-Refund-Idempotency: Razorpay answers a repeat with the same key and
// body with the same refund instead of a second one.

// payment is the part of a payment entity paygate reads.
type payment struct {
	ID       string      `json:"id"`
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
	Status   string      `json:"status"`
	OrderID  string      `json:"order_id"`
}

func (p *payment) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("id", &p.ID), transform.Into("amount", &p.Amount),
		transform.Into("currency", &p.Currency), transform.Into("status", &p.Status), transform.Into("order_id", &p.OrderID))
}

// refundEntity is the part of a refund entity paygate reads; notes (which
// comes as [] when empty) is skipped.
type refundEntity struct {
	ID        string      `json:"id"`
	Entity    string      `json:"entity"`
	Amount    json.Number `json:"amount"`
	Currency  string      `json:"currency"`
	PaymentID string      `json:"payment_id"`
	Receipt   string      `json:"receipt"` // "" when null
	Status    string      `json:"status"`
	CreatedAt int64       `json:"created_at"`
}

func (rf *refundEntity) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("id", &rf.ID), transform.Into("entity", &rf.Entity),
		transform.Into("amount", &rf.Amount), transform.Into("currency", &rf.Currency), transform.Into("payment_id", &rf.PaymentID),
		transform.Into("receipt", &rf.Receipt), transform.Into("status", &rf.Status), transform.Into("created_at", &rf.CreatedAt))
}

// paymentList is a collection of payments.
type paymentList struct {
	Entity string    `json:"entity"`
	Items  []payment `json:"items"`
}

func (l *paymentList) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("entity", &l.Entity),
		transform.Into("items", func(dec *jsontext.Decoder) error { return transform.ReadSlice(dec, &l.Items, (*payment).read) }))
}

// refundList is a collection of refunds; its entity is read apart.
type refundList struct {
	Items []refundEntity `json:"items"`
}

func (l *refundList) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec,
		transform.Into("items", func(dec *jsontext.Decoder) error { return transform.ReadSlice(dec, &l.Items, (*refundEntity).read) }))
}

// refundRequest is the body of POST /v1/payments/{payment_id}/refund
// (razorpay.com/docs/api/refunds/create-normal).
type refundRequest struct {
	Amount  json.Number       `json:"amount"` // integer minor units
	Receipt string            `json:"receipt"`
	Notes   map[string]string `json:"notes,omitempty"` // metadata, and the reason
}

func newRefundRequest(r *transform.Refund, minor decimal.Decimal) refundRequest {
	notes := r.Metadata
	if r.Reason != "" {
		notes = make(map[string]string, len(r.Metadata)+1)
		maps.Copy(notes, r.Metadata)
		notes[refundNote] = r.Reason
	}
	return refundRequest{Amount: json.Number(minor.String()), Receipt: r.RefundID, Notes: notes}
}

// RefundKey is the X-Refund-Idempotency header of a refund: at
// least 10 characters of A–Z a–z 0–9 _ - (Razorpay's rule), derived from
// the order and refund ids so every retry sends the same key.
func RefundKey(orderID, refundID string) string {
	return "PGRF-" + transform.RefundDigest(orderID, refundID)[:32]
}

func (g Dialect) CheckRefund(orderID string, r *transform.Refund) *transform.Error {
	if e := Facts.CheckOrderID(orderID); e != nil {
		return e
	}
	if r == nil {
		return nil
	}
	if len(r.RefundID) > maxReceipt {
		return transform.Invalid("refund_id", "razorpay allows at most %d characters", maxReceipt)
	}
	// reason (at most 255 characters) fits a note (256).
	if _, clash := r.Metadata[refundNote]; clash && r.Reason != "" {
		return transform.Invalid("metadata."+refundNote, "razorpay keeps reason in notes.reason; use another metadata key")
	}
	n := len(r.Metadata)
	if r.Reason != "" {
		n++
	}
	if n > maxNotes {
		return transform.Invalid("metadata", "razorpay allows at most %d notes (metadata pairs, and reason), got %d", maxNotes, n)
	}
	_, e := noteLengths(r.Metadata)
	return e
}

// BuildRefundTarget asks for the order's payments: a refund is made on the
// captured one.
func (g Dialect) BuildRefundTarget(order *transform.Result, _ []byte) (string, *transform.Request, *transform.Error) {
	if !transform.PathSafe(order.GatewayOrderID) {
		return "", nil, transform.Unreadable(g.Name(), http.StatusOK, "an order id paygate cannot use in a path")
	}
	return "", &transform.Request{Method: http.MethodGet, Path: "/v1/orders/" + order.GatewayOrderID + "/payments"}, nil
}

// ParseRefundTarget picks the order's captured payment from its payments
// (razorpay.com/docs/api/orders/fetch-payments). Failed attempts are listed
// too, in an order Razorpay does not document, so the payment is chosen by
// its status, never by its place: captured, or refunded once a full refund
// went through. Several captured payments (partial payments) would make the
// choice a guess, so paygate refuses rather than refund the wrong one.
func (g Dialect) ParseRefundTarget(order *transform.Result, status int, body []byte) (string, *transform.Error) {
	if status != http.StatusOK {
		return "", g.failure(transform.OpRefund, status, body)
	}
	var c paymentList
	if err := transform.ReadAnswerWith(body, c.read); err != nil || c.Entity != "collection" {
		return "", transform.Unreadable(g.Name(), status, "a body that is not a Razorpay collection of payments")
	}
	var found *payment
	for i := range c.Items {
		p := &c.Items[i]
		if p.OrderID != order.GatewayOrderID {
			return "", transform.Unreadable(g.Name(), status, "a payment of another order")
		}
		if p.Status != "captured" && p.Status != "refunded" {
			continue
		}
		if found != nil {
			return "", &transform.Error{Type: transform.GatewayRejected, Gateway: g.Name(), Field: "order_id",
				Message: "razorpay holds several captured payments for this order (partial payments); refund them from the Razorpay dashboard"}
		}
		found = p
	}
	if found == nil {
		return "", &transform.Error{Type: transform.GatewayRejected, Gateway: g.Name(), Field: "order_id",
			Message: "razorpay holds no captured payment for this order: only captured payments can be refunded"}
	}
	if !transform.PathSafe(found.ID) {
		return "", transform.Unreadable(g.Name(), status, "a payment id paygate cannot use in a path")
	}
	if found.Currency != order.Currency {
		return "", transform.Unreadable(g.Name(), status, "a payment in another currency than its order")
	}
	return found.ID, nil
}

func (g Dialect) BuildRefund(c *transform.RefundCall) (transform.Request, *transform.Error) {
	r := c.Refund
	if e := g.CheckRefund(c.Order.OrderID, r); e != nil {
		return transform.Request{}, e
	}
	if !transform.PathSafe(c.Target) {
		return transform.Request{}, transform.Invalid("", "no payment to refund")
	}
	minor, e := Facts.Minor(r.Amount, c.Order.Currency)
	if e != nil {
		return transform.Request{}, e
	}
	body, err := transform.MarshalCompact(newRefundRequest(r, minor))
	if err != nil {
		return transform.Request{}, transform.Invalid("", "cannot encode the refund: %v", err)
	}
	return transform.Request{
		Method:      http.MethodPost,
		Path:        "/v1/payments/" + c.Target + "/refund",
		ContentType: "application/json",
		Body:        body,
		Header:      map[string]string{"X-Refund-Idempotency": RefundKey(c.Order.OrderID, r.RefundID)},
	}, nil
}

func (g Dialect) ParseRefund(c *transform.RefundCall, status int, body []byte) (*transform.RefundResult, *transform.Error) {
	if status != http.StatusOK {
		return nil, g.failure(transform.OpRefund, status, body)
	}
	var rf refundEntity
	if err := transform.ReadAnswerWith(body, rf.read); err != nil || rf.ID == "" || rf.Entity != "refund" {
		return nil, transform.Unreadable(g.Name(), status, "a body that is not a Razorpay refund")
	}
	return g.refundResult(c, &rf)
}

// BuildRefundStatus fetches the refund by its id when paygate knows it,
// else lists the payment's refunds to find it by receipt (Razorpay has no
// filter by receipt: razorpay.com/docs/api/refunds/fetch-all).
func (g Dialect) BuildRefundStatus(c *transform.RefundCall) (transform.Request, *transform.Error) {
	if e := transform.ValidateRefundID(c.RefundID); e != nil {
		return transform.Request{}, e
	}
	if !transform.PathSafe(c.Target) {
		return transform.Request{}, transform.Invalid("", "no payment to look the refund up on")
	}
	path := "/v1/payments/" + c.Target + "/refunds"
	if c.GatewayRefundID != "" && transform.PathSafe(c.GatewayRefundID) {
		return transform.Request{Method: http.MethodGet, Path: path + "/" + c.GatewayRefundID}, nil
	}
	return transform.Request{Method: http.MethodGet, Path: path, RawQuery: "count=" + maxRefundList}, nil
}

func (g Dialect) ParseRefundStatus(c *transform.RefundCall, status int, body []byte) (*transform.RefundResult, *transform.Error) {
	if status != http.StatusOK {
		e := g.failure(transform.OpRefund, status, body)
		if c.GatewayRefundID != "" && e.Type == transform.GatewayRejected && transform.ContainsFold(e.GatewayMessage, "does not exist") {
			return nil, transform.RefundNotFound(g.Name())
		}
		return nil, e
	}
	var entity string
	if err := transform.ReadAnswer(body, transform.Into("entity", &entity)); err != nil {
		return nil, transform.Unreadable(g.Name(), status, "a body that is not a Razorpay refund")
	}
	switch entity {
	case "refund":
		var rf refundEntity
		if err := transform.ReadAnswerWith(body, rf.read); err != nil || rf.ID == "" {
			return nil, transform.Unreadable(g.Name(), status, "a body that is not a Razorpay refund")
		}
		if rf.ID != c.GatewayRefundID {
			return nil, transform.Unreadable(g.Name(), status, "another refund than the one asked for")
		}
		return g.refundResult(c, &rf)
	case "collection":
		var list refundList
		if err := transform.ReadAnswerWith(body, list.read); err != nil {
			return nil, transform.Unreadable(g.Name(), status, "a body that is not a Razorpay collection of refunds")
		}
		// Newest first; with X-Refund-Idempotency there is one refund per
		// receipt, and should there be more the newest is reported.
		for i := range list.Items {
			if rf := &list.Items[i]; rf.Receipt == c.RefundID && rf.ID != "" {
				return g.refundResult(c, rf)
			}
		}
		return nil, transform.RefundNotFound(g.Name())
	}
	return nil, transform.Unreadable(g.Name(), status, "a body that is not a Razorpay refund")
}

// refundResult maps a refund entity, checking what it echoes: the payment
// and the receipt are ours (else 502), the amount and currency are the ones
// asked for (else 409 duplicate_refund).
func (g Dialect) refundResult(c *transform.RefundCall, rf *refundEntity) (*transform.RefundResult, *transform.Error) {
	if rf.PaymentID != "" && rf.PaymentID != c.Target {
		return nil, transform.Unreadable(g.Name(), http.StatusOK, "a refund of another payment")
	}
	// A refund answer may carry "receipt": null (Razorpay's own sample
	// does); only a receipt that is there and differs is another refund.
	if rf.Receipt != "" && rf.Receipt != c.RefundID {
		return nil, transform.Unreadable(g.Name(), http.StatusOK, "a refund with another receipt than the refund_id sent")
	}
	exp, ok := transform.CurrencyExponent(rf.Currency)
	if !ok {
		return nil, transform.Unreadable(g.Name(), http.StatusOK, "an unknown currency "+transform.Clip(rf.Currency, transform.EchoRunes))
	}
	amount, ok := transform.MinorToMajor(string(rf.Amount), int(exp))
	if !ok {
		return nil, transform.Unreadable(g.Name(), http.StatusOK, "an amount that is not an integer")
	}
	st := Facts.RefundStatus(rf.Status)
	res := &transform.RefundResult{
		Gateway:         g.Name(),
		OrderID:         c.Order.OrderID,
		RefundID:        c.RefundID,
		GatewayRefundID: rf.ID,
		Status:          st,
		GatewayStatus:   rf.Status,
		Amount:          amount,
		Currency:        rf.Currency,
		CreatedAt:       transform.UnixToRFC3339(rf.CreatedAt),
	}
	if e := transform.CheckRefundEcho(c, res); e != nil {
		return nil, e
	}
	return res, nil
}
