package paygate

import "github.com/prometheus/client_golang/prometheus"

// webhookMetrics are the payment event collectors, registered on Caddy's
// registry beside paygate's own (see metrics.go). Labels are closed sets:
// the gateway name, the canonical event type ("none" before one is known),
// the outcome and the failed check; never an id, a header or a value from
// the body.
type webhookMetrics struct {
	events        *prometheus.CounterVec
	verifyFailure *prometheus.CounterVec
}

func newWebhookMetrics(reg prometheus.Registerer) (*webhookMetrics, error) {
	m := &webhookMetrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "webhook_events_total",
			Help: "Gateway notifications by gateway, canonical event type (none when there is no event) and outcome " +
				"(delivered, duplicate, app_failed, unverified, unconfirmed, unconfirmable, unmapped, malformed, expired, storage_failed, too_large, method_not_allowed).",
		}, []string{"gateway", "type", "outcome"}),
		verifyFailure: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: metricsNamespace, Name: "webhook_verification_failures_total",
			Help: "Gateway notifications refused with 401, by gateway and the check that failed (signature, timestamp, credentials, missing, status_api).",
		}, []string{"gateway", "reason"}),
	}
	var err error
	if m.events, err = register(reg, m.events); err != nil {
		return nil, err
	}
	if m.verifyFailure, err = register(reg, m.verifyFailure); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *webhookMetrics) observeEvent(gateway, typ, outcome string) {
	if m != nil {
		m.events.WithLabelValues(gateway, typ, outcome).Inc()
	}
}

func (m *webhookMetrics) observeVerificationFailure(gateway, reason string) {
	if m != nil {
		m.verifyFailure.WithLabelValues(gateway, reason).Inc()
	}
}
