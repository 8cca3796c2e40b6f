package tests

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

// Payment events through Caddy: each gateway's emulator builds and signs a
// notification as the gateway would, paygate_webhook verifies it and hands
// the canonical event to a recording application behind reverse_proxy.

const (
	whRzpSecret    = "whsec-rzp-current-7c41d2"
	whRzpOldSecret = "whsec-rzp-previous-0b9e55"
	whKpSecret     = "wh-kp-secret-51aa03"
	whJpPassword   = "wh-jp-password-9d3e"
	whEkSecret     = "wh-ek-secret-2c7f10"
	whJuspayKey    = "WHJUSPAYKEY0A1B2C3D4E5F"
	whJpUser       = "shopwebhook"
)

// testApp is the merchant's application: it records every request and
// answers with the status it is told to.
type whApp struct {
	mu     sync.Mutex
	got    []whAppRequest
	status atomic.Int32
	delay  atomic.Int64 // nanoseconds before answering
}

type whAppRequest struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

func (a *whApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if d := a.delay.Load(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	status := int(a.status.Load())
	a.mu.Lock()
	a.got = append(a.got, whAppRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	a.mu.Unlock()
	w.WriteHeader(status)
	fmt.Fprint(w, `{"ok":true}`)
}

// received returns what the app got so far (also the failed answers).
func (a *whApp) received() []whAppRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]whAppRequest(nil), a.got...)
}

func (a *whApp) reset() {
	a.mu.Lock()
	a.got = nil
	a.mu.Unlock()
}

// serveApp serves a on a new loopback listener and returns its address.
func serveWhApp(t *testing.T, a *whApp) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveWhAppOn(t, a, ln)
}

func serveWhAppOn(t *testing.T, a *whApp, ln net.Listener) string {
	srv := &http.Server{Handler: a}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func newWhApp() *whApp {
	a := &whApp{}
	a.status.Store(http.StatusOK)
	return a
}

// webhookCaddyfile serves the canonical API of the four gateways (their
// emulators behind), a paygate_webhook route per gateway in front of the
// app, and variants: confirm_with for Razorpay, an app that is not there,
// the published Razorpay vector's secret, two routes sharing file storage.
func webhookCaddyfile(app, downApp, storageDir string) string {
	return fmt.Sprintf(`
:9960 {
	handle /razorpay/* {
		paygate razorpay {
			key_id     rzp_test_wh
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		}
		reverse_proxy 127.0.0.1:9961
	}
	handle /kwikpaisa/* {
		paygate kwikpaisa {
			api_key    pk_test_wh
			secret_key {env.PAYGATE_WH_KP_SECRET}
		}
		reverse_proxy 127.0.0.1:9962
	}
	handle /juspay/* {
		paygate juspay {
			api_key     {env.PAYGATE_WH_JUSPAY_KEY}
			merchant_id paygate_wh
		}
		reverse_proxy 127.0.0.1:9963
	}
	handle /enkash/* {
		paygate enkash {
			access_key ek_wh_access
			secret_key {env.PAYGATE_WH_EK_SECRET}
			token_url  http://127.0.0.1:9964/api/v0/merchant/token
		}
		reverse_proxy 127.0.0.1:9964
	}

	handle /webhooks/razorpay {
		paygate_webhook razorpay {
			webhook_secret {env.PAYGATE_WH_RZP_SECRET} {env.PAYGATE_WH_RZP_OLD}
			account        rzp_test_wh
			forward_path   /payment-events
		}
		reverse_proxy %[1]s
	}
	handle /webhooks/kwikpaisa {
		paygate_webhook kwikpaisa {
			api_key      pk_test_wh
			secret_key   {env.PAYGATE_WH_KP_SECRET}
			forward_path /payment-events
		}
		reverse_proxy %[1]s
	}
	handle /webhooks/juspay {
		paygate_webhook juspay {
			username     shopwebhook
			password     {env.PAYGATE_WH_JP_PASSWORD}
			account      paygate_wh
			forward_path /payment-events
		}
		reverse_proxy %[1]s
	}
	handle /webhooks/enkash {
		paygate_webhook enkash {
			confirm_with http://127.0.0.1:9960/enkash
			account      ek_wh_access
			forward_path /payment-events
		}
		reverse_proxy %[1]s
	}

	handle /webhooks/razorpay-confirmed {
		paygate_webhook razorpay {
			webhook_secret {env.PAYGATE_WH_RZP_SECRET}
			account        rzp_test_wh
			record_space   confirmed
			confirm_with   http://127.0.0.1:9960/razorpay
			forward_path   /payment-events
		}
		reverse_proxy %[1]s
	}
	handle /webhooks/razorpay-flaky {
		paygate_webhook razorpay {
			webhook_secret {env.PAYGATE_WH_RZP_SECRET}
			record_space   flaky
		}
		reverse_proxy %[2]s
	}
	handle /webhooks/razorpay-vector {
		paygate_webhook razorpay {
			webhook_secret key_secret
			record_space   vector
		}
		reverse_proxy %[1]s
	}
	handle /webhooks/shared-a {
		paygate_webhook razorpay {
			webhook_secret {env.PAYGATE_WH_RZP_SECRET}
			account        rzp_test_shared
			storage file_system {
				root %[3]s
			}
		}
		reverse_proxy %[1]s
	}
	handle /webhooks/shared-b {
		paygate_webhook razorpay {
			account        rzp_test_shared
			webhook_secret {env.PAYGATE_WH_RZP_SECRET}
			max_body       128KiB
			storage file_system {
				root %[3]s
			}
		}
		reverse_proxy %[1]s
	}
}

:9961 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   wh-rzp
		key_id     rzp_test_wh
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}
:9962 {
	bind 127.0.0.1
	paygate_emulator kwikpaisa {
		instance   wh-kp
		api_key    pk_test_wh
		secret_key {env.PAYGATE_WH_KP_SECRET}
	}
}
:9963 {
	bind 127.0.0.1
	paygate_emulator juspay {
		instance    wh-jp
		api_key     {env.PAYGATE_WH_JUSPAY_KEY}
		merchant_id paygate_wh
		version     2023-01-01
	}
}
:9964 {
	bind 127.0.0.1
	paygate_emulator enkash {
		instance   wh-ek
		access_key ek_wh_access
		secret_key {env.PAYGATE_WH_EK_SECRET}
	}
}
`, app, downApp, storageDir)
}

// whEnv sets the secrets the webhook config reads.
func whEnv(t *testing.T) {
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	t.Setenv("PAYGATE_WH_RZP_SECRET", whRzpSecret)
	t.Setenv("PAYGATE_WH_RZP_OLD", whRzpOldSecret)
	t.Setenv("PAYGATE_WH_KP_SECRET", whKpSecret)
	t.Setenv("PAYGATE_WH_JP_PASSWORD", whJpPassword)
	t.Setenv("PAYGATE_WH_JUSPAY_KEY", whJuspayKey)
	t.Setenv("PAYGATE_WH_EK_SECRET", whEkSecret)
}

// whSetup starts the config with a fresh app; downApp is an address where
// nothing listens (yet).
func whSetup(t *testing.T) (app *whApp, downAddr string) {
	t.Helper()
	whEnv(t)
	app = newWhApp()
	addr := serveWhApp(t, app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	downAddr = ln.Addr().String()
	ln.Close()
	startCaddy(t, webhookCaddyfile(addr, downAddr, t.TempDir()))
	whWaitReady(t)
	for _, n := range []string{"wh-rzp", "wh-kp", "wh-jp", "wh-ek"} {
		freshEmulator(t, n)
	}
	return app, downAddr
}

// whWaitReady waits until the new config answers (see kpWaitReady: the
// previous config's sockets close a moment after a reload).
func whWaitReady(t *testing.T) {
	t.Helper()
	ok := 0
	for attempt := 0; attempt < 100 && ok < 3; attempt++ {
		time.Sleep(20 * time.Millisecond)
		resp, err := client.Get(url(9960, "/webhooks/kwikpaisa"))
		if err != nil {
			ok = 0
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusMethodNotAllowed {
			ok++
		} else {
			ok = 0
		}
	}
	if ok < 3 {
		t.Fatal("the webhook config did not come up")
	}
}

var (
	whRun    = strconv.FormatInt(time.Now().UnixNano()%(1<<30), 36)
	whSerial atomic.Int64
)

// whID is an order id unique to this test run (emulators and records
// outlive a test); at most 20 characters, as Juspay allows.
func whID() string { return fmt.Sprintf("WH%s%d", whRun, whSerial.Add(1)) }

// whGateway is one gateway's side of the tests.
type whGateway struct {
	name     string
	instance string
	opts     emulator.WebhookOptions
	route    string // the paygate_webhook route
	verified string // Paygate-Verified-By
}

func whGateways() []whGateway {
	return []whGateway{
		{"razorpay", "wh-rzp", emulator.WebhookOptions{Secret: whRzpSecret}, "/webhooks/razorpay", "signature"},
		{"kwikpaisa", "wh-kp", emulator.WebhookOptions{}, "/webhooks/kwikpaisa", "signature"},
		{"juspay", "wh-jp", emulator.WebhookOptions{Username: whJpUser, Password: whJpPassword}, "/webhooks/juspay", "basic_auth"},
		{"enkash", "wh-ek", emulator.WebhookOptions{}, "/webhooks/enkash", "status_api"},
	}
}

// createOrder creates an order of 105.50 INR through paygate and returns
// the gateway's order id.
func (g whGateway) createOrder(t *testing.T, id string) string {
	t.Helper()
	body := fmt.Sprintf(`{"order_id":%q,"amount":"105.50","currency":"INR"}`, id)
	if g.name != "razorpay" {
		body = fmt.Sprintf(`{"order_id":%q,"amount":"105.50","currency":"INR",
			"customer":{"id":"c-1","name":"Ajay Kumar","email":"ajay@example.com","phone":"9816512345"},
			"return_url":"https://shop.example.com/return"}`, id)
	}
	r := call(t, "POST", url(9960, "/"+g.name+"/orders"), body)
	if r.status != http.StatusCreated {
		t.Fatalf("%s create: %d %s", g.name, r.status, r.body)
	}
	return r.json(t)["gateway_order_id"].(string)
}

func (g whGateway) build(t *testing.T, whEvent, orderID string) *emulator.Webhook {
	t.Helper()
	wh, err := emulator.BuildWebhook(mustEmulator(t, g.instance), whEvent, orderID, g.opts)
	if err != nil {
		t.Fatal(err)
	}
	return wh
}

// send delivers a notification to a route on :9960, as the gateway would.
func whSend(t *testing.T, wh *emulator.Webhook, route string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url(9960, route), bytes.NewReader(wh.Body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = wh.Header.Clone()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("sending the %s webhook: %v", wh.Gateway, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// event decodes what the app received.
func whEvent(t *testing.T, r whAppRequest) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("the app got no JSON (%v): %s", err, r.Body)
	}
	return m
}

var whEventIDPattern = regexp.MustCompile(`^ev_[0-9a-f]{32}$`)

// gatewayHeaders must never reach the application.
var whGatewayHeaders = []string{"X-Razorpay-Signature", "X-Razorpay-Event-Id", "X-Signature", "X-Timestamp",
	"Authorization", "User-Agent"}

// checkForwarded checks the request the app got against docs/events.md
// "What the app receives".
func whCheckForwarded(t *testing.T, g whGateway, r whAppRequest, orderID, gwOrderID string) map[string]any {
	t.Helper()
	if r.Method != http.MethodPost || r.Path != "/payment-events" || r.Query != "" {
		t.Errorf("%s: app got %s %s?%s, want POST /payment-events", g.name, r.Method, r.Path, r.Query)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s: Content-Type %q", g.name, ct)
	}
	for _, h := range whGatewayHeaders {
		if v := r.Header.Get(h); v != "" && !(h == "User-Agent" && strings.HasPrefix(v, "Go-http-client")) {
			t.Errorf("%s: gateway header %s reached the app: %q", g.name, h, v)
		}
	}
	ev := whEvent(t, r)
	if ev["event_id"] != r.Header.Get("Paygate-Event-Id") || !whEventIDPattern.MatchString(r.Header.Get("Paygate-Event-Id")) {
		t.Errorf("%s: Paygate-Event-Id %q, body event_id %v", g.name, r.Header.Get("Paygate-Event-Id"), ev["event_id"])
	}
	if r.Header.Get("Paygate-Verified-By") != g.verified || ev["verified_by"] != g.verified {
		t.Errorf("%s: verified by %q / %v, want %s", g.name, r.Header.Get("Paygate-Verified-By"), ev["verified_by"], g.verified)
	}
	want := map[string]any{"type": "order.paid", "gateway": g.name, "order_id": orderID, "status": "paid",
		"amount": "105.50", "currency": "INR"}
	if gwOrderID != "" {
		want["gateway_order_id"] = gwOrderID
	}
	for k, v := range want {
		if ev[k] != v {
			t.Errorf("%s: %s = %v, want %v (event %s)", g.name, k, ev[k], v, r.Body)
		}
	}
	if at, _ := ev["occurred_at"].(string); !strings.HasSuffix(at, "Z") {
		t.Errorf("%s: occurred_at %q is not RFC 3339 UTC", g.name, at)
	} else if _, err := time.Parse(time.RFC3339, at); err != nil {
		t.Errorf("%s: occurred_at %q: %v", g.name, at, err)
	}
	if ev["gateway_event"] == "" || ev["gateway_event_id"] == nil {
		t.Errorf("%s: gateway_event / gateway_event_id missing: %s", g.name, r.Body)
	}
	return ev
}

func TestWebhookPaidEventReachesAppOnceEveryGateway(t *testing.T) {
	app, _ := whSetup(t)
	for _, g := range whGateways() {
		app.reset()
		id := whID()
		gwID := g.createOrder(t, id)
		wh := g.build(t, "paid", id)
		if r := whSend(t, wh, g.route); r.status != http.StatusOK {
			t.Fatalf("%s: gateway got %d %s", g.name, r.status, r.body)
		}
		got := app.received()
		if len(got) != 1 {
			t.Fatalf("%s: app got %d requests, want 1", g.name, len(got))
		}
		if g.name == "kwikpaisa" {
			gwID = "" // KwikPaisa's webhook body names only the merchant's order_id
		}
		whCheckForwarded(t, g, got[0], id, gwID)
		// A redelivery of the same notification: 200, not forwarded.
		if r := whSend(t, wh, g.route); r.status != http.StatusOK {
			t.Fatalf("%s redelivery: %d %s", g.name, r.status, r.body)
		}
		// The gateway sends the same fact again, as a new notification
		// (Razorpay: payment.captured after order.paid of one payment).
		again := "paid"
		if g.name == "razorpay" {
			again = "payment.captured"
		}
		if r := whSend(t, g.build(t, again, id), g.route); r.status != http.StatusOK {
			t.Fatalf("%s second notification: %d %s", g.name, r.status, r.body)
		}
		if n := len(app.received()); n != 1 {
			t.Fatalf("%s: app got %d requests after redeliveries, want 1", g.name, n)
		}
		t.Logf("%s: %s", g.name, got[0].Body)
	}
}

// Razorpay's payment.captured may come first; it carries no receipt, so
// order_id is empty and gateway_order_id names the order; the order.paid
// that follows is the same event and does not reach the app.
func TestWebhookRazorpayCapturedThenOrderPaid(t *testing.T) {
	app, _ := whSetup(t)
	g := whGateways()[0]
	id := whID()
	gwID := g.createOrder(t, id)
	if r := whSend(t, g.build(t, "payment.captured", id), g.route); r.status != http.StatusOK {
		t.Fatalf("payment.captured: %d %s", r.status, r.body)
	}
	if r := whSend(t, g.build(t, "order.paid", id), g.route); r.status != http.StatusOK {
		t.Fatalf("order.paid: %d %s", r.status, r.body)
	}
	got := app.received()
	if len(got) != 1 {
		t.Fatalf("app got %d requests, want 1", len(got))
	}
	// paygate created the order: its create records name the merchant order_id.
	ev := whCheckForwarded(t, g, got[0], id, gwID)
	if ev["gateway_event"] != "payment.captured" {
		t.Errorf("gateway_event %v", ev["gateway_event"])
	}
	// A failed attempt of another order learnt from order.paid: the
	// merchant's order_id is resolved from it.
	id2 := whID()
	g.createOrder(t, id2)
	whSend(t, g.build(t, "order.paid", id2), g.route)
	app.reset()
	if r := whSend(t, g.build(t, "payment.failed", id2), g.route); r.status != http.StatusOK {
		t.Fatalf("payment.failed: %d %s", r.status, r.body)
	}
	got = app.received()
	if len(got) != 1 {
		t.Fatalf("payment.failed reached the app %d times", len(got))
	}
	if ev := whEvent(t, got[0]); ev["type"] != "order.failed" || ev["order_id"] != id2 {
		t.Errorf("payment.failed mapped to %s", got[0].Body)
	}
}

func TestWebhookUnverifiedNeverReachesApp(t *testing.T) {
	app, _ := whSetup(t)
	gws := whGateways()
	type attempt struct {
		name  string
		wh    func() *emulator.Webhook
		route string
	}
	rzp, kp, jp, ek := gws[0], gws[1], gws[2], gws[3]
	ids := map[string]string{}
	for _, g := range gws {
		ids[g.name] = whID()
		g.createOrder(t, ids[g.name])
	}
	tamper := func(wh *emulator.Webhook) *emulator.Webhook {
		wh.Body = bytes.Replace(wh.Body, []byte(`10550`), []byte(`10551`), 1)
		wh.Body = bytes.Replace(wh.Body, []byte(`105.50`), []byte(`105.51`), 1)
		return wh
	}
	cases := []attempt{
		{"razorpay wrong secret", func() *emulator.Webhook {
			g := rzp
			g.opts.Secret = "not-the-webhook-secret"
			return g.build(t, "paid", ids["razorpay"])
		}, rzp.route},
		{"razorpay API key secret instead of the webhook secret", func() *emulator.Webhook {
			g := rzp
			g.opts.Secret = rzpSecret
			return g.build(t, "paid", ids["razorpay"])
		}, rzp.route},
		{"razorpay tampered amount", func() *emulator.Webhook { return tamper(rzp.build(t, "paid", ids["razorpay"])) }, rzp.route},
		{"razorpay no signature", func() *emulator.Webhook {
			wh := rzp.build(t, "paid", ids["razorpay"])
			wh.Header.Del("X-Razorpay-Signature")
			return wh
		}, rzp.route},
		{"kwikpaisa stale timestamp", func() *emulator.Webhook {
			g := kp
			g.opts.At = time.Now().Add(-301 * time.Second)
			return g.build(t, "paid", ids["kwikpaisa"])
		}, kp.route},
		{"kwikpaisa future timestamp", func() *emulator.Webhook {
			g := kp
			g.opts.At = time.Now().Add(10 * time.Minute)
			return g.build(t, "paid", ids["kwikpaisa"])
		}, kp.route},
		{"kwikpaisa tampered amount", func() *emulator.Webhook { return tamper(kp.build(t, "paid", ids["kwikpaisa"])) }, kp.route},
		{"kwikpaisa timestamp replaced", func() *emulator.Webhook {
			wh := kp.build(t, "paid", ids["kwikpaisa"])
			ts, _ := strconv.ParseInt(wh.Header.Get("X-Timestamp"), 10, 64)
			wh.Header.Set("X-Timestamp", strconv.FormatInt(ts-1, 10))
			return wh
		}, kp.route},
		{"juspay wrong password", func() *emulator.Webhook {
			g := jp
			g.opts.Password = "guess"
			return g.build(t, "paid", ids["juspay"])
		}, jp.route},
		{"juspay wrong username", func() *emulator.Webhook {
			g := jp
			g.opts.Username = "someone"
			return g.build(t, "paid", ids["juspay"])
		}, jp.route},
		{"juspay no credentials", func() *emulator.Webhook {
			wh := jp.build(t, "paid", ids["juspay"])
			wh.Header.Del("Authorization")
			return wh
		}, jp.route},
		{"enkash order unknown to the gateway", func() *emulator.Webhook {
			wh := ek.build(t, "paid", ids["enkash"])
			wh.Body = bytes.Replace(wh.Body, []byte(ids["enkash"]), []byte("NOSUCHORDER1"), 1)
			return wh
		}, ek.route},
		{"enkash no orderId", func() *emulator.Webhook {
			return &emulator.Webhook{Gateway: "enkash", Header: http.Header{"Content-Type": {"application/json"}},
				Body: []byte(`{"orderStatus":"PAID","amount":105.5}`)}
		}, ek.route},
	}
	for _, c := range cases {
		r := whSend(t, c.wh(), c.route)
		e := r.canonicalError(t, http.StatusUnauthorized, "unauthorized")
		if e["message"] != "the notification could not be verified" || len(e) != 2 {
			t.Errorf("%s: the 401 says more than it should: %s", c.name, r.body)
		}
		if n := len(app.received()); n != 0 {
			t.Fatalf("%s: the app got %d requests", c.name, n)
		}
	}
}

func TestWebhookConcurrentRedeliveriesMakeOneForward(t *testing.T) {
	app, _ := whSetup(t)
	app.delay.Store(int64(300 * time.Millisecond))
	for _, g := range whGateways() {
		app.reset()
		id := whID()
		g.createOrder(t, id)
		wh := g.build(t, "paid", id)
		if r := whSend(t, wh, g.route); r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", g.name, r.status, r.body)
		}
		// A fresh notification of another order, sent 1 + 10 times at once.
		id2 := whID()
		g.createOrder(t, id2)
		wh2 := g.build(t, "paid", id2)
		var wg sync.WaitGroup
		statuses := make([]int, 11)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, _, err := wh2.Send(client, url(9960, g.route))
				if err != nil {
					t.Error(err)
				}
				statuses[i] = s
			}()
		}
		wg.Wait()
		for i, s := range statuses {
			if s != http.StatusOK {
				t.Errorf("%s delivery %d: %d", g.name, i, s)
			}
		}
		got := app.received()
		if len(got) != 2 {
			t.Fatalf("%s: app got %d requests for 1 + (1 + 10) deliveries of two orders, want 2", g.name, len(got))
		}
		if ev := whEvent(t, got[1]); ev["order_id"] != id2 || ev["gateway"] != g.name {
			t.Errorf("%s: second forward is %s", g.name, got[1].Body)
		}
	}
}

func TestWebhookAppFailsThenRecovers(t *testing.T) {
	app, downAddr := whSetup(t)
	for _, g := range whGateways() {
		app.reset()
		id := whID()
		g.createOrder(t, id)
		wh := g.build(t, "paid", id)
		app.status.Store(http.StatusInternalServerError)
		whSend(t, wh, g.route).canonicalError(t, http.StatusServiceUnavailable, "gateway_unavailable")
		app.status.Store(http.StatusOK)
		if r := whSend(t, wh, g.route); r.status != http.StatusOK {
			t.Fatalf("%s redelivery: %d %s", g.name, r.status, r.body)
		}
		if r := whSend(t, wh, g.route); r.status != http.StatusOK {
			t.Fatalf("%s second redelivery: %d %s", g.name, r.status, r.body)
		}
		got := app.received()
		if len(got) != 2 { // the failed attempt and the acknowledged one
			t.Fatalf("%s: app got %d requests, want 2", g.name, len(got))
		}
		first, second := whEvent(t, got[0]), whEvent(t, got[1])
		// EnKash's occurred_at is when paygate confirmed the status; every
		// other gateway's comes from the notification itself.
		if g.name == "enkash" {
			delete(first, "occurred_at")
			delete(second, "occurred_at")
		}
		if fmt.Sprint(first) != fmt.Sprint(second) {
			t.Errorf("%s: the redelivered event differs:\n%s\n%s", g.name, got[0].Body, got[1].Body)
		}
	}

	// The app is not there at all: 503, then it comes up and gets the event.
	g := whGateways()[0]
	id := whID()
	g.createOrder(t, id)
	wh := g.build(t, "paid", id)
	r := whSend(t, wh, "/webhooks/razorpay-flaky")
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("app down: %d %s", r.status, r.body)
	}
	late := newWhApp()
	ln, err := net.Listen("tcp", downAddr)
	if err != nil {
		t.Fatalf("the app's port was taken meanwhile: %v", err)
	}
	serveWhAppOn(t, late, ln)
	for i := 0; i < 2; i++ {
		if r := whSend(t, wh, "/webhooks/razorpay-flaky"); r.status != http.StatusOK {
			t.Fatalf("app up, delivery %d: %d %s", i, r.status, r.body)
		}
	}
	if got := late.received(); len(got) != 1 {
		t.Fatalf("the app got %d requests once up, want 1", len(got))
	} else if got[0].Path != "/webhooks/razorpay-flaky" {
		t.Errorf("without forward_path the path is kept: got %s", got[0].Path)
	}
}

func TestWebhookRazorpayRotationSecret(t *testing.T) {
	app, _ := whSetup(t)
	g := whGateways()[0]
	id := whID()
	g.createOrder(t, id)
	old := g
	old.opts.Secret = whRzpOldSecret
	if r := whSend(t, old.build(t, "paid", id), g.route); r.status != http.StatusOK {
		t.Fatalf("signed with the previous secret: %d %s", r.status, r.body)
	}
	if n := len(app.received()); n != 1 {
		t.Fatalf("app got %d requests", n)
	}
}

// Razorpay's published vector through Caddy: the exact 971 bytes verify
// with "key_secret"; the same bytes without the final newline do not.
func TestWebhookRazorpayPublishedVector(t *testing.T) {
	app, _ := whSetup(t)
	body, err := os.ReadFile("../../shared/reference/fixtures/razorpay/webhook_payment_authorized_python_mock.json")
	if err != nil {
		t.Fatal(err)
	}
	sig := "d60e67fd884556c045e9be7dad57903e33efc7172c17c6e3ef77db42d2b366e9"
	wh := &emulator.Webhook{Gateway: "razorpay", Body: body,
		Header: http.Header{"Content-Type": {"application/json"}, "X-Razorpay-Signature": {sig}}}
	// Verified; the event is from 2014, older than dedupe_window, so it is
	// acknowledged and not forwarded (a replay cannot be told apart).
	if r := whSend(t, wh, "/webhooks/razorpay-vector"); r.status != http.StatusOK {
		t.Fatalf("published vector: %d %s", r.status, r.body)
	}
	wh.Body = bytes.TrimSuffix(body, []byte("\n"))
	if r := whSend(t, wh, "/webhooks/razorpay-vector"); r.status != http.StatusUnauthorized {
		t.Fatalf("vector without its final newline: %d %s", r.status, r.body)
	}
	if n := len(app.received()); n != 0 {
		t.Fatalf("app got %d requests", n)
	}
}

func TestWebhookKwikPaisaCanonicalFallback(t *testing.T) {
	app, _ := whSetup(t)
	g := whGateways()[1]
	id := whID()
	g.createOrder(t, id)
	g.opts.SignCanonical = true
	wh := g.build(t, "paid", id)
	if r := whSend(t, wh, g.route); r.status != http.StatusOK {
		t.Fatalf("signed over the canonical form: %d %s", r.status, r.body)
	}
	if got := app.received(); len(got) != 1 {
		t.Fatalf("app got %d requests", len(got))
	}
}

func whSignRazorpay(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verified events paygate does not map: 200 to the gateway, nothing to the app.
func TestWebhookUnmappedEventsAcknowledged(t *testing.T) {
	app, _ := whSetup(t)
	for _, body := range []string{
		`{"entity":"event","account_id":"acc_X","event":"subscription.charged","contains":[],"payload":{},"created_at":1767225600}`,
		`{"entity":"event","event":"payment.captured","payload":{"payment":{"entity":{"id":"pay_1","amount":"x","currency":"INR","status":"captured"}}}}`,
		`not json`,
	} {
		wh := &emulator.Webhook{Gateway: "razorpay", Body: []byte(body),
			Header: http.Header{"X-Razorpay-Signature": {whSignRazorpay(whRzpSecret, []byte(body))}}}
		if r := whSend(t, wh, "/webhooks/razorpay"); r.status != http.StatusOK {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
	kp := whGateways()[1]
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	payout := []byte(`{"event":"payout.success","data":{"payout_id":"P1"}}`)
	m := hmac.New(sha256.New, []byte(whKpSecret))
	m.Write(payout)
	m.Write([]byte(ts))
	wh := &emulator.Webhook{Gateway: "kwikpaisa", Body: payout,
		Header: http.Header{"X-Timestamp": {ts}, "X-Signature": {hex.EncodeToString(m.Sum(nil))}}}
	if r := whSend(t, wh, kp.route); r.status != http.StatusOK {
		t.Errorf("payout event: %d %s", r.status, r.body)
	}
	if n := len(app.received()); n != 0 {
		t.Fatalf("app got %d requests", n)
	}
	if v := metric(t, "paygate_webhook_events_total", map[string]string{"gateway": "razorpay", "outcome": "unmapped"}); v < 1 {
		t.Errorf("unmapped events not counted: %v", v)
	}
}

func TestWebhookConfirmWith(t *testing.T) {
	app, _ := whSetup(t)
	rzp, ek := whGateways()[0], whGateways()[3]

	// Razorpay, confirmed: payment.captured carries no order_id to look up:
	// acknowledged, not forwarded; order.paid of the same payment is, once
	// the status route says paid.
	id := whID()
	rzp.createOrder(t, id)
	if r := whSend(t, rzp.build(t, "payment.captured", id), "/webhooks/razorpay-confirmed"); r.status != http.StatusOK {
		t.Fatalf("payment.captured without order_id: %d %s", r.status, r.body)
	}
	if n := len(app.received()); n != 0 {
		t.Fatalf("an unconfirmable event reached the app")
	}
	if r := whSend(t, rzp.build(t, "order.paid", id), "/webhooks/razorpay-confirmed"); r.status != http.StatusOK {
		t.Fatalf("confirmed order.paid: %d %s", r.status, r.body)
	}
	if n := len(app.received()); n != 1 {
		t.Fatalf("app got %d requests", n)
	}
	if ev := whEvent(t, app.received()[0]); ev["order_id"] != id || ev["gateway_event"] != "order.paid" {
		t.Errorf("confirmed event %v", ev)
	}
	// A signed order.paid whose amount the gateway's status contradicts:
	// 401, not forwarded.
	app.reset()
	id2 := whID()
	rzp.createOrder(t, id2)
	wh := rzp.build(t, "order.paid", id2)
	wh.Body = bytes.ReplaceAll(wh.Body, []byte(`"amount":10550`), []byte(`"amount":100`))
	wh.Body = bytes.ReplaceAll(wh.Body, []byte(`"amount_paid":10550`), []byte(`"amount_paid":100`))
	wh.Header.Set("X-Razorpay-Signature", whSignRazorpay(whRzpSecret, wh.Body))
	if r := whSend(t, wh, "/webhooks/razorpay-confirmed"); r.status != http.StatusUnauthorized {
		t.Fatalf("contradicted amount: %d %s", r.status, r.body)
	}
	// Paid according to the webhook, not yet according to the status:
	// 503, the gateway delivers again later.
	id3 := whID()
	rzp.createOrder(t, id3)
	wh3 := rzp.build(t, "order.paid", id3)
	mustEmulator(t, "wh-rzp").(*emulator.Razorpay).SetStatus(id3, "attempted")
	if r := whSend(t, wh3, "/webhooks/razorpay-confirmed"); r.status != http.StatusServiceUnavailable {
		t.Fatalf("status not yet paid: %d %s", r.status, r.body)
	}
	if n := len(app.received()); n != 0 {
		t.Fatalf("app got %d requests", n)
	}

	// EnKash: the notification claims PAID; the status says ATTEMPTED; the
	// app learns what the status says.
	id4 := whID()
	ek.createOrder(t, id4)
	ekWh := ek.build(t, "paid", id4)
	mustEmulator(t, "wh-ek").(*emulator.EnKash).SetStatus(id4, "ATTEMPTED")
	if r := whSend(t, ekWh, ek.route); r.status != http.StatusOK {
		t.Fatalf("enkash: %d %s", r.status, r.body)
	}
	got := app.received()
	if len(got) != 1 {
		t.Fatalf("app got %d requests", len(got))
	}
	if ev := whEvent(t, got[0]); ev["type"] != "order.pending" || ev["status"] != "pending" || ev["order_id"] != id4 {
		t.Errorf("enkash event from the status: %s", got[0].Body)
	}
	// Then paid: a second, different event.
	mustEmulator(t, "wh-ek").(*emulator.EnKash).SetStatus(id4, "PAID")
	if r := whSend(t, ekWh, ek.route); r.status != http.StatusOK {
		t.Fatalf("enkash paid: %d %s", r.status, r.body)
	}
	if got := app.received(); len(got) != 2 || whEvent(t, got[1])["type"] != "order.paid" {
		t.Fatalf("enkash paid: app got %d requests", len(got))
	}
}

// Two routes (standing in for two Caddy instances) with the same account
// and file storage share the acknowledged events.
func TestWebhookSharedStorage(t *testing.T) {
	app, _ := whSetup(t)
	g := whGateways()[0]
	id := whID()
	g.createOrder(t, id)
	wh := g.build(t, "paid", id)
	if r := whSend(t, wh, "/webhooks/shared-a"); r.status != http.StatusOK {
		t.Fatalf("instance a: %d %s", r.status, r.body)
	}
	if r := whSend(t, wh, "/webhooks/shared-b"); r.status != http.StatusOK {
		t.Fatalf("instance b: %d %s", r.status, r.body)
	}
	if n := len(app.received()); n != 1 {
		t.Fatalf("app got %d requests, want 1", n)
	}
}

func TestWebhookMethodAndSize(t *testing.T) {
	app, _ := whSetup(t)
	r := call(t, "GET", url(9960, "/webhooks/razorpay"), "")
	r.canonicalError(t, http.StatusMethodNotAllowed, "method_not_allowed")
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	// 300 KiB declared, over the default max_body of 256 KiB: refused
	// before the body is sent.
	conn, err := net.Dial("tcp", "127.0.0.1:9960")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /webhooks/razorpay HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 300<<10)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer before the body was sent: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	reply{status: resp.StatusCode, header: resp.Header, body: b}.canonicalError(t, http.StatusRequestEntityTooLarge, "request_too_large")
	if n := len(app.received()); n != 0 {
		t.Fatalf("app got %d requests", n)
	}
}

// One log line per event, metrics by gateway, type and outcome, and no
// secret, signature or credential in either.
func TestWebhookLogAndMetricsHygiene(t *testing.T) {
	whEnv(t)
	app := newWhApp()
	addr := serveWhApp(t, app)
	logPath := t.TempDir() + "/caddy.log"
	cfg := fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	persist_config off
	grace_period 1s
	log {
		output file %s
		format json
		level DEBUG
	}
}
`, adminPort, logPath) + webhookCaddyfile(addr, "127.0.0.1:1", t.TempDir())
	load(t, cfg, "caddyfile")
	whWaitReady(t)
	before := metric(t, "paygate_webhook_verification_failures_total", map[string]string{"gateway": "juspay", "reason": "credentials"})
	var secrets []string
	delivered := 0
	for _, g := range whGateways() {
		id := whID()
		g.createOrder(t, id)
		wh := g.build(t, "paid", id)
		for _, h := range []string{"X-Razorpay-Signature", "X-Signature", "Authorization"} {
			if v := wh.Header.Get(h); v != "" {
				secrets = append(secrets, v, strings.TrimPrefix(v, "Basic "))
			}
		}
		if r := whSend(t, wh, g.route); r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", g.name, r.status, r.body)
		}
		delivered++
		whSend(t, wh, g.route) // duplicate
	}
	bad := whGateways()[2]
	bad.opts.Password = "wrong-" + whJpPassword
	id := whID()
	bad.createOrder(t, id)
	badWh := bad.build(t, "paid", id)
	secrets = append(secrets, strings.TrimPrefix(badWh.Header.Get("Authorization"), "Basic "))
	if r := whSend(t, badWh, bad.route); r.status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", r.status)
	}
	if v := metric(t, "paygate_webhook_verification_failures_total", map[string]string{"gateway": "juspay", "reason": "credentials"}); v != before+1 {
		t.Errorf("verification failures %v → %v, want +1", before, v)
	}
	for _, g := range whGateways() {
		if v := metric(t, "paygate_webhook_events_total", map[string]string{"gateway": g.name, "type": "order.paid", "outcome": "delivered"}); v < 1 {
			t.Errorf("%s delivered events not counted", g.name)
		}
		if v := metric(t, "paygate_webhook_events_total", map[string]string{"gateway": g.name, "type": "order.paid", "outcome": "duplicate"}); v < 1 {
			t.Errorf("%s duplicate events not counted", g.name)
		}
	}
	time.Sleep(100 * time.Millisecond)
	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, whRzpSecret, whRzpOldSecret, whKpSecret, whJpPassword, whEkSecret, whJuspayKey, rzpSecret)
	for _, s := range secrets {
		if s != "" && bytes.Contains(logs, []byte(s)) {
			t.Errorf("the log contains a secret or signature (%d chars, starts %.4s…)", len(s), s)
		}
	}
	lines := map[string]int{}
	warn := 0
	for _, line := range bytes.Split(logs, []byte("\n")) {
		var m map[string]any
		if json.Unmarshal(line, &m) != nil || m["msg"] != "payment event" {
			continue
		}
		lines[fmt.Sprint(m["gateway"], "/", m["outcome"])]++
		if m["outcome"] == "unverified" {
			warn++
			if m["level"] != "warn" || m["reason"] != "credentials" {
				t.Errorf("verification failure line: %s", line)
			}
		}
	}
	for _, g := range whGateways() {
		if lines[g.name+"/delivered"] != 1 || lines[g.name+"/duplicate"] != 1 {
			t.Errorf("%s: log lines %v, want one delivered and one duplicate", g.name, lines)
		}
	}
	if warn != 1 {
		t.Errorf("%d verification failure lines, want 1", warn)
	}
	if n := len(app.received()); n != delivered {
		t.Errorf("app got %d requests, want %d", n, delivered)
	}
}

// The same handler from a JSON config.
func TestWebhookJSONConfig(t *testing.T) {
	whEnv(t)
	app := newWhApp()
	addr := serveWhApp(t, app)
	startCaddyJSON(t, fmt.Sprintf(`{
	"admin": {"listen": "localhost:%d", "config": {"persist": false}},
	"apps": {"http": {"servers": {"wh": {
		"listen": [":9965"],
		"automatic_https": {"disable": true},
		"routes": [{"handle": [
			{"handler": "paygate_webhook", "gateway": "razorpay",
			 "webhook_secret": ["{env.PAYGATE_WH_RZP_SECRET}"], "record_space": "json", "forward_path": "/events"},
			{"handler": "reverse_proxy", "upstreams": [{"dial": %q}]}
		]}]
	}}}}
}`, adminPort, addr))
	body := []byte(`{"entity":"event","event":"payment.captured","payload":{"payment":{"entity":{"id":"pay_J1","amount":10550,"currency":"INR","status":"captured","order_id":"order_J1"}}},"created_at":` +
		strconv.FormatInt(time.Now().Unix(), 10) + `}`)
	wh := &emulator.Webhook{Gateway: "razorpay", Body: body, Header: http.Header{"X-Razorpay-Signature": {whSignRazorpay(whRzpSecret, body)}}}
	status, b, err := wh.Send(client, url(9965, "/anything"))
	if err != nil || status != http.StatusOK {
		t.Fatalf("%d %s %v", status, b, err)
	}
	got := app.received()
	if len(got) != 1 || got[0].Path != "/events" {
		t.Fatalf("app got %+v", got)
	}
	if ev := whEvent(t, got[0]); ev["amount"] != "105.50" || ev["payment_id"] != "pay_J1" || ev["gateway_order_id"] != "order_J1" {
		t.Errorf("event %s", got[0].Body)
	}
}
