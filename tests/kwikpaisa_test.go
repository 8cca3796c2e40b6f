package tests

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/tests/emulator"
)

// kwikpaisaCaddyfile runs paygate in front of the KwikPaisa emulator: the
// normal route, one with another service_type, two with wrong credentials
// and one whose upstream answers an HTML 500.
func kwikpaisaCaddyfile(htmlUpstream string) string {
	return fmt.Sprintf(`
:9180 {
	handle /kwikpaisa/* {
		paygate kwikpaisa {
			api_key    pk_test_it
			secret_key {env.PAYGATE_IT_KWIKPAISA_SECRET}
		}
		reverse_proxy 127.0.0.1:9181
	}
	handle /physical/* {
		paygate kwikpaisa {
			api_key      pk_test_it
			secret_key   {env.PAYGATE_IT_KWIKPAISA_SECRET}
			service_type PHYSICAL_GOODS
		}
		reverse_proxy 127.0.0.1:9181
	}
	handle /badsecret/* {
		paygate kwikpaisa {
			api_key    pk_test_it
			secret_key sk_not_the_secret
		}
		reverse_proxy 127.0.0.1:9181
	}
	handle /badkey/* {
		paygate kwikpaisa {
			api_key    pk_test_wrong
			secret_key {env.PAYGATE_IT_KWIKPAISA_SECRET}
		}
		reverse_proxy 127.0.0.1:9181
	}
	handle /html/* {
		paygate kwikpaisa {
			api_key    pk_test_it
			secret_key {env.PAYGATE_IT_KWIKPAISA_SECRET}
		}
		reverse_proxy %s
	}
}

:9181 {
	paygate_emulator kwikpaisa {
		instance   kp-it
		api_key    pk_test_it
		secret_key {env.PAYGATE_IT_KWIKPAISA_SECRET}
	}
}
`, htmlUpstream)
}

const kpSecret = "sk_test_it_7c1e9b"

// paygate remembers create answers by order_id across config reloads
// (README "Retries and idempotency"), so every create in these tests uses an
// order_id of its own.
var (
	kpRun    = strconv.FormatInt(time.Now().UnixNano()%(1<<30), 36)
	kpSerial atomic.Int64
)

func kpID(base string) string {
	return fmt.Sprintf("%s-%s%d", base, kpRun, kpSerial.Add(1))
}

// kpOrderAs is kpOrder with its own order_id, and the wire body expected for it.
func kpOrderAs(id string) (order, wire string) {
	return strings.ReplaceAll(kpOrder, "KP-1001", id), strings.ReplaceAll(kpWireBody, "KP-1001", id)
}

func startKwikPaisa(t *testing.T) *emulator.KwikPaisa {
	t.Helper()
	t.Setenv("PAYGATE_IT_KWIKPAISA_SECRET", kpSecret)
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, "<html><body><h1>500 Internal Server Error</h1></body></html>")
	}))
	t.Cleanup(html.Close)
	startCaddy(t, kwikpaisaCaddyfile(strings.TrimPrefix(html.URL, "http://")))
	kpWaitReady(t)
	return freshEmulator(t, "kp-it").(*emulator.KwikPaisa)
}

// kpWaitReady waits until the new config answers on both ports. After a
// reload the previous config's sockets (SO_REUSEPORT) close a moment after
// the load returns, and a connection the kernel gave one of them is reset;
// kept-alive connections to the old server would fail a POST the same way.
func kpWaitReady(t *testing.T) {
	t.Helper()
	client.CloseIdleConnections()
	probe := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	ok := 0
	for attempt := 0; attempt < 100 && ok < 3; attempt++ {
		time.Sleep(20 * time.Millisecond)
		resp, err := probe.Get(url(9180, "/kwikpaisa/orders/ready-probe"))
		if err != nil {
			ok = 0
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound { // order_not_found: paygate and the emulator both answered
			ok++
		} else {
			ok = 0
		}
	}
	if ok < 3 {
		t.Fatal("the KwikPaisa routes did not come up after the config load")
	}
}

// kpOrder has everything a signature can trip on: non-ASCII text, HTML
// characters, slashes, quotes, a query string and nested objects.
const kpOrder = `{
	"order_id": "KP-1001",
	"amount": "105.50",
	"currency": "INR",
	"description": "Notebook <A5> & \"pens\" / ink — 2 × ₹52.75",
	"customer": {"id": "c-7", "name": "Zoë Ñandú 山田 😀", "email": "zoe@example.com", "phone": "9816512345"},
	"billing_address": {"line1": "12/3 MG Road", "line2": "Near Café", "line3": "Indiranagar",
		"city": "Bengaluru", "state": "KA", "country": "IN", "postal_code": "560001"},
	"return_url": "https://shop.example.com/return?order=KP-1001&src=pg"
}`

const kpWireBody = `{"customer":{"address":{"city":"Bengaluru","country":"IN","line1":"12/3 MG Road","line2":"Near Café, Indiranagar","postal_code":"560001","state":"KA"},"email":"zoe@example.com","name":"Zoë Ñandú 山田 😀","phone":"9816512345"},"order_amount":105.5,"order_currency":"INR","order_id":"KP-1001","order_note":"Notebook <A5> & \"pens\" / ink — 2 × ₹52.75","return_url":"https://shop.example.com/return?order=KP-1001&src=pg","service_type":"DIGITAL"}`

// kpCheckSigned checks the credentials of one request the emulator got,
// recomputing the signature independently of paygate's signer.
func kpCheckSigned(t *testing.T, rec emulator.Received, notBefore, notAfter int64) {
	t.Helper()
	for _, h := range []string{"X-Api-Key", "X-Timestamp", "X-Signature"} {
		if n := len(rec.Header.Values(h)); n != 1 {
			t.Errorf("%s sent %d times, want once", h, n)
		}
	}
	if k := rec.Header.Get("X-API-KEY"); k != "pk_test_it" {
		t.Errorf("X-API-KEY = %q", k)
	}
	ts := rec.Header.Get("X-TIMESTAMP")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec < notBefore || sec > notAfter {
		t.Errorf("X-TIMESTAMP = %q, want unix seconds in [%d, %d]", ts, notBefore, notAfter)
	}
	mac := hmac.New(sha256.New, []byte(kpSecret))
	mac.Write(rec.Body)
	mac.Write([]byte(ts))
	if want := hex.EncodeToString(mac.Sum(nil)); rec.Header.Get("X-SIGNATURE") != want {
		t.Errorf("X-SIGNATURE = %q, want %q", rec.Header.Get("X-SIGNATURE"), want)
	}
	if ct := rec.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if a := rec.Header.Get("Authorization"); a != "" {
		t.Errorf("Authorization reached the gateway: %q", a)
	}
}

func TestKwikPaisaCreateAndStatus(t *testing.T) {
	emu := startKwikPaisa(t)
	id := kpID("KP")
	order, wire := kpOrderAs(id)

	before := time.Now().Unix()
	// The application tries to supply credentials; paygate's must win.
	r := call(t, "POST", url(9180, "/kwikpaisa/orders"), order,
		"X-Api-Key", "pk_evil", "X-Signature", "forged", "X-Timestamp", "1", "Authorization", "Bearer evil")
	after := time.Now().Unix()
	if r.status != http.StatusCreated {
		t.Fatalf("create: status %d, body %s", r.status, r.body)
	}
	res := r.json(t)
	for k, want := range map[string]any{
		"gateway": "kwikpaisa", "order_id": id, "status": "created", "gateway_status": "UN_PAID",
		"amount": "105.50", "currency": "INR",
	} {
		if res[k] != want {
			t.Errorf("result %s = %v, want %v", k, res[k], want)
		}
	}
	kwikX, _ := res["gateway_order_id"].(string)
	if !strings.HasPrefix(kwikX, "kp_") {
		t.Errorf("gateway_order_id = %v", res["gateway_order_id"])
	}
	if res["payment_url"] != "https://sandbox.kwikpaisa.com/payment/checkout/"+kwikX {
		t.Errorf("payment_url = %v", res["payment_url"])
	}
	// KwikPaisa's "DD-MM-YYYY hh:mm AM" IST, to the minute, comes back as UTC.
	created, err := time.Parse(time.RFC3339, fmt.Sprint(res["created_at"]))
	if err != nil || !strings.HasSuffix(fmt.Sprint(res["created_at"]), ":00Z") ||
		created.Unix() < before-60 || created.Unix() > after {
		t.Errorf("created_at = %v, want this minute in RFC 3339 UTC", res["created_at"])
	}

	got := emu.Received()
	if len(got) != 1 {
		t.Fatalf("emulator received %d requests, want 1", len(got))
	}
	if got[0].Method != "POST" || got[0].Path != "/api/v3/pg/order/create" || got[0].Query != "" {
		t.Errorf("upstream request %s %s?%s", got[0].Method, got[0].Path, got[0].Query)
	}
	if string(got[0].Body) != wire {
		t.Errorf("upstream body\n got %s\nwant %s", got[0].Body, wire)
	}
	kpCheckSigned(t, got[0], before, after)

	// Status: a signed POST with {"order_id":…}; created, then paid.
	before = time.Now().Unix()
	r = call(t, "GET", url(9180, "/kwikpaisa/orders/"+id), "")
	after = time.Now().Unix()
	if r.status != http.StatusOK {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	if res := r.json(t); res["status"] != "created" || res["amount"] != "105.50" || res["gateway_order_id"] != kwikX {
		t.Errorf("status result %s", r.body)
	}
	rec := emu.Received()[1]
	if rec.Method != "POST" || rec.Path != "/api/v3/pg/order/status" || string(rec.Body) != `{"order_id":"`+id+`"}` {
		t.Errorf("status request %s %s %s", rec.Method, rec.Path, rec.Body)
	}
	kpCheckSigned(t, rec, before, after)

	if !emu.SetStatus(id, "PAID") {
		t.Fatalf("emulator does not know %s", id)
	}
	r = call(t, "GET", url(9180, "/kwikpaisa/orders/"+id+"/"), "")
	res = r.json(t)
	if r.status != http.StatusOK || res["status"] != "paid" || res["gateway_status"] != "PAID" || res["amount"] != "105.50" || res["currency"] != "INR" {
		t.Fatalf("status after payment: %d %s", r.status, r.body)
	}
	details, _ := res["gateway_details"].(map[string]any)
	if details["payment_method"] != "UPI" || !strings.HasPrefix(fmt.Sprint(details["transaction_id"]), "T") ||
		!strings.HasSuffix(fmt.Sprint(details["paid_at"]), "Z") {
		t.Errorf("gateway_details = %v", details)
	}
}

// The vendor's published Node.js recipe (top-level key sort, JSON.stringify,
// HMAC-SHA256 over payload + timestamp, hex) run on the exact bytes the
// emulator received must give back those bytes and the X-SIGNATURE sent.
func TestKwikPaisaNodeRecipe(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: cannot run KwikPaisa's Node.js signature recipe against our requests")
	}
	emu := startKwikPaisa(t)
	first, _ := kpOrderAs(kpID("KP"))
	third := kpID("KP_N3")
	orders := []string{
		first,
		`{"order_id":"` + kpID("KP-N2") + `","amount":100,"currency":"INR","description":"</script><b>&amp;</b> \\ back\\slash \u2028 end",
		  "customer":{"first_name":"Ærøskøbing","last_name":"Ørsted-Ñúñez","email":"o@example.com","phone":"+919816512345"},
		  "return_url":"https://shop.example.com/r/ü?q=a/b&x=<1>","gateway_options":{"service_type":"PHYSICAL_GOODS"}}`,
		`{"order_id":"` + third + `","amount":"0.05","currency":"INR",
		  "customer":{"name":"Dr. Ω","email":"w@example.com","phone":"9816512345"},"return_url":"http://localhost:8080/"}`,
	}
	for _, o := range orders {
		if r := call(t, "POST", url(9180, "/kwikpaisa/orders"), o); r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.body)
		}
	}
	if r := call(t, "GET", url(9180, "/kwikpaisa/orders/"+third), ""); r.status != http.StatusOK {
		t.Fatalf("status: %d %s", r.status, r.body)
	}
	received := emu.Received()
	if len(received) != 4 {
		t.Fatalf("emulator received %d requests, want 4", len(received))
	}
	type job struct {
		Body      string `json:"body"`
		Timestamp string `json:"timestamp"`
	}
	jobs := make([]job, len(received))
	for i, rec := range received {
		jobs[i] = job{string(rec.Body), rec.Header.Get("X-TIMESTAMP")}
	}
	in, _ := json.Marshal(map[string]any{"secret": kpSecret, "jobs": jobs})
	// KwikPaisa's sample (KP3/authentication/signature), verbatim in substance.
	const recipe = `
const crypto = require('crypto');
function generateSignature(data, secret, timestamp) {
  const sorted = Object.keys(data).sort().reduce((acc, key) => { acc[key] = data[key]; return acc; }, {});
  const payload = JSON.stringify(sorted);
  return { payload, signature: crypto.createHmac('sha256', secret).update(payload + timestamp).digest('hex') };
}
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(input.jobs.map(j => generateSignature(JSON.parse(j.body), input.secret, j.timestamp))));`
	cmd := exec.Command(node, "-e", recipe)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v: %s", err, stderr.String())
	}
	var results []struct{ Payload, Signature string }
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(received) {
		t.Fatalf("node output %s: %v", out, err)
	}
	for i, rec := range received {
		if results[i].Payload != string(rec.Body) {
			t.Errorf("request %d: the recipe's payload differs from what we sent\n sent %s\n node %s", i, rec.Body, results[i].Payload)
		}
		if sig := rec.Header.Get("X-SIGNATURE"); results[i].Signature != sig {
			t.Errorf("request %d: X-SIGNATURE %s, the recipe computes %s", i, sig, results[i].Signature)
		}
	}
}

func TestKwikPaisaServiceType(t *testing.T) {
	emu := startKwikPaisa(t)
	order := func(id, opts string) string {
		return `{"order_id":"` + id + `","amount":"10","currency":"INR","customer":{"name":"A","email":"a@example.com","phone":"9816512345"},"return_url":"https://s.example.com/r"` + opts + `}`
	}
	for _, c := range []struct{ path, body, want string }{
		{"/kwikpaisa/orders", order(kpID("ST"), ""), `"service_type":"DIGITAL"`},
		{"/physical/orders", order(kpID("ST"), ""), `"service_type":"PHYSICAL_GOODS"`},
		{"/physical/orders", order(kpID("ST"), `,"gateway_options":{"service_type":"DIGITAL"}`), `"service_type":"DIGITAL"`},
	} {
		if r := call(t, "POST", url(9180, c.path), c.body); r.status != http.StatusCreated {
			t.Fatalf("%s: %d %s", c.body, r.status, r.body)
		}
		rec := emu.Received()
		if last := string(rec[len(rec)-1].Body); !strings.HasSuffix(last, c.want+"}") {
			t.Errorf("%s %s: wire body %s lacks %s", c.path, c.body, last, c.want)
		}
	}
}

func TestKwikPaisaDuplicate(t *testing.T) {
	emu := startKwikPaisa(t)
	id := kpID("DUP")
	// Another client already used the order_id at the gateway.
	kpSeed(t, emu, id)
	order, _ := kpOrderAs(id)
	r := call(t, "POST", url(9180, "/kwikpaisa/orders"), order)
	e := r.canonicalError(t, 409, "duplicate_order")
	if e["gateway"] != "kwikpaisa" || e["gateway_code"] != "409" || e["gateway_message"] != "Duplicate order_id." || e["field"] != "order_id" {
		t.Errorf("duplicate error %v", e)
	}
	// The refusal is checked, not relayed: paygate asked for the order
	// (another amount: not ours).
	if n := len(emu.Received()); n != 3 {
		t.Errorf("emulator received %d requests, want 3 (the seed, paygate's create and its status check)", n)
	}
}

// kpSeed creates an order directly at the emulator, as another client would.
func kpSeed(t *testing.T, emu *emulator.KwikPaisa, orderID string) {
	t.Helper()
	body := `{"customer":{"email":"x@example.com","name":"X","phone":"9816512345"},"order_amount":1,"order_currency":"INR","order_id":"` +
		orderID + `","return_url":"https://x.example.com/r","service_type":"DIGITAL"}`
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(kpSecret))
	mac.Write([]byte(body + ts))
	req := httptest.NewRequest("POST", "/api/v3/pg/order/create", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-KEY", "pk_test_it")
	req.Header.Set("X-TIMESTAMP", ts)
	req.Header.Set("X-SIGNATURE", hex.EncodeToString(mac.Sum(nil)))
	w := httptest.NewRecorder()
	emu.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("seeding the emulator: %d %s", w.Code, w.Body)
	}
}

func TestKwikPaisaAuthFailure(t *testing.T) {
	emu := startKwikPaisa(t)
	id := kpID("AUTH")
	order, _ := kpOrderAs(id)
	for _, c := range []struct{ method, path, body, message string }{
		{"POST", "/badsecret/orders", order, "Invalid signature."},
		{"GET", "/badsecret/orders/" + id, "", "Invalid signature."},
		{"POST", "/badkey/orders", order, "Invalid API key."},
	} {
		r := call(t, c.method, url(9180, c.path), c.body)
		e := r.canonicalError(t, 502, "gateway_authentication_failed")
		if e["gateway_message"] != c.message || e["gateway_code"] != "401" {
			t.Errorf("%s %s: %v", c.method, c.path, e)
		}
		for _, s := range []string{"sk_not_the_secret", kpSecret, "pk_test_wrong"} {
			if strings.Contains(string(r.body), s) {
				t.Errorf("%s %s: the answer leaks a credential: %s", c.method, c.path, r.body)
			}
		}
	}
	if n := len(emu.Received()); n != 3 {
		t.Errorf("emulator received %d requests, want 3", n)
	}
}

// Orders KwikPaisa cannot take are refused by paygate, naming the field,
// and never reach the gateway.
func TestKwikPaisaInvalidRequests(t *testing.T) {
	emu := startKwikPaisa(t)
	const tail = `"return_url":"https://s.example.com/r"`
	const cust = `"customer":{"name":"A","email":"a@example.com","phone":"9816512345"}`
	cases := []struct{ body, field string }{
		{`{"order_id":"I1","amount":"10","currency":"INR",` + tail + `}`, "customer.name"},
		{`{"order_id":"I1","amount":"10","currency":"INR","customer":{"name":"A","phone":"9816512345"},` + tail + `}`, "customer.email"},
		{`{"order_id":"I1","amount":"10","currency":"INR","customer":{"name":"A","email":"a@example.com"},` + tail + `}`, "customer.phone"},
		{`{"order_id":"I1","amount":"10","currency":"INR",` + cust + `}`, "return_url"},
		{`{"order_id":"I1","amount":"10","currency":"INR",` + cust + `,` + tail + `,"gateway_options":{"wallet_id":"w"}}`, "gateway_options.wallet_id"},
		{`{"order_id":"I1","amount":"10","currency":"INR",` + cust + `,` + tail + `,"gateway_options":{"service_type":true}}`, "gateway_options.service_type"},
		{`{"order_id":"I1","amount":"10.005","currency":"KWD",` + cust + `,` + tail + `}`, "amount"},
		{`{"order_id":"I1","amount":"12345678901234567.5","currency":"INR",` + cust + `,` + tail + `}`, "amount"},
		{`{"order_id":"I1","amount":"10.001","currency":"INR",` + cust + `,` + tail + `}`, "amount"},
		{`{"order_id":"I1","amount":"10","currency":"INR","customer":{"name":"A","email":"a@example.com","phone":"98-16"},` + tail + `}`, "customer.phone"},
		{`{"order_id":"I1","amount":"10","currency":"INR",` + cust + `,"return_url":"ftp://x/y"}`, "return_url"},
		{`{"order_id":"I 1","amount":"10","currency":"INR",` + cust + `,` + tail + `}`, "order_id"},
		{`{"order_id":"I1","amount":"10","currency":"INR",` + cust + `,` + tail + `,"colour":"red"}`, "colour"},
	}
	for _, c := range cases {
		r := call(t, "POST", url(9180, "/kwikpaisa/orders"), c.body)
		e := r.canonicalError(t, 400, "invalid_request")
		if e["field"] != c.field {
			t.Errorf("%s: field = %v, want %s", c.body, e["field"], c.field)
		}
	}
	call(t, "GET", url(9180, "/kwikpaisa/orders/bad%20id"), "").canonicalError(t, 400, "invalid_request")
	if n := len(emu.Received()); n != 0 {
		t.Errorf("the gateway was called %d times for invalid requests", n)
	}
}

func TestKwikPaisaGatewayErrors(t *testing.T) {
	emu := startKwikPaisa(t)
	const cust = `"customer":{"name":"A","email":"a@example.com","phone":"9816512345"},"return_url":"https://s.example.com/r"`

	r := call(t, "POST", url(9180, "/kwikpaisa/orders"), `{"order_id":"`+kpID("USD")+`","amount":"10","currency":"USD",`+cust+`}`)
	e := r.canonicalError(t, 422, "gateway_rejected")
	if e["gateway_message"] != "Currency USD is not supported." || e["gateway_code"] != "422" {
		t.Errorf("rejection %v", e)
	}

	e = call(t, "GET", url(9180, "/kwikpaisa/orders/NOPE-1"), "").canonicalError(t, 404, "order_not_found")
	if e["gateway_message"] != "Order not found." {
		t.Errorf("not found %v", e)
	}
	if n := len(emu.Received()); n != 2 {
		t.Errorf("emulator received %d requests, want 2", n)
	}

	order, _ := kpOrderAs(kpID("HTML"))
	call(t, "POST", url(9180, "/html/orders"), order).canonicalError(t, 502, "gateway_error")
}

// The emulator itself enforces what KwikPaisa's docs require, so the tests
// above prove something: these requests are signed correctly but break one
// rule each.
func TestKwikPaisaEmulatorVerifies(t *testing.T) {
	now := time.Unix(1778659835, 0)
	emu, err := emulator.NewKwikPaisa("pk_test_emu", "sk_test_emu")
	if err != nil {
		t.Fatal(err)
	}
	emu.Now = func() time.Time { return now }
	sign := func(body string, ts int64) string {
		mac := hmac.New(sha256.New, []byte("sk_test_emu"))
		mac.Write([]byte(body + strconv.FormatInt(ts, 10)))
		return hex.EncodeToString(mac.Sum(nil))
	}
	send := func(body string, ts int64, mutate func(h http.Header)) (int, string) {
		req := httptest.NewRequest("POST", "/api/v3/pg/order/create", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-API-KEY", "pk_test_emu")
		req.Header.Set("X-TIMESTAMP", strconv.FormatInt(ts, 10))
		req.Header.Set("X-SIGNATURE", sign(body, ts))
		if mutate != nil {
			mutate(req.Header)
		}
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, req)
		var m struct{ Message string }
		_ = json.Unmarshal(w.Body.Bytes(), &m)
		return w.Code, m.Message
	}
	body := func(id, amount string) string {
		return `{"customer":{"address":{"city":"Pune"},"email":"a@example.com","name":"Zoë","phone":"9816512345"},"order_amount":` + amount +
			`,"order_currency":"INR","order_id":"` + id + `","return_url":"https://s.example.com/r?a=1","service_type":"DIGITAL"}`
	}
	ts := now.Unix()
	cases := []struct {
		name    string
		body    string
		ts      int64
		mutate  func(http.Header)
		status  int
		message string
	}{
		{"canonical and signed", body("V1", "105.5"), ts, nil, 200, "API authentication successful!"},
		{"timestamp 300 s old", body("V2", "1"), ts - 300, nil, 200, "API authentication successful!"},
		{"timestamp 300 s ahead", body("V3", "1"), ts + 300, nil, 200, "API authentication successful!"},
		{"timestamp 301 s old", body("V4", "1"), ts - 301, nil, 401, "Request timestamp expired."},
		{"timestamp 301 s ahead", body("V4", "1"), ts + 301, nil, 401, "Request timestamp expired."},
		{"duplicate", body("V1", "105.5"), ts, nil, 409, "Duplicate order_id."},
		{"wrong key", body("V5", "1"), ts, func(h http.Header) { h.Set("X-API-KEY", "pk_other") }, 401, "Invalid API key."},
		{"upper-case hex", body("V5", "1"), ts, func(h http.Header) { h.Set("X-SIGNATURE", strings.ToUpper(h.Get("X-SIGNATURE"))) }, 401, "Invalid signature."},
		{"signature for another timestamp", body("V5", "1"), ts, func(h http.Header) { h.Set("X-TIMESTAMP", strconv.FormatInt(ts-1, 10)) }, 401, "Invalid signature."},
		{"milliseconds", body("V5", "1"), ts * 1000, nil, 401, "Request timestamp expired."},
		{"no signature", body("V5", "1"), ts, func(h http.Header) { h.Del("X-SIGNATURE") }, 401, "Missing authentication headers."},
		{"trailing zero in the amount", body("V6", "105.50"), ts, nil, 400, "Invalid payload format: keys must be sorted recursively, without whitespace, with unescaped slashes."},
		{"escaped slashes", strings.ReplaceAll(body("V6", "1"), "//", `\/\/`), ts, nil, 400, "Invalid payload format: keys must be sorted recursively, without whitespace, with unescaped slashes."},
		{"escaped non-ASCII", strings.ReplaceAll(body("V6", "1"), "ë", `\u00eb`), ts, nil, 400, "Invalid payload format: keys must be sorted recursively, without whitespace, with unescaped slashes."},
		{"whitespace", strings.ReplaceAll(body("V6", "1"), `,"order_currency"`, `, "order_currency"`), ts, nil, 400, "Invalid payload format: keys must be sorted recursively, without whitespace, with unescaped slashes."},
		{"only top-level keys sorted", strings.Replace(body("V6", "1"), `"email":"a@example.com","name":"Zoë"`, `"name":"Zoë","email":"a@example.com"`, 1), ts, nil, 400, "Invalid payload format: keys must be sorted recursively, without whitespace, with unescaped slashes."},
		{"amount as a string", body("V6", `"1"`), ts, nil, 400, "Invalid order amount."},
		{"three decimals", body("V6", "1.005"), ts, nil, 400, "Invalid order amount."},
		{"no phone", strings.Replace(body("V6", "1"), `,"phone":"9816512345"`, ``, 1), ts, nil, 400, "The customer.phone field is required."},
	}
	for _, c := range cases {
		status, msg := send(c.body, c.ts, c.mutate)
		if status != c.status || msg != c.message {
			t.Errorf("%s: %d %q, want %d %q", c.name, status, msg, c.status, c.message)
		}
	}
}
