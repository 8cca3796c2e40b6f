package paygate

import (
	"net/http/httptest"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
)

func TestRouteRefunds(t *testing.T) {
	cases := []struct {
		method, path      string
		op                operation
		orderID, refundID string
		errType           transform.ErrorType
		allow             string
	}{
		{"POST", "/pay/razorpay/orders/ORD1/refunds", opRefund, "ORD1", "", "", ""},
		{"POST", "/orders/ORD1/refunds/", opRefund, "ORD1", "", "", ""},
		{"GET", "/pay/orders/ORD1/refunds/RF-1_a", opRefundStatus, "ORD1", "RF-1_a", "", ""},
		{"GET", "/pay/orders/ORD1/refunds", opRefund, "", "", transform.MethodNotAllowed, "POST"},
		{"DELETE", "/pay/orders/ORD1/refunds/RF1", opRefundStatus, "", "", transform.MethodNotAllowed, "GET"},
		{"POST", "/pay/orders/bad%20id/refunds", 0, "", "", transform.InvalidRequest, ""},
		{"GET", "/pay/orders/ORD1/refunds/bad%20id", 0, "", "", transform.InvalidRequest, ""},
		{"GET", "/pay/orders/ORD1/refunds/RF1/extra", 0, "", "", transform.NotFound, ""},
		{"POST", "/pay/ORD1/refunds", 0, "", "", transform.NotFound, ""},
		// Orders called "orders" and "refunds" keep working.
		{"POST", "/pay/orders/orders/refunds", opRefund, "orders", "", "", ""},
		{"GET", "/pay/orders/orders/refunds", opStatus, "refunds", "", "", ""},
		{"GET", "/pay/orders/refunds", opStatus, "refunds", "", "", ""},
		{"GET", "/pay/orders/refunds/refunds/R1", opRefundStatus, "refunds", "R1", "", ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, c.path, nil)
		op, orderID, refundID, e := route(r)
		if op != c.op || orderID != c.orderID || refundID != c.refundID || (e == nil) != (c.errType == "") || (e != nil && e.Type != c.errType) {
			t.Errorf("%s %s → %v %q %q %v", c.method, c.path, op, orderID, refundID, e)
		}
		if c.allow != "" && op.method() != c.allow {
			t.Errorf("%s %s: Allow %s, want %s", c.method, c.path, op.method(), c.allow)
		}
	}
}
