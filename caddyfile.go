package paygate

import (
	"strconv"

	"github.com/dustin/go-humanize"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("paygate", parseCaddyfile)
	// After templates, before reverse_proxy: no global `order` line needed.
	httpcaddyfile.RegisterDirectiveOrder("paygate", httpcaddyfile.After, "templates")
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Handler)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile parses
//
//	paygate <gateway> {
//		max_body                <size>      # default 64KiB
//		idempotency_window      <duration>  # default 24h
//		idempotency_max_records <count>     # default 10000 (in memory)
//		in_flight_timeout       <duration>  # default 30s: bound of a gateway call, life of its marker
//		record_space            <name>      # separates environments sharing an account identity
//		storage [<module> { … }]            # share records through Caddy storage
//		<gateway options…>
//	}
//
// Unknown and repeated options are errors with their file and line.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if !d.NextArg() {
		return d.Err("paygate needs a gateway name: paygate <razorpay|kwikpaisa|juspay|enkash> { … }")
	}
	name := d.Val()
	if d.NextArg() {
		return d.Errf("paygate takes one gateway name, got extra argument %q", d.Val())
	}
	info, err := caddy.GetModule("http.paygate.gateways." + name)
	if err != nil {
		return d.Errf("unknown gateway %q", name)
	}
	gw := info.New()
	opts, ok := gw.(optionUnmarshaler)
	if !ok {
		return d.Errf("gateway %q cannot be configured from a Caddyfile", name)
	}
	seen := map[string]bool{}
	for d.NextBlock(0) {
		opt := d.Val()
		if seen[opt] {
			return d.Errf("duplicate option %q", opt)
		}
		seen[opt] = true
		switch opt {
		case "max_body":
			if !d.NextArg() {
				return d.ArgErr()
			}
			size, err := parseSize(d.Val())
			if err != nil || size <= 0 {
				return d.Errf("max_body: invalid size %q", d.Val())
			}
			h.MaxBody = size
			if d.NextArg() {
				return d.ArgErr()
			}
		case "idempotency_window":
			if !d.NextArg() {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(d.Val())
			if err != nil || dur <= 0 {
				return d.Errf("idempotency_window: invalid duration %q", d.Val())
			}
			h.IdempotencyWindow = caddy.Duration(dur)
			if d.NextArg() {
				return d.ArgErr()
			}
		case "idempotency_max_records":
			if !d.NextArg() {
				return d.ArgErr()
			}
			n, err := strconv.Atoi(d.Val())
			if err != nil || n <= 0 {
				return d.Errf("idempotency_max_records: invalid count %q", d.Val())
			}
			h.IdempotencyMaxRecords = n
			if d.NextArg() {
				return d.ArgErr()
			}
		case "in_flight_timeout":
			var v string
			if !d.AllArgs(&v) {
				return d.ArgErr()
			}
			dur, err := caddy.ParseDuration(v)
			if err != nil || dur <= 0 {
				return d.Errf("in_flight_timeout: invalid duration %q", v)
			}
			h.InFlightTimeout = caddy.Duration(dur)
		case "record_space":
			if !d.AllArgs(&h.RecordSpace) || h.RecordSpace == "" {
				return d.ArgErr()
			}
		case "storage":
			// Bare `storage` uses Caddy's configured storage (the global
			// option); `storage <module> { … }` names one.
			if !d.NextArg() {
				h.UseCaddyStorage = true
				break
			}
			modName := d.Val()
			modID := "caddy.storage." + modName
			unm, err := caddyfile.UnmarshalModule(d, modID)
			if err != nil {
				return err
			}
			st, ok := unm.(caddy.StorageConverter)
			if !ok {
				return d.Errf("module %s is not a storage", modID)
			}
			h.StorageRaw = caddyconfig.JSONModuleObject(st, "module", modName, nil)
		case "passthrough":
			if h.Passthrough, err = parsePassthrough(d); err != nil {
				return err
			}
		default:
			handled, err := opts.unmarshalOption(d)
			if err != nil {
				return err
			}
			if !handled {
				return d.Errf("unknown option %q for paygate %s", opt, name)
			}
		}
	}
	h.GatewayRaw = caddyconfig.JSONModuleObject(gw, "name", name, nil)
	return nil
}

// parseSize reads sizes such as 64KiB, 1MB or 65536.
func parseSize(s string) (int64, error) {
	n, err := humanize.ParseBytes(s)
	return int64(n), err
}

// Interface guards
var _ caddyfile.Unmarshaler = (*Handler)(nil)
