package transform

import (
	"net/http"
	"os"
	"testing"
)

// Benchmarks of the pure hot path: canonical decode, each gateway's request
// building and answer mapping. Fixtures are the emulators' own answers for
// the order the load harness (tests/load) sends, so the figures line up.
//
//	go test -run '^$' -bench . -benchmem -count 5 ./transform/

// benchOrderBody is a typical create: every gateway accepts it as is.
const benchOrderBody = `{"order_id":"ORD1001","amount":"105.50","currency":"INR","description":"Load test order",` +
	`"customer":{"id":"cust-7","name":"Asha Rao","email":"asha@example.com","phone":"+919876543210"},` +
	`"return_url":"https://merchant.example/return","metadata":{"cart":"42"}}`

// benchMinimalBody is the smallest valid create.
const benchMinimalBody = `{"order_id":"ORD1001","amount":"105.50","currency":"INR"}`

type benchGateway struct {
	gw           Gateway
	createStatus int
	createBody   string // answer to benchOrderBody's create
	statusID     string
	statusStatus int
	statusBody   string // answer to a status request for statusID
}

func benchGateways() []benchGateway {
	return []benchGateway{
		{
			gw:           Razorpay{},
			createStatus: http.StatusOK,
			createBody: `{"id":"order_EKwxwAgItmmXdp","entity":"order","amount":10550,"amount_paid":0,"amount_due":10550,` +
				`"currency":"INR","receipt":"ORD1001","offer_id":null,"status":"created","attempts":0,"notes":{"cart":"42"},"created_at":1779413100}`,
			statusID:     "ORD1001",
			statusStatus: http.StatusOK,
			statusBody: `{"entity":"collection","count":1,"items":[{"id":"order_EKwxwAgItmmXdp","entity":"order","amount":10550,` +
				`"amount_paid":10550,"amount_due":0,"currency":"INR","receipt":"ORD1001","offer_id":null,"status":"paid",` +
				`"attempts":1,"notes":{"cart":"42"},"created_at":1779413100}]}`,
		},
		{
			gw:           Juspay{},
			createStatus: http.StatusOK,
			createBody: `{"status":"CREATED","status_id":1,"id":"ordeu_e294a26e66ad4336a992ceab81ad704c","order_id":"ORD1001",` +
				`"payment_links":{"web":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c",` +
				`"mobile":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c?mobile=true",` +
				`"iframe":"https://sandbox.juspay.in/merchant/ipay/ordeu_e294a26e66ad4336a992ceab81ad704c"}}`,
			statusID:     "JPAYNEW032",
			statusStatus: http.StatusOK,
			statusBody:   string(benchFixture("juspay/demo_order-status_NB.json")),
		},
		{
			gw:           KwikPaisa{ServiceType: "DIGITAL"},
			createStatus: http.StatusOK,
			createBody: `{"code":"200","status":"success","message":"API authentication successful!","return_data":` +
				`{"kwikX_order_id":"kp_3f0c1f5e-8d8a-4f3c-9a57-3c5d2f1b7e21","created_at":"22-05-2026 08:34 AM","order_id":"ORD1001",` +
				`"order_status":"UN_PAID","payment_link":"https://sandbox.kwikpaisa.com/payment/checkout/kp_3f0c1f5e-8d8a-4f3c-9a57-3c5d2f1b7e21"}}`,
			statusID:     "ORD1001",
			statusStatus: http.StatusOK,
			statusBody: `{"code":"200","status":"success","message":"Order status fetched successfully.","return_data":` +
				`{"kwikX_order_id":"kp_3f0c1f5e-8d8a-4f3c-9a57-3c5d2f1b7e21","order_id":"ORD1001","order_amount":"105.50",` +
				`"currency":"INR","order_status":"PAID","payment_method":"UPI","transaction_id":"T123456789012",` +
				`"created_at":"22-05-2026 08:34 AM","paid_at":"22-05-2026 08:36 AM"}}`,
		},
		{
			gw:           EnKash{},
			createStatus: http.StatusOK,
			createBody: `{"response_code":0,"response_message":"SUCCESS","payload":` +
				`{"redirectionUrl":"https://checkout-uat-v3.enkash.in/pay/ORD1779413100000AbCdE","orderId":"ORD1779413100000AbCdE"}}`,
			statusID:     "ORD1001",
			statusStatus: http.StatusOK,
			statusBody: `{"response_code":0,"response_message":"SUCCESS","payload":{"orderId":"ORD1779413100000AbCdE",` +
				`"merchantOrderId":"ORD1001","created":"2026-05-22T06:55:00.000+05:30","orderStatus":"PAID","amount":105.50,` +
				`"currency":"INR","description":"Load test order"}}`,
		},
	}
}

// benchFixture reads a published sample in place.
func benchFixture(name string) []byte {
	b, err := os.ReadFile(publishedDir + name)
	if err != nil {
		panic(err)
	}
	return b
}

func benchDecode(b *testing.B, body string) *Order {
	b.Helper()
	o, e := DecodeOrder([]byte(body))
	if e != nil {
		b.Fatalf("DecodeOrder: %v", e)
	}
	return o
}

// BenchmarkDecodeOrder compares DecodeOrder (go-json-experiment/json, strict
// by its options) with the encoding/json decoder it replaced, made as strict
// by a token pre-scan (v1-strict), and as it was (v1-lax, which read
// repeated and differently-cased names).
func BenchmarkDecodeOrder(b *testing.B) {
	decoders := []struct {
		name   string
		decode func([]byte) (*Order, *Error)
	}{
		{"v2", DecodeOrder},
		{"v1-strict", decodeOrderV1},
		{"v1-lax", func(body []byte) (*Order, *Error) { return decodeOrderV1Mode(body, false) }},
	}
	for _, c := range []struct{ name, body string }{{"typical", benchOrderBody}, {"minimal", benchMinimalBody}} {
		body := []byte(c.body)
		for _, d := range decoders {
			b.Run(c.name+"/"+d.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					if _, e := d.decode(body); e != nil {
						b.Fatal(e)
					}
				}
			})
		}
	}
}

func BenchmarkBuildCreate(b *testing.B) {
	o := benchDecode(b, benchOrderBody)
	for _, g := range benchGateways() {
		b.Run(g.gw.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, e := g.gw.BuildCreate(o); e != nil {
					b.Fatal(e)
				}
			}
		})
	}
}

func BenchmarkParseCreate(b *testing.B) {
	o := benchDecode(b, benchOrderBody)
	for _, g := range benchGateways() {
		body := []byte(g.createBody)
		b.Run(g.gw.Name(), func(b *testing.B) {
			if res, e := g.gw.ParseCreate(o, g.createStatus, body); e != nil || res.Status != StatusCreated {
				b.Fatalf("fixture does not parse as a created order: %v %v", res, e)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, e := g.gw.ParseCreate(o, g.createStatus, body); e != nil {
					b.Fatal(e)
				}
			}
		})
	}
}

func BenchmarkBuildStatus(b *testing.B) {
	for _, g := range benchGateways() {
		b.Run(g.gw.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, e := g.gw.BuildStatus(g.statusID); e != nil {
					b.Fatal(e)
				}
			}
		})
	}
}

func BenchmarkParseStatus(b *testing.B) {
	for _, g := range benchGateways() {
		body := []byte(g.statusBody)
		b.Run(g.gw.Name(), func(b *testing.B) {
			if res, e := g.gw.ParseStatus(g.statusID, g.statusStatus, body); e != nil || res.Status == StatusUnknown {
				b.Fatalf("fixture does not parse: %v %v", res, e)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, e := g.gw.ParseStatus(g.statusID, g.statusStatus, body); e != nil {
					b.Fatal(e)
				}
			}
		})
	}
}

// BenchmarkCreatePath is what the handler runs in transform/ for one create:
// decode, build, parse the answer and encode the canonical result.
func BenchmarkCreatePath(b *testing.B) {
	body := []byte(benchOrderBody)
	for _, g := range benchGateways() {
		answer := []byte(g.createBody)
		b.Run(g.gw.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				o, e := DecodeOrder(body)
				if e != nil {
					b.Fatal(e)
				}
				if _, e := g.gw.BuildCreate(o); e != nil {
					b.Fatal(e)
				}
				res, e := g.gw.ParseCreate(o, g.createStatus, answer)
				if e != nil {
					b.Fatal(e)
				}
				_ = res.JSON()
			}
		})
	}
}

func BenchmarkErrorJSON(b *testing.B) {
	e := GatewayFailure("razorpay", GatewayRejected, "BAD_REQUEST_ERROR", "The amount must be at least INR 1.00", "amount")
	b.ReportAllocs()
	for b.Loop() {
		_ = e.JSON()
	}
}
