package kwikpaisa

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func TestKwikPaisaRefundsNotSupported(t *testing.T) {
	g := Dialect{ServiceType: "DIGITAL"}
	r := &transform.Refund{RefundID: "R1", Amount: gatewaytest.MustAmount("1")}
	o := gatewaytest.PaidOrder("kwikpaisa", "O1", "kp_1", "1.00", "INR")
	c := &transform.RefundCall{Order: o, Target: "x", RefundID: "R1", Refund: r}
	gatewaytest.CheckRefundErr(t, "CheckRefund", g.CheckRefund("O1", r), transform.NotSupported, "")
	_, next, e := g.BuildRefundTarget(o, []byte(`{}`))
	gatewaytest.CheckRefundErr(t, "BuildRefundTarget", e, transform.NotSupported, "")
	req, e := g.BuildRefund(c)
	gatewaytest.CheckRefundErr(t, "BuildRefund", e, transform.NotSupported, "")
	sreq, e2 := g.BuildRefundStatus(c)
	gatewaytest.CheckRefundErr(t, "BuildRefundStatus", e2, transform.NotSupported, "")
	if next != nil || req.Method != "" || req.Body != nil || sreq.Method != "" {
		t.Error("kwikpaisa built a request")
	}
	_, e = g.ParseRefund(c, 200, []byte(`{}`))
	gatewaytest.CheckRefundErr(t, "ParseRefund", e, transform.NotSupported, "")
	if e.HTTPStatus() != 501 || e.Gateway != "kwikpaisa" {
		t.Errorf("%d %q", e.HTTPStatus(), e.Gateway)
	}
}
