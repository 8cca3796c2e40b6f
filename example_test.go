package paygate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/filestorage" // storage file_system

	paygate "github.com/paygate/caddy-paygate"
	"github.com/paygate/caddy-paygate/signers"
	"github.com/paygate/caddy-paygate/transform"
)

// AcmePay is a gateway written outside paygate, as another repository would:
// it imports only paygate's exported API. Its (made-up) API takes
// POST /v1/orders {"reference","amount","currency"} with HTTP Basic
// api_key:api_secret and answers {"id","reference","amount","currency",
// "state","pay_url"}; GET /v1/orders/{reference} reads an order back.
type AcmePay struct {
	// APIKey and APISecret are written as {env.*} or {file.*} placeholders,
	// resolved once in Provision; the JSON config keeps the placeholders.
	APIKey    string `json:"api_key,omitempty"`
	APISecret string `json:"api_secret,omitempty"`

	apiKey string
	signer *signers.Basic
}

func init() {
	caddy.RegisterModule(AcmePay{})
}

// CaddyModule puts AcmePay in paygate's gateway namespace: "paygate acmepay"
// in a Caddyfile, {"name": "acmepay"} in JSON.
func (AcmePay) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.paygate.gateways.acmepay",
		New: func() caddy.Module { return new(AcmePay) },
	}
}

// UnmarshalOption reads AcmePay's options of the paygate block.
func (g *AcmePay) UnmarshalOption(d *caddyfile.Dispenser) (bool, error) {
	var dst *string
	switch d.Val() {
	case "api_key":
		dst = &g.APIKey
	case "api_secret":
		dst = &g.APISecret
	default:
		return false, nil
	}
	if !d.AllArgs(dst) {
		return true, d.ArgErr()
	}
	return true, nil
}

// Provision resolves the credentials once.
func (g *AcmePay) Provision(caddy.Context) error {
	repl := caddy.NewReplacer()
	key, err := repl.ReplaceOrErr(g.APIKey, true, true)
	if err != nil || key == "" {
		return fmt.Errorf("api_key is required: %v", err)
	}
	secret, err := repl.ReplaceOrErr(g.APISecret, true, true)
	if err != nil || secret == "" {
		return fmt.Errorf("api_secret is required: %v", err)
	}
	g.apiKey, g.signer = key, signers.NewBasic(key, secret)
	return nil
}

// Authorize sets Basic api_key:api_secret on each upstream attempt.
func (g *AcmePay) Authorize(_ context.Context, h http.Header, _ *transform.Request) error {
	g.signer.Sign(h)
	return nil
}

// AccountIdentity names the merchant account of the idempotency records.
func (g *AcmePay) AccountIdentity() string { return g.apiKey }

// Name is the gateway's name in results and errors.
func (AcmePay) Name() string { return "acmepay" }

type acmeOrder struct {
	ID        string `json:"id,omitempty"`
	Reference string `json:"reference"`
	Amount    string `json:"amount"`
	Currency  string `json:"currency"`
	State     string `json:"state,omitempty"`
	PayURL    string `json:"pay_url,omitempty"`
}

var acmeStates = transform.StatusMap{"open": transform.StatusCreated, "paid": transform.StatusPaid}

// BuildCreate sends the order in AcmePay's terms: INR in major units.
func (AcmePay) BuildCreate(o *transform.Order) (transform.Request, *transform.Error) {
	if o.Currency != "INR" {
		return transform.Request{}, transform.Invalid("currency", "acmepay takes INR only")
	}
	body, _ := json.Marshal(acmeOrder{Reference: o.OrderID, Amount: o.Amount.Fixed(2), Currency: o.Currency})
	return transform.Request{Method: http.MethodPost, Path: "/v1/orders", ContentType: "application/json", Body: body}, nil
}

// ParseCreate maps the create answer, and refuses one that is not about
// the order sent.
func (g AcmePay) ParseCreate(o *transform.Order, status int, body []byte) (*transform.Result, *transform.Error) {
	res, e := g.parse(o.OrderID, status, body)
	if e == nil && (res.Amount != o.Amount.Fixed(2) || res.Currency != o.Currency) {
		return nil, &transform.Error{Type: transform.DuplicateOrder, Gateway: "acmepay", Field: "order_id",
			Message: "acmepay holds another order under this order_id"}
	}
	return res, e
}

// BuildStatus reads an order back by the merchant's id.
func (AcmePay) BuildStatus(orderID string) (transform.Request, *transform.Error) {
	return transform.Request{Method: http.MethodGet, Path: "/v1/orders/" + orderID}, nil
}

// ParseStatus maps the status answer.
func (g AcmePay) ParseStatus(orderID string, status int, body []byte) (*transform.Result, *transform.Error) {
	return g.parse(orderID, status, body)
}

func (AcmePay) parse(orderID string, status int, body []byte) (*transform.Result, *transform.Error) {
	fail := func(t transform.ErrorType) *transform.Error {
		return &transform.Error{Type: t, Gateway: "acmepay", Message: fmt.Sprintf("acmepay answered HTTP %d", status)}
	}
	switch {
	case status == http.StatusUnauthorized:
		return nil, fail(transform.GatewayAuthenticationFailed)
	case status == http.StatusNotFound:
		return nil, fail(transform.OrderNotFound)
	case status >= 400 && status < 500:
		return nil, fail(transform.GatewayRejected)
	case status >= 300:
		return nil, fail(transform.GatewayError)
	}
	var a acmeOrder
	if err := json.Unmarshal(body, &a); err != nil || a.ID == "" {
		return nil, fail(transform.GatewayError)
	}
	if a.Reference != orderID {
		return nil, fail(transform.GatewayError) // an answer about another order
	}
	return &transform.Result{Gateway: "acmepay", OrderID: a.Reference, GatewayOrderID: a.ID,
		Status: acmeStates.Map(a.State), GatewayStatus: a.State, Amount: a.Amount, Currency: a.Currency,
		PaymentURL: a.PayURL}, nil
}

// Interface guards: what the handler asks of a gateway module.
var (
	_ paygate.Gateway           = (*AcmePay)(nil)
	_ paygate.OptionUnmarshaler = (*AcmePay)(nil)
	_ paygate.AccountIdentifier = (*AcmePay)(nil)
	_ caddy.Provisioner         = (*AcmePay)(nil)
)

// A gateway from another repository is configured like the built-in ones:
// its options sit in the paygate block, and the JSON config keeps its
// credentials as placeholders.
func Example() {
	caddyfileText := `:8080 {
	handle /acme/* {
		paygate acmepay {
			api_key    {env.ACME_API_KEY}
			api_secret {env.ACME_API_SECRET}
		}
		reverse_proxy https://api.acmepay.example
	}
}`
	cfg, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfileText), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var c struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Routes []struct {
						Handle []struct {
							Routes []struct {
								Handle []json.RawMessage `json:"handle"`
							} `json:"routes"`
						} `json:"handle"`
					} `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(cfg, &c); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s\n", c.Apps.HTTP.Servers["srv0"].Routes[0].Handle[0].Routes[0].Handle[0])
	// Output:
	// {"gateway":{"api_key":"{env.ACME_API_KEY}","api_secret":"{env.ACME_API_SECRET}","name":"acmepay"},"handler":"paygate"}
}

// acmeUpstream is AcmePay's API for the test: it checks the credentials and
// keeps the orders it created.
type acmeUpstream struct {
	mu     sync.Mutex
	orders map[string]acmeOrder
	calls  int
	auth   []string
}

func (u *acmeUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.calls++
	u.auth = append(u.auth, r.Header.Get("Authorization"))
	if key, secret, ok := r.BasicAuth(); !ok || key != "acme_key_1" || secret != "acme-secret-value" {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/orders":
		var a acmeOrder
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		a.ID, a.State, a.PayURL = fmt.Sprintf("ac_%d", len(u.orders)+1), "open", "https://pay.acmepay.example/"+a.Reference
		u.orders[a.Reference] = a
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(a)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/orders/"):
		a, ok := u.orders[strings.TrimPrefix(r.URL.Path, "/v1/orders/")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(a)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

// The example gateway, registered from outside the package, is configured
// from a Caddyfile and served by a real Caddy: the Caddyfile hints list it,
// its options are strict, and a create and a status go through paygate's
// idempotency, its signer and reverse_proxy to AcmePay's API.
func TestExternalGateway(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Setenv("PAYGATE_EX_ACME_KEY", "acme_key_1")
	t.Setenv("PAYGATE_EX_ACME_SECRET", "acme-secret-value")

	adapt := func(block string) ([]byte, error) {
		cfg, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(block), map[string]any{"filename": "Caddyfile"})
		return cfg, err
	}
	// The hints come from Caddy's module registry, so they name AcmePay.
	if _, err := adapt(":1 {\n\tpaygate\n}"); err == nil || !strings.Contains(err.Error(), "acmepay") {
		t.Errorf("a paygate without a gateway name: error %v, want the registered gateways, acmepay among them", err)
	}
	if _, err := adapt(":1 {\n\tpaygate acmepy\n}"); err == nil || !strings.Contains(err.Error(), "acmepay") {
		t.Errorf("a misspelt gateway: error %v, want the registered gateways, acmepay among them", err)
	}
	// AcmePay's options are as strict as the built-in gateways' options.
	for block, want := range map[string]string{
		"paygate acmepay {\n\t\tapi_key a\n\t\tapi_sekret b\n\t}": `unknown option "api_sekret" for paygate acmepay`,
		"paygate acmepay {\n\t\tapi_key a\n\t\tapi_key b\n\t}":    `duplicate option "api_key"`,
		"paygate acmepay {\n\t\tapi_key a b\n\t}":                 "wrong argument count",
	} {
		_, err := adapt(":1 {\n\t" + block + "\n}")
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "Caddyfile:") {
			t.Errorf("%q: error %v, want %q with the file and line", block, err, want)
		}
	}

	upstream := &acmeUpstream{orders: map[string]acmeOrder{}}
	api := httptest.NewServer(upstream)
	defer api.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg, err := adapt(fmt.Sprintf(`{
	admin off
	persist_config off
	auto_https off
	storage file_system %s
}
http://%s {
	handle /acme/* {
		paygate acmepay {
			api_key    {env.PAYGATE_EX_ACME_KEY}
			api_secret {env.PAYGATE_EX_ACME_SECRET}
		}
		reverse_proxy %s
	}
}`, t.TempDir(), addr, strings.TrimPrefix(api.URL, "http://")))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(cfg, []byte("acme-secret-value")) {
		t.Fatal("the adapted config holds the resolved secret")
	}
	if err := caddy.Load(cfg, true); err != nil {
		t.Fatalf("loading the config: %v", err)
	}
	t.Cleanup(func() { caddy.Stop() })

	client := &http.Client{Timeout: 10 * time.Second}
	call := func(method, path, body string) (int, http.Header, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Basic YXBwOmFwcA==") // the application's own: never forwarded
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: answer is not JSON: %s", method, path, raw)
		}
		return resp.StatusCode, resp.Header, m
	}

	order := `{"order_id":"ORD1001","amount":"105.5","currency":"INR"}`
	status, _, res := call(http.MethodPost, "/acme/orders", order)
	if _, ok := res["created_at"].(string); !ok {
		t.Errorf("create: no created_at in %v", res)
	}
	delete(res, "created_at") // the time of the answer: AcmePay gives none
	want := map[string]any{"gateway": "acmepay", "order_id": "ORD1001", "gateway_order_id": "ac_1", "status": "created",
		"gateway_status": "open", "amount": "105.50", "currency": "INR", "payment_url": "https://pay.acmepay.example/ORD1001"}
	if status != http.StatusCreated || fmt.Sprint(res) != fmt.Sprint(want) {
		t.Fatalf("create: %d %v, want 201 %v", status, res, want)
	}
	// The identical retry is answered from paygate's record, not sent again.
	status, header, res := call(http.MethodPost, "/acme/orders", order)
	delete(res, "created_at")
	if status != http.StatusCreated || header.Get("Idempotent-Replayed") != "true" || fmt.Sprint(res) != fmt.Sprint(want) {
		t.Errorf("retry: %d %v %v, want the recorded answer", status, header, res)
	}
	status, _, res = call(http.MethodGet, "/acme/orders/ORD1001", "")
	if status != http.StatusOK || res["status"] != "created" || res["gateway_order_id"] != "ac_1" {
		t.Errorf("status: %d %v", status, res)
	}
	status, _, res = call(http.MethodGet, "/acme/orders/ORD404", "")
	if e, _ := res["error"].(map[string]any); status != http.StatusNotFound || e["type"] != "order_not_found" {
		t.Errorf("unknown order: %d %v, want 404 order_not_found", status, res)
	}
	// A rule of the gateway's own is checked before any call.
	status, _, res = call(http.MethodPost, "/acme/orders", `{"order_id":"ORD1002","amount":"5","currency":"USD"}`)
	if e, _ := res["error"].(map[string]any); status != http.StatusBadRequest || e["field"] != "currency" {
		t.Errorf("USD order: %d %v, want 400 naming currency", status, res)
	}

	upstream.mu.Lock()
	defer upstream.mu.Unlock()
	if upstream.calls != 3 {
		t.Errorf("AcmePay got %d calls, want 3 (create, two status)", upstream.calls)
	}
	for _, a := range upstream.auth {
		if a == "Basic YXBwOmFwcA==" {
			t.Errorf("the application's Authorization reached the gateway")
		}
	}
}
