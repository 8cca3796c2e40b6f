package transform

import "strings"

// A fast path for DecodeOrder. Most create requests are plain: known names
// written exactly once, string values without escapes, an amount given as a
// string or a number, no gateway_options. scanOrder reads exactly those, in
// one pass over the body and with every string a substring of one copy of
// it; on anything else (an escape, a null, an unknown or repeated name, a
// syntax error, gateway_options) it gives up and the strict decoder reads
// the body, so every error still comes from that one decoder.
// FuzzScanOrderEquivalence holds the two to the same order for every body
// scanOrder accepts.

// scanOrder reads a plain canonical order; ok is false when the body is not
// one (which does not mean it is invalid).
func scanOrder(body []byte) (o *Order, ok bool) {
	d := orderScanner{s: string(body)}
	o = new(Order)
	if !d.object(func(name string) bool { return d.orderField(o, name) }) {
		return nil, false
	}
	d.space()
	if d.i != len(d.s) {
		return nil, false
	}
	return o, true
}

type orderScanner struct {
	s    string
	i    int
	seen uint32 // top-level names read, by bit
}

func (d *orderScanner) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c.
func (d *orderScanner) next(c byte) bool {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *orderScanner) peek() byte {
	d.space()
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// str reads a string without escapes or control characters (the body is
// valid UTF-8, checked before).
func (d *orderScanner) str() (string, bool) {
	if !d.next('"') {
		return "", false
	}
	start := d.i
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return d.s[start : d.i-1], true
		case c == '\\' || c < 0x20:
			return "", false
		}
		d.i++
	}
	return "", false
}

// object reads {"name": value, …}, calling member for each name with the
// scanner at the value.
func (d *orderScanner) object(member func(name string) bool) bool {
	if !d.next('{') {
		return false
	}
	if d.next('}') {
		return true
	}
	for {
		name, ok := d.str()
		if !ok || !d.next(':') || !member(name) {
			return false
		}
		if d.next(',') {
			continue
		}
		return d.next('}')
	}
}

// once marks a top-level name read; a second time is not plain.
func (d *orderScanner) once(bit uint32) bool {
	if d.seen&bit != 0 {
		return false
	}
	d.seen |= bit
	return true
}

func (d *orderScanner) orderField(o *Order, name string) bool {
	var ok bool
	switch name {
	case "order_id":
		// Its own copy: the id outlives the request as a record's key, and
		// a substring would keep the whole body alive with it.
		var id string
		id, ok = d.str()
		o.OrderID = strings.Clone(id)
		return ok && d.once(1<<0)
	case "amount":
		return d.amount(&o.Amount) && d.once(1<<1)
	case "currency":
		o.Currency, ok = d.str()
		return ok && d.once(1<<2)
	case "description":
		o.Description, ok = d.str()
		return ok && d.once(1<<3)
	case "customer":
		c := new(Customer)
		o.Customer = c
		return d.strings(customerNames[:], []*string{&c.ID, &c.Name, &c.FirstName, &c.LastName, &c.Email, &c.Phone}) && d.once(1<<4)
	case "billing_address":
		o.BillingAddress = new(Address)
		return d.address(o.BillingAddress) && d.once(1<<5)
	case "shipping_address":
		o.ShippingAddress = new(Address)
		return d.address(o.ShippingAddress) && d.once(1<<6)
	case "return_url":
		o.ReturnURL, ok = d.str()
		return ok && d.once(1<<7)
	case "notify_url":
		o.NotifyURL, ok = d.str()
		return ok && d.once(1<<8)
	case "metadata":
		return d.stringMap(&o.Metadata) && d.once(1<<9)
	case "bank_account":
		a := new(BankAccount)
		o.BankAccount = a
		return d.strings(bankAccountNames[:], []*string{&a.AccountNumber, &a.IFSC, &a.Name}) && d.once(1<<10)
	}
	return false // gateway_options, or a name the schema does not have
}

var (
	customerNames    = [...]string{"id", "name", "first_name", "last_name", "email", "phone"}
	addressNames     = [...]string{"line1", "line2", "line3", "city", "state", "country", "postal_code"}
	bankAccountNames = [...]string{"account_number", "ifsc", "name"}
)

func (d *orderScanner) address(a *Address) bool {
	return d.strings(addressNames[:], []*string{&a.Line1, &a.Line2, &a.Line3, &a.City, &a.State, &a.Country, &a.PostalCode})
}

// strings reads an object whose members are the named strings, each at
// most once, into dst (same order as names).
func (d *orderScanner) strings(names []string, dst []*string) bool {
	var seen uint8
	return d.object(func(name string) bool {
		for k, n := range names {
			if n == name {
				if seen&(1<<k) != 0 {
					return false
				}
				seen |= 1 << k
				v, ok := d.str()
				*dst[k] = v
				return ok
			}
		}
		return false
	})
}

// stringMap reads an object of strings; a repeated name is not plain.
func (d *orderScanner) stringMap(m *map[string]string) bool {
	*m = map[string]string{}
	return d.object(func(name string) bool {
		if _, dup := (*m)[name]; dup {
			return false
		}
		v, ok := d.str()
		(*m)[name] = v
		return ok
	})
}

// amount reads an amount written as a string or as a JSON number made of
// digits and at most one point (what ParseAmount accepts).
func (d *orderScanner) amount(a *Amount) bool {
	var lit string
	if d.peek() == '"' {
		s, ok := d.str()
		if !ok {
			return false
		}
		lit = s
	} else {
		start := d.i
		for d.i < len(d.s) && (d.s[d.i] >= '0' && d.s[d.i] <= '9' || d.s[d.i] == '.') {
			d.i++
		}
		lit = d.s[start:d.i]
		// A JSON number needs digits on both sides of the point, which
		// ParseAmount requires too; what follows must end the value.
		if d.i < len(d.s) {
			switch d.s[d.i] {
			case ' ', '\t', '\n', '\r', ',', '}':
			default:
				return false
			}
		}
	}
	v, err := ParseAmount(lit)
	if err != nil {
		return false
	}
	*a = v
	return true
}
