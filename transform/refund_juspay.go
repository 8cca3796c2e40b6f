package transform

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// Juspay refunds (juspay.io/in/docs/api-reference/docs/express-checkout/refund-order-api):
// POST /orders/{order_id}/refunds as a form with unique_request_id (< 21
// alphanumerics, never reused) and amount. The answer is the whole order
// with refunds[], every refund of the order; GET /orders/{order_id} lists
// them too, which is how a refund's status is read. A repeated
// unique_request_id is answered 400 duplicate.call instead of the first
// answer, so paygate then reads refunds[] (README "Refunds").

// juspayMaxRequestID: "length less than 21", alphanumeric.
const juspayMaxRequestID = 20

// juspayRefundStatuses maps refunds[].status (developer.juspay.in/v3.2/docs/refund):
// PENDING first, SUCCESS, FAILURE (final); MANUAL_REVIEW means the outcome
// is not known yet, so it is pending and gateway_status keeps the word.
var juspayRefundStatuses = map[string]RefundStatus{
	"PENDING":       RefundPending,
	"SUCCESS":       RefundSucceeded,
	"FAILURE":       RefundFailed,
	"MANUAL_REVIEW": RefundPending,
}

// juspayRefund is one element of refunds[] (or the flat refund object of
// POST /refunds). Juspay's webhook samples send numbers as strings, and
// ref in float notation: both are read as text.
type juspayRefund struct {
	UniqueRequestID string      `json:"unique_request_id"`
	OrderID         string      `json:"order_id"` // flat object only
	Status          string      `json:"status"`
	Amount          json.Number `json:"amount"`
	Ref             Scalar      `json:"ref"`
	ID              Scalar      `json:"id"`
	Created         string      `json:"created"`
}

// juspayRefundOrder is the order object of the refund and status answers.
type juspayRefundOrder struct {
	OrderID  string         `json:"order_id"`
	Status   string         `json:"status"`
	StatusID json.Number    `json:"status_id"`
	Currency string         `json:"currency"`
	Refunds  []juspayRefund `json:"refunds"`
	// UniqueRequestID marks a flat refund object.
	UniqueRequestID string `json:"unique_request_id"`
}

// JuspayUniqueRequestID is the unique_request_id of a refund: 20
// characters of A–Z and 0–9, derived from the order and refund ids.
func JuspayUniqueRequestID(orderID, refundID string) string {
	return "PGRF" + RefundDigest(orderID, refundID)[:juspayMaxRequestID-4]
}

func (g Juspay) CheckRefund(orderID string, r *Refund) *Error {
	if e := ValidateOrderID(orderID); e != nil {
		return e
	}
	if len(orderID) > juspayMaxOrderID {
		return Invalid("order_id", "juspay allows at most %d characters", juspayMaxOrderID)
	}
	return nil
}

// BuildRefundTarget: Juspay keys refunds on the merchant's order id.
func (g Juspay) BuildRefundTarget(order *Result, _ []byte) (string, *Request, *Error) {
	return order.OrderID, nil, nil
}

func (g Juspay) ParseRefundTarget(*Result, int, []byte) (string, *Error) {
	return "", NewError(GatewayError, "juspay needs no call to find a refund target")
}

func (g Juspay) BuildRefund(c *RefundCall) (Request, *Error) {
	if e := g.CheckRefund(c.Order.OrderID, c.Refund); e != nil {
		return Request{}, e
	}
	amount, e := JuspayAmount(c.Refund.Amount, c.Order.Currency)
	if e != nil {
		return Request{}, e
	}
	form := url.Values{
		"amount":            {amount},
		"unique_request_id": {JuspayUniqueRequestID(c.Order.OrderID, c.Refund.RefundID)},
	}
	return Request{
		Method:      http.MethodPost,
		Path:        "/orders/" + c.Order.OrderID + "/refunds",
		ContentType: juspayFormType,
		Body:        []byte(form.Encode()),
		Header:      map[string]string{"x-routing-id": c.Order.OrderID},
	}, nil
}

func (g Juspay) ParseRefund(c *RefundCall, status int, body []byte) (*RefundResult, *Error) {
	if status != http.StatusOK {
		return nil, g.refundError(status, body)
	}
	return g.findRefund(c, status, body)
}

// BuildRefundStatus reads the order: its refunds[] holds every refund.
func (g Juspay) BuildRefundStatus(c *RefundCall) (Request, *Error) {
	if e := ValidateRefundID(c.RefundID); e != nil {
		return Request{}, e
	}
	return g.BuildStatus(c.Order.OrderID)
}

func (g Juspay) ParseRefundStatus(c *RefundCall, status int, body []byte) (*RefundResult, *Error) {
	if status != http.StatusOK {
		return nil, g.refundError(status, body)
	}
	return g.findRefund(c, status, body)
}

// findRefund finds our refund in an order's refunds[] (or a flat refund
// object) by its unique_request_id, never by position.
func (g Juspay) findRefund(c *RefundCall, status int, body []byte) (*RefundResult, *Error) {
	var ord juspayRefundOrder
	if err := json.Unmarshal(body, &ord); err != nil {
		return nil, Unreadable(g.Name(), status, "a body that is not a Juspay order")
	}
	if ord.Status == "NOT_FOUND" || string(ord.StatusID) == "40" {
		return nil, GatewayFailure(g.Name(), OrderNotFound, "NOT_FOUND", "", "order_id")
	}
	if ord.OrderID != c.Order.OrderID {
		return nil, Unreadable(g.Name(), status, "an order whose order_id is not the one asked for")
	}
	want := JuspayUniqueRequestID(c.Order.OrderID, c.RefundID)
	refunds := ord.Refunds
	if ord.UniqueRequestID != "" {
		var flat juspayRefund
		if json.Unmarshal(body, &flat) != nil {
			return nil, Unreadable(g.Name(), status, "a refund paygate cannot read")
		}
		refunds = []juspayRefund{flat}
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
		st, known := juspayRefundStatuses[rf.Status]
		if !known {
			st = RefundPending // a word paygate does not know is not final
		}
		res := &RefundResult{
			Gateway:         g.Name(),
			OrderID:         c.Order.OrderID,
			RefundID:        c.RefundID,
			GatewayRefundID: rf.UniqueRequestID,
			Status:          st,
			GatewayStatus:   rf.Status,
			Amount:          amount,
			Currency:        currency,
		}
		res.CreatedAt, _ = RFC3339ToUTC(rf.Created)
		if e := CheckRefundEcho(c, res); e != nil {
			return nil, e
		}
		return res, nil
	}
	return nil, RefundNotFound(g.Name())
}

// refundError maps Juspay's refund errors (developer.juspay.in/reference/refund-order,
// all HTTP 400): duplicate.call is either "already completed with this
// unique_request_id" (a refund exists under the id) or "already processing
// with this amount" (a call is in flight); invalid.amount.exceeded is an
// over-refund; an unknown order answers {"status":"NOT_FOUND","status_id":40}.
func (g Juspay) refundError(status int, body []byte) *Error {
	var je juspayError
	var nf struct {
		Status   string      `json:"status"`
		StatusID json.Number `json:"status_id"`
	}
	readable := json.Unmarshal(body, &je) == nil
	if readable && json.Unmarshal(body, &nf) == nil && (nf.Status == "NOT_FOUND" || string(nf.StatusID) == "40") {
		return GatewayFailure(g.Name(), OrderNotFound, "NOT_FOUND", je.ErrorMessage, "order_id")
	}
	code, msg := je.ErrorCode, je.ErrorMessage
	if ei := je.ErrorInfo; ei != nil {
		if code == "" {
			code = ei.Code
		}
		if msg == "" {
			msg = cmp.Or(ei.DeveloperMessage, ei.UserMessage)
		}
	}
	if !readable || (code == "" && msg == "") {
		if e, ok := RefundHTTPFailure(g.Name(), status, "", ""); ok {
			return e
		}
		return Unreadable(g.Name(), status, "an unreadable error body")
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden ||
		hasFold(code, "access_denied", "missing_authentication", "UNAUTHENTICATED", "UNAUTHORIZED"):
		return GatewayFailure(g.Name(), GatewayAuthenticationFailed, code, msg, "")
	case strings.EqualFold(code, "duplicate.call") && ContainsFold(msg, "processing"):
		return RefundFailure(g.Name(), OrderInProgress, code, msg, "refund_id")
	case strings.EqualFold(code, "duplicate.call") || hasFold(code, "DUPLICATE_REQUEST", "ALREADY_EXISTS"):
		return RefundFailure(g.Name(), DuplicateRefund, code, msg, "refund_id")
	}
	if e, ok := RefundHTTPFailure(g.Name(), status, code, msg); ok {
		return e
	}
	switch {
	case status < 400:
		return Unreadable(g.Name(), status, "an unexpected status")
	case status == http.StatusNotFound || hasFold(code, "RESOURCE_NOT_FOUND", "NOT_FOUND"):
		return GatewayFailure(g.Name(), OrderNotFound, code, msg, "order_id")
	case ContainsFold(code, "amount") || ContainsFold(msg, "amount"):
		return RefundFailure(g.Name(), GatewayRejected, code, msg, "amount")
	}
	return RefundFailure(g.Name(), GatewayRejected, code, msg, "")
}

// hasFold reports whether s equals one of words, ignoring case.
func hasFold(s string, words ...string) bool {
	for _, w := range words {
		if strings.EqualFold(s, w) {
			return true
		}
	}
	return false
}

var _ Refunder = Juspay{}
