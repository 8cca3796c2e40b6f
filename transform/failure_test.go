package transform

import "testing"

// The skeleton's order: throttling before everything, then credentials,
// then what the gateway's codes say, then the HTTP class.
func TestFail(t *testing.T) {
	f := &Facts{Name: "g"}
	for _, c := range []struct {
		name  string
		x     Failure
		typ   ErrorType
		field string
	}{
		{"408", Failure{HTTPStatus: 408, Readable: true, Duplicate: true}, GatewayUnavailable, ""},
		{"425", Failure{HTTPStatus: 425}, GatewayUnavailable, ""},
		{"429 with credentials refused", Failure{HTTPStatus: 429, Readable: true, Credentials: true}, GatewayUnavailable, ""},
		{"a 2xx body standing for 429", Failure{HTTPStatus: 200, Status: 429, Readable: true}, GatewayUnavailable, ""},
		{"401", Failure{HTTPStatus: 401}, GatewayAuthenticationFailed, ""},
		{"403 readable", Failure{HTTPStatus: 403, Readable: true, Duplicate: true}, GatewayAuthenticationFailed, ""},
		{"credentials under 400", Failure{HTTPStatus: 400, Readable: true, Credentials: true}, GatewayAuthenticationFailed, ""},
		{"throttled by the body", Failure{HTTPStatus: 400, Readable: true, Throttled: true, Duplicate: true}, GatewayUnavailable, ""},
		{"in progress", Failure{Op: OpRefund, HTTPStatus: 400, Readable: true, InProgress: true, Duplicate: true}, OrderInProgress, "refund_id"},
		{"duplicate order", Failure{Op: OpCreate, HTTPStatus: 400, Readable: true, Duplicate: true, Field: "amount"}, DuplicateOrder, "order_id"},
		{"duplicate refund", Failure{Op: OpRefund, HTTPStatus: 500, Readable: true, Duplicate: true}, DuplicateRefund, "refund_id"},
		{"not found", Failure{Op: OpStatus, HTTPStatus: 404, NotFound: true, Field: "order_id"}, OrderNotFound, "order_id"},
		{"500", Failure{HTTPStatus: 500, Readable: true, Field: "amount"}, GatewayError, ""},
		{"unreadable 400", Failure{HTTPStatus: 400}, GatewayError, ""},
		{"409 is a rejection unless the gateway says duplicate", Failure{Op: OpCreate, HTTPStatus: 409, Readable: true}, GatewayRejected, ""},
		{"400", Failure{HTTPStatus: 400, Readable: true, Field: "amount"}, GatewayRejected, "amount"},
		{"a refund's rejection", Failure{Op: OpRefund, HTTPStatus: 422, Readable: true, Field: "amount"}, GatewayRejected, "amount"},
		{"an error shape under 201", Failure{HTTPStatus: 201, Readable: true}, GatewayError, ""},
	} {
		c.x.Code, c.x.Message = "C1", "said so"
		e := f.Fail(&c.x)
		if e == nil || e.Type != c.typ || e.Field != c.field || e.Gateway != "g" || e.Message == "" {
			t.Errorf("%s: %+v, want %s on %q", c.name, e, c.typ, c.field)
			continue
		}
		if c.x.Readable && c.typ != GatewayError && (e.GatewayCode != "C1" || e.GatewayMessage != "said so") {
			t.Errorf("%s: the gateway's words were dropped: %+v", c.name, e)
		}
	}
}
