package transform

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/shopspring/decimal"
)

// Refunds (README "Refunds"): POST …/orders/{order_id}/refunds with
//
//	{"refund_id":"RF1001A","amount":"50.00","reason":"customer request","metadata":{"ticket":"881"}}
//
// The glue chains pure steps, each a build/parse pair:
//
//  1. the order's status (Gateway.BuildStatus / ParseStatus): a refund
//     needs a paid order, its amount and currency (CheckRefundable);
//  2. the refund target, what the gateway keys refunds on (Razorpay: the
//     order's captured payment, one more call; Juspay: the order itself;
//     EnKash: the order's successful transaction, read from the status
//     answer): BuildRefundTarget / ParseRefundTarget;
//  3. the refund call: BuildRefund / ParseRefund;
//  4. the refund's status, to answer GET …/refunds/{refund_id} and to
//     find out whether an attempt whose outcome is unknown took effect:
//     BuildRefundStatus / ParseRefundStatus.
//
// Every wire id is derived from (order_id, refund_id), so a retry sends the
// same id and a gateway whose ids are unique per merchant, not per order,
// never sees two orders' refunds collide.

// Refund is the canonical refund request.
type Refund struct {
	RefundID string            `json:"refund_id"`
	Amount   Amount            `json:"amount"`
	Reason   string            `json:"reason,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// RefundStatus is the closed canonical refund status vocabulary.
type RefundStatus string

const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// RefundResult is the canonical answer to a refund or a refund status
// request. Every field is always present; gateway_refund_id is empty only
// when the gateway has not given the refund an id yet.
type RefundResult struct {
	Gateway         string       `json:"gateway"`
	OrderID         string       `json:"order_id"`
	RefundID        string       `json:"refund_id"`
	GatewayRefundID string       `json:"gateway_refund_id"`
	Status          RefundStatus `json:"status"`
	GatewayStatus   string       `json:"gateway_status"`
	Amount          string       `json:"amount"`
	Currency        string       `json:"currency"`
	// CreatedAt is RFC 3339 UTC; "" when the gateway's answer carries no
	// time (the glue then fills it from the answer's Date header).
	CreatedAt string `json:"created_at"`
}

// JSON encodes the refund for the application, exactly sized: a recorded
// answer keeps it for a day.
func (r *RefundResult) JSON() []byte {
	var scratch [512]byte
	return bytes.Clone(r.AppendJSON(scratch[:0]))
}

// AppendJSON appends the bytes json.Marshal writes for r (FuzzRefundJSON
// holds it to that), without reflection.
func (r *RefundResult) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendMarshalField(b, "gateway", r.Gateway, false)
	b = appendMarshalField(b, "order_id", r.OrderID, false)
	b = appendMarshalField(b, "refund_id", r.RefundID, false)
	b = appendMarshalField(b, "gateway_refund_id", r.GatewayRefundID, false)
	b = appendMarshalField(b, "status", string(r.Status), false)
	b = appendMarshalField(b, "gateway_status", r.GatewayStatus, false)
	b = appendMarshalField(b, "amount", r.Amount, false)
	b = appendMarshalField(b, "currency", r.Currency, false)
	b = appendMarshalField(b, "created_at", r.CreatedAt, false)
	return append(b, '}')
}

// AppendJSON appends the bytes json.Marshal writes for r (FuzzRefundJSON):
// a refund's fingerprint is their SHA-256, as it was when json.Marshal
// wrote them.
func (r *Refund) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendMarshalField(b, "refund_id", r.RefundID, false)
	b = append(b, `,"amount":"`...)
	b = append(b, r.Amount.Shortest()...)
	b = append(b, '"')
	b = appendMarshalField(b, "reason", r.Reason, true)
	if len(r.Metadata) > 0 {
		b = append(b, `,"metadata":`...)
		b = appendMarshalStringMap(b, r.Metadata)
	}
	return append(b, '}')
}

// RefundCall is what the steps after the order's status know.
type RefundCall struct {
	// Order is the order's status answer (ParseStatus).
	Order *Result
	// Target is what the gateway keys refunds on: Razorpay's payment id,
	// Juspay's (merchant) order id, EnKash's transaction id.
	Target string
	// RefundID is the merchant's refund id.
	RefundID string
	// GatewayRefundID is the gateway's id of the refund when paygate knows
	// it (from a recorded answer): Razorpay then fetches that refund
	// instead of listing the payment's refunds.
	GatewayRefundID string
	// Refund is the request, nil for a status fetch. When set, a refund the
	// gateway holds under this refund id with another amount is a
	// duplicate_refund, never reported as this one.
	Refund *Refund
}

// Refunder is implemented by gateways with a refund API; a gateway without
// one implements it with NotSupported answers (KwikPaisa), so the glue
// refuses before sending anything.
type Refunder interface {
	// CheckRefund applies the gateway's own rules that need no order (id
	// lengths, note limits) before any call. r is nil when only the ids
	// are known (a refund status fetch): a gateway without refunds still
	// answers NotSupported, so the glue asks this before anything else.
	CheckRefund(orderID string, r *Refund) *Error
	// BuildRefundTarget reads the refund target from the order's status
	// answer (target != ""), or builds the request that finds it (next).
	BuildRefundTarget(order *Result, statusBody []byte) (target string, next *Request, e *Error)
	// ParseRefundTarget maps the answer to next.
	ParseRefundTarget(order *Result, status int, body []byte) (string, *Error)
	// BuildRefund builds the refund call; c.Refund is set.
	BuildRefund(c *RefundCall) (Request, *Error)
	// ParseRefund maps the refund call's answer. A gateway saying the wire
	// id is already used answers DuplicateRefund, one saying a call with
	// this id is still being processed answers OrderInProgress: the glue
	// then reads the refund's status (ParseRefundStatus) instead of failing.
	ParseRefund(c *RefundCall, status int, body []byte) (*RefundResult, *Error)
	// BuildRefundStatus builds the request for the refund's status.
	BuildRefundStatus(c *RefundCall) (Request, *Error)
	// ParseRefundStatus maps its answer; a refund the gateway does not hold
	// under this refund id is RefundNotFound.
	ParseRefundStatus(c *RefundCall, status int, body []byte) (*RefundResult, *Error)
}

const (
	maxRefundID = 40
	// maxRefundPlaces is the most decimal places any currency has; the
	// order's own currency is checked once its status is known.
	maxRefundPlaces = 3
)

// DecodeRefund strictly decodes and validates a canonical refund request
// with the decoder orders use (DecodeOrder): unknown fields, repeated names
// and names that match a field only when case is ignored are a 400 naming
// the field, so {"amount":"1","amount":"1000"} is never read two ways; in
// metadata, keys that differ only in case are refused too.
func DecodeRefund(body []byte) (*Refund, *Error) {
	if !utf8.Valid(body) {
		return nil, Invalid("", "request body is not valid UTF-8")
	}
	var r Refund
	if err := jsonv2.Unmarshal(body, &r, decodeOptions); err != nil {
		return nil, decodeErrorFor(err, refundFields)
	}
	if k, other := foldedPair(r.Metadata); k != "" {
		return nil, Invalid("metadata."+k, "differs only in case from %q", Clip(other, EchoRunes))
	}
	if e := r.Validate(); e != nil {
		return nil, e
	}
	return &r, nil
}

// refundFields are the names of the canonical refund, by path.
var refundFields = map[string][]string{"": {"refund_id", "amount", "reason", "metadata"}}

// Validate applies the canonical refund rules that hold for every gateway.
func (r *Refund) Validate() *Error {
	if e := ValidateRefundID(r.RefundID); e != nil {
		return e
	}
	if !r.Amount.IsSet() {
		return Invalid("amount", "is required")
	}
	if r.Amount.SignificantPlaces() > maxRefundPlaces {
		return Invalid("amount", "has more decimal places than any currency (at most %d)", maxRefundPlaces)
	}
	if e := checkText("reason", r.Reason, maxText); e != nil {
		return e
	}
	for _, k := range SortedKeys(r.Metadata) {
		if k == "" {
			return Invalid("metadata", "keys must not be empty")
		}
		if e := checkText("metadata", k, maxLongText); e != nil {
			return e
		}
		if e := checkText("metadata."+k, r.Metadata[k], maxLongText); e != nil {
			return e
		}
	}
	return nil
}

// ValidateRefundID checks the canonical refund id rule: 1–40 characters of
// A–Z a–z 0–9 - _.
func ValidateRefundID(id string) *Error {
	if id == "" {
		return Invalid("refund_id", "is required")
	}
	if len(id) > maxRefundID {
		return Invalid("refund_id", "must be at most %d characters", maxRefundID)
	}
	for i := 0; i < len(id); i++ {
		if !isIDChar(id[i]) {
			return Invalid("refund_id", "may contain only A-Z, a-z, 0-9, '-' and '_'")
		}
	}
	return nil
}

// CheckRefundable applies the checks that need the order's status, before
// any refund call: the order must be paid (else 422 gateway_rejected), the
// amount must fit the order's currency and not exceed the order's amount
// (else 400 on amount). What is left to refund after earlier refunds is
// the gateway's to say.
func CheckRefundable(order *Result, r *Refund) *Error {
	if order.Status != StatusPaid {
		state := string(order.Status)
		if w := order.GatewayStatus; w != "" && !strings.EqualFold(w, state) {
			state += " (" + Clip(w, EchoRunes) + ")"
		}
		return &Error{Type: GatewayRejected, Gateway: order.Gateway, Field: "order_id",
			Message: fmt.Sprintf("%s reports the order as %s: only paid orders can be refunded", order.Gateway, state)}
	}
	exp, ok := CurrencyExponent(order.Currency)
	if !ok {
		return Unreadable(order.Gateway, http.StatusOK, "an order status without a currency paygate knows")
	}
	if r.Amount.SignificantPlaces() > exp {
		return Invalid("amount", "%s allows at most %d decimal places", order.Currency, exp)
	}
	if order.Amount != "" {
		total, err := decimal.NewFromString(order.Amount)
		if err != nil {
			return Unreadable(order.Gateway, http.StatusOK, "an order amount paygate cannot read")
		}
		if r.Amount.Decimal().GreaterThan(total) {
			return Invalid("amount", "is more than the order's amount (%s %s)", order.Currency, order.Amount)
		}
	}
	return nil
}

// SameRequest reports whether two requests ask the same thing: the glue
// reuses the order's status answer when the refund status request is that
// very request (Juspay reads refunds from the order).
func SameRequest(a, b Request) bool {
	return a.Method == b.Method && a.Path == b.Path && a.RawQuery == b.RawQuery && bytes.Equal(a.Body, b.Body)
}

// RefundNotFound is the answer for a refund id the gateway holds no refund
// under (for this order).
func RefundNotFound(gateway string) *Error {
	return &Error{Type: NotFound, Gateway: gateway, Field: "refund_id",
		Message: gateway + " holds no refund with this refund_id for this order"}
}

// IsRefundNotFound reports whether e is RefundNotFound's answer.
func IsRefundNotFound(e *Error) bool {
	return e != nil && e.Type == NotFound && e.Field == "refund_id"
}

// refundMismatch is the answer for a refund the gateway holds under this
// refund id that is not the one asked for. As for orders (README
// "Retries and idempotency"), another amount or currency means the gateway
// holds a different refund under the id: 409 duplicate_refund.
func refundMismatch(gateway, what string) *Error {
	return &Error{Type: DuplicateRefund, Gateway: gateway, Field: "refund_id",
		Message: gateway + " holds a refund under this refund_id for " + what + "; use a new refund_id"}
}

// CheckRefundEcho compares the refund the gateway reports with the request
// (when there is one): another amount or currency is a duplicate_refund.
func CheckRefundEcho(c *RefundCall, res *RefundResult) *Error {
	if c.Refund == nil {
		return nil
	}
	exp, _ := CurrencyExponent(c.Order.Currency)
	if res.Currency != c.Order.Currency || res.Amount != c.Refund.Amount.Fixed(exp) {
		return refundMismatch(res.Gateway, res.Currency+" "+res.Amount)
	}
	return nil
}

// RefundDigest is the hash every wire id is derived from: the same order and
// refund ids always give the same wire id, and different pairs collide only
// by chance (2^-80 for Juspay's 16 hash characters).
func RefundDigest(orderID, refundID string) string {
	sum := sha256.Sum256([]byte("paygate refund\x00" + orderID + "\x00" + refundID))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]) // A–Z 2–7, 52 characters
}

// PathSafe reports whether a gateway id can be put in a path as it is.
func PathSafe(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if !isIDChar(id[i]) {
			return false
		}
	}
	return true
}
