package transform

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// EnKash refunds (docs.enkash.com/api-8990254, "Refund"): a refund belongs
// to the successful transaction of the order,
// POST /api/v0/payment/{transactionId}/refund {"amount","remarks","requestId"}.
// EnKash publishes neither the order status payload's fields nor a refund
// lookup, so paygate works on an assumption its README states and its
// emulator implements: the order status payload names the transaction
// (transactionId / transactionStatus, or transactions[] with a SUCCESS
// item), and GET /api/v0/payment/{transactionId} lists the transaction's
// refunds[] with their requestId.

// enkashRefundStatuses maps refund statuses. EnKash documents only CREATED
// (the schema of the refund answer); the other words are EnKash's
// transaction vocabulary (docs.enkash.com, "Payment status"). A word
// paygate does not know is pending: never a final answer it cannot back.
var enkashRefundStatuses = map[string]RefundStatus{
	"CREATED":           RefundPending,
	"PENDING":           RefundPending,
	"PENDING_WITH_BANK": RefundPending,
	"INITIATED":         RefundPending,
	"SUCCESS":           RefundSucceeded,
	"REFUNDED":          RefundSucceeded,
	"FAILED":            RefundFailed,
	"CANCELLED":         RefundFailed,
}

// enkashPaidTxn: a transaction that took the customer's money, refunded
// since or not.
var enkashPaidTxn = map[string]bool{"SUCCESS": true, "PARTIALLY_REFUNDED": true, "REFUNDED": true}

type enkashTxn struct {
	TransactionID     string `json:"transactionId"`
	TransactionStatus string `json:"transactionStatus"`
	Status            string `json:"status"`
}

func (t *enkashTxn) word() string {
	if t.TransactionStatus != "" {
		return strings.ToUpper(t.TransactionStatus)
	}
	return strings.ToUpper(t.Status)
}

// enkashRefundItem is the refund answer's payload and an element of a
// transaction's refunds[].
type enkashRefundItem struct {
	RequestID           string          `json:"requestId"`
	TransactionID       string          `json:"transactionId"`
	UniqueTransactionID string          `json:"uniqueTransactionId"`
	Status              string          `json:"status"`
	Amount              json.RawMessage `json:"amount"`
	Currency            string          `json:"currency"`
	TxnDate             json.RawMessage `json:"txnDate"`
}

type enkashRefundBody struct {
	Amount    json.Number `json:"amount"`
	Remarks   string      `json:"remarks,omitempty"`
	RequestID string      `json:"requestId"`
}

// EnKashRequestID is the requestId of a refund: 26 characters of A–Z and
// 0–9 (the length of EnKash's sample), derived from the order and refund ids.
func EnKashRequestID(orderID, refundID string) string {
	return "PGRF" + RefundDigest(orderID, refundID)[:22]
}

func (g EnKash) CheckRefund(orderID string, _ *Refund) *Error {
	return ValidateOrderID(orderID)
}

// BuildRefundTarget reads the order's successful transaction from its
// status answer: transactions[] when present, else the payload's own
// transactionId/transactionStatus.
func (g EnKash) BuildRefundTarget(order *Result, statusBody []byte) (string, *Request, *Error) {
	var env struct {
		Payload *struct {
			enkashTxn
			Transactions []enkashTxn `json:"transactions"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(statusBody, &env); err != nil || env.Payload == nil {
		return "", nil, Unreadable(g.Name(), http.StatusOK, "an order status paygate cannot read")
	}
	var ids []string
	add := func(t *enkashTxn) {
		if enkashPaidTxn[t.word()] && !slices.Contains(ids, t.TransactionID) {
			ids = append(ids, t.TransactionID)
		}
	}
	for i := range env.Payload.Transactions {
		add(&env.Payload.Transactions[i])
	}
	add(&env.Payload.enkashTxn)
	switch {
	case len(ids) == 0:
		return "", nil, &Error{Type: GatewayRejected, Gateway: g.Name(), Field: "order_id",
			Message: "enkash reports no successful transaction for this order: only paid orders can be refunded"}
	case len(ids) > 1:
		return "", nil, &Error{Type: GatewayRejected, Gateway: g.Name(), Field: "order_id",
			Message: "enkash reports several successful transactions for this order; refund them from the EnKash dashboard"}
	case !PathSafe(ids[0]):
		return "", nil, Unreadable(g.Name(), http.StatusOK, "a transaction id paygate cannot use in a path")
	}
	return ids[0], nil, nil
}

func (g EnKash) ParseRefundTarget(*Result, int, []byte) (string, *Error) {
	return "", NewError(GatewayError, "enkash needs no call to find a refund target")
}

func (g EnKash) BuildRefund(c *RefundCall) (Request, *Error) {
	if e := g.CheckRefund(c.Order.OrderID, c.Refund); e != nil {
		return Request{}, e
	}
	if c.Order.Currency != enkashCurrency {
		return Request{}, Invalid("amount", "enkash refunds only INR")
	}
	if !PathSafe(c.Target) {
		return Request{}, Invalid("", "no transaction to refund")
	}
	body, err := MarshalCompact(enkashRefundBody{
		Amount:    json.Number(c.Refund.Amount.Fixed(2)),
		Remarks:   c.Refund.Reason,
		RequestID: EnKashRequestID(c.Order.OrderID, c.Refund.RefundID),
	})
	if err != nil {
		return Request{}, Invalid("", "cannot encode the refund: %v", err)
	}
	return Request{Method: http.MethodPost, Path: "/api/v0/payment/" + c.Target + "/refund", ContentType: "application/json", Body: body}, nil
}

func (g EnKash) ParseRefund(c *RefundCall, status int, body []byte) (*RefundResult, *Error) {
	env, e := g.refundEnvelope(status, body)
	if e != nil {
		return nil, e
	}
	var p enkashRefundItem
	if err := json.Unmarshal(env.Payload, &p); err != nil {
		return nil, Unreadable(g.Name(), status, "a payload that is not an EnKash refund")
	}
	if p.RequestID != "" && p.RequestID != EnKashRequestID(c.Order.OrderID, c.RefundID) {
		return nil, Unreadable(g.Name(), status, "a refund with another requestId than the one sent")
	}
	return g.refundResult(c, &p)
}

// BuildRefundStatus reads the transaction, whose refunds[] lists its refunds.
func (g EnKash) BuildRefundStatus(c *RefundCall) (Request, *Error) {
	if e := ValidateRefundID(c.RefundID); e != nil {
		return Request{}, e
	}
	if !PathSafe(c.Target) {
		return Request{}, Invalid("", "no transaction to look the refund up on")
	}
	return Request{Method: http.MethodGet, Path: "/api/v0/payment/" + c.Target}, nil
}

func (g EnKash) ParseRefundStatus(c *RefundCall, status int, body []byte) (*RefundResult, *Error) {
	env, e := g.refundEnvelope(status, body)
	if e != nil {
		return nil, e
	}
	var p struct {
		TransactionID string             `json:"transactionId"`
		Refunds       []enkashRefundItem `json:"refunds"`
	}
	if err := json.Unmarshal(env.Payload, &p); err != nil {
		return nil, Unreadable(g.Name(), status, "a payload that is not an EnKash transaction")
	}
	if p.TransactionID != c.Target {
		return nil, Unreadable(g.Name(), status, "another transaction than the one asked for")
	}
	want := EnKashRequestID(c.Order.OrderID, c.RefundID)
	for i := range p.Refunds {
		if p.Refunds[i].RequestID == want {
			return g.refundResult(c, &p.Refunds[i])
		}
	}
	return nil, RefundNotFound(g.Name())
}

func (g EnKash) refundResult(c *RefundCall, p *enkashRefundItem) (*RefundResult, *Error) {
	amount, currency, ok := enkashAmountOf(p.Amount, p.Currency)
	if !ok {
		return nil, Unreadable(g.Name(), http.StatusOK, "an amount that is not a decimal number")
	}
	if amount == "" { // not echoed: nothing to compare, it is what was sent
		if c.Refund == nil {
			return nil, Unreadable(g.Name(), http.StatusOK, "a refund without an amount")
		}
		amount, currency = c.Refund.Amount.Fixed(2), enkashCurrency
	}
	word := strings.ToUpper(p.Status)
	st, known := enkashRefundStatuses[word]
	if !known {
		st = RefundPending
	}
	// The refund's own transaction id; the schema does not say whether
	// transactionId is that or the original payment's, so the original's is
	// never reported as the refund's.
	id := p.TransactionID
	if id == c.Target {
		id = p.UniqueTransactionID
	}
	res := &RefundResult{
		Gateway:         g.Name(),
		OrderID:         c.Order.OrderID,
		RefundID:        c.RefundID,
		GatewayRefundID: id,
		Status:          st,
		GatewayStatus:   p.Status,
		Amount:          amount,
		Currency:        currency,
		CreatedAt:       enkashTime(p.TxnDate),
	}
	if e := CheckRefundEcho(c, res); e != nil {
		return nil, e
	}
	return res, nil
}

// refundEnvelope decodes EnKash's envelope for refund calls. EnKash
// documents no refund error codes; paygate reads the same conventions as
// for orders (README "EnKash"): response_code 0 is success, 117 a refused
// token, 409 (or "duplicate") a requestId already used, anything else a
// refusal, and a message about the amount names the amount.
func (g EnKash) refundEnvelope(status int, body []byte) (*enkashEnvelope, *Error) {
	var env enkashEnvelope
	if err := json.Unmarshal(body, &env); err != nil || env.ResponseCode == nil {
		if e, ok := RefundHTTPFailure(g.Name(), status, "", ""); ok {
			return nil, e
		}
		return nil, Unreadable(g.Name(), status, "a body that is not an EnKash envelope")
	}
	code := IntText(env.ResponseCode)
	if code == "" {
		return nil, Unreadable(g.Name(), status, "a response_code that is not a number")
	}
	if code == "0" && status >= 200 && status <= 299 {
		return &env, nil
	}
	msg := env.ResponseMessage
	var detail string
	if json.Unmarshal(env.Payload, &detail) == nil && detail != "" && detail != msg {
		if msg == "" {
			msg = detail
		} else {
			msg += ": " + detail
		}
	}
	switch {
	case code == strconv.Itoa(EnKashInvalidToken) || status == http.StatusUnauthorized || status == http.StatusForbidden:
		return nil, GatewayFailure(g.Name(), GatewayAuthenticationFailed, code, msg, "")
	case code == enkashDuplicateCode || status == http.StatusConflict || ContainsFold(msg, "duplicate"):
		return nil, RefundFailure(g.Name(), DuplicateRefund, code, msg, "refund_id")
	}
	if e, ok := RefundHTTPFailure(g.Name(), status, code, msg); ok {
		return nil, e
	}
	if ContainsFold(msg, "amount") {
		return nil, RefundFailure(g.Name(), GatewayRejected, code, msg, "amount")
	}
	return nil, RefundFailure(g.Name(), GatewayRejected, code, msg, "")
}

var _ Refunder = EnKash{}
