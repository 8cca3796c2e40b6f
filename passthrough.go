package paygate

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/paygate/caddy-paygate/transform"
)

// Passthrough makes a route serve the gateway's own (native) API to an
// application that already speaks it through the gateway's SDK: the
// application's credentials are dropped, paygate's are injected, and the
// gateway's answer goes back unchanged. Only the requests on the allow-list
// get through; a route with a passthrough block serves no canonical API
// (README "Passthrough").
type Passthrough struct {
	// Allow lists the native requests let through. Nothing else is: no
	// allow-list, no passthrough.
	Allow []PassthroughRule `json:"allow,omitempty"`

	rules   []passthroughRule
	metrics *passthroughMetrics
}

// PassthroughRule is one allowed native request: a method and a path
// pattern whose "*" matches exactly one path segment.
type PassthroughRule struct {
	// Method is GET, POST, PUT, PATCH or DELETE.
	Method string `json:"method"`
	// Path is a pattern such as /v1/payments/*/capture, matched against the
	// request's path as it reaches paygate (after `uri strip_prefix`).
	Path string `json:"path"`
}

type passthroughRule struct {
	method  string
	pattern transform.PathPattern
}

// passthroughMethods are the methods a rule may name. HEAD, OPTIONS,
// CONNECT and TRACE are no part of the gateways' APIs.
var passthroughMethods = map[string]bool{
	http.MethodGet: true, http.MethodPost: true, http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true,
}

// compileRule checks and compiles one rule.
func compileRule(method, path string) (passthroughRule, error) {
	if !passthroughMethods[method] {
		return passthroughRule{}, fmt.Errorf("passthrough: method %q is not one of GET, POST, PUT, PATCH, DELETE (upper case)", method)
	}
	p, err := transform.ParsePathPattern(path)
	if err != nil {
		return passthroughRule{}, fmt.Errorf("passthrough: %v", err)
	}
	return passthroughRule{method: method, pattern: p}, nil
}

// provision compiles the allow-list once (no parsing per request) and
// registers the passthrough metrics. A nil Passthrough is no passthrough.
func (p *Passthrough) provision(ctx caddy.Context) error {
	if p == nil {
		return nil
	}
	if err := p.compile(); err != nil {
		return err
	}
	var err error
	if p.metrics, err = newPassthroughMetrics(ctx.GetMetricsRegistry()); err != nil {
		return fmt.Errorf("paygate: registering passthrough metrics: %w", err)
	}
	return nil
}

// compile checks and compiles the allow-list.
func (p *Passthrough) compile() error {
	if len(p.Allow) == 0 {
		return errors.New("paygate: a passthrough block needs at least one allow rule; without one nothing could pass")
	}
	p.rules = make([]passthroughRule, 0, len(p.Allow))
	seen := make(map[PassthroughRule]bool, len(p.Allow))
	for _, a := range p.Allow {
		if seen[a] {
			return fmt.Errorf("paygate: passthrough: duplicate rule allow %s %s", a.Method, a.Path)
		}
		seen[a] = true
		r, err := compileRule(a.Method, a.Path)
		if err != nil {
			return fmt.Errorf("paygate: %w", err)
		}
		p.rules = append(p.rules, r)
	}
	return nil
}

// validate checks that provision compiled every rule.
func (p *Passthrough) validate() error {
	if p != nil && (len(p.rules) == 0 || len(p.rules) != len(p.Allow)) {
		return errors.New("paygate: passthrough allow-list is not compiled")
	}
	return nil
}

// match returns the pattern of the first rule allowing the request.
func (p *Passthrough) match(method, path string) (string, bool) {
	for i := range p.rules {
		if r := &p.rules[i]; r.method == method && r.pattern.Match(path) {
			return r.pattern.String(), true
		}
	}
	return "", false
}

// parsePassthrough parses, with the dispenser on "passthrough",
//
//	passthrough {
//		allow <METHOD> <path pattern>
//		…
//	}
//
// Anything else inside the block, a wrong number of arguments, a bad method
// or pattern, a repeated rule and an empty block are errors with the file
// and line.
func parsePassthrough(d *caddyfile.Dispenser) (*Passthrough, error) {
	if d.NextArg() {
		return nil, d.Errf("passthrough takes no argument, got %q; put allow rules in its block", d.Val())
	}
	p := new(Passthrough)
	seen := map[PassthroughRule]bool{}
	for nesting := d.Nesting(); d.NextBlock(nesting); {
		if d.Val() != "allow" {
			return nil, d.Errf("unknown passthrough option %q (only: allow <METHOD> <path pattern>)", d.Val())
		}
		args := d.RemainingArgs()
		if len(args) != 2 {
			return nil, d.Errf("allow takes a method and a path pattern, such as: allow GET /v1/orders/*")
		}
		if _, err := compileRule(args[0], args[1]); err != nil {
			return nil, d.Err(err.Error())
		}
		rule := PassthroughRule{Method: args[0], Path: args[1]}
		if seen[rule] {
			return nil, d.Errf("duplicate rule allow %s %s", rule.Method, rule.Path)
		}
		seen[rule] = true
		p.Allow = append(p.Allow, rule)
	}
	if len(p.Allow) == 0 {
		return nil, d.Err("passthrough needs a block with at least one rule: allow <METHOD> <path pattern>")
	}
	return p, nil
}

// passthroughRequest is implemented by gateways that must adjust a native
// request beyond swapping credentials (see passthrough_auth.go).
type passthroughRequest interface {
	nativeRequest(r *http.Request, req *transform.Request) *transform.Error
}

// servePassthrough answers one native request: refused unless allowed;
// allowed, it goes to the gateway with paygate's credentials instead of the
// application's, and the gateway's status, body and content type come back.
func (h *Handler) servePassthrough(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	p := h.Passthrough
	start := time.Now()
	name := h.gateway.Name()
	method := passthroughMethodLabel(r.Method)
	pattern, allowed := p.match(r.Method, r.URL.Path)
	status, errType := 0, ""
	defer func() {
		p.metrics.observe(name, method, allowed)
		h.logPassthrough(name, method, pattern, allowed, status, errType, time.Since(start))
	}()
	fail := func(e *transform.Error) error {
		e = scrubCredentials(h.gateway, r.Header, e) // credentials.go
		if e.Gateway == "" {
			e.Gateway = name
		}
		status, errType = e.HTTPStatus(), string(e.Type)
		return writeJSON(w, status, e.JSON())
	}
	if !allowed {
		return fail(transform.NewError(transform.Forbidden,
			"%s %s is not on this route's passthrough allow-list; nothing was sent to the gateway", transform.Clip(r.Method, 16), transform.Clip(r.URL.Path, 200)))
	}

	x := &exchange{h: h, w: w, r: r, next: next, start: start, op: "passthrough"}
	body, e := x.readBody()
	if e != nil {
		return fail(e)
	}
	req := transform.Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	if len(body) > 0 {
		req.Body = body
		// The application's own type (Juspay takes forms); JSON, which the
		// other three gateways take, when it sent none.
		if req.ContentType = r.Header.Get("Content-Type"); req.ContentType == "" {
			req.ContentType = "application/json"
		}
	}
	if g, ok := h.gateway.(passthroughRequest); ok {
		if e := g.nativeRequest(r, &req); e != nil {
			return fail(e)
		}
	}
	gwStatus, respBody, cw, e := x.roundTrip(&req)
	if e != nil {
		return fail(e)
	}
	if gwStatus < 200 || gwStatus > 599 {
		// Nothing wrote an answer: no reverse_proxy after paygate.
		putCapture(cw)
		return fail(&transform.Error{Type: transform.GatewayError, Gateway: name,
			Message: "no answer from " + name + "; is reverse_proxy configured after paygate on this route?"})
	}
	status = gwStatus
	// Only these answer headers reach the application: the rest are the
	// gateway's session and transport business (Set-Cookie, WWW-Authenticate,
	// hop-by-hop headers), and the body is already decoded.
	hdr := w.Header()
	for _, k := range passthroughAnswerHeaders {
		if v := cw.header.Values(k); len(v) > 0 {
			hdr[k] = v
		}
	}
	// respBody is the capture buffer: given back once written.
	defer putCapture(cw)
	if gwStatus != http.StatusNoContent && gwStatus != http.StatusNotModified {
		hdr.Set("Content-Length", strconv.Itoa(len(respBody)))
	}
	w.WriteHeader(gwStatus)
	if len(respBody) == 0 {
		return nil
	}
	_, err := w.Write(respBody)
	return err
}

// passthroughAnswerHeaders are the gateway answer headers passed on.
var passthroughAnswerHeaders = []string{"Content-Type", "Cache-Control", "Retry-After"}

// passthroughMethodLabel keeps logs and metric labels to a closed set.
func passthroughMethodLabel(m string) string {
	if passthroughMethods[m] {
		return m
	}
	return "OTHER"
}

// logPassthrough writes the request's one log line: never the query
// string, a body or a header, and the path only as the rule's pattern.
func (h *Handler) logPassthrough(gateway, method, pattern string, allowed bool, status int, errType string, took time.Duration) {
	level := zapcore.InfoLevel
	if errType != "" && status >= 500 {
		level = zapcore.WarnLevel // the gateway or the network failed
	}
	c := h.logger.Check(level, "passthrough")
	if c == nil {
		return
	}
	if !allowed {
		pattern = "refused"
	}
	fields := []zap.Field{
		zap.String("gateway", gateway),
		zap.String("method", method),
		zap.String("path_pattern", pattern),
		zap.Int("status", status),
		zap.Duration("duration", took),
	}
	if errType != "" {
		fields = append(fields, zap.String("error_type", errType))
	}
	c.Write(fields...)
}
