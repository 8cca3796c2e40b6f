package paygate

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"go.uber.org/zap"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
)

// Gateway is a guest module in the http.paygate.gateways namespace: a
// gateway's dialect (transform.Gateway) plus its credentials.
type Gateway interface {
	transform.Gateway
	// Authorize adds credentials to the headers of one upstream attempt. It
	// may fetch a token; a failure is returned as a *transform.Error.
	Authorize(ctx context.Context, h http.Header, req *transform.Request) error
}

// Reauthorizer is implemented by gateways whose credentials can go stale
// (bearer tokens): when StaleCredentials says an answer means that, the
// handler calls Invalidate and retries the request once.
type Reauthorizer interface {
	StaleCredentials(status int, body []byte) bool
	Invalidate()
}

// CreateRecorder is implemented by gateways that must remember something
// from a create answer to serve later status requests (EnKash's own id).
type CreateRecorder interface {
	RecordCreate(res *transform.Result)
}

// optionUnmarshaler is implemented by gateway modules: it parses one option
// of the paygate Caddyfile block, with the dispenser on the option's name,
// and reports whether the option is the gateway's.
type optionUnmarshaler interface {
	unmarshalOption(d *caddyfile.Dispenser) (bool, error)
}

// secret resolves a credential option once, at provision time. {env.*} and
// {file.*} placeholders are expanded; an empty or unknown one is an error
// naming the option (never the value).
func secret(logger *zap.Logger, gateway, option, raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", fmt.Errorf("paygate %s: %s is required", gateway, option)
	}
	if !strings.Contains(raw, "{") && logger != nil {
		logger.Warn("credential written literally in the config; prefer {env.*} or {file.*} so it stays out of the JSON config",
			zap.String("gateway", gateway), zap.String("option", option))
	}
	v, err := caddy.NewReplacer().ReplaceOrErr(raw, true, true)
	if err != nil {
		return "", fmt.Errorf("paygate %s: %s: %v", gateway, option, err)
	}
	v = strings.TrimSpace(v) // {file.*} keeps the file's trailing newline
	if v == "" {
		return "", fmt.Errorf("paygate %s: %s is empty", gateway, option)
	}
	return v, nil
}

// credential is secret as a signers.Secret, the one redacting type that
// holds every resolved credential: no fmt verb, JSON or log encoder shows it.
func credential(logger *zap.Logger, gateway, option, raw string) (signers.Secret, error) {
	v, err := secret(logger, gateway, option, raw)
	return signers.NewSecret(v), err
}

// stringOption parses "name value" for a gateway option into dst, rejecting
// a repeat or a wrong number of arguments.
func stringOption(d *caddyfile.Dispenser, dst *string) error {
	name := d.Val()
	if *dst != "" {
		return d.Errf("duplicate option %q", name)
	}
	if !d.NextArg() {
		return d.ArgErr()
	}
	*dst = d.Val()
	if d.NextArg() {
		return d.Errf("option %q takes exactly one value", name)
	}
	return nil
}
