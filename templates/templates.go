// Package templates is data: the embedded default templates (zh/, en/: one
// file per event plus common, generic, digest) and sample payloads: CODING's
// samples/<event>[-<case>].json (<event> as its header carries it), other
// sources' in samples/<source>/.
package templates

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

// FS is the embedded tree: zh/, en/ and samples/.
//
//go:embed zh/*.tmpl en/*.tmpl samples/*.json samples/*/*.json
var FS embed.FS

// Languages have default templates; the first is the default.
var Languages = []string{"zh", "en"}

// Sub is the default templates of one language ("" means zh).
func Sub(lang string) (fs.FS, error) {
	if lang == "" {
		lang = Languages[0]
	}
	for _, l := range Languages {
		if l == lang {
			return fs.Sub(FS, lang)
		}
	}
	return nil, fmt.Errorf("templates: no default templates for language %q (have %s)", lang, strings.Join(Languages, ", "))
}

// Samples returns the sample payloads by path under samples/ (gitlab/push.json).
func Samples() map[string][]byte {
	out := make(map[string][]byte)
	for _, pattern := range SamplePatterns {
		names, _ := fs.Glob(FS, pattern)
		for _, n := range names {
			if b, err := fs.ReadFile(FS, n); err == nil {
				out[strings.TrimPrefix(n, "samples/")] = b
			}
		}
	}
	return out
}

// SamplePatterns are where a templates tree keeps sample payloads.
var SamplePatterns = []string{"samples/*.json", "samples/*/*.json"}
