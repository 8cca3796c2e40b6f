package razorpay

import (
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// Razorpay webhooks (razorpay.com/docs/webhooks/payloads/): an envelope
// {"entity":"event","account_id","event","contains","payload":{"payment":
// {"entity":…},"order":{"entity":…},"refund":{"entity":…}},"created_at"}.
// Amounts are integers in minor units. order.paid carries the order (and
// its receipt, the merchant's order_id); payment.* and refund.* carry only
// Razorpay's order id, so their order_id is resolved by the caller.

// The envelope is read by walking its tokens (transform.DecodeEvent);
// members paygate does not use are skipped, except entity and the order's
// currency, strings whose type alone made the body unreadable before.
type eventEnvelope struct {
	Event     string         `json:"event"`
	Payload   eventPayload   `json:"payload"`
	CreatedAt transform.Text `json:"created_at"`
}

func (e *eventEnvelope) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("entity", transform.SkipString), transform.Into("event", &e.Event),
		transform.Into("payload", e.Payload.read), transform.Into("created_at", &e.CreatedAt))
}

type eventPayload struct {
	Payment *eventEntity[eventPayment] `json:"payment"`
	Order   *eventEntity[eventOrder]   `json:"order"`
	Refund  *eventEntity[eventRefund]  `json:"refund"`
	// refund.speed_changed puts created_at inside payload.
	CreatedAt transform.Text `json:"created_at"`
}

func (p *eventPayload) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec,
		transform.Into("payment", func(dec *jsontext.Decoder) error { return readEntity(dec, &p.Payment, (*eventPayment).read) }),
		transform.Into("order", func(dec *jsontext.Decoder) error { return readEntity(dec, &p.Order, (*eventOrder).read) }),
		transform.Into("refund", func(dec *jsontext.Decoder) error { return readEntity(dec, &p.Refund, (*eventRefund).read) }),
		transform.Into("created_at", &p.CreatedAt))
}

// eventEntity is payload's {"entity": {…}} around each entity.
type eventEntity[T any] struct {
	Entity *T `json:"entity"`
}

func readEntity[T any](dec *jsontext.Decoder, p **eventEntity[T], read func(*T, *jsontext.Decoder) error) error {
	return transform.ReadPointer(dec, p, func(w *eventEntity[T], dec *jsontext.Decoder) error {
		return transform.ReadMembers(dec, transform.Into("entity", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &w.Entity, read) }))
	})
}

type eventPayment struct {
	ID       transform.Text `json:"id"`
	Amount   transform.Text `json:"amount"`
	Currency string         `json:"currency"`
	Status   string         `json:"status"`
	OrderID  transform.Text `json:"order_id"`
}

func (p *eventPayment) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("id", &p.ID), transform.Into("amount", &p.Amount), transform.Into("currency", &p.Currency),
		transform.Into("status", &p.Status), transform.Into("order_id", &p.OrderID))
}

type eventOrder struct {
	ID      transform.Text `json:"id"`
	Receipt transform.Text `json:"receipt"`
	Status  string         `json:"status"`
}

func (o *eventOrder) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("id", &o.ID), transform.Into("currency", transform.SkipString),
		transform.Into("receipt", &o.Receipt), transform.Into("status", &o.Status))
}

type eventRefund struct {
	ID        transform.Text `json:"id"`
	Amount    transform.Text `json:"amount"`
	Currency  string         `json:"currency"`
	PaymentID transform.Text `json:"payment_id"`
	Receipt   transform.Text `json:"receipt"`
	Status    string         `json:"status"`
}

func (r *eventRefund) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("id", &r.ID), transform.Into("amount", &r.Amount), transform.Into("currency", &r.Currency),
		transform.Into("payment_id", &r.PaymentID), transform.Into("receipt", &r.Receipt), transform.Into("status", &r.Status))
}

// paymentEvents are the payment events: the canonical type and status,
// and the payment statuses each may carry.
var paymentEvents = map[string]struct {
	t       transform.EventType
	status  transform.Status
	allowed []string
}{
	"payment.captured":   {transform.EventOrderPaid, transform.StatusPaid, []string{"captured"}},
	"order.paid":         {transform.EventOrderPaid, transform.StatusPaid, []string{"captured"}},
	"payment_link.paid":  {transform.EventOrderPaid, transform.StatusPaid, []string{"captured"}},
	"payment.authorized": {transform.EventOrderPending, transform.StatusPending, []string{"authorized", "captured"}},
	"payment.failed":     {transform.EventOrderFailed, transform.StatusFailed, []string{"failed"}},
}

// ParseEvent maps a Razorpay webhook body:
//
//	payment.captured, order.paid, payment_link.paid → order.paid
//	payment.authorized                              → order.pending
//	payment.failed                                  → order.failed (one attempt failed; the order stays open)
//	refund.created|processed|failed|speed_changed   → refund.* by the refund's own status
func ParseEvent(body []byte, received time.Time) ([]*transform.Event, error) {
	var env eventEnvelope
	if err := transform.DecodeEvent(body, env.read); err != nil {
		return nil, transform.MalformedEvent("", "not a JSON object")
	}
	name := env.Event
	if name == "" {
		return nil, transform.MalformedEvent("", "no event name")
	}
	ev := &transform.Event{Gateway: "razorpay", GatewayEvent: transform.Clip(strings.TrimSpace(name), 64)}
	var pay *eventPayment
	if env.Payload.Payment != nil {
		pay = env.Payload.Payment.Entity
	}
	var ord *eventOrder
	if env.Payload.Order != nil {
		ord = env.Payload.Order.Entity
	}
	switch name {
	case "payment.captured", "order.paid", "payment_link.paid", "payment.authorized", "payment.failed":
		if pay == nil || pay.ID == "" {
			return nil, transform.MalformedEvent(name, "no payment entity")
		}
		want := paymentEvents[name]
		if !slices.Contains(want.allowed, pay.Status) {
			return nil, transform.MalformedEvent(name, "payment status %q contradicts the event", transform.Clip(strings.TrimSpace(pay.Status), 32))
		}
		if ord != nil && want.t == transform.EventOrderPaid && ord.Status != "" && ord.Status != "paid" {
			return nil, transform.MalformedEvent(name, "order status %q contradicts the event", transform.Clip(strings.TrimSpace(ord.Status), 32))
		}
		ev.Type, ev.Status = want.t, want.status
		ev.PaymentID = transform.GatewayID(pay.ID)
		amount, err := transform.MinorAmountText(string(pay.Amount), pay.Currency)
		if err != nil {
			return nil, transform.MalformedEvent(name, "payment amount: %v", err)
		}
		ev.Amount, ev.Currency = amount, pay.Currency
		ev.GatewayOrderID = transform.GatewayID(pay.OrderID)
		if ord != nil {
			// A payment link's order entity writes its id without the
			// order_ prefix; the payment's order_id has it, so it wins.
			if ev.GatewayOrderID == "" {
				ev.GatewayOrderID = transform.GatewayID(ord.ID)
			}
			if transform.ValidateOrderID(string(ord.Receipt)) == nil {
				ev.OrderID = string(ord.Receipt)
			}
		}
	case "refund.created", "refund.processed", "refund.failed", "refund.speed_changed":
		if env.Payload.Refund == nil || env.Payload.Refund.Entity == nil || env.Payload.Refund.Entity.ID == "" {
			return nil, transform.MalformedEvent(name, "no refund entity")
		}
		rf := env.Payload.Refund.Entity
		// The status is taken from the entity, not from the event name:
		// Razorpay's refund.created sample carries "processed".
		rs, ok := Facts.RefundStatuses[rf.Status]
		if !ok {
			return nil, transform.MalformedEvent(name, "refund status %q not known", transform.Clip(strings.TrimSpace(rf.Status), 32))
		}
		ev.Type = transform.RefundEventType(rs)
		ev.Status = transform.StatusPaid // only a captured payment is refunded; the order stays paid
		refundAmount, err := transform.MinorAmountText(string(rf.Amount), rf.Currency)
		if err != nil {
			return nil, transform.MalformedEvent(name, "refund amount: %v", err)
		}
		ev.Refund = &transform.EventRefund{GatewayRefundID: transform.GatewayID(rf.ID), Status: rs, Amount: refundAmount}
		if transform.ValidateOrderID(string(rf.Receipt)) == nil {
			ev.Refund.RefundID = string(rf.Receipt) // paygate sends refund_id as the receipt
		}
		ev.PaymentID = transform.GatewayID(rf.PaymentID)
		ev.Currency = rf.Currency
		if pay != nil {
			if pay.ID != "" && ev.PaymentID == "" {
				ev.PaymentID = transform.GatewayID(pay.ID)
			}
			ev.GatewayOrderID = transform.GatewayID(pay.OrderID)
			if pay.Currency == rf.Currency {
				if a, err := transform.MinorAmountText(string(pay.Amount), pay.Currency); err == nil {
					ev.Amount = a
				}
			}
		}
	default:
		return nil, transform.UnmappedEvent(name, "not a payment or refund event")
	}
	ev.OrderKey = ev.GatewayOrderID
	if ev.OrderKey == "" {
		ev.OrderKey = "p:" + ev.PaymentID // a payment without an order
	}
	ev.OccurredAt, ev.TimeFromBody = firstTime(env.CreatedAt, env.Payload.CreatedAt)
	if !ev.TimeFromBody {
		ev.OccurredAt = transform.UTC(received)
	}
	return []*transform.Event{ev}, nil
}

// firstTime is the first of the times that is unix seconds, as RFC 3339 UTC.
func firstTime(lits ...transform.Text) (string, bool) {
	for _, l := range lits {
		if s, ok := transform.UnixTextToRFC3339(string(l)); ok {
			return s, true
		}
	}
	return "", false
}
