package console

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestRecentIsBounded(t *testing.T) {
	r := NewRecent()
	at := time.Now()
	for i := range maxRecent + 10 {
		r.Add(fmt.Sprint("d-", i), "coding", "push", at, []byte(`{"n":`+fmt.Sprint(i)+`}`))
	}
	list := r.List()
	if len(list) != maxRecent || list[0].Delivery != fmt.Sprint("d-", maxRecent+9) || list[0].Body != nil {
		t.Fatalf("kept %d, newest %+v; want the last %d, newest first, without bodies", len(list), list[0], maxRecent)
	}
	if _, ok := r.Get("d-0"); ok {
		t.Error("the oldest is still kept")
	}
	if p, ok := r.Get("d-20"); !ok || string(p.Body) != `{"n":20}` {
		t.Errorf("Get(d-20) = %+v, %v", p, ok)
	}
	r.Add("huge", "coding", "push", at, []byte(strings.Repeat("x", maxRecentPayload+1)))
	if _, ok := r.Get("huge"); ok {
		t.Error("a payload over the bound is kept")
	}
	big := strings.Repeat("y", maxRecentPayload)
	for i := range 20 {
		r.Add(fmt.Sprint("big-", i), "coding", "push", at, []byte(big))
	}
	if r.bytes > maxRecentBytes {
		t.Errorf("%d bytes kept, bound %d", r.bytes, maxRecentBytes)
	}
	var none *Recent
	none.Add("x", "coding", "push", at, []byte("{}"))
	if len(none.List()) != 0 {
		t.Error("a nil Recent lists something")
	}
}
