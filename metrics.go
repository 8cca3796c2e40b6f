package paygate

import (
	"errors"
	"sync"
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

	// The children for the few label values a handler meets, kept once
	// looked up: WithLabelValues hashes its labels and allocates on every
	// call, on every request's path.
	mu        sync.RWMutex
	counters  map[[3]string]prometheus.Counter
	observers map[[2]string]prometheus.Observer
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
	if m == nil {
		return
	}
	k := [3]string{gateway, operation, outcome}
	m.mu.RLock()
	c, ok := m.counters[k]
	m.mu.RUnlock()
	if !ok {
		c = m.requests.WithLabelValues(gateway, operation, outcome)
		m.mu.Lock()
		if m.counters == nil {
			m.counters = map[[3]string]prometheus.Counter{}
		}
		m.counters[k] = c
		m.mu.Unlock()
	}
	c.Inc()
}

func (m *metrics) observeGateway(gateway, operation string, d time.Duration) {
	if m == nil {
		return
	}
	k := [2]string{gateway, operation}
	m.mu.RLock()
	o, ok := m.observers[k]
	m.mu.RUnlock()
	if !ok {
		o = m.gatewayLatency.WithLabelValues(gateway, operation)
		m.mu.Lock()
		if m.observers == nil {
			m.observers = map[[2]string]prometheus.Observer{}
		}
		m.observers[k] = o
		m.mu.Unlock()
	}
	o.Observe(d.Seconds())
}

func (m *metrics) observeReplay(gateway string) {
	if m != nil {
		m.replays.WithLabelValues(gateway).Inc()
	}
}
