package razorpay

import (
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// eventCase is what a sample must map to; EventID is checked separately.
type eventCase struct {
	file string
	want transform.Event
}

func TestRazorpayEvents(t *testing.T) {
	one := gatewaytest.OneOf(t)
	cases := []eventCase{
		{"webhook_payment_captured_netbanking.json", transform.Event{Type: transform.EventOrderPaid, Gateway: "razorpay", GatewayEvent: "payment.captured",
			GatewayOrderID: "order_DESlLckIVRkHWj", PaymentID: "pay_DESlfW9H8K9uqM", Status: transform.StatusPaid, Amount: "1.00", Currency: "INR",
			OccurredAt: "2019-09-05T09:10:06Z"}},
		{"webhook_order_paid_netbanking.json", transform.Event{Type: transform.EventOrderPaid, Gateway: "razorpay", GatewayEvent: "order.paid",
			GatewayOrderID: "order_DESlLckIVRkHWj", PaymentID: "pay_DESlfW9H8K9uqM", Status: transform.StatusPaid, Amount: "1.00", Currency: "INR",
			OccurredAt: "2019-09-05T09:10:06Z"}}, // receipt "rcptid #1" is no valid order_id: left empty
		{"webhook_payment_captured_upi.json", transform.Event{Type: transform.EventOrderPaid, Gateway: "razorpay", GatewayEvent: "payment.captured",
			GatewayOrderID: "order_DESxiijbl9xjDB", PaymentID: "pay_DESyzxuld02Zul", Status: transform.StatusPaid, Amount: "1.00", Currency: "INR",
			OccurredAt: "2019-09-05T09:22:36Z"}},
		{"webhook_payment_failed_netbanking.json", transform.Event{Type: transform.EventOrderFailed, Gateway: "razorpay", GatewayEvent: "payment.failed",
			GatewayOrderID: "order_DEATVTRRctwEGb", PaymentID: "pay_DEAU825sJlCbGa", Status: transform.StatusFailed, Amount: "500.00", Currency: "INR",
			OccurredAt: "2019-09-04T15:16:55Z"}},
		{"webhook_payment_link_paid_standard.json", transform.Event{Type: transform.EventOrderPaid, Gateway: "razorpay", GatewayEvent: "payment_link.paid",
			OrderID: "23", GatewayOrderID: "order_QflczVVaNJciLq", PaymentID: "pay_Qfldmt5StKZFCB", Status: transform.StatusPaid, Amount: "10.00", Currency: "INR",
			OccurredAt: "2025-06-11T05:05:14Z"}},
		{"webhook_payment_authorized_python_mock.json", transform.Event{Type: transform.EventOrderPending, Gateway: "razorpay", GatewayEvent: "payment.authorized",
			GatewayOrderID: "order_100000000order", PaymentID: "pay_6koWN7bvxujzxM", Status: transform.StatusPending, Amount: "10000.00", Currency: "INR",
			OccurredAt: "2014-05-23T06:32:40Z"}},
		{"webhook_refund_created.json", transform.Event{Type: transform.EventRefundSucceeded, Gateway: "razorpay", GatewayEvent: "refund.created",
			GatewayOrderID: "order_FPoIeimWki9j8A", PaymentID: "pay_FPoJKWQQ8lK13n", Status: transform.StatusPaid, Amount: "5000.00", Currency: "INR",
			OccurredAt: "2020-08-18T07:01:11Z",
			Refund:     &transform.EventRefund{GatewayRefundID: "rfnd_FS8TWyPrCsa0OB", Status: transform.RefundSucceeded, Amount: "500.00"}}},
		{"webhook_refund_processed.json", transform.Event{Type: transform.EventRefundSucceeded, Gateway: "razorpay", GatewayEvent: "refund.processed",
			GatewayOrderID: "order_FPoIeimWki9j8A", PaymentID: "pay_FPoJKWQQ8lK13n", Status: transform.StatusPaid, Amount: "5000.00", Currency: "INR",
			OccurredAt: "2020-08-18T07:01:11Z",
			Refund:     &transform.EventRefund{GatewayRefundID: "rfnd_FS8TWyPrCsa0OB", Status: transform.RefundSucceeded, Amount: "500.00"}}},
		{"webhook_refund_failed.json", transform.Event{Type: transform.EventRefundFailed, Gateway: "razorpay", GatewayEvent: "refund.failed",
			GatewayOrderID: "order_FPoIeimWki9j8A", PaymentID: "pay_FPoJKWQQ8lK13n", Status: transform.StatusPaid, Amount: "5000.00", Currency: "INR",
			OccurredAt: "2020-08-18T07:01:11Z",
			Refund:     &transform.EventRefund{GatewayRefundID: "rfnd_FS8TWyPrCsa0OB", Status: transform.RefundFailed, Amount: "500.00"}}},
	}
	ids := map[string]string{}
	for _, c := range cases {
		ev := one(ParseEvent(gatewaytest.Published(t, "razorpay/"+c.file), gatewaytest.EventReceived))
		gatewaytest.CheckEvent(t, c.file, ev, c.want)
		if !ev.TimeFromBody {
			t.Errorf("%s: occurred_at should come from the event's created_at", c.file)
		}
		ev.Identify("acct-1")
		if !strings.HasPrefix(ev.EventID, "ev_") || len(ev.EventID) != 3+32 {
			t.Errorf("%s: event_id %q is not ev_ + 32 hex", c.file, ev.EventID)
		}
		ids[c.file] = ev.EventID
	}
	// One payment, two gateway events, one canonical event.
	if ids["webhook_payment_captured_netbanking.json"] != ids["webhook_order_paid_netbanking.json"] {
		t.Error("payment.captured and order.paid of one payment have different event ids")
	}
	if ids["webhook_refund_created.json"] != ids["webhook_refund_processed.json"] {
		t.Error("refund.created (status processed) and refund.processed of one refund have different event ids")
	}
	distinct := []string{"webhook_payment_captured_netbanking.json", "webhook_payment_captured_upi.json",
		"webhook_payment_failed_netbanking.json", "webhook_refund_processed.json", "webhook_refund_failed.json",
		"webhook_payment_link_paid_standard.json", "webhook_payment_authorized_python_mock.json"}
	seen := map[string]string{}
	for _, f := range distinct {
		if other, dup := seen[ids[f]]; dup {
			t.Errorf("%s and %s share event id %s", f, other, ids[f])
		}
		seen[ids[f]] = f
	}
}

func TestRazorpayEventReceiptAndAccount(t *testing.T) {
	one := gatewaytest.OneOf(t)
	body := strings.Replace(string(gatewaytest.Published(t, "razorpay/"+"webhook_order_paid_netbanking.json")), `"rcptid #1"`, `"ORD1001"`, 1)
	ev := one(ParseEvent([]byte(body), gatewaytest.EventReceived))
	if ev.OrderID != "ORD1001" {
		t.Errorf("order_id = %q, want the receipt ORD1001", ev.OrderID)
	}
	a, b := *ev, *ev
	a.Identify("acct-1")
	b.Identify("acct-2")
	if a.EventID == b.EventID {
		t.Error("two merchant accounts give one event id")
	}
}

func TestRazorpayEventsRefused(t *testing.T) {
	captured := string(gatewaytest.Published(t, "razorpay/"+"webhook_payment_captured_netbanking.json"))
	cases := []struct {
		name, body  string
		evMalformed bool
	}{
		{"unknown event", `{"entity":"event","event":"subscription.charged","payload":{}}`, false},
		{"settlement", `{"entity":"event","event":"settlement.processed","payload":{"settlement":{"entity":{}}}}`, false},
		{"not JSON", `<html>`, true},
		{"no event", `{"payload":{}}`, true},
		{"trailing data", captured + `{}`, true},
		{"captured without payment", `{"event":"payment.captured","payload":{}}`, true},
		{"captured but failed", strings.Replace(captured, `"status": "captured"`, `"status": "failed"`, 1), true},
		{"unknown currency", strings.Replace(captured, `"currency": "INR"`, `"currency": "XXX"`, 1), true},
		{"fractional minor amount", strings.Replace(captured, `"amount": 100,`, `"amount": 100.5,`, 1), true},
		{"negative amount", strings.Replace(captured, `"amount": 100,`, `"amount": -100,`, 1), true},
		{"exponent amount", strings.Replace(captured, `"amount": 100,`, `"amount": 1e2,`, 1), true},
		{"refund unknown status", strings.Replace(string(gatewaytest.Published(t, "razorpay/"+"webhook_refund_failed.json")), `"status": "failed"`, `"status": "weird"`, 1), true},
	}
	for _, c := range cases {
		_, err := ParseEvent([]byte(c.body), gatewaytest.EventReceived)
		var ig *transform.IgnoredEvent
		if !errors.As(err, &ig) {
			t.Errorf("%s: err = %v, want an IgnoredEvent", c.name, err)
			continue
		}
		if ig.Malformed != c.evMalformed {
			t.Errorf("%s: malformed = %v, want %v (%v)", c.name, ig.Malformed, c.evMalformed, err)
		}
	}
}

// The JSON the app receives has the documented keys and nothing else.
func TestEventJSONShape(t *testing.T) {
	one := gatewaytest.OneOf(t)
	ev := one(ParseEvent(gatewaytest.Published(t, "razorpay/"+"webhook_refund_processed.json"), gatewaytest.EventReceived))
	ev.Identify("a")
	ev.OrderID = "ORD1001"
	ev.VerifiedBy = "signature"
	var m map[string]any
	if err := json.Unmarshal(ev.JSON(), &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	want := []string{"amount", "currency", "event_id", "gateway", "gateway_event", "gateway_order_id", "occurred_at",
		"order_id", "payment_id", "refund", "status", "type", "verified_by"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	rf := m["refund"].(map[string]any)
	if rf["status"] != "succeeded" || rf["amount"] != "500.00" || rf["gateway_refund_id"] != "rfnd_FS8TWyPrCsa0OB" {
		t.Errorf("refund %v", rf)
	}
}
