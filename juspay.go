package paygate

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/juspay"
)

func init() {
	caddy.RegisterModule(Juspay{})
}

// defaultJuspayVersion pins Juspay's API contract (the response shape depends
// on it); it is the version of the vendor's current order pages.
const defaultJuspayVersion = "2023-01-01"

// Juspay is the http.paygate.gateways.juspay module: Juspay Express Checkout
// orders with HTTP Basic api_key + empty password, x-merchantid and version.
type Juspay struct {
	juspay.Dialect
	// APIKey is the API key from the Juspay dashboard; write it as {env.*} or {file.*}.
	APIKey string `json:"api_key,omitempty"`
	// MerchantID is sent as x-merchantid; placeholders are resolved.
	MerchantID string `json:"merchant_id,omitempty"`
	// Version is sent as the version header, YYYY-MM-DD (default 2023-01-01).
	Version string `json:"version,omitempty"`

	signer *signers.Basic
}

// CaddyModule returns the Caddy module information.
func (Juspay) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.paygate.gateways.juspay",
		New: func() caddy.Module { return new(Juspay) },
	}
}

// Provision resolves the credentials once and builds the signer.
func (g *Juspay) Provision(ctx caddy.Context) error {
	key, err := credential(ctx.Logger(), "juspay", "api_key", g.APIKey)
	if err != nil {
		return err
	}
	// The merchant id is no secret: a nil logger resolves placeholders
	// without the "written literally" warning.
	mid, err := secret(nil, "juspay", "merchant_id", g.MerchantID)
	if err != nil {
		return err
	}
	if strings.ContainsAny(mid, "\r\n") {
		return fmt.Errorf("paygate juspay: merchant_id must be a single line")
	}
	version := g.Version
	if version == "" {
		version = defaultJuspayVersion
	}
	if _, err := time.Parse("2006-01-02", version); err != nil {
		return fmt.Errorf("paygate juspay: version must be a date such as %s, got %q", defaultJuspayVersion, version)
	}
	g.signer = signers.NewBasic(key.Reveal(), "",
		signers.Header{Name: "x-merchantid", Value: mid},
		signers.Header{Name: "version", Value: version})
	return nil
}

// Authorize sets Basic api_key: (empty password), x-merchantid and version;
// x-routing-id comes with the request from the transform.
func (g *Juspay) Authorize(ctx context.Context, h http.Header, _ *transform.Request) error {
	if err := refuseLoggedCredentials(ctx); err != nil {
		return err
	}
	g.signer.Sign(h)
	return nil
}

// credentials: the API key and the encoded Basic value. The merchant id
// and version are no credentials.
func (g *Juspay) credentials(http.Header) []signers.Secret { return g.signer.Secrets() }

// String shows no credential, even one written literally in the config.
func (Juspay) String() string { return "paygate.Juspay{" + signers.Redacted + "}" }

// GoString is String for %#v.
func (g Juspay) GoString() string { return g.String() }

// Format makes every verb print String.
func (g Juspay) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, g.String()) }

// UnmarshalOption reads one of this gateway's options of the paygate
// Caddyfile block (OptionUnmarshaler).
func (g *Juspay) UnmarshalOption(d *caddyfile.Dispenser) (bool, error) {
	switch d.Val() {
	case "api_key":
		return true, stringOption(d, &g.APIKey)
	case "merchant_id":
		return true, stringOption(d, &g.MerchantID)
	case "version":
		return true, stringOption(d, &g.Version)
	}
	return false, nil
}

// Interface guards
var (
	_ Gateway           = (*Juspay)(nil)
	_ caddy.Provisioner = (*Juspay)(nil)
	_ OptionUnmarshaler = (*Juspay)(nil)
	_ credentialHolder  = (*Juspay)(nil)
	_ fmt.Formatter     = Juspay{}
)
