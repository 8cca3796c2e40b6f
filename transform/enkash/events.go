package enkash

import (
	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// EnKash payment notifications (docs.enkash.com "Payment Notify Request"):
// EnKash POSTs the order's state to the merchant's notifyUrl with a
// checksum whose algorithm is not published. Nothing in the body can be
// verified, so only orderId (the merchant's id) is read from it: the event
// itself is built from the order's status (EventFromStatus).

// NotifyEvent is the gateway_event of EnKash notifications, which
// carry no event name.
const NotifyEvent = "payment.notify"

// ParseNotification returns the merchant order id a notification
// names, or an *IgnoredEvent when it names none that paygate can look up.
func ParseNotification(body []byte) (string, error) {
	var n notification
	if err := transform.DecodeEvent(body, n.read); err != nil {
		return "", transform.MalformedEvent(NotifyEvent, "not a JSON object")
	}
	id := string(n.OrderID)
	if transform.ValidateOrderID(id) != nil {
		return "", transform.MalformedEvent(NotifyEvent, "no valid orderId")
	}
	return id, nil
}

// notification is what paygate reads of a notification, by walking its
// tokens (transform.DecodeEvent).
type notification struct {
	OrderID transform.Text `json:"orderId"`
}

func (n *notification) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("orderId", &n.OrderID))
}
