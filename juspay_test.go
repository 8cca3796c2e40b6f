package paygate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/paygate/caddy-paygate/transform"
)

func TestJuspayCaddyfile(t *testing.T) {
	d := caddyfile.NewTestDispenser(`paygate juspay {
		api_key     {env.JUSPAY_API_KEY}
		merchant_id {env.JUSPAY_MERCHANT_ID}
		version     2018-10-25
	}`)
	var h Handler
	if err := h.UnmarshalCaddyfile(d); err != nil {
		t.Fatal(err)
	}
	var gw map[string]string
	if err := json.Unmarshal(h.GatewayRaw, &gw); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"name": "juspay", "api_key": "{env.JUSPAY_API_KEY}",
		"merchant_id": "{env.JUSPAY_MERCHANT_ID}", "version": "2018-10-25"}
	if len(gw) != len(want) {
		t.Errorf("gateway config %v, want %v", gw, want)
	}
	for k, v := range want {
		if gw[k] != v {
			t.Errorf("gateway %s = %q, want %q", k, gw[k], v)
		}
	}

	for name, c := range map[string]struct{ input, want string }{
		"unknown option": {"paygate juspay {\n\tkey_secret x\n}", `unknown option "key_secret"`},
		"duplicate":      {"paygate juspay {\n\tversion 2023-01-01\n\tversion 2023-01-01\n}", `duplicate option "version"`},
		"two values":     {"paygate juspay {\n\tmerchant_id a b\n}", "exactly one value"},
		"no value":       {"paygate juspay {\n\tapi_key\n}", "wrong argument count"},
	} {
		var h Handler
		if err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(c.input)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}

func juspayProvision(t *testing.T, g *Juspay) error {
	t.Helper()
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	return g.Provision(ctx)
}

func TestJuspayProvisionAndAuthorize(t *testing.T) {
	t.Setenv("PAYGATE_UT_JUSPAY_KEY", "1D6AFDC8EA649E9A21C3E5406AC0FB\n") // {file.*}-style trailing newline
	t.Setenv("PAYGATE_UT_JUSPAY_MID", "merchant-id")
	g := &Juspay{APIKey: "{env.PAYGATE_UT_JUSPAY_KEY}", MerchantID: "{env.PAYGATE_UT_JUSPAY_MID}"}
	if err := juspayProvision(t, g); err != nil {
		t.Fatal(err)
	}
	req, e := g.BuildStatus("ORD1")
	if e != nil {
		t.Fatal(e)
	}
	h := http.Header{"Authorization": {"Basic app-supplied"}, "X-Merchantid": {"evil"}}
	for k, v := range req.Header {
		h.Set(k, v)
	}
	if err := g.Authorize(context.Background(), h, &req); err != nil {
		t.Fatal(err)
	}
	// The seed page's own example: base64("1D6AFDC8EA649E9A21C3E5406AC0FB:").
	want := http.Header{
		"Authorization": {"Basic MUQ2QUZEQzhFQTY0OUU5QTIxQzNFNTQwNkFDMEZCOg=="},
		"X-Merchantid":  {"merchant-id"},
		"Version":       {"2023-01-01"},
		"X-Routing-Id":  {"ORD1"},
	}
	if fmt.Sprint(h) != fmt.Sprint(want) {
		t.Errorf("headers\n got %v\nwant %v", h, want)
	}
	if s := fmt.Sprintf("%v %+v %#v", g, g, g); strings.Contains(s, "1D6AFDC8") || strings.Contains(s, "MUQ2QUZE") {
		t.Errorf("formatting the module leaks the key: %s", s)
	}
	var _ transform.Gateway = g
}

func TestJuspayProvisionErrors(t *testing.T) {
	t.Setenv("PAYGATE_UT_JUSPAY_EMPTY", "")
	cases := []struct {
		g    Juspay
		want string
	}{
		{Juspay{MerchantID: "m"}, "api_key is required"},
		{Juspay{APIKey: "{env.PAYGATE_UT_JUSPAY_EMPTY}", MerchantID: "m"}, "api_key: evaluated placeholder"},
		{Juspay{APIKey: "k"}, "merchant_id is required"},
		{Juspay{APIKey: "k", MerchantID: "m", Version: "23-01-01"}, "version must be a date"},
		{Juspay{APIKey: "k", MerchantID: "m", Version: "2023-13-01"}, "version must be a date"},
	}
	for _, c := range cases {
		err := juspayProvision(t, &c.g)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.g, err, c.want)
		}
	}
}
