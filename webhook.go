package paygate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/enkash"
	"github.com/paygate/caddy-paygate/transform/juspay"
	"github.com/paygate/caddy-paygate/transform/kwikpaisa"
	"github.com/paygate/caddy-paygate/transform/razorpay"
)

func init() {
	caddy.RegisterModule(Webhook{})
}

const (
	defaultWebhookMaxBody = 256 << 10
	// defaultDedupeWindow outlasts every gateway's redelivery schedule
	// (Razorpay retries for 24 hours, razorpay.com/docs/webhooks/best-practices).
	defaultDedupeWindow = 7 * 24 * time.Hour
	defaultDedupeMax    = 10000
	// kwikpaisaWebhookWindow is the accepted distance of X-TIMESTAMP from
	// paygate's clock, the same ±300 s as for API requests.
	kwikpaisaWebhookWindow = 300 * time.Second
	// confirmTimeout bounds one status check through confirm_with.
	webhookConfirmTimeout = 10 * time.Second
	// maxConfirmAnswer bounds the status route's answer read.
	webhookMaxConfirmAnswer = 64 << 10
)

// Webhook is the http.handlers.paygate_webhook module: it verifies a
// gateway's notification, turns it into canonical payment events, hands
// each one the application has not acknowledged yet to the next handler
// (reverse_proxy to the application) and answers the gateway: 200 once the
// application acknowledged every event (2xx), 503 so the gateway delivers
// again when it did not, 401 when the notification fails verification.
type Webhook struct {
	// Gateway is razorpay, kwikpaisa, juspay or enkash.
	Gateway string `json:"gateway"`
	// WebhookSecrets (razorpay) are the webhook secrets, the current one
	// first; older ones keep verifying redeliveries during a rotation.
	WebhookSecrets []string `json:"webhook_secret,omitempty"`
	// APIKey and SecretKey (kwikpaisa) are the API credentials KwikPaisa
	// signs its webhooks with.
	APIKey    string `json:"api_key,omitempty"`
	SecretKey string `json:"secret_key,omitempty"`
	// Username and Password (juspay) are the Basic credentials set in
	// Juspay's dashboard for webhooks.
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// Account is the merchant account's public identity (Razorpay key_id or
	// acc_ id, Juspay merchant_id, EnKash access key); with RecordSpace it
	// names the record space (default for kwikpaisa: api_key). Never a secret.
	Account string `json:"account,omitempty"`
	// RecordSpace separates environments that share an identity.
	RecordSpace string `json:"record_space,omitempty"`
	// ConfirmWith is the base URL of a paygate route of this gateway; the
	// order's status is fetched with GET <url>/orders/{order_id}. Required
	// for enkash.
	ConfirmWith string `json:"confirm_with,omitempty"`
	// ForwardPath replaces the request path (and drops the query) on the
	// way to the application.
	ForwardPath string `json:"forward_path,omitempty"`
	// MaxBody is the largest notification accepted, in bytes (default 256 KiB).
	MaxBody int64 `json:"max_body,omitempty"`
	// DedupeWindow is how long an acknowledged event is remembered (default 7 days).
	DedupeWindow caddy.Duration `json:"dedupe_window,omitempty"`
	// DedupeMaxRecords bounds the in-memory records (default 10000).
	DedupeMaxRecords int `json:"dedupe_max_records,omitempty"`
	// UseCaddyStorage keeps records in Caddy's configured storage.
	UseCaddyStorage bool `json:"use_caddy_storage,omitempty"`
	// StorageRaw keeps records in this storage module instead.
	StorageRaw json.RawMessage `json:"storage,omitempty" caddy:"namespace=caddy.storage inline_key=module"`

	logger             *zap.Logger
	metrics            *webhookMetrics
	store              idemStore
	poolKey            string
	space              string    // record space: a hash of gateway, identity, record_space
	orders             idemStore // the paygate route's create records of this account
	ordersKey          string
	webhookConfirmBase string
	client             *http.Client
	now                func() time.Time

	rzp   *signers.WebhookHMAC
	kwik  *signers.WebhookTimestampHMAC
	basic *signers.WebhookBasic
}

// CaddyModule returns the Caddy module information.
func (Webhook) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.paygate_webhook",
		New: func() caddy.Module { return new(Webhook) },
	}
}

// String never shows the credentials of the config, should a secret be
// written literally, so a stray %v cannot leak them.
func (h Webhook) String() string { return "paygate_webhook{" + h.Gateway + ", credentials REDACTED}" }

// GoString is String for %#v.
func (h Webhook) GoString() string { return h.String() }

// webhookOptions lists the options of each gateway; any other gateway's
// option is a configuration error.
var webhookOptions = map[string][]string{
	"razorpay":  {"webhook_secret"},
	"kwikpaisa": {"api_key", "secret_key"},
	"juspay":    {"username", "password"},
	"enkash":    {},
}

func (h *Webhook) gatewayOptionsSet() map[string]bool {
	return map[string]bool{
		"webhook_secret": len(h.WebhookSecrets) > 0,
		"api_key":        h.APIKey != "", "secret_key": h.SecretKey != "",
		"username": h.Username != "", "password": h.Password != "",
	}
}

// Provision resolves the credentials once and opens the record store.
func (h *Webhook) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	h.now = time.Now
	opts, ok := webhookOptions[h.Gateway]
	if !ok {
		return fmt.Errorf("paygate_webhook: unknown gateway %q (it verifies notifications of: %s)", h.Gateway, strings.Join(webhookGateways(), ", "))
	}
	for opt, set := range h.gatewayOptionsSet() {
		if set && !webhookHas(opts, opt) {
			return fmt.Errorf("paygate_webhook %s: %s is not an option of this gateway", h.Gateway, opt)
		}
	}
	if h.MaxBody == 0 {
		h.MaxBody = defaultWebhookMaxBody
	}
	identity := ""
	if h.Account != "" {
		// Public, so no "written literally" warning.
		a, err := secret(nil, h.Gateway, "account", h.Account)
		if err != nil {
			return err
		}
		identity = a
	}
	switch h.Gateway {
	case "razorpay":
		if len(h.WebhookSecrets) == 0 {
			return errors.New("paygate razorpay: webhook_secret is required (the secret set on the webhook in Razorpay's dashboard, not the API key secret)")
		}
		secrets := make([]string, 0, len(h.WebhookSecrets))
		for _, raw := range h.WebhookSecrets {
			s, err := secret(h.logger, "razorpay", "webhook_secret", raw)
			if err != nil {
				return err
			}
			secrets = append(secrets, s)
		}
		h.rzp = signers.NewWebhookHMAC(secrets...)
	case "kwikpaisa":
		key, err := secret(nil, "kwikpaisa", "api_key", h.APIKey)
		if err != nil {
			return err
		}
		sec, err := secret(h.logger, "kwikpaisa", "secret_key", h.SecretKey)
		if err != nil {
			return err
		}
		h.kwik = signers.NewWebhookTimestampHMAC(sec, kwikpaisaWebhookWindow, h.clock)
		if identity == "" {
			identity = key
		}
	case "juspay":
		user, err := secret(nil, "juspay", "username", h.Username)
		if err != nil {
			return err
		}
		pass, err := secret(h.logger, "juspay", "password", h.Password)
		if err != nil {
			return err
		}
		h.basic = signers.NewWebhookBasic(user, pass)
	case "enkash":
		if h.ConfirmWith == "" {
			return errors.New("paygate enkash: confirm_with is required: EnKash notifications carry no verifiable signature, so every one is confirmed through a paygate status route")
		}
	}
	if h.ConfirmWith != "" {
		base, err := webhookConfirmBase(h.Gateway, h.ConfirmWith)
		if err != nil {
			return err
		}
		h.webhookConfirmBase = base
		// Its own transport: the default keeps 2 idle connections per
		// host, so concurrent notifications would each dial the status
		// route anew (measured: EnKash webhooks at 16 connections).
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = webhookConfirmIdleConns
		h.client = &http.Client{
			Transport: transport,
			Timeout:   webhookConfirmTimeout,
			// A paygate status route answers; it never redirects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	// The same space as the paygate route of this account: the event
	// records live apart (paygate/webhooks/…), and the route's create
	// records (paygate/records/…) name the merchant's order_id of a
	// gateway order.
	h.space = spaceName(h.Gateway, identity, h.RecordSpace)
	var err error
	if h.metrics, err = newWebhookMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("paygate_webhook: registering metrics: %w", err)
	}
	return h.provisionStore(ctx)
}

func (h *Webhook) clock() time.Time { return h.now() }

// webhookConfirmBase checks and normalises a confirm_with URL.
func webhookConfirmBase(gateway, raw string) (string, error) {
	v, err := caddy.NewReplacer().ReplaceOrErr(raw, true, true)
	if err != nil {
		return "", fmt.Errorf("paygate %s: confirm_with: %v", gateway, err)
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("paygate %s: confirm_with must be an http(s) URL of a paygate route without query, such as http://127.0.0.1:8080/%s", gateway, gateway)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

func (h *Webhook) provisionStore(ctx caddy.Context) error {
	c := recordsConfig{owner: h, hasModule: h.StorageRaw != nil, useCaddy: h.UseCaddyStorage,
		prefix: "paygate/webhooks/" + h.space, window: time.Duration(h.DedupeWindow), maxRecords: h.DedupeMaxRecords}
	if c.window == 0 {
		c.window = defaultDedupeWindow
	}
	if c.maxRecords == 0 {
		c.maxRecords = defaultDedupeMax
	}
	var err error
	if h.store, h.poolKey, err = openRecords(ctx, c, h.logger); err != nil {
		return fmt.Errorf("paygate_webhook: %w", err)
	}
	c.prefix, c.reader = "paygate/records/"+h.space, true
	if ss, ok := h.store.(*storageStore); ok {
		c.storage = ss.storage // LoadModule consumed StorageRaw
	}
	if h.orders, h.ordersKey, err = openRecords(ctx, c, h.logger); err != nil {
		return fmt.Errorf("paygate_webhook: %w", err)
	}
	webhookReaders.Store(h.space, struct{}{})
	return nil
}

// Validate checks the handler's own options.
func (h *Webhook) Validate() error {
	if h.MaxBody < 0 || h.DedupeWindow < 0 || h.DedupeMaxRecords < 0 {
		return errors.New("paygate_webhook: max_body, dedupe_window and dedupe_max_records must be positive")
	}
	if h.ForwardPath != "" && (!strings.HasPrefix(h.ForwardPath, "/") || strings.ContainsAny(h.ForwardPath, "?#")) {
		return fmt.Errorf("paygate_webhook: forward_path must be a path starting with /, got %q", h.ForwardPath)
	}
	if h.UseCaddyStorage && h.StorageRaw != nil {
		return errors.New("paygate_webhook: use either Caddy's storage or a storage module, not both")
	}
	return nil
}

// webhookConfirmIdleConns bounds the idle connections kept to the
// confirm_with route.
const webhookConfirmIdleConns = 64

// Cleanup releases the in-memory records and the confirm_with connections
// of the previous config.
func (h *Webhook) Cleanup() error {
	if h.client != nil {
		h.client.CloseIdleConnections()
	}
	if h.ordersKey != "" {
		if _, err := recordPool.Delete(h.ordersKey); err != nil {
			return err
		}
	}
	if h.poolKey != "" {
		_, err := recordPool.Delete(h.poolKey)
		return err
	}
	return nil
}

// Outcomes of one event (metric label and log field).
const (
	outDelivered     = "delivered"
	outDuplicate     = "duplicate"
	outAppFailed     = "app_failed"
	outUnverified    = "unverified"
	outUnconfirmed   = "unconfirmed"
	outUnconfirmable = "unconfirmable"
	outUnmapped      = "unmapped"
	outMalformed     = "malformed"
	outExpired       = "expired"
	outStorageFailed = "storage_failed"
	outTooLarge      = "too_large"
	outMethod        = "method_not_allowed"
)

// webhookDelivery is one notification from a gateway.
type webhookDelivery struct {
	h         *Webhook
	w         http.ResponseWriter
	r         *http.Request
	next      caddyhttp.Handler
	start     time.Time
	nextCalls int

	verifiedBy string
	match      string // which secret or body form verified it
	gwEventID  string
}

// eventResult is what happened to one event.
type webhookEventResult struct {
	ev        *transform.Event
	outcome   string
	appStatus int
	reason    string
}

// ServeHTTP answers the gateway; it returns an error only when writing the
// answer fails.
func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	d := &webhookDelivery{h: h, w: w, r: r, next: next, start: time.Now()}
	return d.serve()
}

func (d *webhookDelivery) serve() error {
	h := d.h
	if d.r.Method != http.MethodPost {
		d.w.Header().Set("Allow", http.MethodPost)
		d.logOther(outMethod, zapcore.InfoLevel, "")
		return d.answer(transform.NewError(transform.MethodNotAllowed, "gateway notifications are POSTed"))
	}
	body, tooLarge := d.readBody()
	if tooLarge {
		d.logOther(outTooLarge, zapcore.WarnLevel, "")
		return d.answer(transform.NewError(transform.RequestTooLarge, "notification body is larger than max_body (%d bytes)", h.MaxBody))
	}
	if body == nil {
		d.logOther(outMalformed, zapcore.WarnLevel, "body could not be read")
		return d.answer(transform.Invalid("", "could not read the notification body"))
	}
	received, reason := d.verify(body)
	if reason != "" {
		return d.unverified(reason, nil)
	}

	var events []*transform.Event
	var err error
	if h.Gateway == "enkash" {
		events, err = d.enkashEvents(body, received)
		var u *confirmRefused
		if errors.As(err, &u) {
			return d.unverified("status_api", u)
		}
		var t *confirmTransient
		if errors.As(err, &t) {
			d.logOther(outUnconfirmed, zapcore.WarnLevel, t.msg)
			return d.answer(webhookAppUnavailable("the order's status could not be confirmed; deliver the notification again"))
		}
	} else {
		events, err = parseEvents(h.Gateway, body, received)
	}
	var ig *transform.IgnoredEvent
	if errors.As(err, &ig) {
		out, level := outUnmapped, zapcore.InfoLevel
		if ig.Malformed {
			out, level = outMalformed, zapcore.WarnLevel
		}
		d.logEvent(&webhookEventResult{ev: &transform.Event{GatewayEvent: ig.GatewayEvent}, outcome: out, reason: ig.Reason}, level)
		return d.acknowledge()
	}
	if err != nil { // cannot happen: parsers return IgnoredEvent
		return d.answer(webhookAppUnavailable("the notification could not be processed"))
	}

	results := make([]*webhookEventResult, 0, len(events))
	for _, ev := range events {
		results = append(results, d.handle(ev))
	}
	status := http.StatusOK
	for _, res := range results {
		level := zapcore.InfoLevel
		switch res.outcome {
		case outUnverified:
			status = http.StatusUnauthorized
			level = zapcore.WarnLevel
		case outAppFailed, outStorageFailed, outUnconfirmed:
			if status == http.StatusOK {
				status = http.StatusServiceUnavailable
			}
			level = zapcore.WarnLevel
		case outExpired, outMalformed, outUnconfirmable:
			level = zapcore.WarnLevel
		}
		d.logEvent(res, level)
	}
	switch status {
	case http.StatusUnauthorized:
		return d.answer(webhookUnauthorized())
	case http.StatusServiceUnavailable:
		return d.answer(webhookAppUnavailable("the application did not acknowledge the event; deliver it again"))
	}
	return d.acknowledge()
}

// readBody reads the notification up to MaxBody. A body over the limit
// reports tooLarge; a read failure returns nil.
func (d *webhookDelivery) readBody() (body []byte, tooLarge bool) {
	body, err := readRequestBody(d.w, d.r, d.h.MaxBody)
	return body, err == errBodyTooLarge
}

// verify checks the gateway's proof on the raw body. It returns the time
// to use for events without one of their own, and the failed check's name.
func (d *webhookDelivery) verify(body []byte) (time.Time, string) {
	h := d.h
	now := h.now()
	switch h.Gateway {
	case "razorpay":
		i, err := h.rzp.Verify(body, d.r.Header.Get("X-Razorpay-Signature"))
		if err != nil {
			return now, webhookVerifyReason(err)
		}
		d.verifiedBy, d.match = "signature", "webhook_secret "+strconv.Itoa(i+1)
		d.gwEventID = webhookHeaderID(d.r.Header.Get("X-Razorpay-Event-Id"))
	case "kwikpaisa":
		canonical := func() ([]byte, bool) {
			c, err := transform.Canonicalize(body)
			return c, err == nil
		}
		at, m, err := h.kwik.Verify(body, canonical, d.r.Header.Get("X-Timestamp"), d.r.Header.Get("X-Signature"))
		if err != nil {
			return now, webhookVerifyReason(err)
		}
		d.verifiedBy, d.match = "signature", string(m)
		return at, ""
	case "juspay":
		if err := h.basic.Verify(d.r.Header.Get("Authorization")); err != nil {
			return now, webhookVerifyReason(err)
		}
		d.verifiedBy = "basic_auth"
	case "enkash":
		d.verifiedBy = "status_api"
	}
	return now, ""
}

func webhookVerifyReason(err error) string {
	switch {
	case errors.Is(err, signers.ErrMissingSignature):
		return "missing"
	case errors.Is(err, signers.ErrStaleTimestamp), errors.Is(err, signers.ErrBadTimestamp):
		return "timestamp"
	case errors.Is(err, signers.ErrBadCredentials):
		return "credentials"
	}
	return "signature"
}

// webhookHeaderID keeps a gateway's event id header only if it looks like one.
func webhookHeaderID(s string) string {
	if len(s) == 0 || len(s) > 64 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return ""
		}
	}
	return s
}

// confirmRefused: the status route contradicts or does not know the order.
type confirmRefused struct{ msg string }

func (e *confirmRefused) Error() string { return e.msg }

// confirmTransient: the status route could not answer now.
type confirmTransient struct{ msg string }

func (e *confirmTransient) Error() string { return e.msg }

// eventParsers map each gateway's verified webhook body to canonical events
// (Juspay's refund events may carry several refunds); received is the time
// used where the event carries none. EnKash's notifications are confirmed
// by the order's status instead (enkashEvents).
var eventParsers = map[string]func(body []byte, received time.Time) ([]*transform.Event, error){
	"razorpay":  razorpay.ParseEvent,
	"juspay":    juspay.ParseEvent,
	"kwikpaisa": kwikpaisa.ParseEvent,
}

// parseEvents maps a verified webhook body; the error is an
// *transform.IgnoredEvent.
func parseEvents(gateway string, body []byte, received time.Time) ([]*transform.Event, error) {
	parse, ok := eventParsers[gateway]
	if !ok {
		return nil, transform.UnmappedEvent("", "no event parser for gateway "+transform.Clip(strings.TrimSpace(gateway), 32))
	}
	return parse(body, received)
}

// enkashEvents builds the event of an EnKash notification from the order's
// status alone: the notification only names the order.
func (d *webhookDelivery) enkashEvents(body []byte, received time.Time) ([]*transform.Event, error) {
	orderID, err := enkash.ParseNotification(body)
	if err != nil {
		return nil, &confirmRefused{msg: "the notification names no order to confirm"}
	}
	res, err := d.fetchStatus(orderID)
	if err != nil {
		return nil, err
	}
	ev, err := transform.EventFromStatus("enkash", enkash.NotifyEvent, res, received)
	if err != nil {
		return nil, err
	}
	ev.GatewayEventID = transform.GatewayEventIDOfBody(body)
	return []*transform.Event{ev}, nil
}

// fetchStatus asks the confirm_with route for an order's canonical status.
func (d *webhookDelivery) fetchStatus(orderID string) (*transform.Result, error) {
	ctx, cancel := context.WithTimeout(d.r.Context(), webhookConfirmTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.h.webhookConfirmBase+"/orders/"+url.PathEscape(orderID), nil)
	if err != nil {
		return nil, &confirmTransient{msg: "could not build the status request"}
	}
	req.Header.Set("Accept", "application/json")
	resp, err := d.h.client.Do(req)
	if err != nil {
		return nil, &confirmTransient{msg: "the status route could not be reached"}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, webhookMaxConfirmAnswer))
	if err != nil {
		return nil, &confirmTransient{msg: "the status route's answer could not be read"}
	}
	switch resp.StatusCode {
	case http.StatusOK:
		var res transform.Result
		if err := json.Unmarshal(b, &res); err != nil || res.OrderID != orderID || res.Status == "" {
			return nil, &confirmTransient{msg: "the status route answered something other than this order's status"}
		}
		return &res, nil
	case http.StatusNotFound:
		var e struct {
			Error transform.Error `json:"error"`
		}
		if json.Unmarshal(b, &e) == nil && e.Error.Type == transform.OrderNotFound {
			return nil, &confirmRefused{msg: "the gateway does not know the order"}
		}
	}
	return nil, &confirmTransient{msg: "the status route answered HTTP " + strconv.Itoa(resp.StatusCode)}
}

// handle takes one verified event to the application, unless it has been
// acknowledged before.
func (d *webhookDelivery) handle(ev *transform.Event) *webhookEventResult {
	h := d.h
	res := &webhookEventResult{ev: ev}
	ev.VerifiedBy = d.verifiedBy
	if ev.GatewayEventID == "" {
		ev.GatewayEventID = d.gwEventID
	}
	ctx := d.r.Context()
	if err := d.resolveOrderID(ctx, ev); err != nil {
		res.outcome, res.reason = outStorageFailed, "order id lookup failed"
		return res
	}
	ev.Identify(h.space)
	if ev.TimeFromBody {
		// Records last the window: an event older than that cannot be told
		// from a replay of one already delivered, so it is not forwarded.
		if t, err := time.Parse(time.RFC3339, ev.OccurredAt); err == nil && h.now().Sub(t) > h.window() {
			res.outcome, res.reason = outExpired, "older than dedupe_window"
			return res
		}
	}
	unlock, err := h.store.Lock(ctx, ev.EventID)
	if err != nil {
		res.outcome, res.reason = outStorageFailed, "could not take the event's lock"
		if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			h.logger.Error("webhook record storage failed", zap.Error(err))
		}
		return res
	}
	defer unlock()
	rec, err := h.store.Load(ctx, ev.EventID)
	if err != nil {
		h.logger.Error("webhook record storage failed", zap.Error(err))
		res.outcome, res.reason = outStorageFailed, "could not read the event's record"
		return res
	}
	if rec != nil {
		res.outcome = outDuplicate
		return res
	}
	// Under the event's lock, after the record check: an acknowledged
	// event's redeliveries do not reach the status route, and concurrent
	// ones ask it once.
	if h.webhookConfirmBase != "" && h.Gateway != "enkash" {
		if out, reason := d.confirm(ev); out != "" {
			res.outcome, res.reason = out, reason
			return res
		}
	}
	status, err := d.forward(ev)
	res.appStatus = status
	if err != nil || status < 200 || status > 299 {
		res.outcome = outAppFailed
		if err != nil {
			res.reason = "the application could not be reached"
		}
		return res
	}
	res.outcome = outDelivered
	if err := h.store.Save(context.WithoutCancel(ctx), ev.EventID, &idemRecord{Status: status, Created: h.now()}); err != nil {
		h.logger.Error("could not record an acknowledged event; a redelivery will reach the application again",
			zap.String("event_id", ev.EventID), zap.Error(err))
	}
	return res
}

func (h *Webhook) window() time.Duration {
	if h.DedupeWindow > 0 {
		return time.Duration(h.DedupeWindow)
	}
	return defaultDedupeWindow
}

// resolveOrderID fills the merchant's order_id of events that carry only
// the gateway's order id (Razorpay's payment.* and refund.*) from an
// earlier event that carried both (order.paid), and remembers the pair
// when this one carries both. The pair lives beside the event records, so
// it is shared and expires as they do.
func (d *webhookDelivery) resolveOrderID(ctx context.Context, ev *transform.Event) error {
	if ev.GatewayOrderID == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(ev.GatewayOrderID))
	key := "order-" + hex.EncodeToString(sum[:16])
	if ev.OrderID != "" {
		rec, err := d.h.store.Load(ctx, key)
		if err == nil && rec == nil {
			err = d.h.store.Save(context.WithoutCancel(ctx), key, &idemRecord{Body: []byte(ev.OrderID), Created: d.h.now()})
		}
		if err != nil {
			d.h.logger.Warn("could not remember an order id for later events", zap.Error(err))
		}
		return nil
	}
	rec, err := d.h.store.Load(ctx, key)
	if err != nil {
		d.h.logger.Error("webhook record storage failed", zap.Error(err))
		return err
	}
	if rec == nil && d.h.orders != nil {
		// paygate created the order: its create records name it.
		if rec, err = d.h.orders.Load(ctx, gatewayOrderKey(ev.GatewayOrderID)); err != nil {
			d.h.logger.Warn("could not read paygate's create records", zap.Error(err))
			rec = nil
		}
	}
	if rec != nil && transform.ValidateOrderID(string(rec.Body)) == nil {
		ev.OrderID = string(rec.Body)
	}
	return nil
}

// confirm checks a verified event against the order's status (defence in
// depth, confirm_with). It returns an outcome when the event must not be
// forwarded.
func (d *webhookDelivery) confirm(ev *transform.Event) (string, string) {
	if ev.OrderID == "" {
		// Nothing to look up (a Razorpay payment event whose order.paid has
		// not been seen): acknowledged, not forwarded. The order.paid event
		// of the same payment carries the order id and is the one delivered.
		// A 503 instead would have Razorpay retry for 24 hours and then
		// disable the whole webhook.
		return outUnconfirmable, "no order_id to confirm"
	}
	res, err := d.fetchStatus(ev.OrderID)
	var u *confirmRefused
	switch {
	case errors.As(err, &u):
		return outUnverified, u.msg
	case err != nil:
		return outUnconfirmed, err.Error()
	}
	switch verdict, why := ev.ConfirmWith(res); verdict {
	case transform.Contradicted:
		return outUnverified, why
	case transform.NotYet:
		return outUnconfirmed, why
	}
	return "", ""
}

// forward hands one event to the next handler (reverse_proxy to the
// application) as a fresh request and returns the application's status.
func (d *webhookDelivery) forward(ev *transform.Event) (int, error) {
	body := ev.JSON()
	r := d.r
	// reverse_proxy's dialer reads the request's vars from its own
	// goroutine, which can outlive a call; every later call of next gets
	// its own copy of the map (as exchange.roundTrip does).
	if d.nextCalls > 0 {
		if vars, ok := r.Context().Value(caddyhttp.VarsCtxKey).(map[string]any); ok {
			r = r.WithContext(context.WithValue(r.Context(), caddyhttp.VarsCtxKey, maps.Clone(vars)))
			d.r = r
		}
	}
	d.nextCalls++
	// Every gateway header is dropped: the application sees paygate's
	// headers only.
	// One allocation holds the body reader and the header values.
	parts := &upstreamParts{values: [4]string{"application/json", strconv.Itoa(len(body)), ev.EventID, ev.VerifiedBy}}
	v := &parts.values
	hdr := make(http.Header, 5)
	hdr["Content-Type"] = v[0:1:1]
	hdr["Content-Length"] = v[1:2:2]
	hdr["Paygate-Event-Id"] = v[2:3:3]
	hdr["Paygate-Verified-By"] = v[3:4:4]
	r.Header = hdr
	r.Method = http.MethodPost
	if d.h.ForwardPath != "" {
		r.URL.Path = d.h.ForwardPath
	}
	r.URL.RawPath = ""
	r.URL.RawQuery = ""
	r.RequestURI = r.URL.RequestURI()
	r.TransferEncoding = nil
	r.Trailer = nil
	parts.body.Reset(body)
	r.Body = &parts.body
	r.ContentLength = int64(len(body))
	cw := getCapture()
	defer putCapture(cw)
	if err := callNext(cw, r, d.next); err != nil {
		return 0, err
	}
	if cw.status == 0 {
		return http.StatusOK, nil // the handler wrote nothing: net/http's 200
	}
	return cw.status, nil
}

// unverified answers 401 and records the failed check.
func (d *webhookDelivery) unverified(reason string, detail error) error {
	h := d.h
	h.metrics.observeVerificationFailure(h.Gateway, reason)
	h.metrics.observeEvent(h.Gateway, "none", outUnverified)
	fields := []zap.Field{zap.String("gateway", h.Gateway), zap.String("outcome", outUnverified),
		zap.String("reason", reason), zap.String("remote_ip", webhookRemoteIP(d.r)), zap.Duration("duration", time.Since(d.start))}
	if detail != nil {
		fields = append(fields, zap.String("detail", detail.Error()))
	}
	h.logger.Warn("payment event", fields...)
	return d.answer(webhookUnauthorized())
}

func webhookUnauthorized() *transform.Error {
	return transform.NewError(transform.Unauthorized, "the notification could not be verified")
}

func webhookAppUnavailable(msg string) *transform.Error {
	return &transform.Error{Type: transform.GatewayUnavailable, Message: msg}
}

func (d *webhookDelivery) answer(e *transform.Error) error {
	return writeJSON(d.w, e.HTTPStatus(), e.JSON())
}

func (d *webhookDelivery) acknowledge() error {
	return writeJSON(d.w, http.StatusOK, []byte(`{"received":true}`))
}

// logEvent writes the event's one log line and counts it.
func (d *webhookDelivery) logEvent(res *webhookEventResult, level zapcore.Level) {
	h, ev := d.h, res.ev
	typ := string(ev.Type)
	if typ == "" {
		typ = "none"
	}
	h.metrics.observeEvent(h.Gateway, typ, res.outcome)
	if res.outcome == outUnverified {
		h.metrics.observeVerificationFailure(h.Gateway, "status_api")
	}
	c := h.logger.Check(level, "payment event")
	if c == nil {
		return
	}
	buf := logFields.Get().(*[]zap.Field)
	fields := (*buf)[:0]
	fields = append(fields, zap.String("gateway", h.Gateway), zap.String("gateway_event", ev.GatewayEvent),
		zap.String("type", typ), zap.String("outcome", res.outcome))
	for _, f := range [][2]string{{"event_id", ev.EventID}, {"gateway_event_id", ev.GatewayEventID},
		{"order_id", ev.OrderID}, {"gateway_order_id", ev.GatewayOrderID}, {"verified_by", d.verifiedBy},
		{"matched", d.match}, {"reason", res.reason}} {
		if f[1] != "" {
			fields = append(fields, zap.String(f[0], f[1]))
		}
	}
	if res.appStatus != 0 {
		fields = append(fields, zap.Int("app_status", res.appStatus))
	}
	fields = append(fields, zap.Duration("duration", time.Since(d.start)))
	c.Write(fields...)
	clear(fields)
	logFields.Put(buf)
}

// logOther logs and counts a notification refused before it had an event.
func (d *webhookDelivery) logOther(outcome string, level zapcore.Level, reason string) {
	d.logEvent(&webhookEventResult{ev: &transform.Event{}, outcome: outcome, reason: reason}, level)
}

func webhookRemoteIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

func webhookHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Webhook)(nil)
	_ caddy.Validator             = (*Webhook)(nil)
	_ caddy.CleanerUpper          = (*Webhook)(nil)
	_ caddyhttp.MiddlewareHandler = (*Webhook)(nil)
)
