package emulator

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Fault makes an emulator instance misbehave the way real gateways and
// networks do, so paygate's fault mapping can be tested through Caddy.
type Fault string

const (
	// FaultHTML500 answers 500 with an HTML page, without processing.
	FaultHTML500 Fault = "html500"
	// FaultNonJSON200 answers 200 with a body that is not JSON, without processing.
	FaultNonJSON200 Fault = "nonjson200"
	// FaultGzip processes the request and sends the real answer gzip-compressed,
	// whatever the client asked for.
	FaultGzip Fault = "gzip"
	// FaultHuge answers 200 with a JSON body over 1 MiB, without processing.
	FaultHuge Fault = "huge"
	// FaultReset processes the request, then drops the connection without answering.
	FaultReset Fault = "reset"
	// FaultHang processes the request, then answers only after HangFor.
	FaultHang Fault = "hang"
)

// HangFor is how long FaultHang holds the answer back.
var HangFor = 3 * time.Second

type faultState struct {
	fault Fault
	times int // how many requests it still applies to; <0 for all
}

var (
	faultsMu sync.Mutex
	faults   = map[string]*faultState{}
)

// SetFault makes the next `times` requests to an instance fail with fault
// (times < 0: every request until ClearFault).
func SetFault(instance string, fault Fault, times int) {
	faultsMu.Lock()
	defer faultsMu.Unlock()
	faults[instance] = &faultState{fault: fault, times: times}
}

// ClearFault restores normal behaviour.
func ClearFault(instance string) {
	faultsMu.Lock()
	defer faultsMu.Unlock()
	delete(faults, instance)
	delete(routeFaults, instance)
}

func takeFault(instance string) Fault {
	faultsMu.Lock()
	defer faultsMu.Unlock()
	f, ok := faults[instance]
	if !ok || f.times == 0 {
		return ""
	}
	if f.times > 0 {
		f.times--
	}
	return f.fault
}

// SetFaultOn is SetFault for the requests with this method whose path ends
// in pathSuffix only (a refund call, not the status calls before it); such
// a fault is tried before one set by SetFault.
func SetFaultOn(instance string, fault Fault, times int, method, pathSuffix string) {
	faultsMu.Lock()
	defer faultsMu.Unlock()
	routeFaults[instance] = &routeFault{faultState{fault: fault, times: times}, method, pathSuffix}
}

type routeFault struct {
	faultState
	method, suffix string
}

var routeFaults = map[string]*routeFault{}

// takeFaultFor picks the fault for one request.
func takeFaultFor(instance string, r *http.Request) Fault {
	faultsMu.Lock()
	f, ok := routeFaults[instance]
	if ok && f.times != 0 && r.Method == f.method && strings.HasSuffix(r.URL.Path, f.suffix) {
		if f.times > 0 {
			f.times--
		}
		faultsMu.Unlock()
		return f.fault
	}
	faultsMu.Unlock()
	return takeFault(instance)
}

// serveWithFaults serves a request through emu, applying the instance's fault.
func serveWithFaults(instance string, emu Emulator, w http.ResponseWriter, r *http.Request) {
	switch takeFaultFor(instance, r) {
	case FaultRateLimit:
		serveRateLimit(w)
	case FaultHTML500:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("<!DOCTYPE html><html><body><h1>500 Internal Server Error</h1></body></html>"))
	case FaultNonJSON200:
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("OK"))
	case FaultHuge:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"padding":"` + strings.Repeat("x", 1<<20+4096) + `"}`))
	case FaultGzip:
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(rec.Body.Bytes())
		zw.Close()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(buf.Bytes())
	case FaultReset:
		emu.ServeHTTP(httptest.NewRecorder(), r)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // closes the connection where hijacking is impossible
	case FaultHang:
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		select {
		case <-time.After(HangFor):
		case <-r.Context().Done():
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	default:
		emu.ServeHTTP(w, r)
	}
}

// FaultRateLimit answers 429 Too Many Requests with Retry-After and a JSON
// error body, without processing: the gateway did nothing.
const FaultRateLimit Fault = "ratelimit"

// RateLimitRetryAfter is the Retry-After FaultRateLimit sends.
const RateLimitRetryAfter = "2"

func serveRateLimit(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", RateLimitRetryAfter)
	w.WriteHeader(http.StatusTooManyRequests)
	w.Write([]byte(`{"error":{"code":"BAD_REQUEST_ERROR","description":"Too many requests"}}`))
}
