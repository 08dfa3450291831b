package server

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"
	"go.uber.org/zap"

	"github.com/coding-relay/coding-relay/translate"
)

// Templates holds the live renderer; a failed reload (a ConfigMap typo) keeps the old.
type Templates struct {
	cur      atomic.Pointer[translate.Renderer]
	fallback func() (*translate.Renderer, error)
	load     func() (*translate.Renderer, error)
	log      *zap.Logger
	m        *Metrics
	mu       sync.Mutex // one reload at a time
}

// NewTemplates loads the templates; an error (file, line, reason) stops start-up.
func NewTemplates(load func() (*translate.Renderer, error), log *zap.Logger, m *Metrics) (*Templates, error) {
	t := &Templates{load: load, log: log, m: m}
	r, err := load()
	if err != nil {
		m.TemplateLoads.WithLabelValues("error").Inc()
		return nil, err
	}
	m.TemplateLoads.WithLabelValues("ok").Inc()
	t.cur.Store(r)
	return t, nil
}

// Current is the renderer to use now.
func (t *Templates) Current() *translate.Renderer { return t.cur.Load() }

// SetFallback sets how to build the defaults-only renderer for robots whose
// templates fail; built lazily (several MB, rarely needed). Call before serving.
func (t *Templates) SetFallback(load func() (*translate.Renderer, error)) {
	t.fallback = sync.OnceValues(load)
}

// Fallback is SetFallback's renderer, or nil when unset or unbuildable.
func (t *Templates) Fallback() *translate.Renderer {
	if t.fallback == nil {
		return nil
	}
	r, err := t.fallback()
	if err != nil {
		t.log.Error("building the fallback renderer", zap.Error(err))
		return nil
	}
	return r
}

// Reload parses the templates again and swaps them in if they are good.
func (t *Templates) Reload() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, err := t.load()
	if err != nil {
		t.m.TemplateLoads.WithLabelValues("error").Inc()
		t.m.TemplateBroken.Set(1)
		t.log.Error("template reload failed; the previous templates stay in use", zap.Error(err))
		return err
	}
	t.cur.Store(r)
	t.m.TemplateLoads.WithLabelValues("ok").Inc()
	t.m.TemplateBroken.Set(0)
	t.log.Info("templates reloaded")
	return nil
}

// Watch reloads once per burst of changes in dir until ctx is done; watching
// the directory sees ConfigMap updates (the ..data symlink swap).
func (t *Templates) Watch(ctx context.Context, dir string) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching RELAY_TEMPLATES_DIR: %w", err)
	}
	if err := w.Add(dir); err != nil {
		_ = w.Close()
		return fmt.Errorf("watching RELAY_TEMPLATES_DIR %s: %w", dir, err)
	}
	go func() {
		defer func() { _ = w.Close() }()
		const settle = 250 * time.Millisecond
		timer := time.NewTimer(time.Hour)
		timer.Stop()
		for {
			select {
			case <-ctx.Done():
				timer.Stop()
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if ev.Op == fsnotify.Chmod {
					continue
				}
				timer.Reset(settle)
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				t.log.Warn("template watcher", zap.Error(err))
			case <-timer.C:
				_ = t.Reload()
			}
		}
	}()
	return nil
}
