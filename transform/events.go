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

	// orderKey names the order in the canonical event id: the id of the
	// order that every event about it carries (Razorpay's order_…, the
	// merchant's order_id for Juspay and KwikPaisa).
	orderKey string
	// timeFromEvent is set when OccurredAt comes from the gateway's own
	// (verified) body rather than from the caller's clock.
	timeFromEvent bool
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

// TimeFromEvent reports whether OccurredAt is the gateway's own time for
// the event (so its age can be judged) rather than the time it was received.
func (e *Event) TimeFromEvent() bool { return e.timeFromEvent }

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
	for _, part := range []string{e.Gateway, account, string(e.Type), e.orderKey, sub} {
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

func evUnmapped(name, reason string) *IgnoredEvent {
	return &IgnoredEvent{GatewayEvent: clipTo(name, 64), Reason: reason}
}

func evMalformed(name, format string, args ...any) *IgnoredEvent {
	return &IgnoredEvent{GatewayEvent: clipTo(name, 64), Malformed: true, Reason: fmt.Sprintf(format, args...)}
}

// ParseEvents maps a verified webhook body of a gateway to canonical events
// (Juspay's refund events may carry several refunds). received is the time
// used where the event carries none. The error is an *IgnoredEvent.
func ParseEvents(gateway string, body []byte, received time.Time) ([]*Event, error) {
	switch gateway {
	case "razorpay":
		return ParseRazorpayEvent(body, received)
	case "juspay":
		return ParseJuspayEvent(body, received)
	case "kwikpaisa":
		return ParseKwikPaisaEvent(body, received)
	}
	return nil, evUnmapped("", "no event parser for gateway "+clipTo(gateway, 32))
}

// GatewayEventIDOfBody is the gateway event id of gateways whose
// notifications carry none (KwikPaisa, EnKash): the hex SHA-256 of the raw
// body, so a redelivery of the same bytes has the same id.
func GatewayEventIDOfBody(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// evDecodeObject decodes a JSON object, keeping numbers as json.Number, and
// refuses trailing data.
func evDecodeObject(body []byte, v any) error {
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

// evText reads a JSON string or number as text (gateways send ids and
// amounts either way; Juspay's samples send every number as a string).
type evText string

func (f *evText) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 4 && string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = evText(s)
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*f = evText(b)
	default:
		// Objects, arrays and booleans are not ids or amounts; keep them
		// out rather than fail the whole event on a field paygate may not
		// need.
		*f = ""
	}
	return nil
}

// maxEventAmountLen bounds amount literals before parsing.
const evMaxAmountLen = 24

// evMajorAmount formats an amount in major units (a decimal literal) with the
// currency's places. It refuses signs, exponents, more places than the
// currency has, and unknown currencies.
func evMajorAmount(lit, currency string) (string, error) {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		return "", fmt.Errorf("unknown currency %q", clipTo(currency, 8))
	}
	d, err := evPlainDecimal(lit)
	if err != nil {
		return "", err
	}
	if !d.Shift(exp).IsInteger() {
		return "", fmt.Errorf("amount has more than %d decimal places", exp)
	}
	return d.StringFixed(exp), nil
}

// evMinorAmount formats an integer amount in minor units (Razorpay) in major
// units with the currency's places.
func evMinorAmount(lit, currency string) (string, error) {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		return "", fmt.Errorf("unknown currency %q", clipTo(currency, 8))
	}
	d, err := evPlainDecimal(lit)
	if err != nil {
		return "", err
	}
	if !d.IsInteger() {
		return "", errors.New("amount in minor units is not an integer")
	}
	return d.Shift(-exp).StringFixed(exp), nil
}

// evPlainDecimal parses a non-negative plain decimal literal (no sign, no
// exponent), never through float64.
func evPlainDecimal(lit string) (decimal.Decimal, error) {
	if lit == "" {
		return decimal.Decimal{}, errors.New("amount missing")
	}
	if len(lit) > evMaxAmountLen {
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
			return decimal.Decimal{}, fmt.Errorf("amount %q is not a plain decimal", clipTo(lit, evMaxAmountLen))
		}
	}
	return decimal.NewFromString(lit)
}

// evUnixTime formats unix seconds (a JSON number literal) as RFC 3339 UTC.
func evUnixTime(lit evText) (string, bool) {
	s := string(lit)
	if s == "" || len(s) > 12 {
		return "", false
	}
	var sec int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
		sec = sec*10 + int64(s[i]-'0')
	}
	if sec <= 0 {
		return "", false
	}
	return time.Unix(sec, 0).UTC().Format(time.RFC3339), true
}

// evRFC3339UTC normalises an RFC 3339 time to UTC.
func evRFC3339UTC(s string) (string, bool) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "", false
	}
	return t.UTC().Format(time.RFC3339), true
}

func evReceivedAt(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// evID bounds ids copied from a gateway's body into the event.
func evID(s evText) string { return clipTo(string(s), 128) }

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
		return nil, evUnmapped(gatewayEvent, "the order's status is "+string(res.Status))
	}
	if e := ValidateOrderID(res.OrderID); e != nil {
		return nil, evMalformed(gatewayEvent, "the status names no valid order_id")
	}
	ev := &Event{
		Type: t, Gateway: gateway, GatewayEvent: gatewayEvent,
		OrderID: res.OrderID, GatewayOrderID: res.GatewayOrderID,
		Status: res.Status, Amount: res.Amount, Currency: res.Currency,
		OccurredAt: evReceivedAt(received),
	}
	// One event per order and status: an unverified notification cannot
	// make the app see a second order.paid by varying what it claims.
	ev.orderKey = res.GatewayOrderID
	if ev.orderKey == "" {
		ev.orderKey = "m:" + res.OrderID
	}
	return ev, nil
}
