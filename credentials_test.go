package paygate

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/kwikpaisa"
)

// The one mapping of the signers' errors to canonical errors: the types and
// statuses are those the token source produced itself before signers
// stopped importing transform.
func TestCanonicalAuthErrorTable(t *testing.T) {
	te := func(kind error, code, detail string) error {
		return &signers.TokenError{Kind: kind, Gateway: "enkash", Message: "what happened", Code: code, Detail: detail}
	}
	cases := []struct {
		name             string
		err              error
		typ              transform.ErrorType
		status           int
		code, gwMsg, msg string
	}{
		{"refused", te(signers.ErrRefused, "401", "Invalid access key or secret key."), transform.GatewayAuthenticationFailed, 502,
			"401", "Invalid access key or secret key.", "what happened: Invalid access key or secret key."},
		{"refused without a message", te(signers.ErrRefused, "403", ""), transform.GatewayAuthenticationFailed, 502, "403", "", "what happened"},
		{"paced", te(signers.ErrPaced, "", ""), transform.GatewayAuthenticationFailed, 502, "", "", "what happened"},
		{"endpoint 5xx", te(signers.ErrUnavailable, "500", "down"), transform.GatewayUnavailable, 503, "500", "down", "what happened"},
		{"unreachable", te(signers.ErrUnreachable, "", ""), transform.GatewayUnavailable, 503, "", "", "what happened"},
		{"timeout", te(signers.ErrTimeout, "", ""), transform.GatewayUnavailable, 503, "", "", "what happened"},
		{"closed", te(signers.ErrClosed, "", ""), transform.GatewayUnavailable, 503, "", "", "what happened"},
		{"wait abandoned", te(signers.ErrWaitAbandoned, "", ""), transform.GatewayTimeout, 504, "", "", "what happened"},
		{"bad answer", te(signers.ErrBadAnswer, "", ""), transform.GatewayError, 502, "", "", "what happened"},
		{"wrapped", fmt.Errorf("ctx: %w", te(signers.ErrRefused, "1", "x")), transform.GatewayAuthenticationFailed, 502, "1", "x", "what happened: x"},
		{"credentials would be logged", errCredentialsLogged, transform.GatewayAuthenticationFailed, 502, "", "", errCredentialsLogged.Error()},
		{"anything else", errors.New("boom"), transform.GatewayError, 502, "", "", "could not authenticate to enkash"},
		{"canonical already", &transform.Error{Type: transform.InvalidRequest, Message: "m"}, transform.InvalidRequest, 400, "", "", "m"},
	}
	for _, c := range cases {
		e := asCanonical("enkash", c.err)
		if e.Type != c.typ || e.HTTPStatus() != c.status || e.Gateway != "enkash" || e.GatewayCode != c.code ||
			e.GatewayMessage != c.gwMsg || e.Message != c.msg {
			t.Errorf("%s: %+v, want %s %d code %q gateway_message %q message %q", c.name, e, c.typ, c.status, c.code, c.gwMsg, c.msg)
		}
	}
}

// tokenEndpointFunc serves EnKash token answers from f.
func tokenEndpointFunc(t *testing.T, f http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv.URL
}

// What the application sees for token-endpoint failures, through the EnKash
// module's Authorize and the handler's mapping: the canonical answers the
// token source gave before the split, unchanged.
func TestEnKashTokenFailuresAreCanonical(t *testing.T) {
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_canon_1")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_canon_secret_77")
	refused := tokenEndpointFunc(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"token":null,"resultCode":401,"resultMessage":"Invalid access key or secret key."}`)
	})
	down := tokenEndpointFunc(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	html := tokenEndpointFunc(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>login</html>") })
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()
	for _, c := range []struct {
		url  string
		want transform.Error
	}{
		{refused + "?c=1", transform.Error{Type: transform.GatewayAuthenticationFailed, Gateway: "enkash", GatewayCode: "401",
			GatewayMessage: "Invalid access key or secret key.",
			Message:        "enkash's token endpoint refused paygate's access_key/secret_key (HTTP 401); check the gateway configuration: Invalid access key or secret key."}},
		{down + "?c=2", transform.Error{Type: transform.GatewayUnavailable, Gateway: "enkash", Message: "enkash's token endpoint answered HTTP 503"}},
		{html + "?c=3", transform.Error{Type: transform.GatewayError, Gateway: "enkash", Message: "enkash's token endpoint answered HTTP 200 with a body that is not a token answer"}},
		{goneURL + "?c=4", transform.Error{Type: transform.GatewayUnavailable, Gateway: "enkash", Message: "could not reach enkash's token endpoint"}},
	} {
		g := enkashModule(c.url, "PAYGATE_UT_ENKASH_SK")
		provisionEnKash(t, g)
		err := g.Authorize(requestContext(), http.Header{}, &transform.Request{})
		g.Cleanup()
		if got := asCanonical("enkash", err); *got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.url, *got, c.want)
		}
	}
}

// token_url must be https://, except to a loopback host; the error names
// the option.
func TestEnKashTokenURLMustBeHTTPS(t *testing.T) {
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_1")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_https")
	for url, ok := range map[string]bool{
		"http://olympus-pg-uat.enkash.in/api/v0/merchant/token":          false,
		"http://192.168.1.5:8080/token":                                  false,
		"http://127.0.0.1:1/token?c=https":                               true,
		"http://localhost:1/token?c=https":                               true,
		"http://[::1]:1/token?c=https":                                   true,
		"https://olympus-pg-uat.enkash.in/api/v0/merchant/token?c=https": true,
	} {
		g := enkashModule(url, "PAYGATE_UT_ENKASH_SK")
		ctx, cancel := newTestContext()
		err := g.Provision(ctx)
		g.Cleanup()
		cancel()
		if ok != (err == nil) {
			t.Errorf("%s: error %v", url, err)
		}
		if err != nil && !strings.Contains(err.Error(), "paygate enkash: token_url must be an https:// URL") {
			t.Errorf("%s: error %q does not name token_url", url, err)
		}
	}
}

// Every module masks its credentials, the Basic value, the request's
// signature and the bearer token, in any case and cut short.
func TestScrubCredentials(t *testing.T) {
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_scrub_Access1")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_scrub_Secret22")
	tokenURL := tokenEndpointFunc(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"token":"eyJscrubToken.0123456789","expiry":%d,"resultCode":200}`, time.Now().Add(time.Hour).UnixMilli())
	})
	ek := enkashModule(tokenURL+"?case=scrub", "PAYGATE_UT_ENKASH_SK")
	provisionEnKash(t, ek)
	defer ek.Cleanup()
	ekHeader := http.Header{}
	if err := ek.Authorize(requestContext(), ekHeader, &transform.Request{}); err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimPrefix(ekHeader.Get("Authorization"), "Bearer ")
	if tok != "eyJscrubToken.0123456789" {
		t.Fatalf("token %q", tok)
	}

	kp := &KwikPaisa{signer: signers.NewHMAC("pk_live_ScrubKey", "sk_live_ScrubSecret", nil)}
	kpHeader := http.Header{}
	kp.signer.Sign(kpHeader, []byte(`{"order_id":"A"}`))
	sig := kpHeader.Get("X-Signature")

	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, c := range []struct {
		name    string
		g       Gateway
		h       http.Header
		secrets []string // each must vanish, whole, upper-cased, or cut to 10 characters
	}{
		{"razorpay", &Razorpay{signer: signers.NewBasic("rzp_live_ScrubID", "scrub_key_secret")}, http.Header{},
			[]string{"rzp_live_ScrubID", "scrub_key_secret", b64("rzp_live_ScrubID:scrub_key_secret")}},
		{"juspay", &Juspay{signer: signers.NewBasic("JUSPAYSCRUBKEY123", "")}, http.Header{},
			[]string{"JUSPAYSCRUBKEY123", b64("JUSPAYSCRUBKEY123:")}},
		{"kwikpaisa", kp, kpHeader, []string{"pk_live_ScrubKey", "sk_live_ScrubSecret", sig}},
		{"enkash", ek, ekHeader, []string{"ak_scrub_Access1", "sk_scrub_Secret22", tok}},
	} {
		for _, s := range c.secrets {
			for _, form := range []string{s, strings.ToUpper(s), strings.ToLower(s), s[:10]} {
				in := &transform.Error{Type: transform.GatewayRejected, Gateway: c.name,
					Message: "rejected: bad " + form, GatewayMessage: "expected " + form + ".", GatewayCode: form}
				out := scrubCredentials(c.g, c.h, in)
				all := out.Message + out.GatewayMessage + out.GatewayCode + string(out.JSON())
				if strings.Contains(all, form) || !strings.Contains(out.GatewayMessage, "expected [REDACTED].") {
					t.Errorf("%s: %q survives: %s", c.name, form, out.JSON())
				}
				if in.GatewayMessage != "expected "+form+"." {
					t.Errorf("%s: the error was changed in place", c.name)
				}
			}
		}
		plain := &transform.Error{Type: transform.GatewayRejected, Message: "amount too small", GatewayMessage: "The amount must be at least INR 1.00"}
		if scrubCredentials(c.g, c.h, plain) != plain {
			t.Errorf("%s: an error without credentials was copied", c.name)
		}
	}
}

// Through the handler: a KwikPaisa 401 that echoes the API key and the
// start of the signature reaches the application masked.
func TestServeHTTPScrubsGatewayEcho(t *testing.T) {
	gw := &KwikPaisa{Dialect: kwikpaisa.Dialect{ServiceType: "DIGITAL"}, signer: signers.NewHMAC("pk_live_EchoKey", "sk_live_EchoSecret", nil)}
	// The handler as the benchmarks build it (b is used only when observed),
	// so this test follows the Handler's fields as they change.
	h := newBenchHandler(nil, gw, false)
	var sent string
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		sent = r.Header.Get("X-Signature")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"status":false,"code":401,"message":"Invalid signature for key %s, expected %s (secret SK_LIVE_ECHOSEC)"}`,
			strings.ToUpper("pk_live_EchoKey"), sent[:16])
		return nil
	})
	body := `{"order_id":"ECHO-1","amount":"10","currency":"INR","customer":{"name":"A","email":"a@example.com","phone":"9816512345"},"return_url":"https://shop.example.com/r"}`
	req := httptest.NewRequest("POST", "/kp/orders", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	if err := h.ServeHTTP(w, req, next); err != nil {
		t.Fatal(err)
	}
	var env struct{ Error transform.Error }
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || w.Code != 502 || env.Error.Type != transform.GatewayAuthenticationFailed {
		t.Fatalf("answer %d %s", w.Code, w.Body)
	}
	if want := "Invalid signature for key [REDACTED], expected [REDACTED] (secret [REDACTED])"; env.Error.GatewayMessage != want {
		t.Errorf("gateway_message %q, want %q", env.Error.GatewayMessage, want)
	}
	for _, s := range []string{"pk_live_EchoKey", "PK_LIVE_ECHOKEY", sent[:16], "SK_LIVE_ECHOSEC"} {
		if bytes.Contains(w.Body.Bytes(), []byte(s)) {
			t.Errorf("the answer shows %q: %s", s, w.Body)
		}
	}
}

// No gateway module prints a credential, a Basic value or
// a token, even when the config holds the credential literally.
func TestGatewayModulesNeverFormatCredentials(t *testing.T) {
	t.Setenv("PAYGATE_UT_FMT_SECRET", "fmt_env_secret_991")
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_fmt_access")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_fmt_secret_5521")
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

	rz := &Razorpay{KeyID: "rzp_live_FmtLiteral", KeySecret: "fmt_literal_secret_1"}
	jp := &Juspay{APIKey: "{env.PAYGATE_UT_FMT_SECRET}", MerchantID: "fmt_merchant"}
	kp := &KwikPaisa{APIKey: "pk_live_FmtLiteral", SecretKey: "fmt_literal_secret_2"}
	ctx, cancel := newTestContext()
	defer cancel()
	for _, g := range []caddy.Provisioner{rz, jp, kp} {
		if err := g.Provision(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tokens := newEnKashTokens(t)
	ek := enkashModule(tokens.srv.URL+"?case=fmt", "PAYGATE_UT_ENKASH_SK")
	provisionEnKash(t, ek)
	defer ek.Cleanup()
	h := http.Header{}
	if err := ek.Authorize(requestContext(), h, &transform.Request{}); err != nil {
		t.Fatal(err)
	}
	tok := strings.TrimPrefix(h.Get("Authorization"), "Bearer ")

	var out strings.Builder
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"}
	for _, g := range []Gateway{rz, jp, kp, ek} {
		for _, x := range []any{g, reflect.ValueOf(g).Elem().Interface()} {
			for _, verb := range verbs {
				fmt.Fprintf(&out, verb+"\n", x)
			}
		}
	}
	// Held in an unexported field (the Handler's gateway), a module is
	// walked by reflection where fmt cannot call its methods (and a verb
	// that does not fit a field, such as %d, prints the pointer's struct):
	// its config fields then show, which is why credentials belong in
	// {env.*} or {file.*}. No resolved credential, Basic value or token
	// shows even so.
	for _, g := range []Gateway{jp, ek} {
		for _, x := range []any{&Handler{gateway: g}, Handler{gateway: g}, struct{ g any }{reflect.ValueOf(g).Elem().Interface()}} {
			for _, verb := range verbs {
				fmt.Fprintf(&out, verb+"\n", x)
			}
		}
	}
	text := out.String()
	for _, s := range []string{
		"fmt_literal_secret_1", b64("rzp_live_FmtLiteral:fmt_literal_secret_1"),
		"fmt_env_secret_991", b64("fmt_env_secret_991:"),
		"fmt_literal_secret_2", "pk_live_FmtLiteral",
		"sk_fmt_secret_5521", "ak_fmt_access", tok,
	} {
		if strings.Contains(text, s) {
			t.Errorf("formatting a gateway module shows %q", s)
		}
	}
	if !strings.Contains(text, "paygate.Razorpay{[REDACTED]}") {
		t.Errorf("unexpected output:\n%s", text)
	}
}

// With log_credentials, reverse_proxy's DEBUG line would show the
// Authorization header; every module refuses to sign, before any token call.
func TestAuthorizeRefusesWhenServerLogsCredentials(t *testing.T) {
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_1")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_logged")
	tokens := newEnKashTokens(t)
	ek := enkashModule(tokens.srv.URL+"?case=logged", "PAYGATE_UT_ENKASH_SK")
	provisionEnKash(t, ek)
	defer ek.Cleanup()
	gateways := []Gateway{
		&Razorpay{signer: signers.NewBasic("rzp_test_l", "s")},
		&Juspay{signer: signers.NewBasic("k", "")},
		&KwikPaisa{signer: signers.NewHMAC("pk", "sk", nil)},
		ek,
	}
	logging := &caddyhttp.Server{Logs: &caddyhttp.ServerLogConfig{ShouldLogCredentials: true}}
	quiet := &caddyhttp.Server{Logs: &caddyhttp.ServerLogConfig{}}
	for _, g := range gateways {
		h := http.Header{}
		ctx := context.WithValue(requestContext(), caddyhttp.ServerCtxKey, logging)
		err := g.Authorize(ctx, h, &transform.Request{})
		if e := asCanonical(g.Name(), err); err == nil || e.Type != transform.GatewayAuthenticationFailed || !strings.Contains(e.Message, "log_credentials") {
			t.Errorf("%s: %v", g.Name(), err)
		}
		if len(h) != 0 {
			t.Errorf("%s: headers set anyway: %v", g.Name(), h)
		}
		for _, srv := range []*caddyhttp.Server{quiet, {}} {
			ctx := context.WithValue(requestContext(), caddyhttp.ServerCtxKey, srv)
			if err := g.Authorize(ctx, http.Header{}, &transform.Request{}); err != nil {
				t.Errorf("%s without log_credentials: %v", g.Name(), err)
			}
		}
	}
	if n := tokens.calls.Load(); n != 1 {
		t.Errorf("%d token calls, want 1 (the allowed requests')", n)
	}
}

// The skew and assumed-lifetime warnings, and no secret in the token
// log lines.
func TestLogTokenFetch(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	logger := zap.New(core)
	logTokenFetch(logger, signers.FetchReport{Lifetime: 10 * time.Minute, HasDate: true, Skew: 30 * time.Second})
	logTokenFetch(logger, signers.FetchReport{Lifetime: 10 * time.Minute, HasDate: true, Skew: -2 * time.Minute})
	logTokenFetch(logger, signers.FetchReport{Lifetime: signers.FallbackLifetime, AssumedLifetime: true})
	logTokenFetch(logger, signers.FetchReport{Err: &signers.TokenError{Kind: signers.ErrRefused, Gateway: "enkash",
		Message: "refused", Code: "401", Detail: "bad key [REDACTED]"}})
	var got []string
	for _, e := range logs.All() {
		line := e.Level.String() + " " + e.Message
		fields := e.ContextMap()
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			line += fmt.Sprintf(" %s=%v", k, fields[k])
		}
		got = append(got, line)
	}
	want := []string{
		"debug token fetched lifetime=10m0s",
		"warn the local clock differs from the token endpoint's Date by more than the threshold; check NTP skew=-2m0s threshold=1m0s",
		"debug token fetched lifetime=10m0s",
		"warn the token's expiry is already past by the clocks; assuming a default lifetime instead of refusing every request endpoint_date=false lifetime=5m0s",
		"debug token fetched lifetime=5m0s",
		"warn token call failed gateway_code=401 message=refused: bad key [REDACTED] type=gateway_authentication_failed",
	}
	if len(got) != len(want) {
		t.Fatalf("log lines:\n%s", strings.Join(got, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

func newTestContext() (caddy.Context, context.CancelFunc) {
	return caddy.NewContext(caddy.Context{Context: context.Background()})
}

// A Handler whose config holds a credential literally prints none of it.
func TestHandlerNeverFormatsConfig(t *testing.T) {
	h := Handler{GatewayRaw: []byte(`{"name":"razorpay","key_id":"rzp_test_x","key_secret":"literal-secret-value"}`),
		gateway: &Razorpay{}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q"} {
		for _, v := range []any{h, &h} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, "literal-secret") || strings.Contains(out, "6c69746572616c") {
				t.Errorf("%s printed the config: %s", verb, out)
			}
		}
	}
}
