package paygate

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/kwikpaisa"
)

func init() {
	caddy.RegisterModule(KwikPaisa{})
}

// defaultKwikPaisaServiceType is KwikPaisa's documented example value.
const defaultKwikPaisaServiceType = "DIGITAL"

// KwikPaisa is the http.paygate.gateways.kwikpaisa module: KwikPaisa v3 with
// X-API-KEY, X-TIMESTAMP and an HMAC-SHA256 X-SIGNATURE over the exact body.
type KwikPaisa struct {
	// The embedded dialect carries the service_type option (its
	// ServiceType field), sent when an order does not set
	// gateway_options.service_type; default DIGITAL.
	kwikpaisa.Dialect
	// APIKey is the public key (pk_test_… / pk_live_…); a placeholder such as {env.KWIKPAISA_API_KEY}.
	APIKey string `json:"api_key,omitempty"`
	// SecretKey signs every request; write it as {env.*} or {file.*}.
	SecretKey string `json:"secret_key,omitempty"`

	signer *signers.HMAC
}

// CaddyModule returns the Caddy module information.
func (KwikPaisa) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.paygate.gateways.kwikpaisa",
		New: func() caddy.Module { return new(KwikPaisa) },
	}
}

// Provision resolves the credentials once and applies the default service type.
func (g *KwikPaisa) Provision(ctx caddy.Context) error {
	logger := ctx.Logger()
	key, err := credential(logger, "kwikpaisa", "api_key", g.APIKey)
	if err != nil {
		return err
	}
	sec, err := credential(logger, "kwikpaisa", "secret_key", g.SecretKey)
	if err != nil {
		return err
	}
	g.ServiceType = strings.TrimSpace(g.ServiceType)
	if g.ServiceType == "" {
		g.ServiceType = defaultKwikPaisaServiceType
	}
	g.signer = signers.NewHMAC(key.Reveal(), sec.Reveal(), nil)
	return nil
}

// Authorize signs this attempt's body with a fresh timestamp. prepare sends
// req.Body unchanged, so the bytes signed are the bytes sent.
func (g *KwikPaisa) Authorize(ctx context.Context, h http.Header, req *transform.Request) error {
	if err := refuseLoggedCredentials(ctx); err != nil {
		return err
	}
	g.signer.Sign(h, req.Body)
	return nil
}

// credentials: the API key, the secret key, and this request's signature.
func (g *KwikPaisa) credentials(h http.Header) []signers.Secret {
	return append(g.signer.Secrets(), headerSecrets(h, signers.HeaderSignature)...)
}

// String shows no credential, even one written literally in the config.
func (KwikPaisa) String() string { return "paygate.KwikPaisa{" + signers.Redacted + "}" }

// GoString is String for %#v.
func (g KwikPaisa) GoString() string { return g.String() }

// Format makes every verb print String.
func (g KwikPaisa) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, g.String()) }

// UnmarshalOption reads one of this gateway's options of the paygate
// Caddyfile block (OptionUnmarshaler).
func (g *KwikPaisa) UnmarshalOption(d *caddyfile.Dispenser) (bool, error) {
	switch d.Val() {
	case "api_key":
		return true, stringOption(d, &g.APIKey)
	case "secret_key":
		return true, stringOption(d, &g.SecretKey)
	case "service_type":
		return true, stringOption(d, &g.ServiceType)
	}
	return false, nil
}

// Interface guards
var (
	_ Gateway           = (*KwikPaisa)(nil)
	_ caddy.Provisioner = (*KwikPaisa)(nil)
	_ OptionUnmarshaler = (*KwikPaisa)(nil)
	_ credentialHolder  = (*KwikPaisa)(nil)
	_ fmt.Formatter     = KwikPaisa{}
)
