package tests

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

// idemCaddyfile: paygate in front of the Razorpay emulator with a short
// upstream timeout, so a hanging gateway is an ambiguous outcome.
func idemCaddyfile() string {
	return `
:9480 {
	paygate razorpay {
		key_id     rzp_test_idem
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
	reverse_proxy 127.0.0.1:9481 {
		transport http {
			response_header_timeout 500ms
		}
	}
}

:9481 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   rzp-idem
		key_id     rzp_test_idem
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}

# Another merchant account: its order ids are its own.
:9482 {
	paygate razorpay {
		key_id     rzp_test_idem2
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
	reverse_proxy 127.0.0.1:9483
}

:9483 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   rzp-idem2
		key_id     rzp_test_idem2
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}
`
}

func startIdem(t *testing.T) *emulator.Razorpay {
	t.Helper()
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	startCaddy(t, idemCaddyfile())
	emulator.ClearFault("rzp-idem")
	t.Cleanup(func() { emulator.ClearFault("rzp-idem") })
	return freshEmulator(t, "rzp-idem").(*emulator.Razorpay)
}

// countCalls counts the requests the emulator got, by method.
func countCalls(emu emulator.Emulator) (posts, gets int) {
	for _, r := range emu.Received() {
		switch r.Method {
		case "POST":
			posts++
		case "GET":
			gets++
		}
	}
	return
}

func TestIdempotentReplay(t *testing.T) {
	emu := startIdem(t)
	first := call(t, "POST", url(9480, "/orders"), `{"order_id":"IDEM-1","amount":"105.50","currency":"INR","metadata":{"cart":"42"}}`)
	if first.status != 201 || first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first create: %d %v %s", first.status, first.header, first.body)
	}
	// The same order, written differently: other whitespace, key order, number form.
	for _, body := range []string{
		`{"order_id":"IDEM-1","amount":"105.50","currency":"INR","metadata":{"cart":"42"}}`,
		`{ "currency": "INR", "metadata": {"cart": "42"}, "amount": 105.5, "order_id": "IDEM-1" }`,
	} {
		r := call(t, "POST", url(9480, "/orders"), body)
		if r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" || string(r.body) != string(first.body) {
			t.Errorf("repeat: %d replayed=%q body %s", r.status, r.header.Get("Idempotent-Replayed"), r.body)
		}
	}
	if posts, _ := countCalls(emu); posts != 1 {
		t.Errorf("gateway saw %d creates, want 1", posts)
	}
	t.Logf("replay: 1 create at the gateway for 3 identical requests (0 calls on replay)")

	// Same id, different body: 409 without a call.
	r := call(t, "POST", url(9480, "/orders"), `{"order_id":"IDEM-1","amount":"200","currency":"INR"}`)
	e := r.canonicalError(t, 409, "duplicate_order")
	if e["field"] != "order_id" {
		t.Errorf("conflict error %v", e)
	}
	if posts, _ := countCalls(emu); posts != 1 {
		t.Errorf("gateway saw %d creates after a conflicting body, want 1", posts)
	}

	// A gateway rejection is definite too: replayed, not resent.
	for i := 0; i < 2; i++ {
		r := call(t, "POST", url(9480, "/orders"), `{"order_id":"IDEM-MIN","amount":"0.50","currency":"USD"}`)
		r.canonicalError(t, 422, "gateway_rejected")
		if got := r.header.Get("Idempotent-Replayed"); (i == 1) != (got == "true") {
			t.Errorf("attempt %d: Idempotent-Replayed = %q", i, got)
		}
	}
	if posts, _ := countCalls(emu); posts != 2 {
		t.Errorf("gateway saw %d creates, want 2", posts)
	}
}

// Records belong to one gateway configuration: the same order id at another
// merchant account (or another gateway) is a new order.
func TestIdempotencyPerGatewayConfig(t *testing.T) {
	emu := startIdem(t)
	other := freshEmulator(t, "rzp-idem2")
	body := `{"order_id":"SPACE-1","amount":"10","currency":"INR"}`
	for _, port := range []int{9480, 9482} {
		r := call(t, "POST", url(port, "/orders"), body)
		if r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
			t.Errorf("port %d: %d replayed=%q %s", port, r.status, r.header.Get("Idempotent-Replayed"), r.body)
		}
	}
	a, _ := countCalls(emu)
	b, _ := countCalls(other)
	if a != 1 || b != 1 {
		t.Errorf("creates: %d at the first account, %d at the second; want 1 and 1", a, b)
	}
}

func TestIdempotentConcurrent(t *testing.T) {
	emu := startIdem(t)
	const n = 50
	var wg sync.WaitGroup
	replies := make([]reply, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			replies[i] = call(t, "POST", url(9480, "/orders"), `{"order_id":"CONC-1","amount":"10","currency":"INR"}`)
		}(i)
	}
	close(start)
	wg.Wait()
	replayed := 0
	for i, r := range replies {
		if r.status != 201 || string(r.body) != string(replies[0].body) {
			t.Errorf("reply %d: %d %s", i, r.status, r.body)
		}
		if r.header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
	}
	posts, _ := countCalls(emu)
	if posts != 1 || replayed != n-1 {
		t.Errorf("%d concurrent creates → %d gateway calls and %d replays, want 1 and %d", n, posts, replayed, n-1)
	}
	t.Logf("concurrency: %d identical creates → %d gateway call, %d replays, 1 answer", n, posts, replayed)
}

// After an ambiguous outcome the next attempt asks the gateway's status
// API before creating, so a lost answer never makes a second order.
func TestIdempotentAfterAmbiguousOutcome(t *testing.T) {
	for _, c := range []struct {
		fault     emulator.Fault
		status    int
		errType   string
		createdBy string // did the faulty attempt create the order?
	}{
		{emulator.FaultHang, 504, "gateway_timeout", "yes"},
		{emulator.FaultReset, 502, "gateway_error", "yes"},
		{emulator.FaultHTML500, 502, "gateway_error", "no"},
	} {
		t.Run(string(c.fault), func(t *testing.T) {
			emu := startIdem(t)
			id := "AMB-" + strings.ToUpper(string(c.fault))
			body := fmt.Sprintf(`{"order_id":%q,"amount":"10","currency":"INR"}`, id)
			emulator.SetFault("rzp-idem", c.fault, 1)
			call(t, "POST", url(9480, "/orders"), body).canonicalError(t, c.status, c.errType)

			r := call(t, "POST", url(9480, "/orders"), body)
			if r.status != http.StatusCreated {
				t.Fatalf("retry: %d %s", r.status, r.body)
			}
			res := r.json(t)
			if res["order_id"] != id || res["status"] != "created" {
				t.Errorf("retry answer %s", r.body)
			}
			got := emu.Received()
			var seq []string
			for _, g := range got {
				seq = append(seq, g.Method)
			}
			want := "POST GET"       // the create that was lost, then the status check
			if c.createdBy == "no" { // the 500 page never reached the emulator's logic
				want = "GET POST"
			}
			if strings.Join(seq, " ") != want {
				t.Errorf("gateway saw %v, want %s", seq, want)
			}
			// And now it is definite: a third attempt is a pure replay.
			r = call(t, "POST", url(9480, "/orders"), body)
			if r.header.Get("Idempotent-Replayed") != "true" || len(emu.Received()) != len(got) {
				t.Errorf("third attempt was not a replay: %v, %d calls", r.header, len(emu.Received()))
			}
		})
	}
}
