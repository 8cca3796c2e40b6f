package tests

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// obsSites serves a Razorpay route and its emulator; access logs are off so
// only paygate's own lines reach the log file.
const obsSites = `
:9780 {
	paygate razorpay {
		key_id     rzp_test_obs
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
	reverse_proxy 127.0.0.1:9781
}

:9781 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   rzp-obs
		key_id     rzp_test_obs
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}

:9782 {
	handle /enkash/* {
		paygate enkash {
			access_key ek_obs_access
			secret_key {env.PAYGATE_IT_ENKASH_SK}
			token_url  http://127.0.0.1:9783/api/v0/merchant/token?case=obs
		}
		reverse_proxy 127.0.0.1:9783
	}
	handle /enkashbad/* {
		paygate enkash {
			access_key ek_obs_access
			secret_key {env.PAYGATE_IT_ENKASH_SK}-wrong
			token_url  http://127.0.0.1:9783/api/v0/merchant/token?case=obs
		}
		reverse_proxy 127.0.0.1:9783
	}
}

:9783 {
	bind 127.0.0.1
	paygate_emulator enkash {
		instance   ek-obs
		access_key ek_obs_access
		secret_key {env.PAYGATE_IT_ENKASH_SK}
	}
}
`

// startObs loads the config with a default logger writing JSON to path.
func startObs(t *testing.T, level string) string {
	t.Helper()
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	t.Setenv("PAYGATE_IT_ENKASH_SK", "ek_obs_secret_61f0")
	path := t.TempDir() + "/caddy.log"
	cfg := fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	persist_config off
	grace_period 1s
	log {
		output file %s
		format json
		level %s
	}
}
`, adminPort, path, level) + obsSites
	load(t, cfg, "caddyfile")
	freshEmulator(t, "rzp-obs")
	return path
}

// metric reads one sample from the admin API's /metrics.
func metric(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://localhost:%d/metrics", adminPort))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, name+"{") {
			continue
		}
		match := true
		for k, v := range labels {
			if !strings.Contains(line, fmt.Sprintf(`%s=%q`, k, v)) {
				match = false
				break
			}
		}
		if match {
			f, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
			if err != nil {
				t.Fatalf("bad sample %q", line)
			}
			return f
		}
	}
	return 0
}

func TestMetricsMove(t *testing.T) {
	startObs(t, "INFO")
	success := map[string]string{"gateway": "razorpay", "operation": "create", "outcome": "success"}
	invalid := map[string]string{"gateway": "razorpay", "operation": "create", "outcome": "invalid_request"}
	rejected := map[string]string{"gateway": "razorpay", "operation": "create", "outcome": "gateway_rejected"}
	statusOK := map[string]string{"gateway": "razorpay", "operation": "status", "outcome": "success"}
	replays := map[string]string{"gateway": "razorpay"}
	latency := map[string]string{"gateway": "razorpay", "operation": "create"}
	before := map[string]float64{
		"success": metric(t, "paygate_requests_total", success), "invalid": metric(t, "paygate_requests_total", invalid),
		"rejected": metric(t, "paygate_requests_total", rejected), "status": metric(t, "paygate_requests_total", statusOK),
		"replays": metric(t, "paygate_idempotent_replays_total", replays),
		"latency": metric(t, "paygate_gateway_request_duration_seconds_count", latency),
	}
	id := fmt.Sprintf("MET-%d", time.Now().UnixNano()%1e9)
	body := fmt.Sprintf(`{"order_id":%q,"amount":"10","currency":"INR"}`, id)
	call(t, "POST", url(9780, "/orders"), body)
	call(t, "POST", url(9780, "/orders"), body) // replay
	call(t, "POST", url(9780, "/orders"), `{"order_id":"X","amount":"-1","currency":"INR"}`)
	call(t, "POST", url(9780, "/orders"), fmt.Sprintf(`{"order_id":"%s-MIN","amount":"0.50","currency":"USD"}`, id))
	call(t, "GET", url(9780, "/orders/"+id), "")
	after := map[string]float64{
		"success": metric(t, "paygate_requests_total", success), "invalid": metric(t, "paygate_requests_total", invalid),
		"rejected": metric(t, "paygate_requests_total", rejected), "status": metric(t, "paygate_requests_total", statusOK),
		"replays": metric(t, "paygate_idempotent_replays_total", replays),
		"latency": metric(t, "paygate_gateway_request_duration_seconds_count", latency),
	}
	want := map[string]float64{"success": 2, "invalid": 1, "rejected": 1, "status": 1, "replays": 1, "latency": 2}
	for k, d := range want {
		if after[k]-before[k] != d {
			t.Errorf("%s moved by %v, want %v (before %v, after %v)", k, after[k]-before[k], d, before[k], after[k])
		}
	}
}

// Token fetches are counted by result.
func TestTokenMetrics(t *testing.T) {
	startObs(t, "INFO")
	ok := map[string]string{"gateway": "enkash", "result": "success"}
	bad := map[string]string{"gateway": "enkash", "result": "failure"}
	okBefore, badBefore := metric(t, "paygate_token_fetches_total", ok), metric(t, "paygate_token_fetches_total", bad)
	id := fmt.Sprintf("TOK-%d", time.Now().UnixNano()%1e9)
	r := call(t, "POST", url(9782, "/enkash/orders"), fmt.Sprintf(`{"order_id":%q,"amount":"10","currency":"INR"}`, id))
	r2 := call(t, "POST", url(9782, "/enkashbad/orders"), fmt.Sprintf(`{"order_id":"%s-B","amount":"10","currency":"INR"}`, id))
	r2.canonicalError(t, 502, "gateway_authentication_failed")
	okAfter, badAfter := metric(t, "paygate_token_fetches_total", ok), metric(t, "paygate_token_fetches_total", bad)
	// These credentials are used by no other test: the first create fetches.
	if r.status != 201 || okAfter-okBefore != 1 || badAfter-badBefore != 1 {
		t.Errorf("create %d; token fetches: success +%v, failure +%v; want +1, +1", r.status, okAfter-okBefore, badAfter-badBefore)
	}
}

// One structured line per order at INFO, with masked customer data.
func TestOrderLogLine(t *testing.T) {
	path := startObs(t, "INFO")
	id := fmt.Sprintf("LOG-%d", time.Now().UnixNano()%1e9)
	call(t, "POST", url(9780, "/orders"), fmt.Sprintf(`{"order_id":%q,"amount":"10","currency":"INR",
		"customer":{"name":"Ajay Kumar","email":"ajay@example.com","phone":"9816512345"}}`, id))
	call(t, "POST", url(9780, "/orders"), fmt.Sprintf(`{"order_id":"%s-MIN","amount":"0.50","currency":"USD"}`, id))

	var lines []map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for len(lines) < 2 && time.Now().Before(deadline) {
		lines = orderLines(t, path, id)
		time.Sleep(50 * time.Millisecond)
	}
	if len(lines) != 2 {
		t.Fatalf("found %d order log lines for %s, want 2", len(lines), id)
	}
	ok, failed := lines[0], lines[1]
	for k, v := range map[string]any{"level": "info", "gateway": "razorpay", "operation": "create", "order_id": id,
		"outcome": "success", "gateway_http_status": 200.0, "customer_email": "a***@***.com", "customer_phone": "******2345"} {
		if ok[k] != v {
			t.Errorf("success line %s = %v, want %v (%v)", k, ok[k], v, ok)
		}
	}
	if _, has := ok["duration"]; !has {
		t.Errorf("no duration in %v", ok)
	}
	for k, v := range map[string]any{"outcome": "gateway_rejected", "gateway_code": "BAD_REQUEST_ERROR", "gateway_http_status": 400.0, "field": "amount"} {
		if failed[k] != v {
			t.Errorf("failure line %s = %v, want %v (%v)", k, failed[k], v, failed)
		}
	}
	raw, _ := os.ReadFile(path)
	for _, leak := range []string{"ajay@example.com", "9816512345"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("log contains %q", leak)
		}
	}
	for k := range ok {
		if k != strings.ToLower(k) || strings.Contains(k, "-") {
			t.Errorf("log field %q is not snake_case", k)
		}
	}
}

func orderLines(t *testing.T, path, idPrefix string) []map[string]any {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []map[string]any
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) != nil || m["msg"] != "order" {
			continue
		}
		if id, _ := m["order_id"].(string); strings.HasPrefix(id, idPrefix) {
			out = append(out, m)
		}
	}
	return out
}
