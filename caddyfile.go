package paygate

import (
	"strconv"
	"strings"

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
//		passthrough { allow <METHOD> <path pattern> … }
//		<gateway options…>
//	}
//
// <gateway> is the name of a module in http.paygate.gateways: razorpay,
// kwikpaisa, juspay, enkash, or one a custom build adds (see Gateway). Every
// option the handler does not know goes to the gateway (OptionUnmarshaler).
// Unknown and repeated options are errors with their file and line.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if !d.NextArg() {
		return d.Errf("paygate needs a gateway name: paygate <%s> { … }", strings.Join(gatewayNames(), "|"))
	}
	name := d.Val()
	if d.NextArg() {
		return d.Errf("paygate takes one gateway name, got extra argument %q", d.Val())
	}
	info, err := caddy.GetModule(gatewayNamespace + "." + name)
	if err != nil {
		return d.Errf("unknown gateway %q (this Caddy has: %s)", name, strings.Join(gatewayNames(), ", "))
	}
	gw := info.New()
	opts, ok := gw.(OptionUnmarshaler)
	if !ok {
		return d.Errf("gateway %q cannot be configured from a Caddyfile (it does not implement paygate.OptionUnmarshaler); configure it in JSON", name)
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
			v, err := oneValue(d)
			if err != nil {
				return err
			}
			size, err := parseSize(v)
			if err != nil || size <= 0 {
				return d.Errf("max_body: invalid size %q", v)
			}
			h.MaxBody = size
		case "idempotency_window":
			v, err := oneValue(d)
			if err != nil {
				return err
			}
			dur, err := caddy.ParseDuration(v)
			if err != nil || dur <= 0 {
				return d.Errf("idempotency_window: invalid duration %q", v)
			}
			h.IdempotencyWindow = caddy.Duration(dur)
		case "idempotency_max_records":
			v, err := oneValue(d)
			if err != nil {
				return err
			}
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return d.Errf("idempotency_max_records: invalid count %q", v)
			}
			h.IdempotencyMaxRecords = n
		case "in_flight_timeout":
			v, err := oneValue(d)
			if err != nil {
				return err
			}
			dur, err := caddy.ParseDuration(v)
			if err != nil || dur <= 0 {
				return d.Errf("in_flight_timeout: invalid duration %q", v)
			}
			h.InFlightTimeout = caddy.Duration(dur)
		case "record_space":
			if h.RecordSpace, err = oneValue(d); err != nil {
				return err
			}
			if h.RecordSpace == "" {
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
			handled, err := opts.UnmarshalOption(d)
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

// gatewayNamespace is where gateway modules register (Gateway).
const gatewayNamespace = "http.paygate.gateways"

// gatewayNames lists the gateways this Caddy was built with, from Caddy's
// module registry, so that a gateway added outside this repository shows up
// in the hints too.
func gatewayNames() []string {
	mods := caddy.GetModules(gatewayNamespace)
	names := make([]string, len(mods))
	for i, m := range mods {
		names[i] = m.ID.Name()
	}
	return names
}

// oneValue reads the one value of the option the dispenser is on.
func oneValue(d *caddyfile.Dispenser) (string, error) {
	name, v := d.Val(), ""
	if !d.AllArgs(&v) {
		return "", d.Errf("wrong argument count: option %q takes exactly one value", name)
	}
	return v, nil
}

// parseSize reads sizes such as 64KiB, 1MB or 65536.
func parseSize(s string) (int64, error) {
	n, err := humanize.ParseBytes(s)
	return int64(n), err
}

// Interface guards
var _ caddyfile.Unmarshaler = (*Handler)(nil)
