package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/store"
	"github.com/coding-relay/coding-relay/translate"
)

func openStore(tb testing.TB, dir string) *store.Store {
	tb.Helper()
	return openStoreWith(tb, dir, store.Options{})
}

func openStoreWith(tb testing.TB, dir string, o store.Options) *store.Store {
	tb.Helper()
	st, err := store.Open(dir, o)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func item(robot, title string) *store.Item {
	return &store.Item{Robot: robot, Message: translate.Message{Target: "dingtalk", Title: title}, Created: time.Now(), UUID: title}
}

func TestAddRemembersTheDelivery(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	now := time.Now()
	if err := st.Add("d-1", true, now, []*store.Item{item("r", "a")}, nil); err != nil {
		t.Fatal(err)
	}
	err := st.Add("d-1", true, now, []*store.Item{item("r", "b")}, nil)
	if !errors.Is(err, store.ErrDuplicate) || !strings.HasPrefix(err.Error(), "store: add delivery: ") {
		t.Fatalf("second add of d-1: %v, want ErrDuplicate named after the operation", err)
	}
	// Without dedup (no delivery header) the same ID is stored again.
	if err := st.Add("d-1", false, now, []*store.Item{item("r", "c")}, nil); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := st.Pending(func(it *store.Item) error { got = append(got, it.Message.Title); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "a,c" {
		t.Errorf("pending = %v, want a,c", got)
	}
}

func TestReviveAnswersForItsDeadLetter(t *testing.T) {
	st := openStore(t, t.TempDir())
	defer st.Close()
	it := item("r", "a")
	if err := st.Add("d", false, time.Now(), []*store.Item{it}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st.Bury([]*store.Item{it}, "r", nil); err != nil {
		t.Fatal(err)
	}
	accept := func(*store.Item) error { return nil }
	post := func(*store.Item) {}
	if err := st.Revive(it.ID+100, accept, post); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("reviving a missing dead letter: %v, want ErrNotFound", err)
	}
	refusal := errors.New("no such robot")
	if err := st.Revive(it.ID, func(*store.Item) error { return refusal }, post); err != refusal {
		t.Errorf("a refused revive: %v, want the refusal as it is", err)
	}
	var revived *store.Item
	if err := st.Revive(it.ID, accept, func(r *store.Item) { revived = r }); err != nil {
		t.Fatal(err)
	}
	if revived == nil || revived.ID == it.ID {
		t.Fatalf("revived %+v: want the item under a new ID", revived)
	}
	if dead, total, err := st.Dead(10); err != nil || total != 0 || len(dead) != 0 {
		t.Errorf("dead letters after revive: %d (%v)", total, err)
	}
	loaded, err := st.Load([]uint64{revived.ID, it.ID})
	if err != nil {
		t.Fatal(err)
	}
	if loaded[0] == nil || loaded[0].Message.Title != "a" || loaded[1] != nil {
		t.Errorf("Load = %+v, want the revived item and nil for its old ID", loaded)
	}
}

func TestProbeWrites(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	if err := st.Probe(); err != nil {
		t.Fatalf("probe of a healthy store: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// The probe's bucket is created for stores made before it existed.
	st = openStore(t, dir)
	defer st.Close()
	if err := st.Probe(); err != nil {
		t.Fatalf("probe after reopening: %v", err)
	}
}
