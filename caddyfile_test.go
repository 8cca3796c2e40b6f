package paygate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

func TestUnmarshalCaddyfile(t *testing.T) {
	d := caddyfile.NewTestDispenser(`paygate razorpay {
		key_id     {env.RAZORPAY_KEY_ID}
		key_secret {file./run/secrets/razorpay}
		max_body   16KiB
	}`)
	var h Handler
	if err := h.UnmarshalCaddyfile(d); err != nil {
		t.Fatal(err)
	}
	if h.MaxBody != 16384 {
		t.Errorf("max_body = %d", h.MaxBody)
	}
	var gw map[string]string
	if err := json.Unmarshal(h.GatewayRaw, &gw); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"name": "razorpay", "key_id": "{env.RAZORPAY_KEY_ID}", "key_secret": "{file./run/secrets/razorpay}"}
	for k, v := range want {
		if gw[k] != v {
			t.Errorf("gateway %s = %q, want %q (placeholders stay unresolved in the config)", k, gw[k], v)
		}
	}
}

func TestUnmarshalCaddyfileErrors(t *testing.T) {
	cases := map[string]struct{ input, want string }{
		"no gateway":       {`paygate`, "needs a gateway name"},
		"unknown gateway":  {`paygate paypal`, `unknown gateway "paypal"`},
		"extra argument":   {`paygate razorpay extra`, "extra argument"},
		"unknown option":   {"paygate razorpay {\n\tkey_idd x\n}", `unknown option "key_idd"`},
		"duplicate option": {"paygate razorpay {\n\tkey_id a\n\tkey_id b\n}", `duplicate option "key_id"`},
		"duplicate common": {"paygate razorpay {\n\tmax_body 1KiB\n\tmax_body 2KiB\n}", `duplicate option "max_body"`},
		"missing value":    {"paygate razorpay {\n\tkey_secret\n}", "wrong argument count"},
		"two values":       {"paygate razorpay {\n\tkey_secret a b\n}", "exactly one value"},
		"bad size":         {"paygate razorpay {\n\tmax_body lots\n}", "invalid size"},
	}
	for name, c := range cases {
		var h Handler
		err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(c.input))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
			continue
		}
		// Errors carry the file and line of the offending token.
		if !strings.Contains(err.Error(), "Testfile:") {
			t.Errorf("%s: error %q lacks file:line", name, err)
		}
	}
}
