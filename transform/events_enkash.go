package transform

// EnKash payment notifications (docs.enkash.com "Payment Notify Request"):
// EnKash POSTs the order's state to the merchant's notifyUrl with a
// checksum whose algorithm is not published. Nothing in the body can be
// verified, so only orderId (the merchant's id) is read from it: the event
// itself is built from the order's status (EventFromStatus).

// EnKashNotifyEvent is the gateway_event of EnKash notifications, which
// carry no event name.
const EnKashNotifyEvent = "payment.notify"

// ParseEnKashNotification returns the merchant order id a notification
// names, or an *IgnoredEvent when it names none that paygate can look up.
func ParseEnKashNotification(body []byte) (string, error) {
	var n struct {
		OrderID Text `json:"orderId"`
	}
	if err := DecodeEvent(body, &n); err != nil {
		return "", MalformedEvent(EnKashNotifyEvent, "not a JSON object")
	}
	id := string(n.OrderID)
	if ValidateOrderID(id) != nil {
		return "", MalformedEvent(EnKashNotifyEvent, "no valid orderId")
	}
	return id, nil
}
