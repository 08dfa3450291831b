package robot

import (
	"context"
	"fmt"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// Preview is what a robot would be sent for an event: the message, its
// unsigned wire body and its measured size, phone numbers masked.
type Preview struct {
	Message     translate.Message
	Body        []byte
	Size, Limit int
}

// Fits reports whether the body is within the kind's limit.
func (p Preview) Fits() bool { return p.Size <= p.Limit }

// PreviewError is why a preview stopped: at Stage "template" (no such
// variant), "render" or "body".
type PreviewError struct {
	Stage string
	Err   error
}

func (e *PreviewError) Error() string { return e.Err.Error() }

// Unwrap is the cause.
func (e *PreviewError) Unwrap() error { return e.Err }

// RenderPreview is the one path from an event to what ep would get: it
// renders with r.Preview (bounded, masked), builds the body and measures it.
func RenderPreview(ctx context.Context, r *translate.Renderer, ev *translate.Event, ep Endpoint, d translate.Dialect, variant string) (Preview, error) {
	if !r.HasVariant(variant) {
		return Preview{}, &PreviewError{"template", fmt.Errorf("template %q is not defined (known variants: %s)", variant, strings.Join(r.Variants(), ", "))}
	}
	ctx, cancel := context.WithTimeout(ctx, translate.PreviewTimeout)
	defer cancel()
	msg, err := r.Preview(ctx, ev, ep.Target(), variant)
	if err != nil {
		return Preview{}, &PreviewError{"render", err}
	}
	body, err := ep.Body(msg, "")
	if err != nil {
		return Preview{}, &PreviewError{"body", err}
	}
	return Preview{Message: msg, Body: body, Size: d.Size(msg), Limit: d.Limit()}, nil
}
