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
// gateway's dialect (transform.Gateway: how a canonical order becomes its
// request and how its answers become canonical ones, pure code) plus its
// credentials. The handler loads it from the route's "gateway" object, whose
// inline key "name" is the module's name (http.paygate.gateways.<name>).
//
// A gateway module may also implement, each optional:
//   - caddy.Provisioner, caddy.Validator, caddy.CleanerUpper: resolve its
//     credentials (placeholders such as {env.*}) and register its own
//     metrics on ctx.GetMetricsRegistry(), check, release;
//   - OptionUnmarshaler: its options in the paygate Caddyfile block;
//   - AccountIdentifier: the account its idempotency records belong to
//     (without it the route needs record_space);
//   - Reauthorizer: credentials that go stale (bearer tokens);
//   - CreateRecorder: state kept from a create answer for later status calls;
//   - transform.Refunder: refunds (without it refunds answer 501 not_supported).
//
// See the package documentation for a complete gateway written outside this
// repository.
type Gateway interface {
	transform.Gateway
	// Authorize adds credentials to the headers of one upstream attempt; it
	// is called again, with fresh headers, for every attempt. It may fetch a
	// token; a failure is returned as a *transform.Error (canonical type
	// and message), any other error becomes 502 gateway_error. Nothing has
	// been sent to the gateway when it fails.
	Authorize(ctx context.Context, h http.Header, req *transform.Request) error
}

// Reauthorizer is implemented by gateways whose credentials can go stale
// (bearer tokens): when StaleCredentials says an answer means that, the
// handler calls Invalidate and retries the request once, with a new
// Authorize.
type Reauthorizer interface {
	StaleCredentials(status int, body []byte) bool
	Invalidate()
}

// CreateRecorder is implemented by gateways that must remember something
// from a create answer to serve later status requests (EnKash's own id).
type CreateRecorder interface {
	RecordCreate(res *transform.Result)
}

// AccountIdentifier is implemented by gateway modules: the resolved public
// identity of the merchant account (never a secret) that names the record
// space, so two accounts sharing one storage never see each other's records
// (README "Retries and idempotency"). A gateway that names none needs the
// route's record_space option.
type AccountIdentifier interface {
	AccountIdentity() string
}

// OptionUnmarshaler is implemented by gateway modules that can be configured
// from a Caddyfile. The paygate block is flat: the handler reads its own
// options (max_body, storage, passthrough, …) and calls UnmarshalOption for
// every other one, with the dispenser on the option's name (d.Val()).
// UnmarshalOption reports whether the option is the gateway's; if it is, it
// consumes the option's arguments (d.AllArgs for a fixed number of values)
// and any block it has, and fills the module's JSON fields, which become
// the route's "gateway" object. If it is not, it consumes nothing and
// returns false, and the handler answers "unknown option" with the file and
// line. A repeated option is refused by the handler before the call.
type OptionUnmarshaler interface {
	UnmarshalOption(d *caddyfile.Dispenser) (bool, error)
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

// stringOption parses "name value" for a gateway option into dst.
func stringOption(d *caddyfile.Dispenser, dst *string) error {
	v, err := oneValue(d)
	*dst = v
	return err
}
