package paygate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	"github.com/shopspring/decimal"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/paygate/caddy-paygate/transform"
)

// exchange is one application request: the flow from canonical request to
// canonical answer, and what the log line and metrics say about it.
type exchange struct {
	h    *Handler
	w    http.ResponseWriter
	r    *http.Request
	next caddyhttp.Handler

	start         time.Time
	op            string // create, status, refund, refund_status; "" for requests no operation matched
	orderID       string
	refundID      string
	order         *transform.Order
	outcome       string // success, or the canonical error type
	errField      string
	gatewayCode   string
	gatewayStatus int // HTTP status of the gateway's last answer
	gatewayTime   time.Duration
	replayed      bool
	nextCalls     int // calls of next so far (each attempt, status checks)
	// notSent reports that the last round trip failed before anything
	// reached the gateway (credentials could not be had, no connection).
	notSent bool
	// retryAfter and gatewayDate are the gateway's last Retry-After (on a
	// 408/425/429/503) and Date headers.
	retryAfter  string
	gatewayDate string
	// detached is the request's context without its cancellation: what
	// the idempotent flow's record writes run under, once the gateway may
	// have acted (set before any call).
	detached context.Context
}

func (x *exchange) gatewayName() string { return x.h.gateway.Name() }

// jsonBody reads a request body that must be JSON (a create or a refund).
func (x *exchange) jsonBody(what string) ([]byte, *transform.Error) {
	// The exact common value skips ParseMediaType, which allocates a map.
	if ct := x.r.Header.Get("Content-Type"); ct != "application/json" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, transform.NewError(transform.UnsupportedMediaType, "%s requests must be sent with Content-Type: application/json", what)
		}
	}
	return x.readBody()
}

func (x *exchange) create() error {
	body, e := x.jsonBody("create")
	if e != nil {
		return x.fail(e)
	}
	order, e := transform.DecodeOrder(body)
	if e != nil {
		return x.fail(e)
	}
	x.order, x.orderID = order, order.OrderID
	req, e := x.h.gateway.BuildCreate(order)
	if e != nil {
		return x.fail(e)
	}
	return x.idempotent(&idemOp{
		key:      "order/" + order.OrderID,
		fp:       fingerprint(order),
		conflict: orderConflict,
		steps:    &createSteps{x: x, order: order, req: req},
	})
}

// createSteps are a create's gateway calls (idemSteps).
type createSteps struct {
	x     *exchange
	order *transform.Order
	req   transform.Request
}

func (s *createSteps) check() (idemResult, bool) { return s.x.findCreated(s.order) }

func (s *createSteps) act() idemResult {
	x, order := s.x, s.order
	status, respBody, cw, e := x.roundTrip(&s.req)
	if e != nil {
		return x.attemptFailed(e)
	}
	res, e := x.h.gateway.ParseCreate(order, status, respBody)
	putCapture(cw) // the result holds copies, not the body
	if e != nil && e.Type == transform.DuplicateOrder {
		// Checked, not relayed: an earlier attempt may have created it.
		if r, found := x.findCreated(order); found {
			if r.e != nil && r.e.GatewayCode == "" {
				// Another order: answer with the gateway's own refusal too.
				r.e.GatewayCode, r.e.GatewayMessage = e.GatewayCode, e.GatewayMessage
				r.body = r.e.JSON()
			}
			return r
		} else if r.e == nil {
			e = &transform.Error{Type: transform.GatewayError, Gateway: x.gatewayName(), GatewayCode: e.GatewayCode, GatewayMessage: e.GatewayMessage,
				Message: x.gatewayName() + " says this order_id is already used but does not report the order yet; retry with the same request"}
		} else {
			e = r.e
		}
		return idemResult{status: e.HTTPStatus(), body: e.JSON(), e: e, outcome: outcomeAmbiguous}
	}
	if e != nil {
		return failed(e)
	}
	return x.created(res)
}

// orderConflict answers an order_id used before with another request.
func orderConflict(gateway string) *transform.Error {
	return &transform.Error{Type: transform.DuplicateOrder, Field: "order_id", Gateway: gateway,
		Message: "order_id was already used with a different request; use a new order_id"}
}

// findCreated asks the gateway for the order after an outcome that may have
// created it. The order found counts as this create's answer only if it is
// the same order: a different amount or currency under this id is a 409.
func (x *exchange) findCreated(order *transform.Order) (idemResult, bool) {
	res, e := x.fetchStatus(order.OrderID)
	switch {
	case e != nil && e.Type == transform.OrderNotFound:
		return idemResult{}, false
	case e != nil:
		return idemResult{status: e.HTTPStatus(), body: e.JSON(), e: e, outcome: outcomeAmbiguous}, false
	}
	if e := sameOrder(x.gatewayName(), order, res); e != nil {
		return failed(e), true
	}
	return x.created(res), true
}

// sameOrder checks that what the gateway holds under our id is the order
// sent (docs/idempotency.md: what the gateway confirms is checked):
// otherwise the id belongs to another order.
func sameOrder(gateway string, o *transform.Order, res *transform.Result) *transform.Error {
	got, err := decimal.NewFromString(res.Amount)
	if err == nil && got.Equal(o.Amount.Decimal()) && res.Currency == o.Currency {
		return nil
	}
	return &transform.Error{Type: transform.DuplicateOrder, Field: "order_id", Gateway: gateway,
		Message: fmt.Sprintf("%s holds another order under this order_id (%s %s, not %s %s); use a new order_id",
			gateway, res.Amount, res.Currency, o.Amount.Shortest(), o.Currency)}
}

// created is the definite answer for a created order. What is recorded for
// replay leaves out short-lived session tokens (Juspay's client_auth_token).
func (x *exchange) created(res *transform.Result) idemResult {
	if rec, ok := x.h.gateway.(CreateRecorder); ok {
		rec.RecordCreate(res)
	}
	x.completeResult(res)
	x.rememberGatewayOrder(res)
	r := answered(http.StatusCreated, res.JSON())
	if kept := res.WithoutEphemeral(); kept != res {
		r.record = kept.JSON()
	}
	return r
}

// rememberGatewayOrder records which merchant order_id a gateway order is,
// for payment events that name only the gateway's order (Razorpay's
// payment.captured): paygate_webhook reads it (README "Payment events").
func (x *exchange) rememberGatewayOrder(res *transform.Result) {
	if res.GatewayOrderID == "" || res.GatewayOrderID == res.OrderID {
		return
	}
	if _, shared := x.h.idem.(*storageStore); !shared {
		// In memory only a paygate_webhook of this process can read it.
		if _, read := webhookReaders.Load(x.h.recordSpace); !read {
			return
		}
	}
	rec := &idemRecord{Status: http.StatusOK, Body: []byte(res.OrderID), Created: time.Now()}
	if err := x.h.idem.Save(context.WithoutCancel(x.r.Context()), gatewayOrderKey(res.GatewayOrderID), rec); err != nil {
		x.h.logger.Warn("could not record the gateway order id; events naming only it will lack the order_id",
			zap.String("gateway", x.gatewayName()), zap.String("order_id", res.OrderID), zap.Error(err))
	}
}

// webhookReaders are the record spaces whose gateway order ids a
// paygate_webhook of this process reads (it registers in Provision).
var webhookReaders sync.Map // space → struct{}

// gatewayOrderKey is the record key of a gateway order id.
func gatewayOrderKey(gatewayOrderID string) string { return "gateway-order/" + gatewayOrderID }

// completeResult fills created_at, which the README promises on every
// result: the gateway's clock from its Date header where its answer carries
// no time, else paygate's.
func (x *exchange) completeResult(res *transform.Result) { x.fillCreatedAt(&res.CreatedAt) }

// fillCreatedAt sets an empty created_at from the gateway's Date header,
// else paygate's clock (orders and refunds alike).
func (x *exchange) fillCreatedAt(createdAt *string) {
	if *createdAt != "" {
		return
	}
	if x.gatewayDate != "" { // absent, it would fail three layouts, three errors
		if t, err := http.ParseTime(x.gatewayDate); err == nil {
			*createdAt = t.UTC().Format(time.RFC3339)
			return
		}
	}
	*createdAt = time.Now().UTC().Format(time.RFC3339)
}

// attemptFailed classifies a failed round trip: a failure before anything
// was sent (credentials could not be had, no connection) is not recorded.
func (x *exchange) attemptFailed(e *transform.Error) idemResult {
	r := failed(e)
	if x.notSent {
		r.outcome = outcomeNotSent
	}
	return r
}

func (x *exchange) storageError(err error) *transform.Error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &transform.Error{Type: transform.GatewayTimeout, Gateway: x.gatewayName(), Message: "gave up waiting for an earlier request with the same order_id"}
	}
	x.h.logger.Error("idempotency storage failed", zap.Error(err))
	return &transform.Error{Type: transform.GatewayUnavailable, Gateway: x.gatewayName(), Message: "paygate's idempotency storage is unavailable; nothing was sent to the gateway"}
}

func (x *exchange) status() error {
	res, e := x.fetchStatus(x.orderID)
	if e != nil {
		return x.fail(e)
	}
	x.completeResult(res)
	x.outcome = "success"
	return writeJSON(x.w, http.StatusOK, res.JSON())
}

// fetchStatus asks the gateway for an order's status.
func (x *exchange) fetchStatus(orderID string) (*transform.Result, *transform.Error) {
	req, e := x.h.gateway.BuildStatus(orderID)
	if e != nil {
		return nil, e
	}
	status, respBody, cw, e := x.roundTrip(&req)
	if e != nil {
		return nil, e
	}
	defer putCapture(cw)
	res, e := x.h.gateway.ParseStatus(orderID, status, respBody)
	if e == nil && len(res.OtherGatewayOrderIDs) > 0 {
		x.h.logger.Warn("the gateway holds several orders under one order_id; answering with the paid one, else the newest",
			zap.String("gateway", x.gatewayName()), zap.String("order_id", orderID),
			zap.String("gateway_order_id", res.GatewayOrderID), zap.Strings("other_gateway_order_ids", res.OtherGatewayOrderIDs))
	}
	return res, e
}

// readBody reads the canonical request up to MaxBody; a declared length over
// the limit is refused without reading.
func (x *exchange) readBody() ([]byte, *transform.Error) {
	body, err := readRequestBody(x.w, x.r, x.h.MaxBody)
	switch {
	case err == errBodyTooLarge:
		return nil, transform.NewError(transform.RequestTooLarge, "request body is larger than max_body (%d bytes)", x.h.MaxBody)
	case err != nil:
		return nil, transform.Invalid("", "could not read the request body")
	}
	return body, nil
}

var errBodyTooLarge = errors.New("request body larger than the limit")

// readRequestBody reads a request body of at most limit bytes (an
// application's request or a gateway's notification). Over the limit, the
// body is closed so the server does not try to drain it before answering,
// the connection is closed after the answer, and the error is
// errBodyTooLarge.
func readRequestBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	tooLarge := func() ([]byte, error) {
		r.Body.Close()
		w.Header().Set("Connection", "close")
		return nil, errBodyTooLarge
	}
	if r.ContentLength > limit {
		return tooLarge()
	}
	rd := http.MaxBytesReader(w, r.Body, limit)
	var body []byte
	var err error
	if n := r.ContentLength; n > 0 {
		// A declared length (the common case) is read into one buffer of
		// that size; io.ReadAll would grow one from 512 bytes. One more
		// byte is asked for, so a body longer than declared is an error.
		body = make([]byte, n, n+1)
		if _, err = io.ReadFull(rd, body); err == nil {
			if m, _ := rd.Read(body[n : n+1]); m > 0 {
				err = errors.New("body longer than its Content-Length")
			}
		}
	} else {
		body, err = io.ReadAll(rd)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge()
		}
		return nil, err
	}
	return body, nil
}

// forwardedHeaders are the only application headers that reach a gateway:
// everything else, credentials above all, is dropped (README "Security").
var forwardedHeaders = []string{"User-Agent", "X-Request-Id", "Traceparent", "Tracestate"}

// prepare turns the application's request into the gateway request for one
// attempt: method, path, query, body and a fresh header set.
func prepare(r *http.Request, req *transform.Request) {
	h := make(http.Header, 8)
	for _, name := range forwardedHeaders {
		if v := r.Header.Values(name); len(v) > 0 {
			h[name] = v
		}
	}
	// One allocation holds the body and the three header values paygate
	// sets.
	parts := &upstreamParts{}
	v := &parts.values
	v[0] = "application/json"
	// No Accept-Encoding: Go's transport then asks for gzip itself and
	// decodes it, so the answer arrives readable.
	h["Accept"] = v[0:1:1]
	for k, v := range req.Header {
		h.Set(k, v)
	}
	r.Header = h
	r.Method = req.Method
	r.URL.Path = req.Path
	r.URL.RawPath = ""
	r.URL.RawQuery = req.RawQuery
	r.RequestURI = r.URL.RequestURI()
	r.TransferEncoding = nil
	r.Trailer = nil
	if req.Body == nil {
		r.Body = http.NoBody
		r.ContentLength = 0
		return
	}
	body := &parts.body
	body.Reset(req.Body)
	r.Body = body
	r.ContentLength = int64(len(req.Body))
	v[1], v[2] = req.ContentType, strconv.Itoa(len(req.Body))
	h["Content-Type"] = v[1:2:2]
	h["Content-Length"] = v[2:3:3]
}

// upstreamBody is the gateway request's body: a bytes.Reader (io.WriterTo
// for the transport) that is its own Closer, one allocation.
type upstreamBody struct{ bytes.Reader }

func (*upstreamBody) Close() error { return nil }

// upstreamParts is what one request handed to next allocates: its body
// and its header values (prepare uses three, paygate_webhook's forward four).
type upstreamParts struct {
	body   upstreamBody
	values [4]string
}

// roundTrip sends the gateway request through next and returns the gateway's
// status and body, or the canonical error for a failure to get one. The
// body lives in cw, which the caller puts back once it has parsed it.
func (x *exchange) roundTrip(req *transform.Request) (int, []byte, *captureWriter, *transform.Error) {
	name := x.gatewayName()
	for attempt := 0; ; attempt++ {
		prepare(x.r, req)
		x.notSent, x.retryAfter = false, ""
		if err := x.h.gateway.Authorize(x.r.Context(), x.r.Header, req); err != nil {
			// Nothing was sent with this attempt, and an earlier one was
			// refused for stale credentials: the gateway did not act.
			x.notSent = true
			return 0, nil, nil, asCanonical(name, err)
		}
		// reverse_proxy's dialer reads the request's vars from its own
		// goroutine, which can outlive an attempt; every later call of next
		// gets its own copy of the map, so reverse_proxy's writes cannot race
		// with an earlier attempt's dial.
		if x.nextCalls > 0 {
			if vars, ok := x.r.Context().Value(caddyhttp.VarsCtxKey).(map[string]any); ok {
				x.r = x.r.WithContext(context.WithValue(x.r.Context(), caddyhttp.VarsCtxKey, maps.Clone(vars)))
			}
		}
		x.nextCalls++
		cw := getCapture()
		start := time.Now()
		err := callNext(cw, x.r, x.next)
		took := time.Since(start)
		x.gatewayTime += took
		x.gatewayStatus = cw.status
		x.h.metrics.observeGateway(name, x.op, took)
		if c := x.h.logger.Check(zapcore.DebugLevel, "gateway round trip"); c != nil {
			c.Write(zap.String("gateway", name), zap.String("method", req.Method), zap.String("path", req.Path),
				zap.Int("gateway_http_status", cw.status), zap.Duration("duration", took), zap.Error(err))
		}
		if cw.overflow {
			putCapture(cw)
			return 0, nil, nil, &transform.Error{Type: transform.GatewayError, Gateway: name,
				Message: fmt.Sprintf("%s answered with a body larger than %d bytes", name, maxResponse)}
		}
		if err != nil {
			putCapture(cw)
			var dial reverseproxy.DialError
			x.notSent = errors.As(err, &dial)
			return 0, nil, nil, proxyError(name, err)
		}
		status := cw.status
		x.gatewayDate = cw.header.Get("Date")
		if retryAfterStatus(status) {
			x.retryAfter = cw.header.Get("Retry-After")
		}
		body, e := cw.decodedBody(name)
		if e != nil {
			putCapture(cw)
			return 0, nil, nil, e
		}
		if ra, ok := x.h.gateway.(Reauthorizer); ok && attempt == 0 && ra.StaleCredentials(status, body) {
			putCapture(cw)
			ra.Invalidate()
			continue
		}
		return status, body, cw, nil
	}
}

// callNext runs the proxy. reverse_proxy aborts a response it cannot finish
// copying (an upstream reset mid-body) with panic(http.ErrAbortHandler);
// that, like any other panic below us, becomes a gateway error here.
func callNext(cw *captureWriter, r *http.Request, next caddyhttp.Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				err = errIncompleteResponse
				return
			}
			err = fmt.Errorf("panic while proxying: %v", p)
		}
	}()
	return next.ServeHTTP(cw, r)
}

var errIncompleteResponse = errors.New("the gateway's answer was cut off")

// proxyError maps reverse_proxy's errors to canonical ones (README
// "Errors": gateway_unavailable, gateway_timeout, gateway_error).
func proxyError(gateway string, err error) *transform.Error {
	var dial reverseproxy.DialError
	var he caddyhttp.HandlerError
	e := &transform.Error{Gateway: gateway}
	switch {
	case errors.As(err, &dial):
		e.Type, e.Message = transform.GatewayUnavailable, "could not connect to "+gateway
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &he) && he.StatusCode == http.StatusGatewayTimeout:
		e.Type, e.Message = transform.GatewayTimeout, gateway+" did not answer in time"
	case errors.As(err, &he) && he.StatusCode == http.StatusServiceUnavailable:
		e.Type, e.Message = transform.GatewayUnavailable, "no upstream available for "+gateway
	case errors.Is(err, errIncompleteResponse):
		e.Type, e.Message = transform.GatewayError, "the connection to "+gateway+" broke while it was answering"
	default:
		e.Type, e.Message = transform.GatewayError, "the request to "+gateway+" failed"
	}
	return e
}

func asCanonical(gateway string, err error) *transform.Error {
	return canonicalAuthError(gateway, err) // credentials.go: the one mapping of Authorize errors
}

// fail answers with a canonical error.
func (x *exchange) fail(e *transform.Error) error {
	e = scrubCredentials(x.h.gateway, x.r.Header, e) // credentials.go: no credential reaches the app
	x.outcome, x.errField, x.gatewayCode = string(e.Type), e.Field, e.GatewayCode
	if e.Type == transform.GatewayUnavailable && x.retryAfter != "" && validRetryAfter(x.retryAfter) {
		x.w.Header().Set("Retry-After", x.retryAfter)
	}
	return writeJSON(x.w, e.HTTPStatus(), e.JSON())
}

// validRetryAfter accepts the two forms RFC 9110 §10.2.3 allows (seconds or
// an HTTP date), so nothing else a gateway sends reaches the application.
func validRetryAfter(v string) bool {
	if n, err := strconv.Atoi(v); err == nil {
		return n >= 0
	}
	_, err := http.ParseTime(v)
	return err == nil
}

// finish writes the order's log line and counts it.
func (x *exchange) finish() {
	name := x.gatewayName()
	op := x.op
	if op == "" {
		op = "unknown"
	}
	x.h.metrics.observeRequest(name, op, x.outcome)
	level := zapcore.InfoLevel
	if !routineOutcome(x.outcome) {
		level = zapcore.WarnLevel
	}
	msg := "order"
	if x.refundID != "" || op == "refund" || op == "refund_status" {
		msg = "refund"
	}
	c := x.h.logger.Check(level, msg)
	if c == nil {
		return
	}
	buf := logFields.Get().(*[]zap.Field)
	fields := (*buf)[:0]
	fields = append(fields,
		zap.String("gateway", name),
		zap.String("operation", op),
		zap.String("order_id", x.orderID),
	)
	if x.refundID != "" {
		fields = append(fields, zap.String("refund_id", x.refundID))
	}
	fields = append(fields,
		zap.String("outcome", x.outcome),
		zap.Int("gateway_http_status", x.gatewayStatus),
		zap.Duration("duration", time.Since(x.start)),
		zap.Duration("gateway_duration", x.gatewayTime),
	)
	if x.replayed {
		fields = append(fields, zap.Bool("idempotent_replay", true))
	}
	if x.errField != "" {
		fields = append(fields, zap.String("field", x.errField))
	}
	if x.gatewayCode != "" {
		fields = append(fields, zap.String("gateway_code", x.gatewayCode))
	}
	if o := x.order; o != nil && o.Customer != nil {
		if o.Customer.Email != "" {
			fields = append(fields, zap.String("customer_email", maskEmail(o.Customer.Email)))
		}
		if o.Customer.Phone != "" {
			fields = append(fields, zap.String("customer_phone", maskPhone(o.Customer.Phone)))
		}
	}
	c.Write(fields...)
	clear(fields) // the strings may go
	logFields.Put(buf)
}

// logFields hold the log line's fields while it is written: zap's cores
// encode or copy them before Write returns, as for any caller's slice.
var logFields = sync.Pool{New: func() any { f := make([]zap.Field, 0, 16); return &f }}

// routineOutcome reports whether an outcome (success, or a canonical error
// type) is routine: a success, an invalid request, or the gateway's verdict
// on the order or refund (a duplicate, a rejection, an unknown order or
// refund, no refund API). It is logged at INFO; any other outcome means
// the gateway or the network failed, or a request or paygate's
// configuration is out of the ordinary, and is logged at WARN (README
// "Observability").
func routineOutcome(outcome string) bool {
	switch transform.ErrorType(outcome) {
	case "success", transform.InvalidRequest, transform.DuplicateOrder, transform.DuplicateRefund,
		transform.GatewayRejected, transform.OrderNotFound, transform.NotFound, transform.NotSupported:
		return true
	}
	return false
}

// maskEmail keeps the first character of the local part and the top-level
// domain, by rune: "ajay@example.com" → "a***@***.com". A personal domain
// identifies a customer as well as the address does.
func maskEmail(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 1 {
		return "***"
	}
	_, n := utf8.DecodeRuneInString(s)
	tld := ""
	if dot := strings.LastIndexByte(s[at:], '.'); dot > 0 {
		tld = s[at+dot:]
	}
	return s[:n] + "***@***" + tld
}

// maskPhone keeps the last four digits: "9816512345" → "******2345".
func maskPhone(s string) string {
	n := len(s) - 4 // characters masked
	if len(s) <= 4 {
		n = len(s)
	}
	var b strings.Builder // one allocation
	b.Grow(len(s))
	for range n {
		b.WriteByte('*')
	}
	b.WriteString(s[n:])
	return b.String()
}

func writeJSON(w http.ResponseWriter, status int, body []byte) error {
	// One backing array for the four values: one allocation, not four.
	v := &[4]string{"application/json", strconv.Itoa(len(body)), "no-store", "nosniff"}
	hdr := w.Header()
	hdr["Content-Type"] = v[0:1:1]
	hdr["Content-Length"] = v[1:2:2]
	hdr["Cache-Control"] = v[2:3:3]
	hdr["X-Content-Type-Options"] = v[3:4:4]
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
