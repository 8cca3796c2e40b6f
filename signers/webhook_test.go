package signers

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Razorpay's published webhook vector (razorpay-python
// tests/test_client_utility.py test_verify_webhook_signature): the exact
// bytes of tests/mocks/fake_payment_authorized_webhook.json, 971 bytes with
// the final newline, signed with the secret "key_secret".
const (
	rzpVectorFile   = "../../shared/reference/fixtures/razorpay/webhook_payment_authorized_python_mock.json"
	rzpVectorSecret = "key_secret"
	rzpVectorSig    = "d60e67fd884556c045e9be7dad57903e33efc7172c17c6e3ef77db42d2b366e9"
)

func TestWebhookHMACPublishedVector(t *testing.T) {
	body, err := os.ReadFile(rzpVectorFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(body) != 971 {
		t.Fatalf("vector body is %d bytes, want 971", len(body))
	}
	v := NewWebhookHMAC(rzpVectorSecret)
	if i, err := v.Verify(body, rzpVectorSig); err != nil || i != 0 {
		t.Fatalf("published vector: index %d, %v", i, err)
	}
	// Without the trailing newline the bytes differ, so must the verdict:
	// the signature covers the raw body, never a re-serialisation.
	if _, err := v.Verify(bytes.TrimRight(body, "\n"), rzpVectorSig); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("trimmed body verified: %v", err)
	}
	if _, err := v.Verify(body, strings.ToUpper(rzpVectorSig)); err != nil {
		t.Errorf("upper-case hex refused: %v", err)
	}
}

func TestWebhookHMACRotationAndRefusals(t *testing.T) {
	body := []byte(`{"event":"order.paid"}`)
	sign := func(secret string) string {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		return hex.EncodeToString(m.Sum(nil))
	}
	v := NewWebhookHMAC("new-secret", "old-secret")
	if i, err := v.Verify(body, sign("new-secret")); err != nil || i != 0 {
		t.Errorf("current secret: %d %v", i, err)
	}
	if i, err := v.Verify(body, sign("old-secret")); err != nil || i != 1 {
		t.Errorf("old secret during rotation: %d %v", i, err)
	}
	good := sign("new-secret")
	for name, sig := range map[string]string{
		"other secret": sign("guess"),
		"truncated":    good[:62],
		"too long":     good + "00",
		"not hex":      strings.Repeat("zz", 32),
		"one bit off":  good[:63] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", good[63])+1)%16]),
	} {
		if _, err := v.Verify(body, sig); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := v.Verify(body, ""); !errors.Is(err, ErrMissingSignature) {
		t.Errorf("empty signature: %v", err)
	}
	if _, err := v.Verify(append(body, ' '), good); err == nil {
		t.Error("changed body verified")
	}
}

func kpSign(secret string, body []byte, ts int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

func TestWebhookTimestampHMAC(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	v := NewWebhookTimestampHMAC("kp-secret", 300*time.Second, func() time.Time { return now })
	raw := []byte(`{"event":"payment.success", "data":{"status":"PAID","order_id":"A1"}}`)
	canon := []byte(`{"data":{"order_id":"A1","status":"PAID"},"event":"payment.success"}`)
	canonical := func() ([]byte, bool) { return canon, true }
	ts := now.Unix()

	at, m, err := v.Verify(raw, canonical, strconv.FormatInt(ts, 10), kpSign("kp-secret", raw, ts))
	if err != nil || m != MatchRaw || !at.Equal(now) {
		t.Fatalf("raw: %v %v %v", at, m, err)
	}
	// Signed over the canonical form (as KwikPaisa's Node sample computes it).
	if _, m, err := v.Verify(raw, canonical, strconv.FormatInt(ts, 10), kpSign("kp-secret", canon, ts)); err != nil || m != MatchCanonical {
		t.Fatalf("canonical fallback: %v %v", m, err)
	}
	if _, _, err := v.Verify(raw, nil, strconv.FormatInt(ts, 10), kpSign("kp-secret", canon, ts)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("canonical form matched without a fallback: %v", err)
	}
	// The window is ±300 s, inclusive.
	for _, off := range []int64{-300, 300} {
		if _, _, err := v.Verify(raw, nil, strconv.FormatInt(ts+off, 10), kpSign("kp-secret", raw, ts+off)); err != nil {
			t.Errorf("offset %d: %v", off, err)
		}
	}
	for _, off := range []int64{-301, 301, -86400} {
		if _, _, err := v.Verify(raw, nil, strconv.FormatInt(ts+off, 10), kpSign("kp-secret", raw, ts+off)); !errors.Is(err, ErrStaleTimestamp) {
			t.Errorf("offset %d: %v", off, err)
		}
	}
	// The timestamp is part of what is signed.
	if _, _, err := v.Verify(raw, nil, strconv.FormatInt(ts+1, 10), kpSign("kp-secret", raw, ts)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("signature of another timestamp: %v", err)
	}
	for _, bad := range []string{"-1", "1e9", " 1800000000", "18000000000000", "0x6b49d200"} {
		if _, _, err := v.Verify(raw, nil, bad, kpSign("kp-secret", raw, ts)); !errors.Is(err, ErrBadTimestamp) {
			t.Errorf("timestamp %q: %v", bad, err)
		}
	}
	if _, _, err := v.Verify(raw, nil, "", "x"); !errors.Is(err, ErrMissingSignature) {
		t.Errorf("no timestamp: %v", err)
	}
	if _, _, err := v.Verify(raw, nil, strconv.FormatInt(ts, 10), kpSign("other", raw, ts)); !errors.Is(err, ErrBadSignature) {
		t.Errorf("other secret: %v", err)
	}
}

func TestWebhookBasic(t *testing.T) {
	v := NewWebhookBasic("shopuser", "p@ss:word")
	basic := func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte(s)) }
	if err := v.Verify(basic("shopuser:p@ss:word")); err != nil {
		t.Fatalf("right credentials: %v", err)
	}
	if err := v.Verify("basic " + base64.StdEncoding.EncodeToString([]byte("shopuser:p@ss:word"))); err != nil {
		t.Errorf("scheme is case-insensitive (RFC 7617): %v", err)
	}
	for name, h := range map[string]string{
		"wrong password": basic("shopuser:p@ss:wore"),
		"wrong user":     basic("shopusr:p@ss:word"),
		"no password":    basic("shopuser"),
		"empty password": basic("shopuser:"),
		"bearer":         "Bearer abc",
		"bad base64":     "Basic !!!",
		"scheme only":    "Basic",
	} {
		if err := v.Verify(h); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := v.Verify(""); !errors.Is(err, ErrMissingSignature) {
		t.Errorf("no header: %v", err)
	}
}

func TestWebhookVerifiersRedact(t *testing.T) {
	for _, v := range []any{NewWebhookHMAC("s3cr3t-a"), NewWebhookTimestampHMAC("s3cr3t-a", time.Minute, nil), NewWebhookBasic("u", "s3cr3t-a")} {
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			if s := fmt.Sprintf(format, v); strings.Contains(s, "s3cr3t") {
				t.Errorf("%s of %T shows the secret: %s", format, v, s)
			}
		}
	}
}

func FuzzWebhookBasic(f *testing.F) {
	f.Add("Basic " + base64.StdEncoding.EncodeToString([]byte("u:p")))
	f.Add("basic dTpw")
	f.Add("Basic ====")
	v := NewWebhookBasic("u", "p")
	f.Fuzz(func(t *testing.T, h string) {
		if v.Verify(h) != nil {
			return
		}
		// Only the exact credentials pass, whatever the encoding looks like.
		dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(h[len("basic "):]))
		if err != nil || string(dec) != "u:p" {
			t.Fatalf("%q accepted", h)
		}
	})
}

func FuzzWebhookTimestampHMAC(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	v := NewWebhookTimestampHMAC("k", 300*time.Second, func() time.Time { return now })
	body := []byte(`{"event":"payment.success"}`)
	f.Add("1800000000", kpSign("k", body, 1_800_000_000))
	f.Add("1799999699", "00")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, ts, sig string) {
		at, m, err := v.Verify(body, nil, ts, sig)
		if err != nil {
			return
		}
		if m != MatchRaw || at.Sub(now) > 300*time.Second || now.Sub(at) > 300*time.Second {
			t.Fatalf("accepted %q at %v (%s)", ts, at, m)
		}
		m2 := hmac.New(sha256.New, []byte("k"))
		m2.Write(body)
		m2.Write([]byte(ts))
		if !strings.EqualFold(sig, hex.EncodeToString(m2.Sum(nil))) {
			t.Fatalf("accepted signature %q for %q", sig, ts)
		}
	})
}
