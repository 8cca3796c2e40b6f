package signers

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Per-attempt signing cost: it runs once for every upstream request.
//
//	go test -run '^$' -bench . -benchmem -count 5 ./signers/

// benchBody is the size of a typical create body.
var benchBody = []byte(`{"customer":{"email":"asha@example.com","name":"Asha Rao","phone":"+919876543210"},` +
	`"order_amount":105.5,"order_currency":"INR","order_id":"ORD1001","order_note":"Load test order",` +
	`"return_url":"https://merchant.example/return","service_type":"DIGITAL"}`)

func BenchmarkBasicSign(b *testing.B) {
	for _, c := range []struct {
		name string
		s    *Basic
	}{
		{"razorpay", NewBasic("rzp_test_bench", "bench-secret")},
		{"juspay", NewBasic("jp_bench_key", "", Header{Name: "x-merchantid", Value: "bench_merchant"}, Header{Name: "version", Value: "2023-01-01"})},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := make(http.Header, 8)
			b.ReportAllocs()
			for b.Loop() {
				c.s.Sign(h)
			}
		})
	}
}

func BenchmarkHMACSign(b *testing.B) {
	s := NewHMAC("pk_test_bench", "bench-secret", nil)
	h := make(http.Header, 8)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		s.Sign(h, benchBody)
	}
}

// BenchmarkTokenWarm is a request's cost of getting a bearer token once the
// cache is warm: it must never call the endpoint.
func BenchmarkTokenWarm(b *testing.B) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		fmt.Fprintf(w, `{"token":"tok-%d","expiry":%d,"resultCode":200}`, calls, time.Now().Add(time.Hour).UnixMilli())
	}))
	defer srv.Close()
	src, err := NewTokenSource(TokenConfig{Gateway: "enkash", URL: srv.URL, AccessKey: "ak_bench", SecretKey: "sk_bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()
	if _, err := src.Token(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := src.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if st := src.Stats(); st.Fetches != 1 {
		b.Fatalf("warm Token calls made %d token calls, want the first one only", st.Fetches)
	}
}

func BenchmarkTokenWarmParallel(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"token":"tok-1","expiry":%d,"resultCode":200}`, time.Now().Add(time.Hour).UnixMilli())
	}))
	defer srv.Close()
	src, err := NewTokenSource(TokenConfig{Gateway: "enkash", URL: srv.URL, AccessKey: "ak_bench", SecretKey: "sk_bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	if _, err := src.Token(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := src.Token(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
