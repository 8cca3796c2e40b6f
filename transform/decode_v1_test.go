package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// decodeOrderV1 is DecodeOrder on encoding/json (v1), made as strict by a
// pre-scan of the tokens (strictNamesV1). It is the decoder DecodeOrder
// replaced, kept as the other side of BenchmarkDecodeOrder and as the
// reference FuzzDecodeOrderEquivalence compares DecodeOrder with.
func decodeOrderV1(body []byte) (*Order, *Error) { return decodeOrderV1Mode(body, true) }

// decodeOrderV1Mode with strict false is the decoder as it was, which read
// repeated names and names in another case: the benchmark's
// baseline.
func decodeOrderV1Mode(body []byte, strict bool) (*Order, *Error) {
	if !utf8.Valid(body) {
		return nil, Invalid("", "request body is not valid UTF-8")
	}
	if strict {
		if e := strictNamesV1(body); e != nil {
			return nil, e
		}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var o Order
	if err := dec.Decode(&o); err != nil {
		return nil, decodeErrorV1(body, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, Invalid("", "unexpected data after the JSON object")
	}
	if e := o.Validate(); e != nil {
		return nil, e
	}
	return &o, nil
}

// decodeErrorV1 turns an encoding/json error into a canonical one naming the field.
func decodeErrorV1(body []byte, err error) *Error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return Invalid("", "request body must be a JSON object")
		}
		if field == "amount" || strings.HasPrefix(field, "amount.") {
			return Invalid("amount", "%v", errAmountSyntax)
		}
		if field == "metadata" {
			if k := nonStringMetadataV1(body); k != "" {
				return Invalid("metadata."+k, "must be a string, not %s", typeErr.Value)
			}
		}
		return Invalid(field, "must be %s, not %s", jsonKindV1(typeErr.Type.Kind().String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return Invalid("", "malformed JSON at byte %d: %s", syntaxErr.Offset, strings.TrimPrefix(syntaxErr.Error(), "json: "))
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid("", "request body is empty or truncated")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := unknownFieldPathV1(body)
		if field == "" {
			field = strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		}
		return Invalid(field, "unknown field")
	}
	// Errors from Amount.UnmarshalJSON arrive wrapped without a path.
	if errors.Is(err, errAmountSyntax) || errors.Is(err, errAmountNotPositive) {
		return Invalid("amount", "%v", err)
	}
	return Invalid("", "malformed request: %v", err)
}

func jsonKindV1(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "map", "struct", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "a " + goKind
}

// nonStringMetadataV1 names the first metadata key whose value is not a
// string; it runs only on the error path.
func nonStringMetadataV1(body []byte) string {
	var top struct {
		Metadata map[string]json.RawMessage `json:"metadata"`
	}
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	for _, k := range SortedKeys(top.Metadata) {
		if v := bytes.TrimSpace(top.Metadata[k]); len(v) == 0 || v[0] != '"' {
			return k
		}
	}
	return ""
}

// unknownFieldPathV1 finds the first unknown field by walking the body against
// the canonical schema; it runs only on the error path.
func unknownFieldPathV1(body []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return ""
	}
	known := orderFields
	check := func(prefix string, obj map[string]json.RawMessage) string {
		for _, k := range SortedKeys(obj) {
			found := false
			for _, want := range known[prefix] {
				if k == want {
					found = true
					break
				}
			}
			if !found {
				if prefix == "" {
					return k
				}
				return prefix + "." + k
			}
		}
		return ""
	}
	if f := check("", top); f != "" {
		return f
	}
	for _, nested := range []string{"customer", "billing_address", "shipping_address", "bank_account"} {
		var obj map[string]json.RawMessage
		if raw, ok := top[nested]; ok && json.Unmarshal(raw, &obj) == nil {
			if f := check(nested, obj); f != "" {
				return f
			}
		}
	}
	return ""
}

// strictNamesV1 walks the body's tokens: in every object no name may repeat
// or differ only in case from another, and in the canonical objects every
// name must be exactly a known one (encoding/json matches names ignoring
// case and keeps the last of repeated ones). Syntax errors are left to the
// decoder.
func strictNamesV1(body []byte) *Error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		object, expectName, schema bool
		path, name                 string
		names                      map[string]string // folded → as written
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if name, ok := tok.(string); ok && top != nil && top.object && top.expectName {
			f := foldName(name)
			if prev, dup := top.names[f]; dup {
				if prev == name {
					return Invalid(joinField(top.path, name), "appears more than once")
				}
				return Invalid(joinField(top.path, name), "differs only in case from %q", Clip(prev, EchoRunes))
			}
			top.names[f] = name
			if top.schema && !exactlyKnown(top.path, name) {
				for _, known := range orderFields[top.path] {
					if strings.EqualFold(name, known) {
						return Invalid(joinField(top.path, known), "names are case-sensitive: %q is not %q", Clip(name, EchoRunes), known)
					}
				}
				return Invalid(joinField(top.path, name), "unknown field")
			}
			top.name, top.expectName = name, false
			continue
		}
		path := ""
		if top != nil {
			path = top.path + ".[]"
			if top.object {
				path = joinField(top.path, top.name)
				top.expectName = true
			}
		}
		switch tok {
		case json.Delim('{'):
			_, schema := orderFields[path]
			stack = append(stack, &frame{object: true, expectName: true, path: path, schema: schema && (path == "" || !strings.Contains(path, ".")), names: map[string]string{}})
		case json.Delim('['):
			stack = append(stack, &frame{path: path})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 && stack[len(stack)-1].object {
				stack[len(stack)-1].expectName = true
			}
		}
	}
}

func exactlyKnown(path, name string) bool {
	for _, k := range orderFields[path] {
		if k == name {
			return true
		}
	}
	return false
}
