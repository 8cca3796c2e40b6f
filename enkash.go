package paygate

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/enkash"
)

func init() {
	caddy.RegisterModule(EnKash{})
}

// tokenPool holds one token cache (and the EnKash order ids learnt at
// creation) per set of credentials: every route with the same credentials
// shares it, and a config reload that keeps them keeps the token, because
// the new config takes its reference before the old one releases its own.
var tokenPool = caddy.NewUsagePool()

// poolSalt keys the pool with an HMAC of the secret, never the secret, and
// one that cannot be brute-forced outside this process.
var poolSalt = func() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}()

// maxRememberedOrders bounds the merchant id → EnKash id map (about 100
// bytes an entry); an order older than that is looked up by the merchant's id.
const maxRememberedOrders = 10000

// EnKash is the http.paygate.gateways.enkash module: EnKash PG orders with a
// bearer token fetched from token_url, cached, renewed in the background and
// renewed at once when EnKash answers 117 / 401.
type EnKash struct {
	enkash.Dialect
	// AccessKey is the merchant access key; write it as {env.*} or {file.*}.
	AccessKey string `json:"access_key,omitempty"`
	// SecretKey is the merchant secret key; write it as {env.*} or {file.*}.
	SecretKey string `json:"secret_key,omitempty"`
	// TokenURL is the token endpoint, such as
	// https://olympus-pg-uat.enkash.in/api/v0/merchant/token (required).
	TokenURL string `json:"token_url,omitempty"`
	// RefreshMargin is the least time before expiry at which the token is
	// renewed in the background (default 1m; at least 10% of the token's
	// lifetime, at most half of it).
	RefreshMargin caddy.Duration `json:"refresh_margin,omitempty"`
	// TokenTimeout bounds one token call (default 10s).
	TokenTimeout caddy.Duration `json:"token_timeout,omitempty"`
	// TokenRetryInterval is how long a failed token call's error is reused
	// before the endpoint is tried again (default 1s).
	TokenRetryInterval caddy.Duration `json:"token_retry_interval,omitempty"`

	accessKey signers.Secret // resolved
	poolKey   string
	shared    *enkashShared
	retry     *retryState
}

// retryState ties a retry to the token its request was refused with.
type retryState struct {
	// stale counts Invalidate calls; see Authorize.
	stale atomic.Uint64
	// untracked is the last token handed out on a request without Caddy's
	// per-request vars (one not served by Caddy's HTTP server).
	untracked atomic.Pointer[string]
}

// enkashShared is the pooled state of one set of credentials.
type enkashShared struct {
	tokens *signers.TokenSource
	ids    *idMemory
	// fetches is the token fetch counter of the newest config using these
	// credentials (metrics registries are per config load; the cache
	// outlives them).
	fetches atomic.Pointer[prometheus.CounterVec]
}

// newTokenFetches is paygate_token_fetches_total{gateway, result}. The
// gateway registers it itself, in Provision, on the config's registry (as
// Caddy's own modules register theirs): the handler's metrics know nothing
// of tokens.
func newTokenFetches(reg prometheus.Registerer) (*prometheus.CounterVec, error) {
	return register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: metricsNamespace, Name: "token_fetches_total",
		Help: "Bearer token fetches by gateway and result (success, failure).",
	}, []string{"gateway", "result"}))
}

// tokenFetched logs a token call and counts it.
func (s *enkashShared) tokenFetched(r signers.FetchReport) {
	logTokenFetch(caddy.Log().Named("http.paygate.enkash"), r)
	c := s.fetches.Load()
	if c == nil {
		return
	}
	result := "success"
	if r.Err != nil {
		result = "failure"
	}
	c.WithLabelValues("enkash", result).Inc()
}

// Destruct stops the token cache's goroutines when the last route using
// these credentials is unloaded.
func (s *enkashShared) Destruct() error { return s.tokens.Close() }

// CaddyModule returns the Caddy module information.
func (EnKash) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.paygate.gateways.enkash",
		New: func() caddy.Module { return new(EnKash) },
	}
}

// Provision resolves the credentials once and takes a reference to the
// shared token cache; taking it is the last step, so a failed Provision
// holds none.
func (g *EnKash) Provision(ctx caddy.Context) error {
	logger := ctx.Logger()
	ak, err := credential(logger, "enkash", "access_key", g.AccessKey)
	if err != nil {
		return err
	}
	sk, err := credential(logger, "enkash", "secret_key", g.SecretKey)
	if err != nil {
		return err
	}
	tokenURL, err := enkashTokenURL(g.TokenURL)
	if err != nil {
		return err
	}
	if err := g.Validate(); err != nil {
		return err
	}
	fetches, err := newTokenFetches(ctx.GetMetricsRegistry())
	if err != nil {
		return fmt.Errorf("paygate enkash: registering metrics: %w", err)
	}
	settings := signers.TokenSettings{
		RefreshMargin: time.Duration(g.RefreshMargin),
		FetchTimeout:  time.Duration(g.TokenTimeout),
		RetryInterval: time.Duration(g.TokenRetryInterval),
	}
	key := enkashPoolKey(tokenURL, ak.Reveal(), sk.Reveal())
	val, loaded, err := tokenPool.LoadOrNew(key, func() (caddy.Destructor, error) {
		shared := &enkashShared{ids: newIDMemory(maxRememberedOrders)}
		src, err := signers.NewTokenSource(signers.TokenConfig{
			Gateway:       "enkash",
			URL:           tokenURL,
			AccessKey:     ak.Reveal(),
			SecretKey:     sk.Reveal(),
			OnFetch:       shared.tokenFetched,
			TokenSettings: settings,
		})
		if err != nil {
			return nil, err
		}
		shared.tokens = src
		return shared, nil
	})
	if err != nil {
		return fmt.Errorf("paygate enkash: %v", err)
	}
	g.shared = val.(*enkashShared)
	g.poolKey = key
	g.accessKey = ak
	g.retry = new(retryState)
	g.shared.fetches.Store(fetches) // count with this config's registry
	if loaded {
		// Same credentials: keep the token, apply this config's settings.
		g.shared.tokens.Configure(settings)
	}
	return nil
}

// Validate checks the option values.
func (g *EnKash) Validate() error {
	for name, d := range map[string]caddy.Duration{
		"refresh_margin": g.RefreshMargin, "token_timeout": g.TokenTimeout, "token_retry_interval": g.TokenRetryInterval,
	} {
		if d < 0 {
			return fmt.Errorf("paygate enkash: %s must not be negative", name)
		}
	}
	return nil
}

// Cleanup releases this route's reference to the token cache.
func (g *EnKash) Cleanup() error {
	if g.poolKey == "" {
		return nil
	}
	key := g.poolKey
	g.poolKey = ""
	_, err := tokenPool.Delete(key)
	return err
}

// enkashTokenURL resolves placeholders and requires an absolute https://
// URL, or http:// to a loopback host (the call carries the secret key).
func enkashTokenURL(raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", fmt.Errorf("paygate enkash: token_url is required (such as https://olympus-pg-uat.enkash.in/api/v0/merchant/token)")
	}
	v, err := caddy.NewReplacer().ReplaceOrErr(raw, true, true)
	if err != nil {
		return "", fmt.Errorf("paygate enkash: token_url: %v", err)
	}
	v = strings.TrimSpace(v)
	if err := signers.CheckEndpointURL(v); err != nil {
		return "", fmt.Errorf("paygate enkash: token_url %v", err)
	}
	return v, nil
}

// enkashPoolKey identifies one set of credentials by a keyed hash of all
// three, so the key shows none of them (not even the access key) wherever
// it is kept or printed. Each part is length-prefixed: no two different
// sets hash the same input.
func enkashPoolKey(tokenURL, accessKey, secretKey string) string {
	mac := hmac.New(sha256.New, poolSalt)
	for _, part := range []string{tokenURL, accessKey, secretKey} {
		_, _ = fmt.Fprintf(mac, "%d:%s", len(part), part)
	}
	return "enkash\x00" + hex.EncodeToString(mac.Sum(nil))
}

// logTokenFetch logs a token call (never the token nor a credential: a
// TokenError holds neither). The cache logs through Caddy's current default
// logger, which outlives the config that created it.
func logTokenFetch(logger *zap.Logger, r signers.FetchReport) {
	if r.SkewExceeded() {
		// The token's lifetime is measured on the endpoint's clock, but a
		// local clock this far off breaks timestamps and expiries elsewhere.
		logger.Warn("the local clock differs from the token endpoint's Date by more than the threshold; check NTP",
			zap.Duration("skew", r.Skew), zap.Duration("threshold", signers.MaxClockSkew))
	}
	if r.AssumedLifetime {
		logger.Warn("the token's expiry is already past by the clocks; assuming a default lifetime instead of refusing every request",
			zap.Duration("lifetime", r.Lifetime), zap.Bool("endpoint_date", r.HasDate))
	}
	if e := r.Err; e != nil {
		c := tokenError("enkash", e)
		logger.Warn("token call failed", zap.String("type", string(c.Type)), zap.String("message", c.Message),
			zap.String("gateway_code", c.GatewayCode))
		return
	}
	if c := logger.Check(zap.DebugLevel, "token fetched"); c != nil {
		c.Write(zap.Duration("lifetime", r.Lifetime))
	}
}

// handoutVar is the per-request var holding the token given to the request.
const handoutVar = "paygate.enkash.handout"

// handout is the token a request was given, and the Invalidate count then.
// It lives in Caddy's per-request vars, so it formats as REDACTED.
type handout struct {
	token string
	seq   uint64
}

func (*handout) String() string               { return "REDACTED" }
func (h *handout) GoString() string           { return h.String() }
func (h *handout) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, h.String()) }
func (*handout) MarshalJSON() ([]byte, error) { return []byte(`"REDACTED"`), nil }

// Authorize sets the bearer token and merchantAccessKey. The handler
// retries a request only after Invalidate, and Invalidate takes no
// argument; so the token given to each request is kept in its vars, and a
// second Authorize on the same request after an Invalidate drops exactly
// that token (not one a concurrent request has already fetched).
//
// The vars map is written once, on the request's first Authorize, before
// any upstream dial: reverse_proxy's dialer reads the map from its own
// goroutine, which can outlive an attempt, so later attempts update the
// handout in place instead.
func (g *EnKash) Authorize(ctx context.Context, h http.Header, _ *transform.Request) error {
	if err := refuseLoggedCredentials(ctx); err != nil {
		return err
	}
	prev, _ := caddyhttp.GetVar(ctx, handoutVar).(*handout)
	if prev != nil && prev.seq < g.retry.stale.Load() {
		g.shared.tokens.Invalidate(prev.token)
	}
	seq := g.retry.stale.Load()
	tok, err := g.shared.tokens.Token(ctx)
	if err != nil {
		return err
	}
	h["Authorization"] = []string{"Bearer " + tok}
	h.Set("merchantAccessKey", g.accessKey.Reveal())
	if prev != nil {
		prev.token, prev.seq = tok, seq
	} else if _, tracked := ctx.Value(caddyhttp.VarsCtxKey).(map[string]any); tracked {
		caddyhttp.SetVar(ctx, handoutVar, &handout{token: tok, seq: seq})
	} else {
		g.retry.untracked.Store(&tok)
	}
	return nil
}

// credentials: the access key, the secret key, the cached token and the
// token this request carried.
func (g *EnKash) credentials(h http.Header) []signers.Secret {
	var held []signers.Secret
	if g.shared != nil {
		held = g.shared.tokens.Secrets()
	}
	return append(held, bearerSecret(h), g.accessKey)
}

// String shows no credential, even one written literally in the config.
func (EnKash) String() string { return "paygate.EnKash{" + signers.Redacted + "}" }

// GoString is String for %#v.
func (g EnKash) GoString() string { return g.String() }

// Format makes every verb print String.
func (g EnKash) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, g.String()) }

// StaleCredentials recognises EnKash's "token is invalid" (code 117) and HTTP 401.
func (g *EnKash) StaleCredentials(status int, body []byte) bool {
	return enkash.StaleToken(status, body)
}

// Invalidate marks the token of the request that was just refused as stale;
// the retry's Authorize drops it (see Authorize).
func (g *EnKash) Invalidate() {
	g.retry.stale.Add(1)
	if t := g.retry.untracked.Swap(nil); t != nil {
		g.shared.tokens.Invalidate(*t)
	}
}

// RecordCreate remembers EnKash's id for the merchant's order id.
func (g *EnKash) RecordCreate(res *transform.Result) {
	if res != nil && res.GatewayOrderID != "" && res.GatewayOrderID != res.OrderID {
		g.shared.ids.put(res.OrderID, res.GatewayOrderID)
	}
}

// BuildStatus asks by EnKash's own id when this process created the order,
// else by the merchant's id.
func (g *EnKash) BuildStatus(orderID string) (transform.Request, *transform.Error) {
	if e := transform.ValidateOrderID(orderID); e != nil {
		return transform.Request{}, e
	}
	if id, ok := g.shared.ids.get(orderID); ok {
		return g.Dialect.BuildStatusFor(id)
	}
	return g.Dialect.BuildStatus(orderID)
}

// UnmarshalOption reads one of this gateway's options of the paygate
// Caddyfile block (OptionUnmarshaler).
func (g *EnKash) UnmarshalOption(d *caddyfile.Dispenser) (bool, error) {
	switch d.Val() {
	case "access_key":
		return true, stringOption(d, &g.AccessKey)
	case "secret_key":
		return true, stringOption(d, &g.SecretKey)
	case "token_url":
		return true, stringOption(d, &g.TokenURL)
	case "refresh_margin":
		return true, durationOption(d, &g.RefreshMargin)
	case "token_timeout":
		return true, durationOption(d, &g.TokenTimeout)
	case "token_retry_interval":
		return true, durationOption(d, &g.TokenRetryInterval)
	}
	return false, nil
}

// durationOption parses "name <duration>" such as 90s or 2m.
func durationOption(d *caddyfile.Dispenser, dst *caddy.Duration) error {
	name := d.Val()
	v, err := oneValue(d)
	if err != nil {
		return err
	}
	dur, err := caddy.ParseDuration(v)
	if err != nil || dur <= 0 {
		return d.Errf("option %q: invalid duration %q", name, v)
	}
	*dst = caddy.Duration(dur)
	return nil
}

// idMemory is a bounded map of merchant order id → EnKash id; the oldest
// entry goes first.
type idMemory struct {
	mu    sync.Mutex
	max   int
	ids   map[string]string
	order []string // ring of keys, oldest at next
	next  int
}

func newIDMemory(capacity int) *idMemory {
	return &idMemory{max: capacity, ids: make(map[string]string, 64)}
}

func (m *idMemory) put(orderID, gatewayID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.ids[orderID]; ok {
		m.ids[orderID] = gatewayID
		return
	}
	if len(m.order) < m.max {
		m.order = append(m.order, orderID)
	} else {
		delete(m.ids, m.order[m.next])
		m.order[m.next] = orderID
		m.next = (m.next + 1) % m.max
	}
	m.ids[orderID] = gatewayID
}

func (m *idMemory) get(orderID string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.ids[orderID]
	return id, ok
}

// Interface guards
var (
	_ Gateway            = (*EnKash)(nil)
	_ Reauthorizer       = (*EnKash)(nil)
	_ CreateRecorder     = (*EnKash)(nil)
	_ caddy.Provisioner  = (*EnKash)(nil)
	_ caddy.Validator    = (*EnKash)(nil)
	_ caddy.CleanerUpper = (*EnKash)(nil)
	_ OptionUnmarshaler  = (*EnKash)(nil)
	_ caddy.Destructor   = (*enkashShared)(nil)
	_ fmt.Formatter      = (*handout)(nil)
	_ credentialHolder   = (*EnKash)(nil)
	_ fmt.Formatter      = EnKash{}
)
