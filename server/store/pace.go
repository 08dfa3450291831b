package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// putPace records a paced robot's send times (Unix ms); nil records nothing.
func putPace(tx *bolt.Tx, robot string, pace []int64) error {
	if pace == nil {
		return nil
	}
	v, err := json.Marshal(pace)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketPace).Put([]byte(robot), v)
}

// Pace returns the recorded send times (Unix ms) of a robot.
func (s *Store) Pace(robot string) ([]int64, error) {
	var out []int64
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPace).Get([]byte(robot))
		if v == nil {
			return nil
		}
		return json.Unmarshal(v, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("store: read pace of %s: %w", robot, err)
	}
	return out, nil
}
