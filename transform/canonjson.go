package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Canonical JSON for signed bodies (KwikPaisa's X-SIGNATURE, and any other
// gateway that signs "the JSON with its keys sorted").
//
// The signature is computed over the bytes we send, and the gateway checks it
// by decoding our body and encoding it again, in JavaScript (JSON.stringify)
// or PHP (json_encode with unescaped slashes). So the output is exactly what
// JSON.stringify writes for the same value, with keys sorted at every level —
// the serialisation of RFC 8785 (JCS):
//
//   - compact, no insignificant whitespace;
//   - object keys sorted by UTF-16 code units (JavaScript's default sort),
//     at every nesting level; array order is kept;
//   - strings as JSON.stringify writes them: only " \ and control characters
//     are escaped (\b \f \n \r \t, else \u00xx); '/', '<', '>', '&', U+2028,
//     U+2029 and all other non-ASCII are raw UTF-8;
//   - numbers in the shortest plain decimal form (105.50 → 105.5, 100.00 →
//     100, -0 → 0), computed on decimals, never through float64.
//
// Values a JavaScript or PHP server would not give back byte for byte are
// refused rather than signed wrongly:
//
//   - numbers that do not survive a round trip through an IEEE double (more
//     than 15 significant digits, unless a safe integer), or that
//     JSON.stringify would write with an exponent (|x| < 1e-6 or ≥ 1e21):
//     ErrUnportableNumber;
//   - objects whose sorted keys JavaScript would reorder: JSON.parse puts
//     integer-like keys ("0", "12") first in numeric order, so {"10":…,"9":…}
//     or {"-":…,"1":…} cannot keep a sorted order: ErrUnportableKey;
//   - strings that are not valid UTF-8: ErrInvalidUTF8.

// Errors returned by CanonicalJSON and Canonicalize, for errors.Is.
var (
	ErrUnportableNumber = errors.New("canonical JSON: number cannot be encoded portably")
	ErrUnportableKey    = errors.New("canonical JSON: object keys cannot keep a sorted order in JavaScript")
	ErrInvalidUTF8      = errors.New("canonical JSON: string is not valid UTF-8")
)

// CanonicalJSON encodes v as canonical JSON. v is a tree of nil, bool,
// string, json.Number, decimal.Decimal, Amount, int, int64, map[string]any,
// map[string]string, []any, []string and json.RawMessage (re-encoded
// canonically). Any other value is first marshalled with encoding/json and
// then canonicalised; note that a decimal.Decimal inside a struct is then a
// string (its own MarshalJSON), so structs should carry numbers as
// json.Number.
func CanonicalJSON(v any) ([]byte, error) {
	return AppendCanonicalJSON(make([]byte, 0, 256), v)
}

// Canonicalize re-encodes JSON text canonically. Numbers keep their decimal
// value exactly. Invalid UTF-16 escapes (a lone \ud800) become U+FFFD, as
// encoding/json decodes them.
func Canonicalize(data []byte) ([]byte, error) {
	v, err := canonDecode(data)
	if err != nil {
		return nil, err
	}
	return AppendCanonicalJSON(make([]byte, 0, len(data)), v)
}

// canonDecode decodes one JSON value, keeping numbers as json.Number.
func canonDecode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("canonical JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("canonical JSON: unexpected data after the JSON value")
	}
	return v, nil
}

// AppendCanonicalJSON appends the canonical JSON of v (see CanonicalJSON)
// to b.
func AppendCanonicalJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return AppendCanonicalString(b, x)
	case json.Number:
		s, err := canonicalNumber(string(x))
		if err != nil {
			return nil, err
		}
		return append(b, s...), nil
	case decimal.Decimal:
		s, err := canonDecimal(x.Coefficient(), x.Exponent())
		if err != nil {
			return nil, err
		}
		return append(b, s...), nil
	case Amount:
		return AppendCanonicalJSON(b, x.Decimal())
	case int:
		return AppendCanonicalJSON(b, decimal.NewFromInt(int64(x)))
	case int64:
		return AppendCanonicalJSON(b, decimal.NewFromInt(x))
	case map[string]any:
		return canonAppendObject(b, x)
	case map[string]string:
		return canonAppendObject(b, x)
	case []any:
		return canonAppendArray(b, x)
	case []string:
		return canonAppendArray(b, x)
	case json.RawMessage:
		inner, err := canonDecode(x)
		if err != nil {
			return nil, err
		}
		return AppendCanonicalJSON(b, inner)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canonical JSON: %w", err)
	}
	return AppendCanonicalJSON(b, json.RawMessage(raw))
}

func canonAppendObject[V any](b []byte, m map[string]V) ([]byte, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return canonUTF16Less(keys[i], keys[j]) })
	if err := canonCheckKeyOrder(keys); err != nil {
		return nil, err
	}
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = AppendCanonicalString(b, k); err != nil {
			return nil, err
		}
		b = append(b, ':')
		if b, err = AppendCanonicalJSON(b, m[k]); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func canonAppendArray[V any](b []byte, a []V) ([]byte, error) {
	b = append(b, '[')
	for i := range a {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = AppendCanonicalJSON(b, a[i]); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

const canonHex = "0123456789abcdef"

// AppendCanonicalString writes s as JSON.stringify does.
func AppendCanonicalString(b []byte, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, ErrInvalidUTF8
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = appendEscapedByte(append(b, s[start:i]...), c)
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"'), nil
}

// canonUTF16Less orders strings by UTF-16 code units, as JavaScript's sort and
// RFC 8785 do. It differs from byte order only between characters above
// U+FFFF (surrogate pairs, D800–DBFF) and U+E000–U+FFFF.
func canonUTF16Less(a, b string) bool {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			if ra > 0xffff && rb > 0xffff {
				return ra < rb
			}
			return canonUTF16First(ra) < canonUTF16First(rb)
		}
		a, b = a[na:], b[nb:]
	}
	return a == "" && b != ""
}

// canonUTF16First is the first UTF-16 code unit of r.
func canonUTF16First(r rune) rune {
	if r > 0xffff {
		return 0xd800 + (r-0x10000)>>10
	}
	return r
}

// canonCheckKeyOrder refuses sorted keys that JavaScript would reorder: JSON.parse
// lists array-index keys first, in numeric order, whatever the text said.
func canonCheckKeyOrder(sorted []string) error {
	var prev uint64
	seenIndex, seenOther := false, false
	for _, k := range sorted {
		n, ok := canonArrayIndex(k)
		if !ok {
			seenOther = true
			continue
		}
		if seenOther || (seenIndex && n < prev) {
			return fmt.Errorf("%w: %q", ErrUnportableKey, k)
		}
		prev, seenIndex = n, true
	}
	return nil
}

// canonArrayIndex reports whether k is an ECMAScript array index: the canonical
// decimal form of an integer in [0, 2³²−2].
func canonArrayIndex(k string) (uint64, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 64)
	if err != nil || n > 1<<32-2 {
		return 0, false
	}
	return n, true
}

// canonicalNumber rewrites a JSON number literal in its canonical form
// ("105.50" → "105.5", "1e2" → "100"), or fails with ErrUnportableNumber.
func canonicalNumber(lit string) (string, error) {
	if lit == "" || (lit[0] != '-' && (lit[0] < '0' || lit[0] > '9')) || !json.Valid([]byte(lit)) {
		return "", fmt.Errorf("%w: %q is not a JSON number", ErrUnportableNumber, Clip(lit, EchoRunes))
	}
	d, err := decimal.NewFromString(lit)
	if err != nil {
		return "", fmt.Errorf("%w: %q: %v", ErrUnportableNumber, Clip(lit, EchoRunes), err)
	}
	return canonDecimal(d.Coefficient(), d.Exponent())
}

// canonMaxSafeInteger is 2⁵³−1, the largest integer every JSON parser that uses
// doubles keeps exactly.
const canonMaxSafeInteger = "9007199254740991"

// canonDecimal writes coef×10^exp in the shortest plain form. Only the
// digit string is handled, so a huge exponent is refused before any
// expansion.
func canonDecimal(coef *big.Int, exp int32) (string, error) {
	digits := coef.String()
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	trimmed := strings.TrimRight(digits, "0")
	if trimmed == "" {
		return "0", nil // also -0, as JSON.stringify writes it
	}
	e := int64(exp) + int64(len(digits)-len(trimmed))
	sig := int64(len(trimmed))
	// The value is 0.trimmed × 10^point; JSON.stringify uses plain notation
	// for -6 < point ≤ 21.
	point := sig + e
	if point <= -6 || point > 21 {
		return "", fmt.Errorf("%w: magnitude outside 1e-6 … 1e21", ErrUnportableNumber)
	}
	// 15 significant digits always survive a double; beyond that only safe
	// integers do.
	if sig > 15 {
		safe := e == 0 && sig == int64(len(canonMaxSafeInteger)) && trimmed <= canonMaxSafeInteger
		if !safe {
			return "", fmt.Errorf("%w: more than 15 significant digits", ErrUnportableNumber)
		}
	}
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	switch {
	case e >= 0:
		sb.WriteString(trimmed)
		sb.WriteString(strings.Repeat("0", int(e)))
	case point > 0:
		sb.WriteString(trimmed[:point])
		sb.WriteByte('.')
		sb.WriteString(trimmed[point:])
	default:
		sb.WriteString("0.")
		sb.WriteString(strings.Repeat("0", int(-point)))
		sb.WriteString(trimmed)
	}
	return sb.String(), nil
}
