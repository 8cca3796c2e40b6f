package transform

import (
	"fmt"
	"net/http"
	"strings"
)

// Gateway is one payment gateway's dialect: how a canonical order becomes its
// request, and how its answers become canonical ones. Implementations are
// pure: bytes in, bytes out, no clock, no network.
type Gateway interface {
	// Name is the gateway's name as it appears in results and errors.
	Name() string
	// BuildCreate checks the gateway's own rules and builds the create
	// request; a rule the order breaks is an invalid_request.
	BuildCreate(o *Order) (Request, *Error)
	// ParseCreate maps the gateway's answer to a create request.
	ParseCreate(o *Order, status int, body []byte) (*Result, *Error)
	// BuildStatus builds the status request for a merchant order id.
	BuildStatus(orderID string) (Request, *Error)
	// ParseStatus maps the gateway's answer to a status request.
	ParseStatus(orderID string, status int, body []byte) (*Result, *Error)
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
// verdict on the order, whatever its body says, so every parser maps it to
// gateway_unavailable before reading the body as a rejection: it must not
// be recorded as a definite answer and replayed (README, "Idempotent
// creation": only definite outcomes are recorded).
func Throttled(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooEarly || status == http.StatusTooManyRequests
}

// TypeForStatus is the canonical error type for a gateway's HTTP error
// status when its body says nothing more specific.
func TypeForStatus(status int) ErrorType {
	switch {
	case Throttled(status):
		return GatewayUnavailable
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return GatewayAuthenticationFailed
	case status == http.StatusConflict:
		return DuplicateOrder
	case status >= 500:
		return GatewayError
	case status >= 400:
		return GatewayRejected
	}
	return GatewayError
}

// maxGatewayMessage bounds gateway text relayed to the application (and
// kept in idempotency records), in runes.
const maxGatewayMessage = 300
