// Package templates holds the relay's default message templates and sample
// payloads, embedded in the binary. It is data only: translate parses the
// templates, cmd hands this file system to it.
//
// Layout: zh/*.tmpl and en/*.tmpl are the default templates per language
// (one file per event plus common.tmpl, generic.tmpl, digest.tmpl);
// samples/*.json are sample CODING payloads named <event>[-<case>].json
// (<event> is what the X-Coding-Event or Service Hook header would carry);
// samples/<source>/*.json are another source's, whose bodies name their
// events (samples/gitlab/).
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

// Languages are the languages with default templates; the first is the
// default.
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

// Samples returns the sample payloads by their path under samples/
// (push.json, GIT_PUSHED.json, gitlab/push.json, …).
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
