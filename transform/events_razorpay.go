package transform

import "time"

// Razorpay webhooks (razorpay.com/docs/webhooks/payloads/): an envelope
// {"entity":"event","account_id","event","contains","payload":{"payment":
// {"entity":…},"order":{"entity":…},"refund":{"entity":…}},"created_at"}.
// Amounts are integers in minor units. order.paid carries the order (and
// its receipt, the merchant's order_id); payment.* and refund.* carry only
// Razorpay's order id, so their order_id is resolved by the caller.

type razorpayEventEnvelope struct {
	Entity    string `json:"entity"`
	AccountID evText `json:"account_id"`
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
		CreatedAt evText `json:"created_at"`
	} `json:"payload"`
	CreatedAt evText `json:"created_at"`
}

type razorpayEventPayment struct {
	ID        evText `json:"id"`
	Amount    evText `json:"amount"`
	Currency  string `json:"currency"`
	Status    string `json:"status"`
	OrderID   evText `json:"order_id"`
	CreatedAt evText `json:"created_at"`
}

type razorpayEventOrder struct {
	ID         evText `json:"id"`
	Amount     evText `json:"amount"`
	AmountPaid evText `json:"amount_paid"`
	Currency   string `json:"currency"`
	Receipt    evText `json:"receipt"`
	Status     string `json:"status"`
}

type razorpayEventRefund struct {
	ID        evText `json:"id"`
	Amount    evText `json:"amount"`
	Currency  string `json:"currency"`
	PaymentID evText `json:"payment_id"`
	Receipt   evText `json:"receipt"`
	Status    string `json:"status"`
	CreatedAt evText `json:"created_at"`
}

// ParseRazorpayEvent maps a Razorpay webhook body:
//
//	payment.captured, order.paid, payment_link.paid → order.paid
//	payment.authorized                              → order.pending
//	payment.failed                                  → order.failed (one attempt failed; the order stays open)
//	refund.created|processed|failed|speed_changed   → refund.* by the refund's own status
func ParseRazorpayEvent(body []byte, received time.Time) ([]*Event, error) {
	var env razorpayEventEnvelope
	if err := evDecodeObject(body, &env); err != nil {
		return nil, evMalformed("", "not a JSON object")
	}
	name := env.Event
	if name == "" {
		return nil, evMalformed("", "no event name")
	}
	ev := &Event{Gateway: "razorpay", GatewayEvent: clipTo(name, 64)}
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
			return nil, evMalformed(name, "no payment entity")
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
		if !evContains(want.allowed, pay.Status) {
			return nil, evMalformed(name, "payment status %q contradicts the event", clipTo(pay.Status, 32))
		}
		if ord != nil && want.t == EventOrderPaid && ord.Status != "" && ord.Status != "paid" {
			return nil, evMalformed(name, "order status %q contradicts the event", clipTo(ord.Status, 32))
		}
		ev.Type, ev.Status = want.t, want.status
		ev.PaymentID = evID(pay.ID)
		amount, err := evMinorAmount(string(pay.Amount), pay.Currency)
		if err != nil {
			return nil, evMalformed(name, "payment amount: %v", err)
		}
		ev.Amount, ev.Currency = amount, pay.Currency
		ev.GatewayOrderID = evID(pay.OrderID)
		if ord != nil {
			// A payment link's order entity writes its id without the
			// order_ prefix; the payment's order_id has it, so it wins.
			if ev.GatewayOrderID == "" {
				ev.GatewayOrderID = evID(ord.ID)
			}
			if ValidateOrderID(string(ord.Receipt)) == nil {
				ev.OrderID = string(ord.Receipt)
			}
		}
	case "refund.created", "refund.processed", "refund.failed", "refund.speed_changed":
		if env.Payload.Refund == nil || env.Payload.Refund.Entity == nil || env.Payload.Refund.Entity.ID == "" {
			return nil, evMalformed(name, "no refund entity")
		}
		rf := env.Payload.Refund.Entity
		// The status is taken from the entity, not from the event name:
		// Razorpay's refund.created sample carries "processed".
		rs, ok := razorpayRefundStatuses[rf.Status]
		if !ok {
			return nil, evMalformed(name, "refund status %q not known", clipTo(rf.Status, 32))
		}
		ev.Type = RefundEventType(rs)
		ev.Status = StatusPaid // only a captured payment is refunded; the order stays paid
		refundAmount, err := evMinorAmount(string(rf.Amount), rf.Currency)
		if err != nil {
			return nil, evMalformed(name, "refund amount: %v", err)
		}
		ev.Refund = &EventRefund{GatewayRefundID: evID(rf.ID), Status: rs, Amount: refundAmount}
		if ValidateOrderID(string(rf.Receipt)) == nil {
			ev.Refund.RefundID = string(rf.Receipt) // paygate sends refund_id as the receipt
		}
		ev.PaymentID = evID(rf.PaymentID)
		ev.Currency = rf.Currency
		if pay != nil {
			if pay.ID != "" && ev.PaymentID == "" {
				ev.PaymentID = evID(pay.ID)
			}
			ev.GatewayOrderID = evID(pay.OrderID)
			if pay.Currency == rf.Currency {
				if a, err := evMinorAmount(string(pay.Amount), pay.Currency); err == nil {
					ev.Amount = a
				}
			}
		}
	default:
		return nil, evUnmapped(name, "not a payment or refund event")
	}
	ev.orderKey = ev.GatewayOrderID
	if ev.orderKey == "" {
		ev.orderKey = "p:" + ev.PaymentID // a payment without an order
	}
	ev.OccurredAt, ev.timeFromEvent = evFirstTime(env.CreatedAt, env.Payload.CreatedAt)
	if !ev.timeFromEvent {
		ev.OccurredAt = evReceivedAt(received)
	}
	return []*Event{ev}, nil
}

func evFirstTime(lits ...evText) (string, bool) {
	for _, l := range lits {
		if s, ok := evUnixTime(l); ok {
			return s, true
		}
	}
	return "", false
}

func evContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
