package transform

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Echo is what a gateway's answer repeats of the order it is about, or what
// paygate sent, in the same terms. A field the answer does not carry stays
// empty (HasAmount false) and is not compared.
type Echo struct {
	OrderID  string          // the merchant's order id
	Currency string          // ISO 4217 code
	Amount   decimal.Decimal // in the gateway's unit (Razorpay: minor units)
	// HasAmount says Amount was given.
	HasAmount bool
}

// CheckEcho compares what a gateway's answer repeats with what paygate sent:
// an answer is reported as this order only when the gateway confirms it,
// since a recorded answer is replayed (README "Retries and idempotency").
// An answer about another order id is gateway_error: it is not about this
// order at all. A different amount or currency under our order id is
// duplicate_order: the gateway holds another order under it, and it must
// never be reported as this one. For a status request only the order id is
// known (sent has no amount or currency).
//
// minorUnits says amounts are integers of the currency's minor unit
// (Razorpay), which only changes how the message writes them. Amounts are
// compared exactly, as decimals, in the gateway's own unit.
func CheckEcho(gateway string, sent, got Echo, minorUnits bool) *Error {
	if got.OrderID != "" && got.OrderID != sent.OrderID {
		return OtherOrder(gateway, sent.OrderID, got.OrderID)
	}
	if sent.Currency == "" {
		return nil // a status request: the order itself is not known here
	}
	currencyDiffers := got.Currency != "" && got.Currency != sent.Currency
	amountDiffers := got.HasAmount && !got.Amount.Equal(sent.Amount)
	if !currencyDiffers && !amountDiffers {
		return nil
	}
	gotCurrency := got.Currency
	if gotCurrency == "" {
		gotCurrency = sent.Currency
	}
	held := gotCurrency
	if got.HasAmount {
		held += " " + echoAmount(got.Amount, gotCurrency, minorUnits)
	}
	return &Error{Type: DuplicateOrder, Gateway: gateway, Field: "order_id",
		Message: fmt.Sprintf("%s holds another order under this order_id: %s, where this request is for %s %s",
			gateway, held, sent.Currency, echoAmount(sent.Amount, sent.Currency, minorUnits))}
}

// echoAmount writes an amount in major units for a message.
func echoAmount(d decimal.Decimal, currency string, minorUnits bool) string {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		exp = 2
	}
	if minorUnits {
		d = d.Shift(-exp)
	}
	switch {
	case d.Exponent() > 40: // never expand a huge exponent into digits
		return Clip(d.Coefficient().String(), 40) + "e" + fmt.Sprint(d.Exponent())
	case d.Exponent() < -exp: // more places than the currency has: shown, not rounded
		return Clip(d.String(), 40)
	}
	return Clip(d.StringFixed(exp), 40)
}

// OtherOrder is the gateway_error for an answer about another order id (or
// one that names none where it must).
func OtherOrder(gateway, sent, got string) *Error {
	if got == "" {
		return &Error{Type: GatewayError, Gateway: gateway,
			Message: fmt.Sprintf("%s answered about an order without order_id %q", gateway, Clip(sent, EchoRunes))}
	}
	return &Error{Type: GatewayError, Gateway: gateway,
		Message: fmt.Sprintf("%s answered about order_id %q, not %q", gateway, Clip(got, EchoRunes), Clip(sent, EchoRunes))}
}
