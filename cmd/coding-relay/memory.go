package main

import (
	"math"
	"os"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"go.uber.org/zap"
)

// gcPercent is the relay's GOGC unless the environment sets one. Its live
// heap is small and bounded (the webhook bodies' and the queued messages'
// budgets; the queue leaves the rest of a backlog in the store) and nearly
// all it allocates is garbage of one webhook or one send, so collecting at
// five times the live heap rather than twice costs a few MB and gave ~15%
// more events/s under cmd/loadgen.
const gcPercent = 400

// memoryLimit is the soft memory limit when neither the container nor the
// environment sets one: with 1,000 robots the live heap is some 35 MB, and
// five times that would be 175 MB. Below it, GOGC decides alone.
const memoryLimit = 80 << 20

// tuneMemory applies gcPercent and, inside a container with a memory limit,
// sets GOMEMLIMIT to 90% of it so the collector works harder before the OOM
// killer steps in; elsewhere, memoryLimit. GOGC, GOMEMLIMIT and
// AUTOMEMLIMIT (a ratio, or off) in the environment take precedence.
func tuneMemory(log *zap.Logger) {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	limit, err := memlimit.Set(memlimit.WithProvider(memlimit.FromCgroup))
	switch {
	case err != nil:
		log.Debug("no container memory limit applied", zap.Error(err))
	case limit < math.MaxInt64:
		log.Info("memory limit taken from the container", zap.Int64("gomemlimit_bytes", limit))
	}
	_, env := os.LookupEnv("GOMEMLIMIT")
	_, auto := os.LookupEnv("AUTOMEMLIMIT")
	if !env && !auto && debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(memoryLimit)
	}
}
