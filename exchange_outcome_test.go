package paygate

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
)

// The log level of every outcome the order and refund log lines can carry.
func TestRoutineOutcome(t *testing.T) {
	for outcome, want := range map[string]bool{
		"success":                                     true,
		string(transform.InvalidRequest):              true,
		string(transform.DuplicateOrder):              true,
		string(transform.DuplicateRefund):             true,
		string(transform.GatewayRejected):             true,
		string(transform.OrderNotFound):               true,
		string(transform.NotFound):                    true,
		string(transform.NotSupported):                true,
		string(transform.UnsupportedMediaType):        false,
		string(transform.RequestTooLarge):             false,
		string(transform.MethodNotAllowed):            false,
		string(transform.OrderInProgress):             false,
		string(transform.GatewayAuthenticationFailed): false,
		string(transform.GatewayError):                false,
		string(transform.GatewayUnavailable):          false,
		string(transform.GatewayTimeout):              false,
		"":                                            false,
	} {
		if got := routineOutcome(outcome); got != want {
			t.Errorf("routineOutcome(%q) = %v, want %v", outcome, got, want)
		}
	}
}
