package juspay

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// notAnswers are the order samples that are not answers to a create or
// status request, with where they are used instead.
var notAnswers = map[string]string{
	"juspay/demo_create-order_request.sh":        "a curl request",
	"juspay/demo-master_create-order_request.sh": "a curl request",
}

// TestPublishedSamples feeds the gateway's published answers to its
// parsers, in place (never copied).
func TestPublishedSamples(t *testing.T) {
	jp := Dialect{}
	gatewaytest.CheckPublished(t, "juspay", []gatewaytest.PublishedCase{
		{File: "juspay/demo_create-order_response.json", Gateway: jp, Status: 200, Order: gatewaytest.CodeOrder("14183944763", "100", "INR"),
			Want: transform.Result{Status: transform.StatusCreated, GatewayStatus: "CREATED", Amount: "100.00", Currency: "INR", GatewayOrderID: "ord_e294a26e66ad4336a992ceab81ad704c",
				PaymentURL: "https://api.juspay.in/merchant/pay/ord_e294a26e66ad4336a992ceab81ad704c"}},
		{File: "juspay/demo_create-order_response-auth.json", Gateway: jp, Status: 200, Order: gatewaytest.CodeOrder("14183944763", "1", "INR"),
			Want: transform.Result{Status: transform.StatusCreated, GatewayStatus: "NEW", Amount: "1.00", Currency: "INR", CreatedAt: "2020-06-16T10:28:35Z",
				GatewayDetails: map[string]string{"client_auth_token": "tkn_753275c49a44a1a313eb2567f2fd6b"}}},
		{File: "juspay/demo_create-order_response-auth.json", Gateway: jp, Status: 200, Order: gatewaytest.CodeOrder("14183944763", "2", "INR"), ErrType: transform.DuplicateOrder, Field: "order_id"},
		{File: "juspay/demo_create-order_moto-400.json", Gateway: jp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.GatewayRejected},
		{File: "juspay/demo_order-status_EMI.json", Gateway: jp, Status: 200, ID: "XXXX1234", Want: transform.Result{Status: transform.StatusPaid, Amount: "15122.00", Currency: "INR"}},
		{File: "juspay/demo_order-status_NB.json", Gateway: jp, Status: 200, ID: "JPAYNEW032", Want: transform.Result{Status: transform.StatusPaid, Amount: "9000.00", GatewayOrderID: "ordeh_a3cfc9c7f77e4fc581f19aewe23925"}},
		{File: "juspay/demo_order-status_Wallet.json", Gateway: jp, Status: 200, ID: "145678234", Want: transform.Result{Status: transform.StatusPaid, Amount: "1.00"}},
		// Cash on delivery chosen, nothing paid yet.
		{File: "juspay/demo_order-status_cod.json", Gateway: jp, Status: 200, ID: "1690960292",
			Want: transform.Result{Status: transform.StatusCreated, GatewayStatus: "COD_INITIATED", Amount: "100.00"}},
		// Published as invalid JSON (curly quotes, comments): unreadable.
		{File: "juspay/demo_order-status_UPI.json", Gateway: jp, Status: 200, ID: "JPAYNEW034", ErrType: transform.GatewayError},
		{File: "juspay/demo_order-status_card.json", Gateway: jp, Status: 200, ID: "JPAYNEW032", ErrType: transform.GatewayError},
		{File: "juspay/demo_order-status_Offers.json", Gateway: jp, Status: 200, ID: "JPAYNEW032", ErrType: transform.GatewayError},
		{File: "juspay/derived_order-status_UPI.cleaned.json", Gateway: jp, Status: 200, ID: "JPAYNEW034", Want: transform.Result{Status: transform.StatusPaid, Amount: "2.00"}},
		{File: "juspay/demo_update-order_response.json", Gateway: jp, Status: 200, ID: "JPAYNEW035", Want: transform.Result{Status: transform.StatusCreated, Amount: "90.00"}},
		// Published without its final brace: unreadable.
		{File: "juspay/docs_create_missing-amount_400.verbatim-invalid.json", Gateway: jp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.GatewayError},
		{File: "juspay/docs_create_missing-currency_400.json", Gateway: jp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.GatewayRejected, Field: "currency"},
		{File: "juspay/docs_create_negative-amount_400.json", Gateway: jp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.GatewayRejected, Field: "amount"},
		{File: "juspay/docs_order-status_invalid-api-key_401.json", Gateway: jp, Status: 401, ID: "ORD1", ErrType: transform.GatewayAuthenticationFailed},
		{File: "juspay/docs_order-status_invalid-order-id_400.json", Gateway: jp, Status: 400, ID: "173824171", ErrType: transform.OrderNotFound, Field: "order_id"},
	}, notAnswers)
}
