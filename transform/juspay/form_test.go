package juspay

import (
	"net/url"
	"testing"
)

// FuzzCreateForm: the create form's fast path writes exactly the bytes
// url.Values.Encode writes for the same createRequest, whatever the text.
func FuzzCreateForm(f *testing.F) {
	f.Add("ORD-1", "105.50", "a b&c=d/é", "x@y.z", "+91 98", "udf1", "v+1%", true, true)
	f.Add("", "", "", "", "", "", "", false, false)
	f.Fuzz(func(t *testing.T, id, amount, text, email, phone, udfKey, udfValue string, billing, token bool) {
		r := createRequest{OrderID: id, Amount: amount, Currency: "INR", Description: text, ReturnURL: text,
			WebhookURL: email, CustomerID: phone, CustomerEmail: email, CustomerPhone: phone, FirstName: text, LastName: id,
			GetClientAuthToken: token, ProductID: udfValue, GatewayID: amount}
		r.Addresses[1] = formAddress{Sent: true, Line1: text, City: id, PostalCode: amount}
		if billing {
			r.Addresses[0] = formAddress{Sent: true, FirstName: id, Line2: text, Country: phone}
		}
		if udfKey != "" {
			r.UDF[0].Key, r.UDF[0].Value = udfKey, udfValue
			r.UDF[9].Key, r.UDF[9].Value = udfValue+"x", ""
		}
		want := r.form().Encode()
		if got := r.appendForm(nil); string(got) != want {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

// form is the create request as url.Values, the reference appendForm is
// held to (the form paygate built before appendForm).
func (r *createRequest) form() url.Values {
	form := make(url.Values, 16)
	set := func(key, value string) {
		if value != "" {
			form[key] = []string{value}
		}
	}
	set("order_id", r.OrderID)
	set("amount", r.Amount)
	set("currency", r.Currency)
	set("description", r.Description)
	set("return_url", r.ReturnURL)
	set("metadata.webhook_url", r.WebhookURL)
	set("customer_id", r.CustomerID)
	set("customer_email", r.CustomerEmail)
	set("customer_phone", r.CustomerPhone)
	set("first_name", r.FirstName)
	set("last_name", r.LastName)
	for i := range r.Addresses {
		a := &r.Addresses[i]
		if !a.Sent {
			continue
		}
		for j, value := range [...]string{a.FirstName, a.LastName, a.Line1, a.Line2, a.Line3, a.City, a.State, a.Country, a.PostalCode} {
			set(addressKeys[i][j], value)
		}
	}
	for i, u := range r.UDF {
		if u.Key != "" {
			form[udfKeys[i]] = []string{u.Value}
		}
	}
	if r.GetClientAuthToken {
		form.Set("options.get_client_auth_token", "true")
	}
	set("product_id", r.ProductID)
	set("gateway_id", r.GatewayID)
	return form
}
