package transform

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
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

// JSON encodes the event for the application: exactly json.Marshal's
// bytes (FuzzEventJSON), written field by field as Result.JSON is.
func (e *Event) JSON() []byte {
	var scratch [512]byte
	return bytes.Clone(e.AppendJSON(scratch[:0]))
}

// AppendJSON appends the bytes json.Marshal writes for e.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendMarshalField(b, "event_id", e.EventID, false)
	b = appendMarshalField(b, "gateway_event_id", e.GatewayEventID, true)
	b = appendMarshalField(b, "type", string(e.Type), false)
	b = appendMarshalField(b, "gateway", e.Gateway, false)
	b = appendMarshalField(b, "gateway_event", e.GatewayEvent, false)
	b = appendMarshalField(b, "order_id", e.OrderID, false)
	b = appendMarshalField(b, "gateway_order_id", e.GatewayOrderID, true)
	b = appendMarshalField(b, "payment_id", e.PaymentID, true)
	b = appendMarshalField(b, "status", string(e.Status), false)
	b = appendMarshalField(b, "amount", e.Amount, true)
	b = appendMarshalField(b, "currency", e.Currency, true)
	b = appendMarshalField(b, "occurred_at", e.OccurredAt, false)
	b = appendMarshalField(b, "verified_by", e.VerifiedBy, true)
	if r := e.Refund; r != nil {
		b = append(b, `,"refund":{`...)
		b = appendMarshalField(b, "refund_id", r.RefundID, true)
		b = appendMarshalField(b, "gateway_refund_id", r.GatewayRefundID, true)
		b = appendMarshalField(b, "status", string(r.Status), false)
		b = appendMarshalField(b, "amount", r.Amount, true)
		b = append(b, '}')
	}
	return append(b, '}')
}

// Identify sets EventID from what the event means — gateway, account,
// type, order and payment or refund — so that two gateway events saying
// the same thing (Razorpay's payment.captured and order.paid for one
// payment) get one id, whatever their own ids. account names the merchant
// account (a hash of its public identity, never a secret).
func (e *Event) Identify(account string) {
	// The hashed text is "<len>:<part>;" for each part, length-prefixed so
	// no two different tuples hash alike; the last part is the payment id,
	// or "refund:<gateway refund id>:<refund id>". It is written into one
	// buffer, on the stack when small: the ids are recorded for dedupe, so
	// these bytes never change (TestEventIdentifyStable).
	var scratch [256]byte
	b := scratch[:0]
	for _, part := range [...]string{e.Gateway, account, string(e.Type), e.OrderKey} {
		b = appendIDPart(b, part)
	}
	if r := e.Refund; r != nil {
		b = strconv.AppendInt(b, int64(len("refund:")+len(r.GatewayRefundID)+1+len(r.RefundID)), 10)
		b = append(b, ":refund:"...)
		b = append(b, r.GatewayRefundID...)
		b = append(b, ':')
		b = append(b, r.RefundID...)
		b = append(b, ';')
	} else {
		b = appendIDPart(b, e.PaymentID)
	}
	sum := sha256.Sum256(b)
	// 128 bits: a collision would drop a real event as a duplicate.
	var id [3 + 32]byte
	copy(id[:], "ev_")
	hex.Encode(id[3:], sum[:16])
	e.EventID = string(id[:])
}

func appendIDPart(b []byte, part string) []byte {
	b = strconv.AppendInt(b, int64(len(part)), 10)
	b = append(b, ':')
	b = append(b, part...)
	return append(b, ';')
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

// DecodeEvent reads a webhook body, one JSON value, with read: a walk of
// its tokens keeping only the members paygate reads (ReadMembers), as
// gateway answers are read, and with the same one difference from the
// encoding/json decoding it replaced: a member read that comes twice in
// its object, or in another case, makes the event malformed. What follows
// the value is what encoding/json's Decoder.More let pass: white space, or
// data starting with '}' or ']'.
func DecodeEvent(body []byte, read func(*jsontext.Decoder) error) error {
	a := answerDecoders.Get().(*answerDecoder)
	// A bytes.Buffer is read in place, not copied.
	a.buf = *bytes.NewBuffer(body)
	a.dec.Reset(&a.buf, answerOptions)
	err := read(&a.dec)
	if err == nil && !eventEnds(body[a.dec.InputOffset():]) {
		err = errAnswerTrailing
	}
	// Not to pin body while pooled.
	a.buf = bytes.Buffer{}
	a.dec.Reset(&a.buf)
	answerDecoders.Put(a)
	return err
}

// eventEnds reports whether rest, what follows an event's value, is
// nothing more, as Decoder.More judged it.
func eventEnds(rest []byte) bool {
	for _, c := range rest {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '}', ']':
			return true
		}
		return false
	}
	return true
}

// SkipString skips a string or null and refuses any other value: a member
// encoding/json read into a string that paygate does not use, whose type
// alone made the body unreadable.
func SkipString(dec *jsontext.Decoder) error {
	switch dec.PeekKind() {
	case '"', 'n':
		return dec.SkipValue()
	}
	return errAnswerType
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
