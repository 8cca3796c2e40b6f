package transform

import (
	"strings"
	"testing"
)

func TestParsePathPatternErrors(t *testing.T) {
	for pattern, want := range map[string]string{
		"":                  "must start with /",
		"v1/orders":         "must start with /",
		"/":                 "names no path",
		"/v1//orders":       "empty segment",
		"/v1/orders/":       "empty segment",
		"/v1/ord*":          "whole segment",
		"/v1/**":            "whole segment",
		"/v1/../payouts":    "not only dots",
		"/v1/./orders":      "not only dots",
		"/v1/orders;x":      "may hold only",
		"/v1/or%2Fders":     "may hold only",
		"/v1/orders?x=1":    "may hold only",
		`/v1\orders`:        "may hold only",
		"/v1/ordérs":        "may hold only",
		"/" + rep("a/", 33): "more than 32 segments",
	} {
		if _, err := ParsePathPattern(pattern); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePathPattern(%q) = %v, want an error with %q", pattern, err, want)
		}
	}
}

func rep(s string, n int) string { return strings.Repeat(s, n) + "x" }

func TestPathPatternMatch(t *testing.T) {
	cases := []struct {
		pattern string
		match   []string
		refuse  []string
	}{
		{"/v1/orders/*",
			[]string{"/v1/orders/order_Abc123", "/v1/orders/a.b", "/v1/orders/x...y"},
			[]string{"/v1/orders", "/v1/orders/", "/v1/orders/a/b", "/v1/orders/..", "/v1/orders/.", "/v1/orders/...",
				"/v1/orders/..;", "/v1/orders/a;b", "/v1/orders/a%2Fb", `/v1/orders/a\b`, "/V1/orders/x", "v1/orders/x",
				"//v1/orders/x", "/v1//orders/x", "/v1/orders/x/", "", "/"}},
		{"/v1/payments/*/capture",
			[]string{"/v1/payments/pay_1/capture"},
			[]string{"/v1/payments/capture", "/v1/payments/pay_1/refund", "/v1/payments/pay_1/capture/x", "/v1/payments//capture"}},
		{"/api/v3/pg/order/create",
			[]string{"/api/v3/pg/order/create"},
			[]string{"/api/v3/pg/order/status", "/api/v3/pg/order/create/", "/api/v3/pg/order"}},
		{"/*",
			[]string{"/orders"},
			[]string{"/", "/orders/x", "/.."}},
	}
	for _, c := range cases {
		p, err := ParsePathPattern(c.pattern)
		if err != nil {
			t.Fatalf("%s: %v", c.pattern, err)
		}
		if p.String() != c.pattern {
			t.Errorf("String() = %q, want %q", p.String(), c.pattern)
		}
		for _, path := range c.match {
			if !p.Match(path) {
				t.Errorf("%s should match %q", c.pattern, path)
			}
		}
		for _, path := range c.refuse {
			if p.Match(path) {
				t.Errorf("%s must not match %q", c.pattern, path)
			}
		}
	}
	var zero PathPattern
	if zero.Match("/") || zero.Match("/x") {
		t.Error("the zero pattern matches")
	}
}

func TestPathPatternMatchAllocs(t *testing.T) {
	p, err := ParsePathPattern("/v1/payments/*/capture")
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { p.Match("/v1/payments/pay_1/capture") }); n != 0 {
		t.Errorf("Match allocates %v times", n)
	}
}

// FuzzPathPattern checks the compiler never panics, that a compiled pattern
// reparses from its text, and that Match agrees with a plain reference
// matcher written with strings.Split.
func FuzzPathPattern(f *testing.F) {
	for _, s := range [][2]string{
		{"/v1/orders/*", "/v1/orders/order_1"},
		{"/v1/payments/*/capture", "/v1/payments/pay_1/capture"},
		{"/v1/orders/*", "/v1/orders/.."},
		{"/*", "/"},
		{"/a/*/b", "/a//b"},
		{"/v1/orders", "/v1/orders/"},
		{"/x", "/x;y"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		p, err := ParsePathPattern(pattern)
		if err != nil {
			if p.Match(path) {
				t.Fatalf("a pattern that failed to compile matched %q", path)
			}
			return
		}
		again, err := ParsePathPattern(p.String())
		if err != nil || again.String() != pattern || len(again.segs) != len(p.segs) {
			t.Fatalf("%q does not reparse: %v", pattern, err)
		}
		if got, want := p.Match(path), referenceMatch(pattern, path); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", pattern, path, got, want)
		}
	})
}

func referenceMatch(pattern, path string) bool {
	if !strings.HasPrefix(path, "/") {
		return false
	}
	want, got := strings.Split(pattern[1:], "/"), strings.Split(path[1:], "/")
	if len(want) != len(got) {
		return false
	}
	for i := range want {
		seg := got[i]
		if seg == "" || strings.Trim(seg, ".") == "" {
			return false
		}
		for _, c := range seg {
			if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:@+,=", c) {
				return false
			}
		}
		if want[i] != "*" && want[i] != seg {
			return false
		}
	}
	return true
}
