package kwikpaisa

import "github.com/paygate/caddy-paygate/transform"

// Facts are KwikPaisa's facts (v3 payment gateway, developers.kwikpaisa.com
// v3 guide): signed JSON bodies in canonical form, the amount as a JSON
// number in major units with at most two decimal places (the v2 guide's
// "two decimal places"; v3 says nothing more precise), and the customer's
// name, email and phone and a return_url required.
var Facts = transform.Facts{
	Name:      "kwikpaisa",
	Docs:      "https://developers.kwikpaisa.com/",
	Amounts:   transform.MajorUnits,
	MaxPlaces: 2,
	Options: []transform.Option{
		// DIGITAL, PHYSICAL_GOODS; the route's service_type when absent.
		{Name: "service_type", Kind: transform.OptionText},
	},
	Statuses: transform.StatusMap{
		"UN_PAID":    transform.StatusCreated,
		"PROCESSING": transform.StatusPending,
		"PAID":       transform.StatusPaid,
		"FAILED":     transform.StatusFailed,
		"EXPIRED":    transform.StatusExpired,
	},
}

const (
	createPath = "/api/v3/pg/order/create"
	statusPath = "/api/v3/pg/order/status"
)

// Dialect maps canonical orders and events to KwikPaisa's API and back.
// KwikPaisa has no refund API (refunds.go).
type Dialect struct {
	// ServiceType is sent when the order does not set
	// gateway_options.service_type (DIGITAL, PHYSICAL_GOODS).
	ServiceType string `json:"service_type,omitempty"`
}

func (Dialect) Name() string { return Facts.Name }

var (
	_ transform.Gateway  = Dialect{}
	_ transform.Refunder = Dialect{}
)
