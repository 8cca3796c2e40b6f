package signers

import "errors"

// The kinds of failure of TokenSource.Token. Every error it returns is a
// *TokenError that wraps exactly one of them (errors.Is works); the caller
// decides what each means to its own clients.
var (
	// ErrClosed: the source was closed (its configuration was unloaded).
	ErrClosed = errors.New("token source closed")
	// ErrUnreachable: no answer from the token endpoint (connection refused
	// or broken).
	ErrUnreachable = errors.New("token endpoint unreachable")
	// ErrTimeout: the token endpoint did not answer within FetchTimeout.
	ErrTimeout = errors.New("token endpoint timed out")
	// ErrUnavailable: the endpoint answered that it cannot serve now (HTTP
	// 5xx or 429).
	ErrUnavailable = errors.New("token endpoint unavailable")
	// ErrRefused: the endpoint refused the credentials (an HTTP 3xx or 4xx,
	// a result code that is not success, or an answer without a token).
	ErrRefused = errors.New("credentials refused")
	// ErrPaced: tokens were refused by the gateway (Invalidate) faster than
	// new ones may be fetched; no token call was made.
	ErrPaced = errors.New("token refetch paced after refusals")
	// ErrBadAnswer: the endpoint's answer cannot be used (not a token
	// answer, too large, a token unfit for a header, an unusable expiry).
	ErrBadAnswer = errors.New("unusable token answer")
	// ErrWaitAbandoned: the caller's context ended while it waited for a
	// token call; nothing was sent with a token.
	ErrWaitAbandoned = errors.New("gave up waiting for a token")
)

// TokenError is a failure of TokenSource.Token. It never holds a credential
// or a token: Detail is the endpoint's own message with the credentials
// redacted.
type TokenError struct {
	// Kind is one of the Err* values above.
	Kind error
	// Gateway is TokenConfig.Gateway.
	Gateway string
	// Message says what happened, for the operator and the application.
	Message string
	// Code is the endpoint's result code, or its HTTP status when it
	// refused without one; "" when there was no answer.
	Code string
	// Detail is the endpoint's message (resultMessage or message), redacted
	// and trimmed; "" if none.
	Detail string
}

func (e *TokenError) Error() string {
	if e.Detail != "" {
		return e.Message + ": " + e.Detail
	}
	return e.Message
}

// Unwrap returns Kind.
func (e *TokenError) Unwrap() error { return e.Kind }
