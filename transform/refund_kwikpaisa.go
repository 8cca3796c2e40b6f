package transform

// KwikPaisa v3 publishes no refund API (developers.kwikpaisa.com/v3-guide
// lists order create and status, payouts and webhooks only), so every
// refund step answers 501 not_supported and builds nothing: the glue asks
// CheckRefund first and sends no request at all.

func (g KwikPaisa) refundUnsupported() *Error {
	return &Error{Type: NotSupported, Gateway: g.Name(),
		Message: "kwikpaisa has no refund API; paygate cannot refund kwikpaisa orders (refund them with KwikPaisa directly)"}
}

func (g KwikPaisa) CheckRefund(string, *Refund) *Error { return g.refundUnsupported() }

func (g KwikPaisa) BuildRefundTarget(*Result, []byte) (string, *Request, *Error) {
	return "", nil, g.refundUnsupported()
}

func (g KwikPaisa) ParseRefundTarget(*Result, int, []byte) (string, *Error) {
	return "", g.refundUnsupported()
}

func (g KwikPaisa) BuildRefund(*RefundCall) (Request, *Error) {
	return Request{}, g.refundUnsupported()
}

func (g KwikPaisa) ParseRefund(*RefundCall, int, []byte) (*RefundResult, *Error) {
	return nil, g.refundUnsupported()
}

func (g KwikPaisa) BuildRefundStatus(*RefundCall) (Request, *Error) {
	return Request{}, g.refundUnsupported()
}

func (g KwikPaisa) ParseRefundStatus(*RefundCall, int, []byte) (*RefundResult, *Error) {
	return nil, g.refundUnsupported()
}

var _ Refunder = KwikPaisa{}
