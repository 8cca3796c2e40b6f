package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// The create body of KwikPaisa's create-order page ("Example Request
// Body"), read in place as the vendor wrote it (kwikpaisaSeedBody); this is
// its recursively sorted form.
const (
	kwikpaisaSeedCanonical = `{"customer":{"address":{"city":"London","country":"UK","line1":"Capital Office, Kemp House","line2":"152 - 160 City Road","postal_code":"EC1V 2NX","state":"London"},"email":"developer@jangras.co","name":"Ajay","phone":"9816512345"},"order_amount":105,"order_currency":"INR","order_id":6116229263036,"order_note":"Additional order info","return_url":"https://merchant.in/process_return.php?order_id=order_1626945143520","service_type":"DIGITAL"}`
)

func TestCanonicalJSONSeedBody(t *testing.T) {
	got, err := Canonicalize([]byte(kwikpaisaSeedBody))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != kwikpaisaSeedCanonical {
		t.Fatalf("seed body\n got %s\nwant %s", got, kwikpaisaSeedCanonical)
	}
}

func TestCanonicalJSONText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"sorted at every level, arrays kept",
			`{"b":1,"a":{"d":2,"c":[3,{"z":1,"y":[{"q":1,"p":2}]}]}}`,
			`{"a":{"c":[3,{"y":[{"p":2,"q":1}],"z":1}],"d":2},"b":1}`},
		{"slash and HTML characters raw",
			`{"u":"https:\/\/x.example\/y?a=1&b=\u003c2\u003e"}`,
			`{"u":"https://x.example/y?a=1&b=<2>"}`},
		{"non-ASCII raw UTF-8",
			`{"name":"Zo\u00eb \u5c71\u7530 \ud83d\ude00 Ñandú"}`,
			`{"name":"Zoë 山田 😀 Ñandú"}`},
		{"line and paragraph separators raw, as JSON.stringify writes them",
			`{"s":"a\u2028b\u2029c\u007f"}`,
			"{\"s\":\"a\u2028b\u2029c\u007f\"}"},
		{"control characters as JSON.stringify escapes them",
			`{"s":"\u0001\u0008\u000c\n\r\t\"\\\u001f"}`,
			`{"s":"\u0001\b\f\n\r\t\"\\\u001f"}`},
		{"shortest numbers",
			`[105.50,100.00,1e2,-0,-0.0,0.000001,1.5e-5,12345678901234.5,9007199254740991,-9007199254740991,1000000000000000000000e-1,0.10]`,
			`[105.5,100,100,0,0,0.000001,0.000015,12345678901234.5,9007199254740991,-9007199254740991,100000000000000000000,0.1]`},
		{"literals", `[true,false,null,"",{},[]]`, `[true,false,null,"",{},[]]`},
		{"keys by UTF-16 code units, not bytes",
			`{"\uff61":1,"\ud83d\ude00":2,"a":3,"A":4}`,
			`{"A":4,"a":3,"😀":2,"｡":1}`},
		{"integer-like keys that JavaScript keeps in place", `{"b":1,"2":2,"1":3}`, `{"1":3,"2":2,"b":1}`},
		{"duplicate keys: the last wins, as in JavaScript", `{"a":1,"a":2}`, `{"a":2}`},
	}
	for _, c := range cases {
		got, err := Canonicalize([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestCanonicalJSONRefuses(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want error
	}{
		{"beyond a double's exact integers", `9007199254740993`, ErrUnportableNumber},
		{"16 significant digits", `123456789012345.6`, ErrUnportableNumber},
		{"exponent form in JavaScript (large)", `1e21`, ErrUnportableNumber},
		{"exponent form in JavaScript (small)", `0.0000001`, ErrUnportableNumber},
		{"hostile exponent", `1e999999999`, ErrUnportableNumber},
		{"integer keys out of numeric order", `{"10":1,"9":2}`, ErrUnportableKey},
		{"a key sorting before an integer key", `{"-":1,"1":2}`, ErrUnportableKey},
		{"a non-index digit key before an index key", `{"01":1,"1":2}`, ErrUnportableKey},
		{"nested", `{"a":[{"b":1e400}]}`, ErrUnportableNumber},
	}
	for _, c := range cases {
		got, err := Canonicalize([]byte(c.in))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %s, %v; want %v", c.name, got, err, c.want)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":1} x`, `[1,]`} {
		if _, err := Canonicalize([]byte(bad)); err == nil {
			t.Errorf("Canonicalize(%q) accepted malformed JSON", bad)
		}
	}
}

func TestCanonicalJSONGoValues(t *testing.T) {
	type wire struct {
		Zeta   string      `json:"zeta"`
		Amount json.Number `json:"amount"`
		Skip   string      `json:"skip,omitempty"`
	}
	cases := []struct {
		name string
		in   any
		want string
	}{
		{"decimal amounts as shortest number literals",
			map[string]any{"b": decimal.RequireFromString("105.50"), "a": MustAmount("100.00"), "c": decimal.RequireFromString("0.05")},
			`{"a":100,"b":105.5,"c":0.05}`},
		{"ints", []any{0, int64(-42), 7}, `[0,-42,7]`},
		{"string maps and slices", map[string]any{"m": map[string]string{"y": "</y>", "x": "&"}, "s": []string{"b", "a"}},
			`{"m":{"x":"&","y":"</y>"},"s":["b","a"]}`},
		{"raw message re-encoded", map[string]any{"r": json.RawMessage(`{"b": 1.50, "a": "\/"}`)}, `{"r":{"a":"/","b":1.5}}`},
		{"struct through encoding/json", wire{Zeta: "<z>", Amount: "10.10"}, `{"amount":10.1,"zeta":"<z>"}`},
		{"nil", nil, `null`},
	}
	for _, c := range cases {
		got, err := CanonicalJSON(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	if _, err := CanonicalJSON(map[string]any{"a": "\xff"}); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8 value: %v", err)
	}
	if _, err := CanonicalJSON(map[string]any{"\xff": 1}); !errors.Is(err, ErrInvalidUTF8) {
		t.Errorf("invalid UTF-8 key: %v", err)
	}
	if _, err := CanonicalJSON(json.Number("0x10")); !errors.Is(err, ErrUnportableNumber) {
		t.Errorf("json.Number that is not a JSON number: %v", err)
	}
	if _, err := CanonicalJSON(make(chan int)); err == nil {
		t.Error("unencodable value accepted")
	}
}

func TestCanonicalNumber(t *testing.T) {
	for in, want := range map[string]string{
		"105.50": "105.5", "100": "100", "100.00": "100", "0.5": "0.5", "1E+2": "100", "-1.250": "-1.25",
		"6116229263036": "6116229263036", "999999999999999.0": "999999999999999",
	} {
		got, err := canonicalNumber(in)
		if err != nil || got != want {
			t.Errorf("canonicalNumber(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "+1", ".5", "1.", "01", "NaN", "1e", " 1"} {
		if got, err := canonicalNumber(in); !errors.Is(err, ErrUnportableNumber) {
			t.Errorf("canonicalNumber(%q) = %q, %v; want an error", in, got, err)
		}
	}
}

func TestCanonicalJSONUTF16Order(t *testing.T) {
	ordered := []string{"", "A", "a", "ab", "b", "é", "\u4e00", "\U0001F600", "\U0001F601", "\ue000", "\uffff"}
	for i := range ordered {
		for j := range ordered {
			if got := canonUTF16Less(ordered[i], ordered[j]); got != (i < j) {
				t.Errorf("canonUTF16Less(%q, %q) = %v", ordered[i], ordered[j], got)
			}
		}
	}
}

// publishedDir holds the gateways' published samples, read in place.
const publishedDir = "../../shared/reference/fixtures/"

// kwikpaisaSeedBody is the seed's create body, as the vendor wrote it.
var kwikpaisaSeedBody = func() string {
	b, err := os.ReadFile(publishedDir + "kwikpaisa/kp3_create_request.json")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// canonicalJSONSamples are values whose encodings JavaScript must reproduce.
var canonicalJSONSamples = []string{
	kwikpaisaSeedBody,
	`{"b":1,"a":{"d":2,"c":[3,{"z":1,"y":[{"q":1,"p":2}]}]}}`,
	`{"u":"https://x.example/y?a=1&b=<2>","n":"Zoë 山田 😀 Ñandú","q":"\"quoted\" \\ back"}`,
	`{"s":"a\u2028b\u2029c\u007f\u0001\u0008\u000c\n\r\t\u001f"}`,
	`[105.50,100.00,1e2,-0,0.000001,1.5e-5,12345678901234.5,9007199254740991,1000000000000000000000e-1,0.1,0.2,0.3]`,
	`{"\uff61":1,"\ud83d\ude00":2,"a":3,"A":4,"\ue000":5,"é":6}`,
	`{"b":1,"2":2,"1":3,"0":4}`,
	`{"order_amount":105.5,"customer":{"name":"Ålesund </script> & ümlaut"}}`,
}

// The property that makes a signature verifiable: JSON.parse followed by
// JSON.stringify gives back our exact bytes, and so does a JavaScript sort
// of the keys at every level (what a verifying server may do).
func TestCanonicalJSONJavaScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: cannot cross-check canonical JSON against JavaScript's JSON.stringify")
	}
	var encoded []string
	for _, s := range canonicalJSONSamples {
		b, err := Canonicalize([]byte(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		encoded = append(encoded, string(b))
	}
	in, _ := json.Marshal(encoded)
	const script = `
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const sortDeep = v => Array.isArray(v) ? v.map(sortDeep)
  : (v !== null && typeof v === 'object')
    ? Object.keys(v).sort().reduce((o, k) => (o[k] = sortDeep(v[k]), o), {})
    : v;
process.stdout.write(JSON.stringify(input.map(s => {
  const v = JSON.parse(s);
  return [JSON.stringify(v), JSON.stringify(sortDeep(v))];
})));`
	cmd := exec.Command(node, "-e", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var results [][2]string
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(encoded) {
		t.Fatalf("node output %q: %v", out, err)
	}
	for i, r := range results {
		if r[0] != encoded[i] {
			t.Errorf("JSON.stringify(JSON.parse(x)) differs:\n ours %s\n node %s", encoded[i], r[0])
		}
		if r[1] != encoded[i] {
			t.Errorf("JavaScript recursive sort differs:\n ours %s\n node %s", encoded[i], r[1])
		}
	}
}

func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range canonicalJSONSamples {
		f.Add([]byte(s))
	}
	for _, s := range []string{`"\ud800"`, `{"10":1,"9":2}`, `1e400`, `[[],{},[{}],""]`, `{"":{"":""}}`, `-0.0e-0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := canonDecode(data)
		if err != nil {
			return
		}
		enc, err := CanonicalJSON(x)
		if err != nil {
			if !errors.Is(err, ErrUnportableNumber) && !errors.Is(err, ErrUnportableKey) {
				t.Fatalf("unexpected error for %q: %v", data, err)
			}
			return
		}
		y, err := canonDecode(enc)
		if err != nil {
			t.Fatalf("encoding is not JSON: %q: %v", enc, err)
		}
		if !canonSameJSON(x, y) {
			t.Fatalf("decode(encode(x)) != x\n   x %q\n enc %q", data, enc)
		}
		again, err := CanonicalJSON(y)
		if err != nil || !bytes.Equal(again, enc) {
			t.Fatalf("encode(decode(encode(x))) != encode(x)\n %q\n %q (%v)", enc, again, err)
		}
		canonCheckForm(t, enc)
	})
}

// canonSameJSON compares decoded values, numbers by exact decimal value.
func canonSameJSON(x, y any) bool {
	switch a := x.(type) {
	case map[string]any:
		b, ok := y.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, v := range a {
			w, ok := b[k]
			if !ok || !canonSameJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		b, ok := y.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !canonSameJSON(a[i], b[i]) {
				return false
			}
		}
		return true
	case json.Number:
		b, ok := y.(json.Number)
		if !ok {
			return false
		}
		da, err1 := decimal.NewFromString(string(a))
		db, err2 := decimal.NewFromString(string(b))
		return err1 == nil && err2 == nil && da.Equal(db)
	}
	return x == y
}

// canonCheckForm checks the encoding itself, independently of the
// encoder: compact, only JSON.stringify's escapes, keys strictly ordered.
func canonCheckForm(t *testing.T, enc []byte) {
	t.Helper()
	var compacted bytes.Buffer
	if err := json.Compact(&compacted, enc); err != nil || !bytes.Equal(compacted.Bytes(), enc) {
		t.Fatalf("not compact: %q", enc)
	}
	s := string(enc)
	for i := strings.IndexByte(s, '\\'); i >= 0; i = strings.IndexByte(s, '\\') {
		esc := s[i+1]
		switch {
		case strings.IndexByte(`"\bfnrt`, esc) >= 0:
			s = s[i+2:]
		case esc == 'u' && canonStringifyEscape(s[i+2:i+6]):
			s = s[i+6:]
		default:
			t.Fatalf("escape \\%s… that JSON.stringify does not write, in %q", s[i+1:min(len(s), i+6)], enc)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(enc))
	type frame struct {
		object  bool
		wantKey bool
		lastKey *string
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("%q: %v", enc, err)
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:top]
				continue
			}
			k := tok.(string)
			if last := stack[top].lastKey; last != nil && !canonUTF16Less(*last, k) {
				t.Fatalf("keys %q, %q out of order in %q", *last, k, enc)
			}
			stack[top].lastKey, stack[top].wantKey = &k, false
			continue
		}
		if top >= 0 && stack[top].object {
			stack[top].wantKey = true
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim(']'):
			stack = stack[:top]
		}
	}
}

// canonStringifyEscape reports whether \uXXXX is one JSON.stringify
// writes: a control character without a short form, in lower-case hex.
func canonStringifyEscape(hex string) bool {
	if len(hex) != 4 || hex[:2] != "00" || (hex[2] != '0' && hex[2] != '1') ||
		strings.IndexByte("0123456789abcdef", hex[3]) < 0 {
		return false
	}
	switch hex[2:] {
	case "08", "09", "0a", "0c", "0d":
		return false
	}
	return true
}
