package signers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testAccess = "ak_test_123"
	testSecret = "sk_very_secret_456"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// tokenEndpoint is a fake EnKash token endpoint: it issues tok-1, tok-2…
// that expire lifetime after its own clock, which it also sends as Date.
type tokenEndpoint struct {
	srv   *httptest.Server
	clock *fakeClock
	calls atomic.Int32

	mu       sync.Mutex
	lifetime time.Duration
	gate     chan struct{} // when set, answers wait for it
	respond  func(w http.ResponseWriter, r *http.Request)
	bodies   []string
	headers  []http.Header
	entered  chan struct{}
}

func newTokenEndpoint(t *testing.T, clock *fakeClock) *tokenEndpoint {
	t.Helper()
	ep := &tokenEndpoint{clock: clock, lifetime: 10 * time.Minute, entered: make(chan struct{}, 100)}
	ep.srv = httptest.NewServer(http.HandlerFunc(ep.serve))
	t.Cleanup(ep.srv.Close)
	return ep
}

func (ep *tokenEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	n := ep.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	ep.mu.Lock()
	ep.bodies = append(ep.bodies, string(body))
	ep.headers = append(ep.headers, r.Header.Clone())
	gate, respond, lifetime := ep.gate, ep.respond, ep.lifetime
	ep.mu.Unlock()
	ep.entered <- struct{}{}
	if gate != nil {
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	now := time.Now()
	if ep.clock != nil {
		now = ep.clock.Now()
	}
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
	if respond != nil {
		respond(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"token":"tok-%d","expiry":%d,"resultCode":200,"resultMessage":"Token generated successfully."}`,
		n, now.Add(lifetime).UnixMilli())
}

func (ep *tokenEndpoint) set(f func(ep *tokenEndpoint)) {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	f(ep)
}

func newSource(t *testing.T, url string, clock *fakeClock, s TokenSettings) *TokenSource {
	t.Helper()
	cfg := TokenConfig{Gateway: "enkash", URL: url, AccessKey: testAccess, SecretKey: testSecret, TokenSettings: s}
	if clock != nil {
		cfg.Now = clock.Now
	}
	src, err := NewTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func mustToken(t *testing.T, src *TokenSource) string {
	t.Helper()
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok
}

// tokenErr asserts err is a *TokenError of this kind that leaks neither
// credential, in any form it can be printed.
func tokenErr(t *testing.T, err error, kind error) *TokenError {
	t.Helper()
	var e *TokenError
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *TokenError", err, err)
	}
	if !errors.Is(err, kind) || e.Kind != kind || e.Gateway != "enkash" || e.Message == "" {
		t.Fatalf("error %+v, want kind %v", e, kind)
	}
	b, _ := json.Marshal(e)
	if s := string(b) + e.Error() + fmt.Sprintf("%v %+v %#v", e, e, *e); strings.Contains(s, testSecret) || strings.Contains(s, testAccess) {
		t.Fatalf("error leaks a credential: %s", s)
	}
	return e
}

// eventually polls cond for up to 15s: background work on a loaded machine.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestTokenColdConcurrentCallsMakeOneCall(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	gate := make(chan struct{})
	ep.set(func(ep *tokenEndpoint) { ep.gate = gate })
	src := newSource(t, ep.srv.URL+"/api/v0/merchant/token", clock, TokenSettings{})

	const n = 10
	var ready, done sync.WaitGroup
	tokens := make([]string, n)
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		ready.Add(1)
		done.Add(1)
		go func(i int) {
			defer done.Done()
			ready.Done()
			tokens[i], errs[i] = src.Token(context.Background())
		}(i)
	}
	ready.Wait()
	<-ep.entered                      // the one call is at the endpoint, held
	time.Sleep(30 * time.Millisecond) // every caller is now waiting on it
	close(gate)
	done.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil || tokens[i] != "tok-1" {
			t.Errorf("caller %d: %q %v", i, tokens[i], errs[i])
		}
	}
	if c := ep.calls.Load(); c != 1 {
		t.Fatalf("%d concurrent cold callers made %d token calls, want 1", n, c)
	}
	// The call itself, byte for byte.
	if got, want := ep.bodies[0], `{"accessKey":"ak_test_123","secretKey":"sk_very_secret_456"}`; got != want {
		t.Errorf("token body %s, want %s", got, want)
	}
	h := ep.headers[0]
	if h.Get("Content-Type") != "application/json" || h.Get("API-Key") != testAccess || h.Get("Authorization") != "" {
		t.Errorf("token call headers %v", h)
	}
}

func TestTokenWarmCallsMakeNoCall(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	first := mustToken(t, src)
	for i := 0; i < 5; i++ {
		clock.Advance(time.Minute) // 5 minutes into a 10-minute token
		if tok := mustToken(t, src); tok != first {
			t.Fatalf("warm call %d got %q, want %q", i, tok, first)
		}
	}
	if c := ep.calls.Load(); c != 1 {
		t.Fatalf("5 warm calls made %d token calls in all, want 1 (the cold one)", c)
	}
}

func TestTokenInvalidateDropsExactlyThatToken(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	t1 := mustToken(t, src)

	// Two requests refused with t1 at once: one new call between them.
	var wg sync.WaitGroup
	got := make([]string, 2)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			src.Invalidate(t1)
			got[i] = mustToken(t, src)
		}(i)
	}
	wg.Wait()
	if c := ep.calls.Load(); c != 2 {
		t.Fatalf("two concurrent invalidations of one token made %d calls in all, want 2", c)
	}
	if got[0] != "tok-2" || got[1] != "tok-2" {
		t.Errorf("after invalidation got %v, want tok-2 twice", got)
	}
	// A late refusal with the old token leaves the new one alone.
	if src.Invalidate(t1) {
		t.Error("Invalidate(old token) dropped the current one")
	}
	if src.Invalidate("") {
		t.Error("Invalidate(\"\") dropped something")
	}
	if tok := mustToken(t, src); tok != "tok-2" || ep.calls.Load() != 2 {
		t.Errorf("after a stale invalidation: %q, %d calls", tok, ep.calls.Load())
	}
	if s := src.Stats(); s.Fetches != 2 || s.Invalidations != 1 || s.Failures != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestTokenRefreshesAheadWithoutBlocking(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	// Lifetime 9m59s (Date counts from the end of its second); margin
	// max(60s, 10%) = 60s: the refresh is due at 8m59s.
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	t1 := mustToken(t, src)

	clock.Advance(8*time.Minute + 50*time.Second)
	if tok := mustToken(t, src); tok != t1 || ep.calls.Load() != 1 {
		t.Fatalf("before the refresh point: %q, %d calls", tok, ep.calls.Load())
	}

	// Past the refresh point the endpoint is slow: callers must not wait.
	gate := make(chan struct{})
	ep.set(func(ep *tokenEndpoint) { ep.gate = gate })
	clock.Advance(10 * time.Second)
	for i := 0; i < 5; i++ {
		start := time.Now()
		if tok := mustToken(t, src); tok != t1 {
			t.Fatalf("during the refresh got %q, want the still-valid %q", tok, t1)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Fatalf("a caller waited %s for the background refresh", d)
		}
	}
	<-ep.entered
	<-ep.entered
	if c := ep.calls.Load(); c != 2 {
		t.Fatalf("refresh made %d calls in all, want 2 (one background call for 5 callers)", c)
	}
	close(gate)
	eventually(t, "the refreshed token", func() bool {
		tok, _ := src.Token(context.Background())
		return tok == "tok-2"
	})
	if c := ep.calls.Load(); c != 2 {
		t.Fatalf("%d token calls, want 2", c)
	}
}

func TestTokenExpiryWithInjectedClock(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	mustToken(t, src)
	// Nobody called during the refresh window, and the background timer
	// (real time) has not fired: at expiry the next caller fetches.
	clock.Advance(10*time.Minute + time.Second)
	if tok := mustToken(t, src); tok != "tok-2" {
		t.Fatalf("after expiry got %q, want tok-2", tok)
	}
	// Inside the leeway (the last 10s) the token is no longer handed out.
	clock.Advance(10*time.Minute - 5*time.Second)
	if tok := mustToken(t, src); tok != "tok-3" {
		t.Fatalf("5s before expiry got %q, want a fresh tok-3", tok)
	}
	if c := ep.calls.Load(); c != 3 {
		t.Fatalf("%d token calls, want 3", c)
	}
}

func TestTokenLifetimeUsesTheEndpointClock(t *testing.T) {
	local := newFakeClock()
	remote := newFakeClock()
	remote.Advance(3 * time.Hour) // the endpoint's clock is 3h ahead of ours
	ep := newTokenEndpoint(t, remote)
	src := newSource(t, ep.srv.URL, local, TokenSettings{})
	mustToken(t, src)
	// Compared with our clock the expiry is 3h10m away; measured on the
	// endpoint's, 10m. The token must be renewed after 10 minutes, not 3 hours.
	local.Advance(11 * time.Minute)
	if tok := mustToken(t, src); tok != "tok-2" {
		t.Fatalf("got %q: lifetime was not measured against the endpoint's Date", tok)
	}
	// And a clock 3h behind does not make every token look expired.
	remote.Advance(-6 * time.Hour)
	local.Advance(20 * time.Minute)
	mustToken(t, src) // tok-3
	local.Advance(time.Minute)
	if tok := mustToken(t, src); tok != "tok-3" || ep.calls.Load() != 3 {
		t.Fatalf("got %q after %d calls", tok, ep.calls.Load())
	}
}

func TestTokenConfigureMovesTheRefreshPoint(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	mustToken(t, src)
	src.Configure(TokenSettings{RefreshMargin: 4 * time.Minute})
	clock.Advance(6*time.Minute + time.Second) // past 10m − 4m
	mustToken(t, src)                          // still tok-1, starts the background call
	eventually(t, "the background refresh", func() bool { return ep.calls.Load() == 2 })
}

func TestTokenTimerRefreshesAndCloseStopsIt(t *testing.T) {
	ep := newTokenEndpoint(t, nil) // real clock on both sides: the timer runs on real time
	ep.set(func(ep *tokenEndpoint) {
		ep.respond = func(w http.ResponseWriter, r *http.Request) {
			// Lifetime 2s measured from Date (second resolution): renewed at
			// half of it, every second, with no caller at all.
			date, _ := http.ParseTime(w.Header().Get("Date"))
			fmt.Fprintf(w, `{"token":"tok-%d","expiry":%d,"resultCode":0}`, ep.calls.Load(), date.Add(2*time.Second).UnixMilli())
		}
	})
	base := runtime.NumGoroutine()
	src, err := NewTokenSource(TokenConfig{Gateway: "enkash", URL: ep.srv.URL, AccessKey: testAccess, SecretKey: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	mustToken(t, src)
	eventually(t, "two background refreshes", func() bool { return ep.calls.Load() >= 3 })
	if tok := mustToken(t, src); tok == "tok-1" {
		t.Errorf("still handing out the first token after two refreshes")
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	calls := ep.calls.Load()
	time.Sleep(1500 * time.Millisecond)
	if c := ep.calls.Load(); c != calls {
		t.Errorf("token calls went on after Close: %d → %d", calls, c)
	}
	if _, err := src.Token(context.Background()); err == nil {
		t.Error("Token after Close succeeded")
	} else {
		tokenErr(t, err, ErrClosed)
	}
	ep.srv.CloseClientConnections()
	eventually(t, "the goroutines to stop", func() bool { return runtime.NumGoroutine() <= base })
}

func TestTokenCloseCancelsACallInProgress(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	ep.set(func(ep *tokenEndpoint) { ep.gate = make(chan struct{}) }) // never answers
	base := runtime.NumGoroutine()
	src, err := NewTokenSource(TokenConfig{Gateway: "enkash", URL: ep.srv.URL, AccessKey: testAccess, SecretKey: testSecret, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { _, err := src.Token(context.Background()); errc <- err }()
	<-ep.entered
	closed := make(chan struct{})
	go func() { src.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not return while a token call hung")
	}
	tokenErr(t, <-errc, ErrClosed)
	ep.srv.CloseClientConnections()
	eventually(t, "the goroutines to stop", func() bool { return runtime.NumGoroutine() <= base })
}

func TestTokenEndpointDown(t *testing.T) {
	t.Run("connection dropped", func(t *testing.T) {
		clock := newFakeClock()
		ep := newTokenEndpoint(t, clock)
		ep.set(func(ep *tokenEndpoint) {
			ep.respond = func(w http.ResponseWriter, r *http.Request) {
				conn, _, _ := http.NewResponseController(w).Hijack()
				conn.Close()
			}
		})
		src := newSource(t, ep.srv.URL, clock, TokenSettings{})
		_, err := src.Token(context.Background())
		e := tokenErr(t, err, ErrUnreachable)
		if e.Message != "could not reach enkash's token endpoint" {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("nothing listens", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		src := newSource(t, url, newFakeClock(), TokenSettings{})
		_, err := src.Token(context.Background())
		tokenErr(t, err, ErrUnreachable)
	})
	t.Run("no answer in time", func(t *testing.T) {
		clock := newFakeClock()
		ep := newTokenEndpoint(t, clock)
		ep.set(func(ep *tokenEndpoint) { ep.gate = make(chan struct{}) })
		src := newSource(t, ep.srv.URL, clock, TokenSettings{FetchTimeout: 50 * time.Millisecond})
		_, err := src.Token(context.Background())
		e := tokenErr(t, err, ErrTimeout)
		if !strings.Contains(e.Message, "did not answer within 50ms") {
			t.Errorf("message %q", e.Message)
		}
	})
	t.Run("HTTP 503 page", func(t *testing.T) {
		clock := newFakeClock()
		ep := newTokenEndpoint(t, clock)
		ep.set(func(ep *tokenEndpoint) {
			ep.respond = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(503)
				io.WriteString(w, "<html>down for maintenance</html>")
			}
		})
		src := newSource(t, ep.srv.URL, clock, TokenSettings{})
		_, err := src.Token(context.Background())
		e := tokenErr(t, err, ErrUnavailable)
		if e.Message != "enkash's token endpoint answered HTTP 503" {
			t.Errorf("message %q", e.Message)
		}
	})
}

// staleConn fails the first call as if it went out on a keep-alive
// connection the server had just closed.
type staleConn struct {
	calls atomic.Int32
	next  http.RoundTripper
	fresh bool // the failing connection was a new one, not a reused one
}

func (s *staleConn) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.calls.Add(1) == 1 {
		if trace := httptrace.ContextClientTrace(r.Context()); trace != nil && trace.GotConn != nil {
			trace.GotConn(httptrace.GotConnInfo{Reused: !s.fresh})
		}
		return nil, io.EOF
	}
	return s.next.RoundTrip(r)
}

func TestTokenCallRetriedOnAStaleConnection(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	rt := &staleConn{next: http.DefaultTransport}
	src, err := NewTokenSource(TokenConfig{Gateway: "enkash", URL: ep.srv.URL, AccessKey: testAccess, SecretKey: testSecret,
		Now: clock.Now, Client: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if tok := mustToken(t, src); tok != "tok-1" || rt.calls.Load() != 2 {
		t.Fatalf("got %q after %d attempts, want tok-1 after 2", tok, rt.calls.Load())
	}
	// A new connection that fails means the endpoint is down: no second try.
	rt = &staleConn{next: http.DefaultTransport, fresh: true}
	src2, err := NewTokenSource(TokenConfig{Gateway: "enkash", URL: ep.srv.URL, AccessKey: testAccess, SecretKey: testSecret,
		Now: clock.Now, Client: &http.Client{Transport: rt}})
	if err != nil {
		t.Fatal(err)
	}
	defer src2.Close()
	_, err = src2.Token(context.Background())
	tokenErr(t, err, ErrUnreachable)
	if n := rt.calls.Load(); n != 1 {
		t.Errorf("%d attempts on a failing new connection, want 1", n)
	}
}

func TestTokenFailureIsSharedThenRetried(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	ep.set(func(ep *tokenEndpoint) {
		ep.respond = func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) }
	})
	src := newSource(t, ep.srv.URL, clock, TokenSettings{RetryInterval: 2 * time.Second})
	for i := 0; i < 5; i++ {
		_, err := src.Token(context.Background())
		tokenErr(t, err, ErrUnavailable)
	}
	if c := ep.calls.Load(); c != 1 {
		t.Fatalf("5 calls within the retry interval reached the endpoint %d times, want 1", c)
	}
	ep.set(func(ep *tokenEndpoint) { ep.respond = nil })
	clock.Advance(2 * time.Second)
	if tok := mustToken(t, src); tok != "tok-2" {
		t.Fatalf("after the retry interval got %q", tok)
	}
}

func TestTokenBackgroundFailureKeepsTheToken(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	t1 := mustToken(t, src)
	ep.set(func(ep *tokenEndpoint) {
		ep.respond = func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }
	})
	clock.Advance(9*time.Minute + 10*time.Second) // refresh due
	if tok := mustToken(t, src); tok != t1 {
		t.Fatalf("got %q", tok)
	}
	eventually(t, "the failed background call", func() bool { return src.Stats().Failures == 1 })
	clock.Advance(30 * time.Second) // still usable (expires at 10m, leeway 10s)
	if tok := mustToken(t, src); tok != t1 {
		t.Fatalf("a failed refresh dropped a still-valid token: %q", tok)
	}
	clock.Advance(20 * time.Second) // 10m exactly: gone
	_, err := src.Token(context.Background())
	tokenErr(t, err, ErrUnavailable)
}

func TestTokenRefusals(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		kind   error
		code   string
		detail string
	}{
		{"bad credentials, HTTP 401", 401, `{"token":null,"expiry":0,"resultCode":401,"resultMessage":"Invalid access key or secret key."}`,
			ErrRefused, "401", "Invalid access key or secret key."},
		{"HTTP 403 without a body", 403, ``, ErrRefused, "403", ""},
		{"bad result code under 200", 200, `{"token":"x","expiry":1,"resultCode":1,"resultMessage":"Merchant inactive"}`,
			ErrRefused, "1", "Merchant inactive"},
		{"no token", 200, `{"resultCode":200,"resultMessage":"ok"}`, ErrRefused, "200", "ok"},
		{"empty token", 200, `{"token":"","resultCode":0}`, ErrRefused, "0", ""},
		{"the endpoint echoes the secret", 400, `{"resultCode":"400","message":"bad secretKey sk_very_secret_456"}`,
			ErrRefused, "400", "bad secretKey [REDACTED]"},
		// Another case, and a prefix cut short, are masked too.
		{"the endpoint echoes the secret changed", 400, `{"resultCode":"400","message":"bad secretKey SK_VERY_SECRET_456/x (sent: sk_very_secr) for AK_TEST_123"}`,
			ErrRefused, "400", "bad secretKey [REDACTED]/x (sent: [REDACTED]) for [REDACTED]"},
		{"HTML under 200", 200, `<html>login</html>`, ErrBadAnswer, "", ""},
		{"token that breaks a header", 200, `{"token":"abc\r\nX-Evil: 1","expiry":9999999999999,"resultCode":0}`, ErrBadAnswer, "", ""},
		{"expired long ago", 200, `{"token":"abc","expiry":1000000000000,"resultCode":0}`, ErrBadAnswer, "", ""},
		{"expiry not a number", 200, `{"token":"abc","expiry":"soon","resultCode":0}`, ErrBadAnswer, "", ""},
		{"HTTP 429", 429, `{"message":"slow down"}`, ErrUnavailable, "", "slow down"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock()
			ep := newTokenEndpoint(t, clock)
			ep.set(func(ep *tokenEndpoint) {
				ep.respond = func(w http.ResponseWriter, r *http.Request) {
					w.WriteHeader(c.status)
					io.WriteString(w, c.body)
				}
			})
			src := newSource(t, ep.srv.URL, clock, TokenSettings{})
			_, err := src.Token(context.Background())
			e := tokenErr(t, err, c.kind)
			if e.Code != c.code || e.Detail != c.detail {
				t.Errorf("code %q detail %q", e.Code, e.Detail)
			}
			if c.kind == ErrRefused && !strings.Contains(e.Message, "refused paygate's access_key/secret_key") {
				t.Errorf("message %q", e.Message)
			}
		})
	}
}

func TestTokenAnswerVariants(t *testing.T) {
	cases := []struct {
		name, body string
		valid      time.Duration // still handed out after this long
		gone       time.Duration // refetched after this long
	}{
		{"result code 0 as a string, expiry in ms", `{"token":"abc","expiry":%d,"resultCode":"0"}`, 9 * time.Minute, 10 * time.Minute},
		{"expiry in seconds", `{"token":"abc","expiry":%s,"resultCode":200}`, 9 * time.Minute, 10 * time.Minute},
		{"no expiry: 5 minutes assumed", `{"token":"abc","resultCode":200}`, 4 * time.Minute, 5 * time.Minute},
		{"no result code", `{"token":"abc","expiry":%d}`, 9 * time.Minute, 10 * time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock()
			ep := newTokenEndpoint(t, clock)
			ep.set(func(ep *tokenEndpoint) {
				ep.respond = func(w http.ResponseWriter, r *http.Request) {
					exp := clock.Now().Add(10 * time.Minute)
					body := c.body
					switch {
					case strings.Contains(body, "%d"):
						body = fmt.Sprintf(body, exp.UnixMilli())
					case strings.Contains(body, "%s"):
						body = fmt.Sprintf(body, fmt.Sprint(exp.Unix()))
					}
					io.WriteString(w, body)
				}
			})
			src := newSource(t, ep.srv.URL, clock, TokenSettings{})
			mustToken(t, src)
			clock.Advance(c.valid)
			mustToken(t, src)
			if n := ep.calls.Load(); n != 1 {
				t.Fatalf("refetched after %s (%d calls)", c.valid, n)
			}
			clock.Advance(c.gone - c.valid)
			mustToken(t, src)
			if n := ep.calls.Load(); n != 2 {
				t.Fatalf("not refetched after %s (%d calls)", c.gone, n)
			}
		})
	}
}

func TestTokenWaiterGivesUpButTheCallGoesOn(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	gate := make(chan struct{})
	ep.set(func(ep *tokenEndpoint) { ep.gate = gate })
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := src.Token(ctx)
	tokenErr(t, err, ErrWaitAbandoned)
	close(gate)
	if tok := mustToken(t, src); tok != "tok-1" || ep.calls.Load() != 1 {
		t.Fatalf("got %q after %d calls; the abandoned call should have served it", tok, ep.calls.Load())
	}
}

func TestTokenNeverFormatted(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	tok := mustToken(t, src)
	out := fmt.Sprint(src) + fmt.Sprintf("%v %+v %#v %s %d %x %q", src, src, src, src, src, src, src)
	b, _ := json.Marshal(src)
	out += string(b)
	for _, secret := range []string{testSecret, tok, testAccess} {
		if strings.Contains(out, secret) {
			t.Fatalf("formatting the source shows %q: %s", secret, out)
		}
	}
}

func TestNewTokenSourceNeedsItsConfig(t *testing.T) {
	for _, c := range []TokenConfig{
		{URL: "", AccessKey: "a", SecretKey: "s"},
		{URL: "https://x", AccessKey: "", SecretKey: "s"},
		{URL: "https://x", AccessKey: "a", SecretKey: ""},
		{URL: "://bad", AccessKey: "a", SecretKey: "s"},
		{URL: "http://token.example/t", AccessKey: "a", SecretKey: "s"}, // clear text off this host
	} {
		if _, err := NewTokenSource(c); err == nil {
			t.Errorf("%q accepted", c.URL)
		} else if strings.Contains(err.Error(), "s\"") {
			t.Errorf("error quotes the secret: %v", err)
		}
	}
}

// A redirect from the token endpoint is a refusal; the secret key is
// never sent to the redirect's target, with the source's own client or an
// injected one.
func TestTokenCallNeverFollowsRedirects(t *testing.T) {
	var stolen atomic.Int32
	thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		stolen.Add(1)
		fmt.Fprintf(w, `{"token":"stolen","expiry":%d,"resultCode":0}`, time.Now().Add(time.Hour).UnixMilli())
	}))
	defer thief.Close()
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, client := range []*http.Client{nil, {}} {
			clock := newFakeClock()
			ep := newTokenEndpoint(t, clock)
			ep.set(func(ep *tokenEndpoint) {
				ep.respond = func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, thief.URL+"/steal", status)
				}
			})
			src, err := NewTokenSource(TokenConfig{Gateway: "enkash", URL: ep.srv.URL, AccessKey: testAccess, SecretKey: testSecret,
				Now: clock.Now, Client: client})
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Token(context.Background())
			src.Close()
			e := tokenErr(t, err, ErrRefused)
			if e.Code != strconv.Itoa(status) || !strings.Contains(e.Message, "redirect, not followed") {
				t.Errorf("HTTP %d: %+v", status, e)
			}
		}
	}
	if n := stolen.Load(); n != 0 {
		t.Fatalf("the redirect target received %d token calls", n)
	}
}

// The token call carries the secret key; it may go in clear text only
// to this host.
func TestCheckEndpointURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://olympus-pg-uat.enkash.in/api/v0/merchant/token": true,
		"https://10.0.0.1/t":                true,
		"http://127.0.0.1:9381/t?case=x":    true,
		"http://127.200.1.1/t":              true,
		"http://[::1]:8080/t":               true,
		"http://localhost/t":                true,
		"http://LocalHost:1/t":              true,
		"http://olympus-pg-uat.enkash.in/t": false,
		"http://10.0.0.1/t":                 false,
		"http://[::ffff:10.0.0.1]/t":        false,
		"http://localhost.evil.example/t":   false,
		"http://128.0.0.1/t":                false,
		"ftp://127.0.0.1/t":                 false,
		"https://u:p@x/t":                   false,
		"/api/v0/merchant/token":            false,
		"https://":                          false,
		"://bad":                            false,
	} {
		err := CheckEndpointURL(raw)
		if (err == nil) != ok {
			t.Errorf("%q: error %v, want ok=%v", raw, err, ok)
		}
		if err != nil && len(raw) > 10 && strings.Contains(err.Error(), raw) {
			t.Errorf("the error quotes the URL: %v", err)
		}
	}
	if _, err := NewTokenSource(TokenConfig{URL: "http://token.example/t", AccessKey: "a", SecretKey: "s"}); err == nil ||
		!strings.Contains(err.Error(), "https://") {
		t.Errorf("NewTokenSource accepted a clear-text remote URL: %v", err)
	}
}

// Token + Invalidate in a loop (a gateway refusing every fresh token)
// makes the cold call, a burst of 3 calls, then one per RefetchInterval;
// the refused requests in between get ErrPaced without a call.
func TestTokenRefetchAfterRefusalsIsPaced(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{RefetchInterval: 2 * time.Second})
	cycles := func(n int) (paced int) {
		t.Helper()
		for i := 0; i < n; i++ {
			if c := ep.calls.Load(); c > 8 {
				t.Fatalf("%d token calls: the refetches are not paced", c)
			}
			tok, err := src.Token(context.Background())
			if err != nil {
				e := tokenErr(t, err, ErrPaced)
				if !strings.Contains(e.Message, "at most once every 2s") {
					t.Fatalf("message %q", e.Message)
				}
				paced++
				continue
			}
			src.Invalidate(tok) // the gateway refused it
		}
		return paced
	}
	if paced := cycles(200); paced != 196 || ep.calls.Load() != 4 {
		t.Fatalf("200 refused cycles: %d token calls and %d paced, want 4 (cold + burst of 3) and 196", ep.calls.Load(), paced)
	}
	clock.Advance(1999 * time.Millisecond)
	if cycles(10); ep.calls.Load() != 4 {
		t.Fatalf("a call within the interval: %d calls", ep.calls.Load())
	}
	clock.Advance(time.Millisecond) // one call's worth of budget
	if paced := cycles(200); paced != 199 || ep.calls.Load() != 5 {
		t.Fatalf("after the interval: %d calls, %d paced; want 5 and 199", ep.calls.Load(), paced)
	}
	clock.Advance(time.Minute) // the budget refills to the burst, no further
	if cycles(200); ep.calls.Load() != 8 {
		t.Fatalf("after a minute: %d calls, want 8", ep.calls.Load())
	}
	if s := src.Stats(); s.Fetches != 8 || s.Invalidations != 8 || s.Paced != 196+10+199+197 {
		t.Errorf("stats %+v", s)
	}

}

// Expiry is no refusal: with the refetch budget spent, an expired
// token is still replaced at once.
func TestTokenExpiryIsNotPaced(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{RefetchInterval: time.Hour})
	for i := 0; i < 4; i++ { // the cold call and the burst
		src.Invalidate(mustToken(t, src))
	}
	if _, err := src.Token(context.Background()); !errors.Is(err, ErrPaced) {
		t.Fatalf("budget not spent: %v", err)
	}
	clock.Advance(time.Hour) // one call's worth
	tok := mustToken(t, src)
	for i := 0; i < 3; i++ {
		clock.Advance(11 * time.Minute) // expired; the budget has not refilled
		next, err := src.Token(context.Background())
		if err != nil || next == tok {
			t.Fatalf("expired token: got %q %v", next, err)
		}
		tok = next
	}
	if n := ep.calls.Load(); n != 8 {
		t.Fatalf("%d token calls, want 8", n)
	}
}

// Concurrent requests refused with one token still make one call, and
// a refused fresh token's refetch is single-flight.
func TestTokenPacedRefetchIsSingleFlight(t *testing.T) {
	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	t1 := mustToken(t, src)
	gate := make(chan struct{})
	ep.set(func(ep *tokenEndpoint) { ep.gate = gate })
	src.Invalidate(t1)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := src.Token(context.Background()); err != nil || tok != "tok-2" {
				t.Errorf("got %q %v", tok, err)
			}
		}()
	}
	<-ep.entered
	<-ep.entered
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg.Wait()
	if n := ep.calls.Load(); n != 2 {
		t.Fatalf("%d token calls, want 2", n)
	}
}

// The local clock runs an hour ahead and the endpoint sends no Date:
// the token's expiry looks past, but it is not refused; the default
// lifetime is assumed and reported.
func TestTokenLocalClockAheadWithoutDate(t *testing.T) {
	local := newFakeClock()
	local.Advance(time.Hour)
	remote := newFakeClock()
	ep := newTokenEndpoint(t, remote)
	ep.set(func(ep *tokenEndpoint) {
		ep.respond = func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Date"] = nil // Go's server adds none then
			fmt.Fprintf(w, `{"token":"tok-%d","expiry":%d,"resultCode":0}`, ep.calls.Load(), remote.Now().Add(30*time.Minute).UnixMilli())
		}
	})
	reports := make(chan FetchReport, 10)
	src, err := NewTokenSource(TokenConfig{Gateway: "enkash", URL: ep.srv.URL, AccessKey: testAccess, SecretKey: testSecret,
		Now: local.Now, OnFetch: func(r FetchReport) { reports <- r }})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if tok := mustToken(t, src); tok != "tok-1" {
		t.Fatalf("got %q", tok)
	}
	r := <-reports
	if r.Err != nil || !r.AssumedLifetime || r.Lifetime != FallbackLifetime || r.HasDate || r.SkewExceeded() {
		t.Fatalf("report %+v", r)
	}
	// Handed out for the assumed lifetime (less the 10s leeway), then renewed.
	local.Advance(FallbackLifetime - 11*time.Second)
	if tok := mustToken(t, src); tok != "tok-1" {
		t.Fatalf("within the assumed lifetime got %q", tok)
	}
	local.Advance(2 * time.Second)
	if tok := mustToken(t, src); tok != "tok-2" {
		t.Fatalf("after the assumed lifetime got %q", tok)
	}
}

// The endpoint's Date against the local clock.
func TestTokenClockSkewReport(t *testing.T) {
	cases := []struct {
		name     string
		skew     time.Duration // the endpoint's clock minus ours
		expiry   time.Duration // after the endpoint's now
		exceeded bool
		assumed  bool
		lifetime time.Duration // measured on the endpoint's clock
	}{
		{"in step", 0, 10 * time.Minute, false, false, 10*time.Minute - time.Second},
		{"10s ahead", 10 * time.Second, 10 * time.Minute, false, false, 10*time.Minute - time.Second},
		{"2m ahead", 2 * time.Minute, 10 * time.Minute, true, false, 10*time.Minute - time.Second},
		{"1h behind", -time.Hour, 10 * time.Minute, true, false, 10*time.Minute - time.Second},
		{"expiry a minute past on its own clock", 0, -time.Minute, false, true, FallbackLifetime},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			local := newFakeClock()
			remote := newFakeClock()
			remote.Advance(c.skew)
			ep := newTokenEndpoint(t, remote)
			ep.set(func(ep *tokenEndpoint) {
				ep.respond = func(w http.ResponseWriter, r *http.Request) {
					fmt.Fprintf(w, `{"token":"t","expiry":%d,"resultCode":0}`, remote.Now().Add(c.expiry).UnixMilli())
				}
			})
			var got FetchReport
			src, err := NewTokenSource(TokenConfig{Gateway: "enkash", URL: ep.srv.URL, AccessKey: testAccess, SecretKey: testSecret,
				Now: local.Now, OnFetch: func(r FetchReport) { got = r }})
			if err != nil {
				t.Fatal(err)
			}
			mustToken(t, src)
			src.Close() // waits for the call's goroutine, OnFetch included
			if got.Err != nil || !got.HasDate || got.Skew != c.skew || got.SkewExceeded() != c.exceeded ||
				got.AssumedLifetime != c.assumed || got.Lifetime != c.lifetime {
				t.Fatalf("report %+v", got)
			}
		})
	}
}
