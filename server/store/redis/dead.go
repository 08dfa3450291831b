package redis

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/coding-relay/coding-relay/server/store"
)

// Bury moves items from their lanes to the dead letters.
func (s *Store) Bury(items []*store.Item, robot string, pace []int64) error {
	if len(items) == 0 {
		return nil
	}
	keys, args, err := itemArgs(items, keyItems, keyDead, keyDeadQ)
	if err != nil {
		return fmt.Errorf("redis: dead-letter: %w", err)
	}
	return unavailable("dead-letter", buryScript.Run(ctx(), s.c, keys, args...).Err())
}

// Revive requeues a dead letter at its lane's end (accept sets it.Lane or
// refuses, its error returned), then calls post; a missing one is store.ErrNotFound.
func (s *Store) Revive(id uint64, accept func(*store.Item) error, post func(*store.Item)) error {
	v, err := s.c.HGet(ctx(), keyDead, strconv.FormatUint(id, 10)).Result()
	switch {
	case errors.Is(err, goredis.Nil):
		return fmt.Errorf("redis: revive dead letter %d: %w", id, store.ErrNotFound)
	case err != nil:
		return unavailable(fmt.Sprintf("revive dead letter %d", id), err)
	}
	it, err := store.DecodeItem(id, []byte(v))
	if err != nil {
		return fmt.Errorf("redis: revive dead letter %d: %w", id, err)
	}
	its := []*store.Item{it}
	if err := s.fillBodies(its); err != nil || its[0] == nil {
		return errors.Join(fmt.Errorf("redis: revive dead letter %d: its message %s is missing", id, it.Body), err)
	}
	if err := accept(it); err != nil {
		return err
	}
	it.Attempts, it.LastError, it.DeadAt = 0, "", time.Time{}
	body, err := store.MarshalItem(it)
	if err != nil {
		return fmt.Errorf("redis: revive dead letter %d: %w", id, err)
	}
	nid, err := reviveScript.Run(ctx(), s.c, []string{keyDead, keyDeadQ, keySeq, keyItems, pending(it.Lane), keyLanes},
		id, body, it.Lane, keyWake).Int64()
	switch {
	case err != nil:
		return unavailable(fmt.Sprintf("revive dead letter %d", id), err)
	case nid < 0:
		return fmt.Errorf("redis: revive dead letter %d: %w", id, store.ErrNotFound)
	}
	it.ID = uint64(nid)
	post(it)
	return nil
}

// Dead returns the first limit dead letters in ID order and their total.
func (s *Store) Dead(limit int) ([]*store.Item, int, error) {
	var members *goredis.StringSliceCmd
	var total *goredis.IntCmd
	_, err := s.c.Pipelined(ctx(), func(p goredis.Pipeliner) error {
		members = p.ZRange(ctx(), keyDeadQ, 0, int64(max(limit, 1))-1) // 0, -1 would be all
		total = p.ZCard(ctx(), keyDeadQ)
		return nil
	})
	if err != nil {
		return nil, 0, unavailable("list dead letters", err)
	}
	var ids []uint64
	for _, m := range members.Val()[:min(len(members.Val()), max(limit, 0))] {
		if id, err := strconv.ParseUint(m, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	out, err := s.load(keyDead, "list dead letters", ids)
	if err != nil {
		return nil, 0, err
	}
	return slices.DeleteFunc(out, func(it *store.Item) bool { return it == nil }), int(total.Val()), nil
}
