package emulator

import (
	"fmt"
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	caddy.RegisterModule(Handler{})
	httpcaddyfile.RegisterHandlerDirective("paygate_emulator", parseCaddyfile)
	httpcaddyfile.RegisterDirectiveOrder("paygate_emulator", httpcaddyfile.Before, "respond")
}

// Handler is http.handlers.paygate_emulator: it serves an emulated gateway,
// so one Caddy process can run both paygate and the gateways it talks to.
//
//	paygate_emulator <gateway> {
//		instance   <name>      # state is shared by every route with this name (default: the gateway)
//		<option>   <value>     # the gateway's credentials and settings, e.g. key_id, key_secret
//	}
//
// Option values may use {env.*} and {file.*} placeholders.
type Handler struct {
	Gateway  string            `json:"gateway"`
	Instance string            `json:"instance,omitempty"`
	Options  map[string]string `json:"options,omitempty"`

	emu      Emulator
	instance string
}

// CaddyModule returns the Caddy module information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.paygate_emulator",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision finds or creates the emulator instance.
func (h *Handler) Provision(caddy.Context) error {
	repl := caddy.NewReplacer()
	opts := make(map[string]string, len(h.Options))
	for k, v := range h.Options {
		resolved, err := repl.ReplaceOrErr(v, true, true)
		if err != nil {
			return fmt.Errorf("paygate_emulator %s: %s: %v", h.Gateway, k, err)
		}
		opts[k] = resolved
	}
	name := h.Instance
	if name == "" {
		name = h.Gateway
	}
	emu, err := Instance(name, h.Gateway, opts)
	if err != nil {
		return err
	}
	h.emu, h.instance = emu, name
	return nil
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, _ caddyhttp.Handler) error {
	serveWithFaults(h.instance, h.emu, w, r)
	return nil
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile parses the paygate_emulator directive.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next()
	if !d.NextArg() {
		return d.ArgErr()
	}
	h.Gateway = d.Val()
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		key := d.Val()
		if !d.NextArg() {
			return d.ArgErr()
		}
		val := d.Val()
		if d.NextArg() {
			return d.ArgErr()
		}
		if key == "instance" {
			h.Instance = val
			continue
		}
		if h.Options == nil {
			h.Options = map[string]string{}
		}
		if _, dup := h.Options[key]; dup {
			return d.Errf("duplicate option %q", key)
		}
		h.Options[key] = val
	}
	return nil
}

// Interface guards
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
	_ caddyfile.Unmarshaler       = (*Handler)(nil)
)
