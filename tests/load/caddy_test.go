package main

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/paygate/caddy-paygate"
)

// The harness's own Caddyfile, in a real Caddy (in this process) with
// paygate, in front of the stand-in: every operation of every gateway
// succeeds on both routes with the requests the harness builds, the
// webhook routes hand every notification to the application as an event
// (the real verifiers accepted its signature), and a redelivery is
// acknowledged without reaching it, which the harness's count catches.
func TestEveryOperationThroughCaddy(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	st := newStandin()
	srv := httptest.NewServer(st.handler())
	defer srv.Close()
	up := strings.TrimPrefix(srv.URL, "http://")

	p := &caddyProc{webhooks: true, logLevel: "ERROR"}
	var err error
	if p.admin, err = freePort(); err != nil {
		t.Fatal(err)
	}
	for _, spec := range gatewaySpecs() {
		s := &site{spec: spec, upstream: up}
		if s.front, err = freePort(); err != nil {
			t.Fatal(err)
		}
		p.sites = append(p.sites, s)
		for _, c := range spec.creds {
			t.Setenv(c.env, c.value)
		}
	}
	cf := p.caddyfile()
	for _, spec := range gatewaySpecs() {
		if !strings.Contains(cf, "handle "+webhookPath(spec.name)+" {\n\t\tpaygate_webhook "+spec.name+" {") {
			t.Errorf("no paygate_webhook route for %s:\n%s", spec.name, cf)
		}
	}
	if n := strings.Count(cf, "reverse_proxy "+up+"\n"); n != 3*len(p.sites) {
		t.Errorf("%d reverse_proxy lines to the stand-in; want 3 per gateway:\n%s", n, cf)
	}
	cfgJSON, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(cf), nil)
	if err != nil {
		t.Fatalf("the Caddyfile does not adapt: %v\n%s", err, cf)
	}
	for _, w := range warnings {
		t.Logf("Caddyfile warning: %s", w)
	}
	if err := caddy.Load(cfgJSON, true); err != nil {
		t.Fatalf("caddy refuses the config: %v\n%s", err, cf)
	}
	defer caddy.Stop()
	if err := p.waitListening(); err != nil {
		t.Fatal(err)
	}

	h := &harness{}
	measured := 0
	for _, s := range p.sites {
		for _, o := range []operation{opCreate, opRefund, opWebhook} {
			if ok, _ := s.spec.supports(o); !ok {
				continue
			}
			measured++
			for _, r := range []route{plainRoute, paygateRoute} {
				h.segment++
				calls, err := h.buildCalls(t.Context(), s, o, r, 3)
				if err != nil {
					t.Fatalf("%s %s %s: %v", s.spec.name, o, r, err)
				}
				events := st.app.events.Load()
				ph := &phase{addr: s.front, requests: calls, concurrency: 1, timeout: 10 * time.Second, deadline: time.Now().Add(time.Minute)}
				res := ph.run(t.Context())
				if res.ok() != 3 || res.errors != 0 {
					t.Errorf("%s %s %s: %d passed, %d failed (first: %s)", s.spec.name, o, r, res.ok(), res.errors, res.sample)
				}
				if o != opWebhook || r != paygateRoute {
					ph.closeConns()
					continue
				}
				if got := st.app.events.Load() - events; got != 3 {
					t.Errorf("%s: %d events reached the application for 3 notifications", s.spec.name, got)
				}
				// The same notifications again: acknowledged, not delivered.
				events = st.app.events.Load()
				res = ph.run(t.Context())
				ph.closeConns()
				if res.ok() != 3 || st.app.events.Load() != events {
					t.Errorf("%s: redelivered notifications: %d acknowledged, %d events delivered; want 3 and none",
						s.spec.name, res.ok(), st.app.events.Load()-events)
				}
			}
		}
	}
	if measured != 11 {
		t.Errorf("%d gateway operations measured; want 4 creates, 3 refunds, 4 webhooks", measured)
	}
}
