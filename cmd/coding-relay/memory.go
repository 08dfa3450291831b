package main

import (
	"math"
	"os"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"go.uber.org/zap"
)

// gcPercent is the default GOGC: the live heap is small and bounded and nearly
// all allocation is per-request garbage, so 400 costs a few MB and gave ~15%
// more events/s under cmd/loadgen.
const gcPercent = 400

// memoryLimit is the default soft limit: 1,000 robots' ~35 MB live heap, times five.
const memoryLimit = 80 << 20

// tuneMemory applies gcPercent and GOMEMLIMIT at 90% of a container limit
// (else memoryLimit); GOGC, GOMEMLIMIT and AUTOMEMLIMIT in the env win.
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
