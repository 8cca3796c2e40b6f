package transform

import "time"

// Juspay webhooks (juspay.io "Webhooks" pages and the demo repository's
// webhooks/*.json): {"id":"evt_V2_…","event_name","date_created",
// "content":{"order":{…the order status object…}}}, or content.txn for the
// TXN_* events. Amounts are major units, as JSON numbers or (in some of
// Juspay's own samples) strings. Refund events do not say which refund
// triggered them: every refund in refunds[] whose status is the one the
// event announces becomes an event of its own, and de-duplication by
// canonical event id keeps those the app has already seen from reaching it
// twice.

type juspayEventEnvelope struct {
	ID          evText `json:"id"`
	EventName   string `json:"event_name"`
	DateCreated string `json:"date_created"`
	Content     struct {
		Order *juspayEventOrder `json:"order"`
		Txn   *juspayEventTxn   `json:"txn"`
	} `json:"content"`
}

type juspayEventOrder struct {
	ID         evText              `json:"id"`
	OrderID    evText              `json:"order_id"`
	MerchantID evText              `json:"merchant_id"`
	Status     string              `json:"status"`
	Amount     evText              `json:"amount"`
	Currency   string              `json:"currency"`
	TxnID      evText              `json:"txn_id"`
	Refunds    []juspayEventRefund `json:"refunds"`
}

type juspayEventTxn struct {
	TxnID     evText `json:"txn_id"`
	OrderID   evText `json:"order_id"`
	Status    string `json:"status"`
	TxnAmount evText `json:"txn_amount"`
	Currency  string `json:"currency"`
}

type juspayEventRefund struct {
	UniqueRequestID evText `json:"unique_request_id"`
	ID              evText `json:"id"`
	Status          string `json:"status"`
	Amount          evText `json:"amount"`
}

// juspayOrderEvents are the order events: the type, and the canonical
// statuses of the order they may carry.
var juspayOrderEvents = map[string]struct {
	t       EventType
	allowed []Status
}{
	"ORDER_SUCCEEDED": {EventOrderPaid, []Status{StatusPaid}},
	"TXN_CHARGED":     {EventOrderPaid, []Status{StatusPaid}},
	"ORDER_FAILED":    {EventOrderFailed, []Status{StatusFailed}},
	"TXN_FAILED":      {EventOrderFailed, []Status{StatusFailed}},
	"TXN_CREATED":     {EventOrderPending, []Status{StatusCreated, StatusPending}},
}

// juspayRefundEvents are the refund events and the refund status each one
// announces (MANUAL_REVIEW is still pending, with Juspay's word kept out).
var juspayRefundEvents = map[string]struct {
	t      EventType
	status string
}{
	"ORDER_REFUNDED":              {EventRefundSucceeded, "SUCCESS"},
	"AUTO_REFUND_SUCCEEDED":       {EventRefundSucceeded, "SUCCESS"},
	"ORDER_REFUND_FAILED":         {EventRefundFailed, "FAILURE"},
	"AUTO_REFUND_FAILED":          {EventRefundFailed, "FAILURE"},
	"REFUND_MANUAL_REVIEW_NEEDED": {EventRefundPending, "MANUAL_REVIEW"},
	"REFUND_INITIATED":            {EventRefundPending, "PENDING"},
}

// ParseJuspayEvent maps a Juspay webhook body.
func ParseJuspayEvent(body []byte, received time.Time) ([]*Event, error) {
	var env juspayEventEnvelope
	if err := evDecodeObject(body, &env); err != nil {
		return nil, evMalformed("", "not a JSON object")
	}
	name := env.EventName
	if name == "" {
		return nil, evMalformed("", "no event_name")
	}
	occurred, fromEvent := evRFC3339UTC(env.DateCreated)
	if !fromEvent {
		occurred = evReceivedAt(received)
	}
	base := Event{Gateway: "juspay", GatewayEvent: clipTo(name, 64), GatewayEventID: evID(env.ID),
		OccurredAt: occurred, timeFromEvent: fromEvent}

	if oe, ok := juspayOrderEvents[name]; ok {
		ev := base
		var status, orderID, amount, currency, txnID string
		switch o, t := env.Content.Order, env.Content.Txn; {
		case o != nil:
			status, orderID, amount, currency, txnID = o.Status, string(o.OrderID), string(o.Amount), o.Currency, string(o.TxnID)
			ev.GatewayOrderID = evID(o.ID)
		case t != nil:
			status, orderID, amount, currency, txnID = t.Status, string(t.OrderID), string(t.TxnAmount), t.Currency, string(t.TxnID)
		default:
			return nil, evMalformed(name, "no content.order or content.txn")
		}
		st := juspayStatuses.Map(status)
		if !evContainsStatus(oe.allowed, st) {
			return nil, evMalformed(name, "status %q contradicts the event", clipTo(status, 32))
		}
		if ValidateOrderID(orderID) != nil {
			return nil, evMalformed(name, "no valid order_id")
		}
		a, err := evMajorAmount(amount, currency)
		if err != nil {
			return nil, evMalformed(name, "amount: %v", err)
		}
		ev.Type, ev.Status, ev.OrderID, ev.Amount, ev.Currency = oe.t, st, orderID, a, currency
		ev.PaymentID = clipTo(txnID, 128)
		// TXN_* events carry no Juspay order id: the merchant's order_id,
		// unique per Juspay merchant, names the order in both kinds.
		ev.orderKey = "m:" + orderID
		return []*Event{&ev}, nil
	}

	re, ok := juspayRefundEvents[name]
	if !ok {
		return nil, evUnmapped(name, "not a payment or refund event")
	}
	o := env.Content.Order
	if o == nil {
		return nil, evMalformed(name, "no content.order")
	}
	orderID := string(o.OrderID)
	if ValidateOrderID(orderID) != nil {
		return nil, evMalformed(name, "no valid order_id")
	}
	orderAmount, err := evMajorAmount(string(o.Amount), o.Currency)
	if err != nil {
		return nil, evMalformed(name, "amount: %v", err)
	}
	var events []*Event
	for _, rf := range o.Refunds {
		if rf.Status != re.status {
			continue
		}
		if rf.UniqueRequestID == "" {
			return nil, evMalformed(name, "a refund without unique_request_id")
		}
		ra, err := evMajorAmount(string(rf.Amount), o.Currency)
		if err != nil {
			return nil, evMalformed(name, "refund amount: %v", err)
		}
		ev := base
		ev.Type, ev.OrderID, ev.GatewayOrderID = re.t, orderID, evID(o.ID)
		ev.Status = juspayStatuses.Map(o.Status)
		ev.Amount, ev.Currency, ev.PaymentID = orderAmount, o.Currency, clipTo(string(o.TxnID), 128)
		// unique_request_id is the id paygate sent for the refund (§ refunds:
		// the merchant's refund_id, or the id derived from it).
		ev.Refund = &EventRefund{RefundID: evID(rf.UniqueRequestID), GatewayRefundID: evID(rf.ID),
			Status: juspayRefundStatuses[re.status], Amount: ra}
		ev.orderKey = "m:" + orderID
		events = append(events, &ev)
	}
	if len(events) == 0 {
		return nil, evMalformed(name, "no refund with status %s", re.status)
	}
	return events, nil
}

func evContainsStatus(list []Status, s Status) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
