package signers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// KwikPaisa publishes no signature vectors: these were computed independently
// (Python's hmac module) for the formula of
// https://developers.kwikpaisa.com/v3-guide/authentication/signature, with
// secret sk_test_example and timestamp 1778659835.
const (
	hmacTestSecret = "sk_test_example"
	hmacTestTime   = 1778659835
)

func TestHMACVectors(t *testing.T) {
	// KwikPaisa's seed create body (the published kwikpaisa/kp3_create_request.json),
	// recursively sorted; transform's TestCanonicalJSONSeedBody proves the file
	// canonicalises to exactly this. signers does not import transform.
	seed := `{"customer":{"address":{"city":"London","country":"UK","line1":"Capital Office, Kemp House","line2":"152 - 160 City Road","postal_code":"EC1V 2NX","state":"London"},"email":"developer@jangras.co","name":"Ajay","phone":"9816512345"},"order_amount":105,"order_currency":"INR","order_id":6116229263036,"order_note":"Additional order info","return_url":"https://merchant.in/process_return.php?order_id=order_1626945143520","service_type":"DIGITAL"}`
	cases := []struct {
		name, body, want string
	}{
		{"documented example", `{"amount":"100","order_id":"123456"}`, "5ffe5f5b24a1872575040fa30bdaf861b50f030a7dd2b2140f1a8ba682ea850c"},
		{"seed create body", seed, "782fd58d1f41e955aeba156735ddc41d695344c268fa31b19964862bcc33aa49"},
	}
	clock := func() time.Time { return time.Unix(hmacTestTime, 0) }
	s := NewHMAC("pk_test_example", hmacTestSecret, clock)
	for _, c := range cases {
		if got := s.Signature([]byte(c.body), hmacTestTime); got != c.want {
			t.Errorf("%s: Signature = %s, want %s", c.name, got, c.want)
		}
		h := http.Header{}
		s.Sign(h, []byte(c.body))
		if got := h.Get("X-SIGNATURE"); got != c.want {
			t.Errorf("%s: X-SIGNATURE = %s, want %s", c.name, got, c.want)
		}
	}
}

func TestHMACSignHeaders(t *testing.T) {
	now := time.Unix(hmacTestTime, 0)
	s := NewHMAC("pk_test_example", hmacTestSecret, func() time.Time { return now })
	h := http.Header{}
	// Headers the application tried to set are replaced, not added to.
	h.Set("X-API-KEY", "pk_evil")
	h.Set("X-SIGNATURE", "forged")
	body := []byte(`{"amount":"100","order_id":"123456"}`)
	s.Sign(h, body)
	want := map[string]string{
		"X-API-KEY":   "pk_test_example",
		"X-TIMESTAMP": "1778659835",
		"X-SIGNATURE": "5ffe5f5b24a1872575040fa30bdaf861b50f030a7dd2b2140f1a8ba682ea850c",
	}
	for name, v := range want {
		if got := h.Values(name); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want exactly %q", name, got, v)
		}
	}
	if len(h) != 3 {
		t.Errorf("Sign set %d headers, want 3: %v", len(h), h)
	}
}

// Every call reads the clock: a retried request carries a new timestamp and
// a new signature, never the previous attempt's.
func TestHMACFreshTimestamp(t *testing.T) {
	tick := int64(hmacTestTime)
	s := NewHMAC("pk", hmacTestSecret, func() time.Time { tick++; return time.Unix(tick, 0) })
	body := []byte(`{"order_id":"A1"}`)
	first, second := http.Header{}, http.Header{}
	s.Sign(first, body)
	s.Sign(second, body)
	if first.Get("X-Timestamp") != "1778659836" || second.Get("X-Timestamp") != "1778659837" {
		t.Fatalf("timestamps %q, %q: want one clock reading per call", first.Get("X-Timestamp"), second.Get("X-Timestamp"))
	}
	if first.Get("X-Signature") == second.Get("X-Signature") {
		t.Fatal("a new timestamp must give a new signature")
	}
	if got, want := second.Get("X-Signature"), s.Signature(body, 1778659837); got != want {
		t.Errorf("signature %s does not cover the timestamp sent (%s)", got, want)
	}
}

func TestHMACSignatureCoversEveryByte(t *testing.T) {
	s := NewHMAC("pk", hmacTestSecret, nil)
	base := s.Signature([]byte(`{"a":1}`), hmacTestTime)
	for _, other := range []string{`{"a":1} `, `{"a": 1}`, `{"a":2}`} {
		if s.Signature([]byte(other), hmacTestTime) == base {
			t.Errorf("%q signs like {\"a\":1}", other)
		}
	}
	if NewHMAC("pk", "other-secret", nil).Signature([]byte(`{"a":1}`), hmacTestTime) == base {
		t.Error("the secret does not change the signature")
	}
	if sig := s.Signature(nil, hmacTestTime); len(sig) != 64 || strings.ToLower(sig) != sig {
		t.Errorf("signature %q is not 64 lower-case hex digits", sig)
	}
}

func TestHMACNeverFormatsSecret(t *testing.T) {
	s := NewHMAC("pk_live_key", "very-secret-value", nil)
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), fmt.Sprintf("%v %+v %#v", *s, *s, *s)} {
		if strings.Contains(out, "very-secret-value") || strings.Contains(out, "pk_live_key") || strings.Contains(out, "118 101 114") {
			t.Fatalf("formatted signer leaks a credential: %s", out)
		}
	}
}
