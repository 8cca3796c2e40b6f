package transform

import "encoding/json"

// AppendJSON appends the bytes json.Marshal writes for o (FuzzOrderJSON
// holds it to that), without reflection. paygate's request fingerprint is
// the SHA-256 of these bytes: one canonical form per order, whatever the
// key order or spacing the application sent, and the same bytes as the
// fingerprints recorded by earlier versions.
func (o *Order) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendMarshalField(b, "order_id", o.OrderID, false)
	b = append(b, `,"amount":"`...)
	b = append(b, o.Amount.Shortest()...)
	b = append(b, '"')
	b = appendMarshalField(b, "currency", o.Currency, false)
	b = appendMarshalField(b, "description", o.Description, true)
	if c := o.Customer; c != nil {
		b = append(b, `,"customer":{`...)
		b = appendMarshalField(b, "id", c.ID, true)
		b = appendMarshalField(b, "name", c.Name, true)
		b = appendMarshalField(b, "first_name", c.FirstName, true)
		b = appendMarshalField(b, "last_name", c.LastName, true)
		b = appendMarshalField(b, "email", c.Email, true)
		b = appendMarshalField(b, "phone", c.Phone, true)
		b = append(b, '}')
	}
	b = appendAddress(b, "billing_address", o.BillingAddress)
	b = appendAddress(b, "shipping_address", o.ShippingAddress)
	b = appendMarshalField(b, "return_url", o.ReturnURL, true)
	b = appendMarshalField(b, "notify_url", o.NotifyURL, true)
	if len(o.Metadata) > 0 {
		b = append(b, `,"metadata":`...)
		b = appendMarshalStringMap(b, o.Metadata)
	}
	if a := o.BankAccount; a != nil {
		b = append(b, `,"bank_account":{`...)
		b = appendMarshalField(b, "account_number", a.AccountNumber, true)
		b = appendMarshalField(b, "ifsc", a.IFSC, true)
		b = appendMarshalField(b, "name", a.Name, true)
		b = append(b, '}')
	}
	if len(o.GatewayOptions) > 0 {
		// Raw values, compacted and HTML-escaped as json.Marshal does;
		// rare enough to leave to it.
		if opts, err := json.Marshal(o.GatewayOptions); err == nil {
			b = append(b, `,"gateway_options":`...)
			b = append(b, opts...)
		}
	}
	return append(b, '}')
}

func appendAddress(b []byte, name string, a *Address) []byte {
	if a == nil {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, `":{`...)
	b = appendMarshalField(b, "line1", a.Line1, true)
	b = appendMarshalField(b, "line2", a.Line2, true)
	b = appendMarshalField(b, "line3", a.Line3, true)
	b = appendMarshalField(b, "city", a.City, true)
	b = appendMarshalField(b, "state", a.State, true)
	b = appendMarshalField(b, "country", a.Country, true)
	b = appendMarshalField(b, "postal_code", a.PostalCode, true)
	return append(b, '}')
}
