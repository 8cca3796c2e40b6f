// Package signers owns gateway credentials and time: each type here adds one
// authentication mechanism to an upstream request. Values are resolved once
// at provision time and held as Secret, so no way of printing a signer shows
// them; nothing here logs a credential.
package signers

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
)

// Basic adds HTTP Basic credentials and static headers (Razorpay's
// key_id:key_secret, Juspay's api_key with an empty password plus its
// merchant headers). The header value is encoded once, not per request.
type Basic struct {
	authorization Secret // "Basic " + base64(username:password)
	encoded       Secret // the base64 part alone
	username      Secret
	password      Secret
	static        []Header
}

// Header is one static header set on every request. Static headers carry
// no secret (Juspay's x-merchantid and version).
type Header struct{ Name, Value string }

// NewBasic builds a Basic signer; password may be empty (Juspay).
func NewBasic(username, password string, static ...Header) *Basic {
	enc := base64.StdEncoding.EncodeToString([]byte(username + ":" + password))
	b := &Basic{
		authorization: NewSecret("Basic " + enc),
		encoded:       NewSecret(enc),
		username:      NewSecret(username),
		password:      NewSecret(password),
	}
	for _, s := range static {
		// Canonical once, so Sign does not canonicalise (and allocate) per request.
		b.static = append(b.static, Header{Name: textproto.CanonicalMIMEHeaderKey(s.Name), Value: s.Value})
	}
	return b
}

// Sign sets the Authorization header and the static headers.
func (b *Basic) Sign(h http.Header) {
	// One backing array for every value: one allocation.
	v := make([]string, 1+len(b.static))
	v[0] = b.authorization.Reveal()
	h["Authorization"] = v[0:1:1]
	for i, s := range b.static {
		v[i+1] = s.Value
		h[s.Name] = v[i+1 : i+2 : i+2]
	}
}

// Secrets are the values an answer relayed from the gateway must not show:
// the encoded Basic value, the username (a key id or an API key) and the
// password.
func (b *Basic) Secrets() []Secret {
	if b == nil {
		return nil
	}
	return []Secret{b.encoded, b.username, b.password}
}

// String never shows the credentials. The value receiver covers a
// dereferenced signer too.
func (Basic) String() string { return "signers.Basic{" + Redacted + "}" }

// GoString is String for %#v.
func (b Basic) GoString() string { return b.String() }

// Format makes every verb print String.
func (b Basic) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, b.String()) }

// Interface guards
var (
	_ fmt.Stringer   = Basic{}
	_ fmt.GoStringer = Basic{}
	_ fmt.Formatter  = Basic{}
)
