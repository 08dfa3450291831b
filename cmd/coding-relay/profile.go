//go:build pprof

package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// A -tags pprof build profiles its CPU to RELAY_CPUPROFILE for cmd/loadgen
// -relay-cpuprofile; release builds lack it: a developer tool, not a setting.
func init() {
	path := os.Getenv("RELAY_CPUPROFILE")
	if path == "" || len(os.Args) > 1 {
		return // only the relay itself, not a subcommand (healthcheck, render, …)
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "coding-relay: RELAY_CPUPROFILE:", err)
		os.Exit(1)
	}
	stopProfiling = func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "coding-relay: RELAY_CPUPROFILE:", err)
		}
	}
}
