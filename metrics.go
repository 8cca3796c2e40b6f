package paygate

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the handler's, registered on Caddy's registry at every config
// load (ctx.GetMetricsRegistry); labels are low-cardinality only: gateway,
// operation and outcome, never an order id. A gateway module with metrics
// of its own registers them itself in its Provision, on the same registry
// (EnKash's token fetches, enkash.go), as Caddy's own modules do: the
// handler knows nothing of them.
type metrics struct {
	requests       *prometheus.CounterVec
	gatewayLatency *prometheus.HistogramVec
	replays        *prometheus.CounterVec
}

const metricsNamespace = "paygate"

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "requests_total",
			Help: "Canonical requests by gateway, operation (create, status, refund, refund_status) and outcome (success or the canonical error type).",
		}, []string{"gateway", "operation", "outcome"}),
		gatewayLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: metricsNamespace, Name: "gateway_request_duration_seconds",
			Help:    "Time from handing a request to reverse_proxy to having the gateway's whole answer.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"gateway", "operation"}),
		replays: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "idempotent_replays_total",
			Help: "Creates and refunds answered from a recorded outcome without calling the gateway.",
		}, []string{"gateway"}),
	}
	var err error
	m.requests, err = register(reg, m.requests)
	if err != nil {
		return nil, err
	}
	if m.gatewayLatency, err = register(reg, m.gatewayLatency); err != nil {
		return nil, err
	}
	if m.replays, err = register(reg, m.replays); err != nil {
		return nil, err
	}
	return m, nil
}

// register adds c to reg, or returns the collector already registered there
// by an earlier handler or gateway of the same config (every paygate route
// shares them). A nil reg registers nothing.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if reg == nil {
		return c, nil
	}
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}

func (m *metrics) observeRequest(gateway, operation, outcome string) {
	if m != nil {
		m.requests.WithLabelValues(gateway, operation, outcome).Inc()
	}
}

func (m *metrics) observeGateway(gateway, operation string, d time.Duration) {
	if m != nil {
		m.gatewayLatency.WithLabelValues(gateway, operation).Observe(d.Seconds())
	}
}

func (m *metrics) observeReplay(gateway string) {
	if m != nil {
		m.replays.WithLabelValues(gateway).Inc()
	}
}
