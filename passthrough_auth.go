package paygate

import (
	"net/http"

	"github.com/paygate/caddy-paygate/transform"
)

// What a native (passthrough) request needs beyond the credential swap that
// prepare and Authorize already do for every gateway: prepare keeps only a
// few harmless application headers, and Authorize sets the gateway's own
// credentials (Razorpay's Basic, Juspay's Basic and merchant headers,
// EnKash's bearer token, KwikPaisa's key, timestamp and signature).

// nativeRequest re-serialises the body canonically, because KwikPaisa's
// X-SIGNATURE covers the JSON with its keys sorted, compact, slashes
// unescaped (KwikPaisa v3 docs, authentication/signature); Authorize then
// signs exactly the bytes forwarded. A body that is not JSON, or that has
// no canonical form a JavaScript or PHP server would reproduce, is refused
// before anything is sent.
func (g *KwikPaisa) nativeRequest(_ *http.Request, req *transform.Request) *transform.Error {
	if len(req.Body) == 0 {
		return nil
	}
	canon, err := transform.Canonicalize(req.Body)
	if err != nil {
		return transform.Invalid("", "KwikPaisa signs the body as canonical JSON, and this body has no canonical form (%v); nothing was sent", err)
	}
	req.Body, req.ContentType = canon, "application/json"
	return nil
}

// maxRoutingID bounds the x-routing-id passed on.
const maxRoutingID = 128

// nativeRequest passes on the application's x-routing-id, which Juspay
// asks to keep the same for every call about one customer (Juspay docs,
// session API); it is no credential.
func (g *Juspay) nativeRequest(r *http.Request, req *transform.Request) *transform.Error {
	if v := r.Header.Get("X-Routing-Id"); v != "" && len(v) <= maxRoutingID {
		req.Header = map[string]string{"x-routing-id": v}
	}
	return nil
}

// Interface guards
var (
	_ passthroughRequest = (*KwikPaisa)(nil)
	_ passthroughRequest = (*Juspay)(nil)
)
