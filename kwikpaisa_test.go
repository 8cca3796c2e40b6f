package paygate

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
)

func TestKwikPaisaCaddyfile(t *testing.T) {
	d := caddyfile.NewTestDispenser(`paygate kwikpaisa {
		api_key      pk_test_demo
		secret_key   {env.KWIKPAISA_SECRET_KEY}
		service_type PHYSICAL_GOODS
		max_body     8KiB
	}`)
	var h Handler
	if err := h.UnmarshalCaddyfile(d); err != nil {
		t.Fatal(err)
	}
	var got map[string]string
	if err := json.Unmarshal(h.GatewayRaw, &got); err != nil {
		t.Fatalf("gateway JSON %s: %v", h.GatewayRaw, err)
	}
	want := map[string]string{"name": "kwikpaisa", "api_key": "pk_test_demo", "secret_key": "{env.KWIKPAISA_SECRET_KEY}", "service_type": "PHYSICAL_GOODS"}
	if len(got) != len(want) {
		t.Errorf("gateway JSON %s, want %v", h.GatewayRaw, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (JSON %s)", k, got[k], v, h.GatewayRaw)
		}
	}
	if h.MaxBody != 8<<10 {
		t.Errorf("max_body = %d", h.MaxBody)
	}

	// The JSON form decodes back into the same module config.
	var g KwikPaisa
	if err := json.Unmarshal(h.GatewayRaw, &g); err != nil || g.APIKey != "pk_test_demo" || g.SecretKey != "{env.KWIKPAISA_SECRET_KEY}" || g.ServiceType != "PHYSICAL_GOODS" {
		t.Errorf("JSON round trip: %+v %v", g.Dialect, err)
	}

	// service_type is optional: it is then left out of the JSON.
	d = caddyfile.NewTestDispenser("paygate kwikpaisa {\n api_key k\n secret_key s\n}")
	h = Handler{}
	if err := h.UnmarshalCaddyfile(d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(h.GatewayRaw), "service_type") {
		t.Errorf("unset service_type in JSON: %s", h.GatewayRaw)
	}
}

func TestKwikPaisaCaddyfileErrors(t *testing.T) {
	for input, want := range map[string]string{
		"paygate kwikpaisa {\n api_key a\n api_key b\n}":       `duplicate option "api_key"`,
		"paygate kwikpaisa {\n service_type\n}":                "wrong argument count",
		"paygate kwikpaisa {\n service_type A B\n}":            `option "service_type" takes exactly one value`,
		"paygate kwikpaisa {\n key_secret s\n}":                `unknown option "key_secret" for paygate kwikpaisa`,
		"paygate kwikpaisa {\n secret_key s\n secret_key s\n}": `duplicate option "secret_key"`,
	} {
		var h Handler
		err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(input))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", input, err, want)
		}
	}
}

func kwikpaisaContext(t *testing.T) caddy.Context {
	t.Helper()
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	return ctx
}

func TestKwikPaisaProvision(t *testing.T) {
	t.Setenv("PAYGATE_UT_KWIKPAISA_SECRET", "sk_test_example\n") // {file.*} style trailing newline
	g := &KwikPaisa{APIKey: "pk_test_example", SecretKey: "{env.PAYGATE_UT_KWIKPAISA_SECRET}"}
	if err := g.Provision(kwikpaisaContext(t)); err != nil {
		t.Fatal(err)
	}
	if g.ServiceType != "DIGITAL" {
		t.Errorf("default service_type = %q, want DIGITAL", g.ServiceType)
	}

	o, e := transform.DecodeOrder([]byte(`{"order_id":"ORD-1","amount":"105.50","currency":"INR","customer":{"name":"Zoë","email":"z@example.com","phone":"9816512345"},"return_url":"https://shop.example.com/r?a=1&b=2"}`))
	if e != nil {
		t.Fatal(e)
	}
	req, e := g.BuildCreate(o)
	if e != nil {
		t.Fatal(e)
	}
	h := http.Header{"X-Api-Key": {"from-the-app"}}
	before := time.Now().Unix()
	if err := g.Authorize(context.Background(), h, &req); err != nil {
		t.Fatal(err)
	}
	if h.Get("X-API-KEY") != "pk_test_example" || len(h.Values("X-API-KEY")) != 1 {
		t.Errorf("X-API-KEY = %v", h.Values("X-API-KEY"))
	}
	ts, sig := h.Get("X-TIMESTAMP"), h.Get("X-SIGNATURE")
	var unix int64
	if err := json.Unmarshal([]byte(ts), &unix); err != nil || unix < before || unix > time.Now().Unix() {
		t.Fatalf("X-TIMESTAMP %q is not now", ts)
	}
	// The resolved secret is trimmed and signs exactly req.Body.
	if want := signers.NewHMAC("", "sk_test_example", nil).Signature(req.Body, unix); sig != want {
		t.Errorf("X-SIGNATURE = %s, want %s over %s", sig, want, req.Body)
	}
}

func TestKwikPaisaProvisionErrors(t *testing.T) {
	cases := []struct {
		g    KwikPaisa
		want string
	}{
		{KwikPaisa{SecretKey: "s"}, "api_key is required"},
		{KwikPaisa{APIKey: "k"}, "secret_key is required"},
		{KwikPaisa{APIKey: "k", SecretKey: "{env.PAYGATE_UT_KWIKPAISA_UNSET}"}, "secret_key"},
	}
	for _, c := range cases {
		err := c.g.Provision(kwikpaisaContext(t))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one naming %q", c.g, err, c.want)
		}
	}
}
