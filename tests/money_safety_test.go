package tests

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

// Money-safety rules through Caddy (README "Retries and idempotency").

// accountCaddyfile is one paygate site whose account and upstream come from
// the environment: two processes run the same text with different values.
// The upstream is read when the Caddyfile is adapted ({$…}): reverse_proxy
// would read {env.…} at every request.
func accountCaddyfile(port int, storage string) string {
	return fmt.Sprintf(`
:%d {
	paygate razorpay {
		key_id     {env.PAYGATE_IT_KEY_ID}
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		%s
	}
	reverse_proxy {$PAYGATE_IT_UPSTREAM}
}
`, port, storage)
}

const accountEmulators = `
:9781 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   rzp-acct-a
		key_id     rzp_test_ACCOUNT_A
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}

:9782 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   rzp-acct-b
		key_id     rzp_live_ACCOUNT_B
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}
`

// Two processes with the same Caddyfile, resolving different accounts and
// sharing one storage, never replay each other's records (docs/idempotency.md:
// one record space per merchant account).
func checkCrossAccount(t *testing.T, storage string) {
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	t.Setenv("PAYGATE_IT_KEY_ID", "rzp_test_ACCOUNT_A")
	t.Setenv("PAYGATE_IT_UPSTREAM", "127.0.0.1:9781")
	startCaddy(t, accountCaddyfile(9780, storage)+accountEmulators)
	t.Setenv("PAYGATE_IT_KEY_ID", "rzp_live_ACCOUNT_B")
	t.Setenv("PAYGATE_IT_UPSTREAM", "127.0.0.1:9782")
	startSecondCaddy(t, accountCaddyfile(9790, storage))
	a, b := freshEmulator(t, "rzp-acct-a"), freshEmulator(t, "rzp-acct-b")

	run := strconv.FormatInt(time.Now().UnixNano()%1e8, 10)
	replays := 0
	for i := range 5 {
		for _, amount := range []string{"10", "10", "20"} { // same body, then a different one
			body := fmt.Sprintf(`{"order_id":"XA%d-%s","amount":%q,"currency":"INR"}`, i, run, amount)
			ra := call(t, "POST", url(9780, "/orders"), body)
			rb := call(t, "POST", url(9790, "/orders"), body)
			for _, r := range []reply{ra, rb} {
				if r.header.Get("Idempotent-Replayed") == "true" && amount == "10" && r.status == 201 {
					replays++
				}
			}
			if amount == "20" {
				ra.canonicalError(t, 409, "duplicate_order") // each account's own earlier order
				rb.canonicalError(t, 409, "duplicate_order")
				continue
			}
			if ra.status != 201 || rb.status != 201 {
				t.Fatalf("creates: A %d %s; B %d %s", ra.status, ra.body, rb.status, rb.body)
			}
			if ra.json(t)["gateway_order_id"] == rb.json(t)["gateway_order_id"] {
				t.Errorf("both accounts answered with gateway order %v", ra.json(t)["gateway_order_id"])
			}
		}
	}
	pa, _ := countCalls(a)
	pb, _ := countCalls(b)
	// Each account's repeat of its own order is a replay (5 each); none
	// comes from the other account's records.
	if pa != 5 || pb != 5 || replays != 10 {
		t.Errorf("creates: %d at account A, %d at account B, %d replays; want 5, 5, 10", pa, pb, replays)
	}
	t.Logf("%s: 5 orders per account over one storage → %d + %d creates, %d own replays, 0 cross-account replays", storage, pa, pb, replays)
}

func TestCrossAccountFileSystem(t *testing.T) {
	checkCrossAccount(t, "storage file_system "+t.TempDir())
}

func TestCrossAccountRedis(t *testing.T) {
	requireRedis(t)
	checkCrossAccount(t, "storage redis {\n\t\t\taddress 127.0.0.1:6379\n\t\t\tkey_prefix paygate-test\n\t\t}")
}

func requireRedis(t *testing.T) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	if err != nil {
		if os.Getenv("PAYGATE_REQUIRE_REDIS") == "1" {
			t.Fatalf("PAYGATE_REQUIRE_REDIS=1 but no Redis on 127.0.0.1:6379: %v", err)
		}
		t.Skip("no Redis on 127.0.0.1:6379 (install redis-server to run this test)")
	}
	conn.Close()
}

// An instance dies (SIGKILL) while its create is at the gateway. The other
// instance answers 409 order_in_progress while the marker is fresh, then
// treats the outcome as ambiguous: it asks the status and answers the order
// the dead instance created — never a second create.
func checkKilledInFlight(t *testing.T, storage string) {
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	t.Setenv("PAYGATE_IT_KEY_ID", "rzp_test_ACCOUNT_A")
	t.Setenv("PAYGATE_IT_UPSTREAM", "127.0.0.1:9781")
	opts := storage + "\n\t\tin_flight_timeout 2s"
	startCaddy(t, accountCaddyfile(9780, opts)+accountEmulators)
	victim := startSecondCaddy(t, accountCaddyfile(9790, opts))
	emu := freshEmulator(t, "rzp-acct-a")
	old := emulator.HangFor
	emulator.HangFor = 10 * time.Second
	t.Cleanup(func() { emulator.HangFor = old; emulator.ClearFault("rzp-acct-a") })
	emulator.SetFault("rzp-acct-a", emulator.FaultHang, 1) // creates the order, holds the answer

	body := fmt.Sprintf(`{"order_id":"KILL-%d","amount":"10","currency":"INR"}`, time.Now().UnixNano()%1e8)
	go func() {
		// The victim's client sees its connection die.
		req, _ := http.NewRequest("POST", url(9790, "/orders"), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if posts, _ := countCalls(emu); posts == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the create never reached the gateway")
		}
		time.Sleep(10 * time.Millisecond)
	}
	killedAt := time.Now()
	if err := victim.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	victim.Wait()

	r := call(t, "POST", url(9780, "/orders"), body)
	r.canonicalError(t, 409, "order_in_progress")
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 2 {
		t.Errorf("Retry-After %q, want 1–2 s (what is left of in_flight_timeout 2s)", r.header.Get("Retry-After"))
	}
	time.Sleep(time.Until(killedAt.Add(2200 * time.Millisecond)))
	r = call(t, "POST", url(9780, "/orders"), body)
	if r.status != 201 {
		t.Fatalf("retry after the marker expired: %d %s", r.status, r.body)
	}
	var seq []string
	for _, g := range emu.Received() {
		seq = append(seq, g.Method)
	}
	if got := strings.Join(seq, " "); got != "POST GET" {
		t.Errorf("gateway saw %s, want POST GET (the dead instance's create, then the status check)", got)
	}
	if r = call(t, "POST", url(9780, "/orders"), body); r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("third attempt not replayed: %d %s", r.status, r.body)
	}
	t.Logf("%s: SIGKILL mid-create → 409 order_in_progress (Retry-After %d), then status check → 201; gateway creates: 1", storage, ra)
}

func TestKilledInFlightFileSystem(t *testing.T) {
	checkKilledInFlight(t, "storage file_system "+t.TempDir())
}

func TestKilledInFlightRedis(t *testing.T) {
	requireRedis(t)
	checkKilledInFlight(t, "storage redis {\n\t\t\taddress 127.0.0.1:6379\n\t\t\tkey_prefix paygate-test\n\t\t}")
}

// A 429 is not an answer: 503 with the gateway's Retry-After, and the
// identical retry reaches the gateway and creates the order
// (docs/idempotency.md: 408/425/429 record nothing).
func TestRateLimitThenRetryCreates(t *testing.T) {
	emu := startIdem(t)
	body := `{"order_id":"RL-1","amount":"10","currency":"INR"}`
	emulator.SetFault("rzp-idem", emulator.FaultRateLimit, 1)
	r := call(t, "POST", url(9480, "/orders"), body)
	r.canonicalError(t, 503, "gateway_unavailable")
	if got := r.header.Get("Retry-After"); got != emulator.RateLimitRetryAfter {
		t.Errorf("Retry-After %q, want the gateway's %s", got, emulator.RateLimitRetryAfter)
	}
	r = call(t, "POST", url(9480, "/orders"), body)
	if r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry: %d %v %s", r.status, r.header, r.body)
	}
	var seq []string
	for _, g := range emu.Received() {
		seq = append(seq, g.Method)
	}
	// The 429 came from the fault before the emulator's logic: its journal
	// holds the retry's create alone, and no status check.
	if got := strings.Join(seq, " "); got != "POST" {
		t.Errorf("gateway processed %s, want POST (the retry's create; no status check)", got)
	}
}

// A reload that reorders options and changes tuning options keeps every
// record, ambiguous ones included (docs/idempotency.md: a reload keeps every
// record).
func TestReloadKeepsRecords(t *testing.T) {
	emu := startIdem(t)
	done := `{"order_id":"RELOAD-1","amount":"10","currency":"INR"}`
	amb := `{"order_id":"RELOAD-2","amount":"10","currency":"INR"}`
	first := call(t, "POST", url(9480, "/orders"), done)
	if first.status != 201 {
		t.Fatalf("create: %d %s", first.status, first.body)
	}
	emulator.SetFault("rzp-idem", emulator.FaultHang, 1)
	call(t, "POST", url(9480, "/orders"), amb).canonicalError(t, 504, "gateway_timeout")

	reordered := strings.Replace(idemCaddyfile(), `		key_id     rzp_test_idem
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
	reverse_proxy 127.0.0.1:9481`, `		idempotency_max_records 500
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		key_id     rzp_test_idem
		idempotency_window 48h
	}
	reverse_proxy 127.0.0.1:9481`, 1)
	if reordered == idemCaddyfile() {
		t.Fatal("test Caddyfile did not change")
	}
	startCaddy(t, reordered)

	r := call(t, "POST", url(9480, "/orders"), done)
	if r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" || string(r.body) != string(first.body) {
		t.Errorf("after reload: %d %v %s", r.status, r.header, r.body)
	}
	before := len(emu.Received())
	if r := call(t, "POST", url(9480, "/orders"), amb); r.status != 201 {
		t.Fatalf("ambiguous order after reload: %d %s", r.status, r.body)
	}
	var seq []string
	for _, g := range emu.Received()[before:] {
		seq = append(seq, g.Method)
	}
	if got := strings.Join(seq, " "); got != "GET" {
		t.Errorf("after reload the ambiguous order made the gateway see %q, want GET (status only)", got)
	}
}

// S8: Juspay's client_auth_token is a short-lived session credential: the
// first answer carries it, the recorded one (replayed for a day) does not.
func TestJuspayClientAuthTokenIsNotReplayed(t *testing.T) {
	startJuspay(t)
	body := `{"order_id":"CAT-1","amount":"10","currency":"INR","customer":{"id":"c1","email":"a@example.com","phone":"9816512345"},"gateway_options":{"get_client_auth_token":true}}`
	first := call(t, "POST", url(9280, "/juspay/orders"), body)
	if first.status != 201 || !strings.Contains(string(first.body), `"client_auth_token"`) {
		t.Fatalf("create: %d %s", first.status, first.body)
	}
	r := call(t, "POST", url(9280, "/juspay/orders"), body)
	if r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("repeat: %d %v %s", r.status, r.header, r.body)
	}
	if strings.Contains(string(r.body), "client_auth_token") {
		t.Errorf("the replay carries the session token: %s", r.body)
	}
	if r.json(t)["gateway_order_id"] != first.json(t)["gateway_order_id"] {
		t.Errorf("replay names another order: %s", r.body)
	}
}
