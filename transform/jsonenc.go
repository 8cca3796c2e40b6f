package transform

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// JSON encoding for wire bodies. A gateway's request is a typed wire struct
// (the gateway's orders.go or refunds.go) encoded by MarshalCompact; where a
// profile showed the encoder on the hot path, the struct also has a
// hand-written fast path built from the appenders here, and a fuzzer proves
// it writes exactly MarshalCompact's bytes for the same struct.

// AppendJSONString writes s as encoding/json does with SetEscapeHTML(false)
// (MarshalCompact) for the text canonical orders can hold: valid UTF-8
// without control characters, so " \ U+2028 and U+2029 are what is
// escaped (control characters get \u00XX all the same).
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == '"' || c == '\\' || c < 0x20 {
				b = append(b, s[start:i]...)
				switch c {
				case '"', '\\':
					b = append(b, '\\', c)
				default:
					b = append(b, '\\', 'u', '0', '0', canonHex[c>>4], canonHex[c&0xf])
				}
				start = i + 1
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', canonHex[r&0xf])
			start = i + n
		}
		i += n
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// MarshalCompact encodes v as compact JSON without HTML escaping, so text
// with < > & reaches the gateway as written.
func MarshalCompact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// AppendJSONStringMap writes m as MarshalCompact does: keys in byte order.
func AppendJSONStringMap(b []byte, m map[string]string) []byte {
	return appendStringMap(b, m, false)
}

// AppendMarshalString writes s exactly as json.Marshal does: HTML-escaped
// (< > & as \u003c \u003e \u0026), the short escapes \b \f \n \r \t,
// other control characters as \u00XX, invalid UTF-8 as \ufffd, and U+2028
// and U+2029 escaped. The canonical answers (Result.AppendJSON) and the
// request fingerprint (Order.AppendJSON) are these bytes, so they stay
// what json.Marshal wrote before, and records written then still match.
func AppendMarshalString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = appendEscapedByte(append(b, s[start:i]...), c)
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', canonHex[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendMarshalField writes ,"name":"value" (or without the comma first),
// leaving out an empty value as omitempty does.
func appendMarshalField(b []byte, name, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return b
	}
	if len(b) > 0 && b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return AppendMarshalString(b, value)
}

// appendMarshalStringMap writes m as json.Marshal does.
func appendMarshalStringMap(b []byte, m map[string]string) []byte {
	return appendStringMap(b, m, true)
}

// appendStringMap writes m as an object with its keys in byte order, each
// string as json.Marshal (marshal) or MarshalCompact writes it; small maps
// sort their keys on the stack. (A flag, not a func value: a string writer
// passed as a value would move every caller's buffer to the heap.)
func appendStringMap(b []byte, m map[string]string, marshal bool) []byte {
	appendString := func(b []byte, s string) []byte {
		if marshal {
			return AppendMarshalString(b, s)
		}
		return AppendJSONString(b, s)
	}
	var arr [8]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// appendEscapedByte writes an ASCII byte JSON needs escaped: " and \ with a
// backslash, \b \f \n \r \t short, any other control character (and < > &
// when asked to escape them) as \u00XX. json.Marshal and JSON.stringify
// (transform.CanonicalJSON) escape so.
func appendEscapedByte(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', canonHex[c>>4], canonHex[c&0xf])
}
