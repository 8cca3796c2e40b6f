package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/enkash"
)

// TestMain lets startStandin re-execute the test binary as the stand-in,
// as it re-executes the harness binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "standin" {
		standinMain(os.Args[2:])
		return
	}
	os.Exit(m.Run())
}

// send writes a serialised request on a fresh connection with the
// harness's own client and returns the answer.
func send(t *testing.T, host string, raw []byte) (int, []byte) {
	t.Helper()
	c, err := dial(host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	status, body, _, err := c.do(raw, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return status, append([]byte(nil), body...)
}

// sendReq sends a transform.Request as paygate would (without credentials:
// the stand-in checks none).
func sendReq(t *testing.T, host string, req transform.Request) (int, []byte) {
	t.Helper()
	target := req.Path
	if req.RawQuery != "" {
		target += "?" + req.RawQuery
	}
	var headers [][2]string
	if req.ContentType != "" {
		headers = append(headers, [2]string{"Content-Type", req.ContentType})
	}
	for k, v := range req.Header {
		headers = append(headers, [2]string{k, v})
	}
	return send(t, host, serialise(req.Method, target, host, headers, req.Body))
}

// The stand-in's answers must pass paygate's own parsers with the ids and
// amounts of the request it got, for create and status, and must carry
// the marker the harness counts a plain-route success by. Two amounts show
// that the amount is echoed, not fixed.
func TestStandinAnswersPassPaygatesParsers(t *testing.T) {
	srv := httptest.NewServer(newStandin().handler())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, spec := range gatewaySpecs() {
		for i, amount := range []string{"105.50", "2.75"} {
			id := orderID(3, i)
			canonical := bytes.Replace(canonicalBody(id), []byte(`"amount":"105.50"`), []byte(`"amount":"`+amount+`"`), 1)
			o, e := transform.DecodeOrder(canonical)
			if e != nil {
				t.Fatal(e)
			}
			sign, err := spec.session(t.Context(), host) // EnKash: a token from the stand-in
			if err != nil {
				t.Fatalf("%s: %v", spec.name, err)
			}
			raw, err := plainRequestFor(spec, sign, host, canonical)
			if err != nil {
				t.Fatal(err)
			}
			status, body := send(t, host, raw)
			if status != spec.plainStatus || !bytes.Contains(body, spec.plainOK) {
				t.Errorf("%s: create answered %d %s; the harness wants %d with %s", spec.name, status, body, spec.plainStatus, spec.plainOK)
			}
			res, e := spec.transform.ParseCreate(o, status, body)
			if e != nil {
				t.Fatalf("%s: paygate refuses the create answer: %v\n%s", spec.name, e, body)
			}
			if res.OrderID != id || res.Amount != amount || res.Currency != "INR" || res.Status != transform.StatusCreated || res.GatewayOrderID == "" {
				t.Errorf("%s: create result %+v; want order %s, INR %s, created, a gateway id", spec.name, res, id, amount)
			}

			statusReqs := map[string]func() (transform.Request, *transform.Error){
				"by order id": func() (transform.Request, *transform.Error) { return spec.transform.BuildStatus(id) },
			}
			if ek, ok := spec.transform.(enkash.Dialect); ok {
				statusReqs["by EnKash id"] = func() (transform.Request, *transform.Error) { return ek.BuildStatusFor(res.GatewayOrderID) }
			}
			for how, build := range statusReqs {
				req, e := build()
				if e != nil {
					t.Fatal(e)
				}
				st, sb := sendReq(t, host, req)
				got, e := spec.transform.ParseStatus(id, st, sb)
				if e != nil {
					t.Fatalf("%s: paygate refuses the status answer (%s): %v\n%s", spec.name, how, e, sb)
				}
				if got.Amount != amount || got.Currency != "INR" || got.Status != transform.StatusCreated {
					t.Errorf("%s: status (%s) %+v; want INR %s, created", spec.name, how, got, amount)
				}
				if spec.name != "enkash" && got.GatewayOrderID != res.GatewayOrderID {
					t.Errorf("%s: status (%s) names gateway order %q, create %q", spec.name, how, got.GatewayOrderID, res.GatewayOrderID)
				}
			}
		}

		// An order the stand-in never created is not found, in the
		// gateway's own words.
		req, e := spec.transform.BuildStatus("NEVER000000")
		if e != nil {
			t.Fatal(e)
		}
		st, sb := sendReq(t, host, req)
		if _, e := spec.transform.ParseStatus("NEVER000000", st, sb); e == nil || e.Type != transform.OrderNotFound {
			t.Errorf("%s: status of an unknown order: %v (%d %s); want order_not_found", spec.name, e, st, sb)
		}
	}
}

// A create the stand-in cannot echo (no amount, no order id) is refused,
// never answered with a made-up success.
func TestStandinRefusesWhatItCannotEcho(t *testing.T) {
	srv := httptest.NewServer(newStandin().handler())
	defer srv.Close()
	for _, c := range []struct{ path, ctype, body string }{
		{"/v1/orders", "application/json", `{"currency":"INR","receipt":"A1"}`},
		{"/v1/orders", "application/json", `{"amount":"10.5","currency":"INR","receipt":"A1"}`},
		{"/orders", "application/x-www-form-urlencoded", "order_id=A1&currency=INR"},
		{"/orders", "application/x-www-form-urlencoded", "order_id=A1&amount=1e3&currency=INR"},
		{"/api/v3/pg/order/create", "application/json", `{"order_amount":10,"order_currency":"INR"}`},
		{"/api/v0/orders", "application/json", `{"orderId":"A1","amount":{"value":10,"currency":"USD"}}`},
		{"/api/v0/merchant/token", "application/json", `{}`},
	} {
		resp, err := http.Post(srv.URL+c.path, c.ctype, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("%s %s: %d %s; want a refusal", c.path, c.body, resp.StatusCode, b)
		}
	}
}

// The stand-in forgets its orders past standinMaxOrders rather than grow
// without bound over a long run.
func TestOrderStoreIsBounded(t *testing.T) {
	var s orderStore[int]
	for i := range standinMaxOrders + 10 {
		s.put(i, orderID(1, i))
	}
	if n := len(s.m); n != 10 {
		t.Errorf("%d orders kept; want the 10 put after the reset", n)
	}
	if _, ok := s.get(orderID(1, standinMaxOrders+9)); !ok {
		t.Error("the newest order is gone")
	}
}

// The harness starts the stand-in as its own process, reads its address,
// and stops it.
func TestStandinProcess(t *testing.T) {
	p, err := startStandin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	if p.pid() == os.Getpid() {
		t.Fatal("the stand-in runs in the harness's own process")
	}
	resp, err := http.Get("http://" + p.addr + "/v1/orders?receipt=none")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"entity":"collection"`)) {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
	p.stop()
	select {
	case <-p.exited:
	default:
		t.Error("the stand-in still runs after stop")
	}
}

// With the stand-in, both routes of every gateway lead to it, EnKash's
// token_url too, and no emulator is configured inside Caddy.
func TestCaddyfileRoutesBothToTheStandin(t *testing.T) {
	const up = "127.0.0.1:9000"
	p := &caddyProc{admin: "127.0.0.1:2019"}
	for i, spec := range gatewaySpecs() {
		p.sites = append(p.sites, &site{spec: spec, front: "127.0.0.1:" + strconv.Itoa(8001+i), upstream: up})
	}
	cf := p.caddyfile()
	if n := strings.Count(cf, "reverse_proxy "+up+"\n"); n != 2*len(p.sites) {
		t.Errorf("%d reverse_proxy lines to the stand-in; want 2 per gateway:\n%s", n, cf)
	}
	if strings.Contains(cf, "paygate_emulator") || !strings.Contains(cf, "token_url http://"+up+"/api/v0/merchant/token") {
		t.Errorf("emulator configured or EnKash token_url elsewhere:\n%s", cf)
	}
	// With the emulator, it is the upstream and is configured.
	p.sites = p.sites[:1]
	p.sites[0].emulator, p.sites[0].upstream = "127.0.0.1:9100", "127.0.0.1:9100"
	if cf := p.caddyfile(); !strings.Contains(cf, "paygate_emulator "+p.sites[0].spec.name) || strings.Count(cf, "reverse_proxy 127.0.0.1:9100\n") != 2 {
		t.Errorf("emulator mode:\n%s", cf)
	}
}
