package transform_test

import (
	"encoding/json"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// answerAll has a member of every type ReadMembers reads.
type answerAll struct {
	S     string
	N     json.Number
	I     int64
	B     bool
	Sc    transform.Scalar
	T     transform.Text
	V     json.RawMessage
	P     *answerInner
	Items []answerInner
}

type answerInner struct{ S string }

func (in *answerInner) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("s", &in.S))
}

func (a *answerAll) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("s", &a.S), transform.Into("n", &a.N), transform.Into("i", &a.I),
		transform.Into("b", &a.B), transform.Into("sc", &a.Sc), transform.Into("t", &a.T), transform.Into("v", &a.V),
		transform.Into("p", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &a.P, (*answerInner).read) }),
		transform.Into("items", func(dec *jsontext.Decoder) error {
			return transform.ReadArray(dec, func(dec *jsontext.Decoder) error {
				a.Items = append(a.Items, answerInner{})
				return a.Items[len(a.Items)-1].read(dec)
			})
		}))
}

// v1AnswerAll is answerAll as encoding/json read it.
type v1AnswerAll struct {
	S  string           `json:"s"`
	N  json.Number      `json:"n"`
	I  int64            `json:"i"`
	B  bool             `json:"b"`
	Sc transform.Scalar `json:"sc"`
	T  transform.Text   `json:"t"`
	V  json.RawMessage  `json:"v"`
	P  *struct {
		S string `json:"s"`
	} `json:"p"`
	Items []struct {
		S string `json:"s"`
	} `json:"items"`
}

var allNames = []string{"s", "n", "i", "b", "sc", "t", "v", "p", "items"}

func TestReadAnswer(t *testing.T) {
	for _, c := range []struct {
		body string
		ok   bool
		want answerAll
	}{
		{`{"s":"a","n":1.50,"i":-7,"b":true,"sc":false,"t":12,"v":{"x": [1]},"p":{"s":"p"},"items":[{"s":"1"},null]}`, true,
			answerAll{S: "a", N: "1.50", I: -7, B: true, Sc: "false", T: "12", V: json.RawMessage(`{"x": [1]}`), P: &answerInner{S: "p"},
				Items: []answerInner{{S: "1"}, {}}}},
		{` null `, true, answerAll{}},
		{`{"s":null,"n":null,"i":null,"v":null,"p":null,"items":null}`, true, answerAll{V: json.RawMessage(`null`)}},
		{`{"n":"2e3","unread":{"s":1,"s":2,"S":3}}`, true, answerAll{N: "2e3"}}, // repeats in members not read change nothing
		{`{"\u0073":"escaped","x\u00e9":1}`, true, answerAll{S: "escaped"}},
		{"{\"s\":\"a\xffb\"}", true, answerAll{S: "a\ufffdb"}}, // invalid UTF-8 replaced, as encoding/json did
		{`{"s":"a","s":null,"n":null,"n":1,"i":null,"i":2,"i":null,"b":true,"b":null}`, true, answerAll{S: "a", N: "1", I: 2, B: true}},
		{`{"s":"a","s":"b"}`, false, answerAll{}},
		{`{"s":"a","s":"a"}`, false, answerAll{}},
		{`{"s":"a","S":null}`, false, answerAll{}},
		{`{"v":1,"v":null}`, false, answerAll{}}, // encoding/json took the last: null
		{`{"sc":null,"sc":1}`, false, answerAll{}},
		{`{"p":{},"p":null}`, false, answerAll{}},
		{`{"s":"a","S":"b"}`, false, answerAll{}},
		{`{"S":"a"}`, false, answerAll{}},
		{`{"\u212at":"kelvin"}`, true, answerAll{}}, // K (the Kelvin sign) folds to k: "kt" is no member read
		{`{"item\u017f":[]}`, false, answerAll{}},   // ſ folds to s: "items" in another case
		{`{"\u017fc":1}`, false, answerAll{}},       // "sc" in another case
		{`{"s":1}`, false, answerAll{}},
		{`{"n":"1 "}`, false, answerAll{}},
		{`{"i":1.0}`, false, answerAll{}},
		{`{"b":"true"}`, false, answerAll{}},
		{`{"p":[]}`, false, answerAll{}},
		{`{"items":{}}`, false, answerAll{}},
		{`{"s":"a"} {}`, false, answerAll{}},
		{`{"s":"a"`, false, answerAll{}},
		{`[]`, false, answerAll{}},
		{``, false, answerAll{}},
	} {
		var got answerAll
		err := transform.ReadAnswerWith([]byte(c.body), got.read)
		if (err == nil) != c.ok {
			t.Errorf("%s: error %v, want ok=%v", c.body, err, c.ok)
			continue
		}
		if c.ok {
			gatewaytest.SameReading(t, []byte(c.body), nil, nil, c.want, got)
		}
	}
}

// FuzzReadAnswerEquivalence: every type ReadMembers reads is read as
// encoding/json read it, where no member read is named twice or in another
// case.
func FuzzReadAnswerEquivalence(f *testing.F) {
	for _, s := range []string{
		`{"s":"a","n":1.50,"i":-7,"b":true,"sc":false,"t":12,"v":{"x": [1]},"p":{"s":"p"},"items":[{"s":"1"},null]}`,
		`{"s":null,"n":"-0.1e+5","i":-0,"b":null,"sc":null,"t":[],"v":"\ud800","p":null,"items":[]}`,
		`{"n":"01","i":9223372036854775808,"sc":{},"t":true}`, `null`, `{"x":{"s":1,"s":2}}`,
		`{"s":"a","s":null,"n":null,"n":1,"b":false,"b":null,"v":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if gatewaytest.AmbiguousNames(body, allNames, "s", "n", "i", "b") {
			return
		}
		var ref v1AnswerAll
		refErr := json.Unmarshal(body, &ref)
		var got answerAll
		err := transform.ReadAnswerWith(body, got.read)
		gatewaytest.SameReading(t, body, refErr, err, ref, got)
	})
}
