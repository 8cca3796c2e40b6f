package transform

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// ErrorType is the closed set of canonical error types (README "Errors").
type ErrorType string

const (
	InvalidRequest              ErrorType = "invalid_request"
	UnsupportedMediaType        ErrorType = "unsupported_media_type"
	RequestTooLarge             ErrorType = "request_too_large"
	NotFound                    ErrorType = "not_found"
	MethodNotAllowed            ErrorType = "method_not_allowed"
	DuplicateOrder              ErrorType = "duplicate_order"
	GatewayRejected             ErrorType = "gateway_rejected"
	OrderNotFound               ErrorType = "order_not_found"
	GatewayAuthenticationFailed ErrorType = "gateway_authentication_failed"
	GatewayError                ErrorType = "gateway_error"
	GatewayUnavailable          ErrorType = "gateway_unavailable"
	GatewayTimeout              ErrorType = "gateway_timeout"
	OrderInProgress             ErrorType = "order_in_progress"
	DuplicateRefund             ErrorType = "duplicate_refund"
	NotSupported                ErrorType = "not_supported"
	Forbidden                   ErrorType = "forbidden"
	Unauthorized                ErrorType = "unauthorized"
)

// HTTPStatus is the status the application receives with an error of this type.
func (t ErrorType) HTTPStatus() int {
	switch t {
	case InvalidRequest:
		return http.StatusBadRequest
	case UnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case RequestTooLarge:
		return http.StatusRequestEntityTooLarge
	case NotFound, OrderNotFound:
		return http.StatusNotFound
	case MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case DuplicateOrder, OrderInProgress, DuplicateRefund:
		return http.StatusConflict
	case GatewayRejected:
		return http.StatusUnprocessableEntity
	case GatewayAuthenticationFailed, GatewayError:
		return http.StatusBadGateway
	case GatewayUnavailable:
		return http.StatusServiceUnavailable
	case GatewayTimeout:
		return http.StatusGatewayTimeout
	case NotSupported:
		return http.StatusNotImplemented
	case Forbidden:
		return http.StatusForbidden
	case Unauthorized:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// Error is the canonical error. Messages never carry credentials: they are
// built from field names, the application's own input, or the gateway's
// own error text.
type Error struct {
	Type           ErrorType `json:"type"`
	Message        string    `json:"message"`
	Field          string    `json:"field,omitempty"`
	Gateway        string    `json:"gateway,omitempty"`
	GatewayCode    string    `json:"gateway_code,omitempty"`
	GatewayMessage string    `json:"gateway_message,omitempty"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (field %s)", e.Type, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Type, e.Message)
}

// HTTPStatus is the status the application receives with this error.
func (e *Error) HTTPStatus() int { return e.Type.HTTPStatus() }

// JSON encodes the error envelope {"error":{…}} sent to the application.
func (e *Error) JSON() []byte {
	b, err := json.Marshal(struct {
		Error *Error `json:"error"`
	}{e})
	if err != nil { // cannot happen: every field is a string
		return []byte(`{"error":{"type":"gateway_error","message":"unencodable error"}}`)
	}
	return b
}

// Invalid reports a canonical request that breaks a rule; field names the
// offending field with a dotted path ("customer.email"). A path can hold
// the application's own names (metadata keys, unknown fields), so it is
// clipped to maxFieldRunes: a 60 KiB key must not be echoed and logged.
func Invalid(field, format string, args ...any) *Error {
	field = Clip(field, maxFieldRunes)
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = field + ": " + msg
	}
	return &Error{Type: InvalidRequest, Message: msg, Field: field}
}

// NewError builds an error of any type with a plain message.
func NewError(t ErrorType, format string, args ...any) *Error {
	return &Error{Type: t, Message: fmt.Sprintf(format, args...)}
}

// maxFieldRunes bounds a field path in errors (and so in logs).
const maxFieldRunes = 64
