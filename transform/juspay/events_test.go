package juspay

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func TestJuspayEvents(t *testing.T) {
	cases := []struct {
		file string
		want []transform.Event
	}{
		{"webhook_order_succeeded.json", []transform.Event{{GatewayEventID: "evt_V2_b737837102414514ae0e9717a9f2664d", Type: transform.EventOrderPaid, Gateway: "juspay",
			GatewayEvent: "ORDER_SUCCEEDED", OrderID: "sample_ord_200", GatewayOrderID: "ordeh_a9eb2884e4fe4738b70c3d51e6397d34",
			PaymentID: "ms-sample_ord_200-1", Status: transform.StatusPaid, Amount: "1.00", Currency: "INR", OccurredAt: "2023-08-10T07:00:48Z"}}},
		{"webhook_order_failed.json", []transform.Event{{GatewayEventID: "evt_V2_f139d51b776541bdbccf6cf49234bc8c", Type: transform.EventOrderFailed, Gateway: "juspay",
			GatewayEvent: "ORDER_FAILED", OrderID: "sample_ord_502", GatewayOrderID: "ordeh_3bdee390002446519a8ba483d41e0e7e",
			PaymentID: "ms-sample_ord_502-1", Status: transform.StatusFailed, Amount: "8.00", Currency: "INR", OccurredAt: "2023-08-10T07:19:10Z"}}},
		{"webhook_order_refunded.json", []transform.Event{{GatewayEventID: "evt_V2_132b474fe46b4518a561ad1aa18b4e42", Type: transform.EventRefundSucceeded, Gateway: "juspay",
			GatewayEvent: "ORDER_REFUNDED", OrderID: "sample_ord_403", GatewayOrderID: "ordeh_11772e318c124b96ab9791ec3f6b13f8",
			PaymentID: "ms-sample_ord_403-1", Status: transform.StatusPaid, Amount: "8.00", Currency: "INR", OccurredAt: "2023-08-10T07:49:01Z",
			Refund: &transform.EventRefund{RefundID: "erf_b0c764a743c4221b", Status: transform.RefundSucceeded, Amount: "5.00"}}}},
		{"webhook_refund_initiate.json", []transform.Event{{GatewayEventID: "evt_V2_6d18def52abc4810aaef89a91064b045", Type: transform.EventRefundPending, Gateway: "juspay",
			GatewayEvent: "REFUND_INITIATED", OrderID: "sample_ord_403", GatewayOrderID: "ordeh_11772e318c124b96ab9791ec3f6b13f8",
			PaymentID: "ms-sample_ord_403-1", Status: transform.StatusPaid, Amount: "8.00", Currency: "INR", OccurredAt: "2023-08-10T07:22:01Z",
			Refund: &transform.EventRefund{RefundID: "erf_b0c764a743c4221b", Status: transform.RefundPending, Amount: "5.00"}}}},
		{"webhook_order_refund_failed.json", []transform.Event{{GatewayEventID: "evt_V2_9380da4b07e74b6792f3fe23ed84a75f", Type: transform.EventRefundFailed, Gateway: "juspay",
			GatewayEvent: "ORDER_REFUND_FAILED", OrderID: "sampleorder608", GatewayOrderID: "ordeh_c5ce7ae7e09f4576a9f3d59e9dc51db0",
			PaymentID: "ms-sampleorder608-1", Status: transform.StatusPaid, Amount: "86.00", Currency: "INR", OccurredAt: "2023-08-10T10:48:01Z",
			Refund: &transform.EventRefund{RefundID: "ARghg65FGvyv", GatewayRefundID: "ARghg65FGvyv", Status: transform.RefundFailed, Amount: "86.00"}}}},
		// Every number a string; two refunds, of which one is in manual review.
		{"webhook_refund_manual_review.json", []transform.Event{{GatewayEventID: "evt_V2_1750c1958ed71230991e6740c18af364", Type: transform.EventRefundPending, Gateway: "juspay",
			GatewayEvent: "REFUND_MANUAL_REVIEW_NEEDED", OrderID: "ctkt174582939", GatewayOrderID: "ordeh_61006772743a45b78725fe8a77fdecb5",
			PaymentID: "confirm-ctkt174582939-1", Status: transform.StatusPaid, Amount: "1551.00", Currency: "INR", OccurredAt: "2022-04-19T13:48:53Z",
			Refund: &transform.EventRefund{RefundID: "recan17458293944531", Status: transform.RefundPending, Amount: "1476.00"}}}},
		// AUTO_REFUNDED is no canonical order status.
		{"webhook_auto_refund_succeeded.json", []transform.Event{{GatewayEventID: "evt_V2_c911db219e6845ce9c6b551b9e88cbc4", Type: transform.EventRefundSucceeded, Gateway: "juspay",
			GatewayEvent: "AUTO_REFUND_SUCCEEDED", OrderID: "sample_ord_408", GatewayOrderID: "ordeh_c5ce7ae7e09f4576a9f3d59e9dc51db0",
			PaymentID: "ms-sample_ord_408-1", Status: transform.StatusUnknown, Amount: "8.00", Currency: "INR", OccurredAt: "2023-08-10T07:31:14Z",
			Refund: &transform.EventRefund{RefundID: "ARumRQpjqqLcXTm6", GatewayRefundID: "ARumRQpjqqLcXTm6", Status: transform.RefundSucceeded, Amount: "8.00"}}}},
	}
	for _, c := range cases {
		events, err := ParseEvent(gatewaytest.Published(t, "juspay/"+c.file), gatewaytest.EventReceived)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if len(events) != len(c.want) {
			t.Errorf("%s: %d events, want %d", c.file, len(events), len(c.want))
			continue
		}
		for i := range events {
			gatewaytest.CheckEvent(t, c.file, events[i], c.want[i])
		}
	}
}

// TXN_CHARGED (content.txn, no Juspay order id) and ORDER_SUCCEEDED of one
// transaction are one canonical event.
func TestJuspayTxnAndOrderEventsCoincide(t *testing.T) {
	one := gatewaytest.OneOf(t)
	order := one(ParseEvent(gatewaytest.Published(t, "juspay/"+"webhook_order_succeeded.json"), gatewaytest.EventReceived))
	txn := one(ParseEvent([]byte(`{"id":"evt_V2_714b","event_name":"TXN_CHARGED","date_created":"2023-08-10T07:00:48Z",
		"content":{"txn":{"txn_id":"ms-sample_ord_200-1","txn_amount":1,"status_id":21,"status":"CHARGED","order_id":"sample_ord_200","currency":"INR"}}}`), gatewaytest.EventReceived))
	if txn.Type != transform.EventOrderPaid || txn.Amount != "1.00" || txn.OrderID != "sample_ord_200" {
		t.Fatalf("TXN_CHARGED mapped to %+v", txn)
	}
	order.Identify("m")
	txn.Identify("m")
	if order.EventID != txn.EventID {
		t.Error("ORDER_SUCCEEDED and TXN_CHARGED of one transaction have different event ids")
	}
}

// Two refunds succeeded: the event does not say which one it is about, so
// both come out, each with its own id.
func TestJuspayRefundEventWithTwoRefunds(t *testing.T) {
	body := strings.Replace(string(gatewaytest.Published(t, "juspay/"+"webhook_refund_manual_review.json")), `"REFUND_MANUAL_REVIEW_NEEDED"`, `"ORDER_REFUNDED"`, 1)
	body = strings.Replace(body, `"status": "MANUAL_REVIEW"`, `"status": "SUCCESS"`, 1)
	events, err := ParseEvent([]byte(body), gatewaytest.EventReceived)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range events {
		ev.Identify("m")
		got = append(got, ev.Refund.RefundID+"="+ev.Refund.Amount)
	}
	sort.Strings(got)
	if want := []string{"recan17458293944531=1476.00", "w8ctkt174582939=75.00"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("refunds %v, want %v", got, want)
	}
	if events[0].EventID == events[1].EventID {
		t.Error("two refunds share an event id")
	}
}

func TestJuspayEventsRefused(t *testing.T) {
	ok := string(gatewaytest.Published(t, "juspay/"+"webhook_order_succeeded.json"))
	cases := []struct {
		name, body  string
		evMalformed bool
	}{
		{"mandate event", `{"id":"evt_1","event_name":"MANDATE_ACTIVATED","content":{"mandate":{}}}`, false},
		{"no content", `{"id":"evt_1","event_name":"ORDER_SUCCEEDED","content":{}}`, true},
		{"succeeded but declined", strings.Replace(ok, `"status": "CHARGED",
      "bank_error_message"`, `"status": "JUSPAY_DECLINED",
      "bank_error_message"`, 1), true},
		{"filtered amount", strings.Replace(ok, `"amount": 1,`, `"amount": "FILTERED",`, 1), true},
		{"bad order id", strings.Replace(ok, `"order_id": "sample_ord_200",
      "return_url"`, `"order_id": "../x",
      "return_url"`, 1), true},
		{"refund event, no such refund", strings.Replace(string(gatewaytest.Published(t, "juspay/"+"webhook_order_refunded.json")), `"status": "SUCCESS"`, `"status": "PENDING"`, 1), true},
	}
	for _, c := range cases {
		if c.body == ok {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		_, err := ParseEvent([]byte(c.body), gatewaytest.EventReceived)
		var ig *transform.IgnoredEvent
		if !errors.As(err, &ig) || ig.Malformed != c.evMalformed {
			t.Errorf("%s: err = %v, want IgnoredEvent malformed=%v", c.name, err, c.evMalformed)
		}
	}
}
