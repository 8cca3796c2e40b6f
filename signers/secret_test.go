package signers

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"go/parser"
	gotoken "go/token"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// signers knows no gateway dialect and no canonical API: it returns plain Go
// errors and the root package maps them.
// Test files included.
func TestSignersImportNoOtherPaygatePackage(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	for _, name := range files {
		f, err := parser.ParseFile(gotoken.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/paygate/caddy-paygate") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	const v = "sk_live_8c1d4e9fa2"
	s := NewSecret(v)
	if s.Reveal() != v || s.IsZero() || !NewSecret("").IsZero() || (Secret{}).Reveal() != "" {
		t.Fatal("Reveal/IsZero")
	}
	type exported struct{ Key Secret }
	type unexported struct{ key Secret }
	var out strings.Builder
	for _, x := range []any{s, &s, exported{s}, &exported{s}, unexported{s}, &unexported{s}, []Secret{s}, map[string]Secret{"k": s}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
			fmt.Fprintf(&out, verb+"\n", x)
		}
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
	}
	txt, _ := s.MarshalText()
	out.Write(txt)
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "secret", s, "struct", exported{s})
	out.WriteString(logged.String())
	assertAbsent(t, out.String(), v)
	if !strings.Contains(out.String(), Redacted) {
		t.Fatalf("the redaction marker is missing: %s", out.String())
	}
}

// assertAbsent fails if text shows any secret, raw or base64-encoded (the
// forms of a Basic credential).
func assertAbsent(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		forms := []string{s, fmt.Sprintf("%x", s), fmt.Sprint([]byte(s))}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
			forms = append(forms, strings.TrimRight(enc.EncodeToString([]byte(s)), "="))
		}
		for _, f := range forms {
			if strings.Contains(text, f) {
				t.Fatalf("%q (as %q) appears in:\n%s", s, f, text)
			}
		}
	}
}

// formatAll prints x with every verb, as a struct field too, and as JSON.
func formatAll(x any) string {
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		fmt.Fprintf(&b, verb+"\n", x)
	}
	// In an unexported field fmt walks x by reflection instead of calling
	// its methods, and a verb that fits no field prints a pointer's struct.
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x"} {
		fmt.Fprintf(&b, verb+" "+verb+" "+verb+"\n", struct{ s any }{x}, struct{ S any }{x}, []any{x})
	}
	j, _ := json.Marshal(x)
	b.Write(j)
	return b.String()
}

// No signer prints a credential, a Basic value or a token,
// by pointer or by value. (Before Secret, %v of a Basic value printed the
// encoded credentials, and of an HMAC value the key and the secret's bytes.)
func TestSignersNeverFormatCredentials(t *testing.T) {
	const user, pass = "rzp_live_Formatted1", "fmt-secret-7f3a9c"
	b := NewBasic(user, pass, Header{"x-merchantid", "m1"})
	secrets := []string{pass, user, user + ":" + pass}
	assertAbsent(t, formatAll(b)+formatAll(*b), secrets...)

	h := NewHMAC("pk_live_Formatted2", "hmac-secret-2b8e1d", nil)
	assertAbsent(t, formatAll(h)+formatAll(*h), "pk_live_Formatted2", "hmac-secret-2b8e1d")

	clock := newFakeClock()
	ep := newTokenEndpoint(t, clock)
	src := newSource(t, ep.srv.URL, clock, TokenSettings{})
	tok := mustToken(t, src)
	assertAbsent(t, formatAll(src)+formatAll(src.Current())+formatAll(src.Secrets()), testSecret, testAccess, tok)
	// What OnFetch and Token's callers get: errors and reports.
	ep.set(func(ep *tokenEndpoint) {
		ep.respond = func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			io.WriteString(w, `{"resultCode":401,"resultMessage":"bad key `+testAccess+` / `+testSecret+`"}`)
		}
	})
	src.Invalidate(tok)
	_, err := src.Token(context.Background())
	e := tokenErr(t, err, ErrRefused)
	assertAbsent(t, formatAll(e)+formatAll(*e)+formatAll(FetchReport{Err: e}), testSecret, testAccess, tok)
}

func TestRedact(t *testing.T) {
	secret := NewSecret("sk_live_SECRET")
	sig := NewSecret("782fd58d1f41e955aeba156735ddc41d695344c268fa31b19964862bcc33aa49")
	short := NewSecret("abc")  // under 4 bytes: ignored
	exact := NewSecret("pk_1") // 4 to 8 bytes: only whole
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"nothing to hide", "nothing to hide"},
		{"bad secretKey sk_live_SECRET", "bad secretKey [REDACTED]"},
		{"bad secretKey SK_LIVE_secret!", "bad secretKey [REDACTED]!"},
		{"sent: sk_live_SECRE)", "sent: [REDACTED])"},                    // a prefix of 13
		{"sent: sk_live_)", "sent: [REDACTED])"},                         // a prefix of exactly 8
		{"sent: sk_live)", "sent: sk_live)"},                             // 7: kept
		{"expected 782fd58d1f41e955 got x", "expected [REDACTED] got x"}, // a signature cut short
		{"EXPECTED 782FD58D1F41E955", "EXPECTED [REDACTED]"},
		{"sk_live_SECRETsk_live_SECRET", "[REDACTED]"}, // adjacent matches join
		{"key pk_1, key PK_1x, key pk_", "key [REDACTED], key [REDACTED]x, key pk_"},
		{"abc abc", "abc abc"},
		{"sk_live_SECRET é", "[REDACTED] é"},
	} {
		if got := Redact(c.in, secret, sig, short, exact, Secret{}); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Overlapping credentials: the union of the matches is masked.
	a, b := NewSecret("abcdefgh1234"), NewSecret("efgh1234wxyz9876")
	if got := Redact("x abcdefgh1234wxyz9876 y", a, b); got != "x [REDACTED] y" {
		t.Errorf("overlap: %q", got)
	}
	// A match never splits a character.
	if got := Redact("sk_live_SECRE\u00e9", NewSecret("sk_live_SECRE\u00e8")); !utf8.ValidString(got) || got != "[REDACTED]" {
		t.Errorf("split rune: %q", got)
	}
	if got := Redact("untouched", secret); got != "untouched" {
		t.Errorf("%q", got)
	}
}

// FuzzRedact: no panic, valid UTF-8 stays valid, and no credential (nor a
// prefix of 8 or more of it) survives, unless it shares a byte with the
// marker, which could then be formed across it.
func FuzzRedact(f *testing.F) {
	f.Add("bad secretKey SK_LIVE_SECRET/x (sent: sk_live_SECRE)", "sk_live_SECRET", "pk_live_XYZ")
	f.Add("expected 782fd58d1f41e955", "782fd58d1f41e955aeba156735ddc41d", "")
	f.Add("abcabcabcabc", "abcabcab", "bcabcabc")
	f.Add("\xff\xfe", "\xff\xfe\xfd\xfc", "é")
	f.Fuzz(func(t *testing.T, text, s1, s2 string) {
		out := Redact(text, NewSecret(s1), NewSecret(s2))
		if utf8.ValidString(text) && utf8.ValidString(s1) && utf8.ValidString(s2) && !utf8.ValidString(out) {
			t.Fatalf("Redact(%q) = %q: invalid UTF-8", text, out)
		}
		lout := foldASCII(out)
		for _, s := range []string{s1, s2} {
			probe := foldASCII(s)
			if len(s) < minRedactLen || strings.ContainsAny(probe, foldASCII(Redacted)) {
				continue
			}
			if len(probe) > redactPrefix {
				probe = probe[:redactPrefix]
			}
			if strings.Contains(lout, probe) {
				t.Fatalf("Redact(%q, %q, %q) = %q still shows %q", text, s1, s2, out, probe)
			}
		}
	})
}

// foldASCII lowers ASCII letters only, as Redact compares.
func foldASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}
