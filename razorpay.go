package paygate

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/razorpay"
)

func init() {
	caddy.RegisterModule(Razorpay{})
}

// Razorpay is the http.paygate.gateways.razorpay module: Razorpay Orders with
// HTTP Basic key_id:key_secret.
type Razorpay struct {
	razorpay.Dialect
	// KeyID is the API key id (rzp_test_… / rzp_live_…); a placeholder such as {env.RAZORPAY_KEY_ID}.
	KeyID string `json:"key_id,omitempty"`
	// KeySecret is the API key secret; write it as {env.*} or {file.*}.
	KeySecret string `json:"key_secret,omitempty"`

	signer *signers.Basic
}

// CaddyModule returns the Caddy module information.
func (Razorpay) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.paygate.gateways.razorpay",
		New: func() caddy.Module { return new(Razorpay) },
	}
}

// Provision resolves the credentials once.
func (g *Razorpay) Provision(ctx caddy.Context) error {
	logger := ctx.Logger()
	id, err := secret(logger, "razorpay", "key_id", g.KeyID)
	if err != nil {
		return err
	}
	sec, err := secret(logger, "razorpay", "key_secret", g.KeySecret)
	if err != nil {
		return err
	}
	g.signer = signers.NewBasic(id, sec)
	g.CheckoutKeyID = id // public: results carry it for Razorpay Checkout
	return nil
}

// Authorize sets Basic key_id:key_secret.
func (g *Razorpay) Authorize(ctx context.Context, h http.Header, _ *transform.Request) error {
	if err := refuseLoggedCredentials(ctx); err != nil {
		return err
	}
	g.signer.Sign(h)
	return nil
}

// credentials: key id, key secret and the encoded Basic value.
func (g *Razorpay) credentials(http.Header) []signers.Secret { return g.signer.Secrets() }

// String shows no credential, even one written literally in the config.
func (Razorpay) String() string { return "paygate.Razorpay{" + signers.Redacted + "}" }

// GoString is String for %#v.
func (g Razorpay) GoString() string { return g.String() }

// Format makes every verb print String.
func (g Razorpay) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, g.String()) }

// UnmarshalOption reads one of this gateway's options of the paygate
// Caddyfile block (OptionUnmarshaler).
func (g *Razorpay) UnmarshalOption(d *caddyfile.Dispenser) (bool, error) {
	switch d.Val() {
	case "key_id":
		return true, stringOption(d, &g.KeyID)
	case "key_secret":
		return true, stringOption(d, &g.KeySecret)
	}
	return false, nil
}

// Interface guards
var (
	_ Gateway           = (*Razorpay)(nil)
	_ caddy.Provisioner = (*Razorpay)(nil)
	_ OptionUnmarshaler = (*Razorpay)(nil)
	_ credentialHolder  = (*Razorpay)(nil)
	_ fmt.Formatter     = Razorpay{}
)
