package kwikpaisa

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// notAnswers are the order samples that are not answers to a create or
// status request, with where they are used instead.
var notAnswers = map[string]string{
	"kwikpaisa/kp3_create_request.json":            "a create request: TestCanonicalJSONSeedBody",
	"kwikpaisa/kp3_status_request.json":            "a status request (paygate sends order_id as a string)",
	"kwikpaisa/kp3_signature_example_payload.json": "the signature page's payload (signers package)",
}

// TestPublishedSamples feeds the gateway's published answers to its
// parsers, in place (never copied).
func TestPublishedSamples(t *testing.T) {
	kp := Dialect{ServiceType: "DIGITAL"}
	kpOrder := gatewaytest.CodeOrder("6116229263036", "105", "INR")
	gatewaytest.CheckPublished(t, "kwikpaisa", []gatewaytest.PublishedCase{
		{File: "kwikpaisa/kp3_create_success.json", Gateway: kp, Status: 200, Order: kpOrder,
			Want: transform.Result{Status: transform.StatusCreated, GatewayStatus: "UN_PAID", Amount: "105.00", Currency: "INR", CreatedAt: "2026-05-13T03:04:00Z",
				GatewayOrderID: "kp_40dec464-7155-43a3-855d-c95c5ab1be71"}},
		{File: "kwikpaisa/kp3_status_success.json", Gateway: kp, Status: 200, ID: "6116229263036",
			Want: transform.Result{Status: transform.StatusPaid, Amount: "105.00", Currency: "INR", GatewayDetails: map[string]string{"payment_method": "UPI", "paid_at": "2026-05-13T03:07:00Z"}}},
		// The mock-responses page names the amount "amount".
		{File: "kwikpaisa/kp3_mock_success.json", Gateway: kp, Status: 200, ID: "6116229263036",
			Want: transform.Result{Status: transform.StatusPaid, Amount: "105.00", Currency: "INR", GatewayDetails: map[string]string{"transaction_id": "TXN938482920"}}},
		{File: "kwikpaisa/kp3_mock_failed.PREFIX-ONLY.txt", Body: failedMock(t), Gateway: kp, Status: 200, ID: "6116229263036",
			Want: transform.Result{Status: transform.StatusFailed, GatewayStatus: "FAILED", Amount: "105.00"}},
		{File: "kwikpaisa/kp3_error_401.json", Gateway: kp, Status: 401, Order: kpOrder, ErrType: transform.GatewayAuthenticationFailed},
		{File: "kwikpaisa/kp3_error_403.json", Gateway: kp, Status: 403, ID: "6116229263036", ErrType: transform.GatewayAuthenticationFailed},
		{File: "kwikpaisa/legacy_error_401.json", Gateway: kp, Status: 401, Order: kpOrder, ErrType: transform.GatewayAuthenticationFailed},
		{File: "kwikpaisa/legacy_error_401.json", Gateway: kp, Status: 200, Order: kpOrder, ErrType: transform.GatewayAuthenticationFailed},
	}, notAnswers)
}
