package paygate

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"

	"github.com/paygate/caddy-paygate/transform"
)

// Provision hands the resolved (public) key_id to the transform, so create
// and status results carry gateway_details.checkout_key_id; the secret goes
// nowhere near results or the JSON config.
func TestRazorpayCheckoutKeyIDFromProvision(t *testing.T) {
	t.Setenv("PAYGATE_UT_RZP_KEY_ID", "rzp_test_1DP5mmOlF5G5ag")
	t.Setenv("PAYGATE_UT_RZP_SECRET", "thisisasecret")
	g := &Razorpay{KeyID: "{env.PAYGATE_UT_RZP_KEY_ID}", KeySecret: "{env.PAYGATE_UT_RZP_SECRET}"}
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancel()
	if err := g.Provision(ctx); err != nil {
		t.Fatal(err)
	}
	o, e := transform.DecodeOrder([]byte(`{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`))
	if e != nil {
		t.Fatal(e)
	}
	res, e := g.ParseCreate(o, 200, []byte(`{"id":"order_EKwxwAgItmmXdp","entity":"order","amount":10550,"currency":"INR","receipt":"ORD1001","status":"created","created_at":1779413100}`))
	if e != nil {
		t.Fatal(e)
	}
	body := string(res.JSON())
	if !strings.Contains(body, `"gateway_details":{"checkout_key_id":"rzp_test_1DP5mmOlF5G5ag"}`) || strings.Contains(body, "thisisasecret") {
		t.Errorf("result %s", body)
	}
	cfg, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cfg), "rzp_test_1DP5mmOlF5G5ag") || strings.Contains(string(cfg), "CheckoutKeyID") {
		t.Errorf("the resolved key id reached the JSON config: %s", cfg)
	}
}
