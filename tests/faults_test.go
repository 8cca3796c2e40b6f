package tests

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

func faultCaddyfile() string {
	return `
:9580 {
	handle /rp/* {
		paygate razorpay {
			key_id     rzp_test_fault
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		}
		reverse_proxy 127.0.0.1:9581 {
			transport http {
				response_header_timeout 500ms
			}
		}
	}
	# No Accept-Encoding upstream at all: a gateway that gzips anyway is
	# decoded by paygate itself.
	handle /nocompress/* {
		paygate razorpay {
			key_id     rzp_test_fault
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		}
		reverse_proxy 127.0.0.1:9581 {
			transport http {
				compression off
			}
		}
	}
	handle /refused/* {
		paygate razorpay {
			key_id     rzp_test_fault
			key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		}
		reverse_proxy 127.0.0.1:9589
	}
}

:9581 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   rzp-fault
		key_id     rzp_test_fault
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}
`
}

// Every gateway or network fault reaches the application as canonical JSON;
// nothing hangs and no goroutine is left behind.
func TestFaultMapping(t *testing.T) {
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	startCaddy(t, faultCaddyfile())
	freshEmulator(t, "rzp-fault")
	t.Cleanup(func() { emulator.ClearFault("rzp-fault") })
	before := settledGoroutines(0)

	cases := []struct {
		name, path string
		fault      emulator.Fault
		header     []string
		status     int
		errType    string
	}{
		{"HTML 500", "/rp/orders", emulator.FaultHTML500, nil, 502, "gateway_error"},
		{"200 with a non-JSON body", "/rp/orders", emulator.FaultNonJSON200, nil, 502, "gateway_error"},
		{"gzip, app sends no Accept-Encoding", "/rp/orders", emulator.FaultGzip, nil, 201, ""},
		{"gzip, app sends Accept-Encoding: gzip", "/rp/orders", emulator.FaultGzip, []string{"Accept-Encoding", "gzip"}, 201, ""},
		{"gzip that paygate decodes itself", "/nocompress/orders", emulator.FaultGzip, []string{"Accept-Encoding", "gzip"}, 201, ""},
		{"body over 1 MiB", "/rp/orders", emulator.FaultHuge, nil, 502, "gateway_error"},
		{"connection reset", "/rp/orders", emulator.FaultReset, nil, 502, "gateway_error"},
		{"no answer within the timeout", "/rp/orders", emulator.FaultHang, nil, 504, "gateway_timeout"},
		{"connection refused", "/refused/orders", "", nil, 503, "gateway_unavailable"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.fault != "" {
				emulator.SetFault("rzp-fault", c.fault, 1)
			}
			body := fmt.Sprintf(`{"order_id":"FAULT-%d","amount":"10","currency":"INR"}`, i)
			start := time.Now()
			r := call(t, "POST", url(9580, c.path), body, c.header...)
			if elapsed := time.Since(start); elapsed > 10*time.Second {
				t.Errorf("took %v", elapsed)
			}
			if c.errType == "" {
				if r.status != c.status || r.json(t)["status"] != "created" {
					t.Fatalf("%d %s", r.status, r.body)
				}
				if r.header.Get("Content-Encoding") != "" {
					t.Errorf("answer carries Content-Encoding %q", r.header.Get("Content-Encoding"))
				}
				return
			}
			e := r.canonicalError(t, c.status, c.errType)
			if e["gateway"] != "razorpay" {
				t.Errorf("error without the gateway: %v", e)
			}
			if strings.Contains(string(r.body), "<html") || strings.Contains(string(r.body), "xxxx") {
				t.Errorf("gateway body leaked into the answer: %.200s", r.body)
			}
		})
	}
	emulator.ClearFault("rzp-fault")
	client.CloseIdleConnections()
	if after := settledGoroutines(before); after > before+5 {
		t.Errorf("goroutines: %d before the faults, %d after", before, after)
	} else {
		t.Logf("goroutines: %d before the faults, %d after", before, after)
	}
}

// settledGoroutines waits (up to 5 s) for the goroutine count to drop to
// target+5, then returns it; with target 0 it just lets things settle.
func settledGoroutines(target int) int {
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		n = runtime.NumGoroutine()
		if target > 0 && n <= target+5 {
			break
		}
	}
	return n
}
