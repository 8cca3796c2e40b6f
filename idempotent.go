package paygate

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/paygate/caddy-paygate/transform"
)

// idemOp is one idempotent operation of the canonical API (a create; a
// refund uses the same flow): its record key, the fingerprint of its
// request, and how to ask the gateway and to act.
type idemOp struct {
	key string // within the record space: "order/ORD1", "refund/ORD1/RF1"
	fp  fpSum
	// conflict answers the same key with another request.
	conflict func(gateway string) *transform.Error
	steps    idemSteps
}

// idemSteps are an operation's gateway calls. An interface rather than two
// closures: one allocation per request instead of three.
type idemSteps interface {
	// check asks the gateway whether an earlier attempt whose outcome is
	// unknown took effect; found=false with no error means it did not.
	check() (res idemResult, found bool)
	// act calls the gateway.
	act() idemResult
}

// idemResult is how one operation ended: the canonical answer (or failure)
// and whether it may be recorded.
type idemResult struct {
	status  int
	body    []byte
	e       *transform.Error
	outcome outcome
	// record, when set, is the body recorded for replay instead of body.
	record []byte
}

// answered builds the result of a definite success.
func answered(status int, body []byte) idemResult {
	return idemResult{status: status, body: body, outcome: outcomeDefinite}
}

// failed builds the result of a failure, classified by its type.
func failed(e *transform.Error) idemResult {
	return idemResult{status: e.HTTPStatus(), body: e.JSON(), e: e, outcome: classify(e)}
}

func (h *Handler) inFlightTimeout() time.Duration {
	if h.InFlightTimeout > 0 {
		return time.Duration(h.InFlightTimeout)
	}
	return defaultInFlightTimeout
}

// idempotent runs op at most once per key (README "Retries and
// idempotency"). Same-instance repeats wait on a process-local lock held for
// the whole operation; the store's lock (distributed for shared storage) is
// held only to read and write records. Before the gateway is called an
// in-flight marker is saved; if it cannot be, nothing is sent.
func (x *exchange) idempotent(op *idemOp) (err error) {
	ctx := x.r.Context()
	unlock, lerr := x.h.locks.Lock(ctx, op.key)
	if lerr != nil {
		return x.fail(x.storageError(lerr))
	}
	defer unlock()

	marker, wasAmbiguous, done, err := x.begin(op)
	if done {
		return err
	}

	// The marker bounds the calls: they end before another instance may
	// take the marker as abandoned. The application leaving does not cut a
	// call that may already have reached the gateway.
	x.detached = context.WithoutCancel(ctx)
	callCtx, cancel := context.WithDeadline(x.detached, marker.Started.Add(x.h.inFlightTimeout()))
	defer cancel()
	x.r = x.r.WithContext(callCtx)

	var res idemResult
	settled := false
	defer func() {
		// A panic after the marker (a parser bug) must not leave the outcome
		// unknown to the next attempt: it is recorded as ambiguous.
		if p := recover(); p != nil {
			x.h.logger.Error("panic during an idempotent operation; recorded as ambiguous",
				zap.String("gateway", x.gatewayName()), zap.String("key", op.key), zap.Any("panic", p))
			if !settled {
				x.settle(op, marker, idemResult{outcome: outcomeAmbiguous}, wasAmbiguous)
			}
			err = x.fail(&transform.Error{Type: transform.GatewayError, Gateway: x.gatewayName(),
				Message: "paygate failed while handling the gateway's answer; retry with the same request"})
		}
	}()

	found := false
	if wasAmbiguous {
		res, found = op.steps.check()
		if res.e != nil && res.outcome != outcomeDefinite {
			// The earlier outcome is still unknown: stay ambiguous, and tell
			// the application to retry rather than blocking the id.
			x.gatewayCode = res.e.GatewayCode
			res = idemResult{outcome: outcomeAmbiguous, e: &transform.Error{
				Type: transform.GatewayUnavailable, Gateway: x.gatewayName(),
				GatewayCode: res.e.GatewayCode, GatewayMessage: res.e.GatewayMessage,
				Message: "an earlier attempt with this id may have reached " + x.gatewayName() +
					" and its status could not be read (" + string(res.e.Type) + "); retry with the same request",
			}}
			res.status, res.body = res.e.HTTPStatus(), res.e.JSON()
		}
	}
	if !wasAmbiguous || (!found && res.e == nil) {
		res = op.steps.act()
	}
	if res.e != nil {
		// What is recorded is replayed for a day: scrubbed like every answer.
		res.e = scrubCredentials(x.h.gateway, x.r.Header, res.e)
		res.body = res.e.JSON()
	}
	settled = true
	x.settle(op, marker, res, wasAmbiguous)
	if res.e != nil {
		return x.fail(res.e)
	}
	x.outcome = "success"
	return writeJSON(x.w, res.status, res.body)
}

// begin reads the key's record under the store's lock and either answers
// from it (done) or saves the in-flight marker and returns it, with whether
// an earlier attempt's outcome is unknown.
func (x *exchange) begin(op *idemOp) (marker *idemRecord, wasAmbiguous, done bool, err error) {
	ctx := x.r.Context()
	store := x.h.idem
	unlock, lerr := store.Lock(ctx, op.key)
	if lerr != nil {
		return nil, false, true, x.fail(x.storageError(lerr))
	}
	defer unlock()
	prev, lerr := store.Load(ctx, op.key)
	if lerr != nil {
		return nil, false, true, x.fail(x.storageError(lerr))
	}
	now := time.Now()
	if prev != nil {
		if prev.Fingerprint != op.fp {
			return nil, false, true, x.fail(op.conflict(x.gatewayName()))
		}
		switch {
		case prev.InFlight && now.Sub(prev.Started) < x.h.inFlightTimeout():
			// Another instance is talking to the gateway for this id (or a
			// final save failed here moments ago): never a second call.
			wait := min(x.h.inFlightTimeout()-now.Sub(prev.Started), maxInProgressRetryAfter)
			secs := max(1, int((wait+time.Second-1)/time.Second))
			x.w.Header().Set("Retry-After", strconv.Itoa(secs))
			return nil, false, true, x.fail(&transform.Error{Type: transform.OrderInProgress, Gateway: x.gatewayName(),
				Message: fmt.Sprintf("another request with this id is in flight; retry after %d s with the same request", secs)})
		case prev.InFlight || prev.Ambiguous:
			// An older marker's owner died or gave up: its outcome is unknown.
			wasAmbiguous = true
		default:
			x.replayed = true
			x.outcome = "success"
			if prev.Status >= 400 {
				x.outcome = cmp.Or(prev.ErrorType, string(transform.GatewayError))
			}
			x.h.metrics.observeReplay(x.gatewayName())
			x.w.Header().Set("Idempotent-Replayed", "true")
			return nil, false, true, writeJSON(x.w, prev.Status, prev.Body)
		}
	}
	marker = &idemRecord{Fingerprint: op.fp, InFlight: true, Started: now, Created: now}
	if prev != nil {
		marker.Created = prev.Created
	}
	if serr := store.Save(ctx, op.key, marker); serr != nil {
		return nil, false, true, x.fail(x.storageError(serr))
	}
	return marker, wasAmbiguous, false, nil
}

// settle replaces the marker with the outcome: a definite answer, an
// ambiguous record, or (nothing reached the gateway) what was there before.
func (x *exchange) settle(op *idemOp, marker *idemRecord, res idemResult, wasAmbiguous bool) {
	ctx := x.detached
	store := x.h.idem
	unlock, err := store.Lock(ctx, op.key)
	if err != nil {
		x.logSaveFailure(op, err)
		return
	}
	defer unlock()
	// Fencing: if another instance took the marker over (ours outlived
	// in_flight_timeout) and settled it, its answer stands.
	if cur, err := store.Load(ctx, op.key); err == nil && cur != nil && !cur.pending() {
		x.h.logger.Warn("an idempotency record was settled by another attempt while this one ran",
			zap.String("gateway", x.gatewayName()), zap.String("key", op.key))
		return
	}
	rec := &idemRecord{Fingerprint: op.fp, Created: marker.Created}
	switch {
	case res.outcome == outcomeDefinite:
		rec.Status, rec.Body = res.status, res.body
		if res.e != nil {
			rec.ErrorType = string(res.e.Type)
		}
		if res.record != nil {
			rec.Body = res.record
		}
	case res.outcome == outcomeAmbiguous || wasAmbiguous:
		rec.Ambiguous = true
	default:
		err = store.Delete(ctx, op.key)
		if err != nil {
			x.logSaveFailure(op, err)
		}
		return
	}
	if err := store.Save(ctx, op.key, rec); err != nil {
		x.logSaveFailure(op, err)
	}
}

func (x *exchange) logSaveFailure(op *idemOp, err error) {
	// The in-flight marker stays: the next attempt checks the gateway's
	// status instead of acting again.
	x.h.logger.Error("could not record an outcome; the in-flight marker stays and the next attempt will check the gateway's status first",
		zap.String("gateway", x.gatewayName()), zap.String("key", op.key), zap.Error(err))
}

// retryAfterStatuses are the gateway answers whose Retry-After is passed on.
func retryAfterStatus(status int) bool {
	return status == http.StatusRequestTimeout || status == http.StatusTooEarly ||
		status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}
