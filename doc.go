// Package paygate is a Caddy HTTP handler that turns one canonical order JSON
// into a payment gateway's own request, authenticates it, hands it to the
// next handler (reverse_proxy) and maps whatever comes back into one
// canonical JSON answer. The README is the user's guide; docs/ holds the
// full contract and one reference page per gateway.
//
// # Modules
//
//   - http.handlers.paygate (directive paygate): the canonical API, and
//     the native passthrough API of a route with a passthrough block;
//   - http.handlers.paygate_webhook (directive paygate_webhook): verified,
//     de-duplicated payment events;
//   - http.paygate.gateways.<name>: one guest module per gateway (razorpay,
//     kwikpaisa, juspay, enkash), loaded by the handler from its "gateway"
//     object, whose inline key "name" names the module.
//
// # Writing a gateway outside this repository
//
// A gateway is any Caddy module in the http.paygate.gateways namespace that
// implements Gateway: a transform.Gateway (pure request building and answer
// mapping) plus Authorize (credentials on each upstream attempt). Register
// it with caddy.RegisterModule in an init function and build Caddy with
// its package (xcaddy --with), next to this one. Then:
//
//   - "paygate <name> { … }" configures it: the handler reads its own
//     options and hands every other one to the module's UnmarshalOption
//     (OptionUnmarshaler); without that method the gateway is configured
//     in JSON only;
//   - the Caddyfile's hints list it, since they come from Caddy's module
//     registry (caddy.GetModules("http.paygate.gateways"));
//   - Provision (caddy.Provisioner) resolves its credentials, written as
//     {env.*} or {file.*} placeholders, once; a gateway with metrics of its
//     own registers them there, on ctx.GetMetricsRegistry();
//   - AccountIdentifier names the merchant account its idempotency records
//     belong to; Reauthorizer, CreateRecorder and transform.Refunder add
//     token renewal, state kept from creates, and refunds.
//
// Idempotency, the canonical errors, timeouts, logs and metrics are the
// handler's and need nothing from the gateway. Two things stay inside this
// repository's own gateways for now: masking the gateway's credentials in
// error text relayed to the application, and refusing to send credentials
// through a server whose logs set log_credentials. An outside gateway must
// keep its credentials out of the error messages it returns.
//
// The package example (example_test.go) is a complete gateway written that
// way, configured from a Caddyfile and served by a real Caddy in its test.
// docs/adding-a-gateway.md lists what a gateway inside this repository
// needs besides: emulator, golden adapt file, fixtures, example routes and
// its reference page, which tests/gateways_test.go enforces.
package paygate
