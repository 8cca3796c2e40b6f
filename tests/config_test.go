package tests

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// loadError posts a config to the running test Caddy's admin API and returns
// the error it answers ("" if the config loaded).
func loadError(t *testing.T, config, contentType string) string {
	t.Helper()
	resp, err := http.Post(fmt.Sprintf("http://localhost:%d/load", adminPort), contentType, strings.NewReader(config))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		return ""
	}
	return string(b)
}

// A gateway without its credentials fails at load (caddy validate / start),
// naming the option and never showing a value.
func TestConfigMissingCredential(t *testing.T) {
	startCaddy(t, ":9090 {\n\trespond ok\n}\n")
	t.Setenv("PAYGATE_IT_EMPTY", "")
	t.Setenv("PAYGATE_IT_SECRET", "s3cr3t-value-never-shown")
	cases := map[string]struct{ block, want string }{
		"missing option": {"key_id {env.PAYGATE_IT_SECRET}", "key_secret is required"},
		"empty env":      {"key_id {env.PAYGATE_IT_SECRET}\n\t\tkey_secret {env.PAYGATE_IT_EMPTY}", "key_secret"},
		"missing file":   {"key_id {env.PAYGATE_IT_SECRET}\n\t\tkey_secret {file./nonexistent/paygate-secret}", "key_secret"},
	}
	for name, c := range cases {
		cfg := globalOptions() + fmt.Sprintf(":9090 {\n\tpaygate razorpay {\n\t\t%s\n\t}\n\treverse_proxy 127.0.0.1:9089\n}\n", c.block)
		msg := loadError(t, cfg, "text/caddyfile")
		if msg == "" || !strings.Contains(msg, c.want) {
			t.Errorf("%s: load error %q, want it to mention %q", name, msg, c.want)
		}
		if strings.Contains(msg, "s3cr3t-value-never-shown") {
			t.Errorf("%s: load error shows a credential: %s", name, msg)
		}
	}
}

// The same configuration written as JSON works, and the admin API shows the
// placeholders, not the secrets they resolve to.
func TestConfigJSON(t *testing.T) {
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	cfg := fmt.Sprintf(`{
	"admin": {"listen": "localhost:%d"},
	"apps": {"http": {"servers": {
		"proxy": {"listen": [":9080"], "automatic_https": {"disable": true}, "routes": [{"handle": [
			{"handler": "paygate", "max_body": 4096,
			 "gateway": {"name": "razorpay", "key_id": "rzp_test_it", "key_secret": "{env.PAYGATE_IT_RAZORPAY_SECRET}"}},
			{"handler": "reverse_proxy", "upstreams": [{"dial": "127.0.0.1:9081"}]}
		]}]},
		"emulator": {"listen": ["127.0.0.1:9081"], "automatic_https": {"disable": true}, "routes": [{"handle": [
			{"handler": "paygate_emulator", "gateway": "razorpay", "instance": "rzp-it",
			 "options": {"key_id": "rzp_test_it", "key_secret": "{env.PAYGATE_IT_RAZORPAY_SECRET}"}}
		]}]}
	}}}
}`, adminPort)
	startCaddyJSON(t, cfg)
	freshEmulator(t, "rzp-it")
	r := call(t, "POST", url(9080, "/pay/orders"), `{"order_id":"JSON-1","amount":"1.00","currency":"INR"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create through JSON config: %d %s", r.status, r.body)
	}
	resp, err := http.Get(fmt.Sprintf("http://localhost:%d/config/", adminPort))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	live, _ := io.ReadAll(resp.Body)
	if strings.Contains(string(live), rzpSecret) || !strings.Contains(string(live), "{env.PAYGATE_IT_RAZORPAY_SECRET}") {
		t.Errorf("admin API config exposes the secret or lost the placeholder: %s", live)
	}
}
