package signers

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// HMAC signs a request body with a timestamp, as KwikPaisa v3 does
// (https://developers.kwikpaisa.com/v3-guide/authentication/signature): X-SIGNATURE = lowercase hex HMAC-SHA256 keyed with the
// secret over the exact body bytes followed by the unix-seconds timestamp,
// sent with X-API-KEY and X-TIMESTAMP. It signs bytes, not values: the
// caller must send exactly the body it signed (canonical JSON from
// transform.CanonicalJSON for KwikPaisa).
type HMAC struct {
	apiKey Secret
	secret Secret
	now    func() time.Time
	// macs holds keyed HMAC states: Reset brings one back to the key, so a
	// request does not pay for hmac.New (two SHA-256 states and the pads).
	// (A pointer: HMAC values are copied by String's value receiver.)
	macs *sync.Pool
}

// Header names set by HMAC.Sign.
const (
	HeaderAPIKey    = "X-Api-Key"
	HeaderTimestamp = "X-Timestamp"
	HeaderSignature = "X-Signature"
)

// NewHMAC builds an HMAC signer. now is the clock (nil: time.Now); tests
// inject a fixed one.
func NewHMAC(apiKey, secret string, now func() time.Time) *HMAC {
	if now == nil {
		now = time.Now
	}
	key := []byte(secret)
	return &HMAC{apiKey: NewSecret(apiKey), secret: NewSecret(secret), now: now,
		macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// Sign sets X-API-KEY, X-TIMESTAMP and X-SIGNATURE for body, with a fresh
// timestamp on every call: each upstream attempt is signed anew.
func (s *HMAC) Sign(h http.Header, body []byte) {
	ts := strconv.FormatInt(s.now().Unix(), 10)
	v := &[3]string{s.apiKey.Reveal(), ts, s.signature(body, ts)} // one allocation for the three values
	h[HeaderAPIKey] = v[0:1:1]
	h[HeaderTimestamp] = v[1:2:2]
	h[HeaderSignature] = v[2:3:3]
}

// Signature is the signature of body at a unix-seconds timestamp; it serves
// to verify a signature received (webhooks) and the documented vectors.
func (s *HMAC) Signature(body []byte, timestamp int64) string {
	return s.signature(body, strconv.FormatInt(timestamp, 10))
}

func (s *HMAC) signature(body []byte, ts string) string {
	mac := s.macs.Get().(hash.Hash)
	mac.Reset()
	mac.Write(body)
	mac.Write([]byte(ts))
	var sum [sha256.Size]byte
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], mac.Sum(sum[:0]))
	s.macs.Put(mac)
	return string(out[:])
}

// Secrets are the values an answer relayed from the gateway must not show:
// the API key and the secret. (The signature of a request is in its
// X-Signature header; the caller masks that too.)
func (s *HMAC) Secrets() []Secret {
	if s == nil {
		return nil
	}
	return []Secret{s.apiKey, s.secret}
}

// String never shows the credentials, so a stray %v cannot leak them. The
// value receiver covers a dereferenced signer too.
func (HMAC) String() string { return "signers.HMAC{" + Redacted + "}" }

// GoString is String for %#v.
func (s HMAC) GoString() string { return s.String() }

// Format makes every verb print String.
func (s HMAC) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// Interface guards
var (
	_ fmt.Stringer   = HMAC{}
	_ fmt.GoStringer = HMAC{}
	_ fmt.Formatter  = HMAC{}
)
