package paygate

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
)

// This file is where credentials meet the canonical API: the one mapping of
// the signers' errors to canonical errors, the masking of credentials in
// text relayed to the application, and the refusal to send credentials
// through a server that would log them.

// credentialHolder is implemented by every gateway module.
type credentialHolder interface {
	// credentials are the values no answer may show: every configured
	// credential (secrets, and key ids and API keys too), what is derived
	// from them (the encoded Basic value), the current bearer token, and the
	// credentials this request carried upstream in h (its signature, its
	// token). h is the request's current header set, the upstream one once
	// an attempt was prepared.
	credentials(h http.Header) []signers.Secret
}

// scrubCredentials masks the gateway's credentials in the text of e that
// reaches the application: message, gateway_message and gateway_code,
// matched without case and including any prefix of 8 or more characters
// (signers.Redact). It returns e itself when nothing changed, else a copy.
func scrubCredentials(g Gateway, h http.Header, e *transform.Error) *transform.Error {
	ch, ok := g.(credentialHolder)
	if !ok || e == nil || (e.Message == "" && e.GatewayMessage == "" && e.GatewayCode == "") {
		return e
	}
	secrets := ch.credentials(h)
	msg := signers.Redact(e.Message, secrets...)
	gwMsg := signers.Redact(e.GatewayMessage, secrets...)
	gwCode := signers.Redact(e.GatewayCode, secrets...)
	if msg == e.Message && gwMsg == e.GatewayMessage && gwCode == e.GatewayCode {
		return e
	}
	c := *e
	c.Message, c.GatewayMessage, c.GatewayCode = msg, gwMsg, gwCode
	return &c
}

// headerSecrets wraps the values of the named headers in h.
func headerSecrets(h http.Header, names ...string) []signers.Secret {
	var out []signers.Secret
	for _, name := range names {
		for _, v := range h.Values(name) {
			out = append(out, signers.NewSecret(v))
		}
	}
	return out
}

// bearerSecret is the token of a "Bearer <token>" Authorization header.
func bearerSecret(h http.Header) signers.Secret {
	const prefix = "Bearer "
	if v := h.Get("Authorization"); len(v) > len(prefix) && v[:len(prefix)] == prefix {
		return signers.NewSecret(v[len(prefix):])
	}
	return signers.Secret{}
}

// canonicalAuthError maps an error of a gateway's Authorize to the
// canonical error; asCanonical (exchange.go) calls it. Every one of these
// failures happened before anything was sent to the gateway.
//
//	signers error       canonical type                  HTTP
//	ErrRefused          gateway_authentication_failed   502  gateway_code/gateway_message: the endpoint's
//	ErrPaced            gateway_authentication_failed   502
//	ErrUnavailable      gateway_unavailable             503  gateway_code/gateway_message: the endpoint's
//	ErrUnreachable      gateway_unavailable             503
//	ErrTimeout          gateway_unavailable             503
//	ErrClosed           gateway_unavailable             503
//	ErrWaitAbandoned    gateway_timeout                 504
//	ErrBadAnswer        gateway_error                   502
//	errCredentialsLogged gateway_authentication_failed  502
//	anything else       gateway_error                   502
//
// A *transform.Error is passed through.
func canonicalAuthError(gateway string, err error) *transform.Error {
	var ce *transform.Error
	if errors.As(err, &ce) {
		if ce.Gateway == "" {
			ce.Gateway = gateway
		}
		return ce
	}
	var te *signers.TokenError
	if errors.As(err, &te) {
		return tokenError(gateway, te)
	}
	if errors.Is(err, errCredentialsLogged) {
		return &transform.Error{Type: transform.GatewayAuthenticationFailed, Gateway: gateway, Message: err.Error()}
	}
	return &transform.Error{Type: transform.GatewayError, Gateway: gateway, Message: "could not authenticate to " + gateway}
}

// tokenError is canonicalAuthError for a token source's failure.
func tokenError(gateway string, te *signers.TokenError) *transform.Error {
	switch {
	case errors.Is(te, signers.ErrRefused):
		e := transform.GatewayFailure(gateway, transform.GatewayAuthenticationFailed, te.Code, te.Detail, "")
		e.Message = te.Message
		if e.GatewayMessage != "" {
			e.Message += ": " + e.GatewayMessage
		}
		return e
	case errors.Is(te, signers.ErrPaced):
		return &transform.Error{Type: transform.GatewayAuthenticationFailed, Gateway: gateway, Message: te.Message}
	case errors.Is(te, signers.ErrUnavailable):
		e := transform.GatewayFailure(gateway, transform.GatewayUnavailable, te.Code, te.Detail, "")
		e.Message = te.Message
		return e
	case errors.Is(te, signers.ErrUnreachable), errors.Is(te, signers.ErrTimeout), errors.Is(te, signers.ErrClosed):
		return &transform.Error{Type: transform.GatewayUnavailable, Gateway: gateway, Message: te.Message}
	case errors.Is(te, signers.ErrWaitAbandoned):
		// The application's request ended while it waited; its message
		// says that nothing was sent to the gateway.
		return &transform.Error{Type: transform.GatewayTimeout, Gateway: gateway, Message: te.Message}
	default: // ErrBadAnswer, and any kind added later
		return &transform.Error{Type: transform.GatewayError, Gateway: gateway, Message: te.Message}
	}
}

// errCredentialsLogged refuses to send credentials through a server whose
// logs set log_credentials: Caddy's reverse_proxy would then write the
// Authorization header (the Basic key secret, the bearer token) in its
// DEBUG "upstream roundtrip" line.
var errCredentialsLogged = errors.New("paygate did not send the request: this server's logs set log_credentials, " +
	"so reverse_proxy would write the gateway credentials into its log; remove log_credentials from the server's logs")

var credentialsLoggedOnce sync.Once

// refuseLoggedCredentials is called first by every Authorize. ctx is the
// request's: Caddy puts its server there (caddyhttp.ServerCtxKey); outside
// Caddy's server there is no such log and nothing to refuse.
func refuseLoggedCredentials(ctx context.Context) error {
	srv, ok := ctx.Value(caddyhttp.ServerCtxKey).(*caddyhttp.Server)
	if !ok || srv == nil || srv.Logs == nil || !srv.Logs.ShouldLogCredentials {
		return nil
	}
	credentialsLoggedOnce.Do(func() {
		caddy.Log().Named("http.handlers.paygate").Error(errCredentialsLogged.Error())
	})
	return errCredentialsLogged
}
