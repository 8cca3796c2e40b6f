package enkash

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

// notAnswers are the order samples that are not answers to a create or
// status request, with where they are used instead.
var notAnswers = map[string]string{
	"enkash/ek_token_response.json": "the token endpoint's answer (signers package)",
}

// TestPublishedSamples feeds the gateway's published answers to its
// parsers, in place (never copied).
func TestPublishedSamples(t *testing.T) {
	ek := Dialect{}
	gatewaytest.CheckPublished(t, "enkash", []gatewaytest.PublishedCase{
		// EnKash: the one published create answer is a schema example ("string" placeholders).
		{File: "enkash/ek_create_response_example.json", Gateway: ek, Status: 200, Order: gatewaytest.CodeOrder("ORD1", "105.5", "INR"),
			Want: transform.Result{Status: transform.StatusCreated, Amount: "105.50", Currency: "INR", GatewayOrderID: "string", PaymentURL: "string"}},
	}, notAnswers)
}
