package paygate

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// webhookStubApp stands in for reverse_proxy to the application.
type webhookStubApp struct {
	mu     sync.Mutex
	bodies []map[string]any
	fail   func(ev map[string]any) bool
}

func (a *webhookStubApp) next() caddyhttp.Handler {
	return caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		b, _ := io.ReadAll(r.Body)
		var ev map[string]any
		if err := json.Unmarshal(b, &ev); err != nil {
			return fmt.Errorf("not JSON: %s", b)
		}
		a.mu.Lock()
		a.bodies = append(a.bodies, ev)
		a.mu.Unlock()
		if a.fail != nil && a.fail(ev) {
			w.WriteHeader(http.StatusInternalServerError)
			return nil
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

func (a *webhookStubApp) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.bodies)
}

func provisionWebhookForTest(t *testing.T, h *Webhook) {
	t.Helper()
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	if err := h.Provision(ctx); err != nil {
		t.Fatal(err)
	}
	if err := h.Validate(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Cleanup() })
}

func deliverWebhook(t *testing.T, h *Webhook, app *webhookStubApp, body []byte, header http.Header) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/webhooks/x?token=abc", bytes.NewReader(body))
	req.Header = header.Clone()
	w := httptest.NewRecorder()
	if err := h.ServeHTTP(w, req, app.next()); err != nil {
		t.Fatal(err)
	}
	return w.Code
}

// A Juspay refund event names two succeeded refunds; the application
// acknowledges one and fails the other: 503, and the redelivery forwards
// only the one not acknowledged.
func TestWebhookPartialAcknowledgement(t *testing.T) {
	body, err := os.ReadFile("../shared/reference/fixtures/juspay/webhook_refund_manual_review.json")
	if err != nil {
		t.Fatal(err)
	}
	body = bytes.Replace(body, []byte(`"REFUND_MANUAL_REVIEW_NEEDED"`), []byte(`"ORDER_REFUNDED"`), 1)
	body = bytes.Replace(body, []byte(`"status": "MANUAL_REVIEW"`), []byte(`"status": "SUCCESS"`), 1)
	// A fresh event: the sample's own date is older than the record window.
	body = bytes.Replace(body, []byte(`"date_created": "2022-04-19T13:48:53Z"`),
		[]byte(`"date_created": "`+time.Now().UTC().Format(time.RFC3339)+`"`), 1)
	h := &Webhook{Gateway: "juspay", Username: "shop", Password: "{env.PAYGATE_UNIT_JP_PASS}", RecordSpace: t.Name()}
	t.Setenv("PAYGATE_UNIT_JP_PASS", "pw-unit-1")
	provisionWebhookForTest(t, h)
	hdr := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("shop:pw-unit-1"))}}
	failing := true
	app := &webhookStubApp{fail: func(ev map[string]any) bool {
		return failing && ev["refund"].(map[string]any)["refund_id"] == "w8ctkt174582939"
	}}
	if code := deliverWebhook(t, h, app, body, hdr); code != http.StatusServiceUnavailable {
		t.Fatalf("first delivery: %d", code)
	}
	if app.count() != 2 {
		t.Fatalf("first delivery: %d forwards, want 2", app.count())
	}
	failing = false
	if code := deliverWebhook(t, h, app, body, hdr); code != http.StatusOK {
		t.Fatalf("redelivery: %d", code)
	}
	if code := deliverWebhook(t, h, app, body, hdr); code != http.StatusOK {
		t.Fatalf("second redelivery: %d", code)
	}
	if app.count() != 3 {
		t.Fatalf("%d forwards in all, want 3 (two, then the failed one again)", app.count())
	}
	if got := app.bodies[2]["refund"].(map[string]any)["refund_id"]; got != "w8ctkt174582939" {
		t.Errorf("redelivery forwarded %v", got)
	}
}

// Razorpay's published bodies are years old: verified, acknowledged, and
// not forwarded, since a replay older than the record window cannot be
// told from a new event.
func TestWebhookExpiredEventNotForwarded(t *testing.T) {
	body, err := os.ReadFile("../shared/reference/fixtures/razorpay/webhook_payment_captured_netbanking.json")
	if err != nil {
		t.Fatal(err)
	}
	h := &Webhook{Gateway: "razorpay", WebhookSecrets: []string{"{env.PAYGATE_UNIT_RZP}"}, RecordSpace: t.Name()}
	t.Setenv("PAYGATE_UNIT_RZP", "whsec-unit")
	provisionWebhookForTest(t, h)
	mac := hmac.New(sha256.New, []byte("whsec-unit"))
	mac.Write(body)
	app := &webhookStubApp{}
	code := deliverWebhook(t, h, app, body, http.Header{"X-Razorpay-Signature": {hex.EncodeToString(mac.Sum(nil))}})
	if code != http.StatusOK || app.count() != 0 {
		t.Fatalf("answer %d, %d forwards", code, app.count())
	}
}

func TestWebhookStringRedacts(t *testing.T) {
	h := Webhook{Gateway: "razorpay", WebhookSecrets: []string{"literal-secret-1"}, Password: "literal-secret-2"}
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(f, h); strings.Contains(s, "literal-secret") {
			t.Errorf("%s shows a secret: %s", f, s)
		}
		if s := fmt.Sprintf(f, &h); strings.Contains(s, "literal-secret") {
			t.Errorf("%s of a pointer shows a secret: %s", f, s)
		}
	}
}
