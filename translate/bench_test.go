package translate

import (
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/templates"
)

// benchSamples are the payloads the intake benchmarks measure: a push with
// two commits, a merge request and a failed CI build.
var benchSamples = []string{
	"push-two-commits.json",
	"merge_request-create.json",
	"ci-complete_build-failed.json",
}

func benchPayload(b *testing.B, file string) (string, []byte) {
	b.Helper()
	payload, ok := templates.Samples()[file]
	if !ok {
		b.Fatalf("no sample %s", file)
	}
	return SampleEventName(file), payload
}

func BenchmarkDecode(b *testing.B) {
	for _, file := range benchSamples {
		name, payload := benchPayload(b, file)
		b.Run(file, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(payload)))
			cpu := processCPU()
			for b.Loop() {
				if _, err := Decode(name, payload); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

func BenchmarkRender(b *testing.B) {
	r := newTestRenderer(b, "zh")
	for _, file := range benchSamples {
		name, payload := benchPayload(b, file)
		ev, err := Decode(name, payload)
		if err != nil {
			b.Fatal(err)
		}
		for _, target := range Targets {
			b.Run(file+"/"+string(target), func(b *testing.B) {
				b.ReportAllocs()
				cpu := processCPU()
				for b.Loop() {
					if _, err := r.Render(ev, target, ""); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// BenchmarkDecodeRender is the path of one webhook through translate:
// decode, then render for one target. It is the benchmark that decides
// whether a fast path pays for itself (README, "Decode and render").
func BenchmarkDecodeRender(b *testing.B) {
	r := newTestRenderer(b, "zh")
	for _, file := range benchSamples {
		name, payload := benchPayload(b, file)
		for _, target := range Targets {
			b.Run(file+"/"+string(target), func(b *testing.B) {
				b.ReportAllocs()
				cpu := processCPU()
				for b.Loop() {
					ev, err := Decode(name, payload)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := r.Render(ev, target, ""); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
		}
	}
}

// reportCPU reports the process's CPU time per operation since start as
// cpu-ns/op: on a machine shared with other work, ns/op (wall time) also
// counts the time the others had the cores, and varies with them.
func reportCPU(b *testing.B, start time.Duration) {
	b.Helper()
	if end := processCPU(); start >= 0 && end >= 0 {
		b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
	}
}
