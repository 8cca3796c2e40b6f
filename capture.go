package paygate

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/paygate/caddy-paygate/transform"
)

// captureWriter receives the gateway's answer in place of the application's
// writer: its own header map keeps upstream headers away from the
// application, and the body is capped at maxResponse.
type captureWriter struct {
	header      http.Header
	status      int
	body        bytes.Buffer
	overflow    bool
	wroteHeader bool
}

var capturePool = sync.Pool{New: func() any { return &captureWriter{header: make(http.Header, 8)} }}

func getCapture() *captureWriter { return capturePool.Get().(*captureWriter) }

func putCapture(cw *captureWriter) {
	if cw.body.Cap() > 64<<10 {
		return // let oversized buffers go
	}
	clear(cw.header)
	cw.status, cw.overflow, cw.wroteHeader = 0, false, false
	cw.body.Reset()
	capturePool.Put(cw)
}

var errResponseTooLarge = fmt.Errorf("gateway answer larger than %d bytes", maxResponse)

func (cw *captureWriter) Header() http.Header { return cw.header }

func (cw *captureWriter) WriteHeader(status int) {
	if cw.wroteHeader || status < 200 {
		return // 1xx are informational; the final status follows
	}
	cw.status, cw.wroteHeader = status, true
}

func (cw *captureWriter) Write(p []byte) (int, error) {
	if !cw.wroteHeader {
		cw.WriteHeader(http.StatusOK)
	}
	if cw.overflow || cw.body.Len()+len(p) > maxResponse {
		// Stop reading: an endless or drip-fed body must not hold the
		// request (and its order's lock). reverse_proxy aborts with
		// http.ErrAbortHandler, which callNext recovers; roundTrip sees
		// the overflow first.
		cw.overflow = true
		return 0, errResponseTooLarge
	}
	return cw.body.Write(p)
}

// FlushError is a no-op: nothing reaches the application until the answer
// has been mapped.
func (cw *captureWriter) FlushError() error { return nil }

// decodedBody returns the body, decoding gzip that the gateway sent without
// being asked; any other encoding cannot be read.
func (cw *captureWriter) decodedBody(gateway string) ([]byte, *transform.Error) {
	if cw.status == 0 {
		cw.status = http.StatusOK
	}
	// An identity body is the capture buffer itself, valid until
	// putCapture(cw): the parsers keep copies of what they read (strings;
	// gatewaytest's outlivesBody holds them to it), so the common answer is
	// not copied once more.
	switch enc := strings.ToLower(strings.TrimSpace(cw.header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return cw.body.Bytes(), nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(cw.body.Bytes()))
		if err != nil {
			return nil, transform.Unreadable(gateway, cw.status, "a corrupt gzip body")
		}
		out, err := io.ReadAll(io.LimitReader(zr, maxResponse+1))
		if err != nil {
			return nil, transform.Unreadable(gateway, cw.status, "a corrupt gzip body")
		}
		if len(out) > maxResponse {
			return nil, &transform.Error{Type: transform.GatewayError, Gateway: gateway,
				Message: fmt.Sprintf("%s answered with a body larger than %d bytes", gateway, maxResponse)}
		}
		return out, nil
	default:
		return nil, transform.Unreadable(gateway, cw.status, "a body in an encoding paygate cannot read ("+enc+")")
	}
}

// Interface guards
var _ http.ResponseWriter = (*captureWriter)(nil)
