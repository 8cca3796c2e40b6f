package transform

import "time"

// KwikPaisa v3 webhooks (developers.kwikpaisa.com, v3 guide "Webhooks"):
// {"event":"payment.success","data":{"order_id","amount","currency",
// "status"}}, signed like API requests. The body carries no event id and no
// time: the caller passes the verified X-TIMESTAMP as the time received.
// Payout events are another product's and are not mapped.

type kwikpaisaEventEnvelope struct {
	Event string `json:"event"`
	Data  *struct {
		OrderID       evText `json:"order_id"`
		KwikXOrderID  evText `json:"kwikX_order_id"`
		TransactionID evText `json:"transaction_id"`
		Amount        evText `json:"amount"`
		OrderAmount   evText `json:"order_amount"`
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
	if err := evDecodeObject(body, &env); err != nil {
		return nil, evMalformed("", "not a JSON object")
	}
	name := env.Event
	if name == "" {
		return nil, evMalformed("", "no event name")
	}
	want, ok := kwikpaisaEvents[name]
	if !ok {
		return nil, evUnmapped(name, "not a payment event")
	}
	d := env.Data
	if d == nil {
		return nil, evMalformed(name, "no data object")
	}
	orderID := string(d.OrderID)
	if ValidateOrderID(orderID) != nil {
		return nil, evMalformed(name, "no valid order_id")
	}
	word := d.Status
	if word == "" {
		word = d.OrderStatus
	}
	if word != "" && kwikpaisaStatuses.Map(word) != want.status {
		return nil, evMalformed(name, "status %q contradicts the event", clipTo(word, 32))
	}
	lit := d.Amount
	if lit == "" {
		lit = d.OrderAmount
	}
	amount, err := evMajorAmount(string(lit), d.Currency)
	if err != nil {
		return nil, evMalformed(name, "amount: %v", err)
	}
	ev := &Event{
		Type: want.t, Gateway: "kwikpaisa", GatewayEvent: name, Status: want.status,
		OrderID: orderID, GatewayOrderID: evID(d.KwikXOrderID), PaymentID: evID(d.TransactionID),
		Amount: amount, Currency: d.Currency,
		OccurredAt: evReceivedAt(received), GatewayEventID: GatewayEventIDOfBody(body),
	}
	ev.orderKey = "m:" + orderID
	return []*Event{ev}, nil
}
