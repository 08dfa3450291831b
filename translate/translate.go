// Package translate turns a webhook event into the markdown message a group
// robot shows. It is pure: no network, no clock, no logging. The server
// decodes with a source (translate/coding), renders in the dialects of the
// robot kinds (Dialect) with a Renderer, and a kind builds the wire body;
// everything here is safe for concurrent use.
package translate

// Target names the dialect a message is rendered in (Dialect.Name): a
// robot kind's markdown, or one of them for a kind that takes several
// (WeCom's markdown and markdown_v2). Queued messages keep it.
type Target string

// Message is what one group sees for one event, already in the target's
// markdown dialect and already small enough for the target.
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
