package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Gateway text: bounding it, comparing it, and reading JSON scalars that
// gateways send as strings one time and as numbers or booleans the next.

// Clip cuts s to at most n runes, marking a cut with "…". It does not trim
// (a field path "currency " is not "currency"); callers relaying a
// gateway's text trim it first.
func Clip(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// SortedKeys returns m's keys in byte order, for a deterministic walk of a
// map. It is slices.Sorted(maps.Keys(m)) without its cost: with Go 1.26 the
// iterator form allocates its closures and grows the slice (4 to 6
// allocations per call), where this one is inlined and its slice, when
// small, stays on the caller's stack (sort.Strings, a call, keeps it under
// the inlining budget that slices.Sort would exceed).
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// EchoRunes bounds application input echoed in an error message.
const EchoRunes = 16

// ContainsFold reports whether s contains sub, ignoring case.
func ContainsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// Text is an id or an amount that a gateway sends as a JSON string or a
// JSON number, read as text: the string's value or the number's literal.
// Any other value (null, a boolean, an object, an array) reads as "": it
// is not an id or an amount, and a field paygate may not need does not
// fail the whole body.
type Text string

func (t *Text) UnmarshalJSON(b []byte) error {
	s, kind, err := readScalar(b)
	if err != nil {
		return err
	}
	if kind != '"' && kind != '0' {
		s = ""
	}
	*t = Text(s)
	return nil
}

// Scalar is a JSON scalar read as text: a string's value, a number's or a
// boolean's literal, "" for null. KwikPaisa sends code and status as
// strings on success ("200", "success") and as a number and a boolean on
// errors (401, false). An object or an array is refused: where a gateway
// writes one in place of a scalar, the body is not what paygate reads.
type Scalar string

func (t *Scalar) UnmarshalJSON(b []byte) error {
	s, kind, err := readScalar(b)
	if err != nil {
		return err
	}
	if kind == '{' {
		return errors.New("not a JSON scalar")
	}
	*t = Scalar(s)
	return nil
}

// IntText reads an integer sent as a JSON number or a numeric string, in
// its plain decimal form ("007" → "7"); "" if it is neither.
func IntText(raw []byte) string {
	s, kind, err := readScalar(bytes.TrimSpace(raw))
	if err != nil || (kind != '"' && kind != '0') {
		return ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// readScalar reads one JSON value as text. kind is '"' for a string, '0'
// for a number, 't' for true or false, 'n' for null and '{' for an object
// or an array (whose text is "").
func readScalar(b []byte) (text string, kind byte, err error) {
	// A string without escapes is its own text: one allocation, no decode.
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
		return string(b[1 : len(b)-1]), '"', nil
	}
	switch {
	case len(b) == 0:
		return "", 0, errors.New("no JSON value")
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", 0, err
		}
		return s, '"', nil
	case string(b) == "null":
		return "", 'n', nil
	case string(b) == "true" || string(b) == "false":
		return string(b), 't', nil
	case b[0] == '{' || b[0] == '[':
		return "", '{', nil
	case (b[0] == '-' || b[0] >= '0' && b[0] <= '9') && json.Valid(b):
		return string(b), '0', nil
	}
	return "", 0, errors.New("not a JSON value")
}
