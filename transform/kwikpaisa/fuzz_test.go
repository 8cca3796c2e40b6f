package kwikpaisa

import (
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
)

func FuzzEvent(f *testing.F) {
	gatewaytest.SeedEvents(f, "kwikpaisa", `{"event":"payment.failed","data":{"order_id":12,"amount":3,"currency":"JPY","status":"FAILED"}}`)
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := ParseEvent(body, gatewaytest.EventReceived)
		gatewaytest.CheckParsedEvents(t, "kwikpaisa", events, err)
	})
}

func FuzzBuild(f *testing.F) { gatewaytest.FuzzBuild(f, Dialect{ServiceType: "DIGITAL"}) }

func FuzzParse(f *testing.F) { gatewaytest.FuzzParse(f, Dialect{ServiceType: "DIGITAL"}, "kwikpaisa") }

func referenceBody(o *transform.Order, name string, c *transform.Customer, serviceType string) ([]byte, error) {
	customer := map[string]any{"name": name, "email": c.Email, "phone": c.Phone}
	if a := referenceAddress(o.BillingAddress); len(a) > 0 {
		customer["address"] = a
	}
	order := map[string]any{
		"order_id":       o.OrderID,
		"order_amount":   o.Amount.Decimal(),
		"order_currency": o.Currency,
		"service_type":   serviceType,
		"customer":       customer,
		"return_url":     o.ReturnURL,
	}
	if o.Description != "" {
		order["order_note"] = o.Description
	}
	return transform.CanonicalJSON(order)
}

// FuzzCreateBody: the signed bodies' fast paths write exactly the
// canonical JSON of the same fields, as the map-based reference and as the
// typed request.
func FuzzCreateBody(f *testing.F) {
	f.Add("ORD1", "105.50", "Asha Rao", "a@b.c", "+91987", "https://x/y", "note", "l1", "", "l3", "City", "", "560001", "KA", "DIGITAL")
	f.Add("O", "1e3", "é \u2028", "", "", "", "", "", "", "", "", "IN", "", "", "P")
	f.Fuzz(func(t *testing.T, id, amount, name, email, phone, ret, note, l1, l2, l3, city, country, pc, state, st string) {
		a, err := transform.ParseAmount(amount)
		if err != nil {
			return
		}
		o := &transform.Order{OrderID: id, Amount: a, Currency: "INR", Description: note, ReturnURL: ret,
			BillingAddress: &transform.Address{Line1: l1, Line2: l2, Line3: l3, City: city, Country: country, PostalCode: pc, State: state}}
		c := &transform.Customer{Email: email, Phone: phone}
		want, werr := referenceBody(o, name, c, st)
		got, gerr := createBody(o, name, c, st)
		if (werr == nil) != (gerr == nil) || (werr == nil && string(got) != string(want)) {
			t.Fatalf("got %s %v\nwant %s %v", got, gerr, want, werr)
		}
		// The fast path writes the typed request's canonical JSON.
		if werr == nil {
			typed, err := transform.CanonicalJSON(newCreateRequest(o, name, c, st))
			if err != nil || string(typed) != string(got) {
				t.Fatalf("typed %s %v\nfast  %s", typed, err, got)
			}
		}
		r := statusRequest{OrderID: id}
		sgot, serr := r.appendCanonical(nil)
		swant, swerr := transform.CanonicalJSON(map[string]any{"order_id": id})
		if (serr == nil) != (swerr == nil) || (serr == nil && string(sgot) != string(swant)) {
			t.Fatalf("status body %s %v\nwant %s %v", sgot, serr, swant, swerr)
		}
	})
}

// referenceAddress is the reference (map-based) address encoding.
func referenceAddress(a *transform.Address) map[string]any {
	if a == nil {
		return nil
	}
	m := map[string]any{}
	line2 := a.Line2
	if a.Line3 != "" {
		if line2 != "" {
			line2 += ", "
		}
		line2 += a.Line3
	}
	for _, f := range []struct{ name, value string }{
		{"line1", a.Line1}, {"line2", line2}, {"city", a.City}, {"state", a.State},
		{"country", a.Country}, {"postal_code", a.PostalCode},
	} {
		if f.value != "" {
			m[f.name] = f.value
		}
	}
	return m
}
