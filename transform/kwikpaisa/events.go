package kwikpaisa

import (
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// KwikPaisa v3 webhooks (developers.kwikpaisa.com, v3 guide "Webhooks"):
// {"event":"payment.success","data":{"order_id","amount","currency",
// "status"}}, signed like API requests. The body carries no event id and no
// time: the caller passes the verified X-TIMESTAMP as the time received.
// Payout events are another product's and are not mapped.

// The envelope is read by walking its tokens (transform.DecodeEvent).
type eventEnvelope struct {
	Event string     `json:"event"`
	Data  *eventData `json:"data"`
}

func (e *eventEnvelope) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("event", &e.Event),
		transform.Into("data", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &e.Data, (*eventData).read) }))
}

type eventData struct {
	OrderID       transform.Text `json:"order_id"`
	KwikXOrderID  transform.Text `json:"kwikX_order_id"`
	TransactionID transform.Text `json:"transaction_id"`
	Amount        transform.Text `json:"amount"`
	OrderAmount   transform.Text `json:"order_amount"`
	Currency      string         `json:"currency"`
	Status        string         `json:"status"`
	OrderStatus   string         `json:"order_status"`
}

func (d *eventData) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("order_id", &d.OrderID), transform.Into("kwikX_order_id", &d.KwikXOrderID),
		transform.Into("transaction_id", &d.TransactionID), transform.Into("amount", &d.Amount), transform.Into("order_amount", &d.OrderAmount),
		transform.Into("currency", &d.Currency), transform.Into("status", &d.Status), transform.Into("order_status", &d.OrderStatus))
}

var eventTypes = map[string]struct {
	t      transform.EventType
	status transform.Status
}{
	"payment.success":    {transform.EventOrderPaid, transform.StatusPaid},
	"payment.failed":     {transform.EventOrderFailed, transform.StatusFailed},
	"payment.expired":    {transform.EventOrderFailed, transform.StatusExpired},
	"payment.processing": {transform.EventOrderPending, transform.StatusPending},
}

// ParseEvent maps a KwikPaisa webhook body.
func ParseEvent(body []byte, received time.Time) ([]*transform.Event, error) {
	var env eventEnvelope
	if err := transform.DecodeEvent(body, env.read); err != nil {
		return nil, transform.MalformedEvent("", "not a JSON object")
	}
	name := env.Event
	if name == "" {
		return nil, transform.MalformedEvent("", "no event name")
	}
	want, ok := eventTypes[name]
	if !ok {
		return nil, transform.UnmappedEvent(name, "not a payment event")
	}
	d := env.Data
	if d == nil {
		return nil, transform.MalformedEvent(name, "no data object")
	}
	orderID := string(d.OrderID)
	if transform.ValidateOrderID(orderID) != nil {
		return nil, transform.MalformedEvent(name, "no valid order_id")
	}
	word := d.Status
	if word == "" {
		word = d.OrderStatus
	}
	if word != "" && Facts.Statuses.Map(word) != want.status {
		return nil, transform.MalformedEvent(name, "status %q contradicts the event", transform.Clip(strings.TrimSpace(word), 32))
	}
	lit := d.Amount
	if lit == "" {
		lit = d.OrderAmount
	}
	amount, err := transform.MajorAmountText(string(lit), d.Currency)
	if err != nil {
		return nil, transform.MalformedEvent(name, "amount: %v", err)
	}
	ev := &transform.Event{
		Type: want.t, Gateway: "kwikpaisa", GatewayEvent: name, Status: want.status,
		OrderID: orderID, GatewayOrderID: transform.GatewayID(d.KwikXOrderID), PaymentID: transform.GatewayID(d.TransactionID),
		Amount: amount, Currency: d.Currency,
		OccurredAt: transform.UTC(received), GatewayEventID: transform.GatewayEventIDOfBody(body),
	}
	ev.OrderKey = "m:" + orderID
	return []*transform.Event{ev}, nil
}
