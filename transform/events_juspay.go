package transform

import (
	"slices"
	"strings"
	"time"
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

type juspayEventEnvelope struct {
	ID          Text   `json:"id"`
	EventName   string `json:"event_name"`
	DateCreated string `json:"date_created"`
	Content     struct {
		Order *juspayEventOrder `json:"order"`
		Txn   *juspayEventTxn   `json:"txn"`
	} `json:"content"`
}

type juspayEventOrder struct {
	ID         Text                `json:"id"`
	OrderID    Text                `json:"order_id"`
	MerchantID Text                `json:"merchant_id"`
	Status     string              `json:"status"`
	Amount     Text                `json:"amount"`
	Currency   string              `json:"currency"`
	TxnID      Text                `json:"txn_id"`
	Refunds    []juspayEventRefund `json:"refunds"`
}

type juspayEventTxn struct {
	TxnID     Text   `json:"txn_id"`
	OrderID   Text   `json:"order_id"`
	Status    string `json:"status"`
	TxnAmount Text   `json:"txn_amount"`
	Currency  string `json:"currency"`
}

type juspayEventRefund struct {
	UniqueRequestID Text   `json:"unique_request_id"`
	ID              Text   `json:"id"`
	Status          string `json:"status"`
	Amount          Text   `json:"amount"`
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
	if err := DecodeEvent(body, &env); err != nil {
		return nil, MalformedEvent("", "not a JSON object")
	}
	name := env.EventName
	if name == "" {
		return nil, MalformedEvent("", "no event_name")
	}
	occurred, fromEvent := RFC3339ToUTC(env.DateCreated)
	if !fromEvent {
		occurred = UTC(received)
	}
	base := Event{Gateway: "juspay", GatewayEvent: Clip(strings.TrimSpace(name), 64), GatewayEventID: GatewayID(env.ID),
		OccurredAt: occurred, TimeFromBody: fromEvent}

	if oe, ok := juspayOrderEvents[name]; ok {
		ev := base
		var status, orderID, amount, currency, txnID string
		switch o, t := env.Content.Order, env.Content.Txn; {
		case o != nil:
			status, orderID, amount, currency, txnID = o.Status, string(o.OrderID), string(o.Amount), o.Currency, string(o.TxnID)
			ev.GatewayOrderID = GatewayID(o.ID)
		case t != nil:
			status, orderID, amount, currency, txnID = t.Status, string(t.OrderID), string(t.TxnAmount), t.Currency, string(t.TxnID)
		default:
			return nil, MalformedEvent(name, "no content.order or content.txn")
		}
		st := juspayStatuses.Map(status)
		if !slices.Contains(oe.allowed, st) {
			return nil, MalformedEvent(name, "status %q contradicts the event", Clip(strings.TrimSpace(status), 32))
		}
		if ValidateOrderID(orderID) != nil {
			return nil, MalformedEvent(name, "no valid order_id")
		}
		a, err := MajorAmountText(amount, currency)
		if err != nil {
			return nil, MalformedEvent(name, "amount: %v", err)
		}
		ev.Type, ev.Status, ev.OrderID, ev.Amount, ev.Currency = oe.t, st, orderID, a, currency
		ev.PaymentID = Clip(strings.TrimSpace(txnID), 128)
		// TXN_* events carry no Juspay order id: the merchant's order_id,
		// unique per Juspay merchant, names the order in both kinds.
		ev.OrderKey = "m:" + orderID
		return []*Event{&ev}, nil
	}

	re, ok := juspayRefundEvents[name]
	if !ok {
		return nil, UnmappedEvent(name, "not a payment or refund event")
	}
	o := env.Content.Order
	if o == nil {
		return nil, MalformedEvent(name, "no content.order")
	}
	orderID := string(o.OrderID)
	if ValidateOrderID(orderID) != nil {
		return nil, MalformedEvent(name, "no valid order_id")
	}
	orderAmount, err := MajorAmountText(string(o.Amount), o.Currency)
	if err != nil {
		return nil, MalformedEvent(name, "amount: %v", err)
	}
	var events []*Event
	for _, rf := range o.Refunds {
		if rf.Status != re.status {
			continue
		}
		if rf.UniqueRequestID == "" {
			return nil, MalformedEvent(name, "a refund without unique_request_id")
		}
		ra, err := MajorAmountText(string(rf.Amount), o.Currency)
		if err != nil {
			return nil, MalformedEvent(name, "refund amount: %v", err)
		}
		ev := base
		ev.Type, ev.OrderID, ev.GatewayOrderID = re.t, orderID, GatewayID(o.ID)
		ev.Status = juspayStatuses.Map(o.Status)
		ev.Amount, ev.Currency, ev.PaymentID = orderAmount, o.Currency, Clip(strings.TrimSpace(string(o.TxnID)), 128)
		// unique_request_id is the id paygate sent for the refund (§ refunds:
		// the merchant's refund_id, or the id derived from it).
		ev.Refund = &EventRefund{RefundID: GatewayID(rf.UniqueRequestID), GatewayRefundID: GatewayID(rf.ID),
			Status: juspayRefundStatuses[re.status], Amount: ra}
		ev.OrderKey = "m:" + orderID
		events = append(events, &ev)
	}
	if len(events) == 0 {
		return nil, MalformedEvent(name, "no refund with status %s", re.status)
	}
	return events, nil
}
