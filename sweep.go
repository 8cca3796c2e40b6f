package paygate

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/zap"
)

// sweeper deletes expired records from shared storage now and then: Caddy's
// storage modules keep keys forever, and Redis or a disk that fills up
// would refuse every create.
type sweeper struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// sweepInterval is how often a sweep runs: often enough that storage holds
// at most a few windows' worth, rarely enough that listing costs nothing.
func sweepInterval(window time.Duration) time.Duration {
	return min(max(window/4, time.Minute), time.Hour)
}

func startSweeper(s *storageStore, logger *zap.Logger) *sweeper {
	ctx, cancel := context.WithCancel(context.Background())
	sw := &sweeper{cancel: cancel}
	sw.wg.Add(1)
	go func() {
		defer sw.wg.Done()
		every := sweepInterval(s.window)
		// Jitter, so instances started together do not sweep together.
		t := time.NewTimer(every/2 + rand.N(every/2))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			n, err := s.sweep(ctx)
			if err != nil && ctx.Err() == nil {
				logger.Warn("sweeping expired idempotency records failed", zap.Error(err))
			} else if n > 0 {
				logger.Debug("swept expired idempotency records", zap.Int("deleted", n))
			}
			t.Reset(every)
		}
	}()
	return sw
}

// Destruct stops the sweeper when no config uses its record space.
func (sw *sweeper) Destruct() error {
	sw.cancel()
	sw.wg.Wait()
	return nil
}
