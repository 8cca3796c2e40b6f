package tests

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hostileCases is hostile or broken input with the field the 400 must name
// ("" where no single field is at fault). Shared by every gateway's test.
func hostileCases() []struct{ name, body, field string } {
	ok := func(extra string) string { return `{"order_id":"H1","amount":"10","currency":"INR"` + extra + `}` }
	cases := []struct{ name, body, field string }{
		{"malformed JSON", `{"order_id":"H1",`, ""},
		{"not an object", `["order_id"]`, ""},
		{"trailing data", ok("") + `{"order_id":"H2"}`, ""},
		{"trailing garbage", ok("") + `garbage`, ""},
		{"exponent amount", `{"order_id":"H1","amount":1e1000000,"currency":"INR"}`, "amount"},
		{"exponent amount string", `{"order_id":"H1","amount":"1e1000000","currency":"INR"}`, "amount"},
		{"400-digit amount", `{"order_id":"H1","amount":` + strings.Repeat("7", 400) + `,"currency":"INR"}`, "amount"},
		{"400-digit decimals", `{"order_id":"H1","amount":"1.` + strings.Repeat("0", 400) + `1","currency":"INR"}`, "amount"},
		{"deep nesting", ok(`,"metadata":` + strings.Repeat(`{"a":`, 5000) + `"x"` + strings.Repeat(`}`, 5000)), "metadata.a"},
		{"deep array", ok(`,"customer":` + strings.Repeat(`[`, 5000) + strings.Repeat(`]`, 5000)), "customer"},
		{"invalid UTF-8", "{\"order_id\":\"H1\",\"amount\":\"10\",\"currency\":\"INR\",\"description\":\"\xc3\x28\"}", ""},
		{"raw control character", "{\"order_id\":\"H1\",\"amount\":\"10\",\"currency\":\"INR\",\"description\":\"a\tb\"}", ""},
		{"escaped control character", ok(`,"description":"a\u0000b"`), "description"},
		{"escaped control in metadata", ok(`,"metadata":{"k":"\u001b[31m"}`), "metadata.k"},
		{"unknown field", ok(`,"amount_in_paise":1050`), "amount_in_paise"},
		{"unknown customer field", ok(`,"customer":{"mobile":"9816512345"}`), "customer.mobile"},
		{"duplicate key trick", `{"order_id":"H1","amount":"10","currency":"INR","currency ":"USD"}`, "currency "},
	}
	// Wrong JSON types for every field.
	wrong := map[string][]string{
		"order_id":    {`1`, `true`, `{}`, `[]`},
		"amount":      {`true`, `{}`, `[]`, `"ten"`},
		"currency":    {`356`, `false`, `{}`},
		"description": {`1`, `{}`}, "return_url": {`1`, `[]`}, "notify_url": {`true`},
		"customer": {`"x"`, `1`, `[]`}, "billing_address": {`"x"`, `1`}, "shipping_address": {`[]`},
		"metadata": {`"x"`, `[]`, `1`}, "bank_account": {`"x"`, `true`}, "gateway_options": {`"x"`, `[1]`},
		"customer.name": {`1`}, "customer.email": {`{}`}, "customer.phone": {`9816512345`}, "customer.id": {`7`},
		"customer.first_name": {`[]`}, "customer.last_name": {`true`},
		"billing_address.city": {`1`}, "billing_address.postal_code": {`560001`}, "shipping_address.line1": {`{}`},
		"bank_account.account_number": {`1234567890`}, "bank_account.ifsc": {`[]`},
	}
	for field, values := range wrong {
		for _, v := range values {
			var body string
			if parent, child, nested := strings.Cut(field, "."); nested {
				body = ok(fmt.Sprintf(`,%q:{%q:%s}`, parent, child, v))
			} else if field == "order_id" || field == "amount" || field == "currency" {
				body = strings.Replace(ok(""), fmt.Sprintf(`%q:%s`, field, map[string]string{"order_id": `"H1"`, "amount": `"10"`, "currency": `"INR"`}[field]), fmt.Sprintf(`%q:%s`, field, v), 1)
			} else {
				body = ok(fmt.Sprintf(`,%q:%s`, field, v))
			}
			cases = append(cases, struct{ name, body, field string }{"wrong type " + field + "=" + v, body, field})
		}
	}
	return cases
}

// checkHostile sends every hostile case to a create URL and checks the 400
// names the field, answers quickly, and that the gateway saw nothing.
func checkHostile(t *testing.T, createURL string, received func() int) {
	t.Helper()
	for _, c := range hostileCases() {
		start := time.Now()
		r := call(t, "POST", createURL, c.body)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", c.name, d)
		}
		if r.status != 400 {
			t.Errorf("%s: status %d %s", c.name, r.status, r.body)
			continue
		}
		e := r.canonicalError(t, 400, "invalid_request")
		if got, _ := e["field"].(string); got != c.field {
			t.Errorf("%s: field %q, want %q (%s)", c.name, got, c.field, e["message"])
		}
	}
	if n := received(); n != 0 {
		t.Errorf("the gateway was called %d times for hostile input", n)
	}
}

func TestHostileInputRazorpay(t *testing.T) {
	emu := startIdem(t) // default max_body: the deep-nesting cases are 30 KB
	checkHostile(t, url(9480, "/orders"), func() int { return len(emu.Received()) })
}

// A 10 MB body is refused with 413 without being read: a declared length
// over max_body is refused before any byte of the body arrives, and an
// undeclared (chunked) stream is cut off after max_body (the Go server then
// drains at most 256 KiB before closing the connection).
func TestHugeBodyRefusedUnread(t *testing.T) {
	emu := startRazorpay(t)
	head := "POST /razorpay/orders HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"

	// Declared: 10 MB promised, nothing sent.
	conn, err := net.Dial("tcp", "127.0.0.1:9080")
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "%sContent-Length: %d\r\n\r\n", head, 10<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("declared 10 MB: no answer before the body was sent: %v", err)
	}
	resp.Body.Close()
	conn.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("declared 10 MB: status %d, want 413", resp.StatusCode)
	}

	// Chunked: stream up to 10 MB while waiting for the answer.
	conn, err = net.Dial("tcp", "127.0.0.1:9080")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "%sTransfer-Encoding: chunked\r\n\r\n", head)
	var sent atomic.Int64
	go func() {
		chunk := fmt.Sprintf("%x\r\n%s\r\n", 16<<10, strings.Repeat(" ", 16<<10))
		for sent.Load() < 10<<20 {
			if _, err := conn.Write([]byte(chunk)); err != nil {
				return
			}
			sent.Add(16 << 10)
		}
	}()
	resp, err = http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("chunked: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: status %d, want 413", resp.StatusCode)
	}
	if n := sent.Load(); n >= 10<<20 {
		t.Errorf("chunked: the whole 10 MB was sent (%d bytes) before the answer", n)
	} else {
		t.Logf("chunked: answered 413 after the client had sent %d of 10485760 bytes", n)
	}
	if n := len(emu.Received()); n != 0 {
		t.Errorf("gateway called %d times", n)
	}
}

// The same hostile input through every gateway's route.
func TestHostileInputAllGateways(t *testing.T) {
	t.Setenv("PAYGATE_HY_RZP", hyRazorpaySecret)
	t.Setenv("PAYGATE_HY_KP", hyKwikSecret)
	t.Setenv("PAYGATE_HY_JP", hyJuspayKey)
	t.Setenv("PAYGATE_HY_EK", hyEnKashSecret)
	load(t, hygieneCaddyfile(t.TempDir()+"/caddy.log", false), "caddyfile")
	for _, gw := range hygieneGateways() {
		t.Run(gw.name, func(t *testing.T) {
			emu := freshEmulator(t, gw.instance)
			checkHostile(t, url(9880, gw.prefix+"/orders"), func() int { return len(emu.Received()) })
		})
	}
}
