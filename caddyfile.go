package paygate

import (
	"encoding/json"
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
			if h.MaxBody, err = sizeOption(d); err != nil {
				return err
			}
		case "idempotency_window":
			if h.IdempotencyWindow, err = durationArg(d); err != nil {
				return err
			}
		case "idempotency_max_records":
			if h.IdempotencyMaxRecords, err = countOption(d); err != nil {
				return err
			}
		case "in_flight_timeout":
			if h.InFlightTimeout, err = durationArg(d); err != nil {
				return err
			}
		case "record_space":
			if h.RecordSpace, err = oneValue(d); err != nil {
				return err
			}
			if h.RecordSpace == "" {
				return d.ArgErr()
			}
		case "storage":
			if h.UseCaddyStorage, h.StorageRaw, err = storageOption(d); err != nil {
				return err
			}
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

// storageOption parses `storage` (Caddy's configured storage, the global
// option) or `storage <module> { … }` (that storage module), for paygate and
// paygate_webhook alike.
func storageOption(d *caddyfile.Dispenser) (useCaddy bool, raw json.RawMessage, err error) {
	if !d.NextArg() {
		return true, nil, nil
	}
	modName := d.Val()
	modID := "caddy.storage." + modName
	unm, err := caddyfile.UnmarshalModule(d, modID)
	if err != nil {
		return false, nil, err
	}
	st, ok := unm.(caddy.StorageConverter)
	if !ok {
		return false, nil, d.Errf("module %s is not a storage", modID)
	}
	return false, caddyconfig.JSONModuleObject(st, "module", modName, nil), nil
}

// sizeOption reads a positive size such as 64KiB.
func sizeOption(d *caddyfile.Dispenser) (int64, error) {
	name := d.Val()
	v, err := oneValue(d)
	if err != nil {
		return 0, err
	}
	size, err := parseSize(v)
	if err != nil || size <= 0 {
		return 0, d.Errf("%s: invalid size %q", name, v)
	}
	return size, nil
}

// durationArg reads a positive duration such as 30s.
func durationArg(d *caddyfile.Dispenser) (caddy.Duration, error) {
	name := d.Val()
	v, err := oneValue(d)
	if err != nil {
		return 0, err
	}
	dur, err := caddy.ParseDuration(v)
	if err != nil || dur <= 0 {
		return 0, d.Errf("%s: invalid duration %q", name, v)
	}
	return caddy.Duration(dur), nil
}

// countOption reads a positive count.
func countOption(d *caddyfile.Dispenser) (int, error) {
	name := d.Val()
	v, err := oneValue(d)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, d.Errf("%s: invalid count %q", name, v)
	}
	return n, nil
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
