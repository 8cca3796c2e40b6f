package paygate

import "github.com/prometheus/client_golang/prometheus"

// passthroughMetrics count native requests on Caddy's registry, like the
// canonical ones (metrics.go). Labels stay low-cardinality: the gateway, the
// method (unknown methods are OTHER) and allowed/refused, never a path.
// The gateway round trips of allowed requests are timed by
// paygate_gateway_request_duration_seconds with operation="passthrough".
type passthroughMetrics struct {
	requests *prometheus.CounterVec
}

func newPassthroughMetrics(reg prometheus.Registerer) (*passthroughMetrics, error) {
	m := &passthroughMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "passthrough_requests_total",
			Help: "Native (passthrough) requests by gateway, method and result: allowed (sent to the gateway) or refused (not on the allow-list, 403).",
		}, []string{"gateway", "method", "result"}),
	}
	var err error
	if m.requests, err = register(reg, m.requests); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *passthroughMetrics) observe(gateway, method string, allowed bool) {
	if m == nil {
		return
	}
	result := "refused"
	if allowed {
		result = "allowed"
	}
	m.requests.WithLabelValues(gateway, method, result).Inc()
}
