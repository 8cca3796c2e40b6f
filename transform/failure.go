package transform

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
)

// Gateway error answers: each gateway's errors.go reads its error body into
// a Failure (its own code, message and field, and what its codes and texts
// say), and Fail maps every gateway's Failure by one skeleton, the same
// order of questions for every gateway and every operation.

// Op is the operation an answer belongs to: it decides what a gateway's
// "duplicate" or "not found" means, and whose rejection it is.
type Op uint8

const (
	// OpCreate creates an order: a duplicate is duplicate_order.
	OpCreate Op = iota + 1
	// OpStatus reads an order's status: "not found" is order_not_found.
	OpStatus
	// OpRefund is a refund step (its target, the refund, its status): a
	// duplicate is duplicate_refund, a rejection is the refund's.
	OpRefund
)

// Failure is a gateway's error answer as its errors.go reads it.
type Failure struct {
	Op Op
	// HTTPStatus is the answer's status on the wire.
	HTTPStatus int
	// Status is the HTTP status the answer stands for when its body says
	// more than the wire (KwikPaisa's code in a 2xx body, an EnKash
	// envelope that refuses under HTTP 200); 0 means HTTPStatus.
	Status int
	// Readable reports that the body is the gateway's error shape; when it
	// is not, Unreadable says what it is not ("a body that is not an
	// EnKash envelope"), "" for "an unreadable error body".
	Readable   bool
	Unreadable string
	// Code and Message are the gateway's own; Field is the canonical field
	// its error names ("" for none).
	Code, Message, Field string

	// What the gateway's codes and texts say beyond the HTTP status (the
	// gateway decides, in its errors.go, under which statuses they count).
	Credentials bool // paygate's credentials were refused
	Throttled   bool // come back later
	InProgress  bool // a call with this id is still being processed
	Duplicate   bool // the id is already used
	NotFound    bool // the gateway does not know the order
}

// Fail maps a gateway's error answer to the canonical error, asking in
// this order:
//
//  1. HTTP 408, 425 or 429, on the wire or in the body: gateway_unavailable.
//     Such an answer is no verdict, whatever the rest says (Throttled).
//  2. HTTP 401 or 403, or Credentials: gateway_authentication_failed.
//  3. Throttled: gateway_unavailable.
//  4. InProgress: order_in_progress on refund_id.
//  5. Duplicate: duplicate_refund on refund_id for a refund step, else
//     duplicate_order on order_id.
//  6. NotFound: order_not_found on Field.
//  7. HTTP 5xx: gateway_error.
//  8. A body that is not the gateway's error shape: gateway_error.
//  9. HTTP 4xx: gateway_rejected on Field.
//  10. Anything else (a 1xx, 2xx or 3xx error shape): gateway_error.
func (f *Facts) Fail(x *Failure) *Error {
	status := cmp.Or(x.Status, x.HTTPStatus)
	fail := func(t ErrorType, field string) *Error {
		if x.Op == OpRefund {
			return refundFailure(f.Name, t, x.Code, x.Message, field)
		}
		return GatewayFailure(f.Name, t, x.Code, x.Message, field)
	}
	switch {
	case Throttled(x.HTTPStatus) || Throttled(status):
		return fail(GatewayUnavailable, "")
	case status == http.StatusUnauthorized || status == http.StatusForbidden || x.Credentials:
		return fail(GatewayAuthenticationFailed, "")
	case x.Throttled:
		return fail(GatewayUnavailable, "")
	case x.InProgress:
		return fail(OrderInProgress, "refund_id")
	case x.Duplicate && x.Op == OpRefund:
		return fail(DuplicateRefund, "refund_id")
	case x.Duplicate:
		return fail(DuplicateOrder, "order_id")
	case x.NotFound:
		return fail(OrderNotFound, x.Field)
	case status >= 500:
		return fail(GatewayError, "")
	case !x.Readable:
		return Unreadable(f.Name, x.HTTPStatus, cmp.Or(x.Unreadable, "an unreadable error body"))
	case status >= 400:
		return fail(GatewayRejected, x.Field)
	}
	return Unreadable(f.Name, x.HTTPStatus, "an unexpected status")
}

// GatewayFailure builds the canonical error for a gateway's answer, keeping
// its own code, message and field.
func GatewayFailure(gateway string, t ErrorType, code, message, field string) *Error {
	e := &Error{Type: t, Gateway: gateway, GatewayCode: Clip(strings.TrimSpace(code), 64),
		GatewayMessage: Clip(strings.TrimSpace(message), maxGatewayMessage), Field: Clip(strings.TrimSpace(field), 128)}
	switch t {
	case GatewayAuthenticationFailed:
		e.Message = gateway + " refused paygate's credentials; check the gateway configuration"
	case DuplicateOrder:
		e.Message = gateway + " says this order_id was already used"
	case OrderNotFound:
		e.Message = gateway + " does not know this order_id"
	case GatewayRejected:
		e.Message = gateway + " rejected the order"
	default:
		e.Message = gateway + " answered with an error"
	}
	if e.GatewayMessage != "" {
		e.Message += ": " + e.GatewayMessage
	}
	return e
}

// Unreadable is the canonical error for a gateway answer paygate cannot
// understand (HTML error pages, truncated JSON, missing fields).
func Unreadable(gateway string, status int, what string) *Error {
	return &Error{
		Type:    GatewayError,
		Gateway: gateway,
		Message: fmt.Sprintf("%s answered HTTP %d with %s", gateway, status, what),
	}
}

// Throttled reports whether an HTTP status asks the client to come back
// later: 408 Request Timeout, 425 Too Early or 429 Too Many Requests
// (RFC 9110 §15.5.9, RFC 8470 §5.2, RFC 6585 §4). Such an answer is no
// verdict on the order, whatever its body says, so Fail maps it to
// gateway_unavailable before reading the body as a rejection: it must not
// be recorded as a definite answer and replayed (README "Retries and
// idempotency": only definite outcomes are recorded).
func Throttled(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooEarly || status == http.StatusTooManyRequests
}

// maxGatewayMessage bounds gateway text relayed to the application (and
// kept in idempotency records), in runes.
const maxGatewayMessage = 300

// refundFailure builds the canonical error for a gateway's refusal of a
// refund step, keeping its own code, message and field.
func refundFailure(gateway string, t ErrorType, code, message, field string) *Error {
	e := GatewayFailure(gateway, t, code, message, field)
	switch t {
	case GatewayRejected:
		e.Message = gateway + " rejected the refund"
	case DuplicateRefund:
		e.Message = gateway + " holds another refund under this refund_id; use a new refund_id"
	case OrderInProgress:
		e.Message = gateway + " is still processing a refund call for this order; retry with the same request"
	default:
		return e
	}
	if e.GatewayMessage != "" {
		e.Message += ": " + e.GatewayMessage
	}
	return e
}
