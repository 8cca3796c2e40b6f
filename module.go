// Package paygate is a Caddy HTTP handler that turns one canonical order JSON
// into a payment gateway's own request, authenticates it, hands it to the
// next handler (reverse_proxy) and maps whatever comes back into one
// canonical JSON answer.
package paygate

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
	"go.uber.org/zap"

	"github.com/paygate/caddy-paygate/transform"
)

func init() {
	caddy.RegisterModule(Handler{})
}

const (
	defaultMaxBody = 64 << 10
	// maxResponse caps the buffered gateway answer (design.md §5).
	maxResponse = 1 << 20
)

// Handler is the http.handlers.paygate module.
type Handler struct {
	// Gateway is the gateway module (http.paygate.gateways.<name>).
	GatewayRaw json.RawMessage `json:"gateway,omitempty" caddy:"namespace=http.paygate.gateways inline_key=name"`
	// MaxBody is the largest canonical request accepted, in bytes (default 64 KiB).
	MaxBody int64 `json:"max_body,omitempty"`

	// IdempotencyWindow is how long a create's answer is replayed for a
	// repeat with the same order_id (default 24h).
	IdempotencyWindow caddy.Duration `json:"idempotency_window,omitempty"`
	// IdempotencyMaxRecords bounds the in-memory records (default 10000);
	// the least recently used go first.
	IdempotencyMaxRecords int `json:"idempotency_max_records,omitempty"`
	// UseCaddyStorage keeps records in Caddy's configured storage (the
	// global `storage` option) so several instances share them.
	UseCaddyStorage bool `json:"use_caddy_storage,omitempty"`
	// StorageRaw keeps records in this storage module instead.
	StorageRaw json.RawMessage `json:"storage,omitempty" caddy:"namespace=caddy.storage inline_key=module"`

	gateway Gateway
	logger  *zap.Logger
	idem    idemStore
	poolKey string // usage pool key of an in-memory store
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.paygate",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision loads the gateway module, which resolves its credentials.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	if h.MaxBody == 0 {
		h.MaxBody = defaultMaxBody
	}
	if h.GatewayRaw == nil {
		return errors.New("paygate: no gateway configured")
	}
	mod, err := ctx.LoadModule(h, "GatewayRaw")
	if err != nil {
		return fmt.Errorf("paygate: loading gateway: %w", err)
	}
	gw, ok := mod.(Gateway)
	if !ok {
		return fmt.Errorf("paygate: module %T is not a gateway", mod)
	}
	h.gateway = gw
	return h.provisionIdempotency(ctx)
}

// idemPool keeps in-memory records across config reloads.
var idemPool = caddy.NewUsagePool()

func (h *Handler) provisionIdempotency(ctx caddy.Context) error {
	window := time.Duration(h.IdempotencyWindow)
	if window == 0 {
		window = defaultIdempotencyWindow
	}
	max := h.IdempotencyMaxRecords
	if max == 0 {
		max = defaultIdempotencyMax
	}
	key := routeKey(h.GatewayRaw)
	switch {
	case h.StorageRaw != nil:
		mod, err := ctx.LoadModule(h, "StorageRaw")
		if err != nil {
			return fmt.Errorf("paygate: loading storage: %w", err)
		}
		conv, ok := mod.(caddy.StorageConverter)
		if !ok {
			return fmt.Errorf("paygate: module %T is not a storage", mod)
		}
		st, err := conv.CertMagicStorage()
		if err != nil {
			return fmt.Errorf("paygate: storage: %w", err)
		}
		h.idem = &storageStore{storage: st, prefix: "paygate/idempotency/" + key, window: window, now: time.Now}
	case h.UseCaddyStorage:
		h.idem = &storageStore{storage: ctx.Storage(), prefix: "paygate/idempotency/" + key, window: window, now: time.Now}
	default:
		h.poolKey = fmt.Sprintf("%s/%d/%d", key, window, max)
		v, _, err := idemPool.LoadOrNew(h.poolKey, func() (caddy.Destructor, error) {
			return newMemoryStore(window, max), nil
		})
		if err != nil {
			return err
		}
		h.idem = v.(*memoryStore)
	}
	return nil
}

// Cleanup releases the in-memory records of the previous config.
func (h *Handler) Cleanup() error {
	if h.poolKey != "" {
		_, err := idemPool.Delete(h.poolKey)
		return err
	}
	return nil
}

// Validate checks the handler's own options.
func (h *Handler) Validate() error {
	if h.MaxBody < 0 {
		return errors.New("paygate: max_body must be positive")
	}
	if h.IdempotencyWindow < 0 || h.IdempotencyMaxRecords < 0 {
		return errors.New("paygate: idempotency_window and idempotency_max_records must be positive")
	}
	if h.UseCaddyStorage && h.StorageRaw != nil {
		return errors.New("paygate: use either Caddy's storage or a storage module, not both")
	}
	if h.gateway == nil {
		return errors.New("paygate: no gateway configured")
	}
	return nil
}

// operation is what the application asked for.
type operation int

const (
	opCreate operation = iota + 1
	opStatus
)

// route recognises the operation from the method and the last path segments,
// so the handler works under any route prefix.
func route(r *http.Request) (operation, string, *transform.Error) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	i := strings.LastIndexByte(path, '/')
	last, parent := path[i+1:], ""
	if i > 0 {
		parent = path[:i]
		parent = parent[strings.LastIndexByte(parent, '/')+1:]
	}
	switch {
	case last == "orders":
		if r.Method != http.MethodPost {
			return 0, "", transform.NewError(transform.MethodNotAllowed, "use POST to create an order")
		}
		return opCreate, "", nil
	case parent == "orders":
		if r.Method != http.MethodGet {
			return 0, "", transform.NewError(transform.MethodNotAllowed, "use GET to fetch an order's status")
		}
		if e := transform.ValidateOrderID(last); e != nil {
			return 0, "", e
		}
		return opStatus, last, nil
	}
	return 0, "", transform.NewError(transform.NotFound, "no such operation: POST …/orders creates an order, GET …/orders/{order_id} fetches its status")
}

// ServeHTTP answers every request with canonical JSON; it returns an error
// only when writing to the application fails.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	op, orderID, e := route(r)
	if e != nil {
		if e.Type == transform.MethodNotAllowed {
			if op == 0 && strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/orders") {
				w.Header().Set("Allow", http.MethodPost)
			} else {
				w.Header().Set("Allow", http.MethodGet)
			}
		}
		return h.writeError(w, e)
	}
	switch op {
	case opCreate:
		return h.create(w, r, next)
	default:
		return h.status(w, r, next, orderID)
	}
}

func (h *Handler) create(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return h.writeError(w, transform.NewError(transform.UnsupportedMediaType, "create requests must be sent with Content-Type: application/json"))
	}
	body, e := h.readBody(w, r)
	if e != nil {
		return h.writeError(w, e)
	}
	order, e := transform.DecodeOrder(body)
	if e != nil {
		return h.writeError(w, e)
	}
	req, e := h.gateway.BuildCreate(order)
	if e != nil {
		return h.writeError(w, e)
	}
	ctx := r.Context()
	unlock, err := h.idem.Lock(ctx, order.OrderID)
	if err != nil {
		return h.writeError(w, h.storageError(err))
	}
	defer unlock()
	fp := fingerprint(order)
	prev, err := h.idem.Load(ctx, order.OrderID)
	if err != nil {
		return h.writeError(w, h.storageError(err))
	}
	if prev != nil {
		if prev.Fingerprint != fp {
			return h.writeError(w, &transform.Error{Type: transform.DuplicateOrder, Field: "order_id", Gateway: h.gateway.Name(),
				Message: "order_id was already used with a different request; use a new order_id"})
		}
		if !prev.Ambiguous {
			w.Header().Set("Idempotent-Replayed", "true")
			return writeJSON(w, prev.Status, prev.Body)
		}
		// The last attempt may have created the order: ask before creating again.
		res, e := h.fetchStatus(r, next, order.OrderID)
		switch {
		case e == nil:
			return h.answerCreate(w, r, order.OrderID, fp, res, nil)
		case e.Type != transform.OrderNotFound:
			return h.writeError(w, e)
		}
	}
	status, respBody, e := h.roundTrip(r, next, &req)
	var res *transform.Result
	if e == nil {
		res, e = h.gateway.ParseCreate(order, status, respBody)
	}
	return h.answerCreate(w, r, order.OrderID, fp, res, e)
}

// answerCreate records the outcome of a create and answers it.
func (h *Handler) answerCreate(w http.ResponseWriter, r *http.Request, orderID, fp string, res *transform.Result, e *transform.Error) error {
	status, body := http.StatusCreated, []byte(nil)
	if e != nil {
		status, body = e.HTTPStatus(), e.JSON()
	} else {
		if rec, ok := h.gateway.(CreateRecorder); ok {
			rec.RecordCreate(res)
		}
		body = res.JSON()
	}
	switch classify(e) {
	case outcomeDefinite:
		h.saveRecord(r, orderID, &idemRecord{Fingerprint: fp, Status: status, Body: body, Created: time.Now()})
	case outcomeAmbiguous:
		h.saveRecord(r, orderID, &idemRecord{Fingerprint: fp, Ambiguous: true, Created: time.Now()})
	}
	if e != nil {
		return h.writeError(w, e)
	}
	return writeJSON(w, status, body)
}

func (h *Handler) saveRecord(r *http.Request, orderID string, rec *idemRecord) {
	// The answer stands even if recording fails; log it for the operator.
	if err := h.idem.Save(context.WithoutCancel(r.Context()), orderID, rec); err != nil {
		h.logger.Error("could not record the create outcome; a retry will reach the gateway again",
			zap.String("gateway", h.gateway.Name()), zap.String("order_id", orderID), zap.Error(err))
	}
}

func (h *Handler) storageError(err error) *transform.Error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &transform.Error{Type: transform.GatewayTimeout, Gateway: h.gateway.Name(), Message: "gave up waiting for an earlier request with the same order_id"}
	}
	h.logger.Error("idempotency storage failed", zap.Error(err))
	return &transform.Error{Type: transform.GatewayUnavailable, Gateway: h.gateway.Name(), Message: "paygate's idempotency storage is unavailable; nothing was sent to the gateway"}
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler, orderID string) error {
	res, e := h.fetchStatus(r, next, orderID)
	if e != nil {
		return h.writeError(w, e)
	}
	return writeJSON(w, http.StatusOK, res.JSON())
}

// fetchStatus asks the gateway for an order's status.
func (h *Handler) fetchStatus(r *http.Request, next caddyhttp.Handler, orderID string) (*transform.Result, *transform.Error) {
	req, e := h.gateway.BuildStatus(orderID)
	if e != nil {
		return nil, e
	}
	status, respBody, e := h.roundTrip(r, next, &req)
	if e != nil {
		return nil, e
	}
	return h.gateway.ParseStatus(orderID, status, respBody)
}

// readBody reads the canonical request up to MaxBody; a declared length over
// the limit is refused without reading.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *transform.Error) {
	tooLarge := func() *transform.Error {
		// Close the body so the server does not try to drain it before
		// answering; the connection is closed after the 413 instead.
		r.Body.Close()
		w.Header().Set("Connection", "close")
		return transform.NewError(transform.RequestTooLarge, "request body is larger than max_body (%d bytes)", h.MaxBody)
	}
	if r.ContentLength > h.MaxBody {
		return nil, tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		return nil, transform.Invalid("", "could not read the request body")
	}
	return body, nil
}

// forwardedHeaders are the only application headers that reach a gateway:
// everything else, credentials above all, is dropped (design.md §5).
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
	// No Accept-Encoding: Go's transport then asks for gzip itself and
	// decodes it, so the answer arrives readable.
	h["Accept"] = []string{"application/json"}
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
	r.Body = io.NopCloser(bytes.NewReader(req.Body))
	r.ContentLength = int64(len(req.Body))
	h["Content-Type"] = []string{req.ContentType}
	h["Content-Length"] = []string{strconv.Itoa(len(req.Body))}
}

// roundTrip sends the gateway request through next and returns the gateway's
// status and body, or the canonical error for a failure to get one.
func (h *Handler) roundTrip(r *http.Request, next caddyhttp.Handler, req *transform.Request) (int, []byte, *transform.Error) {
	name := h.gateway.Name()
	for attempt := 0; ; attempt++ {
		prepare(r, req)
		if err := h.gateway.Authorize(r.Context(), r.Header, req); err != nil {
			return 0, nil, asCanonical(name, err)
		}
		cw := getCapture()
		start := time.Now()
		err := callNext(cw, r, next)
		if c := h.logger.Check(zap.DebugLevel, "gateway round trip"); c != nil {
			c.Write(zap.String("gateway", name), zap.String("method", req.Method), zap.String("path", req.Path),
				zap.Int("status", cw.status), zap.Duration("duration", time.Since(start)), zap.Error(err))
		}
		if err != nil {
			putCapture(cw)
			return 0, nil, proxyError(name, err)
		}
		if cw.overflow {
			putCapture(cw)
			return 0, nil, &transform.Error{Type: transform.GatewayError, Gateway: name,
				Message: fmt.Sprintf("%s answered with a body larger than %d bytes", name, maxResponse)}
		}
		status := cw.status
		body, e := cw.decodedBody(name)
		putCapture(cw)
		if e != nil {
			return 0, nil, e
		}
		if ra, ok := h.gateway.(Reauthorizer); ok && attempt == 0 && ra.StaleCredentials(status, body) {
			ra.Invalidate()
			continue
		}
		return status, body, nil
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

// proxyError maps reverse_proxy's errors to canonical ones (design.md §5).
func proxyError(gateway string, err error) *transform.Error {
	var dial reverseproxy.DialError
	var he caddyhttp.HandlerError
	e := &transform.Error{Gateway: gateway}
	switch {
	case errors.As(err, &dial):
		e.Type, e.Message = transform.GatewayUnavailable, "could not connect to "+gateway
	case errors.As(err, &he) && he.StatusCode == http.StatusGatewayTimeout:
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
	var e *transform.Error
	if errors.As(err, &e) {
		if e.Gateway == "" {
			e.Gateway = gateway
		}
		return e
	}
	return &transform.Error{Type: transform.GatewayError, Gateway: gateway, Message: "could not authenticate to " + gateway}
}

func (h *Handler) writeError(w http.ResponseWriter, e *transform.Error) error {
	if c := h.logger.Check(zap.DebugLevel, "canonical error"); c != nil {
		c.Write(zap.String("type", string(e.Type)), zap.String("field", e.Field), zap.String("gateway_code", e.GatewayCode))
	}
	return writeJSON(w, e.HTTPStatus(), e.JSON())
}

func writeJSON(w http.ResponseWriter, status int, body []byte) error {
	hdr := w.Header()
	hdr["Content-Type"] = []string{"application/json"}
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	hdr["Cache-Control"] = []string{"no-store"}
	hdr["X-Content-Type-Options"] = []string{"nosniff"}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}

// captureWriter receives the gateway's answer in place of the application's
// writer: its own header map keeps upstream headers away from the
// application, and the body is capped at maxResponse.
type captureWriter struct {
	header      http.Header
	status      int
	body        bytes.Buffer
	overflow    bool
	wroteHeader bool
}

var capturePool = sync.Pool{New: func() any { return &captureWriter{header: make(http.Header, 8)} }}

func getCapture() *captureWriter { return capturePool.Get().(*captureWriter) }

func putCapture(cw *captureWriter) {
	if cw.body.Cap() > 64<<10 {
		return // let oversized buffers go
	}
	clear(cw.header)
	cw.status, cw.overflow, cw.wroteHeader = 0, false, false
	cw.body.Reset()
	capturePool.Put(cw)
}

func (cw *captureWriter) Header() http.Header { return cw.header }

func (cw *captureWriter) WriteHeader(status int) {
	if cw.wroteHeader || status < 200 {
		return // 1xx are informational; the final status follows
	}
	cw.status, cw.wroteHeader = status, true
}

func (cw *captureWriter) Write(p []byte) (int, error) {
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK)
	}
	if cw.overflow || cw.body.Len()+len(p) > maxResponse {
		// Swallow the rest: an error here would make reverse_proxy abort
		// with a panic, and the answer is refused anyway.
		cw.overflow = true
		return len(p), nil
	}
	return cw.body.Write(p)
}

// FlushError is a no-op: nothing reaches the application until the answer
// has been mapped.
func (cw *captureWriter) FlushError() error { return nil }

// decodedBody returns the body, decoding gzip that the gateway sent without
// being asked; any other encoding cannot be read.
func (cw *captureWriter) decodedBody(gateway string) ([]byte, *transform.Error) {
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	// The body is copied: the capture buffer goes back to its pool.
	switch enc := strings.ToLower(strings.TrimSpace(cw.header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return bytes.Clone(cw.body.Bytes()), nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(cw.body.Bytes()))
		if err != nil {
			return nil, transform.Unreadable(gateway, cw.status, "a corrupt gzip body")
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxResponse+1))
		if err != nil {
			return nil, transform.Unreadable(gateway, cw.status, "a corrupt gzip body")
		}
		if len(out) > maxResponse {
			return nil, &transform.Error{Type: transform.GatewayError, Gateway: gateway,
				Message: fmt.Sprintf("%s answered with a body larger than %d bytes", gateway, maxResponse)}
		}
		return out, nil
	default:
		return nil, transform.Unreadable(gateway, cw.status, "a body in an encoding paygate cannot read ("+enc+")")
	}
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddy.CleanerUpper          = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
	_ http.ResponseWriter         = (*captureWriter)(nil)
)
