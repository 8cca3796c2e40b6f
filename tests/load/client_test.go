package main

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The harness's own HTTP/1.1 client must read every framing Caddy may
// send, or a route's figures would silently count broken requests.
func TestClientReadsEveryFraming(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", "11")
			w.WriteHeader(http.StatusCreated)
			w.Write([]byte(`{"ok":true}`))
		case "/chunked":
			w.WriteHeader(http.StatusOK)
			for _, part := range []string{`{"a":`, `"b"`, `}`} {
				w.Write([]byte(part))
				w.(http.Flusher).Flush()
			}
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c, err := dial(host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for _, want := range []struct {
		path, body string
		status     int
		close      bool
	}{
		{"/length", `{"ok":true}`, 201, false},
		{"/chunked", `{"a":"b"}`, 200, false},
		{"/length", `{"ok":true}`, 201, false}, // the connection was kept alive
		{"/close", "bye", 200, true},
	} {
		req := serialise(http.MethodPost, want.path, host, [][2]string{{"Content-Type", "application/json"}}, []byte(`{}`))
		status, body, mustClose, err := c.do(req, 5*time.Second)
		if err != nil || status != want.status || string(body) != want.body || mustClose != want.close {
			t.Errorf("%s: %d %q close=%v err=%v; want %d %q close=%v", want.path, status, body, mustClose, err, want.status, want.body, want.close)
		}
	}
}

func TestReadResponseRejectsGarbage(t *testing.T) {
	buf := make([]byte, 0, 64)
	for _, raw := range []string{"", "SSH-2.0\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"} {
		if _, _, _, err := readResponse(bufio.NewReader(strings.NewReader(raw)), &buf); err == nil {
			t.Errorf("%q: no error", raw)
		}
	}
}

func TestPercentileNearestRank(t *testing.T) {
	v := []int64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}
	for _, c := range []struct {
		p    float64
		want float64
	}{{0.5, 50}, {0.99, 100}, {0.1, 10}, {0.11, 20}} {
		if got := percentile(v, c.p); got != c.want {
			t.Errorf("p%.0f = %v, want %v", c.p*100, got, c.want)
		}
	}
}

// The plain route must carry what paygate would send: same path, body and
// credentials, so that both routes reach the same emulator handler.
func TestPlainRequestIsPaygatesUpstreamRequest(t *testing.T) {
	for _, spec := range gatewaySpecs() {
		if spec.name == "enkash" {
			continue // needs a token from a running emulator
		}
		sign, err := spec.session(t.Context(), "127.0.0.1:1")
		if err != nil {
			t.Fatal(err)
		}
		raw, err := plainRequest(spec, sign, "127.0.0.1:9", orderID(7, 42))
		if err != nil {
			t.Fatalf("%s: %v", spec.name, err)
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(string(raw))))
		if err != nil {
			t.Fatalf("%s: unreadable request: %v\n%s", spec.name, err, raw)
		}
		if req.Method != http.MethodPost || req.Header.Get("Accept") != "application/json" || req.ContentLength <= 0 {
			t.Errorf("%s: %s %s %v", spec.name, req.Method, req.URL, req.Header)
		}
		if req.Header.Get("Authorization") == "" && req.Header.Get("X-Signature") == "" {
			t.Errorf("%s: no credentials in %v", spec.name, req.Header)
		}
		if !strings.Contains(string(raw), "L00700000042") {
			t.Errorf("%s: order id missing from\n%s", spec.name, raw)
		}
	}
}
