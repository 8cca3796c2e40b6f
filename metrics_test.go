package paygate

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/paygate/caddy-paygate/transform"
)

// The EnKash module registers and feeds its token fetch counter on the
// registry of the config that provisions it, with no handler involved; the
// handler's metrics do not hold it.
func TestEnKashOwnsItsTokenMetrics(t *testing.T) {
	et := newEnKashTokens(t)
	t.Setenv("PAYGATE_UT_ENKASH_AK", "ak_metrics")
	t.Setenv("PAYGATE_UT_ENKASH_SK", "sk_metrics")
	g := enkashModule(et.srv.URL+"?case=metrics", "PAYGATE_UT_ENKASH_SK")
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	if err := g.Provision(ctx); err != nil {
		t.Fatalf("Provision: %v", err)
	}
	defer g.Cleanup()
	if err := g.Authorize(requestContext(), http.Header{}, &transform.Request{}); err != nil {
		t.Fatal(err)
	}
	reg := ctx.GetMetricsRegistry()
	// The fetch is reported after the waiting request got its token.
	deadline := time.Now().Add(2 * time.Second)
	for tokenFetchCount(t, reg, "success") != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("paygate_token_fetches_total{gateway=enkash,result=success} = %v after one fetch, want 1",
				tokenFetchCount(t, reg, "success"))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := tokenFetchCount(t, reg, "failure"); n != 0 {
		t.Errorf("failures = %v, want 0", n)
	}

	// The handler's own metrics do not register the family: a config
	// without EnKash exposes no token counter.
	own := prometheus.NewRegistry()
	if _, err := newMetrics(own); err != nil {
		t.Fatal(err)
	}
	mfs, err := own.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "paygate_token_fetches_total" {
			t.Errorf("the handler's metrics register %s", mf.GetName())
		}
	}
}

// tokenFetchCount reads paygate_token_fetches_total{gateway="enkash",result}.
func tokenFetchCount(t *testing.T, reg prometheus.Gatherer, result string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "paygate_token_fetches_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["gateway"] == "enkash" && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
