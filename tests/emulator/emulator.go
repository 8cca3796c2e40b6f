// Package emulator holds local emulators of the payment gateways paygate
// speaks to. Each behaves as the gateway's published API does — it checks
// credentials, signatures and field rules and answers in the gateway's own
// shapes — so the integration tests, Caddyfile.example and the benchmarks
// exercise paygate against the same contract. They are plain http.Handlers,
// also exposed as the Caddy handler http.handlers.paygate_emulator.
package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Emulator is one emulated gateway.
type Emulator interface {
	http.Handler
	// Received returns every request the emulator was sent, oldest first.
	Received() []Received
	// Reset forgets orders and received requests.
	Reset()
}

// Received is one request as the emulator saw it on the wire.
type Received struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte
}

// Factory builds an emulator from its string options (credentials, …).
type Factory func(opts map[string]string) (Emulator, error)

var (
	factoriesMu sync.Mutex
	factories   = map[string]Factory{}

	instancesMu sync.Mutex
	instances   = map[string]Emulator{}
)

// Register makes an emulator available under a gateway name.
func Register(gateway string, f Factory) {
	factoriesMu.Lock()
	defer factoriesMu.Unlock()
	factories[gateway] = f
}

// Gateways lists the registered gateway names.
func Gateways() []string {
	factoriesMu.Lock()
	defer factoriesMu.Unlock()
	names := make([]string, 0, len(factories))
	for n := range factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New builds a fresh emulator.
func New(gateway string, opts map[string]string) (Emulator, error) {
	factoriesMu.Lock()
	f, ok := factories[gateway]
	factoriesMu.Unlock()
	if !ok {
		return nil, fmt.Errorf("no emulator for gateway %q (have %v)", gateway, Gateways())
	}
	return f(opts)
}

// Instance returns the named emulator, creating it on first use. Instances
// outlive Caddy config reloads, as a real gateway's state would.
func Instance(name, gateway string, opts map[string]string) (Emulator, error) {
	instancesMu.Lock()
	defer instancesMu.Unlock()
	if e, ok := instances[name]; ok {
		return e, nil
	}
	e, err := New(gateway, opts)
	if err != nil {
		return nil, err
	}
	instances[name] = e
	return e, nil
}

// Lookup returns a running named emulator, for tests to inspect.
func Lookup(name string) (Emulator, bool) {
	instancesMu.Lock()
	defer instancesMu.Unlock()
	e, ok := instances[name]
	return e, ok
}

// Forget drops a named instance so the next Instance call builds it anew.
func Forget(name string) {
	instancesMu.Lock()
	defer instancesMu.Unlock()
	delete(instances, name)
}

// maxJournal bounds the requests kept: a load run sends millions.
const maxJournal = 10000

// journal records received requests (the newest maxJournal); every
// emulator embeds one.
type journal struct {
	mu       sync.Mutex
	received []Received
}

// record reads the body and stores the request; it returns the body.
func (j *journal) record(r *http.Request) []byte {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	j.mu.Lock()
	if len(j.received) >= maxJournal {
		j.received = append(j.received[:0], j.received[maxJournal/2:]...)
	}
	j.received = append(j.received, Received{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body,
	})
	j.mu.Unlock()
	return body
}

func (j *journal) Received() []Received {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Received(nil), j.received...)
}

func (j *journal) resetJournal() {
	j.mu.Lock()
	j.received = nil
	j.mu.Unlock()
}

// randomID returns n random characters of [A-Za-z0-9], as gateways' ids use.
func randomID(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Refunding is implemented by the emulators of gateways with a refund API
// (Razorpay, Juspay, EnKash), so tests can pay an order and see exactly
// which refunds the gateway holds.
type Refunding interface {
	// Pay marks the merchant's order paid, as a customer's payment would,
	// with the payment attempts the gateway keeps (a successful one and a
	// failed one listed after it). It reports false for an unknown order.
	Pay(orderID string) bool
	// RefundCalls is the number of refund requests received (after
	// authentication), whatever their answer.
	RefundCalls() int
	// Refunds lists the refunds the gateway holds for the merchant's order.
	Refunds(orderID string) []Refund
	// SetRefundStatus moves a refund (by its gateway id) to a status in the
	// gateway's own words.
	SetRefundStatus(orderID, gatewayRefundID, status string) bool
}

// Refund is one refund an emulator holds.
type Refund struct {
	ID     string // the gateway's refund id
	Key    string // the merchant's key: receipt, unique_request_id, requestId
	Amount string // major units, the currency's places
	Status string // in the gateway's words
}

// controlPrefix starts the control endpoint that marks an order paid, served
// without credentials by every refunding emulator (README "Refunds"):
// POST /__control/orders/{order_id}/pay.
const controlPrefix = "/__control/orders/"

// controlPay reports whether r asks to pay an order, and which.
func controlPay(r *http.Request) (string, bool) {
	rest, ok := strings.CutPrefix(r.URL.Path, controlPrefix)
	if !ok {
		return "", false
	}
	id, ok := strings.CutSuffix(rest, "/pay")
	return id, ok && r.Method == http.MethodPost && id != "" && !strings.Contains(id, "/")
}

// serveControl answers a control request for em; it reports whether r was one.
func serveControl(em Refunding, w http.ResponseWriter, r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, controlPrefix) {
		return false
	}
	id, ok := controlPay(r)
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, []byte(`{"error":"use POST /__control/orders/{order_id}/pay"}`))
	case !em.Pay(id):
		writeJSON(w, http.StatusNotFound, []byte(`{"error":"no such order"}`))
	default:
		b, _ := json.Marshal(map[string]string{"order_id": id, "status": "paid"})
		writeJSON(w, http.StatusOK, b)
	}
	return true
}
