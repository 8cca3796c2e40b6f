package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/enkash"
	"github.com/paygate/caddy-paygate/transform/juspay"
	"github.com/paygate/caddy-paygate/transform/kwikpaisa"
	"github.com/paygate/caddy-paygate/transform/razorpay"
)

func specNamed(t *testing.T, name string) *gatewaySpec {
	t.Helper()
	for _, s := range gatewaySpecs() {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no gateway %s", name)
	return nil
}

// credValue is the load-test credential exported as env.
func credValue(t *testing.T, spec *gatewaySpec, env string) string {
	t.Helper()
	for _, c := range spec.creds {
		if c.env == env {
			return c.value
		}
	}
	t.Fatalf("%s has no credential %s", spec.name, env)
	return ""
}

// The stand-in's answers to every upstream call of a refund pass paygate's
// own steps (refund.go: status, CheckRefundable, refund target, refund)
// with the refund id and amount sent echoed, for every gateway with a
// refund API; two amounts show the amount is echoed, not fixed.
func TestStandinRefundAnswersPassPaygatesParsers(t *testing.T) {
	srv := httptest.NewServer(newStandin().handler())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	wantStatus := map[string]transform.RefundStatus{"razorpay": transform.RefundSucceeded, "juspay": transform.RefundPending, "enkash": transform.RefundPending}
	measured := 0
	for _, spec := range gatewaySpecs() {
		if ok, _ := spec.supports(opRefund); !ok {
			if _, refunds := spec.transform.(transform.Refunder); refunds && spec.name != "kwikpaisa" {
				t.Errorf("%s has a refund API but no refund segment", spec.name)
			}
			continue
		}
		measured++
		sign, err := spec.session(t.Context(), host)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := planRefund(t.Context(), spec, sign, host, refundOrderID)
		if err != nil {
			t.Fatalf("%s: %v", spec.name, err)
		}
		if plan.order.Status != transform.StatusPaid || plan.order.Amount != paidAmount || plan.order.Currency != "INR" || plan.target == "" {
			t.Errorf("%s: planned on order %+v, target %q", spec.name, plan.order, plan.target)
		}
		if n := len(plan.prefix) + 1; n != len(spec.refundSteps) {
			t.Errorf("%s: %d upstream calls per refund, %d markers", spec.name, n, len(spec.refundSteps))
		}
		g := spec.transform.(transform.Refunder)
		for i, amount := range []string{"50.00", "2.75"} {
			id := refundID(9, i)
			r, e := transform.DecodeRefund(refundBody(id, amount))
			if e != nil {
				t.Fatal(e)
			}
			c := &transform.RefundCall{Order: plan.order, Target: plan.target, RefundID: id, Refund: r}
			req, e := g.BuildRefund(c)
			if e != nil {
				t.Fatal(e)
			}
			st, body, err := upstreamCall(t.Context(), sign, host, req)
			if err != nil {
				t.Fatal(err)
			}
			if m := spec.refundSteps[len(spec.refundSteps)-1].marker; !bytes.Contains(body, m) {
				t.Errorf("%s: refund answer lacks the plain route's marker %s:\n%s", spec.name, m, body)
			}
			res, e := g.ParseRefund(c, st, body)
			if e != nil {
				t.Fatalf("%s: paygate refuses the refund answer: %v\n%s", spec.name, e, body)
			}
			if res.RefundID != id || res.Amount != amount || res.Currency != "INR" || res.GatewayRefundID == "" || res.Status != wantStatus[spec.name] {
				t.Errorf("%s: refund %+v; want %s of INR %s, %s, a gateway id", spec.name, res, id, amount, wantStatus[spec.name])
			}
			if !bytes.Contains(res.JSON(), spec.refundOK) {
				t.Errorf("%s: paygate's answer %s lacks the marker %s the harness counts", spec.name, res.JSON(), spec.refundOK)
			}
		}
		// An order the stand-in created and nobody paid is not refundable:
		// paid orders are the stand-in's doing, not a blanket success.
		o, e := transform.DecodeOrder(canonicalBody(orderID(9, 0)))
		if e != nil {
			t.Fatal(e)
		}
		creq, e := spec.transform.BuildCreate(o)
		if e != nil {
			t.Fatal(e)
		}
		if st, b, err := upstreamCall(t.Context(), sign, host, creq); err != nil || st != http.StatusOK {
			t.Fatalf("%s: create %d %s %v", spec.name, st, b, err)
		}
		if _, err := planRefund(t.Context(), spec, sign, host, orderID(9, 0)); err == nil || !strings.Contains(err.Error(), "not refundable") {
			t.Errorf("%s: an unpaid order planned for refund: %v", spec.name, err)
		}
	}
	if measured != 3 {
		t.Errorf("%d gateways with a refund segment; want razorpay, juspay and enkash", measured)
	}
	// Razorpay lists no payment for an order nobody paid.
	st, body, err := upstreamCall(t.Context(), func(http.Header, *transform.Request) {}, host,
		transform.Request{Method: http.MethodGet, Path: "/v1/orders/order_L00000000001/payments"})
	if err != nil {
		t.Fatal(err)
	}
	if _, e := (razorpay.Dialect{}).ParseRefundTarget(&transform.Result{Gateway: "razorpay", GatewayOrderID: "order_L00000000001", Currency: "INR"}, st, body); e == nil {
		t.Errorf("a payment found for an unpaid order: %s", body)
	}
}

// The plain refund route's calls, as the harness builds them, pass its own
// checks against the stand-in step by step, and the paygate route's
// request is the canonical refund with a new refund_id each time.
func TestRefundCallsAsBuilt(t *testing.T) {
	srv := httptest.NewServer(newStandin().handler())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	h := &harness{segment: 4}
	for _, spec := range gatewaySpecs() {
		if ok, _ := spec.supports(opRefund); !ok {
			continue
		}
		s := &site{spec: spec, front: host, upstream: host}
		calls, err := h.buildCalls(t.Context(), s, opRefund, plainRoute, 3)
		if err != nil {
			t.Fatalf("%s: %v", spec.name, err)
		}
		ph := &phase{addr: host, requests: calls, concurrency: 1, timeout: 5 * time.Second, deadline: time.Now().Add(time.Minute)}
		res := ph.run(t.Context())
		ph.closeConns()
		if res.ok() != 3 || res.errors != 0 {
			t.Errorf("%s: %d plain refunds passed, %d failed (%s)", spec.name, res.ok(), res.errors, res.sample)
		}
		for _, c := range calls {
			if len(c) != len(spec.refundSteps) {
				t.Errorf("%s: a plain refund of %d calls; paygate makes %d", spec.name, len(c), len(spec.refundSteps))
			}
		}
		pcalls, err := h.buildCalls(t.Context(), s, opRefund, paygateRoute, 2)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, c := range pcalls {
			raw := string(c[0].raw)
			if !strings.HasPrefix(raw, "POST /pay/orders/"+refundOrderID+"/refunds HTTP/1.1\r\n") {
				t.Errorf("%s: paygate refund request\n%s", spec.name, raw)
			}
			body := raw[strings.Index(raw, "\r\n\r\n")+4:]
			r, e := transform.DecodeRefund([]byte(body))
			if e != nil {
				t.Fatalf("%s: paygate would refuse %s: %v", spec.name, body, e)
			}
			if seen[r.RefundID] {
				t.Errorf("%s: refund_id %s repeats", spec.name, r.RefundID)
			}
			seen[r.RefundID] = true
		}
	}
}

// Every notification the harness sends passes the verifier paygate_webhook
// uses (signers) with the credentials Caddy is given, fails it once
// tampered with, and maps to a paid-order event of its own: a canonical
// event id that no other notification of the segment has, so that
// paygate_webhook delivers every one instead of deduplicating.
func TestNotificationsPassPaygatesVerifiersAndParsers(t *testing.T) {
	srv := httptest.NewServer(newStandin().handler())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	now := time.Now()
	for _, spec := range gatewaySpecs() {
		if spec.webhook == nil {
			t.Errorf("%s: no webhook segment", spec.name)
			continue
		}
		ids := map[string]bool{}
		for i := range 3 {
			orderID := webhookOrderID(5, i)
			headers, body := spec.webhook.notify(orderID, now)
			hdr := http.Header{}
			for _, kv := range headers {
				hdr.Add(kv[0], kv[1])
			}
			verify := func(body []byte, hdr http.Header) error { return nil }
			var parse func([]byte, time.Time) ([]*transform.Event, error)
			switch spec.name {
			case "razorpay":
				v := signers.NewWebhookHMAC(credValue(t, spec, "PAYGATE_LOAD_RAZORPAY_WEBHOOK_SECRET"))
				verify = func(body []byte, hdr http.Header) error {
					_, err := v.Verify(body, hdr.Get("X-Razorpay-Signature"))
					return err
				}
				parse = razorpay.ParseEvent
			case "kwikpaisa":
				v := signers.NewWebhookTimestampHMAC(credValue(t, spec, "PAYGATE_LOAD_KWIKPAISA_SECRET_KEY"), 300*time.Second, nil)
				verify = func(body []byte, hdr http.Header) error {
					_, m, err := v.Verify(body, func() ([]byte, bool) { return nil, false }, hdr.Get("X-Timestamp"), hdr.Get("X-Signature"))
					if err == nil && m != signers.MatchRaw {
						t.Errorf("kwikpaisa: verified as %s, not over the raw body sent", m)
					}
					return err
				}
				parse = kwikpaisa.ParseEvent
			case "juspay":
				v := signers.NewWebhookBasic(credValue(t, spec, "PAYGATE_LOAD_JUSPAY_WEBHOOK_USERNAME"), credValue(t, spec, "PAYGATE_LOAD_JUSPAY_WEBHOOK_PASSWORD"))
				verify = func(_ []byte, hdr http.Header) error { return v.Verify(hdr.Get("Authorization")) }
				parse = juspay.ParseEvent
			case "enkash":
				// Nothing to verify: the event comes from the order's status,
				// which the stand-in reports paid.
				parse = func(body []byte, received time.Time) ([]*transform.Event, error) {
					id, err := enkash.ParseNotification(body)
					if err != nil {
						return nil, err
					}
					req, e := spec.transform.BuildStatus(id)
					if e != nil {
						return nil, e
					}
					st, sb, err := upstreamCall(t.Context(), func(http.Header, *transform.Request) {}, host, req)
					if err != nil {
						return nil, err
					}
					if !bytes.Contains(sb, spec.webhook.confirmOK) {
						t.Errorf("enkash: status answer lacks the plain route's marker %s: %s", spec.webhook.confirmOK, sb)
					}
					res, e := spec.transform.ParseStatus(id, st, sb)
					if e != nil {
						return nil, e
					}
					ev, err := transform.EventFromStatus("enkash", enkash.NotifyEvent, res, received)
					if err != nil {
						return nil, err
					}
					return []*transform.Event{ev}, nil
				}
			}
			if err := verify(body, hdr); err != nil {
				t.Fatalf("%s: paygate's verifier refuses the notification: %v\n%s", spec.name, err, body)
			}
			if spec.name != "enkash" {
				tampered := bytes.Replace(body, []byte(orderID), []byte(webhookOrderID(6, i)), 1)
				bad := hdr.Clone()
				if spec.name == "juspay" {
					bad.Set("Authorization", "Basic bG9hZF9qdXNwYXlfaG9vazp3cm9uZw==") // load_juspay_hook:wrong
				}
				if bytes.Equal(tampered, body) || verify(tampered, bad) == nil {
					t.Errorf("%s: a tampered notification passes verification", spec.name)
				}
			}
			evs, err := parse(body, now)
			if err != nil || len(evs) != 1 {
				t.Fatalf("%s: %d events, %v\n%s", spec.name, len(evs), err, body)
			}
			ev := evs[0]
			if ev.Type != transform.EventOrderPaid || ev.OrderID != orderID || ev.Amount != paidAmount || ev.Currency != "INR" {
				t.Errorf("%s: event %+v; want order.paid of %s, INR %s", spec.name, ev, orderID, paidAmount)
			}
			ev.Identify("load-space")
			if ids[ev.EventID] {
				t.Errorf("%s: event id %s repeats: paygate_webhook would deduplicate", spec.name, ev.EventID)
			}
			ids[ev.EventID] = true
		}
	}
}

// The application endpoint counts paygate's events apart from the plain
// route's raw notifications.
func TestStandinAppCounts(t *testing.T) {
	srv := httptest.NewServer(newStandin().handler())
	defer srv.Close()
	for _, withID := range []bool{true, true, false} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+appPath, strings.NewReader(`{"event_id":"ev_1"}`))
		if withID {
			req.Header.Set("Paygate-Event-Id", "ev_1")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(b.Bytes(), appOK) {
			t.Errorf("app answered %d %s", resp.StatusCode, b.Bytes())
		}
	}
	resp, err := http.Get(srv.URL + appPath + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st appStats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || st != (appStats{Events: 2, Other: 1}) {
		t.Errorf("stats %+v, %v; want 2 events, 1 other", st, err)
	}
}

func TestParseOps(t *testing.T) {
	got, err := parseOps("refund, create,webhook")
	if err != nil || len(got) != 3 || got[0] != opRefund || got[1] != opCreate || got[2] != opWebhook {
		t.Errorf("%v %v", got, err)
	}
	for _, bad := range []string{"", "create,create", "capture", "create,"} {
		if _, err := parseOps(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The summary and the budget lines name the operation beside the gateway.
func TestReportNamesOperations(t *testing.T) {
	seg := func(us int64) *result {
		r := &result{elapsed: time.Second, cpuTicks: -1, upCPUTicks: -1}
		for range 100 {
			r.latencies = append(r.latencies, us*1000)
		}
		return r
	}
	var reports []*gatewayReport
	for _, o := range []operation{opCreate, opRefund} {
		rep := &gatewayReport{name: "razorpay", op: o}
		for _, c := range []int{1, 16} {
			l := &level{concurrency: c}
			l.rounds[plainRoute] = []*result{seg(300)}
			l.rounds[paygateRoute] = []*result{seg(340)}
			rep.lat = append(rep.lat, l)
		}
		reports = append(reports, rep)
	}
	var out strings.Builder
	h := &harness{cfg: config{rounds: 3}, out: &out}
	h.printGateway(reports[1])
	h.printSummary(reports)
	text := out.String()
	for _, want := range []string{
		"## razorpay refund\n",
		"| gateway | operation | throughput at 16 connections",
		"| razorpay | create | 100.0 % | 100 → 100 | +40 µs |",
		"| razorpay | refund | 100.0 % | 100 → 100 | +40 µs |",
		"PASS  razorpay refund    throughput at 16 connections",
		"PASS  razorpay create    added p50 at 1 connection          +40 µs",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}
