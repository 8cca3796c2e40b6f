package gatewaytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

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
