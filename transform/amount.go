package transform

import (
	"errors"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// maxAmountLen bounds the amount literal before any parsing so that hostile
// input (400-digit numbers, 1e1000000) is refused in constant time.
const maxAmountLen = 24

// Amount is a positive amount in major units, as the application wrote it.
// It is decoded from a JSON string ("105.50") or a JSON number (105.50)
// without ever passing through float64.
type Amount struct {
	value decimal.Decimal
	set   bool
	// short is the shortest form, cut from the literal when parsed:
	// decimal's String allocates through math/big, and the form is used on
	// every create (fingerprint, wire bodies, messages).
	short string
}

var (
	errAmountSyntax      = errors.New("must be a positive decimal in major units, such as \"105.50\" (no sign, exponent or spaces)")
	errAmountNotPositive = errors.New("must be greater than zero")
)

// ParseAmount parses a plain decimal literal: digits, optionally one point
// followed by digits. No sign, exponent, leading zeros or whitespace.
func ParseAmount(s string) (Amount, error) {
	if len(s) == 0 || len(s) > maxAmountLen {
		return Amount{}, errAmountSyntax
	}
	point := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' && point < 0 && i > 0 && i < len(s)-1:
			point = i
		default:
			return Amount{}, errAmountSyntax
		}
	}
	intPart := s
	if point >= 0 {
		intPart = s[:point]
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return Amount{}, errAmountSyntax
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return Amount{}, errAmountSyntax
	}
	if !d.IsPositive() {
		return Amount{}, errAmountNotPositive
	}
	return Amount{value: d, set: true, short: shortestLiteral(s, point)}, nil
}

// shortestLiteral is a plain decimal literal (as ParseAmount accepts) in
// the form decimal's String gives its value: trailing zeros of the
// fraction and then a bare point dropped ("105.50" → "105.5", "100.00" →
// "100"). FuzzParseAmount holds the two equal.
func shortestLiteral(s string, point int) string {
	if point < 0 {
		return s
	}
	end := len(s)
	for end > point+1 && s[end-1] == '0' {
		end--
	}
	if end == point+1 {
		end = point
	}
	return s[:end]
}

// UnmarshalJSON accepts a JSON string or a JSON number, reading the literal
// text itself (never float64).
func (a *Amount) UnmarshalJSON(b []byte) error {
	if len(b) == 4 && string(b) == "null" {
		return nil
	}
	lit := b
	if len(b) >= 2 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return errAmountSyntax
		}
		lit = []byte(s)
	}
	v, err := ParseAmount(string(lit))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// IsSet reports whether an amount was given.
func (a Amount) IsSet() bool { return a.set }

// Decimal is the amount's value.
func (a Amount) Decimal() decimal.Decimal { return a.value }

// SignificantPlaces is the number of decimal places that are not trailing
// zeros: "105.50" has 1, "100.00" has 0. Trailing zeros change no value, so
// "100.00" JPY is accepted as 100 yen.
func (a Amount) SignificantPlaces() int32 {
	s := a.Shortest() // drops trailing zeros
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return int32(len(s) - i - 1)
		}
	}
	return 0
}

// fits reports whether the amount has at most places decimal places that
// are not trailing zeros, without formatting it when its literal already
// has no more places.
func (a Amount) fits(places int32) bool {
	return a.value.Exponent() >= -places || a.SignificantPlaces() <= places
}

// Fixed formats the amount with exactly the currency's decimal places.
// A literal with no more places than that is padded with zeros; decimal's
// StringFixed (which rounds, and allocates through math/big) is left for
// the rest.
func (a Amount) Fixed(exponent int32) string {
	s := a.short
	if s == "" || exponent < 0 || exponent > 8 {
		return a.value.StringFixed(exponent)
	}
	places := int32(0)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		places = int32(len(s) - i - 1)
	}
	switch {
	case places > exponent:
		return a.value.StringFixed(exponent)
	case places == exponent:
		return s
	case places == 0:
		return s + "."[:min(exponent, 1)] + "00000000"[:exponent]
	}
	return s + "00000000"[:exponent-places]
}

// Minor converts the amount to integer minor units for a currency with the
// given exponent. It reports false if the amount has more places than that.
func (a Amount) Minor(exponent int32) (decimal.Decimal, bool) {
	m := a.value.Shift(exponent)
	if !m.IsInteger() {
		return decimal.Decimal{}, false
	}
	return m.Truncate(0), true
}

// Shortest is the amount in the shortest decimal form (105.50 → "105.5",
// 100.00 → "100"), the form JSON encoders in other languages produce.
func (a Amount) Shortest() string {
	if a.short != "" {
		return a.short
	}
	return a.value.String()
}

// MarshalJSON writes the amount as a string in shortest form, so equal
// values encode equally ("105.50" and 105.5 both give "105.5").
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(`"` + a.Shortest() + `"`), nil
}

// maxJSONMinor is 2⁵³−1: beyond it a float64 no longer holds every integer.
var maxJSONMinor = decimal.New(1<<53-1, 0)

// CheckJSONNumberAmount is the one rule for an amount sent as a JSON number
// (Razorpay's integer minor units, EnKash's amount.value, KwikPaisa's
// order_amount). Many servers read JSON numbers into float64 (JavaScript,
// PHP's json_decode, Jackson's double), which keeps a decimal exactly only
// to 15 significant digits and an integer only up to 2⁵³: a larger amount
// would be charged as another number. wire is the value as written on the
// wire, minor the same amount in minor units; an amount that breaks the
// rule is a 400 on amount before any call.
func CheckJSONNumberAmount(gateway string, wire, minor decimal.Decimal) *Error {
	if _, err := canonDecimal(wire.Coefficient(), wire.Exponent()); err == nil && minor.Cmp(maxJSONMinor) <= 0 {
		return nil
	}
	return Invalid("amount", "%s sends the amount as a JSON number, which keeps at most 15 significant digits and 2^53-1 minor units exactly", gateway)
}

// MinorToMajor writes an amount in minor units ("10550") in major units with
// exp places ("105.50") by moving the decimal point in the digits: one
// allocation, no big-number arithmetic. It refuses anything but digits
// (no sign, fraction or exponent: Razorpay amounts are integers).
func MinorToMajor(digits string, exp int) (string, bool) {
	if digits == "" || len(digits) > 40 {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	for len(digits) > 1 && digits[0] == '0' {
		digits = digits[1:]
	}
	if exp == 0 {
		return digits, true
	}
	var b strings.Builder // one allocation
	if len(digits) <= exp {
		b.Grow(exp + 2)
		b.WriteString("0.")
		for range exp - len(digits) {
			b.WriteByte('0')
		}
		b.WriteString(digits)
	} else {
		b.Grow(len(digits) + 1)
		b.WriteString(digits[:len(digits)-exp])
		b.WriteByte('.')
		b.WriteString(digits[len(digits)-exp:])
	}
	return b.String(), true
}
