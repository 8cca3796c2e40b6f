package kwikpaisa

import "github.com/paygate/caddy-paygate/transform"

// KwikPaisa v3 publishes no refund API (developers.kwikpaisa.com/v3-guide
// lists order create and status, payouts and webhooks only), so every
// refund step answers 501 not_supported and builds nothing: the glue asks
// CheckRefund first and sends no request at all.

func (g Dialect) refundUnsupported() *transform.Error {
	return &transform.Error{Type: transform.NotSupported, Gateway: g.Name(),
		Message: "kwikpaisa has no refund API; paygate cannot refund kwikpaisa orders (refund them with KwikPaisa directly)"}
}

func (g Dialect) CheckRefund(string, *transform.Refund) *transform.Error {
	return g.refundUnsupported()
}

func (g Dialect) BuildRefundTarget(*transform.Result, []byte) (string, *transform.Request, *transform.Error) {
	return "", nil, g.refundUnsupported()
}

func (g Dialect) ParseRefundTarget(*transform.Result, int, []byte) (string, *transform.Error) {
	return "", g.refundUnsupported()
}

func (g Dialect) BuildRefund(*transform.RefundCall) (transform.Request, *transform.Error) {
	return transform.Request{}, g.refundUnsupported()
}

func (g Dialect) ParseRefund(*transform.RefundCall, int, []byte) (*transform.RefundResult, *transform.Error) {
	return nil, g.refundUnsupported()
}

func (g Dialect) BuildRefundStatus(*transform.RefundCall) (transform.Request, *transform.Error) {
	return transform.Request{}, g.refundUnsupported()
}

func (g Dialect) ParseRefundStatus(*transform.RefundCall, int, []byte) (*transform.RefundResult, *transform.Error) {
	return nil, g.refundUnsupported()
}
