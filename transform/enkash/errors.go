package enkash

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// envelope is every EnKash answer. The code is read raw because it may come
// as a number or a string; payload is an object on success and often a
// string ("Token is invalid.") on failure.
type envelope struct {
	ResponseCode    json.RawMessage `json:"response_code"`
	ResponseMessage string          `json:"response_message"`
	Payload         json.RawMessage `json:"payload"`
}

func (env *envelope) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("response_code", &env.ResponseCode),
		transform.Into("response_message", &env.ResponseMessage), transform.Into("payload", &env.Payload))
}

// StaleToken reports whether an answer means the bearer token was
// refused as invalid or expired (HTTP 401, or response_code 117 under any
// status), so the token is renewed and the request retried once.
func StaleToken(status int, body []byte) bool {
	if status == http.StatusUnauthorized {
		return true
	}
	// Cheap pre-check: most answers are not about the token.
	if !bytes.Contains(body, []byte("117")) {
		return false
	}
	var env envelope
	if transform.ReadAnswerWith(body, env.read) != nil {
		return false
	}
	return transform.IntText(env.ResponseCode) == invalidToken
}

// failure reads EnKash's envelope of a failure for the shared skeleton
// (transform.Facts.Fail). EnKash documents no PG error codes; paygate reads
// the conventions its envelopes follow elsewhere: 117 a refused token, 409
// (or "duplicate") an id already used, 404 (or "not found") an unknown
// order, and any other non-zero code a refusal, whatever the HTTP status.
func (Dialect) failure(op transform.Op, status int, body []byte) *transform.Error {
	x := transform.Failure{Op: op, HTTPStatus: status, Unreadable: "a body that is not an EnKash envelope"}
	var env envelope
	if transform.ReadAnswerWith(body, env.read) == nil && env.ResponseCode != nil {
		x.Readable = true
		x.Code, x.Message = transform.IntText(env.ResponseCode), env.message()
		if status < 400 {
			x.Status = http.StatusUnprocessableEntity // the code refuses, under HTTP 200 too
		}
	}
	msg := x.Message
	// Reached only once the refreshed token was refused too.
	x.Credentials = x.Code == invalidToken
	x.Throttled = x.Readable && throttled(x.Code, msg)
	switch op {
	case transform.OpCreate:
		x.Duplicate = x.Readable && (x.Code == duplicateCode || status == http.StatusConflict ||
			transform.ContainsFold(msg, "duplicate") || transform.ContainsFold(msg, "already exist"))
	case transform.OpStatus:
		x.NotFound = status == http.StatusNotFound || x.Readable && (x.Code == notFoundCode ||
			transform.ContainsFold(msg, "not found") || transform.ContainsFold(msg, "does not exist"))
	case transform.OpRefund:
		x.Duplicate = x.Readable && (x.Code == duplicateCode || status == http.StatusConflict || transform.ContainsFold(msg, "duplicate"))
		if transform.ContainsFold(msg, "amount") {
			x.Field = "amount"
		}
	}
	return Facts.Fail(&x)
}

// message is the envelope's text, with a payload string that says more.
func (env *envelope) message() string {
	msg := env.ResponseMessage
	var detail string
	if transform.ReadAnswerWith(env.Payload, func(dec *jsontext.Decoder) error { return transform.ReadString(dec, &detail) }) == nil &&
		detail != "" && detail != msg {
		if msg == "" {
			return detail
		}
		msg += ": " + detail
	}
	return msg
}

// throttled recognises a "slow down" inside the envelope, whatever the HTTP
// status: EnKash documents no PG error codes, but its envelopes carry
// HTTP-like codes elsewhere (409 duplicate, 403, 422), so 408, 425 and 429
// are read as those statuses, and a generic code with a "try again later"
// or rate-limit message is read as a request to retry. Taking such an
// answer for a rejection would record it and refuse every retry of the id.
func throttled(code, msg string) bool {
	if n, err := strconv.Atoi(code); err == nil && transform.Throttled(n) {
		return true
	}
	return slices.ContainsFunc([]string{"try again later", "too many requests", "rate limit", "throttl"},
		func(w string) bool { return transform.ContainsFold(msg, w) })
}
