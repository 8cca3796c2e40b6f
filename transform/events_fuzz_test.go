package transform

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Fuzz targets of the webhook parsers: whatever a (verified) body holds,
// a parser answers canonical events or an IgnoredEvent, never panics, and
// every event it gives is well-formed.

func seedEvents(f *testing.F, gateway string, extra ...string) {
	files, _ := filepath.Glob(filepath.Join(eventFixtures, gateway, "webhook_*"))
	if len(files) == 0 {
		f.Fatalf("no %s webhook fixtures under %s", gateway, eventFixtures)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

var canonicalEventTypes = map[EventType]bool{EventOrderPaid: true, EventOrderFailed: true, EventOrderPending: true,
	EventRefundSucceeded: true, EventRefundFailed: true, EventRefundPending: true}

var eventOrderStatuses = map[Status]bool{StatusCreated: true, StatusPending: true, StatusPaid: true, StatusFailed: true,
	StatusExpired: true, StatusCancelled: true, StatusUnknown: true}

func checkParsedEvents(t *testing.T, gateway string, events []*Event, err error) {
	if err != nil {
		var ig *IgnoredEvent
		if !errors.As(err, &ig) {
			t.Fatalf("error %v is not an IgnoredEvent", err)
		}
		if len(events) != 0 {
			t.Fatal("events and an error")
		}
		return
	}
	if len(events) == 0 {
		t.Fatal("no events and no error")
	}
	for _, ev := range events {
		if !canonicalEventTypes[ev.Type] || !eventOrderStatuses[ev.Status] || ev.Gateway != gateway || ev.GatewayEvent == "" {
			t.Fatalf("bad event %+v", ev)
		}
		if ev.OrderID != "" && ValidateOrderID(ev.OrderID) != nil {
			t.Fatalf("invalid order_id %q", ev.OrderID)
		}
		for _, a := range []string{ev.Amount, eventRefundAmount(ev)} {
			if a == "" {
				continue
			}
			if _, err := PlainDecimal(a); err != nil {
				t.Fatalf("amount %q: %v", a, err)
			}
		}
		if ev.Type.IsRefund() != (ev.Refund != nil) {
			t.Fatalf("refund object on %s: %v", ev.Type, ev.Refund != nil)
		}
		if ev.OccurredAt == "" || !strings.HasSuffix(ev.OccurredAt, "Z") {
			t.Fatalf("occurred_at %q is not UTC", ev.OccurredAt)
		}
		ev.Identify("acct")
		id := ev.EventID
		ev.Identify("acct")
		if id != ev.EventID || len(id) != 35 {
			t.Fatalf("event id %q not stable", id)
		}
		if !json.Valid(ev.JSON()) {
			t.Fatal("event JSON invalid")
		}
	}
}

func eventRefundAmount(ev *Event) string {
	if ev.Refund == nil {
		return ""
	}
	return ev.Refund.Amount
}

func FuzzRazorpayEvent(f *testing.F) {
	seedEvents(f, "razorpay", `{"event":"refund.speed_changed","payload":{"refund":{"entity":{"id":"rfnd_1","amount":100,"currency":"JPY","status":"pending"}},"created_at":1}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseRazorpayEvent(body, eventReceived)
		checkParsedEvents(t, "razorpay", events, err)
	})
}

func FuzzJuspayEvent(f *testing.F) {
	seedEvents(f, "juspay", `{"id":"e","event_name":"TXN_CHARGED","content":{"txn":{"txn_id":"t","order_id":"o","status":"CHARGED","txn_amount":"1.5","currency":"KWD"}}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseJuspayEvent(body, eventReceived)
		checkParsedEvents(t, "juspay", events, err)
	})
}

func FuzzKwikPaisaEvent(f *testing.F) {
	seedEvents(f, "kwikpaisa", `{"event":"payment.failed","data":{"order_id":12,"amount":3,"currency":"JPY","status":"FAILED"}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseKwikPaisaEvent(body, eventReceived)
		checkParsedEvents(t, "kwikpaisa", events, err)
	})
}

func FuzzEnKashNotification(f *testing.F) {
	f.Add([]byte(`{"orderId":"ORD-1","orderStatus":"PAID","transactionId":"T","amount":1.5,"checksum":"ab"}`))
	f.Add([]byte(`{"orderId":12345}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		id, err := ParseEnKashNotification(body)
		if err == nil && ValidateOrderID(id) != nil {
			t.Fatalf("order id %q accepted", id)
		}
		var ig *IgnoredEvent
		if err != nil && !errors.As(err, &ig) {
			t.Fatalf("error %v is not an IgnoredEvent", err)
		}
	})
}
