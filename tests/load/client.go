package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// A minimal HTTP/1.1 keep-alive client: requests are serialised before the
// clock starts and responses are parsed without allocating, so that on a
// small machine the load generator takes as little CPU as possible from the
// Caddy it measures.

// conn is one keep-alive connection owned by one worker.
type conn struct {
	addr string
	c    net.Conn
	br   *bufio.Reader
	body []byte // reused body buffer
}

func dial(addr string) (*conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	return &conn{addr: addr, c: c, br: bufio.NewReaderSize(c, 16<<10), body: make([]byte, 0, 8<<10)}, nil
}

func (c *conn) close() {
	if c != nil && c.c != nil {
		c.c.Close()
	}
}

var errMalformed = errors.New("malformed HTTP response")

// do sends one serialised request and reads the whole response. The body
// slice is valid until the next call. mustClose reports a response that
// ends the connection.
func (c *conn) do(req []byte, timeout time.Duration) (status int, body []byte, mustClose bool, err error) {
	if err := c.c.SetDeadline(time.Now().Add(timeout)); err != nil {
		return 0, nil, true, err
	}
	if _, err := c.c.Write(req); err != nil {
		return 0, nil, true, err
	}
	return readResponse(c.br, &c.body)
}

// readResponse parses a status line, headers and a Content-Length or
// chunked body into *buf.
func readResponse(br *bufio.Reader, buf *[]byte) (status int, body []byte, mustClose bool, err error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, nil, true, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, true, errMalformed
	}
	status, ok := atoi(line[9:12])
	if !ok {
		return 0, nil, true, errMalformed
	}
	length, chunked := -1, false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return 0, nil, true, err
		}
		line = trimCRLF(line)
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return 0, nil, true, errMalformed
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := atoi(value)
			if !ok {
				return 0, nil, true, errMalformed
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			mustClose = bytes.EqualFold(value, []byte("close"))
		}
	}
	b := (*buf)[:0]
	switch {
	case chunked:
		for {
			line, err = br.ReadSlice('\n')
			if err != nil {
				return 0, nil, true, err
			}
			line = trimCRLF(line)
			if i := bytes.IndexByte(line, ';'); i >= 0 {
				line = line[:i]
			}
			size, err := strconv.ParseUint(string(line), 16, 31)
			if err != nil {
				return 0, nil, true, errMalformed
			}
			if size == 0 {
				for { // trailers, then the final CRLF
					line, err = br.ReadSlice('\n')
					if err != nil {
						return 0, nil, true, err
					}
					if len(trimCRLF(line)) == 0 {
						break
					}
				}
				break
			}
			start := len(b)
			b = grow(b, int(size))
			if _, err := io.ReadFull(br, b[start:]); err != nil {
				return 0, nil, true, err
			}
			if _, err := br.Discard(2); err != nil {
				return 0, nil, true, err
			}
		}
	case length >= 0:
		b = grow(b, length)
		if _, err := io.ReadFull(br, b); err != nil {
			return 0, nil, true, err
		}
	default: // the body ends with the connection
		rest, err := io.ReadAll(br)
		if err != nil {
			return 0, nil, true, err
		}
		b = append(b, rest...)
		mustClose = true
	}
	*buf = b
	return status, b, mustClose, nil
}

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n+1024)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

func trimCRLF(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// serialise writes a request with the given headers, in the given order.
func serialise(method, target, host string, headers [][2]string, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host)
	for _, h := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	if body != nil {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}
