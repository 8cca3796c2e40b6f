// Package signers owns gateway credentials and time: each type here adds one
// authentication mechanism to an upstream request. Values are resolved once
// at provision time; nothing here logs or formats a credential.
package signers

import (
	"encoding/base64"
	"net/http"
	"net/textproto"
)

// Basic adds HTTP Basic credentials and static headers (Razorpay's
// key_id:key_secret, Juspay's api_key with an empty password plus its
// merchant headers). The header value is encoded once, not per request.
type Basic struct {
	authorization string
	static        []Header
}

// Header is one static header set on every request.
type Header struct{ Name, Value string }

// NewBasic builds a Basic signer; password may be empty (Juspay).
func NewBasic(username, password string, static ...Header) *Basic {
	b := &Basic{authorization: "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))}
	for _, s := range static {
		// Canonical once, so Sign does not canonicalise (and allocate) per request.
		b.static = append(b.static, Header{Name: textproto.CanonicalMIMEHeaderKey(s.Name), Value: s.Value})
	}
	return b
}

// Sign sets the Authorization header and the static headers.
func (b *Basic) Sign(h http.Header) {
	h["Authorization"] = []string{b.authorization}
	for _, s := range b.static {
		h[s.Name] = []string{s.Value}
	}
}

// String never shows the credentials, so a stray %v cannot leak them.
func (b *Basic) String() string { return "signers.Basic{REDACTED}" }

// GoString is String for %#v.
func (b *Basic) GoString() string { return b.String() }
