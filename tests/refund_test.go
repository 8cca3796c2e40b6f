package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/tests/emulator"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/enkash"
	"github.com/paygate/caddy-paygate/transform/juspay"
	"github.com/paygate/caddy-paygate/transform/razorpay"
)

// refundSites serves paygate for all four gateways in front of their
// emulators; the Razorpay route gives up on an answer after 1 s so a
// hanging refund call is an ambiguous outcome (504).
const refundSites = `
:9910 {
	handle /razorpay/* {
		paygate razorpay {
			key_id     rzp_test_refund
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		}
		reverse_proxy 127.0.0.1:9911 {
			transport http {
				response_header_timeout 1s
			}
		}
	}
	handle /juspay/* {
		paygate juspay {
			api_key     {env.PAYGATE_IT_JUSPAY_KEY}
			merchant_id paygate_refund
		}
		reverse_proxy 127.0.0.1:9912
	}
	handle /enkash/* {
		paygate enkash {
			access_key {env.PAYGATE_IT_ENKASH_AK}
			secret_key {env.PAYGATE_IT_ENKASH_SK}
			token_url  http://127.0.0.1:9913/api/v0/merchant/token?case=refund
		}
		reverse_proxy 127.0.0.1:9913
	}
	handle /kwikpaisa/* {
		paygate kwikpaisa {
			api_key    pk_test_refund
			secret_key {env.PAYGATE_IT_KWIKPAISA_SECRET}
		}
		reverse_proxy 127.0.0.1:9914
	}
}

:9911 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   rzp-refund
		key_id     rzp_test_refund
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}

:9912 {
	bind 127.0.0.1
	paygate_emulator juspay {
		instance    juspay-refund
		api_key     {env.PAYGATE_IT_JUSPAY_KEY}
		merchant_id paygate_refund
	}
}

:9913 {
	bind 127.0.0.1
	paygate_emulator enkash {
		instance   ek-refund
		access_key {env.PAYGATE_IT_ENKASH_AK}
		secret_key {env.PAYGATE_IT_ENKASH_SK}
	}
}

:9914 {
	bind 127.0.0.1
	paygate_emulator kwikpaisa {
		instance   kp-refund
		api_key    pk_test_refund
		secret_key {env.PAYGATE_IT_KWIKPAISA_SECRET}
	}
}
`

// startRefunds loads refundSites with paygate's log going to a file, whose
// path it returns.
func startRefunds(t *testing.T) string {
	t.Helper()
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	t.Setenv("PAYGATE_IT_JUSPAY_KEY", juspayKey)
	t.Setenv("PAYGATE_IT_ENKASH_AK", ekAccess)
	t.Setenv("PAYGATE_IT_ENKASH_SK", ekSecret)
	t.Setenv("PAYGATE_IT_KWIKPAISA_SECRET", kpSecret)
	path := t.TempDir() + "/caddy.log"
	load(t, fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	persist_config off
	grace_period 1s
	log {
		output file %s
		format json
		level INFO
	}
}
`, adminPort, path)+refundSites, "caddyfile")
	for _, name := range []string{"rzp-refund", "juspay-refund", "ek-refund", "kp-refund"} {
		freshEmulator(t, name)
	}
	t.Cleanup(func() {
		for _, name := range []string{"rzp-refund", "juspay-refund", "ek-refund"} {
			emulator.ClearFault(name)
		}
	})
	return path
}

// refundOrderID is an order id no earlier run used: paygate's records
// outlive config reloads.
func refundOrderID(prefix string) string {
	return prefix + strconv.FormatInt(time.Now().UnixNano()%1e12, 36)
}

// refundGateway is what differs between gateways in the refund tests.
type refundGateway struct {
	name     string // gateway and route prefix
	instance string
	// refundCall is the method and path suffix of the emulator's refund call.
	refundPath string
	// key is the merchant's key of a refund at the gateway.
	key func(orderID, refundID string) string
	// initial is the canonical status of a new refund; done is the
	// gateway's word for a refund that succeeded later ("" if it starts so).
	initial transform.RefundStatus
	done    string
}

var refundGateways = []refundGateway{
	{"razorpay", "rzp-refund", "/refund", func(_, r string) string { return r }, transform.RefundSucceeded, ""},
	{"juspay", "juspay-refund", "/refunds", juspay.UniqueRequestID, transform.RefundPending, "SUCCESS"},
	{"enkash", "ek-refund", "/refund", enkash.RequestID, transform.RefundPending, "SUCCESS"},
}

func TestRefunds(t *testing.T) {
	logPath := startRefunds(t)
	for _, gw := range refundGateways {
		t.Run(gw.name, func(t *testing.T) { testRefunds(t, gw) })
	}
	t.Run("log lines and metrics", func(t *testing.T) {
		lines := refundLogLines(t, logPath)
		if len(lines) == 0 {
			t.Fatal("no refund log line")
		}
		for _, l := range lines {
			if l["refund_id"] == nil && l["operation"] == "refund" && l["outcome"] == "success" {
				t.Errorf("refund line without refund_id: %v", l)
			}
			for _, secret := range []string{rzpSecret, juspayKey, ekSecret, kpSecret} {
				if b, _ := json.Marshal(l); strings.Contains(string(b), secret) {
					t.Fatalf("a secret in a log line: %s", b)
				}
			}
		}
		for _, gw := range []string{"razorpay", "juspay", "enkash"} {
			if n := metric(t, "paygate_requests_total", map[string]string{"gateway": gw, "operation": "refund", "outcome": "success"}); n < 3 {
				t.Errorf("%s: %v successful refund requests counted", gw, n)
			}
			if n := metric(t, "paygate_requests_total", map[string]string{"gateway": gw, "operation": "refund_status", "outcome": "success"}); n < 1 {
				t.Errorf("%s: %v refund status requests counted", gw, n)
			}
			if n := metric(t, "paygate_gateway_request_duration_seconds_count", map[string]string{"gateway": gw, "operation": "refund"}); n < 1 {
				t.Errorf("%s: no gateway latency for refunds", gw)
			}
		}
	})
}

func testRefunds(t *testing.T, gw refundGateway) {
	emu := mustEmulator(t, gw.instance)
	ref := emu.(emulator.Refunding)
	base := url(9910, "/"+gw.name+"/orders")
	orderID := refundOrderID("RF")
	r := call(t, "POST", base, `{"order_id":"`+orderID+`","amount":"105.50","currency":"INR"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	refunds := base + "/" + orderID + "/refunds"
	first := `{"refund_id":"RF1","amount":"40.00","reason":"customer request","metadata":{"ticket":"881"}}`
	sent := len(emu.Received())

	t.Run("unpaid order", func(t *testing.T) {
		e := call(t, "POST", refunds, first).canonicalError(t, 422, "gateway_rejected")
		if e["gateway"] != gw.name {
			t.Errorf("error %v", e)
		}
		if ref.RefundCalls() != 0 {
			t.Errorf("%d refund calls for an unpaid order", ref.RefundCalls())
		}
	})

	// The customer pays: through the emulator's control endpoint.
	port := map[string]int{"razorpay": 9911, "juspay": 9912, "enkash": 9913}[gw.name]
	if p := call(t, "POST", url(port, "/__control/orders/"+orderID+"/pay"), ""); p.status != 200 {
		t.Fatalf("pay: %d %s", p.status, p.body)
	}

	t.Run("over the order's amount", func(t *testing.T) {
		e := call(t, "POST", refunds, `{"refund_id":"RFX","amount":"105.51"}`).canonicalError(t, 400, "invalid_request")
		if e["field"] != "amount" || ref.RefundCalls() != 0 {
			t.Errorf("error %v, %d refund calls", e, ref.RefundCalls())
		}
	})

	var created map[string]any
	t.Run("success", func(t *testing.T) {
		// The same body as the unpaid attempt: that refusal was not recorded.
		r := call(t, "POST", refunds, first)
		if r.status != http.StatusCreated || r.header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("%d %v %s", r.status, r.header, r.body)
		}
		created = r.json(t)
		for k, want := range map[string]any{"gateway": gw.name, "order_id": orderID, "refund_id": "RF1",
			"status": string(gw.initial), "amount": "40.00", "currency": "INR"} {
			if created[k] != want {
				t.Errorf("%s = %v, want %v", k, created[k], want)
			}
		}
		if id, _ := created["gateway_refund_id"].(string); id == "" {
			t.Errorf("no gateway_refund_id: %s", r.body)
		}
		if ts, _ := created["created_at"].(string); !strings.HasSuffix(ts, "Z") {
			t.Errorf("created_at %q", ts)
		}
		got := ref.Refunds(orderID)
		if len(got) != 1 || got[0].Amount != "40.00" || got[0].Key != gw.key(orderID, "RF1") || ref.RefundCalls() != 1 {
			t.Fatalf("gateway holds %+v after %d calls", got, ref.RefundCalls())
		}
		checkRefundWire(t, gw, emu, orderID)
	})
	if created == nil {
		t.FailNow()
	}

	t.Run("replay", func(t *testing.T) {
		before := len(emu.Received())
		// The same refund, written differently.
		r := call(t, "POST", refunds, `{"metadata":{"ticket":"881"},"amount":40,"reason":"customer request","refund_id":"RF1"}`)
		if r.status != http.StatusCreated || r.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("%d %v %s", r.status, r.header, r.body)
		}
		if again := r.json(t); fmt.Sprint(again) != fmt.Sprint(created) {
			t.Errorf("replayed %v, first %v", again, created)
		}
		if n := len(emu.Received()) - before; n != 0 {
			t.Errorf("a replay made %d gateway calls", n)
		}
	})

	t.Run("conflict", func(t *testing.T) {
		before := len(emu.Received())
		e := call(t, "POST", refunds, `{"refund_id":"RF1","amount":"41.00"}`).canonicalError(t, 409, "duplicate_refund")
		if e["field"] != "refund_id" {
			t.Errorf("error %v", e)
		}
		if n := len(emu.Received()) - before; n != 0 {
			t.Errorf("a conflict made %d gateway calls", n)
		}
	})

	t.Run("status", func(t *testing.T) {
		r := call(t, "GET", refunds+"/RF1", "")
		if r.status != http.StatusOK {
			t.Fatalf("%d %s", r.status, r.body)
		}
		st := r.json(t)
		for _, k := range []string{"gateway_refund_id", "amount", "currency", "refund_id", "order_id"} {
			if st[k] != created[k] {
				t.Errorf("%s = %v, create said %v", k, st[k], created[k])
			}
		}
		if gw.done != "" {
			if !ref.SetRefundStatus(orderID, created["gateway_refund_id"].(string), gw.done) {
				t.Fatal("SetRefundStatus")
			}
			if st := call(t, "GET", refunds+"/RF1", "").json(t); st["status"] != "succeeded" || st["gateway_status"] != gw.done {
				t.Errorf("after the gateway processed it: %v", st)
			}
		}
		e := call(t, "GET", refunds+"/NOPE", "").canonicalError(t, 404, "not_found")
		if e["field"] != "refund_id" {
			t.Errorf("unknown refund: %v", e)
		}
		call(t, "GET", refunds, "").canonicalError(t, 405, "method_not_allowed")
	})

	t.Run("over-refund at the gateway", func(t *testing.T) {
		calls := ref.RefundCalls()
		// 70 ≤ the order's 105.50, but only 65.50 is left after RF1.
		e := call(t, "POST", refunds, `{"refund_id":"RF2","amount":"70.00"}`).canonicalError(t, 422, "gateway_rejected")
		if e["gateway_message"] == nil || e["field"] != "amount" {
			t.Errorf("error %v", e)
		}
		if ref.RefundCalls() != calls+1 || len(ref.Refunds(orderID)) != 1 {
			t.Errorf("%d calls, refunds %+v", ref.RefundCalls()-calls, ref.Refunds(orderID))
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		calls := ref.RefundCalls()
		const n = 20
		var wg sync.WaitGroup
		replies := make([]reply, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replies[i] = call(t, "POST", refunds, `{"refund_id":"RF3","amount":"10.00"}`)
			}()
		}
		wg.Wait()
		ids := map[string]int{}
		for _, r := range replies {
			if r.status != http.StatusCreated {
				t.Fatalf("%d %s", r.status, r.body)
			}
			ids[r.json(t)["gateway_refund_id"].(string)]++
		}
		if len(ids) != 1 || ref.RefundCalls() != calls+1 || countKey(ref.Refunds(orderID), gw.key(orderID, "RF3")) != 1 {
			t.Errorf("answers %v, %d refund calls, refunds %+v", ids, ref.RefundCalls()-calls, ref.Refunds(orderID))
		}
	})

	t.Run("ambiguous outcome, then retry", func(t *testing.T) {
		calls := ref.RefundCalls()
		// The gateway makes the refund, then the connection drops.
		emulator.SetFaultOn(gw.instance, emulator.FaultReset, 1, http.MethodPost, gw.refundPath)
		call(t, "POST", refunds, `{"refund_id":"RF4","amount":"5.00"}`).canonicalError(t, 502, "gateway_error")
		if ref.RefundCalls() != calls+1 || countKey(ref.Refunds(orderID), gw.key(orderID, "RF4")) != 1 {
			t.Fatalf("%d calls, refunds %+v", ref.RefundCalls()-calls, ref.Refunds(orderID))
		}
		// The retry asks the refund's status before sending again: no second call.
		r := call(t, "POST", refunds, `{"refund_id":"RF4","amount":"5.00"}`)
		if r.status != http.StatusCreated || r.json(t)["amount"] != "5.00" {
			t.Fatalf("retry: %d %s", r.status, r.body)
		}
		if ref.RefundCalls() != calls+1 || countKey(ref.Refunds(orderID), gw.key(orderID, "RF4")) != 1 {
			t.Errorf("%d calls, refunds %+v", ref.RefundCalls()-calls, ref.Refunds(orderID))
		}
		// And the answer is now recorded.
		if r := call(t, "POST", refunds, `{"refund_id":"RF4","amount":"5.00"}`); r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("third attempt not replayed: %d %s", r.status, r.body)
		}
	})

	if gw.name == "razorpay" {
		t.Run("no answer in time, then retry", func(t *testing.T) {
			calls := ref.RefundCalls()
			emulator.SetFaultOn(gw.instance, emulator.FaultHang, 1, http.MethodPost, gw.refundPath)
			call(t, "POST", refunds, `{"refund_id":"RF5","amount":"2.00"}`).canonicalError(t, 504, "gateway_timeout")
			r := call(t, "POST", refunds, `{"refund_id":"RF5","amount":"2.00"}`)
			if r.status != http.StatusCreated || ref.RefundCalls() != calls+1 || countKey(ref.Refunds(orderID), "RF5") != 1 {
				t.Errorf("retry %d %s; %d calls, refunds %+v", r.status, r.body, ref.RefundCalls()-calls, ref.Refunds(orderID))
			}
		})
	}
	if sent == 0 {
		t.Error("the order's create made no gateway call")
	}
}

// checkRefundWire checks what reached the gateway for RF1.
func checkRefundWire(t *testing.T, gw refundGateway, emu emulator.Emulator, orderID string) {
	t.Helper()
	var refund *emulator.Received
	for _, rec := range emu.Received() {
		if rec.Method == http.MethodPost && strings.HasSuffix(rec.Path, gw.refundPath) {
			refund = &rec
		}
	}
	if refund == nil {
		t.Fatal("no refund call received")
	}
	for _, h := range []string{"X-Api-Key", "X-Signature"} {
		if refund.Header.Get(h) != "" {
			t.Errorf("refund call carries %s", h)
		}
	}
	switch gw.name {
	case "razorpay":
		// The emulator refuses refunds of the failed attempt listed after
		// the captured payment, so the refund made proves which was chosen.
		if !strings.HasPrefix(refund.Path, "/v1/payments/pay_") || !strings.HasSuffix(refund.Path, "/refund") {
			t.Errorf("refund call %s", refund.Path)
		}
		if got := refund.Header.Get("X-Refund-Idempotency"); got != razorpay.RefundKey(orderID, "RF1") {
			t.Errorf("X-Refund-Idempotency %q", got)
		}
		var body map[string]any
		_ = json.Unmarshal(refund.Body, &body)
		if body["amount"] != float64(4000) || body["receipt"] != "RF1" {
			t.Errorf("refund body %s", refund.Body)
		}
	case "juspay":
		form, _ := neturl.ParseQuery(string(refund.Body))
		if refund.Path != "/orders/"+orderID+"/refunds" || form.Get("amount") != "40.00" ||
			form.Get("unique_request_id") != juspay.UniqueRequestID(orderID, "RF1") {
			t.Errorf("refund call %s %s", refund.Path, refund.Body)
		}
	case "enkash":
		var body map[string]any
		_ = json.Unmarshal(refund.Body, &body)
		if body["requestId"] != enkash.RequestID(orderID, "RF1") || body["amount"] != float64(40) || body["remarks"] != "customer request" {
			t.Errorf("refund body %s", refund.Body)
		}
	}
}

func countKey(refunds []emulator.Refund, key string) int {
	n := 0
	for _, r := range refunds {
		if r.Key == key {
			n++
		}
	}
	return n
}

// refundLogLines are paygate's "refund" log lines.
func refundLogLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == "refund" {
			out = append(out, m)
		}
	}
	return out
}

func TestKwikPaisaRefundNotSupported(t *testing.T) {
	startRefunds(t)
	emu := mustEmulator(t, "kp-refund")
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/kwikpaisa/orders/KP1/refunds", `{"refund_id":"RF1","amount":"1.00"}`},
		{"POST", "/kwikpaisa/orders/KP1/refunds", `not even JSON`},
		{"GET", "/kwikpaisa/orders/KP1/refunds/RF1", ""},
	} {
		e := call(t, c.method, url(9910, c.path), c.body).canonicalError(t, 501, "not_supported")
		if e["gateway"] != "kwikpaisa" || !strings.Contains(e["message"].(string), "no refund API") {
			t.Errorf("%s %s: %v", c.method, c.path, e)
		}
	}
	if n := len(emu.Received()); n != 0 {
		t.Errorf("kwikpaisa was sent %d requests", n)
	}
}

// Juspay refuses a second refund of the same amount on an order for a few
// seconds; that refund was not made, so it is 409 order_in_progress with
// Retry-After, and the retry after the window makes it.
func TestJuspaySameAmountRefunds(t *testing.T) {
	startRefunds(t)
	emu := mustEmulator(t, "juspay-refund").(*emulator.Juspay)
	orderID := refundOrderID("JS")
	if r := call(t, "POST", url(9910, "/juspay/orders"), `{"order_id":"`+orderID+`","amount":"100","currency":"INR"}`); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	emu.Pay(orderID)
	refunds := url(9910, "/juspay/orders/"+orderID+"/refunds")
	if r := call(t, "POST", refunds, `{"refund_id":"A","amount":"10"}`); r.status != 201 {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	r := call(t, "POST", refunds, `{"refund_id":"B","amount":"10"}`)
	e := r.canonicalError(t, 409, "order_in_progress")
	if r.header.Get("Retry-After") != "2" || e["gateway_code"] != "duplicate.call" || len(emu.Refunds(orderID)) != 1 {
		t.Fatalf("Retry-After %q, error %v, refunds %+v", r.header.Get("Retry-After"), e, emu.Refunds(orderID))
	}
	time.Sleep(2100 * time.Millisecond)
	if r := call(t, "POST", refunds, `{"refund_id":"B","amount":"10"}`); r.status != 201 || len(emu.Refunds(orderID)) != 2 {
		t.Fatalf("after the window: %d %s, refunds %+v", r.status, r.body, emu.Refunds(orderID))
	}
}
