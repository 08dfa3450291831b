package translate

import (
	"testing"

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
			for b.Loop() {
				if _, err := Decode(name, payload); err != nil {
					b.Fatal(err)
				}
			}
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
				for b.Loop() {
					if _, err := r.Render(ev, target, ""); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkDecodeRender(b *testing.B) {
	r := newTestRenderer(b, "zh")
	for _, file := range benchSamples {
		name, payload := benchPayload(b, file)
		for _, target := range Targets {
			b.Run(file+"/"+string(target), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					ev, err := Decode(name, payload)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := r.Render(ev, target, ""); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
