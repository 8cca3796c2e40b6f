package paygate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/paygate/caddy-paygate/transform"
)

func TestEnKashCaddyfile(t *testing.T) {
	h := new(Handler)
	d := caddyfile.NewTestDispenser(`paygate enkash {
		access_key           {env.ENKASH_ACCESS_KEY}
		secret_key           {file./run/secrets/enkash}
		token_url            https://olympus-pg-uat.enkash.in/api/v0/merchant/token
		refresh_margin       2m
		token_timeout        5s
		token_retry_interval 500ms
		max_body             8KiB
	}`)
	if err := h.UnmarshalCaddyfile(d); err != nil {
		t.Fatal(err)
	}
	want := `{"access_key":"{env.ENKASH_ACCESS_KEY}","name":"enkash","refresh_margin":120000000000,` +
		`"secret_key":"{file./run/secrets/enkash}","token_retry_interval":500000000,"token_timeout":5000000000,` +
		`"token_url":"https://olympus-pg-uat.enkash.in/api/v0/merchant/token"}`
	if string(h.GatewayRaw) != want {
		t.Errorf("gateway JSON\n got %s\nwant %s", h.GatewayRaw, want)
	}
	if h.MaxBody != 8<<10 {
		t.Errorf("max_body = %d", h.MaxBody)
	}
	// The JSON form loads back into the same module.
	var back EnKash
	if err := json.Unmarshal(h.GatewayRaw, &back); err != nil || back.RefreshMargin != caddy.Duration(2*time.Minute) ||
		back.TokenURL != "https://olympus-pg-uat.enkash.in/api/v0/merchant/token" {
		t.Errorf("round trip: %+v %v", back, err)
	}
}

func TestEnKashCaddyfileErrors(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`access_key a
		  access_key b`, `duplicate option "access_key"`},
		{`refresh_margin soon`, `invalid duration "soon"`},
		{`refresh_margin -1m`, `invalid duration "-1m"`},
		{`token_timeout`, `wrong argument count`},
		{`token_url http://a http://b`, `takes exactly one value`},
		{`token_timeout 1s 2s`, `takes exactly one value`},
		{`merchant_id x`, `unknown option "merchant_id" for paygate enkash`},
	} {
		d := caddyfile.NewTestDispenser("paygate enkash {\n" + c.body + "\n}")
		err := new(Handler).UnmarshalCaddyfile(d)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.body, err, c.want)
		}
	}
}

// enkashTokens is a token endpoint for the glue tests: tok-1, tok-2… valid 10 minutes.
type enkashTokens struct {
	srv   *httptest.Server
	calls atomic.Int32
}

func newEnKashTokens(t *testing.T) *enkashTokens {
	t.Helper()
	et := &enkashTokens{}
	et.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := et.calls.Add(1)
		fmt.Fprintf(w, `{"token":"tok-%d","expiry":%d,"resultCode":200}`, n, time.Now().Add(10*time.Minute).UnixMilli())
	}))
	t.Cleanup(et.srv.Close)
	return et
}

func provisionEnKash(t *testing.T, g *EnKash) {
	t.Helper()
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	if err := g.Provision(ctx); err != nil {
		t.Fatalf("Provision: %v", err)
	}
}

func enkashModule(tokenURL, secretEnv string) *EnKash {
	return &EnKash{AccessKey: "{env.PAYGATE_UT_ENKASH_AK}", SecretKey: "{env." + secretEnv + "}", TokenURL: tokenURL}
}

// requestContext is a context with Caddy's per-request vars, as the
// handler's requests have.
func requestContext() context.Context {
	return context.WithValue(context.Background(), caddyhttp.VarsCtxKey, map[string]any{})
}

func TestEnKashProvisionErrors(t *testing.T) {
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_1")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_secret_value")
	t.Setenv("PAYGATE_UT_EMPTY", "")
	for _, c := range []struct {
		g    EnKash
		want string
	}{
		{EnKash{SecretKey: "{env.PAYGATE_UT_ENKASH_SK}", TokenURL: "https://x/t"}, "access_key is required"},
		{EnKash{AccessKey: "{env.PAYGATE_UT_ENKASH_AK}", TokenURL: "https://x/t"}, "secret_key is required"},
		{EnKash{AccessKey: "{env.PAYGATE_UT_ENKASH_AK}", SecretKey: "{env.PAYGATE_UT_EMPTY}", TokenURL: "https://x/t"}, "secret_key: evaluated placeholder {env.PAYGATE_UT_EMPTY} is empty"},
		{EnKash{AccessKey: "{env.PAYGATE_UT_ENKASH_AK}", SecretKey: "{env.PAYGATE_UT_ENKASH_SK}"}, "token_url is required"},
		{EnKash{AccessKey: "{env.PAYGATE_UT_ENKASH_AK}", SecretKey: "{env.PAYGATE_UT_ENKASH_SK}", TokenURL: "/api/v0/merchant/token"}, "absolute http"},
		{EnKash{AccessKey: "{env.PAYGATE_UT_ENKASH_AK}", SecretKey: "{env.PAYGATE_UT_ENKASH_SK}", TokenURL: "https://u:p@x/t"}, "without credentials"},
		{EnKash{AccessKey: "{env.PAYGATE_UT_ENKASH_AK}", SecretKey: "{env.PAYGATE_UT_ENKASH_SK}", TokenURL: "https://x/t", TokenTimeout: -1}, "token_timeout must not be negative"},
	} {
		ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
		err := c.g.Provision(ctx)
		cancel()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "sk_secret_value") {
			t.Errorf("error leaks the secret: %v", err)
		}
		if c.g.poolKey != "" {
			t.Errorf("a failed Provision holds a pool reference")
		}
	}
}

func TestEnKashAuthorizeHeaders(t *testing.T) {
	et := newEnKashTokens(t)
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_1")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_secret_value")
	g := enkashModule(et.srv.URL+"/api/v0/merchant/token?case=headers", "PAYGATE_UT_ENKASH_SK")
	provisionEnKash(t, g)
	defer g.Cleanup()

	h := http.Header{}
	if err := g.Authorize(requestContext(), h, &transform.Request{}); err != nil {
		t.Fatal(err)
	}
	if got := h.Values("Authorization"); len(got) != 1 || got[0] != "Bearer tok-1" {
		t.Errorf("Authorization = %v", got)
	}
	if got := h.Values("merchantAccessKey"); len(got) != 1 || got[0] != "ak_1" {
		t.Errorf("merchantAccessKey = %v", got)
	}
	if len(h) != 2 {
		t.Errorf("headers %v", h)
	}
	// The module's formatted forms never show a credential or the token.
	out := fmt.Sprintf("%v %+v %#v", g, g, g.shared.tokens)
	for _, s := range []string{"sk_secret_value", "tok-1"} {
		if strings.Contains(out, s) {
			t.Errorf("formatting the module shows %q", s)
		}
	}
}

func TestEnKashRetryDropsExactlyTheRefusedToken(t *testing.T) {
	et := newEnKashTokens(t)
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_1")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_retry")
	g := enkashModule(et.srv.URL+"?case=retry", "PAYGATE_UT_ENKASH_SK")
	provisionEnKash(t, g)
	defer g.Cleanup()
	authorize := func(ctx context.Context) string {
		t.Helper()
		h := http.Header{}
		if err := g.Authorize(ctx, h, &transform.Request{}); err != nil {
			t.Fatal(err)
		}
		return strings.TrimPrefix(h.Get("Authorization"), "Bearer ")
	}

	// Two requests hold tok-1; both are refused and retried: as the handler
	// does, StaleCredentials → Invalidate() → Authorize on the same request.
	a, b := requestContext(), requestContext()
	if authorize(a) != "tok-1" || authorize(b) != "tok-1" {
		t.Fatal("first attempts did not share tok-1")
	}
	// reverse_proxy's dialer reads the vars map from its own goroutine: the
	// map is written once, and a retry updates the same handout in place.
	first := caddyhttp.GetVar(a, handoutVar).(*handout)
	stale := []byte(`{"response_code":117,"response_message":"FAILURE","payload":"Token is invalid."}`)
	if !g.StaleCredentials(200, stale) || g.StaleCredentials(200, []byte(`{"response_code":0}`)) {
		t.Fatal("StaleCredentials does not recognise code 117")
	}
	var wg sync.WaitGroup
	got := make([]string, 2)
	for i, ctx := range []context.Context{a, b} {
		wg.Add(1)
		go func(i int, ctx context.Context) {
			defer wg.Done()
			g.Invalidate()
			got[i] = authorize(ctx)
		}(i, ctx)
	}
	wg.Wait()
	if got[0] != "tok-2" || got[1] != "tok-2" {
		t.Errorf("retries got %v, want tok-2 for both", got)
	}
	if h := caddyhttp.GetVar(a, handoutVar).(*handout); h != first || h.token != "tok-2" {
		t.Errorf("the retry replaced the handout in the vars map instead of updating it")
	}
	if c := et.calls.Load(); c != 2 {
		t.Errorf("two refused requests made %d token calls in all, want 2", c)
	}
	// A new request, and a second attempt without an Invalidate, reuse tok-2.
	c := requestContext()
	if authorize(c) != "tok-2" || authorize(c) != "tok-2" || et.calls.Load() != 2 {
		t.Errorf("a retry without Invalidate dropped the token (%d calls)", et.calls.Load())
	}

	// Outside Caddy's server (no per-request vars) Invalidate drops the
	// last token handed out.
	if authorize(context.Background()) != "tok-2" {
		t.Fatal("untracked request")
	}
	g.Invalidate()
	if tok := authorize(context.Background()); tok != "tok-3" {
		t.Errorf("untracked retry got %q, want tok-3", tok)
	}
	// The handout kept in the request's vars formats as REDACTED.
	v := caddyhttp.GetVar(c, handoutVar)
	if s := fmt.Sprintf("%v %+v %#v %s %d", v, v, v, v, v); strings.Contains(s, "tok-") {
		t.Errorf("request vars show the token: %s", s)
	}
	if b, _ := json.Marshal(v); strings.Contains(string(b), "tok-") {
		t.Errorf("request vars show the token in JSON: %s", b)
	}
}

func TestEnKashPoolSharingAndReload(t *testing.T) {
	et := newEnKashTokens(t)
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_1")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_pool")
	t.Setenv("PAYGATE_UT_ENKASH_SK2", "sk_other")
	url := et.srv.URL + "?case=pool"

	routeA := enkashModule(url, "PAYGATE_UT_ENKASH_SK")
	routeB := enkashModule(url, "PAYGATE_UT_ENKASH_SK")
	other := enkashModule(url, "PAYGATE_UT_ENKASH_SK2")
	provisionEnKash(t, routeA)
	provisionEnKash(t, routeB)
	provisionEnKash(t, other)
	if routeA.shared != routeB.shared {
		t.Fatal("two routes with the same credentials do not share the token cache")
	}
	if other.shared == routeA.shared {
		t.Fatal("different secrets share a token cache")
	}
	if strings.Contains(routeA.poolKey, "sk_pool") {
		t.Fatal("the pool key holds the secret")
	}
	if n, _ := tokenPool.References(routeA.poolKey); n != 2 {
		t.Fatalf("references = %d, want 2", n)
	}

	authorize := func(g *EnKash) string {
		t.Helper()
		h := http.Header{}
		if err := g.Authorize(requestContext(), h, &transform.Request{}); err != nil {
			t.Fatal(err)
		}
		return h.Get("Authorization")
	}
	authorize(routeA)
	authorize(routeB)
	if c := et.calls.Load(); c != 1 {
		t.Fatalf("two routes sharing credentials made %d token calls, want 1", c)
	}
	// Orders remembered by one route serve status on the other.
	routeA.RecordCreate(&transform.Result{OrderID: "M1", GatewayOrderID: "ORD1784195236818VZuxB"})
	if req, e := routeB.BuildStatus("M1"); e != nil || req.Path != "/api/v0/orders/ORD1784195236818VZuxB" {
		t.Errorf("status of a created order: %+v %v", req, e)
	}
	if req, e := routeB.BuildStatus("M2"); e != nil || req.Path != "/api/v0/orders/M2" {
		t.Errorf("status of an unknown order: %+v %v", req, e)
	}
	if _, e := routeB.BuildStatus("bad id"); e == nil || e.Field != "order_id" {
		t.Errorf("status with a bad id: %v", e)
	}

	// A reload: the new config provisions before the old one is cleaned up.
	reloaded := enkashModule(url, "PAYGATE_UT_ENKASH_SK")
	reloaded.RefreshMargin = caddy.Duration(3 * time.Minute)
	provisionEnKash(t, reloaded)
	routeA.Cleanup()
	routeB.Cleanup()
	routeA.Cleanup() // a second Cleanup releases nothing more
	if n, _ := tokenPool.References(reloaded.poolKey); n != 1 {
		t.Fatalf("after the reload references = %d, want 1", n)
	}
	if got := authorize(reloaded); got != "Bearer tok-1" || et.calls.Load() != 1 {
		t.Fatalf("the reload lost the token: %s after %d calls", got, et.calls.Load())
	}
	if _, ok := reloaded.shared.ids.get("M1"); !ok {
		t.Error("the reload lost the remembered EnKash ids")
	}

	// The last reference gone, the cache is closed and leaves the pool.
	shared := reloaded.shared
	reloaded.Cleanup()
	other.Cleanup()
	if _, ok := tokenPool.References(reloaded.poolKey); ok {
		t.Error("the pool still holds the cache")
	}
	if _, err := shared.tokens.Token(context.Background()); err == nil {
		t.Error("the released cache still hands out tokens")
	}
}

func TestEnKashRecordCreateIsBounded(t *testing.T) {
	m := newIDMemory(3)
	for i := 1; i <= 5; i++ {
		m.put(fmt.Sprintf("M%d", i), fmt.Sprintf("E%d", i))
	}
	m.put("M5", "E5b") // an update does not evict
	for i, want := range []string{"", "", "E3", "E4", "E5b"} {
		got, ok := m.get(fmt.Sprintf("M%d", i+1))
		if got != want || ok != (want != "") {
			t.Errorf("M%d → %q %v, want %q", i+1, got, ok, want)
		}
	}
	if len(m.ids) != 3 {
		t.Errorf("%d entries, want 3", len(m.ids))
	}

	g := &EnKash{shared: &enkashShared{ids: newIDMemory(10)}}
	g.RecordCreate(&transform.Result{OrderID: "M1"})                       // no EnKash id
	g.RecordCreate(&transform.Result{OrderID: "M2", GatewayOrderID: "M2"}) // the same id
	g.RecordCreate(nil)
	if len(g.shared.ids.ids) != 0 {
		t.Errorf("recorded %v", g.shared.ids.ids)
	}
}
