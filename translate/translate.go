// Package translate renders a webhook event into a robot's markdown
// message. It is pure (no network, clock or logging) and concurrency-safe.
package translate

// Target names the dialect a message is rendered in (Dialect.Name, e.g.
// WeCom's markdown_v2). Queued messages keep it.
type Target string

// Message is what one group sees for one event, rendered and fitted.
type Message struct {
	Target  Target `json:"target"`
	Event   string `json:"event"`
	Action  string `json:"action,omitempty"`
	Title   string `json:"title"`
	Text    string `json:"text"`
	Summary string `json:"summary"` // one line in the target's markdown, used by digests
	Link    string `json:"link,omitempty"`
	Outcome string `json:"outcome,omitempty"` // how the event ended (OutcomeSuccess, …), for a card's header colour
	Lang    string `json:"lang,omitempty"`    // the templates' language ("zh", "en"), for a card's button

	AtMobiles []string `json:"at_mobiles,omitempty"`
	AtUserIDs []string `json:"at_user_ids,omitempty"`
}
