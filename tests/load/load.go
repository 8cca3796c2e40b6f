package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// route is one of the two ways to the emulator.
type route int

const (
	plainRoute   route = iota // reverse_proxy alone: the physical limit
	paygateRoute              // paygate + reverse_proxy
)

func (r route) String() string {
	if r == plainRoute {
		return "plain"
	}
	return "paygate"
}

// check recognises a successful answer.
type check struct {
	status int
	marker []byte
}

// phase is a fixed list of calls sent by `concurrency` workers, each on
// its own keep-alive connection.
type phase struct {
	addr        string
	requests    []call
	concurrency int
	timeout     time.Duration // per request
	deadline    time.Time     // no new call after this
	// conns are the workers' keep-alive connections, kept from the warm-up
	// to the measured phase; nil entries are dialled.
	conns []*conn
}

// result is what one measured phase gave.
type result struct {
	latencies []int64 // ns, of successful requests
	errors    int
	sample    string // first error, for the report
	elapsed   time.Duration
	cpuTicks  int64 // Caddy's CPU ticks during the phase (-1: unknown)
	// upCPUTicks are the stand-in's CPU ticks during the phase (-1: unknown).
	upCPUTicks int64
}

func (r *result) ok() int { return len(r.latencies) }

func (r *result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.ok()) / r.elapsed.Seconds()
}

// cpuPerRequest is Caddy's CPU time per request in µs.
func (r *result) cpuPerRequest() float64 {
	if r.cpuTicks < 0 || r.ok() == 0 {
		return math.NaN()
	}
	return float64(r.cpuTicks) * (1e6 / clockTick) / float64(r.ok()+r.errors)
}

// run sends every request of the phase and times each one, from the first
// byte written to the last byte of the answer read.
func (ph *phase) run(ctx context.Context) *result {
	var (
		next   atomic.Int64
		mu     sync.Mutex
		res    = &result{cpuTicks: -1, upCPUTicks: -1}
		wg     sync.WaitGroup
		errCnt atomic.Int64
	)
	perWorker := make([][]int64, ph.concurrency)
	if len(ph.conns) != ph.concurrency {
		ph.conns = make([]*conn, ph.concurrency)
	}
	start := time.Now()
	for w := 0; w < ph.concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			lat := make([]int64, 0, len(ph.requests)/ph.concurrency+16)
			c := ph.conns[w]
			defer func() { ph.conns[w] = c }()
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if int(i) >= len(ph.requests) || time.Now().After(ph.deadline) {
					break
				}
				if c == nil {
					var err error
					if c, err = dial(ph.addr); err != nil {
						errCnt.Add(1)
						mu.Lock()
						if res.sample == "" {
							res.sample = err.Error()
						}
						mu.Unlock()
						time.Sleep(10 * time.Millisecond)
						continue
					}
				}
				d, sample, ok := ph.do(&c, ph.requests[i])
				if ok {
					lat = append(lat, int64(d))
				} else {
					errCnt.Add(1)
					mu.Lock()
					if res.sample == "" {
						res.sample = sample
					}
					mu.Unlock()
				}
			}
			perWorker[w] = lat
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	for _, l := range perWorker {
		res.latencies = append(res.latencies, l...)
	}
	res.errors = int(errCnt.Load())
	return res
}

// do sends a call's steps one after another on *c and times them all. A
// failed step ends the call; a connection the answer closes, or that
// failed, is replaced (*c is nil after a failure).
func (ph *phase) do(c **conn, cl call) (time.Duration, string, bool) {
	t0 := time.Now()
	for j, st := range cl {
		if *c == nil {
			var err error
			if *c, err = dial(ph.addr); err != nil {
				return 0, err.Error(), false
			}
		}
		status, body, mustClose, err := (*c).do(st.raw, ph.timeout)
		failed := err != nil || status != st.want.status || !bytes.Contains(body, st.want.marker)
		sample := ""
		switch {
		case err != nil:
			sample, mustClose = err.Error(), true
		case failed:
			sample = fmt.Sprintf("HTTP %d %.300s", status, body)
		}
		if len(cl) > 1 && sample != "" {
			sample = fmt.Sprintf("step %d of %d: %s", j+1, len(cl), sample)
		}
		if mustClose {
			(*c).close()
			*c = nil
		}
		if failed {
			return 0, sample, false
		}
	}
	return time.Since(t0), "", true
}

// closeConns ends the phase's connections.
func (ph *phase) closeConns() {
	for i, c := range ph.conns {
		c.close()
		ph.conns[i] = nil
	}
}

// percentile by nearest rank over sorted values.
func percentile(sorted []int64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return float64(sorted[i])
}

// summary is a route's figures over one or more phases.
type summary struct {
	n        int
	errors   int
	p50, p99 float64 // µs
	rps      float64
	cpu      float64 // µs of Caddy CPU per request
	upCPU    float64 // µs of the stand-in's CPU per request
}

func summarise(rs []*result) summary {
	var all []int64
	var s summary
	var elapsed time.Duration
	var ticks, upTicks int64
	cpuKnown, upKnown := true, true
	for _, r := range rs {
		all = append(all, r.latencies...)
		s.errors += r.errors
		elapsed += r.elapsed
		if r.cpuTicks < 0 {
			cpuKnown = false
		}
		if r.upCPUTicks < 0 {
			upKnown = false
		}
		ticks += r.cpuTicks
		upTicks += r.upCPUTicks
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	s.n = len(all)
	s.p50 = percentile(all, 0.50) / 1e3
	s.p99 = percentile(all, 0.99) / 1e3
	if elapsed > 0 {
		s.rps = float64(len(all)) / elapsed.Seconds()
	}
	s.cpu = math.NaN()
	if cpuKnown && s.n+s.errors > 0 {
		s.cpu = float64(ticks) * (1e6 / clockTick) / float64(s.n+s.errors)
	}
	s.upCPU = math.NaN()
	if upKnown && s.n+s.errors > 0 {
		s.upCPU = float64(upTicks) * (1e6 / clockTick) / float64(s.n+s.errors)
	}
	return s
}

// median of a few per-round values.
func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
