package gatewaytest

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// WantUnreadable holds a parse to refusing an answer as unreadable: a
// gateway_error (a 502, recorded as ambiguous), not a result and not a
// verdict on the order.
func WantUnreadable(t *testing.T, name string, res *transform.Result, e *transform.Error) {
	t.Helper()
	if res != nil || e == nil || e.Type != transform.GatewayError || !strings.Contains(e.Message, " answered HTTP ") {
		t.Errorf("%s: got %+v, %v; want an unreadable answer", name, res, e)
	}
}

// AmbiguousNames reports whether some object of body names one of names
// twice or in another case (as bytes.EqualFold, encoding/json's match,
// finds them): the token walk refuses such a body where encoding/json took
// one of the values, so equivalence fuzzers leave those bodies out. A
// null value of a name in nullable (a string, number or boolean member,
// which null leaves as it is) does not count. A body that is not JSON is
// not ambiguous: both must refuse it.
func AmbiguousNames(body []byte, names []string, nullable ...string) bool {
	dec := jsontext.NewDecoder(bytes.NewReader(body), jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))
	var seen []map[string]bool // per open object, the names of names met
	for {
		tok, err := dec.ReadToken()
		if err != nil {
			return false
		}
		switch tok.Kind() {
		case '{':
			seen = append(seen, map[string]bool{})
			continue
		case '}':
			seen = seen[:len(seen)-1]
			continue
		}
		if len(seen) == 0 || tok.Kind() != '"' {
			continue
		}
		if kind, n := dec.StackIndex(dec.StackDepth()); kind != '{' || n%2 == 0 {
			continue // not a name
		}
		name := tok.String()
		for _, want := range names {
			if !bytes.EqualFold([]byte(name), []byte(want)) {
				continue
			}
			if name != want {
				return true
			}
			if dec.PeekKind() == 'n' && slices.Contains(nullable, want) {
				continue
			}
			if seen[len(seen)-1][want] {
				return true
			}
			seen[len(seen)-1][want] = true
		}
	}
}

// SameReading holds a token-walk reading (err, got) to encoding/json's
// (refErr, ref) of the same body: both refuse it, or both read the same
// values. ref and got are structs with the same field names; their types
// may differ (a named struct for an anonymous one, int64 for int): values
// are compared by kind. An empty slice and a nil one are the same reading.
func SameReading(t *testing.T, body []byte, refErr, err error, ref, got any) {
	t.Helper()
	if (refErr == nil) != (err == nil) {
		t.Fatalf("%q: encoding/json: %v, token walk: %v", body, refErr, err)
	}
	if err != nil {
		return
	}
	if path, ok := sameValue(reflect.ValueOf(ref), reflect.ValueOf(got), ""); !ok {
		t.Fatalf("%q: %s differs:\nencoding/json %+v\ntoken walk    %+v", body, path, ref, got)
	}
}

func sameValue(a, b reflect.Value, path string) (string, bool) {
	if a.Kind() != b.Kind() && !(a.CanInt() && b.CanInt()) {
		return path + " (kind)", false
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return path, a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			name := a.Type().Field(i).Name
			fb := b.FieldByName(name)
			if !fb.IsValid() {
				return path + "." + name + " (missing)", false
			}
			if p, ok := sameValue(a.Field(i), fb, path+"."+name); !ok {
				return p, false
			}
		}
		return path, true
	case reflect.Slice:
		if a.Type().Elem().Kind() == reflect.Uint8 {
			return path, bytes.Equal(a.Bytes(), b.Bytes()) && a.IsNil() == b.IsNil()
		}
		if a.Len() != b.Len() {
			return path + " (length)", false
		}
		for i := range a.Len() {
			if p, ok := sameValue(a.Index(i), b.Index(i), path+"[]"); !ok {
				return p, false
			}
		}
		return path, true
	case reflect.String:
		return path, a.String() == b.String()
	case reflect.Int, reflect.Int64:
		return path, a.Int() == b.Int() // int and int64 alike
	case reflect.Bool:
		return path, a.Bool() == b.Bool()
	}
	return path + " (unsupported kind " + a.Kind().String() + ")", false
}

// SeedAnswers seeds an answer fuzzer with the gateway's own
// testdata/<gateway>_*.json, its published samples and extra.
func SeedAnswers(f *testing.F, gateway string, extra ...string) {
	files, _ := filepath.Glob("testdata/" + gateway + "_*.json")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	for _, b := range PublishedSeeds(gateway) {
		f.Add(b)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}
