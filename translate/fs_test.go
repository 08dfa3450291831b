package translate

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/coding-relay/coding-relay/templates"
)

// mapFS builds an in-memory template directory from file name → text.
type mapFS map[string]string

func (m mapFS) Open(name string) (fs.File, error) {
	f := fstest.MapFS{}
	for k, v := range m {
		f[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return f.Open(name)
}

func testDefaults(tb testing.TB) fs.FS {
	tb.Helper()
	return templates.FS
}
