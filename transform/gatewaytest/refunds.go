package gatewaytest

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
)

// CheckRefundErr checks a canonical refund error.
func CheckRefundErr(t *testing.T, name string, e *transform.Error, typ transform.ErrorType, field string) {
	t.Helper()
	if e == nil || e.Type != typ || e.Field != field {
		t.Errorf("%s: got %v, want %s on %q", name, e, typ, field)
		return
	}
	if e.Message == "" {
		t.Errorf("%s: no message", name)
	}
}
