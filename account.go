package paygate

// The public identity of each gateway's merchant account names its record
// space (README "Retries and idempotency"). The public option is resolved
// again here ({env.*}, {file.*}): it is not a secret, and the gateway
// modules keep only what their signers need.

// AccountIdentity is the resolved key_id.
func (g *Razorpay) AccountIdentity() string { return resolvedIdentity(g.KeyID) }

// AccountIdentity is the resolved api_key.
func (g *KwikPaisa) AccountIdentity() string { return resolvedIdentity(g.APIKey) }

// AccountIdentity is the resolved merchant_id.
func (g *Juspay) AccountIdentity() string { return resolvedIdentity(g.MerchantID) }

// AccountIdentity is the resolved access_key and the token endpoint, which
// tells UAT from production.
func (g *EnKash) AccountIdentity() string {
	return resolvedIdentity(g.AccessKey) + " " + resolvedIdentity(g.TokenURL)
}

func resolvedIdentity(raw string) string {
	v, err := secret(nil, "", "", raw)
	if err != nil {
		return ""
	}
	return v
}

// Interface guards
var (
	_ AccountIdentifier = (*Razorpay)(nil)
	_ AccountIdentifier = (*KwikPaisa)(nil)
	_ AccountIdentifier = (*Juspay)(nil)
	_ AccountIdentifier = (*EnKash)(nil)
)
