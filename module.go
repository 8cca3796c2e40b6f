package paygate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"

	"github.com/paygate/caddy-paygate/transform"
)

func init() {
	caddy.RegisterModule(Handler{})
}

const (
	defaultMaxBody = 64 << 10
	// maxResponse caps the buffered gateway answer (README "Security":
	// bodies are bounded both ways).
	maxResponse = 1 << 20
)

// Handler is the http.handlers.paygate module.
type Handler struct {
	// GatewayRaw is the gateway module (http.paygate.gateways.<name>), a
	// Gateway.
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
	// InFlightTimeout bounds every gateway call of one create or refund and
	// is how long its in-flight marker keeps other instances from acting on
	// the same id (default 30s).
	InFlightTimeout caddy.Duration `json:"in_flight_timeout,omitempty"`
	// RecordSpace separates environments that share an account identity
	// (one Juspay merchant_id for sandbox and production).
	RecordSpace string `json:"record_space,omitempty"`
	// Passthrough serves the gateway's native API on this route instead of
	// the canonical one, for the requests it allows (README "Passthrough").
	Passthrough *Passthrough `json:"passthrough,omitempty"`

	gateway Gateway
	logger  *zap.Logger
	idem    idemStore
	locks   *keyedMutex // this process's per-key locks of the record space
	poolKey string      // usage pool key of an in-memory store or a sweeper
	// recordSpace names the records of this merchant account.
	recordSpace string
	metrics     *metrics
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.paygate",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision loads the gateway module, which resolves its credentials.
// Caddy prefixes its errors with "provision http.handlers.paygate:".
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	if h.MaxBody == 0 {
		h.MaxBody = defaultMaxBody
	}
	if h.GatewayRaw == nil {
		return errors.New("no gateway configured")
	}
	mod, err := ctx.LoadModule(h, "GatewayRaw")
	if err != nil {
		return fmt.Errorf("loading gateway: %w", err)
	}
	gw, ok := mod.(Gateway)
	if !ok {
		return fmt.Errorf("module %T is not a gateway (paygate.Gateway)", mod)
	}
	h.gateway = gw
	identity := ""
	if ai, ok := gw.(AccountIdentifier); ok {
		identity = ai.AccountIdentity()
	}
	if identity == "" && h.RecordSpace == "" {
		return fmt.Errorf("gateway %s names no account identity; set record_space so its records cannot mix with another account's", gw.Name())
	}
	h.recordSpace = spaceName(gw.Name(), identity, h.RecordSpace)
	h.locks = localLocks(h.recordSpace)
	if h.metrics, err = newMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("registering metrics: %w", err)
	}
	if err := h.Passthrough.provision(ctx); err != nil {
		return err
	}
	return h.provisionIdempotency(ctx)
}

// recordPool keeps in-memory records, and the sweepers of shared storage,
// across config reloads: keyed by record space only, so a reload that
// changes a tuning option keeps every record.
var recordPool = caddy.NewUsagePool()

// recordsConfig is where a handler keeps its records (idempotency records,
// acknowledged events): in memory by default, in Caddy's storage, or in a
// storage module loaded from the owner's StorageRaw field.
type recordsConfig struct {
	owner      any // the handler struct holding StorageRaw
	hasModule  bool
	useCaddy   bool
	prefix     string // "paygate/records/<space>"
	window     time.Duration
	maxRecords int
	// reader opens another handler's records (the webhook reads the
	// create records of its account): it does not resize them.
	reader bool
	// storage, when set, is the storage already loaded for the owner.
	storage certmagic.Storage
}

// openRecords opens the store and returns the usage pool key the owner
// releases in Cleanup.
func openRecords(ctx caddy.Context, c recordsConfig, logger *zap.Logger) (idemStore, string, error) {
	st := c.storage
	switch {
	case st != nil:
	case c.hasModule:
		mod, err := ctx.LoadModule(c.owner, "StorageRaw")
		if err != nil {
			return nil, "", fmt.Errorf("loading storage: %w", err)
		}
		conv, ok := mod.(caddy.StorageConverter)
		if !ok {
			return nil, "", fmt.Errorf("module %T is not a storage", mod)
		}
		if st, err = conv.CertMagicStorage(); err != nil {
			return nil, "", fmt.Errorf("storage: %w", err)
		}
	case c.useCaddy:
		st = ctx.Storage()
	default:
		key := "memory/" + c.prefix
		v, _, err := recordPool.LoadOrNew(key, func() (caddy.Destructor, error) {
			return newMemoryStore(c.window, c.maxRecords), nil
		})
		if err != nil {
			return nil, "", err
		}
		m := v.(*memoryStore)
		if !c.reader {
			m.resize(c.window, c.maxRecords)
		}
		return m, key, nil
	}
	store := &storageStore{storage: st, prefix: c.prefix, window: c.window, now: time.Now}
	// One sweeper per record space and process deletes what is past the
	// window (certmagic storage has no TTL).
	key := "sweep/" + c.prefix
	_, _, err := recordPool.LoadOrNew(key, func() (caddy.Destructor, error) {
		return startSweeper(store, logger), nil
	})
	return store, key, err
}

func (h *Handler) provisionIdempotency(ctx caddy.Context) error {
	c := recordsConfig{owner: h, hasModule: h.StorageRaw != nil, useCaddy: h.UseCaddyStorage,
		prefix: "paygate/records/" + h.recordSpace, window: time.Duration(h.IdempotencyWindow), maxRecords: h.IdempotencyMaxRecords}
	if c.window == 0 {
		c.window = defaultIdempotencyWindow
	}
	if c.maxRecords == 0 {
		c.maxRecords = defaultIdempotencyMax
	}
	var err error
	if h.idem, h.poolKey, err = openRecords(ctx, c, h.logger); err != nil {
		return err
	}
	return nil
}

// Cleanup releases the records and sweeper of the previous config.
func (h *Handler) Cleanup() error {
	if h.poolKey != "" {
		_, err := recordPool.Delete(h.poolKey)
		return err
	}
	return nil
}

// Validate checks the handler's own options. Zero means the default, so
// only negative values are refused. Caddy prefixes its errors with
// "http.handlers.paygate: invalid configuration:".
func (h *Handler) Validate() error {
	if h.MaxBody < 0 {
		return errors.New("max_body must not be negative (0 or unset means the default, 64 KiB)")
	}
	if h.IdempotencyWindow < 0 || h.IdempotencyMaxRecords < 0 || h.InFlightTimeout < 0 {
		return errors.New("idempotency_window, idempotency_max_records and in_flight_timeout must not be negative (0 or unset means the default)")
	}
	if h.UseCaddyStorage && h.StorageRaw != nil {
		return errors.New("use either Caddy's storage or a storage module, not both")
	}
	if h.gateway == nil {
		return errors.New("no gateway configured")
	}
	if err := h.Passthrough.validate(); err != nil {
		return err
	}
	return nil
}

// operation is what the application asked for.
type operation int

const (
	opCreate operation = iota + 1
	opStatus
	opRefund
	opRefundStatus
)

// method is the HTTP method of the operation (the Allow header of a 405).
func (op operation) method() string {
	if op == opCreate || op == opRefund {
		return http.MethodPost
	}
	return http.MethodGet
}

// route recognises the operation from the method and the last path segments,
// so the handler works under any route prefix. On a 405 it returns the
// operation the path names, whose method goes in Allow.
func route(r *http.Request) (operation, string, string, *transform.Error) {
	// An order may be called "orders": POST …/orders/orders/refunds refunds it.
	if r.Method == http.MethodPost && strings.HasSuffix(strings.TrimSuffix(r.URL.Path, "/"), "/refunds") {
		if op, orderID, _, e := routeRefunds(r); op == opRefund && e == nil {
			return op, orderID, "", nil
		}
	}
	op, orderID, e := routeOrders(r)
	if op != 0 || e != nil {
		return op, orderID, "", e
	}
	return routeRefunds(r)
}

// routeRefunds recognises POST …/orders/{order_id}/refunds and
// GET …/orders/{order_id}/refunds/{refund_id}.
func routeRefunds(r *http.Request) (operation, string, string, *transform.Error) {
	seg := strings.Split(strings.TrimSuffix(r.URL.Path, "/"), "/")
	n := len(seg)
	switch {
	case n >= 3 && seg[n-1] == "refunds" && seg[n-3] == "orders":
		if e := transform.ValidateOrderID(seg[n-2]); e != nil {
			return 0, "", "", e
		}
		if r.Method != http.MethodPost {
			return opRefund, "", "", transform.NewError(transform.MethodNotAllowed, "use POST to create a refund")
		}
		return opRefund, seg[n-2], "", nil
	case n >= 4 && seg[n-2] == "refunds" && seg[n-4] == "orders":
		if e := transform.ValidateOrderID(seg[n-3]); e != nil {
			return 0, "", "", e
		}
		if e := transform.ValidateRefundID(seg[n-1]); e != nil {
			return 0, "", "", e
		}
		if r.Method != http.MethodGet {
			return opRefundStatus, "", "", transform.NewError(transform.MethodNotAllowed, "use GET to fetch a refund's status")
		}
		return opRefundStatus, seg[n-3], seg[n-1], nil
	}
	return 0, "", "", transform.NewError(transform.NotFound,
		"no such operation: POST …/orders creates an order, GET …/orders/{order_id} fetches its status, "+
			"POST …/orders/{order_id}/refunds refunds it, GET …/orders/{order_id}/refunds/{refund_id} fetches a refund")
}

// routeOrders recognises POST …/orders and GET …/orders/{order_id}; it
// returns no operation and no error for other paths.
func routeOrders(r *http.Request) (operation, string, *transform.Error) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	i := strings.LastIndexByte(path, '/')
	last, parent := path[i+1:], ""
	if i > 0 {
		parent = path[:i]
		parent = parent[strings.LastIndexByte(parent, '/')+1:]
	}
	switch {
	// An order may be called "orders": GET …/orders/orders is its status.
	case last == "orders" && !(parent == "orders" && r.Method == http.MethodGet):
		if r.Method != http.MethodPost {
			return opCreate, "", transform.NewError(transform.MethodNotAllowed, "use POST to create an order")
		}
		return opCreate, "", nil
	case parent == "orders":
		if r.Method != http.MethodGet {
			return opStatus, "", transform.NewError(transform.MethodNotAllowed, "use GET to fetch an order's status")
		}
		if e := transform.ValidateOrderID(last); e != nil {
			return 0, "", e
		}
		return opStatus, last, nil
	}
	return 0, "", nil
}

// ServeHTTP answers every request with canonical JSON; it returns an error
// only when writing to the application fails.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	if h.Passthrough != nil {
		return h.servePassthrough(w, r, next)
	}
	x := &exchange{h: h, w: w, r: r, next: next, start: time.Now()}
	defer x.finish()
	op, orderID, refundID, e := route(r)
	if e != nil {
		if e.Type == transform.MethodNotAllowed {
			w.Header().Set("Allow", op.method())
		}
		return x.fail(e)
	}
	switch op {
	case opCreate:
		x.op = "create"
		return x.create()
	case opRefund:
		x.op, x.orderID = "refund", orderID
		return x.refund()
	}
	// Status calls are bounded like a create's or a refund's calls,
	// whatever reverse_proxy's own timeouts.
	ctx, cancel := context.WithTimeout(r.Context(), h.inFlightTimeout())
	defer cancel()
	x.r = r.WithContext(ctx)
	if op == opRefundStatus {
		x.op, x.orderID, x.refundID = "refund_status", orderID, refundID
		return x.refundStatus()
	}
	x.op, x.orderID = "status", orderID
	return x.status()
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddy.Validator             = (*Handler)(nil)
	_ caddy.CleanerUpper          = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)

// String names the handler without its configuration, which may hold a
// credential written literally (README "Security").
func (h Handler) String() string {
	if h.gateway != nil {
		return "paygate.Handler{" + h.gateway.Name() + "}"
	}
	return "paygate.Handler{}"
}

// Format prints String for every verb, so no verb walks the fields.
func (h Handler) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, h.String()) }
