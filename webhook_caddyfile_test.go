package paygate

import (
	"context"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
)

func TestWebhookUnmarshalCaddyfile(t *testing.T) {
	d := caddyfile.NewTestDispenser(`paygate_webhook razorpay {
		webhook_secret     {env.RZP_WH} {env.RZP_WH_OLD}
		account            {env.RAZORPAY_KEY_ID}
		record_space       staging
		confirm_with       http://127.0.0.1:8080/razorpay
		forward_path       /payment-events
		max_body           128KiB
		dedupe_window      3d
		dedupe_max_records 500
		storage
	}`)
	var h Webhook
	if err := h.UnmarshalCaddyfile(d); err != nil {
		t.Fatal(err)
	}
	if h.Gateway != "razorpay" || len(h.WebhookSecrets) != 2 || h.WebhookSecrets[1] != "{env.RZP_WH_OLD}" ||
		h.Account != "{env.RAZORPAY_KEY_ID}" || h.RecordSpace != "staging" || h.ConfirmWith != "http://127.0.0.1:8080/razorpay" ||
		h.ForwardPath != "/payment-events" || h.MaxBody != 128<<10 || h.DedupeWindow != caddy.Duration(72*3600e9) ||
		h.DedupeMaxRecords != 500 || !h.UseCaddyStorage {
		t.Errorf("parsed %+v", h)
	}
}

func TestWebhookUnmarshalCaddyfileErrors(t *testing.T) {
	cases := map[string]struct{ input, want string }{
		"no gateway":            {`paygate_webhook`, "needs a gateway name"},
		"unknown gateway":       {`paygate_webhook paypal`, `unknown gateway "paypal"`},
		"extra argument":        {`paygate_webhook razorpay extra`, "extra argument"},
		"unknown option":        {"paygate_webhook razorpay {\n\twebhook_secrett x\n}", `unknown option "webhook_secrett"`},
		"duplicate option":      {"paygate_webhook juspay {\n\tusername a\n\tusername b\n}", `duplicate option "username"`},
		"duplicate secret line": {"paygate_webhook razorpay {\n\twebhook_secret a\n\twebhook_secret b\n}", `duplicate option "webhook_secret"`},
		"other gateway option":  {"paygate_webhook juspay {\n\twebhook_secret a\n}", `"webhook_secret" is not an option of paygate_webhook juspay`},
		"kwikpaisa on razorpay": {"paygate_webhook razorpay {\n\tsecret_key a\n}", `"secret_key" is not an option of paygate_webhook razorpay`},
		"missing secret value":  {"paygate_webhook razorpay {\n\twebhook_secret\n}", "wrong argument count"},
		"two values":            {"paygate_webhook kwikpaisa {\n\tapi_key a b\n}", "exactly one value"},
		"bad size":              {"paygate_webhook enkash {\n\tmax_body lots\n}", "invalid size"},
		"bad window":            {"paygate_webhook enkash {\n\tdedupe_window forever\n}", "invalid duration"},
		"bad count":             {"paygate_webhook enkash {\n\tdedupe_max_records -1\n}", "invalid count"},
		"relative forward path": {"paygate_webhook enkash {\n\tforward_path events\n}", "must start with /"},
	}
	for name, c := range cases {
		var h Webhook
		err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(c.input))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), "Testfile:") {
			t.Errorf("%s: error %q lacks file:line", name, err)
		}
	}
}

// A webhook route without what its gateway needs fails at provision time,
// naming the option, never the value.
func TestWebhookProvisionErrors(t *testing.T) {
	t.Setenv("PAYGATE_WH_EMPTY", "")
	cases := map[string]struct {
		h    Webhook
		want string
	}{
		"razorpay without secret":      {Webhook{Gateway: "razorpay"}, "webhook_secret is required"},
		"razorpay empty secret":        {Webhook{Gateway: "razorpay", WebhookSecrets: []string{"{env.PAYGATE_WH_EMPTY}"}}, "webhook_secret: evaluated placeholder"},
		"kwikpaisa without secret_key": {Webhook{Gateway: "kwikpaisa", APIKey: "pk"}, "secret_key is required"},
		"juspay without password":      {Webhook{Gateway: "juspay", Username: "u"}, "password is required"},
		"enkash without confirm_with":  {Webhook{Gateway: "enkash"}, "confirm_with is required"},
		"enkash bad confirm_with":      {Webhook{Gateway: "enkash", ConfirmWith: "ftp://x/enkash"}, "confirm_with must be an http(s) URL"},
		"enkash confirm_with query":    {Webhook{Gateway: "enkash", ConfirmWith: "http://x/enkash?a=1"}, "confirm_with must be an http(s) URL"},
		"other gateway's option":       {Webhook{Gateway: "enkash", ConfirmWith: "http://x/e", Password: "p"}, "password is not an option"},
		"unknown gateway":              {Webhook{Gateway: "paypal"}, "unknown gateway"},
	}
	for name, c := range cases {
		ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
		err := c.h.Provision(ctx)
		cancel()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}
