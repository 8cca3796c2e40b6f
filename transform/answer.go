package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Gateway answers are read by walking their tokens and keeping only the
// members paygate reads: encoding/json's reflection cost more than
// anything else paygate did with an answer. Values are read as
// encoding/json read them into the same Go types (see Member); the
// structs keep their json tags, and the equivalence fuzzers hold the walk
// to encoding/json. One difference is deliberate: a member paygate reads
// that comes twice in its object, or under a name differing only in case
// (encoding/json matched case-insensitively and took the last), makes the
// answer unreadable. Which amount, currency or id the gateway meant is then
// unknown, and an unreadable answer is recorded as such, not believed. A
// null beside one value of a string, number or boolean member is no
// second value: encoding/json kept the value whatever the order
// (Razorpay's published refund sample repeats "receipt" so, a text and
// then null).

// Member names a member of an answer's object and where its value goes.
// To's type says how the value is read:
//
//   - *string: a string; null leaves it as it is.
//   - *json.Number: a number, or a string holding one; null leaves it.
//     Amounts stay decimal text, never float64.
//   - *int64, *int: an integer number; null leaves it.
//   - *bool: true or false; null leaves it.
//   - *Scalar, *Text: as their UnmarshalJSON reads the value.
//   - *json.RawMessage: a copy of the value's text, null included.
//   - func(*jsontext.Decoder) error: reads the value itself (an object
//     with ReadMembers, an array…).
//
// A value of another JSON type is an error, as it was for encoding/json.
type Member struct {
	Name string
	To   any
}

// Into is the Member name → to.
func Into(name string, to any) Member { return Member{Name: name, To: to} }

var (
	errAnswerType     = errors.New("a value of another type")
	errAnswerRepeated = errors.New("a member named twice")
	errAnswerCase     = errors.New("a member name in another case")
	errAnswerTrailing = errors.New("data after the JSON value")
)

// answerOptions read strings as encoding/json did: invalid UTF-8 is
// replaced, not refused. Repeated names are ReadMembers' concern, for the
// members read; in members skipped they change nothing.
var answerOptions = jsonv2.JoinOptions(jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true))

type answerDecoder struct {
	buf bytes.Buffer
	dec jsontext.Decoder
}

// answerDecoders keeps decoders for reuse: a jsontext.Decoder is large.
var answerDecoders = sync.Pool{New: func() any { return new(answerDecoder) }}

// ReadAnswer reads body, exactly one JSON value, as an object holding
// members (see ReadMembers).
func ReadAnswer(body []byte, members ...Member) error {
	return ReadAnswerWith(body, func(dec *jsontext.Decoder) error { return ReadMembers(dec, members...) })
}

// ReadAnswerWith reads body, exactly one JSON value, with read.
func ReadAnswerWith(body []byte, read func(*jsontext.Decoder) error) error {
	a := answerDecoders.Get().(*answerDecoder)
	// A bytes.Buffer is read in place, not copied.
	a.buf = *bytes.NewBuffer(body)
	a.dec.Reset(&a.buf, answerOptions)
	err := read(&a.dec)
	if err == nil {
		if _, e := a.dec.ReadToken(); e != io.EOF {
			err = errAnswerTrailing
		}
	}
	// Not to pin body while pooled.
	a.buf = bytes.Buffer{}
	a.dec.Reset(&a.buf)
	answerDecoders.Put(a)
	return err
}

// ReadMembers reads the object at dec, each member named in members into
// its To, skipping the others; null reads as an object without members,
// as encoding/json read it. At most 64 members, named in ASCII.
func ReadMembers(dec *jsontext.Decoder, members ...Member) error {
	if len(members) > 64 {
		panic("transform: ReadMembers reads at most 64 members")
	}
	switch dec.PeekKind() {
	case 'n':
		return dec.SkipValue()
	case '{':
	default:
		return errAnswerType
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	var seen uint64
	for dec.PeekKind() != '}' {
		name, err := dec.ReadValue()
		if err != nil {
			return err
		}
		i, err := memberIndex(name, members)
		if err != nil {
			return err
		}
		if i < 0 {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if dec.PeekKind() == 'n' && nullLeaves(members[i].To) {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		if seen&(1<<i) != 0 {
			return errAnswerRepeated
		}
		seen |= 1 << i
		if err := readMember(dec, members[i].To); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// memberIndex finds the member a quoted name stands for; -1 when none
// does, an error when the name is one of members' in another case.
func memberIndex(quoted jsontext.Value, members []Member) (int, error) {
	name := []byte(quoted[1 : len(quoted)-1])
	if bytes.IndexByte(name, '\\') >= 0 {
		// The decoder has checked the string: an error here is only
		// invalid UTF-8, replaced as encoding/json replaced it.
		name, _ = jsontext.AppendUnquote(nil, quoted)
	}
	for i := range members {
		if string(name) == members[i].Name {
			return i, nil
		}
	}
	// bytes.EqualFold is the match encoding/json made. Member names are
	// ASCII, and a character folding to ASCII is at least as long as it
	// (the Kelvin sign, 3 bytes, is k): a shorter name, or a longer one
	// that is all ASCII, cannot match, which spares most of the calls.
	ascii := !hasNonASCII(name)
	for i := range members {
		m := members[i].Name
		if len(name) < len(m) || len(name) > len(m) && ascii {
			continue
		}
		if bytes.EqualFold(name, []byte(m)) {
			return -1, errAnswerCase
		}
	}
	return -1, nil
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// nullLeaves reports whether null leaves a member of to's type as it is.
func nullLeaves(to any) bool {
	switch to.(type) {
	case *string, *json.Number, *int64, *int, *bool:
		return true
	}
	return false
}

func readMember(dec *jsontext.Decoder, to any) error {
	switch to := to.(type) {
	case *string:
		return ReadString(dec, to)
	case *json.Number:
		return readNumber(dec, to)
	case *int64:
		return readInt(dec, to)
	case *int:
		return readInt(dec, to)
	case *bool:
		return readBool(dec, to)
	case *Scalar:
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		return to.UnmarshalJSON(v)
	case *Text:
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		return to.UnmarshalJSON(v)
	case *json.RawMessage:
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		*to = append((*to)[:0], v...)
		return nil
	case func(*jsontext.Decoder) error:
		return to(dec)
	}
	panic("transform: a Member of an unknown type")
}

// ReadString reads a JSON string into s; null leaves s as it is.
func ReadString(dec *jsontext.Decoder, s *string) error {
	switch dec.PeekKind() {
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		*s = tok.String()
		return nil
	case 'n':
		return dec.SkipValue()
	}
	return errAnswerType
}

func readNumber(dec *jsontext.Decoder, n *json.Number) error {
	switch dec.PeekKind() {
	case '0':
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		*n = json.Number(v)
		return nil
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		s := tok.String()
		if !validNumber(s) {
			return errAnswerType
		}
		*n = json.Number(s)
		return nil
	case 'n':
		return dec.SkipValue()
	}
	return errAnswerType
}

func readInt[T int64 | int](dec *jsontext.Decoder, n *T) error {
	switch dec.PeekKind() {
	case '0':
		v, err := dec.ReadValue()
		if err != nil {
			return err
		}
		i, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil || int64(T(i)) != i {
			return errAnswerType
		}
		*n = T(i)
		return nil
	case 'n':
		return dec.SkipValue()
	}
	return errAnswerType
}

func readBool(dec *jsontext.Decoder, b *bool) error {
	switch dec.PeekKind() {
	case 't', 'f':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		*b = tok.Bool()
		return nil
	case 'n':
		return dec.SkipValue()
	}
	return errAnswerType
}

// ReadPointer reads an object into a new T at *p, with read; null sets
// *p to nil: a pointer member as encoding/json filled it.
func ReadPointer[T any](dec *jsontext.Decoder, p **T, read func(*T, *jsontext.Decoder) error) error {
	if dec.PeekKind() == 'n' {
		*p = nil
		return dec.SkipValue()
	}
	*p = new(T)
	return read(*p, dec)
}

// ReadSlice appends the objects of the array at dec to *s, each read
// with read; null reads as an empty array, and a null element as an empty
// object: a slice member as encoding/json filled it.
func ReadSlice[T any](dec *jsontext.Decoder, s *[]T, read func(*T, *jsontext.Decoder) error) error {
	return ReadArray(dec, func(dec *jsontext.Decoder) error {
		var zero T
		*s = append(*s, zero)
		return read(&(*s)[len(*s)-1], dec)
	})
}

// ReadArray reads the array at dec, each element with read; null reads as
// an empty array.
func ReadArray(dec *jsontext.Decoder, read func(*jsontext.Decoder) error) error {
	switch dec.PeekKind() {
	case 'n':
		return dec.SkipValue()
	case '[':
	default:
		return errAnswerType
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		if err := read(dec); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// validNumber reports whether s is a JSON number, the text encoding/json
// accepted in a string for a json.Number.
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}
