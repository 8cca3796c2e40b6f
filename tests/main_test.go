// Package tests runs a real Caddy (in process, through caddytest) from
// Caddyfiles against the gateway emulators over loopback HTTP. All caddytest
// tests live in this one package and never run in parallel: they share one
// admin endpoint.
package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/caddytest"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/paygate/caddy-paygate"
	"github.com/paygate/caddy-paygate/tests/emulator"
)

func TestMain(m *testing.M) {
	// The shared-storage tests run this binary a second time as Caddy.
	if os.Getenv("PAYGATE_TEST_AS_CADDY") == "1" {
		caddycmd.Main()
		return
	}
	// Caddy writes autosave.json and its data under these; keep them out of $HOME.
	dir, err := os.MkdirTemp("", "paygate-tests-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CONFIG_HOME", dir+"/config")
	os.Setenv("XDG_DATA_HOME", dir+"/data")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// adminPort is the test Caddy's admin endpoint; PAYGATE_TEST_ADMIN_PORT
// moves it so two test processes on one machine cannot share a Caddy.
var adminPort = func() int {
	if p, err := strconv.Atoi(os.Getenv("PAYGATE_TEST_ADMIN_PORT")); err == nil && p > 0 {
		return p
	}
	return 2999
}()

// globalOptions is prepended to every test Caddyfile.
func globalOptions() string {
	return fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	persist_config off
	grace_period 1s
}
`, adminPort)
}

// startCaddy loads a Caddyfile (global options are added) into the test Caddy.
func startCaddy(t *testing.T, caddyfile string) {
	t.Helper()
	load(t, globalOptions()+caddyfile, "caddyfile")
}

// startCaddyJSON loads a complete JSON config (its admin must be adminPort).
func startCaddyJSON(t *testing.T, config string) {
	t.Helper()
	load(t, config, "json")
}

// load loads a complete config of the given type ("caddyfile" with its own
// global options naming adminPort, or "json") and waits for it to serve.
func load(t *testing.T, config, configType string) {
	t.Helper()
	tc := caddytest.NewTester(t).WithDefaultOverrides(caddytest.Config{AdminPort: adminPort, TestRequestTimeout: 20 * time.Second})
	tc.InitServer(config, configType)
	if t.Failed() {
		t.FailNow()
	}
	settle()
}

// settle lets the servers of a replaced config finish closing their
// listeners (Caddy reuses ports across reloads), so no test request lands on
// a socket that is about to close.
func settle() {
	client.CloseIdleConnections()
	time.Sleep(150 * time.Millisecond)
}

// reply is what the application got back.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("answer is not JSON (%v): %s", err, r.body)
	}
	return m
}

// canonicalError decodes {"error":{…}} and checks the status and type.
func (r reply) canonicalError(t *testing.T, status int, typ string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.body)
	}
	if e["type"] != typ {
		t.Fatalf("error type = %v, want %s; body %s", e["type"], typ, r.body)
	}
	if msg, _ := e["message"].(string); msg == "" {
		t.Errorf("error without a message: %s", r.body)
	}
	return e
}

func call(t *testing.T, method, url, body string, header ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// client opens a fresh connection per request: after a config reload a
// kept-alive connection may still point at the old server, which is closing.
var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// mustEmulator returns a named emulator instance of the running Caddy.
func mustEmulator(t *testing.T, name string) emulator.Emulator {
	t.Helper()
	e, ok := emulator.Lookup(name)
	if !ok {
		t.Fatalf("no emulator instance %q", name)
	}
	return e
}

// freshEmulator resets a named instance so a test sees only its own traffic.
func freshEmulator(t *testing.T, name string) emulator.Emulator {
	t.Helper()
	e := mustEmulator(t, name)
	e.Reset()
	return e
}

func compact(t *testing.T, s string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(s)); err != nil {
		t.Fatalf("bad JSON in test: %v", err)
	}
	return buf.String()
}

func url(port int, path string) string { return fmt.Sprintf("http://127.0.0.1:%d%s", port, path) }
