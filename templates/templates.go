// Package templates holds the relay's default message templates and sample
// payloads, embedded in the binary. It is data only: translate parses the
// templates, cmd hands this file system to it.
//
// Layout: zh/*.tmpl and en/*.tmpl are the default templates per language
// (one file per event plus common.tmpl, generic.tmpl, digest.tmpl);
// samples/*.json are sample payloads: CODING's named <event>[-<case>].json
// (<event> is what the X-Coding-Event or Service Hook header would carry),
// another source's <source>.<event>[-<case>].json
// (github.pull_request-opened.json; see translate.SampleName).
package templates

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// FS is the embedded tree: zh/, en/ and samples/.
//
//go:embed zh/*.tmpl en/*.tmpl samples/*.json
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

// Samples returns the sample payloads by file name (push.json,
// merge_request-create.json, GIT_PUSHED.json, …).
func Samples() map[string][]byte {
	out := make(map[string][]byte)
	entries, err := fs.ReadDir(FS, "samples")
	if err != nil {
		return out
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		b, err := fs.ReadFile(FS, path.Join("samples", e.Name()))
		if err == nil {
			out[e.Name()] = b
		}
	}
	return out
}
