package transform

import (
	"slices"
	"strings"
	"time"
)

// Razorpay webhooks (razorpay.com/docs/webhooks/payloads/): an envelope
// {"entity":"event","account_id","event","contains","payload":{"payment":
// {"entity":…},"order":{"entity":…},"refund":{"entity":…}},"created_at"}.
// Amounts are integers in minor units. order.paid carries the order (and
// its receipt, the merchant's order_id); payment.* and refund.* carry only
// Razorpay's order id, so their order_id is resolved by the caller.

type razorpayEventEnvelope struct {
	Entity    string `json:"entity"`
	AccountID Text   `json:"account_id"`
	Event     string `json:"event"`
	Payload   struct {
		Payment *struct {
			Entity *razorpayEventPayment `json:"entity"`
		} `json:"payment"`
		Order *struct {
			Entity *razorpayEventOrder `json:"entity"`
		} `json:"order"`
		Refund *struct {
			Entity *razorpayEventRefund `json:"entity"`
		} `json:"refund"`
		// refund.speed_changed puts created_at inside payload.
		CreatedAt Text `json:"created_at"`
	} `json:"payload"`
	CreatedAt Text `json:"created_at"`
}

type razorpayEventPayment struct {
	ID        Text   `json:"id"`
	Amount    Text   `json:"amount"`
	Currency  string `json:"currency"`
	Status    string `json:"status"`
	OrderID   Text   `json:"order_id"`
	CreatedAt Text   `json:"created_at"`
}

type razorpayEventOrder struct {
	ID         Text   `json:"id"`
	Amount     Text   `json:"amount"`
	AmountPaid Text   `json:"amount_paid"`
	Currency   string `json:"currency"`
	Receipt    Text   `json:"receipt"`
	Status     string `json:"status"`
}

type razorpayEventRefund struct {
	ID        Text   `json:"id"`
	Amount    Text   `json:"amount"`
	Currency  string `json:"currency"`
	PaymentID Text   `json:"payment_id"`
	Receipt   Text   `json:"receipt"`
	Status    string `json:"status"`
	CreatedAt Text   `json:"created_at"`
}

// ParseRazorpayEvent maps a Razorpay webhook body:
//
//	payment.captured, order.paid, payment_link.paid → order.paid
//	payment.authorized                              → order.pending
//	payment.failed                                  → order.failed (one attempt failed; the order stays open)
//	refund.created|processed|failed|speed_changed   → refund.* by the refund's own status
func ParseRazorpayEvent(body []byte, received time.Time) ([]*Event, error) {
	var env razorpayEventEnvelope
	if err := DecodeEvent(body, &env); err != nil {
		return nil, MalformedEvent("", "not a JSON object")
	}
	name := env.Event
	if name == "" {
		return nil, MalformedEvent("", "no event name")
	}
	ev := &Event{Gateway: "razorpay", GatewayEvent: Clip(strings.TrimSpace(name), 64)}
	var pay *razorpayEventPayment
	if env.Payload.Payment != nil {
		pay = env.Payload.Payment.Entity
	}
	var ord *razorpayEventOrder
	if env.Payload.Order != nil {
		ord = env.Payload.Order.Entity
	}
	switch name {
	case "payment.captured", "order.paid", "payment_link.paid", "payment.authorized", "payment.failed":
		if pay == nil || pay.ID == "" {
			return nil, MalformedEvent(name, "no payment entity")
		}
		want := map[string]struct {
			t       EventType
			status  Status
			allowed []string
		}{
			"payment.captured":   {EventOrderPaid, StatusPaid, []string{"captured"}},
			"order.paid":         {EventOrderPaid, StatusPaid, []string{"captured"}},
			"payment_link.paid":  {EventOrderPaid, StatusPaid, []string{"captured"}},
			"payment.authorized": {EventOrderPending, StatusPending, []string{"authorized", "captured"}},
			"payment.failed":     {EventOrderFailed, StatusFailed, []string{"failed"}},
		}[name]
		if !slices.Contains(want.allowed, pay.Status) {
			return nil, MalformedEvent(name, "payment status %q contradicts the event", Clip(strings.TrimSpace(pay.Status), 32))
		}
		if ord != nil && want.t == EventOrderPaid && ord.Status != "" && ord.Status != "paid" {
			return nil, MalformedEvent(name, "order status %q contradicts the event", Clip(strings.TrimSpace(ord.Status), 32))
		}
		ev.Type, ev.Status = want.t, want.status
		ev.PaymentID = GatewayID(pay.ID)
		amount, err := MinorAmountText(string(pay.Amount), pay.Currency)
		if err != nil {
			return nil, MalformedEvent(name, "payment amount: %v", err)
		}
		ev.Amount, ev.Currency = amount, pay.Currency
		ev.GatewayOrderID = GatewayID(pay.OrderID)
		if ord != nil {
			// A payment link's order entity writes its id without the
			// order_ prefix; the payment's order_id has it, so it wins.
			if ev.GatewayOrderID == "" {
				ev.GatewayOrderID = GatewayID(ord.ID)
			}
			if ValidateOrderID(string(ord.Receipt)) == nil {
				ev.OrderID = string(ord.Receipt)
			}
		}
	case "refund.created", "refund.processed", "refund.failed", "refund.speed_changed":
		if env.Payload.Refund == nil || env.Payload.Refund.Entity == nil || env.Payload.Refund.Entity.ID == "" {
			return nil, MalformedEvent(name, "no refund entity")
		}
		rf := env.Payload.Refund.Entity
		// The status is taken from the entity, not from the event name:
		// Razorpay's refund.created sample carries "processed".
		rs, ok := razorpayRefundStatuses[rf.Status]
		if !ok {
			return nil, MalformedEvent(name, "refund status %q not known", Clip(strings.TrimSpace(rf.Status), 32))
		}
		ev.Type = RefundEventType(rs)
		ev.Status = StatusPaid // only a captured payment is refunded; the order stays paid
		refundAmount, err := MinorAmountText(string(rf.Amount), rf.Currency)
		if err != nil {
			return nil, MalformedEvent(name, "refund amount: %v", err)
		}
		ev.Refund = &EventRefund{GatewayRefundID: GatewayID(rf.ID), Status: rs, Amount: refundAmount}
		if ValidateOrderID(string(rf.Receipt)) == nil {
			ev.Refund.RefundID = string(rf.Receipt) // paygate sends refund_id as the receipt
		}
		ev.PaymentID = GatewayID(rf.PaymentID)
		ev.Currency = rf.Currency
		if pay != nil {
			if pay.ID != "" && ev.PaymentID == "" {
				ev.PaymentID = GatewayID(pay.ID)
			}
			ev.GatewayOrderID = GatewayID(pay.OrderID)
			if pay.Currency == rf.Currency {
				if a, err := MinorAmountText(string(pay.Amount), pay.Currency); err == nil {
					ev.Amount = a
				}
			}
		}
	default:
		return nil, UnmappedEvent(name, "not a payment or refund event")
	}
	ev.OrderKey = ev.GatewayOrderID
	if ev.OrderKey == "" {
		ev.OrderKey = "p:" + ev.PaymentID // a payment without an order
	}
	ev.OccurredAt, ev.TimeFromBody = firstTime(env.CreatedAt, env.Payload.CreatedAt)
	if !ev.TimeFromBody {
		ev.OccurredAt = UTC(received)
	}
	return []*Event{ev}, nil
}

// firstTime is the first of the times that is unix seconds, as RFC 3339 UTC.
func firstTime(lits ...Text) (string, bool) {
	for _, l := range lits {
		if s, ok := UnixTextToRFC3339(string(l)); ok {
			return s, true
		}
	}
	return "", false
}
