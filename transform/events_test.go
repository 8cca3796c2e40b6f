package transform

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// The published webhook bodies, read in place.
const eventFixtures = "../../shared/reference/fixtures"

func eventFixture(t testing.TB, gateway, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(eventFixtures, gateway, name))
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

var eventReceived = time.Date(2026, 11, 22, 1, 25, 0, 0, time.FixedZone("IST", 19800))

// oneOf returns a checker of a parser's answer: exactly one event.
func oneOf(t *testing.T) func([]*Event, error) *Event {
	return func(events []*Event, err error) *Event {
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

// eventCase is what a fixture must map to; EventID is checked separately.
type eventCase struct {
	file string
	want Event
}

func checkEvent(t *testing.T, name string, got *Event, want Event) {
	t.Helper()
	g := *got
	g.EventID, g.OrderKey, g.TimeFromBody = "", "", false
	if !reflect.DeepEqual(g, want) {
		gj, _ := json.Marshal(g)
		wj, _ := json.Marshal(want)
		t.Errorf("%s:\n got %s\nwant %s", name, gj, wj)
	}
}

func TestRazorpayEvents(t *testing.T) {
	one := oneOf(t)
	cases := []eventCase{
		{"webhook_payment_captured_netbanking.json", Event{Type: EventOrderPaid, Gateway: "razorpay", GatewayEvent: "payment.captured",
			GatewayOrderID: "order_DESlLckIVRkHWj", PaymentID: "pay_DESlfW9H8K9uqM", Status: StatusPaid, Amount: "1.00", Currency: "INR",
			OccurredAt: "2019-09-05T09:10:06Z"}},
		{"webhook_order_paid_netbanking.json", Event{Type: EventOrderPaid, Gateway: "razorpay", GatewayEvent: "order.paid",
			GatewayOrderID: "order_DESlLckIVRkHWj", PaymentID: "pay_DESlfW9H8K9uqM", Status: StatusPaid, Amount: "1.00", Currency: "INR",
			OccurredAt: "2019-09-05T09:10:06Z"}}, // receipt "rcptid #1" is no valid order_id: left empty
		{"webhook_payment_captured_upi.json", Event{Type: EventOrderPaid, Gateway: "razorpay", GatewayEvent: "payment.captured",
			GatewayOrderID: "order_DESxiijbl9xjDB", PaymentID: "pay_DESyzxuld02Zul", Status: StatusPaid, Amount: "1.00", Currency: "INR",
			OccurredAt: "2019-09-05T09:22:36Z"}},
		{"webhook_payment_failed_netbanking.json", Event{Type: EventOrderFailed, Gateway: "razorpay", GatewayEvent: "payment.failed",
			GatewayOrderID: "order_DEATVTRRctwEGb", PaymentID: "pay_DEAU825sJlCbGa", Status: StatusFailed, Amount: "500.00", Currency: "INR",
			OccurredAt: "2019-09-04T15:16:55Z"}},
		{"webhook_payment_link_paid_standard.json", Event{Type: EventOrderPaid, Gateway: "razorpay", GatewayEvent: "payment_link.paid",
			OrderID: "23", GatewayOrderID: "order_QflczVVaNJciLq", PaymentID: "pay_Qfldmt5StKZFCB", Status: StatusPaid, Amount: "10.00", Currency: "INR",
			OccurredAt: "2025-06-11T05:05:14Z"}},
		{"webhook_payment_authorized_python_mock.json", Event{Type: EventOrderPending, Gateway: "razorpay", GatewayEvent: "payment.authorized",
			GatewayOrderID: "order_100000000order", PaymentID: "pay_6koWN7bvxujzxM", Status: StatusPending, Amount: "10000.00", Currency: "INR",
			OccurredAt: "2014-05-23T06:32:40Z"}},
		{"webhook_refund_created.json", Event{Type: EventRefundSucceeded, Gateway: "razorpay", GatewayEvent: "refund.created",
			GatewayOrderID: "order_FPoIeimWki9j8A", PaymentID: "pay_FPoJKWQQ8lK13n", Status: StatusPaid, Amount: "5000.00", Currency: "INR",
			OccurredAt: "2020-08-18T07:01:11Z",
			Refund:     &EventRefund{GatewayRefundID: "rfnd_FS8TWyPrCsa0OB", Status: RefundSucceeded, Amount: "500.00"}}},
		{"webhook_refund_processed.json", Event{Type: EventRefundSucceeded, Gateway: "razorpay", GatewayEvent: "refund.processed",
			GatewayOrderID: "order_FPoIeimWki9j8A", PaymentID: "pay_FPoJKWQQ8lK13n", Status: StatusPaid, Amount: "5000.00", Currency: "INR",
			OccurredAt: "2020-08-18T07:01:11Z",
			Refund:     &EventRefund{GatewayRefundID: "rfnd_FS8TWyPrCsa0OB", Status: RefundSucceeded, Amount: "500.00"}}},
		{"webhook_refund_failed.json", Event{Type: EventRefundFailed, Gateway: "razorpay", GatewayEvent: "refund.failed",
			GatewayOrderID: "order_FPoIeimWki9j8A", PaymentID: "pay_FPoJKWQQ8lK13n", Status: StatusPaid, Amount: "5000.00", Currency: "INR",
			OccurredAt: "2020-08-18T07:01:11Z",
			Refund:     &EventRefund{GatewayRefundID: "rfnd_FS8TWyPrCsa0OB", Status: RefundFailed, Amount: "500.00"}}},
	}
	ids := map[string]string{}
	for _, c := range cases {
		ev := one(ParseRazorpayEvent(eventFixture(t, "razorpay", c.file), eventReceived))
		checkEvent(t, c.file, ev, c.want)
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
	one := oneOf(t)
	body := strings.Replace(string(eventFixture(t, "razorpay", "webhook_order_paid_netbanking.json")), `"rcptid #1"`, `"ORD1001"`, 1)
	ev := one(ParseRazorpayEvent([]byte(body), eventReceived))
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
	captured := string(eventFixture(t, "razorpay", "webhook_payment_captured_netbanking.json"))
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
		{"refund unknown status", strings.Replace(string(eventFixture(t, "razorpay", "webhook_refund_failed.json")), `"status": "failed"`, `"status": "weird"`, 1), true},
	}
	for _, c := range cases {
		_, err := ParseRazorpayEvent([]byte(c.body), eventReceived)
		var ig *IgnoredEvent
		if !errors.As(err, &ig) {
			t.Errorf("%s: err = %v, want an IgnoredEvent", c.name, err)
			continue
		}
		if ig.Malformed != c.evMalformed {
			t.Errorf("%s: malformed = %v, want %v (%v)", c.name, ig.Malformed, c.evMalformed, err)
		}
	}
}

func TestJuspayEvents(t *testing.T) {
	cases := []struct {
		file string
		want []Event
	}{
		{"webhook_order_succeeded.json", []Event{{GatewayEventID: "evt_V2_b737837102414514ae0e9717a9f2664d", Type: EventOrderPaid, Gateway: "juspay",
			GatewayEvent: "ORDER_SUCCEEDED", OrderID: "sample_ord_200", GatewayOrderID: "ordeh_a9eb2884e4fe4738b70c3d51e6397d34",
			PaymentID: "ms-sample_ord_200-1", Status: StatusPaid, Amount: "1.00", Currency: "INR", OccurredAt: "2023-08-10T07:00:48Z"}}},
		{"webhook_order_failed.json", []Event{{GatewayEventID: "evt_V2_f139d51b776541bdbccf6cf49234bc8c", Type: EventOrderFailed, Gateway: "juspay",
			GatewayEvent: "ORDER_FAILED", OrderID: "sample_ord_502", GatewayOrderID: "ordeh_3bdee390002446519a8ba483d41e0e7e",
			PaymentID: "ms-sample_ord_502-1", Status: StatusFailed, Amount: "8.00", Currency: "INR", OccurredAt: "2023-08-10T07:19:10Z"}}},
		{"webhook_order_refunded.json", []Event{{GatewayEventID: "evt_V2_132b474fe46b4518a561ad1aa18b4e42", Type: EventRefundSucceeded, Gateway: "juspay",
			GatewayEvent: "ORDER_REFUNDED", OrderID: "sample_ord_403", GatewayOrderID: "ordeh_11772e318c124b96ab9791ec3f6b13f8",
			PaymentID: "ms-sample_ord_403-1", Status: StatusPaid, Amount: "8.00", Currency: "INR", OccurredAt: "2023-08-10T07:49:01Z",
			Refund: &EventRefund{RefundID: "erf_b0c764a743c4221b", Status: RefundSucceeded, Amount: "5.00"}}}},
		{"webhook_refund_initiate.json", []Event{{GatewayEventID: "evt_V2_6d18def52abc4810aaef89a91064b045", Type: EventRefundPending, Gateway: "juspay",
			GatewayEvent: "REFUND_INITIATED", OrderID: "sample_ord_403", GatewayOrderID: "ordeh_11772e318c124b96ab9791ec3f6b13f8",
			PaymentID: "ms-sample_ord_403-1", Status: StatusPaid, Amount: "8.00", Currency: "INR", OccurredAt: "2023-08-10T07:22:01Z",
			Refund: &EventRefund{RefundID: "erf_b0c764a743c4221b", Status: RefundPending, Amount: "5.00"}}}},
		{"webhook_order_refund_failed.json", []Event{{GatewayEventID: "evt_V2_9380da4b07e74b6792f3fe23ed84a75f", Type: EventRefundFailed, Gateway: "juspay",
			GatewayEvent: "ORDER_REFUND_FAILED", OrderID: "sampleorder608", GatewayOrderID: "ordeh_c5ce7ae7e09f4576a9f3d59e9dc51db0",
			PaymentID: "ms-sampleorder608-1", Status: StatusPaid, Amount: "86.00", Currency: "INR", OccurredAt: "2023-08-10T10:48:01Z",
			Refund: &EventRefund{RefundID: "ARghg65FGvyv", GatewayRefundID: "ARghg65FGvyv", Status: RefundFailed, Amount: "86.00"}}}},
		// Every number a string; two refunds, of which one is in manual review.
		{"webhook_refund_manual_review.json", []Event{{GatewayEventID: "evt_V2_1750c1958ed71230991e6740c18af364", Type: EventRefundPending, Gateway: "juspay",
			GatewayEvent: "REFUND_MANUAL_REVIEW_NEEDED", OrderID: "ctkt174582939", GatewayOrderID: "ordeh_61006772743a45b78725fe8a77fdecb5",
			PaymentID: "confirm-ctkt174582939-1", Status: StatusPaid, Amount: "1551.00", Currency: "INR", OccurredAt: "2022-04-19T13:48:53Z",
			Refund: &EventRefund{RefundID: "recan17458293944531", Status: RefundPending, Amount: "1476.00"}}}},
		// AUTO_REFUNDED is no canonical order status.
		{"webhook_auto_refund_succeeded.json", []Event{{GatewayEventID: "evt_V2_c911db219e6845ce9c6b551b9e88cbc4", Type: EventRefundSucceeded, Gateway: "juspay",
			GatewayEvent: "AUTO_REFUND_SUCCEEDED", OrderID: "sample_ord_408", GatewayOrderID: "ordeh_c5ce7ae7e09f4576a9f3d59e9dc51db0",
			PaymentID: "ms-sample_ord_408-1", Status: StatusUnknown, Amount: "8.00", Currency: "INR", OccurredAt: "2023-08-10T07:31:14Z",
			Refund: &EventRefund{RefundID: "ARumRQpjqqLcXTm6", GatewayRefundID: "ARumRQpjqqLcXTm6", Status: RefundSucceeded, Amount: "8.00"}}}},
	}
	for _, c := range cases {
		events, err := ParseJuspayEvent(eventFixture(t, "juspay", c.file), eventReceived)
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if len(events) != len(c.want) {
			t.Errorf("%s: %d events, want %d", c.file, len(events), len(c.want))
			continue
		}
		for i := range events {
			checkEvent(t, c.file, events[i], c.want[i])
		}
	}
}

// TXN_CHARGED (content.txn, no Juspay order id) and ORDER_SUCCEEDED of one
// transaction are one canonical event.
func TestJuspayTxnAndOrderEventsCoincide(t *testing.T) {
	one := oneOf(t)
	order := one(ParseJuspayEvent(eventFixture(t, "juspay", "webhook_order_succeeded.json"), eventReceived))
	txn := one(ParseJuspayEvent([]byte(`{"id":"evt_V2_714b","event_name":"TXN_CHARGED","date_created":"2023-08-10T07:00:48Z",
		"content":{"txn":{"txn_id":"ms-sample_ord_200-1","txn_amount":1,"status_id":21,"status":"CHARGED","order_id":"sample_ord_200","currency":"INR"}}}`), eventReceived))
	if txn.Type != EventOrderPaid || txn.Amount != "1.00" || txn.OrderID != "sample_ord_200" {
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
	body := strings.Replace(string(eventFixture(t, "juspay", "webhook_refund_manual_review.json")), `"REFUND_MANUAL_REVIEW_NEEDED"`, `"ORDER_REFUNDED"`, 1)
	body = strings.Replace(body, `"status": "MANUAL_REVIEW"`, `"status": "SUCCESS"`, 1)
	events, err := ParseJuspayEvent([]byte(body), eventReceived)
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
	ok := string(eventFixture(t, "juspay", "webhook_order_succeeded.json"))
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
		{"refund event, no such refund", strings.Replace(string(eventFixture(t, "juspay", "webhook_order_refunded.json")), `"status": "SUCCESS"`, `"status": "PENDING"`, 1), true},
	}
	for _, c := range cases {
		if c.body == ok {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		_, err := ParseJuspayEvent([]byte(c.body), eventReceived)
		var ig *IgnoredEvent
		if !errors.As(err, &ig) || ig.Malformed != c.evMalformed {
			t.Errorf("%s: err = %v, want IgnoredEvent malformed=%v", c.name, err, c.evMalformed)
		}
	}
}

func TestKwikPaisaEvents(t *testing.T) {
	one := oneOf(t)
	body := eventFixture(t, "kwikpaisa", "webhook_payment_success.doc.json")
	ev := one(ParseKwikPaisaEvent(body, eventReceived))
	checkEvent(t, "payment.success", ev, Event{GatewayEventID: GatewayEventIDOfBody(body), Type: EventOrderPaid, Gateway: "kwikpaisa",
		GatewayEvent: "payment.success", OrderID: "6116229263036", Status: StatusPaid, Amount: "105.00", Currency: "INR",
		OccurredAt: "2026-11-21T19:55:00Z"})
	if ev.TimeFromBody {
		t.Error("KwikPaisa events carry no time; occurred_at is the time received")
	}
	for _, c := range []struct {
		event, status string
		t             EventType
		st            Status
	}{
		{"payment.failed", "FAILED", EventOrderFailed, StatusFailed},
		{"payment.expired", "EXPIRED", EventOrderFailed, StatusExpired},
		{"payment.processing", "PROCESSING", EventOrderPending, StatusPending},
	} {
		b := `{"event":"` + c.event + `","data":{"order_id":6116229263036,"kwikX_order_id":"KX1","transaction_id":"T1","amount":105,"currency":"INR","status":"` + c.status + `"}}`
		ev := one(ParseKwikPaisaEvent([]byte(b), eventReceived))
		if ev.Type != c.t || ev.Status != c.st || ev.OrderID != "6116229263036" || ev.Amount != "105.00" || ev.GatewayOrderID != "KX1" || ev.PaymentID != "T1" {
			t.Errorf("%s mapped to %+v", c.event, ev)
		}
	}
	for name, b := range map[string]string{
		"payout":        `{"event":"payout.success","data":{}}`,
		"contradiction": `{"event":"payment.success","data":{"order_id":"A1","amount":"1.00","currency":"INR","status":"FAILED"}}`,
		"no data":       `{"event":"payment.success"}`,
		"bad amount":    `{"event":"payment.success","data":{"order_id":"A1","amount":"1.005","currency":"INR","status":"PAID"}}`,
	} {
		if _, err := ParseKwikPaisaEvent([]byte(b), eventReceived); err == nil {
			t.Errorf("%s: mapped", name)
		}
	}
}

func TestEnKashNotificationAndStatus(t *testing.T) {
	id, err := ParseEnKashNotification([]byte(`{"orderId":"ORD-7","orderStatus":"PAID","transactionId":"T9","amount":1,"checksum":"x"}`))
	if err != nil || id != "ORD-7" {
		t.Fatalf("orderId = %q, %v", id, err)
	}
	for _, b := range []string{`{}`, `{"orderId":"../../admin"}`, `[]`, `{"orderId":"A"} x`} {
		if _, err := ParseEnKashNotification([]byte(b)); err == nil {
			t.Errorf("%s: accepted", b)
		}
	}
	cases := map[Status]EventType{StatusPaid: EventOrderPaid, StatusCreated: EventOrderPending, StatusPending: EventOrderPending,
		StatusFailed: EventOrderFailed, StatusExpired: EventOrderFailed, StatusCancelled: EventOrderFailed}
	for st, want := range cases {
		res := &Result{Gateway: "enkash", OrderID: "ORD-7", GatewayOrderID: "EK1", Status: st, Amount: "10.00", Currency: "INR"}
		ev, err := EventFromStatus("enkash", EnKashNotifyEvent, res, eventReceived)
		if err != nil || ev.Type != want || ev.Amount != "10.00" || ev.OrderID != "ORD-7" || ev.GatewayOrderID != "EK1" {
			t.Errorf("%s: %+v %v", st, ev, err)
		}
	}
	if _, err := EventFromStatus("enkash", EnKashNotifyEvent, &Result{OrderID: "ORD-7", Status: StatusUnknown}, eventReceived); err == nil {
		t.Error("unknown status mapped")
	}
}

func TestConfirmWith(t *testing.T) {
	paid := func() *Event {
		return &Event{Type: EventOrderPaid, GatewayOrderID: "order_1", Amount: "105.50", Currency: "INR"}
	}
	cases := []struct {
		name string
		ev   *Event
		res  Result
		want ConfirmVerdict
	}{
		{"agrees", paid(), Result{GatewayOrderID: "order_1", Status: StatusPaid, Amount: "105.5", Currency: "INR"}, Confirmed},
		{"not paid yet", paid(), Result{GatewayOrderID: "order_1", Status: StatusPending, Amount: "105.50", Currency: "INR"}, NotYet},
		{"other amount", paid(), Result{GatewayOrderID: "order_1", Status: StatusPaid, Amount: "1.00", Currency: "INR"}, Contradicted},
		{"other currency", paid(), Result{GatewayOrderID: "order_1", Status: StatusPaid, Amount: "105.50", Currency: "USD"}, Contradicted},
		{"other order", paid(), Result{GatewayOrderID: "order_2", Status: StatusPaid, Amount: "105.50", Currency: "INR"}, Contradicted},
		{"failed attempt, order open", &Event{Type: EventOrderFailed, GatewayOrderID: "order_1", Amount: "105.50", Currency: "INR"},
			Result{GatewayOrderID: "order_1", Status: StatusPending, Amount: "105.50", Currency: "INR"}, Confirmed},
	}
	for _, c := range cases {
		if got, _ := c.ev.ConfirmWith(&c.res); got != c.want {
			t.Errorf("%s: verdict %d, want %d", c.name, got, c.want)
		}
	}
}

// The JSON the app receives has the documented keys and nothing else.
func TestEventJSONShape(t *testing.T) {
	one := oneOf(t)
	ev := one(ParseRazorpayEvent(eventFixture(t, "razorpay", "webhook_refund_processed.json"), eventReceived))
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
