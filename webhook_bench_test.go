package paygate

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

// BenchmarkWebhook delivers distinct signed Razorpay order.paid
// notifications to paygate_webhook with a stub application behind it:
// paygate's own cost per verified, forwarded event.
//
//	go test -run '^$' -bench BenchmarkWebhook -benchmem
func BenchmarkWebhook(b *testing.B) {
	const secret = "whsec-bench"
	b.Setenv("PAYGATE_BENCH_RZP", secret)
	h := &Webhook{Gateway: "razorpay", WebhookSecrets: []string{"{env.PAYGATE_BENCH_RZP}"}, RecordSpace: b.Name()}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	if err := h.Provision(ctx); err != nil {
		b.Fatal(err)
	}
	defer h.Cleanup()
	h.logger = benchLogger() // the log line encoded, as in production, into io.Discard
	forwards := 0
	app := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		forwards++
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
	now := time.Now().Unix()
	n := b.N
	bodies, sigs := make([][]byte, n), make([]string, n)
	for i := range n {
		bodies[i] = fmt.Appendf(nil, `{"entity":"event","account_id":"acc_BENCH","event":"order.paid","contains":["payment","order"],`+
			`"payload":{"payment":{"entity":{"id":"pay_B%09d","entity":"payment","amount":10550,"currency":"INR","status":"captured",`+
			`"order_id":"order_B%09d","method":"upi","captured":true,"email":"asha@example.com","contact":"+919876543210","notes":[],"created_at":%d}},`+
			`"order":{"entity":{"id":"order_B%09d","entity":"order","amount":10550,"amount_paid":10550,"amount_due":0,"currency":"INR",`+
			`"receipt":"ORD-B%09d","status":"paid","attempts":1,"notes":[],"created_at":%d}}},"created_at":%d}`, i, i, now, i, i, now, now)
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(bodies[i])
		sigs[i] = hex.EncodeToString(mac.Sum(nil))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range n {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/razorpay", bytes.NewReader(bodies[i]))
		r.Header["X-Razorpay-Signature"] = []string{sigs[i]}
		r = r.WithContext(context.WithValue(r.Context(), caddyhttp.VarsCtxKey, map[string]any{}))
		w := httptest.NewRecorder()
		if err := h.ServeHTTP(w, r, app); err != nil || w.Code != http.StatusOK {
			b.Fatalf("answer %d %v: %s", w.Code, err, w.Body)
		}
	}
	b.StopTimer()
	if forwards != n {
		b.Fatalf("%d notifications, %d forwarded", n, forwards)
	}
}
