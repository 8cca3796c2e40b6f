package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/enkash"
	"github.com/paygate/caddy-paygate/transform/juspay"
	"github.com/paygate/caddy-paygate/transform/kwikpaisa"
	"github.com/paygate/caddy-paygate/transform/razorpay"
)

// A gateway under load: how to configure paygate and the emulator for it,
// and how to build, for the plain route, the exact upstream request paygate
// would send (same transform, same signer), so that both routes reach the
// same emulator handler with the same bytes.

// credentials are load-test values passed to Caddy through its environment
// and read back with {env.*}, as a deployment would.
type credential struct{ env, value string }

type gatewaySpec struct {
	name string
	// creds are exported to Caddy's environment.
	creds []credential
	// emulatorOptions and paygateOptions are Caddyfile option lines; emu is
	// the emulator's host:port.
	emulatorOptions func() []string
	paygateOptions  func(emu string) []string
	// transform builds the plain route's body exactly as paygate would.
	transform transform.Gateway
	// session prepares the plain route's credentials for a fresh emulator
	// instance (EnKash: a bearer token) and returns the signer.
	session func(ctx context.Context, emu string) (func(h http.Header, req *transform.Request), error)
	// plainOK recognises the emulator's success answer on the plain route.
	plainStatus int
	plainOK     []byte
	// refundOK recognises paygate's 201 refund answer; refundSteps are
	// the upstream calls of a refund, in paygate's order (status, [refund
	// target], refund), and how the stand-in's answer to each is
	// recognised. Empty: paygate has no refund API for the gateway.
	refundOK    []byte
	refundSteps []refundStep
	// webhook is how the gateway notifies; nil: no webhook segment.
	webhook *webhookSpec
}

// refundStep is one upstream call of a refund: its name in the report and
// what marks the stand-in's success answer to it.
type refundStep struct {
	name   string
	marker []byte
}

// webhookSpec is a gateway's notification: paygate_webhook's options and
// the signed notification about a paid order.
type webhookSpec struct {
	// options are paygate_webhook's option lines; front is the gateway's
	// front site (EnKash's notifications are confirmed through the paygate
	// route there).
	options func(front string) []string
	// notify builds the notification the gateway would send about a paid
	// order at now, signed over exactly the body returned.
	notify func(orderID string, now time.Time) (headers [][2]string, body []byte)
	// confirm: the notification proves nothing (EnKash signs none), so the
	// plain route's application asks the order's status itself, as
	// paygate_webhook does through confirm_with; confirmOK recognises the
	// status answer of a paid order.
	confirm   bool
	confirmOK []byte
}

// The canonical create every gateway accepts; ORDERID is replaced per
// request (paygate replays a repeated order_id instead of creating).
const canonicalTemplate = `{"order_id":"ORDERID","amount":"105.50","currency":"INR","description":"Load test order",` +
	`"customer":{"id":"cust-7","name":"Asha Rao","email":"asha@example.com","phone":"+919876543210"},` +
	`"return_url":"https://merchant.example/return","metadata":{"cart":"42"}}`

func env(name string) string { return "{env." + name + "}" }

func gatewaySpecs() []*gatewaySpec {
	const (
		rzpID, rzpSecret   = "PAYGATE_LOAD_RAZORPAY_KEY_ID", "PAYGATE_LOAD_RAZORPAY_KEY_SECRET"
		jpKey, jpMerchant  = "PAYGATE_LOAD_JUSPAY_API_KEY", "PAYGATE_LOAD_JUSPAY_MERCHANT_ID"
		kpKey, kpSecret    = "PAYGATE_LOAD_KWIKPAISA_API_KEY", "PAYGATE_LOAD_KWIKPAISA_SECRET_KEY"
		ekAccess, ekSecret = "PAYGATE_LOAD_ENKASH_ACCESS_KEY", "PAYGATE_LOAD_ENKASH_SECRET_KEY"
		jpVersion          = "2023-01-01"
		// Webhook credentials: Razorpay's webhook secret (not the API
		// secret) and Juspay's dashboard Basic credentials; KwikPaisa signs
		// webhooks with the API secret, EnKash signs nothing.
		rzpWebhook           = "PAYGATE_LOAD_RAZORPAY_WEBHOOK_SECRET"
		jpHookUser, jpHookPw = "PAYGATE_LOAD_JUSPAY_WEBHOOK_USERNAME", "PAYGATE_LOAD_JUSPAY_WEBHOOK_PASSWORD"
	)
	creds := map[string]string{
		rzpID: "rzp_test_load0000001", rzpSecret: "load-razorpay-secret",
		jpKey: "LOADJUSPAYKEY0000000001", jpMerchant: "load_merchant",
		kpKey: "pk_test_load0000001", kpSecret: "sk_test_load_kwikpaisa_secret",
		ekAccess: "ak_load_0000001", ekSecret: "sk_load_enkash_secret",
		rzpWebhook: "load-razorpay-webhook-secret", jpHookUser: "load_juspay_hook", jpHookPw: "load-juspay-hook-password",
	}
	cred := func(names ...string) []credential {
		var out []credential
		for _, n := range names {
			out = append(out, credential{n, creds[n]})
		}
		return out
	}
	jsonHeader := func(h http.Header) { h["Accept"] = []string{"application/json"} }
	return []*gatewaySpec{
		{
			name:  "razorpay",
			creds: cred(rzpID, rzpSecret, rzpWebhook),
			emulatorOptions: func() []string {
				return []string{"key_id " + env(rzpID), "key_secret " + env(rzpSecret)}
			},
			paygateOptions: func(string) []string {
				return []string{"key_id " + env(rzpID), "key_secret " + env(rzpSecret)}
			},
			transform: razorpay.Dialect{},
			session: func(context.Context, string) (func(http.Header, *transform.Request), error) {
				s := signers.NewBasic(creds[rzpID], creds[rzpSecret])
				return func(h http.Header, _ *transform.Request) { jsonHeader(h); s.Sign(h) }, nil
			},
			plainStatus: 200,
			plainOK:     []byte(`"status":"created"`),
			refundOK:    []byte(`"status":"succeeded"`),
			refundSteps: []refundStep{{"status", []byte(`"status":"paid"`)}, {"payments", []byte(`"status":"captured"`)},
				{"refund", []byte(`"entity":"refund"`)}},
			webhook: &webhookSpec{
				options: func(string) []string {
					return []string{"webhook_secret " + env(rzpWebhook), "account " + env(rzpID)}
				},
				notify: func(orderID string, now time.Time) ([][2]string, []byte) {
					return razorpayNotification(creds[rzpWebhook], orderID, now)
				},
			},
		},
		{
			name:  "juspay",
			creds: cred(jpKey, jpMerchant, jpHookUser, jpHookPw),
			emulatorOptions: func() []string {
				return []string{"api_key " + env(jpKey), "merchant_id " + env(jpMerchant), "version " + jpVersion}
			},
			paygateOptions: func(string) []string {
				return []string{"api_key " + env(jpKey), "merchant_id " + env(jpMerchant), "version " + jpVersion}
			},
			transform: juspay.Dialect{},
			session: func(context.Context, string) (func(http.Header, *transform.Request), error) {
				s := signers.NewBasic(creds[jpKey], "",
					signers.Header{Name: "x-merchantid", Value: creds[jpMerchant]}, signers.Header{Name: "version", Value: jpVersion})
				return func(h http.Header, _ *transform.Request) { jsonHeader(h); s.Sign(h) }, nil
			},
			plainStatus: 200,
			plainOK:     []byte(`"status":"CREATED"`),
			refundOK:    []byte(`"status":"pending"`),
			refundSteps: []refundStep{{"status", []byte(`"status":"CHARGED"`)}, {"refund", []byte(`"unique_request_id":"`)}},
			webhook: &webhookSpec{
				options: func(string) []string {
					return []string{"username " + env(jpHookUser), "password " + env(jpHookPw), "account " + env(jpMerchant)}
				},
				notify: func(orderID string, now time.Time) ([][2]string, []byte) {
					return juspayNotification(creds[jpHookUser], creds[jpHookPw], creds[jpMerchant], orderID, now)
				},
			},
		},
		{
			name:  "kwikpaisa",
			creds: cred(kpKey, kpSecret),
			emulatorOptions: func() []string {
				return []string{"api_key " + env(kpKey), "secret_key " + env(kpSecret)}
			},
			paygateOptions: func(string) []string {
				return []string{"api_key " + env(kpKey), "secret_key " + env(kpSecret), "service_type DIGITAL"}
			},
			transform: kwikpaisa.Dialect{ServiceType: "DIGITAL"},
			session: func(context.Context, string) (func(http.Header, *transform.Request), error) {
				// Signed when the segment's requests are built: the emulator
				// accepts timestamps within ±300 s and a segment is far shorter.
				s := signers.NewHMAC(creds[kpKey], creds[kpSecret], nil)
				return func(h http.Header, req *transform.Request) { jsonHeader(h); s.Sign(h, req.Body) }, nil
			},
			plainStatus: 200,
			plainOK:     []byte(`"status":"success"`),
			// No refund API: paygate answers 501 before any call.
			webhook: &webhookSpec{
				options: func(string) []string {
					return []string{"api_key " + env(kpKey), "secret_key " + env(kpSecret)}
				},
				notify: func(orderID string, now time.Time) ([][2]string, []byte) {
					return kwikpaisaNotification(creds[kpSecret], orderID, now)
				},
			},
		},
		{
			name:  "enkash",
			creds: cred(ekAccess, ekSecret),
			emulatorOptions: func() []string {
				return []string{"access_key " + env(ekAccess), "secret_key " + env(ekSecret), "token_lifetime 1h"}
			},
			paygateOptions: func(emu string) []string {
				return []string{"access_key " + env(ekAccess), "secret_key " + env(ekSecret),
					"token_url http://" + emu + "/api/v0/merchant/token"}
			},
			transform: enkash.Dialect{},
			session: func(ctx context.Context, emu string) (func(http.Header, *transform.Request), error) {
				tok, err := enkashToken(ctx, emu, creds[ekAccess], creds[ekSecret])
				if err != nil {
					return nil, err
				}
				return func(h http.Header, _ *transform.Request) {
					jsonHeader(h)
					h["Authorization"] = []string{"Bearer " + tok}
					h.Set("merchantAccessKey", creds[ekAccess])
				}, nil
			},
			plainStatus: 200,
			plainOK:     []byte(`"response_code":0`),
			refundOK:    []byte(`"status":"pending"`),
			refundSteps: []refundStep{{"status", []byte(`"orderStatus":"PAID"`)}, {"refund", []byte(`"response_code":0`)}},
			webhook: &webhookSpec{
				options: func(front string) []string {
					return []string{"confirm_with http://" + front + "/pay", "account " + env(ekAccess)}
				},
				notify:    enkashNotification,
				confirm:   true,
				confirmOK: []byte(`"orderStatus":"PAID"`),
			},
		},
	}
}

// enkashToken fetches a bearer token from the emulator, once per segment
// (each segment has a fresh emulator instance).
func enkashToken(ctx context.Context, emu, access, secret string) (string, error) {
	body, _ := json.Marshal(map[string]string{"accessKey": access, "secretKey": secret})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+emu+"/api/v0/merchant/token", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var answer struct {
		Token string `json:"token"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &answer) != nil || answer.Token == "" {
		return "", fmt.Errorf("enkash token endpoint answered %d", resp.StatusCode)
	}
	return answer.Token, nil
}

// orderID is unique across the run: the segment number keeps ids apart
// across emulator instances and paygate's idempotency records, which
// outlive config reloads. 12 characters fit every gateway (Juspay: 20).
func orderID(segment, i int) string { return fmt.Sprintf("L%03d%08d", segment%1000, i) }

func canonicalBody(id string) []byte {
	return []byte(strings.Replace(canonicalTemplate, "ORDERID", id, 1))
}

const userAgent = "paygate-load/1"

// paygateRequest is the application's create through paygate.
func paygateRequest(host, id string) []byte {
	return serialise(http.MethodPost, "/pay/orders", host, [][2]string{
		{"User-Agent", userAgent}, {"Content-Type", "application/json"},
	}, canonicalBody(id))
}

// plainRequest is the upstream request paygate would send for the same
// order, sent straight to reverse_proxy.
func plainRequest(spec *gatewaySpec, sign func(http.Header, *transform.Request), host, id string) ([]byte, error) {
	return plainRequestFor(spec, sign, host, canonicalBody(id))
}

// plainRequestFor is plainRequest for any canonical create.
func plainRequestFor(spec *gatewaySpec, sign func(http.Header, *transform.Request), host string, canonical []byte) ([]byte, error) {
	o, e := transform.DecodeOrder(canonical)
	if e != nil {
		return nil, e
	}
	req, e := spec.transform.BuildCreate(o)
	if e != nil {
		return nil, e
	}
	return signedRequest(sign, host, req), nil
}

// signedRequest serialises a gateway request with the headers paygate
// would send (exchange.go prepare: Accept, the request's own headers,
// Content-Type) and the credentials, for host.
func signedRequest(sign func(http.Header, *transform.Request), host string, req transform.Request) []byte {
	h := http.Header{"User-Agent": {userAgent}}
	for k, v := range req.Header {
		h.Set(k, v)
	}
	if req.ContentType != "" {
		h.Set("Content-Type", req.ContentType)
	}
	sign(h, &req)
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	headers := make([][2]string, 0, len(names))
	for _, k := range names {
		for _, v := range h[k] {
			headers = append(headers, [2]string{k, v})
		}
	}
	target := req.Path
	if req.RawQuery != "" {
		target += "?" + req.RawQuery
	}
	return serialise(req.Method, target, host, headers, req.Body)
}
