package signers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// TokenSettings tune when a TokenSource refreshes; zero values take the
// defaults. They can change while the source is shared (Configure).
type TokenSettings struct {
	// RefreshMargin is the least time before expiry at which the token is
	// refreshed in the background (default 60s). The margin is
	// max(RefreshMargin, RefreshFraction × lifetime), capped at half the
	// lifetime so a short-lived token is not refreshed continuously.
	RefreshMargin time.Duration
	// RefreshFraction of the lifetime is the margin when that is larger
	// (default 0.1).
	RefreshFraction float64
	// FetchTimeout bounds one token call (default 10s).
	FetchTimeout time.Duration
	// RetryInterval is how long a failed token call's error is shared by
	// every caller before another call is made, and the pause between
	// background retries while the current token is still good (default 1s).
	RetryInterval time.Duration
	// RefetchInterval paces the token calls that follow refusals
	// (Invalidate): after a burst of 3, at most one per RefetchInterval
	// (default 1s). Until one is allowed, Token fails with ErrPaced without
	// calling, so a gateway that refuses every fresh token (a wrong
	// merchant access key) is not sent a token call per request.
	RefetchInterval time.Duration
}

const (
	defaultRefreshMargin   = 60 * time.Second
	defaultRefreshFraction = 0.1
	defaultFetchTimeout    = 10 * time.Second
	defaultRetryInterval   = time.Second
	defaultRefetchInterval = time.Second

	// refetchBurst token calls after refusals are allowed at once: a
	// revocation or two (another client of the same credentials fetched a
	// token) recover at once; only a run of refusals is paced.
	refetchBurst = 3

	// maxLeeway is how long before its expiry a token stops being handed
	// out, so that it does not expire between Authorize and the gateway
	// reading it; it is at most a tenth of the lifetime.
	maxLeeway = 10 * time.Second
	// FallbackLifetime is assumed when the endpoint sends no expiry, and
	// when the expiry cannot be trusted against the clocks (see
	// lifetimeOf); a token that dies earlier is caught by the gateway's
	// refusal and Invalidate.
	FallbackLifetime = 5 * time.Minute
	// recentExpiry: an expiry at most this far in the past is taken for
	// clock trouble (assume FallbackLifetime); one older is a bad answer.
	recentExpiry = 24 * time.Hour
	// maxLifetime caps a far-future expiry so the token is still renewed daily.
	maxLifetime = 24 * time.Hour
	// MaxClockSkew is the difference between the endpoint's Date and the
	// local clock above which FetchReport.SkewExceeded is true.
	MaxClockSkew = 60 * time.Second
	// maxTokenResponse bounds the token endpoint's answer.
	maxTokenResponse = 64 << 10
	// maxTokenLen bounds the token itself (it travels in a header).
	maxTokenLen = 8 << 10
)

func (s TokenSettings) withDefaults() TokenSettings {
	if s.RefreshMargin <= 0 {
		s.RefreshMargin = defaultRefreshMargin
	}
	if s.RefreshFraction <= 0 || s.RefreshFraction >= 1 {
		s.RefreshFraction = defaultRefreshFraction
	}
	if s.FetchTimeout <= 0 {
		s.FetchTimeout = defaultFetchTimeout
	}
	if s.RetryInterval <= 0 {
		s.RetryInterval = defaultRetryInterval
	}
	if s.RefetchInterval <= 0 {
		s.RefetchInterval = defaultRefetchInterval
	}
	return s
}

// TokenConfig builds a TokenSource.
type TokenConfig struct {
	// Gateway names the gateway in errors ("enkash").
	Gateway string
	// URL is the token endpoint (EnKash: …/api/v0/merchant/token). It must
	// be https://, or http:// to a loopback host (CheckEndpointURL).
	URL       string
	AccessKey string
	SecretKey string
	// Client sends the token calls; nil means a client of the source's own,
	// whose connections Close closes. Redirects are never followed, whatever
	// the client says: the source uses a copy with its own CheckRedirect.
	Client *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnFetch, if set, is told the outcome of every token call (for logs
	// and metrics). It never sees the token or a credential.
	OnFetch func(FetchReport)
	TokenSettings
}

// FetchReport is the outcome of one token call, for logs and metrics.
type FetchReport struct {
	// Lifetime of the token obtained; 0 when the call failed.
	Lifetime time.Duration
	// Err is the failure, or nil.
	Err *TokenError
	// HasDate: the endpoint sent a Date header, and Skew is its distance
	// from the local clock (positive: the endpoint's clock is ahead).
	HasDate bool
	Skew    time.Duration
	// AssumedLifetime: the expiry made no sense against the clocks (already
	// past, though recent, or no Date to measure it), so FallbackLifetime
	// was assumed instead of failing every request.
	AssumedLifetime bool
}

// SkewExceeded reports a clock difference above MaxClockSkew. The lifetime
// is measured on the endpoint's clock either way; a large skew still
// deserves a warning, since other signers (timestamps) use the local clock.
func (r FetchReport) SkewExceeded() bool {
	return r.HasDate && (r.Skew > MaxClockSkew || r.Skew < -MaxClockSkew)
}

// CheckEndpointURL accepts an absolute https:// URL without user
// information, or http:// to a loopback host (127.0.0.0/8, ::1, localhost):
// the token call carries the secret key, which must not cross a network in
// clear text. The error says what is wrong, never the URL.
func CheckEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return errors.New("must be an absolute http:// or https:// URL without credentials")
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return errors.New("must be an https:// URL (http:// is accepted only for a loopback host: 127.0.0.0/8, ::1 or localhost)")
	}
	return nil
}

// loopback reports whether host is a loopback address or "localhost"; no
// name is resolved.
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// noRedirects stops the client at the first redirect and returns the 3xx
// itself, which fetch reads as a refusal: Go would resend the body (the
// secret key) and every header but Authorization to the new location, even
// from https to http.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// TokenSource fetches a bearer token from a token endpoint (EnKash's
// POST {"accessKey","secretKey"} → {token, expiry, resultCode,
// resultMessage}), caches it and keeps it fresh:
//
//   - concurrent callers without a token share one call (single flight):
//     at most one token call is in flight;
//   - once warm, the token is renewed in the background ahead of its expiry,
//     by a timer and by any caller who notices the refresh is due, so no
//     caller waits while a still-valid token exists;
//   - Invalidate drops exactly the token the gateway rejected, so several
//     concurrent rejections of one token cause one new call; calls after
//     refusals are paced (RefetchInterval);
//   - a failed call's error is shared for RetryInterval, so a down endpoint
//     is not hammered by every request;
//   - redirects are never followed.
//
// Expiry is read as the endpoint's absolute epoch time but measured against
// the endpoint's own Date header, so a skewed local clock does not shorten
// or stretch the token's life. Close stops every goroutine. Errors are
// *TokenError; no credential or token is ever in one, nor in what the
// source prints.
type TokenSource struct {
	gateway   string
	url       string
	accessKey Secret
	secret    Secret
	body      Secret // the JSON credentials, encoded once
	client    *http.Client
	ownClient bool // the client is ours: Close closes its idle connections
	now       func() time.Time
	onFetch   func(FetchReport)

	life   context.Context // cancelled by Close; parent of every call
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu           sync.Mutex
	settings     TokenSettings
	cur          *token  // nil when there is no token
	flight       *flight // the call in progress, if any
	lastErr      *TokenError
	retryAt      time.Time // no new call before this after a failure
	afterRefusal bool      // the last token was refused: the next call is paced
	refetch      *rate.Limiter
	timer        *time.Timer
	closed       bool
	stats        TokenStats
}

// TokenStats counts what the source did.
type TokenStats struct {
	Fetches       uint64 // token calls started
	Failures      uint64 // token calls that failed
	Invalidations uint64 // tokens dropped by Invalidate
	Paced         uint64 // Token calls refused by the pacing after refusals
}

type token struct {
	value       Secret
	lifetime    time.Duration
	obtained    time.Time // local clock
	refreshAt   time.Time // background renewal is due
	usableUntil time.Time // handed out until then
}

type flight struct {
	done  chan struct{}
	value Secret
	err   *TokenError
}

// NewTokenSource checks the configuration and builds an idle source: the
// first token is fetched by the first caller.
func NewTokenSource(c TokenConfig) (*TokenSource, error) {
	if c.Gateway == "" {
		c.Gateway = "gateway"
	}
	if c.URL == "" || c.AccessKey == "" || c.SecretKey == "" {
		return nil, fmt.Errorf("%s token source: url, access key and secret key are required", c.Gateway)
	}
	body, err := json.Marshal(struct {
		AccessKey string `json:"accessKey"`
		SecretKey string `json:"secretKey"`
	}{c.AccessKey, c.SecretKey})
	if err != nil { // strings always encode
		return nil, fmt.Errorf("%s token source: cannot encode the credentials", c.Gateway)
	}
	if err := CheckEndpointURL(c.URL); err != nil {
		return nil, fmt.Errorf("%s token source: the token url %v", c.Gateway, err)
	}
	if _, err := http.NewRequest(http.MethodPost, c.URL, nil); err != nil {
		return nil, fmt.Errorf("%s token source: invalid token url", c.Gateway)
	}
	s := &TokenSource{
		gateway:   c.Gateway,
		url:       c.URL,
		accessKey: NewSecret(c.AccessKey),
		secret:    NewSecret(c.SecretKey),
		body:      NewSecret(string(body)),
		now:       c.Now,
		onFetch:   c.OnFetch,
		settings:  c.TokenSettings.withDefaults(),
	}
	if c.Client != nil {
		client := *c.Client // the caller's client keeps its own redirect policy
		client.CheckRedirect = noRedirects
		s.client = &client
	} else {
		s.client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), CheckRedirect: noRedirects}
		s.ownClient = true
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.refetch = rate.NewLimiter(rate.Every(s.settings.RefetchInterval), refetchBurst)
	s.life, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// Configure changes the settings of a running source (a config reload that
// keeps the credentials keeps the token but applies new settings).
func (s *TokenSource) Configure(settings TokenSettings) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings = settings.withDefaults()
	s.refetch.SetLimitAt(s.now(), rate.Every(s.settings.RefetchInterval))
	if s.cur != nil && !s.closed {
		s.cur.schedule(s.settings)
		s.armLocked(s.cur.refreshAt.Sub(s.now()))
	}
}

// Token returns a valid token, fetching one only when none is cached. A
// caller that must wait gives up when ctx ends; the call itself goes on for
// the others. Errors are *TokenError.
func (s *TokenSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return "", s.closedError()
	}
	now := s.now()
	if t := s.cur; t != nil && now.Before(t.usableUntil) {
		if !now.Before(t.refreshAt) && s.flight == nil && !now.Before(s.retryAt) {
			s.startLocked() // renew in the background; this caller does not wait
		}
		s.mu.Unlock()
		return t.value.Reveal(), nil
	}
	s.cur = nil // expired, or about to
	f := s.flight
	if f == nil {
		if s.lastErr != nil && now.Before(s.retryAt) {
			e := *s.lastErr
			s.mu.Unlock()
			return "", &e
		}
		if s.afterRefusal {
			if !s.refetch.AllowN(now, 1) {
				s.stats.Paced++
				interval := s.settings.RefetchInterval
				s.mu.Unlock()
				return "", s.failure(ErrPaced, "", "%s refused the tokens paygate fetched just before; paygate asks for a new one at most once every %s after such refusals; check the gateway configuration", s.gateway, interval)
			}
			s.afterRefusal = false
		}
		f = s.startLocked()
	}
	s.mu.Unlock()

	select {
	case <-f.done:
		if f.err != nil {
			e := *f.err
			return "", &e
		}
		return f.value.Reveal(), nil
	case <-ctx.Done():
		// Nothing was sent with a token: the request may be retried freely.
		return "", s.failure(ErrWaitAbandoned, "", "gave up waiting for a token from %s's token endpoint; nothing was sent to %s", s.gateway, s.gateway)
	}
}

// Invalidate drops token if it is still the cached one: the gateway refused
// it. A token already replaced is left alone, so many requests refused with
// the same token cause one new call. It reports whether token was dropped.
// The call that replaces a dropped token is paced (RefetchInterval).
func (s *TokenSource) Invalidate(token string) bool {
	if token == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || s.cur.value.Reveal() != token {
		return false
	}
	s.cur = nil
	s.afterRefusal = true
	s.stats.Invalidations++
	return true
}

// Current is the cached token (zero when there is none), for masking it in
// text relayed from the gateway; it never starts a call.
func (s *TokenSource) Current() Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return Secret{}
	}
	return s.cur.value
}

// Secrets are the values an answer relayed from the gateway must not show:
// the access key, the secret key and the current token.
func (s *TokenSource) Secrets() []Secret {
	if s == nil {
		return nil
	}
	return []Secret{s.accessKey, s.secret, s.Current()}
}

// Stats returns the counters.
func (s *TokenSource) Stats() TokenStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Close stops the refresh timer, cancels a call in progress and waits for
// every goroutine of the source. Later Token calls fail.
func (s *TokenSource) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.cur = nil
	if s.timer != nil {
		s.timer.Stop()
	}
	s.cancel()
	s.mu.Unlock()
	s.wg.Wait()
	if s.ownClient {
		s.client.CloseIdleConnections()
	}
	return nil
}

// startLocked starts a token call. The goroutine is counted under the lock
// while the source is open, so Close's Wait cannot miss it.
func (s *TokenSource) startLocked() *flight {
	f := &flight{done: make(chan struct{})}
	s.flight = f
	s.stats.Fetches++
	timeout := s.settings.FetchTimeout
	s.wg.Add(1)
	go s.run(f, timeout)
	return f
}

func (s *TokenSource) run(f *flight, timeout time.Duration) {
	defer s.wg.Done()
	ctx, cancel := context.WithTimeout(s.life, timeout)
	t, report := s.fetch(ctx, timeout)
	cancel()
	err := report.Err

	s.mu.Lock()
	s.flight = nil
	now := s.now()
	switch {
	case err != nil:
		s.stats.Failures++
		s.lastErr, s.retryAt = err, now.Add(s.settings.RetryInterval)
		f.err = err
		// Still holding a good token: try again in the background.
		if s.cur != nil && !s.closed && now.Before(s.cur.usableUntil) {
			s.armLocked(s.settings.RetryInterval)
		}
	case s.closed:
		f.err = s.closedError()
	default:
		t.obtained = now
		t.schedule(s.settings)
		s.cur, s.lastErr, s.retryAt = t, nil, time.Time{}
		f.value = t.value
		s.armLocked(t.refreshAt.Sub(now))
	}
	onFetch := s.onFetch
	s.mu.Unlock()
	close(f.done)
	if onFetch != nil {
		if err != nil {
			e := *err
			report.Err = &e
		}
		onFetch(report)
	}
}

// armLocked (re)sets the background timer.
func (s *TokenSource) armLocked(d time.Duration) {
	if s.closed {
		return
	}
	if d < 0 {
		d = 0
	}
	if s.timer == nil {
		s.timer = time.AfterFunc(d, s.onTimer)
		return
	}
	s.timer.Reset(d)
}

// onTimer renews the cached token when its refresh is due. With nothing
// cached there is nothing to keep warm: the next caller fetches.
func (s *TokenSource) onTimer() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.flight != nil || s.cur == nil {
		return
	}
	now := s.now()
	switch {
	case !now.Before(s.cur.usableUntil):
		s.cur = nil // lapsed while the endpoint failed; let a caller fetch
	case now.Before(s.cur.refreshAt):
		s.armLocked(s.cur.refreshAt.Sub(now)) // the clock moved or settings changed
	case now.Before(s.retryAt):
		s.armLocked(s.retryAt.Sub(now))
	default:
		s.startLocked()
	}
}

// schedule computes when t is renewed and until when it is handed out.
func (t *token) schedule(s TokenSettings) {
	leeway := min(maxLeeway, t.lifetime/10)
	margin := max(s.RefreshMargin, time.Duration(float64(t.lifetime)*s.RefreshFraction), 2*leeway)
	margin = min(margin, t.lifetime/2)
	expires := t.obtained.Add(t.lifetime)
	t.refreshAt = expires.Add(-margin)
	t.usableUntil = expires.Add(-leeway)
}

// tokenAnswer is the endpoint's answer. Codes are read raw: the docs show
// resultCode both as 0 and as 200, and as a number or a string.
type tokenAnswer struct {
	Token         *string         `json:"token"`
	Expiry        json.RawMessage `json:"expiry"`
	ResultCode    json.RawMessage `json:"resultCode"`
	ResultMessage string          `json:"resultMessage"`
	Message       string          `json:"message"`
}

// fetch makes one token call and classifies every failure: no answer →
// ErrUnreachable or ErrTimeout; 5xx/429 → ErrUnavailable; a redirect, a
// 4xx or a refusal in the body → ErrRefused; an answer that cannot be used
// → ErrBadAnswer. The report carries the clock skew the answer's Date shows.
func (s *TokenSource) fetch(ctx context.Context, timeout time.Duration) (*token, FetchReport) {
	var rep FetchReport
	fail := func(e *TokenError) (*token, FetchReport) {
		rep.Err = e
		return nil, rep
	}
	resp, err := s.post(ctx)
	if errors.Is(err, errTokenURL) {
		return fail(s.failure(ErrBadAnswer, "", "invalid %s token url", s.gateway))
	}
	if err != nil {
		// The transport's error text is not relayed: it may quote the URL.
		if s.life.Err() != nil {
			return fail(s.closedError())
		}
		if ctx.Err() != nil {
			return fail(s.failure(ErrTimeout, "", "%s's token endpoint did not answer within %s", s.gateway, timeout))
		}
		return fail(s.failure(ErrUnreachable, "", "could not reach %s's token endpoint", s.gateway))
	}
	defer resp.Body.Close()
	local := s.now()
	date, hasDate := parseDate(resp.Header.Get("Date"))
	if hasDate {
		rep.HasDate, rep.Skew = true, date.Sub(local)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse+1))
	if err != nil {
		return fail(s.failure(ErrUnreachable, "", "the connection to %s's token endpoint broke while it was answering", s.gateway))
	}
	if len(body) > maxTokenResponse {
		return fail(s.failure(ErrBadAnswer, "", "%s's token endpoint answered with more than %d bytes", s.gateway, maxTokenResponse))
	}

	var ans tokenAnswer
	jsonErr := json.Unmarshal(body, &ans)
	code := rawCode(ans.ResultCode)
	msg := ans.ResultMessage
	if msg == "" {
		msg = ans.Message
	}
	msg = clip(Redact(msg, s.accessKey, s.secret))

	switch {
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		// Nothing was sent to the gateway yet: the application may retry.
		e := s.failure(ErrUnavailable, code, "%s's token endpoint answered HTTP %d", s.gateway, resp.StatusCode)
		e.Detail = msg
		return fail(e)
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		// A redirect is not followed (noRedirects): the credentials stay here.
		return fail(s.refused(strconv.Itoa(resp.StatusCode), "", fmt.Sprintf("HTTP %d redirect, not followed", resp.StatusCode)))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		if code == "" {
			code = strconv.Itoa(resp.StatusCode)
		}
		return fail(s.refused(code, msg, fmt.Sprintf("HTTP %d", resp.StatusCode)))
	case jsonErr != nil:
		return fail(s.failure(ErrBadAnswer, "", "%s's token endpoint answered HTTP %d with a body that is not a token answer", s.gateway, resp.StatusCode))
	case code != "" && code != "0" && code != "200":
		return fail(s.refused(code, msg, "result code "+code))
	case ans.Token == nil || *ans.Token == "":
		return fail(s.refused(code, msg, "no token"))
	case !headerSafe(*ans.Token):
		return fail(s.failure(ErrBadAnswer, "", "%s's token endpoint answered with a token that cannot be sent in a header", s.gateway))
	}

	lifetime, assumed, ok := lifetimeOf(ans.Expiry, date, hasDate, local)
	if !ok {
		return fail(s.failure(ErrBadAnswer, "", "%s's token endpoint answered with an expiry that is not an epoch time", s.gateway))
	}
	if lifetime <= 0 {
		return fail(s.failure(ErrBadAnswer, "", "%s's token endpoint answered with a token that has already expired", s.gateway))
	}
	rep.Lifetime, rep.AssumedLifetime = lifetime, assumed
	return &token{value: NewSecret(*ans.Token), lifetime: lifetime}, rep
}

var errTokenURL = errors.New("invalid token url")

// post sends the token request. A call that fails on a reused keep-alive
// connection (closed by the server or a load balancer while idle, or by a
// config reload) is sent once more on a new one: asking for a token twice
// is harmless, and Go retries such a POST only when told it is idempotent.
func (s *TokenSource) post(ctx context.Context) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		var reused atomic.Bool
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused.Store(i.Reused) }}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, s.url, strings.NewReader(s.body.Reveal()))
		if err != nil {
			return nil, errTokenURL
		}
		req.Header["Content-Type"] = []string{"application/json"}
		req.Header["Accept"] = []string{"application/json"}
		// The narrative docs name an API-Key header instead of the body; both are sent.
		req.Header["Api-Key"] = []string{s.accessKey.Reveal()}
		resp, err := s.client.Do(req)
		if err != nil && attempt == 0 && reused.Load() && ctx.Err() == nil {
			continue
		}
		return resp, err
	}
}

// parseDate reads an HTTP Date header.
func parseDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// lifetimeOf turns the absolute expiry into a duration measured on the
// endpoint's clock (its Date header) when it sent one, else on the local
// clock. Epoch seconds are accepted too: any value below 1e11 cannot be
// milliseconds of this era.
//
// An expiry that is already past is not trusted to mean the token is dead
// when the clocks may be at fault: with no Date (a local clock running
// ahead) or an expiry less than a day old (an endpoint whose Date and
// expiry come from different clocks), FallbackLifetime is assumed (assumed
// is true) rather than failing every request; the gateway's refusal of a
// token that is in fact dead still renews it. An older expiry is a bad
// answer (lifetime ≤ 0).
func lifetimeOf(raw json.RawMessage, date time.Time, hasDate bool, now time.Time) (lifetime time.Duration, assumed, ok bool) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "" || s == "null" {
		return FallbackLifetime, false, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false, false
	}
	if n == 0 {
		return FallbackLifetime, false, true
	}
	var expiry time.Time
	if n < 1e11 {
		expiry = time.Unix(n, 0)
	} else {
		expiry = time.UnixMilli(n)
	}
	ref := now
	if hasDate {
		// Date is truncated to the second: the endpoint's clock may be
		// up to a second later, so count from the end of that second
		// and never overestimate the lifetime.
		ref = date.Add(time.Second)
	}
	lifetime = min(expiry.Sub(ref), maxLifetime)
	if lifetime <= 0 && (!hasDate || ref.Sub(expiry) < recentExpiry) {
		return FallbackLifetime, true, true
	}
	return lifetime, false, true
}

// rawCode reads a number or a numeric string.
func rawCode(raw json.RawMessage) string {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if s == "null" {
		return ""
	}
	if _, err := strconv.ParseInt(s, 10, 64); err != nil {
		return ""
	}
	return s
}

// headerSafe allows visible ASCII only: a token with CR/LF or controls would
// corrupt the request it is put in.
func headerSafe(v string) bool {
	if len(v) > maxTokenLen {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x21 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// refused is ErrRefused: the endpoint's code and (redacted) message, and
// what showed the refusal.
func (s *TokenSource) refused(code, msg, what string) *TokenError {
	e := s.failure(ErrRefused, code, "%s's token endpoint refused paygate's access_key/secret_key (%s); check the gateway configuration", s.gateway, what)
	e.Detail = msg
	return e
}

func (s *TokenSource) closedError() *TokenError {
	return s.failure(ErrClosed, "", "the %s token cache is closed (the configuration was unloaded)", s.gateway)
}

func (s *TokenSource) failure(kind error, code, format string, args ...any) *TokenError {
	return &TokenError{Kind: kind, Gateway: s.gateway, Code: code, Message: fmt.Sprintf(format, args...)}
}

func clip(s string) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return s
}

// String never shows the credentials or the token.
func (s *TokenSource) String() string { return "signers.TokenSource{" + Redacted + "}" }

// GoString is String for %#v.
func (s *TokenSource) GoString() string { return s.String() }

// Format makes every verb (%d, %x, %+v…) print String, so no verb can walk
// the fields.
func (s *TokenSource) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// Interface guards
var (
	_ fmt.Stringer   = (*TokenSource)(nil)
	_ fmt.GoStringer = (*TokenSource)(nil)
	_ fmt.Formatter  = (*TokenSource)(nil)
)
