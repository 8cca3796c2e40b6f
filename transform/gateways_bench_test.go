package transform_test

import (
	"net/http"
	"testing"

	"github.com/paygate/caddy-paygate/transform"
	"github.com/paygate/caddy-paygate/transform/enkash"
	"github.com/paygate/caddy-paygate/transform/gatewaytest"
	"github.com/paygate/caddy-paygate/transform/juspay"
	"github.com/paygate/caddy-paygate/transform/kwikpaisa"
	"github.com/paygate/caddy-paygate/transform/razorpay"
)

type benchGateway struct {
	gw           transform.Gateway
	createStatus int
	createBody   string // answer to transform.BenchOrderBody's create
	statusID     string
	statusStatus int
	statusBody   string // answer to a status request for statusID
}

func benchGateways(b testing.TB) []benchGateway {
	return []benchGateway{
		{
			gw:           razorpay.Dialect{},
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
			gw:           juspay.Dialect{},
			createStatus: http.StatusOK,
			createBody: `{"status":"CREATED","status_id":1,"id":"ordeu_e294a26e66ad4336a992ceab81ad704c","order_id":"ORD1001",` +
				`"payment_links":{"web":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c",` +
				`"mobile":"https://sandbox.juspay.in/merchant/pay/ordeu_e294a26e66ad4336a992ceab81ad704c?mobile=true",` +
				`"iframe":"https://sandbox.juspay.in/merchant/ipay/ordeu_e294a26e66ad4336a992ceab81ad704c"}}`,
			statusID:     "JPAYNEW032",
			statusStatus: http.StatusOK,
			statusBody:   string(gatewaytest.Published(b, "juspay/demo_order-status_NB.json")),
		},
		{
			gw:           kwikpaisa.Dialect{ServiceType: "DIGITAL"},
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
			gw:           enkash.Dialect{},
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

func BenchmarkBuildCreate(b *testing.B) {
	o := benchDecode(b, transform.BenchOrderBody)
	for _, g := range benchGateways(b) {
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
	o := benchDecode(b, transform.BenchOrderBody)
	for _, g := range benchGateways(b) {
		body := []byte(g.createBody)
		b.Run(g.gw.Name(), func(b *testing.B) {
			if res, e := g.gw.ParseCreate(o, g.createStatus, body); e != nil || res.Status != transform.StatusCreated {
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
	for _, g := range benchGateways(b) {
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
	for _, g := range benchGateways(b) {
		body := []byte(g.statusBody)
		b.Run(g.gw.Name(), func(b *testing.B) {
			if res, e := g.gw.ParseStatus(g.statusID, g.statusStatus, body); e != nil || res.Status == transform.StatusUnknown {
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
	body := []byte(transform.BenchOrderBody)
	for _, g := range benchGateways(b) {
		answer := []byte(g.createBody)
		b.Run(g.gw.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				o, e := transform.DecodeOrder(body)
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

func benchDecode(b *testing.B, body string) *transform.Order {
	b.Helper()
	o, e := transform.DecodeOrder([]byte(body))
	if e != nil {
		b.Fatalf("DecodeOrder: %v", e)
	}
	return o
}
