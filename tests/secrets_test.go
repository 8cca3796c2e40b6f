package tests

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// Secret values of the hygiene test; each is long and unique so a leak in
// any form (raw, Basic, base64) is found by substring search.
const (
	hyRazorpaySecret = "hy-rzp-secret-5be1c0"
	hyKwikSecret     = "hy-kp-secret-8d2f47"
	hyJuspayKey      = "HYJUSPAYKEY9A1B2C3D4E5F"
	hyEnKashSecret   = "hy-ek-secret-3fa9e2"
)

// hygieneGateway is one gateway's routes in the hygiene config: a good
// route, and a route with a wrong credential.
type hygieneGateway struct {
	name      string
	good, bad string // create bodies that succeed and that the gateway rejects
	instance  string
	prefix    string // route prefix on :9880
	secrets   []string
}

func hygieneGateways() []hygieneGateway {
	basic := func(user, pass string) []string {
		b := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
		return []string{b, "Basic " + b}
	}
	cust := `"customer":{"id":"c-1","name":"Ajay Kumar","email":"ajay@example.com","phone":"9816512345"},"return_url":"https://shop.example.com/return"`
	gws := []hygieneGateway{
		{
			name: "razorpay", instance: "hy-rzp", prefix: "/rzp",
			good:    `{"order_id":"%s","amount":"10","currency":"INR"}`,
			bad:     `{"order_id":"%s","amount":"0.50","currency":"USD"}`,
			secrets: append([]string{hyRazorpaySecret}, basic("rzp_test_hy", hyRazorpaySecret)...),
		},
		{
			name: "kwikpaisa", instance: "hy-kp", prefix: "/kp",
			good:    `{"order_id":"%s","amount":"10","currency":"INR",` + cust + `}`,
			bad:     `{"order_id":"%s","amount":"10","currency":"USD",` + cust + `}`,
			secrets: []string{hyKwikSecret},
		},
		{
			name: "enkash", instance: "hy-ek", prefix: "/ek",
			good:    `{"order_id":"%s","amount":"10","currency":"INR",` + cust + `}`,
			bad:     `{"order_id":"%s","amount":"10","currency":"INR","bank_account":{"account_number":"123456789","ifsc":"KKBK0000432"},` + cust + `}`,
			secrets: []string{hyEnKashSecret},
		},
		{
			name: "juspay", instance: "hy-jp", prefix: "/jp",
			good:    `{"order_id":"%s","amount":"10","currency":"INR",` + cust + `}`,
			bad:     `{"order_id":"%s","amount":"0.50","currency":"INR",` + cust + `}`,
			secrets: append([]string{hyJuspayKey}, basic(hyJuspayKey, "")...),
		},
	}
	return gws
}

func hygieneCaddyfile(logPath string, filtered bool) string {
	filter := ""
	if filtered {
		// The filter README.md shows for running reverse_proxy at DEBUG.
		filter = `
		format filter {
			wrap json
			fields {
				request>headers>X-Api-Key delete
				request>headers>X-Signature delete
				request>headers>Merchantaccesskey delete
			}
		}`
	} else {
		filter = `
		format json`
	}
	return fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	persist_config off
	grace_period 1s
	log {
		output file %s
		level DEBUG%s
	}
}

:9880 {
	handle /rzp/* {
		paygate razorpay {
			key_id     rzp_test_hy
			key_secret {env.PAYGATE_HY_RZP}
		}
		reverse_proxy 127.0.0.1:9881
	}
	handle /rzpbad/* {
		paygate razorpay {
			key_id     rzp_test_hy
			key_secret {env.PAYGATE_HY_RZP}-wrong
		}
		reverse_proxy 127.0.0.1:9881
	}
	handle /kp/* {
		paygate kwikpaisa {
			api_key    pk_test_hy
			secret_key {env.PAYGATE_HY_KP}
		}
		reverse_proxy 127.0.0.1:9882
	}
	handle /kpbad/* {
		paygate kwikpaisa {
			api_key    pk_test_hy
			secret_key {env.PAYGATE_HY_KP}-wrong
		}
		reverse_proxy 127.0.0.1:9882
	}
	handle /jp/* {
		paygate juspay {
			api_key     {env.PAYGATE_HY_JP}
			merchant_id hy_merchant
		}
		reverse_proxy 127.0.0.1:9883
	}
	handle /jpbad/* {
		paygate juspay {
			api_key     {env.PAYGATE_HY_JP}WRONG
			merchant_id hy_merchant
		}
		reverse_proxy 127.0.0.1:9883
	}
	handle /ek/* {
		paygate enkash {
			access_key ek_hy_access
			secret_key {env.PAYGATE_HY_EK}
			token_url  http://127.0.0.1:9884/api/v0/merchant/token?case=hy
		}
		reverse_proxy 127.0.0.1:9884
	}
	handle /ekbad/* {
		paygate enkash {
			access_key ek_hy_access
			secret_key {env.PAYGATE_HY_EK}-wrong
			token_url  http://127.0.0.1:9884/api/v0/merchant/token?case=hy
		}
		reverse_proxy 127.0.0.1:9884
	}
	handle /down/* {
		paygate razorpay {
			key_id     rzp_test_hy
			key_secret {env.PAYGATE_HY_RZP}
		}
		reverse_proxy 127.0.0.1:9889
	}
}

:9881 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   hy-rzp
		key_id     rzp_test_hy
		key_secret {env.PAYGATE_HY_RZP}
	}
}

:9882 {
	bind 127.0.0.1
	paygate_emulator kwikpaisa {
		instance   hy-kp
		api_key    pk_test_hy
		secret_key {env.PAYGATE_HY_KP}
	}
}

:9884 {
	bind 127.0.0.1
	paygate_emulator enkash {
		instance   hy-ek
		access_key ek_hy_access
		secret_key {env.PAYGATE_HY_EK}
	}
}

:9883 {
	bind 127.0.0.1
	paygate_emulator juspay {
		instance    hy-jp
		api_key     {env.PAYGATE_HY_JP}
		merchant_id hy_merchant
	}
}
`, adminPort, logPath, filter)
}

// TestSecretHygiene runs Caddy at DEBUG through every gateway's success and
// failure paths and checks that no secret key, Basic credential or token
// appears in any log line, answer, or the admin API's /config/.
func TestSecretHygiene(t *testing.T) {
	t.Setenv("PAYGATE_HY_RZP", hyRazorpaySecret)
	t.Setenv("PAYGATE_HY_KP", hyKwikSecret)
	t.Setenv("PAYGATE_HY_JP", hyJuspayKey)
	t.Setenv("PAYGATE_HY_EK", hyEnKashSecret)
	for _, filtered := range []bool{false, true} {
		t.Run(fmt.Sprintf("log filter %v", filtered), func(t *testing.T) {
			logPath := t.TempDir() + "/caddy.log"
			load(t, hygieneCaddyfile(logPath, filtered), "caddyfile")
			var answers strings.Builder
			run := fmt.Sprint(time.Now().UnixNano() % 1e9)
			var signatures, tokens []string
			for _, gw := range hygieneGateways() {
				emu := freshEmulator(t, gw.instance)
				id := "HY-" + gw.name[:2] + "-" + run
				bodies := []struct{ path, body string }{
					{gw.prefix + "/orders", fmt.Sprintf(gw.good, id)},                                      // created
					{gw.prefix + "/orders", fmt.Sprintf(gw.good, id)},                                      // replayed
					{gw.prefix + "/orders", fmt.Sprintf(gw.bad, id+"-B")},                                  // rejected
					{gw.prefix + "/orders", `{"order_id":"x","amount":"-1"}`},                              // invalid
					{gw.prefix + "bad/orders", fmt.Sprintf(gw.good, id+"-C")},                              // credentials refused
					{"/down/orders", fmt.Sprintf(`{"order_id":"%s-D","amount":"1","currency":"INR"}`, id)}, // unreachable
				}
				for _, b := range bodies {
					r := call(t, "POST", url(9880, b.path), b.body, "Authorization", "Bearer app-supplied-token")
					answers.Write(r.body)
				}
				r := call(t, "GET", url(9880, gw.prefix+"/orders/"+id), "")
				answers.Write(r.body)
				r = call(t, "GET", url(9880, gw.prefix+"/orders/"+id+"-X"), "")
				answers.Write(r.body)
				created := 0
				for _, rec := range emu.Received() {
					if s := rec.Header.Get("X-Signature"); s != "" {
						signatures = append(signatures, s)
					}
					if a := rec.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
						tokens = append(tokens, a, strings.TrimPrefix(a, "Bearer "))
					}
					if rec.Method == "POST" {
						created++
					}
				}
				if created == 0 {
					t.Errorf("%s: the emulator saw no create; the paths were not exercised", gw.name)
				}
			}
			resp, err := http.Get(fmt.Sprintf("http://localhost:%d/config/", adminPort))
			if err != nil {
				t.Fatal(err)
			}
			config, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			time.Sleep(200 * time.Millisecond) // let the file logger flush
			logs, err := os.ReadFile(logPath)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(logs), `"msg":"order"`) || !strings.Contains(string(logs), "upstream roundtrip") {
				t.Fatalf("the DEBUG log lacks paygate's or reverse_proxy's lines; the test would prove nothing:\n%.2000s", logs)
			}
			for _, gw := range hygieneGateways() {
				for _, s := range gw.secrets {
					for where, text := range map[string]string{"log": string(logs), "answers": answers.String(), "/config/": string(config)} {
						if strings.Contains(text, s) {
							t.Errorf("%s secret %q appears in the %s", gw.name, s, where)
						}
					}
				}
			}
			if len(signatures) == 0 || len(tokens) == 0 {
				t.Fatal("no signed request or bearer token was seen")
			}
			for _, tok := range tokens {
				for where, text := range map[string]string{"log": string(logs), "answers": answers.String(), "/config/": string(config)} {
					if strings.Contains(text, tok) {
						t.Errorf("bearer token %q appears in the %s", tok, where)
					}
				}
			}
			if !filtered {
				// Why the filter exists: Caddy's debug line shows these headers.
				// Without it the filtered run below would prove nothing.
				if !strings.Contains(string(logs), signatures[0]) {
					t.Errorf("reverse_proxy's debug log no longer shows X-Signature; revisit the README's log filter")
				}
			} else {
				for _, s := range signatures {
					if strings.Contains(string(logs), s) {
						t.Errorf("with the README's log filter, X-Signature %s still appears in the log", s)
					}
				}
			}
		})
	}
}
