package juspay

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// errorBody holds both error shapes: the classic {status, error_code,
// error_message} and the newer one that adds error_info.
type errorBody struct {
	Status       string     `json:"status"`
	ErrorCode    string     `json:"error_code"`
	ErrorMessage string     `json:"error_message"`
	ErrorInfo    *errorInfo `json:"error_info"`
}

type errorInfo struct {
	UserMessage      string       `json:"user_message"`
	DeveloperMessage string       `json:"developer_message"`
	Code             string       `json:"code"`
	Fields           []errorField `json:"fields"`
}

type errorField struct {
	FieldName string `json:"field_name"`
	Reason    string `json:"reason"`
}

func (eb *errorBody) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("status", &eb.Status), transform.Into("error_code", &eb.ErrorCode),
		transform.Into("error_message", &eb.ErrorMessage),
		transform.Into("error_info", func(dec *jsontext.Decoder) error { return transform.ReadPointer(dec, &eb.ErrorInfo, (*errorInfo).read) }))
}

func (ei *errorInfo) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("user_message", &ei.UserMessage),
		transform.Into("developer_message", &ei.DeveloperMessage), transform.Into("code", &ei.Code),
		transform.Into("fields", func(dec *jsontext.Decoder) error { return transform.ReadSlice(dec, &ei.Fields, (*errorField).read) }))
}

func (f *errorField) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("field_name", &f.FieldName), transform.Into("reason", &f.Reason))
}

// readNotFound reads the status and status_id of an answer, where Juspay
// says NOT_FOUND (40).
func readNotFound(body []byte) (status string, statusID json.Number, err error) {
	err = transform.ReadAnswer(body, transform.Into("status", &status), transform.Into("status_id", &statusID))
	return status, statusID, err
}

// failure reads Juspay's error answer, either shape, for the shared
// skeleton (transform.Facts.Fail). o is the order of a create, for the
// field an error names; nil otherwise.
func (Dialect) failure(op transform.Op, status int, body []byte, o *transform.Order) *transform.Error {
	x := transform.Failure{Op: op, HTTPStatus: status}
	var eb errorBody
	decoded := transform.ReadAnswerWith(body, eb.read) == nil
	x.Readable = decoded && (eb.ErrorCode != "" || eb.ErrorMessage != "" || eb.ErrorInfo != nil)
	x.Code, x.Message = eb.ErrorCode, eb.ErrorMessage
	codes := []string{eb.ErrorCode}
	texts := []string{eb.ErrorMessage}
	fieldName := ""
	if ei := eb.ErrorInfo; ei != nil {
		x.Code = cmp.Or(x.Code, ei.Code)
		codes = append(codes, ei.Code)
		texts = append(texts, ei.UserMessage, ei.DeveloperMessage)
		for _, f := range ei.Fields {
			texts = append(texts, f.Reason)
		}
		// The field's reason is the most precise of Juspay's words about
		// an order.
		if len(ei.Fields) > 0 && op != transform.OpRefund {
			fieldName = ei.Fields[0].FieldName
			x.Message = cmp.Or(ei.Fields[0].Reason, x.Message)
		}
		x.Message = cmp.Or(x.Message, ei.DeveloperMessage, ei.UserMessage)
	}
	if op == transform.OpRefund {
		// A refund's error is read by its one code: error_code, else
		// error_info.code.
		codes = []string{x.Code}
	}
	hasCode := func(want ...string) bool {
		return slices.ContainsFunc(codes, func(c string) bool {
			return slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(c, w) })
		})
	}
	mentions := func(words ...string) bool {
		return slices.ContainsFunc(texts, func(t string) bool {
			return slices.ContainsFunc(words, func(w string) bool { return transform.ContainsFold(t, w) })
		})
	}
	clientError := status >= 400 && status < 500
	x.Credentials = hasCode("access_denied", "missing_authentication", "UNAUTHENTICATED", "UNAUTHORIZED")
	notFound := func() bool {
		return x.Readable && clientError && (status == http.StatusNotFound || hasCode("RESOURCE_NOT_FOUND", "NOT_FOUND"))
	}
	switch op {
	case transform.OpCreate:
		x.Duplicate = clientError && (hasCode("ALREADY_EXISTS", "DUPLICATE_REQUEST") || mentions("already exist", "duplicate"))
		if fieldName != "" {
			x.Field = fieldOf(o, fieldName)
		}
	case transform.OpStatus:
		x.NotFound = notFound()
		x.Field = fieldOf(nil, fieldName)
	case transform.OpRefund:
		// Juspay's refund errors (developer.juspay.in/reference/refund-order,
		// all HTTP 400): duplicate.call is either "already completed with
		// this unique_request_id" (a refund exists under the id) or "already
		// processing with this amount" (a call is in flight);
		// invalid.amount.exceeded is an over-refund; an unknown order
		// answers {"status":"NOT_FOUND","status_id":40}.
		x.Readable = x.Readable && (x.Code != "" || x.Message != "")
		dupCall := strings.EqualFold(x.Code, "duplicate.call")
		x.InProgress = dupCall && transform.ContainsFold(x.Message, "processing")
		x.Duplicate = dupCall || hasCode("DUPLICATE_REQUEST", "ALREADY_EXISTS")
		x.NotFound = notFound()
		if st, id, err := readNotFound(body); decoded && err == nil && (st == "NOT_FOUND" || id == "40") {
			x.Readable, x.NotFound, x.Code, x.Message = true, true, "NOT_FOUND", eb.ErrorMessage
		}
		if transform.ContainsFold(x.Code, "amount") || transform.ContainsFold(x.Message, "amount") {
			x.Field = "amount"
		}
	}
	if x.NotFound {
		x.Field = "order_id"
	}
	return Facts.Fail(&x)
}

// formFields names the canonical field behind each Juspay key that does
// not depend on the order (udfN and the name fields do: fieldOf).
var formFields = map[string]string{
	"order_id": "order_id", "amount": "amount", "currency": "currency",
	"customer_id": "customer.id", "customer_email": "customer.email", "customer_phone": "customer.phone",
	"first_name": "customer.name", "last_name": "customer.name",
	"description": "description", "return_url": "return_url", "metadata.webhook_url": "notify_url",
	"product_id": "gateway_options.product_id", "gateway_id": "gateway_options.gateway_id",
	"options.get_client_auth_token": "gateway_options.get_client_auth_token",
}

// fieldOf names the canonical field behind a Juspay form key; for a create
// the order says which metadata key went to a udf and where the names came
// from.
func fieldOf(o *transform.Order, key string) string {
	if o != nil {
		if r, e := newCreateRequest(o); e == nil {
			if f := r.fieldOf(o, key); f != "" {
				return f
			}
		}
	}
	if c, ok := formFields[key]; ok {
		return c
	}
	for _, p := range []string{"billing_address", "shipping_address"} {
		rest, ok := strings.CutPrefix(key, p+"_")
		switch {
		case !ok:
		case rest == "first_name" || rest == "last_name":
			return "customer.name"
		case slices.Contains(addressParts, rest):
			return p + "." + rest
		}
	}
	if _, ok := udfSlot(key); ok {
		return "metadata"
	}
	return ""
}

// fieldOf names the canonical field behind a key r sends that depends on
// the order o: the metadata key in a udf slot, and a name's source (the
// first or last name given, or the whole name split).
func (r *createRequest) fieldOf(o *transform.Order, key string) string {
	if n, ok := udfSlot(key); ok && r.UDF[n-1].Key != "" {
		return "metadata." + r.UDF[n-1].Key
	}
	var value string
	first := strings.HasSuffix(key, "first_name")
	switch key {
	case "first_name", "last_name":
		value = r.LastName
		if first {
			value = r.FirstName
		}
	case "billing_address_first_name", "billing_address_last_name", "shipping_address_first_name", "shipping_address_last_name":
		a := &r.Addresses[0]
		if strings.HasPrefix(key, "shipping") {
			a = &r.Addresses[1]
		}
		if a.Sent {
			value = a.LastName
			if first {
				value = a.FirstName
			}
		}
	}
	switch {
	case value == "":
		return ""
	case o.Customer.FirstName == "" && o.Customer.LastName == "":
		return "customer.name"
	case first:
		return "customer.first_name"
	}
	return "customer.last_name"
}
