package kwikpaisa

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/paygate/caddy-paygate/transform"
)

// envelope is every KwikPaisa answer: success, v3 errors
// ({"status":false,"code":401,"message":…}) and legacy errors
// ({"code":"401","status":"failed","message":…,"return_data":{"description":…}}).
type envelope struct {
	Code       transform.Scalar `json:"code"`
	Status     transform.Scalar `json:"status"`
	Message    transform.Scalar `json:"message"`
	ReturnData json.RawMessage  `json:"return_data"`
}

func (env *envelope) read(dec *jsontext.Decoder) error {
	return transform.ReadMembers(dec, transform.Into("code", &env.Code), transform.Into("status", &env.Status),
		transform.Into("message", &env.Message), transform.Into("return_data", &env.ReturnData))
}

// failure reads a KwikPaisa error answer, v3 ({"status":false,"code":401,
// "message":…}) or legacy ({"code":"401","status":"failed","message":…,
// "return_data":{"description":…}}), for the shared skeleton
// (transform.Facts.Fail). The answer's HTTP status is trusted first; a 2xx
// body that says it failed stands for the status in its code.
func (Dialect) failure(op transform.Op, status int, body []byte) *transform.Error {
	x := transform.Failure{Op: op, HTTPStatus: status}
	code := status
	var env envelope
	if transform.ReadAnswerWith(body, env.read) == nil {
		x.Readable = true
		x.Code, x.Message = string(env.Code), env.message()
		if status >= 200 && status <= 299 {
			code, _ = strconv.Atoi(string(env.Code))
		}
	}
	x.Status = code
	switch {
	case !x.Readable:
	case code < 400:
		// A failed envelope whose code is no HTTP error is KwikPaisa's own
		// failure, no verdict on the order.
		x.Status = http.StatusBadGateway
	case op == transform.OpCreate && code == http.StatusNotFound:
		// Create has no "not found": the route or base URL is wrong.
		x.Status = http.StatusBadGateway
	}
	x.Duplicate = code == http.StatusConflict
	x.NotFound = op == transform.OpStatus && (code == http.StatusNotFound ||
		x.Readable && code < 500 && (transform.ContainsFold(x.Message, "not found") || transform.ContainsFold(x.Message, "does not exist")))
	return Facts.Fail(&x)
}

// message is the gateway's text, with the legacy return_data.description
// when there is one.
func (env *envelope) message() string {
	msg := string(env.Message)
	var desc transform.Scalar
	if len(env.ReturnData) > 0 && transform.ReadAnswer(env.ReturnData, transform.Into("description", &desc)) == nil && desc != "" {
		if msg == "" {
			return string(desc)
		}
		if string(desc) != msg {
			msg += ": " + string(desc)
		}
	}
	return msg
}
