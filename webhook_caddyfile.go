package paygate

import (
	"strings"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("paygate_webhook", parseWebhookCaddyfile)
	// Like paygate: after templates, before reverse_proxy, so no global
	// `order` line is needed.
	httpcaddyfile.RegisterDirectiveOrder("paygate_webhook", httpcaddyfile.After, "templates")
}

func parseWebhookCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	m := new(Webhook)
	err := m.UnmarshalCaddyfile(h.Dispenser)
	return m, err
}

// UnmarshalCaddyfile parses
//
//	paygate_webhook <gateway> {
//		webhook_secret <secret> [<older secret>…]  # razorpay (required)
//		api_key        <key>                       # kwikpaisa (required)
//		secret_key     <secret>                    # kwikpaisa (required)
//		username       <user>                      # juspay (required)
//		password       <password>                  # juspay (required)
//		confirm_with   <url>                       # enkash (required); any gateway
//		forward_path   <path>                      # path of the request to the app
//		max_body       <size>                      # default 256KiB
//		account        <public id>                 # names the record space
//		record_space   <name>
//		dedupe_window  <duration>                  # default 7d
//		dedupe_max_records <count>                 # default 10000 (in memory)
//		storage [<module> { … }]                   # share records through Caddy storage
//	}
//
// <gateway> is a gateway this Caddy was built with whose notifications
// paygate_webhook can verify (webhookGateways). Unknown and repeated options,
// and another gateway's options, are errors with their file and line.
func (h *Webhook) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // directive name
	if !d.NextArg() {
		return d.Errf("paygate_webhook needs a gateway name: paygate_webhook <%s> { … }", strings.Join(webhookGateways(), "|"))
	}
	h.Gateway = d.Val()
	own, ok := webhookOptions[h.Gateway]
	if !ok {
		return d.Errf("unknown gateway %q for paygate_webhook (it verifies notifications of: %s)", h.Gateway, strings.Join(webhookGateways(), ", "))
	}
	if d.NextArg() {
		return d.Errf("paygate_webhook takes one gateway name, got extra argument %q", d.Val())
	}
	seen := map[string]bool{}
	var err error
	for d.NextBlock(0) {
		opt := d.Val()
		if seen[opt] {
			return d.Errf("duplicate option %q", opt)
		}
		seen[opt] = true
		if _, gatewayOption := h.gatewayOptionsSet()[opt]; gatewayOption && !webhookHas(own, opt) {
			return d.Errf("option %q is not an option of paygate_webhook %s", opt, h.Gateway)
		}
		switch opt {
		case "webhook_secret":
			h.WebhookSecrets = d.RemainingArgs()
			if len(h.WebhookSecrets) == 0 {
				return d.ArgErr()
			}
		case "api_key":
			if err := webhookArg(d, &h.APIKey); err != nil {
				return err
			}
		case "secret_key":
			if err := webhookArg(d, &h.SecretKey); err != nil {
				return err
			}
		case "username":
			if err := webhookArg(d, &h.Username); err != nil {
				return err
			}
		case "password":
			if err := webhookArg(d, &h.Password); err != nil {
				return err
			}
		case "account":
			if err := webhookArg(d, &h.Account); err != nil {
				return err
			}
		case "record_space":
			if err := webhookArg(d, &h.RecordSpace); err != nil {
				return err
			}
		case "confirm_with":
			if err := webhookArg(d, &h.ConfirmWith); err != nil {
				return err
			}
		case "forward_path":
			if err := webhookArg(d, &h.ForwardPath); err != nil {
				return err
			}
			if h.ForwardPath[0] != '/' {
				return d.Errf("forward_path must start with /, got %q", h.ForwardPath)
			}
		case "max_body":
			if h.MaxBody, err = sizeOption(d); err != nil {
				return err
			}
		case "dedupe_window":
			if h.DedupeWindow, err = durationArg(d); err != nil {
				return err
			}
		case "dedupe_max_records":
			if h.DedupeMaxRecords, err = countOption(d); err != nil {
				return err
			}
		case "storage":
			if h.UseCaddyStorage, h.StorageRaw, err = storageOption(d); err != nil {
				return err
			}
		default:
			return d.Errf("unknown option %q for paygate_webhook %s", opt, h.Gateway)
		}
	}
	return nil
}

// webhookArg reads exactly one argument of the current option.
func webhookArg(d *caddyfile.Dispenser, dst *string) error {
	v, err := oneValue(d)
	*dst = v
	return err
}

// webhookGateways lists the gateways of Caddy's module registry
// (gatewayNames) whose notifications paygate_webhook verifies
// (webhookOptions): a gateway added outside this repository has no
// verifier here.
func webhookGateways() []string {
	var names []string
	for _, name := range gatewayNames() {
		if _, ok := webhookOptions[name]; ok {
			names = append(names, name)
		}
	}
	return names
}

// Interface guard
var _ caddyfile.Unmarshaler = (*Webhook)(nil)
