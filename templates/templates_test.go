package templates

import (
	"encoding/json"
	"io/fs"
	"testing"
)

func TestLanguagesHaveTheSameFiles(t *testing.T) {
	want, err := fs.Glob(FS, Languages[0]+"/*.tmpl")
	if err != nil || len(want) == 0 {
		t.Fatalf("no %s templates: %v", Languages[0], err)
	}
	for _, lang := range Languages[1:] {
		sub, err := Sub(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range want {
			name := f[len(Languages[0])+1:]
			if _, err := fs.Stat(sub, name); err != nil {
				t.Errorf("%s lacks %s", lang, name)
			}
		}
	}
	if _, err := Sub("xx"); err == nil {
		t.Error("Sub(xx): no error")
	}
}

func TestSamplesAreJSONObjects(t *testing.T) {
	s := Samples()
	if len(s) == 0 {
		t.Fatal("no samples")
	}
	for name, b := range s {
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
