package signers

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"
)

// Redacted is what a Secret prints, and what Redact puts in place of a
// credential.
const Redacted = "[REDACTED]"

// Secret holds one credential (a key, a secret, an encoded Basic value, a
// token). Every way of printing it — fmt verbs, JSON, text, slog — shows
// [REDACTED]; only Reveal gives the value, to the code that sends it.
//
// The value sits behind a pointer: fmt cannot call methods on unexported
// struct fields and walks them by reflection instead, and a pointer met that
// way is printed as an address, never followed. So a struct that holds a
// Secret in an unexported field does not show it under %v or %+v either.
type Secret struct{ p *string }

// NewSecret wraps v; the empty string gives the zero Secret.
func NewSecret(v string) Secret {
	if v == "" {
		return Secret{}
	}
	return Secret{p: &v}
}

// Reveal returns the credential itself, for the one place that sends it.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

// IsZero reports whether the Secret holds nothing.
func (s Secret) IsZero() bool { return s.p == nil || *s.p == "" }

// String implements fmt.Stringer.
func (Secret) String() string { return Redacted }

// GoString implements fmt.GoStringer (%#v).
func (Secret) GoString() string { return Redacted }

// Format makes every verb (%v, %+v, %#v, %s, %q, %x, %d…) print [REDACTED].
func (Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, Redacted) }

// MarshalJSON implements json.Marshaler.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

// Interface guards
var (
	_ fmt.Stringer   = Secret{}
	_ fmt.GoStringer = Secret{}
	_ fmt.Formatter  = Secret{}
	_ slog.LogValuer = Secret{}
)

const (
	// minRedactLen: shorter values are not matched at all; masking every
	// "abc" in a gateway's message would destroy it, and no real credential
	// is that short.
	minRedactLen = 4
	// redactPrefix is the shortest prefix of a longer credential that is
	// masked on its own: a gateway that echoes a credential cut short
	// ("sent: sk_live_SECRE", "expected 782fd58d1f41e955") must not show it.
	redactPrefix = 8
)

// Redact masks the credentials in text relayed from a gateway (an error
// message that may echo what it was sent). Matching ignores ASCII case, and
// besides each whole credential it masks every run that is a prefix of at
// least 8 bytes of one. Overlapping or adjacent matches become one
// [REDACTED]. Values shorter than 4 bytes are ignored.
func Redact(text string, secrets ...Secret) string {
	if text == "" || len(secrets) == 0 {
		return text
	}
	var b strings.Builder
	last := 0     // text[last:] is not written yet
	maskEnd := -1 // end of the masked run being built
	for i := 0; i < len(text); i++ {
		end := i
		for _, s := range secrets {
			v := s.Reveal()
			if len(v) < minRedactLen {
				continue
			}
			n := foldPrefix(text[i:], v)
			if n == len(v) || n >= redactPrefix {
				end = max(end, i+n)
			}
		}
		if end == i {
			continue
		}
		// A match ends on a character boundary, so the output stays valid UTF-8.
		for end < len(text) && !utf8.RuneStart(text[end]) {
			end++
		}
		if i > maskEnd { // a new run; one adjacent to the last (i == maskEnd) joins it
			if b.Cap() == 0 {
				b.Grow(len(text))
			}
			b.WriteString(text[last:i])
			b.WriteString(Redacted)
		}
		maskEnd = max(maskEnd, end)
		last = maskEnd
	}
	if maskEnd < 0 {
		return text
	}
	b.WriteString(text[last:])
	return b.String()
}

// foldPrefix is the length of the longest common prefix of s and v, ASCII
// letters compared without case.
func foldPrefix(s, v string) int {
	n := min(len(s), len(v))
	for i := 0; i < n; i++ {
		if lowerASCII(s[i]) != lowerASCII(v[i]) {
			return i
		}
	}
	return n
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}
