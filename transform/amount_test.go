package transform

import (
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	good := map[string]string{ // literal → shortest form
		"105.50": "105.5", "100": "100", "0.01": "0.01", "0.5": "0.5", "100.00": "100",
		"999999999999.999": "999999999999.999",
	}
	for in, want := range good {
		a, err := ParseAmount(in)
		if err != nil {
			t.Errorf("ParseAmount(%q): %v", in, err)
			continue
		}
		if got := a.Shortest(); got != want {
			t.Errorf("ParseAmount(%q).Shortest() = %q, want %q", in, got, want)
		}
	}
	bad := []string{"", "0", "0.00", "-1", "+1", "1e2", "1E2", ".5", "5.", "01", "00.5", "1.2.3", " 1", "1 ",
		"1,000", "NaN", "Infinity", "0x10", "１２", strings.Repeat("9", 400), "1e1000000"}
	for _, in := range bad {
		if _, err := ParseAmount(in); err == nil {
			t.Errorf("ParseAmount(%q) accepted", in)
		}
	}
}

func TestAmountUnmarshalJSON(t *testing.T) {
	for in, want := range map[string]string{`"105.50"`: "105.5", `105.50`: "105.5", `7`: "7"} {
		var a Amount
		if err := a.UnmarshalJSON([]byte(in)); err != nil || a.Shortest() != want {
			t.Errorf("UnmarshalJSON(%s) = %q, %v; want %q", in, a.Shortest(), err, want)
		}
	}
	for _, in := range []string{`"1e3"`, `1e3`, `-5`, `"\u0031"x`, `"abc"`, `1.5e-3`} {
		var a Amount
		if err := a.UnmarshalJSON([]byte(in)); err == nil {
			t.Errorf("UnmarshalJSON(%s) accepted", in)
		}
	}
}

func TestMinorUnits(t *testing.T) {
	cases := []struct {
		amount, currency, minor string
		ok                      bool
	}{
		{"105.50", "INR", "10550", true},
		{"105.5", "INR", "10550", true},
		{"1", "INR", "100", true},
		{"0.01", "INR", "1", true},
		{"10.555", "INR", "", false},
		{"5000", "JPY", "5000", true},
		{"5000.00", "JPY", "5000", true},
		{"5000.5", "JPY", "", false},
		{"99.990", "KWD", "99990", true},
		{"99.99", "KWD", "99990", true},
		{"99.9995", "KWD", "", false},
		{"12.34", "USD", "1234", true},
		{"123456789012.34", "USD", "12345678901234", true},
	}
	for _, c := range cases {
		exp, ok := CurrencyExponent(c.currency)
		if !ok {
			t.Fatalf("no exponent for %s", c.currency)
		}
		m, ok := MustAmount(c.amount).Minor(exp)
		if ok != c.ok || (ok && m.String() != c.minor) {
			t.Errorf("%s %s → %v %v, want %s %v", c.amount, c.currency, m, ok, c.minor, c.ok)
		}
	}
}

func TestFixedAndPlaces(t *testing.T) {
	cases := []struct {
		amount   string
		exp      int32
		fixed    string
		sigPlace int32
	}{
		{"105.5", 2, "105.50", 1},
		{"100", 2, "100.00", 0},
		{"100.00", 0, "100", 0},
		{"7.25", 3, "7.250", 2},
	}
	for _, c := range cases {
		a := MustAmount(c.amount)
		if got := a.Fixed(c.exp); got != c.fixed {
			t.Errorf("Fixed(%s, %d) = %s, want %s", c.amount, c.exp, got, c.fixed)
		}
		if got := a.SignificantPlaces(); got != c.sigPlace {
			t.Errorf("SignificantPlaces(%s) = %d, want %d", c.amount, got, c.sigPlace)
		}
	}
}

func TestCurrencyTable(t *testing.T) {
	for code, want := range map[string]int32{"INR": 2, "USD": 2, "JPY": 0, "KWD": 3, "BHD": 3, "IDR": 2, "HUF": 2, "ISK": 0} {
		if got, ok := CurrencyExponent(code); !ok || got != want {
			t.Errorf("CurrencyExponent(%s) = %d, %v; want %d", code, got, ok, want)
		}
	}
	if _, ok := CurrencyExponent("inr"); ok {
		t.Error("lower-case code accepted")
	}
	if len(currencyExponents) != 128 {
		t.Errorf("table has %d currencies, Razorpay lists 128", len(currencyExponents))
	}
}
