package signers

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"strings"
	"sync"
	"time"
)

// Verification of incoming gateway webhooks. Every comparison of a
// received signature or credential is constant-time; nothing here returns,
// logs or formats what was received or the secret it was checked against.

// Errors of webhook verification. They name the check that failed, never
// the values involved.
var (
	ErrMissingSignature = errors.New("webhook: signature or timestamp header missing")
	ErrBadSignature     = errors.New("webhook: signature does not match")
	ErrStaleTimestamp   = errors.New("webhook: timestamp outside the allowed window")
	ErrBadTimestamp     = errors.New("webhook: timestamp is not unix seconds")
	ErrBadCredentials   = errors.New("webhook: credentials do not match")
)

// WebhookHMAC verifies a lowercase hex HMAC-SHA256 of the raw body, as
// Razorpay's X-Razorpay-Signature (razorpay.com/docs/webhooks/validate-test:
// the key is the webhook secret, the message the raw body, never a
// re-serialisation). Several secrets may be configured so a rotation does
// not refuse retries still signed with the old one.
type WebhookHMAC struct {
	// macs hold a keyed HMAC per secret for reuse: keying one costs more
	// than hashing a notification.
	macs []*sync.Pool
}

// NewWebhookHMAC builds a verifier accepting a signature by any of secrets
// (the current one first).
func NewWebhookHMAC(secrets ...string) *WebhookHMAC {
	v := &WebhookHMAC{}
	for _, s := range secrets {
		key := []byte(s)
		v.macs = append(v.macs, &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }})
	}
	return v
}

// Verify reports whether signature is the hex HMAC-SHA256 of body under one
// of the secrets, and which (0 = the first configured). Every secret is
// tried, so the time taken does not depend on which one matched.
func (v *WebhookHMAC) Verify(body []byte, signature string) (int, error) {
	if signature == "" {
		return -1, ErrMissingSignature
	}
	var got [sha256.Size]byte
	if hex.DecodedLen(len(signature)) != len(got) {
		return -1, ErrBadSignature
	}
	if _, err := hex.Decode(got[:], []byte(signature)); err != nil {
		return -1, ErrBadSignature
	}
	matched := -1
	var sum [sha256.Size]byte
	for i, macs := range v.macs {
		mac := macs.Get().(hash.Hash)
		mac.Reset()
		mac.Write(body)
		if hmac.Equal(mac.Sum(sum[:0]), got[:]) && matched < 0 {
			matched = i
		}
		macs.Put(mac)
	}
	if matched < 0 {
		return -1, ErrBadSignature
	}
	return matched, nil
}

// String never shows the secrets.
func (v *WebhookHMAC) String() string { return "signers.WebhookHMAC{REDACTED}" }

// GoString is String for %#v.
func (v *WebhookHMAC) GoString() string { return v.String() }

// Match says which form of the body a timestamped signature matched.
type Match string

const (
	MatchRaw       Match = "raw"       // the bytes as received
	MatchCanonical Match = "canonical" // the canonical re-serialisation
)

// WebhookTimestampHMAC verifies KwikPaisa v3 webhooks (v3 guide, "Webhooks
// → Signature verification"): X-SIGNATURE = hex HMAC-SHA256(secret_key,
// body ‖ X-TIMESTAMP), the same formula as API requests, with the
// timestamp within a window of the verifier's clock.
type WebhookTimestampHMAC struct {
	secret []byte
	window time.Duration
	now    func() time.Time
}

// NewWebhookTimestampHMAC builds a verifier; now is the clock (nil:
// time.Now), window the largest accepted distance of the timestamp from it.
func NewWebhookTimestampHMAC(secret string, window time.Duration, now func() time.Time) *WebhookTimestampHMAC {
	if now == nil {
		now = time.Now
	}
	return &WebhookTimestampHMAC{secret: []byte(secret), window: window, now: now}
}

// maxTimestampLen bounds the timestamp header (unix seconds have 10 digits
// until 2286).
const maxTimestampLen = 12

// Verify checks signature over raw ‖ timestamp. KwikPaisa's own Node sample
// verifies JSON.stringify of the parsed body rather than the raw bytes, so
// when the raw bytes do not match and canonical is not nil, the signature is
// checked over canonical() ‖ timestamp as well; canonical returns false when
// the body has no canonical form. It returns the signed time and which form
// matched.
func (v *WebhookTimestampHMAC) Verify(raw []byte, canonical func() ([]byte, bool), timestamp, signature string) (time.Time, Match, error) {
	if timestamp == "" || signature == "" {
		return time.Time{}, "", ErrMissingSignature
	}
	ts, err := parseUnix(timestamp)
	if err != nil {
		return time.Time{}, "", err
	}
	d := v.now().Sub(ts)
	if d < 0 {
		d = -d
	}
	if d > v.window {
		return time.Time{}, "", ErrStaleTimestamp
	}
	var got [sha256.Size]byte
	if hex.DecodedLen(len(signature)) != len(got) {
		return time.Time{}, "", ErrBadSignature
	}
	if _, err := hex.Decode(got[:], []byte(signature)); err != nil {
		return time.Time{}, "", ErrBadSignature
	}
	if hmac.Equal(v.sum(raw, timestamp), got[:]) {
		return ts, MatchRaw, nil
	}
	if canonical != nil {
		if c, ok := canonical(); ok && hmac.Equal(v.sum(c, timestamp), got[:]) {
			return ts, MatchCanonical, nil
		}
	}
	return time.Time{}, "", ErrBadSignature
}

func (v *WebhookTimestampHMAC) sum(body []byte, timestamp string) []byte {
	mac := hmac.New(sha256.New, v.secret)
	mac.Write(body)
	mac.Write([]byte(timestamp))
	return mac.Sum(nil)
}

// parseUnix reads unix seconds: digits only, no sign, bounded length.
func parseUnix(s string) (time.Time, error) {
	if len(s) == 0 || len(s) > maxTimestampLen {
		return time.Time{}, ErrBadTimestamp
	}
	var sec int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return time.Time{}, ErrBadTimestamp
		}
		sec = sec*10 + int64(c-'0')
	}
	return time.Unix(sec, 0), nil
}

// String never shows the secret.
func (v *WebhookTimestampHMAC) String() string { return "signers.WebhookTimestampHMAC{REDACTED}" }

// GoString is String for %#v.
func (v *WebhookTimestampHMAC) GoString() string { return v.String() }

// WebhookBasic verifies HTTP Basic credentials on a webhook, as Juspay sends
// the username and password set in its dashboard (juspay.io, "Webhooks"
// settings). It keeps SHA-256 digests of the expected username and
// password and compares digests, so neither the comparison's time nor its
// early exit depends on how much of a guess was right, or on lengths.
type WebhookBasic struct {
	user, pass [sha256.Size]byte
}

// NewWebhookBasic builds a verifier for one username and password.
func NewWebhookBasic(username, password string) *WebhookBasic {
	return &WebhookBasic{user: sha256.Sum256([]byte(username)), pass: sha256.Sum256([]byte(password))}
}

// Verify checks an Authorization header value.
func (v *WebhookBasic) Verify(authorization string) error {
	if authorization == "" {
		return ErrMissingSignature
	}
	const prefix = "basic "
	if len(authorization) < len(prefix) || !strings.EqualFold(authorization[:len(prefix)], prefix) {
		return ErrBadCredentials
	}
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(authorization[len(prefix):]))
	if err != nil {
		return ErrBadCredentials
	}
	user, pass, ok := strings.Cut(string(dec), ":")
	if !ok {
		return ErrBadCredentials
	}
	u := sha256.Sum256([]byte(user))
	p := sha256.Sum256([]byte(pass))
	// Both compared, whatever the first says.
	okUser := subtle.ConstantTimeCompare(u[:], v.user[:])
	okPass := subtle.ConstantTimeCompare(p[:], v.pass[:])
	if okUser&okPass != 1 {
		return ErrBadCredentials
	}
	return nil
}

// String never shows the credentials.
func (v *WebhookBasic) String() string { return "signers.WebhookBasic{REDACTED}" }

// GoString is String for %#v.
func (v *WebhookBasic) GoString() string { return v.String() }
