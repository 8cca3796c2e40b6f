package juspay

import "testing"

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
