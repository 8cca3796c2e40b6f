package tests

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	_ "github.com/pberkel/caddy-storage-redis"
)

// Two Caddy instances — this test process and a second process running the
// same binary as Caddy (see TestMain) — share idempotency records through a
// storage module: a create answered by one is replayed by the other, and
// concurrent creates on both make one gateway call.

const secondAdminPort = 3199

func sharedCaddyfile(port int, storage string, emulator bool) string {
	s := fmt.Sprintf(`
:%d {
	paygate razorpay {
		key_id     rzp_test_shared
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
		%s
	}
	reverse_proxy 127.0.0.1:9681
}
`, port, storage)
	if emulator {
		s += `
:9681 {
	bind 127.0.0.1
	paygate_emulator razorpay {
		instance   rzp-shared
		key_id     rzp_test_shared
		key_secret {env.PAYGATE_IT_RAZORPAY_SECRET}
	}
}
`
	}
	return s
}

// startSecondCaddy runs this test binary as a Caddy process with config,
// with the test's environment (t.Setenv) as it is now.
func startSecondCaddy(t *testing.T, config string) *exec.Cmd {
	t.Helper()
	dir := t.TempDir()
	path := dir + "/Caddyfile"
	cfg := fmt.Sprintf("{\n\tadmin localhost:%d\n\tauto_https off\n\tpersist_config off\n}\n", secondAdminPort) + config
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable() // not os.Args[0]: caddytest rewrites os.Args
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "run", "--config", path, "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "PAYGATE_TEST_AS_CADDY=1", "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	logFile, _ := os.Create(dir + "/caddy.log")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState != nil { // killed by the test
			logFile.Close()
			return
		}
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logFile.Close()
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(fmt.Sprintf("http://localhost:%d/config/", secondAdminPort))
		if err == nil {
			resp.Body.Close()
			return cmd
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(dir + "/caddy.log")
			t.Fatalf("second Caddy did not start: %v\n%s", err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func checkSharedStorage(t *testing.T, storage string) {
	t.Setenv("PAYGATE_IT_RAZORPAY_SECRET", rzpSecret)
	startCaddy(t, sharedCaddyfile(9680, storage, true))
	startSecondCaddy(t, sharedCaddyfile(9690, storage, false))
	emu := freshEmulator(t, "rzp-shared")
	run := fmt.Sprint(time.Now().UnixNano()) // storage outlives the test run: fresh ids
	order := func(id, amount string) string {
		return fmt.Sprintf(`{"order_id":"%s-%s","amount":%q,"currency":"INR"}`, id, run[len(run)-8:], amount)
	}

	first := call(t, "POST", url(9680, "/orders"), order("SH1", "10"))
	if first.status != 201 {
		t.Fatalf("create on instance A: %d %s", first.status, first.body)
	}
	r := call(t, "POST", url(9690, "/orders"), order("SH1", "10"))
	if r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" || string(r.body) != string(first.body) {
		t.Errorf("repeat on instance B: %d %v %s", r.status, r.header, r.body)
	}
	call(t, "POST", url(9690, "/orders"), order("SH1", "11")).canonicalError(t, 409, "duplicate_order")
	if posts, _ := countCalls(emu); posts != 1 {
		t.Errorf("gateway saw %d creates, want 1", posts)
	}

	// 50 concurrent identical creates, split over the two instances.
	var wg sync.WaitGroup
	replies := make([]reply, 50)
	start := make(chan struct{})
	for i := range replies {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			port := 9680 + 10*(i%2)
			replies[i] = call(t, "POST", url(port, "/orders"), order("SH2", "10"))
		}(i)
	}
	close(start)
	wg.Wait()
	// Same-instance repeats wait and replay; the other instance, finding
	// the in-flight marker, answers 409 order_in_progress (retry later).
	inProgress, created := 0, ""
	for i, r := range replies {
		switch {
		case r.status == 201 && (created == "" || created == string(r.body)):
			created = string(r.body)
		case r.status == 409 && r.header.Get("Retry-After") != "":
			r.canonicalError(t, 409, "order_in_progress")
			inProgress++
		default:
			t.Errorf("reply %d: %d %s", i, r.status, r.body)
		}
	}
	for _, port := range []int{9680, 9690} {
		if r := call(t, "POST", url(port, "/orders"), order("SH2", "10")); r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry on %d after the create: %d %s", port, r.status, r.body)
		}
	}
	posts, _ := countCalls(emu)
	if posts != 2 {
		t.Errorf("gateway saw %d creates for 1 + 50 concurrent, want 2", posts)
	}
	t.Logf("%s: %d of 50 concurrent creates told order_in_progress", storage, inProgress)
	t.Logf("%s: 50 concurrent creates over two instances → %d gateway call", storage, posts-1)
}

func TestSharedStorageFileSystem(t *testing.T) {
	checkSharedStorage(t, "storage file_system "+t.TempDir())
}

// The Redis test needs a redis-server on 127.0.0.1:6379 (.ci/run installs
// and starts one). Without it the test is skipped, unless
// PAYGATE_REQUIRE_REDIS=1 makes that a failure.
func TestSharedStorageRedis(t *testing.T) {
	conn, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	if err != nil {
		if os.Getenv("PAYGATE_REQUIRE_REDIS") == "1" {
			t.Fatalf("PAYGATE_REQUIRE_REDIS=1 but no Redis on 127.0.0.1:6379: %v", err)
		}
		t.Skip("no Redis on 127.0.0.1:6379 (install redis-server to run this test)")
	}
	conn.Close()
	checkSharedStorage(t, "storage redis {\n\t\t\taddress 127.0.0.1:6379\n\t\t\tkey_prefix paygate-test\n\t\t}")
}
