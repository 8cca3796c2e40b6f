package gatewaytest

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
)

// PublishedCase feeds one published answer to a parser. A case wants
// either an error of ErrType (and Field) or a result whose non-empty
// fields equal Want's.
type PublishedCase struct {
	File    string
	Gateway transform.Gateway
	Status  int
	Order   *transform.Order // for ParseCreate; nil means ParseStatus(ID)
	ID      string
	ErrType transform.ErrorType
	Field   string
	Want    transform.Result
	// Body is the answer when it is not File as stored (a completed prefix).
	Body []byte
}

// publishedLifecycle are the prefixes of refund, payment-link and webhook
// samples, which other tests read.
var publishedLifecycle = []string{"refund_", "webhook_", "payment_link", "order_payments_"}

// CheckPublished runs the cases, then checks that every order sample of the
// gateway's published folder is fed to a parser or listed in notAnswers
// (the samples that are not answers to a create or status request, with
// where they are used instead).
func CheckPublished(t *testing.T, gateway string, cases []PublishedCase, notAnswers map[string]string) {
	t.Helper()
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.File] = true
		body := c.Body
		if body == nil {
			body = Published(t, c.File)
		}
		var res *transform.Result
		var e *transform.Error
		op := "status " + c.ID
		if c.Order != nil {
			op = "create " + c.Order.OrderID + " " + c.Order.Amount.Shortest() + " " + c.Order.Currency
			res, e = c.Gateway.ParseCreate(c.Order, c.Status, body)
		} else {
			res, e = c.Gateway.ParseStatus(c.ID, c.Status, body)
		}
		name := c.File + " (" + op + ")"
		if c.ErrType != "" {
			if e == nil || e.Type != c.ErrType || e.Field != c.Field || e.Gateway != c.Gateway.Name() || e.Message == "" {
				t.Errorf("%s: got %+v %v, want %s on %q", name, res, e, c.ErrType, c.Field)
			}
			continue
		}
		if e != nil {
			t.Errorf("%s: %v", name, e)
			continue
		}
		if res.Gateway != c.Gateway.Name() || (c.Order != nil && res.OrderID != c.Order.OrderID) || (c.Order == nil && res.OrderID != c.ID) {
			t.Errorf("%s: result names %s/%s", name, res.Gateway, res.OrderID)
		}
		got, want := reflect.ValueOf(*res), reflect.ValueOf(c.Want)
		for i := 0; i < want.NumField(); i++ {
			w := want.Field(i)
			if w.IsZero() {
				continue
			}
			if w.Kind() == reflect.Map {
				for _, k := range w.MapKeys() {
					if g := got.Field(i).MapIndex(k); !g.IsValid() || g.String() != w.MapIndex(k).String() {
						t.Errorf("%s: %s[%s] = %v, want %v", name, want.Type().Field(i).Name, k, g, w.MapIndex(k))
					}
				}
				continue
			}
			if got.Field(i).Interface() != w.Interface() {
				t.Errorf("%s: %s = %v, want %v", name, want.Type().Field(i).Name, got.Field(i), w)
			}
		}
	}

	// Every order sample is fed to a parser or listed as not an answer.
	files, err := os.ReadDir(publishedDir() + "/" + gateway)
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, f := range files {
		name := gateway + "/" + f.Name()
		lifecycle := slices.ContainsFunc(publishedLifecycle, func(p string) bool { return strings.HasPrefix(f.Name(), p) })
		if !lifecycle && !covered[name] && notAnswers[name] == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("published samples fed to no parser: %v", missing)
	}
}
