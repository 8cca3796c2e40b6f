package enkash

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
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

// paidTxn: a transaction that took the customer's money, refunded
// since or not.
var paidTxn = map[string]bool{"SUCCESS": true, "PARTIALLY_REFUNDED": true, "REFUNDED": true}

type txn struct {
	TransactionID     string `json:"transactionId"`
	TransactionStatus string `json:"transactionStatus"`
	Status            string `json:"status"`
}

func (t *txn) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("transactionId", &t.TransactionID),
		transform.Into("transactionStatus", &t.TransactionStatus), transform.Into("status", &t.Status))
}

// paidOrder is the order status payload as far as refunds read it: its own
// transaction and transactions[].
type paidOrder struct {
	txn
	Transactions []txn `json:"transactions"`
}

func (p *paidOrder) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("transactionId", &p.TransactionID),
		transform.Into("transactionStatus", &p.TransactionStatus), transform.Into("status", &p.Status),
		transform.Into("transactions", func(dec *jsontext.Decoder) error { return transform.ReadSlice(dec, &p.Transactions, (*txn).read) }))
}

func (t *txn) word() string {
	if t.TransactionStatus != "" {
		return strings.ToUpper(t.TransactionStatus)
	}
	return strings.ToUpper(t.Status)
}

// refundItem is the refund answer's payload and an element of a
// transaction's refunds[].
type refundItem struct {
	RequestID           string          `json:"requestId"`
	TransactionID       string          `json:"transactionId"`
	UniqueTransactionID string          `json:"uniqueTransactionId"`
	Status              string          `json:"status"`
	Amount              json.RawMessage `json:"amount"`
	Currency            string          `json:"currency"`
	TxnDate             json.RawMessage `json:"txnDate"`
}

func (r *refundItem) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("requestId", &r.RequestID), transform.Into("transactionId", &r.TransactionID),
		transform.Into("uniqueTransactionId", &r.UniqueTransactionID), transform.Into("status", &r.Status),
		transform.Into("amount", &r.Amount), transform.Into("currency", &r.Currency), transform.Into("txnDate", &r.TxnDate))
}

// transaction is the payload of GET /api/v0/payment/{transactionId}.
type transaction struct {
	TransactionID string       `json:"transactionId"`
	Refunds       []refundItem `json:"refunds"`
}

func (t *transaction) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("transactionId", &t.TransactionID),
		transform.Into("refunds", func(dec *jsontext.Decoder) error { return transform.ReadSlice(dec, &t.Refunds, (*refundItem).read) }))
}

// readPaidOrder reads the payload (nil when null or missing) of an order
// status answer.
func readPaidOrder(body []byte) (p *paidOrder, err error) {
	err = transform.ReadAnswer(body,
		transform.Into("payload", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &p, (*paidOrder).read) }))
	return p, err
}

type refundRequest struct {
	Amount    json.Number `json:"amount"`
	Remarks   string      `json:"remarks,omitempty"`
	RequestID string      `json:"requestId"`
}

// RequestID is the requestId of a refund: 26 characters of A–Z and
// 0–9 (the length of EnKash's sample), derived from the order and refund ids.
func RequestID(orderID, refundID string) string {
	return "PGRF" + transform.RefundDigest(orderID, refundID)[:22]
}

func (g Dialect) CheckRefund(orderID string, _ *transform.Refund) *transform.Error {
	return Facts.CheckOrderID(orderID)
}

// BuildRefundTarget reads the order's successful transaction from its
// status answer: transactions[] when present, else the payload's own
// transactionId/transactionStatus.
func (g Dialect) BuildRefundTarget(order *transform.Result, statusBody []byte) (string, *transform.Request, *transform.Error) {
	payload, err := readPaidOrder(statusBody)
	if err != nil || payload == nil {
		return "", nil, transform.Unreadable(g.Name(), http.StatusOK, "an order status paygate cannot read")
	}
	var ids []string
	add := func(t *txn) {
		if paidTxn[t.word()] && !slices.Contains(ids, t.TransactionID) {
			ids = append(ids, t.TransactionID)
		}
	}
	for i := range payload.Transactions {
		add(&payload.Transactions[i])
	}
	add(&payload.txn)
	switch {
	case len(ids) == 0:
		return "", nil, &transform.Error{Type: transform.GatewayRejected, Gateway: g.Name(), Field: "order_id",
			Message: "enkash reports no successful transaction for this order: only paid orders can be refunded"}
	case len(ids) > 1:
		return "", nil, &transform.Error{Type: transform.GatewayRejected, Gateway: g.Name(), Field: "order_id",
			Message: "enkash reports several successful transactions for this order; refund them from the EnKash dashboard"}
	case !transform.PathSafe(ids[0]):
		return "", nil, transform.Unreadable(g.Name(), http.StatusOK, "a transaction id paygate cannot use in a path")
	}
	return ids[0], nil, nil
}

func (g Dialect) ParseRefundTarget(*transform.Result, int, []byte) (string, *transform.Error) {
	return "", transform.NewError(transform.GatewayError, "enkash needs no call to find a refund target")
}

func (g Dialect) BuildRefund(c *transform.RefundCall) (transform.Request, *transform.Error) {
	if e := g.CheckRefund(c.Order.OrderID, c.Refund); e != nil {
		return transform.Request{}, e
	}
	if c.Order.Currency != rupees {
		return transform.Request{}, transform.Invalid("amount", "enkash refunds only INR")
	}
	if !transform.PathSafe(c.Target) {
		return transform.Request{}, transform.Invalid("", "no transaction to refund")
	}
	body, err := transform.MarshalCompact(refundRequest{
		Amount:    json.Number(c.Refund.Amount.Fixed(2)),
		Remarks:   c.Refund.Reason,
		RequestID: RequestID(c.Order.OrderID, c.Refund.RefundID),
	})
	if err != nil {
		return transform.Request{}, transform.Invalid("", "cannot encode the refund: %v", err)
	}
	return transform.Request{Method: http.MethodPost, Path: "/api/v0/payment/" + c.Target + "/refund", ContentType: "application/json", Body: body}, nil
}

func (g Dialect) ParseRefund(c *transform.RefundCall, status int, body []byte) (*transform.RefundResult, *transform.Error) {
	env, e := g.decode(transform.OpRefund, status, body)
	if e != nil {
		return nil, e
	}
	var p refundItem
	if err := transform.ReadAnswerWith(env.Payload, p.read); err != nil {
		return nil, transform.Unreadable(g.Name(), status, "a payload that is not an EnKash refund")
	}
	if p.RequestID != "" && p.RequestID != RequestID(c.Order.OrderID, c.RefundID) {
		return nil, transform.Unreadable(g.Name(), status, "a refund with another requestId than the one sent")
	}
	return g.refundResult(c, &p)
}

// BuildRefundStatus reads the transaction, whose refunds[] lists its refunds.
func (g Dialect) BuildRefundStatus(c *transform.RefundCall) (transform.Request, *transform.Error) {
	if e := transform.ValidateRefundID(c.RefundID); e != nil {
		return transform.Request{}, e
	}
	if !transform.PathSafe(c.Target) {
		return transform.Request{}, transform.Invalid("", "no transaction to look the refund up on")
	}
	return transform.Request{Method: http.MethodGet, Path: "/api/v0/payment/" + c.Target}, nil
}

func (g Dialect) ParseRefundStatus(c *transform.RefundCall, status int, body []byte) (*transform.RefundResult, *transform.Error) {
	env, e := g.decode(transform.OpRefund, status, body)
	if e != nil {
		return nil, e
	}
	var p transaction
	if err := transform.ReadAnswerWith(env.Payload, p.read); err != nil {
		return nil, transform.Unreadable(g.Name(), status, "a payload that is not an EnKash transaction")
	}
	if p.TransactionID != c.Target {
		return nil, transform.Unreadable(g.Name(), status, "another transaction than the one asked for")
	}
	want := RequestID(c.Order.OrderID, c.RefundID)
	for i := range p.Refunds {
		if p.Refunds[i].RequestID == want {
			return g.refundResult(c, &p.Refunds[i])
		}
	}
	return nil, transform.RefundNotFound(g.Name())
}

func (g Dialect) refundResult(c *transform.RefundCall, p *refundItem) (*transform.RefundResult, *transform.Error) {
	amount, currency, ok := amountOf(p.Amount, p.Currency)
	if !ok {
		return nil, transform.Unreadable(g.Name(), http.StatusOK, "an amount that is not a decimal number")
	}
	if amount == "" { // not echoed: nothing to compare, it is what was sent
		if c.Refund == nil {
			return nil, transform.Unreadable(g.Name(), http.StatusOK, "a refund without an amount")
		}
		amount, currency = c.Refund.Amount.Fixed(2), rupees
	}
	word := strings.ToUpper(p.Status)
	st := Facts.RefundStatus(word)
	// The refund's own transaction id; the schema does not say whether
	// transactionId is that or the original payment's, so the original's is
	// never reported as the refund's.
	id := p.TransactionID
	if id == c.Target {
		id = p.UniqueTransactionID
	}
	res := &transform.RefundResult{
		Gateway:         g.Name(),
		OrderID:         c.Order.OrderID,
		RefundID:        c.RefundID,
		GatewayRefundID: id,
		Status:          st,
		GatewayStatus:   p.Status,
		Amount:          amount,
		Currency:        currency,
		CreatedAt:       parseTime(p.TxnDate),
	}
	if e := transform.CheckRefundEcho(c, res); e != nil {
		return nil, e
	}
	return res, nil
}
