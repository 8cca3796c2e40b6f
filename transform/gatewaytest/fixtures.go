// Package gatewaytest holds what every gateway package's tests share: the
// contract fuzzers each gateway runs (FuzzBuild, FuzzParse, FuzzRefund,
// CheckParsedEvents), the published samples read in place, and small
// constructors. It is imported by tests only.
package gatewaytest

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
)

// FullOrder is a canonical create with every field set.
const FullOrder = `{
  "order_id": "ORD1001",
  "amount": "105.50",
  "currency": "INR",
  "description": "2 x notebook",
  "customer": {"id": "cust-7", "name": "Ajay Kumar", "email": "ajay@example.com", "phone": "9816512345"},
  "billing_address": {"line1": "12 MG Road", "line2": "", "line3": "", "city": "Bengaluru", "state": "KA", "country": "IN", "postal_code": "560001"},
  "shipping_address": {"line1": "12 MG Road", "city": "Bengaluru", "country": "IN", "postal_code": "560001"},
  "return_url": "https://shop.example.com/return",
  "notify_url": "https://shop.example.com/payment-events",
  "metadata": {"cart": "42"},
  "bank_account": {"account_number": "1234567890", "ifsc": "KKBK0000432", "name": "Ajay Kumar"},
  "gateway_options": {"service_type": "DIGITAL"}
}`

// OrderSeeds are the canonical creates every FuzzBuild starts from.
var OrderSeeds = []string{
	FullOrder,
	`{"order_id":"A1","amount":105.5,"currency":"INR","customer":{"name":"Zoë 山田","email":"z@example.com","phone":"+919816512345"},"return_url":"https://x.example/r?a=1"}`,
	`{"order_id":"K1","amount":"99.99","currency":"KWD","metadata":{"a":"<&>/"}}`,
	`{"order_id":"J1","amount":"5000","currency":"JPY","bank_account":{"account_number":"123","ifsc":"bad"}}`,
}

// The gateways' own published samples (vendor docs, official SDK test data,
// third-party connectors) are read in place from the shared reference
// folder beside the repository, never copied into it: they are other
// people's data. Their sources are listed in that folder's SOURCES.md.
var publishedDir = sync.OnceValue(func() string {
	// The folder sits beside the repository root, the directory of go.mod.
	dir, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "reference", "fixtures")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			panic("gatewaytest: no go.mod above " + dir)
		}
		dir = parent
	}
})

// Published reads one published sample, such as "razorpay/cs_create_order_200.json".
func Published(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(publishedDir(), name))
	if err != nil {
		t.Fatalf("published sample: %v", err)
	}
	return b
}

// PublishedSeeds are the published samples of one gateway, for fuzz seeds.
func PublishedSeeds(gateway string) [][]byte {
	files, _ := filepath.Glob(filepath.Join(publishedDir(), gateway, "*"))
	var out [][]byte
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// SharedSamples reads the published samples matching a glob, with ids
// rewritten to the ones the fuzzed call uses (old, new pairs).
func SharedSamples(f *testing.F, glob string, replace ...string) [][]byte {
	files, _ := filepath.Glob(filepath.Join(publishedDir(), glob))
	if len(files) == 0 {
		f.Fatalf("no samples match %s", glob)
	}
	var out [][]byte
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for i := 0; i+1 < len(replace); i += 2 {
			b = bytes.ReplaceAll(b, []byte(replace[i]), []byte(replace[i+1]))
		}
		out = append(out, b)
	}
	return out
}

// Fixture reads one of the calling gateway's own (invented) fixtures,
// testdata/<gateway>_<operation>_<case>.json.
func Fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// MustOrder decodes a canonical create or fails the test.
func MustOrder(t testing.TB, body string) *transform.Order {
	t.Helper()
	o, e := transform.DecodeOrder([]byte(body))
	if e != nil {
		t.Fatalf("DecodeOrder(%s): %v", body, e)
	}
	return o
}

// MustAmount is transform.ParseAmount for literals in tests.
func MustAmount(s string) transform.Amount {
	a, err := transform.ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// CodeOrder is an order built in code, as a published answer's request was.
func CodeOrder(id, amount, currency string) *transform.Order {
	return &transform.Order{OrderID: id, Amount: MustAmount(amount), Currency: currency}
}

// MustRefund decodes a canonical refund or fails the test.
func MustRefund(t testing.TB, body string) *transform.Refund {
	t.Helper()
	r, e := transform.DecodeRefund([]byte(body))
	if e != nil {
		t.Fatalf("DecodeRefund(%s): %v", body, e)
	}
	return r
}

// PaidOrder is an order's status answer as ParseStatus gives it.
func PaidOrder(gateway, orderID, gatewayOrderID, amount, currency string) *transform.Result {
	return &transform.Result{Gateway: gateway, OrderID: orderID, GatewayOrderID: gatewayOrderID, Status: transform.StatusPaid,
		GatewayStatus: "paid", Amount: amount, Currency: currency}
}
