package transform

// Gateway is one payment gateway's dialect: how a canonical order becomes its
// request, and how its answers become canonical ones. Implementations are
// pure: bytes in, bytes out, no clock, no network.
type Gateway interface {
	// Name is the gateway's name as it appears in results and errors.
	Name() string
	// BuildCreate checks the gateway's own rules and builds the create
	// request; a rule the order breaks is an invalid_request.
	BuildCreate(o *Order) (Request, *Error)
	// ParseCreate maps the gateway's answer to a create request.
	ParseCreate(o *Order, status int, body []byte) (*Result, *Error)
	// BuildStatus builds the status request for a merchant order id.
	BuildStatus(orderID string) (Request, *Error)
	// ParseStatus maps the gateway's answer to a status request.
	ParseStatus(orderID string, status int, body []byte) (*Result, *Error)
}
