package transform

import (
	"strings"
	"time"
)

// KwikPaisa v3 webhooks (developers.kwikpaisa.com, v3 guide "Webhooks"):
// {"event":"payment.success","data":{"order_id","amount","currency",
// "status"}}, signed like API requests. The body carries no event id and no
// time: the caller passes the verified X-TIMESTAMP as the time received.
// Payout events are another product's and are not mapped.

type kwikpaisaEventEnvelope struct {
	Event string `json:"event"`
	Data  *struct {
		OrderID       Text   `json:"order_id"`
		KwikXOrderID  Text   `json:"kwikX_order_id"`
		TransactionID Text   `json:"transaction_id"`
		Amount        Text   `json:"amount"`
		OrderAmount   Text   `json:"order_amount"`
		Currency      string `json:"currency"`
		Status        string `json:"status"`
		OrderStatus   string `json:"order_status"`
	} `json:"data"`
}

var kwikpaisaEvents = map[string]struct {
	t      EventType
	status Status
}{
	"payment.success":    {EventOrderPaid, StatusPaid},
	"payment.failed":     {EventOrderFailed, StatusFailed},
	"payment.expired":    {EventOrderFailed, StatusExpired},
	"payment.processing": {EventOrderPending, StatusPending},
}

// ParseKwikPaisaEvent maps a KwikPaisa webhook body.
func ParseKwikPaisaEvent(body []byte, received time.Time) ([]*Event, error) {
	var env kwikpaisaEventEnvelope
	if err := DecodeEvent(body, &env); err != nil {
		return nil, MalformedEvent("", "not a JSON object")
	}
	name := env.Event
	if name == "" {
		return nil, MalformedEvent("", "no event name")
	}
	want, ok := kwikpaisaEvents[name]
	if !ok {
		return nil, UnmappedEvent(name, "not a payment event")
	}
	d := env.Data
	if d == nil {
		return nil, MalformedEvent(name, "no data object")
	}
	orderID := string(d.OrderID)
	if ValidateOrderID(orderID) != nil {
		return nil, MalformedEvent(name, "no valid order_id")
	}
	word := d.Status
	if word == "" {
		word = d.OrderStatus
	}
	if word != "" && kwikpaisaStatuses.Map(word) != want.status {
		return nil, MalformedEvent(name, "status %q contradicts the event", Clip(strings.TrimSpace(word), 32))
	}
	lit := d.Amount
	if lit == "" {
		lit = d.OrderAmount
	}
	amount, err := MajorAmountText(string(lit), d.Currency)
	if err != nil {
		return nil, MalformedEvent(name, "amount: %v", err)
	}
	ev := &Event{
		Type: want.t, Gateway: "kwikpaisa", GatewayEvent: name, Status: want.status,
		OrderID: orderID, GatewayOrderID: GatewayID(d.KwikXOrderID), PaymentID: GatewayID(d.TransactionID),
		Amount: amount, Currency: d.Currency,
		OccurredAt: UTC(received), GatewayEventID: GatewayEventIDOfBody(body),
	}
	ev.OrderKey = "m:" + orderID
	return []*Event{ev}, nil
}
