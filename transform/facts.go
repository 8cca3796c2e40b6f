package transform

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// Facts are one gateway's facts, declared once in its package's facts.go
// (var Facts) and checked here, by the same code for every gateway, before
// any request is built: the gateway_options it accepts and their types, its
// order id limit, the currencies it takes, how it writes amounts and how
// many decimal places it allows, and its status words.
type Facts struct {
	// Name is the gateway's name in results, errors and routes.
	Name string
	// Docs is the gateway's public API reference.
	Docs string
	// Currencies are the ISO 4217 codes the gateway takes; nil means every
	// currency paygate knows (CurrencyExponent).
	Currencies []string
	// MaxCurrencyPlaces refuses currencies with more decimal places than
	// the gateway's amounts have (Juspay: 2); 0 means no such limit.
	MaxCurrencyPlaces int32
	// MaxOrderID is the longest order id the gateway keeps; 0 means the
	// canonical 40. Every gateway takes the canonical alphabet (A–Z a–z 0–9
	// - _), so only the length is declared.
	MaxOrderID int
	// Amounts is how the gateway writes amounts on the wire.
	Amounts AmountStyle
	// MaxPlaces is the most decimal places an amount may have, beyond its
	// currency's own limit (KwikPaisa, EnKash: 2); 0 means the currency's.
	MaxPlaces int32
	// MinAmount is the smallest amount the gateway takes; zero means any
	// positive amount.
	MinAmount decimal.Decimal
	// ThirdPlaceZero: the last of three decimal places must be 0 (Razorpay
	// refuses KWD 99.991: its three-decimal currencies are charged in tens
	// of the minor unit).
	ThirdPlaceZero bool
	// Options are the gateway_options the gateway accepts, in the order
	// errors list them.
	Options []Option
	// Statuses maps the gateway's order status words to canonical ones.
	Statuses StatusMap
	// RefundStatuses maps its refund status words; a word absent from the
	// table is pending (RefundStatus).
	RefundStatuses map[string]RefundStatus
}

// AmountStyle is how a gateway writes an amount on the wire.
type AmountStyle uint8

const (
	// MinorUnits is an integer of the currency's minor unit as a JSON
	// number (Razorpay: 10550 for INR 105.50).
	MinorUnits AmountStyle = iota + 1
	// MajorUnits is a decimal in major units as a JSON number (KwikPaisa
	// 105.5, EnKash 105.50).
	MajorUnits
	// MajorUnitsText is a decimal in major units with the currency's
	// places, as text (Juspay's form field amount=105.50).
	MajorUnitsText
)

// JSONNumber reports whether the style sends the amount as a JSON number,
// which CheckJSONNumberAmount bounds.
func (s AmountStyle) JSONNumber() bool { return s == MinorUnits || s == MajorUnits }

// Option is one gateway_options member a gateway accepts.
type Option struct {
	Name string
	Kind OptionKind
	// Want describes a valid value in the error for another one, after
	// "must be" ("a Juspay gateway id: digits, as a number or a string");
	// "" gives the kind's own words.
	Want string
}

// OptionKind is the JSON type of an option's value. null is always taken
// as the option being absent.
type OptionKind uint8

const (
	// OptionString is a string (the canonical text rules apply).
	OptionString OptionKind = iota + 1
	// OptionText is a string that is not blank.
	OptionText
	// OptionBool is true or false.
	OptionBool
	// OptionDigits is 1 to 10 digits, as a JSON number or a string.
	OptionDigits
)

// CheckOrder applies the facts to a decoded order, in one order for every
// gateway: gateway_options (names, then types), the order id's length, the
// currency, the amount. It returns the amount in minor units. The gateway's own
// rules (metadata limits, required fields) come after, in its BuildCreate.
func (f *Facts) CheckOrder(o *Order) (decimal.Decimal, *Error) {
	if e := f.CheckOptions(o.GatewayOptions); e != nil {
		return decimal.Decimal{}, e
	}
	// DecodeOrder has applied the canonical order id rule.
	if e := f.checkIDLength(o.OrderID); e != nil {
		return decimal.Decimal{}, e
	}
	return f.CheckAmount(o.Amount, o.Currency)
}

// CheckOptions refuses option names the gateway does not accept, then
// values of the wrong type.
func (f *Facts) CheckOptions(g GatewayOptions) *Error {
	if len(g) == 0 {
		return nil
	}
	names := SortedKeys(g)
	for _, k := range names {
		if f.option(k) == nil {
			if len(f.Options) == 0 {
				return Invalid("gateway_options."+k, "unknown option (this gateway accepts none)")
			}
			accepted := make([]string, len(f.Options))
			for i, o := range f.Options {
				accepted[i] = o.Name
			}
			return Invalid("gateway_options."+k, "unknown option (this gateway accepts: %s)", strings.Join(accepted, ", "))
		}
	}
	for _, k := range names {
		if e := f.option(k).check(g); e != nil {
			return e
		}
	}
	return nil
}

func (f *Facts) option(name string) *Option {
	for i := range f.Options {
		if f.Options[i].Name == name {
			return &f.Options[i]
		}
	}
	return nil
}

func (o *Option) check(g GatewayOptions) *Error {
	field := "gateway_options." + o.Name
	switch o.Kind {
	case OptionString, OptionText:
		s, ok, e := g.String(o.Name)
		if e != nil {
			return o.refuse(e, field)
		}
		if ok && o.Kind == OptionText && strings.TrimSpace(s) == "" {
			return Invalid(field, "must not be empty")
		}
	case OptionBool:
		if _, _, e := g.Bool(o.Name); e != nil {
			return o.refuse(e, field)
		}
	case OptionDigits:
		if _, e := g.Digits(o.Name); e != nil {
			return o.refuse(e, field)
		}
	}
	return nil
}

func (o *Option) refuse(e *Error, field string) *Error {
	if o.Want == "" {
		return e
	}
	return Invalid(field, "must be %s", o.Want)
}

// CheckOrderID checks an order id against the canonical rule and the
// gateway's length limit.
func (f *Facts) CheckOrderID(id string) *Error {
	if e := ValidateOrderID(id); e != nil {
		return e
	}
	return f.checkIDLength(id)
}

func (f *Facts) checkIDLength(id string) *Error {
	if f.MaxOrderID > 0 && len(id) > f.MaxOrderID {
		return Invalid("order_id", "%s allows at most %d characters", f.Name, f.MaxOrderID)
	}
	return nil
}

// Exponent is the currency's number of decimal places, or the error for a
// currency the gateway does not take.
func (f *Facts) Exponent(currency string) (int32, *Error) {
	exp, known := CurrencyExponent(currency)
	if f.Currencies != nil && !slices.Contains(f.Currencies, currency) {
		return 0, Invalid("currency", "%s accepts only %s", f.Name, strings.Join(f.Currencies, ", "))
	}
	if !known {
		return 0, Invalid("currency", "%q is not supported by %s", Clip(currency, EchoRunes), f.Name)
	}
	if f.MaxCurrencyPlaces > 0 && exp > f.MaxCurrencyPlaces {
		return 0, Invalid("currency", "%s amounts have at most %d decimal places; %s has %d", f.Name, f.MaxCurrencyPlaces, currency, exp)
	}
	return exp, nil
}

// Minor checks an amount in a currency against the facts and returns it in
// integer minor units.
func (f *Facts) Minor(a Amount, currency string) (decimal.Decimal, *Error) {
	return f.amount(a, currency, true)
}

// CheckAmount checks an order's amount: Minor, and for amounts sent as a
// JSON number, CheckJSONNumberAmount. It returns the amount in minor units
// when the gateway sends a JSON number (zero otherwise: the minor units
// are not computed for a gateway that does not need them).
func (f *Facts) CheckAmount(a Amount, currency string) (decimal.Decimal, *Error) {
	number := f.Amounts.JSONNumber()
	minor, e := f.amount(a, currency, number)
	if e != nil || !number {
		return minor, e
	}
	wire := a.Decimal()
	if f.Amounts == MinorUnits {
		wire = minor
	}
	return minor, CheckJSONNumberAmount(f.Name, wire, minor)
}

func (f *Facts) amount(a Amount, currency string, wantMinor bool) (decimal.Decimal, *Error) {
	exp, e := f.Exponent(currency)
	if e != nil {
		return decimal.Decimal{}, e
	}
	if f.MaxPlaces > 0 && !a.fits(f.MaxPlaces) {
		return decimal.Decimal{}, Invalid("amount", "%s allows at most %d decimal places", f.Name, f.MaxPlaces)
	}
	if !a.fits(exp) {
		return decimal.Decimal{}, Invalid("amount", "%s allows at most %d decimal places", currency, exp)
	}
	if !f.MinAmount.IsZero() && a.Decimal().LessThan(f.MinAmount) {
		return decimal.Decimal{}, Invalid("amount", "%s needs at least %s", f.Name, f.MinAmount)
	}
	if !wantMinor && !f.ThirdPlaceZero {
		return decimal.Decimal{}, nil
	}
	minor, _ := a.Minor(exp) // fits has checked the places
	if f.ThirdPlaceZero && exp == 3 && !minor.Mod(decimal.NewFromInt(10)).IsZero() {
		return decimal.Decimal{}, Invalid("amount", "%s needs the last (third) decimal of %s amounts to be 0", f.Name, currency)
	}
	return minor, nil
}

// RefundStatus maps a refund status word; a word the gateway's table does
// not have is pending, never a final answer paygate cannot back.
func (f *Facts) RefundStatus(word string) RefundStatus {
	if st, ok := f.RefundStatuses[word]; ok {
		return st
	}
	return RefundPending
}
