package gatewaytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/transform"
)

// V1DecodeEvent is how paygate read webhook bodies with encoding/json
// before transform.DecodeEvent walked their tokens: numbers kept as
// json.Number, and data after the value refused where Decoder.More saw
// some. It is the reference of the event equivalence fuzzers.
func V1DecodeEvent(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

// SameFieldsRead is SameReading where got, the token walk's reading,
// keeps only some of ref's fields (those paygate uses): each of got's
// fields is compared with ref's of the same name.
func SameFieldsRead(t *testing.T, body []byte, refErr, err error, ref, got any) {
	t.Helper()
	if (refErr == nil) != (err == nil) {
		t.Fatalf("%q: encoding/json: %v, token walk: %v", body, refErr, err)
	}
	if err != nil {
		return
	}
	if path, ok := sameValue(reflect.ValueOf(got), reflect.ValueOf(ref), ""); !ok {
		t.Fatalf("%q: %s differs:\nencoding/json %+v\ntoken walk    %+v", body, path, ref, got)
	}
}

// WantMalformedEvent holds a webhook parser to refusing a body as a
// malformed event (the gateway gets 200 and the app nothing), not as an
// event type paygate does not map and not with events.
func WantMalformedEvent(t *testing.T, name string, events []*transform.Event, err error) {
	t.Helper()
	var ig *transform.IgnoredEvent
	if len(events) != 0 || !errors.As(err, &ig) || !ig.Malformed {
		t.Errorf("%s: got %d events, %v; want a malformed event", name, len(events), err)
	}
}

// Edit replaces Old by New, once, in a sample (an alias of a plain struct,
// so tables may list the three unkeyed).
type Edit = struct{ Name, Old, New string }

// EditedEvents parses each edit of sample with parse: the malformed ones
// must be refused as malformed events (WantMalformedEvent), the accepted
// ones must parse. An Old not in the sample fails the test: the edit would
// test nothing.
func EditedEvents(t *testing.T, parse func([]byte, time.Time) ([]*transform.Event, error), sample string, malformed, accepted []Edit) {
	t.Helper()
	edit := func(e Edit) []byte {
		body := strings.Replace(sample, e.Old, e.New, 1)
		if body == sample {
			t.Fatalf("%s: %q not in the sample", e.Name, e.Old)
		}
		return []byte(body)
	}
	for _, e := range malformed {
		events, err := parse(edit(e), EventReceived)
		WantMalformedEvent(t, e.Name, events, err)
	}
	for _, e := range accepted {
		if _, err := parse(edit(e), EventReceived); err != nil {
			t.Errorf("%s: %v", e.Name, err)
		}
	}
}
