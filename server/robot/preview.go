package robot

import (
	"context"
	"fmt"
	"strings"

	"github.com/coding-relay/coding-relay/translate"
)

// Preview is what a robot would be sent for an event, as the render
// command, /api/render, the console's playground and a dry run show it:
// the message, its exact wire body (unsigned), and the size the kind's
// limit is measured on. Phone numbers in it are masked (138****5678).
type Preview struct {
	Message     translate.Message
	Body        []byte
	Size, Limit int
}

// Fits reports whether the body is within the kind's limit.
func (p Preview) Fits() bool { return p.Size <= p.Limit }

// PreviewError is why a preview stopped: Stage is "template" (the variant
// is not defined), "render" (a template failed, or ran too long or wrote
// too much) or "body" (the wire body could not be built).
type PreviewError struct {
	Stage string
	Err   error
}

func (e *PreviewError) Error() string { return e.Err.Error() }

// Unwrap is the cause.
func (e *PreviewError) Unwrap() error { return e.Err }

// RenderPreview renders ev with r for endpoint ep, whose dialect is d, and
// the template variant: the one path from an event to what a robot would
// get. It renders as translate.Renderer.Preview does (bounded in time and
// output, phone numbers masked), builds ep's wire body and measures it.
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
