package transform

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Payment events (README "Payment events (webhooks)"): each gateway's
// webhook body becomes one or more canonical events, one shape for all
// gateways. The parsers here are pure: the caller has verified the body
// (signature, Basic credentials or the status API) and passes in the time
// to use where the event carries none.

// EventType is the closed set of canonical event types.
type EventType string

const (
	EventOrderPaid       EventType = "order.paid"
	EventOrderFailed     EventType = "order.failed"
	EventOrderPending    EventType = "order.pending"
	EventRefundSucceeded EventType = "refund.succeeded"
	EventRefundFailed    EventType = "refund.failed"
	EventRefundPending   EventType = "refund.pending"
)

// IsRefund reports whether t is a refund event type.
func (t EventType) IsRefund() bool { return strings.HasPrefix(string(t), "refund.") }

// RefundEventType is the event type that reports a refund in status s.
func RefundEventType(s RefundStatus) EventType {
	switch s {
	case RefundSucceeded:
		return EventRefundSucceeded
	case RefundFailed:
		return EventRefundFailed
	}
	return EventRefundPending
}

// Event is the canonical payment event the application receives.
type Event struct {
	EventID        string       `json:"event_id"`
	GatewayEventID string       `json:"gateway_event_id,omitempty"`
	Type           EventType    `json:"type"`
	Gateway        string       `json:"gateway"`
	GatewayEvent   string       `json:"gateway_event"`
	OrderID        string       `json:"order_id"`
	GatewayOrderID string       `json:"gateway_order_id,omitempty"`
	PaymentID      string       `json:"payment_id,omitempty"`
	Status         Status       `json:"status"`
	Amount         string       `json:"amount,omitempty"`
	Currency       string       `json:"currency,omitempty"`
	OccurredAt     string       `json:"occurred_at"`
	VerifiedBy     string       `json:"verified_by,omitempty"`
	Refund         *EventRefund `json:"refund,omitempty"`

	// OrderKey names the order in the canonical event id (Identify): the id
	// of the order that every event about it carries (Razorpay's order_…,
	// the merchant's order_id for Juspay and KwikPaisa). Set by the
	// gateway's parser; never sent.
	OrderKey string `json:"-"`
	// TimeFromBody is set when OccurredAt is the gateway's own time for the
	// event, read from its (verified) body, so its age can be judged;
	// false when OccurredAt is the time it was received.
	TimeFromBody bool `json:"-"`
}

// EventRefund is the refund part of a refund event.
type EventRefund struct {
	RefundID        string       `json:"refund_id,omitempty"`
	GatewayRefundID string       `json:"gateway_refund_id,omitempty"`
	Status          RefundStatus `json:"status"`
	Amount          string       `json:"amount,omitempty"`
}

// JSON encodes the event for the application.
func (e *Event) JSON() []byte {
	b, err := json.Marshal(e)
	if err != nil { // cannot happen: strings only
		return []byte(`{}`)
	}
	return b
}

// Identify sets EventID from what the event means — gateway, account,
// type, order and payment or refund — so that two gateway events saying
// the same thing (Razorpay's payment.captured and order.paid for one
// payment) get one id, whatever their own ids. account names the merchant
// account (a hash of its public identity, never a secret).
func (e *Event) Identify(account string) {
	h := sha256.New()
	sub := e.PaymentID
	if e.Refund != nil {
		sub = "refund:" + e.Refund.GatewayRefundID + ":" + e.Refund.RefundID
	}
	for _, part := range []string{e.Gateway, account, string(e.Type), e.OrderKey, sub} {
		// Length-prefixed, so no two different tuples hash alike.
		fmt.Fprintf(h, "%d:%s;", len(part), part)
	}
	// 128 bits: a collision would drop a real event as a duplicate.
	e.EventID = "ev_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// IgnoredEvent is returned for a verified body that carries no event
// paygate maps (another product's events, or a known event whose fields
// cannot be read). The gateway gets 200 and the app nothing.
type IgnoredEvent struct {
	GatewayEvent string // the gateway's event name, when it could be read
	// Malformed marks a known event whose fields are missing or unreadable,
	// as opposed to an event type paygate does not map.
	Malformed bool
	Reason    string
}

func (e *IgnoredEvent) Error() string {
	if e.GatewayEvent != "" {
		return fmt.Sprintf("event %q not mapped: %s", e.GatewayEvent, e.Reason)
	}
	return "event not mapped: " + e.Reason
}

func UnmappedEvent(name, reason string) *IgnoredEvent {
	return &IgnoredEvent{GatewayEvent: Clip(strings.TrimSpace(name), 64), Reason: reason}
}

func MalformedEvent(name, format string, args ...any) *IgnoredEvent {
	return &IgnoredEvent{GatewayEvent: Clip(strings.TrimSpace(name), 64), Malformed: true, Reason: fmt.Sprintf(format, args...)}
}

// GatewayEventIDOfBody is the gateway event id of gateways whose
// notifications carry none (KwikPaisa, EnKash): the hex SHA-256 of the raw
// body, so a redelivery of the same bytes has the same id.
func GatewayEventIDOfBody(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// DecodeEvent decodes a webhook body, a JSON object, keeping numbers as
// json.Number, and refuses trailing data.
func DecodeEvent(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// maxEventAmountLen bounds amount literals before parsing.
const maxEventAmountLen = 24

// MajorAmountText formats an amount in major units (a decimal literal) with
// the currency's places. It refuses signs, exponents, more places than the
// currency has, and unknown currencies.
func MajorAmountText(lit, currency string) (string, error) {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		return "", fmt.Errorf("unknown currency %q", Clip(strings.TrimSpace(currency), 8))
	}
	d, err := PlainDecimal(lit)
	if err != nil {
		return "", err
	}
	if !d.Shift(exp).IsInteger() {
		return "", fmt.Errorf("amount has more than %d decimal places", exp)
	}
	return d.StringFixed(exp), nil
}

// MinorAmountText formats an integer amount in minor units (Razorpay) in
// major units with the currency's places.
func MinorAmountText(lit, currency string) (string, error) {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		return "", fmt.Errorf("unknown currency %q", Clip(strings.TrimSpace(currency), 8))
	}
	d, err := PlainDecimal(lit)
	if err != nil {
		return "", err
	}
	if !d.IsInteger() {
		return "", errors.New("amount in minor units is not an integer")
	}
	return d.Shift(-exp).StringFixed(exp), nil
}

// PlainDecimal parses a non-negative plain decimal literal (no sign, no
// exponent), never through float64.
func PlainDecimal(lit string) (decimal.Decimal, error) {
	if lit == "" {
		return decimal.Decimal{}, errors.New("amount missing")
	}
	if len(lit) > maxEventAmountLen {
		return decimal.Decimal{}, errors.New("amount too long")
	}
	point := false
	for i := 0; i < len(lit); i++ {
		c := lit[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && !point && i > 0 && i < len(lit)-1:
			point = true
		default:
			return decimal.Decimal{}, fmt.Errorf("amount %q is not a plain decimal", Clip(strings.TrimSpace(lit), maxEventAmountLen))
		}
	}
	return decimal.NewFromString(lit)
}

// GatewayID bounds an id copied from a gateway's body into an event.
func GatewayID(s Text) string { return Clip(strings.TrimSpace(string(s)), 128) }

// ConfirmVerdict is what a status check says about an event.
type ConfirmVerdict int

const (
	// Confirmed: the order's status agrees with the event.
	Confirmed ConfirmVerdict = iota
	// NotYet: the event says paid and the status does not (yet); the
	// gateway should deliver it again later.
	NotYet
	// Contradicted: the status names another amount, currency or order:
	// the event is not believed.
	Contradicted
)

// ConfirmWith checks an event against the order's status fetched through
// a paygate status route. An order.paid event needs the status paid; the
// amount, currency and gateway order id the status names must match the
// event's. A refund event needs only the order to match.
func (e *Event) ConfirmWith(res *Result) (ConfirmVerdict, string) {
	if res.GatewayOrderID != "" && e.GatewayOrderID != "" && res.GatewayOrderID != e.GatewayOrderID {
		return Contradicted, "the status names another gateway order"
	}
	if res.Currency != "" && e.Currency != "" && res.Currency != e.Currency {
		return Contradicted, "the status names another currency"
	}
	if res.Amount != "" && e.Amount != "" && !evSameAmount(res.Amount, e.Amount) {
		return Contradicted, "the status names another amount"
	}
	if e.Type == EventOrderPaid && res.Status != StatusPaid {
		return NotYet, "the status is " + string(res.Status) + ", not paid"
	}
	if e.GatewayOrderID == "" {
		e.GatewayOrderID = res.GatewayOrderID
	}
	return Confirmed, ""
}

func evSameAmount(a, b string) bool {
	x, err1 := decimal.NewFromString(a)
	y, err2 := decimal.NewFromString(b)
	return err1 == nil && err2 == nil && x.Equal(y)
}

// EventFromStatus builds the event of a notification that carries no
// verifiable claim (EnKash): everything the app receives comes from the
// order's status fetched through a paygate status route, never from the
// notification. The status decides the type: paid → order.paid;
// created/pending → order.pending; failed/expired/cancelled → order.failed.
func EventFromStatus(gateway, gatewayEvent string, res *Result, received time.Time) (*Event, error) {
	var t EventType
	switch res.Status {
	case StatusPaid:
		t = EventOrderPaid
	case StatusCreated, StatusPending:
		t = EventOrderPending
	case StatusFailed, StatusExpired, StatusCancelled:
		t = EventOrderFailed
	default:
		return nil, UnmappedEvent(gatewayEvent, "the order's status is "+string(res.Status))
	}
	if e := ValidateOrderID(res.OrderID); e != nil {
		return nil, MalformedEvent(gatewayEvent, "the status names no valid order_id")
	}
	ev := &Event{
		Type: t, Gateway: gateway, GatewayEvent: gatewayEvent,
		OrderID: res.OrderID, GatewayOrderID: res.GatewayOrderID,
		Status: res.Status, Amount: res.Amount, Currency: res.Currency,
		OccurredAt: UTC(received),
	}
	// One event per order and status: an unverified notification cannot
	// make the app see a second order.paid by varying what it claims.
	ev.OrderKey = res.GatewayOrderID
	if ev.OrderKey == "" {
		ev.OrderKey = "m:" + res.OrderID
	}
	return ev, nil
}
