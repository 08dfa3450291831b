package redis_test

import (
	"strings"
	"testing"
	"time"

	"github.com/coding-relay/coding-relay/server/robot"
	"github.com/coding-relay/coding-relay/server/store/redis"
	"github.com/coding-relay/coding-relay/server/store/redis/redistest"
)

// The ACL user docs/deploy.md gives is enough for everything the relay
// does, scripts included.
func TestACLUserFromTheDocs(t *testing.T) {
	srv := redistest.Start(t)
	args := strings.Fields("ACL SETUSER relay on >pw ~coding-relay:* &coding-relay:wake +@read +@write +@scripting +@pubsub +@connection +time +config|get")
	if _, err := srv.Do(args...); err != nil {
		t.Fatal(err)
	}
	st, err := redis.Open("redis://relay:pw@"+srv.Addr+"/0", redis.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	add(t, st, "d1", item("x", "1"))
	if _, err := st.Hold([]string{"x"}, time.Second); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Slot("x", robot.Limits{{N: 1, Per: time.Second}}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Durability(); err != nil {
		t.Fatal(err)
	}
	if err := st.Probe(); err != nil {
		t.Fatal(err)
	}
	got, _, _, err := st.Next("x", 0, 10)
	if err != nil || len(got) != 1 {
		t.Fatal(err)
	}
}
