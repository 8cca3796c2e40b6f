package razorpay

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// notAnswers are the order samples that are not answers to a create or
// status request, with where they are used instead.
var notAnswers = map[string]string{
	"razorpay/rzpmd_create_request.json":     "a create request: TestPublishedRazorpayCreateRequest",
	"razorpay/rzppy_init_order_request.json": "an SDK's create request with the amount as a string, which paygate never sends",
}

// TestPublishedSamples feeds the gateway's published answers to its
// parsers, in place (never copied).
func TestPublishedSamples(t *testing.T) {
	rzp := Dialect{}
	gatewaytest.CheckPublished(t, "razorpay", []gatewaytest.PublishedCase{
		// Razorpay: create answers are order entities; status is a collection filtered by receipt.
		{File: "razorpay/cs_create_order_200.json", Gateway: rzp, Status: 200, Order: gatewaytest.CodeOrder("141674f6-30d3-4a17-b904-27fe6ca085c7", "10.00", "USD"),
			Want: transform.Result{Status: transform.StatusCreated, GatewayStatus: "created", Amount: "10.00", Currency: "USD", GatewayOrderID: "order_QMrTOdLWvEHsXz", CreatedAt: "2025-04-24T10:27:27Z"}},
		{File: "razorpay/cs_create_order_200.json", Gateway: rzp, Status: 200, Order: gatewaytest.CodeOrder("141674f6-30d3-4a17-b904-27fe6ca085c7", "20.00", "USD"),
			ErrType: transform.DuplicateOrder, Field: "order_id"},
		{File: "razorpay/cs_duplicate_receipt_400.json", Gateway: rzp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.DuplicateOrder, Field: "order_id"},
		{File: "razorpay/rzpgo_doc_create_response.json", Gateway: rzp, Status: 200, Order: gatewaytest.CodeOrder("receipt#1", "500", "INR"),
			Want: transform.Result{Status: transform.StatusCreated, Amount: "500.00", Currency: "INR", GatewayOrderID: "order_EKwxwAgItmmXdp"}},
		{File: "razorpay/rzpgo_doc_create_tpv_response.json", Gateway: rzp, Status: 200, Order: gatewaytest.CodeOrder("BILL13375649", "5", "INR"),
			Want: transform.Result{Status: transform.StatusCreated, Amount: "5.00", GatewayOrderID: "order_GAWN9beXgaqRyO"}},
		{File: "razorpay/rzpgo_fake_order.json", Gateway: rzp, Status: 200, Order: gatewaytest.CodeOrder("12121", "5", "INR"),
			Want: transform.Result{Status: transform.StatusPending, GatewayStatus: "attempted", Amount: "5.00", CreatedAt: "2014-05-23T06:32:30Z"}},
		{File: "razorpay/rzpgo_fake_order_bad_request.json", Gateway: rzp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.GatewayRejected},
		// A fetch-all answer (no receipt filter): it lists other receipts, so it says nothing about this one.
		{File: "razorpay/rzpgo_order_collection.json", Gateway: rzp, Status: 200, ID: "12121", ErrType: transform.GatewayError},
		{File: "razorpay/rzpgo_order_collection_with_one_order.json", Gateway: rzp, Status: 200, ID: "12121",
			Want: transform.Result{Status: transform.StatusPending, Amount: "5.00", GatewayOrderID: "fake_order_id"}},
		{File: "razorpay/rzpmd_create_failure.json", Gateway: rzp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "0.50", "INR"), ErrType: transform.GatewayRejected, Field: "amount"},
		{File: "razorpay/rzpmd_create_success.json", Gateway: rzp, Status: 200, Order: gatewaytest.CodeOrder("receipt#1", "50", "INR"),
			Want: transform.Result{Status: transform.StatusCreated, Amount: "50.00", GatewayOrderID: "order_RB58MiP5SPFYyM", CreatedAt: "2025-08-29T08:19:21Z"}},
		// A payer's wrong OTP is not paygate's credentials.
		{File: "razorpay/rzpmd_errors_sample.json", Gateway: rzp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.GatewayRejected},
		{File: "razorpay/rzpmd_errors_sample.json", Gateway: rzp, Status: 400, ID: "ORD1", ErrType: transform.GatewayRejected},
		{File: "razorpay/rzpmd_fetch_failure.json", Gateway: rzp, Status: 400, ID: "ORD1", ErrType: transform.GatewayRejected},
		// A fetch-by-id answer: an order without our receipt is not ours.
		{File: "razorpay/rzpmd_fetch_success.json", Gateway: rzp, Status: 200, Order: gatewaytest.CodeOrder("ORD1", "20", "INR"), ErrType: transform.GatewayError},
		{File: "razorpay/rzpmd_fetchall_failure.json", Gateway: rzp, Status: 401, ID: "ORD1", ErrType: transform.GatewayAuthenticationFailed},
		{File: "razorpay/rzpmd_fetchall_failure.json", Gateway: rzp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.GatewayAuthenticationFailed},
		// Two orders under one receipt, neither paid: the newest (listed first).
		{File: "razorpay/rzpmd_fetchall_success.json", Gateway: rzp, Status: 200, ID: "Receipt No. 1",
			Want: transform.Result{Status: transform.StatusCreated, Amount: "12.34", GatewayOrderID: "order_EKzX2WiEWbMxmx"}},
		{File: "razorpay/rzppy_bad_request_error.json", Gateway: rzp, Status: 400, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.GatewayRejected, Field: "amount"},
		{File: "razorpay/rzppy_edit_order.json", Gateway: rzp, Status: 200, Order: gatewaytest.CodeOrder("Receipt #211", "22", "INR"),
			Want: transform.Result{Status: transform.StatusPending, Amount: "22.00", GatewayOrderID: "order_DaaS6LOUAASb7Y"}},
		{File: "razorpay/rzppy_gateway_error_504.json", Gateway: rzp, Status: 504, Order: gatewaytest.CodeOrder("ORD1", "10", "INR"), ErrType: transform.GatewayError},
		{File: "razorpay/rzppy_server_error_500.json", Gateway: rzp, Status: 500, ID: "ORD1", ErrType: transform.GatewayError},
	}, notAnswers)
}
