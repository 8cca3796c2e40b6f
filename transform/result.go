package transform

import "bytes"

// Status is the closed canonical status vocabulary (README "Result (create
// and status)").
type Status string

const (
	StatusCreated   Status = "created"
	StatusPending   Status = "pending"
	StatusPaid      Status = "paid"
	StatusFailed    Status = "failed"
	StatusExpired   Status = "expired"
	StatusCancelled Status = "cancelled"
	StatusUnknown   Status = "unknown"
)

// StatusMap maps a gateway's status words to canonical ones; anything absent
// is StatusUnknown (and gateway_status keeps the original word).
type StatusMap map[string]Status

// Map returns the canonical status for a gateway status.
func (m StatusMap) Map(gatewayStatus string) Status {
	if s, ok := m[gatewayStatus]; ok {
		return s
	}
	return StatusUnknown
}

// Result is the canonical answer to a create or status request.
type Result struct {
	Gateway        string            `json:"gateway"`
	OrderID        string            `json:"order_id"`
	GatewayOrderID string            `json:"gateway_order_id,omitempty"`
	Status         Status            `json:"status"`
	GatewayStatus  string            `json:"gateway_status,omitempty"`
	Amount         string            `json:"amount,omitempty"`
	Currency       string            `json:"currency,omitempty"`
	PaymentURL     string            `json:"payment_url,omitempty"`
	CreatedAt      string            `json:"created_at,omitempty"`
	GatewayDetails map[string]string `json:"gateway_details,omitempty"`
	// OtherGatewayOrderIDs names the other orders the gateway holds under
	// this order id (a receipt that repeats); never sent to the application,
	// the glue logs them.
	OtherGatewayOrderIDs []string `json:"-"`
}

// EphemeralDetail reports whether a gateway_details key holds a value that
// expires within minutes: Juspay's client_auth_token (the SDK session token
// asked for with gateway_options.get_client_auth_token, valid about 15
// minutes) and its expiry. An answer recorded for idempotent replay must
// leave them out: replayed hours later the token has expired, and it is a
// credential for the order's payment session that storage should not keep.
func EphemeralDetail(key string) bool {
	return key == "client_auth_token" || key == "client_auth_token_expiry"
}

// WithoutEphemeral is the result as it may be recorded: a copy without the
// EphemeralDetail keys, or r itself when it has none.
func (r *Result) WithoutEphemeral() *Result {
	n := 0
	for k := range r.GatewayDetails {
		if EphemeralDetail(k) {
			n++
		}
	}
	if n == 0 {
		return r
	}
	c := *r
	c.GatewayDetails = nil
	if len(r.GatewayDetails) > n {
		c.GatewayDetails = make(map[string]string, len(r.GatewayDetails)-n)
		for k, v := range r.GatewayDetails {
			if !EphemeralDetail(k) {
				c.GatewayDetails[k] = v
			}
		}
	}
	return &c
}

// SetDetail adds one gateway_details entry; an empty value adds nothing.
func (r *Result) SetDetail(name, value string) {
	if value == "" {
		return
	}
	if r.GatewayDetails == nil {
		r.GatewayDetails = map[string]string{}
	}
	r.GatewayDetails[name] = value
}

// JSON encodes the result for the application.
// The bytes are exactly sized: a recorded answer keeps them for a day.
func (r *Result) JSON() []byte {
	var scratch [1024]byte // on the stack: a result with long links still fits
	return bytes.Clone(r.AppendJSON(scratch[:0]))
}

// AppendJSON appends the bytes json.Marshal writes for r (FuzzResultJSON
// holds it to that), without reflection: it is on every create's path.
func (r *Result) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendMarshalField(b, "gateway", r.Gateway, false)
	b = appendMarshalField(b, "order_id", r.OrderID, false)
	b = appendMarshalField(b, "gateway_order_id", r.GatewayOrderID, true)
	b = appendMarshalField(b, "status", string(r.Status), false)
	b = appendMarshalField(b, "gateway_status", r.GatewayStatus, true)
	b = appendMarshalField(b, "amount", r.Amount, true)
	b = appendMarshalField(b, "currency", r.Currency, true)
	b = appendMarshalField(b, "payment_url", r.PaymentURL, true)
	b = appendMarshalField(b, "created_at", r.CreatedAt, true)
	if len(r.GatewayDetails) > 0 {
		b = append(b, `,"gateway_details":`...)
		b = appendMarshalStringMap(b, r.GatewayDetails)
	}
	return append(b, '}')
}

// Request is what a gateway wants sent upstream: the method, path and query
// that replace the application's, and the body with its content type.
// Credentials are not part of it: signers add them.
type Request struct {
	Method      string
	Path        string
	RawQuery    string
	ContentType string // empty when there is no body
	Body        []byte
	// Header holds non-credential headers the gateway needs on this request
	// (Juspay's x-routing-id). Credentials are added by the gateway module's
	// Authorize, never here.
	Header map[string]string
}
