package signers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestBasicSign(t *testing.T) {
	cases := []struct {
		user, pass, want string
	}{
		// Razorpay: key_id:key_secret.
		{"rzp_test_demo", "demo_secret", "Basic cnpwX3Rlc3RfZGVtbzpkZW1vX3NlY3JldA=="},
		// Juspay's seed example: api key with an empty password keeps the colon.
		{"1D6AFDC8EA649E9A21C3E5406AC0FB", "", "Basic MUQ2QUZEQzhFQTY0OUU5QTIxQzNFNTQwNkFDMEZCOg=="},
	}
	for _, c := range cases {
		h := http.Header{}
		h.Set("Authorization", "Bearer from-the-app")
		NewBasic(c.user, c.pass, Header{"x-merchantid", "m1"}).Sign(h)
		if got := h.Get("Authorization"); got != c.want {
			t.Errorf("Sign(%q) Authorization = %q, want %q", c.user, got, c.want)
		}
		if got := h.Values("Authorization"); len(got) != 1 {
			t.Errorf("Authorization has %d values, want 1", len(got))
		}
		if got := h.Get("X-Merchantid"); got != "m1" {
			t.Errorf("x-merchantid = %q, want m1", got)
		}
	}
}

func TestBasicNeverFormatsSecret(t *testing.T) {
	b := NewBasic("key", "very-secret-value")
	for _, s := range []string{fmt.Sprint(b), fmt.Sprintf("%v %+v %#v %s", b, b, b, b)} {
		if strings.Contains(s, "very-secret-value") || strings.Contains(s, "dmVyeS1zZWNyZXQtdmFsdWU") {
			t.Fatalf("formatted signer leaks the secret: %s", s)
		}
	}
}
