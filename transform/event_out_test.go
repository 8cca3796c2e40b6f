package transform_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
)

// v1Identify is Event.Identify as it was, through fmt: the reference of
// FuzzEventIdentify. Event ids are recorded for dedupe, so Identify must
// keep writing exactly these.
func v1Identify(e *transform.Event, account string) string {
	h := sha256.New()
	sub := e.PaymentID
	if e.Refund != nil {
		sub = "refund:" + e.Refund.GatewayRefundID + ":" + e.Refund.RefundID
	}
	for _, part := range []string{e.Gateway, account, string(e.Type), e.OrderKey, sub} {
		fmt.Fprintf(h, "%d:%s;", len(part), part)
	}
	return "ev_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// The ids of two fixed events, as the fmt-based Identify wrote them: "ev_"
// and the first 128 bits of the SHA-256 of
// "8:razorpay;6:acct-1;10:order.paid;20:order_DESlLckIVRkHWj;18:pay_DESlfW9H8K9uqM;"
// (computed apart from Go). A change of Identify's bytes would make every
// recorded event new again.
func TestEventIdentifyStable(t *testing.T) {
	paid := transform.Event{Gateway: "razorpay", Type: transform.EventOrderPaid, OrderKey: "order_DESlLckIVRkHWj", PaymentID: "pay_DESlfW9H8K9uqM"}
	refund := transform.Event{Gateway: "juspay", Type: transform.EventRefundSucceeded, OrderKey: "m:sample_ord_200",
		PaymentID: "ms-sample_ord_200-1", Refund: &transform.EventRefund{RefundID: "erf_b0c764a743c4221b", GatewayRefundID: ""}}
	for _, c := range []struct {
		ev   transform.Event
		want string
	}{{paid, "ev_ebcfed755ae9a6a76c3c8c2a9cfc0fa2"}, {refund, "ev_0d50a4b1fb74f6e0bddcb7d5630817e7"}} {
		c.ev.Identify("acct-1")
		if c.ev.EventID != c.want {
			t.Errorf("%s %s: event_id %s, want %s", c.ev.Gateway, c.ev.Type, c.ev.EventID, c.want)
		}
	}
}

// FuzzEventIdentify: Identify writes the id the fmt-based one wrote, for
// any parts, long ones (beyond its stack buffer) included.
func FuzzEventIdentify(f *testing.F) {
	f.Add("razorpay", "acct-1", "order.paid", "order_1", "pay_1", false, "", "", 0)
	f.Add("juspay", "", "refund.succeeded", "m:A1", "txn", true, "RF1", "", 0)
	f.Add("", "", "", "", "", true, "", ":", 300)
	f.Fuzz(func(t *testing.T, gw, account, typ, key, pay string, refund bool, rid, grid string, pad int) {
		if pad < 0 || pad > 1000 {
			pad = 0
		}
		ev := transform.Event{Gateway: gw, Type: transform.EventType(typ), OrderKey: key + string(make([]byte, pad)), PaymentID: pay}
		if refund {
			ev.Refund = &transform.EventRefund{RefundID: rid, GatewayRefundID: grid}
		}
		want := v1Identify(&ev, account)
		if ev.Identify(account); ev.EventID != want {
			t.Fatalf("event_id %s, want %s", ev.EventID, want)
		}
	})
}

// FuzzEventJSON: Event.JSON writes what json.Marshal writes, for any
// strings (a gateway's ids and names may hold < > &, control characters
// or invalid UTF-8), with and without a refund.
func FuzzEventJSON(f *testing.F) {
	f.Add("ev_1", "evt_1", "order.paid", "razorpay", "order.paid", "ORD1001", "order_1", "pay_1", "paid", "105.50", "INR",
		"2026-11-21T19:55:00Z", "signature", false, "", "", "", "")
	f.Add("", "", "", "", "", "", "", "", "", "", "", "", "", true, "", "", "", "")
	f.Add("a<b>&c", "\u2028", "x\xff", "\n\t", "\"\\", "", "", "", "", "", "", "", "", true, "RF<1>", "rfnd_1", "succeeded", "1.00")
	f.Fuzz(func(t *testing.T, id, gid, typ, gw, gev, oid, goid, pid, st, amt, cur, at, by string,
		refund bool, rid, grid, rst, ramt string) {
		ev := transform.Event{EventID: id, GatewayEventID: gid, Type: transform.EventType(typ), Gateway: gw, GatewayEvent: gev,
			OrderID: oid, GatewayOrderID: goid, PaymentID: pid, Status: transform.Status(st), Amount: amt, Currency: cur,
			OccurredAt: at, VerifiedBy: by, OrderKey: "never sent", TimeFromBody: true}
		if refund {
			ev.Refund = &transform.EventRefund{RefundID: rid, GatewayRefundID: grid, Status: transform.RefundStatus(rst), Amount: ramt}
		}
		want, err := json.Marshal(&ev)
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.JSON(); string(got) != string(want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}
