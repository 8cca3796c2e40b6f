package juspay

import (
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// Juspay webhooks (juspay.io "Webhooks" pages and the demo repository's
// webhooks/*.json): {"id":"evt_V2_…","event_name","date_created",
// "content":{"order":{…the order status object…}}}, or content.txn for the
// TXN_* events. Amounts are major units, as JSON numbers or (in some of
// Juspay's own samples) strings. Refund events do not say which refund
// triggered them: every refund in refunds[] whose status is the one the
// event announces becomes an event of its own, and de-duplication by
// canonical event id keeps those the app has already seen from reaching it
// twice.

// The envelope is read by walking its tokens (transform.DecodeEvent);
// members paygate does not use are skipped.
type eventEnvelope struct {
	ID          transform.Text `json:"id"`
	EventName   string         `json:"event_name"`
	DateCreated string         `json:"date_created"`
	Content     eventContent   `json:"content"`
}

func (e *eventEnvelope) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("id", &e.ID), transform.Into("event_name", &e.EventName),
		transform.Into("date_created", &e.DateCreated), transform.Into("content", e.Content.read))
}

type eventContent struct {
	Order *eventOrder `json:"order"`
	Txn   *eventTxn   `json:"txn"`
}

func (c *eventContent) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec,
		transform.Into("order", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &c.Order, (*eventOrder).read) }),
		transform.Into("txn", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &c.Txn, (*eventTxn).read) }))
}

type eventOrder struct {
	ID       transform.Text `json:"id"`
	OrderID  transform.Text `json:"order_id"`
	Status   string         `json:"status"`
	Amount   transform.Text `json:"amount"`
	Currency string         `json:"currency"`
	TxnID    transform.Text `json:"txn_id"`
	Refunds  []eventRefund  `json:"refunds"`
}

func (o *eventOrder) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("id", &o.ID), transform.Into("order_id", &o.OrderID), transform.Into("status", &o.Status),
		transform.Into("amount", &o.Amount), transform.Into("currency", &o.Currency), transform.Into("txn_id", &o.TxnID),
		transform.Into("refunds", func(dec *jsontext.Decoder) error { return transform.ReadSlice(dec, &o.Refunds, (*eventRefund).read) }))
}

type eventTxn struct {
	TxnID     transform.Text `json:"txn_id"`
	OrderID   transform.Text `json:"order_id"`
	Status    string         `json:"status"`
	TxnAmount transform.Text `json:"txn_amount"`
	Currency  string         `json:"currency"`
}

func (t *eventTxn) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("txn_id", &t.TxnID), transform.Into("order_id", &t.OrderID), transform.Into("status", &t.Status),
		transform.Into("txn_amount", &t.TxnAmount), transform.Into("currency", &t.Currency))
}

type eventRefund struct {
	UniqueRequestID transform.Text `json:"unique_request_id"`
	ID              transform.Text `json:"id"`
	Status          string         `json:"status"`
	Amount          transform.Text `json:"amount"`
}

func (r *eventRefund) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("unique_request_id", &r.UniqueRequestID), transform.Into("id", &r.ID),
		transform.Into("status", &r.Status), transform.Into("amount", &r.Amount))
}

// orderEvents are the order events: the type, and the canonical
// statuses of the order they may carry.
var orderEvents = map[string]struct {
	t       transform.EventType
	allowed []transform.Status
}{
	"ORDER_SUCCEEDED": {transform.EventOrderPaid, []transform.Status{transform.StatusPaid}},
	"TXN_CHARGED":     {transform.EventOrderPaid, []transform.Status{transform.StatusPaid}},
	"ORDER_FAILED":    {transform.EventOrderFailed, []transform.Status{transform.StatusFailed}},
	"TXN_FAILED":      {transform.EventOrderFailed, []transform.Status{transform.StatusFailed}},
	"TXN_CREATED":     {transform.EventOrderPending, []transform.Status{transform.StatusCreated, transform.StatusPending}},
}

// refundEvents are the refund events and the refund status each one
// announces (MANUAL_REVIEW is still pending, with Juspay's word kept out).
var refundEvents = map[string]struct {
	t      transform.EventType
	status string
}{
	"ORDER_REFUNDED":              {transform.EventRefundSucceeded, "SUCCESS"},
	"AUTO_REFUND_SUCCEEDED":       {transform.EventRefundSucceeded, "SUCCESS"},
	"ORDER_REFUND_FAILED":         {transform.EventRefundFailed, "FAILURE"},
	"AUTO_REFUND_FAILED":          {transform.EventRefundFailed, "FAILURE"},
	"REFUND_MANUAL_REVIEW_NEEDED": {transform.EventRefundPending, "MANUAL_REVIEW"},
	"REFUND_INITIATED":            {transform.EventRefundPending, "PENDING"},
}

// ParseEvent maps a Juspay webhook body.
func ParseEvent(body []byte, received time.Time) ([]*transform.Event, error) {
	var env eventEnvelope
	if err := transform.DecodeEvent(body, env.read); err != nil {
		return nil, transform.MalformedEvent("", "not a JSON object")
	}
	name := env.EventName
	if name == "" {
		return nil, transform.MalformedEvent("", "no event_name")
	}
	occurred, fromEvent := transform.RFC3339ToUTC(env.DateCreated)
	if !fromEvent {
		occurred = transform.UTC(received)
	}
	base := transform.Event{Gateway: "juspay", GatewayEvent: transform.Clip(strings.TrimSpace(name), 64), GatewayEventID: transform.GatewayID(env.ID),
		OccurredAt: occurred, TimeFromBody: fromEvent}

	if oe, ok := orderEvents[name]; ok {
		ev := base
		var status, orderID, amount, currency, txnID string
		switch o, t := env.Content.Order, env.Content.Txn; {
		case o != nil:
			status, orderID, amount, currency, txnID = o.Status, string(o.OrderID), string(o.Amount), o.Currency, string(o.TxnID)
			ev.GatewayOrderID = transform.GatewayID(o.ID)
		case t != nil:
			status, orderID, amount, currency, txnID = t.Status, string(t.OrderID), string(t.TxnAmount), t.Currency, string(t.TxnID)
		default:
			return nil, transform.MalformedEvent(name, "no content.order or content.txn")
		}
		st := Facts.Statuses.Map(status)
		if !slices.Contains(oe.allowed, st) {
			return nil, transform.MalformedEvent(name, "status %q contradicts the event", transform.Clip(strings.TrimSpace(status), 32))
		}
		if transform.ValidateOrderID(orderID) != nil {
			return nil, transform.MalformedEvent(name, "no valid order_id")
		}
		a, err := transform.MajorAmountText(amount, currency)
		if err != nil {
			return nil, transform.MalformedEvent(name, "amount: %v", err)
		}
		ev.Type, ev.Status, ev.OrderID, ev.Amount, ev.Currency = oe.t, st, orderID, a, currency
		ev.PaymentID = transform.Clip(strings.TrimSpace(txnID), 128)
		// TXN_* events carry no Juspay order id: the merchant's order_id,
		// unique per Juspay merchant, names the order in both kinds.
		ev.OrderKey = "m:" + orderID
		return []*transform.Event{&ev}, nil
	}

	re, ok := refundEvents[name]
	if !ok {
		return nil, transform.UnmappedEvent(name, "not a payment or refund event")
	}
	o := env.Content.Order
	if o == nil {
		return nil, transform.MalformedEvent(name, "no content.order")
	}
	orderID := string(o.OrderID)
	if transform.ValidateOrderID(orderID) != nil {
		return nil, transform.MalformedEvent(name, "no valid order_id")
	}
	orderAmount, err := transform.MajorAmountText(string(o.Amount), o.Currency)
	if err != nil {
		return nil, transform.MalformedEvent(name, "amount: %v", err)
	}
	var events []*transform.Event
	for _, rf := range o.Refunds {
		if rf.Status != re.status {
			continue
		}
		if rf.UniqueRequestID == "" {
			return nil, transform.MalformedEvent(name, "a refund without unique_request_id")
		}
		ra, err := transform.MajorAmountText(string(rf.Amount), o.Currency)
		if err != nil {
			return nil, transform.MalformedEvent(name, "refund amount: %v", err)
		}
		ev := base
		ev.Type, ev.OrderID, ev.GatewayOrderID = re.t, orderID, transform.GatewayID(o.ID)
		ev.Status = Facts.Statuses.Map(o.Status)
		ev.Amount, ev.Currency, ev.PaymentID = orderAmount, o.Currency, transform.Clip(strings.TrimSpace(string(o.TxnID)), 128)
		// unique_request_id is the id paygate sent for the refund
		// (UniqueRequestID, derived from the order and refund ids).
		ev.Refund = &transform.EventRefund{RefundID: transform.GatewayID(rf.UniqueRequestID), GatewayRefundID: transform.GatewayID(rf.ID),
			Status: Facts.RefundStatuses[re.status], Amount: ra}
		ev.OrderKey = "m:" + orderID
		events = append(events, &ev)
	}
	if len(events) == 0 {
		return nil, transform.MalformedEvent(name, "no refund with status %s", re.status)
	}
	return events, nil
}
