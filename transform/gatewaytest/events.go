package gatewaytest

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/transform"
)

// EventReceived is the time a test's webhook was received.
var EventReceived = time.Date(2026, 11, 22, 1, 25, 0, 0, time.FixedZone("IST", 19800))

// OneOf returns a checker of a parser's answer: exactly one event.
func OneOf(t *testing.T) func([]*transform.Event, error) *transform.Event {
	return func(events []*transform.Event, err error) *transform.Event {
		t.Helper()
		if err != nil {
			t.Fatalf("not mapped: %v", err)
		}
		if len(events) != 1 {
			t.Fatalf("%d events, want 1", len(events))
		}
		return events[0]
	}
}

// CheckEvent compares an event with what a sample must map to, leaving
// out EventID (checked separately) and what is never sent.
func CheckEvent(t *testing.T, name string, got *transform.Event, want transform.Event) {
	t.Helper()
	g := *got
	g.EventID, g.OrderKey, g.TimeFromBody = "", "", false
	if !reflect.DeepEqual(g, want) {
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(want)
		t.Errorf("%s:\n got %s\nwant %s", name, gj, wj)
	}
}

// SeedEvents seeds an event fuzzer with a gateway's published webhook
// bodies and extra ones.
func SeedEvents(f *testing.F, gateway string, extra ...string) {
	files, _ := filepath.Glob(filepath.Join(publishedDir(), gateway, "webhook_*"))
	if len(files) == 0 {
		f.Fatalf("no %s webhook fixtures under %s", gateway, publishedDir())
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

var canonicalEventTypes = map[transform.EventType]bool{transform.EventOrderPaid: true, transform.EventOrderFailed: true, transform.EventOrderPending: true,
	transform.EventRefundSucceeded: true, transform.EventRefundFailed: true, transform.EventRefundPending: true}

var eventOrderStatuses = map[transform.Status]bool{transform.StatusCreated: true, transform.StatusPending: true, transform.StatusPaid: true, transform.StatusFailed: true,
	transform.StatusExpired: true, transform.StatusCancelled: true, transform.StatusUnknown: true}

// CheckParsedEvents holds a webhook parser's answer to the contract every
// gateway shares: canonical events or an IgnoredEvent, never both, and
// every event well-formed.
func CheckParsedEvents(t *testing.T, gateway string, events []*transform.Event, err error) {
	if err != nil {
		var ig *transform.IgnoredEvent
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
		if ev.OrderID != "" && transform.ValidateOrderID(ev.OrderID) != nil {
			t.Fatalf("invalid order_id %q", ev.OrderID)
		}
		for _, a := range []string{ev.Amount, eventRefundAmount(ev)} {
			if a == "" {
				continue
			}
			if _, err := transform.PlainDecimal(a); err != nil {
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

func eventRefundAmount(ev *transform.Event) string {
	if ev.Refund == nil {
		return ""
	}
	return ev.Refund.Amount
}
